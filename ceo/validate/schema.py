"""Which keys ``ceo.yaml``, codebooks (``surveys/*.yaml``) and mapping files may hold: one description
per file type, used both to refuse unknown keys and to publish JSON Schemas for editors.

Each description is a JSON Schema (draft 2020-12, only keywords that older drafts share, so editors
with draft-07 support read it too) written as Python dicts. :func:`key_problems` walks a loaded YAML
document along it and reports every key the description does not know, with the line it is on and
the nearest valid key ("onbekende sleutel 'bi_methdoe'; bedoelt u 'bi_methode'?"). Values are not
checked here: the loaders (:mod:`ceo.validate.project`, :mod:`ceo.validate.codebook`,
:mod:`ceo.validate.mapping`) check them with their own Dutch messages; the types and enums in the schemas
only help an editor.

``python -m ceo.validate.schema`` writes the schemas into ``ceo/validate/schemas/``; a test checks that the
committed files equal what this module generates.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from ceo.core.problems import Problem

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = Path(__file__).parent / "schemas"

# the value lists are those of the loaders (imported lazily there would be a cycle; kept equal by a test)
CI_METHODS = ("logit", "beta", "wilson")
BUILTIN_REGIONS = ("provincies", "provincie", "veiligheidsregios", "veiligheidsregio")
VARIABLE_TYPES = ("id", "gemeente", "likert5", "ja_nee", "cijfer_1_10", "categorisch", "numeriek", "open")
INDICATOR_KINDS = ("percentage_positief", "gemiddelde", "percentage_codes")
LIMIT_KEYS = ("max_tekens_per_cel", "max_kolommen", "max_rijen", "max_xlsx_uitgepakt_mb")
FIELDWORK_MODES = ("schriftelijk", "online", "telefonisch", "combinatie")


# --------------------------------------------------------------------------- building blocks

def _obj(properties: dict, description: str, required: tuple[str, ...] = ()) -> dict:
    """An object with exactly these keys (any other key is refused)."""
    schema: dict = {"type": "object", "description": description, "properties": properties}
    if required:
        schema["required"] = list(required)
    schema["additionalProperties"] = False
    return schema


def _map(values: dict, description: str, names: dict | None = None) -> dict:
    """An object whose keys the user chooses (column names, scale names, codes)."""
    schema: dict = {"type": "object", "description": description}
    if names:
        schema["propertyNames"] = names
    schema["additionalProperties"] = values
    return schema


def _list(items: dict, description: str) -> dict:
    return {"type": "array", "description": description, "items": items}


def _t(types: str | list[str], description: str, **extra) -> dict:
    return {"type": types, "description": description, **extra}


def _enum(values: tuple[str, ...], description: str) -> dict:
    return {"description": description, "enum": list(values)}


_CODE = {"type": "string", "pattern": "^-?[0-9]+$"}  # a YAML integer key, as JSON (text) sees it
_CODES = _map({"type": "string"}, "Antwoordcodes met hun label, bijv. '1: helemaal mee eens'.", names=_CODE)


def _code_list(description: str) -> dict:
    return _list({"type": "integer"}, description)


# --------------------------------------------------------------------------- ceo.yaml

PROJECT = _obj({
    "naam": _t("string", "Naam van de publicatie (titel van de site)."),
    "uitgever": _t("string", "Wie de cijfers publiceert (colofon)."),
    "site_url": _t("string", "Het adres waarop de site gepubliceerd wordt (https://...), voor sitemap.xml en de "
                             "canonieke links; ceo zet het ook in mkdocs.yml.", pattern="^https://"),
    "contact": _obj({
        "naam": _t("string", "Naam van het contact, bijv. 'Onderzoekcentrum Drechtsteden'."),
        "email": _t("string", "E-mailadres voor vragen over de cijfers en de site."),
        "url": _t("string", "Of: een contactpagina (https://...)."),
    }, "Contact voor vragen (in de voettekst van elke pagina en in het colofon)."),
    "licentie": {
        "description": "Licentie van de cijfers en bestanden (standaard CC BY 4.0).",
        "anyOf": [_t("string", "Naam van de licentie, bijv. 'CC BY 4.0' of 'CC0 1.0'."),
                  _obj({"naam": _t("string", "Naam van de licentie."),
                        "url": _t("string", "Adres van de licentietekst (https://...).")},
                       "Een eigen licentie.", required=("naam",))],
    },
    "ingebouwde_regios": {
        "description": "Regio's die ceo zelf kent: provincies en/of veiligheidsregios.",
        "anyOf": [_enum(BUILTIN_REGIONS, "Eén soort ingebouwde regio."),
                  _list(_enum(BUILTIN_REGIONS, "Eén soort ingebouwde regio."), "Soorten ingebouwde regio's.")],
    },
    "regios": _list(_obj({
        "id": _t("string", "Korte naam van de regio; wordt de paginanaam (geen gemeentecode, niet 'totaal')."),
        "naam": _t("string", "Naam van de regio zoals op de site."),
        "centrumgemeente": _t(["string", "integer"], "CBS-code of naam van de centrumgemeente."),
        "gemeenten": _list(_t(["string", "integer"], "CBS-code (GM0505) of naam van een gemeente."),
                           "De gemeenten van de regio."),
    }, "Eén eigen regio.", required=("id", "gemeenten")), "Eigen regio's; een gemeente wordt vergeleken met de "
                                                           "rest van haar eerste regio."),
    "drempels": _obj({
        "minimum_n": _t("integer", "Minder inhoudelijke antwoorden: geen waarde gepubliceerd.", minimum=1),
        "onthulling_n": _t("integer", "Onderdrukte cel kleiner dan dit: ook een aanvullende cel onderdrukken."),
        "samenvoegen_aandeel": _t("number", "Een categorie met 'samenvoegen' in het codeboek wordt in de hele "
                                            "editie samengevoegd als minstens dit deel van haar kopcijfers in "
                                            "de gemeenten 1 tot onthulling_n antwoorden heeft (standaard 0.25).",
                                  exclusiveMinimum=0, maximum=1),
        "beschermingsmarge": _t("number", "Van een onderdrukte kleine groep moet het aantal positieve antwoorden "
                                          "minstens zoveel respondenten onzeker blijven (standaard 4).", minimum=0),
        "indicatief_n_eff": _t("number", "Effectieve n lager dan dit: waarde 'indicatief'."),
        "indicatief_bi_breedte": _t("number", "Betrouwbaarheidsinterval breder dan dit (procentpunten): "
                                              "waarde 'indicatief'."),
    }, "Drempels voor onderdrukken en 'indicatief'."),
    "betrouwbaarheid": _t("number", "Betrouwbaarheid van de intervallen, bijv. 0.95.", minimum=0.5,
                          exclusiveMaximum=1),
    "bi_methode": _enum(CI_METHODS, "Methode voor betrouwbaarheidsintervallen: logit, beta (Korn-Graubard) "
                                    "of wilson."),
    "significantieniveau": _t("number", "Significantieniveau van de toetsen, bijv. 0.05.", exclusiveMinimum=0,
                              exclusiveMaximum=0.5),
    "limieten": _obj({
        "max_tekens_per_cel": _t("integer", "Tekens in één cel (een open antwoord).", minimum=1),
        "max_kolommen": _t("integer", "Kolommen in één bestand.", minimum=1),
        "max_rijen": _t("integer", "Respondenten (rijen) in één bestand.", minimum=1),
        "max_xlsx_uitgepakt_mb": _t("integer", "Uitgepakte grootte van een .xlsx-bestand, in MB.", minimum=1),
    }, "Grenzen aan wat een leverbestand mag bevatten."),
    "veldwerk": _map(_obj({
        "periode": _t("string", "Wanneer het veldwerk liep, bijv. 'september tot en met november 2025'."),
        "wijze": _enum(FIELDWORK_MODES, "Hoe de vragenlijst is afgenomen."),
    }, "Het veldwerk van één editie.", required=("periode", "wijze")),
        "Per editie (jaar) de periode en de wijze van het veldwerk; staan op de verantwoording en de factsheet.",
        names={"type": "string", "pattern": "^[0-9]{4}$"}),
    "openbare_contactgegevens": _list(_t(["string", "integer"], "Een telefoonnummer of e-mailadres."),
                                      "Telefoonnummers en e-mailadressen van organisaties (een wijkteam, het "
                                      "Wmo-loket) die in open antwoorden en teksten mogen staan: ze zijn "
                                      "openbaar en geen persoonsgegeven."),
}, "Projectconfiguratie van ceo (ceo.yaml, naast mkdocs.yml).")


# --------------------------------------------------------------------------- codebooks

_VARIABLE_PROPERTIES = {
    "type": _enum(VARIABLE_TYPES, "Soort vraag."),
    "vraag": {"description": "De letterlijke vraagtekst, of per variant een vraagtekst.",
              "anyOf": [{"type": "string"}, _map({"type": "string"}, "Vraagtekst per variant.")]},
    "thema": _t("string", "Thema waaronder de vraag op de site staat."),
    "verplicht": _t("boolean", "Of de kolom in elke levering moet staan."),
    "codes": _CODES,
    "positief": _code_list("Codes die als positief tellen."),
    "geen_oordeel": _code_list("Codes voor 'geen oordeel' (tellen niet mee in de noemer)."),
    "ontbrekend": _code_list("Codes voor een ontbrekend antwoord."),
    "minimum": _t("number", "Kleinste toegestane waarde."),
    "maximum": _t("number", "Grootste toegestane waarde."),
    "onvoldoende": _list({"type": "integer"}, "[laagste, hoogste] onvoldoende cijfer, bijv. [1, 5].")
    | {"minItems": 2, "maxItems": 2},
    "eenheid": _t("string", "Eenheid van een numerieke vraag, bijv. jaar."),
    "kop": _t("string", "Gezegde voor de kopzin, bijv. 'vinden de kwaliteit van de ondersteuning goed'."),
}

CODEBOOK = _obj({
    "id": _t("string", "Id van de vragenlijst, gelijk aan de bestandsnaam (kleine letters, cijfers en _).",
             pattern="^[a-z][a-z0-9_]*$"),
    "titel": _t("string", "Titel van de vragenlijst."),
    "korte_titel": _t("string", "Korte titel, bijv. 'CEO Wmo'."),
    "jaren": _obj({"van": _t("integer", "Eerste jaar."), "tot": _t("integer", "Laatste jaar.")},
                  "Jaren waarin de vragenlijst geldt.", required=("van",)),
    "doelgroep": _t("string", "Wie de vragenlijst invullen, bijv. 'cliënten'."),
    "voorbeeld": _t("boolean", "Of het een voorbeeldvragenlijst is."),
    "toelichting": _t("string", "Toelichting op de vragenlijst."),
    "varianten": _map({"type": "string"}, "Varianten van de vragenlijst: naam en omschrijving."),
    "schalen": _map({"$ref": "#/$defs/schaal"}, "Antwoordschalen die variabelen met 'schaal' overnemen."),
    "variabelen": _list({"$ref": "#/$defs/variabele"}, "De vragen (en administratieve velden)."),
    "afgeleid": _list(_obj({
        "id": _t("string", "Id van de afgeleide variabele."),
        "van": _t("string", "De numerieke variabele waaruit ze wordt afgeleid."),
        "vraag": _t("string", "Omschrijving."),
        "klassen": _list(_obj({
            "code": _t("integer", "Code van de klasse."),
            "label": _t("string", "Label van de klasse."),
            "van": _t("number", "Ondergrens (inclusief)."),
            "tot": _t("number", "Bovengrens (exclusief)."),
        }, "Eén klasse.", required=("code", "label")), "De klassen, aansluitend."),
    }, "Eén afgeleide variabele.", required=("id", "van", "klassen")), "Variabelen die ceo zelf afleidt."),
    "indicatoren": _list(_obj({
        "soort": _enum(INDICATOR_KINDS, "Soort indicator."),
        "label": _t("string", "Label op de site."),
        "variabele": _t("string", "De variabele van de indicator."),
        "variabelen": _list({"type": "string"}, "Eén indicator per variabele (id = variabele)."),
        "id": _t("string", "Id van de indicator (alleen bij 'variabele')."),
        "codes": _code_list("Bij percentage_codes: welke antwoorden meetellen."),
    }, "Eén indicator (of één per variabele).", required=("soort", "label")), "De gepubliceerde cijfers."),
    "verboden_uitsplitsingen": _map({"type": "string"}, "Variabele: waarom naar haar niet mag worden "
                                                        "uitgesplitst."),
    "subgroepen": _list(_obj({
        "id": _t("string", "Id van de subgroep."),
        "variabele": _t("string", "Variabele met codes waarnaar wordt uitgesplitst."),
        "label": _t("string", "Label op de site."),
        "samenvoegen": _list(_obj({
            "label": _t("string", "Naam van de samengevoegde groep op de site, bijv. '75 jaar en ouder'."),
            "codes": _code_list("De codes die samen één groep worden (minstens twee)."),
        }, "Eén groep codes die samen mag worden gepubliceerd.", required=("label", "codes")),
            "Categorieën die worden samengevoegd als ze in veel gemeenten te klein zijn (globaal hercoderen), "
            "in volgorde van voorkeur; een latere groep staat los van een eerdere of bevat haar helemaal."),
    }, "Eén uitsplitsing.", required=("id", "variabele")), "Uitsplitsingen."),
    "weging": _obj({"kenmerken": _list({"type": "string"}, "Weegkenmerken (variabelen).")}, "Weging."),
    "betrouwbaarheid": _list(_obj({
        "id": _t("string", "Id van de schaal."),
        "label": _t("string", "Label."),
        "variabelen": _list({"type": "string"}, "De items van de schaal."),
    }, "Eén schaal met meerdere items.", required=("id", "variabelen")), "Schalen waarvoor Cronbachs alfa "
                                                                          "wordt gegeven."),
    "groepsvergelijking": _t("string", "Subgroep waarvan de groepen met toetsen worden vergeleken."),
    "kernindicatoren": _list({"anyOf": [
        _t("string", "Id van een indicator."),
        _obj({"indicator": _t("string", "Id van een indicator."),
              "kort": _t("string", "Korte naam in de kernpunten (enkele woorden).")},
             "Een indicator met een korte naam.", required=("indicator",)),
    ]}, "De kernpunten bovenaan elke factsheet: het rapportcijfer en 3 of 4 percentages (indicator-id's)."),
    "kop_per": _obj({
        "subgroep": _t("string", "Subgroep met één waarde per variant van de vragenlijst."),
        "varianten": _map({"type": "string"}, "Code van de subgroep: naam van de variant.", names=_CODE),
        "samenstelling": _map(_t("number", "Aandeel (tussen 0 en 1).", exclusiveMinimum=0, exclusiveMaximum=1),
                              "Vaste aandelen per variant voor het cijfer van alle varianten samen (som 1)."),
    }, "Kopcijfers per variant van de vragenlijst.", required=("subgroep", "varianten", "samenstelling")),
}, "Vragenlijst (codeboek) van ceo (surveys/*.yaml).", required=("id", "titel", "jaren", "variabelen",
                                                                   "indicatoren"))
CODEBOOK["$defs"] = {
    "variabele": _obj({"id": _t("string", "Id van de variabele (kleine letters, cijfers en _).",
                                pattern="^[a-z][a-z0-9_]*$"),
                       "schaal": _t("string", "Naam van een schaal onder 'schalen' waarvan de variabele type, "
                                              "codes enz. overneemt."),
                       **_VARIABLE_PROPERTIES}, "Eén vraag.", required=("id",)),
    "schaal": _obj(dict(_VARIABLE_PROPERTIES), "Een antwoordschaal: wat variabelen met deze schaal overnemen."),
}


# --------------------------------------------------------------------------- mapping files

MAPPING = _obj({
    "onderzoek": _t("string", "Id van de vragenlijst waarvoor de mapping geldt, bijv. wmo."),
    "variabelen": _map(_t(["string", "null"], "Variabele in de vragenlijst."),
                       "Kolom in het bestand: variabele in de vragenlijst, bijv. 'V1: v01'."),
    "codes": _map(_map(_t(["string", "number", "null"], "Code in de vragenlijst (leeg: geen antwoord)."),
                       "Code in het bestand: code in de vragenlijst, bijv. '{0: 99}'."),
                  "Per variabele de codes die anders zijn dan in de vragenlijst."),
    "negeren": {"description": "Kolommen die ongelezen worden weggelaten.",
                "anyOf": [{"type": "string"}, _list({"type": ["string", "number"]}, "Kolomnamen.")]},
    "identificatie": _enum(("vervangen", "weigeren"), "Een e-mailadres, telefoonnummer, BSN, IBAN of postcode "
                           "in een open antwoord: vervangen door [e-mail], [telefoon], ... (standaard) of de "
                           "verwerking weigeren."),
}, "Mappingbestand van ceo: kolomnamen en codes van een veldwerkbureau naar de vragenlijst.",
    required=("onderzoek",))

#: file name in ceo/validate/schemas/ → (schema, title)
SCHEMAS = {
    "ceo.schema.json": (PROJECT, "ceo.yaml"),
    "codebook.schema.json": (CODEBOOK, "ceo-vragenlijst"),
    "mapping.schema.json": (MAPPING, "ceo-mappingbestand"),
}


def json_schema(schema: dict, title: str) -> dict:
    """The schema as published: with ``$schema`` and a title."""
    return {"$schema": DRAFT, "title": title, **schema}


def schema_text(name: str) -> str:
    """The text of a published schema file (as committed in ``ceo/validate/schemas/``)."""
    schema, title = SCHEMAS[name]
    return json.dumps(json_schema(schema, title), ensure_ascii=False, indent=2) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = directory / name
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written


def schema_path(name: str) -> Path:
    """Where the installed package keeps a published schema."""
    return SCHEMA_DIR / name


# --------------------------------------------------------------------------- checking

def key_problems(data: object, schema: dict, file: str, lines: dict[tuple, int]) -> list[Problem]:
    """A Dutch :class:`Problem` for every key in ``data`` that ``schema`` does not know, with its line
    (from :func:`ceo.core.problems.yaml_lines`) and the nearest valid key."""
    defs = schema.get("$defs", {})
    problems: list[Problem] = []

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def kind_of(node: dict) -> set[str]:
        types = node.get("type", ())
        return {types} if isinstance(types, str) else set(types)

    def walk(value: object, node: dict, path: tuple, where: str) -> None:
        node = resolve(node)
        if "anyOf" in node:  # the branch of the value's kind (a text, a list, a mapping)
            wanted = "object" if isinstance(value, dict) else "array" if isinstance(value, list) else None
            node = next((resolve(b) for b in node["anyOf"] if wanted in kind_of(resolve(b))), None)
            if node is None:
                return
        if isinstance(value, dict) and "object" in kind_of(node):
            props = node.get("properties", {})
            extra = node.get("additionalProperties", True)
            for key, item in value.items():
                shown = _key_text(key)
                here = (*path, shown)
                if isinstance(key, str) and key in props:
                    walk(item, props[key], here, _join(where, key))
                elif isinstance(extra, dict):
                    walk(item, extra, here, _join(where, shown))
                elif extra is False:
                    problems.append(Problem(_unknown_message(shown, where, list(props)), file,
                                            _line(lines, here)))
        elif isinstance(value, list) and "array" in kind_of(node) and "items" in node:
            for i, item in enumerate(value):
                label = f"{where}[{i + 1}]"
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    label += f" ({item['id']})"
                walk(item, node["items"], (*path, i), label)

    walk(data, schema, (), "")
    return problems


def _join(where: str, key: str) -> str:
    where = where.split(" (", 1)[0] if where.endswith(")") else where  # "regios[1] (x)" → "regios[1]"
    return f"{where}.{key}" if where else key


def _key_text(key: object) -> str:
    """A key as it is written in the YAML text (as :func:`~ceo.core.problems.yaml_lines` names it)."""
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _unknown_message(key: str, where: str, allowed: list[str]) -> str:
    place = f" in {where}" if where else ""
    folded = {k.casefold(): k for k in allowed}
    close = difflib.get_close_matches(key[:100].casefold(), list(folded), n=1)
    shown = key if len(key) <= 40 else key[:37] + "..."
    if close:
        return f"onbekende sleutel '{shown}'{place}; bedoelt u '{folded[close[0]]}'?"
    return f"onbekende sleutel '{shown}'{place}; toegestaan zijn: {', '.join(allowed)}"


def _line(lines: dict[tuple, int], path: tuple) -> int | None:
    """The line of ``path``, or of the nearest enclosing key that is known."""
    for k in range(len(path), 0, -1):
        row = lines.get(path[:k])
        if row is not None:
            return row
    return None


if __name__ == "__main__":
    for written in write_schemas():
        print(written)
