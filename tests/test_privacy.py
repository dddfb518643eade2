"""Privacy: no respondent-level data reaches the site; small cells are suppressed everywhere.

The demo is processed and built once; then every file of ``site/`` (the sources) and of the built
site is scanned.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from demo_project import build_site, new_project, run_demo

from ceo.cli import main
from ceo.validate.project import load_project

ID_COLUMNS = {"respondent_id", "bronrij", "bronbestand", "gewicht", "leeftijd", "organisatie", "bsn"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = new_project(tmp_path_factory.mktemp("privacy") / "project")
    run_demo(root, "--date", "2026-01-15")
    build_site(root)
    return root


def _text_files(root: Path):
    for p in sorted(root.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                for name in z.namelist():
                    yield f"{p}!{name}", z.read(name).decode("utf-8", "replace")
        elif p.suffix in (".md", ".html", ".csv", ".json", ".js", ".txt", ".xml", ".css"):
            yield str(p), p.read_text(encoding="utf-8", errors="replace")


def _microdata(root: Path) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str) for p in sorted((root / "uitvoer").glob("*/*.csv"))]
    assert frames, "no microdata written"
    return pd.concat(frames, ignore_index=True)


def test_no_respondent_ids_or_open_answers_on_the_site(demo):
    micro = _microdata(demo)
    ids = {i for i in micro["respondent_id"].dropna() if len(i) >= 5}
    assert len(ids) > 1000  # the scan below means something only with real, distinctive ids
    answers = {a for a in micro.get("organisatie", pd.Series(dtype=str)).dropna() if len(a) >= 6}
    assert answers, "the demo has open answers (organisatie) to look for"
    token = re.compile(r"(?<![\d.,])\d{5,}(?!\d|[.,]\d)")  # whole integers, not digits of a decimal
    for root in (demo / "site", demo / "public"):
        scanned = 0
        for name, text in _text_files(root):
            scanned += 1
            leaked = ids.intersection(token.findall(text))
            assert not leaked, f"respondent ids {sorted(leaked)[:5]} in {name}"
            for a in answers:
                assert a not in text, f"open answer {a!r} in {name}"
        assert scanned > 50


def read_published_csv(p: Path, **kw) -> pd.DataFrame:
    """A published CSV as a table: the Excel-NL variant (``*_excel-nl.csv``) has ``;`` and decimal commas."""
    if p.name.endswith("_excel-nl.csv"):
        return pd.read_csv(p, sep=";", decimal=",", encoding="utf-8-sig", **kw)
    return pd.read_csv(p, **kw)


def _tables(root: Path):
    for p in sorted(root.rglob("*.csv")):
        yield str(p), read_published_csv(p, keep_default_na=False, na_values=[""])
    for p in sorted(root.rglob("*.xlsx")):
        sheets = pd.read_excel(io.BytesIO(p.read_bytes()), sheet_name=None, keep_default_na=False, na_values=[""])
        for sheet, frame in sheets.items():
            yield f"{p}!{sheet}", frame


def test_every_downloadable_table_is_an_aggregate(demo):
    project = load_project(demo)
    min_n = project.thresholds.min_n
    seen = 0
    for root in (demo / "site", demo / "public"):
        for name, frame in _tables(root):
            seen += 1
            cols = {str(c).strip().lower() for c in frame.columns}
            assert not cols & ID_COLUMNS - {"gewicht"}, f"identifier column in {name}"
            if {"onderdrukt", "n", "waarde"} <= cols:
                published = frame[frame["onderdrukt"] == "nee"]
                assert (published["n"] >= min_n).all(), f"published cell with n < {min_n} in {name}"
                suppressed = frame[frame["onderdrukt"] == "ja"]
                value_cols = [c for c in ("waarde", "se", "ondergrens", "bovengrens", "n_eff", "waarde_rest_regio",
                                          "waarde_vorige", "verschil_vorige", "verschil_regio") if c in frame]
                assert suppressed[value_cols].isna().all().all(), f"suppressed value shown in {name}"
                assert len(suppressed) > 0  # the demo has small cells: the check is not vacuous
            elif "n" in cols:
                # other aggregate tables (weighting summary, tests): one row per area or group
                assert (pd.to_numeric(frame["n"], errors="coerce").fillna(2) != 1).all(), (
                    f"a row for a single respondent in {name}")
    assert seen >= 10


def _numbers(obj) -> list[float]:
    if isinstance(obj, bool):
        return []
    if isinstance(obj, int | float):
        return [float(obj)]
    if isinstance(obj, list):
        return [x for v in obj for x in _numbers(v)]
    return []


def test_chart_data_holds_only_published_figures(demo):
    """Every number in the data of every chart equals a published figure (or a CI half-width) of
    some results table: a suppressed estimate can never hide in a chart."""
    allowed: set[float] = set()
    for csv in sorted((demo / "site").glob("20*/data/*.csv")):
        t = read_published_csv(csv, keep_default_na=False, na_values=[""])
        if "waarde" not in t or "onderdrukt" not in t:
            continue
        t = t[t["onderdrukt"] == "nee"]  # values are in the unit shown (percentages as 0–100)
        for c in ("waarde", "ondergrens", "bovengrens", "waarde_rest_regio", "waarde_vorige", "waarde_benchmark",
                  "ondergrens_rest_regio", "bovengrens_rest_regio"):
            if c in t:
                allowed.update(round(float(v), 6) for v in t[c].dropna())
        for a, b in (("bovengrens", "waarde"), ("waarde", "ondergrens"),
                     ("bovengrens_rest_regio", "waarde_rest_regio"), ("waarde_rest_regio", "ondergrens_rest_regio")):
            if a in t and b in t:
                allowed.update(round(float(v), 6) for v in (t[a] - t[b]).dropna())
        # the rapportcijfer in ordered classes (9–10, 1–5): the sum of published marks, and only when every mark
        # of the class that the table holds is published (a class never contains a suppressed mark)
        if "categorie" in t:
            everything = read_published_csv(csv, keep_default_na=False, na_values=[""])
            marks = everything[everything["categorie"].astype(str).isin([str(k) for k in range(1, 11)])]
            key = ["editie", "gebied_code", "indicator", "subgroep", "subgroep_waarde"]
            for codes in ((9, 10), (1, 2, 3, 4, 5)):
                cls = marks[marks["categorie"].astype(str).isin([str(k) for k in codes])]
                for _, group in cls.groupby([c for c in key if c in cls], dropna=False):
                    if (group["onderdrukt"] == "nee").all():
                        allowed.add(round(float(group["waarde"].astype(float).sum()), 6))
    chart = re.compile(r'<script type="application/vnd\.ceo-chart\+json">(.*?)</script>', re.S)
    checked = 0
    for page in sorted((demo / "site").glob("20*/**/*.md")):
        for blob in chart.findall(page.read_text(encoding="utf-8")):
            spec = json.loads(blob.replace("<\\/", "</"))
            for trace in spec["data"]:
                for key in ("x", "y"):
                    values = trace.get(key, [])
                    if trace.get("orientation") == "h" and key == "y" or (
                            trace.get("type") == "scatter" and key == "x"):
                        continue  # category labels / edition years
                    for v in _numbers(values):
                        checked += 1
                        assert round(v, 6) in allowed, f"{page.name}: chart value {v} is not a published figure"
                for key in ("array", "arrayminus"):
                    for v in _numbers(trace.get("error_x", {}).get(key, []) + trace.get("error_y", {}).get(key, [])):
                        checked += 1
                        assert round(v, 6) in allowed, f"{page.name}: error bar {v} is not a published figure"
    assert checked > 1000


def test_site_sets_no_cookies_and_loads_nothing_external(demo):
    """Resources (scripts, styles, images, fonts, frames) only from the site itself; plain links
    (``<a href>``) to other sites are fine: they load nothing until clicked. The browser test checks
    the requests themselves."""
    remote = r"""["']?(?:https?:)?//(?!127\.0\.0\.1|localhost)"""
    external = re.compile(r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc\s*=\s*" + remote
                          # <link rel="canonical"> names the page's own address (site_url): never fetched
                          + r"|<link\b(?![^>]*\brel\s*=\s*[\"']?canonical)[^>]*\bhref\s*=\s*" + remote
                          + r"|url\(\s*" + remote + r"|@import\s+" + remote,
                          re.I)
    checked = 0
    for name, text in _text_files(demo / "public"):
        if name.endswith((".html", ".css")):
            checked += 1
            assert not external.search(text), f"external resource in {name}: {external.search(text)}"
            assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
        if name.endswith(".js") and "assets/ceo.js" in name:
            assert "document.cookie" not in text
    assert checked > 40
    assert external.search('<link rel="stylesheet" href="https://cdn.example.org/x.css">')  # the check can fail
    assert external.search('<link href="https://cdn.example.org/x.css" rel="stylesheet">')
    assert not external.search('<link rel="canonical" href="https://cijfers.example.nl/2025/">')


def test_identifier_columns_are_refused_unless_ignored(tmp_path):
    root = new_project(tmp_path / "p")
    rows = ["respondent_id,gemeentecode,bsn," + ",".join(f"v{i:02d}" for i in range(1, 11))]
    bsns = ["111222333", "123456782", "231002879", "100000009"]
    for i in range(40):
        answers = [str(1 + (i + k) % 5) if k != 4 else str(1 + i % 2) for k in range(10)]  # v05 is ja/nee
        rows.append(f"{1000 + i},GM0505,{bsns[i % 4]}," + ",".join(answers))
    data = tmp_path / "wmo.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    runner = CliRunner()
    args = ["process", "--project", str(root), "-s", "wmo", "-e", "2025", "--date", "2026-01-15"]
    refused = runner.invoke(main, [*args, str(data)])
    assert refused.exit_code == 2
    assert "kolom 'bsn'" in refused.output and "identificerend" in refused.output
    assert not (root / "uitvoer").exists() and not (root / "site" / "2025").exists()
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("onderzoek: wmo\nnegeren: [bsn]\n", encoding="utf-8")
    ok = runner.invoke(main, [*args, "--mapping", str(mapping), str(data)])
    assert ok.exit_code == 0, ok.output
    for p in (root / "uitvoer").rglob("*.csv"):
        assert "bsn" not in p.read_text(encoding="utf-8").splitlines()[0].split(",")
    for _name, text in _text_files(root / "site"):
        assert not any(b in text for b in bsns)
