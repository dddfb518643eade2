"""The fast path of the CSV reader (pandas' C parser for well-formed files) gives exactly what the
diagnostic reader (the csv module, row by row) gives: the same table (values, dtypes), row numbers,
notices and problems, for generated CSV files of every shape, and it stands aside for anything unusual.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceo.core.problems import InputError
from ceo.io import readers
from ceo.io.limits import Limits
from ceo.io.readers import read_table

#: cell texts chosen to hit every conversion rule (numbers, decimal comma, leading zeros, long
#: integers, SPSS sysmis, whitespace, delimiters and quotes inside text, non-ASCII)
CELLS = ["", " ", "1", "2", "8", "007", "7", "-3", "+4", "1e3", "2.5", "1,5", " 3 ", "#NULL!", "nan", "NA",
         "inf", "1_000", "12345678901234567", "abc", "a b", "Dordrecht", "GM0505", "0505", "é", "Zuid–Holland",
         "\u00a0", "x;y", "x,y", "x\ty", 'zeg "ja"', "'", "\x0c", "\x0b", "\x1a", "\x1c", "\x85", "\u2028",
         "#", "# opmerking", "\x00", "\ufeff"]
NAMES = ["respondent_id", "gemeentecode", "v01", "v02", "rapportcijfer", "opmerking", "", " v03 ", "v01"]


def _field(text: str, delimiter: str, quote: str) -> str:
    if quote == "always" or (quote == "needed" and (delimiter in text or '"' in text)):
        return '"' + text.replace('"', '""') + '"'
    if quote == "space":  # a space before the quote: the quote is then part of the text
        return ' "' + text.replace('"', '""') + '"'
    return text


@st.composite
def csv_files(draw) -> tuple[bytes, str]:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    n_cols = draw(st.integers(1, 5))
    names = draw(st.lists(st.sampled_from(NAMES[:6]), min_size=n_cols, max_size=n_cols, unique=True)
                 | st.lists(st.sampled_from(NAMES), min_size=n_cols, max_size=n_cols))
    quote = draw(st.sampled_from(["needed", "needed", "needed", "always", "space"]))
    rows = draw(st.lists(st.lists(st.sampled_from(CELLS), min_size=n_cols, max_size=n_cols), max_size=8))
    lines = [delimiter.join(_field(n, delimiter, "needed" if quote == "space" else quote) for n in names)]
    for row in rows:
        kind = draw(st.sampled_from(["ok"] * 12 + ["short", "long", "blank", "delimiters", "multiline"]))
        fields = [_field(c, delimiter, quote) for c in row]
        if kind == "short" and len(fields) > 1:
            fields = fields[:-1]
        elif kind == "long":
            fields = [*fields, draw(st.sampled_from(["", "9"]))]
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", " ", '""'])))
        elif kind == "delimiters":
            lines.append(delimiter * (n_cols - 1))
        elif kind == "multiline":
            fields[0] = '"een\nopen antwoord"'
        lines.append(delimiter.join(fields))
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from(["Cliëntervaringsonderzoek 2025", "", "Titel;"])))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 2]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    return data, draw(st.sampled_from(["wmo.csv", "wmo.txt"]))


def _read(path: Path, limits: Limits | None = None, **kwargs) -> tuple[str, object]:
    try:
        return "ok", read_table(path, limits, **kwargs)
    except InputError as exc:
        return "fout", [str(p) for p in exc.problems]


def _same(fast: tuple[str, object], slow: tuple[str, object]) -> None:
    assert fast[0] == slow[0], (fast, slow)
    if fast[0] == "fout":
        assert fast[1] == slow[1]
        return
    a, b = fast[1], slow[1]
    pd.testing.assert_frame_equal(a.data, b.data, check_dtype=True, check_exact=True)
    assert [a.data[c].map(type).tolist() for c in a.data] == [b.data[c].map(type).tolist() for c in b.data]
    assert a.row_numbers.tolist() == b.row_numbers.tolist()
    assert a.notices == b.notices and a.kind == b.kind


@pytest.fixture
def diagnostic_only(monkeypatch):
    """A switch: inside ``with diagnostic_only():`` the fast path is off."""
    from contextlib import contextmanager

    @contextmanager
    def switch():
        with monkeypatch.context() as m:
            m.setattr(readers, "_fast_records", lambda *args, **kwargs: None)
            yield

    return switch


def _spy(monkeypatch) -> list[bool]:
    """Records, per CSV read, whether the fast path took the file."""
    taken: list[bool] = []
    original = readers._fast_records

    def spy(*args, **kwargs):
        out = original(*args, **kwargs)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(readers, "_fast_records", spy)
    return taken


USED: list[bool] = []


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                            HealthCheck.too_slow])
@given(csv_files(), st.sampled_from([None, True, ["respondent_id", "V01"]]))
def test_fast_path_equals_the_diagnostic_reader(tmp_path, monkeypatch, diagnostic_only, file, text_columns):
    data, name = file
    path = tmp_path / name
    path.write_bytes(data)
    with monkeypatch.context() as m:
        taken = _spy(m)
        fast = _read(path, text_columns=text_columns)
    with diagnostic_only():
        slow = _read(path, text_columns=text_columns)
    _same(fast, slow)
    USED.extend(taken)


def test_the_generated_files_exercise_both_paths():
    """(runs after the property test in file order) the fast path took many files and declined many:
    the equality above is not between two runs of the same reader."""
    if not USED:
        pytest.skip("the property test did not run")
    assert 0.2 < np.mean(USED) < 0.95, np.mean(USED)


def test_a_plain_file_takes_the_fast_path_and_gives_the_same_table(tmp_path, monkeypatch, diagnostic_only):
    rng = np.random.default_rng(1)
    n = 3000
    frame = pd.DataFrame({"respondent_id": [f"{i:06d}" for i in range(n)], "gemeentecode": "GM0505",
                          "v01": rng.integers(1, 6, n).astype(str), "leeftijd": rng.integers(18, 99, n).astype(str),
                          "opmerking": np.where(rng.random(n) < 0.1, 'heel "fijn", dank', "")})
    path = tmp_path / "wmo.csv"
    frame.to_csv(path, index=False, sep=";")
    with monkeypatch.context() as m:
        taken = _spy(m)
        fast = _read(path)
    assert taken == [True]
    with diagnostic_only():
        slow = _read(path)
    _same(fast, slow)
    table = fast[1]
    assert table.data["v01"].dtype == np.float64 and table.data["respondent_id"].iat[7] == "000007"
    assert table.data["opmerking"].iat[int(np.flatnonzero(frame["opmerking"] != "")[0])] == 'heel "fijn", dank'
    assert table.row_numbers.tolist() == list(range(2, n + 2))


@pytest.mark.parametrize("text, why", [
    ("a,b\n1,2\n3\n", "a row with fewer fields"),
    ("a,b\n1,2\n3,4,5\n", "a row with more fields"),
    ('a,b\n1,"x\ny"\n', "a field over two lines"),
    ('a,b\n1, "x"\n', "a quote that does not start the field"),
    ('a,b\n1,x"y\n', "a quote inside a field"),
    ("a,b\r1,2\r", "carriage returns only"),
])
def test_the_fast_path_stands_aside_for_anything_unusual(tmp_path, monkeypatch, diagnostic_only, text, why):
    path = tmp_path / "wmo.csv"
    path.write_text(text, encoding="utf-8", newline="")
    with monkeypatch.context() as m:
        taken = _spy(m)
        fast = _read(path)
    assert taken == [False], why
    with diagnostic_only():
        _same(fast, _read(path))


def test_limits_hold_on_the_fast_path(tmp_path, monkeypatch, diagnostic_only):
    """A file beyond a limit is refused with the same located message, whichever path reads it."""
    path = tmp_path / "wmo.csv"
    path.write_text("a,b,c\n" + "".join(f"{i},x,y\n" for i in range(11)), encoding="utf-8")
    for limits in (Limits(max_rows=5), Limits(max_columns=2), Limits(max_cell_chars=1)):
        fast = _read(path, limits)
        with diagnostic_only():
            slow = _read(path, limits)
        assert fast[0] == "fout" and fast == slow, limits
    path.write_text("a,b\n1," + "x" * 50 + "\n", encoding="utf-8")
    with monkeypatch.context() as m:
        taken = _spy(m)
        fast = _read(path, Limits(max_cell_chars=40))
    assert taken == [False] and fast[0] == "fout"
    assert "grens van 40 tekens" in fast[1][0] and "rij 2, kolom 'b'" in fast[1][0]
