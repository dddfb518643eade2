"""Strict configuration: every key of ceo.yaml, codebooks and mapping files is known or refused with its
line and the nearest valid key; the same descriptions are published as JSON Schemas for editors."""

from __future__ import annotations

import inspect
import json
import re
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

import ceo.io.limits
import ceo.validate.codebook
import ceo.validate.mapping
import ceo.validate.project
from ceo.core.problems import InputError
from ceo.scaffold import init_project
from ceo.validate import schema
from ceo.validate.codebook import get_codebook, load_codebook
from ceo.validate.mapping import load_mapping
from ceo.validate.project import load_project

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = {"project": "ceo.schema.json", "codebook": "codebook.schema.json", "mapping": "mapping.schema.json"}
SCHEMAS_DIR = ROOT / "ceo" / "validate" / "schemas"


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


def project_problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "ceo.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_project(tmp_path)
    return messages(exc)


def codebook_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "surveys" / "wmo.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_codebook(path, "surveys/wmo.yaml")
    return messages(exc)


def mapping_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "mapping.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_mapping(path, get_codebook("wmo"))
    return messages(exc)


def validator(kind: str) -> jsonschema.Draft202012Validator:
    published = json.loads((SCHEMAS_DIR / SCHEMA_FILE[kind]).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(published)


def as_json(text: str) -> object:
    """A YAML document as an editor's JSON Schema validator sees it (keys become text)."""
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def schema_errors(kind: str, text: str) -> list[str]:
    return sorted(e.message for e in validator(kind).iter_errors(as_json(text)))


WMO = (ROOT / "surveys" / "wmo.yaml").read_text(encoding="utf-8")
CONFIG = (ROOT / "ceo.yaml").read_text(encoding="utf-8")
RESPONDENT_ID = "{id: respondent_id, type: id, verplicht: true,"


# --------------------------------------------------------------------------- the typos of issue 13

def test_ceo_yaml_typos_are_refused_with_line_and_nearest_key(tmp_path: Path):
    text = CONFIG.replace("bi_methode: logit ", "bi_methdoe: wilson").replace("  minimum_n: 30 ", "  minimun_n: 5  ")
    assert text != CONFIG
    lines = text.splitlines()
    assert project_problems(tmp_path, text) == [
        f"ceo.yaml, regel {lines.index(next(x for x in lines if 'minimun_n' in x)) + 1}: onbekende sleutel "
        "'minimun_n' in drempels; bedoelt u 'minimum_n'?",
        f"ceo.yaml, regel {lines.index(next(x for x in lines if 'bi_methdoe' in x)) + 1}: onbekende sleutel "
        "'bi_methdoe'; bedoelt u 'bi_methode'?",
    ]


def test_codebook_typos_are_refused_with_line_and_nearest_key(tmp_path: Path):
    text = (WMO.replace(RESPONDENT_ID, RESPONDENT_ID.replace("verplicht", "verplight"))
            .replace("thema: toegang, schaal: eens5, verplicht: true,\n     vraag: Ik wist",
                     "tema: toegang, schaal: eens5, verplicht: true,\n     vraag: Ik wist"))
    assert text.count("verplight") == 1 and text.count("tema:") == 1
    lines = text.splitlines()
    assert codebook_problems(tmp_path, text) == [
        f"surveys/wmo.yaml, regel {next(i for i, x in enumerate(lines, 1) if 'verplight' in x)}: onbekende sleutel "
        "'verplight' in variabelen[1] (respondent_id); bedoelt u 'verplicht'?",
        f"surveys/wmo.yaml, regel {next(i for i, x in enumerate(lines, 1) if 'tema:' in x)}: onbekende sleutel "
        "'tema' in variabelen[3] (v01); bedoelt u 'thema'?",
    ]


def test_mapping_keys_are_checked_at_every_level(tmp_path: Path):
    assert mapping_problems(tmp_path, """\
        onderzoek: wmo
        variabelen:
          V1: v01
          codes: {rapportcijfer: {0: 99}}
        codes:
          rapportcijfer: {0: 99}
          negeren: [VERSIE]
        negeeren: [NAAM]
        """) == [
        "mapping.yaml, regel 8: onbekende sleutel 'negeeren'; bedoelt u 'negeren'?",
        "mapping.yaml, regel 4: 'codes' staat ingesprongen onder 'variabelen', maar is een eigen onderdeel van het "
        "mappingbestand; zet 'codes:' aan het begin van de regel (zonder spaties ervoor)",
        "mapping.yaml, regel 7: 'negeren' staat ingesprongen onder 'codes', maar is een eigen onderdeel van het "
        "mappingbestand; zet 'negeren:' aan het begin van de regel (zonder spaties ervoor)",
    ]


def test_a_column_named_like_a_section_is_still_a_column(tmp_path: Path):
    path = tmp_path / "mapping.yaml"
    path.write_text("onderzoek: wmo\nvariabelen:\n  ONDERZOEK: v01\n  codes: v02\n", encoding="utf-8")
    assert load_mapping(path, get_codebook("wmo")).variables == {"ONDERZOEK": "v01", "codes": "v02"}


# --------------------------------------------------------------------------- more places

def test_nested_codebook_keys(tmp_path: Path):
    text = (WMO.replace("    geen_oordeel: [8]\n    ontbrekend: [9]\n  ja_nee_weetniet:",
                        "    geen_oordel: [8]\n    ontbrekend: [9]\n  ja_nee_weetniet:")
            .replace("      - {code: 2, label: 65 tot 75 jaar, van: 65, tot: 75}",
                     "      - {code: 2, label: 65 tot 75 jaar, vanaf: 65, tot: 75}")
            .replace("jaren: {van: 2016, tot: 2099}", "jaren: {van: 2016, tot: 2099, opmerking: x}"))
    assert text.count("\n") == WMO.count("\n")
    lines = text.splitlines()

    def line(part: str) -> int:
        return next(i for i, x in enumerate(lines, 1) if part in x)

    problems = codebook_problems(tmp_path, text)
    assert problems[:3] == [
        f"surveys/wmo.yaml, regel {line('opmerking')}: onbekende sleutel 'opmerking' in jaren; "
        "toegestaan zijn: van, tot",
        f"surveys/wmo.yaml, regel {line('geen_oordel:')}: onbekende sleutel 'geen_oordel' in schalen.eens5; bedoelt u "
        "'geen_oordeel'?",
        f"surveys/wmo.yaml, regel {line('vanaf:')}: onbekende sleutel 'vanaf' in afgeleid[1].klassen[2]; bedoelt u "
        "'van'?",
    ]


def test_headline_by_variant_keys(tmp_path: Path):
    text = (ROOT / "surveys" / "jeugd.yaml").read_text(encoding="utf-8").replace(
        "  samenstelling: {ouders: 0.5, jeugdigen: 0.5}", "  samenstelling: {ouders: 0.5, jeugdigen: 0.5}\n"
                                                          "  sammenstelling: {ouders: 0.5}")
    path = tmp_path / "jeugd.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_codebook(path, "jeugd.yaml")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "sammenstelling" in x)
    assert messages(exc) == [f"jeugd.yaml, regel {line}: onbekende sleutel 'sammenstelling' in kop_per; bedoelt u "
                             "'samenstelling'?"]


def test_limits_and_regions_in_ceo_yaml(tmp_path: Path):
    assert project_problems(tmp_path, """\
        naam: Test
        regios:
          - id: noord
            gemeenten: [GM0505]
            centrum: GM0505
        limieten:
          max_kolomen: 50
          max_rijen: 0
        1: een
        """) == [
        "ceo.yaml, regel 5: onbekende sleutel 'centrum' in regios[1] (noord); bedoelt u 'centrumgemeente'?",
        "ceo.yaml, regel 7: onbekende sleutel 'max_kolomen' in limieten; bedoelt u 'max_kolommen'?",
        "ceo.yaml, regel 9: onbekende sleutel '1'; toegestaan zijn: naam, uitgever, site_url, contact, licentie, "
        "ingebouwde_regios, regios, "
        "drempels, betrouwbaarheid, bi_methode, significantieniveau, limieten, veldwerk, openbare_contactgegevens",
        "ceo.yaml, regel 6: waarde '0': limieten: max_rijen moet een geheel getal van minstens 1 zijn",
    ]


def test_case_of_a_key_is_a_typo_too(tmp_path: Path):
    assert project_problems(tmp_path, "naam: Test\nBi_Methode: beta\n") == [
        "ceo.yaml, regel 2: onbekende sleutel 'Bi_Methode'; bedoelt u 'bi_methode'?"]


# --------------------------------------------------------------------------- the published JSON Schemas

def test_committed_schemas_equal_the_generated_ones():
    committed = sorted(p.name for p in SCHEMAS_DIR.glob("*.json"))
    assert committed == sorted(schema.SCHEMAS), "run: python -m ceo.validate.schema"
    for name in schema.SCHEMAS:
        assert (SCHEMAS_DIR / name).read_text(encoding="utf-8") == schema.schema_text(name), \
            f"ceo/validate/schemas/{name} is out of date; run: python -m ceo.validate.schema"


@pytest.mark.parametrize("kind", SCHEMA_FILE)
def test_schemas_are_valid_draft_2020_12(kind: str):
    published = json.loads((SCHEMAS_DIR / SCHEMA_FILE[kind]).read_text(encoding="utf-8"))
    assert published["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(published)


def _readme_yaml(heading: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"\n{heading}\n", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def test_the_repo_files_and_examples_are_valid(tmp_path: Path):
    init_project(tmp_path / "nieuw", gemeenten=["GM0505", "GM0642"], region_name="Noord")
    fresh = (tmp_path / "nieuw" / "ceo.yaml").read_text(encoding="utf-8")
    cases = [("project", CONFIG), ("project", fresh), ("project", _readme_yaml("## Configuratie")),
             ("mapping", _readme_yaml("### Het mappingbestand")),
             ("mapping", (ROOT / "tests" / "data" / "bad" / "sav_afgekapt" / "mapping_wmo.yaml").read_text("utf-8"))]
    cases += [("codebook", p.read_text(encoding="utf-8")) for p in sorted((ROOT / "surveys").glob("*.yaml"))]
    for kind, text in cases:
        assert schema_errors(kind, text) == [], text[:200]
    # and ceo itself reads them (the examples of the README too)
    (tmp_path / "readme").mkdir()
    (tmp_path / "readme" / "ceo.yaml").write_text(_readme_yaml("## Configuratie"), encoding="utf-8")
    load_project(tmp_path / "readme")
    load_project(tmp_path / "nieuw")
    (tmp_path / "mapping.yaml").write_text(_readme_yaml("### Het mappingbestand"), encoding="utf-8")
    load_mapping(tmp_path / "mapping.yaml", get_codebook("wmo"))


def test_ceo_init_points_editors_at_the_installed_schema(tmp_path: Path):
    init_project(tmp_path / "p")
    first = (tmp_path / "p" / "ceo.yaml").read_text(encoding="utf-8").splitlines()[:4]
    line = next(x for x in first if x.startswith("# yaml-language-server: $schema="))
    uri = line.split("$schema=", 1)[1]
    installed = schema.schema_path("ceo.schema.json")
    assert uri == installed.as_uri() and installed.is_file()
    assert json.loads(installed.read_text(encoding="utf-8"))["title"] == "ceo.yaml"


def test_editors_flag_the_same_typos():
    assert schema_errors("project", "bi_methdoe: wilson\ndrempels: {minimun_n: 5}\n") == [
        "Additional properties are not allowed ('bi_methdoe' was unexpected)",
        "Additional properties are not allowed ('minimun_n' was unexpected)"]
    bad = WMO.replace(RESPONDENT_ID, RESPONDENT_ID.replace("verplicht", "verplight"))
    assert schema_errors("codebook", bad) == ["Additional properties are not allowed ('verplight' was unexpected)"]
    assert schema_errors("mapping", "onderzoek: wmo\nnegeeren: [X]\n") == [
        "Additional properties are not allowed ('negeeren' was unexpected)"]
    assert schema_errors("project", "bi_methode: probit\n") == ["'probit' is not one of ['logit', 'beta', 'wilson']"]


# --------------------------------------------------------------------------- the schemas and the loaders agree

def test_value_lists_are_those_of_the_loaders():
    assert schema.CI_METHODS == ceo.validate.project.CI_METHODS
    assert schema.VARIABLE_TYPES == ceo.validate.codebook.VARIABLE_TYPES
    assert schema.INDICATOR_KINDS == ceo.validate.codebook.INDICATOR_KINDS
    assert schema.LIMIT_KEYS == tuple(ceo.io.limits.KEYS)
    assert set(schema.PROJECT["properties"]["limieten"]["properties"]) == set(ceo.io.limits.KEYS)


def _keys(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        found |= set(node.get("properties", {}))
        for value in node.values():
            found |= _keys(value)
    elif isinstance(node, list):
        for value in node:
            found |= _keys(value)
    return found


@pytest.mark.parametrize("described, modules", [
    (schema.PROJECT, [ceo.validate.project, ceo.io.limits]),
    (schema.CODEBOOK, [ceo.validate.codebook]),
    (schema.MAPPING, [ceo.validate.mapping]),
])
def test_every_allowed_key_is_read_by_its_loader(described: dict, modules: list):
    """A key that the schema allows but no loader reads would be ignored without a word: the very bug."""
    source = "".join(inspect.getsource(m) for m in modules)
    unread = sorted(k for k in _keys(described) if f'"{k}"' not in source and f"'{k}'" not in source)
    assert unread == []


def test_a_long_key_is_cut_short(tmp_path: Path):
    assert project_problems(tmp_path, "naam: Test\n" + "x" * 500 + ": 1\n") == [
        "ceo.yaml, regel 2: onbekende sleutel '" + "x" * 37 + "...'; toegestaan zijn: naam, uitgever, "
        "site_url, contact, licentie, ingebouwde_regios, regios, drempels, betrouwbaarheid, bi_methode, "
        "significantieniveau, limieten, veldwerk, openbare_contactgegevens"]
