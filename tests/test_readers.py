from __future__ import annotations

import math
import os
import signal
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from ceo.core.problems import InputError
from ceo.io.readers import RawTable, read_table

WRONG_TYPE = "onbekend of verkeerd bestandstype; verwacht SPSS (.sav), CSV of Excel (.xlsx)"


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        read_table(path)
    return [str(p) for p in exc.value.problems]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------- SPSS

def write_sav(path: Path) -> Path:
    df = pd.DataFrame({
        "RESPNR": [1.0, 2.0, 3.0, 4.0],
        "V1": [1.0, 9.0, 3.0, np.nan],
        "V2": [1.0, 98.0, 99.0, 2.0],
        "V3": [1.0, -5.0, 2.0, 3.0],
        "OPEN": ["goed", "", "x" * 300, "  matig "],
    })
    pyreadstat.write_sav(
        df, str(path),
        column_labels={"RESPNR": "Respondentnummer", "V1": "Ik werd snel geholpen."},
        variable_value_labels={"V1": {1: "helemaal mee eens", 3: "neutraal", 9: "geen antwoord"}},
        missing_ranges={"V1": [9], "V2": [{"lo": 98, "hi": 99}], "V3": [{"lo": -1e300, "hi": -1}]},
    )
    return path


def test_sav_values_labels_and_user_missing(tmp_path):
    raw = read_table(write_sav(tmp_path / "wmo.sav"))
    assert raw.kind == "sav"
    assert list(raw.data.columns) == ["RESPNR", "V1", "V2", "V3", "OPEN"]
    assert raw.row_numbers.tolist() == [1, 2, 3, 4]
    # user-missing values come back as values, numeric
    assert raw.data["V1"].dtype == np.float64
    assert raw.data["V1"].tolist()[:3] == [1.0, 9.0, 3.0]
    assert math.isnan(raw.data["V1"][3])
    assert raw.data["V2"].tolist() == [1.0, 98.0, 99.0, 2.0]
    assert raw.variable_labels == {"RESPNR": "Respondentnummer", "V1": "Ik werd snel geholpen."}
    assert raw.value_labels == {"V1": {1.0: "helemaal mee eens", 3.0: "neutraal", 9.0: "geen antwoord"}}
    # a single value, a range, and LOWEST THRU -1 narrowed to the values that occur
    assert raw.user_missing == {"V1": [9.0], "V2": [(98.0, 99.0)], "V3": [(-5.0, -1.0)]}
    # long strings survive, text is stripped, empty text is missing
    assert raw.data["OPEN"][2] == "x" * 300
    assert raw.data["OPEN"][3] == "matig"
    assert pd.isna(raw.data["OPEN"][1])
    assert raw.notices == []


def test_sav_recognised_by_content_despite_extension(tmp_path):
    path = write_sav(tmp_path / "wmo.sav").rename(tmp_path / "wmo.csv")
    raw = read_table(path)
    assert raw.kind == "sav"
    assert raw.notices == ["wmo.csv: de naam eindigt op .csv, maar het is een SPSS-bestand; zo gelezen"]


def test_sav_without_respondents(tmp_path):
    path = tmp_path / "leeg.sav"
    pyreadstat.write_sav(pd.DataFrame({"V1": pd.Series([], dtype="float64")}), str(path))
    assert problems(path) == ["leeg.sav: het bestand bevat geen respondenten"]


def test_truncated_sav(tmp_path):
    full = write_sav(tmp_path / "heel.sav").read_bytes()
    path = tmp_path / "kapot.sav"
    path.write_bytes(full[: len(full) // 2])
    assert problems(path) == ["kapot.sav: het SPSS-bestand is beschadigd of onvolledig "
                              "(het bestand houdt te vroeg op)"]
    path.write_bytes(full[:-10])
    [message] = problems(path)
    assert message.startswith("kapot.sav: het SPSS-bestand is beschadigd of onvolledig (")


def test_sav_with_a_wrong_header(tmp_path):
    path = write(tmp_path / "nep.sav", "RESPNR,V1\n1,2\n")
    assert problems(path) == ["nep.sav: geen geldig SPSS-bestand"]


# --------------------------------------------------------------------------- CSV

def test_csv_comma_quoted_numbers_and_ids(tmp_path):
    path = write(tmp_path / "a.csv", 'respondent_id,gemeentecode,v01,open\n'
                                     '00123,GM0505,"3",Prima\n'
                                     '00124,0505, 8 ,"met, komma"\n'
                                     '00125,505,,\n')
    raw = read_table(path)
    assert raw.kind == "csv"
    assert raw.row_numbers.tolist() == [2, 3, 4]
    # leading zeros: identifiers stay text
    assert raw.data["respondent_id"].tolist() == ["00123", "00124", "00125"]
    assert raw.data["gemeentecode"].tolist() == ["GM0505", "0505", "505"]
    # codes become numbers, an empty cell is NaN
    assert raw.data["v01"].dtype == np.float64
    assert raw.data["v01"].tolist()[:2] == [3.0, 8.0]
    assert math.isnan(raw.data["v01"][2])
    assert raw.data["open"].tolist()[:2] == ["Prima", "met, komma"]
    assert pd.isna(raw.data["open"][2])
    assert raw.notices == []


def test_csv_semicolon_cp1252_decimal_comma(tmp_path):
    text = "Respnr;Gemeente;Cijfer;Toelichting\r\n1;Súdwest-Fryslân;7,5;caf\u00e9\r\n2;Dordrecht;8;n\u00e9\r\n"
    path = write(tmp_path / "b.csv", text.replace("\u00fa", "u").replace("\u00e2", "a"), "cp1252")
    raw = read_table(path)
    assert raw.data["Cijfer"].tolist() == [7.5, 8.0]
    assert raw.data["Toelichting"].tolist() == ["caf\u00e9", "n\u00e9"]
    assert raw.notices == [
        "b.csv: tekencodering Windows-1252 herkend (geen UTF-8)",
        "b.csv: scheidingsteken ';' herkend",
        "b.csv: decimaalkomma herkend (kolom Cijfer)",
    ]


def test_csv_bytes_undefined_in_cp1252_never_raise(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"id;tekst\n1;a\x81b\x9dc\n")
    raw = read_table(path)
    assert raw.data["tekst"][0] == "a\ufffdb\ufffdc"


def test_csv_utf8_bom_is_stripped(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("\ufeffrespondent_id;naam_gemeente\n1;Gorinchem\n".encode())
    raw = read_table(path)
    assert list(raw.data.columns) == ["respondent_id", "naam_gemeente"]
    assert raw.notices == ["d.csv: scheidingsteken ';' herkend"]


def test_csv_utf16_from_excel(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("id\tgemeente\n1\tC\u00e9nt\n".encode("utf-16"))
    raw = read_table(path)
    assert raw.data["gemeente"].tolist() == ["C\u00e9nt"]
    assert "unicode.txt: scheidingsteken tab herkend" in raw.notices


def test_csv_trailing_empty_columns_and_blank_lines(tmp_path):
    path = write(tmp_path / "e.csv", " id ; v01 ;;\n1;2;;\n\n;;;\n2;3;;\n")
    raw = read_table(path)
    assert list(raw.data.columns) == ["id", "v01"]
    assert raw.row_numbers.tolist() == [2, 5]
    assert raw.data["v01"].tolist() == [2.0, 3.0]
    assert raw.notices == ["e.csv: scheidingsteken ';' herkend",
                           "e.csv: 2 lege kolommen aan het eind genegeerd"]


def test_csv_header_with_both_delimiters(tmp_path):
    path = write(tmp_path / "f.csv", "id;naam, voorletters;v01\n1;a;3\n2;b;4\n")
    raw = read_table(path)
    assert list(raw.data.columns) == ["id", "naam, voorletters", "v01"]


def test_csv_title_line_above_header(tmp_path):
    path = write(tmp_path / "g.csv", "CEO Wmo 2025;;\nid;v01;v02\n1;2;3\n")
    raw = read_table(path)
    assert raw.row_numbers.tolist() == [3]
    assert "g.csv: titelregel boven de kop overgeslagen" in raw.notices


def test_csv_mixed_delimiters_report_the_row(tmp_path):
    path = write(tmp_path / "h.csv", "id;v01;v02\n1;2;3\n2,3,4\n3;4;5;6\n")
    assert problems(path) == ["h.csv, rij 3: waarde '2,3,4': deze rij is gescheiden met ',' in plaats van met ';' "
                              "zoals de kop",
                              "h.csv, rij 4: waarde '3;4;5;6': deze rij heeft 4 velden, de kop heeft 3"]


def test_csv_multiline_answer_and_unclosed_quote(tmp_path):
    raw = read_table(write(tmp_path / "m.csv", 'id,v01,open\n1,2,"eerste regel,\ntweede regel"\n2,3,kort\n'))
    assert raw.data["open"].tolist() == ["eerste regel,\ntweede regel", "kort"]
    assert raw.row_numbers.tolist() == [2, 4]
    path = write(tmp_path / "n.csv", 'id,v01,open\n1,2,"niet gesloten\n2,3,kort\n3,4,ook kort\n')
    assert problems(path) == ["n.csv, rij 2, kolom 'open': waarde 'niet gesloten': een aanhalingsteken wordt niet "
                              "gesloten; de regels 3 tot en met 4 zijn in dit veld terechtgekomen"]


def test_csv_header_problems_are_collected(tmp_path):
    path = write(tmp_path / "i.csv", "id,v01,,v01,v02\n1,2,3,4,5\n")
    assert problems(path) == ["i.csv: kolom 3 heeft geen naam",
                              "i.csv, kolom 'v01': kolom 'v01' komt meer dan eens voor"]


def test_csv_header_only(tmp_path):
    path = write(tmp_path / "j.csv", "id,v01\n\n")
    assert problems(path) == ["j.csv: het bestand bevat geen respondenten"]


def test_csv_spss_sysmis_is_empty(tmp_path):
    raw = read_table(write(tmp_path / "k.csv", "id,v01\n1,#NULL!\n2,3\n"))
    assert raw.data["v01"].isna().tolist() == [True, False]
    assert "k.csv: '#NULL!' gelezen als lege waarde" in raw.notices


# --------------------------------------------------------------------------- Excel

def test_xlsx_plain(tmp_path):
    path = tmp_path / "plain.xlsx"
    pd.DataFrame({"RESPNR": [1, 2], "V1": ["3", 4], "NAAM_GEMEENTE": ["Dordrecht", " Zwijndrecht "]}).to_excel(
        path, index=False)
    raw = read_table(path)
    assert raw.kind == "xlsx"
    assert raw.row_numbers.tolist() == [2, 3]
    assert raw.data["RESPNR"].tolist() == [1.0, 2.0]
    assert raw.data["V1"].tolist() == [3.0, 4.0]
    assert raw.data["NAAM_GEMEENTE"].tolist() == ["Dordrecht", "Zwijndrecht"]


def test_xlsx_title_row_merged_cells_and_blank_rows(tmp_path):
    path = tmp_path / "titel.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"] = "Cliëntervaringsonderzoek Wmo 2025 — Dordrecht"
    ws.merge_cells("A1:D1")
    ws.append([])
    ws.append(["RESPNR", "V1", "V2", "OPMERKING"])
    ws.append([1, 2, 3, "goed"])
    ws.append([])
    ws.append([2, 4, None, None])
    wb.create_sheet("Toelichting")
    wb.save(path)
    raw = read_table(path)
    assert list(raw.data.columns) == ["RESPNR", "V1", "V2", "OPMERKING"]
    assert raw.row_numbers.tolist() == [4, 6]
    assert raw.data["V1"].tolist() == [2.0, 4.0]
    assert raw.notices == [
        "titel.xlsx: alleen het eerste werkblad ('Data') gelezen; het bestand heeft 2 werkbladen",
        "titel.xlsx: titelregel boven de kop overgeslagen",
        "titel.xlsx: samengevoegde cellen (A1:D1) gelezen als losse cellen; alleen de eerste cel heeft "
        "de waarde",
    ]


def test_xlsx_merged_header_cell_is_reported_not_crashing(tmp_path):
    path = tmp_path / "kop.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["RESPNR", "V1", None, "V3"])
    ws.merge_cells("B1:C1")
    ws.append([1, 2, 3, 4])
    wb.save(path)
    assert problems(path) == ["kop.xlsx: kolom 3 heeft geen naam"]


def test_xlsx_header_only(tmp_path):
    path = tmp_path / "kop_alleen.xlsx"
    pd.DataFrame(columns=["RESPNR", "V1"]).to_excel(path, index=False)
    assert problems(path) == ["kop_alleen.xlsx: het bestand bevat geen respondenten"]


def test_corrupt_xlsx(tmp_path):
    (tmp_path / "kapot.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert problems(tmp_path / "kapot.xlsx") == ["kapot.xlsx: het Excel-bestand is beschadigd of geen echt "
                                                 ".xlsx-bestand"]
    write(tmp_path / "tekst.xlsx", "id;v01\n1;2\n")
    assert problems(tmp_path / "tekst.xlsx") == ["tekst.xlsx: het Excel-bestand is beschadigd of geen echt "
                                                 ".xlsx-bestand"]


def test_truncated_xlsx(tmp_path):
    path = tmp_path / "heel.xlsx"
    pd.DataFrame({"RESPNR": range(50), "V1": range(50)}).to_excel(path, index=False)
    data = path.read_bytes()
    (tmp_path / "half.xlsx").write_bytes(data[: len(data) // 2])
    assert problems(tmp_path / "half.xlsx") == ["half.xlsx: het Excel-bestand is beschadigd of geen echt "
                                                ".xlsx-bestand"]


# --------------------------------------------------------------------------- wrong files

def test_missing_and_empty_files(tmp_path):
    assert problems(tmp_path / "weg.csv") == ["weg.csv: bestand bestaat niet"]
    (tmp_path / "leeg.csv").write_bytes(b"")
    assert problems(tmp_path / "leeg.csv") == ["leeg.csv: het bestand is leeg"]
    write(tmp_path / "witruimte.csv", "\n \n;;\n")
    assert problems(tmp_path / "witruimte.csv") == ["witruimte.csv: het bestand is leeg"]


@pytest.mark.parametrize("name, content", [
    ("rapport.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    ("plaatje.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("plaatje.sav", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("gegevens.txt", b"\x00\x01\x02\x03binary\x00\x00"),
    ("gegevens.json", b'{"id": 1}'),
    ("gegevens", b"id,v01\n1,2\n"),
])
def test_wrong_file_types(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    assert problems(tmp_path / name) == [f"{name}: {WRONG_TYPE}"]


def test_zip_renamed_and_old_excel(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "archief.csv", "w") as zf:
        zf.writestr("data.csv", "id,v01\n1,2\n")
    assert problems(tmp_path / "archief.csv") == [f"archief.csv: {WRONG_TYPE}"]
    (tmp_path / "oud.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    [message] = problems(tmp_path / "oud.xls")
    assert message.startswith(f"oud.xls: {WRONG_TYPE} (dit lijkt een oud Excel-bestand (.xls)")


def test_xlsx_named_csv_is_read_as_excel(tmp_path):
    path = tmp_path / "echt.xlsx"
    pd.DataFrame({"id": [1], "v01": [2]}).to_excel(path, index=False)
    raw = read_table(path.rename(tmp_path / "echt.csv"))
    assert raw.kind == "xlsx"
    assert raw.notices == ["echt.csv: de naam eindigt op .csv, maar het is een Excel-bestand; zo gelezen"]


def test_rawtable_defaults_row_numbers():
    df = pd.DataFrame({"a": [1, 2, 3]})
    assert RawTable(Path("x.csv"), "csv", df).row_numbers.tolist() == [2, 3, 4]
    assert RawTable(Path("x.sav"), "sav", df).row_numbers.tolist() == [1, 2, 3]


# --------------------------------------------------------------------------- damaged and unusual files

def test_csv_that_ends_in_nul_bytes_names_the_row(tmp_path):
    path = tmp_path / "kopie.csv"
    path.write_bytes(b"id;v01\n1;2\n2;3\n3;" + b"\x00" * 500)
    assert problems(path) == ["kopie.csv, rij 4: vanaf deze rij staan er onleesbare tekens (NUL-bytes) in plaats "
                              "van tekst; het bestand is beschadigd of niet volledig gekopieerd. Vraag het bestand "
                              "opnieuw op"]


def test_csv_utf16_without_bom(tmp_path):
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes("id\tgemeente\n1\tSúdwest-Fryslân\n".encode(encoding))
        raw = read_table(path)
        assert raw.data["gemeente"].tolist() == ["Súdwest-Fryslân"]
        assert f"{encoding}.txt: tekencodering UTF-16 (zonder BOM) herkend" in raw.notices


def test_csv_mostly_utf8_with_some_windows_1252_lines(tmp_path):
    path = tmp_path / "gemengd.csv"
    path.write_bytes("id;gemeente\n1;Súdwest-Fryslân\n".encode() + "2;Súdwest-Fryslân\n".encode("cp1252")
                     + "3;Noardeast-Fryslân\n".encode())
    raw = read_table(path)
    assert raw.data["gemeente"].tolist() == ["Súdwest-Fryslân", "Súdwest-Fryslân", "Noardeast-Fryslân"]
    assert "gemengd.csv: gemengde tekencodering: rij 3 gelezen als Windows-1252, de rest als UTF-8" in raw.notices


def test_xlsx_merged_cells_among_the_respondents(tmp_path):
    path = tmp_path / "blok.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["RESPNR", "GEMEENTE", "V1"])
    for i in range(4):
        ws.append([i + 1, "Dordrecht" if i == 0 else None, 3])
    ws.merge_cells("B2:B5")
    wb.save(path)
    assert problems(path) == ["blok.xlsx, rij 2, kolom 'GEMEENTE': waarde 'Dordrecht': samengevoegde cellen B2:B5: "
                              "alleen de eerste cel heeft een waarde, de andere zijn leeg. Maak de samenvoeging "
                              "ongedaan en vul de waarde in elke cel in"]


def test_sav_with_a_damaged_dictionary(tmp_path):
    data = bytearray(write_sav(tmp_path / "heel.sav").read_bytes())
    data[176:180] = b"\x05\x00\x00\x00"  # the first variable record has an unknown record type
    (tmp_path / "kapot.sav").write_bytes(bytes(data))
    assert problems(tmp_path / "kapot.sav") == ["kapot.sav: het SPSS-bestand is beschadigd of onvolledig (de "
                                                "beschrijving van de variabelen klopt niet)"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the reading library runs in a child process "
                                                                   "on Linux only")
def test_a_crash_of_the_reading_library_is_an_input_error(tmp_path):
    from ceo.io.readers import _isolated

    def crash() -> None:
        os.kill(os.getpid(), signal.SIGSEGV)

    assert _isolated(crash) is None
    assert _isolated(lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        _isolated(lambda: 1 / 0)
    # this one-byte change (a numeric variable becomes a 4-byte string) made ReadStat crash (pyreadstat 1.3)
    data = bytearray((Path(__file__).parent / "data" / "bad" / "mapping_kapot" / "wmo_2025.sav").read_bytes())
    data[276] = 4
    (tmp_path / "v1.sav").write_bytes(bytes(data))
    try:
        read_table(tmp_path / "v1.sav")
    except InputError as exc:
        assert [str(p) for p in exc.problems] == ["v1.sav: het SPSS-bestand is beschadigd of onvolledig "
                                                  "(ongeldige of niet-ondersteunde opbouw)"]


def test_csv_with_a_stray_nul_byte_names_the_row(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"id;v01\n1;2\n2;\x003\n3;4\n")
    assert problems(path) == ["nul.csv, rij 3: deze rij bevat een onleesbaar teken (een NUL-byte); het bestand is "
                              "beschadigd. Vraag het bestand opnieuw op"]


@pytest.mark.parametrize("values", [["a", "b"], ["a", " b"], ["a\t", "b"], ["x\u00a0"], ["\u3000z"],
                                    ["", "mid dle"], ["z\u2028"]])
def test_outer_space_without_numpy_strings_slice(monkeypatch, values):
    """numpy 2.0–2.2 (allowed by the floor numpy>=2) have no np.strings.slice: the fallback gives the same answer.
    (NUL bytes never get here: every reader refuses them first.)"""
    from ceo.io.readers import _outer_space

    arr = np.array(values, dtype=np.dtypes.StringDType())
    expected = bool((np.strings.strip(arr) != arr).any())  # what the reader's strip would change
    if hasattr(np.strings, "slice"):
        assert _outer_space(arr) == expected
        monkeypatch.delattr(np.strings, "slice")
    assert _outer_space(arr) == expected
