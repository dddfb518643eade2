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

from ceo.core.problems import InputError, Problem, yaml_lines
from ceo.core.texts import join_and, join_or, plain_number
from ceo.io.safeyaml import load_yaml
from ceo.validate.schema import CODEBOOK as CODEBOOK_SCHEMA
from ceo.validate.schema import key_problems

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
class Merge:
    """``samenvoegen``: codes of a breakdown variable that may be published as one group (global recoding,
    see :mod:`ceo.stats.recode`), e.g. age classes 3 and 4 as "75 jaar en ouder"."""

    label: str
    codes: tuple[int, ...]

    @property
    def code(self) -> int:
        """The code the merged group gets (its highest member code: a nested, later group keeps it)."""
        return max(self.codes)


@dataclass(frozen=True)
class Subgroup:
    id: str
    variable: str
    label: str
    #: ``samenvoegen``: the groups that may be merged when their categories are often tiny, in order of preference
    merges: tuple[Merge, ...] = ()


@dataclass(frozen=True)
class HeadlineBy:
    """``kop_per``: the headline figures are published per value of one subgroup (the questionnaire
    variants of CEO Jeugd: parents and young people are different populations). The figure for all
    values together is only published standardised to the fixed ``composition`` (code -> share,
    summing to 1), so that it does not move when the mix of respondents changes."""

    subgroup: str                   # subgroup id
    variable: str                   # its variable
    variants: dict[int, str]        # code -> variant name (key of ``varianten``)
    composition: dict[int, float]   # code -> fixed share

    @property
    def label(self) -> str:
        """E.g. 'ouders en jeugdigen samen, vaste samenstelling'."""
        names = list(self.variants.values())
        return f"{join_and(names)} samen, vaste samenstelling"

    def composition_text(self) -> str:
        """E.g. 'ouders 50 %, jeugdigen 50 %' (for the pages and the definition)."""
        return ", ".join(f"{self.variants[c]} {100 * s:g} %" for c, s in self.composition.items())


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
    #: ``kop_per``: headline figures per questionnaire variant (None: one headline for everyone)
    headline_by: HeadlineBy | None = None
    #: ``kernindicatoren``: (indicator id, short label or "") of the key figures at the top of every factsheet
    key_indicators: tuple[tuple[str, str], ...] = ()

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
    return join_or(_num(i) for i in items)


_num = plain_number


# --------------------------------------------------------------------------- loading

_WHERE_PART = re.compile(r"(\w+)(?:\[(\d+)\])?")


def _where_path(where: str) -> tuple:
    """``"variabelen[3] (v01)"`` → ``("variabelen", 2)``; ``"afgeleid[1].klassen[2]"`` →
    ``("afgeleid", 0, "klassen", 1)``; ``"schalen.eens5"`` → ``("schalen", "eens5")``."""
    path: list = []
    for part in where.split(" ", 1)[0].split("."):
        m = _WHERE_PART.fullmatch(part)
        if not m:
            break
        path.append(m.group(1))
        if m.group(2):
            path.append(int(m.group(2)) - 1)
    return tuple(path)


class _Checker:
    """Reads values out of the parsed YAML, recording a Dutch problem for each mistake (once), with
    the line it is on."""

    def __init__(self, path: Path, display: str | None = None, lines: dict[tuple, int] | None = None):
        self.path = path
        self.display = display or str(path)
        self.lines = lines or {}
        self.problems: list[Problem] = []
        self._seen: set[tuple[str, str]] = set()
        #: ids of variables that could not be loaded (no follow-up "unknown variable" messages)
        self.failed: set[str] = set()

    def fail(self, where: str, message: str, key: str | None = None) -> None:
        if (where, message) in self._seen:  # e.g. a mistake in a scale, used by many variables
            return
        self._seen.add((where, message))
        path = _where_path(where) + ((key,) if key else ())
        row = None
        for k in range(len(path), 0, -1):
            row = self.lines.get(path[:k])
            if row is not None:
                break
        self.problems.append(Problem(f"{where}: {message}", self.display, row))

    def unknown(self, name: object) -> bool:
        """Whether an "unknown variable" message about ``name`` says something new (not when the
        variable is there but could not be loaded)."""
        return name not in self.failed

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
            self.fail(where, f"'{key}' moet {join_or(names.get(k, k.__name__) for k in wanted)}"
                             f" zijn, niet {value!r}", key)
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
        ok = [c for c in raw if isinstance(c, int) and not isinstance(c, bool) and c in codes]
        for c in raw:
            if c not in ok:
                self.fail(where, f"'{key}' noemt code {c!r}, die niet bij 'codes' staat", key)
        return tuple(ok)

    def text(self, d: Any, key: str, where: str) -> str | None:
        """An optional text (``thema``, ``eenheid``, ...); a problem when it is something else."""
        value = d.get(key) if isinstance(d, dict) else None
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(where, f"'{key}' moet tekst zijn, niet {value!r}", key)
            return None
        return value


#: the keys a codebook may have (every key at every level is described in :data:`ceo.validate.schema.CODEBOOK`)
TOP_LEVEL_KEYS = tuple(CODEBOOK_SCHEMA["properties"])


def load_codebook(path: str | Path, display: str | None = None) -> Codebook:
    """Load and check a codebook YAML file; raise :class:`InputError` listing every mistake.

    ``display`` is how messages name the file (default: the path)."""
    path = Path(path)
    display = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(Problem(f"vragenlijst niet te lezen ({exc.strerror})", display)) from None
    except UnicodeDecodeError:
        raise InputError(Problem("vragenlijst is niet in UTF-8 opgeslagen", display)) from None
    data = load_yaml(text, display)
    if not isinstance(data, dict):
        raise InputError(Problem("een vragenlijst moet een YAML-document met sleutels zijn "
                                 "(id, titel, variabelen, indicatoren, ...)", display))
    chk = _Checker(path, display, yaml_lines(text))
    # every key at every level must be known: 'verplight: true' would otherwise silently make a variable optional
    chk.problems.extend(key_problems(data, CODEBOOK_SCHEMA, display, chk.lines))
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
    for name, text in list(variants.items()):
        if not isinstance(name, str) or not isinstance(text, str):
            chk.fail("varianten", f"variant {name!r} moet een naam met een omschrijving (tekst) zijn", str(name))
            del variants[name]
    audience = chk.text(data, "doelgroep", "vragenlijst") or "respondenten"
    explanation = (chk.text(data, "toelichting", "vragenlijst") or "").strip()

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
            if chk.unknown(svar):
                chk.fail(where, f"onbekende variabele '{svar}'")
            continue
        known = variables[svar].codes if svar in variables else derived[svar].codes
        merges: tuple[Merge, ...] = ()
        raw_kop_per = data.get("kop_per")
        if rs.get("samenvoegen") is None:
            pass
        elif isinstance(raw_kop_per, dict) and raw_kop_per.get("subgroep") == sid:
            chk.fail(f"{where} ({sid})", f"de varianten van 'kop_per' ('{sid}') kunnen niet worden samengevoegd: "
                                         "de kopcijfers staan per variant", "samenvoegen")
        elif data.get("groepsvergelijking") == sid:
            chk.fail(f"{where} ({sid})", f"de groepen van 'groepsvergelijking' ('{sid}') kunnen niet worden "
                                         "samengevoegd: de toetsen vergelijken juist die groepen", "samenvoegen")
        else:
            merges = _load_merges(chk, rs.get("samenvoegen"), where, sid, svar, known)
        subgroups.append(Subgroup(sid, svar, label, merges))

    weighting = chk.get(data, "weging", "vragenlijst", dict, required=False, default={})
    margins = tuple(chk.get(weighting, "kenmerken", "weging", list, required=False, default=[])
                    if weighting else ())
    for m in margins:
        if not isinstance(m, str):
            chk.fail("weging", f"weegkenmerk {m!r} is geen variabelenaam", "kenmerken")
        elif m not in variables and m not in derived and chk.unknown(m):
            chk.fail("weging", f"weegkenmerk '{m}' is geen variabele van deze vragenlijst", "kenmerken")
    margins = tuple(m for m in margins if isinstance(m, str))

    scales: list[Scale] = []
    for i, rs in enumerate(chk.get(data, "betrouwbaarheid", "vragenlijst", list, required=False,
                                   default=[]), start=1):
        where = f"betrouwbaarheid[{i}]"
        items = chk.get(rs, "variabelen", where, list, default=[])
        for item in items:
            if not isinstance(item, str):
                chk.fail(where, f"{item!r} is geen variabelenaam", "variabelen")
            elif item not in variables and chk.unknown(item):
                chk.fail(where, f"onbekende variabele '{item}'")
        scales.append(Scale(chk.get(rs, "id", where, str, default="?"),
                            chk.get(rs, "label", where, str, required=False, default=""),
                            tuple(items)))

    group_test = chk.get(data, "groepsvergelijking", "vragenlijst", str, required=False, default=None)
    if group_test is not None and group_test not in {sg.id for sg in subgroups}:
        chk.fail("groepsvergelijking", f"'{group_test}' is geen subgroep van deze vragenlijst")
    headline_by = _load_headline_by(chk, data.get("kop_per"), subgroups, variables, derived, variants)
    key_indicators = _load_key_indicators(chk, data.get("kernindicatoren"), indicators)
    if chk.problems:
        raise InputError(chk.problems)
    return Codebook(
        id=cb_id, title=title, short_title=short or title, years=(van, tot),
        audience=audience, example=bool(data.get("voorbeeld")),
        explanation=explanation, variables=variables,
        derived=derived, indicators=indicators, subgroups=subgroups, variants=variants,
        forbidden_breakdowns=forbidden, weighting_margins=margins, scales=scales, path=path,
        group_test=group_test, headline_by=headline_by, key_indicators=key_indicators,
    )


def _load_merges(chk: _Checker, raw: Any, base: str, sid: str, variable: str,
                 known: dict[int, str]) -> tuple[Merge, ...]:
    """``samenvoegen: [{label: 75 jaar en ouder, codes: [3, 4]}, {label: 65 jaar en ouder, codes: [2, 3, 4]}]``:
    groups of at least two known codes, in order of preference; two groups are either apart or the later one
    holds the whole earlier one (a wider merge when the first is not enough)."""
    if raw is None:
        return ()
    where = f"{base} ({sid})"
    if not isinstance(raw, list) or not raw:
        chk.fail(where, "'samenvoegen' moet een lijst van groepen zijn, elk met 'label' en 'codes', "
                        "bijv. {label: 75 jaar en ouder, codes: [3, 4]}", "samenvoegen")
        return ()
    out: list[Merge] = []
    codes_text = ", ".join(map(str, known))
    for j, item in enumerate(raw, start=1):
        here = f"{base}.samenvoegen[{j}] ({sid})"
        if not isinstance(item, dict):
            chk.fail(here, f"elke groep moet 'label' en 'codes' hebben, niet {item!r}")
            continue
        label = chk.get(item, "label", here, str)
        codes = chk.get(item, "codes", here, list)
        if label is None or codes is None:
            continue
        label = label.strip()
        if not label:
            chk.fail(here, "'label' (de naam van de samengevoegde groep op de site) is leeg", "label")
            continue
        bad = [c for c in codes if isinstance(c, bool) or not isinstance(c, int) or c not in known]
        if bad:
            chk.fail(here, f"code(s) {', '.join(map(repr, bad))} zijn geen codes van '{variable}' "
                           f"(codes: {codes_text})", "codes")
            continue
        if len(set(codes)) != len(codes):
            chk.fail(here, "een code staat twee keer in 'codes'", "codes")
            continue
        if len(codes) < 2:
            chk.fail(here, "een groep moet minstens twee codes samenvoegen", "codes")
            continue
        if set(codes) == set(known):
            chk.fail(here, f"deze groep voegt alle codes van '{variable}' samen; dan is er niets meer uit te "
                           "splitsen", "codes")
            continue
        clash = [c for c, text in known.items() if text.strip().lower() == label.lower() and c not in codes]
        if clash:
            chk.fail(here, f"het label '{label}' is al het label van code {clash[0]}, die niet in deze groep zit",
                     "label")
            continue
        merge = Merge(label, tuple(codes))
        for k, earlier in enumerate(out, start=1):
            a, b = set(earlier.codes), set(merge.codes)
            if a == b:
                chk.fail(here, f"deze groep heeft dezelfde codes als groep {k} ({earlier.label})", "codes")
                break
            if a & b and not a < b:
                chk.fail(here, f"deze groep overlapt met groep {k} ({earlier.label}) maar bevat die niet helemaal; "
                               "een latere groep staat los van een eerdere of bevat haar helemaal", "codes")
                break
            if earlier.label.lower() == label.lower():
                chk.fail(here, f"het label '{label}' staat ook bij groep {k}", "label")
                break
        else:
            out.append(merge)
    return tuple(out)


def _load_key_indicators(chk: _Checker, raw: Any, indicators: list[Indicator]) -> tuple[tuple[str, str], ...]:
    """``kernindicatoren: [rapportcijfer, v01, {indicator: v06, kort: kwaliteit goed}]``: known indicator ids,
    each once, with an optional short label."""
    if raw is None:
        return ()
    where = "kernindicatoren"
    if not isinstance(raw, list):
        chk.fail(where, "'kernindicatoren' moet een lijst van indicator-id's zijn")
        return ()
    known = [ind.id for ind in indicators]
    out: list[tuple[str, str]] = []
    for i, item in enumerate(raw, start=1):
        here = f"{where}[{i}]"
        short = ""
        if isinstance(item, dict):
            short = item.get("kort", "")
            item = item.get("indicator")
            if not isinstance(short, str):
                chk.fail(here, f"'kort' moet een tekst zijn, niet {short!r}", "kort")
                continue
        if not isinstance(item, str):
            chk.fail(here, f"{item!r} is geen indicator-id")
        elif item not in known:
            chk.fail(here, f"onbekende indicator '{item}'; bekend: {', '.join(known)}")
        elif any(item == k for k, _ in out):
            chk.fail(here, f"indicator '{item}' staat twee keer in de kernindicatoren")
        else:
            out.append((item, short))
    return tuple(out)


def _load_headline_by(chk: _Checker, raw: Any, subgroups: list[Subgroup], variables: dict,
                      derived: dict, variants: dict) -> HeadlineBy | None:
    """``kop_per: {subgroep: variant, varianten: {1: ouders, 2: jeugdigen},
    samenstelling: {ouders: 0.5, jeugdigen: 0.5}}``."""
    if raw is None:
        return None
    where = "kop_per"
    if not isinstance(raw, dict):
        chk.fail(where, "'kop_per' moet de sleutels 'subgroep', 'varianten' en 'samenstelling' hebben")
        return None
    # (an unknown key in kop_per is reported by ceo.validate.schema.key_problems, with the nearest valid key)
    sid = chk.get(raw, "subgroep", where, str)
    names = chk.get(raw, "varianten", where, dict, default={})
    shares = chk.get(raw, "samenstelling", where, dict, default={})
    sg = next((s for s in subgroups if s.id == sid), None)
    if sid is not None and sg is None:
        chk.fail(where, f"'{sid}' is geen subgroep van deze vragenlijst", "subgroep")
    known = (variables[sg.variable].codes if sg and sg.variable in variables
             else derived[sg.variable].codes if sg and sg.variable in derived else {})
    ok = True
    code_of: dict[str, int] = {}
    for code, name in names.items():
        if isinstance(code, bool) or not isinstance(code, int) or (sg is not None and code not in known):
            chk.fail(where, f"'varianten' noemt code {code!r}, die de subgroepvariabele niet kent"
                            + (f" (codes: {', '.join(map(str, known))})" if known else ""), "varianten")
            ok = False
        elif not isinstance(name, str) or (variants and name not in variants):
            chk.fail(where, f"'varianten' koppelt code {code} aan {name!r}, die niet bij 'varianten' bovenaan "
                            f"staat (bekend: {', '.join(variants) or 'geen'})", "varianten")
            ok = False
        else:
            code_of[name] = code
    if len(code_of) < 2 and ok:
        chk.fail(where, "'varianten' moet minstens twee codes met hun variant noemen", "varianten")
        ok = False
    composition: dict[int, float] = {}
    for name, share in shares.items():
        if name not in code_of:
            if ok:
                chk.fail(where, f"'samenstelling' noemt {name!r}, die niet bij 'varianten' staat", "samenstelling")
            ok = False
        elif isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
            chk.fail(where, f"het aandeel van {name} moet een getal tussen 0 en 1 zijn, niet {share!r}",
                     "samenstelling")
            ok = False
        else:
            composition[code_of[name]] = float(share)
    if ok and set(composition) != set(code_of.values()):
        missing = [n for n, c in code_of.items() if c not in composition]
        chk.fail(where, f"'samenstelling' mist het aandeel van {', '.join(missing)}", "samenstelling")
        ok = False
    if ok and abs(sum(composition.values()) - 1) > 1e-9:
        chk.fail(where, f"de aandelen in 'samenstelling' tellen op tot {sum(composition.values()):g}, "
                        "niet tot 1", "samenstelling")
        ok = False
    if not ok or sg is None:
        return None
    return HeadlineBy(sg.id, sg.variable, {c: n for n, c in code_of.items()},
                      {c: composition[c] for c in code_of.values()})


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
    scale_where = None
    if "schaal" in rv:
        scale = scales.get(rv["schaal"]) if isinstance(scales, dict) and isinstance(rv["schaal"], str) else None
        if not isinstance(scale, dict):
            chk.fail(where, f"onbekende schaal '{rv['schaal']}'"
                            + (f" (bekend: {', '.join(scales)})" if scales else ""), "schaal")
            chk.failed.add(vid)
            return None
        spec = {**scale, **{k: v for k, v in rv.items() if k != "schaal"}}
        scale_where = f"schalen.{rv['schaal']}"

    def at(*keys: str) -> str:
        """A mistake in what a variable takes from its scale is reported once, at the scale."""
        return scale_where if scale_where and not any(k in rv for k in keys) else where

    vtype = chk.get(spec, "type", at("type"), str)
    if vtype is None:
        chk.failed.add(vid)
        return None
    if vtype not in VARIABLE_TYPES:
        chk.fail(at("type"), f"onbekend type '{vtype}' (mogelijk: {', '.join(VARIABLE_TYPES)})", "type")
        chk.failed.add(vid)
        return None
    question = spec.get("vraag")
    if isinstance(question, dict):
        unknown = [k for k in question if k not in variants]
        if unknown:
            chk.fail(where, f"vraagtekst voor onbekende variant(en) {', '.join(map(str, unknown))}"
                            f" (bekend: {', '.join(variants) or 'geen'})")
        if not question or not all(isinstance(t, str) and t.strip() for t in question.values()):
            chk.fail(where, "'vraag' moet per variant een vraagtekst hebben", "vraag")
            question = vid
    elif not isinstance(question, str) or not question.strip():
        chk.fail(where, "'vraag' (de letterlijke vraagtekst) ontbreekt")
        question = vid
    codes = chk.codes(spec.get("codes"), at("codes"))
    if vtype in CODED_TYPES and not codes:
        chk.fail(at("type", "codes"), f"type {vtype} heeft 'codes' met labels nodig")
    positive = chk.code_list(spec.get("positief"), "positief", codes, at("codes", "positief"))
    non_subst = chk.code_list(spec.get("geen_oordeel"), "geen_oordeel", codes, at("codes", "geen_oordeel"))
    missing = chk.code_list(spec.get("ontbrekend"), "ontbrekend", codes, at("codes", "ontbrekend"))
    overlap = (set(positive) & set(non_subst)) | (set(positive) & set(missing)) | (
        set(non_subst) & set(missing))
    if overlap:
        chk.fail(at("positief", "geen_oordeel", "ontbrekend"),
                 f"code(s) {', '.join(map(str, sorted(overlap)))} staan in meer dan één "
                 "van positief / geen_oordeel / ontbrekend")
    if vtype in ("likert5", "ja_nee") and not positive:
        chk.fail(at("type", "positief"), f"type {vtype} heeft 'positief' nodig (welke codes tellen als positief)")
    minimum = spec.get("minimum")
    maximum = spec.get("maximum")
    for key, val in (("minimum", minimum), ("maximum", maximum)):
        if val is not None and (isinstance(val, bool) or not isinstance(val, int | float)):
            chk.fail(at(key), f"'{key}' moet een getal zijn, niet {val!r}", key)
            if key == "minimum":
                minimum = None
            else:
                maximum = None
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
            chk.fail(at("onvoldoende"), "'onvoldoende' moet [laagste, hoogste] cijfer zijn, bijv. [1, 5]",
                     "onvoldoende")
    required = spec.get("verplicht", False)
    if not isinstance(required, bool):
        chk.fail(at("verplicht"), f"'verplicht' moet true of false zijn, niet {required!r}", "verplicht")
        required = False
    return Variable(
        id=vid, type=vtype, question=question, theme=chk.text(spec, "thema", where), required=required,
        codes=codes, positive=positive, non_substantive=non_subst, missing=missing,
        minimum=minimum, maximum=maximum, insufficient=insufficient, unit=chk.text(spec, "eenheid", where),
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
        if chk.unknown(src):
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
        lo = chk.get(rc, "van", w, (int, float), required=False) if isinstance(rc, dict) else None
        hi = chk.get(rc, "tot", w, (int, float), required=False) if isinstance(rc, dict) else None
        if code is not None and label is not None:
            classes.append(AgeClass(code, label, lo, hi))
    for a, b in zip(classes, classes[1:], strict=False):
        if a.upper is None or b.lower is None or a.upper != b.lower:
            chk.fail(where, f"klassen '{a.label}' en '{b.label}' sluiten niet op elkaar aan")
    return Derived(did, src, chk.text(rd, "vraag", where) or did, tuple(classes))


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
        pairs = [(chk.get(ri, "id", where, str, required=False, default=var), var)]
    out = []
    for ind_id, var in pairs:
        if not isinstance(var, str):
            chk.fail(where, f"{var!r} is geen variabelenaam", "variabelen")
            continue
        if var not in variables:
            if chk.unknown(var):
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
            bad = [c for c in raw if isinstance(c, bool) or not isinstance(c, int | float) or not v.is_valid(c)
                   or c in v.non_substantive]
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
    path = paths[survey]
    display = str(path)
    if project_dir is not None:  # a project's own codebook: named as in the project, "surveys/wmo.yaml"
        try:
            display = path.relative_to(Path(project_dir)).as_posix()
        except ValueError:
            pass
    cb = load_codebook(path, display)
    if cb.id != survey:
        raise InputError(Problem(f"de id in het bestand ('{cb.id}') hoort gelijk te zijn aan de "
                                 f"bestandsnaam ('{survey}')", display))
    return cb
