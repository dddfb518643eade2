"""Numerical checks of ceo.stats.groups against values computed independently in R (committed fixtures).

tests/fixtures/groups/make_fixtures.R computes, from input.csv and areas.csv (made by
make_input.py), Welch's ANOVA with ``oneway.test``, Games–Howell by hand (Welch t, Welch–
Satterthwaite df, ``ptukey``), ``chisq.test`` with Cramér's V, and Cronbach's α by its formula,
each with the rules of ceo.stats.groups (substantive answers only, groups of at least 30). R is not
needed to run the tests. Everything is checked to 1e-8: relative for statistics, degrees of
freedom, means and effect sizes, and for the p-values of the F and χ² distributions; absolute for
the Games–Howell p-values, because R's ``ptukey`` integrates numerically (it differs from scipy's
``studentized_range`` by up to about 5e-10 here).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceo.stats.groups import group_tests
from ceo.stats.results import Area
from ceo.validate.codebook import get_codebook

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "groups"
REL = 1e-8
AREAS = ["GM0505", "GM0590", "drechtsteden"]


@cache
def _codebook():
    return get_codebook("professionals")


@cache
def _input() -> tuple[pd.DataFrame, tuple[Area, ...]]:
    data = pd.read_csv(FIXTURES / "input.csv")
    a = pd.read_csv(FIXTURES / "areas.csv")
    areas = tuple(Area(r.code, r.name, r.level, tuple(r.members.split(";"))) for r in a.itertuples())
    return data, areas


@cache
def _tests() -> pd.DataFrame:
    data, areas = _input()
    return group_tests(data, _codebook(), edition=2025, areas=list(areas), by="beroepsgroep", min_n=30)


def _r(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / f"r_{name}.csv", dtype={"groups": str})


def _label(code) -> str:
    return _codebook().labels("beroepsgroep")[int(code)]


def _row(area: str, test: str) -> pd.Series:
    t = _tests()
    rows = t[(t["gebied_code"] == area) & (t["toets"] == test)]
    assert len(rows) == 1, (area, test, rows)
    return rows.iloc[0]


def _left_out(area: str, kept: str) -> list[str]:
    """The groups of the area that R left out (fewer than 30 substantive answers), as labels."""
    data, areas = _input()
    members = next(a.members for a in areas if a.code == area)
    present = set(data.loc[data["gemeentecode"].isin(members), "beroepsgroep"].dropna().astype(int))
    return sorted(_label(c) for c in present - {int(c) for c in kept.split(";")})


def test_fixture_covers_the_cases():
    # every area leaves a group out, and GM0590 leaves out a different set for the two tests (group 4
    # has 30 substantive grades but fewer than 30 substantive tevredenheid answers)
    welch, chi2 = _r("welch").set_index("area"), _r("chi2").set_index("area")
    assert list(welch.index) == AREAS and list(chi2.index) == AREAS
    assert all(_left_out(a, welch.loc[a, "groups"]) for a in AREAS)
    assert welch.loc["GM0590", "groups"] != chi2.loc["GM0590", "groups"]
    assert len(_r("gameshowell")) == 6 + 6 + 10


@pytest.mark.parametrize("area", AREAS)
def test_welch_anova_equals_r(area):
    r = _r("welch").set_index("area").loc[area]
    row = _row(area, "welch_anova")
    assert row["statistiek"] == pytest.approx(r["F"], rel=REL)
    assert row["df1"] == pytest.approx(r["df1"], rel=REL)
    assert row["df2"] == pytest.approx(r["df2"], rel=REL)
    assert row["p"] == pytest.approx(r["p"], rel=REL)
    assert row["effectmaat"] == "eta2"
    assert row["effect"] == pytest.approx(r["eta2"], rel=REL)
    assert row["n"] == r["n"]
    assert row["significant"] == ("ja" if r["p"] < 0.05 else "nee")
    assert row["toelichting"] == "niet meegenomen (te weinig respondenten): " + ", ".join(
        _left_out(area, r["groups"]))


@pytest.mark.parametrize("area", AREAS)
def test_games_howell_equals_r(area):
    r = _r("gameshowell")
    r = r[r["area"] == area]
    t = _tests()
    gh = t[(t["gebied_code"] == area) & (t["toets"] == "games_howell")]
    assert len(gh) == len(r) > 0
    by_pair = {frozenset((a, b)): row for (a, b), row in zip(zip(gh["groep_a"], gh["groep_b"], strict=True),
                                                            gh.itertuples(index=False), strict=True)}
    for x in r.itertuples(index=False):
        a, b = _label(x.group_a), _label(x.group_b)
        row = by_pair[frozenset((a, b))]
        sign = 1.0 if row.groep_a == a else -1.0  # ceo orders a pair by label, R by code
        mean_a, mean_b = (x.mean_a, x.mean_b) if sign > 0 else (x.mean_b, x.mean_a)
        assert row.waarde_a == pytest.approx(mean_a, rel=REL) and row.waarde_b == pytest.approx(mean_b, rel=REL)
        assert row.verschil == pytest.approx(sign * x.diff, rel=REL)
        assert row.statistiek == pytest.approx(sign * x.t, rel=REL)
        assert row.df1 == pytest.approx(x.df, rel=REL)
        assert row.p == pytest.approx(x.p, rel=0, abs=1e-8)
        assert row.effectmaat == "hedges_g"
        assert row.effect == pytest.approx(sign * x.hedges_g, rel=REL)
        assert row.n == x.n
        assert row.significant == ("ja" if x.p < 0.05 else "nee")


@pytest.mark.parametrize("area", AREAS)
def test_chi2_equals_r(area):
    r = _r("chi2").set_index("area").loc[area]
    row = _row(area, "chi2")
    assert row["variabele"] == "tevredenheid"
    assert row["statistiek"] == pytest.approx(r["chi2"], rel=REL)
    assert row["df1"] == r["df"]
    assert row["p"] == pytest.approx(r["p"], rel=REL)
    assert row["effectmaat"] == "cramers_v"
    assert row["effect"] == pytest.approx(r["cramers_v"], rel=REL)
    assert row["n"] == r["n"]
    assert row["toelichting"].startswith("niet meegenomen (te weinig respondenten): " + ", ".join(
        _left_out(area, r["groups"])) + "; positief = ")


@pytest.mark.parametrize("area", AREAS)
def test_cronbach_alpha_equals_formula(area):
    r = _r("alpha").set_index("area").loc[area]
    row = _row(area, "cronbach_alpha")
    assert row["variabele"] == r["scale"]
    assert row["statistiek"] == pytest.approx(r["alpha"], rel=REL)
    assert row["effect"] == pytest.approx(r["alpha"], rel=REL)
    assert row["n"] == r["n"] and row["df1"] == r["k"]
    # the Feldt interval at full precision (pingouin rounds its own to 3 decimals; ceo computes it)
    assert row["waarde_a"] == pytest.approx(r["ci_lower"], rel=REL)
    assert row["waarde_b"] == pytest.approx(r["ci_upper"], rel=REL)


def test_group_tests_are_invariant_to_row_order():
    data, areas = _input()
    shuffled = data.sample(frac=1.0, random_state=3).reset_index(drop=True)
    again = group_tests(shuffled, _codebook(), edition=2025, areas=list(areas), by="beroepsgroep", min_n=30)
    key = ["gebied_code", "toets", "variabele", "groep_a", "groep_b"]
    a = _tests().sort_values(key).reset_index(drop=True)
    b = again.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a[key], b[key])
    num = ["n", "statistiek", "df1", "df2", "p", "effect"]
    # rtol 1e-8: scipy's studentized_range integrates numerically (p moves ~5e-10 with the last bits of t)
    np.testing.assert_allclose(b[num].to_numpy(float), a[num].to_numpy(float), rtol=REL, equal_nan=True)
