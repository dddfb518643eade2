"""The tidy results table: numbers equal to R `survey`, suppression, flags and comparisons."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceo.codebook import get_codebook
from ceo.project import Thresholds
from ceo.registry import Region
from ceo.results import (
    REASON_COMPLEMENT,
    RESULT_COLUMNS,
    Area,
    Benchmark,
    build_areas,
    definition_fingerprint,
    estimate_results,
)

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
    assert (small["reden"] == "te weinig respondenten (n < 30)").all()
    assert small[["waarde", "se", "ondergrens", "bovengrens", "n_eff", "deff"]].isna().all().all()
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
    assert by_label.loc["beschermd wonen", "reden"] == "te weinig respondenten (n < 30)"
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
    assert head.loc["r", "onderdrukt"] == "nee"
    assert head.loc["GM0531", "reden"] == REASON_COMPLEMENT
    assert head.loc["GM0505", "onderdrukt"] == "nee"


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
