"""Memory of the readers is bounded by the data, not by what a file claims (issue 21).

Each file is small or modest on disk but made so that a reader that believes its header, pads its rows
or converts text to a fixed width takes gigabytes. Every read runs in a child process whose address
space is capped (``RLIMIT_AS``: what it had after a warm-up read plus 1 GB), so the old behaviour fails
with a MemoryError instead of taking the machine; the test then compares the child's peak resident
memory (``ru_maxrss``, of the child and of the reader's own child for .sav) with its peak after a
warm-up read of a tiny file of the same format.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, resource, sys
from ceo.core.problems import InputError
from ceo.io.readers import read_table

def peak():
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024

read_table(sys.argv[1])  # warm-up: the libraries of this format are loaded
base = peak()
pages = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
limit = pages + (1 << 30)
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
try:
    raw = read_table(sys.argv[2])
    out = {"rows": len(raw.data), "columns": list(raw.data.columns)}
except InputError as exc:
    out = {"problems": [str(p) for p in exc.problems]}
except MemoryError:
    out = {"memory_error": True}
out["growth_mb"] = peak() - base
print(json.dumps(out))
"""


def read_in_child(small: Path, path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(small), str(path)], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- Excel

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
       '<sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
               '<row r="1"><c r="A1" t="inlineStr"><is><t>respondent_id</t></is></c>'
               '<c r="B1" t="inlineStr"><is><t>v01</t></is></c><c r="C1" t="inlineStr"><is><t>open</t></is></c></row>')


def write_xlsx(path: Path, rows) -> Path:
    """An .xlsx whose first sheet has the header respondent_id, v01, open and then the XML ``rows``
    (an iterable of strings, streamed into the archive; no <dimension> element)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WB_RELS)):
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w") as dest:
            dest.write(_SHEET_HEAD.encode())
            for row in rows:
                dest.write(row.encode())
            dest.write(b"</sheetData></worksheet>")
    return path


@pytest.fixture
def small_xlsx(tmp_path) -> Path:
    return write_xlsx(tmp_path / "klein.xlsx", (f"<row><c><v>{i}</v></c><c><v>1</v></c></row>" for i in range(3)))


def test_xlsx_rows_formatted_up_to_xfd_are_read_without_their_width(tmp_path, small_xlsx):
    """18 kB on disk: 30,000 rows that each end in an empty formatted cell in column XFD (before: every
    row 16,384 cells wide in memory, 2.9 GB)."""
    rows = ('<row><c><v>7</v></c><c><v>1</v></c><c r="XFD1" s="0"/></row>' for _ in range(30_000))
    path = write_xlsx(tmp_path / "xfd.xlsx", rows)
    assert path.stat().st_size < 20_000
    out = read_in_child(small_xlsx, path)
    assert out.get("rows") == 30_000, out
    assert out["growth_mb"] < 100, out


def test_xlsx_sheet_of_empty_rows_without_dimension(tmp_path, small_xlsx):
    """A sheet without <dimension> of a million empty rows after two respondents (7 kB on disk): openpyxl
    parsed the whole sheet for its size, keeping every element, and the reader kept every empty row."""
    rows = ["<row><c><v>7</v></c><c><v>1</v></c></row>"] * 2 + ["<row/>" * 1000] * 1000
    path = write_xlsx(tmp_path / "leeg.xlsx", rows)
    assert path.stat().st_size < 20_000
    out = read_in_child(small_xlsx, path)
    assert out.get("rows") == 2, out
    assert out["growth_mb"] < 60, out


def test_xlsx_with_one_long_answer_costs_that_answer(tmp_path, small_xlsx):
    """50,000 respondents, one of whom wrote 9,999 characters: before, every row got a fixed width of
    9,999 characters (2 GB); now the answer costs its own size."""
    long = "lang verhaal " * 769 + "x" * 2
    assert len(long) == 9_999

    def rows():
        for i in range(50_000):
            text = long if i == 123 else ("goed" if i % 3 else "")
            cell = f'<c t="inlineStr"><is><t>{text}</t></is></c>' if text else ""
            yield f"<row><c><v>{i + 1}</v></c><c><v>{i % 5 + 1}</v></c>{cell}</row>"
    path = write_xlsx(tmp_path / "lang.xlsx", rows())
    out = read_in_child(small_xlsx, path)
    assert out.get("rows") == 50_000, out
    assert out["growth_mb"] < 100, out  # (about 1 kB per respondent at most)


# --------------------------------------------------------------------------- CSV

@pytest.fixture
def small_csv(tmp_path) -> Path:
    path = tmp_path / "klein.csv"
    path.write_text("respondent_id;v01;open\n1;2;goed\n", encoding="utf-8")
    return path


def test_csv_of_empty_lines_is_skipped_without_holding_it(tmp_path, small_csv):
    """50 MB of empty lines between two respondents (before: the file, its text and a list of 50 million
    lines in memory, 300+ MB; 600 MB took 122 s)."""
    path = tmp_path / "leeg.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("respondent_id;v01;open\n1;2;goed\n")
        for _ in range(50):
            fh.write("\n" * (1 << 20))
        fh.write("2;3;slecht\n")
    out = read_in_child(small_csv, path)
    assert out.get("rows") == 2, out
    assert out["growth_mb"] < 60, out


# --------------------------------------------------------------------------- SPSS

def _sav(path: Path, frame: pd.DataFrame, **kwargs) -> Path:
    import pyreadstat

    pyreadstat.write_sav(frame, str(path), **kwargs)
    return path


def test_sav_header_claiming_more_cases_than_the_file_holds_is_refused(tmp_path):
    """A 30 kB .sav whose header claims 2,000,000 cases of 200 variables (3.2 GB if believed)."""
    small = _sav(tmp_path / "klein.sav", pd.DataFrame({"V1": [1.0, 2.0]}))
    path = _sav(tmp_path / "kop.sav", pd.DataFrame({f"V{k}": np.arange(100.0) for k in range(200)}),
                row_compress=True)
    data = bytearray(path.read_bytes())
    struct.pack_into("<i", data, 80, 2_000_000)
    path.write_bytes(bytes(data))
    out = read_in_child(small, path)
    assert out.get("problems") == ["kop.sav: het SPSS-bestand is beschadigd of onvolledig (de kop noemt 2000000 "
                                   "respondenten, maar de gegevens in het bestand zijn 20800 bytes; dat is te weinig "
                                   "voor zoveel respondenten met 200 variabelen)"], out
    assert out["growth_mb"] < 60, out


def test_sav_cases_are_read_in_chunks(tmp_path):
    """A compressed (.zsav) file of 500 cases of 100 variables whose header claims 1,500,000: not
    impossible for its size (zlib could have compressed that much), so it is read, in chunks, until the
    data end (before: 1,500,000 cases of 100 variables allocated at once, 1.2 GB)."""
    small = _sav(tmp_path / "klein.sav", pd.DataFrame({"V1": [1.0, 2.0]}))
    rng = np.random.default_rng(3)
    path = _sav(tmp_path / "veel.zsav", pd.DataFrame({f"V{k}": rng.random(500) for k in range(100)}),
                compress=True)
    data = bytearray(path.read_bytes())
    struct.pack_into("<i", data, 80, 1_500_000)
    path.write_bytes(bytes(data))
    out = read_in_child(small, path)
    assert out.get("problems") == ["veel.zsav: het SPSS-bestand is beschadigd of onvolledig (er staan minder "
                                   "respondenten in dan de kop van het bestand aangeeft)"], out
    assert out["growth_mb"] < 150, out


# --------------------------------------------------------------------------- blocks give the same as the whole

def _outcome(path: Path) -> tuple:
    from ceo.core.problems import InputError
    from ceo.io.readers import read_table

    try:
        raw = read_table(path)
    except InputError as exc:
        return "fout", [str(p) for p in exc.problems]
    return "ok", raw.data.to_dict("list"), raw.row_numbers.tolist(), raw.notices


CSV_FILES = {
    "plain": b"respondent_id;v01;open\n1;2;goed\n2;3;\n3;1;slecht\n",
    "crlf_blank_lines": b"respondent_id;v01\r\n1;2\r\n\r\n\r\n ; \r\n2;3\r\n\r\n3;4\r\n",
    "title_line": b"CEO Wmo 2025\n\nrespondent_id;v01\n1;2\n\n\n2;3\n",
    "quoted_multiline": b'respondent_id;open\n1;"een\nmeer regels"\n2;"kort"\n3;x\n',
    "extra_field": b"respondent_id,v01\n1,2\n2,3,9\n3,4\n",
    "fewer_fields": b"respondent_id;v01;v02\n1;2;3\n2;3\n3;4;5\n",
    "cp1252": "respondent_id;plaats\n1;Zoeterméér\n2;Fryslân\n".encode("cp1252"),
    "mixed": "respondent_id;plaats\n1;Zoeterméér\n".encode() + "2;Fryslân\n".encode("cp1252") + b"3;x\n",
    "utf16": "respondent_id\tv01\n1\t2\n2\t3\n".encode("utf-16"),
    "utf16_no_bom": "respondent_id\tv01\n1\t2\n2\t3\n".encode("utf-16-le"),
    "bom_inside": b"respondent_id,v01\n\xef\xbb\xbf1,2\n2,3\n",
    "nul_at_end": b"respondent_id;v01\n1;2\n2;3\n" + b"\x00" * 64,
    "long_cell": ("respondent_id;open\n1;" + "x" * 10_050 + "\n2;kort\n").encode(),
}


@pytest.mark.parametrize("name", sorted(CSV_FILES))
def test_csv_read_in_small_blocks_gives_what_the_whole_file_gives(tmp_path, monkeypatch, name):
    """Blocks of a few bytes (every line its own block) give the same table, row numbers, notices and
    messages as one block for the whole file."""
    from ceo.io import readers

    path = tmp_path / "wmo.csv"
    path.write_bytes(CSV_FILES[name])
    whole = _outcome(path)
    for size in (1, 7, 64):
        monkeypatch.setattr(readers, "_CSV_BLOCK", size)
        assert _outcome(path) == whole, size


def test_xlsx_sheet_far_larger_than_its_filled_cells_is_refused(tmp_path):
    """2,000 named columns and 12,000 rows with one filled cell each: as a table 24 million cells (190 MB
    of numbers) for 14,000 values; refused before the table is built."""
    from ceo.core.problems import InputError
    from ceo.io.readers import read_table

    header = "<row>" + "".join(f'<c t="inlineStr"><is><t>v{j}</t></is></c>' for j in range(2_000)) + "</row>"
    rows = (f'<row><c r="BXX{i}"><v>1</v></c></row>' for i in range(2, 12_002))
    path = tmp_path / "leeg.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WB_RELS)):
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", _SHEET_HEAD.split("<sheetData>")[0] + "<sheetData>" + header
                   + "".join(rows) + "</sheetData></worksheet>")
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert [str(p) for p in exc.value.problems] == [
        "leeg.xlsx: het werkblad is 12000 rijen bij 2000 kolommen (tot en met kolom BXX) groot, maar heeft maar "
        "14000 gevulde cellen; zo'n lege tabel zou onnodig veel geheugen kosten. Verwijder de lege rijen en "
        "kolommen, of lever alleen de ingevulde cellen"]
