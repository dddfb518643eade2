"""Tests of ceo.stats.estimation against R `survey` 4.1.1 (committed fixtures) and by properties.

The reference values were made with tests/fixtures/estimation/make_fixtures.R from
tests/fixtures/estimation/input.csv (made by make_input.py); R is not needed to run the tests.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from ceo.stats import estimation as E

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "estimation"
VARIABLES = ["q1", "q2", "cijfer"]
PROPORTIONS = ["q1", "q2"]
DESIGNS = {"fpc": "N", "nofpc": None}


@cache
def _input() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "input.csv")


@cache
def _areas() -> dict[str, list[str]]:
    areas = pd.read_csv(FIXTURES / "areas.csv")
    return {a: list(g["gemeentecode"]) for a, g in areas.groupby("area", sort=False)}


def _r(name: str) -> pd.DataFrame:
    r = pd.read_csv(FIXTURES / name)
    for col in ("by", "group"):
        r[col] = r[col].fillna("")
    return r


@cache
def _ours(design: str) -> pd.DataFrame:
    frames = []
    for by in (None, "groep"):
        est = E.domain_estimates(_input(), VARIABLES, stratum="gemeentecode", weight="w",
                                 population=DESIGNS[design], areas=_areas(), by=by,
                                 lonely_psu="adjust")  # the fixtures use R's "adjust"
        est = E.add_confidence_intervals(est, proportions=PROPORTIONS, method="logit")
        est = est.rename(columns={"lower": "logit_lower", "upper": "logit_upper"})
        est["beta_lower"], est["beta_upper"] = E.proportion_ci(
            est["estimate"], est["se"], n=est["n"], df=est["df"], n_eff_fpc=est["n_eff_fpc"],
            method="beta")
        est["mean_lower"], est["mean_upper"] = E.mean_ci(est["estimate"], est["se"],
                                                         df=est["df"], method="normal")
        frames.append(est)
    out = pd.concat(frames, ignore_index=True)
    out["by"] = out["by"].fillna("")
    out["group"] = out["group"].fillna("")
    out["design"] = design
    return out


def _merged(design: str) -> pd.DataFrame:
    r = _r("r_estimates.csv")
    r = r[r["design"] == design]
    merged = r.merge(_ours(design), on=["design", "area", "by", "group", "variable"],
                     suffixes=("_r", ""), how="left", validate="one_to_one")
    assert merged["estimate"].notna().all()
    return merged


def _regular(m: pd.DataFrame) -> pd.Series:
    """Cells where R's proportion intervals are well defined (not the corner cases)."""
    return (m["variable"].isin(PROPORTIONS) & (m["estimate"] > 0) & (m["estimate"] < 1)
            & (m["se"] > 0) & (m["df"] > 0))


# ---------------------------------------------------------------------------------------------
# Equality with R
# ---------------------------------------------------------------------------------------------


def test_fixture_covers_the_design_corners():
    data = _input()
    n_h = data.groupby("gemeentecode").size()
    assert n_h.min() == 1 and (n_h < 5).sum() >= 2 and n_h.max() >= 300
    assert data.groupby("gemeentecode")["N"].first().isna().any()  # one stratum without N
    assert (n_h == data.groupby("gemeentecode")["N"].first()).any()  # a census stratum
    assert data.loc[data.gemeentecode == "GM0047", "q1"].dropna().eq(1).all()
    assert data[VARIABLES].isna().any().all() and data["groep"].isna().any()
    r = _r("r_estimates.csv")
    assert {"GM0014", "R01", "R02", "NL"} <= set(r["area"])
    assert set(r["design"]) == set(DESIGNS) and set(r["by"]) == {"", "groep"}


@pytest.mark.parametrize("design", DESIGNS)
def test_estimates_and_se_equal_r(design):
    m = _merged(design)
    np.testing.assert_array_equal(m["n"], m["n_r"])
    np.testing.assert_array_equal(m["df"], m["df_r"])  # R's degf() of the domain design
    np.testing.assert_allclose(m["n_weighted"], m["n_weighted_r"], rtol=1e-12)
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(m["se"], m["se_r"], rtol=0, atol=1e-8)
    # every kind of area is covered: gemeente, region of several strata, total
    assert {"GM0060", "R02", "NL"} <= set(m["area"])


@pytest.mark.parametrize("design", DESIGNS)
def test_confidence_intervals_equal_r(design):
    m = _merged(design)
    reg = _regular(m)
    assert reg.sum() > 50
    # Korn-Graubard caps the effective n at n, R does not: equal where the cap does not bind
    uncapped = reg & (m["estimate"] * (1 - m["estimate"]) / m["se"] ** 2 <= m["n"])
    assert uncapped.sum() > 40
    for method, rows in (("logit", reg), ("beta", uncapped)):
        for side in ("lower", "upper"):
            np.testing.assert_allclose(m.loc[rows, f"{method}_{side}"],
                                       m.loc[rows, f"{method}_{side}_r"], rtol=0, atol=1e-6)
    capped = reg & ~uncapped
    if capped.any():  # Clopper-Pearson on n (times the df adjustment) instead
        c = m[capped]
        kg = (stats.t.ppf(0.025, c["n"] - 1) / stats.t.ppf(0.025, c["df"])) ** 2
        x = c["n"] * kg * c["estimate"]
        np.testing.assert_allclose(c["beta_lower"], stats.beta.ppf(0.025, x, c["n"] * kg - x + 1),
                                   rtol=0, atol=1e-9)
    means = m["df"] > 0
    for side in ("lower", "upper"):
        np.testing.assert_allclose(m.loc[means, f"mean_{side}"], m.loc[means, f"mean_{side}_r"],
                                   rtol=0, atol=1e-6)


@pytest.mark.parametrize("design", DESIGNS)
def test_gemeente_versus_rest_of_region_equals_r(design):
    r = _r("r_comparisons.csv")
    r = r[r["design"] == design]
    areas = _areas()
    regions = {k: v for k, v in areas.items() if k.startswith("R")}
    frames = [E.compare_with_rest_of_region(_input(), VARIABLES, stratum="gemeentecode",
                                            weight="w", population=DESIGNS[design],
                                            regions=regions, by=by, lonely_psu="adjust")
              for by in (None, "groep")]
    ours = pd.concat(frames, ignore_index=True)
    ours["by"] = ours["by"].fillna("")
    ours["group"] = ours["group"].fillna("")
    m = r.merge(ours, on=["region", "gemeente", "by", "group", "variable"], suffixes=("_r", ""),
                validate="one_to_one")
    assert len(m) == len(r) > 80
    for col in ("estimate_gemeente", "estimate_rest", "difference", "se_difference"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], rtol=0, atol=1e-8)
    # cells R could not form (gemeente without respondents in the group) are NaN here
    keys = ["region", "gemeente", "by", "group", "variable"]
    missing = ours.merge(r[keys], on=keys, how="left", indicator=True)
    assert (missing.loc[missing["_merge"] == "left_only", "n_gemeente"] == 0).all()
    assert missing.loc[missing["_merge"] == "left_only", "difference"].isna().all()


# ---------------------------------------------------------------------------------------------
# Corner cases: what R does, and what we do instead
# ---------------------------------------------------------------------------------------------


def _cell(frame: pd.DataFrame, area: str, variable: str, group: str = "") -> pd.Series:
    rows = frame[(frame["area"] == area) & (frame["variable"] == variable)
                 & (frame["group"] == group)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_everybody_positive():
    """p = 1 (GM0047): R's logit is degenerate and excludes 1, beta is NaN; ours is CP-like."""
    m = _merged("fpc")
    row = _cell(m, "GM0047", "q1")
    assert row["estimate"] == 1.0 and row["se"] == 0.0
    assert row["logit_upper_r"] < 1 and row["logit_upper_r"] - row["logit_lower_r"] < 1e-9
    assert np.isnan(row["beta_lower_r"]) and np.isnan(row["beta_upper_r"])
    # ours: Korn-Graubard/Clopper-Pearson with the Kish size corrected for the fpc
    n_star = row["n_eff_fpc"]
    assert 0 < n_star < np.inf and n_star > row["n_eff"]  # fpc makes it larger than Kish
    for method in ("logit", "beta"):
        assert row[f"{method}_upper"] == 1.0
        assert row[f"{method}_lower"] == pytest.approx(0.025 ** (1 / n_star), abs=1e-12)
    lo, hi = E.proportion_ci(1.0, 0.0, n=row["n"], df=row["df"], n_eff_fpc=n_star,
                             method="wilson")
    z2 = stats.norm.ppf(0.975) ** 2
    assert hi == 1.0 and lo == pytest.approx(n_star / (n_star + z2), abs=1e-12)
    # p = 0 mirrors p = 1
    lo0, hi0 = E.proportion_ci(0.0, 0.0, n=row["n"], df=row["df"], n_eff_fpc=n_star,
                               method="beta")
    assert lo0 == 0.0 and hi0 == pytest.approx(1 - row["beta_lower"], abs=1e-12)


def test_census_stratum():
    """n_h = N_h (GM0050): SE 0; R logit gives [p, p] and beta the nonsense [0.5, 0.5]."""
    m = _merged("fpc")
    row = _cell(m, "GM0050", "q1")
    assert row["se"] == 0.0 and 0 < row["estimate"] < 1
    assert row["beta_lower_r"] == 0.5 == row["beta_upper_r"]
    assert row["logit_lower_r"] == pytest.approx(row["estimate"], abs=1e-9)
    for method in ("logit", "beta", "wilson"):
        lo, hi = E.proportion_ci(row["estimate"], 0.0, n=row["n"], df=row["df"],
                                 n_eff_fpc=row["n_eff_fpc"], method=method)
        assert lo == hi == row["estimate"]
    assert np.isinf(row["n_eff_fpc"])
    assert row["mean_lower"] == row["mean_upper"] == row["estimate"]
    # in a region, the census stratum adds no within-stratum variance (f_h = 0)
    data = _input().rename(columns={"gemeentecode": "s"})
    strata = ["GM0050", "GM0072"]
    est = E.domain_estimates(data, ["q1"], stratum="s", weight="w", population="N",
                             areas={"a": strata}).iloc[0]
    r, se = _ratio_reference(data, "q1", np.ones(len(data), bool), strata, "N")
    assert est["estimate"] == pytest.approx(r, rel=1e-14)
    assert est["se"] == pytest.approx(se, rel=1e-12)
    data.loc[data["s"] == "GM0050", "N"] = 1000.0  # no longer a census: larger SE
    assert E.domain_estimates(data, ["q1"], stratum="s", weight="w", population="N",
                              areas={"a": strata})["se"].iloc[0] > est["se"] + 1e-4


def test_single_respondent_domain():
    """n = 1 (lonely GM0060, and one-person subgroups): R returns NaN; df = 0 here too."""
    m = _merged("fpc")
    row = _cell(m, "GM0060", "q1")
    assert row["n"] == 1 and row["df"] == 0 and row["se"] == 0.0
    assert np.isnan(row["logit_lower_r"]) and np.isnan(row["beta_lower_r"])
    # ours: fallback without df adjustment on n_eff_fpc = 1 / (1 - 1/40), capped at n = 1
    assert row["n_eff_fpc"] == pytest.approx(40 / 39, rel=1e-12)
    assert row["logit_lower"] == pytest.approx(0.025, abs=1e-12)
    assert row["logit_upper"] == 1.0
    cijfer = _cell(m, "GM0060", "cijfer")
    assert np.isnan(cijfer["mean_lower"]) and np.isnan(cijfer["mean_upper"])
    assert cijfer["mean_lower_r"] == cijfer["mean_upper_r"] == cijfer["estimate"]  # R: [m, m]


def test_lonely_psu_adjust_rule():
    """A one-respondent stratum contributes f_h * u_i^2 (R's lonely.psu = "adjust")."""
    data = pd.DataFrame({
        "s": ["A", "A", "A", "B"], "w": [2.0, 3.0, 1.0, 4.0], "N": [10.0, 10.0, 10.0, 5.0],
        "y": [1.0, 0.0, 1.0, 0.0],
    })
    est = E.domain_estimates(data, ["y"], stratum="s", weight="w", population="N",
                             areas={"all": ["A", "B"]}, lonely_psu="adjust").iloc[0]
    w, y = data["w"].to_numpy(), data["y"].to_numpy()
    r = (w * y).sum() / w.sum()
    u = w * (y - r) / w.sum()
    va = (1 - 3 / 10) * 3 / 2 * ((u[:3] - u[:3].mean()) ** 2).sum()
    vb = (1 - 1 / 5) * u[3] ** 2
    assert est["estimate"] == pytest.approx(r, rel=1e-14)
    assert est["se"] == pytest.approx(np.sqrt(va + vb), rel=1e-12)
    assert est["df"] == 4 - 2


def test_empty_domain_and_unknown_strata():
    est = E.domain_estimates(_input(), ["q1"], stratum="gemeentecode", weight="w",
                             areas={"leeg": ["GM9999"], "GM0014": ["GM0014"]})
    leeg = est.iloc[0]
    assert leeg["n"] == 0 and np.isnan(leeg["estimate"]) and np.isnan(leeg["se"])
    lo, hi = E.proportion_ci(leeg["estimate"], leeg["se"], n=leeg["n"], df=leeg["df"])
    assert np.isnan(lo) and np.isnan(hi)
    assert est.iloc[1]["n"] > 0


def test_default_areas_are_the_strata_and_kish():
    data = pd.DataFrame({"s": ["B", "A", "A", "B", "B"], "w": [1.0, 2.0, 2.0, 1.0, 3.0],
                         "y": [1.0, 0.0, 1.0, np.nan, 1.0]})
    est = E.domain_estimates(data, ["y"], stratum="s", weight="w")
    assert list(est["area"]) == ["A", "B"]
    a, b = est.iloc[0], est.iloc[1]
    assert a["n_eff"] == pytest.approx(2.0) and a["deff"] == pytest.approx(1.0)
    assert b["n"] == 2 and b["n_eff"] == pytest.approx(16 / 10)
    assert b["deff"] == pytest.approx(2 / 1.6) and b["group"] is None and b["by"] is None


@pytest.mark.parametrize("bad, message", [
    ({"w": [1.0, -1.0, 1.0]}, "gewicht"),
    ({"w": [1.0, np.nan, 1.0]}, "gewicht"),
    ({"N": [2.0, 2.0, 2.0]}, "kleiner"),
    ({"N": [5.0, 6.0, 5.0]}, "één populatieomvang"),
    ({"N": [5.0, np.nan, 5.0]}, "één populatieomvang"),
    ({"s": ["A", None, "A"]}, "lege waarden"),
    ({"y": ["a", "b", "c"]}, "geen getal"),
])
def test_invalid_input_is_reported_in_dutch(bad, message):
    data = pd.DataFrame({"s": ["A", "A", "A"], "w": [1.0, 1.0, 1.0], "N": [5.0, 5.0, 5.0],
                         "y": [1.0, 0.0, 1.0]})
    for col, values in bad.items():
        data[col] = values
    with pytest.raises(ValueError, match=message):
        E.domain_estimates(data, ["y"], stratum="s", weight="w", population="N")


def test_missing_column_and_bad_method():
    data = pd.DataFrame({"s": ["A"], "w": [1.0], "y": [1.0]})
    with pytest.raises(ValueError, match="ontbreken"):
        E.domain_estimates(data, ["x"], stratum="s", weight="w")
    with pytest.raises(ValueError, match="onbekende methode"):
        E.proportion_ci(0.5, 0.1, n=10, df=9, method="exact")
    with pytest.raises(ValueError, match="onbekende methode"):
        E.mean_ci(5.0, 0.1, df=9, method="bootstrap")


# ---------------------------------------------------------------------------------------------
# Wilson
# ---------------------------------------------------------------------------------------------


def _textbook_wilson(x: float, n: float, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_wilson_hand_computed():
    # p = 0.3, se = 0.05 -> n* = 0.21 / 0.0025 = 84; z = 1.959963984540054
    lo, hi = E.proportion_ci(0.3, 0.05, n=100, df=99, method="wilson")
    # centre (0.3 + z^2/168) / (1 + z^2/84), half z/(1 + z^2/84) sqrt(0.21/84 + z^2/(4 * 84^2))
    assert lo == pytest.approx(0.2125166126, abs=1e-9)
    assert hi == pytest.approx(0.4049760788, abs=1e-9)
    lo90, hi90 = E.proportion_ci(0.3, 0.05, n=100, df=99, method="wilson", level=0.90)
    assert lo < lo90 < 0.3 < hi90 < hi


@pytest.mark.parametrize("n, x", [(10, 3), (50, 41), (200, 17)])
def test_wilson_srs_is_textbook(n, x):
    """SRS, equal weights: with fpc N = n^2, n* = n exactly; without fpc n* = n - 1."""
    y = np.r_[np.ones(x), np.zeros(n - x)]
    data = pd.DataFrame({"s": "GM0001", "w": float(n), "N": float(n * n), "y": y})
    z = stats.norm.ppf(0.975)
    for population, n_star in (("N", n), (None, n - 1)):
        est = E.domain_estimates(data, ["y"], stratum="s", weight="w", population=population)
        row = est.iloc[0]
        lo, hi = E.proportion_ci(row["estimate"], row["se"], n=row["n"], df=row["df"],
                                 method="wilson")
        exp_lo, exp_hi = _textbook_wilson(x / n * n_star, n_star, z)
        assert lo == pytest.approx(exp_lo, abs=1e-12) and hi == pytest.approx(exp_hi, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------------------------


def test_compare_hand_computed():
    res = E.compare(np.array([0.6, 0.5, 0.5, 0.4]), np.array([0.03, 0.0, 0.0, 0.02]),
                    np.array([0.5, 0.5, 0.45, 0.4]), np.array([0.04, 0.0, 0.0, 0.0]))
    assert res["difference"].iloc[0] == pytest.approx(0.1)
    assert res["se_difference"].iloc[0] == pytest.approx(0.05)
    assert res["statistic"].iloc[0] == pytest.approx(2.0)
    assert res["p_value"].iloc[0] == pytest.approx(0.04550026389635842, rel=1e-12)
    assert res["significant"].iloc[0]
    # zero SE: no difference -> p = 1; a difference is never diff / 0: without an effective size
    # the test is not possible (NaN, not significant)
    assert res["p_value"].iloc[1] == 1.0 and not res["significant"].iloc[1]
    assert np.isnan(res["p_value"].iloc[2]) and not res["significant"].iloc[2]
    assert res["p_value"].iloc[3] == 1.0
    strict = E.compare(0.6, 0.03, 0.5, 0.04, level=0.99)
    assert not strict["significant"].iloc[0]
    t = E.compare(0.6, 0.05, 0.5, df=10)  # a fixed reference: t with the df of the estimate
    assert t["p_value"].iloc[0] == pytest.approx(2 * stats.t.sf(2.0, 10), rel=1e-10)
    # Welch-Satterthwaite df of a difference
    w = E.compare(0.6, 0.03, 0.5, 0.04, df=10, reference_df=30)
    v1, v2 = 0.03**2, 0.04**2
    welch = (v1 + v2) ** 2 / (v1**2 / 10 + v2**2 / 30)
    assert w["df_difference"].iloc[0] == pytest.approx(welch, rel=1e-12)
    assert w["p_value"].iloc[0] == pytest.approx(2 * stats.t.sf(2.0, welch), rel=1e-10)
    # a fixed reference: the df of the estimate
    assert E.compare(0.6, 0.03, 0.5, df=12)["df_difference"].iloc[0] == 12


def test_compare_with_benchmark_and_previous_edition():
    est = E.domain_estimates(_input(), PROPORTIONS, stratum="gemeentecode", weight="w",
                             population="N", areas=_areas())
    fixed = E.compare_with_benchmark(est, 0.7)
    assert (fixed["benchmark_se"] == 0).all()
    np.testing.assert_allclose(fixed["se_difference"], est["se"])
    by_n = E.compare_with_benchmark(est, 0.7, n=400)
    assert by_n["benchmark_se"].iloc[0] == pytest.approx(np.sqrt(0.21 / 400))
    assert E.benchmark_se(0.7, 400) == pytest.approx(np.sqrt(0.21 / 400))
    by_se = E.compare_with_benchmark(est, np.full(len(est), 0.6), se=0.01)
    np.testing.assert_allclose(by_se["se_difference"], np.hypot(est["se"], 0.01))
    with pytest.raises(ValueError, match="niet allebei"):
        E.compare_with_benchmark(est, 0.7, se=0.01, n=100)
    previous = est.copy()
    previous["estimate"] = previous["estimate"] - 0.05
    cmp = E.compare_estimates(est, previous)
    assert len(cmp) == len(est)
    np.testing.assert_allclose(cmp["difference"].dropna(), 0.05, atol=1e-12)
    np.testing.assert_allclose(cmp["se_difference"], np.sqrt(2) * est["se"].to_numpy())


def test_35_of_35_is_not_significantly_different_from_97_percent():
    """Regression: 100 % (35 of 35, interval 90-100 %) against a fixed 97 % is not significant.

    The exact binomial test gives p = 0.63 (``binom.test``, smallest-likelihood two-sided) or
    2 * 0.97^35 = 0.69 (twice the smaller tail, the dual of the Clopper-Pearson interval ceo
    publishes); z = 0.03 / 0 made it "significant"."""
    data = pd.DataFrame({"s": "GM0001", "w": 1.0, "y": np.ones(35)})
    est = E.domain_estimates(data, ["y"], stratum="s", weight="w")
    assert est["se"].iloc[0] == 0.0
    for method in ("logit", "beta", "wilson"):
        lo, hi = E.proportion_ci(est["estimate"], est["se"], n=est["n"], df=est["df"],
                                 n_eff_fpc=est["n_eff_fpc"], method=method)
        assert 0.88 < lo[0] < 0.97 and hi[0] == 1.0
        res = E.compare_with_benchmark(est, 0.97, proportions=["y"], method=method)
        assert res["p_value"].iloc[0] > 0.25 and not res["significant"].iloc[0]
        # but 100 % against 80 % is significant (outside the interval)
        assert E.compare_with_benchmark(est, 0.8, proportions=["y"], method=method)["significant"].iloc[0]
    p_exact = E.proportion_test(1.0, 0.0, 0.97, n=35, df=34, n_eff_fpc=35.0, method="beta")
    assert p_exact[0] == pytest.approx(2 * 0.97**35, rel=1e-12)
    assert stats.binomtest(35, 35, 0.97).pvalue == pytest.approx(0.627, abs=1e-3)
    # a benchmark with its own SE: the pooled score test on the effective sizes, never diff / 0
    res = E.compare(1.0, 0.0, 0.97, 0.005, proportion=True, n_eff=35, df=34)
    assert res["p_value"].iloc[0] > 0.2 and not res["significant"].iloc[0]


def test_degenerate_proportion_uses_the_pooled_score_test():
    res = E.compare(1.0, 0.0, 0.9, 0.03, proportion=True, n_eff=35, df=34, reference_df=99)
    n1, n2 = 35.0, 0.09 / 0.03**2
    pbar = (n1 * 1.0 + n2 * 0.9) / (n1 + n2)
    v1, v2 = pbar * (1 - pbar) / n1, pbar * (1 - pbar) / n2
    stat = 0.1 / np.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / 34 + v2**2 / 99)
    assert res["statistic"].iloc[0] == pytest.approx(stat, rel=1e-12)
    assert res["df_difference"].iloc[0] == pytest.approx(df, rel=1e-12)
    assert res["p_value"].iloc[0] == pytest.approx(2 * stats.t.sf(stat, df), rel=1e-10)
    # a census (infinite effective size) is exact: the test is on the other side's variance only
    census = E.compare(0.7, 0.0, 0.6, 0.04, n_eff=np.inf, df=50, reference_df=80)
    assert census["df_difference"].iloc[0] == 80
    assert census["p_value"].iloc[0] == pytest.approx(2 * stats.t.sf(2.5, 80), rel=1e-10)
    # a mean without variance (everybody gave the same mark) borrows the other side's unit variance
    mean = E.compare(8.0, 0.0, 7.5, 0.1, n_eff=35, reference_n_eff=100, df=34, reference_df=99)
    v1 = 0.1**2 * 100 / 35
    assert mean["statistic"].iloc[0] == pytest.approx(0.5 / np.sqrt(v1 + 0.01), rel=1e-12)
    assert np.isnan(E.compare(8.0, 0.0, 7.5, 0.0, n_eff=35, reference_n_eff=100)["p_value"].iloc[0])


def test_effective_n_is_capped_at_n():
    """Korn-Graubard and Wilson: a design effect below 1 does not make n* larger than n."""
    n, p = 40, 0.3
    se = np.sqrt(p * (1 - p) / (2 * n))  # n* = 2n without the cap
    x = n * p
    lo, hi = E.proportion_ci(p, se, n=n, df=n - 1, method="beta")
    assert lo == pytest.approx(stats.beta.ppf(0.025, x, n - x + 1), abs=1e-12)
    assert hi == pytest.approx(stats.beta.ppf(0.975, x + 1, n - x), abs=1e-12)
    lo_w, hi_w = E.proportion_ci(p, se, n=n, df=n - 1, method="wilson")
    exp = _textbook_wilson(x, n, stats.norm.ppf(0.975))
    assert (lo_w, hi_w) == pytest.approx(exp, abs=1e-12)
    # the fallback size too (everybody positive, fpc): (alpha/2)^(1/n)
    lo1, _ = E.proportion_ci(1.0, 0.0, n=n, df=n - 1, n_eff_fpc=3.0 * n, method="beta")
    assert lo1 == pytest.approx(0.025 ** (1 / n), abs=1e-12)


def test_mean_interval_uses_t_with_the_df():
    lo, hi = E.mean_ci(7.5, 0.1, df=9)
    q = stats.t.ppf(0.975, 9)
    assert lo == pytest.approx(7.5 - q * 0.1, abs=1e-12) and hi == pytest.approx(7.5 + q * 0.1, abs=1e-12)
    lo_n, _ = E.mean_ci(7.5, 0.1, df=9, method="normal")
    assert lo_n == pytest.approx(7.5 - stats.norm.ppf(0.975) * 0.1, abs=1e-12)
    est = E.add_confidence_intervals(pd.DataFrame({"variable": ["m"], "estimate": [7.5], "se": [0.1],
                                                   "n": [10], "df": [9], "n_eff_fpc": [10.0]}))
    assert est["ci_method"].iloc[0] == "t" and est["lower"].iloc[0] == pytest.approx(lo, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(p=st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.001, 0.999)), se=st.floats(0.0005, 0.3),
       n=st.integers(1, 3000), extra=st.integers(0, 5), value=st.floats(0.0, 1.0),
       method=st.sampled_from(["logit", "beta", "wilson"]), level=st.sampled_from([0.9, 0.95, 0.99]),
       fpc_factor=st.floats(0.5, 3.0))
def test_test_against_a_fixed_value_is_dual_to_the_interval(p, se, n, extra, value, method, level,
                                                             fpc_factor):
    """p < 1 - level exactly when the value lies outside the published interval."""
    df = max(n - 1 - extra, 0)
    se = 0.0 if p in (0.0, 1.0) else se
    kw = dict(n=n, df=df, n_eff_fpc=n * fpc_factor, method=method, level=level)
    lo, hi = E.proportion_ci(p, se, **kw)
    assume(min(abs(value - lo), abs(value - hi)) > 1e-6)
    assume(value != p)
    pv = E.proportion_test(p, se, value, **kw)[0]
    assert (pv < 1 - level) == bool(value < lo or value > hi), (pv, lo, hi)


@settings(max_examples=100, deadline=None)
@given(m=st.floats(1, 10), se=st.floats(0.01, 1), df=st.integers(1, 500), value=st.floats(1, 10),
       level=st.sampled_from([0.9, 0.95, 0.99]))
def test_mean_test_is_dual_to_the_t_interval(m, se, df, value, level):
    lo, hi = E.mean_ci(m, se, df=df, level=level)
    assume(min(abs(value - lo), abs(value - hi)) > 1e-9)
    pv = E.mean_test(m, se, value, df=df)[0]
    assert (pv < 1 - level) == bool(value < lo or value > hi)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


def _random_sample(seed: int, n_strata: int, max_n: int, fpc: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, max_n + 1, n_strata)
    s = np.repeat([f"GM{i:04d}" for i in range(n_strata)], sizes)
    n = len(s)
    big_n = np.repeat(sizes + rng.integers(0, 30, n_strata), sizes).astype(float)
    if fpc:
        big_n[s == "GM0000"] = np.nan
    y = (rng.random(n) < rng.uniform(0.05, 0.95)).astype(float)
    y[rng.random(n) < 0.15] = np.nan
    mark = rng.integers(1, 11, n).astype(float)
    mark[rng.random(n) < 0.1] = np.nan
    groep = rng.choice(np.array(["a", "b"], dtype=object), n)
    groep[rng.random(n) < 0.1] = None
    return pd.DataFrame({"s": s, "w": rng.uniform(0.2, 40.0, n), "N": big_n if fpc else np.nan,
                         "y": y, "mark": mark, "groep": groep})


def _ratio_reference(data: pd.DataFrame, y: str, in_domain: np.ndarray, strata: list[str],
                     population: str | None) -> tuple[float, float]:
    """svyratio(~I(y*d), ~d, des) on the area design, written out with a loop over strata."""
    rows = data["s"].isin(strata).to_numpy()
    sub = data[rows]
    d = in_domain[rows] & sub[y].notna().to_numpy()
    w = sub["w"].to_numpy()
    yd = np.where(d, sub[y].to_numpy(), 0.0)
    big_w = (w * d).sum()
    r = (w * yd).sum() / big_w
    z = w * (yd - r * d) / big_w
    var = 0.0
    for h in sub["s"].unique():
        zh = z[(sub["s"] == h).to_numpy()]
        n_h = len(zh)
        f = 1.0
        if population is not None:
            big_n = sub.loc[sub["s"] == h, population].iloc[0]
            f = 1.0 if np.isnan(big_n) else 1 - n_h / big_n
            f = 0.0 if f < 1e-7 else f
        var += f * (zh**2).sum() if n_h == 1 else f * n_h / (n_h - 1) * ((zh - zh.mean())**2).sum()
    return r, np.sqrt(var)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n_strata=st.integers(1, 6), max_n=st.integers(1, 15),
       fpc=st.booleans())
def test_domain_mean_is_ratio_of_totals(seed, n_strata, max_n, fpc):
    """As R's tests/domain.R: domain mean == svyratio of totals of y*d and d (full design)."""
    data = _random_sample(seed, n_strata, max_n, fpc)
    strata = sorted(data["s"].unique())
    areas = {"all": strata, "first": strata[:1], "rest": strata[1:]}
    population = "N" if fpc else None
    est = E.domain_estimates(data, ["y", "mark"], stratum="s", weight="w",
                             population=population, areas=areas, by="groep", lonely_psu="adjust")
    for row in est.itertuples():
        in_domain = (data["groep"] == row.group).to_numpy()
        if row.n == 0:
            assert np.isnan(row.estimate)
            continue
        r, se = _ratio_reference(data, row.variable, in_domain, areas[row.area], population)
        assert row.estimate == pytest.approx(r, rel=1e-12, abs=1e-14)
        assert row.se == pytest.approx(se, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_strata=st.integers(1, 6), max_n=st.integers(1, 30),
       fpc=st.booleans(), factor=st.floats(1e-3, 1e3))
def test_weight_scale_invariance_and_ci_properties(seed, n_strata, max_n, fpc, factor):
    data = _random_sample(seed, n_strata, max_n, fpc)
    strata = sorted(data["s"].unique())
    areas = {"all": strata, **{h: [h] for h in strata}}
    kwargs = dict(stratum="s", weight="w", population="N" if fpc else None, areas=areas,
                  by="groep")
    est = E.domain_estimates(data, ["y", "mark"], **kwargs)
    scaled = E.domain_estimates(data.assign(w=data["w"] * factor), ["y", "mark"], **kwargs)
    for col in ("estimate", "se", "n_eff", "deff", "n_eff_fpc"):
        np.testing.assert_allclose(scaled[col], est[col], rtol=1e-9, atol=1e-13)
    np.testing.assert_array_equal(scaled["df"], est["df"])
    props = est[est["variable"] == "y"]
    p = props["estimate"].dropna()
    assert ((p >= 0) & (p <= 1)).all()
    for method in ("logit", "beta", "wilson"):
        ci = E.add_confidence_intervals(est, proportions=["y"], method=method)
        ci_s = E.add_confidence_intervals(scaled, proportions=["y"], method=method)
        np.testing.assert_allclose(ci_s["lower"], ci["lower"], rtol=1e-8, atol=1e-10)
        ok = ci["n"] > 0
        prop = ok & (ci["variable"] == "y")
        assert prop.sum() == 0 or (ci.loc[prop, "lower"] >= 0).all()
        assert prop.sum() == 0 or (ci.loc[prop, "upper"] <= 1).all()
        defined = ok & ci["lower"].notna()
        assert (ci.loc[defined, "lower"] <= ci.loc[defined, "estimate"]).all()
        assert (ci.loc[defined, "estimate"] <= ci.loc[defined, "upper"]).all()
        # proportion intervals are defined for every non-empty domain
        assert ci.loc[prop, "lower"].notna().all()


@settings(max_examples=200, deadline=None)
@given(p=st.floats(0, 1), se=st.floats(0, 0.5), n=st.integers(1, 5000),
       extra=st.integers(0, 10), method=st.sampled_from(["logit", "beta", "wilson"]),
       level=st.floats(0.5, 0.999))
def test_proportion_ci_contains_estimate(p, se, n, extra, method, level):
    df = max(n - 1 - extra, 0)
    n_eff = n * 1.3
    lo, hi = E.proportion_ci(p, se, n=n, df=df, n_eff_fpc=n_eff, method=method, level=level)
    assert 0 <= lo <= p <= hi <= 1
    if p in (0.0, 1.0):
        assert hi - lo > 0  # never degenerate unless a census


# ---------------------------------------------------------------------------------------------
# Coverage
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_coverage_of_logit_and_korn_graubard():
    """95 % intervals cover the finite-population percentage 93-97 % of the time (n >= 50).

    Twenty gemeenten with fixed finite populations (answers 1, 0 and "weet niet"), 1000
    stratified samples without replacement with fpc. Every replicate gemeente is its own stratum
    of one big design, so all replicates are estimated in one vectorised call (~1 s).
    """
    rng = np.random.default_rng(20250611)
    reps, n_gm = 1000, 20
    pop_n = rng.integers(300, 4000, n_gm)
    samp_n = rng.integers(60, 250, n_gm)
    p_true = rng.uniform(0.15, 0.85, n_gm)
    dk = rng.uniform(0.02, 0.15, n_gm)
    n_pos = np.round(pop_n * (1 - dk) * p_true).astype(int)
    n_neg = np.round(pop_n * (1 - dk)).astype(int) - n_pos
    n_na = pop_n - n_pos - n_neg
    truth = n_pos / (n_pos + n_neg)
    counts = np.stack([rng.multivariate_hypergeometric([a, b, c], m, size=reps)
                       for a, b, c, m in zip(n_pos, n_neg, n_na, samp_n, strict=True)], axis=1)
    counts = counts.reshape(reps * n_gm, 3)  # strata = (replicate, gemeente)
    values = np.tile(np.array([1.0, 0.0, np.nan]), reps * n_gm)
    y = np.repeat(values, counts.reshape(-1))
    stratum = np.repeat(np.arange(reps * n_gm), counts.sum(axis=1))
    gm = np.tile(np.arange(n_gm), reps)
    data = pd.DataFrame({"s": stratum, "y": y, "w": (pop_n / samp_n)[gm][stratum],
                         "N": pop_n[gm][stratum].astype(float)})
    est = E.domain_estimates(data, ["y"], stratum="s", weight="w", population="N")
    assert (est["n"] >= 50).all()
    true = truth[gm]
    for method in ("logit", "beta"):
        lo, hi = E.proportion_ci(est["estimate"], est["se"], n=est["n"], df=est["df"],
                                 n_eff_fpc=est["n_eff_fpc"], method=method)
        covered = (lo <= true) & (true <= hi)
        # Korn-Graubard caps the effective n at n, so with sampling fractions up to 80 % it forgoes
        # part of the fpc gain and is somewhat conservative
        top = 0.97 if method == "logit" else 0.98
        assert 0.93 <= covered.mean() <= top, (method, covered.mean())
        per_gemeente = covered.reshape(reps, n_gm).mean(axis=0)
        assert per_gemeente.min() >= 0.91, (method, per_gemeente)
