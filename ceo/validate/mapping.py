"""Mapping files: how a fieldwork agency's column names and codes translate to a codebook.

A mapping file is YAML with Dutch keys::

    onderzoek: wmo            # codebook id, must match the survey being processed
    variabelen:               # delivered column -> codebook variable
      RESPNR: respondent_id
      GEMEENTE: gemeentecode
      V1: v01
      RAPCIJF: rapportcijfer
    codes:                    # per codebook variable: delivered code -> codebook code
      rapportcijfer: {0: 99}  # (null: the answer becomes empty)
    negeren: [NAAM, POSTCODE] # delivered columns that are dropped unread
    identificatie: weigeren   # optional: refuse open answers with an e-mail address, telephone number,
                              # BSN, IBAN or postcode instead of replacing them by [e-mail], ... (vervangen)

Delivered column names match case-insensitively and without surrounding whitespace. A mapping may
name columns that a file does not have (one mapping serves several files).

Columns that directly identify a person are recognised in :mod:`ceo.validate.privacy`, the one home of
the privacy rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ceo.core.problems import InputError, Problem, format_value, yaml_lines
from ceo.core.texts import join_and
from ceo.io.readers import RawTable
from ceo.io.safeyaml import load_yaml
from ceo.validate.codebook import Codebook, Variable
from ceo.validate.schema import MAPPING as MAPPING_SCHEMA
from ceo.validate.schema import key_problems

TOP_LEVEL_KEYS = tuple(MAPPING_SCHEMA["properties"])
#: ``identificatie`` in a mapping file: identifiers in open answers are replaced, or the run is refused
IDENTIFIER_CHOICES = ("vervangen", "weigeren")


@dataclass
class Mapping:
    survey: str
    #: delivered column name → codebook variable id
    variables: dict[str, str] = field(default_factory=dict)
    #: codebook variable id → {delivered code: codebook code}; NaN makes the answer empty; for the
    #: gemeente variable the codebook code is a CBS code such as "GM0505"
    codes: dict[str, dict[float | str, float | str]] = field(default_factory=dict)
    #: delivered columns that are dropped before anything else
    ignore: list[str] = field(default_factory=list)
    path: Path | None = None
    #: what happens to an identifier in an open answer: "vervangen" (redacted) or "weigeren" (refused)
    identifiers: str = "vervangen"


def _key(name: object) -> str:
    """How delivered column names are compared: stripped, case-insensitive."""
    return str(name).strip().casefold()


# --------------------------------------------------------------------------- loading

def load_mapping(path: str | Path, codebook: Codebook) -> Mapping:
    """Read and check a mapping file against ``codebook``; raise :class:`InputError` listing every
    mistake."""
    path = Path(path)
    file = path.name
    if not path.is_file():
        raise InputError(Problem("mappingbestand bestaat niet", file))
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise InputError(Problem(f"mappingbestand kan niet worden gelezen ({exc.strerror})", file)) from None
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw_bytes.decode("cp1252", errors="replace")
    data = load_yaml(text, file)  # limits on size, aliases, nesting and tags
    if not isinstance(data, dict):
        raise InputError(Problem("een mappingbestand moet een YAML-document met sleutels zijn "
                                 "(onderzoek, variabelen, codes, negeren)", file))

    problems: list[Problem] = []
    lines = yaml_lines(text)

    def fail(message: str, column: str | None = None, at: tuple = ()) -> None:
        """``at``: where in the document, e.g. ``("variabelen", "V1")`` (for the line number)."""
        row = None
        for k in range(len(at), 0, -1):  # the most precise place that is known
            row = lines.get(tuple(str(x) if not isinstance(x, int) or isinstance(x, bool) else x
                                  for x in at[:k]))
            if row is not None:
                break
        problems.append(Problem(message, file, row, column))

    # every key must be known (nested ones too), with the nearest valid key
    problems += key_problems(data, MAPPING_SCHEMA, file, lines)

    survey = data.get("onderzoek")
    if survey is None:
        fail(f"'onderzoek' ontbreekt (de vragenlijst waarvoor de mapping geldt, hier '{codebook.id}')")
    elif str(survey) != codebook.id:
        fail(f"de mapping is voor onderzoek '{survey}', maar verwerkt wordt {codebook.short_title} "
             f"('{codebook.id}')", at=("onderzoek",))

    choices = ", ".join(codebook.variables)
    variables: dict[str, str] = {}
    raw_vars = data.get("variabelen")
    if raw_vars is None:
        raw_vars = {}
    if not isinstance(raw_vars, dict):
        fail("'variabelen' moet een lijst 'kolom: variabele' zijn, bijv. 'V1: v01'", at=("variabelen",))
        raw_vars = {}
    seen_source: dict[str, str] = {}
    seen_target: dict[str, str] = {}
    for src_raw, target in raw_vars.items():
        def fail_at(message: str, column: str | None = None, src_raw: object = src_raw) -> None:
            fail(message, column, ("variabelen", _yaml_key(src_raw)))

        if isinstance(src_raw, bool) or src_raw is None:
            fail_at(f"kolomnaam {src_raw!r} wordt door YAML niet als tekst gelezen; zet de naam tussen "
                    "aanhalingstekens")
            continue
        src = _name(src_raw)
        if _key(src) in seen_source:
            fail_at(f"'{seen_source[_key(src)]}' en '{src}' zijn dezelfde kolom (hoofdletters tellen "
                    "niet mee)", src)
            continue
        seen_source[_key(src)] = src
        if target is None or (isinstance(target, str) and not target.strip()):
            fail_at(f"'{src}' verwijst nergens naar; geef een variabele of zet de kolom onder 'negeren'", src)
            continue
        if src in TOP_LEVEL_KEYS and not (isinstance(target, str) and target.strip() in codebook.variables):
            fail_at(_misplaced(src, "variabelen"))
            continue
        if not isinstance(target, str):
            fail_at(f"'{src}' verwijst naar {format_value(target)}; dat is geen variabelenaam "
                    f"(kies uit: {choices})", src)
            continue
        target = target.strip()
        if target not in codebook.variables:
            fail_at(f"'{src}' verwijst naar '{target}', maar die variabele bestaat niet in "
                    f"{codebook.short_title}{_did_you_mean(target, codebook)}; kies uit: {choices}", src)
            continue
        if target in seen_target:
            fail_at(f"'{seen_target[target]}' en '{src}' verwijzen allebei naar '{target}'", src)
            continue
        seen_target[target] = src
        variables[src] = target

    codes: dict[str, dict[float | str, float | str]] = {}
    raw_codes = data.get("codes")
    if raw_codes is None:
        raw_codes = {}
    if not isinstance(raw_codes, dict):
        fail("'codes' moet per variabele een lijst 'code in het bestand: code in de vragenlijst' "
             "zijn, bijv. 'rapportcijfer: {0: 99}'", at=("codes",))
        raw_codes = {}
    by_source = {_key(s): t for s, t in variables.items()}
    for var_key, recode in raw_codes.items():
        var_id = str(var_key).strip()
        at = ("codes", _yaml_key(var_key))
        if var_id not in codebook.variables:
            hint = _did_you_mean(var_id, codebook)
            if var_id in TOP_LEVEL_KEYS:
                fail(_misplaced(var_id, "codes"), at=at)
                continue
            if _key(var_id) in by_source:
                hint = f"; gebruik de naam in de vragenlijst ('{by_source[_key(var_id)]}')"
            elif var_id in codebook.derived:
                hint = (f"; ceo leidt '{var_id}' zelf af uit '{codebook.derived[var_id].source}' (geef daarvoor "
                        "codes op als dat nodig is)")
            fail(f"codes voor '{var_id}': die variabele bestaat niet in {codebook.short_title}{hint}", at=at)
            continue
        var = codebook.variables[var_id]
        if var.type in ("id", "open"):
            fail(f"codes voor '{var_id}': deze variabele heeft geen antwoordcodes", at=at)
            continue
        if not isinstance(recode, dict) or not recode:
            fail(f"codes voor '{var_id}' moet een lijst 'code in het bestand: code in de vragenlijst' "
                 "zijn, bijv. {0: 99}", at=at)
            continue
        out: dict[float | str, float | str] = {}
        for src_code, target_code in recode.items():
            key = _source_code(src_code)
            if key is None:
                fail(f"codes voor '{var_id}': {format_value(src_code)} is geen code",
                     at=(*at, _yaml_key(src_code)))
                continue
            value, message = _target_code(var, target_code)
            if message:
                fail(f"codes voor '{var_id}': {format_value(key)} -> {format_value(target_code)}: "
                     f"{message}", at=(*at, _yaml_key(src_code)))
                continue
            out[key] = value
        codes[var_id] = out

    ignore: list[str] = []
    raw_ignore = data.get("negeren")
    if raw_ignore is None:
        raw_ignore = []
    if isinstance(raw_ignore, str):
        raw_ignore = [raw_ignore] if raw_ignore.strip() else []
    if not isinstance(raw_ignore, list):
        fail("'negeren' moet een lijst van kolomnamen zijn, bijv. [NAAM, POSTCODE]", at=("negeren",))
        raw_ignore = []
    for i, item in enumerate(raw_ignore):
        if item is None or isinstance(item, bool | dict | list):
            fail(f"'negeren' noemt {item!r}; dat is geen kolomnaam (zet de naam tussen aanhalingstekens)",
                 at=("negeren", i))
            continue
        ignore.append(_name(item))

    identifiers = data.get("identificatie", "vervangen")
    if identifiers not in IDENTIFIER_CHOICES:
        fail("'identificatie' moet 'vervangen' zijn (een e-mailadres, telefoonnummer, BSN, IBAN of postcode in een "
             "open antwoord wordt vervangen door [e-mail], [telefoon], ...) of 'weigeren' (zo'n antwoord weigert "
             f"de verwerking), niet {format_value(identifiers)}", at=("identificatie",))
        identifiers = "vervangen"

    if problems:
        raise InputError(problems)
    return Mapping(survey=codebook.id, variables=variables, codes=codes, ignore=ignore, path=path,
                   identifiers=identifiers)


def _misplaced(name: str, section: str) -> str:
    """A part of the mapping file (``negeren``, ``codes``, ...) indented under another part."""
    return (f"'{name}' staat ingesprongen onder '{section}', maar is een eigen onderdeel van het mappingbestand; "
            f"zet '{name}:' aan het begin van de regel (zonder spaties ervoor)")


def _did_you_mean(name: str, codebook: Codebook) -> str:
    """ " (bedoelt u 'rapportcijfer'?)" for a near miss of a codebook variable, else ""."""
    import difflib

    close = difflib.get_close_matches(name, list(codebook.variables), n=1, cutoff=0.8)
    return f" (bedoelt u '{close[0]}'?)" if close else ""


def _yaml_key(value: object) -> str:
    """A key as it is written in the YAML text (for :func:`~ceo.core.problems.yaml_lines`), as near as it
    can be told from the value PyYAML made of it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _name(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _source_code(value: object) -> float | str | None:
    """A delivered code: a number (as float) or a text answer."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def _target_code(var: Variable, value: object) -> tuple[float | str, str | None]:
    """The codebook code a delivered code becomes, or a Dutch reason why it is not allowed."""
    if value is None:
        return math.nan, None
    if var.type == "gemeente":
        from ceo.validate.registry import registry

        res = registry().resolve(value)
        if res.code is None:
            return "", res.problem
        return res.code, None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "", f"geen code; {var.expected()}"
    number = float(value)
    if not var.is_valid(number):
        return "", f"geen geldige code; {var.expected()}"
    return number, None


# --------------------------------------------------------------------------- applying

def apply_mapping(raw: RawTable, mapping: Mapping | None) -> RawTable:
    """The table with ignored columns dropped, columns renamed to codebook ids and codes recoded.

    Returns ``raw`` itself when ``mapping`` is None. Raises :class:`InputError` when renaming would
    give two columns the same name.
    """
    if mapping is None:
        return raw
    file = raw.path.name
    ignore = {_key(c) for c in mapping.ignore}
    keep = [c for c in raw.data.columns if _key(c) not in ignore]
    dropped = set(raw.data.columns) - set(keep)
    by_source = {_key(s): t for s, t in mapping.variables.items()}
    rename = {c: by_source[_key(c)] for c in keep if _key(c) in by_source}
    new_names = [rename.get(c, c) for c in keep]
    problems = []
    for target in sorted({n for n in new_names if new_names.count(n) > 1}):
        sources = [c for c in keep if rename.get(c, c) == target]
        problems.append(Problem(f"na het toepassen van de mapping heten de kolommen "
                                f"{join_and(repr(str(s)) for s in sources)} allebei '{target}'",
                                file, column=target))
    if problems:
        raise InputError(problems)

    data = raw.data[keep].rename(columns=rename)

    def carry(d: dict) -> dict:
        return {rename.get(k, k): v for k, v in d.items() if k not in dropped}

    value_labels = carry(raw.value_labels)
    for var_id, recode in mapping.codes.items():
        if var_id not in data.columns or not recode:
            continue
        data[var_id] = _recode(data[var_id], recode)
        if var_id in value_labels:
            value_labels[var_id] = _recode_labels(value_labels[var_id], recode)
    source_columns = {rename.get(k, k): v for k, v in raw.source_columns.items() if k not in dropped}
    source_columns.update({new: str(old) for old, new in rename.items() if str(old) != new})
    return replace(raw, data=data, variable_labels=carry(raw.variable_labels), value_labels=value_labels,
                   user_missing=carry(raw.user_missing), notices=list(raw.notices),
                   row_numbers=np.asarray(raw.row_numbers).copy(), source_columns=source_columns)


def _lookup(value: object, recode: dict) -> tuple[bool, object]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False, None
    if isinstance(value, bool):
        return False, None
    if isinstance(value, int | float | np.integer | np.floating):
        key = float(value)
        return (True, recode[key]) if key in recode else (False, None)
    text = str(value).strip()
    folded = text.casefold()
    for k, v in recode.items():
        if isinstance(k, str) and k.strip().casefold() == folded:
            return True, v
    try:
        key = float(text.replace(",", "."))
    except ValueError:
        return False, None
    return (True, recode[key]) if key in recode else (False, None)


def _recode(col: pd.Series, recode: dict) -> pd.Series:
    """All codes replaced at once (``{1: 5, 5: 1}`` swaps)."""
    numeric_only = all(isinstance(k, float) for k in recode) and all(
        isinstance(v, float) for v in recode.values())
    if numeric_only and pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        values = col.astype("float64")
        out = values.copy()
        for src, dst in recode.items():
            out[values == src] = dst
        return out
    mapped = [_lookup(v, recode) for v in col.tolist()]
    return pd.Series([new if hit else old for (hit, new), old in zip(mapped, col.tolist(), strict=True)],
                     index=col.index, dtype=object)


def _recode_labels(labels: dict, recode: dict) -> dict:
    out: dict = {}
    for code, label in labels.items():
        hit, new = _lookup(code, recode)
        if not hit:
            out.setdefault(code, label)
        elif not (isinstance(new, float) and math.isnan(new)):
            out[new] = label
    return out
