"""Issue 21, integrity: nothing outside the project, microdata that round-trip, a roll-forward failure that
says what it left, and a site build that sees one revision.

* a ``.ceo-journaal.json`` shipped inside a project (zip, git, shared folder) never moves anything, for any
  ``ceo`` command (``ceo diff`` too): exit 2, a Dutch message, the project and the files outside it unchanged;
* no ``ceo`` command follows a symbolic link in the project (``.ceo-lock``, ``.mkdocs.yml.ceo-tmp``, a duiding
  file, ``site/2025``): refused naming the link, nothing outside the project read or written;
* an open answer with a bare carriage return keeps its respondent on one row of the microdata CSV, and a
  respondent-level comparison of revisions that cannot be made refuses the revision;
* a roll-forward that fails says which tree is at which revision (never "er is niets gewijzigd");
* ``ceo bouw`` during a ``ceo process`` builds one revision.

The planted-journal and symbolic-link cases run ``python -m ceo`` in a subprocess, as a user would.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from demo_project import new_project

from ceo.cli import main

CEO = [sys.executable, "-m", "ceo"]
DATE = "2026-01-15"


def tree(root: Path) -> dict[str, str]:
    """Relative path → sha256 (files), "dir" or "link → target" of everything below ``root``."""
    if not os.path.lexists(root):
        return {}
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = f"link → {os.readlink(p)}"
        elif p.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def state(root: Path) -> dict:
    return {sub: tree(root / sub) for sub in ("site", "uitvoer", "duiding")} | {
        "top": {p.name: (f"link → {os.readlink(p)}" if p.is_symlink() else
                         "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest())
                for p in root.iterdir()}}


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CEO_TEST_HOOK")}
    return subprocess.run([*CEO, *argv], capture_output=True, text=True, timeout=300, env=env, **kwargs)


def refused(root: Path, argv: list[str], expected: str, outside: Path | None = None) -> str:
    """Run ``argv``: exit 2, ``expected`` in the Dutch message, no traceback, the project (and ``outside``)
    byte for byte as before."""
    before, before_out = state(root), tree(outside) if outside else None
    proc = run(argv)
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "Interne fout" not in proc.stderr, proc.stderr
    assert state(root) == before, "the project changed"
    if outside is not None:
        assert tree(outside) == before_out, "something outside the project changed"
    return proc.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from ceo.demo import write_demo_files

    return write_demo_files(tmp_path_factory.mktemp("paden") / "invoer")


def _wmo_args(demo, edition: int) -> list[str]:
    d = demo.deliveries(edition)["wmo"]
    return ["-s", "wmo", "-e", str(edition), "--mapping", str(d.mapping), "--population", str(d.population),
            *map(str, d.inputs)]


@pytest.fixture(scope="module")
def published(demo, tmp_path_factory) -> Path:
    """A project in which Wmo 2025 (demo delivery) has been published."""
    root = new_project(tmp_path_factory.mktemp("gepubliceerd") / "project")
    out = CliRunner().invoke(main, ["process", "--project", str(root), "--date", DATE, *_wmo_args(demo, 2025)])
    assert out.exit_code == 0, out.output
    return root


@pytest.fixture
def project(published, tmp_path) -> Path:
    root = tmp_path / "werk" / "project"
    shutil.copytree(published, root, symlinks=True)
    return root


# --------------------------------------------------------------------------- a planted journal

def _plant(root: Path, outside: Path, kind: str) -> None:
    """A journal as an attacker would ship it, with the staging directory it points at."""
    staged = root / ".ceo-staging-x"
    staged.mkdir()
    if kind == "toevoeging-absoluut":  # 'add the new duiding files' into ~/.config/autostart/
        (staged / "autostart").mkdir()
        (staged / "autostart" / "ceo.desktop").write_text("[Desktop Entry]\nExec=evil\n", encoding="utf-8")
        entry = {"versie": 1, "wissels": [], "toevoegingen": [{"doel": str(outside / "autostart"),
                                                                "klaar": staged.name}]}
    elif kind == "wissel-omhoog":  # 'swap in' a directory two levels up
        (staged / "x.txt").write_text("x", encoding="utf-8")
        entry = {"versie": 1, "wissels": [{"doel": "../../buiten", "klaar": staged.name,
                                          "inode": staged.stat().st_ino}], "toevoegingen": []}
    elif kind == "klaar-absoluut":  # 'swap' a directory outside the project into site/
        entry = {"versie": 1, "wissels": [{"doel": "site", "klaar": str(outside / "geheim"),
                                          "inode": (outside / "geheim").stat().st_ino}], "toevoegingen": []}
    elif kind == "koppeling":  # the journal is a link to a file elsewhere
        (outside / "journaal.json").write_text(json.dumps({"versie": 1, "wissels": [], "toevoegingen": []}),
                                               encoding="utf-8")
        (root / ".ceo-journaal.json").symlink_to(outside / "journaal.json")
        return
    else:
        raise AssertionError(kind)
    (root / ".ceo-journaal.json").write_text(json.dumps(entry), encoding="utf-8")


@pytest.mark.parametrize("command", ["diff", "site", "process"])
@pytest.mark.parametrize("kind", ["toevoeging-absoluut", "wissel-omhoog", "klaar-absoluut", "koppeling"])
def test_planted_journal_moves_nothing(project, demo, kind, command):
    outside = project.parent.parent / "buiten"
    outside.mkdir(exist_ok=True)
    (outside / "autostart").mkdir()
    (outside / "geheim").mkdir()
    (outside / "geheim" / "sleutel.txt").write_text("geheim", encoding="utf-8")
    _plant(project, outside, kind)
    argv = {"diff": ["diff", "2025", "--project", str(project)],
            "site": ["site", "--project", str(project)],
            "process": ["process", "--project", str(project), "--date", DATE, "--revision", "opnieuw",
                        *_wmo_args(demo, 2025)]}[command]
    message = refused(project, argv, "ceo voert dit transactiejournaal niet uit en verplaatst niets",
                      outside=outside)
    assert ".ceo-journaal.json" in message and "er is niets geschreven" in message
    assert not (outside / "autostart" / "ceo.desktop").exists()


def test_journal_of_a_real_run_is_still_completed(project, demo):
    """The checks do not stop the roll forward of a genuine journal (kill at the first swap)."""
    env = {**os.environ, "CEO_TEST_HOOK": "wissel"}
    proc = subprocess.Popen([*CEO, "process", "--project", str(project), "--date", DATE, *_wmo_args(demo, 2024)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    for line in proc.stderr:
        if "ceo-test-hook wissel" in line:
            break
    proc.kill()
    proc.wait()
    proc.stderr.close()
    assert (project / ".ceo-journaal.json").exists()
    out = run(["diff", "2025", "--project", str(project)])
    assert out.returncode == 0, out.stderr
    assert not (project / ".ceo-journaal.json").exists()
    assert (project / "uitvoer" / "2024" / "wmo.csv").is_file() and (project / "site" / "2024").is_dir()


# --------------------------------------------------------------------------- symbolic links

def test_lock_file_link_is_not_followed(project):
    victim = project.parent / "slachtoffer.txt"
    victim.write_text("belangrijk\n", encoding="utf-8")
    (project / ".ceo-lock").symlink_to(victim)
    refused(project, ["site", "--project", str(project)], ".ceo-lock is een symbolische koppeling",
            outside=victim.parent)
    assert victim.read_text(encoding="utf-8") == "belangrijk\n"


def test_mkdocs_temporary_file_link_is_not_followed(project):
    """'ceo site' rewrites mkdocs.yml when site_url in ceo.yaml changed; its temporary file is a planted link."""
    victim = project.parent / "slachtoffer.txt"
    victim.write_text("belangrijk\n", encoding="utf-8")
    config = project / "ceo.yaml"
    config.write_text(re.sub(r"(?m)^site_url: .*$", 'site_url: "https://ander.example.nl/"',
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    (project / ".mkdocs.yml.ceo-tmp").symlink_to(victim)
    refused(project, ["site", "--project", str(project)], ".mkdocs.yml.ceo-tmp is een symbolische koppeling",
            outside=victim.parent)
    assert victim.read_text(encoding="utf-8") == "belangrijk\n"
    # and without the link the temporary file is written and renamed as before
    (project / ".mkdocs.yml.ceo-tmp").unlink()
    proc = run(["site", "--project", str(project)])
    assert proc.returncode == 0, proc.stderr
    assert "https://ander.example.nl/" in (project / "mkdocs.yml").read_text(encoding="utf-8")


def test_duiding_linked_to_a_system_file_is_not_published(project):
    secret = project.parent / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    duiding = next((project / "duiding" / "2025").glob("*.md"))
    duiding.unlink()
    duiding.symlink_to(secret)
    refused(project, ["site", "--project", str(project)], f"{duiding} is een symbolische koppeling")
    assert not any("root:x:0:0" in p.read_text(encoding="utf-8", errors="replace")
                   for p in (project / "site").rglob("*.md"))


@pytest.mark.parametrize("command", ["site", "diff"])
def test_edition_directory_link_breaks_nothing(project, command):
    """site/2025 as a link to a copy elsewhere: writing through it would change a tree outside the
    all-or-nothing commit (and outside the project); reading through it reads outside the project."""
    elsewhere = project.parent / "elders"
    elsewhere.mkdir()
    shutil.move(project / "site" / "2025", elsewhere / "2025")
    (project / "site" / "2025").symlink_to(elsewhere / "2025")
    argv = ["site", "--project", str(project)] if command == "site" else ["diff", "2025", "--project", str(project)]
    refused(project, argv, "site/2025 is een symbolische koppeling", outside=elsewhere)


# --------------------------------------------------------------------------- microdata that round-trip

@pytest.fixture(scope="module")
def professionals_cr(demo, tmp_path_factory):
    """Professionals 2025 from a CSV in which the open answer of respondent 1 holds a bare carriage return
    followed by the number of respondent 5 (written unquoted, the microdata CSV gained a row for a second
    respondent 5); and the same delivery with one answer of respondent 1 changed."""
    base = tmp_path_factory.mktemp("cr")
    full = pd.read_excel(demo.deliveries(2025)["professionals"].inputs[0], dtype=str)
    full.loc[0, "organisatie"] = "Wijkteam Noord\r5"
    first, second = base / "professionals_2025.csv", base / "professionals_2025_b.csv"
    full.to_csv(first, index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")
    changed = full.copy()
    changed.loc[0, "p01"] = "1" if changed.loc[0, "p01"] != "1" else "2"
    changed.to_csv(second, index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")
    root = new_project(base / "project")
    out = CliRunner().invoke(main, ["process", "--project", str(root), "--date", DATE, "-s", "professionals",
                                    "-e", "2025", str(first)])
    assert out.exit_code == 0, out.output
    return root, full, second


def test_carriage_return_keeps_one_row_per_respondent(professionals_cr):
    root, full, _ = professionals_cr
    micro = root / "uitvoer" / "2025" / "professionals.csv"
    back = pd.read_csv(micro, dtype=str, keep_default_na=False)
    assert len(back) == len(full)
    assert back["respondent_id"].is_unique
    assert back.loc[back["respondent_id"] == "1", "organisatie"].tolist() == ["Wijkteam Noord\n5"]
    assert b"\r" not in micro.read_bytes()


def test_one_changed_answer_withdraws_the_earlier_tables(professionals_cr, tmp_path):
    """The issue: with the extra row the respondent-level check fell back to |Δn| = 0 and revisie 1 stayed
    downloadable next to revisie 2, which differs by one answer."""
    template, _, second = professionals_cr
    root = tmp_path / "project"
    shutil.copytree(template, root)
    proc = run(["process", "--project", str(root), "--date", "2026-02-01", "-s", "professionals", "-e", "2025",
                "--revision", "correctie van een antwoord", str(second)])
    assert proc.returncode == 0, proc.stderr
    assert not (root / "site" / "2025" / "data" / "revisie-1" / "professionals.csv").exists()
    assert (root / "uitvoer" / "2025" / "revisies" / "revisie-1" / "professionals.csv").exists()


def test_unmatchable_microdata_refuse_the_revision(professionals_cr, tmp_path):
    """Archived microdata with a repeated respondent number (an older ceo, or edited by hand): the revision is
    refused, not compared by the totals only."""
    template, _, second = professionals_cr
    root = tmp_path / "project"
    shutil.copytree(template, root)
    micro = root / "uitvoer" / "2025" / "professionals.csv"
    good = micro.read_bytes()
    frame = pd.read_csv(micro, dtype=str, keep_default_na=False)
    pd.concat([frame, frame.iloc[[3]]]).to_csv(micro, index=False, lineterminator="\n")
    refused(root, ["process", "--project", str(root), "--date", "2026-02-01", "-s", "professionals", "-e", "2025",
                   "--revision", "correctie", str(second)], "respondentnummer '4' komt meer dan eens voor")
    micro.write_bytes(good + b'"onaf')  # damaged
    refused(root, ["process", "--project", str(root), "--date", "2026-02-01", "-s", "professionals", "-e", "2025",
                   "--revision", "correctie", str(second)], "de microdata van deze revisie zijn beschadigd")
    micro.unlink()  # no microdata of revisie 1 at all
    refused(root, ["process", "--project", str(root), "--date", "2026-02-01", "-s", "professionals", "-e", "2025",
                   "--revision", "correctie", str(second)], "de microdata van deze revisie ontbreken")


def test_verify_csv_catches_a_row_that_does_not_round_trip(tmp_path):
    from ceo.core.problems import InputError
    from ceo.output.exports import _to_csv, normalise_controls, verify_csv

    frame = pd.DataFrame({"respondent_id": ["1", "2"], "open": ["a\rb", "c\x0bd\u2028e"], "w": [0.1 + 0.2, None]})
    _to_csv(frame, tmp_path / "ruw.csv")
    with pytest.raises(InputError, match="3 rijen in plaats van 2"):
        verify_csv(frame, tmp_path / "ruw.csv")
    clean = normalise_controls(frame)
    assert clean["open"].tolist() == ["a\nb", "c d e"]
    _to_csv(clean, tmp_path / "schoon.csv")
    verify_csv(clean, tmp_path / "schoon.csv")


# --------------------------------------------------------------------------- a failed roll forward

def test_failed_roll_forward_says_what_state_the_trees_are_in(project, demo, monkeypatch):
    """Killed between the two swaps (site/ new, uitvoer/ old); the next command cannot complete the swap
    (a read-only disk): it must not say "er is niets gewijzigd" but which tree is at which revision."""
    from ceo.output import publish

    env = {**os.environ, "CEO_TEST_HOOK": "wissel"}
    proc = subprocess.Popen([*CEO, "process", "--project", str(project), "--date", DATE, *_wmo_args(demo, 2024)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    for line in proc.stderr:
        if "ceo-test-hook wissel" in line:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    before = state(project)
    assert ".ceo-journaal.json" in before["top"]

    def read_only(a, b):
        raise OSError(errno.EROFS, "Read-only file system", str(b))

    monkeypatch.setattr(publish, "_exchange", read_only)
    for argv in (["diff", "2025"], ["site"]):
        out = CliRunner().invoke(main, [*argv, "--project", str(project)])
        assert out.exit_code == 2, out.output
        assert "niets gewijzigd" not in out.output, out.output
        assert "site/ is bijgewerkt (nieuwe stand)" in out.output, out.output
        assert "uitvoer/ heeft nog de oude stand" in out.output, out.output
        assert "publiceer site/ nu niet" in out.output, out.output
        assert "Traceback" not in out.output and "Interne fout" not in out.output
        after = state(project)
        after["top"].pop(".ceo-lock", None), before["top"].pop(".ceo-lock", None)  # the killed run's lock
        assert after == before
    monkeypatch.undo()
    out = CliRunner().invoke(main, ["diff", "2025", "--project", str(project)])
    assert out.exit_code == 0, out.output
    assert not (project / ".ceo-journaal.json").exists()
    assert (project / "uitvoer" / "2024").is_dir()


# --------------------------------------------------------------------------- a build during a run

def _revisions_built(site: Path) -> set[str]:
    """The revision markers of the built 2025 pages (factsheets and verantwoording) and data."""
    found = set()
    for page in (site / "2025").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        found |= {f"pagina: revisie {m}" for m in re.findall(r"revisie (\d+), verwerkt op", text)}
        found |= {f"verantwoording: revisie {m}" for m in re.findall(r"\(revisie\s+(\d+)\)", text)}
    meta = json.loads((site / "2025" / "data" / "wmo.json").read_text(encoding="utf-8"))
    found.add(f"data: revisie {meta['revisie']}")
    return found


def test_build_during_a_run_sees_one_revision(project, demo, tmp_path):
    """'ceo bouw' holds the site while mkdocs reads it; a revision that finishes meanwhile waits with its swap
    until the build is done, so the built site is revisie 1 throughout; the next build is revisie 2."""
    go = tmp_path / "verder"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CEO_TEST_HOOK")}
    build = subprocess.Popen([*CEO, "bouw", "--project", str(project), "--site-dir", str(tmp_path / "eerste")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**env, "CEO_TEST_HOOK": "bouw", "CEO_TEST_HOOK_GO": str(go)})
    for line in build.stderr:
        if "ceo-test-hook bouw" in line:
            break
    revision = subprocess.Popen([*CEO, "process", "--project", str(project), "--date", "2026-02-01",
                                 "--revision", "herziene weging", *_wmo_args(demo, 2025)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    waited = False
    for line in revision.stderr:
        if "wachten tot 'ceo bouw' klaar is" in line:
            waited = True
            break
    assert waited, "the run did not wait for the build"
    meta = json.loads((project / "site" / "2025" / "data" / "wmo.json").read_text(encoding="utf-8"))
    assert meta["revisie"] == 1  # not swapped while the build holds the site
    go.write_text("", encoding="utf-8")
    out, err = build.communicate(timeout=600)
    assert build.returncode == 0, err
    rest = revision.stderr.read()
    assert revision.wait(timeout=600) == 0, rest
    revision.stderr.close()
    assert _revisions_built(tmp_path / "eerste") == {"pagina: revisie 1", "verantwoording: revisie 1",
                                                     "data: revisie 1"}
    again = run(["bouw", "--project", str(project), "--site-dir", str(tmp_path / "tweede")])
    assert again.returncode == 0, again.stderr
    assert _revisions_built(tmp_path / "tweede") == {"pagina: revisie 2", "verantwoording: revisie 2",
                                                     "data: revisie 2"}
