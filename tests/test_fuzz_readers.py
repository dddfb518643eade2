"""Fuzzing the readers: mutated CSV, SPSS and Excel files either give a table or the project's own error.

Every mutation of a valid delivery (cut off, bytes overwritten, delimiters, quotes, NUL bytes and
line breaks inserted, lines doubled or dropped, another encoding) goes through
:func:`ceo.io.readers.read_table` and, when that returns a table, through :func:`ceo.validate.harmonise.harmonise`
with the Wmo codebook. Both must either return or raise :class:`ceo.core.problems.CeoError` with Dutch
problems that can be printed; any other exception (or a crash of the process) is a bug. Mutated
codebooks and mapping files get the same treatment. The examples are fixed (``derandomize``), so a
run is reproducible; explore further by raising ``max_examples`` locally.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceo.cli import format_problems
from ceo.core.problems import CeoError
from ceo.io.readers import RawTable, read_table
from ceo.validate.codebook import get_codebook
from ceo.validate.harmonise import harmonise
from ceo.validate.mapping import load_mapping

CORPUS = Path(__file__).resolve().parent / "data" / "bad"
#: a valid ';'-separated Wmo delivery, cut to a header and 8 respondents (keeps every example quick)
CSV = b"\r\n".join((CORPUS / "csv_bom" / "wmo_2025.csv").read_bytes().split(b"\r\n")[:9]) + b"\r\n"
#: a valid SPSS delivery with the agency's names (RESPNR, V1, ...) and its mapping
SAV = (CORPUS / "mapping_onbekende_variabele" / "wmo_2025.sav").read_bytes()
MAPPING = CORPUS / "sav_afgekapt" / "mapping_wmo.yaml"
XLSX = (CORPUS / "xlsx_titelrij" / "wmo_2025.xlsx").read_bytes()

FUZZ = settings(max_examples=500, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_SPECIAL = [b";", b",", b"\t", b'"', b"\x00", b"\n", b"\r", b"\r\n", b"\xff", b"\xef\xbb\xbf", b"\xc3",
            b"#NULL!", b"1e400", b"-", b"0", b" ", b"\xe9", b"\x1a"]


@st.composite
def mutated(draw, data: bytes, text: bool) -> bytes:
    """``data`` after 1 to 4 random edits; ``text``: also edits that make sense for text files."""
    out = bytearray(data)
    kinds = ["cut", "flip", "insert", "delete", "overwrite"]
    if text:
        kinds += ["line_twice", "line_dropped", "encoding", "insert_line"]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(kinds))
        n = len(out)
        at = draw(st.integers(0, max(n, 0)))
        if kind == "cut":
            del out[at:]
        elif kind == "flip" and n:
            i = min(at, n - 1)
            out[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            out[at:at] = draw(st.sampled_from(_SPECIAL) | st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del out[at:at + draw(st.integers(1, 64))]
        elif kind == "overwrite" and n:
            chunk = draw(st.binary(min_size=1, max_size=16))
            out[at:at + len(chunk)] = chunk
        elif kind in ("line_twice", "line_dropped", "insert_line"):
            lines = bytes(out).split(b"\n")
            k = draw(st.integers(0, len(lines) - 1))
            if kind == "line_twice":
                lines.insert(k, lines[k])
            elif kind == "line_dropped":
                del lines[k]
            else:
                lines.insert(k, draw(st.sampled_from([b"", b";;;;", b'"', b"titel", b"a,b,c", b"\x00\x00"])))
            out = bytearray(b"\n".join(lines))
        elif kind == "encoding":
            as_text = bytes(out).decode("utf-8", errors="replace")
            encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "utf-32",
                                             "utf-8-sig", "ascii"]))
            out = bytearray(as_text.encode(encoding, errors="replace"))
    return bytes(out)


@pytest.fixture(scope="module")
def wmo():
    return get_codebook("wmo")


@pytest.fixture(scope="module")
def mapping(wmo):
    return load_mapping(MAPPING, wmo)


def check(data: bytes, name: str, codebook, mapping=None) -> None:
    """Read and harmonise ``data`` as a file called ``name``: a table or a CeoError, nothing else."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            raw = read_table(path)
        except CeoError as exc:
            assert_printable(exc)
            return
        assert isinstance(raw, RawTable)
        assert len(raw.row_numbers) == len(raw.data)
        assert raw.data.columns.is_unique and all(isinstance(c, str) and c for c in raw.data.columns)
        assert all(isinstance(n, str) for n in raw.notices)
        if raw.kind != "sav":
            assert (np.diff(raw.row_numbers) > 0).all()
        try:
            harmonised = harmonise([raw], codebook, mapping)
        except CeoError as exc:
            assert_printable(exc)
            return
        assert len(harmonised.data) == len(raw.data)


def assert_printable(exc: CeoError) -> None:
    assert exc.problems
    for line in format_problems(exc.problems):
        assert isinstance(line, str) and line
        assert "Traceback" not in line


@FUZZ
@given(mutated(CSV, text=True))
def test_mutated_csv(wmo, data):
    check(data, "wmo_2025.csv", wmo)


@FUZZ
@given(mutated(SAV, text=False))
def test_mutated_sav(wmo, mapping, data):
    check(data, "wmo_2025.sav", wmo, mapping)


@settings(FUZZ, max_examples=80)
@given(mutated(XLSX, text=False))
def test_mutated_xlsx(wmo, data):
    check(data, "wmo_2025.xlsx", wmo)


@settings(FUZZ, max_examples=150)
@given(st.binary(max_size=600), st.sampled_from(["x.csv", "x.sav", "x.xlsx", "x.txt"]))
def test_random_bytes(wmo, data, name):
    check(data, name, wmo)


@settings(FUZZ, max_examples=150)
@given(st.text(alphabet=st.sampled_from(list(';,\t"\n\r 0123456789GMabc#NULL!é\x00')), max_size=300))
def test_random_text(wmo, text):
    check(text.encode("utf-8"), "x.csv", wmo)


_WMO_COLUMNS = ["respondent_id", "gemeentecode", *[f"v{k:02d}" for k in range(1, 11)], "rapportcijfer", "leeftijd",
                "geslacht", "voorziening", "hulp_invullen"]
#: values that have tripped up readers and validation elsewhere: special floats, codes and names, numbers
#: with separators, identifiers with leading zeros, personal data
_TRICKY = ["", "1", "2", "8", "9", "99", "0", "-0", "1.5", "1,5", "nan", "NaN", "inf", "-inf", "1e308", "1e400", "None",
           "null", "#NULL!", "GM0505", "505", "0505", "Dordrecht", "dordrecht ", "GM9999", "Hellevoetsluis",
           "'s-Gravenhage", "Bergen", "99999999999999999999", "18", "110", "111", "1948", "-1", "  ", "ja", "é",
           "\u00a0", "1_000", "0x10", "1 000", "+5", "00123", "12345678", "123456782", "a@b.nl", "3311 AB", "S?dwest"]


@settings(FUZZ, max_examples=150)
@given(st.lists(st.lists(st.sampled_from(_TRICKY), min_size=len(_WMO_COLUMNS), max_size=len(_WMO_COLUMNS)),
                min_size=1, max_size=6), st.sampled_from([";", ","]))
def test_tricky_values(wmo, rows, delimiter):
    def field(x: str) -> str:
        return f'"{x}"' if delimiter in x else x
    lines = [delimiter.join(_WMO_COLUMNS), *(delimiter.join(map(field, r)) for r in rows)]
    check(("\n".join(lines) + "\n").encode("utf-8"), "wmo_2025.csv", wmo)


# --------------------------------------------------------------------------- codebooks and mappings

_YAML_TOKENS = ["[", "]", "{", "}", ":", "- ", "null", "true", "1", "-1", "1.5", "[1, 2]", "{a: 1}", "''", "~",
                "&a", "*a", "\t", "  ", "\n", "x", "'", '"', "2099", "0", "[]", "{}", "?", "!!binary aGk="]


@st.composite
def mutated_yaml(draw, text: str) -> str:
    """``text`` with 1 to 4 lines changed: a value replaced, a token inserted, a line dropped or doubled."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(0, len(lines) - 1))
        line = lines[k]
        kind = draw(st.sampled_from(["value", "insert", "drop", "double"]))
        if kind == "value" and ":" in line:
            lines[k] = line[:line.index(":") + 1] + " " + draw(st.sampled_from(_YAML_TOKENS))
        elif kind == "insert":
            at = draw(st.integers(0, len(line)))
            lines[k] = line[:at] + draw(st.sampled_from(_YAML_TOKENS)) + line[at:]
        elif kind == "drop" and len(lines) > 1:
            del lines[k]
        else:
            lines.insert(k, line)
    return "\n".join(lines)


_CODEBOOK = (Path(__file__).resolve().parent.parent / "surveys" / "wmo.yaml").read_text(encoding="utf-8")


@settings(FUZZ, max_examples=200)
@given(mutated_yaml(_CODEBOOK))
def test_mutated_codebook(text):
    """A project's own codebook with mistakes: loaded, or every mistake reported; never a crash."""
    from ceo.validate.codebook import load_codebook

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wmo.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_codebook(path)
        except CeoError as exc:
            assert_printable(exc)


@settings(FUZZ, max_examples=200)
@given(mutated_yaml(MAPPING.read_text(encoding="utf-8")))
def test_mutated_mapping(wmo, text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mapping_wmo.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_mapping(path, wmo)
        except CeoError as exc:
            assert_printable(exc)


def test_the_seeds_are_valid(wmo, mapping):
    """The unmutated files are valid deliveries (so the mutations start from something good)."""
    for data, name, m in ((CSV, "wmo_2025.csv", None), (SAV, "wmo_2025.sav", mapping), (XLSX, "wmo_2025.xlsx", None)):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            harmonised = harmonise([read_table(path)], wmo, m)
            assert len(harmonised.data) > 0
