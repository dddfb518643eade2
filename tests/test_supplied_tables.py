"""Population and benchmark files are read by the same reader as the fieldwork files
(:func:`ceo.io.readers.read_table`): the same encodings (UTF-16, Windows-1252), delimiters, decimal
comma, title rows and Excel, with their own checks and Dutch messages naming file, row, column and the
value as it was typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceo.core.problems import InputError
from ceo.stats.benchmark import read_benchmark
from ceo.stats.weighting import read_population
from ceo.validate.codebook import get_codebook

POPULATION = ("gemeentecode;geslacht;aantal\r\n"
              "GM0505;1;40\r\n"
              "GM0505;2;60\r\n"
              "Súdwest-Fryslân;1;7\r\n")


def _messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_population_in_utf16_is_read(tmp_path):
    wmo = get_codebook("wmo")
    for encoding in ("utf-16", "utf-16-le"):  # with a byte order mark, and without one
        pop = read_population(_write(tmp_path, f"populatie_{encoding}.csv", POPULATION, encoding), wmo)
        assert pop.dimensions == ("geslacht",)
        assert pop.totals.to_dict() == {"GM0505": 100.0, "GM1900": 7.0}


def test_population_with_a_title_line_is_read_and_rows_are_those_of_the_file(tmp_path):
    wmo = get_codebook("wmo")
    text = "Populatie Wmo-cliënten 1 januari 2025\r\n\r\n" + POPULATION + "GM0505;1;3\r\n"
    with pytest.raises(InputError) as exc:
        read_population(_write(tmp_path, "populatie.csv", text), wmo)
    # the title is line 1, an empty line 2, the header line 3: the doubled cell is on line 7
    assert _messages(exc) == [
        "populatie.csv, rij 7, kolom 'gemeentecode': waarde 'GM0505': cel GM0505 (Dordrecht) × geslacht 1 (man) "
        "komt dubbel voor (ook in rij 4)"]
    pop = read_population(_write(tmp_path, "populatie.csv", "Populatie 2025\n" + POPULATION), wmo)
    assert pop.totals.to_dict() == {"GM0505": 100.0, "GM1900": 7.0}
    assert pop.source_rows == {"GM0505": [3, 4], "GM1900": [5]}


def test_population_with_semicolons_and_decimal_commas_keeps_the_typed_values(tmp_path):
    wmo = get_codebook("wmo")
    text = "gemeentecode;aantal\nGM0505;1200,0\n0642;80\n"
    pop = read_population(_write(tmp_path, "populatie.csv", text, "cp1252"), wmo)
    assert pop.totals.to_dict() == {"GM0505": 1200.0, "GM0642": 80.0}
    text = "gemeentecode;aantal\nGM0505;12,5\n0642;1.200\nGM0344;0,0\n"
    with pytest.raises(InputError) as exc:
        read_population(_write(tmp_path, "populatie.csv", text), wmo)
    assert _messages(exc) == [
        "populatie.csv, rij 2, kolom 'aantal': waarde '12,5': aantal moet een geheel getal van 0 of meer zijn "
        "(zonder scheidingsteken voor duizendtallen)",
        "populatie.csv, rij 3, kolom 'aantal': waarde '1.200': aantal moet een geheel getal van 0 of meer zijn "
        "(zonder scheidingsteken voor duizendtallen)"]


def test_population_problems_of_the_file_itself_are_located_by_the_reader(tmp_path):
    wmo = get_codebook("wmo")
    with pytest.raises(InputError) as exc:
        read_population(_write(tmp_path, "populatie.csv", "gemeentecode,aantal\nGM0505,10\nGM0642,5,3\n"), wmo)
    assert _messages(exc) == ["populatie.csv, rij 3: waarde 'GM0642,5,3': deze rij heeft 3 velden, de kop heeft 2"]
    png = tmp_path / "populatie.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError) as exc:
        read_population(png, wmo)
    assert _messages(exc) == ["populatie.csv: onbekend of verkeerd bestandstype; verwacht SPSS (.sav), CSV of "
                              "Excel (.xlsx)"]


def test_population_as_excel_with_number_cells(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Populatie 2025"])
    ws.append(["gemeentecode", "geslacht", "aantal"])
    ws.append([505, 1, 40])
    ws.append(["GM0505", 2, 60.0])
    ws.append(["Zwijndrecht", 1, 12.5])
    path = tmp_path / "populatie.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as exc:
        read_population(path, get_codebook("wmo"))
    assert _messages(exc) == [
        "populatie.xlsx, rij 5, kolom 'aantal': waarde '12.5': aantal moet een geheel getal van 0 of meer zijn "
        "(zonder scheidingsteken voor duizendtallen)"]
    ws["C5"] = 12
    wb.save(path)
    pop = read_population(path, get_codebook("wmo"))
    assert pop.totals.to_dict() == {"GM0505": 100.0, "GM0642": 12.0}


def test_benchmark_in_windows_1252_with_a_title_line(tmp_path):
    wmo = get_codebook("wmo")
    text = ("Benchmark cliëntervaringsonderzoek – landelijk\r\n"
            "indicator;waarde;n;naam\r\n"
            "v01;81,2;1200;Nederland – alle gemeenten\r\n"
            "rapportcijfer;7,6;;Nederland – alle gemeenten\r\n")
    path = _write(tmp_path, "benchmark.csv", text, "cp1252")
    bm = read_benchmark(path, wmo)
    assert bm.name == "Nederland – alle gemeenten"
    assert bm.table.set_index("indicator")["waarde"].to_dict() == {"v01": 81.2, "rapportcijfer": 7.6}
    path = _write(tmp_path, "benchmark.csv", text.replace("81,2", "81,2,5"), "cp1252")
    with pytest.raises(InputError) as exc:
        read_benchmark(path, wmo)
    assert _messages(exc) == ["benchmark.csv, rij 3, kolom 'waarde': waarde '81,2,5': geen getal"]


def test_benchmark_in_utf16(tmp_path):
    path = _write(tmp_path, "benchmark.csv", "indicator,waarde,naam\nv01,81.2,Nederland\n", "utf-16")
    bm = read_benchmark(path, get_codebook("wmo"))
    assert bm.name == "Nederland" and bm.table["waarde"].tolist() == [81.2]
