"""``ceo inspect``: describe a delivered file and propose a mapping to a codebook.

:func:`describe` and :func:`render_description` give a plain-text overview (variables, labels,
value labels, missing-value codes, counts). :func:`propose_mapping` matches the delivered columns to
the codebook by name, by common names for the respondent number and gemeente, and by comparing
variable labels with the literal question wording; it proposes recodes for "weet niet"-like codes
and for answer scales that are numbered differently, and puts columns that identify a person under
``negeren``. :func:`mapping_to_yaml` writes the proposal in the format :func:`ceo.validate.mapping.load_mapping`
reads, with the reason for every line as a comment.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np
import pandas as pd
import yaml

from ceo.core.safetext import printable
from ceo.core.texts import normalise
from ceo.io.readers import RawTable
from ceo.validate.codebook import CODED_TYPES, Codebook, Variable
from ceo.validate.privacy import looks_like_identifier

#: a label must look at least this much like a question to be proposed
THRESHOLD = 0.75
#: answer labels must look at least this much alike to renumber a code
LABEL_THRESHOLD = 0.9

KIND_NAMES = {"sav": "SPSS", "csv": "CSV", "xlsx": "Excel"}

#: common delivered names per codebook variable type (compared without case and punctuation)
ALIASES = {
    "id": ("respnr", "respondentnummer", "respondentnr", "respnummer", "respid", "respondentid",
           "respondent", "id", "volgnummer", "volgnr", "caseid", "recordid"),
    "gemeente": ("gemeente", "gemcode", "gemeentenaam", "gemeentecode", "gemeentenr", "gemeentenummer",
                 "gmcode", "gemnr", "cbscode", "gemeentecodecbs", "cbsgemeentecode", "municipality"),
}

_NON_SUBSTANTIVE = ("weet niet", "weet ik niet", "niet van toepassing", "nvt", "n v t", "geen mening",
                    "geen oordeel", "kan ik niet beoordelen", "weet niet niet van toepassing",
                    "dont know", "don t know")
_MISSING = ("geen antwoord", "niet ingevuld", "onbekend", "missing", "ontbreekt", "weigert",
            "antwoord geweigerd", "no answer", "niet beantwoord", "leeg", "system missing")


@dataclass
class VariableInfo:
    name: str
    label: str | None
    kind: str  # "numeriek" or "tekst"
    n_filled: int
    n_empty: int
    n_distinct: int
    value_labels: dict = field(default_factory=dict)
    user_missing: list = field(default_factory=list)
    #: the first few distinct values (none for columns that identify a person)
    examples: list = field(default_factory=list)
    #: why the column seems to identify a person, if it does
    identifier: str | None = None


@dataclass
class ProposedMapping:
    survey: str
    #: delivered column → codebook variable
    variables: dict[str, str] = field(default_factory=dict)
    #: codebook variable → {delivered code: codebook code (None: empty)}
    codes: dict[str, dict] = field(default_factory=dict)
    ignore: list[str] = field(default_factory=list)
    #: delivered column → why it is proposed (or, for unmatched columns, its label)
    comments: dict[str, str] = field(default_factory=dict)
    #: delivered columns that were not matched
    unmatched: list[str] = field(default_factory=list)
    #: codebook variable → {delivered code: why}
    code_comments: dict[str, dict] = field(default_factory=dict)
    #: codebook variables not found in the file → whether they are required
    not_found: dict[str, bool] = field(default_factory=dict)
    source: str = ""
    title: str = ""


# --------------------------------------------------------------------------- describing

def _filled_mask(col: pd.Series) -> pd.Series:
    mask = col.notna()
    if col.dtype == object or pd.api.types.is_string_dtype(col):
        mask &= col.astype(str).str.strip() != ""
    return mask


def _show(v: object) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, pd.Timestamp):
        return v.isoformat(sep=" ").removesuffix(" 00:00:00")
    text = " ".join(str(v).split())
    return text if len(text) <= 40 else text[:37] + "..."


def describe(raw: RawTable) -> list[VariableInfo]:
    """One :class:`VariableInfo` per column, in file order."""
    out = []
    for col in raw.data.columns:
        s = raw.data[col]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        filled = s[_filled_mask(s)]
        reason = looks_like_identifier(col, s)
        examples: list = []
        if not reason:
            for v in pd.unique(filled):
                examples.append(v.item() if isinstance(v, np.generic) else v)
                if len(examples) == 5:
                    break
        try:
            n_distinct = int(filled.nunique())
        except TypeError:  # unhashable cell values
            n_distinct = len({repr(v) for v in filled})
        out.append(VariableInfo(
            name=str(col), label=raw.variable_labels.get(col), kind="numeriek" if numeric else "tekst",
            n_filled=int(len(filled)), n_empty=int(len(s) - len(filled)), n_distinct=n_distinct,
            value_labels=dict(raw.value_labels.get(col, {})), user_missing=list(raw.user_missing.get(col, [])),
            examples=examples, identifier=reason))
    return out


def _missing_text(items: list) -> str:
    parts = []
    for m in items:
        if isinstance(m, tuple | list) and len(m) == 2:
            parts.append(f"{_show(m[0])} t/m {_show(m[1])}")
        else:
            parts.append(_show(m))
    return ", ".join(parts)


def render_description(raw: RawTable, infos: list[VariableInfo], max_labels: int = 15) -> str:
    """A Dutch plain-text overview of a delivered file."""
    lines = [
        f"Bestand: {raw.path.name} ({KIND_NAMES.get(raw.kind, raw.kind)})",
        f"Rijen (respondenten): {len(raw.data)}",
        f"Variabelen (kolommen): {len(infos)}",
    ]
    if raw.notices:
        lines.append("Bij het inlezen:")
        lines.extend(f"  - {n}" for n in raw.notices)
    for info in infos:
        lines.append("")
        lines.append(info.name + (f" — {' '.join(info.label.split())}" if info.label else ""))
        lines.append(f"  {info.kind}; {info.n_filled} ingevuld, {info.n_empty} leeg, "
                     f"{info.n_distinct} verschillende {'waarde' if info.n_distinct == 1 else 'waarden'}")
        if info.value_labels:
            lines.append("  waardelabels:")
            items = list(info.value_labels.items())
            for code, label in items[:max_labels]:
                lines.append(f"    {_show(code)} = {' '.join(str(label).split())}")
            if len(items) > max_labels:
                lines.append(f"    … en nog {len(items) - max_labels}")
        if info.user_missing:
            lines.append(f"  ontbrekende waarden (SPSS): {_missing_text(info.user_missing)}")
        if info.identifier:
            lines.append(f"  LET OP: lijkt een direct identificerend gegeven ({info.identifier}); "
                         "voorbeelden niet getoond")
        elif info.examples:
            lines.append(f"  voorbeelden: {', '.join(_show(v) for v in info.examples)}")
    # delivered names, labels and values may hold terminal escape sequences: never print them
    return "\n".join(printable(line) for line in lines)


# --------------------------------------------------------------------------- matching

_NUMBERING = re.compile(r"^\s*(?:vraag|stelling|item|v|q)?\s*\d+[a-z]?\s*[.:)\-]\s+", re.IGNORECASE)


def _label_text(label: str) -> str:
    """A variable label without a leading question number ("V1. ", "3) ")."""
    return normalise(_NUMBERING.sub("", str(label)))


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", normalise(text))


def _wordings(var: Variable) -> list[str]:
    if isinstance(var.question, dict):
        return [str(q) for q in var.question.values()]
    return [str(var.question)]


def _short(text: str, n: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n - 1] + "…"


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _pct(score: float) -> str:
    return f"{round(score * 100)} %"


def _candidates(col: str, label: str | None, var: Variable) -> list[tuple[float, str]]:
    """(score, reason) pairs for delivered column ``col`` being codebook variable ``var``."""
    out: list[tuple[float, str]] = []
    text = label if label else (col if len(col.split()) >= 3 else None)
    if text:
        nl = _label_text(text)
        what = "label" if label else "kolomnaam"
        best = 0.0
        for wording in _wordings(var):
            nw = normalise(wording)
            if not nl or not nw:
                continue
            sm = SequenceMatcher(None, nl, nw, autojunk=False)
            r = sm.ratio() if sm.real_quick_ratio() >= THRESHOLD - 0.1 else 0.0
            if len(nw) >= 12 and nw in nl:
                r = max(r, 0.9)
            best = max(best, r)
        if best:
            out.append((best, f"{what} '{_short(text)}' lijkt {_pct(best)} op {var.id}"))
        phrase = var.id.replace("_", " ")
        if (len(var.id) >= 5 and not re.fullmatch(r"[a-z]\d+", var.id)
                and re.search(rf"\b{re.escape(phrase)}\b", nl)):
            out.append((0.85, f"{what} '{_short(text)}' bevat '{phrase}'"))
    name = _compact(col)
    vid = var.id.replace("_", "")
    m1, m2 = re.fullmatch(r"([a-z]+)0*(\d+)", name), re.fullmatch(r"([a-z]+)0*(\d+)", vid)
    if m1 and m2 and m1.groups() == m2.groups():
        out.append((0.8, f"kolomnaam '{col}' lijkt op {var.id}"))
    elif (len(name) >= 3 and name.isalpha() and name != vid and name[0] == vid[0]
          and _is_subsequence(name, vid)):
        out.append((0.76, f"kolomnaam '{col}' lijkt een afkorting van {var.id}"))
    return out


def propose_mapping(raw: RawTable, codebook: Codebook) -> ProposedMapping:
    """Propose which delivered column is which codebook variable, which codes to recode and which
    columns to leave out."""
    columns = [str(c) for c in raw.data.columns]
    proposal = ProposedMapping(survey=codebook.id, source=raw.path.name, title=codebook.short_title)
    assigned: dict[str, str] = {}
    reasons: dict[str, str] = {}
    taken: set[str] = set()

    # columns that identify a person are left out whatever else they look like
    for col in columns:
        reason = looks_like_identifier(col, raw.data[col])
        if reason:
            proposal.ignore.append(col)
            proposal.comments[col] = f"{reason}; zulke gegevens mogen niet worden verwerkt"
    free = [c for c in columns if c not in proposal.ignore]

    # the codebook's own names
    ids = {v.casefold(): v for v in codebook.variables}
    for col in free:
        target = ids.get(col.strip().casefold())
        if target and target not in taken:
            assigned[col], reasons[col] = target, "kolomnaam is al de naam in de vragenlijst"
            taken.add(target)
    # common names for the respondent number and the gemeente
    for col in free:
        if col in assigned:
            continue
        for var in codebook.variables.values():
            if var.id not in taken and _compact(col) in ALIASES.get(var.type, ()):
                assigned[col], reasons[col] = var.id, f"gangbare naam voor {var.id}"
                taken.add(var.id)
                break
    # labels against the question wording, names against ids: best pairs first, one to one
    scored: list[tuple[float, int, int, str, str, str]] = []
    var_order = {v: i for i, v in enumerate(codebook.variables)}
    for ci, col in enumerate(free):
        if col in assigned:
            continue
        for var in codebook.variables.values():
            if var.id in taken:
                continue
            for score, why in _candidates(col, raw.variable_labels.get(col), var):
                if score >= THRESHOLD:
                    scored.append((score, ci, var_order[var.id], col, var.id, why))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    best_of: dict[str, tuple[float, str]] = {}
    for score, _, _, col, var_id, why in scored:
        if col in assigned or var_id in taken:
            continue
        assigned[col], reasons[col] = var_id, why
        best_of[col] = (score, var_id)
        taken.add(var_id)
    for col, (score, var_id) in best_of.items():
        rivals = [(s, v) for s, _, _, c, v, _ in scored if c == col and v != var_id and s >= score - 0.05]
        if rivals:
            s, v = max(rivals, key=lambda t: (t[0], -var_order[t[1]]))
            reasons[col] += f"; let op: lijkt ook op {v} ({_pct(s)})"

    for col in columns:
        if col in assigned:
            proposal.variables[col] = assigned[col]
            proposal.comments[col] = reasons[col]
        elif col not in proposal.ignore:
            proposal.unmatched.append(col)
            label = raw.variable_labels.get(col)
            proposal.comments[col] = f"label '{_short(label)}'" if label else "geen label"

    for var_id in codebook.variables:
        if var_id not in taken:
            proposal.not_found[var_id] = var_id in codebook.required

    by_target = {t: c for c, t in proposal.variables.items()}
    for var_id, var in codebook.variables.items():
        if var_id not in by_target:
            continue
        codes, why = _propose_codes(raw, by_target[var_id], var)
        if codes:
            proposal.codes[var_id] = codes
            proposal.code_comments[var_id] = why
    return proposal


# --------------------------------------------------------------------------- codes

def _label_kind(label: str) -> str | None:
    n = normalise(label)
    if any(n == p or n.startswith(p + " ") or n.endswith(" " + p) for p in _NON_SUBSTANTIVE):
        return "geen_oordeel"
    if any(n == p or n.startswith(p + " ") or n.endswith(" " + p) for p in _MISSING):
        return "ontbrekend"
    return None


def _expand(items: list) -> set[float]:
    out: set[float] = set()
    for m in items:
        if isinstance(m, tuple | list) and len(m) == 2:
            lo, hi = m
            try:
                if hi - lo <= 1000:
                    out.update(float(x) for x in range(math.ceil(lo), math.floor(hi) + 1))
            except TypeError:
                continue
        elif isinstance(m, int | float):
            out.add(float(m))
    return out


def _source_labels(raw: RawTable, col: str) -> dict:
    labels = dict(raw.value_labels.get(col, {}))
    s = raw.data[col]
    if not labels and not pd.api.types.is_numeric_dtype(s):
        values = [v for v in pd.unique(s[_filled_mask(s)]) if isinstance(v, str)]
        if 0 < len(values) <= 30:
            labels = {v: v for v in values}
    return labels


def _propose_codes(raw: RawTable, col: str, var: Variable) -> tuple[dict, dict]:
    if var.type == "gemeente":
        return _gemeente_codes(raw, col)
    if var.type not in (*CODED_TYPES, "cijfer_1_10"):
        return {}, {}
    labels = _source_labels(raw, col)
    if not labels:
        return {}, {}
    recode: dict = {}
    why: dict = {}
    matched: set = set()

    # answers labelled like the codebook's answers but numbered differently
    if var.type in CODED_TYPES:
        targets = {code: normalise(label) for code, label in var.codes.items()}
        pairs = []
        for src, label in labels.items():
            nl = normalise(label)
            for code, tl in targets.items():
                score = 1.0 if nl == tl else SequenceMatcher(None, nl, tl, autojunk=False).ratio()
                if score >= LABEL_THRESHOLD:
                    pairs.append((score, str(src), code, src, label))
        pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
        used_targets: set = set()
        for _, _, code, src, label in pairs:
            if src in matched or code in used_targets:
                continue
            matched.add(src)
            used_targets.add(code)
            if not _same_code(src, code):
                recode[src] = code
                why[src] = f"'{_short(label, 40)}' is in de vragenlijst code {code} ({var.codes[code]})"

    # "weet niet" and "geen antwoord" under another code
    user_missing = _expand(raw.user_missing.get(col, []))
    for src, label in labels.items():
        if src in matched:
            continue
        kind = _label_kind(str(label))
        if kind == "geen_oordeel" and var.non_substantive:
            target = max(var.non_substantive, key=lambda c: SequenceMatcher(
                None, normalise(label), normalise(var.codes.get(c, "")), autojunk=False).ratio())
            if not _same_code(src, target):
                recode[src] = target
                why[src] = (f"'{_short(label, 40)}' is in de vragenlijst code {target} "
                            f"({var.codes.get(target, 'geen oordeel')})")
        elif kind == "ontbrekend":
            if var.missing:
                target = var.missing[0]
                if not _same_code(src, target):
                    recode[src] = target
                    why[src] = f"'{_short(label, 40)}' is in de vragenlijst code {target} ({var.codes[target]})"
                continue
            number = _number(src)
            if (number is not None and number in user_missing and not var.is_valid(number)
                    and number not in var.non_substantive):
                continue  # SPSS user-missing: already left out
            recode[src] = None
            why[src] = f"'{_short(label, 40)}': geen antwoord, wordt leeg"

    # a renumbered code must not land on a code that keeps another meaning
    observed = set(labels)
    if pd.api.types.is_numeric_dtype(raw.data[col]):
        observed |= {float(v) for v in pd.unique(raw.data[col].dropna())[:500]}
    groups: dict = {}
    for src in observed:
        dst = recode.get(src, src)
        if dst is None:
            continue
        key = _number(dst)
        groups.setdefault(dst if key is None else key, []).append(src)
    for sources in groups.values():
        if len(sources) > 1 and any(s in recode for s in sources):
            for s in sources:
                recode.pop(s, None)
                why.pop(s, None)
    return recode, why


def _number(v: object) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float | np.integer | np.floating):
        f = float(v)
        return None if math.isnan(f) else f
    return None


def _same_code(src: object, code: object) -> bool:
    a, b = _number(src), _number(code)
    return a is not None and b is not None and a == b


def _gemeente_codes(raw: RawTable, col: str) -> tuple[dict, dict]:
    """Numeric gemeente codes with gemeente names as value labels: codes that are not the CBS code
    of the labelled gemeente become that CBS code."""
    from ceo.validate.registry import registry

    labels = raw.value_labels.get(col, {})
    if not labels:
        return {}, {}
    reg = registry()
    recode: dict = {}
    why: dict = {}
    for code, label in labels.items():
        by_label = reg.resolve(label)
        if by_label.code is None:
            continue
        by_code = reg.resolve(code)
        if by_code.code != by_label.code:
            recode[code] = by_label.code
            why[code] = f"waardelabel '{_short(label, 40)}' is {by_label.code} ({reg.name(by_label.code)})"
    return recode, why


# --------------------------------------------------------------------------- YAML

def _scalar(v: object) -> str:
    """A YAML scalar that reads back as ``v``."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float | np.integer | np.floating):
        f = float(v)
        return str(int(f)) if f.is_integer() else repr(f)
    text = str(v)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", text):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _lines_with_comments(pairs: list[tuple[str, str]], indent: str) -> list[str]:
    width = min(max((len(k) for k, _ in pairs), default=0), 40)
    out = []
    for k, c in pairs:
        out.append(f"{indent}{k.ljust(width)}  # {_comment(c)}" if c else f"{indent}{k}")
    return out


def mapping_to_yaml(proposed: ProposedMapping) -> str:
    """The proposal as a mapping file (the format :func:`ceo.validate.mapping.load_mapping` reads)."""
    lines = ["# Voorgestelde mapping — controleer voordat u hem gebruikt."]
    if proposed.source:
        lines.append(f"# Gemaakt door 'ceo inspect' uit {_comment(proposed.source)} voor "
                     f"{proposed.title or proposed.survey}.")
    lines += [
        "# Achter elke regel staat waarom ceo dit voorstelt. Verbeter of verwijder wat niet klopt en",
        "# geef het bestand daarna op bij 'ceo process' met --mapping.",
        f"onderzoek: {_scalar(proposed.survey)}",
        "",
        "# kolom in het bestand: variabele in de vragenlijst",
    ]
    if proposed.variables:
        lines.append("variabelen:")
        lines += _lines_with_comments(
            [(f"{_scalar(src)}: {_scalar(dst)}", proposed.comments.get(src, ""))
             for src, dst in proposed.variables.items()], "  ")
    else:
        lines.append("variabelen: {}")
    lines += ["", "# per variabele: code in het bestand: code in de vragenlijst (null = leeg laten)"]
    if any(proposed.codes.values()):
        lines.append("codes:")
        for var_id, recode in proposed.codes.items():
            if not recode:
                continue
            lines.append(f"  {_scalar(var_id)}:")
            why = proposed.code_comments.get(var_id, {})
            items = sorted(recode.items(), key=lambda kv: (_number(kv[0]) is None,
                                                           _number(kv[0]) or 0.0, str(kv[0])))
            lines += _lines_with_comments([(f"{_scalar(k)}: {_scalar(v)}", why.get(k, "")) for k, v in items],
                                          "    ")
    else:
        lines.append("codes: {}")
    lines += ["", "# kolommen die worden weggelaten (ze worden niet gelezen)"]
    if proposed.ignore:
        lines.append("negeren:")
        lines += _lines_with_comments([(f"- {_scalar(c)}", proposed.comments.get(c, ""))
                                       for c in proposed.ignore], "  ")
    else:
        lines.append("negeren: []")
    if proposed.unmatched:
        lines += ["", "# Niet gekoppeld; deze kolommen worden genegeerd. Koppel ze zo nodig zelf onder",
                  "# 'variabelen', of zet ze onder 'negeren':"]
        lines += [f"#   {_comment(c)}: {_comment(proposed.comments.get(c, ''))}" for c in proposed.unmatched]
    if proposed.not_found:
        lines += ["", "# Variabelen van de vragenlijst die niet in het bestand zijn gevonden:"]
        lines += [f"#   {v}{' (verplicht)' if req else ''}" for v, req in proposed.not_found.items()]
    return "\n".join(lines) + "\n"
