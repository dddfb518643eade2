"""Reproducible: same input, configuration and ceo version → byte-identical site sources, results
tables and microdata; ``ceo diff`` shows what changed between revisions."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner
from demo_project import new_project, run_demo, tree_digest

from ceo.cli import main


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("repro")
    a = new_project(base / "a" / "project")
    b = new_project(base / "elders" / "b")
    run_demo(a, "--date", "2026-01-15")
    epoch = int(datetime(2026, 1, 15, 13, 30, tzinfo=UTC).timestamp())
    run_demo(b, env={"SOURCE_DATE_EPOCH": str(epoch)})
    return a, b


def test_same_input_gives_identical_bytes(two_runs):
    a, b = two_runs
    for sub in ("site", "uitvoer", "duiding"):
        da, db = tree_digest(a / sub), tree_digest(b / sub)
        assert da, f"{sub} is empty"
        assert da.keys() == db.keys(), f"different files in {sub}"
        differ = [k for k in da if da[k] != db[k]]
        assert not differ, f"files differ between two runs: {differ[:5]}"
    kinds = {Path(k).suffix for k in tree_digest(a / "site")} | {Path(k).suffix for k in tree_digest(a / "uitvoer")}
    assert {".md", ".csv", ".json", ".xlsx", ".sav", ".log", ".html", ".js"} <= kinds


def test_outputs_do_not_depend_on_where_the_project_is(two_runs):
    a, _ = two_runs
    for root in (a / "site", a / "uitvoer"):
        for p in root.rglob("*"):
            if p.is_file() and p.suffix in (".md", ".csv", ".json", ".log", ".html"):
                text = p.read_text(encoding="utf-8")
                assert str(a) not in text and str(a.parent) not in text, f"absolute path in {p}"


def test_processing_date_is_the_fixed_date(two_runs):
    a, _ = two_runs
    log = (a / "uitvoer" / "2025" / "log" / "wmo.log").read_text(encoding="utf-8")
    assert "verwerkt op 2026-01-15" in log
    _, meta = pyreadstat.read_sav(a / "uitvoer" / "2025" / "wmo.sav", metadataonly=True)
    head = (a / "uitvoer" / "2025" / "wmo.sav").read_bytes()[92:109]
    assert head == b"15 Jan 2600:00:00"
    assert meta.number_rows > 100
    page = (a / "site" / "2025" / "gemeente" / "dordrecht.md").read_text(encoding="utf-8")
    assert "15 januari 2026" in page


def test_diff_lists_the_changed_figures(two_runs, tmp_path):
    a, _ = two_runs
    root = tmp_path / "project"
    shutil.copytree(a, root)
    demo = root / "invoer" / "demo"
    sav = demo / "2025" / "wmo_2025.sav"
    args = ["process", "--project", str(root), "-s", "wmo", "-e", "2025", "--date", "2026-02-01",
            "--mapping", str(demo / "mapping_wmo.yaml"), "--population", str(demo / "2025" / "populatie_wmo_2025.csv")]
    runner = CliRunner()
    # the same delivery again: a revision in which nothing changed
    same = runner.invoke(main, [*args, "--revision", "opnieuw verwerkt", str(sav)])
    assert same.exit_code == 0, same.output
    out = runner.invoke(main, ["diff", "2025", "--survey", "wmo", "--project", str(root)])
    assert out.exit_code == 0
    assert "revisie 1 → 2 (opnieuw verwerkt): 0 cijfers gewijzigd" in out.output
    # a corrected delivery: the last 40 respondents of Dordrecht were entered twice and are removed
    frame, meta = pyreadstat.read_sav(sav, user_missing=True)
    gm = [c for c in frame.columns if frame[c].astype(str).str.contains("505").any()][0]
    dordrecht = frame.index[frame[gm].astype(str).str.contains("505")]
    fixed = frame.drop(dordrecht[-40:])
    corrected = tmp_path / "wmo_2025_gecorrigeerd.sav"
    pyreadstat.write_sav(fixed, corrected, column_labels=meta.column_names_to_labels,
                         variable_value_labels=meta.variable_value_labels,
                         missing_ranges=meta.missing_ranges or None)
    rev = runner.invoke(main, [*args, "--revision", "dubbele respondenten verwijderd", str(corrected)])
    assert rev.exit_code == 0, rev.output
    out = runner.invoke(main, ["diff", "2025", "--project", str(root)])
    assert out.exit_code == 0
    lines = out.output.splitlines()
    head = next(line for line in lines if line.startswith("CEO Wmo 2025"))
    assert "revisie 2 → 3 (dubbele respondenten verwijderd)" in head
    n_changed = int(head.split(": ")[-1].split()[0])
    assert n_changed > 10
    assert any(line.strip().startswith("Dordrecht · ") for line in lines)
    assert "CEO Jeugd 2025: revisie 1, er is nog geen eerdere revisie." in lines
    # 40 respondents of one gemeente removed: in subgroup cells of Dordrecht fewer than onthulling_n
    # respondents differ, so the earlier revisions leave the site (issue 16) and stay in uitvoer/
    data = root / "site" / "2025" / "data"
    assert not (data / "revisie-2").exists() and not (data / "revisie-1").exists()
    assert not list(data.glob("wmo_wijzigingen_*"))
    private = root / "uitvoer" / "2025" / "revisies"
    changes = pd.read_csv(private / "wmo_wijzigingen_revisie-3.csv")
    assert len(changes) == n_changed
    old = pd.read_csv(private / "revisie-2" / "wmo.csv")
    assert len(old) > 100  # kept for the researcher and for ceo diff
