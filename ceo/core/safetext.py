"""Delivered text made safe for where it goes: spreadsheets (CSV/xlsx) and the terminal.

* **Formula injection.** A spreadsheet program treats a cell that starts with ``=``, ``+``, ``-`` or
  ``@`` (and, in some programs, a tab or carriage return) as a formula, so a benchmark name such as
  ``=HYPERLINK("http://...")`` in a downloaded CSV would run when opened. :func:`neutralise_frame`
  puts a single quote before such text, as spreadsheets themselves do ("'=..." shows the text
  literally). Text that is a plain number (``-3.5``, ``+2``) is left as it is, and numeric columns are
  never touched.
* **Terminal escapes.** A delivered value, sheet name or file name can hold control characters or
  ANSI escape sequences that would move the cursor, recolour or rewrite what the user reads.
  :func:`printable` removes them (and Unicode direction overrides) before anything is printed.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: what makes a spreadsheet cell a formula (OWASP "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")

#: ANSI/VT escape sequences (CSI, OSC, single-character escapes), then any other control character,
#: Unicode direction overrides and isolates (which can make a shown text read differently)
_ESCAPE_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` as a formula (and it is not a plain number)."""
    return text.startswith(FORMULA_START) and not _NUMBER_RE.fullmatch(text.strip())


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would take it as a formula."""
    return "'" + text if is_formula_like(text) else text


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every formula-like text cell prefixed with ``'`` (vectorised; only text columns
    are looked at, and the frame is copied only when something changes). Column names too."""
    out = frame
    for i in range(frame.shape[1]):
        series = frame.iloc[:, i]
        if not (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)):
            continue
        values = series.to_numpy(dtype=object)
        try:  # each distinct value is looked at once (hashing in C; columns repeat their values)
            distinct = pd.unique(values)
        except TypeError:  # unhashable cells
            distinct = values
        bad = {v for v in distinct if isinstance(v, str) and is_formula_like(v)}
        if not bad:
            continue
        fix = np.fromiter((isinstance(v, str) and v in bad for v in values), dtype=bool, count=len(values))
        if out is frame:
            out = frame.copy()
        column = out.iloc[:, i].astype(object).copy()
        column.iloc[np.flatnonzero(fix)] = np.array(["'" + v for v in values[fix]], dtype=object)
        out.isetitem(i, column)
    names = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    if names != list(out.columns):
        out = out.copy() if out is frame else out
        out.columns = names
    return out


def printable(text: object) -> str:
    """``str(text)`` without terminal escape sequences, control characters (tab and newline become a
    space) and Unicode direction overrides: safe to print."""
    s = str(text)
    if s.isascii() and s.isprintable():
        return s
    try:  # a file name with bytes that are not UTF-8 (kept by Python as lone surrogates)
        s.encode("utf-8")
    except UnicodeEncodeError:
        s = s.encode("utf-8", "surrogateescape" if _escaped_only(s) else "replace").decode("utf-8", "replace")
    s = s.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return _CONTROL_RE.sub("", _ESCAPE_RE.sub("", s))


def _escaped_only(s: str) -> bool:
    return all(not "\ud800" <= ch <= "\udfff" or "\udc80" <= ch <= "\udcff" for ch in s)
