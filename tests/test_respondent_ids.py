"""Respondent numbers are read as the text of the file: '007' and '7' are two respondents, '+7', '7.0'
and '1e3' stay as typed, and a 17-digit number is not rounded — in the reader, and through
``ceo process`` up to the microdata in uitvoer/."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from demo_project import new_project

from ceo.cli import main
from ceo.io.readers import read_table
from ceo.pipeline import id_columns
from ceo.validate.codebook import get_codebook
from ceo.validate.mapping import Mapping

ROOT = Path(__file__).resolve().parent.parent
DELIVERY = ROOT / "tests" / "data" / "bad" / "lange_respondentnummers" / "wmo_2025.csv"
IDS = ["007", "7", "+7", "7.0", "1e3", "1000", "12345678901234567", "12345678901234568"]
#: without a leading zero or a 16+-digit number, either of which alone used to keep the column as text
NUMBER_LIKE = ["7", "+7", "7.0", "1e3", "1000", "70"]


def _delivery(path: Path, ids: list[str], id_column: str = "respondent_id") -> Path:
    """The 32 respondents of a real test delivery, with the given respondent numbers in front."""
    lines = DELIVERY.read_text(encoding="utf-8").splitlines()
    header = lines[0].replace("respondent_id", id_column, 1)
    rows = [";".join([ids[k] if k < len(ids) else str(5000 + k), *line.split(";")[1:]])
            for k, line in enumerate(lines[1:])]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_id_columns_keep_the_text_of_the_file(tmp_path):
    path = tmp_path / "wmo.csv"
    path.write_text("respondent_id;v01;v02\n7;1;1,5\n+7;2;2\n 7.0 ;3;\n1e3;4;8\n;5;1\n", encoding="utf-8")
    raw = read_table(path, text_columns=["Respondent_ID"])
    assert raw.data["respondent_id"].tolist()[:4] == ["7", "+7", "7.0", "1e3"]
    assert pd.isna(raw.data["respondent_id"].iat[4])
    assert raw.data["v01"].dtype == float and raw.data["v02"].tolist()[:2] == [1.5, 2.0]
    # without text_columns the reader still takes such a column for numbers (other callers)
    assert read_table(path).data["respondent_id"].tolist()[:4] == [7.0, 7.0, 7.0, 1000.0]


def test_excel_text_cells_stay_text_and_number_cells_are_numbers_without_dot_zero(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["respondent_id", "v01"])
    for value in ["007", "7", 8, 9.0, 9.5, "12345678901234567"]:
        wb.active.append([value, 1])
    path = tmp_path / "wmo.xlsx"
    wb.save(path)
    raw = read_table(path, text_columns=["respondent_id"])
    assert raw.data["respondent_id"].tolist() == ["007", "7", "8", "9", "9.5", "12345678901234567"]
    assert raw.data["v01"].dtype == float


def test_spss_numeric_ids_become_their_text(tmp_path):
    import pyreadstat

    path = tmp_path / "wmo.sav"
    pyreadstat.write_sav(pd.DataFrame({"respondent_id": [7.0, 123456789.0, 2.5], "v01": [1.0, 2.0, 3.0]}), str(path))
    raw = read_table(path, text_columns=["respondent_id"])
    assert raw.data["respondent_id"].tolist() == ["7", "123456789", "2.5"]
    assert raw.data["v01"].dtype == float


def test_the_id_column_comes_from_the_codebook_or_the_mapping():
    wmo = get_codebook("wmo")
    assert id_columns(wmo) == ["respondent_id"]
    # (one mapping serves several files: a file may also have the column under its own name)
    assert id_columns(wmo, Mapping(survey="wmo", variables={"RESPNR": "respondent_id"})) == ["RESPNR",
                                                                                            "respondent_id"]
    # a delivered column named respondent_id that the mapping uses for something else is not an id
    assert id_columns(wmo, Mapping(survey="wmo", variables={"respondent_id": "v01", "nr": "respondent_id"})) == ["nr"]


def _process(project: Path, delivery: Path, *extra: str):
    return CliRunner().invoke(main, ["process", "--project", str(project), "--date", "2025-06-01", "--survey", "wmo",
                                     "--edition", "2025", *extra, str(delivery)])


@pytest.mark.parametrize("ids", [IDS, NUMBER_LIKE])
def test_ids_reach_the_microdata_exactly_through_ceo_process(tmp_path, ids):
    project = new_project(tmp_path / "project")
    result = _process(project, _delivery(tmp_path / "wmo_2025.csv", ids))
    assert result.exit_code == 0, result.output
    assert "dubbel" not in result.output
    micro = pd.read_csv(project / "uitvoer" / "2025" / "wmo.csv", dtype=str, keep_default_na=False)
    assert micro["respondent_id"].tolist()[:len(ids)] == ids
    assert micro["respondent_id"].is_unique
    import pyreadstat

    spss, _ = pyreadstat.read_sav(str(project / "uitvoer" / "2025" / "wmo.sav"))
    assert spss["respondent_id"].tolist()[:len(ids)] == ids


def test_ids_under_another_name_through_a_mapping(tmp_path):
    project = new_project(tmp_path / "project")
    mapping = tmp_path / "mapping_wmo.yaml"
    mapping.write_text("onderzoek: wmo\nvariabelen:\n  RESPNR: respondent_id\n", encoding="utf-8")
    result = _process(project, _delivery(tmp_path / "wmo_2025.csv", IDS, "RESPNR"), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    micro = pd.read_csv(project / "uitvoer" / "2025" / "wmo.csv", dtype=str, keep_default_na=False)
    assert micro["respondent_id"].tolist()[:len(IDS)] == IDS


def test_a_real_duplicate_is_still_reported_with_the_typed_value(tmp_path):
    project = new_project(tmp_path / "project")
    result = _process(project, _delivery(tmp_path / "wmo_2025.csv", ["007", "7", "007"]))
    assert result.exit_code == 2
    assert ("wmo_2025.csv, rij 4, kolom 'respondent_id': waarde '007': respondentnummer komt dubbel voor "
            "(ook in rij 2)") in result.output
    assert not (project / "uitvoer").exists() or not any((project / "uitvoer").rglob("wmo.csv"))
