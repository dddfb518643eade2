from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ceo.core.problems import InputError
from ceo.validate.codebook import codebook_paths, get_codebook, load_codebook


def test_builtin_codebooks_load():
    paths = codebook_paths()
    assert {"wmo", "jeugd", "professionals"} <= set(paths)
    wmo = get_codebook("wmo")
    assert [v for v in wmo.required] == ["respondent_id", "gemeentecode"] + [
        f"v{i:02d}" for i in range(1, 11)]
    assert wmo.question("v06") == "Ik vind de kwaliteit van de ondersteuning die ik krijg goed."
    assert wmo.variables["v06"].positive == (1, 2)
    assert wmo.variables["v06"].non_substantive == (8,)
    assert wmo.variables["v06"].missing == (9,)
    assert wmo.variables["v05"].codes == {1: "ja", 2: "nee", 8: "weet niet", 9: "geen antwoord"}
    assert wmo.indicator("v05").label == "% ja"
    assert [i.id for i in wmo.indicators][:5] == ["v01", "v02", "v03", "v04", "v05"]
    rc = wmo.indicator("rapportcijfer_onvoldoende")
    assert rc.kind == "percentage_codes" and rc.codes == (1, 2, 3, 4, 5)
    assert wmo.labels("leeftijdsklasse")[4] == "85 jaar en ouder"
    assert {s.id for s in wmo.subgroups} == {"voorziening", "leeftijdsklasse", "geslacht"}


def test_jeugd_is_an_example_with_variants_and_no_provider_breakdown():
    jeugd = get_codebook("jeugd")
    assert jeugd.example
    assert set(jeugd.variants) == {"ouders", "jeugdigen"}
    assert jeugd.question("j06", "ouders") == "Door de hulp gaat het beter met mijn kind."
    assert jeugd.question("j06", "jeugdigen") == "Door de hulp gaat het beter met mij."
    assert "zorgaanbieder" in jeugd.forbidden_breakdowns
    assert all("aanbieder" not in s.variable for s in jeugd.subgroups)


def test_professionals_has_scale_and_beroepsgroep():
    prof = get_codebook("professionals")
    assert prof.scales[0].variables == ("p01", "p02", "p03", "p04")
    assert prof.labels("beroepsgroep")[3] == "basis- en preventieve voorzieningen"
    assert prof.variables["organisatie"].type == "open"


def test_project_codebook_overrides_and_adds(tmp_path: Path):
    (tmp_path / "surveys").mkdir()
    src = Path(codebook_paths()["wmo"]).read_text(encoding="utf-8")
    (tmp_path / "surveys" / "mijnwmo.yaml").write_text(src.replace("id: wmo", "id: mijnwmo"),
                                                       encoding="utf-8")
    cb = get_codebook("mijnwmo", tmp_path)
    assert cb.id == "mijnwmo"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "kapot.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_broken_yaml_names_the_line(tmp_path: Path):
    p = write(tmp_path, """\
        id: x
        titel: [niet afgesloten
        """)
    with pytest.raises(InputError) as exc:
        load_codebook(p)
    assert messages(exc) == [f"{p}, regel 2: waarde 'titel: [niet afgesloten': geen geldige YAML: een '[' wordt niet "
                             "gesloten met ']'"]


def test_codebook_mistakes_are_all_reported(tmp_path: Path):
    p = write(tmp_path, """\
        id: Fout
        titel: Test
        jaren: {van: 2020, tot: 2010}
        schalen:
          s:
            type: likert5
            codes: {1: eens, 2: oneens, 8: weet niet}
            positief: [1, 3]
            geen_oordeel: [8]
        variabelen:
          - {id: respondent_id, type: id, vraag: Nr}
          - {id: q1, schaal: s, vraag: Vraag een}
          - {id: q2, schaal: bestaatniet, vraag: Vraag twee}
          - {id: q3, type: raar, vraag: Vraag drie}
          - {id: q1, schaal: s, vraag: Nog eens}
        indicatoren:
          - {soort: percentage_positief, label: x, variabele: onbekend}
          - {soort: gemiddelde, label: y, variabele: q1}
        subgroepen:
          - {id: g, variabele: q9}
        """)
    with pytest.raises(InputError) as exc:
        load_codebook(p)
    msgs = messages(exc)
    # every mistake once, with its line; a mistake in a scale is reported at the scale, not at every
    # variable that uses it; no follow-up "unknown variable" for a variable that could not be loaded
    expected = [
        (1, "id: 'Fout' mag alleen kleine letters, cijfers en _ bevatten"),
        (3, "jaren: 'van' (2020) ligt na 'tot' (2010)"),
        (8, "schalen.s: 'positief' noemt code 3, die niet bij 'codes' staat"),
        (13, "variabelen[3] (q2): onbekende schaal 'bestaatniet' (bekend: s)"),
        (14, "variabelen[4] (q3): onbekend type 'raar' (mogelijk: id, gemeente, likert5, ja_nee, "
             "cijfer_1_10, categorisch, numeriek, open)"),
        (15, "variabelen[5]: variabele 'q1' staat er twee keer in"),
        (10, "variabelen: de variabele 'gemeentecode' (type gemeente) ontbreekt"),
        (17, "indicatoren[1]: onbekende variabele 'onbekend'"),
        (18, "indicatoren[2]: een gemiddelde kan alleen van een cijfer of getal, niet van 'q1' "
             "(type likert5)"),
        (20, "subgroepen[1]: onbekende variabele 'q9'"),
    ]
    assert msgs == [f"{p}, regel {row}: {e}" for row, e in expected]


def test_no_follow_up_messages_for_a_variable_that_did_not_load(tmp_path: Path):
    src = Path(codebook_paths()["wmo"]).read_text(encoding="utf-8")
    p = tmp_path / "surveys" / "wmo.yaml"
    p.parent.mkdir()
    p.write_text(src.replace("schaal: ja_nee_weetniet,", "schaal: janee,"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        get_codebook("wmo", tmp_path)
    # named as in the project; the indicator of v05 is not reported as well
    [(msg)] = messages(exc)
    assert msg.startswith("surveys/wmo.yaml, regel ")
    assert msg.endswith(": variabelen[7] (v05): onbekende schaal 'janee' (bekend: eens5, ja_nee_weetniet, cijfer)")


def test_forbidden_breakdown_is_refused(tmp_path: Path):
    src = Path(codebook_paths()["jeugd"]).read_text(encoding="utf-8")
    src = src.replace("subgroepen:\n", "subgroepen:\n  - {id: zorgaanbieder, variabele: vorm_hulp}\n")
    p = tmp_path / "jeugd.yaml"
    p.write_text(src, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_codebook(p)
    (msg,) = messages(exc)
    assert "uitsplitsing naar 'vorm_hulp' is niet toegestaan: De Jeugdwet" in msg


def test_unknown_survey():
    with pytest.raises(InputError) as exc:
        get_codebook("wm0")
    assert messages(exc) == ["onbekend onderzoek 'wm0' (beschikbaar: jeugd, professionals, wmo)"]
