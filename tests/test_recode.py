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
from ceo.stats.results import Area, build_areas, estimate_results
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
