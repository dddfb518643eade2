"""Global recoding (codebook ``samenvoegen``, :mod:`ceo.stats.recode`): often-tiny categories are merged in the
whole edition before suppression, estimated as one subgroup value, named on the pages and in the log."""

from __future__ import annotations

import dataclasses
import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceo.core.problems import InputError
from ceo.stats.results import build_areas, estimate_results
from ceo.validate.codebook import get_codebook, load_codebook
from ceo.validate.project import Thresholds, load_project
from ceo.validate.registry import Region

ITEMS = [f"v{i:02d}" for i in range(1, 11)]
GEMEENTEN = ["GM0482", "GM0505", "GM0531", "GM0590", "GM0610", "GM0642", "GM0512", "GM0523"]
REGIONS = [Region("drecht", "Drechtsteden", "regio", tuple(GEMEENTEN[:6])),
           Region("zhz", "Zuid-Holland-Zuid", "regio", tuple(GEMEENTEN))]
OVERIG = "overig (met beschermd wonen)"


@pytest.fixture(scope="module")
def wmo():
    return get_codebook("wmo")


def without_merges(cb):
    """The same codebook without any ``samenvoegen`` (the behaviour before global recoding)."""
    return dataclasses.replace(cb, subgroups=[dataclasses.replace(s, merges=()) for s in cb.subgroups])


def synthetic(sizes: dict[str, int], rare: dict[int, tuple[int, int]], seed: int = 7,
              old: tuple[int, int] = (0, 0)) -> pd.DataFrame:
    """Respondents per gemeente; voorziening 1/2/5 common and, per code in ``rare``, between lo and hi
    respondents in every gemeente; ``old``: the number of clients aged 85+ per gemeente (lo, hi)."""
    rng = np.random.default_rng(seed)
    frames = []
    for g, n in sizes.items():
        f = pd.DataFrame({"respondent_id": [f"{g}-{i}" for i in range(n)], "gemeentecode": g})
        latent = rng.random(n)
        for v in ITEMS:
            f[v] = np.where(rng.random(n) < 0.45 + 0.45 * latent, rng.choice([1, 2], n), rng.choice([3, 4, 5], n))
        f["rapportcijfer"] = np.clip(np.round(5 + 4 * latent + rng.normal(0, 1, n)), 1, 10)
        voorz = rng.choice([1, 2, 5], n, p=[0.5, 0.3, 0.2]).astype(float)
        at = 0
        for code, (lo, hi) in rare.items():
            k = int(rng.integers(lo, hi + 1))
            voorz[at:at + k] = code
            at += k
        f["voorziening"] = voorz
        age = rng.choice([1, 2, 3], n, p=[0.3, 0.35, 0.35]).astype(float)
        k = int(rng.integers(old[0], old[1] + 1))
        age[n - k:] = 4
        f["leeftijdsklasse"] = age
        f["geslacht"] = rng.choice([1, 2], n).astype(float)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def run(data: pd.DataFrame, cb, th: Thresholds | None = None, weights=None, regions=REGIONS):
    areas, _ = build_areas(data["gemeentecode"], regions)
    return estimate_results(data, cb, edition=2025, areas=areas, thresholds=th or Thresholds(), weights=weights,
                            weighted=weights is not None)


def values(table: pd.DataFrame, subgroup: str) -> set[str]:
    return set(table.loc[table["subgroep"] == subgroup, "subgroep_waarde"])


# --------------------------------------------------------------------------- the codebook


CODEBOOK = """\
    id: x
    titel: Test
    jaren: {van: 2020, tot: 2030}
    variabelen:
      - {id: respondent_id, type: id, vraag: Nr}
      - {id: gemeentecode, type: gemeente, vraag: Gemeente}
      - {id: q1, type: ja_nee, vraag: Vraag, codes: {1: ja, 2: nee}, positief: [1]}
      - {id: soort, type: categorisch, vraag: Soort, codes: {1: a, 2: b, 3: c, 4: overig}}
      - {id: leeftijd, type: numeriek, vraag: Leeftijd}
    afgeleid:
      - id: klasse
        van: leeftijd
        klassen:
          - {code: 1, label: jong, tot: 65}
          - {code: 2, label: oud, van: 65}
    indicatoren:
      - {soort: percentage_positief, label: "% ja", variabele: q1}
    subgroepen:
"""


def load(tmp_path: Path, subgroups: str) -> list[str]:
    p = tmp_path / "x.yaml"
    p.write_text(textwrap.dedent(CODEBOOK) + textwrap.indent(textwrap.dedent(subgroups), "  "), encoding="utf-8")
    try:
        load_codebook(p)
    except InputError as exc:
        return [str(problem).split(", regel ", 1)[1] for problem in exc.problems]
    return []


def test_a_codebook_declares_mergeable_groups_without_code(tmp_path: Path):
    assert load(tmp_path, """\
        - id: soort
          variabele: soort
          samenvoegen:
            - {label: "overig (met c)", codes: [3, 4]}
            - {label: "overig (met b en c)", codes: [2, 3, 4]}
        - {id: klasse, variabele: klasse, samenvoegen: [{label: iedereen behalve, codes: [1, 2]}]}
        """) == ["24: subgroepen[2].samenvoegen[1] (klasse): deze groep voegt alle codes van 'klasse' samen; dan is "
                 "er niets meer uit te splitsen"]
    wmo = get_codebook("wmo")
    age = next(s for s in wmo.subgroups if s.id == "leeftijdsklasse")
    assert [(m.label, m.codes, m.code) for m in age.merges] == [("75 jaar en ouder", (3, 4), 4),
                                                                  ("65 jaar en ouder", (2, 3, 4), 4)]


def test_mistakes_in_samenvoegen_are_located_and_dutch(tmp_path: Path):
    assert load(tmp_path, """\
        - id: soort
          variabele: soort
          samenvoegen:
            - {label: x, codes: [3, 9]}
            - {label: y, codes: [3]}
            - {label: b, codes: [3, 4]}
            - {codes: [1, 2]}
            - {label: z, codes: [1, 1]}
            - {label: "c+d", codes: [3, 4]}
            - {label: "b+c", codes: [2, 3]}
            - {label: "C+D", codes: [1, 3, 4]}
        - {id: klasse, variabele: klasse, samenvoegen: {label: oud, codes: [1, 2]}}
        """) == [
        "22: subgroepen[1].samenvoegen[1] (soort): code(s) 9 zijn geen codes van 'soort' (codes: 1, 2, 3, 4)",
        "23: subgroepen[1].samenvoegen[2] (soort): een groep moet minstens twee codes samenvoegen",
        "24: subgroepen[1].samenvoegen[3] (soort): het label 'b' is al het label van code 2, die niet in deze "
        "groep zit",
        "25: subgroepen[1].samenvoegen[4] (soort): 'label' ontbreekt",
        "26: subgroepen[1].samenvoegen[5] (soort): een code staat twee keer in 'codes'",
        "28: subgroepen[1].samenvoegen[7] (soort): deze groep overlapt met groep 1 (c+d) maar bevat die niet "
        "helemaal; een latere groep staat los van een eerdere of bevat haar helemaal",
        "29: subgroepen[1].samenvoegen[8] (soort): het label 'C+D' staat ook bij groep 1",
        "30: subgroepen[2] (klasse): 'samenvoegen' moet een lijst van groepen zijn, elk met 'label' en 'codes', "
        "bijv. {label: 75 jaar en ouder, codes: [3, 4]}",
    ]


def test_the_variants_of_kop_per_and_the_tested_groups_cannot_merge(tmp_path: Path):
    src = (Path(get_codebook("jeugd").path)).read_text(encoding="utf-8")
    src = src.replace("  - {id: variant, variabele: variant, label: Ingevuld door}\n",
                      "  - {id: variant, variabele: variant, label: Ingevuld door,\n"
                      "     samenvoegen: [{label: iedereen, codes: [1, 2]}]}\n")
    p = tmp_path / "jeugd.yaml"
    p.write_text(src, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_codebook(p)
    messages = [str(x) for x in exc.value.problems]
    assert len(messages) == 1 and "subgroepen[1] (variant): de varianten van 'kop_per' ('variant') kunnen niet " \
                                  "worden samengevoegd" in messages[0] and ", regel " in messages[0]
    src = (Path(get_codebook("professionals").path)).read_text(encoding="utf-8")
    src = src.replace("  - {id: beroepsgroep, variabele: beroepsgroep, label: Beroepsgroep}\n",
                      "  - {id: beroepsgroep, variabele: beroepsgroep, label: Beroepsgroep,\n"
                      "     samenvoegen: [{label: rest, codes: [5, 6]}]}\n")
    p = tmp_path / "professionals.yaml"
    p.write_text(src, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_codebook(p)
    assert "de groepen van 'groepsvergelijking' ('beroepsgroep') kunnen niet worden samengevoegd" \
        in str(exc.value.problems[0])


@pytest.mark.parametrize(("value", "ok"), [("0.5", True), ("1", True), ("0", False), ("1.5", False)])
def test_the_share_is_configurable_in_ceo_yaml(tmp_path: Path, value: str, ok: bool):
    (tmp_path / "ceo.yaml").write_text(f"naam: Test\ndrempels:\n  samenvoegen_aandeel: {value}\n", encoding="utf-8")
    if ok:
        assert load_project(tmp_path).thresholds.merge_share == float(value)
    else:
        with pytest.raises(InputError) as exc:
            load_project(tmp_path)
        assert "samenvoegen_aandeel moet een getal groter dan 0 en hoogstens 1 zijn" in str(exc.value.problems[0])


# --------------------------------------------------------------------------- the rule


def test_rare_categories_are_merged_in_every_area_and_common_ones_are_not(wmo):
    sizes = dict.fromkeys(GEMEENTEN, 150)
    rare = run(synthetic(sizes, {7: (2, 5), 8: (2, 5)}, old=(3, 8)), wmo)
    t = rare.table
    assert values(t, "voorziening") == {"huishoudelijke hulp", "hulpmiddelen", "begeleiding", OVERIG}
    assert values(t, "leeftijdsklasse") == {"18 tot 65 jaar", "65 tot 75 jaar", "75 jaar en ouder"}
    # the same groups in every gemeente, region and the total
    per_area = t[t["subgroep"] == "voorziening"].groupby("gebied_code")["subgroep_waarde"].agg(frozenset)
    assert per_area.nunique() == 1 and len(per_area) == len(GEMEENTEN) + 3
    assert [m.label for m in rare.recoding.merged] == [OVERIG, "75 jaar en ouder"]

    common = run(synthetic(sizes, {7: (30, 40), 8: (30, 40)}, old=(30, 40)), wmo)
    assert not common.recoding.merged
    assert {"beschermd wonen", "overig"} <= values(common.table, "voorziening")
    assert {"75 tot 85 jaar", "85 jaar en ouder"} <= values(common.table, "leeftijdsklasse")


def test_the_share_decides(wmo):
    # beschermd wonen: 4 clients in 3 of the 8 gemeenten (3/8 of its figures tiny), 40 in the others
    data = synthetic(dict.fromkeys(GEMEENTEN, 150), {7: (40, 40), 8: (40, 40)})
    is7 = data["voorziening"] == 7
    drop = is7 & data["gemeentecode"].isin(GEMEENTEN[:3]) & (is7.groupby(data["gemeentecode"]).cumsum() > 4)
    data.loc[drop, "voorziening"] = 1
    merged = run(data, wmo, Thresholds(merge_share=0.25)).recoding.merged
    assert [m.label for m in merged] == [OVERIG] and merged[0].reason == "beschermd wonen"
    assert merged[0].gemeenten == 3 and merged[0].share == pytest.approx(3 / 8)
    assert not run(data, wmo, Thresholds(merge_share=0.5)).recoding.merged


def test_a_wider_group_only_when_the_narrower_one_is_not_enough(wmo):
    sizes = dict.fromkeys(GEMEENTEN, 200)
    enough = run(synthetic(sizes, {}, old=(1, 3)), wmo)  # 75 tot 85 jaar is large: 75+ is enough
    assert [m.label for m in enough.recoding.merged] == ["75 jaar en ouder"]
    assert values(enough.table, "leeftijdsklasse") == {"18 tot 65 jaar", "65 tot 75 jaar", "75 jaar en ouder"}
    data = synthetic(sizes, {}, old=(1, 3))
    is3 = data["leeftijdsklasse"] == 3
    data.loc[is3 & (is3.groupby(data["gemeentecode"]).cumsum() > 3), "leeftijdsklasse"] = 1  # 3 aged 75-84
    res = run(data, wmo)
    assert [m.label for m in res.recoding.merged] == ["75 jaar en ouder", "65 jaar en ouder"]
    assert values(res.table, "leeftijdsklasse") == {"18 tot 65 jaar", "65 jaar en ouder"}
    assert res.recoding.merged[1].parts == ("65 tot 75 jaar", "75 jaar en ouder")
    assert res.recoding.merged[1].codes == (2, 3, 4)


# --------------------------------------------------------------------------- estimates and suppression


COMPARED = ["n", "n_geen_oordeel", "waarde", "se", "ondergrens", "bovengrens", "df", "se_zonder_fpc", "n_eff",
            "deff_gewicht", "deff", "onderdrukt"]


@pytest.mark.parametrize("weighted", [False, True])
def test_a_merged_cell_is_the_estimate_of_the_union_domain(wmo, weighted: bool):
    data = synthetic(dict.fromkeys(GEMEENTEN, 150), {7: (2, 5), 8: (2, 5)}, old=(3, 8))
    weights = None
    if weighted:
        weights = np.random.default_rng(3).uniform(0.5, 3.0, len(data))
    merged = run(data, wmo, Thresholds(min_n=1), weights=weights)
    assert OVERIG in values(merged.table, "voorziening")
    # the union domain computed directly: the same respondents recoded by hand, no merging declared
    union = data.copy()
    union["voorziening"] = union["voorziening"].replace(7, 8)
    union["leeftijdsklasse"] = union["leeftijdsklasse"].replace(3, 4)
    direct = run(union, without_merges(wmo), Thresholds(min_n=1), weights=weights).table
    a = merged.table[merged.table["subgroep"] != ""].copy()
    b = direct[direct["subgroep"] != ""].copy()
    b["subgroep_waarde"] = b["subgroep_waarde"].replace({"overig": OVERIG, "85 jaar en ouder": "75 jaar en ouder"})
    key = ["gebied_code", "indicator", "subgroep", "subgroep_waarde"]
    joined = a.merge(b, on=key, suffixes=("", "_direct"), validate="one_to_one")
    assert len(joined) == len(a) == len(b)
    assert (joined["subgroep_waarde"] == OVERIG).sum() == len(wmo.indicators) * (len(GEMEENTEN) + 3)
    for c in COMPARED:
        if not pd.api.types.is_numeric_dtype(joined[c]):
            assert (joined[c] == joined[c + "_direct"]).all(), c
        else:
            np.testing.assert_allclose(joined[c].to_numpy(float), joined[c + "_direct"].to_numpy(float),
                                       rtol=1e-10, atol=1e-12, err_msg=c)
    # and by hand: the weighted share positive on v06 of everyone with voorziening 7 or 8 in the total
    sel = data["voorziening"].isin([7, 8]).to_numpy() & data["v06"].isin([1, 2, 3, 4, 5]).to_numpy()
    w = np.ones(len(data)) if weights is None else weights
    by_hand = 100 * (w[sel] * data["v06"].isin([1, 2]).to_numpy()[sel]).sum() / w[sel].sum()
    row = merged.table[(merged.table["gebied_code"] == "totaal") & (merged.table["indicator"] == "v06")
                       & (merged.table["subgroep_waarde"] == OVERIG)]
    assert row["waarde"].iloc[0] == pytest.approx(by_hand, rel=1e-12)
    assert row["n"].iloc[0] == sel.sum()


def hidden(table: pd.DataFrame) -> tuple[int, int, int]:
    """Figures with n >= 30 hidden, respondents behind hidden figures (sum of n), hidden figures."""
    sup = table["onderdrukt"] == "ja"
    return int((sup & (table["n"] >= 30)).sum()), int(table.loc[sup, "n"].sum()), int(sup.sum())


def test_merging_hides_less_on_a_layout_with_rare_categories_in_every_gemeente(wmo):
    rng = np.random.default_rng(11)
    sizes = {g: int(n) for g, n in zip(GEMEENTEN, rng.integers(120, 400, len(GEMEENTEN)), strict=True)}
    data = synthetic(sizes, {7: (2, 6), 8: (8, 9)}, old=(1, 8))  # each tiny, together at least 10
    before = run(data, without_merges(wmo)).table
    res = run(data, wmo)
    after = res.table
    assert [m.label for m in res.recoding.merged] == [OVERIG, "75 jaar en ouder"]
    big_before, resp_before, n_before = hidden(before)
    big_after, resp_after, n_after = hidden(after)
    print(f"\nfigures with n >= 30 hidden {big_before} -> {big_after}; respondents behind hidden figures "
          f"{resp_before} -> {resp_after}; hidden figures {n_before} -> {n_after} (of {len(before)} / {len(after)})")
    assert big_after < big_before
    assert resp_after < resp_before
    assert n_after < n_before
    # no tiny (1-9) headline figure left in the merged breakdowns
    sub = after[after["subgroep"].isin(["voorziening", "leeftijdsklasse"])]
    assert not ((sub["n"] >= 1) & (sub["n"] < 10)).any()
    assert res.recoding.tiny[1] == 0 < res.recoding.tiny[0]


# --------------------------------------------------------------------------- pages, verantwoording, log


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from demo_project import DEMO_DATE, new_project, run_demo

    root = new_project(tmp_path_factory.mktemp("recode") / "project")
    run_demo(root, "--date", DEMO_DATE)
    return root


def test_the_demo_merges_and_says_so(demo: Path):
    meta = json.loads((demo / "site" / "2025" / "data" / "wmo.json").read_text(encoding="utf-8"))
    assert [(m["subgroep"], m["label"], m["delen"]) for m in meta["samengevoegd"]] == [
        ("voorziening", OVERIG, ["beschermd wonen", "overig"])]
    assert meta["drempels"]["samenvoegen_aandeel"] == 0.25
    table = pd.read_csv(demo / "site" / "2025" / "data" / "wmo.csv", dtype=str)
    assert OVERIG in set(table["subgroep_waarde"]) and "beschermd wonen" not in set(table["subgroep_waarde"])
    # the page names the merged group as its own row
    page = (demo / "site" / "2025" / "gemeente" / "dordrecht.md").read_text(encoding="utf-8")
    assert "<th>beschermd wonen</th>" not in page
    assert "voorziening overig (met beschermd wonen) (te weinig antwoorden)" in page  # n < 30 here
    assert "<th>overig (met jeugdbescherming en jeugdreclassering)</th><td>" in page  # CEO Jeugd: its own row
    assert "<th>12 jaar en ouder</th><td>" in page and "<th>18 jaar en ouder</th>" not in page
    # the verantwoording says what was merged and why
    text = (demo / "site" / "2025" / "verantwoording.md").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("- Samengevoegde groepen:"))
    assert "beschermd wonen en overig samen als" in line and OVERIG in line and "minder dan 10 personen" in line
    # the researcher's log names the merge and what it saved
    log = (demo / "uitvoer" / "2025" / "log" / "wmo.log").read_text(encoding="utf-8")
    merged_line = next(x for x in log.splitlines() if "samengevoegd in de hele editie" in x)
    assert "voorziening beschermd wonen en overig tot 'overig (met beschermd wonen)'" in merged_line
    assert "dat scheelt 84 van zulke kleine cijfers" in merged_line


def test_the_log_names_the_part_that_was_too_small_even_when_it_keeps_its_code(wmo):
    # overig (code 8, the code of the merged group) is the tiny one; beschermd wonen is large
    data = synthetic(dict.fromkeys(GEMEENTEN, 150), {7: (40, 40), 8: (2, 4)})
    (merged,) = run(data, wmo).recoding.merged
    assert merged.reason == "overig" and merged.parts == ("beschermd wonen", "overig")
    assert merged.describe().startswith("samengevoegd in de hele editie: voorziening beschermd wonen en overig tot "
                                        "'overig (met beschermd wonen)', omdat 'overig' in 100 % van zijn kopcijfers "
                                        "per gemeente (in 8 gemeenten) 1 tot 10 respondenten had; dat scheelt ")
