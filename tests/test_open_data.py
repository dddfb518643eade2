"""Open data that Dutch users can use: an Excel-NL CSV next to every machine-readable CSV, a data dictionary of
every column of every published file (page, CSV and workbook sheet), an explanation sheet in the workbook, the
page 'Gegevens' that links every published file, and the licence (CC BY 4.0 unless ceo.yaml says otherwise)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from ceo.cli import main
from ceo.output.opendata import (
    DECIMALS,
    DICTIONARY_NAME,
    EXCEL_NL,
    _round_half_away,
    describe_column,
    excel_nl_frame,
    excel_nl_name,
)

NEWEST = 2025


def _published_csvs(data: Path) -> list[Path]:
    """The machine-readable CSVs of an edition (not their Excel-NL variants, not the dictionary)."""
    return sorted(p for p in data.glob("*.csv") if not p.stem.endswith(EXCEL_NL) and p.name != DICTIONARY_NAME)


def _editions(root: Path) -> list[Path]:
    return sorted(p for p in (root / "site").glob("20*/data") if p.is_dir())


def test_round_half_away_from_zero():
    values = np.array([72.5, 72.4999, -72.5, 0.125, 2.675, 1e-9, np.nan])
    assert _round_half_away(values, 0)[:4].tolist() == [73.0, 72.0, -73.0, 0.0]
    assert _round_half_away(values, 2)[3] == 0.13  # 0.125 is exact in binary: up
    assert _round_half_away(values, 2)[4] == 2.68  # 2.675 is stored as 2.67499999...: the decimal text decides
    assert np.isnan(_round_half_away(values, 1)[6])


def test_excel_nl_frame_rounds_and_keeps_whole_numbers_whole():
    frame = pd.DataFrame({"waarde": [72.5, 7.349], "n": [12.0, 30.0], "p_regio": [6.05573677878773e-05, 0.5],
                          "tekst": ["=SOM(A1)", "a;b"]})
    out = excel_nl_frame(frame)
    assert out["waarde"].tolist() == [72.5, 7.35]
    assert str(out["n"].dtype) == "Int64"
    assert out["p_regio"].tolist() == [0.0001, 0.5]


def test_excel_nl_csv_opens_in_dutch_excel_as_the_machine_csv(published_demo: Path):
    """Parsed as Dutch Excel does (';', decimal comma, UTF-8 with BOM), every Excel-NL CSV holds the same
    rows, columns and texts as the machine CSV, and its numbers are those numbers rounded."""
    checked = 0
    for data in _editions(published_demo):
        for csv in _published_csvs(data):
            nl = data / excel_nl_name(csv.name)
            raw = nl.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf"), nl
            first = raw[3:].split(b"\r\n", 1)[0].decode("utf-8")
            assert ";" in first and "," not in first, nl
            machine = pd.read_csv(csv, keep_default_na=False, na_values=[""], dtype=str)
            dutch = pd.read_csv(nl, sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False,
                                na_values=[""], dtype=str)
            assert list(dutch.columns) == list(machine.columns), nl
            assert len(dutch) == len(machine), nl
            for column in machine.columns:
                m, d = machine[column], dutch[column]
                numbers = pd.to_numeric(m, errors="coerce")
                if numbers.notna().sum() == m.notna().sum() and m.notna().any() and column not in (
                        "gebied_code", "categorie", "subgroep_waarde", "definitie"):
                    dn = pd.to_numeric(d.str.replace(",", ".", regex=False), errors="coerce")
                    assert (dn.isna() == numbers.isna()).all(), (nl, column)
                    assert not d.dropna().str.contains(r"\.", regex=True).any(), (nl, column)  # decimal comma
                    decimals = DECIMALS.get(column, 3)
                    ok = numbers.notna()
                    assert np.allclose(dn[ok], numbers[ok], rtol=0, atol=0.5 * 10.0 ** -decimals + 1e-12), \
                        (nl, column)
                    assert d.dropna().str.len().max() <= m.dropna().str.len().max() + 1, (nl, column)
                else:  # text (a leading ' only where a spreadsheet would see a formula)
                    assert (d.fillna("").str.removeprefix("'") == m.fillna("").str.removeprefix("'")).all(), \
                        (nl, column)
            checked += 1
    assert checked >= 3 * 4  # three editions, several files each


def test_no_figure_has_17_digits_in_the_excel_nl_csv(published_demo: Path):
    data = published_demo / "site" / str(NEWEST) / "data"
    text = (data / "wmo_excel-nl.csv").read_text(encoding="utf-8-sig")
    assert not re.search(r"\d,\d{5,}", text)
    assert re.search(r";\d+,\d{1,2};", text)  # decimal commas are there


def test_data_dictionary_explains_every_column_of_every_published_file(published_demo: Path):
    for data in _editions(published_demo):
        kolommen = pd.read_csv(data / DICTIONARY_NAME, keep_default_na=False)
        assert list(kolommen.columns) == ["bestand", "kolom", "betekenis", "eenheid"]
        listed = set(zip(kolommen["bestand"], kolommen["kolom"], strict=True))
        files = _published_csvs(data)
        assert {f.name for f in files} >= {"wmo.csv", "wmo_weging.csv", "jeugd.csv", "professionals.csv"}
        for csv in files:
            for name in (csv.name, excel_nl_name(csv.name)):
                columns = pd.read_csv(data / name, nrows=0, sep=None, engine="python", encoding="utf-8-sig").columns
                for column in columns:
                    assert (name, column) in listed, (data, name, column)
                    assert describe_column(name, column) is not None, (name, column)
        assert "(geen beschrijving)" not in set(kolommen["betekenis"])
        assert (kolommen["betekenis"].str.len() > 10).all()


def test_results_carry_the_question_text(published_demo: Path):
    data = published_demo / "site" / str(NEWEST) / "data"
    table = pd.read_csv(data / "wmo.csv", keep_default_na=False)
    assert (table["vraagtekst"].str.len() > 5).all()
    assert "Ik werd snel geholpen." in set(table.loc[table["indicator"] == "v02", "vraagtekst"])


def test_workbook_has_explanation_questions_and_columns(published_demo: Path):
    data = published_demo / "site" / str(NEWEST) / "data"
    book = pd.ExcelFile(data / f"ceo_{NEWEST}.xlsx")
    assert book.sheet_names[0] == "toelichting"
    assert book.sheet_names[-2:] == ["vragen", "kolommen"]
    assert {"wmo", "jeugd", "professionals"} <= set(book.sheet_names)
    explanation = dict(pd.read_excel(book, "toelichting").itertuples(index=False, name=None))
    assert explanation["Licentie"].startswith("CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/deed.nl)")
    for key in ("Weggelaten cijfers", "Indicatief", "Codes", "Bronvermelding"):
        assert len(explanation[key]) > 20
    questions = pd.read_excel(book, "vragen", keep_default_na=False)
    results = pd.read_csv(data / "wmo.csv", keep_default_na=False)
    wmo = questions[questions["onderzoek"] == "wmo"].set_index("indicator")["vraagtekst"]
    for indicator, text in results.drop_duplicates("indicator")[["indicator", "vraagtekst"]].itertuples(
            index=False, name=None):
        assert wmo[indicator] == text
    columns = pd.read_excel(book, "kolommen", keep_default_na=False)
    sheet_columns = pd.read_excel(book, "wmo", nrows=0).columns
    assert set(columns.loc[columns["bestand"] == "wmo", "kolom"]) == set(sheet_columns)
    assert "(geen beschrijving)" not in set(columns["betekenis"])


def test_the_data_page_links_every_published_file(published_demo: Path):
    public = published_demo / "public"
    for data in _editions(published_demo):
        year = data.parent.name
        html = (public / year / "gegevens" / "index.html").read_text(encoding="utf-8")
        hrefs = set(re.findall(r'href="\.\./data/([^"/]+)"', html))
        on_disk = {p.name for p in data.iterdir() if p.is_file()}
        assert on_disk <= hrefs, on_disk - hrefs
        for name in hrefs:
            assert (public / year / "data" / name).is_file(), name
        assert "CC BY 4.0" in html and "creativecommons.org/licenses/by/4.0/deed.nl" in html
        assert "<h1 id=\"gegevens-editie-" in html or f"Gegevens editie {year}" in html
        assert "(geen beschrijving)" not in html
        verantwoording = (public / year / "verantwoording" / "index.html").read_text(encoding="utf-8")
        assert 'href="../gegevens/"' in verantwoording


def test_colofon_states_the_licence(published_demo: Path):
    html = (published_demo / "public" / "colofon" / "index.html").read_text(encoding="utf-8")
    assert "CC BY 4.0" in html and "https://creativecommons.org/licenses/by/4.0/deed.nl" in html
    assert "vrij worden gebruikt met bronvermelding" not in html


def test_another_licence_reaches_footer_data_page_and_workbook(published_demo: Path, tmp_path: Path):
    root = tmp_path / "project"
    shutil.copytree(published_demo, root, ignore=shutil.ignore_patterns("public"))
    config = root / "ceo.yaml"
    config.write_text(re.sub(r"(?m)^licentie:.*$", "licentie: CC0 1.0", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["site", "--project", str(root)])
    assert result.exit_code == 0, result.output
    site = root / "site"
    assert "[CC0 1.0](https://creativecommons.org/publicdomain/zero/1.0/deed.nl)" in \
        (site / str(NEWEST) / "gegevens.md").read_text(encoding="utf-8")
    assert "CC0 1.0" in (site / "assets" / "theme" / "partials" / "copyright.html").read_text(encoding="utf-8")
    book = pd.ExcelFile(site / str(NEWEST) / "data" / f"ceo_{NEWEST}.xlsx")
    explanation = dict(pd.read_excel(book, "toelichting").itertuples(index=False, name=None))
    assert explanation["Licentie"].startswith("CC0 1.0")


@pytest.mark.parametrize("name", ["wmo.csv", "wmo_weging.csv", "wmo_toetsen.csv", "wmo_respons.csv",
                                  "wmo_excel-nl.csv", "wmo_wijzigingen_revisie-2.csv"])
def test_known_files_have_their_columns_described(name: str):
    assert describe_column(name, "gebied_code" if "weging" not in name else "gemeentecode") is not None
    if "wijzigingen" in name:
        assert describe_column(name, "waarde_oud")[0].endswith("(vorige revisie)")
