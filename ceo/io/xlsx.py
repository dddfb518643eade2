"""A small, fast and byte-reproducible .xlsx writer for the open-data tables.

openpyxl builds one Python object per cell, which takes tens of seconds for a national edition
(about 100,000 rows x 40 columns). The tables here are plain (a header row, then numbers and text), so
the sheet XML is built column-wise with vectorised string operations and zipped with fixed
timestamps: the same tables always give the same bytes.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

_FIXED = (2000, 1, 1, 0, 0, 0)


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters XML 1.0 does not allow


def _escape(text: str) -> str:
    return _CONTROL.sub("", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _column_cells(col: pd.Series) -> np.ndarray:
    """The <c> elements of one column (header excluded), as an object array.

    Vectorised: numbers are formatted by numpy (``astype(str)`` gives the shortest round-trip
    representation, the same text as ``repr(float)``); text is escaped once per distinct value.
    """
    if pd.api.types.is_bool_dtype(col):
        col = col.map({True: "ja", False: "nee"})
    if pd.api.types.is_numeric_dtype(col):
        values = pd.to_numeric(col, errors="coerce").astype("float64").to_numpy()
        ok = np.isfinite(values)
        out = np.full(len(values), "<c/>", dtype=object)
        if ok.any():
            whole = ok & (values == np.round(values)) & (np.abs(values) < 1e15)
            txt = np.empty(len(values), dtype=object)
            txt[whole] = values[whole].astype(np.int64).astype(str).astype(object)
            frac = ok & ~whole
            if frac.any():
                # float.__repr__ gives the same text as numpy's astype(str), several times faster
                txt[frac] = np.array(list(map(repr, values[frac].tolist())), dtype=object)
            out[ok] = "<c><v>" + txt[ok] + "</v></c>"
        return out
    text = col.astype(str)
    present = (col.notna() & (text != "")).to_numpy()
    out = np.full(len(col), "<c/>", dtype=object)
    if present.any():
        codes, uniques = pd.factorize(text[present])
        cells = np.array(
            ['<c t="inlineStr"><is><t xml:space="preserve">' + _escape(str(u)) + "</t></is></c>" for u in uniques],
            dtype=object,
        )
        out[present] = cells[codes]
    return out


#: rows per piece of sheet XML: the cells of one piece at a time are in memory, not the whole sheet's
_ROWS_PER_PIECE = 8192


def _sheet_xml(frame: pd.DataFrame) -> bytes:
    return b"".join(_sheet_pieces(frame))


def _sheet_pieces(frame: pd.DataFrame):
    """The sheet XML in pieces of :data:`_ROWS_PER_PIECE` rows (UTF-8 bytes)."""
    header = "".join(f'<c t="inlineStr"><is><t>{escape(str(c))}</t></is></c>' for c in frame.columns)
    last = f"{_col_letter(max(len(frame.columns) - 1, 0))}{len(frame) + 1}"
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last}"/><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
        'topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'
        f"<row>{header}</row>"
    ).encode()
    for start in range(0, len(frame), _ROWS_PER_PIECE):
        part = frame.iloc[start:start + _ROWS_PER_PIECE]
        # one (rows x columns) array of cells between <row> and </row>, joined once in row order
        cells = np.empty((len(part), len(part.columns) + 2), dtype=object)
        cells[:, 0] = "<row>"
        cells[:, -1] = "</row>"
        for i in range(part.shape[1]):
            cells[:, i + 1] = _column_cells(part.iloc[:, i])
        yield "".join(cells.ravel().tolist()).encode("utf-8")
    yield b"</sheetData></worksheet>"


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write ``sheets`` (name -> table, in order) to ``path``; names are cut to Excel's 31 characters."""
    names = [n[:31] for n in sheets]
    ct = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(names))
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    wb = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
        + "</sheets></workbook>"
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(names))
        )
        + "</Relationships>"
    )
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:

        def info(name: str) -> zipfile.ZipInfo:
            zi = zipfile.ZipInfo(name, date_time=_FIXED)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            return zi

        def put(name: str, data: bytes | str) -> None:
            z.writestr(info(name), data)

        put("[Content_Types].xml", ct)
        put("_rels/.rels", rels)
        put("xl/workbook.xml", wb)
        put("xl/_rels/workbook.xml.rels", wb_rels)
        for i, frame in enumerate(sheets.values()):
            # streamed piece by piece (the same bytes as writing the whole sheet at once)
            with z.open(info(f"xl/worksheets/sheet{i + 1}.xml"), "w") as dest:
                for piece in _sheet_pieces(frame):
                    dest.write(piece)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getbuffer())
    return path
