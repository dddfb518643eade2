"""External comparison figures (``--benchmark FILE``), e.g. national percentages.

The file is a CSV (or Excel) table with one row per indicator::

    indicator,waarde,se,n,naam
    v06,81.0,,,Nederland
    rapportcijfer,7.6,0.02,,Nederland

``indicator`` is a codebook indicator id, ``waarde`` the figure on the scale of the results
table (percentages 0–100, rapportcijfer 1–10); ``se`` (same scale) or ``n`` (the benchmark's
sample size, giving SE = sqrt(p(100 − p)/n) for a percentage) are optional — without either the
benchmark is treated as a fixed number. ``naam`` (optional, the same on every row) names it on the
pages; otherwise the file name does. An optional ``onderzoek`` column limits rows to one survey.
For a questionnaire with headline figures per variant (``kop_per``, CEO Jeugd), an optional ``variant``
column (e.g. ``ouders``, ``jeugdigen``; empty: everyone) gives figures per variant, which are compared with
that variant's figures only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ceo.core.problems import InputError, Problem
from ceo.core.texts import join_or, plain_number
from ceo.io.readers import read_table
from ceo.stats.results import Benchmark
from ceo.validate.codebook import Codebook

KNOWN = ("indicator", "waarde", "se", "n", "naam", "onderzoek", "variant")


def read_benchmark(path: Path, cb: Codebook) -> Benchmark:
    """Read and check a benchmark file (CSV in every encoding, delimiter and title-row layout the
    fieldwork reader knows, or Excel/SPSS) with :func:`ceo.io.readers.read_table`, every column as the
    file's text, so that a message shows the value as it was typed."""
    raw = read_table(Path(path), text_columns=True)
    file = Path(path).name
    df = raw.data.rename(columns=lambda c: str(c).strip().lower())
    rows = np.asarray(raw.row_numbers)
    problems: list[Problem] = []
    for col in ("indicator", "waarde"):
        if col not in df:
            problems.append(Problem(f"verplichte kolom '{col}' ontbreekt (nodig: indicator, waarde; "
                                    "optioneel: se of n, naam, onderzoek)", file))
    for col in df.columns:
        if col not in KNOWN:
            problems.append(Problem("onbekende kolom; verwacht indicator, waarde, se, n, naam, onderzoek of "
                                    "variant", file, column=col))
    if problems:
        raise InputError(problems)
    if "onderzoek" in df:
        mine = df["onderzoek"].astype(str).str.strip().str.lower().isin([cb.id, "", "nan"])
        df, rows = df[mine.to_numpy()], rows[mine.to_numpy()]
    ids = {ind.id: ind for ind in cb.indicators}
    variants = list(cb.headline_by.variants.values()) if cb.headline_by is not None else []
    out = []
    seen: dict[tuple[str, str], int] = {}
    for i, (_, r) in enumerate(df.iterrows()):  # a benchmark file has a handful of rows
        row = int(rows[i])
        ind_id = str(r["indicator"]).strip()
        if ind_id not in ids:
            problems.append(Problem(f"onbekende indicator; verwacht een van {', '.join(ids)}", file, row,
                                    "indicator", ind_id))
            continue
        variant = str(r.get("variant", "")).strip() if "variant" in df else ""
        variant = "" if variant.lower() == "nan" else variant
        if variant and variant not in variants:
            problems.append(Problem(f"onbekende variant; verwacht {join_or(variants)} (of leeg voor iedereen)"
                                    if variants else "deze vragenlijst heeft geen cijfers per variant; laat "
                                    "'variant' leeg", file, row, "variant", variant))
            continue
        if (ind_id, variant) in seen:
            problems.append(Problem(f"indicator komt dubbel voor (ook in rij {seen[(ind_id, variant)]})"
                                    + (f" voor {variant}" if variant else ""), file, row, "indicator", ind_id))
            continue
        seen[(ind_id, variant)] = row
        is_pct = ids[ind_id].kind != "gemiddelde"
        value = _number(r.get("waarde"))
        if value is None:
            problems.append(Problem("geen getal", file, row, "waarde", r.get("waarde")))
            continue
        if not np.isfinite(value):
            problems.append(Problem("geen eindig getal", file, row, "waarde", r.get("waarde")))
            continue
        lo, hi = (0.0, 100.0) if is_pct else _scale(cb, ids[ind_id].variable)
        if not lo <= value <= hi:
            problems.append(Problem("een percentage moet tussen 0 en 100 liggen" if is_pct else
                                    f"een gemiddelde moet tussen {_show(lo)} en {_show(hi)} liggen (de schaal van de "
                                    "vraag)", file, row, "waarde", value))
            continue
        se = _number(r.get("se")) if "se" in df else None
        n = _number(r.get("n")) if "n" in df else None
        if se is not None and not (np.isfinite(se) and se <= hi - lo):
            problems.append(Problem("de standaardfout is onmogelijk groot of geen eindig getal", file, row, "se",
                                    r.get("se")))
            continue
        if n is not None and not (np.isfinite(n) and n <= MAX_N):
            problems.append(Problem("n is onmogelijk groot of geen eindig getal", file, row, "n", r.get("n")))
            continue
        if se is not None and n is not None:
            problems.append(Problem("geef een standaardfout (se) óf een steekproefomvang (n), niet allebei",
                                    file, row))
            continue
        if se is not None and se < 0:
            problems.append(Problem("de standaardfout mag niet negatief zijn", file, row, "se", se))
            continue
        if n is not None:
            if n <= 0:
                problems.append(Problem("n moet groter dan 0 zijn", file, row, "n", n))
                continue
            if not is_pct:
                problems.append(Problem("bij een gemiddelde is een standaardfout (se) nodig, geen n",
                                        file, row, "n", n))
                continue
            se = float(np.sqrt(value * (100.0 - value) / n))
        out.append({"indicator": ind_id, "variant": variant, "waarde": value, "se": np.nan if se is None else se})
    if problems:
        raise InputError(problems)
    name = Path(path).stem
    if "naam" in df:
        names = [str(x).strip() for x in df["naam"] if str(x).strip() not in ("", "nan")]
        if names:
            name = names[0]
        # the name is shown on every factsheet and in the open data: no e-mail address, telephone number, ...
        from ceo.validate.privacy import identifiers_in_text

        for i, value in enumerate(df["naam"].tolist()):
            for what, fragment in identifiers_in_text(str(value) if isinstance(value, str) else ""):
                problems.append(Problem(f"de naam bevat {what} ('{fragment}'); de naam komt op elke factsheet en "
                                        "in de open data. Geef alleen de naam van de vergelijking, bijv. Nederland",
                                        file, int(rows[i]), "naam", value))
                break
    else:  # the file name names the comparison on the site
        from ceo.validate.privacy import identifiers_in_text

        for what, fragment in identifiers_in_text(name):
            raise InputError(Problem(f"de bestandsnaam bevat {what} ('{fragment}'); zonder kolom 'naam' komt de "
                                     "bestandsnaam als naam van de vergelijking op de site. Geef een kolom 'naam' "
                                     "of hernoem het bestand", file))
    if problems:
        raise InputError(problems)
    return Benchmark(name=name, table=pd.DataFrame(out, columns=["indicator", "variant", "waarde", "se"]))


#: a benchmark's sample size above this is a mistake (more than the Netherlands has inhabitants)
MAX_N = 20_000_000


def _scale(cb: Codebook, variable: str) -> tuple[float, float]:
    """The range of a mean: the codebook's minimum and maximum of the variable (the valid codes when it
    has none); unbounded when the codebook says nothing."""
    var = cb.variables.get(variable)
    if var is None:
        return -np.inf, np.inf
    lo = var.minimum if var.minimum is not None else None
    hi = var.maximum if var.maximum is not None else None
    codes = [float(c) for c in var.substantive_codes] if lo is None or hi is None else []
    if lo is None:
        lo = min(codes) if codes else -np.inf
    if hi is None:
        hi = max(codes) if codes else np.inf
    return float(lo), float(hi)


_show = plain_number


def _number(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return None if np.isnan(value) else float(value)
    text = str(value).strip().replace(",", ".")
    if not text or text.lower() == "nan":
        return None
    try:
        return float(text)
    except ValueError:
        return None
