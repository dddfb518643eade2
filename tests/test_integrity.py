"""Run integrity: one run at a time, a full or read-only disk, revisions that cannot betray a respondent,
and odd inputs (a FIFO, a file name that is not UTF-8, a broken pipe, a killed parent of the .sav reader).

Every refusal ends with exit 2, a Dutch message and ``site/``, ``uitvoer/`` and ``duiding/`` byte for byte
as they were (nothing added to the project either).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from demo_project import new_project

from ceo.cli import main

CEO = [sys.executable, "-m", "ceo"]
DATE = "2026-01-15"


def tree(root: Path) -> dict[str, str]:
    """Relative path → sha256 (files) or "dir" of everything below ``root`` (the lock file excepted)."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): ("dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(root.rglob("*"))}


def state(root: Path) -> dict:
    return {sub: tree(root / sub) for sub in ("site", "uitvoer", "duiding")} | {
        "top": sorted(p.name for p in root.iterdir())}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from ceo.demo import write_demo_files

    base = tmp_path_factory.mktemp("integriteit")
    return write_demo_files(base / "invoer")


@pytest.fixture(scope="module")
def published(demo, tmp_path_factory) -> Path:
    """A project in which Wmo 2025 (demo delivery) has been published."""
    root = new_project(tmp_path_factory.mktemp("gepubliceerd") / "project")
    d = demo.deliveries(2025)["wmo"]
    out = CliRunner().invoke(main, ["process", "--project", str(root), "--date", DATE, "-s", "wmo", "-e", "2025",
                                    "--mapping", str(d.mapping), "--population", str(d.population),
                                    *map(str, d.inputs)])
    assert out.exit_code == 0, out.output
    return root


def _wmo_args(demo, edition: int) -> list[str]:
    d = demo.deliveries(edition)["wmo"]
    return ["-s", "wmo", "-e", str(edition), "--mapping", str(d.mapping), "--population", str(d.population),
            *map(str, d.inputs)]


# --------------------------------------------------------------------------- one run at a time

def test_two_first_publications_at_once(demo, tmp_path):
    """Two first publications of one edition started 0.3 s apart: one publishes, the other is refused
    (exit 2) with a message naming the running one; it does not silently become 'revisie 2'."""
    root = new_project(tmp_path / "project")
    argv = [*CEO, "process", "--project", str(root), "--date", DATE, *_wmo_args(demo, 2024)]
    first = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    second = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [(p.wait(timeout=300), *p.communicate(), p.pid) for p in (first, second)]
    codes = sorted(r[0] for r in results)
    assert codes == [0, 2], results
    refused = next(r for r in results if r[0] == 2)
    running = next(r for r in results if r[0] == 0)  # normally the first; under load it may be the second
    assert "loopt al een verwerking van ceo" in refused[2], refused[2]
    assert f"proces {running[3]}, gestart op " in refused[2] and ": ceo process --project" in refused[2], \
        refused[2]
    assert "Traceback" not in refused[2] and "Interne fout" not in refused[2]
    meta = (root / "site" / "2024" / "data" / "wmo.json").read_text(encoding="utf-8")
    assert '"revisie": 1' in meta and '"revisie": 2' not in meta
    assert not (root / ".ceo-lock").exists()


def test_revision_rule_is_checked_under_the_lock(published, tmp_path, demo):
    """The second of two runs that both saw 'not yet published' would become revisie 2: with the lock
    taken before anything is read, a run that waits its turn sees the first publication."""
    root = tmp_path / "project"
    shutil.copytree(published, root)
    out = CliRunner().invoke(main, ["process", "--project", str(root), "--date", DATE, *_wmo_args(demo, 2025)])
    assert out.exit_code == 2 and "is al gepubliceerd" in out.output


# --------------------------------------------------------------------------- full or read-only disk

@contextlib.contextmanager
def small_filesystem(path: Path, size: int):
    """A tmpfs of ``size`` bytes at ``path`` (root only); yields False when mounting is not permitted."""
    path.mkdir(parents=True)
    try:
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, text=True)
    except OSError:  # no mount command
        proc = None
    if proc is None or proc.returncode != 0:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _used(root: Path) -> int:
    """Bytes a tree takes on a tmpfs: whole pages per file (tmpfs charges no blocks for a directory, so
    counting them would make the estimate of the space a run needs too high, not a lower bound)."""
    return sum(-(-p.stat().st_size // 4096) * 4096 for p in root.rglob("*") if p.is_file())


def _check_refusal(stderr: str, code: int, before: dict, root: Path, expected: str) -> None:
    assert code == 2, stderr
    assert expected in stderr, stderr
    assert "er is niets gewijzigd" in stderr, stderr
    assert "Traceback" not in stderr and "Interne fout" not in stderr, stderr
    assert state(root) == before, "site/, uitvoer/ or duiding/ changed, or something was left behind"


@pytest.fixture(scope="module")
def space_needed(published, demo, tmp_path_factory) -> int:
    """A lower bound of the free space a revision needs: staging copies of site/ and uitvoer/ next to
    the old ones, plus what the run adds."""
    root = tmp_path_factory.mktemp("ruimte") / "project"
    shutil.copytree(published, root)
    out = CliRunner().invoke(main, ["process", "--project", str(root), "--date", DATE, "--revision", "opnieuw",
                                    *_wmo_args(demo, 2025)])
    assert out.exit_code == 0, out.output
    return _used(published / "site") + _used(published / "uitvoer") + max(0, _used(root) - _used(published))


@pytest.mark.parametrize("free", [0.3, 0.6, 0.8, 0.97])
def test_full_disk_changes_nothing(published, demo, tmp_path, free, space_needed, monkeypatch):
    """ENOSPC while the new state is prepared, on a tmpfs with ``free`` × the space the run needs: the
    disk runs out while site/ is copied into staging, while uitvoer/ and the microdata are written,
    and while the new tables and pages are written. A Dutch message, exit 2, the old site/, uitvoer/
    and duiding/ intact and the staging directories gone."""
    mount = tmp_path / "klein"
    size = _used(published) + int(free * space_needed)
    with small_filesystem(mount, size) as mounted:
        root = mount / "project" if mounted else tmp_path / "project"
        shutil.copytree(published, root)
        before = state(root)
        argv = ["process", "--project", str(root), "--date", DATE, "--revision", "opnieuw",
                *_wmo_args(demo, 2025)]
        if mounted:
            proc = subprocess.run([*CEO, *argv], capture_output=True, text=True, timeout=300)
            code, stderr = proc.returncode, proc.stderr
        else:  # no mount permitted (not root): the same failure, simulated in the write path
            from ceo import pipeline

            real = pipeline.write_microdata

            def full(out_stage, *args, **kwargs):
                real(out_stage, *args, **kwargs)
                raise OSError(errno.ENOSPC, "No space left on device", str(out_stage / "2025" / "wmo.sav"))

            monkeypatch.setattr(pipeline, "write_microdata", full)
            out = CliRunner().invoke(main, argv)
            code, stderr = out.exit_code, out.output
        _check_refusal(stderr, code, before, root, "de schijf is vol; er is niets gewijzigd")
        print(f"\n{'tmpfs' if mounted else 'gesimuleerd'}: {stderr.strip().splitlines()[-1]}")


def test_read_only_project_changes_nothing(published, demo, tmp_path, monkeypatch):
    mount = tmp_path / "ro"
    with small_filesystem(mount, _used(published) + 50_000_000) as mounted:
        root = mount / "project" if mounted else tmp_path / "project"
        shutil.copytree(published, root)
        before = state(root)
        argv = ["process", "--project", str(root), "--date", DATE, "--revision", "opnieuw", *_wmo_args(demo, 2025)]
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
            proc = subprocess.run([*CEO, *argv], capture_output=True, text=True, timeout=300)
            code, stderr = proc.returncode, proc.stderr
        else:
            import tempfile

            def read_only(*args, **kwargs):
                raise OSError(errno.EROFS, "Read-only file system", str(root))

            monkeypatch.setattr(tempfile, "mkdtemp", read_only)
            out = CliRunner().invoke(main, argv)
            code, stderr = out.exit_code, out.output
        _check_refusal(stderr, code, before, root, "alleen-lezen schijf; er is niets gewijzigd")


# --------------------------------------------------------------------------- revisions

KEY = ["gebied_code", "indicator", "subgroep", "subgroep_waarde", "categorie"]


def _published_tables(site: Path) -> dict[str, pd.DataFrame]:
    """Every published CSV with figures (results tables, archived revisions, lists of changes)."""
    out = {}
    for p in sorted(site.rglob("*.csv")):
        if p.name.endswith("_excel-nl.csv"):  # the same table for Dutch Excel (; and decimal commas)
            t = pd.read_csv(p, dtype=str, keep_default_na=False, sep=";", encoding="utf-8-sig")
        else:
            t = pd.read_csv(p, dtype=str, keep_default_na=False)
        if set(KEY) <= set(t.columns):
            out[p.relative_to(site).as_posix()] = t
    return out


def _values(table: pd.DataFrame) -> pd.DataFrame:
    """Key, n and the published value of every cell (a list of changes gives its old and new values)."""
    frames = []
    for col in ("waarde", "waarde_oud", "waarde_nieuw"):
        if col in table:
            f = table[KEY].copy()
            f["waarde"] = pd.to_numeric(table[col], errors="coerce")
            f["n"] = pd.to_numeric(table["n"], errors="coerce") if "n" in table else float("nan")
            frames.append(f[f["waarde"].notna()])
    return pd.concat(frames, ignore_index=True)


def _disclosing_pairs(tables: dict[str, pd.DataFrame], threshold: int = 10) -> list[str]:
    """Pairs of published tables in which one cell has two different values whose n differ by fewer
    than ``threshold`` (or where the n is not shown): the difference recomputes a few answers."""
    bad = []
    names = sorted(tables)
    vals = {n: _values(tables[n]) for n in names}
    for i, a in enumerate(names):
        for b in names[i:]:
            m = vals[a].merge(vals[b], on=KEY, suffixes=("_a", "_b"))
            diff = (m["waarde_a"] - m["waarde_b"]).abs() > 1e-9
            dn = (m["n_a"] - m["n_b"]).abs()
            small = diff & ~(dn >= threshold)  # unknown n (a list of changes) counts as small
            if small.any():
                bad.append(f"{a} × {b}: {int(small.sum())} cellen")
    return bad


@pytest.fixture(scope="module")
def professionals(demo, tmp_path_factory):
    """A project with Professionals 2025 published from a CSV, and the same delivery without its first
    respondent (who withdrew consent)."""
    base = tmp_path_factory.mktemp("professionals")
    full = pd.read_excel(demo.deliveries(2025)["professionals"].inputs[0], dtype=str)
    all_csv, minus_csv = base / "professionals_2025.csv", base / "professionals_2025_zonder.csv"
    full.to_csv(all_csv, index=False)
    full.iloc[1:].to_csv(minus_csv, index=False)
    root = new_project(base / "project")
    out = CliRunner().invoke(main, ["process", "--project", str(root), "--date", DATE, "-s", "professionals",
                                    "-e", "2025", str(all_csv)])
    assert out.exit_code == 0, out.output
    return root, all_csv, minus_csv


@pytest.mark.parametrize("option", ["--revision", "--intrekken"])
def test_removing_one_respondent_discloses_nothing(professionals, tmp_path, option):
    """Issue 16: removing one professional used to leave revisie 1 downloadable next to revisie 2, and
    their difference gave that person's answers. Now no pair of published tables lets anyone do that;
    revisie 1 stays only in uitvoer/, the version history says why, and 'ceo diff' still works."""
    template, _all_csv, minus_csv = professionals
    root = tmp_path / "project"
    shutil.copytree(template, root)
    before = _published_tables(root / "site")
    old_table = (root / "site" / "2025" / "data" / "professionals.csv").read_bytes()
    proc = subprocess.run([*CEO, "process", "--project", str(root), "--date", "2026-02-01", "-s", "professionals",
                           "-e", "2025", option, "respondent heeft toestemming ingetrokken", str(minus_csv)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    after = _published_tables(root / "site")
    # the two revisions really differ by one person in cells that are published in both
    pair = {"voor/" + k: v for k, v in before.items()} | {"na/" + k: v for k, v in after.items()
                                                        if k == "2025/data/professionals.csv"}
    assert _disclosing_pairs({k: v for k, v in pair.items() if k.endswith("2025/data/professionals.csv")}), \
        "the test does not reproduce the disclosure"
    # ... but no pair of tables on the site after the revision allows the subtraction
    assert not _disclosing_pairs(after), _disclosing_pairs(after)
    assert not any(p.read_bytes() == old_table for p in (root / "site").rglob("*.csv"))
    assert not list((root / "site").rglob("*wijzigingen*"))
    # kept for the researcher, with a note
    private = root / "uitvoer" / "2025" / "revisies"
    assert (private / "revisie-1" / "professionals.csv").read_bytes() == old_table
    assert "revisie 1" in (private / "LEESMIJ.txt").read_text(encoding="utf-8")
    meta = (root / "site" / "2025" / "data" / "professionals.json").read_text(encoding="utf-8")
    assert '"ingetrokken"' in meta
    page = (root / "site" / "2025" / "verantwoording.md").read_text(encoding="utf-8")
    assert ("ingetrokken op 2026-02-01" if option == "--intrekken" else "van de site gehaald op 2026-02-01") in page
    diff = CliRunner().invoke(main, ["diff", "2025", "--project", str(root), "-s", "professionals"])
    assert diff.exit_code == 0 and "revisie 1 → 2" in diff.output, diff.output


def test_revision_without_disclosure_keeps_the_earlier_tables(professionals, tmp_path):
    """The same respondents processed again (Δn = 0 in every cell): revisie 1 may stay downloadable;
    with --intrekken it is withdrawn all the same."""
    template, all_csv, _ = professionals
    for option, kept in (("--revision", True), ("--intrekken", False)):
        root = tmp_path / option.strip("-")
        shutil.copytree(template, root)
        out = CliRunner().invoke(main, ["process", "--project", str(root), "--date", "2026-02-01", "-s",
                                        "professionals", "-e", "2025", option, "opnieuw verwerkt", str(all_csv)])
        assert out.exit_code == 0, out.output
        archived = root / "site" / "2025" / "data" / "revisie-1" / "professionals.csv"
        assert archived.exists() == kept, option
        assert (root / "site" / "2025" / "data" / "professionals_wijzigingen_revisie-2.csv").exists() == kept
        page = (root / "site" / "2025" / "verantwoording.md").read_text(encoding="utf-8")
        assert ('href="../data/revisie-1/professionals.csv"' in page) == kept
        assert ("ingetrokken op 2026-02-01: opnieuw verwerkt" in page) != kept


def test_delta_n_from_microdata_and_from_the_tables():
    """Δn per cell: respondents whose record differs (microdata), else |n_new − n_old|."""
    from ceo.output.revisions import disclosure_pairs
    from ceo.validate.codebook import get_codebook

    cb = get_codebook("professionals")
    ind = cb.indicators[0]
    rows = []
    for code, n_old, n_new in (("GM0505", 40, 39), ("GM0482", 40, 52), ("GM0590", 40, 40)):
        rows.append((code, n_old, n_new))
    old = pd.DataFrame({"gebied_code": [r[0] for r in rows], "indicator": ind.id, "subgroep": "",
                        "subgroep_waarde": "", "categorie": "", "n": [r[1] for r in rows], "waarde": 50.0,
                        "onderdrukt": "nee"})
    new = old.assign(n=[r[2] for r in rows], waarde=51.0)
    bad = disclosure_pairs(old, new, cb, [], 10)
    assert bad["gebied_code"].tolist() == ["GM0505"]
    # microdata: in GM0590 five people changed their answer (n unchanged): Δn = 5 < 10
    ids = [str(i) for i in range(40)]
    m_old = pd.DataFrame({"respondent_id": ids, "gemeentecode": "GM0590", ind.variable: 1.0})
    m_new = m_old.copy()
    m_new.loc[:4, ind.variable] = 2.0
    bad = disclosure_pairs(old[old.gebied_code == "GM0590"], new[new.gebied_code == "GM0590"], cb, [], 10,
                           m_old, m_new)
    assert bad["delta_n"].tolist() == [5]
    m_new.loc[:11, ind.variable] = 2.0  # twelve changed: the difference is an aggregate of 12 people
    assert disclosure_pairs(old[old.gebied_code == "GM0590"], new[new.gebied_code == "GM0590"], cb, [], 10,
                            m_old, m_new).empty


# --------------------------------------------------------------------------- odd inputs

def _refused(root: Path, argv: list[str], expected: str, **kwargs) -> None:
    before = state(root)
    proc = subprocess.run([*CEO, *argv], capture_output=True, timeout=300, **kwargs)  # (a hang runs forever)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, stderr
    assert expected in stderr, stderr
    assert "Traceback" not in stderr and "Interne fout" not in stderr, stderr
    assert stderr.rstrip().endswith("er is niets geschreven."), stderr
    assert state(root) == before


def test_fifo_as_input_is_refused_without_hanging(published, demo, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(published, root)
    fifo = tmp_path / "wmo_2026.csv"
    os.mkfifo(fifo)
    d = demo.deliveries(2025)["wmo"]
    _refused(root, ["process", "--project", str(root), "-s", "wmo", "-e", "2026", str(fifo)],
             "wmo_2026.csv: dit is geen gewoon bestand")
    _refused(root, ["process", "--project", str(root), "-s", "wmo", "-e", "2026", "--mapping", str(d.mapping),
                    "--population", str(fifo), *map(str, d.inputs)], "wmo_2026.csv: dit is geen gewoon bestand")


def test_file_name_that_is_not_utf8(published, demo, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(published, root)
    d = demo.deliveries(2025)["wmo"]
    latin1 = os.fsdecode(bytes(tmp_path) + b"/wmo_gem\xe9ente.sav")
    shutil.copy(d.inputs[0], latin1)
    _refused(root, ["process", "--project", str(root), "-s", "wmo", "-e", "2026", "--mapping", str(d.mapping),
                    latin1], "wmo_gem\\xe9ente.sav: de bestandsnaam is geen geldige UTF-8-tekst")


def test_diff_into_a_closed_pipe_is_silent(professionals, tmp_path):
    """'ceo diff 2025 | head': the reader stops early; ceo ends with exit 0 and says nothing."""
    template, _, minus_csv = professionals
    root = tmp_path / "project"
    shutil.copytree(template, root)
    out = CliRunner().invoke(main, ["process", "--project", str(root), "--date", "2026-02-01", "-s",
                                    "professionals", "-e", "2025", "--revision", "correctie", str(minus_csv)])
    assert out.exit_code == 0, out.output
    read, write = os.pipe()
    os.close(read)  # the reader is gone before ceo writes anything
    proc = subprocess.run([*CEO, "diff", "2025", "--project", str(root)], stdout=write, stderr=subprocess.PIPE,
                          timeout=300)
    os.close(write)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    shell = subprocess.run(f"{sys.executable} -m ceo diff 2025 --project '{root}' | head -n 1", shell=True,
                           capture_output=True, text=True, timeout=300)
    assert shell.returncode == 0 and shell.stderr == "" and shell.stdout.count("\n") == 1


def test_sav_reader_child_dies_with_its_parent(demo, tmp_path):
    """The .sav reader runs in a forked child; when ceo is killed the child goes too (PR_SET_PDEATHSIG),
    so no process keeps ceo's pipes or project lock open."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the reader child exists on Linux only")
    script = tmp_path / "slow.py"
    script.write_text(
        "import sys, time\n"
        "from ceo.io import readers\n"
        "def slow(path):\n"
        "    print('kind', flush=True)\n"
        "    time.sleep(3600)\n"
        "readers._pyreadstat_read = slow\n"
        "readers.read_table(sys.argv[1])\n", encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script), str(demo.deliveries(2025)["wmo"].inputs[0])],
                              stdout=subprocess.PIPE, text=True)
    assert parent.stdout.readline().strip() == "kind"
    children = [int(p) for p in Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()]
    assert children
    parent.kill()
    parent.wait()

    def outlived(why: str) -> AssertionError:
        for pid in children:  # end a surviving child (it is still running our script), then fail
            with contextlib.suppress(OSError):
                if str(script) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                    os.kill(pid, signal.SIGKILL)
        return AssertionError(f"reader child outlived its parent: {why}")

    # the pipe closes: every process holding its write end (the child too) is gone. A surviving child
    # sleeps for an hour, so a generous limit (a loaded machine is slow) still tells the two apart.
    readable, _, _ = select.select([parent.stdout], [], [], 180)
    if not readable:
        raise outlived("the pipe stays open")
    assert parent.stdout.read() == ""
    def running(pid: int) -> bool:  # neither gone nor a zombie
        try:
            return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 60
    for pid in children:
        while running(pid):
            if time.monotonic() > deadline:
                raise outlived(f"process {pid} still runs")
            time.sleep(0.05)
