"""The tidy results table: numbers equal to R `survey`, suppression, flags and comparisons."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceo.stats.results import (
    REASON_COMPLEMENT,
    RESULT_COLUMNS,
    Area,
    Benchmark,
    build_areas,
    definition_fingerprint,
    estimate_results,
)
from ceo.validate.codebook import get_codebook
from ceo.validate.project import Thresholds
from ceo.validate.registry import Region

FIXTURES = Path(__file__).parent / "fixtures" / "results"
REGION = Region("regio", "Testregio", "regio", ("GM0505", "GM0531", "GM0590", "GM0610"))


@pytest.fixture(scope="module")
def wmo():
    return get_codebook("wmo")


@pytest.fixture(scope="module")
def fixture_data():
    return pd.read_csv(FIXTURES / "input.csv", dtype={"respondent_id": str})


@pytest.fixture(scope="module")
def fixture_table(wmo, fixture_data):
    d = fixture_data
    areas, _ = build_areas(d["gemeentecode"], [REGION])
    pop = d.groupby("gemeentecode")["N"].first().to_dict()
    res = estimate_results(d, wmo, edition=2025, weights=d["w"], weighted=True, population_totals=pop,
                           areas=areas, comparison_regions={g: "regio" for g in pop},
                           thresholds=Thresholds(min_n=1, indicative_n_eff=50, indicative_ci_width=25))
    return res.table


def test_columns_are_the_documented_ones(fixture_table):
    assert list(fixture_table.columns) == RESULT_COLUMNS
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    uitvoer = readme.split("## Uitvoer", 1)[1].split("\n## ", 1)[0]
    assert [c for c in RESULT_COLUMNS if f"`{c}`" not in uitvoer] == []


def test_every_row_carries_its_question_text(wmo, fixture_table):
    """``vraagtekst``: the exact wording of the indicator's question, on the headline, distribution and
    subgroup rows alike (the CSV is readable without the codebook)."""
    t = fixture_table
    expected = t["indicator"].map({i.id: wmo.question(i.variable) for i in wmo.indicators})
    assert t["vraagtekst"].notna().all() and (t["vraagtekst"] != "").all()
    assert (t["vraagtekst"] == expected).all()
    assert set(t.loc[t["categorie"] != "", "vraagtekst"]) <= set(expected)
    assert t.loc[t["indicator"] == "rapportcijfer", "vraagtekst"].nunique() == 1


@pytest.mark.parametrize("variable,indicator,scale", [
    ("pos", "v06", 100.0), ("cijfer", "rapportcijfer", 1.0), ("onv", "rapportcijfer_onvoldoende", 100.0)])
def test_published_figures_equal_r_survey(fixture_table, variable, indicator, scale):
    ref = pd.read_csv(FIXTURES / "r_results.csv", dtype={"voorziening": str}, keep_default_na=False)
    ref = ref[ref["variable"] == variable]
    labels = {"": "", "1": "huishoudelijke hulp", "2": "hulpmiddelen", "5": "begeleiding",
              "7": "beschermd wonen"}
    t = fixture_table[(fixture_table["indicator"] == indicator) & (fixture_table["categorie"] == "")
                      & fixture_table["subgroep"].isin(["", "voorziening"])]
    checked = 0
    for r in ref.itertuples():
        row = t[(t["gebied_code"] == r.area) & (t["subgroep_waarde"] == labels[r.voorziening])]
        assert len(row) == 1, (r.area, r.voorziening)
        row = row.iloc[0]
        assert row["n"] == r.n
        assert row["waarde"] == pytest.approx(float(r.estimate) * scale, abs=1e-8 * scale)
        assert row["se"] == pytest.approx(float(r.se) * scale, abs=1e-8 * scale)
        p = float(r.estimate)
        if variable == "cijfer" or 1e-9 < p < 1 - 1e-9:
            # R's logit interval degenerates to a point at p = 0 or 1; ceo falls back to Korn-Graubard
            assert row["ondergrens"] == pytest.approx(float(r.lower) * scale, abs=1e-6 * scale)
            assert row["bovengrens"] == pytest.approx(float(r.upper) * scale, abs=1e-6 * scale)
        checked += 1
    assert checked >= 20


def test_everyone_positive_gets_an_honest_interval(fixture_table):
    row = fixture_table[(fixture_table["gebied_code"] == "GM0531") & (fixture_table["indicator"] == "v06")
                        & (fixture_table["subgroep"] == "") & (fixture_table["categorie"] == "")].iloc[0]
    assert row["waarde"] == pytest.approx(100.0)
    assert row["bovengrens"] == pytest.approx(100.0)
    assert 85.0 < row["ondergrens"] < 99.0


def test_weet_niet_is_counted_not_in_denominator(fixture_data, fixture_table):
    d = fixture_data[fixture_data["gemeentecode"] == "GM0505"]
    row = fixture_table[(fixture_table["gebied_code"] == "GM0505") & (fixture_table["indicator"] == "v06")
                        & (fixture_table["subgroep"] == "") & (fixture_table["categorie"] == "")].iloc[0]
    assert row["n"] == int(d["v06"].isin([1, 2, 3, 4, 5]).sum())
    assert row["n_geen_oordeel"] == int((d["v06"] == 8).sum())


def test_distribution_sums_to_100(fixture_table):
    t = fixture_table[(fixture_table["indicator"] == "v06") & (fixture_table["categorie"] != "")
                      & (fixture_table["subgroep"] == "")]
    sums = t.groupby("gebied_code")["waarde"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 100.0, atol=1e-9)
    assert list(t[t["gebied_code"] == "GM0505"]["categorie"]) == [
        "helemaal mee eens", "mee eens", "neutraal", "niet mee eens", "helemaal niet mee eens"]


def _synthetic(n_per_gm: dict[str, int], seed: int = 1, p_pos: float = 0.8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for g, n in n_per_gm.items():
        f = pd.DataFrame({"respondent_id": [f"{g}-{i}" for i in range(n)], "gemeentecode": g})
        for v in ["v01", "v02", "v03", "v04", "v05", "v06", "v07", "v08", "v09", "v10"]:
            f[v] = np.where(rng.random(n) < p_pos, rng.choice([1, 2], n), rng.choice([3, 4, 5], n))
        f["rapportcijfer"] = rng.choice([5, 6, 7, 8, 9], n)
        f["voorziening"] = rng.choice([1, 2, 5, 7], n, p=[0.5, 0.3, 0.17, 0.03])
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _run(data, wmo, th=None, **kw):
    th = th or Thresholds()
    areas, _ = build_areas(data["gemeentecode"], kw.pop("regions", []))
    return estimate_results(data, wmo, edition=2025, areas=areas, thresholds=th, **kw).table


def test_suppression_below_threshold_leaves_no_number(wmo):
    data = _synthetic({"GM0505": 200, "GM0590": 20})
    t = _run(data, wmo)
    small = t[(t["gebied_code"] == "GM0590")]
    assert (small["onderdrukt"] == "ja").all()
    # unreliable (n < 30) and disclosive (n < 10) cells are withheld for different, stated reasons
    tiny = small["n"] < 10
    assert tiny.any() and (~tiny).any()
    assert (small.loc[~tiny, "reden"] == "te weinig antwoorden (n < 30)").all()
    assert (small.loc[tiny, "reden"] == "te weinig antwoorden (n < 10)").all()
    assert small[["waarde", "se", "ondergrens", "bovengrens", "df", "se_zonder_fpc", "n_eff", "deff_gewicht", "deff",
                  "p_vorige", "p_regio", "p_benchmark"]].isna().all().all()
    big = t[(t["gebied_code"] == "GM0505") & (t["subgroep"] == "")]
    assert (big["onderdrukt"] == "nee").all()
    assert big["waarde"].notna().all()


def test_one_small_subgroup_forces_complementary_suppression(wmo):
    data = _synthetic({"GM0505": 400})
    data["voorziening"] = data["voorziening"].replace(7, 1)
    data.loc[:5, "voorziening"] = 7  # six clients with beschermd wonen: their answers must stay hidden
    t = _run(data, wmo)
    v = t[(t["gebied_code"] == "GM0505") & (t["indicator"] == "v06") & (t["subgroep"] == "voorziening")]
    by_label = v.set_index("subgroep_waarde")
    assert by_label.loc["beschermd wonen", "reden"] == "te weinig antwoorden (n < 10)"
    # the smallest other voorziening is suppressed too, otherwise beschermd wonen can be recomputed
    published = v[v["onderdrukt"] == "nee"]
    complement = v[v["reden"] == REASON_COMPLEMENT]
    assert len(complement) == 1
    assert complement["n"].iloc[0] <= published["n"].min()


def test_unreliable_but_not_disclosive_cell_needs_no_complement(wmo):
    data = _synthetic({"GM0505": 400})
    data["voorziening"] = data["voorziening"].replace(7, 1)
    data.loc[:19, "voorziening"] = 7  # 20 < 30: not published, but not revealing individuals either
    t = _run(data, wmo)
    v = t[(t["gebied_code"] == "GM0505") & (t["indicator"] == "v06") & (t["subgroep"] == "voorziening")]
    assert (v["reden"] == REASON_COMPLEMENT).sum() == 0
    assert (v["onderdrukt"] == "ja").sum() == 1


def test_one_suppressed_gemeente_in_a_published_region_forces_a_second(wmo):
    data = _synthetic({"GM0505": 300, "GM0590": 150, "GM0531": 80, "GM0610": 7})
    region = Region("r", "R", "regio", ("GM0505", "GM0531", "GM0590", "GM0610"))
    t = _run(data, wmo, regions=[region])
    head = t[(t["indicator"] == "v06") & (t["subgroep"] == "") & (t["categorie"] == "")].set_index("gebied_code")
    assert head.loc["GM0610", "onderdrukt"] == "ja"
    # a second figure of the relation "region = its gemeenten" goes too; by the least-information-loss
    # order of issue 10 the region/total figure before a gemeente's headline figure
    assert head.loc["r", "reden"] == REASON_COMPLEMENT
    assert (head.loc[["GM0505", "GM0531", "GM0590"], "onderdrukt"] == "nee").all()
    from ceo.stats.disclosure import audit

    areas, _ = build_areas(data["gemeentecode"], [region])
    audit(t, areas, Thresholds())  # nothing of the 7 can be recomputed


def test_indicative_when_effective_n_small(wmo):
    data = _synthetic({"GM0505": 40, "GM0590": 300})
    t = _run(data, wmo)
    head = t[(t["subgroep"] == "") & (t["categorie"] == "") & (t["indicator"] == "rapportcijfer")]
    flags = head.set_index("gebied_code")["indicatief"]
    assert flags["GM0505"] == "ja"
    assert flags["GM0590"] == "nee"


def test_unweighted_is_labelled(wmo):
    t = _run(_synthetic({"GM0505": 100}), wmo)
    assert set(t["gewogen"]) == {"nee"}
    t = _run(_synthetic({"GM0505": 100}), wmo, weighted=True, weights=np.full(100, 3.0))
    assert set(t["gewogen"]) == {"ja"}


def test_scaling_weights_changes_nothing(wmo):
    data = _synthetic({"GM0505": 200, "GM0590": 100})
    w = np.random.default_rng(3).uniform(0.5, 2, len(data))
    a = _run(data, wmo, weights=w, weighted=True)
    b = _run(data, wmo, weights=w * 37.5, weighted=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-10)


def test_region_comparison_is_gemeente_vs_rest(wmo):
    data = _synthetic({"GM0505": 400, "GM0590": 400}, p_pos=0.8)
    worse = _synthetic({"GM0531": 400}, seed=9, p_pos=0.5)
    data = pd.concat([data, worse], ignore_index=True)
    region = Region("r", "R", "regio", ("GM0505", "GM0531", "GM0590"))
    t = _run(data, wmo, regions=[region], comparison_regions={g: "r" for g in region.members})
    head = t[(t["indicator"] == "v06") & (t["subgroep"] == "") & (t["categorie"] == "")].set_index("gebied_code")
    rest = data[data["gemeentecode"] != "GM0531"]["v06"]
    assert head.loc["GM0531", "waarde_rest_regio"] == pytest.approx(100 * rest.isin([1, 2]).mean())
    assert head.loc["GM0531", "verschil_regio"] == pytest.approx(
        head.loc["GM0531", "waarde"] - head.loc["GM0531", "waarde_rest_regio"])
    assert head.loc["GM0531", "significant_regio"] == "ja"
    assert head.loc["GM0531", "regio"] == "r"
    assert head.loc["r", "significant_regio"] == ""  # regions are not compared with themselves


@pytest.mark.parametrize("method", ["logit", "beta", "wilson"])
def test_rest_of_region_interval_equals_the_interval_of_that_rest_as_a_region(wmo, method):
    """``ondergrens_rest_regio``/``bovengrens_rest_regio`` of a gemeente: the interval that the rest of the
    region gets when it is declared as a region of its own (same design, population, method and level)."""
    data = pd.concat([_synthetic({"GM0505": 300, "GM0590": 250}, p_pos=0.75),
                      _synthetic({"GM0531": 200}, seed=4, p_pos=0.6)], ignore_index=True)
    pop = {"GM0505": 3000, "GM0590": 900, "GM0531": 1500}
    region = Region("r", "R", "regio", ("GM0505", "GM0531", "GM0590"))
    rest = Region("rest", "Rest", "regio", ("GM0505", "GM0590"))
    t = _run(data, wmo, regions=[region, rest], comparison_regions={g: "r" for g in region.members},
             population_totals=pop, ci_method=method, confidence=0.9)
    head = t[(t["subgroep"] == "") & (t["categorie"] == "")].set_index(["gebied_code", "indicator"])
    checked = 0
    for indicator in ("v06", "rapportcijfer", "rapportcijfer_onvoldoende"):
        gm, other = head.loc[("GM0531", indicator)], head.loc[("rest", indicator)]
        assert gm["waarde_rest_regio"] == pytest.approx(other["waarde"], rel=1e-12)
        assert gm["ondergrens_rest_regio"] == pytest.approx(other["ondergrens"], rel=1e-10)
        assert gm["bovengrens_rest_regio"] == pytest.approx(other["bovengrens"], rel=1e-10)
        assert gm["ondergrens_rest_regio"] < gm["waarde_rest_regio"] < gm["bovengrens_rest_regio"]
        checked += 1
    assert checked == 3


def test_previous_edition_only_with_identical_definition(wmo):
    data = _synthetic({"GM0505": 300})
    prev = _run(_synthetic({"GM0505": 300}, seed=5, p_pos=0.6), wmo)
    prev["editie"] = 2024
    t = _run(data, wmo, previous=prev)
    head = t[(t["gebied_code"] == "GM0505") & (t["subgroep"] == "") & (t["categorie"] == "")].set_index("indicator")
    assert head.loc["v06", "vorige_editie"] == 2024
    assert head.loc["v06", "significant_vorige"] == "ja"
    assert head.loc["v06", "verschil_vorige"] == pytest.approx(head.loc["v06", "waarde"]
                                                                 - head.loc["v06", "waarde_vorige"])
    changed = prev.copy()
    changed.loc[changed["indicator"] == "v06", "definitie"] = "anders"
    t2 = _run(data, wmo, previous=changed)
    head2 = t2[(t2["gebied_code"] == "GM0505") & (t2["subgroep"] == "") & (t2["categorie"] == "")].set_index(
        "indicator")
    assert pd.isna(head2.loc["v06", "verschil_vorige"])
    assert head2.loc["v06", "significant_vorige"] == ""
    assert head2.loc["v07", "significant_vorige"] == "ja"


def test_benchmark_with_and_without_se(wmo):
    data = _synthetic({"GM0505": 300})
    bm = Benchmark("Nederland", pd.DataFrame({"indicator": ["v06", "rapportcijfer"], "waarde": [50.0, 7.0],
                                              "se": [np.nan, 0.01]}))
    t = _run(data, wmo, benchmark=bm)
    head = t[(t["gebied_code"] == "GM0505") & (t["subgroep"] == "") & (t["categorie"] == "")].set_index("indicator")
    assert head.loc["v06", "benchmark"] == "Nederland"
    assert head.loc["v06", "significant_benchmark"] == "ja"
    assert head.loc["v07", "benchmark"] == ""


def test_definition_fingerprint_changes_with_wording(wmo):
    import dataclasses
    fp = definition_fingerprint(wmo, "v06")
    var = dataclasses.replace(wmo.variables["v06"], question="Iets anders.")
    other = dataclasses.replace(wmo, variables={**wmo.variables, "v06": var})
    assert definition_fingerprint(other, "v06") != fp
    assert definition_fingerprint(other, "v07") == definition_fingerprint(wmo, "v07")


def test_partial_region_is_not_estimated():
    areas, notices = build_areas(["GM0505"], [Region("r", "R", "regio", ("GM0505", "GM0590"))])
    assert [a.code for a in areas] == ["GM0505", "totaal"]
    assert notices == ["regio R: geen cijfers, want er zijn geen gegevens van Papendrecht"]
    assert isinstance(areas[0], Area)


# ---------------------------------------------------------------------------------------------
# Significance: tests consistent with the intervals, no fpc between editions, multiplicity
# ---------------------------------------------------------------------------------------------


def _head(t: pd.DataFrame, code: str = "GM0505") -> pd.DataFrame:
    return t[(t["gebied_code"] == code) & (t["subgroep"] == "") & (t["categorie"] == "")].set_index("indicator")


def test_35_of_35_is_not_significantly_above_a_benchmark_of_97(wmo):
    """Regression: 100 % (interval 90-100 %) was 'significantly different' from a fixed 97 %."""
    data = _synthetic({"GM0505": 35})
    data["v06"] = 1
    bm = Benchmark("Nederland", pd.DataFrame({"indicator": ["v06", "v07"], "waarde": [97.0, 20.0],
                                              "se": [np.nan, np.nan]}))
    for method in ("logit", "beta", "wilson"):
        head = _head(estimate_results(data, wmo, edition=2025, areas=build_areas(data["gemeentecode"], [])[0],
                                      benchmark=bm, ci_method=method).table)
        row = head.loc["v06"]
        assert row["waarde"] == 100.0 and row["se"] == 0.0
        assert 88.0 < row["ondergrens"] < 97.0 and row["bovengrens"] == 100.0
        assert row["p_benchmark"] > 0.25 and row["significant_benchmark"] == "nee"
        assert head.loc["v07", "significant_benchmark"] == "ja"  # 80 % against 20 %: clearly different


def test_census_gemeente_changes_are_not_significant_by_construction(wmo):
    """Regression: with n = N the SE with fpc is 0 and every change (+0.19 on the mark) was flagged.
    Between editions the SE without fpc is used: each edition is a draw from a super-population."""
    now = _synthetic({"GM0505": 300}, seed=11)
    before = now.copy()
    rng = np.random.default_rng(4)
    lower = rng.choice(np.flatnonzero(before["rapportcijfer"] > 5), 57, replace=False)
    before.loc[lower, "rapportcijfer"] -= 1  # the mark was 0.19 lower
    pop = {"GM0505": 300.0}
    prev = _run(before, wmo, population_totals=pop)
    prev["editie"] = 2024
    head = _head(_run(now, wmo, population_totals=pop, previous=prev))
    mark = head.loc["rapportcijfer"]
    assert mark["verschil_vorige"] == pytest.approx(0.19)
    assert mark["se"] == 0.0 and mark["se_zonder_fpc"] > 0.05  # a census: no sampling error in 2025 itself
    assert 0.05 < mark["p_vorige"] < 0.5 and mark["significant_vorige"] == "nee"
    assert (head["significant_vorige"] == "nee").all()
    assert (head["se"] == 0).all() and (head["se_zonder_fpc"] > 0).all()


def test_previous_edition_from_an_older_csv_without_the_new_columns(wmo):
    data = _synthetic({"GM0505": 300})
    prev = _run(_synthetic({"GM0505": 300}, seed=5, p_pos=0.6), wmo)
    prev["editie"] = 2024
    old = prev.drop(columns=["df", "se_zonder_fpc"])
    a = _head(_run(data, wmo, previous=prev))
    b = _head(_run(data, wmo, previous=old))
    np.testing.assert_allclose(a["p_vorige"], b["p_vorige"], rtol=1e-12)  # no fpc: se = se_zonder_fpc


def test_flags_are_benjamini_hochberg_per_page_and_kind(wmo):
    """The flags are the BH decisions over the comparisons of one page (area x subgroup breakdown) and
    kind; p_* keep the uncorrected p-values."""
    from scipy.stats import false_discovery_control

    from ceo.stats.results import benjamini_hochberg

    gm = {"GM0505": 250, "GM0531": 150, "GM0590": 120}
    region = Region("r", "R", "regio", tuple(gm))
    data = _synthetic(gm, seed=21, p_pos=0.72)
    prev = _run(_synthetic(gm, seed=22, p_pos=0.68), wmo, regions=[region])
    prev["editie"] = 2024
    bm = Benchmark("Nederland", pd.DataFrame({"indicator": ["v01", "v02", "v03", "rapportcijfer"],
                                              "waarde": [66.0, 75.0, 70.0, 7.1], "se": [np.nan, 1.0, np.nan, 0.02]}))
    t = _run(data, wmo, regions=[region], comparison_regions={g: "r" for g in gm}, previous=prev, benchmark=bm)
    checked = raw_only = 0
    for kind in ("vorige", "regio", "benchmark"):
        made = t[t[f"significant_{kind}"] != ""]
        assert made[f"p_{kind}"].notna().all() and len(made)
        for _, page in made.groupby(["gebied_code", "subgroep"]):
            adjusted = false_discovery_control(page[f"p_{kind}"].to_numpy(), method="bh")
            assert (page[f"significant_{kind}"] == np.where(adjusted < 0.05, "ja", "nee")).all()
            raw_only += int(((page[f"p_{kind}"] < 0.05) & (adjusted >= 0.05)).sum())
            checked += len(page)
    assert checked > 100 and raw_only > 0  # the correction changed some decisions
    # the vectorised BH equals scipy's per family
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 0.2, 200)
    p[rng.random(200) < 0.1] = np.nan
    fam = rng.integers(0, 7, 200)
    ours = benjamini_hochberg(p, fam)
    for f in range(7):
        sel = (fam == f) & ~np.isnan(p)
        np.testing.assert_allclose(ours[sel], false_discovery_control(p[sel], method="bh"), rtol=1e-12)
    assert np.isnan(ours[np.isnan(p)]).all()


def test_design_effects(wmo):
    """deff_gewicht is Kish's weighting effect; deff the design effect of the estimate (1 for an
    unweighted simple random sample)."""
    data = _synthetic({"GM0505": 200, "GM0590": 100})
    t = _run(data, wmo)
    head = t[(t["gebied_niveau"] == "gemeente") & (t["categorie"] == "") & (t["subgroep"] == "")]
    np.testing.assert_allclose(head["deff"], 1.0, rtol=1e-9)
    np.testing.assert_allclose(head["deff_gewicht"], 1.0, rtol=1e-12)
    np.testing.assert_array_equal(head["df"], head["n"] - 1)
    w = np.where(data["gemeentecode"] == "GM0505", 1.0, 3.0) * np.random.default_rng(2).uniform(0.5, 2, len(data))
    tw = _run(data, wmo, weights=w, weighted=True)
    hw = tw[(tw["gebied_code"] == "GM0505") & (tw["categorie"] == "") & (tw["subgroep"] == "")]
    ww = w[data["gemeentecode"] == "GM0505"]
    v06 = hw[hw["indicator"] == "v06"].iloc[0]
    sub = data["gemeentecode"] == "GM0505"
    ok = data.loc[sub, "v06"].isin([1, 2, 3, 4, 5]).to_numpy()
    assert v06["deff_gewicht"] == pytest.approx(ok.sum() * (ww[ok] ** 2).sum() / ww[ok].sum() ** 2, rel=1e-12)
    y = data.loc[sub, "v06"].isin([1, 2]).to_numpy()[ok].astype(float)
    p = np.average(y, weights=ww[ok])
    srs = p * (1 - p) / (ok.sum() - 1)
    assert v06["deff"] == pytest.approx((v06["se_zonder_fpc"] / 100) ** 2 / srs, rel=1e-9)
    assert v06["deff"] > 1.0


def test_no_change_simulation_small():
    """Two editions from the same super-population: few gemeente pages show a 'significant change'
    (without the multiplicity correction and with the fpc about half of them did)."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "bench" / "bench_significance.py"
    spec = importlib.util.spec_from_file_location("bench_significance", path)
    sim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sim)
    out = sim.run(reps=3, n_gemeenten=40, seed=7)
    assert out["pages"] == 120 and out["comparisons"] > 1000
    assert out["share"] <= 0.10, out
    assert out["flags"] / out["comparisons"] <= 0.02, out


@pytest.mark.slow
def test_no_change_simulation():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "bench" / "bench_significance.py"
    spec = importlib.util.spec_from_file_location("bench_significance", path)
    sim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sim)
    out = sim.run(reps=25, n_gemeenten=40)
    assert out["pages"] == 1000
    assert out["share"] <= 0.10, out
