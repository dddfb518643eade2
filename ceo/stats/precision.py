"""The precision at which figures leave ceo: one rule per published column, applied once, at publication.

Why: the disclosure model (:mod:`ceo.stats.disclosure`) works with counts. An attacker who also has a
standard error, an interval or a p-value at full precision gets more: for fixed weights per gemeente the
stratified variance of a percentage is a known quadratic in every gemeente cell's (n, positives), so one
region SE can leave a single integer solution for a suppressed cell where the counts leave dozens. Rounded
to the digits a reader needs, those figures carry no more than the counts do (see
``tests/test_sdc_precision.py``, an independent attacker that enumerates the candidates).

The rules (half away from zero, as on the pages; :func:`round_half_away`):

* results table: percentages, their bounds, comparison values and differences to whole percentage points and
  rapportcijfers (means) to 0.1, as the pages show them (a difference is that of the published figures);
  standard errors to 0.1 percentage point (0.01 for a mean); p-values to 0.01; ``df``, ``n_eff``,
  ``deff_gewicht``, ``deff`` and ``se_zonder_fpc`` only for
  gemeenten (``df`` = n − 1 there, ``n_eff`` whole, the design effects to 0.1), never for regions and the total,
  where they summarise strata that hold suppressed cells (``df`` = n − number of gemeenten with respondents).
  With design weights N/n that differ per gemeente a region's percentage at 0.1 pp still pinned a tiny cell in
  the test layout (a knapsack over the integer counts); at whole points none;
* group tests: percentages to whole points, means to 0.1, statistic to 0.01, degrees of freedom to 0.1,
  p-values to 0.01, effect sizes to 0.01;
* weighting table: ``n_eff`` whole, ``deff_gewicht`` to 0.1, smallest and largest weight to 0.1 (a weight
  N_c / n_c at full precision names the number of respondents n_c of a weighting cell);
* response table: percentages to 0.1, the R-indicator to 0.01.

Suppressed rows carry no figure in any column (:func:`ceo.stats.disclosure.publishable`). The full precision
stays in ``uitvoer/`` for the researcher, and every flag (``significant_*``, ``indicatief``) is computed from
it before rounding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: decimals of a percentage (0–100) and of a mean (rapportcijfer), their bounds and differences: as on the pages
PCT_DECIMALS = 0
MEAN_DECIMALS = 1
#: decimals of a standard error: one more than its figure (0.1 percentage point, 0.01 for a mean)
PCT_SE_DECIMALS = 1
MEAN_SE_DECIMALS = 2
P_DECIMALS = 2
DEFF_DECIMALS = 1

#: results-table columns in the unit of the figure (rounded by ``soort``)
VALUE_COLUMNS = ("waarde", "ondergrens", "bovengrens", "waarde_vorige", "verschil_vorige", "waarde_rest_regio",
                 "verschil_regio", "waarde_benchmark", "verschil_benchmark", "ondergrens_rest_regio",
                 "bovengrens_rest_regio")
SE_COLUMNS = ("se", "se_zonder_fpc")
P_COLUMNS = ("p_vorige", "p_regio", "p_benchmark", "p_groepen")
#: published for gemeenten only: there they describe the published cell alone (``df`` = n − 1); for a region or
#: the total they summarise gemeenten that hold suppressed cells (``df`` = n − the gemeenten with respondents;
#: the SE without fpc is a second variance equation next to ``se``)
GEMEENTE_ONLY = (("df", 0), ("n_eff", 0), ("deff_gewicht", DEFF_DECIMALS), ("deff", DEFF_DECIMALS),
                 ("se_zonder_fpc", None))


def round_half_away(values, decimals: int) -> np.ndarray:
    """Round half away from zero (72.45 -> 72.5, as :func:`ceo.core.texts.number` prints it), vectorised; the
    value is read at 15 significant digits first (as :func:`ceo.core.texts.rounded`) so that binary noise
    (72.4499999999) does not decide. NaN stays NaN; -0.0 becomes 0.0."""
    v = np.asarray(values, dtype="float64")
    out = np.full(v.shape, np.nan)
    ok = np.isfinite(v)
    if not ok.any():
        return np.where(np.isinf(v), v, out)
    x = v[ok]
    mag = np.floor(np.log10(np.maximum(np.abs(x), 1e-300)))
    # the 15-significant-digit reading of x (what it prints as), then half away from zero at `decimals`
    snap = 10.0 ** (mag - 14)
    x = np.round(x / snap) * snap
    scale = 10.0 ** decimals
    r = np.sign(x) * np.floor(np.abs(x) * scale + 0.5 + 1e-9) / scale
    out[ok] = r + 0.0
    out[np.isinf(v)] = v[np.isinf(v)]
    return out


def _col(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")


def round_results(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of the results table at published precision (see the module docstring)."""
    out = table.copy()
    mean = (out["soort"] == "gemiddelde").to_numpy() if "soort" in out else np.zeros(len(out), dtype=bool)
    for columns, pct_d, mean_d in ((VALUE_COLUMNS, PCT_DECIMALS, MEAN_DECIMALS),
                                   (SE_COLUMNS, PCT_SE_DECIMALS, MEAN_SE_DECIMALS)):
        for c in columns:
            if c in out:
                v = _col(out, c)
                out[c] = np.where(mean, round_half_away(v, mean_d), round_half_away(v, pct_d))
    # a published difference is that of the published figures (83 − 74 = 9), so that the columns agree
    for which in ("vorige", "regio", "benchmark"):
        d, ref = f"verschil_{which}", f"waarde_{which}" if which != "regio" else "waarde_rest_regio"
        if d in out and ref in out and "waarde" in out:
            both = _col(out, d)
            diff = _col(out, "waarde") - _col(out, ref)
            has = np.isfinite(both) & np.isfinite(diff)
            out[d] = np.where(has, np.where(mean, round_half_away(diff, MEAN_DECIMALS),
                                            round_half_away(diff, PCT_DECIMALS)), both)
    for c in P_COLUMNS:
        if c in out:
            out[c] = round_half_away(_col(out, c), P_DECIMALS)
    if "gebied_niveau" in out:
        other = (out["gebied_niveau"] != "gemeente").to_numpy()
        for c, decimals in GEMEENTE_ONLY:
            if c in out:
                v = _col(out, c).copy() if decimals is None else round_half_away(_col(out, c), decimals)
                v[other] = np.nan
                out[c] = v
    return out


def round_tests(tests: pd.DataFrame) -> pd.DataFrame:
    """The group-tests table at published precision: percentages (chi-square tests) to 0.1 pp, means to 0.01."""
    out = tests.copy()
    if not len(out):
        return out
    pct = out["toets"].astype(str).str.startswith("chi2").to_numpy() if "toets" in out else np.zeros(len(out), bool)
    for c in ("waarde_a", "waarde_b", "verschil"):
        if c in out:
            v = _col(out, c)
            out[c] = np.where(pct, round_half_away(v, PCT_DECIMALS), round_half_away(v, MEAN_DECIMALS))
    for c, decimals in (("statistiek", 2), ("df1", 1), ("df2", 1), ("p", P_DECIMALS), ("effect", 2)):
        if c in out:
            out[c] = round_half_away(_col(out, c), decimals)
    return out


def round_weighting(summary: pd.DataFrame) -> pd.DataFrame:
    """The weighting table per gemeente at published precision."""
    out = summary.copy()
    for c, decimals in (("n_eff", 0), ("deff_gewicht", DEFF_DECIMALS), ("deff", DEFF_DECIMALS),
                        ("w_min", 1), ("w_max", 1)):
        if c in out:
            out[c] = round_half_away(_col(out, c), decimals)
    return out


def round_response(response: pd.DataFrame) -> pd.DataFrame:
    """The response table at published precision."""
    out = response.copy()
    for c, decimals in (("respons_pct", 1), ("pct_populatie", 1), ("pct_respondenten", 1), ("pct_gewogen", 1),
                        ("r_indicator", 2)):
        if c in out:
            out[c] = round_half_away(_col(out, c), decimals)
    return out
