r"""Design-based estimation for CEO surveys, vectorised, equal to the R package ``survey``.

Design
------
Stratified sample without clusters: the strata are the gemeenten (``stratum`` column, codes such
as ``"GM0505"``), every respondent is its own PSU, ``weight`` is the survey weight and
``population`` holds the population size :math:`N_h` of the stratum on every row (NaN when
unknown). The R equivalent is::

    options(survey.lonely.psu = "adjust")
    des <- svydesign(ids = ~1, strata = ~gemeentecode, weights = ~w, fpc = ~N, data = d)

where a stratum with unknown :math:`N_h` gets ``N = Inf`` (``survey`` then uses no finite
population correction for that stratum) and a design without any population sizes has no
``fpc`` argument at all.

Domains and areas
-----------------
An *area* is a set of strata (a gemeente is an area of one stratum, a region or the whole
country pools several). A *domain* within an area is "subgroup value == g and a substantive
answer" (``y`` not NaN; "weet niet" and missing answers are NaN). Estimates are those of::

    dom <- subset(des, gemeentecode %in% area_strata & !is.na(y))
    svyby(~y, ~g, dom, svymean)          # estimate and SE
    svyciprop(~y, subset(dom, g == level), method = "logit")   # or "beta"

``subset()`` in ``survey`` keeps the stratum sample sizes of the full design, so rows outside the
domain count as zeros: this is proper *domain estimation* and the SE is not the SE of a naive
analysis of the subset.

Estimator and variance (Taylor linearisation)
---------------------------------------------
With :math:`d_i` the domain indicator, :math:`\hat W_d = \sum w_i d_i` and
:math:`\hat r = \sum w_i d_i y_i / \hat W_d` (a proportion when ``y`` is 0/1, a mean otherwise),
the linearised values are :math:`u_i = w_i d_i (y_i - \hat r) / \hat W_d` and

.. math::

    \widehat{Var}(\hat r) = \sum_h c_h \Big[\sum_{i \in h} u_i^2 - \kappa_h
        \big(\sum_{i\in h} u_i\big)^2 / n_h \Big],
    \qquad c_h = f_h \frac{n_h}{n_h - 1}, \quad f_h = 1 - n_h / N_h,

where :math:`n_h` counts *all* respondents of stratum :math:`h` in the sample (not only those in
the domain), :math:`f_h = 1` when :math:`N_h` is unknown and :math:`f_h = 0` when
:math:`f_h < 10^{-7}` (a census stratum contributes no variance, as in R's ``onestrat``).
Computation: per (stratum, subgroup, variable) one sparse group-by gives the domain count,
:math:`S_{1h} = \sum w d`, :math:`S_{yh} = \sum w d y` and the stratum-domain mean
:math:`m_h = S_{yh}/S_{1h}`; a second group-by gives :math:`S_{2h} = \sum w^2 d`,
:math:`P_h = \sum w^2 d (y - m_h)` and :math:`Q_h = \sum w^2 d (y - m_h)^2` (all variables at
once). For an area with estimate :math:`\hat r` and :math:`\delta_h = m_h - \hat r`, since
:math:`\sum_{i\in h} u_i = S_{1h}\delta_h/\hat W_d`,

.. math::

    \hat W_d^2\,\widehat{Var}(\hat r) = \sum_{h \in \text{area}} c_h Q_h + 2 c_h P_h \delta_h
        + (c_h S_{2h} - k_h S_{1h}^2)\,\delta_h^2, \qquad k_h = \kappa_h c_h / n_h .

The areas are rows of a sparse area x stratum membership matrix: the linear sums are one
matrix product, the variance one term per (area, stratum) membership summed per area. No
Python loop over gemeenten, areas, subgroups or cells, and no term is a difference of large
numbers, so a zero variance (everybody answers the same) comes out as (almost) exactly 0
instead of :math:`\sqrt{\text{rounding error}} \approx 10^{-8}`.

Lonely PSU
----------
A stratum with a single respondent (:math:`n_h = 1`) follows ``survey.lonely.psu = "adjust"``:
R does not centre that stratum at its own mean (which would give zero) but at the grand mean,
and uses :math:`c_h = f_h` (with :math:`f_h = 1 - 1/N_h`, or 1 when :math:`N_h` is unknown).
The linearised values of a mean sum to zero over the design, so the grand mean is 0 and the
contribution is :math:`f_h u_i^2` (:math:`\kappa_h = 0`; :math:`\kappa_h = 1` otherwise).
A domain with a single respondent in a stratum that has more respondents is *not* lonely:
the stratum is centred over its :math:`n_h` rows, zeros included (R's default
``survey.adjust.domain.lonely = FALSE``).

Degrees of freedom
------------------
``df`` is R's ``degf()`` of the domain design: the number of respondents in the domain minus
the number of strata with at least one respondent in the domain (``subset()`` drops the other
rows, and every respondent is a PSU). For a gemeente this is :math:`n - 1`. (Calling
``svyciprop(..., na.rm = TRUE)`` on a design that still contains the "weet niet" rows gives the
same estimate and SE but a ``degf`` that also counts those rows; we use the domain.)

Effective sample size
---------------------
``n_eff`` is Kish's :math:`(\sum w)^2 / \sum w^2` within the domain and ``deff = n / n_eff``
(design effect of the weights only). ``n_eff_fpc`` is
:math:`(\sum w)^2 / \sum_h f_h \sum_{i \in h} w_i^2`: the Kish size with the finite population
correction (infinite when every stratum of the domain is a census). It is only used as the
effective sample size of the fallback intervals below.

Confidence intervals
--------------------
Level :math:`1-\alpha` (default 0.95); ``t`` quantiles with ``df``, ``z`` normal quantiles.

* ``logit`` (default for proportions) = ``svyciprop(method = "logit")``: R fits
  ``svyglm(y ~ 1, family = quasibinomial)`` and takes a Wald interval on the logit scale with
  ``ddf = degf(design)``; its SE is exactly :math:`se / (\hat p (1-\hat p))`, so the interval
  is :math:`\operatorname{expit}(\operatorname{logit}\hat p \pm t_{df,1-\alpha/2}\,
  se/(\hat p(1-\hat p)))` (R's iterative fit agrees to about 1e-9).
* ``beta`` = ``svyciprop(method = "beta")`` (Korn & Graubard 1998): effective size
  :math:`n^* = \hat p(1-\hat p)/se^2 \cdot (t_{n-1,\alpha/2} / t_{df,\alpha/2})^2` and
  Clopper-Pearson bounds :math:`B^{-1}(\alpha/2; n^*\hat p, n^*(1-\hat p)+1)` and
  :math:`B^{-1}(1-\alpha/2; n^*\hat p+1, n^*(1-\hat p))`.
* ``wilson``: Wilson score interval with :math:`z_{1-\alpha/2}` on the effective sample size
  :math:`n^* = \hat p(1-\hat p)/se^2` (no R equivalent). For a simple random sample without
  fpc :math:`se^2 = \hat p(1-\hat p)/(n-1)`, so :math:`n^* = n - 1`; with fpc and
  :math:`N = n^2`, :math:`n^* = n` and the interval is the textbook Wilson interval.
* means: ``normal`` = ``confint(svymean(...))`` (R uses the normal quantile there), or ``t``
  with ``df``.

Corner cases (R 4.x, ``survey`` 4.1.1, and what this module does):

* :math:`\hat p = 0` or 1 (e.g. everybody in a gemeente answers positively): :math:`se = 0`.
  R's ``logit`` returns a degenerate interval of width ~1e-12 that does not even contain 1
  (``[0.99999999999, 0.99999999999]``) and ``beta`` returns NaN (0/0). Here all proportion
  methods fall back to the Korn-Graubard/Clopper-Pearson bound with effective size
  ``n_eff_fpc`` (df-adjusted as in ``beta``), e.g. for :math:`\hat p = 1` in a gemeente the
  interval is :math:`[(\alpha/2)^{1/n^*}, 1]`; ``wilson`` uses the Wilson interval on
  ``n_eff_fpc``. The interval is therefore never degenerate unless the domain is a census.
* :math:`se = 0` with :math:`0 < \hat p < 1`: the design has no sampling variance for this
  domain (in practice: its strata are censuses, :math:`n_h = N_h`). The interval is
  :math:`[\hat p, \hat p]` for every method (R: ``logit`` gives the same, ``beta`` returns the
  nonsense ``[0.5, 0.5]``). A census domain with :math:`\hat p \in \{0, 1\}` also gets
  :math:`[\hat p, \hat p]` (``n_eff_fpc`` is infinite).
* ``df <= 0`` (a domain of one respondent, or one respondent in each of its strata): R returns
  NaN for ``logit`` and ``beta``. Proportions use the fallback above without the df
  adjustment; for means the variance is not estimable and the bounds are NaN (R's
  ``confint(svymean)`` gives :math:`[\hat m, \hat m]` when :math:`n = 1`).
* an empty domain (``n = 0``): estimate, SE and bounds are NaN.

Comparisons
-----------
Two *independent* estimates (different strata, such as a gemeente and the rest of its region;
two editions; an external benchmark): difference :math:`\hat\theta_1 - \hat\theta_2`,
:math:`se = \sqrt{se_1^2 + se_2^2}`, statistic :math:`z = \text{diff}/se`, two-sided p-value from
the normal distribution (or ``t`` with given ``df``), significant when :math:`p < 1 - \text{level}`.
In a stratified design estimates from disjoint sets of strata have covariance exactly 0; this
equals R's ``svyby(~y, ~in_gemeente, subset(des, region), svymean, covmat = TRUE)`` followed by
``svycontrast``. A benchmark has a given SE, an SE :math:`\sqrt{p(1-p)/n}` from its sample size
(:func:`benchmark_se`) or is a fixed number (SE 0). With a zero SE of the difference the
p-value is 0 when the difference is non-zero and 1 when it is zero. An estimate with
:math:`\hat p \in \{0, 1\}` has SE 0 in the comparison, as in R.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse, special

__all__ = [
    "add_confidence_intervals",
    "benchmark_se",
    "compare",
    "compare_estimates",
    "compare_with_benchmark",
    "compare_with_rest_of_region",
    "domain_estimates",
    "mean_ci",
    "proportion_ci",
]

#: R's ``onestrat`` treats a stratum with sampling-fraction complement below this as a census.
CENSUS_TOLERANCE = 1e-7

ProportionMethod = Literal["logit", "beta", "wilson"]
MeanMethod = Literal["normal", "t"]

ESTIMATE_COLUMNS = [
    "area", "by", "group", "variable", "n", "n_weighted", "total", "estimate", "se", "df",
    "n_eff", "deff", "n_eff_fpc",
]



# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _require_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing)
        raise ValueError(f"kolom(men) {names} ontbreken in de gegevens")


def _float_column(data: pd.DataFrame, column: str) -> np.ndarray:
    try:
        return data[column].to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"kolom '{column}' bevat waarden die geen getal zijn") from exc


def _members(strata: Sequence[str] | str) -> list:
    """The strata of one area; a single code may be given as a plain string."""
    return [strata] if isinstance(strata, str) else list(dict.fromkeys(strata))


class _Design:
    """Per-stratum design constants of the whole sample."""

    def __init__(self, data: pd.DataFrame, *, stratum: str, weight: str,
                 population: str | None) -> None:
        _require_columns(data, [stratum, weight] + ([population] if population else []))
        codes, strata = pd.factorize(data[stratum], sort=True)
        if (codes < 0).any():
            raise ValueError(f"kolom '{stratum}' heeft lege waarden; elke respondent hoort bij "
                             "een stratum (gemeente)")
        w = _float_column(data, weight)
        if not np.all(np.isfinite(w) & (w > 0)):
            raise ValueError(f"kolom '{weight}': elk gewicht moet een positief getal zijn")
        n_strata = len(strata)
        n_h = np.bincount(codes, minlength=n_strata).astype(float)
        f_h = np.ones(n_strata)
        if population is not None:
            big_n = _float_column(data, population)
            known = np.isfinite(big_n)
            lo = np.full(n_strata, np.inf)
            hi = np.full(n_strata, -np.inf)
            np.minimum.at(lo, codes[known], big_n[known])
            np.maximum.at(hi, codes[known], big_n[known])
            n_known = np.bincount(codes, weights=known.astype(float), minlength=n_strata)
            bad = (lo != hi) & (n_known > 0) | (n_known > 0) & (n_known < n_h)
            if bad.any():
                raise ValueError(
                    f"kolom '{population}' moet per stratum één populatieomvang hebben; dat is "
                    f"niet zo voor {', '.join(map(str, strata[bad][:5]))}")
            has_n = n_known > 0
            too_small = has_n & (lo < n_h)
            if too_small.any():
                raise ValueError(
                    f"kolom '{population}': de populatieomvang is kleiner dan het aantal "
                    f"respondenten voor {', '.join(map(str, strata[too_small][:5]))}")
            f_h = np.where(has_n, 1.0 - n_h / np.where(has_n, lo, 1.0), 1.0)
            f_h[f_h < CENSUS_TOLERANCE] = 0.0
        lonely = n_h < 2
        self.codes = codes
        self.strata = pd.Index(strata)
        self.w = w
        self.n_h = n_h
        self.f_h = f_h
        self.c_h = np.where(lonely, f_h, f_h * n_h / np.where(lonely, 1.0, n_h - 1.0))
        self.k_h = np.where(lonely, 0.0, self.c_h / n_h)

    def area_matrix(
        self, areas: Mapping[str, Sequence[str]] | None
    ) -> tuple[list, sparse.csr_matrix]:
        """Membership matrix areas x strata (strata absent from the sample are ignored)."""
        if areas is None:
            names = list(self.strata)
            return names, sparse.identity(len(names), format="csr")
        names = list(areas.keys())
        members = pd.Series([_members(areas[a]) for a in names], dtype=object).explode()
        col = self.strata.get_indexer(members.to_numpy())
        row = members.index.to_numpy()
        ok = col >= 0
        mat = sparse.csr_matrix((np.ones(ok.sum()), (row[ok], col[ok])),
                                shape=(len(names), len(self.strata)))
        mat.data[:] = 1.0  # a stratum listed twice in one area counts once
        return names, mat


# --------------------------------------------------------------------------------------------
# Estimation
# --------------------------------------------------------------------------------------------


def _stratum_sums(design: _Design, y: np.ndarray, group_codes: np.ndarray,
                  n_groups: int) -> dict[str, np.ndarray]:
    """Per-(stratum, group, variable) sums, each of shape (strata, groups, variables).

    Two passes of one sparse group-by each: first the domain count, sum of weights and weighted
    sum (giving the stratum-domain means ``m``), then the second-order sums around ``m``.
    """
    n_rows, n_vars = y.shape
    n_strata = len(design.strata)
    in_domain = ~np.isnan(y) & (group_codes >= 0)[:, None]
    keep = group_codes >= 0
    key = design.codes * n_groups + group_codes  # only used where keep
    indicator = sparse.csr_matrix(
        (np.ones(keep.sum()), (key[keep], np.flatnonzero(keep))),
        shape=(n_strata * n_groups, n_rows))
    w = design.w[:, None]
    d = in_domain.astype(float)
    wd = w * d
    first = np.asarray(indicator @ np.concatenate([d, wd, wd * np.where(in_domain, y, 0.0)],
                                                  axis=1))
    cnt, s1, sy = (first[:, j * n_vars:(j + 1) * n_vars] for j in range(3))
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(s1 > 0, sy / s1, 0.0)  # (strata * groups, variables)
    e = np.where(in_domain, y - m[np.where(keep, key, 0)], 0.0)
    w2d = w * wd
    second = np.asarray(indicator @ np.concatenate([w2d, w2d * e, w2d * e * e], axis=1))
    s2, p, q = (second[:, j * n_vars:(j + 1) * n_vars] for j in range(3))
    shape = (n_strata, n_groups, n_vars)
    return {name: arr.reshape(shape) for name, arr in
            dict(cnt=cnt, s1=s1, sy=sy, m=m, s2=s2, p=p, q=q).items()}


def _estimate_from_sums(design: _Design, sums: dict[str, np.ndarray],
                        area_mat: sparse.spmatrix) -> dict[str, np.ndarray]:
    """Estimates for the areas (rows of ``area_mat``); arrays of shape (areas, groups, vars).

    Per stratum h and area a with estimate r, the variance contribution is
    ``c_h Q_h + 2 c_h P_h (m_h - r) + G_h (m_h - r)^2`` with ``Q_h``/``P_h`` the second/first
    order sums of ``w^2 d (y - m_h)``, ``G_h = c_h S2_h - k_h S1_h^2``; no term is a difference
    of large numbers, so a zero variance comes out as (nearly) exactly zero.
    """
    n_strata, n_groups, n_vars = sums["cnt"].shape
    c = design.c_h[:, None, None]
    k = design.k_h[:, None, None]
    f = design.f_h[:, None, None]
    cnt, s1, s2 = sums["cnt"], sums["s1"], sums["s2"]
    linear = np.stack([cnt, (cnt > 0).astype(float), s1, sums["sy"], s2, f * s2], axis=0)
    agg = np.asarray(area_mat @ linear.transpose(1, 0, 2, 3).reshape(n_strata, -1))
    agg = agg.reshape(area_mat.shape[0], 6, n_groups, n_vars)
    n, h_d, w_sum, total, sw2, fsw2 = (agg[:, j] for j in range(6))
    with np.errstate(divide="ignore", invalid="ignore"):
        est = total / w_sum
    # Variance: one term per (area, stratum) membership, summed per area.
    entries = sparse.coo_matrix(area_mat)
    a_idx, h_idx = entries.row, entries.col
    cq = (c * sums["q"])[h_idx]
    cp = (c * sums["p"])[h_idx]
    g = np.maximum(c * s2 - k * s1 * s1, 0.0)[h_idx]
    with np.errstate(invalid="ignore"):
        delta = sums["m"][h_idx] - np.nan_to_num(est)[a_idx]
        term = cq + 2.0 * cp * delta + g * delta * delta
    to_area = sparse.csr_matrix((np.ones(len(a_idx)), (a_idx, np.arange(len(a_idx)))),
                                shape=(area_mat.shape[0], len(a_idx)))
    num = np.asarray(to_area @ term.reshape(len(a_idx), -1)).reshape(est.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.maximum(num, 0.0) / (w_sum * w_sum)
        n_eff = w_sum * w_sum / sw2
        deff = n / n_eff
        n_eff_fpc = np.where(fsw2 > 0, w_sum * w_sum / fsw2, np.inf)
    empty = n == 0
    for arr in (est, var, n_eff, deff, n_eff_fpc):
        arr[empty] = np.nan
    return {
        "n": np.rint(n).astype(np.int64), "n_weighted": w_sum, "total": total, "estimate": est,
        "se": np.sqrt(var), "df": np.rint(n - h_d).astype(np.int64), "n_eff": n_eff,
        "deff": deff, "n_eff_fpc": n_eff_fpc,
    }


def _group_codes(data: pd.DataFrame, by: str | None) -> tuple[np.ndarray, list]:
    if by is None:
        return np.zeros(len(data), dtype=np.int64), [None]
    _require_columns(data, [by])
    codes, values = pd.factorize(data[by], sort=True)
    return codes.astype(np.int64), list(values)


def _estimate_matrix(design: _Design, data: pd.DataFrame, variables: Sequence[str],
                     by: str | None, area_mat: sparse.spmatrix) -> tuple[dict, list]:
    """Estimates for the areas (rows of ``area_mat``): arrays of shape (areas, groups, vars)."""
    _require_columns(data, list(variables))
    if len(variables) == 0:
        raise ValueError("geen variabelen opgegeven")
    y = np.column_stack([_float_column(data, v) for v in variables])
    if np.isinf(y).any():
        raise ValueError("de variabelen bevatten oneindige waarden")
    group_codes, groups = _group_codes(data, by)
    if not groups:  # the subgroup column is empty: no domains
        empty = np.zeros((area_mat.shape[0], 0, len(variables)))
        return {name: empty.astype(np.int64) if name in ("n", "df") else empty
                for name in ESTIMATE_COLUMNS[4:]}, groups
    sums = _stratum_sums(design, y, group_codes, len(groups))
    return _estimate_from_sums(design, sums, area_mat), groups


def _tidy(result: dict, area_names: list, groups: list, variables: Sequence[str],
          by: str | None) -> pd.DataFrame:
    n_areas, n_groups, n_vars = result["n"].shape
    size = n_areas * n_groups * n_vars
    group_idx = np.tile(np.repeat(np.arange(n_groups), n_vars), n_areas)
    out = {
        "area": np.repeat(np.asarray(area_names, dtype=object), n_groups * n_vars),
        "by": np.full(size, by, dtype=object),
        "group": np.asarray(groups, dtype=object)[group_idx],
        "variable": np.tile(np.asarray(list(variables), dtype=object), n_areas * n_groups),
    }
    for name in ESTIMATE_COLUMNS[4:]:
        out[name] = result[name].reshape(-1)
    return pd.DataFrame(out)


def domain_estimates(
    data: pd.DataFrame,
    variables: Sequence[str],
    *,
    stratum: str,
    weight: str,
    population: str | None = None,
    areas: Mapping[str, Sequence[str]] | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Weighted domain means/proportions with linearised SEs for many areas at once.

    Parameters
    ----------
    data
        One row per respondent of the *whole* sample (every stratum that any area uses; the
        stratum sample sizes :math:`n_h` are counted on these rows).
    variables
        Numeric columns; NaN means "not in the domain" (weet niet, no answer). A 0/1 column
        gives a proportion, any other numeric column a mean.
    stratum, weight
        Column names of the stratum code (gemeente) and the positive survey weight.
    population
        Column with the population size :math:`N_h` on every row of stratum :math:`h` (NaN for
        a stratum whose size is unknown: no fpc there); ``None`` for no fpc at all.
    areas
        Area name -> strata pooled in that area. ``None``: every stratum is its own area.
        Strata that have no respondents are ignored (an area without respondents gets n = 0
        and NaN estimates).
    by
        Optional subgroup column; each distinct value is a domain, rows with a missing value
        belong to no subgroup (but still count in :math:`n_h`). ``None``: everyone.

    Returns
    -------
    DataFrame with one row per (area, group, variable), in the order of ``areas``, the sorted
    subgroup values and ``variables``; columns ``area``, ``by`` (the subgroup column name or
    None), ``group`` (the subgroup value, None for everyone), ``variable``, ``n`` (respondents
    in the domain), ``n_weighted`` (sum of weights in the domain: estimated number of
    clients), ``total`` (weighted total of the variable), ``estimate``, ``se``, ``df`` (R's
    ``degf`` of the domain design), ``n_eff`` and ``deff`` (Kish, within the domain) and
    ``n_eff_fpc`` (Kish size with fpc; used by the fallback intervals). See the module
    docstring for the formulas.
    """
    design = _Design(data, stratum=stratum, weight=weight, population=population)
    area_names, area_mat = design.area_matrix(areas)
    result, groups = _estimate_matrix(design, data, variables, by, area_mat)
    return _tidy(result, area_names, groups, variables, by)


# --------------------------------------------------------------------------------------------
# Confidence intervals
# --------------------------------------------------------------------------------------------


def _t_quantile(prob: float, df: np.ndarray) -> np.ndarray:
    """Quantile of Student's t (normal for infinite df); NaN for df <= 0."""
    df = np.asarray(df, dtype=float)
    uniq, inverse = np.unique(df, return_inverse=True)  # few distinct df: compute once each
    with np.errstate(invalid="ignore"):
        q = special.stdtrit(np.where(uniq > 0, uniq, np.nan), prob)
    q = np.where(np.isinf(uniq), special.ndtri(prob), q)
    return q[inverse].reshape(df.shape)


def _clopper_pearson(p: np.ndarray, n_star: np.ndarray, alpha: float) -> tuple:
    """Korn-Graubard / Clopper-Pearson bounds for effective size ``n_star`` (may be inf)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        x = n_star * p
        lower = np.where(p > 0, special.betaincinv(x, n_star - x + 1.0, alpha / 2), 0.0)
        upper = np.where(p < 1, special.betaincinv(x + 1.0, n_star - x, 1 - alpha / 2), 1.0)
    # betaincinv gives NaN when a shape parameter underflows (p within 1e-300 of 0 or 1):
    # the quantile is then the boundary.
    lower = np.where(np.isnan(lower) & (p >= 0) & (n_star > 0), 0.0, lower)
    upper = np.where(np.isnan(upper) & (p <= 1) & (n_star > 0), 1.0, upper)
    finite = np.isfinite(n_star)
    return np.where(finite, lower, p), np.where(finite, upper, p)


def _wilson(p: np.ndarray, n_star: np.ndarray, z: float) -> tuple:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        z2n = z * z / n_star
        centre = (p + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(p * (1 - p) / n_star + z2n / (4 * n_star))
        lower, upper = centre - half, centre + half
    finite = np.isfinite(n_star)
    # an effective size of (almost) 0 carries no information: the interval is [0, 1]
    empty = finite & ~(np.isfinite(lower) & np.isfinite(upper))
    lower, upper = np.where(empty, 0.0, lower), np.where(empty, 1.0, upper)
    return (np.clip(np.where(finite, lower, p), 0, 1), np.clip(np.where(finite, upper, p), 0, 1))


def proportion_ci(
    p: np.ndarray | pd.Series,
    se: np.ndarray | pd.Series,
    *,
    n: np.ndarray | pd.Series,
    df: np.ndarray | pd.Series,
    n_eff_fpc: np.ndarray | pd.Series | None = None,
    method: ProportionMethod = "logit",
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised confidence interval for proportions; returns ``(lower, upper)``.

    ``method``: ``"logit"`` (= R ``svyciprop(method="logit")``), ``"beta"`` (Korn-Graubard,
    = ``svyciprop(method="beta")``) or ``"wilson"`` (Wilson score on the effective sample size
    :math:`\\hat p(1-\\hat p)/se^2`). ``n`` and ``df`` are the domain size and degrees of
    freedom (columns of :func:`domain_estimates`); ``n_eff_fpc`` (default ``n``) is the
    effective size of the fallback used when :math:`\\hat p \\in \\{0, 1\\}` or ``df <= 0``.
    See the module docstring for the corner cases.
    """
    if method not in ("logit", "beta", "wilson"):
        raise ValueError(f"onbekende methode '{method}' voor een betrouwbaarheidsinterval; "
                         "kies logit, beta of wilson")
    if not 0 < level < 1:
        raise ValueError("het betrouwbaarheidsniveau moet tussen 0 en 1 liggen")
    p, se, n, df = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (p, se, n, df)))
    n_star_fb = n if n_eff_fpc is None else np.broadcast_to(np.asarray(n_eff_fpc, float), p.shape)
    alpha = 1.0 - level
    valid = np.isfinite(p) & np.isfinite(se) & (n >= 1)
    interior = valid & (p > 0) & (p < 1)
    regular = interior & (se > 0) & (df > 0)
    census = interior & (se == 0) & (df > 0)
    fallback = valid & ~regular & ~census

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        pq = p * (1 - p)
        n_star = pq / (se * se)
        # Korn-Graubard degrees-of-freedom adjustment; 1 for a single stratum, none if df <= 0.
        ok = (df > 0) & (n > 1)
        kg = np.where(ok, (_t_quantile(alpha / 2, np.where(ok, n - 1, 1))
                           / _t_quantile(alpha / 2, np.where(ok, df, 1))) ** 2, 1.0)
    if method == "logit":
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            t = _t_quantile(1 - alpha / 2, df)
            eta = special.logit(p)
            half = t * se / pq
            lower, upper = special.expit(eta - half), special.expit(eta + half)
    elif method == "beta":
        lower, upper = _clopper_pearson(p, n_star * kg, alpha)
    else:
        lower, upper = _wilson(p, n_star, float(special.ndtri(1 - alpha / 2)))

    if method == "wilson":
        fb_lower, fb_upper = _wilson(p, n_star_fb, float(special.ndtri(1 - alpha / 2)))
    else:
        fb_lower, fb_upper = _clopper_pearson(p, n_star_fb * kg, alpha)
    lower = np.where(regular, lower, np.where(census, p, np.where(fallback, fb_lower, np.nan)))
    upper = np.where(regular, upper, np.where(census, p, np.where(fallback, fb_upper, np.nan)))
    # Guard against rounding: the interval always contains the estimate.
    lower = np.where(valid, np.minimum(lower, p), np.nan)
    upper = np.where(valid, np.maximum(upper, p), np.nan)
    return lower, upper


def mean_ci(
    m: np.ndarray | pd.Series,
    se: np.ndarray | pd.Series,
    *,
    df: np.ndarray | pd.Series,
    method: MeanMethod = "normal",
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised confidence interval for means; returns ``(lower, upper)``.

    ``"normal"`` equals R ``confint(svymean(...))``; ``"t"`` uses Student's t with ``df``.
    Where ``df <= 0`` the variance is not estimable and the bounds are NaN.
    """
    if method not in ("normal", "t"):
        raise ValueError(f"onbekende methode '{method}' voor een gemiddelde; kies normal of t")
    if not 0 < level < 1:
        raise ValueError("het betrouwbaarheidsniveau moet tussen 0 en 1 liggen")
    m, se, df = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (m, se, df)))
    q = (special.ndtri(1 - (1 - level) / 2) if method == "normal"
         else _t_quantile(1 - (1 - level) / 2, df))
    ok = df > 0
    return np.where(ok, m - q * se, np.nan), np.where(ok, m + q * se, np.nan)


def add_confidence_intervals(
    estimates: pd.DataFrame,
    *,
    proportions: Collection[str] = (),
    method: ProportionMethod = "logit",
    mean_method: MeanMethod = "normal",
    level: float = 0.95,
) -> pd.DataFrame:
    """Copy of a :func:`domain_estimates` frame with columns ``lower``, ``upper``, ``ci_method``.

    Rows whose ``variable`` is in ``proportions`` get :func:`proportion_ci` with ``method``;
    the other rows get :func:`mean_ci` with ``mean_method``.
    """
    out = estimates.copy()
    is_prop = out["variable"].isin(list(proportions)).to_numpy()
    p_lo, p_hi = proportion_ci(out["estimate"], out["se"], n=out["n"], df=out["df"],
                               n_eff_fpc=out.get("n_eff_fpc"), method=method, level=level)
    m_lo, m_hi = mean_ci(out["estimate"], out["se"], df=out["df"], method=mean_method,
                         level=level)
    out["lower"] = np.where(is_prop, p_lo, m_lo)
    out["upper"] = np.where(is_prop, p_hi, m_hi)
    out["ci_method"] = np.where(is_prop, method, mean_method)
    return out


# --------------------------------------------------------------------------------------------
# Comparisons
# --------------------------------------------------------------------------------------------


def benchmark_se(p: np.ndarray | float, n: np.ndarray | float) -> np.ndarray:
    """SE of a benchmark proportion known only with its sample size: sqrt(p(1-p)/n)."""
    p = np.asarray(p, dtype=float)
    return np.sqrt(p * (1 - p) / np.asarray(n, dtype=float))


def compare(
    estimate: np.ndarray | pd.Series,
    se: np.ndarray | pd.Series,
    reference: np.ndarray | pd.Series | float,
    reference_se: np.ndarray | pd.Series | float = 0.0,
    *,
    level: float = 0.95,
    df: np.ndarray | pd.Series | float | None = None,
) -> pd.DataFrame:
    """Difference of two independent estimates, vectorised.

    Returns a DataFrame (index of ``estimate`` when it is a Series) with ``difference``
    (estimate - reference), ``se_difference`` (sqrt(se^2 + reference_se^2)), ``statistic``
    (difference / se_difference), ``p_value`` (two-sided; normal, or Student's t when ``df`` is
    given) and ``significant`` (p_value < 1 - level). A reference without uncertainty (a fixed
    benchmark) has ``reference_se = 0``.
    """
    if not 0 < level < 1:
        raise ValueError("het betrouwbaarheidsniveau moet tussen 0 en 1 liggen")
    index = estimate.index if isinstance(estimate, pd.Series) else None
    est, s1, ref, s2 = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float))
          for a in (estimate, se, reference, reference_se)))
    diff = est - ref
    se_diff = np.sqrt(s1 * s1 + s2 * s2)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = diff / se_diff
    stat = np.where((se_diff == 0) & (diff == 0), 0.0, stat)
    if df is None:
        p_value = 2.0 * special.ndtr(-np.abs(stat))
    else:
        dfa = np.broadcast_to(np.asarray(df, dtype=float), stat.shape)
        with np.errstate(invalid="ignore"):
            p_value = np.where(dfa > 0, 2.0 * special.stdtr(np.where(dfa > 0, dfa, 1.0),
                                                           -np.abs(stat)), np.nan)
        p_value = np.where(np.isinf(dfa), 2.0 * special.ndtr(-np.abs(stat)), p_value)
    p_value = np.where(np.isnan(stat), np.nan, p_value)
    return pd.DataFrame({
        "difference": diff, "se_difference": se_diff, "statistic": stat, "p_value": p_value,
        "significant": p_value < 1.0 - level,
    }, index=index)


def compare_estimates(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    *,
    on: Sequence[str] = ("area", "by", "group", "variable"),
    level: float = 0.95,
) -> pd.DataFrame:
    """Compare two :func:`domain_estimates` frames of independent samples (e.g. two editions).

    Inner join on ``on``; the result has the key columns, ``estimate``/``se``/``n`` of both
    (suffixes ``_current`` and ``_previous``) and the columns of :func:`compare`.
    """
    keep = [*on, "estimate", "se", "n"]
    merged = current[keep].merge(previous[keep], on=list(on), how="inner",
                                 suffixes=("_current", "_previous"))
    res = compare(merged["estimate_current"], merged["se_current"],
                  merged["estimate_previous"], merged["se_previous"], level=level)
    return pd.concat([merged, res], axis=1)


def compare_with_benchmark(
    estimates: pd.DataFrame,
    value: float | np.ndarray | pd.Series,
    *,
    se: float | np.ndarray | pd.Series | None = None,
    n: float | np.ndarray | pd.Series | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Compare the rows of a :func:`domain_estimates` frame with an external benchmark.

    The benchmark ``value`` (scalar or one per row) has a given ``se``, or an SE
    :func:`benchmark_se` from its sample size ``n``, or neither (a fixed number, SE 0).
    Returns ``estimates`` with the columns ``benchmark``, ``benchmark_se`` and those of
    :func:`compare`.
    """
    if se is not None and n is not None:
        raise ValueError("geef voor de vergelijkingswaarde een standaardfout óf een "
                         "steekproefomvang, niet allebei")
    value = np.broadcast_to(np.asarray(value, dtype=float), (len(estimates),))
    if se is not None:
        ref_se = np.broadcast_to(np.asarray(se, dtype=float), value.shape)
    elif n is not None:
        ref_se = benchmark_se(value, np.asarray(n, dtype=float)) * np.ones(value.shape)
    else:
        ref_se = np.zeros(value.shape)
    out = estimates.copy()
    out["benchmark"] = value
    out["benchmark_se"] = ref_se
    res = compare(out["estimate"].to_numpy(), out["se"].to_numpy(), value, ref_se, level=level)
    res.index = out.index
    return pd.concat([out, res], axis=1)


def compare_with_rest_of_region(
    data: pd.DataFrame,
    variables: Sequence[str],
    *,
    stratum: str,
    weight: str,
    population: str | None = None,
    regions: Mapping[str, Sequence[str]],
    by: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Each gemeente of each region against the rest of that region, in one vectorised pass.

    ``regions``: region name -> its strata (gemeenten). For every (region, gemeente,
    group, variable) the result has ``region``, ``gemeente``, ``by``, ``group``, ``variable``,
    ``n``/``estimate``/``se`` of the gemeente and of the rest of the region (suffixes
    ``_gemeente`` and ``_rest``) and the columns of :func:`compare`. Gemeente and rest consist
    of different strata, so they are independent; this equals R's
    ``svyby(~y, ~in_gemeente, subset(des, region), svymean, covmat = TRUE)`` + ``svycontrast``.
    """
    design = _Design(data, stratum=stratum, weight=weight, population=population)
    reg_names, reg_mat = design.area_matrix(regions)
    pairs = pd.Series([_members(regions[r]) for r in reg_names],
                      dtype=object).explode().dropna()
    reg_idx = pairs.index.to_numpy()
    gm_codes = pairs.to_numpy()
    col = design.strata.get_indexer(gm_codes)
    ok = col >= 0
    n_pairs, n_strata = len(gm_codes), len(design.strata)
    gm_mat = sparse.csr_matrix((np.ones(ok.sum()), (np.flatnonzero(ok), col[ok])),
                               shape=(n_pairs, n_strata))
    rest_mat = (reg_mat[reg_idx] - gm_mat).tocsr()
    both = sparse.vstack([gm_mat, rest_mat]).tocsr()
    both.eliminate_zeros()
    result, groups = _estimate_matrix(design, data, variables, by, both)
    n_groups, n_vars = len(groups), len(variables)
    gm = {k: v[:n_pairs].reshape(-1) for k, v in result.items()}
    rest = {k: v[n_pairs:].reshape(-1) for k, v in result.items()}
    per_pair = n_groups * n_vars
    out = pd.DataFrame({
        "region": np.repeat(np.asarray(reg_names, dtype=object)[reg_idx], per_pair),
        "gemeente": np.repeat(gm_codes.astype(object), per_pair),
        "by": by,
        "group": np.asarray(groups, dtype=object)[
            np.tile(np.repeat(np.arange(n_groups), n_vars), n_pairs)],
        "variable": np.tile(np.asarray(list(variables), dtype=object), n_pairs * n_groups),
        "n_gemeente": gm["n"], "estimate_gemeente": gm["estimate"], "se_gemeente": gm["se"],
        "n_rest": rest["n"], "estimate_rest": rest["estimate"], "se_rest": rest["se"],
    })
    res = compare(out["estimate_gemeente"], out["se_gemeente"], out["estimate_rest"],
                  out["se_rest"], level=level)
    return pd.concat([out, res], axis=1)
