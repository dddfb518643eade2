"""Questionnaire codebooks (``surveys/*.yaml``): the questions, answer codes and indicators as data.

A codebook is loaded into a :class:`Codebook`; every mistake in the YAML file is reported
in Dutch with the place it was found, all at once (see :func:`load_codebook`).
Adding a questionnaire means adding a YAML file: no code changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ceo.problems import InputError, Problem

VARIABLE_TYPES = (
    "id", "gemeente", "likert5", "ja_nee", "cijfer_1_10", "categorisch", "numeriek", "open",
)
#: types whose answers are codes with labels
CODED_TYPES = ("likert5", "ja_nee", "categorisch")
INDICATOR_KINDS = ("percentage_positief", "gemiddelde", "percentage_codes")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Variable:
    """One question (or administrative field) of a questionnaire."""

    id: str
    type: str
    question: str | dict[str, str]
    theme: str | None = None
    required: bool = False
    codes: dict[int, str] = field(default_factory=dict)
    positive: tuple[int, ...] = ()
    non_substantive: tuple[int, ...] = ()
    missing: tuple[int, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    insufficient: tuple[int, int] | None = None
    unit: str | None = None
    #: predicate for the headline sentence, e.g. "vinden de kwaliteit van de ondersteuning goed"
    headline: str | None = None

    def wording(self, variant: str | None = None) -> str:
        """The exact question text; for per-variant wording, that of ``variant`` (default: first)."""
        if isinstance(self.question, str):
            return self.question
        if variant is not None and variant in self.question:
            return self.question[variant]
        return next(iter(self.question.values()))

    @property
    def substantive_codes(self) -> tuple[int, ...]:
        """Codes that count in the denominator (coded types only)."""
        return tuple(c for c in self.codes
                     if c not in self.non_substantive and c not in self.missing)

    def is_valid(self, value: float) -> bool:
        """Whether a numeric answer is allowed (missing values are handled by the caller)."""
        if self.type in CODED_TYPES:
            return value in self.codes
        if self.type == "cijfer_1_10":
            return value in self.codes or (float(value).is_integer()
                                           and self.minimum <= value <= self.maximum)
        if self.type == "numeriek":
            return ((self.minimum is None or value >= self.minimum)
                    and (self.maximum is None or value <= self.maximum))
        return True

    def expected(self) -> str:
        """Dutch description of the allowed values, for error messages."""
        if self.type in CODED_TYPES:
            return "verwacht een van de codes " + _join_or(sorted(self.codes))
        if self.type == "cijfer_1_10":
            extra = ""
            if self.codes:
                extra = " of " + _join_or(sorted(self.codes))
            return (f"verwacht een geheel cijfer van {_num(self.minimum)} tot en met "
                    f"{_num(self.maximum)}{extra}")
        if self.type == "numeriek":
            unit = f" {self.unit}" if self.unit else ""
            return f"verwacht een getal van {_num(self.minimum)} tot en met {_num(self.maximum)}{unit}"
        return ""


@dataclass(frozen=True)
class AgeClass:
    code: int
    label: str
    lower: float | None
    upper: float | None  # exclusive


@dataclass(frozen=True)
class Derived:
    """A variable computed from another one, e.g. leeftijdsklasse from leeftijd."""

    id: str
    source: str
    question: str
    classes: tuple[AgeClass, ...]

    @property
    def codes(self) -> dict[int, str]:
        return {c.code: c.label for c in self.classes}


@dataclass(frozen=True)
class Indicator:
    """A published figure: % positive, a mean, or % of given codes."""

    id: str
    kind: str
    variable: str
    label: str
    codes: tuple[int, ...] = ()


@dataclass(frozen=True)
class Subgroup:
    id: str
    variable: str
    label: str


@dataclass(frozen=True)
class Scale:
    """A multi-item scale for which Cronbach's alpha is reported."""

    id: str
    label: str
    variables: tuple[str, ...]


@dataclass
class Codebook:
    id: str
    title: str
    short_title: str
    years: tuple[int, int]
    audience: str
    example: bool
    explanation: str
    variables: dict[str, Variable]
    derived: dict[str, Derived]
    indicators: list[Indicator]
    subgroups: list[Subgroup]
    variants: dict[str, str] = field(default_factory=dict)
    forbidden_breakdowns: dict[str, str] = field(default_factory=dict)
    weighting_margins: tuple[str, ...] = ()
    scales: list[Scale] = field(default_factory=list)
    path: Path | None = None
    #: subgroup id whose groups are compared with significance tests (professionals: beroepsgroep)
    group_test: str | None = None

    @property
    def required(self) -> list[str]:
        return [v.id for v in self.variables.values() if v.required]

    def labels(self, variable: str) -> dict[int, str]:
        """Code → label for a codebook or derived variable (empty when it has no codes)."""
        if variable in self.variables:
            return dict(self.variables[variable].codes)
        if variable in self.derived:
            return self.derived[variable].codes
        return {}

    def question(self, variable: str, variant: str | None = None) -> str:
        if variable in self.variables:
            return self.variables[variable].wording(variant)
        return self.derived[variable].question

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def covers(self, year: int) -> bool:
        return self.years[0] <= year <= self.years[1]


def _join_or(items: list) -> str:
    items = [_num(i) for i in items]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " of " + items[-1]


def _num(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return str(x)


# --------------------------------------------------------------------------- loading

class _Checker:
    """Reads values out of the parsed YAML, recording a Dutch problem for each mistake."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(f"{where}: {message}", str(self.path)))

    def get(self, d: dict, key: str, where: str, kind: type | tuple, required: bool = True,
            default: Any = None) -> Any:
        if not isinstance(d, dict) or key not in d or d[key] is None:
            if required:
                self.fail(where, f"'{key}' ontbreekt")
            return default
        value = d[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = {str: "tekst", int: "geheel getal", dict: "lijst van sleutels en waarden",
                     list: "lijst", bool: "ja/nee (true/false)", float: "getal"}
            wanted = kind if isinstance(kind, tuple) else (kind,)
            self.fail(where, f"'{key}' moet {' of '.join(names.get(k, k.__name__) for k in wanted)}"
                             f" zijn, niet {value!r}")
            return default
        return value

    def codes(self, raw: Any, where: str) -> dict[int, str]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.fail(where, "'codes' moet een lijst 'code: label' zijn")
            return {}
        out = {}
        for k, v in raw.items():
            if isinstance(k, bool) or not isinstance(k, int):
                self.fail(where, f"code {k!r} is geen geheel getal")
                continue
            if not isinstance(v, str) or not v.strip():
                self.fail(where, f"code {k} heeft geen label")
                continue
            out[k] = v
        return out

    def code_list(self, raw: Any, key: str, codes: dict[int, str], where: str) -> tuple[int, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.fail(where, f"'{key}' moet een lijst van codes zijn")
            return ()
        for c in raw:
            if c not in codes:
                self.fail(where, f"'{key}' noemt code {c!r}, die niet bij 'codes' staat")
        return tuple(c for c in raw if c in codes)


TOP_LEVEL_KEYS = ("id", "titel", "korte_titel", "jaren", "doelgroep", "voorbeeld", "toelichting", "schalen",
                  "varianten", "variabelen", "afgeleid", "indicatoren", "verboden_uitsplitsingen",
                  "subgroepen", "weging", "betrouwbaarheid", "groepsvergelijking")


def load_codebook(path: str | Path) -> Codebook:
    """Load and check a codebook YAML file; raise :class:`InputError` listing every mistake."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(Problem(f"vragenlijst niet te lezen ({exc.strerror})", str(path))) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InputError(Problem(f"geen geldige YAML ({getattr(exc, 'problem', exc)})",
                                 str(path), row)) from None
    except UnicodeDecodeError:
        raise InputError(Problem("vragenlijst is niet in UTF-8 opgeslagen", str(path))) from None
    if not isinstance(data, dict):
        raise InputError(Problem("een vragenlijst moet een YAML-document met sleutels zijn "
                                 "(id, titel, variabelen, indicatoren, ...)", str(path)))
    chk = _Checker(path)
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            chk.fail(str(key), "onbekende sleutel; toegestaan zijn " + ", ".join(TOP_LEVEL_KEYS))
    cb_id = chk.get(data, "id", "vragenlijst", str, default="?")
    if cb_id != "?" and not _ID_RE.match(cb_id):
        chk.fail("id", f"'{cb_id}' mag alleen kleine letters, cijfers en _ bevatten")
    title = chk.get(data, "titel", "vragenlijst", str, default="")
    short = chk.get(data, "korte_titel", "vragenlijst", str, required=False, default=title)
    years_raw = chk.get(data, "jaren", "vragenlijst", dict, default={})
    van = chk.get(years_raw, "van", "jaren", int, default=0) if years_raw else 0
    tot = chk.get(years_raw, "tot", "jaren", int, required=False, default=9999) if years_raw else 9999
    if van and tot and van > tot:
        chk.fail("jaren", f"'van' ({van}) ligt na 'tot' ({tot})")
    scales_raw = chk.get(data, "schalen", "vragenlijst", dict, required=False, default={})
    variants = chk.get(data, "varianten", "vragenlijst", dict, required=False, default={})

    variables: dict[str, Variable] = {}
    raw_vars = chk.get(data, "variabelen", "vragenlijst", list, default=[])
    for i, rv in enumerate(raw_vars, start=1):
        var = _load_variable(chk, rv, i, scales_raw, variants)
        if var is None:
            continue
        if var.id in variables:
            chk.fail(f"variabelen[{i}]", f"variabele '{var.id}' staat er twee keer in")
        variables[var.id] = var
    for needed, vtype in (("respondent_id", "id"), ("gemeentecode", "gemeente")):
        if needed not in variables:
            chk.fail("variabelen", f"de variabele '{needed}' (type {vtype}) ontbreekt")

    derived: dict[str, Derived] = {}
    for i, rd in enumerate(chk.get(data, "afgeleid", "vragenlijst", list, required=False,
                                   default=[]), start=1):
        d = _load_derived(chk, rd, i, variables)
        if d is not None:
            if d.id in variables or d.id in derived:
                chk.fail(f"afgeleid[{i}]", f"'{d.id}' bestaat al")
            derived[d.id] = d

    indicators: list[Indicator] = []
    for i, ri in enumerate(chk.get(data, "indicatoren", "vragenlijst", list, default=[]), start=1):
        indicators.extend(_load_indicators(chk, ri, i, variables))
    seen: set[str] = set()
    for ind in indicators:
        if ind.id in seen:
            chk.fail("indicatoren", f"indicator '{ind.id}' staat er twee keer in")
        seen.add(ind.id)

    forbidden = chk.get(data, "verboden_uitsplitsingen", "vragenlijst", dict, required=False,
                        default={})
    subgroups: list[Subgroup] = []
    for i, rs in enumerate(chk.get(data, "subgroepen", "vragenlijst", list, required=False,
                                   default=[]), start=1):
        where = f"subgroepen[{i}]"
        sid = chk.get(rs, "id", where, str)
        svar = chk.get(rs, "variabele", where, str)
        label = chk.get(rs, "label", where, str, required=False, default=sid)
        if sid is None or svar is None:
            continue
        if sid in forbidden or svar in forbidden:
            chk.fail(where, f"uitsplitsing naar '{svar}' is niet toegestaan: "
                            f"{forbidden.get(sid) or forbidden.get(svar)}")
            continue
        if svar in variables:
            if variables[svar].type not in CODED_TYPES:
                chk.fail(where, f"subgroep '{sid}' moet een variabele met codes zijn "
                                f"('{svar}' is van type {variables[svar].type})")
                continue
        elif svar not in derived:
            chk.fail(where, f"onbekende variabele '{svar}'")
            continue
        subgroups.append(Subgroup(sid, svar, label))

    weighting = chk.get(data, "weging", "vragenlijst", dict, required=False, default={})
    margins = tuple(weighting.get("kenmerken", []) or []) if weighting else ()
    for m in margins:
        if m not in variables and m not in derived:
            chk.fail("weging", f"weegkenmerk '{m}' is geen variabele van deze vragenlijst")

    scales: list[Scale] = []
    for i, rs in enumerate(chk.get(data, "betrouwbaarheid", "vragenlijst", list, required=False,
                                   default=[]), start=1):
        where = f"betrouwbaarheid[{i}]"
        items = chk.get(rs, "variabelen", where, list, default=[])
        for item in items:
            if item not in variables:
                chk.fail(where, f"onbekende variabele '{item}'")
        scales.append(Scale(chk.get(rs, "id", where, str, default="?"),
                            chk.get(rs, "label", where, str, required=False, default=""),
                            tuple(items)))

    group_test = chk.get(data, "groepsvergelijking", "vragenlijst", str, required=False, default=None)
    if group_test is not None and group_test not in {sg.id for sg in subgroups}:
        chk.fail("groepsvergelijking", f"'{group_test}' is geen subgroep van deze vragenlijst")
    if chk.problems:
        raise InputError(chk.problems)
    return Codebook(
        id=cb_id, title=title, short_title=short or title, years=(van, tot),
        audience=data.get("doelgroep") or "respondenten", example=bool(data.get("voorbeeld")),
        explanation=(data.get("toelichting") or "").strip(), variables=variables,
        derived=derived, indicators=indicators, subgroups=subgroups, variants=variants,
        forbidden_breakdowns=forbidden, weighting_margins=margins, scales=scales, path=path,
        group_test=group_test,
    )


def _load_variable(chk: _Checker, rv: Any, i: int, scales: dict, variants: dict) -> Variable | None:
    where = f"variabelen[{i}]"
    if not isinstance(rv, dict):
        chk.fail(where, "elke variabele moet sleutels hebben (id, vraag, type of schaal, ...)")
        return None
    vid = chk.get(rv, "id", where, str)
    if vid is None:
        return None
    where = f"variabelen[{i}] ({vid})"
    if not _ID_RE.match(vid):
        chk.fail(where, f"id '{vid}' mag alleen kleine letters, cijfers en _ bevatten")
    spec = dict(rv)
    if "schaal" in rv:
        scale = scales.get(rv["schaal"]) if isinstance(scales, dict) else None
        if not isinstance(scale, dict):
            chk.fail(where, f"onbekende schaal '{rv['schaal']}'"
                            + (f" (bekend: {', '.join(scales)})" if scales else ""))
            return None
        spec = {**scale, **{k: v for k, v in rv.items() if k != "schaal"}}
    vtype = chk.get(spec, "type", where, str)
    if vtype is None:
        return None
    if vtype not in VARIABLE_TYPES:
        chk.fail(where, f"onbekend type '{vtype}' (mogelijk: {', '.join(VARIABLE_TYPES)})")
        return None
    question = spec.get("vraag")
    if isinstance(question, dict):
        unknown = [k for k in question if k not in variants]
        if unknown:
            chk.fail(where, f"vraagtekst voor onbekende variant(en) {', '.join(map(str, unknown))}"
                            f" (bekend: {', '.join(variants) or 'geen'})")
    elif not isinstance(question, str) or not question.strip():
        chk.fail(where, "'vraag' (de letterlijke vraagtekst) ontbreekt")
        question = vid
    codes = chk.codes(spec.get("codes"), where)
    if vtype in CODED_TYPES and not codes:
        chk.fail(where, f"type {vtype} heeft 'codes' met labels nodig")
    positive = chk.code_list(spec.get("positief"), "positief", codes, where)
    non_subst = chk.code_list(spec.get("geen_oordeel"), "geen_oordeel", codes, where)
    missing = chk.code_list(spec.get("ontbrekend"), "ontbrekend", codes, where)
    overlap = (set(positive) & set(non_subst)) | (set(positive) & set(missing)) | (
        set(non_subst) & set(missing))
    if overlap:
        chk.fail(where, f"code(s) {', '.join(map(str, sorted(overlap)))} staan in meer dan één "
                        "van positief / geen_oordeel / ontbrekend")
    if vtype in ("likert5", "ja_nee") and not positive:
        chk.fail(where, f"type {vtype} heeft 'positief' nodig (welke codes tellen als positief)")
    minimum = spec.get("minimum")
    maximum = spec.get("maximum")
    for key, val in (("minimum", minimum), ("maximum", maximum)):
        if val is not None and (isinstance(val, bool) or not isinstance(val, int | float)):
            chk.fail(where, f"'{key}' moet een getal zijn, niet {val!r}")
    if vtype == "cijfer_1_10":
        minimum = 1 if minimum is None else minimum
        maximum = 10 if maximum is None else maximum
    insufficient = None
    if "onvoldoende" in spec:
        ins = spec["onvoldoende"]
        if (isinstance(ins, list) and len(ins) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) for x in ins)):
            insufficient = (ins[0], ins[1])
        else:
            chk.fail(where, "'onvoldoende' moet [laagste, hoogste] cijfer zijn, bijv. [1, 5]")
    required = spec.get("verplicht", False)
    if not isinstance(required, bool):
        chk.fail(where, f"'verplicht' moet true of false zijn, niet {required!r}")
        required = False
    return Variable(
        id=vid, type=vtype, question=question, theme=spec.get("thema"), required=required,
        codes=codes, positive=positive, non_substantive=non_subst, missing=missing,
        minimum=minimum, maximum=maximum, insufficient=insufficient, unit=spec.get("eenheid"),
        headline=_headline(chk, spec.get("kop"), where),
    )


def _headline(chk: _Checker, raw: Any, where: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        chk.fail(where, "'kop' moet een tekst zijn, bijv. 'vinden de kwaliteit van de ondersteuning goed'")
        return None
    return raw.strip()


def _load_derived(chk: _Checker, rd: Any, i: int, variables: dict[str, Variable]) -> Derived | None:
    where = f"afgeleid[{i}]"
    did = chk.get(rd, "id", where, str)
    src = chk.get(rd, "van", where, str)
    raw_classes = chk.get(rd, "klassen", where, list, default=[])
    if did is None or src is None:
        return None
    if src not in variables:
        chk.fail(where, f"'{did}' wordt afgeleid van onbekende variabele '{src}'")
        return None
    if variables[src].type != "numeriek":
        chk.fail(where, f"'{did}' kan alleen worden afgeleid van een numerieke variabele")
        return None
    classes = []
    for j, rc in enumerate(raw_classes, start=1):
        w = f"{where}.klassen[{j}]"
        code = chk.get(rc, "code", w, int)
        label = chk.get(rc, "label", w, str)
        lo = rc.get("van") if isinstance(rc, dict) else None
        hi = rc.get("tot") if isinstance(rc, dict) else None
        if code is not None and label is not None:
            classes.append(AgeClass(code, label, lo, hi))
    for a, b in zip(classes, classes[1:], strict=False):
        if a.upper is None or b.lower is None or a.upper != b.lower:
            chk.fail(where, f"klassen '{a.label}' en '{b.label}' sluiten niet op elkaar aan")
    return Derived(did, src, rd.get("vraag") or did, tuple(classes))


def _load_indicators(chk: _Checker, ri: Any, i: int,
                     variables: dict[str, Variable]) -> list[Indicator]:
    where = f"indicatoren[{i}]"
    kind = chk.get(ri, "soort", where, str)
    label = chk.get(ri, "label", where, str)
    if kind is None or label is None:
        return []
    if kind not in INDICATOR_KINDS:
        chk.fail(where, f"onbekende soort '{kind}' (mogelijk: {', '.join(INDICATOR_KINDS)})")
        return []
    if "variabelen" in ri:
        names = chk.get(ri, "variabelen", where, list, default=[])
        if "id" in ri:
            chk.fail(where, "geef 'id' alleen bij één 'variabele'; bij 'variabelen' is de id "
                            "van elke indicator de variabele zelf")
        pairs = [(n, n) for n in names]
    else:
        var = chk.get(ri, "variabele", where, str)
        if var is None:
            return []
        pairs = [(ri.get("id", var), var)]
    out = []
    for ind_id, var in pairs:
        if var not in variables:
            chk.fail(where, f"onbekende variabele '{var}'")
            continue
        v = variables[var]
        codes: tuple[int, ...] = ()
        if kind == "percentage_positief" and not v.positive:
            chk.fail(where, f"'{var}' heeft geen positieve codes ('positief')")
            continue
        if kind == "gemiddelde" and v.type not in ("cijfer_1_10", "numeriek"):
            chk.fail(where, f"een gemiddelde kan alleen van een cijfer of getal, niet van '{var}' "
                            f"(type {v.type})")
            continue
        if kind == "percentage_codes":
            raw = ri.get("codes")
            if not isinstance(raw, list) or not raw:
                chk.fail(where, "'codes' (welke antwoorden meetellen) ontbreekt")
                continue
            bad = [c for c in raw if not v.is_valid(c) or c in v.non_substantive]
            if bad:
                chk.fail(where, f"code(s) {', '.join(map(str, bad))} zijn geen inhoudelijke "
                                f"antwoorden op '{var}'")
                continue
            codes = tuple(raw)
        out.append(Indicator(ind_id, kind, var, label, codes))
    return out


# --------------------------------------------------------------------------- discovery

def codebook_paths(project_dir: str | Path | None = None) -> dict[str, Path]:
    """Survey id → codebook file. A project's own ``surveys/`` overrides the built-in ones."""
    found: dict[str, Path] = {}
    builtin = resources.files("ceo.surveys")
    for entry in sorted(builtin.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            found[entry.name[:-5]] = Path(str(entry))
    if project_dir is not None:
        own = Path(project_dir) / "surveys"
        if own.is_dir():
            for p in sorted(own.glob("*.yaml")):
                found[p.stem] = p
    return found


def get_codebook(survey: str, project_dir: str | Path | None = None) -> Codebook:
    """Load the codebook of ``survey``; a Dutch error names the surveys that do exist."""
    paths = codebook_paths(project_dir)
    if survey not in paths:
        raise InputError(f"onbekend onderzoek '{survey}' (beschikbaar: {', '.join(sorted(paths))})")
    cb = load_codebook(paths[survey])
    if cb.id != survey:
        raise InputError(Problem(f"de id in het bestand ('{cb.id}') hoort gelijk te zijn aan de "
                                 f"bestandsnaam ('{survey}')", str(paths[survey])))
    return cb
