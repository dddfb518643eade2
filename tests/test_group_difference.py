"""The design-based test of a difference between the groups of a subgroup breakdown (``p_groepen``),
against R `survey` 4.1.1 (committed fixtures), and its place in the results table.

The reference values were made with tests/fixtures/group_difference/make_fixtures.R from the seeded data
of tests/fixtures/calibration (fixed weights with and without fpc, delivered weights, post-stratified and
raked weights, a census gemeente, a lonely stratum, regions and the rest of a region); R is not needed to
run the tests. R's reference is ``regTermTest(svyglm(y ~ g, dom), ~g, method = "Wald", df = degf(dom))``;
the fixture also holds the Wald statistic from ``svyby(..., covmat = TRUE)`` and the contrasts, which is
the same number (the textbook Wald test of equal domain means).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ceo.core.texts import join_and
from ceo.stats import estimation as E
from ceo.stats.results import benjamini_hochberg, build_areas, estimate_results
from ceo.stats.weighting import Population, compute_weights
from ceo.validate.codebook import get_codebook
from ceo.validate.project import Thresholds
from ceo.validate.registry import Region

HERE = Path(__file__).resolve().parent / "fixtures"
CAL = HERE / "calibration"
FIXTURE = HERE / "group_difference" / "r_group_tests.csv"
DIMS = ("leeftijdsklasse", "geslacht")
DESIGNS = ("ontwerp", "zonder_fpc", "vast", "poststratificatie", "raking")
KEY = ["design", "lonely", "area", "by", "variable"]


@cache
def _r() -> pd.DataFrame:
    return pd.read_csv(FIXTURE)


@cache
def _population() -> Population:
    cb = get_codebook("wmo")
    return Population.from_cells(pd.read_csv(CAL / "population.csv"), DIMS, {d: cb.labels(d) for d in DIMS})


@cache
def _areas() -> dict[str, list[str]]:
    areas = pd.read_csv(CAL / "areas.csv")
    return {a: list(g["gemeentecode"]) for a, g in areas.groupby("area", sort=False)}


def _design(design: str) -> tuple[pd.DataFrame, str, str | None, E.Calibration | None]:
    """The data of the fixture's design: (data, weight column, population column, calibration)."""
    inp = pd.read_csv(CAL / "input.csv")
    d = inp.copy()
    d["N"] = d["gemeentecode"].map(_population().totals)
    d["w"] = d["N"] / d.groupby("gemeentecode")["gemeentecode"].transform("size")
    d["groep"] = d["groep"].map({"a": 1, "b": 2, "c": 3})
    d["groep_ab"] = d["groep"]
    if design == "vast":
        rw = pd.read_csv(CAL / "r_weights.csv").set_index("respondent_id")["w_rk"]
        d["w"] = d["respondent_id"].map(rw)
    if design in ("poststratificatie", "raking"):
        res = compute_weights(inp, population=_population(), method=design, trim_cap=None, trim_warn=None)
        d["w"] = res.weights.to_numpy()
        return d, "w", "N", res.calibration
    return d, "w", (None if design == "zonder_fpc" else "N"), None


@cache
def _ours(design: str, lonely: str) -> pd.DataFrame:
    d, w, pop, cal = _design(design)
    common = dict(stratum="gemeentecode", weight=w, population=pop, areas=_areas(), calibration=cal,
                  lonely_psu=lonely)
    everything = E.group_difference_tests(d, ["q1", "cijfer"], by=["groep", "geslacht", "leeftijdsklasse"],
                                          **common)
    # groep_ab: only groups a and b of groep are tested (as when group c is not published)
    only_ab = pd.DataFrame([("groep_ab", a, g, v) for a in _areas() for g in (1, 2) for v in ("q1", "cijfer")],
                           columns=["by", "area", "group", "variable"])
    ab = E.group_difference_tests(d, ["q1", "cijfer"], by="groep_ab", include=only_ab, **common)
    return pd.concat([everything, ab], ignore_index=True).assign(design=design, lonely=lonely)


def test_fixture_covers_the_corners():
    r = _r()
    assert set(r["design"]) == set(DESIGNS)
    assert set(r["lonely"]) == {"average", "adjust"}
    assert set(r["k"]) == {2, 3}
    assert {"GM0050", "R02", "R03", "NL", "R01-GM0014"} <= set(r["area"])  # census inside a region, lonely
    assert set(r["by"]) == {"groep", "groep_ab", "geslacht", "leeftijdsklasse"}
    assert len(r) > 1000


def test_regtermtest_is_the_wald_test_on_the_domain_means():
    """The documented reference: regTermTest's Wald statistic (df = degf) equals the textbook Wald
    statistic from svyby's covariance matrix of the domain means and the contrasts."""
    r = _r().dropna(subset=["wald_svyby"])
    assert len(r) > 500
    assert np.allclose(r["wald"], r["wald_svyby"], rtol=1e-9, atol=1e-9)
    # and the p-value is that of F = W / (K - 1) on (K - 1, degf) degrees of freedom
    assert np.allclose(r["p"], stats.f.sf(r["wald"] / r["df1"], r["df1"], r["df2"]), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("lonely", ["average", "adjust"])
@pytest.mark.parametrize("design", DESIGNS)
def test_test_equals_r(design, lonely):
    r = _r()
    r = r[(r["design"] == design) & (r["lonely"] == lonely)]
    m = r.merge(_ours(design, lonely), on=KEY, how="left", suffixes=("_r", ""), validate="one_to_one")
    assert m["k"].notna().all()
    assert (m["k"] == m["k_r"]).all() and (m["n"] == m["n_r"]).all() and (m["df2"] == m["df2_r"]).all()
    tested = m["p_value"].notna()
    assert tested.sum() >= 0.9 * len(m)
    t = m[tested]
    assert np.abs(t["p_value"] - t["p"]).max() <= 1e-6
    assert (np.abs(t["statistic"] - t["statistic_r"]) <= 1e-6 * np.maximum(1.0, t["statistic_r"])).all()
    # the statistics that R computes but ceo does not: a group without variance in a sample (R takes
    # 3 of 3 "ja" as known exactly; ceo does not test then)
    untested = m[~tested]
    d, w, pop, cal = _design(design)
    est = pd.concat([E.domain_estimates(d, ["q1", "cijfer"], stratum="gemeentecode", weight=w, population=pop,
                                        areas=_areas(), by=by, calibration=cal, lonely_psu=lonely).assign(by=by)
                     for by in ("groep", "geslacht", "leeftijdsklasse")])
    flat = est[(est["n"] > 0) & (est["se"] <= 1e-10) & np.isfinite(est["n_eff_fpc"])]
    flat = set(zip(flat["area"], flat["by"], flat["variable"], strict=True))
    for row in untested.itertuples():
        assert (row.area, row.by.replace("groep_ab", "groep"), row.variable) in flat, row


def test_diagonal_is_the_published_variance():
    """Two groups: F is the squared difference over the variance of the difference, whose parts are the
    published SEs (no lonely strata) minus twice the covariance; without calibration that covariance is
    the stratum centring only, -k_h S1_a delta_a S1_b delta_b / (W_a W_b), 0 in a single stratum."""
    d, w, pop, _ = _design("ontwerp")
    one = {"GM0014": ["GM0014"]}
    est = E.domain_estimates(d, ["cijfer"], stratum="gemeentecode", weight=w, population=pop, areas=one,
                             by="geslacht")
    test = E.group_difference_tests(d, ["cijfer"], stratum="gemeentecode", weight=w, population=pop, areas=one,
                                    by="geslacht")
    s = d[(d["gemeentecode"] == "GM0014") & d["cijfer"].notna() & d["geslacht"].notna()]
    mean = s.groupby("geslacht").apply(lambda g: np.average(g["cijfer"], weights=g["w"]))
    # in a single stratum delta = 0 (the stratum mean is the estimate), so the centring term is 0 and the
    # groups are uncorrelated: F = diff^2 / (se_1^2 + se_2^2)
    se = est.set_index("group")["se"]
    assert test["statistic"].iloc[0] == pytest.approx((mean[1] - mean[2]) ** 2 / (se[1] ** 2 + se[2] ** 2),
                                                      rel=1e-10)
    assert test["df2"].iloc[0] == len(s) - 1


def test_census_groups_are_exact():
    """A census gemeente with the fpc: no sampling variance, so groups that differ differ (p = 0) and
    there is no F statistic; the same figures without the fpc are tested normally."""
    d, w, _, _ = _design("ontwerp")
    area = {"GM0050": ["GM0050"]}
    with_fpc = E.group_difference_tests(d, ["q1", "cijfer"], stratum="gemeentecode", weight=w, population="N",
                                        areas=area, by="geslacht")
    assert with_fpc["exact"].all() and with_fpc["statistic"].isna().all()
    assert set(with_fpc["p_value"]) <= {0.0, 1.0}
    plain = E.group_difference_tests(d, ["q1", "cijfer"], stratum="gemeentecode", weight=w, population=None,
                                     areas=area, by="geslacht")
    assert not plain["exact"].any() and plain["p_value"].between(0, 1).all()
    assert (plain["p_value"] > 0).all()


def test_a_group_without_spread_is_not_tested():
    d, w, pop, _ = _design("ontwerp")
    d = d[d["gemeentecode"] == "GM0014"].copy()
    d.loc[d["geslacht"] == 1, "q1"] = 1.0  # every man answers "ja"
    res = E.group_difference_tests(d, ["q1", "cijfer"], stratum="gemeentecode", weight=w, population=pop,
                                   by="geslacht")
    res = res.set_index("variable")
    assert np.isnan(res.loc["q1", "p_value"]) and res.loc["q1", "k"] == 2
    assert 0 < res.loc["cijfer", "p_value"] < 1


def test_fewer_than_two_groups_is_not_tested():
    d, w, pop, _ = _design("ontwerp")
    only = pd.DataFrame({"by": "groep", "area": "NL", "group": [1], "variable": "q1"})
    res = E.group_difference_tests(d, ["q1"], stratum="gemeentecode", weight=w, population=pop,
                                   areas={"NL": sorted(d["gemeentecode"].unique())}, by="groep", include=only)
    assert res["k"].tolist() == [1] and res["p_value"].isna().all()


# --------------------------------------------------------------------------------------------
# In the results table
# --------------------------------------------------------------------------------------------

GEMEENTEN = ("GM0505", "GM0531", "GM0590", "GM0610")


def _survey_data(seed: int, n: tuple[int, ...], effect: float = 0.0) -> pd.DataFrame:
    """Wmo answers of four gemeenten with the subgroups; ``effect`` shifts the probability of a positive
    answer and the rapportcijfer of leeftijdsklasse 4 (0: no group difference at all)."""
    rng = np.random.default_rng(seed)
    gm = np.repeat(np.asarray(GEMEENTEN, dtype=object), n)
    size = len(gm)
    age = rng.choice([1, 2, 3, 4], size, p=[0.3, 0.3, 0.3, 0.1])
    shift = np.where(age == 4, effect, 0.0)
    data = {"respondent_id": [f"r{i}" for i in range(size)], "gemeentecode": gm, "leeftijdsklasse": age,
            "geslacht": rng.choice([1, 2], size), "voorziening": rng.choice([1, 2, 5], size)}
    for j in range(1, 11):
        pos = rng.random(size) < np.clip(0.75 - shift, 0.01, 0.99)
        answer = np.where(pos, rng.choice([1, 2], size), rng.choice([3, 4, 5], size))
        data[f"v{j:02d}"] = np.where(rng.random(size) < 0.05, 8, answer)
    data["rapportcijfer"] = np.clip(np.rint(rng.normal(7.5 - 3 * shift, 1.3, size)), 1, 10).astype(int)
    return pd.DataFrame(data)


def _results(data: pd.DataFrame, min_n: int = 30) -> pd.DataFrame:
    wmo = get_codebook("wmo")
    region = Region("regio", "Testregio", "regio", GEMEENTEN)
    areas, _ = build_areas(data["gemeentecode"], [region])
    n = data["gemeentecode"].value_counts()
    pop = {g: float(8 * n[g]) for g in n.index}
    w = data["gemeentecode"].map({g: pop[g] / n[g] for g in n.index})
    return estimate_results(data, wmo, edition=2025, weights=w, weighted=True, population_totals=pop, areas=areas,
                            comparison_regions={g: "regio" for g in GEMEENTEN},
                            # merge_share 1: leeftijdsklasse 4 (the real difference) stays a group of its own
                            thresholds=Thresholds(min_n=min_n, merge_share=1.0)).table


@cache
def _table() -> pd.DataFrame:
    return _results(_survey_data(7, (400, 250, 90, 60), effect=0.3))


def test_results_columns_on_subgroup_rows_only():
    t = _table()
    sub = (t["subgroep"] != "") & (t["categorie"] == "")
    assert t.loc[~sub, "p_groepen"].isna().all()
    assert (t.loc[~sub, ["significant_groepen", "toets_groepen"]] == "").all().all()
    tested = t["p_groepen"].notna()
    assert tested.sum() > 50
    assert set(t.loc[tested, "significant_groepen"]) == {"ja", "nee"}
    assert (t.loc[sub & ~tested, "significant_groepen"] == "").all()
    assert t.loc[tested, "toets_groepen"].str.fullmatch(r"F\(\d; [\d.]+\) = \d[\d.]*,\d\d( \(zonder: .+\))?").all()
    # the same test on every row of one breakdown
    per = t[tested].groupby(["gebied_code", "indicator", "subgroep"])
    assert (per["p_groepen"].nunique() == 1).all() and (per["toets_groepen"].nunique() == 1).all()
    # a real difference (leeftijdsklasse 4 much less positive) is found in the total
    total = t[tested & (t["gebied_code"] == "totaal") & (t["subgroep"] == "leeftijdsklasse")]
    assert (total["significant_groepen"] == "ja").mean() > 0.8


def test_results_equal_the_direct_test():
    """p_groepen is group_difference_tests on the published groups, without the fpc (a systematic
    difference, as between editions), F and df in toets_groepen."""
    data = _survey_data(7, (400, 250, 90, 60), effect=0.3)
    t = _table()
    head = t[(t["subgroep"] == "geslacht") & (t["categorie"] == "") & (t["gebied_code"] == "GM0505")
             & (t["indicator"] == "rapportcijfer")]
    assert (head["onderdrukt"] == "nee").all() and len(head) == 2
    n = data["gemeentecode"].value_counts()
    d = data.assign(w=data["gemeentecode"].map(lambda g: 8.0), N=data["gemeentecode"].map(lambda g: 8.0 * n[g]),
                    y=data["rapportcijfer"].astype(float))
    common = dict(stratum="gemeentecode", weight="w", areas={"GM0505": ["GM0505"]}, by="geslacht")
    direct = E.group_difference_tests(d, ["y"], population=None, **common).iloc[0]
    with_fpc = E.group_difference_tests(d, ["y"], population="N", **common).iloc[0]
    assert with_fpc["p_value"] < direct["p_value"]  # the fpc (1/8 sampled) would make it smaller
    assert head["p_groepen"].iloc[0] == pytest.approx(direct["p_value"], rel=1e-12)
    assert head["toets_groepen"].iloc[0] == (f"F(1; {int(direct['df2'])}) = "
                                            + f"{direct['statistic']:.2f}".replace(".", ","))


def test_suppressed_groups_are_left_out():
    """A breakdown with a suppressed group in an area is tested on its published groups only (as
    ceo.stats.groups does), so no test rests on a suppressed cell; toets_groepen names the group left out,
    and the suppressed row itself carries nothing."""
    data = _survey_data(7, (400, 250, 90, 60), effect=0.3)
    t = _table()
    rows = t[(t["subgroep"] == "leeftijdsklasse") & (t["categorie"] == "") & (t["n"].fillna(1) > 0)]
    key = ["gebied_code", "indicator", "subgroep"]
    sup = (rows["onderdrukt"] == "ja").to_numpy()
    some = (rows["onderdrukt"] == "ja").groupby([rows[k] for k in key]).transform("any").to_numpy()
    assert sup.any() and (some & ~sup).any() and (~some).any()
    assert rows.loc[sup, "p_groepen"].isna().all() and (rows.loc[sup, "toets_groepen"] == "").all()
    assert rows.loc[~some, "toets_groepen"].str.contains("zonder").sum() == 0
    partial = rows[some & ~sup & rows["p_groepen"].notna().to_numpy()]
    assert len(partial)
    hidden = rows[sup].groupby(key)["subgroep_waarde"].agg(join_and)
    named = partial["toets_groepen"].str.extract(r" \(zonder: (.+)\)$")[0]
    assert (named.to_numpy() == hidden.reindex(pd.MultiIndex.from_frame(partial[key])).to_numpy()).all()
    # one of them against the direct test on the published groups
    row = partial[partial["indicator"] == "v01"].iloc[0]
    published = rows[(rows["gebied_code"] == row["gebied_code"]) & (rows["indicator"] == "v01") & ~sup]
    members = {g: [g] for g in GEMEENTEN} | {"regio": list(GEMEENTEN), "totaal": list(GEMEENTEN)}
    wmo = get_codebook("wmo")
    code = {v: k for k, v in wmo.labels("leeftijdsklasse").items()}
    y = np.where(data["v01"] == 8, np.nan, data["v01"].isin(wmo.variables["v01"].positive).astype(float))
    include = pd.DataFrame({"by": "leeftijdsklasse", "area": row["gebied_code"], "variable": "y",
                            "group": published["subgroep_waarde"].map(code).to_numpy()})
    direct = E.group_difference_tests(data.assign(w=8.0, y=y), ["y"], stratum="gemeentecode", weight="w",
                                      areas={row["gebied_code"]: members[row["gebied_code"]]},
                                      by="leeftijdsklasse", include=include).iloc[0]
    assert direct["k"] == len(published) >= 2
    assert row["p_groepen"] == pytest.approx(direct["p_value"], rel=1e-10)


def test_flags_are_benjamini_hochberg_per_page():
    t = _table()
    tests = t[t["p_groepen"].notna()].drop_duplicates(["gebied_code", "indicator", "subgroep"])
    family = tests["gebied_code"].factorize()[0]
    adjusted = benjamini_hochberg(tests["p_groepen"].to_numpy(), family)
    assert ((adjusted < 0.05) == (tests["significant_groepen"] == "ja").to_numpy()).all()
    # the correction bites: some uncorrected p < 0.05 are not flagged
    assert ((tests["p_groepen"] < 0.05) & (tests["significant_groepen"] == "nee")).any()


def test_no_group_difference_rarely_flags_a_page():
    """No true difference between any groups: few pages (area x replicate) show any significant group
    difference, and the uncorrected tests reject about 5 %."""
    pages = flagged = rejected = tests = 0
    for seed in range(12):
        t = _results(_survey_data(100 + seed, (600, 400, 300, 300)))
        one = t[t["p_groepen"].notna()].drop_duplicates(["gebied_code", "indicator", "subgroep"])
        page_any = (one["significant_groepen"] == "ja").groupby(one["gebied_code"]).any()
        pages += len(page_any)
        flagged += int(page_any.sum())
        rejected += int((one["p_groepen"] < 0.05).sum())
        tests += len(one)
    assert pages == 12 * 6 and tests > 2000
    assert flagged / pages <= 0.10  # measured: 3 of 72
    assert 0.03 <= rejected / tests <= 0.08  # measured: 6.2 %
