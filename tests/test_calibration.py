"""Calibration-aware variance and lonely strata, against R `survey` 4.1.1 (committed fixtures).

The reference values were made with tests/fixtures/calibration/make_fixtures.R from the files
made by tests/fixtures/calibration/make_input.py; R is not needed to run the tests. ceo's own
weighting (:func:`ceo.stats.weighting.compute_weights`) makes the weights and the calibration cells;
R post-stratifies and rakes to the cells written out by hand in input.csv.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceo.stats import estimation as E
from ceo.stats.weighting import Population, compute_weights
from ceo.validate.codebook import get_codebook

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "calibration"
DIMS = ("leeftijdsklasse", "geslacht")
METHOD = {"poststratificatie": "poststratificatie", "raking": "raking", "vast": "raking"}
R_CELLS = {"poststratificatie": ["ps_cel"], "raking": ["rk_leeftijd", "rk_geslacht"]}


@cache
def _input() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "input.csv")


@cache
def _population() -> Population:
    cb = get_codebook("wmo")
    return Population.from_cells(pd.read_csv(FIXTURES / "population.csv"), DIMS,
                                 {d: cb.labels(d) for d in DIMS})


@cache
def _areas() -> dict[str, list[str]]:
    areas = pd.read_csv(FIXTURES / "areas.csv")
    return {a: list(g["gemeentecode"]) for a, g in areas.groupby("area", sort=False)}


@cache
def _r() -> pd.DataFrame:
    r = pd.read_csv(FIXTURES / "r_estimates.csv")
    for col in ("by", "group"):
        r[col] = r[col].fillna("")
    return r


@cache
def _weighting(method: str):
    return compute_weights(_input(), population=_population(), method=method, trim_cap=None,
                           trim_warn=None)


def _data(design: str) -> tuple[pd.DataFrame, E.Calibration | None]:
    """The data with ceo's weights (``w``) and ``N``; the calibration unless the weights are
    used as a delivered weight column (``vast``)."""
    res = _weighting(METHOD[design])
    data = _input().assign(w=res.weights.to_numpy(),
                           N=_input()["gemeentecode"].map(_population().totals))
    return data, (None if design == "vast" else res.calibration)


@cache
def _ours(design: str, lonely: str) -> pd.DataFrame:
    data, calibration = _data(design)
    frames = [E.domain_estimates(data, ["q1", "cijfer"], stratum="gemeentecode", weight="w",
                                 population="N", areas=_areas(), by=by, calibration=calibration,
                                 lonely_psu=lonely) for by in (None, "groep")]
    out = pd.concat(frames, ignore_index=True)
    out["by"] = out["by"].fillna("")
    out["group"] = out["group"].fillna("")
    return out


def _merged(design: str, lonely: str) -> pd.DataFrame:
    r = _r()
    r = r[(r["design"] == design) & (r["lonely"] == lonely)]
    merged = r.merge(_ours(design, lonely), on=["area", "by", "group", "variable"],
                     suffixes=("_r", ""), how="left", validate="one_to_one")
    assert merged["estimate"].notna().all()
    return merged


# ---------------------------------------------------------------------------------------------
# The fixture and the weights
# ---------------------------------------------------------------------------------------------


def test_fixture_covers_the_corners():
    data = _input()
    n_h = data.groupby("gemeentecode").size()
    big_n = _population().totals
    assert (n_h == 1).sum() == 1  # a lonely stratum
    assert (n_h == big_n.reindex(n_h.index)).any()  # a census
    assert (n_h / big_n.reindex(n_h.index)).max() > 0.3  # a large sampling fraction
    assert data["leeftijdsklasse"].isna().any() and data["groep"].isna().any()
    assert data["q1"].isna().any() and data["cijfer"].isna().any()
    assert data["rk_leeftijd"].str.contains(r"\+").any()  # merged categories
    assert data["ps_cel"].str.endswith(":alle").any()  # everything merged
    r = _r()
    assert set(r["design"]) == {"vast", "poststratificatie", "raking"}
    assert set(r["lonely"]) == {"average", "adjust"}
    # regions pooling several gemeenten, with and without the lonely one, the rest of a region
    assert {"R01", "R02", "R03", "NL", "R01-GM0014", "R03-GM0060"} <= set(r["area"])
    # the lonely stratum matters: R's two options differ where it is pooled
    pooled = r[(r["area"] == "R03") & (r["by"] == "")].pivot_table(
        index=["design", "variable"], columns="lonely", values="se")
    assert (np.abs(pooled["adjust"] / pooled["average"] - 1) > 0.1).all()
    # calibration matters: R's SEs of the calibrated designs differ from the fixed weights
    own = r[(r["lonely"] == "average") & (r["by"] == "") & r["area"].str.startswith("GM")]
    ratio = (own[own["design"] == "raking"].set_index(["area", "variable"])["se"]
             / own[own["design"] == "vast"].set_index(["area", "variable"])["se"]).dropna()
    assert (ratio < 0.97).any() and (ratio > 0).all()


@pytest.mark.parametrize("method", ["poststratificatie", "raking"])
def test_weights_and_cells_equal_r(method):
    res = _weighting(method)
    r_w = pd.read_csv(FIXTURES / "r_weights.csv")
    col = "w_ps" if method == "poststratificatie" else "w_rk"
    np.testing.assert_allclose(res.weights.to_numpy(), r_w[col].to_numpy(), rtol=1e-10)
    cal = res.calibration
    assert cal.method == method and cal.cells.shape == (len(_input()), len(R_CELLS[method]))
    for j, col in enumerate(R_CELLS[method]):  # the same partition of the respondents
        pairs = pd.DataFrame({"ours": cal.cells[:, j], "r": _input()[col]}).drop_duplicates()
        assert pairs["ours"].is_unique and pairs["r"].is_unique


def test_no_calibration_for_fixed_weights():
    data = _input().assign(w=2.0)
    assert compute_weights(data, weight_column="w").calibration is None
    assert compute_weights(data).calibration is None
    pop = Population.from_cells(_population().cells.groupby("gemeentecode", as_index=False)["aantal"].sum())
    assert compute_weights(data, population=pop).calibration is None  # design weights N/n


# ---------------------------------------------------------------------------------------------
# Equality with R
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lonely", ["average", "adjust"])
@pytest.mark.parametrize("design", ["poststratificatie", "raking", "vast"])
def test_estimates_and_se_equal_r(design, lonely):
    m = _merged(design, lonely)
    assert len(m) > 150
    np.testing.assert_array_equal(m["n"], m["n_r"])
    np.testing.assert_array_equal(m["df"], m["df_r"])
    np.testing.assert_allclose(m["n_weighted"], m["n_weighted_r"], rtol=1e-10)
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], rtol=0, atol=1e-8)
    positive = m["se_r"] > 0
    assert positive.sum() > 100
    np.testing.assert_allclose(m.loc[positive, "se"], m.loc[positive, "se_r"], rtol=1e-6)
    assert (m.loc[~positive, "se"] < 1e-12).all()  # census (GM0050) and single respondents


def test_census_and_lonely_gemeente_have_no_variance():
    for design in ("poststratificatie", "raking"):
        ours = _ours(design, "average")
        census = ours[ours["area"] == "GM0050"]
        assert (census["se"] == 0).all() and (census["n"] > 0).all()
        # R cannot form a design of the lonely gemeente alone: all its strata lonely, so we use
        # "adjust" there: one respondent in one calibration cell, SE 0, df 0 (fallback interval)
        lonely = ours[(ours["area"] == "GM0060") & (ours["by"] == "")]
        assert (lonely["n"] == 1).all() and (lonely["df"] == 0).all() and (lonely["se"] == 0).all()
        adjust = _ours(design, "adjust")
        np.testing.assert_array_equal(lonely["se"], adjust.loc[lonely.index, "se"])


def test_lonely_stratum_only_touches_its_areas():
    """The lonely gemeente changes only the areas it belongs to; there "average" scales the
    others' variance by (strata) / (strata - 1) of the area (checked against R above)."""
    for design in ("poststratificatie", "raking", "vast"):
        avg, adj = _ours(design, "average"), _ours(design, "adjust")
        with_lonely = avg["area"].map(lambda a: "GM0060" in _areas()[a])
        assert with_lonely.any() and (~with_lonely).any()
        np.testing.assert_allclose(avg.loc[~with_lonely, "se"], adj.loc[~with_lonely, "se"], rtol=1e-12)
        if design != "vast":
            # calibrated, the lonely respondent is alone in its cell: its residual, and hence
            # its "adjust" term, is 0; "average" gives the area sqrt(H / (H - 1)) x that SE
            region = (avg["area"] == "R03") & (avg["by"] == "")
            np.testing.assert_allclose(avg.loc[region, "se"], np.sqrt(2) * adj.loc[region, "se"],
                                       rtol=1e-12)


@pytest.mark.parametrize("design", ["poststratificatie", "raking"])
def test_gemeente_versus_rest_of_region_equals_r(design):
    data, calibration = _data(design)
    regions = {k: v for k, v in _areas().items() if k in ("R01", "R02", "R03")}
    frames = [E.compare_with_rest_of_region(data, ["q1", "cijfer"], stratum="gemeentecode",
                                            weight="w", population="N", regions=regions, by=by,
                                            proportions=["q1"], calibration=calibration)
              for by in (None, "groep")]
    ours = pd.concat(frames, ignore_index=True)
    ours["by"] = ours["by"].fillna("")
    ours["group"] = ours["group"].fillna("")
    ours["area_rest"] = ours["region"] + "-" + ours["gemeente"]
    r = _r()
    r = r[(r["design"] == design) & (r["lonely"] == "average")]
    keys = ["by", "group", "variable"]
    m = ours.merge(r.rename(columns={"area": "area_rest"}), on=["area_rest", *keys],
                   validate="one_to_one")
    m = m.merge(r.rename(columns={"area": "gemeente", "se": "se_gm_r", "estimate": "est_gm_r"})
                [["gemeente", *keys, "se_gm_r", "est_gm_r"]], on=["gemeente", *keys],
                validate="many_to_one")
    assert len(m) > 50
    np.testing.assert_allclose(m["estimate_rest"], m["estimate"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(m["estimate_gemeente"], m["est_gm_r"], rtol=0, atol=1e-8)
    pos = m["se"] > 0
    np.testing.assert_allclose(m.loc[pos, "se_rest"], m.loc[pos, "se"], rtol=1e-6)
    pos = m["se_gm_r"] > 0
    np.testing.assert_allclose(m.loc[pos, "se_gemeente"], m.loc[pos, "se_gm_r"], rtol=1e-6)
    # calibration cells lie within gemeenten: gemeente and rest are independent
    np.testing.assert_allclose(m["se_difference"], np.hypot(m["se_gm_r"], m["se"]), rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# Behaviour around the calibration
# ---------------------------------------------------------------------------------------------


def test_one_respondent_no_longer_inflates_a_region():
    """The issue's case: a gemeente with one respondent and a large population in a region of ten.

    "adjust" centres its one weighted value (weight N_h) at 0 and more than doubles the region's
    SE; "average" scales the other nine strata by 10 / 9.
    """
    rng = np.random.default_rng(11)
    frames = [pd.DataFrame({"s": f"GM{h:04d}", "N": 500.0, "y": (rng.random(40) < 0.6).astype(float)})
              for h in range(1, 10)]
    frames.append(pd.DataFrame({"s": ["GM0010"], "N": [6000.0], "y": [0.0]}))
    data = pd.concat(frames, ignore_index=True)
    data["w"] = data["N"] / data.groupby("s")["s"].transform("size")
    areas = {"regio": [f"GM{h:04d}" for h in range(1, 11)], "negen": [f"GM{h:04d}" for h in range(1, 10)]}
    kw = dict(stratum="s", weight="w", population="N", areas=areas)
    adj = E.domain_estimates(data, ["y"], lonely_psu="adjust", **kw).set_index("area")["se"]
    avg = E.domain_estimates(data, ["y"], **kw).set_index("area")["se"]
    w_all, w_nine = data["w"].sum(), data.loc[data["s"] != "GM0010", "w"].sum()
    # the nine strata's variance (on the region's scale) times 10 / 9
    assert avg["regio"] == pytest.approx(np.sqrt(10 / 9) * avg["negen"] * w_nine / w_all, rel=1e-6)
    assert adj["regio"] > 2 * avg["regio"]


def test_poststratification_residualises_within_cells():
    """Hand-computed: one gemeente, two post-strata, y constant within each post-stratum.

    The calibrated SE is then 0 (the post-strata explain everything); with fixed weights it is not.
    """
    data = pd.DataFrame({"s": "GM0014", "w": [2.0, 2.0, 2.0, 4.0, 4.0], "N": 14.0,
                         "y": [1.0, 1.0, 1.0, 0.0, 0.0]})
    cal = E.Calibration("poststratificatie", np.array([0, 0, 0, 1, 1]))
    fixed = E.domain_estimates(data, ["y"], stratum="s", weight="w", population="N")
    calibrated = E.domain_estimates(data, ["y"], stratum="s", weight="w", population="N",
                                    calibration=cal)
    assert fixed["estimate"].iloc[0] == calibrated["estimate"].iloc[0] == pytest.approx(6 / 14)
    assert fixed["se"].iloc[0] > 0.1
    assert calibrated["se"].iloc[0] < 1e-15


def test_raking_sweeps_ten_times_like_r():
    """R's svyrecvar sweeps 10 times over the margins of a raked design (not to convergence)."""
    rng = np.random.default_rng(5)
    n = 60
    data = pd.DataFrame({"s": "GM0014", "w": rng.uniform(1, 3, n), "N": 500.0,
                         "y": rng.normal(size=n)})
    cells = np.column_stack([rng.integers(0, 3, n), 10 + rng.integers(0, 2, n)])
    v = data["y"].to_numpy() - np.average(data["y"], weights=data["w"])
    for _ in range(10):
        for j in range(2):
            means = pd.Series(v).groupby(cells[:, j]).transform("mean").to_numpy()
            v = v - means
    e = data["w"].to_numpy() * v / data["w"].sum()
    expected = np.sqrt((1 - n / 500) * n / (n - 1) * ((e - e.mean()) ** 2).sum())
    est = E.domain_estimates(data, ["y"], stratum="s", weight="w", population="N",
                             calibration=E.Calibration("raking", cells))
    assert est["se"].iloc[0] == pytest.approx(expected, rel=1e-10)


def test_trimmed_weights_keep_their_cells():
    """Trimming keeps the calibration cells (the SE then treats the trimmed weights as calibrated)."""
    res = compute_weights(_input(), population=_population(), method="raking", trim_cap=1.2,
                          trim_warn=None)
    assert res.per_gemeente["trimmed"].sum() > 0
    untrimmed = _weighting("raking")
    np.testing.assert_array_equal(res.calibration.cells, untrimmed.calibration.cells)
    data = _input().assign(w=res.weights.to_numpy(), N=_input()["gemeentecode"].map(_population().totals))
    est = E.domain_estimates(data, ["q1"], stratum="gemeentecode", weight="w", population="N",
                             calibration=res.calibration)
    assert np.isfinite(est.loc[est["n"] > 1, "se"]).all()


def test_invalid_calibration_is_reported_in_dutch():
    data = pd.DataFrame({"s": ["A", "A", "B", "B"], "w": 1.0, "y": [1.0, 0.0, 1.0, 0.0]})
    kwargs = dict(stratum="s", weight="w")
    with pytest.raises(ValueError, match="binnen een gemeente"):
        E.domain_estimates(data, ["y"], calibration=E.Calibration("raking", np.array([0, 1, 1, 2])),
                           **kwargs)
    with pytest.raises(ValueError, match="één rij per respondent"):
        E.domain_estimates(data, ["y"], calibration=E.Calibration("raking", np.array([0, 1])), **kwargs)
    with pytest.raises(ValueError, match="gehele getallen"):
        E.domain_estimates(data, ["y"], calibration=E.Calibration("raking", np.array([0.0, 0, 1, 1])),
                           **kwargs)
    with pytest.raises(ValueError, match="kalibratiemethode"):
        E.domain_estimates(data, ["y"], calibration=E.Calibration("greg", np.array([0, 0, 1, 1])), **kwargs)
    with pytest.raises(ValueError, match="average of adjust"):
        E.domain_estimates(data, ["y"], lonely_psu="remove", **kwargs)


def test_results_table_uses_the_calibration():
    """estimate_results passes the calibration on: the published SEs are the calibrated ones."""
    from ceo.stats.results import build_areas, estimate_results

    wmo = get_codebook("wmo")
    fixture = pd.read_csv(Path(__file__).parent / "fixtures" / "results" / "input.csv",
                          dtype={"respondent_id": str})
    fixture = fixture[fixture["voorziening"].notna()].reset_index(drop=True)
    pop = fixture.groupby("gemeentecode")["N"].first().to_dict()
    areas, _ = build_areas(fixture["gemeentecode"], [])
    codes = pd.factorize(fixture["gemeentecode"].astype(str) + ":" + fixture["voorziening"].astype(str))[0]
    cal = E.Calibration("poststratificatie", codes)
    common = dict(edition=2025, weights=fixture["w"], weighted=True, population_totals=pop, areas=areas)
    plain = estimate_results(fixture, wmo, **common).table
    calibrated = estimate_results(fixture, wmo, calibration=cal, **common).table
    keys = ["gebied_code", "indicator", "subgroep", "subgroep_waarde", "categorie"]
    m = plain.merge(calibrated, on=keys, suffixes=("_plain", "_cal"), validate="one_to_one")
    both = m["se_plain"].notna() & m["se_cal"].notna() & (m["se_plain"] > 0)
    assert both.sum() > 20
    np.testing.assert_allclose(m.loc[both, "waarde_plain"], m.loc[both, "waarde_cal"], rtol=1e-12)
    assert (np.abs(m.loc[both, "se_cal"] / m.loc[both, "se_plain"] - 1) > 1e-3).any()


def test_raking_equals_r_calibrate_with_raking_calfun():
    """The researcher may declare the same raking with ``calibrate(calfun = "raking")`` (GREG residuals
    instead of rake()'s sweeps): at convergence R gives the same weights and SEs, and so does ceo
    (fixture made by make_calibrate.R, all gemeenten, lonely "adjust")."""
    r = pd.read_csv(FIXTURES / "r_calibrate.csv", dtype={"group": str}).fillna({"by": "", "group": ""})
    ours = _ours("raking", "adjust")
    merged = r.merge(ours[ours["area"] == "NL"], on=["by", "group", "variable"], suffixes=("_r", ""),
                     how="left", validate="one_to_one")
    assert len(merged) == 8 and merged["estimate"].notna().all()
    np.testing.assert_allclose(merged["estimate"], merged["estimate_r"], rtol=1e-8, atol=0)
    np.testing.assert_allclose(merged["se"], merged["se_r"], rtol=1e-6, atol=0)
    # and R's two declarations agree with each other (otherwise ceo could only equal one of them)
    np.testing.assert_allclose(merged["se_r"], merged["se_rake"], rtol=1e-9)
