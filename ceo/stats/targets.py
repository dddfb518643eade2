"""From codebook indicators to the 0/1 or numeric analysis columns the estimators need.

Each :class:`Target` is one published figure's variable: NaN marks a respondent outside the
domain of that figure (no answer, or a non-substantive answer such as "weet niet"), so that
domain estimation keeps those respondents in the design with zero contribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ceo.validate.codebook import Codebook


@dataclass(frozen=True)
class Target:
    """One estimated quantity: a headline indicator or one category of a distribution."""

    column: str          # name of the analysis column
    indicator: str       # codebook indicator id (headline) or variable id (distribution)
    variable: str        # codebook variable the answers come from
    kind: str            # "proportion" (0/1) or "mean"
    category: str = ""   # answer label for rows of the distribution; "" for the headline
    code: float | None = None


def headline_targets(cb: Codebook) -> list[Target]:
    out = []
    for ind in cb.indicators:
        kind = "mean" if ind.kind == "gemiddelde" else "proportion"
        out.append(Target(f"y__{ind.id}", ind.id, ind.variable, kind))
    return out


def distribution_targets(cb: Codebook) -> list[Target]:
    """One proportion per substantive answer code of every indicator's variable (once each)."""
    out = []
    seen = set()
    for ind in cb.indicators:
        var = cb.variables[ind.variable]
        if var.id in seen:
            continue
        seen.add(var.id)
        if var.type == "cijfer_1_10":
            codes = {c: str(c) for c in range(int(var.minimum), int(var.maximum) + 1)}
        else:
            codes = {c: var.codes[c] for c in var.substantive_codes}
        for code, label in codes.items():
            out.append(Target(f"d__{var.id}__{code}", ind.id, var.id, "proportion", label,
                              float(code)))
    return out


def analysis_columns(data: pd.DataFrame, cb: Codebook, targets: list[Target]) -> pd.DataFrame:
    """The analysis columns for ``targets`` (float; NaN = outside the figure's domain)."""
    cols: dict[str, np.ndarray] = {}
    for t in targets:
        var = cb.variables[t.variable]
        raw = data[t.variable].to_numpy(dtype="float64") if t.variable in data else np.full(
            len(data), np.nan)
        substantive = _substantive(raw, var)
        if t.category:
            y = (raw == t.code).astype("float64")
        else:
            ind = cb.indicator(t.indicator)
            if ind.kind == "percentage_positief":
                y = np.isin(raw, var.positive).astype("float64")
            elif ind.kind == "percentage_codes":
                y = np.isin(raw, ind.codes).astype("float64")
            else:
                y = raw.copy()
        y[~substantive] = np.nan
        # 0/1 indicators are exact in float32 (half the memory of a national file); the estimation
        # reads every column back as float64, so the results are the same
        cols[t.column] = y.astype("float32") if t.category or _indicator_kind(cb, t) != "gemiddelde" else y
    return pd.DataFrame(cols, index=data.index)


def _indicator_kind(cb: Codebook, t: Target) -> str:
    """The kind of the indicator of a (headline) target."""
    return cb.indicator(t.indicator).kind


def non_substantive_counts(data: pd.DataFrame, cb: Codebook, variables: list[str]) -> pd.DataFrame:
    """Per variable, 1.0 where the answer is non-substantive (weet niet / n.v.t.), else 0."""
    cols = {}
    for v in variables:
        var = cb.variables[v]
        raw = data[v].to_numpy(dtype="float64") if v in data else np.full(len(data), np.nan)
        cols[f"g__{v}"] = np.isin(raw, var.non_substantive).astype("float64")
    return pd.DataFrame(cols, index=data.index)


def _substantive(raw: np.ndarray, var) -> np.ndarray:
    present = ~np.isnan(raw)
    if var.non_substantive:
        present &= ~np.isin(raw, var.non_substantive)
    if var.missing:
        present &= ~np.isin(raw, var.missing)
    return present
