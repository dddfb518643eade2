from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceo.core.problems import InputError
from ceo.io.readers import RawTable
from ceo.validate.codebook import get_codebook
from ceo.validate.harmonise import harmonise
from ceo.validate.mapping import Mapping, apply_mapping, load_mapping
from ceo.validate.privacy import is_bsn, looks_like_identifier

WMO_IDS = ("respondent_id, gemeentecode, v01, v02, v03, v04, v05, v06, v07, v08, v09, v10, rapportcijfer, "
           "leeftijd, geslacht, voorziening, hulp_invullen")


@pytest.fixture(scope="module")
def wmo():
    return get_codebook("wmo")


def write(tmp_path: Path, text: str, name: str = "mapping.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path, cb) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_mapping(path, cb)
    return [str(p) for p in exc.value.problems]


# --------------------------------------------------------------------------- loading

def test_load_valid_mapping(tmp_path, wmo):
    path = write(tmp_path, """\
        onderzoek: wmo
        variabelen:
          RESPNR: respondent_id
          GEMEENTE: gemeentecode
          V1: v01
          RAPCIJF: rapportcijfer
        codes:
          rapportcijfer: {0: 99, 98: null}
          v01: {6: 8, "weet niet": 8}
          gemeentecode: {1: GM0505, 2: Zwijndrecht}
        negeren: [NAAM, POSTCODE]
        """)
    m = load_mapping(path, wmo)
    assert m.survey == "wmo"
    assert m.variables == {"RESPNR": "respondent_id", "GEMEENTE": "gemeentecode", "V1": "v01",
                           "RAPCIJF": "rapportcijfer"}
    assert m.codes["rapportcijfer"][0.0] == 99.0
    assert math.isnan(m.codes["rapportcijfer"][98.0])
    assert m.codes["v01"] == {6.0: 8.0, "weet niet": 8.0}
    assert m.codes["gemeentecode"] == {1.0: "GM0505", 2.0: "GM0642"}
    assert m.ignore == ["NAAM", "POSTCODE"]
    assert m.path == path


def test_empty_sections_are_allowed(tmp_path, wmo):
    m = load_mapping(write(tmp_path, "onderzoek: wmo\nvariabelen: {}\ncodes:\nnegeren: []\n"), wmo)
    assert (m.variables, m.codes, m.ignore) == ({}, {}, [])


def test_missing_file(tmp_path, wmo):
    assert problems_of(tmp_path / "weg.yaml", wmo) == ["weg.yaml: mappingbestand bestaat niet"]


def test_invalid_yaml_names_the_line(tmp_path, wmo):
    path = write(tmp_path, "onderzoek: wmo\nvariabelen:\n  V1: v01\n  V2 v02\n  V3: v03\n")
    assert problems_of(path, wmo) == [
        "mapping.yaml, regel 4: waarde 'V2 v02': geen geldige YAML: een ':' ontbreekt (schrijf 'sleutel: waarde')"]
    path = write(tmp_path, "onderzoek: wmo\nnegeren: [NAAM, POSTCODE\nvariabelen:\n  V1: v01\n")
    assert problems_of(path, wmo) == [
        "mapping.yaml, regel 2: waarde 'negeren: [NAAM, POSTCODE': geen geldige YAML: een '[' wordt niet gesloten "
        "met ']'"]
    path = write(tmp_path, "onderzoek: wmo\nvariabelen:\n\tV1: v01\n")
    assert problems_of(path, wmo) == [
        "mapping.yaml, regel 3: waarde 'V1: v01': geen geldige YAML: een tab-teken; spring in met spaties"]


def test_not_a_mapping(tmp_path, wmo):
    assert problems_of(write(tmp_path, "- V1\n- V2\n"), wmo) == [
        "mapping.yaml: een mappingbestand moet een YAML-document met sleutels zijn "
        "(onderzoek, variabelen, codes, negeren)"]


def test_all_mistakes_are_reported_together(tmp_path, wmo):
    path = write(tmp_path, """\
        onderzoek: jeugd
        variablen: {}
        variabelen:
          V1: v01
          VRAAG1: v01
          V11: v11
          V2:
          v1: v03
        codes:
          rapportcijfer: {0: 11}
          RAPCIJF: {0: 99}
          v02: {6: 7}
          respondent_id: {1: 2}
        negeren: NAAM, POSTCODE
        """)
    path.write_text(path.read_text(encoding="utf-8").replace("negeren: NAAM, POSTCODE", "negeren: {NAAM: 1}"),
                    encoding="utf-8")
    assert problems_of(path, wmo) == [
        "mapping.yaml, regel 2: onbekende sleutel 'variablen'; bedoelt u 'variabelen'?",
        "mapping.yaml, regel 1: de mapping is voor onderzoek 'jeugd', maar verwerkt wordt CEO Wmo ('wmo')",
        "mapping.yaml, regel 5, kolom 'VRAAG1': 'V1' en 'VRAAG1' verwijzen allebei naar 'v01'",
        f"mapping.yaml, regel 6, kolom 'V11': 'V11' verwijst naar 'v11', maar die variabele bestaat niet in CEO Wmo; "
        f"kies uit: {WMO_IDS}",
        "mapping.yaml, regel 7, kolom 'V2': 'V2' verwijst nergens naar; geef een variabele of zet de kolom onder "
        "'negeren'",
        "mapping.yaml, regel 8, kolom 'v1': 'V1' en 'v1' zijn dezelfde kolom (hoofdletters tellen niet mee)",
        "mapping.yaml, regel 10: codes voor 'rapportcijfer': '0' -> '11': geen geldige code; verwacht een geheel "
        "cijfer van 1 tot en met 10 of 99",
        "mapping.yaml, regel 11: codes voor 'RAPCIJF': die variabele bestaat niet in CEO Wmo",
        "mapping.yaml, regel 12: codes voor 'v02': '6' -> '7': geen geldige code; verwacht een van de codes 1, 2, 3, "
        "4, 5, 8 of 9",
        "mapping.yaml, regel 13: codes voor 'respondent_id': deze variabele heeft geen antwoordcodes",
        "mapping.yaml, regel 14: 'negeren' moet een lijst van kolomnamen zijn, bijv. [NAAM, POSTCODE]",
    ]


def test_codes_for_a_delivered_name_get_a_hint(tmp_path, wmo):
    path = write(tmp_path, "onderzoek: wmo\nvariabelen: {RAPCIJF: rapportcijfer}\ncodes: {rapcijf: {0: 99}}\n")
    assert problems_of(path, wmo) == [
        "mapping.yaml, regel 3: codes voor 'rapcijf': die variabele bestaat niet in CEO Wmo; gebruik de naam in de "
        "vragenlijst ('rapportcijfer')"]


def test_missing_survey_and_unknown_gemeente_code(tmp_path, wmo):
    path = write(tmp_path, "variabelen: {GEM: gemeentecode}\ncodes: {gemeentecode: {1: GM9999}}\n")
    assert problems_of(path, wmo) == [
        "mapping.yaml: 'onderzoek' ontbreekt (de vragenlijst waarvoor de mapping geldt, hier 'wmo')",
        "mapping.yaml, regel 2: codes voor 'gemeentecode': '1' -> 'GM9999': onbekende gemeentecode GM9999 (verwacht "
        "een CBS-code van een bestaande gemeente, zoals GM0505)",
    ]


def test_yaml_booleans_as_column_names(tmp_path, wmo):
    path = write(tmp_path, "onderzoek: wmo\nvariabelen: {NO: v01}\n")
    assert problems_of(path, wmo) == [
        "mapping.yaml, regel 2: kolomnaam False wordt door YAML niet als tekst gelezen; zet de naam tussen "
        "aanhalingstekens"]


# --------------------------------------------------------------------------- applying

def raw_table(**extra) -> RawTable:
    df = pd.DataFrame({
        " RespNr ": [1.0, 2.0, 3.0],
        "GEMEENTE": [1.0, 2.0, 1.0],
        "V1": [1.0, 5.0, 3.0],
        "RAPCIJF": [0.0, 7.0, 8.5],
        "NAAM": ["Jan", "Piet", "Klaas"],
        "GESL": ["Man", "vrouw ", None],
    })
    df.columns = [c.strip() if c != " RespNr " else c for c in df.columns]
    return RawTable(Path("levering.sav"), "sav", df, np.array([1, 2, 3]),
                    variable_labels={"V1": "Ik wist waar ik moest zijn", "NAAM": "Naam"},
                    value_labels={"V1": {1.0: "helemaal niet mee eens", 5.0: "helemaal mee eens"},
                                  "RAPCIJF": {0.0: "weet niet"}},
                    user_missing={"V1": [9.0]}, notices=["levering.sav: iets"], **extra)


def test_apply_mapping_none_returns_the_table():
    raw = raw_table()
    assert apply_mapping(raw, None) is raw


def test_apply_mapping_renames_recodes_and_drops():
    raw = raw_table()
    mapping = Mapping(
        survey="wmo",
        variables={"respnr": "respondent_id", "gemeente": "gemeentecode", "V1": "v01", "RAPCIJF": "rapportcijfer",
                   "GESL": "geslacht", "NIET_IN_DIT_BESTAND": "v02", "naam": "v03"},
        codes={"v01": {1.0: 5.0, 5.0: 1.0}, "rapportcijfer": {0.0: 99.0, 8.5: math.nan},
               "gemeentecode": {1.0: "GM0505", 2.0: "GM0642"}, "geslacht": {"man": 1.0, "VROUW": 2.0}},
        ignore=[" naam "])
    out = apply_mapping(raw, mapping)
    assert list(out.data.columns) == ["respondent_id", "gemeentecode", "v01", "rapportcijfer", "geslacht"]
    assert out.data["v01"].tolist() == [5.0, 1.0, 3.0]  # swapped at once
    assert out.data["rapportcijfer"].tolist()[:2] == [99.0, 7.0]
    assert math.isnan(out.data["rapportcijfer"][2])
    assert out.data["gemeentecode"].tolist() == ["GM0505", "GM0642", "GM0505"]
    assert out.data["geslacht"].tolist()[:2] == [1.0, 2.0]
    assert out.variable_labels == {"v01": "Ik wist waar ik moest zijn"}
    assert out.value_labels == {"v01": {5.0: "helemaal niet mee eens", 1.0: "helemaal mee eens"},
                                "rapportcijfer": {99.0: "weet niet"}}
    assert out.user_missing == {"v01": [9.0]}
    assert out.row_numbers.tolist() == [1, 2, 3]
    assert out.notices == ["levering.sav: iets"]
    # the original is untouched
    assert "NAAM" in raw.data.columns and raw.data["V1"].tolist() == [1.0, 5.0, 3.0]


def test_apply_mapping_refuses_two_columns_with_one_name():
    raw = raw_table()
    raw.data["v01"] = 1.0
    with pytest.raises(InputError) as exc:
        apply_mapping(raw, Mapping("wmo", {"V1": "v01"}))
    assert [str(p) for p in exc.value.problems] == [
        "levering.sav, kolom 'v01': na het toepassen van de mapping heten de kolommen 'V1' en 'v01' allebei 'v01'"]


def test_harmonise_with_mapping_never_sees_ignored_columns(tmp_path, wmo):
    n = 4
    df = pd.DataFrame({"RESPNR": np.arange(1.0, n + 1), "GEM": ["GM0505"] * n, "EMAIL": ["a@b.nl"] * n,
                       **{f"V{i}": [1.0, 2.0, 8.0, 9.0] for i in range(1, 11)}, "RAPCIJF": [0.0, 7.0, 8.0, 10.0]})
    raw = RawTable(tmp_path / "x.csv", "csv", df)
    mapping = load_mapping(write(tmp_path, """\
        onderzoek: wmo
        variabelen: {RESPNR: respondent_id, GEM: gemeentecode, RAPCIJF: rapportcijfer}
        codes: {rapportcijfer: {0: 99}}
        negeren: [EMAIL]
        """), wmo)
    mapping.variables.update({f"V{i}": f"v{i:02d}" for i in range(1, 11)})
    h = harmonise([raw], wmo, mapping)
    assert "EMAIL" not in h.data.columns
    assert h.data["rapportcijfer"].tolist() == [99.0, 7.0, 8.0, 10.0]
    assert h.data["v01"].tolist()[:3] == [1.0, 2.0, 8.0] and math.isnan(h.data["v01"][3])


# --------------------------------------------------------------------------- identifiers

def bsns(k: int, start: int = 100_000_000) -> list[int]:
    out, x = [], start
    while len(out) < k:
        if is_bsn(str(x)):
            out.append(x)
        x += 1
    return out


def test_eleven_test():
    assert is_bsn("123456782") and is_bsn("111222333")
    assert is_bsn("12345672")  # leading zero lost: 012345672
    assert not is_bsn("123456789") and not is_bsn("000000000") and not is_bsn("1234567")


@pytest.mark.parametrize("name, values, reason", [
    ("BSN", [1, 2], "de kolomnaam wijst op een BSN"),
    ("Burgerservicenummer", [1], "de kolomnaam wijst op een BSN"),
    ("sofinummer", [1], "de kolomnaam wijst op een BSN"),
    ("naam", ["a"], "de kolomnaam wijst op een naam"),
    ("Achternaam", ["a"], "de kolomnaam wijst op een naam"),
    ("firstName", ["a"], "de kolomnaam wijst op een naam"),
    ("NAAM_CLIENT", ["a"], "de kolomnaam wijst op een naam"),
    ("Straat", ["a"], "de kolomnaam wijst op een adres"),
    ("huisnummer", [1], "de kolomnaam wijst op een adres"),
    ("Postcode", ["a"], "de kolomnaam wijst op een postcode"),
    ("E-mail", ["a"], "de kolomnaam wijst op een e-mailadres"),
    ("EmailAdres", ["a"], "de kolomnaam wijst op een e-mailadres"),
    ("TEL", ["a"], "de kolomnaam wijst op een telefoonnummer"),
    ("Telefoonnummer", ["a"], "de kolomnaam wijst op een telefoonnummer"),
    ("mobiel", ["a"], "de kolomnaam wijst op een telefoonnummer"),
    ("Geboortedatum", ["a"], "de kolomnaam wijst op een geboortedatum"),
    ("GEB_DATUM", ["a"], "de kolomnaam wijst op een geboortedatum"),
    ("date_of_birth", ["a"], "de kolomnaam wijst op een geboortedatum"),
    ("kolom1", ["a@example.nl", "b.c@gemeente.nl", "x"], "de waarden lijken e-mailadressen"),
    ("kolom2", ["3311 AB", "3312cd", None], "de waarden lijken postcodes"),
    ("kolom3", ["06-12345678", "+31 6 12345678", "0031612345678", "078 123 45 67"],
     "de waarden lijken telefoonnummers"),
    ("kolom4", bsns(20), "de waarden lijken burgerservicenummers (BSN)"),
    ("kolom5", [float(b) for b in bsns(20)], "de waarden lijken burgerservicenummers (BSN)"),
    ("kolom6", [str(b) for b in bsns(3)], "de waarden lijken burgerservicenummers (BSN)"),
])
def test_identifiers_are_recognised(name, values, reason):
    assert looks_like_identifier(name, pd.Series(values, dtype=object)) == reason


@pytest.mark.parametrize("name, values", [
    ("respondent_id", list(range(1, 300))),
    ("RESPNR", [float(x) for x in range(1, 300)]),
    ("volgnummer", list(range(100_000_000, 100_000_200))),  # 9 digits, but not BSNs
    ("id", [20250001 + i for i in range(100)]),
    ("gemeentecode", ["GM0505", "0505", "505"]),
    ("gemeentenaam", ["Dordrecht", "Zwijndrecht", "'s-Gravenhage"]),
    ("naam_gemeente", ["Dordrecht"]),
    ("Naam organisatie", ["Stichting Thuiszorg"]),
    ("zorgaanbieder_naam", ["Stichting Thuiszorg"]),
    ("leeftijd", [18.0, 65.0, 80.0, 102.0]),
    ("geboortejaar", [1940, 1955]),
    ("PC4", [3311, 3312]),
    ("v01", [1.0, 2.0, 8.0, 9.0]),
    ("rapportcijfer", [7.0, 8.0, 99.0]),
    ("geslacht", ["man", "vrouw"]),
    ("hulp_invullen", [1, 2]),
    ("voorziening", [1, 2, 3]),
    ("TELLER", [1, 2, 3]),
    ("opmerking", ["Ik ben tevreden", "mail mij maar"]),
    ("leeg", []),
])
def test_no_false_positives(name, values):
    assert looks_like_identifier(name, pd.Series(values, dtype=object)) is None


def test_no_false_positives_on_codebook_ids():
    for survey in ("wmo", "jeugd", "professionals"):
        cb = get_codebook(survey)
        for var_id in [*cb.variables, *cb.derived]:
            assert looks_like_identifier(var_id, pd.Series([1.0, 2.0, 8.0])) is None, var_id
