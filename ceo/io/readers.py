"""Read a delivered fieldwork file (SPSS ``.sav``, CSV or Excel ``.xlsx``) into a :class:`RawTable`.

The format is recognised by the file's content (its first bytes), the extension only decides
between the remaining possibilities. Everything that is wrong with a file is collected and raised
as one :class:`~ceo.core.problems.InputError` with Dutch messages that name the file (and row/column
where that helps); no traceback and no ``UnicodeDecodeError`` ever reaches the user.

Column names are the delivered names without surrounding whitespace. Row numbers are the numbers
the user sees: the line or sheet row for CSV and Excel (the header is row 1 when it is the first
line), the case number for SPSS (the first respondent is case 1). Text cells are stripped; an
empty cell is NaN. A column whose every filled value is a number becomes ``float64`` (codes ``"8"``
become ``8.0``), except when a value starts with a zero followed by a digit (``"00123"``,
``"0505"``): such columns are identifiers and stay text. Columns named in ``text_columns`` (the
respondent number) always keep the text of the file.

A CSV file is read by the csv module, row by row, which can say where and what is wrong in any
file. A well-formed file (every row as many fields as the header, quotes around whole fields on one
line, no cell near the limits) takes a fast path through pandas' C parser with exactly the same
result (``tests/test_csv_fast_path.py`` compares both on generated files); anything unusual falls back
to the diagnostic reader.

Memory grows with what a file holds, not with what it claims: a CSV file is read in blocks of whole
lines (never as a whole; runs of blank lines are skipped at once), an Excel sheet cell by cell into
sparse columns (a row formatted up to column XFD or a sheet of empty cells costs nothing; a
shared-strings table larger than the workbook's cells is refused before it is loaded), and the cases
of an SPSS file in chunks, after its header's case count has been checked against the file's size.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ceo.core.problems import InputError, Problem
from ceo.core.texts import number
from ceo.io.limits import DEFAULT as DEFAULT_LIMITS
from ceo.io.limits import HINT as LIMIT_HINT
from ceo.io.limits import Limits

SAV_EXTENSIONS = (".sav", ".zsav")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
TEXT_EXTENSIONS = (".csv", ".txt", ".tsv", ".tab")

WRONG_TYPE = "onbekend of verkeerd bestandstype; verwacht SPSS (.sav), CSV of Excel (.xlsx)"
BAD_EXCEL = "het Excel-bestand is beschadigd of geen echt .xlsx-bestand"
NO_RESPONDENTS = "het bestand bevat geen respondenten"
NOT_REGULAR = ("dit is geen gewoon bestand (maar bijvoorbeeld een pipe, socket of apparaat); lever een gewoon "
               "bestand aan")

#: first bytes of file types that are certainly not a delivery
_FOREIGN_MAGIC = (
    (b"%PDF", "pdf"), (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"),
    (b"\x1f\x8b", "gzip"), (b"7z\xbc\xaf", "7z"), (b"Rar!", "rar"), (b"BZh", "bzip2"),
    (b"{\\rtf", "rtf"), (b"\x7fELF", "elf"), (b"MZ", "exe"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
#: SPSS writes this for a system-missing value when exporting to Excel or CSV
_SPSS_SYSMIS = "#NULL!"
#: how many rows with a wrong field count are reported one by one
_MAX_ROW_PROBLEMS = 50
#: SPSS's LOWEST / HIGHEST in a missing-value range are stored as ±DBL_MAX
_HUGE = 1e12

_PYREADSTAT_MESSAGES = {
    "unable to read from file": "het bestand houdt te vroeg op",
    "file did not contain the expected number of rows": "er staan minder respondenten in dan de "
                                                        "kop van het bestand aangeeft",
    "invalid file, or file has unsupported features": "ongeldige of niet-ondersteunde opbouw",
    "unable to convert string to the requested encoding": "tekst in een onbekende tekencodering",
    "unable to allocate memory": "onmogelijke afmetingen in de beschrijving van de variabelen",
    "unable to seek": "het bestand houdt te vroeg op",
    "unable to open": "het bestand kan niet worden geopend",
}


@dataclass
class RawTable:
    """One delivered file as it was read: the delivered column names, values and SPSS metadata."""

    path: Path
    kind: str  # "sav", "csv" or "xlsx"
    data: pd.DataFrame
    #: the row number the user sees, per data row
    row_numbers: np.ndarray | None = None
    #: column → variable label (SPSS)
    variable_labels: dict[str, str] = field(default_factory=dict)
    #: column → {value: label} (SPSS)
    value_labels: dict[str, dict[float | str, str]] = field(default_factory=dict)
    #: column → user-missing values: a value, or a (low, high) range (SPSS)
    user_missing: dict[str, list] = field(default_factory=dict)
    #: Dutch remarks on how the file was read, for the log
    notices: list[str] = field(default_factory=list)
    #: column → its name in the delivered file, where a mapping renamed it (for messages)
    source_columns: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if self.row_numbers is None:
            first = 1 if self.kind == "sav" else 2
            self.row_numbers = np.arange(first, first + len(self.data), dtype=np.int64)
        else:
            self.row_numbers = np.asarray(self.row_numbers, dtype=np.int64)


def read_table(path: str | Path, limits: Limits | None = None, *,
               text_columns: Iterable[str] | bool | None = None, allow_no_rows: bool = False) -> RawTable:
    """Read one delivered file; raise :class:`InputError` listing every problem found in it.

    ``limits`` (default: :data:`ceo.io.limits.DEFAULT`) bound the cells, columns, rows and unpacked
    size of an .xlsx: a file beyond them is refused while it is read.

    ``text_columns`` names columns (compared stripped and case-insensitively; ``True``: every column)
    that keep the exact text of the file instead of becoming numbers: respondent numbers, where
    ``007`` and ``7`` are different respondents. A CSV field or Excel text cell is kept as it is
    (stripped; empty is NaN); a number by the file's own type (an Excel number cell, a numeric SPSS
    variable) becomes its text, whole numbers without ``.0``.

    ``allow_no_rows``: a file with a header and no rows gives an empty table instead of a problem
    (for supplied tables whose reader says so in its own words)."""
    path = Path(path)
    limits = limits or DEFAULT_LIMITS
    name = path.name
    if not path.exists():
        raise InputError(Problem("bestand bestaat niet", name))
    if path.is_dir():
        raise InputError(Problem("dit is een map, geen bestand", name))
    if not path.is_file():  # a FIFO, socket or device: opening it could wait forever
        raise InputError(Problem(NOT_REGULAR, name))
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(Problem(f"het bestand kan niet worden gelezen ({exc.strerror})", name)) from None
    if size == 0:
        raise InputError(Problem("het bestand is leeg", name))

    kind = _detect(path, head)
    notices: list[str] = []
    ext = path.suffix.lower()
    expected = ("sav" if ext in SAV_EXTENSIONS else "xlsx" if ext in EXCEL_EXTENSIONS
                else "csv" if ext in TEXT_EXTENSIONS else None)
    if expected is not None and expected != kind:
        what = {"sav": "een SPSS-bestand", "xlsx": "een Excel-bestand", "csv": "een tekstbestand (CSV)"}
        notices.append(f"{name}: de naam eindigt op {path.suffix}, maar het is {what[kind]}; "
                       "zo gelezen")
    as_text = _text_predicate(text_columns)
    if kind == "sav":
        raw = _read_sav(path, limits, as_text, allow_no_rows)
    elif kind == "xlsx":
        raw = _read_xlsx(path, limits, as_text, allow_no_rows)
    else:
        raw = _read_csv(path, limits, as_text, allow_no_rows)
    _check_limits(raw, limits)
    raw.notices[:0] = notices
    return raw


def _text_predicate(text_columns: Iterable[str] | bool | None) -> Callable[[str], bool]:
    """Whether a (stripped) column name is one of ``text_columns``."""
    if text_columns is True:
        return lambda _name: True
    if not text_columns:
        return lambda _name: False
    wanted = {str(c).strip().casefold() for c in text_columns}
    return lambda name: name.strip().casefold() in wanted


def _number_text(v: object) -> object:
    """A cell value as text: a number by the file's own type as its shortest text (whole numbers without
    ``.0``), text stripped, empty as NaN."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    if isinstance(v, bool | np.bool_):
        return v
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        v = float(v)
        if not np.isfinite(v):
            return np.nan
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, str):
        v = v.strip()
        return v if v and v != _SPSS_SYSMIS else np.nan
    return v


# --------------------------------------------------------------------------- type detection

def _detect(path: Path, head: bytes) -> str:
    name = path.name
    ext = path.suffix.lower()
    if head[:4] in (b"$FL2", b"$FL3"):
        return "sav"
    if head[:4] in _ZIP_MAGIC:
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = None
        if names is not None and "xl/workbook.xml" in names:
            return "xlsx"
        if ext in EXCEL_EXTENSIONS:
            raise InputError(Problem(BAD_EXCEL, name))
        raise InputError(Problem(WRONG_TYPE, name))
    if head.startswith(_OLE_MAGIC):
        raise InputError(Problem(
            WRONG_TYPE + " (dit lijkt een oud Excel-bestand (.xls) of een met een wachtwoord "
            "beveiligd bestand; sla het op als .xlsx zonder wachtwoord)", name))
    if any(head.startswith(magic) for magic, _ in _FOREIGN_MAGIC):
        raise InputError(Problem(WRONG_TYPE, name))
    if ext in SAV_EXTENSIONS:
        raise InputError(Problem("geen geldig SPSS-bestand", name))
    if ext in EXCEL_EXTENSIONS:
        raise InputError(Problem(BAD_EXCEL, name))
    if ext in TEXT_EXTENSIONS:
        return "csv"
    raise InputError(Problem(WRONG_TYPE, name))


# --------------------------------------------------------------------------- SPSS

def _read_sav(path: Path, limits: Limits = DEFAULT_LIMITS, as_text: Callable[[str], bool] = lambda _name: False,
              allow_no_rows: bool = False) -> RawTable:
    name = path.name
    layout = _sav_layout(path)
    reason = layout if isinstance(layout, str) else None
    if reason is None:
        cases = _sav_case_count(path)  # (the header says how many; refused before reading them)
        if cases is not None and cases > limits.max_rows:
            raise InputError(Problem(f"het bestand heeft {cases} respondenten, meer dan de grens van "
                                     f"{limits.max_rows} {LIMIT_HINT}", name))
        reason = _impossible_case_count(path, cases, layout)
    if reason is None:
        outcome = _isolated(_pyreadstat_read, str(path))
        if outcome is None:  # the reading library crashed on this file
            reason = "ongeldige of niet-ondersteunde opbouw"
        elif outcome[0] == "fout":
            reason = outcome[1]
    if reason is not None:
        raise InputError(Problem(f"het SPSS-bestand is beschadigd of onvolledig ({reason})", name))
    _, df, meta, windows, twice = outcome
    notices = [f"{name}: tekst gelezen in de tekencodering Windows-1252"] if windows else []
    if df.shape[1] == 0:
        raise InputError(Problem("het SPSS-bestand bevat geen variabelen", name))

    renames = {c: ("" if c is None else str(c)).strip() for c in df.columns}
    names = [renames[c] for c in df.columns]
    problems = _check_names(names, name)
    problems += [Problem(f"kolom '{n}' komt meer dan eens voor", name, column=n) for n in twice]
    if problems:
        raise InputError(problems)
    if len(df) == 0 and not allow_no_rows:
        raise InputError(Problem(NO_RESPONDENTS, name))
    df.columns = names
    for col in df.columns:
        if as_text(col):
            df[col] = _as_text_column(df[col])
        elif df[col].dtype.kind not in "fiubmM":  # text: strip, empty → missing
            df[col] = _clean_text(df[col])
    variable_labels = {renames[k]: str(v) for k, v in (meta.column_names_to_labels or {}).items()
                       if k in renames and v not in (None, "")}
    value_labels = {renames[k]: dict(v) for k, v in (meta.variable_value_labels or {}).items()
                    if k in renames and v}
    user_missing: dict[str, list] = {}
    for var, ranges in (meta.missing_ranges or {}).items():
        if var not in renames:
            continue
        col = renames[var]
        items = [_missing_item(r, df[col]) for r in ranges]
        items = [i for i in items if i is not None]
        if items:
            user_missing[col] = items
    for var, values in (getattr(meta, "missing_user_values", None) or {}).items():
        if var not in renames:
            continue
        col = renames[var]
        extra = [v for v in values if v not in user_missing.get(col, [])]
        if extra:
            user_missing.setdefault(col, []).extend(extra)
    return RawTable(path=path, kind="sav", data=df.reset_index(drop=True),
                    row_numbers=np.arange(1, len(df) + 1, dtype=np.int64),
                    variable_labels=variable_labels, value_labels=value_labels,
                    user_missing=user_missing, notices=notices)


def _sav_case_count(path: Path) -> int | None:
    """The number of cases an SPSS file's header announces; None when it does not say (-1)."""
    import struct

    try:
        with path.open("rb") as fh:
            head = fh.read(176)
    except OSError:
        return None
    if len(head) < 176:
        return None
    order = "<" if struct.unpack_from("<i", head, 64)[0] in (2, 3) else ">"
    (cases,) = struct.unpack_from(order + "i", head, 80)
    return cases if cases >= 0 else None


_DUPLICATED_RE = re.compile(r"column '(.*)' is duplicated")


def _pyreadstat_read(path: str, chunk_rows: int | None = None) -> tuple:
    """``("ok", data, metadata, read as Windows-1252, names that occur twice)`` or ``("fout", Dutch
    reason)``. pyreadstat's warnings (in English) are caught, not shown.

    The cases are read ``chunk_rows`` at a time (``row_limit``/``row_offset``; by default about
    :data:`_SAV_CHUNK_CELLS` values per chunk, 0: all at once): the reading library allocates a chunk,
    not the whole count the header announces, so memory grows with the cases that are really there."""
    import warnings

    import pyreadstat

    if chunk_rows is None:
        layout = _sav_layout(Path(path))
        slots = layout.slots if isinstance(layout, _SavLayout) else 1
        chunk_rows = max(_SAV_MIN_CHUNK_ROWS, _SAV_CHUNK_CELLS // max(slots, 1))

    def read(encoding: str | None) -> tuple[pd.DataFrame, object]:
        kwargs = {"user_missing": True}
        if encoding:
            kwargs["encoding"] = encoding
        if not chunk_rows:
            return pyreadstat.read_sav(path, **kwargs)
        frames = []
        meta = None
        offset = 0
        while True:
            part, part_meta = pyreadstat.read_sav(path, row_limit=chunk_rows, row_offset=offset, **kwargs)
            meta = meta or part_meta
            frames.append(part)
            offset += len(part)
            if len(part) < chunk_rows:
                break
        if len(frames) == 1:
            return frames[0], meta
        df = pd.concat(frames, ignore_index=True)
        del frames
        return df, meta

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            df, meta = read(None)
            windows = False
        except Exception as first:  # pyreadstat raises its own and generic errors; never show a traceback
            try:  # old files written in a Windows code page without saying so
                df, meta = read("WINDOWS-1252")
                windows = True
            except Exception:
                return "fout", _explain(first)
    twice = [m.group(1) for w in caught if (m := _DUPLICATED_RE.search(str(w.message)))]
    return "ok", df, meta, windows, list(dict.fromkeys(twice))


def _isolated(function, *args):
    """``function(*args)`` in a child process where the operating system allows it cheaply (fork, on
    Linux), so that a crash of a C library on a damaged file cannot take ceo down; None when the
    child died. Elsewhere the function runs in this process."""
    import multiprocessing
    import sys

    if not sys.platform.startswith("linux"):
        return function(*args)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_run_and_send, args=(send, function, args), daemon=True)
    try:
        child.start()
    except OSError:  # no process can be started (memory, limits): read here after all
        receive.close()
        send.close()
        return function(*args)
    send.close()
    try:
        result = receive.recv()
    except (EOFError, OSError):
        result = None
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): the child goes too, at once
        child.kill()
        raise
    finally:
        receive.close()
        child.join()
    if result is None or result[0] == "exception":
        if result is not None:  # an error in ceo itself, in the child: raise it here
            raise result[1]
        return None
    return result[1]


def _die_with_parent() -> None:
    """In a forked child (Linux): be killed when the parent dies (``prctl(PR_SET_PDEATHSIG,
    SIGKILL)``), so that a killed ceo leaves no reader behind holding its pipes and lock open."""
    import ctypes
    import multiprocessing
    import os
    import signal

    parent = multiprocessing.parent_process()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent is not None and os.getppid() != parent.pid:  # the parent died before the call took effect
        os._exit(1)


def _close_inherited(keep: int) -> None:
    """In a forked child: close every inherited file descriptor except stdio and ``keep`` (its result
    pipe). Otherwise the child shares the parent's project lock (flock belongs to the open file, not the
    process) and keeps it for a moment after a killed parent, refusing the next run."""
    import os

    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return
    for fd in fds:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _run_and_send(send, function, args) -> None:
    """In the child: send the result (or the exception) to the parent; never raise."""
    import faulthandler
    import signal

    _die_with_parent()
    # Ctrl-C reaches the whole process group: the parent reports it, the child just stops
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    faulthandler.disable()  # a crash of the library is reported by the parent, in Dutch
    _close_inherited(keep=send.fileno())
    try:
        result = ("result", function(*args))
    except Exception as exc:  # handed to the parent, which raises it
        result = ("exception", exc)
    try:
        send.send(result)
    except Exception as exc:  # e.g. an exception that cannot be pickled
        send.send(("exception", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        send.close()


#: how SPSS records start (record type, in the dictionary after the 176-byte header)
_SAV_VARIABLE, _SAV_LABELS, _SAV_LABEL_VARS, _SAV_DOCUMENT, _SAV_EXTENSION, _SAV_END = 2, 3, 4, 6, 7, 999


@dataclass(frozen=True)
class _SavLayout:
    """What the dictionary of an SPSS file says about its data: 8-byte slots per case, the
    compression (0 none, 1 bytecode, 2 zlib) and where the data start."""

    slots: int
    compression: int
    data_start: int
    size: int


#: cases per chunk of the .sav reader: about this many 8-byte values at a time
_SAV_CHUNK_CELLS = 4_000_000
_SAV_MIN_CHUNK_ROWS = 1_000
#: the most that zlib can compress (deflate: 258 bytes per 2 bits, about 1032:1)
_ZLIB_MAX_RATIO = 1032


def _sav_structure_problem(path: Path) -> str | None:
    """A Dutch reason when the dictionary of an SPSS file (header, variables, value labels, extension
    records) is not built as the format prescribes; None when it is. Checked before the file is given
    to the reading library, which can crash on such files."""
    layout = _sav_layout(path)
    return layout if isinstance(layout, str) else None


def _impossible_case_count(path: Path, cases: int | None, layout: _SavLayout) -> str | None:
    """A Dutch reason when the header announces more cases than the data part of the file can hold.

    Every case has ``slots`` values of 8 bytes. Uncompressed, that is 8 bytes per value; in bytecode
    compression each value takes at least a one-byte code; zlib compresses at most about 1032:1 on
    top of that. The reading library allocates what the header announces, so an impossible count is
    refused before it reads anything."""
    if cases is None or cases == 0 or layout.slots == 0:
        return None
    data = max(layout.size - layout.data_start, 0)
    if layout.compression == 0:
        most = data // (8 * layout.slots)
    elif layout.compression == 1:
        most = (data + 8) // layout.slots
    else:
        most = _ZLIB_MAX_RATIO * (data + 8) // layout.slots
    # (a file cut off somewhere is left to the reader, which says that it stops too early)
    if cases <= 2 * most + _SAV_MIN_CHUNK_ROWS:
        return None
    return (f"de kop noemt {cases} respondenten, maar de gegevens in het bestand zijn {data} bytes; dat is "
            f"te weinig voor zoveel respondenten met {layout.slots} variabelen")


def _sav_layout(path: Path) -> _SavLayout | str:
    """The layout of an SPSS file's data (:class:`_SavLayout`), or a Dutch reason why its dictionary is
    not built as the format prescribes. The file is mapped, not read: only the dictionary's pages are
    touched."""
    import mmap

    try:
        with path.open("rb") as fh:
            size = path.stat().st_size
            if size < 176:
                return "het bestand houdt te vroeg op"
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return _sav_dictionary(data, size)
    except (OSError, ValueError) as exc:
        return f"het bestand kan niet worden gelezen ({getattr(exc, 'strerror', None) or exc})"


def _sav_dictionary(data, file_size: int) -> _SavLayout | str:
    import struct

    if len(data) < 176:
        return "het bestand houdt te vroeg op"
    for order in "<>":
        if struct.unpack_from(order + "i", data, 64)[0] in (2, 3):
            break
    else:
        return "ongeldige kop"
    n_case_size, compression = struct.unpack_from(order + "ii", data, 68)
    if compression not in (0, 1, 2):
        return "ongeldige kop"
    pos = 176
    n_variables = 0
    continuation = 0  # string continuation records still expected
    label_indices: list[int] = []
    try:
        while True:
            (record,) = struct.unpack_from(order + "i", data, pos)
            if record == _SAV_VARIABLE:
                vtype, has_label, n_missing = struct.unpack_from(order + "iii", data, pos + 4)
                pos += 32
                if vtype == -1:
                    if continuation <= 0:
                        return "de beschrijving van de variabelen klopt niet"
                    continuation -= 1
                elif 0 <= vtype <= 255 and continuation == 0:
                    continuation = (vtype - 1) // 8 if vtype > 8 else 0
                else:
                    return "de beschrijving van de variabelen klopt niet"
                if has_label not in (0, 1) or n_missing not in (-3, -2, 0, 1, 2, 3):
                    return "de beschrijving van de variabelen klopt niet"
                if has_label:
                    (length,) = struct.unpack_from(order + "i", data, pos)
                    if not 0 <= length <= len(data) - pos:
                        return "de beschrijving van de variabelen klopt niet"
                    pos += 4 + (length + 3) // 4 * 4
                pos += 8 * abs(n_missing)
                n_variables += 1
            elif record == _SAV_LABELS:
                (count,) = struct.unpack_from(order + "i", data, pos + 4)
                if not 0 <= count <= (len(data) - pos) // 9:
                    return "de waardelabels kloppen niet"
                pos += 8
                for _ in range(count):
                    length = data[pos + 8]
                    pos += (9 + length + 7) // 8 * 8
                record, n_vars = struct.unpack_from(order + "ii", data, pos)
                if record != _SAV_LABEL_VARS or not 1 <= n_vars <= (len(data) - pos) // 4:
                    return "de waardelabels kloppen niet"
                label_indices += struct.unpack_from(order + f"{n_vars}i", data, pos + 8)
                pos += 8 + 4 * n_vars
            elif record == _SAV_DOCUMENT:
                (lines,) = struct.unpack_from(order + "i", data, pos + 4)
                if not 0 <= lines <= (len(data) - pos) // 80:
                    return "de documentatie in het bestand klopt niet"
                pos += 8 + 80 * lines
            elif record == _SAV_EXTENSION:
                size, count = struct.unpack_from(order + "ii", data, pos + 8)
                if size < 0 or count < 0 or size * count > len(data) - pos:
                    return "de aanvullende gegevens in het bestand kloppen niet"
                pos += 16 + size * count
            elif record == _SAV_END:
                break
            else:
                return "de beschrijving van de variabelen klopt niet"
            if pos > len(data):
                return "het bestand houdt te vroeg op"
    except (struct.error, IndexError):
        return "het bestand houdt te vroeg op"
    if continuation or (n_case_size > 0 and n_case_size != n_variables):
        return "de beschrijving van de variabelen klopt niet"
    if any(not 1 <= i <= n_variables for i in label_indices):
        return "de waardelabels kloppen niet"
    return _SavLayout(slots=n_variables, compression=compression, data_start=pos + 8, size=file_size)


def _explain(exc: Exception) -> str:
    text = str(exc).strip().lower()
    for english, dutch in _PYREADSTAT_MESSAGES.items():
        if english in text:
            return dutch
    return "ongeldige of niet-ondersteunde opbouw"


def _missing_item(r: object, column: pd.Series | None) -> object:
    """A pyreadstat missing range as a value (``lo == hi``) or a ``(lo, hi)`` tuple.

    SPSS's ``LOWEST``/``HIGHEST`` are stored as ±DBL_MAX; they are narrowed to the values that occur
    in the column, so that the range can be expanded into codes."""
    if isinstance(r, dict):
        lo, hi = r.get("lo"), r.get("hi")
    else:
        return r
    if lo == hi:
        return lo
    if isinstance(lo, int | float) and isinstance(hi, int | float):
        values = pd.to_numeric(column, errors="coerce").dropna() if column is not None else pd.Series([])
        if abs(lo) >= _HUGE:
            lo = float(np.floor(values.min())) if len(values) else hi
        if abs(hi) >= _HUGE:
            hi = float(np.ceil(values.max())) if len(values) else lo
        if lo == hi:
            return lo
    return (lo, hi)


# --------------------------------------------------------------------------- CSV

_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when the file is UTF-16 text without a byte order mark (every other
    byte zero in mostly-ASCII text), else None."""
    sample = data[:8192]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.9 and zeros_even < 0.1:
        return "utf-16-le"
    if zeros_even > 0.9 and zeros_odd < 0.1:
        return "utf-16-be"
    return None


_DELIMITERS = (";", "\t", ",")
#: the line breaks the csv module knows (str.splitlines knows more)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DELIMITER_NAMES = {";": "';'", "\t": "tab", ",": "','"}


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def _choose_delimiter(header: str, following: list[str]) -> str:
    """The delimiter of the header line; when it has several, the one that gives every following
    line the same number of fields (trailing empty fields aside)."""
    counts = {d: len(_split(header, d)) for d in _DELIMITERS}
    candidates = [d for d in _DELIMITERS if counts[d] > 1]
    if not candidates:
        return ","
    if len(candidates) == 1:
        return candidates[0]

    def consistent(d: str) -> bool:
        n = counts[d]
        for line in following:
            fields = _split(line, d)
            if len(fields) < n or any(f.strip() for f in fields[n:]):
                return False
        return True

    good = [d for d in candidates if consistent(d)]
    pool = good or candidates
    return max(pool, key=lambda d: (counts[d], -_DELIMITERS.index(d)))


def _blank(fields: list[str]) -> bool:
    joined = "".join(fields)
    return not joined or joined.isspace()


def _swallowed(fields: list[str], delimiter: str, n_header: int) -> int | None:
    """The index of a field that spans several lines and holds what look like whole rows (an unclosed
    quote); None when there is none (a multi-line open answer is fine)."""
    if n_header < 3:
        return None
    for j, f in enumerate(fields):
        if "\n" in f or "\r" in f:
            for line in _LINE_BREAK.split(f)[1:]:
                if line.count(delimiter) >= n_header - 1:
                    return j
    return None


def _field_count_problem(line: str, n: int, n_header: int, n_keep: int, delimiter: str, name: str,
                         row: int) -> Problem:
    """A row with another number of fields than the header: say so, and when the row fits the header
    with another delimiter, that it uses another delimiter (two exports pasted together)."""
    value = line.strip() or None
    for other in _DELIMITERS:
        if other != delimiter and n_keep > 1 and n_keep <= len(_split(line, other)) <= n_header:
            return Problem(f"deze rij is gescheiden met {_DELIMITER_NAMES[other]} in plaats van met "
                           f"{_DELIMITER_NAMES[delimiter]} zoals de kop", name, row, value=value)
    return Problem(f"deze rij heeft {n} {'veld' if n == 1 else 'velden'}, de kop heeft {n_header}", name, row,
                   value=value)


#: bytes of a CSV file read at a time; a block of text always ends at a line end
_CSV_BLOCK = 4 << 20
#: the header is looked for in the first this many characters
_CSV_HEAD_CHARS = 500_000


class _CsvSource:
    """A delivered text file read in blocks, never as a whole: a first pass over the bytes decides
    the encoding (the same rules as for the whole file: UTF-16 with or without byte order mark, UTF-8,
    UTF-8 with some lines in Windows-1252, Windows-1252) and finds NUL bytes; :meth:`blocks` then gives
    the decoded text in blocks of whole lines, as often as needed. Raises :class:`InputError` for a file
    that is not text."""

    def __init__(self, path: Path, name: str, notices: list[str]) -> None:
        self.path = path
        self.name = name
        self.size = path.stat().st_size
        self.encoding = "utf-8"
        self.errors = "strict"
        self.skip = 0  # bytes of a byte order mark to skip
        self.foreign: set[int] | None = None  # mixed: the lines (numbered from 1) in Windows-1252
        first_nul = -1
        lines_before_nul = 0
        after_nul = False  # a byte other than NUL after the first NUL
        utf8 = codecs.getincrementaldecoder("utf-8")()
        valid_utf8 = True
        multibyte = False
        tail = b""
        with path.open("rb") as fh:
            sample = fh.read(8192)
            fh.seek(0)
            offset = 0
            while chunk := fh.read(_CSV_BLOCK):
                if first_nul < 0:
                    at = chunk.find(b"\x00")
                    if at >= 0:
                        first_nul = offset + at
                        lines_before_nul += chunk.count(b"\n", 0, at)
                        after_nul = bool(chunk[at:].strip(b"\x00"))
                    else:
                        lines_before_nul += chunk.count(b"\n")
                elif not after_nul:
                    after_nul = bool(chunk.strip(b"\x00"))
                if valid_utf8:
                    try:
                        utf8.decode(chunk[3:] if offset == 0 and chunk.startswith(b"\xef\xbb\xbf") else chunk)
                    except UnicodeDecodeError:
                        valid_utf8 = False
                if not multibyte:
                    multibyte = bool(_UTF8_MULTIBYTE.search(tail + chunk))
                    tail = (tail + chunk)[-8:]
                offset += len(chunk)
        if valid_utf8:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                valid_utf8 = False
        self.sample = sample
        if _looks_binary(sample, first_nul >= 0):
            encoding = _utf16_without_bom(sample)
            if encoding is None:
                raise InputError(_binary_problem(sample, first_nul, lines_before_nul, after_nul, name))
            notices.append(f"{name}: tekencodering UTF-16 (zonder BOM) herkend")
            self.encoding, self.errors = encoding, "replace"
            return
        if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
            notices.append(f"{name}: tekencodering UTF-16 herkend")
            self.encoding, self.errors = "utf-16", "replace"
            return
        if valid_utf8:
            self.encoding, self.skip = "utf-8", (3 if sample.startswith(b"\xef\xbb\xbf") else 0)
            return
        if sample.startswith(b"\xef\xbb\xbf"):  # says UTF-8 but has a bad byte somewhere
            notices.append(f"{name}: ongeldige UTF-8-tekens vervangen door '\ufffd'")
            self.encoding, self.errors, self.skip = "utf-8", "replace", 3
            return
        if multibyte:
            foreign, letters = self._mixed_lines()
            if letters:
                rows = sorted(foreign)
                shown = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
                notices.append(f"{name}: gemengde tekencodering: {'rij' if len(rows) == 1 else 'rijen'} {shown} "
                               "gelezen als Windows-1252, de rest als UTF-8")
                self.foreign = foreign
                return
        notices.append(f"{name}: tekencodering Windows-1252 herkend (geen UTF-8)")
        self.encoding, self.errors = "cp1252", "replace"

    def _byte_blocks(self):
        """The raw bytes in blocks that end just after a b"\\n" (the last one at the end of the file)."""
        carry = b""
        with self.path.open("rb") as fh:
            fh.seek(self.skip)
            while chunk := fh.read(_CSV_BLOCK):
                chunk = carry + chunk
                cut = chunk.rfind(b"\n") + 1
                if cut == 0:
                    carry = chunk
                    continue
                carry = chunk[cut:]
                yield chunk[:cut]
        if carry:
            yield carry

    def _mixed_lines(self) -> tuple[set[int], bool]:
        """The lines (numbered from 1, split at b"\\n") that are not UTF-8, and whether any line that is
        has letters beyond ASCII."""
        foreign: set[int] = set()
        letters = False
        number = 0
        for block in self._byte_blocks():
            lines = block.split(b"\n")
            if block.endswith(b"\n"):
                lines.pop()
            for line in lines:
                number += 1
                try:
                    line.decode("utf-8")
                    letters = letters or not line.isascii()
                except UnicodeDecodeError:
                    foreign.add(number)
        return foreign, letters

    def _text_blocks(self):
        if self.encoding.startswith("utf-16"):  # (a b"\\n" byte is no line end here: cut the text)
            decoder = codecs.getincrementaldecoder(self.encoding)(errors=self.errors)
            carry = ""
            with self.path.open("rb") as fh:
                while True:
                    chunk = fh.read(_CSV_BLOCK)
                    text = carry + decoder.decode(chunk, final=not chunk)
                    cut = text.rfind("\n") + 1
                    if not chunk:
                        if text:
                            yield text
                        return
                    carry = text[cut:]
                    if cut:
                        yield text[:cut]
        if self.foreign is not None:
            number = 0
            for block in self._byte_blocks():
                lines = block.split(b"\n")
                out = []
                for k, line in enumerate(lines):
                    if k == len(lines) - 1 and not line:
                        break
                    number += 1
                    out.append(line.decode("cp1252", errors="replace") if number in self.foreign
                               else line.decode("utf-8"))
                yield "\n".join(out) + ("\n" if block.endswith(b"\n") else "")
            return
        for block in self._byte_blocks():
            yield block.decode(self.encoding, errors=self.errors)

    def blocks(self):
        """The text in blocks of whole lines; the first starts without byte order marks."""
        first = True
        for block in self._text_blocks():
            if first:
                block = block.lstrip("\ufeff")
                first = False
            yield block

    def head(self, chars: int) -> str:
        """At least the first ``chars`` characters of the text (or all of it)."""
        out: list[str] = []
        n = 0
        for block in self.blocks():
            out.append(block)
            n += len(block)
            if n >= chars:
                break
        return "".join(out)

    def lines_at(self, wanted: Iterable[int], split: re.Pattern | str = _LINE_BREAK) -> dict[int, str]:
        """The lines with these numbers (from 1), as the text's line breaks count them (``split``: the
        line breaks of the csv module, or only "\\n")."""
        wanted = set(wanted)
        found: dict[int, str] = {}
        number = 0
        for block in self.blocks():
            parts = block.split(split) if isinstance(split, str) else split.split(block)
            if parts and parts[-1] == "" and len(parts) > 1:
                parts.pop()
            for line in parts:
                number += 1
                if number in wanted:
                    found[number] = line
            if len(found) == len(wanted):
                break
        return found


def _looks_binary(sample: bytes, has_nul: bool) -> bool:
    """Whether a file is binary rather than text: a NUL byte anywhere (except in UTF-16 with a byte order
    mark), or many control characters in its first 8192 bytes (``sample``)."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if has_nul:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control > max(8, len(sample) // 100)


def _binary_problem(sample: bytes, at: int, lines_before: int, after: bool, name: str) -> Problem:
    """Why a file with binary bytes cannot be read as text: a text file whose content stops in NUL
    bytes (a broken copy or download) names the row where that starts; anything else is not a
    delivery at all. From the first bytes (``sample``), the place of the first NUL byte, the line
    breaks before it and whether anything but NUL bytes follows it."""
    before = sample[:at] if at > 0 else b""
    control = sum(1 for b in before[:8192] if b < 32 and b not in (9, 10, 12, 13))
    if at > 0 and lines_before >= 1 and control == 0:
        row = lines_before + 1
        if not after:
            return Problem("vanaf deze rij staan er onleesbare tekens (NUL-bytes) in plaats van tekst; het "
                           "bestand is beschadigd of niet volledig gekopieerd. Vraag het bestand opnieuw op",
                           name, row)
        return Problem("deze rij bevat een onleesbaar teken (een NUL-byte); het bestand is beschadigd. Vraag het "
                       "bestand opnieuw op", name, row)
    return Problem(WRONG_TYPE, name)


def _read_csv(path: Path, limits: Limits = DEFAULT_LIMITS, as_text: Callable[[str], bool] = lambda _name: False,
              allow_no_rows: bool = False) -> RawTable:
    name = path.name
    notices: list[str] = []
    try:
        source = _CsvSource(path, name, notices)
        prefix = source.head(_CSV_HEAD_CHARS)
    except OSError as exc:
        raise InputError(Problem(f"het bestand kan niet worden gelezen ({exc.strerror})", name)) from None

    # find the header: the first non-empty line; a leading line with a single filled field
    # followed by a real header is a title
    lines = _LINE_BREAK.split(prefix[:_CSV_HEAD_CHARS])[:200]
    del prefix
    nonempty = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip(" \t;,\"")]
    if not nonempty:
        raise InputError(Problem("het bestand is leeg", name))
    n_title = 0
    while n_title + 1 < len(nonempty):
        this, nxt = nonempty[n_title][1], nonempty[n_title + 1][1]
        if (max(sum(1 for f in _split(this, d) if f.strip()) for d in _DELIMITERS) == 1
                and max(sum(1 for f in _split(nxt, d) if f.strip()) for d in _DELIMITERS) > 1):
            n_title += 1
        else:
            break
    header_line_no, header_line = nonempty[n_title]
    delimiter = _choose_delimiter(header_line, [ln for _, ln in nonempty[n_title + 1:n_title + 21]])
    if delimiter != ",":
        notices.append(f"{name}: scheidingsteken {_DELIMITER_NAMES[delimiter]} herkend")
    if n_title:
        notices.append(f"{name}: " + ("titelregel boven de kop overgeslagen" if n_title == 1
                                      else f"{n_title} titelregels boven de kop overgeslagen"))

    problems: list[Problem] = []
    # The records are kept column-wise in compact numpy text arrays, converted every
    # _CSV_CHUNK rows: a list of Python strings per row would take several times the memory.
    pending: list[list[str]] = []
    chunks: list[list[np.ndarray]] = []
    n_records = 0
    lengths: list[int] = []
    extra: list[int] = []  # records with filled fields beyond the header
    record_rows: list[int] = []
    header: list[str] | None = None

    def flush() -> None:
        width = len(header)
        padded = [f if len(f) == width else (f + [""] * width)[:width] for f in pending]
        chunks.append([np.array(c, dtype=np.dtypes.StringDType()) for c in zip(*padded, strict=True)])
        pending.clear()

    # a well-formed file (every row as many fields as the header, quotes only around whole fields
    # on one line, no cell near the limits) is split by pandas' C parser, block by block; anything
    # unusual is read by the csv module below, which says where and what is wrong
    fast = _fast_records(source.blocks(), header_line_no, delimiter, limits)
    if fast is not None:
        header, chunks, record_rows = fast
        n_records = len(record_rows)
        lengths = np.full(n_records, len(header), dtype=np.int64)
    else:
        reader = csv.reader(_lines(source.blocks()), delimiter=delimiter)
        line_no = 0
        # a field longer than the limit stops the reading there, before the table grows in memory
        previous_limit = csv.field_size_limit(limits.max_cell_chars)
        try:
            for fields in reader:
                start = line_no + 1
                line_no = reader.line_num
                if header is None:
                    if start < header_line_no or _blank(fields):
                        continue
                    header = fields
                    if len(header) > limits.max_columns:
                        raise InputError(Problem(f"het bestand heeft {len(header)} kolommen, meer dan de grens van "
                                                 f"{limits.max_columns} {LIMIT_HINT}", name, start))
                    continue
                if not fields or (not fields[0].strip() and _blank(fields)):
                    continue
                if n_records >= limits.max_rows:
                    raise InputError(Problem(f"het bestand heeft meer dan {limits.max_rows} rijen met respondenten, "
                                             f"de grens {LIMIT_HINT}", name, start))
                if len(fields) > len(header) and any(f.strip() for f in fields[len(header):]):
                    extra.append(n_records)
                lengths.append(len(fields))
                pending.append(fields)
                record_rows.append(start)
                n_records += 1
                if len(pending) >= _CSV_CHUNK:
                    flush()
                j = _swallowed(fields, delimiter, len(header)) if line_no > start else None
                if j is not None:
                    first = _LINE_BREAK.split(fields[j])[0].strip()
                    problems.append(Problem(f"een aanhalingsteken wordt niet gesloten; de regels {start + 1} tot en "
                                            f"met {line_no} zijn in dit veld terechtgekomen", name, start,
                                            header[j].strip() or None if j < len(header) else None, first or None))
        except csv.Error as exc:
            if "field limit" in str(exc):
                line = source.lines_at([line_no + 1], "\n").get(line_no + 1, "")
                raise InputError(_long_field_problem(line, line_no + 1, delimiter, header, limits, name)) from None
            problems.append(Problem("ongeldige CSV-opmaak: een veld is te lang of een aanhalingsteken "
                                    "wordt niet gesloten", name, line_no + 1))
        finally:
            csv.field_size_limit(previous_limit)
        if header is None:  # only possible when the csv module and splitlines disagree
            raise InputError(problems or Problem("het bestand is leeg", name))
        if pending:
            flush()

    names = [h.strip().lstrip("\ufeff").strip() for h in header]
    n_header = len(names)
    # trailing unnamed columns that are empty everywhere are dropped
    n_keep = n_header
    while n_keep > 0 and not names[n_keep - 1]:
        j = n_keep - 1
        if any((np.strings.strip(ch[j]) != "").any() for ch in chunks):
            break
        n_keep -= 1
    dropped = n_header - n_keep
    if dropped:
        notices.append(f"{name}: " + ("1 lege kolom aan het eind genegeerd" if dropped == 1
                                      else f"{dropped} lege kolommen aan het eind genegeerd"))
    names = names[:n_keep]
    problems.extend(_check_names(names, name))

    # a row with another number of fields than the header (empty fields at the end aside)
    n_fields = np.asarray(lengths, dtype=np.int64)
    has_extra = np.zeros(n_records, dtype=bool)
    has_extra[extra] = True
    bad = np.flatnonzero(~((n_fields == n_header) | ((n_fields >= n_keep) & ~has_extra)))
    if len(bad):
        shown = [record_rows[k] for k in bad[:_MAX_ROW_PROBLEMS]]
        source_lines = source.lines_at(shown)
        for k, row in zip(bad[:_MAX_ROW_PROBLEMS], shown, strict=True):
            line = source_lines.get(row, "")
            problems.append(_field_count_problem(line, int(n_fields[k]), n_header, n_keep, delimiter, name, row))
    if len(bad) > _MAX_ROW_PROBLEMS:
        problems.append(Problem(f"en nog {len(bad) - _MAX_ROW_PROBLEMS} rijen met een ander aantal "
                                "velden dan de kop", name))
    if not n_records and not allow_no_rows:
        problems.append(Problem(NO_RESPONDENTS, name))
    if problems:
        raise InputError(problems)
    del lengths, extra, n_fields, has_extra

    def column(j: int) -> np.ndarray:
        """The whole column j; the chunks' parts are released as they are joined."""
        parts = [ch[j] for ch in chunks]
        for ch in chunks:
            ch[j] = None
        if not parts:
            return np.array([], dtype=np.dtypes.StringDType())
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    allow_comma = delimiter in (";", "\t")
    df = _columns(name, names, (_convert_text(column(j), allow_comma, as_text(names[j]))
                                for j in range(len(names))), notices)
    return RawTable(path=path, kind="csv", data=df, row_numbers=np.asarray(record_rows, dtype=np.int64),
                    notices=notices)


def _lines(blocks):
    """The lines of the text blocks with their line ends, as ``io.StringIO(text, newline="")`` gives them
    (a block ends at a line end, so no line is split between two)."""
    for block in blocks:
        yield from io.StringIO(block, newline="")


def _quoted_fields(delimiter: str) -> re.Pattern:
    """A field that is quoted as a whole, on one line: after a delimiter or at the start of a line,
    up to a quote followed by a delimiter or the end of the line (a quote inside is doubled)."""
    d = re.escape(delimiter)
    return re.compile(rf'(?:^|(?<={d}))"(?:[^"\n]|"")*"(?={d}|$)', re.MULTILINE)


def _blank_lines(delimiter: str, limits: Limits) -> re.Pattern:
    """Whole lines that hold nothing but spaces, tabs and delimiters (at most a cell long), one after
    another, after a line end: blank rows, which are skipped."""
    d = re.escape(delimiter)
    # (possessive: no backtracking positions are kept, which took memory and time per line)
    return re.compile(rf"(?<=\n)(?:[ \t{d}]{{0,{limits.max_cell_chars}}}+\n)++")


def _fast_records(blocks: Iterable[str], header_line_no: int, delimiter: str,
                  limits: Limits) -> tuple[list[str], list[list[np.ndarray]], np.ndarray] | None:
    """The header, the columns (text arrays, per block) and the row numbers of a well-formed CSV text,
    split by pandas' C parser block by block: exactly what the csv module gives, in a fraction of the
    time. None whenever the file has anything the diagnostic reader must look at: a lone carriage
    return, a quote that does not enclose a whole field on one line, a row with another number of
    fields than the header, a line longer than the cell limit, more columns or rows than the limits."""
    header: list[str] | None = None
    chunks: list[list[np.ndarray]] = []
    rows: list[np.ndarray] = []
    n_records = 0
    line = 1  # the number of the first line of the block
    quoted = _quoted_fields(delimiter)
    blank = _blank_lines(delimiter, limits)
    for block in blocks:
        if "\x00" in block:
            return None
        if "\r" in block:
            if block.count("\r") != block.count("\r\n"):
                return None
            block = block.replace("\r\n", "\n")
        first_line = line
        line += block.count("\n")
        if header is None:
            if header_line_no >= line and block.endswith("\n"):  # the header is in a later block
                continue
            start = 0
            for _ in range(header_line_no - first_line):
                start = block.find("\n", start) + 1
                if start == 0:
                    return None
            block = block[start:]
            first_line = header_line_no
        out = _fast_block(block, first_line, delimiter, limits, header, quoted, blank)
        if out is None:
            return None
        block_header, columns, block_rows = out
        if header is None:
            header = block_header
        n_records += len(block_rows)
        if n_records > limits.max_rows:
            return None
        if len(block_rows):
            chunks.append(columns)
            rows.append(block_rows)
    if header is None:
        return None
    return header, chunks, (np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64))


def _fast_block(body: str, first_line: int, delimiter: str, limits: Limits, header: list[str] | None,
                quoted: re.Pattern, blank: re.Pattern) -> tuple[list[str], list[np.ndarray], np.ndarray] | None:
    """One block of whole lines (``\\n`` line ends) for :func:`_fast_records`: (header, columns, row
    numbers), or None. Without ``header`` the block starts with the header line."""
    if not body:
        return header, [], np.zeros(0, dtype=np.int64)
    if header is not None and body.startswith("\ufeff"):  # (pandas would drop it as a byte order mark)
        return None
    # runs of blank lines are taken out first (a file of millions of empty lines is skipped at the speed
    # of a regular expression); ``removed`` maps the lines that stay back to the lines of the file
    runs = []
    if "\n\n" in body or blank.search(body):
        pieces = []
        at = 0
        kept_before = 0
        for m in blank.finditer(body):
            kept_before += body.count("\n", at, m.start())
            n = m.group().count("\n")
            runs.append((kept_before, n))
            pieces.append(body[at:m.start()])
            at = m.end()
        pieces.append(body[at:])
        body = "".join(pieces)
        del pieces
    bare = body
    if '"' in body:
        bare = quoted.sub("", body)
        if '"' in bare:
            return None
    lines = bare.split("\n")
    # every line within the limit on a cell (the diagnostic reader says which cell is too long), no
    # more columns or rows than the limits: checked before the table is built
    if max(map(len, lines)) > limits.max_cell_chars or (header is None and "\n" not in body):
        return None
    n_header = lines[0].count(delimiter) + 1 if header is None else len(header)
    n_lines = len(lines) - (1 if body.endswith("\n") else 0)
    if n_header > limits.max_columns or n_lines - (header is None) > limits.max_rows:
        return None
    if n_lines == 0:
        return header, [], np.zeros(0, dtype=np.int64)
    # a row with more fields than the header (pandas, told the width, would drop them)
    if header is not None and (np.strings.count(np.asarray(lines, dtype=np.dtypes.StringDType()), delimiter)
                               > n_header - 1).any():
        return None
    try:
        with warnings.catch_warnings():  # (a row with more fields than the header: the delimiters tell)
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(body), sep=delimiter, header=None, dtype=object, na_filter=False,
                                keep_default_na=False, engine="c", quotechar='"', doublequote=True,
                                escapechar=None, comment=None, skipinitialspace=False, skip_blank_lines=False,
                                index_col=False, low_memory=False,
                                names=None if header is None else list(range(n_header)))
    except (pd.errors.ParserError, ValueError):  # e.g. a row with more fields than the header
        return None
    del body
    if frame.shape != (n_lines, n_header):
        return None
    values = [frame[c].to_numpy(dtype=object) for c in frame.columns]
    del frame
    # blank rows (every field empty or whitespace) are skipped, as the csv reader does; the first
    # field decides which rows to look at
    string = np.dtypes.StringDType()
    first = np.asarray(values[0], dtype=string)
    candidates = np.flatnonzero(np.strings.strip(first) == "")
    for col in values[1:]:
        if not candidates.size:
            break
        sub = np.asarray(col[candidates], dtype=string)
        candidates = candidates[np.strings.strip(sub) == ""]
    if header is None and candidates.size and candidates[0] == 0:  # (the header is never blank: it has a name)
        return None
    # a row with fewer fields than the header is padded by pandas: the delimiters tell (a row with
    # more fields is an error of the parser, above)
    blank_delimiters = sum(lines[k].count(delimiter) for k in candidates.tolist())
    if bare.count(delimiter) - blank_delimiters != (n_lines - len(candidates)) * (n_header - 1):
        return None
    del lines, bare
    keep = np.ones(n_lines, dtype=bool)
    keep[candidates] = False
    if header is None:
        keep[0] = False
        header = [str(v) for v in (col[0] for col in values)]
    kept = np.flatnonzero(keep)
    all_rows = len(kept) == n_lines - 1 and not keep[0]
    columns = [first[1:] if all_rows else first[kept]]
    columns += [np.asarray(col[1:] if all_rows else col[kept], dtype=string) for col in values[1:]]
    numbers = kept.astype(np.int64)
    if runs:  # back to the lines of the file: add the blank lines taken out before each line
        starts = np.asarray([k for k, _ in runs], dtype=np.int64)
        removed = np.cumsum(np.asarray([n for _, n in runs], dtype=np.int64))
        before = np.searchsorted(starts, numbers, side="right")
        numbers = numbers + np.where(before > 0, removed[np.maximum(before - 1, 0)], 0)
    return header, columns, first_line + numbers


def _long_field_problem(line: str, row: int, delimiter: str, header: list[str] | None, limits: Limits,
                        name: str) -> Problem:
    """A CSV field longer than the limit, on line ``row`` (its text ``line``): which column, and how
    it starts."""
    column = value = None
    for j, part in enumerate(line.split(delimiter)):
        if len(part) > limits.max_cell_chars:
            value = part.strip().strip('"')[:40]
            if header is not None and j < len(header) and header[j].strip():
                column = header[j].strip().lstrip("\ufeff")
            break
    return Problem(f"de cel is langer dan de grens van {limits.max_cell_chars} tekens {LIMIT_HINT}; is er "
                   "misschien een aanhalingsteken niet gesloten?", name, row, column, value)


def _check_limits(raw: RawTable, limits: Limits) -> None:
    """Refuse a table beyond the limits (for SPSS files, whose size the file itself bounds, after
    reading; CSV and Excel files are stopped while they are read)."""
    name = raw.path.name
    df = raw.data
    if df.shape[1] > limits.max_columns:
        raise InputError(Problem(f"het bestand heeft {df.shape[1]} kolommen, meer dan de grens van "
                                 f"{limits.max_columns} {LIMIT_HINT}", name))
    if len(df) > limits.max_rows:
        raise InputError(Problem(f"het bestand heeft {len(df)} rijen met respondenten, meer dan de grens van "
                                 f"{limits.max_rows} {LIMIT_HINT}", name))
    problems = []
    for col in df.columns:
        if df[col].dtype != object:
            continue
        try:
            lengths = df[col].str.len()
        except AttributeError:  # no text in this column (e.g. only dates)
            continue
        long = np.flatnonzero((lengths > limits.max_cell_chars).to_numpy())
        for i in long[:_MAX_ROW_PROBLEMS]:
            v = df[col].iat[i]
            problems.append(Problem(f"de cel is {len(v)} tekens lang, langer dan de grens van "
                                    f"{limits.max_cell_chars} {LIMIT_HINT}", name, int(raw.row_numbers[i]),
                                    str(col), v[:40]))
    if problems:
        raise InputError(problems)


def _check_names(names: list[str], file: str) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    reported: set[str] = set()
    for i, n in enumerate(names, start=1):
        if not n:
            problems.append(Problem(f"kolom {i} heeft geen naam", file))
            continue
        if n in seen and n not in reported:
            problems.append(Problem(f"kolom '{n}' komt meer dan eens voor", file, column=n))
            reported.add(n)
        seen.add(n)
    return problems


# --------------------------------------------------------------------------- conversion

#: rows of a CSV file converted to column arrays at a time
_CSV_CHUNK = 65_536

_LEADING_ZERO = r"[+-]?0\d"
_DECIMAL_COMMA = r"[+-]?(?:\d+(?:,\d+)?|,\d+)"


def _clean_text(col: pd.Series) -> pd.Series:
    """Text cells stripped, empty → NaN, as an object column."""
    def clean(v: object) -> object:
        if isinstance(v, str):
            v = v.strip()
            return v if v else np.nan
        return v
    return col.astype(object).map(clean).astype(object)


def _as_text_column(col: pd.Series) -> pd.Series:
    """A column of a text column (``text_columns``) as text: numbers by the file's own type (SPSS numeric,
    Excel number cells) as their shortest text, whole numbers without ``.0``; text stripped; empty NaN."""
    if col.dtype.kind in "fiu":
        x = col.to_numpy(dtype=np.float64)
        out = np.full(len(x), np.nan, dtype=object)
        ok = np.isfinite(x)
        small = ok & (x == np.trunc(x)) & (np.abs(x) < 2.0**53)
        out[small] = x[small].astype(np.int64).astype(str).astype(object)
        rest = np.flatnonzero(ok & ~small)
        out[rest] = [_number_text(v) for v in x[rest].tolist()]
        return pd.Series(out, index=col.index, dtype=object)
    return pd.Series([_number_text(v) for v in col.tolist()], index=col.index, dtype=object)


_LEADING_ZERO_RE = re.compile(_LEADING_ZERO)
_DECIMAL_COMMA_RE = re.compile(_DECIMAL_COMMA)


def _columns(name: str, names: list[str], converted, notices: list[str]) -> pd.DataFrame:
    """The table from ``(series, used a decimal comma, had SPSS sysmis)`` per column, with the notices
    about decimal commas and sysmis values."""
    columns: dict[str, pd.Series] = {}
    comma_cols: list[str] = []
    sysmis = False
    for col, (series, used_comma, had_sysmis) in zip(names, converted, strict=True):
        columns[col] = series
        sysmis |= had_sysmis
        if used_comma:
            comma_cols.append(col)
    if comma_cols:
        notices.append(f"{name}: decimaalkomma herkend (kolom {', '.join(comma_cols)})")
    if sysmis:
        notices.append(f"{name}: '{_SPSS_SYSMIS}' gelezen als lege waarde")
    return pd.DataFrame(columns)


def _convert_text(values: tuple[str, ...] | list[str] | np.ndarray, allow_comma: bool,
                  text: bool = False) -> tuple[pd.Series, bool, bool]:
    """A column of CSV fields as float when every filled value is a number, else (and always with
    ``text``) as stripped text with NaN for empty cells (vectorised: a national file has 100,000+ rows).

    A column of long open answers is copied as few times as possible: stripped only when some value
    has whitespace at either end, and the numeric checks are skipped when its first filled value is
    no number (then the column cannot be numeric).

    Returns (column, decimal comma used, SPSS '#NULL!' seen)."""
    strings = np.asarray(values, dtype=np.dtypes.StringDType())
    del values
    if _outer_space(strings):
        strings = np.strings.strip(strings)
    sysmis_mask = strings == _SPSS_SYSMIS
    sysmis = bool(sysmis_mask.any())
    empty = (strings == "") | sysmis_mask
    del sysmis_mask
    if empty.all():
        return pd.Series(np.full(len(strings), np.nan, dtype=object if text else np.float64)), False, sysmis
    if not text and _maybe_number(str(strings[np.argmin(empty)]), allow_comma):
        filled = strings[~empty]
        zero_first = (np.strings.startswith(filled, "0") | np.strings.startswith(filled, "-0")
                      | np.strings.startswith(filled, "+0"))
        leading_zero = any(_LEADING_ZERO_RE.match(v) for v in filled[zero_first].tolist())
        if not leading_zero and not (np.strings.find(filled, "_") >= 0).any() and not _long_integers(filled):
            try:
                numbers = filled.astype(np.float64)
            except ValueError:
                numbers = None
            if numbers is not None and np.isfinite(numbers).all():
                out = np.full(len(strings), np.nan)
                out[~empty] = numbers
                return pd.Series(out), False, sysmis
            if (numbers is None and allow_comma and (np.strings.find(filled, ",") >= 0).any()
                    and all(_DECIMAL_COMMA_RE.fullmatch(v) for v in filled.tolist())):
                out = np.full(len(strings), np.nan)
                out[~empty] = np.strings.replace(filled, ",", ".").astype(np.float64)
                return pd.Series(out), True, sysmis
        del filled
    # one Python string per distinct value, shared by the rows that have it (a gemeente column of a
    # national file has a few hundred distinct values in a million rows)
    # (Python strings first, the text array released, then factorised: pandas' factorize of a numpy text
    # array makes a copy of its own on top)
    objects = strings.astype(object)
    del strings
    codes, uniques = pd.factorize(objects)
    del objects
    text = uniques.astype(object)[codes]
    text[empty] = np.nan
    return pd.Series(text, dtype=object), False, sysmis


def _outer_space(strings: np.ndarray) -> bool:
    """Whether any value starts or ends with a character that ``np.strings.strip`` removes (whitespace,
    and NUL), without a stripped copy of the column."""
    if not hasattr(np.strings, "slice"):  # numpy < 2.3: compare with a stripped copy
        return bool((np.strings.str_len(np.strings.strip(strings)) != np.strings.str_len(strings)).any())
    nul = np.array("\x00", dtype=strings.dtype)  # a plain "\x00" would compare as "" (true for empty values)
    for edge in (np.strings.slice(strings, 0, 1), np.strings.slice(strings, -1, None)):
        if (np.strings.isspace(edge) | (edge == nul)).any():
            return True
    return False


def _maybe_number(value: str, allow_comma: bool) -> bool:
    """Whether a (stripped, filled) value could belong to a numeric column: it converts to a float the
    way the whole column would, or is a number with a decimal comma."""
    if "_" in value:
        return False
    try:
        np.asarray([value], dtype=np.dtypes.StringDType()).astype(np.float64)
        return True
    except ValueError:
        return allow_comma and _DECIMAL_COMMA_RE.fullmatch(value) is not None


#: more digits than a float64 holds exactly: such a number is an identifier and stays text
_MAX_EXACT_DIGITS = 15
_LONG_INTEGER_RE = re.compile(r"[+-]?\d{16,}")


def _long_integers(values: np.ndarray) -> bool:
    """Whether any text value is a whole number with more than 15 digits (a respondent number of 17
    digits would be rounded as a float, making distinct respondents look like duplicates)."""
    if values.size == 0:
        return False
    strings = np.asarray(values, dtype=np.dtypes.StringDType())
    long = strings[np.strings.str_len(strings) > _MAX_EXACT_DIGITS]
    return any(_LONG_INTEGER_RE.fullmatch(v) for v in long.tolist())


def _convert(values: pd.Series, allow_comma: bool) -> tuple[pd.Series, bool, bool]:
    """An object column (Excel cell values: text, numbers, dates, ...) as float when every filled
    value is a number, else as stripped text/objects with NaN for empty cells.

    Returns (column, decimal comma used, SPSS '#NULL!' seen)."""
    is_str = values.map(lambda v: isinstance(v, str)).astype(bool)
    out = values.copy()
    if is_str.any():
        stripped = values[is_str].str.strip()
        out[is_str] = stripped
    empty = values.isna() | (is_str & (out.astype(object) == ""))
    sysmis = bool((is_str & (out == _SPSS_SYSMIS)).any())
    if sysmis:
        empty |= is_str & (out == _SPSS_SYSMIS)
    out[empty] = np.nan
    filled = out[~empty]
    if filled.empty:
        return pd.Series(np.nan, index=values.index, dtype="float64"), False, sysmis
    fill_str = is_str[~empty]
    text = filled[fill_str].astype(str)
    others = filled[~fill_str]
    numbers_ok = all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
                     for v in others)
    if numbers_ok and not text.str.match(_LEADING_ZERO).any() and not _long_integers(text.to_numpy(dtype=object)):
        num = pd.to_numeric(text, errors="coerce")
        if num.notna().all() and np.isfinite(num.to_numpy(dtype="float64")).all():
            result = pd.Series(np.nan, index=values.index, dtype="float64")
            result[num.index] = num.astype("float64")
            if len(others):
                result[others.index] = others.astype("float64")
            return result, False, sysmis
        if allow_comma and text.str.contains(",", regex=False).any() and text.str.fullmatch(_DECIMAL_COMMA).all():
            result = pd.Series(np.nan, index=values.index, dtype="float64")
            result[text.index] = text.str.replace(",", ".", regex=False).astype("float64")
            if len(others):
                result[others.index] = others.astype("float64")
            return result, True, sysmis
    return out.astype(object), False, sysmis


# --------------------------------------------------------------------------- Excel

def _cell_name(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _read_xlsx(path: Path, limits: Limits = DEFAULT_LIMITS, as_text: Callable[[str], bool] = lambda _name: False,
               allow_no_rows: bool = False) -> RawTable:
    name = path.name
    notices: list[str] = []
    _check_unpacked_size(path, limits)
    _check_shared_strings(path)
    try:
        import openpyxl

        # a file object, so that openpyxl does not refuse a workbook whose name does not end in .xlsx
        with path.open("rb") as fh, _sheets_without_size():
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
            try:
                sheets = wb.worksheets
                if not sheets:
                    raise InputError(Problem("het Excel-bestand bevat geen werkblad", name))
                ws = sheets[0]
                if len(sheets) > 1:
                    notices.append(f"{name}: alleen het eerste werkblad ('{ws.title}') gelezen; het "
                                   f"bestand heeft {len(sheets)} werkbladen")
                cells = _sheet_cells(wb, ws, limits, name)
                merged = _merged_ranges(wb, ws)
                formulas = _uncached_formulas(wb, ws)
            finally:
                wb.close()
    except InputError:
        raise
    except Exception:  # openpyxl/zipfile/XML errors of every kind
        raise InputError(Problem(BAD_EXCEL, name)) from None

    def filled(v: object) -> bool:
        return v is not None and not (isinstance(v, str) and not v.strip())

    rows = cells.head  # the first rows with a filled cell: {column index: value}
    if not rows:
        raise InputError(Problem("het bestand is leeg", name))
    width = cells.width
    # the header is the first row whose cells are mostly filled with text
    header_at = 0
    for k, (_, r) in enumerate(rows[:30]):
        n_text = sum(1 for v in r.values() if isinstance(v, str) and v.strip())
        if n_text >= 1 and n_text * 2 > width:
            header_at = k
            break
    header_row, header_cells = rows[header_at]
    if header_at:
        notices.append(f"{name}: " + ("titelregel boven de kop overgeslagen" if header_at == 1
                                      else f"{header_at} titelregels boven de kop overgeslagen"))
    bounds = sorted(((ref, _bounds(ref)) for ref in merged), key=lambda rb: (rb[1] or (0, 0, 0, 0))[1::-1])
    above = [ref for ref, b in bounds if b is None or b[3] <= header_row]
    if above:
        notices.append(f"{name}: samengevoegde cellen ({', '.join(above[:5])}"
                       f"{', …' if len(above) > 5 else ''}) gelezen als losse cellen; alleen de "
                       "eerste cel heeft de waarde")
    n_data = cells.n_rows - header_at - 1
    names = [_cell_name(header_cells.get(j)) for j in range(width)]
    n_keep = width
    while n_keep > 0 and not names[n_keep - 1]:
        if cells.has_values_after(n_keep - 1, header_at):
            break
        n_keep -= 1
    names = names[:n_keep]
    problems = _check_names(names, name)
    # merged cells among the respondents: only the first cell has the value, the others are empty,
    # so the answers of the other rows would be lost (or wrongly taken as missing)
    for ref, b in bounds:
        if b is None or b[3] <= header_row:
            continue
        min_col, min_row, _, _ = b
        first = cells.value(min_row, min_col - 1)
        column = names[min_col - 1] if min_col - 1 < len(names) and names[min_col - 1] else None
        problems.append(Problem(f"samengevoegde cellen {ref}: alleen de eerste cel heeft een waarde, de "
                                "andere zijn leeg. Maak de samenvoeging ongedaan en vul de waarde in elke cel in",
                                name, min_row, column, first if filled(first) else None))
    if not n_data and not allow_no_rows:
        problems.append(Problem(NO_RESPONDENTS, name))
    # a formula whose result was never saved (the file was written by a program that does not
    # calculate): openpyxl reads it as an empty cell, which would silently become "geen antwoord"
    for row, j, ref, formula in formulas:
        if row > header_row:
            problems.append(Problem(f"cel {ref} bevat een formule zonder opgeslagen uitkomst; open het bestand in "
                                    "Excel, laat het herberekenen en sla het op (of lever waarden in plaats van "
                                    "formules)", name, row, names[j] if j < len(names) and names[j] else None,
                                    formula))
    if problems:
        raise InputError(problems[:_MAX_ROW_PROBLEMS] + ([Problem(
            f"en nog {len(problems) - _MAX_ROW_PROBLEMS} problemen in dit bestand", name)]
            if len(problems) > _MAX_ROW_PROBLEMS else []))

    # a sheet far larger than what is filled in it (cells far to the right of or below the answers)
    # would take the memory of the whole rectangle as a table: refused before it is built
    if n_data * len(names) > max(_XLSX_DENSE_FLOOR, _XLSX_DENSE_FACTOR * cells.n_filled):
        raise InputError(Problem(
            f"het werkblad is {n_data} rijen bij {len(names)} kolommen (tot en met kolom "
            f"{_column_letter(len(names) - 1)}) groot, maar heeft maar {cells.n_filled} gevulde cellen; zo'n lege "
            "tabel zou onnodig veel geheugen kosten. Verwijder de lege rijen en kolommen, of lever alleen de "
            "ingevulde cellen", name))
    row_numbers = cells.row_numbers[header_at + 1:]
    booleans: list[Problem] = []

    def column(j: int) -> tuple[pd.Series, bool, bool]:
        values = pd.Series(cells.take(j, header_at), dtype=object)
        # an Excel TRUE/FALSE is no answer code (it would be read as 1/0)
        for k in np.flatnonzero(values.map(lambda v: v is True or v is False).to_numpy(dtype=bool)):
            booleans.append(Problem(
                f"cel {_column_letter(j)}{row_numbers[k]} bevat de Excel-waarde "
                f"{'WAAR' if values.iat[k] else 'ONWAAR'} (ja/nee) in plaats van een code of tekst; vul de code in",
                name, int(row_numbers[k]), names[j], "WAAR" if values.iat[k] else "ONWAAR"))
        if as_text(names[j]):
            return _as_text_column(values), False, False
        return _convert(values, True)

    data = _columns(name, names, (column(j) for j in range(len(names))), notices)
    if booleans:
        raise InputError(booleans[:_MAX_ROW_PROBLEMS] + ([Problem(
            f"en nog {len(booleans) - _MAX_ROW_PROBLEMS} cellen met WAAR/ONWAAR", name)]
            if len(booleans) > _MAX_ROW_PROBLEMS else []))
    return RawTable(path=path, kind="xlsx", data=data, row_numbers=row_numbers, notices=notices)


#: a table of more cells than this is refused when fewer than 1 in _XLSX_DENSE_FACTOR cells are filled
_XLSX_DENSE_FLOOR = 20_000_000
_XLSX_DENSE_FACTOR = 100


class _SheetCells:
    """The filled cells of a worksheet (not None, not only whitespace), kept column by column: per
    column the positions of its filled cells among the rows that have any, and their values. Memory
    grows with the filled cells, not with how far a row reaches or how large a sheet says it is."""

    def __init__(self) -> None:
        from array import array

        self._array = array
        #: sheet row number of each row that has a filled cell
        self.rows = array("i")
        self._positions: dict[int, object] = {}
        self._values: dict[int, list] = {}
        #: the first rows with a filled cell: (sheet row, {column index: value})
        self.head: list[tuple[int, dict[int, object]]] = []
        #: 1 + the largest column index with a filled cell
        self.width = 0
        self.n_filled = 0

    def add(self, row: int, values: dict[int, object]) -> None:
        k = len(self.rows)
        self.rows.append(row)
        for j, v in values.items():
            positions = self._positions.get(j)
            if positions is None:
                positions = self._positions[j] = self._array("i")
                self._values[j] = []
            positions.append(k)
            self._values[j].append(v)
        self.width = max(self.width, max(values) + 1)
        self.n_filled += len(values)
        if len(self.head) < 31:  # (the header is looked for in the first 30)
            self.head.append((row, values))

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def row_numbers(self) -> np.ndarray:
        return np.frombuffer(self.rows, dtype=np.intc).astype(np.int64)

    def has_values_after(self, j: int, k: int) -> bool:
        """Whether column ``j`` has a filled cell in a row after the ``k``-th."""
        positions = self._positions.get(j)
        return bool(positions) and positions[-1] > k

    def value(self, row: int, j: int) -> object:
        """The value in sheet row ``row``, column ``j`` (None when empty)."""
        import bisect

        k = bisect.bisect_left(self.rows, row)
        positions = self._positions.get(j)
        if k == len(self.rows) or self.rows[k] != row or positions is None:
            return None
        at = bisect.bisect_left(positions, k)
        return self._values[j][at] if at < len(positions) and positions[at] == k else None

    def take(self, j: int, k: int) -> np.ndarray:
        """Column ``j`` of the rows after the ``k``-th as an object array (None where empty); the
        column's cells are released."""
        out = np.full(max(self.n_rows - k - 1, 0), None, dtype=object)
        positions = self._positions.pop(j, None)
        values = self._values.pop(j, None)
        if positions is None:
            return out
        at = np.frombuffer(positions, dtype=np.intc)
        held = np.empty(len(values), dtype=object)
        held[:] = values
        below = at > k
        out[at[below] - k - 1] = held[below]
        return out


@contextlib.contextmanager
def _sheets_without_size():
    """openpyxl opens a read-only worksheet by looking for its size: in a sheet without a
    ``<dimension>`` element it parses the whole sheet for that, keeping every cell element (a few
    gigabytes for a sheet of millions of empty cells). The size is not used here (the reader takes
    the cells that are there), so that look is skipped while the workbook is opened."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    original = ReadOnlyWorksheet._get_size
    ReadOnlyWorksheet._get_size = lambda self: None
    try:
        yield
    finally:
        ReadOnlyWorksheet._get_size = original


#: Excel's last column (XFD) and row
_EXCEL_COLUMNS = 16_384
_EXCEL_ROWS = 1_048_576


def _sheet_cells(wb: object, ws: object, limits: Limits, name: str) -> _SheetCells:
    """The filled cells of a read-only worksheet, streamed: every cell is converted by openpyxl's own
    cell parser (shared strings, dates, numbers) and released at once, so that neither a row that
    reaches column XFD nor a sheet of a million empty styled cells takes memory. A filled cell beyond
    the column limit and a row beyond the row limit stop the reading. The rows are those openpyxl
    gives: a row that does not come after the previous one is skipped."""
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    row_tag, cell_tag, data_tag = (f"{{{SHEET_MAIN_NS}}}{t}" for t in ("row", "c", "sheetData"))
    parser = WorkSheetParser(None, ws._shared_strings, data_only=True, epoch=wb.epoch,
                             date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
    out = _SheetCells()
    last = 0  # the last row openpyxl would give
    max_rows = limits.max_rows + 30  # (a few title rows above the header)

    def too_many_rows(row: int) -> InputError:
        return InputError(Problem(f"het werkblad heeft meer dan {limits.max_rows} rijen met respondenten, de "
                                  f"grens {LIMIT_HINT}", name, row))

    with wb._archive.open(ws._worksheet_path) as src:  # read-only mode has no public API for this
        parent = row_el = None
        row = last_column = 0
        values: dict[int, object] = {}
        for event, el in iterparse(src, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == row_tag:
                    r = el.get("r")
                    row = int(float(r)) if r else parser.row_counter + 1
                    parser.row_counter, parser.col_counter = row, 0
                    row_el, values, last_column = el, {}, 0
                    if row > last + 1 and row - 1 > max_rows:  # (rows in between count as empty rows)
                        raise too_many_rows(max(last + 1, max_rows + 2))
                elif tag == data_tag:
                    parent = el
                continue
            if tag == cell_tag and row_el is not None:
                cell = parser.parse_cell(el)
                j, v = cell["column"] - 1, cell["value"]
                last_column = j
                if j >= _EXCEL_COLUMNS or row > _EXCEL_ROWS:
                    raise InputError(Problem("deze rij heeft een cel voorbij kolom XFD of rij 1048576, de grenzen "
                                             "van Excel; het bestand is beschadigd of niet door Excel gemaakt. "
                                             "Sla het opnieuw op in Excel", name, row))
                if v is None or (isinstance(v, str) and not v.strip()):
                    values.pop(j, None)
                else:
                    if j >= limits.max_columns:
                        raise InputError(Problem(f"het werkblad heeft meer dan {limits.max_columns} kolommen, de "
                                                 f"grens {LIMIT_HINT}", name, row))
                    values[j] = v
                row_el.clear()  # (the row's attributes were read at its start)
            elif tag == row_tag:
                if row > last:
                    if row - 1 > max_rows:
                        raise too_many_rows(row)
                    last = row
                    # (openpyxl ends a row at its last cell: a cell further right that came earlier is lost)
                    values = {j: v for j, v in values.items() if j <= last_column}
                    if values:
                        out.add(row, values)
                row_el = None
                el.clear()
                if parent is not None:
                    parent.clear()
    return out


def _check_shared_strings(path: Path) -> None:
    """Refuse an .xlsx whose shared-strings table has more entries than the workbook has cells (and
    more than a million): each entry is a text some cell uses, so such a table is made to fill the
    memory. Both are counted by streaming the archive's parts, before anything is built."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            strings = [i for i in infos if i.filename.lower().endswith("sharedstrings.xml")]
            if not strings:
                return
            n_strings = sum(_count_tags(zf, i, _SHARED_STRING_TAG) for i in strings)
            if n_strings <= _MAX_FREE_SHARED_STRINGS:
                return
            n_cells = sum(_count_tags(zf, i, _CELL_TAG) for i in infos if i not in strings)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        return  # reported as a damaged file by the reader
    if n_strings > n_cells:
        raise InputError(Problem(
            f"de tabel met teksten van het Excel-bestand ({strings[0].filename}) heeft {n_strings} teksten, meer dan "
            f"de {n_cells} cellen van het bestand; het bestand is beschadigd of zo gemaakt dat het het geheugen "
            "vult. Sla het opnieuw op in Excel", path.name))


#: a shared-strings table of at most this many entries is read without counting the cells
_MAX_FREE_SHARED_STRINGS = 1_000_000
_SHARED_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


def _count_tags(zf: zipfile.ZipFile, info: zipfile.ZipInfo, tag: re.Pattern) -> int:
    """How often ``tag`` (a pattern that starts with '<' and holds no other) occurs in a part of the
    archive, read in pieces of a megabyte (:func:`_xml_pieces`)."""
    with zf.open(info) as src:
        return sum(sum(1 for _ in tag.finditer(piece, 0, end)) for piece, end in _xml_pieces(src))


def _xml_pieces(src) -> Iterator[tuple[bytes, int]]:
    """An XML stream in pieces of a megabyte, as (buffer, end): search ``buffer[:end]``. Each piece is cut just
    before a '<', so that no tag is split; the rest goes with the next piece (the last piece is the rest)."""
    carry = b""
    while chunk := src.read(1 << 20):
        chunk = carry + chunk
        cut = chunk.rfind(b"<")
        if cut <= 0:
            carry = chunk if len(chunk) < 1 << 16 else b""
            continue
        yield chunk, cut
        carry = chunk[cut:]
    yield carry, len(carry)


def _column_letter(j: int) -> str:
    """The Excel column letters of the column with index ``j`` (0 → A)."""
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(j + 1)


def _check_unpacked_size(path: Path, limits: Limits) -> None:
    """Refuse an .xlsx whose parts together unpack to more than the limit (a zip bomb, or a cell of a
    gigabyte), before anything is unpacked. The sizes come from the archive's directory; the zip
    reader never gives more bytes than it says there."""
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # reported as a damaged file by the reader
    if unpacked > limits.max_xlsx_bytes:
        size = number(unpacked / 1_000_000, 1)
        raise InputError(Problem(f"het Excel-bestand is uitgepakt {size} MB groot, meer dan de grens van "
                                 f"{limits.max_xlsx_mb} MB {LIMIT_HINT}", path.name))


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _uncached_formulas(wb: object, ws: object) -> list[tuple[int, int, str, str]]:
    """(row, column index, cell reference, formula) of every formula cell of a read-only worksheet
    that has no saved result. Streamed: the sheet is scanned for formulas first, and parsed only
    when it has any."""
    import xml.etree.ElementTree as ET

    try:
        with wb._archive.open(ws._worksheet_path) as src:  # read-only mode has no public API for this
            tail = b""
            while chunk := src.read(1 << 20):
                if _FORMULA_TAG.search(tail + chunk):
                    break
                tail = chunk[-16:]
            else:
                return []
        found = []
        with wb._archive.open(ws._worksheet_path) as src:
            row = 0
            col = -1
            for event, el in ET.iterparse(src, events=("start", "end")):
                tag = el.tag.rsplit("}", 1)[-1]
                if event == "start":
                    if tag == "row":
                        row = int(el.get("r") or row + 1)
                        col = -1
                    continue
                if tag == "c":
                    ref = el.get("r")
                    if ref:
                        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

                        letters, row = coordinate_from_string(ref)
                        col = column_index_from_string(letters) - 1
                    else:
                        col += 1
                        ref = f"{_column_letter(col)}{row}"
                    f = v = None
                    for child in el:
                        ctag = child.tag.rsplit("}", 1)[-1]
                        if ctag == "f":
                            f = child
                        elif ctag == "v":
                            v = child
                    # (a formula whose saved result is the empty text has t="str" and an empty <v>)
                    if f is not None and (v is None or (not (v.text or "").strip() and el.get("t") != "str")):
                        found.append((row, col, ref, "=" + f.text if f.text else None))
                    el.clear()
                elif tag == "row":
                    el.clear()
        return found
    except Exception:
        return []


def _bounds(ref: str) -> tuple[int, int, int, int] | None:
    """(first column, first row, last column, last row) of a cell range such as ``B3:B20``."""
    from openpyxl.utils.cell import range_boundaries

    try:
        b = range_boundaries(ref)
    except (ValueError, TypeError):
        return None
    return None if any(x is None for x in b) else b


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


def _merged_ranges(wb: object, ws: object) -> list[str]:
    """Merged cell ranges of a read-only worksheet (read-only mode does not parse them), streamed in
    pieces of a megabyte (:func:`_xml_pieces`)."""
    found: list[str] = []
    try:
        with wb._archive.open(ws._worksheet_path) as src:  # read-only mode has no public API for this
            for piece, end in _xml_pieces(src):
                found += (m.decode("ascii") for m in _MERGE_RE.findall(piece, 0, end))
    except Exception:
        return []
    return found
