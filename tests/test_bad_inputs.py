"""The corpus of broken deliveries in ``tests/data/bad/``: every case through ``ceo process``.

A case is a directory with the delivered files and a ``case.yaml``:

* ``args``: the arguments of ``ceo process`` (without ``--project`` and ``--date``); an argument
  that names a file of the case is replaced by its path;
* ``exit``: 2 (unusable input) or 0 (readable after all);
* ``stderr`` (exit 2): the last lines on stderr, exactly: one line per problem (or a summary line
  for a long run of the same problem) and the closing "N problemen gevonden; er is niets
  geschreven." line;
* ``respondents`` and ``log`` (exit 0): respondents per gemeente in the microdata and the notices the
  log must contain; ``all_suppressed: true`` when no figure of the edition may be published.

An optional ``project/`` directory is copied over the project first (e.g. a project's own codebook
in ``project/surveys/``). Every case runs in a copy of one project in which Wmo 2024 has been
published; a failing case must leave ``site/`` and ``uitvoer/`` byte for byte as they were and add
nothing anywhere in the project. Adding a case needs no code.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from ceo.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "data" / "bad"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())
DATE = "2025-06-01"
LAST_LINE = "er is niets geschreven."


def load_case(name: str) -> dict:
    return yaml.safe_load((CORPUS / name / "case.yaml").read_text(encoding="utf-8"))


def case_files(name: str) -> list[str]:
    """Names of the delivered files of a case (everything but case.yaml and project/)."""
    return sorted(p.name for p in (CORPUS / name).iterdir() if p.is_file() and p.name != "case.yaml")


def tree(root: Path) -> dict[str, str]:
    """Relative path → sha256 (files) or "dir" (directories) of everything below ``root``."""
    if not root.exists():
        return {}
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def written_texts(project: Path, before: dict[str, str]) -> dict[str, str]:
    """The text of every file below ``site/`` and ``uitvoer/`` that is new or changed since ``before``
    (zip members such as the sheets of an .xlsx unpacked; binary files as Latin-1)."""
    import zipfile

    out: dict[str, str] = {}
    for top in ("site", "uitvoer"):
        for p in sorted((project / top).rglob("*")):
            rel = p.relative_to(project).as_posix()
            if not p.is_file() or before.get(rel) == hashlib.sha256(p.read_bytes()).hexdigest():
                continue
            data = p.read_bytes()
            if zipfile.is_zipfile(p):
                with zipfile.ZipFile(p) as z:
                    data = b"".join(z.read(n) for n in z.namelist())
            out[rel] = data.decode("utf-8", "replace") + "\n" + data.decode("latin-1")
    return out


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Path:
    """A project in which a real edition (Wmo 2024, the demo delivery with mapping and population)
    has been published, so that site/ and uitvoer/ have content."""
    from ceo.demo import write_demo_files

    base = tmp_path_factory.mktemp("published")
    root = base / "project"
    root.mkdir()
    shutil.copy(ROOT / "ceo.yaml", root / "ceo.yaml")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "site").mkdir()
    for page in (ROOT / "site").glob("*.md"):
        shutil.copy(page, root / "site" / page.name)
    demo = write_demo_files(base / "demo").deliveries(2024)["wmo"]
    result = CliRunner().invoke(main, [
        "process", "--project", str(root), "--date", "2025-01-15", "--survey", "wmo", "--edition", "2024",
        "--mapping", str(demo.mapping), "--population", str(demo.population), *map(str, demo.inputs)])
    assert result.exit_code == 0, result.output
    assert any((root / "site" / "2024").rglob("*.csv")) and any((root / "uitvoer" / "2024").rglob("*"))
    return root


def prepare(name: str, published: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    """A copy of the published project with the case's overlay, and the arguments of ``ceo process``."""
    project = tmp_path / "project"
    shutil.copytree(published, project)
    if (CORPUS / name / "project").is_dir():
        shutil.copytree(CORPUS / name / "project", project, dirs_exist_ok=True)
    delivered = tmp_path / "levering"
    delivered.mkdir()
    for f in case_files(name):
        shutil.copy(CORPUS / name / f, delivered / f)
    args = [str(delivered / a) if a in case_files(name) else str(a) for a in load_case(name)["args"]]
    return project, ["process", "--project", str(project), "--date", DATE, *args]


# --------------------------------------------------------------------------- the corpus itself

def test_the_corpus_is_large_and_small():
    cases = {name: load_case(name) for name in CASES}
    failing = [n for n, c in cases.items() if c["exit"] == 2]
    assert len(failing) >= 20, failing
    assert all(c["exit"] in (0, 2) for c in cases.values())
    for name in CASES:
        for p in (CORPUS / name).rglob("*"):
            assert not p.is_file() or p.stat().st_size < 50_000, p


@pytest.mark.parametrize("name", CASES)
def test_case_file_is_complete(name):
    case = load_case(name)
    assert case["description"].strip()
    files = case_files(name)
    assert any(a in files for a in case["args"]), "the case names none of its files"
    if case["exit"] == 2:
        *problems, last = case["stderr"]
        assert problems and last.endswith(LAST_LINE)
        # every line names the file it is about (an input file or a file of the project overlay)
        named = files + [p.relative_to(CORPUS / name / "project").as_posix()
                         for p in (CORPUS / name / "project").rglob("*") if p.is_file()]
        for line in problems:
            assert line.startswith(tuple(f"{n}:" for n in named) + tuple(f"{n}," for n in named)), line
    else:
        assert case["respondents"] and "stderr" not in case


# --------------------------------------------------------------------------- every case

@pytest.mark.parametrize("name", CASES)
def test_case(name, published, tmp_path):
    case = load_case(name)
    project, argv = prepare(name, published, tmp_path)
    before_site, before_out = tree(project / "site"), tree(project / "uitvoer")
    before_all = tree(project)
    before_root = sorted(p.name for p in project.iterdir())

    result = CliRunner().invoke(main, argv)

    assert "Traceback" not in result.output and "Interne fout" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == case["exit"], result.output
    # nothing left behind next to the outputs (no staging directories)
    assert sorted(p.name for p in project.iterdir()) == before_root
    if case["exit"] == 2:
        lines = result.stderr.splitlines()
        expected = case["stderr"]
        assert lines[-len(expected):] == expected, "\n".join(lines)
        assert tree(project / "site") == before_site
        assert tree(project / "uitvoer") == before_out
        assert tree(project) == before_all
        assert result.stdout == ""
    else:
        survey = case.get("microdata", "wmo")
        micro = pd.read_csv(project / "uitvoer" / "2025" / f"{survey}.csv", dtype={"gemeentecode": str})
        assert micro["gemeentecode"].value_counts().to_dict() == case["respondents"]
        log = {line.strip() for line in (project / "uitvoer" / "2025" / "log" / f"{survey}.log")
               .read_text(encoding="utf-8").splitlines()}
        # planted texts that no file ceo wrote may contain (also inside .xlsx and .sav), and texts the
        # microdata must keep
        leaks = [(rel, t) for rel, text in written_texts(project, before_all).items()
                 for t in case.get("absent", []) if t in text]
        assert not leaks, leaks
        kept = micro.astype(str).to_csv(index=False)
        assert all(t in kept for t in case.get("kept", [])), case.get("kept")
        missing = [n for n in case.get("log", []) if n not in log]
        assert not missing, missing
        # the earlier edition is still there
        assert (project / "site" / "2024" / "data" / "wmo.csv").read_bytes() == \
            (published / "site" / "2024" / "data" / "wmo.csv").read_bytes()
        if case.get("all_suppressed"):
            table = pd.read_csv(project / "site" / "2025" / "data" / "wmo.csv", dtype=str, keep_default_na=False)
            assert len(table) and (table["onderdrukt"] == "ja").all()


# --------------------------------------------------------------------------- as a user runs it

@pytest.mark.parametrize("name", ["sav_afgekapt", "csv_nul_bytes", "vragenlijst_kapot"])
def test_case_in_a_real_process(name, published, tmp_path):
    case = load_case(name)
    project, argv = prepare(name, published, tmp_path)
    before = tree(project)
    env = {k: v for k, v in os.environ.items() if k != "CEO_DEBUG"}
    proc = subprocess.run([sys.executable, "-m", "ceo", *argv], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.splitlines()[-len(case["stderr"]):] == case["stderr"]
    assert tree(project) == before
