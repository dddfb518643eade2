from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml
from click.testing import CliRunner

from ceo.io.readers import RawTable, read_table
from ceo.validate.codebook import get_codebook
from ceo.validate.harmonise import harmonise
from ceo.validate.inspect import ProposedMapping, describe, mapping_to_yaml, propose_mapping, render_description
from ceo.validate.mapping import load_mapping

#: labels as an agency delivers them: typos, other case, no full stop, a question number
LABELS = {
    "RESPNR": "Respondentnummer",
    "GEMEENTE": "Gemeente",
    "V1": "V1. Ik wist waar ik moest zijn met mijn hulpvraag",
    "V2": "ik werd snel geholpen",
    "V3": "De medewerker nam mij serieus.",
    "V4": "De medewerker en ik hebben in het gesprek samen naar oplosingen gezocht",
    "V5": "Wist u dat u gebruik kon maken van een onafhankelijke clientondersteuner",
    "V6": "Ik vind de kwaliteit van de ondersteuning die ik krijg goed",
    "V7": "De ondersteuning die ik krijg, past bij mijn hulpvraag",
    "V8": "DOOR DE ONDERSTEUNING DIE IK KRIJG KAN IK BETER DE DINGEN DOEN DIE IK WIL",
    "V9": "Door de ondersteuning die ik krijg kan ik me beter redden",
    "V10": "Door de ondersteuning die ik krijg heb ik een betere kwaliteit van leven.",
    "RAPCIJF": "Rapportcijfer ondersteuning",
    "LFT": "Leeftijd respondent",
    "GESL": "Geslacht",
    "VOORZ": "Soort voorziening",
    "VERSIE": "Versie vragenlijst",
    "EMAIL": "Contactgegevens",
}
EENS = {1: "Helemaal mee eens", 2: "Mee eens", 3: "Neutraal", 4: "Niet mee eens",
        5: "Helemaal niet mee eens", 8: "Weet niet / n.v.t.", 9: "Geen antwoord"}


def agency_sav(path: Path, n: int = 60, seed: int = 7) -> Path:
    rng = np.random.default_rng(seed)
    data = {"RESPNR": np.arange(1, n + 1, dtype=float), "GEMEENTE": rng.choice([1.0, 2.0], n)}
    for i in range(1, 11):
        data[f"V{i}"] = rng.choice([1.0, 2.0, 8.0, 9.0] if i == 5 else [1.0, 2.0, 3.0, 4.0, 5.0, 8.0, 9.0], n)
    data["RAPCIJF"] = rng.choice([0.0] + [float(x) for x in range(1, 11)], n)
    data["LFT"] = rng.integers(18, 100, n).astype(float)
    data["GESL"] = rng.choice([1.0, 2.0, 3.0], n)
    data["VOORZ"] = rng.choice([1.0, 2.0, 5.0], n)
    data["VERSIE"] = np.full(n, 2.0)
    data["EMAIL"] = [f"client{i}@example.nl" for i in range(n)]
    value_labels = {f"V{i}": EENS for i in range(1, 11)}
    value_labels["V5"] = {1: "Ja", 2: "Nee", 8: "Weet niet", 9: "Geen antwoord"}
    value_labels["RAPCIJF"] = {0: "weet niet", 1: "1 (zeer slecht)", 10: "10 (uitstekend)"}
    value_labels["GEMEENTE"] = {1: "Dordrecht", 2: "Zwijndrecht"}
    value_labels["GESL"] = {1: "Man", 2: "Vrouw", 3: "Anders / zeg ik liever niet"}
    pyreadstat.write_sav(pd.DataFrame(data), str(path), column_labels=LABELS, variable_value_labels=value_labels,
                         missing_ranges={f"V{i}": [9] for i in range(1, 11)})
    return path


@pytest.fixture(scope="module")
def wmo():
    return get_codebook("wmo")


@pytest.fixture
def delivery(tmp_path) -> RawTable:
    return read_table(agency_sav(tmp_path / "wmo_2025_bureau.sav"))


def test_describe_and_render(delivery):
    infos = describe(delivery)
    assert [i.name for i in infos] == list(LABELS)
    v1 = infos[2]
    assert (v1.label, v1.kind, v1.n_filled, v1.n_empty) == (LABELS["V1"], "numeriek", 60, 0)
    assert v1.value_labels[8.0] == "Weet niet / n.v.t." and v1.user_missing == [9.0]
    assert infos[0].examples == [1.0, 2.0, 3.0, 4.0, 5.0] and infos[0].n_distinct == 60
    email = infos[-1]
    assert email.kind == "tekst" and email.examples == []
    assert email.identifier == "de kolomnaam wijst op een e-mailadres"

    text = render_description(delivery, infos)
    assert text.startswith("Bestand: wmo_2025_bureau.sav (SPSS)\nRijen (respondenten): 60\n"
                           "Variabelen (kolommen): 18\n")
    assert "V1 — V1. Ik wist waar ik moest zijn met mijn hulpvraag\n  numeriek; 60 ingevuld, 0 leeg" in text
    assert "    8 = Weet niet / n.v.t.\n" in text
    assert "  ontbrekende waarden (SPSS): 9\n" in text
    assert ("  LET OP: lijkt een direct identificerend gegeven (de kolomnaam wijst op een e-mailadres); "
            "voorbeelden niet getoond") in text
    assert "@example.nl" not in text


def test_propose_mapping_for_an_agency_file(delivery, wmo):
    p = propose_mapping(delivery, wmo)
    assert p.survey == "wmo"
    assert p.variables == {
        "RESPNR": "respondent_id", "GEMEENTE": "gemeentecode",
        **{f"V{i}": f"v{i:02d}" for i in range(1, 11)},
        "RAPCIJF": "rapportcijfer", "LFT": "leeftijd", "GESL": "geslacht", "VOORZ": "voorziening",
    }
    assert p.codes["rapportcijfer"] == {0.0: 99}
    assert p.codes["gemeentecode"] == {1.0: "GM0505", 2.0: "GM0642"}
    assert set(p.codes) == {"rapportcijfer", "gemeentecode"}  # the statements are numbered as in CEO Wmo
    assert p.ignore == ["EMAIL"]
    assert p.unmatched == ["VERSIE"]
    assert p.not_found == {"hulp_invullen": False}
    assert p.comments["V2"] == "label 'ik werd snel geholpen' lijkt 100 % op v02"
    assert p.comments["V4"] == ("label 'De medewerker en ik hebben in het gesprek samen naar oplosi…' lijkt "
                                "99 % op v04")
    assert p.comments["RAPCIJF"] == "label 'Rapportcijfer ondersteuning' bevat 'rapportcijfer'"
    assert p.comments["EMAIL"] == ("de kolomnaam wijst op een e-mailadres; zulke gegevens mogen niet worden "
                                   "verwerkt")


def test_proposed_mapping_round_trips_and_harmonises(delivery, wmo, tmp_path):
    proposed = propose_mapping(delivery, wmo)
    text = mapping_to_yaml(proposed)
    assert text == mapping_to_yaml(propose_mapping(delivery, wmo))  # deterministic
    assert text.startswith("# Voorgestelde mapping — controleer voordat u hem gebruikt.\n")
    assert "  RAPCIJF: rapportcijfer  # label 'Rapportcijfer ondersteuning' bevat 'rapportcijfer'\n" in text
    assert "  rapportcijfer:\n    0: 99  # 'weet niet' is in de vragenlijst code 99 (weet niet)\n" in text
    assert "#   VERSIE: label 'Versie vragenlijst'\n" in text
    path = tmp_path / "mapping_wmo.yaml"
    path.write_text(text, encoding="utf-8")
    mapping = load_mapping(path, wmo)
    assert mapping.variables == proposed.variables
    assert mapping.codes == {"gemeentecode": {1.0: "GM0505", 2.0: "GM0642"}, "rapportcijfer": {0.0: 99.0}}
    assert mapping.ignore == ["EMAIL"]

    h = harmonise([delivery], wmo, mapping)
    assert set(h.data["gemeentecode"]) == {"GM0505", "GM0642"}
    was_zero = delivery.data["RAPCIJF"].to_numpy() == 0
    assert (h.data["rapportcijfer"].to_numpy()[was_zero] == 99).all()
    assert "EMAIL" not in h.data.columns


def test_reversed_scale_weet_niet_and_geen_antwoord(wmo):
    df = pd.DataFrame({"respondent_id": [1.0, 2.0, 3.0], "gemeentecode": ["GM0505"] * 3,
                       "STELLING_1": [1.0, 5.0, 0.0], "CIJFER": [7.0, 99.0, 98.0]})
    raw = RawTable(Path("omgekeerd.sav"), "sav", df,
                   variable_labels={"STELLING_1": "Ik wist waar ik moest zijn met mijn hulpvraag",
                                    "CIJFER": "Welk rapportcijfer geeft u de ondersteuning die u krijgt"},
                   value_labels={"STELLING_1": {1.0: "Helemaal niet mee eens", 2.0: "Niet mee eens",
                                                3.0: "Neutraal", 4.0: "Mee eens", 5.0: "Helemaal mee eens",
                                                6.0: "Weet ik niet", 0.0: "Geen antwoord"},
                                 "CIJFER": {98.0: "weet niet", 99.0: "geen antwoord"}},
                   user_missing={"CIJFER": [99.0]})
    p = propose_mapping(raw, wmo)
    assert p.variables == {"respondent_id": "respondent_id", "gemeentecode": "gemeentecode",
                           "STELLING_1": "v01", "CIJFER": "rapportcijfer"}
    assert p.codes["v01"] == {1.0: 5, 2.0: 4, 4.0: 2, 5.0: 1, 6.0: 8, 0.0: 9}
    # 99 means "geen antwoord" here but "weet niet" in the codebook: it must become empty
    assert p.codes["rapportcijfer"] == {98.0: 99, 99.0: None}


def test_text_answers_and_question_headers_in_a_csv(tmp_path, wmo):
    path = tmp_path / "export.csv"
    path.write_text("Respondent;Gemeente;Ik werd snel geholpen.;Wat is uw geslacht?;Naam\n"
                    "1;Dordrecht;Mee eens;Vrouw;Jan\n2;Gorinchem;weet niet;man;Piet\n", encoding="utf-8")
    raw = read_table(path)
    p = propose_mapping(raw, wmo)
    assert p.variables == {"Respondent": "respondent_id", "Gemeente": "gemeentecode",
                           "Ik werd snel geholpen.": "v02", "Wat is uw geslacht?": "geslacht"}
    assert p.codes["v02"] == {"Mee eens": 2, "weet niet": 8}
    assert p.codes["geslacht"] == {"Vrouw": 2, "man": 1}
    assert p.ignore == ["Naam"]
    out = tmp_path / "m.yaml"
    out.write_text(mapping_to_yaml(p), encoding="utf-8")
    m = load_mapping(out, wmo)
    assert m.variables["Ik werd snel geholpen."] == "v02"
    assert m.codes["geslacht"] == {"Vrouw": 2.0, "man": 1.0}


def test_yaml_quotes_awkward_names(wmo, tmp_path):
    p = ProposedMapping(
        survey="wmo",
        variables={"NO": "v01", "V: 2 # x": "v02", "3": "v03", "'s-nummer": "v04", " null": "v05"},
        codes={"v01": {1.0: 5, 5.0: 1, "Weet \"niet\"": 8}},
        ignore=["yes", "Naam, volledig"],
        comments={"NO": "regel\nmet een nieuwe regel"},
        unmatched=["VERSIE"])
    text = mapping_to_yaml(p)
    data = yaml.safe_load(text)
    assert data["variabelen"] == {"NO": "v01", "V: 2 # x": "v02", "3": "v03", "'s-nummer": "v04", " null": "v05"}
    assert data["codes"] == {"v01": {1: 5, 5: 1, 'Weet "niet"': 8}}
    assert data["negeren"] == ["yes", "Naam, volledig"]
    assert '  "NO": v01' in text and "# regel met een nieuwe regel" in text
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    m = load_mapping(path, wmo)
    assert m.variables["NO"] == "v01" and m.variables["3"] == "v03"


def test_empty_proposal_is_a_valid_mapping(wmo, tmp_path):
    text = mapping_to_yaml(ProposedMapping(survey="wmo"))
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    m = load_mapping(path, wmo)
    assert (m.variables, m.codes, m.ignore) == ({}, {}, [])


def test_cli_inspect_writes_the_proposal(tmp_path):
    from ceo.cli import main

    data = agency_sav(tmp_path / "levering.sav", n=10)
    result = CliRunner().invoke(main, ["inspect", str(data), "--survey", "wmo", "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Bestand: levering.sav (SPSS)" in result.output
    written = tmp_path / "mapping_wmo.yaml"
    assert load_mapping(written, get_codebook("wmo")).variables["RAPCIJF"] == "rapportcijfer"
