"""Validate delivered tables against a codebook and turn them into one harmonised DataFrame.

Every problem in every file is collected (file, row, column, value, what was expected) and raised
together as one :class:`~ceo.core.problems.InputError`; nothing is written when there is any problem.

The harmonised frame has one row per respondent and the columns ``respondent_id`` (str),
``gemeentecode`` (CBS code), every codebook variable present (float codes; NaN = no answer;
non-substantive codes such as 8 "weet niet" keep their code so they can be counted), open answers
as str, the derived variables (e.g. ``leeftijdsklasse``), and ``_bron``/``_rij`` (file name and
row number as the user sees them) for messages and logs. ``_bron``/``_rij`` and open answers are
never published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ceo.core.problems import InputError, Problem
from ceo.io.readers import RawTable
from ceo.validate.codebook import CODED_TYPES, Codebook, Variable
from ceo.validate.mapping import Mapping, apply_mapping
from ceo.validate.privacy import (
    MAX_VALUE_PROBLEMS,
    VALUE_ADVICE,
    identifiers_in_values,
    looks_like_identifier,
    redact_values,
)
from ceo.validate.registry import registry


@dataclass
class Harmonised:
    data: pd.DataFrame
    notices: list[str] = field(default_factory=list)
    #: per file: how many respondents were read
    files: dict[str, int] = field(default_factory=dict)


def harmonise(tables: list[RawTable], codebook: Codebook, mapping: Mapping | None = None,
              extra_columns: tuple[str, ...] = (), allowed: frozenset[str] = frozenset()) -> Harmonised:
    """Check and combine the delivered tables of one survey and edition.

    ``extra_columns`` are delivered columns to keep as they are (e.g. a weight column named
    with ``--weight-column``); they must be numeric. An e-mail address, telephone number, BSN, IBAN or
    postcode in an open answer is replaced by ``[e-mail]``, ``[telefoon]``, ... (a notice counts them), so
    that everything ceo writes holds the redacted text; with ``identificatie: weigeren`` in the mapping file
    such an answer refuses the run. ``allowed``: an organisation's public numbers and addresses
    (``openbare_contactgegevens`` in ceo.yaml), which are kept.
    """
    problems: list[Problem] = []
    notices: list[str] = []
    frames = []
    files: dict[str, int] = {}
    id_columns: dict[str, str] = {}
    for raw in tables:
        mapped = apply_mapping(raw, mapping)
        frame = _check_table(mapped, codebook, mapping, extra_columns, problems, notices, allowed)
        id_columns[raw.path.name] = mapped.source_columns.get("respondent_id", "respondent_id")
        if frame is not None:
            frames.append(frame)
            files[raw.path.name] = len(frame)
    if frames:
        data = pd.concat(frames, ignore_index=True)
        _check_duplicates(data, problems, id_columns)
    else:
        data = pd.DataFrame()
    if problems:
        raise InputError(problems)
    data = _derive(data, codebook)
    return Harmonised(data=data, notices=notices, files=files)


def _check_table(raw: RawTable, cb: Codebook, mapping: Mapping | None,
                 extra_columns: tuple[str, ...], problems: list[Problem],
                 notices: list[str], allowed: frozenset[str] = frozenset()) -> pd.DataFrame | None:
    file = raw.path.name
    df = raw.data
    rows = np.asarray(raw.row_numbers)
    ignored = set(mapping.ignore) if mapping is not None else set()
    out = pd.DataFrame({"_bron": file, "_rij": rows}, index=df.index)
    n_before = len(problems)

    def shown(var_id: str) -> str:
        """The name of the column in the delivered file (before the mapping renamed it)."""
        return raw.source_columns.get(var_id, var_id)

    for col in df.columns:
        if col in cb.variables or col in extra_columns:
            continue
        if col in ignored:
            continue
        reason = looks_like_identifier(col, df[col])
        if reason:
            problems.append(Problem(
                f"deze kolom lijkt een direct identificerend gegeven ({reason}); zulke gegevens "
                "mogen niet worden verwerkt. Verwijder de kolom of zet hem onder 'negeren' in "
                "het mappingbestand", file, column=col))
        else:
            notices.append(f"{file}: kolom '{col}' is geen variabele van {cb.short_title} en "
                           "wordt genegeerd")

    for var_id in cb.required:
        if var_id not in df.columns:
            problems.append(Problem(
                f"verplichte kolom '{var_id}' ({cb.variables[var_id].wording()}) ontbreekt"
                + ("; gebruik een mappingbestand (--mapping) als de kolom anders heet"
                   if mapping is None else ""), file))
    for col in extra_columns:
        if col not in df.columns:
            problems.append(Problem(f"kolom '{col}' ontbreekt", file))
        else:
            values = pd.to_numeric(df[col], errors="coerce")
            bad = values.isna() & df[col].notna()
            _report_rows(problems, file, rows, col, df[col], bad, "geen getal")
            out[col] = values

    for var_id, var in cb.variables.items():
        if var_id not in df.columns:
            continue
        col = df[var_id]
        if var_id in cb.required and col.isna().all() and len(col):
            problems.append(Problem("de kolom is helemaal leeg; elke respondent hoort deze verplichte vraag te "
                                    "hebben (is de kolom wel meegekomen bij het exporteren?)", file,
                                    column=shown(var_id)))
            continue
        if var.type == "id":
            out[var_id] = _ids(col)
            empty = out[var_id].isna()
            _report_rows(problems, file, rows, shown(var_id), col, empty,
                         "respondentnummer ontbreekt")
            _identifiers(out[var_id], "id", file, rows, shown(var_id), problems)
        elif var.type == "gemeente":
            out[var_id] = _gemeenten(col, file, rows, problems, shown(var_id), raw.value_labels.get(var_id))
        elif var.type == "open":
            out[var_id] = col.astype("object").where(col.notna(), None)
            if mapping is not None and mapping.identifiers == "weigeren":
                _identifiers(out[var_id], "open", file, rows, shown(var_id), problems, allowed)
            else:
                out[var_id], counts = redact_values(out[var_id], allowed)
                if counts:
                    total = sum(counts.values())
                    notices.append(f"{file}: kolom '{shown(var_id)}': {total} direct identificerende "
                                   f"{'gegeven' if total == 1 else 'gegevens'} in open antwoorden vervangen ("
                                   + ", ".join(f"{k} {n}×" for k, n in sorted(counts.items()))
                                   + "); alle uitvoer bevat de vervangen tekst, het geleverde bestand is niet "
                                   "veranderd")
        else:
            out[var_id] = _codes(col, var, raw.user_missing.get(var_id, []), file, rows, problems, shown(var_id))
    if len(df) == 0:
        problems.append(Problem("het bestand bevat geen respondenten", file))
    if len(problems) > n_before:
        return None
    return out


def _report_rows(problems: list[Problem], file: str, rows: np.ndarray, column: str,
                 values: pd.Series, mask: pd.Series, message: str | Callable[[int], str]) -> None:
    """A problem for every row in ``mask``; ``message`` may depend on the (positional) row index."""
    idx = np.flatnonzero(np.asarray(mask))
    vals = values.to_numpy()
    for i in idx:
        v = vals[i]
        problems.append(Problem(message if isinstance(message, str) else message(int(i)), file, int(rows[i]),
                                column, None if _is_missing(v) else v))


def _identifiers(values: pd.Series, kind: str, file: str, rows: np.ndarray, column: str,
                 problems: list[Problem], allowed: frozenset[str] = frozenset()) -> None:
    """Problems for values of an exported text column that identify a person (see
    :func:`ceo.validate.privacy.identifiers_in_values`)."""
    found, column_reason = identifiers_in_values(values, kind, allowed)
    if column_reason:
        problems.append(Problem(f"{column_reason}; {VALUE_ADVICE.split('. ')[0]}", file, column=column))
    for i, what, fragment in found[:MAX_VALUE_PROBLEMS]:
        problems.append(Problem(f"de waarde bevat {what}; {VALUE_ADVICE}", file, int(rows[i]), column, fragment))
    if len(found) > MAX_VALUE_PROBLEMS:
        problems.append(Problem(f"en nog {len(found) - MAX_VALUE_PROBLEMS} waarden met direct identificerende "
                                "gegevens", file, column=column))


def _is_missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def _ids(col: pd.Series) -> pd.Series:
    def as_text(v: object) -> object:
        if _is_missing(v):
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = str(v).strip()
        return text or None
    return col.map(as_text).astype("object")


def _gemeenten(col: pd.Series, file: str, rows: np.ndarray,
               problems: list[Problem], column: str, labels: dict | None = None) -> pd.Series:
    """CBS codes for the delivered values: codes, numbers or names. In an SPSS file whose gemeente
    variable has value labels (1 = 'Dordrecht', ...), the label names the gemeente."""
    reg = registry()
    # resolve each distinct value once: a national file has few distinct values
    uniques = pd.unique(col.dropna())
    resolved = {v: _resolve_labelled(reg, v, labels) for v in uniques}
    codes = col.map(lambda v: None if _is_missing(v) else resolved[v].code).astype("object")
    vals = col.to_numpy()
    for i in np.flatnonzero(codes.isna().to_numpy()):
        v = vals[i]
        if _is_missing(v):
            problems.append(Problem("gemeente ontbreekt", file, int(rows[i]), column))
        else:
            message = resolved[v].problem
            lost = next((ch for ch in ("\ufffd", "?") if isinstance(v, str) and ch in v), None)
            if lost:  # a letter with an accent lost when the file was saved in another encoding
                message += (f"; de naam bevat '{lost}' in plaats van een letter: het bestand is opgeslagen in een "
                            "tekencodering zonder letters met accenten, sla het op als UTF-8")
            problems.append(Problem(message, file, int(rows[i]), column, v))
    return codes


def _resolve_labelled(reg, value, labels: dict | None):
    """Resolve ``value``; when it has a value label that names a gemeente, the label decides (agencies
    often number the gemeenten of a project 1, 2, 3 and label them)."""
    label = None
    if labels:
        label = labels.get(value)
        if label is None and isinstance(value, float) and value.is_integer():
            label = labels.get(int(value))
    if label is not None and str(label).strip():
        by_label = reg.resolve(str(label).strip())
        if by_label.code is not None:
            return by_label
    return reg.resolve(value)


def _codes(col: pd.Series, var: Variable, user_missing: list, file: str, rows: np.ndarray,
           problems: list[Problem], column: str) -> pd.Series:
    """Numeric answers: user-missing and codebook-missing codes → NaN; invalid codes reported."""
    text = col.astype("object")
    values = pd.to_numeric(col, errors="coerce").astype("float64")
    not_numeric = values.isna() & text.notna() & (text.astype(str).str.strip() != "")
    _report_rows(problems, file, rows, column, text, not_numeric,
                 f"geen getal; {var.expected()}")
    # SPSS user-missing codes are missing unless the codebook counts them (e.g. 8 = weet niet)
    um = [m for m in _expand_missing(user_missing) if m not in var.non_substantive]
    if um:
        values = values.mask(values.isin(um))
    if var.missing:
        values = values.mask(values.isin(list(var.missing)))
    present = values.notna()
    if var.type in CODED_TYPES:
        valid = values.isin(list(var.codes))
    elif var.type == "cijfer_1_10":
        whole = (values % 1 == 0)
        valid = values.isin(list(var.codes)) | (
            whole & (values >= var.minimum) & (values <= var.maximum))
    elif var.type == "numeriek":
        valid = pd.Series(True, index=values.index)
        if var.minimum is not None:
            valid &= values >= var.minimum
        if var.maximum is not None:
            valid &= values <= var.maximum
    else:
        valid = pd.Series(True, index=values.index)
    bad = present & ~valid
    message = var.expected()
    if var.id in ("leeftijd", "leeftijd_kind") or (var.type == "numeriek" and var.unit == "jaar"):
        year = ((values >= 1900) & (values <= 2100) & (values % 1 == 0)).to_numpy()

        def age(i: int) -> str:
            return "onmogelijke leeftijd" + (" (is dit een geboortejaar?)" if year[i] else "") + "; " + message
        _report_rows(problems, file, rows, column, col, bad, age)
    else:
        _report_rows(problems, file, rows, column, col, bad, "ongeldige antwoordcode; " + message)
    return values


def _expand_missing(user_missing: list) -> list[float]:
    out: list[float] = []
    for m in user_missing:
        if isinstance(m, tuple | list) and len(m) == 2:
            lo, hi = m
            if lo == hi:
                out.append(float(lo))
            else:
                out.extend(float(x) for x in range(int(np.ceil(lo)), int(np.floor(hi)) + 1))
        else:
            try:
                out.append(float(m))
            except (TypeError, ValueError):
                continue
    return out


def _check_duplicates(data: pd.DataFrame, problems: list[Problem], id_columns: dict[str, str]) -> None:
    if "respondent_id" not in data:
        return
    ids = data["respondent_id"]
    dup = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
    if not dup.any():
        return
    # (itertuples would rename the columns _bron and _rij: they start with an underscore)
    id_values = ids.to_numpy(dtype=object)
    sources = data["_bron"].to_numpy(dtype=object)
    rows = data["_rij"].to_numpy()
    first_at: dict[object, tuple[str, int]] = {}
    for i in np.flatnonzero(dup):
        key = id_values[i]
        if key not in first_at:
            first_at[key] = (sources[i], int(rows[i]))
            continue
        src, row = first_at[key]
        where = f"rij {row}" if src == sources[i] else f"{src}, rij {row}"
        problems.append(Problem(f"respondentnummer komt dubbel voor (ook in {where})",
                                sources[i], int(rows[i]), id_columns.get(sources[i], "respondent_id"), key))


def _derive(data: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    for d in cb.derived.values():
        if d.source not in data:
            continue
        src = data[d.source]
        out = pd.Series(np.nan, index=data.index)
        for c in d.classes:
            mask = src.notna()
            if c.lower is not None:
                mask &= src >= c.lower
            if c.upper is not None:
                mask &= src < c.upper
            out[mask] = c.code
        data[d.id] = out
    return data
