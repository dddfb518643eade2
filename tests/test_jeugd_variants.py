"""CEO Jeugd: parents and young people are different populations (``kop_per`` in the codebook).

The headline figures are published per questionnaire variant; the figure for both together only
standardised to the codebook's fixed composition, so that a change in the mix of respondents does not
move it, and it is compared only with an edition of the same composition."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ceo.core.problems import InputError
from ceo.stats.estimation import Calibration, domain_estimates
from ceo.stats.results import REASON_STANDARDISED, STANDARDISED, build_areas, estimate_results
from ceo.validate.codebook import get_codebook, load_codebook
from ceo.validate.project import Thresholds
from ceo.validate.registry import Region

GM = ("GM0505", "GM0531", "GM0590")
REGION = Region("regio", "Testregio", "regio", GM)
TH = Thresholds(min_n=30, disclosure_n=10, indicative_n_eff=50, indicative_ci_width=25)
LEVELS = {1: 0.64, 2: 0.49}  # share positive among parents and young people (as in the audit data)


@pytest.fixture(scope="module")
def jeugd():
    return get_codebook("jeugd")


def _data(parent_share: float, n_per_gm: int = 400, seed: int = 7, levels=LEVELS) -> pd.DataFrame:
    """Respondents whose answers depend only on their variant; ``parent_share`` sets the mix."""
    rng = np.random.default_rng(seed)
    n = n_per_gm * len(GM)
    variant = np.where(rng.random(n) < parent_share, 1, 2)
    p = np.where(variant == 1, levels[1], levels[2])
    out = {"respondent_id": [f"r{i}" for i in range(n)], "gemeentecode": np.repeat(GM, n_per_gm),
           "variant": variant}
    for k in range(1, 9):
        out[f"j{k:02d}"] = np.where(rng.random(n) < p, 2, 4)
    out["rapportcijfer"] = np.where(variant == 1, 7.5, 6.5) + rng.integers(-1, 2, n)
    return pd.DataFrame(out)


def _run(data, cb, **kw):
    areas, _ = build_areas(data["gemeentecode"], [REGION])
    return estimate_results(data, cb, edition=kw.pop("edition", 2025), areas=areas, thresholds=TH, **kw).table


def _pooled(table, indicator="j01", area="totaal"):
    r = table[(table["subgroep"] == STANDARDISED) & (table["indicator"] == indicator)
              & (table["gebied_code"] == area) & (table["categorie"] == "")]
    assert len(r) == 1
    return r.iloc[0]


def _everyone(table, indicator="j01", area="totaal"):
    r = table[(table["subgroep"] == "") & (table["indicator"] == indicator) & (table["gebied_code"] == area)
              & (table["categorie"] == "")]
    return r.iloc[0]


def test_question_text_is_that_of_the_variant(jeugd):
    """``vraagtekst`` of a variant's row is the question that variant was asked; the rows for everyone
    and the standardised rows give every variant's wording (once when they are the same)."""
    table = _run(_data(0.5), jeugd)
    var = jeugd.indicator("j01").variable
    parents, young = (jeugd.question(var, name) for name in ("ouders", "jeugdigen"))
    assert parents != young
    j01 = table[table["indicator"] == "j01"]
    hb = jeugd.headline_by
    assert hb.variants == {1: "ouders", 2: "jeugdigen"}
    by_variant = j01[j01["subgroep"] == hb.subgroup]
    labels = jeugd.labels(hb.variable)
    assert set(by_variant.loc[by_variant["subgroep_waarde"] == labels[1], "vraagtekst"]) == {parents}
    assert set(by_variant.loc[by_variant["subgroep_waarde"] == labels[2], "vraagtekst"]) == {young}
    rest = j01[j01["subgroep"] != jeugd.headline_by.subgroup]
    assert set(rest["subgroep"]) >= {"", STANDARDISED}
    assert set(rest["vraagtekst"]) == {f"ouders: {parents}; jeugdigen: {young}"}
    same = jeugd.variables["j03"].question
    assert len(set(same.values())) == 1
    assert set(table.loc[table["indicator"] == "j03", "vraagtekst"]) == set(same.values())


def test_codebook_declares_headline_per_variant(jeugd):
    hb = jeugd.headline_by
    assert hb.subgroup == "variant" and hb.variants == {1: "ouders", 2: "jeugdigen"}
    assert sum(hb.composition.values()) == pytest.approx(1.0)
    assert hb.label == "ouders en jeugdigen samen, vaste samenstelling"


@pytest.mark.parametrize("change,message", [
    ({"subgroep": "vorm"}, "'vorm' is geen subgroep"),
    ({"varianten": {1: "ouders", 7: "jeugdigen"}}, "code 7"),
    ({"samenstelling": {"ouders": 0.5, "jeugdigen": 0.6}}, "tellen op tot 1.1"),
    ({"samenstelling": {"ouders": 1.0}}, "tussen 0 en 1"),
])
def test_wrong_kop_per_is_reported_in_dutch(tmp_path: Path, jeugd, change, message):
    raw = yaml.safe_load(jeugd.path.read_text(encoding="utf-8"))
    raw["kop_per"].update(change)
    path = tmp_path / "jeugd.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_codebook(path)
    assert message in str(exc.value) and "kop_per" in str(exc.value)


def test_mix_of_respondents_does_not_move_the_standardised_figure(jeugd):
    """Shift the share of parents by 10 points with the per-variant levels unchanged: the standardised
    figure stays (nearly) the same and no change is flagged; the unstandardised pooled one moves ~1.5 pp."""
    # large samples and the same seed: the per-variant levels are (nearly) equal in both editions
    before = _run(_data(0.60, n_per_gm=3000), jeugd, edition=2024)
    after = _run(_data(0.70, n_per_gm=3000), jeugd, edition=2025, previous=before)
    moved = _everyone(after)["waarde"] - _everyone(before)["waarde"]
    assert 1.0 < moved < 2.5  # the old pooled figure: a change in composition looks like a change
    for ind in ("j01", "j02", "j03", "rapportcijfer"):
        p_before, p_after = _pooled(before, ind), _pooled(after, ind)
        scale = 100.0 if p_after["soort"] == "percentage" else 10.0
        assert abs(p_after["waarde"] - p_before["waarde"]) < 0.015 * scale  # sampling noise only
        assert p_after["vorige_editie"] == 2024 and p_after["significant_vorige"] == "nee"
    pooled_after = after[after["subgroep"] == STANDARDISED]
    assert (pooled_after["significant_vorige"] == "nee").all()
    # the figures per variant did not change either
    per_variant = after[(after["subgroep"] == "variant") & (after["categorie"] == "")]
    assert (per_variant["significant_vorige"] == "nee").all() and len(per_variant) > 0


def test_standardised_figure_is_the_fixed_mix_of_the_variant_figures(jeugd):
    """In a gemeente every variant gets its fixed share of the weight: with every answer given, the figure
    is exactly sum_v c_v * figure_v of the published variant rows."""
    d = _data(0.8, n_per_gm=500)
    t = _run(d, jeugd)
    c = jeugd.headline_by.composition
    for gm in GM:
        var = t[(t["subgroep"] == "variant") & (t["gebied_code"] == gm) & (t["indicator"] == "j01")]
        by_code = dict(zip(var["subgroep_waarde"].map({"ouder": 1, "jeugdige": 2}), var["waarde"], strict=True))
        assert _pooled(t, "j01", gm)["waarde"] == pytest.approx(c[1] * by_code[1] + c[2] * by_code[2], abs=1e-9)
    row = _pooled(t)
    assert row["subgroep_label"] == "Ouders en jeugdigen samen, vaste samenstelling"
    assert row["subgroep_waarde"] == "ouders 50 %, jeugdigen 50 %"
    assert row["n"] == _everyone(t)["n"]
    # a different composition is a different definition: never compared with this one
    assert row["definitie"] != _everyone(t)["definitie"]


def test_se_is_that_of_post_stratification_to_gemeente_by_variant(jeugd):
    """The SE of the standardised figure equals the post-stratified design (cells gemeente x variant,
    population c_v * W_g) that R would use (``postStratify``); it is not the fixed-weight SE."""
    d = _data(0.7, n_per_gm=300)
    t = _run(d, jeugd)
    code = d["variant"].to_numpy()
    c = pd.Series(code).map(jeugd.headline_by.composition).to_numpy()
    w = np.ones(len(d))
    g = d["gemeentecode"].to_numpy()
    w_gv = pd.Series(w).groupby([g, code]).transform("sum").to_numpy()
    w_g = pd.Series(w).groupby(g).transform("sum").to_numpy()
    work = pd.DataFrame({"_stratum": g, "_w": w * c * w_g / w_gv,
                         "y": np.where(d["j01"].to_numpy() <= 2, 1.0, 0.0)})
    cells = pd.DataFrame({"g": g, "v": code}).groupby(["g", "v"]).ngroup().to_numpy().reshape(-1, 1)
    cal = domain_estimates(work, ["y"], stratum="_stratum", weight="_w", areas={"totaal": GM},
                           calibration=Calibration("poststratificatie", cells))
    fixed = domain_estimates(work, ["y"], stratum="_stratum", weight="_w", areas={"totaal": GM})
    row = _pooled(t)
    assert row["waarde"] == pytest.approx(100 * cal["estimate"].iloc[0], rel=1e-12)
    assert row["se"] == pytest.approx(100 * cal["se"].iloc[0], rel=1e-9)
    assert abs(row["se"] - 100 * fixed["se"].iloc[0]) > 1e-6


@pytest.mark.parametrize("design,weight", [("poststratify", "w"), ("rake", "w_var")])
def test_standardised_figure_equals_r_survey_post_stratified(jeugd, design, weight):
    """Against R ``survey`` (tests/fixtures/jeugd_variants/make_fixtures.R): delivered weights, then
    post-stratified to gemeente x variant with totals c_v * W_g; 'weet niet' outside the domain. Weights
    constant within a gemeente: R's postStratify(); weights that vary: R's rake() on that one margin."""
    here = Path(__file__).parent / "fixtures" / "jeugd_variants"
    d = pd.read_csv(here / "input.csv", dtype={"respondent_id": str})
    ref = pd.read_csv(here / "r_standardised.csv")
    ref = ref[ref["design"] == design]
    t = _run(d, jeugd, weights=d[weight], weighted=True)
    th_free = t[(t["subgroep"] == STANDARDISED) & (t["categorie"] == "")].set_index(["gebied_code", "indicator"])
    checked = 0
    for r in ref.itertuples():
        indicator, scale = ("j01", 100.0) if r.variable == "j01_pos" else ("rapportcijfer", 1.0)
        for area in ([r.area] if r.area != "regio" else ["regio", "totaal"]):
            row = th_free.loc[(area, indicator)]
            assert row["waarde"] / scale == pytest.approx(r.estimate, abs=1e-12), (area, indicator)
            assert row["se"] / scale == pytest.approx(r.se, rel=1e-9), (area, indicator)
            checked += 1
    assert checked == 10


def test_standardised_figure_is_withheld_when_a_variant_cell_is(jeugd):
    """A suppressed variant cell could be recomputed from the standardised figure and the other variant:
    the standardised figure of that gemeente and of every area containing it is withheld."""
    d = _data(0.7, n_per_gm=200)
    small = (d["gemeentecode"] == "GM0531") & (d["variant"] == 2)
    keep = ~small | (small.cumsum() <= 5)  # five young people in GM0531
    t = _run(d[keep].reset_index(drop=True), jeugd)
    cell = t[(t["subgroep"] == "variant") & (t["gebied_code"] == "GM0531") & (t["subgroep_waarde"] == "jeugdige")
             & (t["indicator"] == "j01")].iloc[0]
    assert cell["onderdrukt"] == "ja"
    for area in ("GM0531", "regio", "totaal"):
        row = _pooled(t, "j01", area)
        assert row["onderdrukt"] == "ja" and np.isnan(row["waarde"]) and np.isnan(row["se"])
        assert row["reden"] == REASON_STANDARDISED.format(names="ouders en jeugdigen")
    assert _pooled(t, "j01", "GM0505")["onderdrukt"] == "nee"


def test_gemeente_without_one_variant_has_no_standardised_figure(jeugd):
    d = _data(0.7, n_per_gm=200)
    d = d[~((d["gemeentecode"] == "GM0590") & (d["variant"] == 2))].reset_index(drop=True)
    t = _run(d, jeugd)
    pooled = t[t["subgroep"] == STANDARDISED]
    assert set(pooled["gebied_code"]) == {"GM0505", "GM0531"}  # not GM0590, nor its region or the total


def test_calibrated_weights_keep_their_margins_in_the_variance(jeugd):
    """With ceo's own post-stratification, the standardisation is raked together with it (no error, an SE
    between 0 and the fixed-weight one's double)."""
    d = _data(0.7, n_per_gm=300)
    cells = pd.DataFrame({"g": d["gemeentecode"], "s": d["j08"]}).groupby(["g", "s"]).ngroup().to_numpy()
    t = _run(d, jeugd, weights=np.ones(len(d)), weighted=True,
             calibration=Calibration("poststratificatie", cells.reshape(-1, 1)))
    row = _pooled(t)
    assert row["onderdrukt"] == "nee" and 0 < row["se"] < 5


def _with_young(d: pd.DataFrame, sizes: dict[str, int]) -> pd.DataFrame:
    """Keep only the first ``sizes[gm]`` young people of the given gemeenten."""
    young = d["variant"] == 2
    rank = young.groupby(d["gemeentecode"]).cumsum()
    limit = d["gemeentecode"].map(sizes).fillna(np.inf)
    return d[~young | (rank <= limit)].reset_index(drop=True)


def test_unreliable_variant_cell_does_not_withhold_the_standardised_figure(jeugd):
    """20 young people: their own figure is unreliable (n < 30) and withheld, but not disclosive; it may be
    derivable (as gemeente - parents already is), so the standardised figure is published."""
    t = _run(_with_young(_data(0.7, n_per_gm=200), {"GM0531": 20}), jeugd)
    cell = t[(t["subgroep"] == "variant") & (t["gebied_code"] == "GM0531") & (t["subgroep_waarde"] == "jeugdige")
             & (t["indicator"] == "j01")].iloc[0]
    assert cell["onderdrukt"] == "ja" and "n < 30" in cell["reden"]
    for area in ("GM0531", "regio", "totaal"):
        assert _pooled(t, "j01", area)["onderdrukt"] == "nee"


@pytest.mark.parametrize("sizes", [{"GM0531": 5, "GM0590": 20}, {"GM0531": 12, "GM0590": 20},
                                   {"GM0505": 3, "GM0531": 15, "GM0590": 25}, {"GM0531": 9}])
def test_published_standardised_figures_give_nothing_protected_away(jeugd, sizes):
    """The attacker of ceo.stats.disclosure, told every variant cell that a published standardised figure is made
    of (as if published), still recomputes no protected cell or small union."""
    from ceo.stats.disclosure import build_system, find_leaks

    t = _run(_with_young(_data(0.7, n_per_gm=200), sizes), jeugd)
    areas, _ = build_areas(list(GM), [REGION])
    members = {a.code: {a.code, *a.members} for a in areas}
    pooled = t[(t["subgroep"] == STANDARDISED) & (t["onderdrukt"] == "nee")]
    told = {(m, ind) for area, ind in zip(pooled["gebied_code"], pooled["indicator"], strict=True)
            for m in members[area]}
    plain = t[t["subgroep"] != STANDARDISED].reset_index(drop=True)
    system = build_system(plain, areas)
    row = system.var["row"].to_numpy()
    cell = row >= 0
    r = plain.loc[row[cell]]
    sup = np.ones(len(row), dtype=bool)
    sup[cell] = (r["onderdrukt"] == "ja").to_numpy()
    given = (r["subgroep"] == "variant") & pd.Series(list(zip(r["gebied_code"], r["indicator"], strict=True)),
                                                      index=r.index).isin(told)
    assert given.any() or pooled.empty
    sup[np.flatnonzero(cell)[given.to_numpy()]] = False
    assert find_leaks(system, sup, TH.disclosure_n) == []
    # a disclosive variant cell: nothing built on it is published
    tiny = t[(t["subgroep"] == "variant") & (t["n"].fillna(99) < TH.disclosure_n)]
    for gm in set(tiny["gebied_code"]):
        assert not {gm, "regio", "totaal"} & set(pooled["gebied_code"])


def test_unreliable_cell_that_protects_a_tiny_one_is_not_given_away(jeugd):
    """A hand-made protected table: five young people in B are protected only because the 20 of C are
    unknown too (the region publishes their sum). The standardised figure of C would give the 20 away, and
    with them the five: it is withheld; A's (all its cells published) is not."""
    from ceo.stats.results import REASON_SMALL, Area, _standardised_publishable

    areas = [Area("A", "A", "gemeente", ("A",)), Area("B", "B", "gemeente", ("B",)),
             Area("C", "C", "gemeente", ("C",)), Area("R", "R", "regio", ("A", "B", "C"))]
    # (area, subgroep, value code, n, suppressed): B and C have respondents without a variant (15 and 10)
    cells = [("A", "", None, 200, False), ("A", "variant", 1, 150, False), ("A", "variant", 2, 50, False),
             ("B", "", None, 200, False), ("B", "variant", 1, 180, False), ("B", "variant", 2, 5, True),
             ("C", "", None, 160, False), ("C", "variant", 1, 130, False), ("C", "variant", 2, 20, True),
             ("R", "", None, 560, False), ("R", "variant", 1, 460, False), ("R", "variant", 2, 75, False)]
    table = pd.DataFrame([{"gebied_code": a, "indicator": "j01", "subgroep": sg,
                           "subgroep_waarde": {None: "", 1: "ouder", 2: "jeugdige"}[v], "categorie": "",
                           "_group": np.nan if v is None else float(v), "n": n, "n_eff": float(n),
                           "onderdrukt": "ja" if s else "nee",
                           "reden": "" if not s else REASON_SMALL.format(n=TH.disclosure_n if n < 10 else TH.min_n)}
                          for a, sg, v, n, s in cells])
    rows = pd.DataFrame({"gebied_code": ["A", "B", "C", "R"], "indicator": "j01"})
    # the table itself is protected: the attacker finds nothing
    from ceo.stats.disclosure import build_system, find_leaks
    system = build_system(table, areas)
    row = system.var["row"].to_numpy()
    sup = np.ones(len(row), dtype=bool)
    sup[row >= 0] = (table.loc[row[row >= 0], "onderdrukt"] == "ja").to_numpy()
    assert find_leaks(system, sup, TH.disclosure_n) == []
    ok = _standardised_publishable(table, rows, areas, areas, jeugd.headline_by, TH)
    assert ok.tolist() == [True, False, False, False]
    # without the tiny cell in B, C's unreliable cell protects nothing: C's figure is published
    table.loc[5, ["n", "n_eff", "onderdrukt", "reden"]] = [40, 40.0, "nee", ""]
    table.loc[10, ["n", "n_eff"]] = [110, 110.0]
    ok = _standardised_publishable(table, rows, areas, areas, jeugd.headline_by, TH)
    assert ok.tolist() == [True, True, True, True]


def test_benchmark_per_variant_compares_like_with_like(tmp_path: Path, jeugd):
    from ceo.stats.benchmark import read_benchmark

    path = tmp_path / "landelijk.csv"
    path.write_text("indicator,variant,waarde,naam\nj01,ouders,64,Nederland\nj01,jeugdigen,49,Nederland\n"
                    "j02,,57,Nederland\n", encoding="utf-8")
    bm = read_benchmark(path, jeugd)
    t = _run(_data(0.7, n_per_gm=400), jeugd, benchmark=bm)
    head = t[t["categorie"] == ""]
    var = head[(head["subgroep"] == "variant") & (head["indicator"] == "j01")]
    assert len(var) and (var["benchmark"] == "Nederland").all()
    assert (var.loc[var["subgroep_waarde"] == "ouder", "waarde_benchmark"] == 64).all()
    assert (var.loc[var["subgroep_waarde"] == "jeugdige", "waarde_benchmark"] == 49).all()
    # the level of each variant is the benchmark's: nothing significant
    assert (var["significant_benchmark"] == "nee").all()
    # a benchmark row without variant: only the figure of everyone; never another subgroup or the mix
    j02 = head[head["indicator"] == "j02"]
    assert set(j02.loc[j02["benchmark"] != "", "subgroep"]) == {""}
    j01_everyone = head[(head["indicator"] == "j01") & (head["subgroep"] != "variant")]
    assert (j01_everyone["benchmark"] == "").all()


@pytest.mark.parametrize("survey,variant,message", [
    ("jeugd", "ouder", "onbekende variant; verwacht ouders of jeugdigen"),
    ("wmo", "ouders", "geen cijfers per variant"),
])
def test_benchmark_with_unknown_variant_is_refused(tmp_path: Path, survey, variant, message):
    from ceo.stats.benchmark import read_benchmark

    path = tmp_path / "landelijk.csv"
    indicator = "j01" if survey == "jeugd" else "v06"
    path.write_text(f"indicator,variant,waarde\n{indicator},{variant},64\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_benchmark(path, get_codebook(survey))
    text = str(exc.value)
    assert message in text and "landelijk.csv" in text and "variant" in text and variant in text


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    from demo_project import new_project, run_demo

    root = new_project(tmp_path_factory.mktemp("jeugd") / "project")
    run_demo(root)
    return root / "site"


def test_factsheet_headlines_per_variant_and_pooled_only_as_labelled_extra(demo_site: Path):
    page = (demo_site / "2025" / "regio" / "drechtsteden.md").read_text(encoding="utf-8")
    jeugd = page.split("## Cliëntervaringsonderzoek Jeugd", 1)[1].split("\n## ", 1)[0]
    # (headings without their attribute list: '### Ouders: Toegang {#jeugd-ouders-toegang .ceo-fs-kop}')
    headings = [re.sub(r" \{#[^}]*\}$", "", line) for line in jeugd.splitlines() if line.startswith("### ")]
    # first every theme for parents, then for young people, then the pooled extra; no answer distribution
    # of the mix and no breakdown 'ingevuld door' (that is the headline now)
    assert headings[0] == "### Ouders: Toegang" and "### Jeugdigen: Toegang" in headings
    assert headings.index("### Jeugdigen: Toegang") > headings.index("### Ouders: Rapportcijfer")
    assert "### Ouders en jeugdigen samen, vaste samenstelling" in headings
    assert "### Antwoordverdeling" not in headings and "#### Naar ingevuld door" not in jeugd
    # the tables per group, each with the group's own question (the row header), and the count per group
    themes = dict(re.findall(r"(?m)^### (.+?) \{#[^}]*\}\n((?:(?!^### ).*\n)*)", jeugd))
    assert ">Ik wist waar ik terecht kon met mijn vraag over mijn kind.</a></th>" in themes["Ouders: Toegang"]
    assert ">Ik wist waar ik terecht kon met mijn vraag.</a></th>" in themes["Jeugdigen: Toegang"]
    # the Kernpunten at the top: the key figures per group, each group with its count
    assert re.search(r"Jeugd: ouders</a> <span>\([\d.]+ ouders\)", page)
    assert re.search(r"Jeugd: jeugdigen</a> <span>\([\d.]+ jeugdigen\)", page)
    pooled = jeugd.split("### Ouders en jeugdigen samen, vaste samenstelling", 1)[1].split("\n### ", 1)[0]
    assert "in dezelfde verhouding mee: ouders 50 %, jeugdigen 50 %" in pooled
    assert "<caption>Drechtsteden: ouders en jeugdigen samen, vaste samenstelling" in pooled
    table = pd.read_csv(demo_site / "2025" / "data" / "jeugd.csv", keep_default_na=False)
    row = table[(table["gebied_code"] == "drechtsteden") & (table["subgroep"] == STANDARDISED)
                & (table["indicator"] == "j01")].iloc[0]
    assert row["onderdrukt"] == "nee"
    from ceo.core import texts
    assert texts.pct(float(row["waarde"])) in pooled
    # the overview compares the areas per group
    overview = (demo_site / "2025" / "index.md").read_text(encoding="utf-8")
    assert "Cliëntervaringsonderzoek Jeugd 2025, ouders: belangrijkste cijfers per gebied" in overview
    assert "Cliëntervaringsonderzoek Jeugd 2025, jeugdigen: belangrijkste cijfers per gebied" in overview
    assert "Cliëntervaringsonderzoek Jeugd 2025: belangrijkste" not in overview
    accounting = (demo_site / "2025" / "verantwoording.md").read_text(encoding="utf-8")
    assert "- Groepen: Ouders en jeugdigen zijn verschillende groepen." in accounting
