r"""Sample planning and stratified sample drawing (``ceo steekproef``), pure and vectorised.

Sample size per gemeente ``h`` with ``N_h`` clients (the definitions in the README):

* ``z = Φ⁻¹(1 − α/2)`` for the confidence level ``1 − α``;
* ``n₀ = z² · p(1 − p) · deff / e²``, with ``e`` the margin as a fraction (5 → 0.05);
* ``netto = ⌈n₀ / (1 + (n₀ − 1)/N)⌉`` (finite population correction), at most ``N``;
* ``bruto = min(N, ⌈netto / verwachte_respons⌉)``; ``integraal`` when ``bruto = N``;
* ``marge_verwacht``: the margin (percentage points) that ``n = bruto · verwachte_respons`` respondents
  give with the same correction, ``100 · z · √(p(1 − p) · deff · (N − n) / (n · (N − 1)))``
  (the inverse of the ``netto`` formula: ``n₀ = n (N − 1) / (N − n)``).

Allocation and drawing: :func:`allocate` spreads ``bruto`` over the strata of a gemeente in proportion
to their size (largest remainders, so every stratum gets its exact quota rounded up or down and the
strata add up to ``bruto``); :func:`draw` takes a simple random sample of that many rows in every stratum
by giving every row a uniform random key from one :class:`numpy.random.Generator` and keeping the
smallest keys per stratum (the same seed and file give the same sample).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["allocate", "draw", "expected_margin", "n0", "plan", "z_value"]

#: tolerance for ⌈x⌉ of a computed x that is a whole number up to rounding error
_EPS = 1e-9


def z_value(confidence: float) -> float:
    """``Φ⁻¹(1 − α/2)`` for the confidence level ``1 − α`` (0.95 → 1.95996…)."""
    return float(norm.ppf(1 - (1 - confidence) / 2))


def n0(margin: float, confidence: float = 0.95, p: float = 0.5, deff: float = 1.0) -> float:
    """Respondents needed in an infinite population for a margin of ``margin`` percentage points."""
    e = margin / 100
    return z_value(confidence) ** 2 * p * (1 - p) * deff / e ** 2


def _ceil(x: np.ndarray) -> np.ndarray:
    return np.ceil(np.asarray(x, dtype=float) - _EPS)


def expected_margin(n: np.ndarray, big_n: np.ndarray, confidence: float = 0.95, p: float = 0.5,
                    deff: float = 1.0) -> np.ndarray:
    """The margin in percentage points of ``n`` respondents from ``N`` clients (finite population
    correction); 0 when everyone responds, NaN without respondents."""
    n = np.asarray(n, dtype=float)
    big_n = np.asarray(big_n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        fpc = np.where(big_n > 1, (big_n - n) / (big_n - 1), 0.0)
        e = z_value(confidence) * np.sqrt(p * (1 - p) * deff * np.clip(fpc, 0, None) / n)
    return np.where(n > 0, 100 * e, np.nan)


def plan(big_n: np.ndarray, response: np.ndarray, *, margin: float = 5.0, confidence: float = 0.95,
         p: float = 0.5, deff: float = 1.0) -> pd.DataFrame:
    """Per gemeente (in the order given): ``N, netto, bruto, integraal, verwachte_respons, marge_verwacht``.

    ``response`` is the expected response rate per gemeente (a fraction > 0)."""
    big_n = np.asarray(big_n, dtype=float)
    response = np.asarray(response, dtype=float)
    base = n0(margin, confidence, p, deff)
    with np.errstate(divide="ignore", invalid="ignore"):
        netto = np.minimum(_ceil(base / (1 + (base - 1) / big_n)), big_n)
        netto = np.where(big_n > 0, netto, 0)
        bruto = np.minimum(big_n, _ceil(netto / response))
    expected_n = bruto * response
    return pd.DataFrame({
        "N": big_n.astype(np.int64),
        "netto": netto.astype(np.int64),
        "bruto": bruto.astype(np.int64),
        "integraal": np.where((bruto == big_n) & (big_n > 0), "ja", "nee"),
        "verwachte_respons": response,
        "marge_verwacht": expected_margin(expected_n, big_n, confidence, p, deff),
    })


def allocate(strata_sizes: pd.Series, totals: pd.Series) -> pd.Series:
    """Proportional allocation of ``totals`` (per gemeente, index: gemeente) over the strata of each
    gemeente (``strata_sizes``: a Series whose first index level is the gemeente).

    Each stratum gets ``⌊q⌋`` or ``⌈q⌉`` of its quota ``q = bruto · N_s / N_h`` (largest remainders, ties
    in stratum order), so the strata add up to the gemeente's total and never exceed their size."""
    gem = strata_sizes.index.get_level_values(0)
    size = strata_sizes.to_numpy(dtype=float)
    gem_n = strata_sizes.groupby(level=0, sort=False).transform("sum").to_numpy(dtype=float)
    want = totals.reindex(gem).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        quota = np.where(gem_n > 0, want * size / gem_n, 0.0)
    base = np.floor(quota + _EPS)
    remainder = np.where(base > quota, 0.0, quota - base)
    short = (pd.Series(want, index=strata_sizes.index).groupby(level=0, sort=False).transform("first")
             - pd.Series(base, index=strata_sizes.index).groupby(level=0, sort=False).transform("sum"))
    # rank the remainders within the gemeente (largest first; ties: stratum order)
    order = pd.DataFrame({"g": pd.factorize(gem)[0], "r": -remainder, "i": np.arange(len(size))})
    rank = order.sort_values(["g", "r", "i"], kind="stable").groupby("g").cumcount()
    rank = rank.sort_index().to_numpy()
    extra = (rank < np.round(short.to_numpy())).astype(float)
    return pd.Series((base + extra).astype(np.int64), index=strata_sizes.index, name="steekproef")


def draw(stratum: np.ndarray, take: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A mask of the rows drawn: per stratum (``stratum``: integer code per row, 0..k-1) a simple random
    sample without replacement of ``take[code]`` rows (all rows when ``take`` is at least the size)."""
    stratum = np.asarray(stratum, dtype=np.int64)
    keys = rng.random(len(stratum))
    order = np.lexsort((keys, stratum))
    sorted_strata = stratum[order]
    starts = np.searchsorted(sorted_strata, sorted_strata, side="left")
    position = np.arange(len(order)) - starts
    chosen = np.zeros(len(stratum), dtype=bool)
    chosen[order] = position < np.asarray(take, dtype=np.int64)[sorted_strata]
    return chosen
