"""The fast paths of issue 13 give exactly (bit for bit, byte for byte) what the plain paths give.

* the estimates with and without fpc from one set of per-stratum sums, and the sums shared between the
  estimates and the comparisons with the rest of the region (``shared_sums``);
* the CSV writer (floats as ``repr``, in blocks of rows) against ``DataFrame.to_csv``;
* the streamed xlsx sheets against the sheet XML written at once;
* the formula neutralisation, which looks at each distinct value once.
"""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest

from ceo.core.safetext import is_formula_like, neutralise_frame
from ceo.io import xlsx
from ceo.output import exports
from ceo.stats import estimation as E


def _sample(seed: int = 7, n: int = 3000) -> tuple[pd.DataFrame, dict, dict]:
    rng = np.random.default_rng(seed)
    codes = np.array([f"GM{i:04d}" for i in range(1, 13)])
    g = rng.integers(0, len(codes), n)
    g[g == 11] = 10
    g[0] = 11  # GM0012 has one respondent: a lonely stratum
    pop = rng.integers(400, 3000, len(codes)).astype(float)
    pop[3] = np.nan  # unknown population: no fpc there
    data = pd.DataFrame({
        "gm": codes[g], "w": rng.lognormal(0, 0.4, n), "N": pop[g],
        "sex": rng.integers(0, 2, n), "age": rng.integers(0, 3, n),
        "groep": np.where(rng.random(n) < 0.05, None, rng.choice(["a", "b", "c"], n)),
    })
    for j in range(5):
        y = (rng.random(n) < 0.3 + 0.1 * j).astype(float)
        y[rng.random(n) < 0.1] = np.nan
        data[f"y{j}"] = y
    data["mark"] = np.where(rng.random(n) < 0.05, np.nan, rng.integers(1, 11, n).astype(float))
    areas = {**{c: [c] for c in codes}, "R1": list(codes[:6]), "R2": list(codes[6:]), "NL": list(codes)}
    regions = {"R1": list(codes[:6]), "R2": list(codes[6:])}
    return data, areas, regions


def _calibration(data: pd.DataFrame, kind: str) -> E.Calibration | None:
    if kind == "geen":
        return None
    cells = [pd.factorize(data["gm"] + ":" + data[c].astype(str))[0] for c in ("sex", "age")]
    if kind == "poststratificatie":
        return E.Calibration("poststratificatie", pd.factorize(data["gm"] + ":" + data["sex"].astype(str)
                                                                + data["age"].astype(str))[0])
    return E.Calibration("raking", np.column_stack(cells))


VARIABLES = ["y0", "y1", "y2", "y3", "y4", "mark"]


@pytest.mark.parametrize("kind", ["geen", "poststratificatie", "raking"])
@pytest.mark.parametrize("by", [None, "groep"])
def test_with_and_without_fpc_equal_two_separate_calls(kind, by):
    data, areas, _ = _sample()
    cal = _calibration(data, kind)
    common = dict(stratum="gm", weight="w", areas=areas, by=by, calibration=cal)
    with_fpc, plain = E.domain_estimates_with_and_without_fpc(data, VARIABLES, population="N", **common)
    pd.testing.assert_frame_equal(with_fpc, E.domain_estimates(data, VARIABLES, population="N", **common),
                                  check_exact=True)
    pd.testing.assert_frame_equal(plain, E.domain_estimates(data, VARIABLES, population=None, **common),
                                  check_exact=True)
    # the fpc makes a difference here, so the check can fail
    assert not np.allclose(with_fpc["se"], plain["se"], equal_nan=True)


@pytest.mark.parametrize("kind", ["geen", "raking"])
def test_shared_sums_give_the_same_numbers(kind, monkeypatch):
    data, areas, regions = _sample(11)
    cal = _calibration(data, kind)
    shared: dict = {}
    common = dict(stratum="gm", weight="w", population="N", calibration=cal)
    cmp_common = dict(common, regions=regions, proportions=VARIABLES[:5])
    E.domain_estimates_with_and_without_fpc(data, VARIABLES, areas=areas, shared_sums=shared, **common)
    E.domain_estimates_with_and_without_fpc(data, VARIABLES[:3], areas=areas, by="groep", shared_sums=shared,
                                            **common)
    assert len(shared) == 2
    calls = []
    real = E._design_sums
    monkeypatch.setattr(E, "_design_sums", lambda *a, **k: calls.append(a) or real(*a, **k))
    # the first variables of a cached call (a slice of its sums), and the same call again
    for variables, by in ((VARIABLES[:4], None), (VARIABLES[:3], "groep")):
        cached = E.compare_with_rest_of_region(data, variables, by=by, shared_sums=shared, **cmp_common)
        fresh = E.compare_with_rest_of_region(data, variables, by=by, **cmp_common)
        pd.testing.assert_frame_equal(cached, fresh, check_exact=True)
    assert len(calls) == 2  # only the fresh ones computed sums
    # variables that are no prefix of a cached call are computed (and cached)
    E.compare_with_rest_of_region(data, ["mark"], shared_sums=shared, **cmp_common)
    assert len(calls) == 3 and len(shared) == 3


def _tricky_frame() -> pd.DataFrame:
    floats = np.array([0.1, 1 / 3, -0.0, 0.0, 1e16, 1e-5, 1e-4, 123456789012345.6, 5e-324, np.inf, -np.inf,
                       np.nan, 2.0, -7.25, 1.7976931348623157e308, 9999999999999998.0])
    n = len(floats)
    with np.errstate(over="ignore"):
        f32 = floats.astype(np.float32)
    return pd.DataFrame({
        "f": floats,
        "f32": f32,
        "i": np.arange(n),
        "I": pd.array([1, None] * (n // 2), dtype="Int64"),
        "s": ["a,b", 'he said "x"', "", None, "line\nbreak", "=1+1", "-3.5", "é"] * (n // 8),
        "st": pd.array(["x", None] * (n // 2), dtype="str"),
        "b": [True, False] * (n // 2),
    })


@pytest.mark.parametrize("rows", [1, 3, 1000])
def test_csv_writer_equals_pandas(tmp_path, monkeypatch, rows):
    monkeypatch.setattr(exports, "_CSV_ROWS", rows)
    frame = pd.concat([_tricky_frame()] * 3, ignore_index=True)
    exports._to_csv(frame, tmp_path / "fast.csv")
    frame.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8", lineterminator="\n")
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
    exports._to_csv(frame.iloc[:0], tmp_path / "empty.csv")
    assert (tmp_path / "empty.csv").read_bytes() == frame.iloc[:0].to_csv(index=False).encode()


def test_xlsx_streamed_equals_whole_sheet(tmp_path, monkeypatch):
    frame = pd.concat([_tricky_frame().drop(columns=["f32"])] * 5, ignore_index=True)
    monkeypatch.setattr(xlsx, "_ROWS_PER_PIECE", 7)
    xlsx.write_xlsx({"blad": frame}, tmp_path / "a.xlsx")
    monkeypatch.setattr(xlsx, "_ROWS_PER_PIECE", 10**9)
    xlsx.write_xlsx({"blad": frame}, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert sheet.count(b"<row>") == len(frame) + 1
    assert b"<c><v>0.3333333333333333</v></c>" in sheet and b"<c><v>1e-05</v></c>" in sheet


def test_neutralise_looks_at_every_formula_like_cell():
    frame = pd.DataFrame({"a": ["=SUM(A1)", "ok", "=SUM(A1)", None, "-3.5", "@x", 1.5],
                          "b": pd.array(["+1", "+x", None, "y", "z", "\tq", "r"], dtype="str"),
                          "c": np.arange(7.0)})
    out = neutralise_frame(frame)
    expected_a = ["'=SUM(A1)", "ok", "'=SUM(A1)", None, "-3.5", "'@x", 1.5]
    assert out["a"].tolist() == expected_a
    assert out["b"].tolist()[:2] == ["+1", "'+x"] and out["b"].tolist()[5] == "'\tq"
    assert out["c"].equals(frame["c"])
    for v in frame["a"]:
        if isinstance(v, str):
            assert is_formula_like(v) == (v in ("=SUM(A1)", "@x"))
    clean = pd.DataFrame({"a": ["x", "-2", None]})
    assert neutralise_frame(clean) is clean  # nothing to change: not copied
