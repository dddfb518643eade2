r"""Design-based estimation for CEO surveys, vectorised, equal to the R package ``survey``.

Design
------
Stratified sample without clusters: the strata are the gemeenten (``stratum`` column, codes such
as ``"GM0505"``), every respondent is its own PSU, ``weight`` is the survey weight and
``population`` holds the population size :math:`N_h` of the stratum on every row (NaN when
unknown). With fixed weights (``calibration=None``: a delivered weight column, design weights
:math:`N_h/n_h` or no weights) the R equivalent is::

    options(survey.lonely.psu = "average")      # lonely_psu="adjust": "adjust"
    des <- svydesign(ids = ~1, strata = ~gemeentecode, weights = ~w, fpc = ~N, data = d)

where a stratum with unknown :math:`N_h` gets ``N = Inf`` (``survey`` then uses no finite
population correction for that stratum) and a design without any population sizes has no
``fpc`` argument at all. A delivered weight column carries no information about how it was
made, so its SEs are those of fixed weights: if the supplier calibrated the weights, the SEs of
the calibrated design can differ (ratios 0.77-1.14 were seen). With weights that ceo calibrated
itself (``calibration``, see *Calibrated weights*) the design is R's calibrated design.

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

Calibrated weights
------------------
When :func:`ceo.stats.weighting.compute_weights` post-stratifies or rakes within each gemeente, its
result carries a :class:`Calibration`: per respondent and margin the calibration cell
(gemeente x category after merging small categories; respondents without a weighting
characteristic keep :math:`N_h/n_h` and form one more cell per gemeente in every margin). The
SEs are then exactly those of the design a researcher declares in R::

    des0 <- svydesign(ids = ~1, strata = ~gemeentecode, fpc = ~N, data = d)   # weights N/n
    postStratify(des0, ~cel, pop_cel)                                      # "poststratificatie"
    rake(des0, list(~cel_leeftijd, ~cel_geslacht), list(pop_l, pop_g))     # "raking"

with the cell variables the interaction of gemeentecode and the (merged) category and the
population totals of the cells (times :math:`(n_h - m_h)/n_h` when :math:`m_h` respondents miss
a characteristic, :math:`m_h N_h / n_h` for their cell), followed by ``subset()``/``svyby`` as
above (tests/fixtures/calibration/make_fixtures.R). R's ``svyrecvar`` residualises the weighted
influence values :math:`e_i = w_i v_i` before the stratified variance: per margin
:math:`v \leftarrow v - \bar v_c` (the unweighted mean of :math:`v = e/w` in the cell
:math:`c` of the respondent; for ``postStratify`` the mean weighted by the weights before
post-stratification, which are constant within a gemeente); once for post-stratification, and
for ``rake`` in ``RAKE_SWEEPS = 10`` sweeps over the margins in order (a fixed number, not to
convergence). The residualisation is linear and the cells lie within gemeenten, so with
:math:`\varepsilon_i = d_i(y_i - m_h)`, :math:`E = R[\varepsilon]` and :math:`D = R[d]` the
influence values of an area are :math:`w (E + \delta_h D)/\hat W_d` in stratum :math:`h`.
Every step subtracts a constant per cell, so :math:`E_i = \varepsilon_i - a_{j(i)}` and
:math:`D_i = d_i - b_{j(i)}` with one shift per *joint cell* :math:`j` (the combination of the
cells of all margins that occurs in the sample); the shifts are found by iterating on sums per
joint cell (unweighted sums of :math:`\varepsilon` and :math:`d` and the counts), and the
variance needs per (stratum, group, variable) :math:`T = \sum w E`, :math:`S_1 = \sum w D`,
:math:`Q = \sum w^2 E^2`, :math:`P = \sum w^2 E D` and :math:`S_2 = \sum w^2 D^2` (rows of
the domain summed row by row, the other rows of a joint cell through their sums of :math:`w` and
:math:`w^2`). The term of stratum :math:`h` is then
:math:`(c Q - k T^2) + 2 (c P - k T S_1)\delta_h + (c S_2 - k S_1^2)\delta_h^2` (without
calibration :math:`T = 0` and this is the formula above). No dense n x cells matrix: memory and
time grow with respondents x variables and joint cells x groups x variables. Estimates, ``n``,
``df`` and the Kish sizes do not change.

Trimming: ceo's raking caps large weights and rakes the others again to the same margins, so
the margins still hold and the same residualisation is used (an approximation: the capped
weights were not adjusted like the others). With post-stratification a capped cell falls below
its population count; the SE still treats the weights as post-stratified to the cells. Merged
categories are simply larger cells; a gemeente whose categories were all merged is one cell
(calibrated to :math:`N_h` only, the same as design weights).

Lonely PSU
----------
A stratum with a single respondent (:math:`n_h = 1`, not a census) follows
``survey.lonely.psu = "average"`` by default: it gets no variance term of its own and the
variance of the area is the sum of the other strata's terms times
:math:`H / (H - L)`, the number of strata over the number without a lonely one. R counts the
strata of the design it is given: without calibration ``subset()`` drops the rows outside the
domain, so :math:`H` and :math:`L` count the strata with respondents in the domain. A
calibrated design keeps all rows in ``subset()``, so R would count every stratum of the country
and a lonely gemeente anywhere would raise every SE; we count the strata of the area (R on the
design of the area's gemeenten alone, which has the same weights and residualisation). Where
every stratum with respondents in the domain is lonely (a gemeente with one respondent) R
gives NaN; we use "adjust" there (a single respondent then has SE 0, ``df = 0`` and the
fallback interval below). Why "average": with "adjust" one respondent in a gemeente of
:math:`N_h` clients adds :math:`f_h u_i^2` with :math:`u_i = N_h (y_i - \hat r)/\hat W_d`,
which raised the SE of a region by up to 115 %; "average" raises a region of :math:`H`
gemeenten by :math:`\sqrt{H/(H-1)}` (2 %-5 % for regions of 10-25 gemeenten, 41 % for a region
of two).

``lonely_psu="adjust"``: R does not centre that stratum at its own mean (which would give zero)
but at the grand mean, and uses :math:`c_h = f_h` (with :math:`f_h = 1 - 1/N_h`, or 1 when
:math:`N_h` is unknown). The linearised values of a mean sum to zero over the design, so the
grand mean is 0 and the contribution is :math:`f_h u_i^2` (:math:`\kappa_h = 0`;
:math:`\kappa_h = 1` otherwise). A domain with a single respondent in a stratum that has more
respondents is *not* lonely: the stratum is centred over its :math:`n_h` rows, zeros included
(R's default ``survey.adjust.domain.lonely = FALSE``), with either option.

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
(Kish's weighting effect, published as ``deff_gewicht``; the design effect of each estimate is
computed in :mod:`ceo.stats.results`). ``n_eff_fpc`` is
:math:`(\sum w)^2 / \sum_h f_h \sum_{i \in h} w_i^2`: the Kish size with the finite population
correction (infinite when every stratum of the domain is a census). It is only used as the
effective sample size of the fallback intervals below. Every effective size used by an interval
or test (:math:`\hat p(1-\hat p)/se^2` and ``n_eff_fpc``) is capped at ``n``: a design effect
below 1 (stratification, fpc) does not make the sample look larger than it is (as SAS does for
Korn-Graubard; R ``svyciprop`` does not cap, so ``beta`` equals R where the cap does not bind).
An infinite ``n_eff_fpc`` (a census) stays infinite.

Confidence intervals
--------------------
Level :math:`1-\alpha` (default 0.95); ``t`` quantiles with ``df``, ``z`` normal quantiles.

* ``logit`` (default for proportions) = ``svyciprop(method = "logit")``: R fits
  ``svyglm(y ~ 1, family = quasibinomial)`` and takes a Wald interval on the logit scale with
  ``ddf = degf(design)``; its SE is exactly :math:`se / (\hat p (1-\hat p))`, so the interval
  is :math:`\operatorname{expit}(\operatorname{logit}\hat p \pm t_{df,1-\alpha/2}\,
  se/(\hat p(1-\hat p)))` (R's iterative fit agrees to about 1e-9).
* ``beta`` = ``svyciprop(method = "beta")`` (Korn & Graubard 1998): effective size
  :math:`n^* = \min(n, \hat p(1-\hat p)/se^2) \cdot (t_{n-1,\alpha/2} / t_{df,\alpha/2})^2` and
  Clopper-Pearson bounds :math:`B^{-1}(\alpha/2; n^*\hat p, n^*(1-\hat p)+1)` and
  :math:`B^{-1}(1-\alpha/2; n^*\hat p+1, n^*(1-\hat p))`.
* ``wilson``: Wilson score interval with :math:`z_{1-\alpha/2}` on the effective sample size
  :math:`n^* = \min(n, \hat p(1-\hat p)/se^2)` (no R equivalent). For a simple random sample without
  fpc :math:`se^2 = \hat p(1-\hat p)/(n-1)`, so :math:`n^* = n - 1`; with fpc and
  :math:`N = n^2`, :math:`n^* = n` and the interval is the textbook Wilson interval.
* means: ``t`` (default) with ``df``, as for proportions (= R ``confint(svymean(...),
  df = degf(design))``), or ``normal`` = R's plain ``confint(svymean(...))``.

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
:math:`se = \sqrt{se_1^2 + se_2^2}` and Welch's t: statistic diff / se with the
Welch-Satterthwaite df :math:`se^4 / (se_1^4/df_1 + se_2^4/df_2)` (a side with SE 0 or infinite
df drops out, so a fixed benchmark gives the df of the estimate), two-sided p-value; the flag in
:func:`compare` is p < 1 - level (:mod:`ceo.stats.results` corrects it for multiplicity). In a stratified
design estimates from disjoint sets of strata have covariance exactly 0; difference and SE equal
R's ``svyby(~y, ~in_gemeente, subset(des, region), svymean, covmat = TRUE)`` followed by
``svycontrast``. A benchmark has a given SE, an SE :math:`\sqrt{p(1-p)/n}` from its sample size
(:func:`benchmark_se`) or is a fixed number (SE 0).

Never diff / 0: a side is *exact* when its effective size is infinite (a census with fpc, a fixed
benchmark) and *degenerate* when it is not exact but its SE is 0 or it is a proportion of 0 or 1.
With a degenerate side, proportions use the pooled score test on the effective sizes
(:math:`n^* = \hat p(1-\hat p)/se^2`, or the fallback size of the interval) and means borrow the
per-respondent variance of the other side; without that information the p-value is NaN (not
significant). Two exact figures differ with p = 0 (or are equal, p = 1).

A fixed benchmark is tested with the dual of the published interval (:func:`proportion_test`,
:func:`mean_test`): significant exactly when the value lies outside the interval, e.g. for
:math:`\hat p = 1` (35 of 35) the exact Clopper-Pearson test on the effective size.

Between editions (:func:`compare_estimates`, and ``se_zonder_fpc`` in :mod:`ceo.stats.results`), each
edition is a draw from a super-population: estimate without the finite population correction,
so that a census gemeente (SE 0 with fpc) is not "significant" by construction.

Differences between groups
--------------------------
:func:`group_difference_tests`: do the K groups of a subgroup column (in an area) have the same
mean/proportion? The K domain estimates share strata, so they are *not* independent: the test uses
their full covariance matrix :math:`V` (the covariance of two groups is the stratified variance
formula applied to the product of their influence values; without calibration only the stratum
centring couples them, with calibration also the residualisation, see :func:`_group_covariance`),
the Wald statistic :math:`W = (C\hat\theta)'(CVC')^{-1}C\hat\theta` of the K - 1 differences
with one group and :math:`F = W/(K-1)` on :math:`(K-1, n - H)` degrees of freedom (the design df
of the K groups). This is R's ``regTermTest(svyglm(y ~ g, dom), ~g, method = "Wald",
df = degf(dom))`` and the Wald statistic of ``svyby(~y, ~g, dom, svymean, covmat = TRUE)`` with
``svycontrast`` (tests/fixtures/group_difference). A group without variance in a sample (a
proportion of 0 or 1) is not taken at its word: no test (R would).
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
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
    "group_difference_tests",
    "mean_ci",
    "mean_test",
    "proportion_ci",
    "proportion_test",
]

#: R's ``onestrat`` treats a stratum with sampling-fraction complement below this as a census.
CENSUS_TOLERANCE = 1e-7

ProportionMethod = Literal["logit", "beta", "wilson"]
MeanMethod = Literal["normal", "t"]
LonelyPSU = Literal["average", "adjust"]
#: R's ``svyrecvar`` sweeps a fixed number of times over the margins of a raked design.
RAKE_SWEEPS = 10


@dataclass(frozen=True)
class Calibration:
    """How the weights were calibrated, for the calibration-aware variance.

    ``method`` is ``"poststratificatie"`` (R ``postStratify``) or ``"raking"`` (R ``rake``);
    ``cells`` has one row per respondent (aligned with the rows of the data) and one column per
    margin (one column for post-stratification): an integer code of the calibration cell of the
    respondent in that margin, nested within the strata (a code never occurs in two gemeenten).
    Made by :func:`ceo.stats.weighting.compute_weights`.
    """

    method: Literal["poststratificatie", "raking"]
    cells: np.ndarray

    @property
    def sweeps(self) -> int:
        return 1 if self.method == "poststratificatie" else RAKE_SWEEPS

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


class _CalibrationCells:
    """The calibration cells of every respondent, reduced to *joint cells*.

    A joint cell is a combination (stratum, cell of margin 1, ..., cell of margin M) that occurs
    in the sample. The residualisation of R's ``svyrecvar`` subtracts per-cell constants, so every
    residualised value is the original value minus a constant per joint cell, and all sums needed
    for the variance are sums per joint cell (no n x cells matrix).
    """

    def __init__(self, calibration: Calibration, codes: np.ndarray, n_strata: int,
                 w: np.ndarray) -> None:
        if calibration.method not in ("poststratificatie", "raking"):
            raise ValueError(f"onbekende kalibratiemethode '{calibration.method}'; kies "
                             "poststratificatie of raking")
        cells = np.asarray(calibration.cells)
        if cells.ndim == 1:
            cells = cells[:, None]
        if cells.ndim != 2 or cells.shape[0] != len(codes) or cells.shape[1] == 0:
            raise ValueError("de kalibratiecellen passen niet bij de gegevens: één rij per "
                             "respondent en één kolom per marge verwacht")
        if not np.issubdtype(cells.dtype, np.integer):
            raise ValueError("de kalibratiecellen moeten gehele getallen zijn")
        joint = codes.astype(np.int64)
        margin_codes = []
        for m in range(cells.shape[1]):
            cell, uniq = pd.factorize(cells[:, m], sort=True)
            lo = np.full(len(uniq), n_strata)
            hi = np.full(len(uniq), -1)
            np.minimum.at(lo, cell, codes)
            np.maximum.at(hi, cell, codes)
            if (lo != hi).any():
                raise ValueError("een kalibratiecel bevat respondenten van meer dan één stratum "
                                 "(gemeente); cellen moeten binnen een gemeente liggen")
            margin_codes.append((cell, len(uniq)))
            joint, _ = pd.factorize(joint * len(uniq) + cell)
        joint = joint.astype(np.int64)
        n_joint = int(joint.max()) + 1 if len(joint) else 0
        first = np.zeros(n_joint, dtype=np.int64)
        first[joint[::-1]] = np.arange(len(joint))[::-1]  # the first row of every joint cell
        self.sweeps = calibration.sweeps
        self.joint = joint
        self.n_joint = n_joint
        self.stratum = codes[first]
        self.n_j = np.bincount(joint, minlength=n_joint).astype(float)
        self.w1 = np.bincount(joint, weights=w, minlength=n_joint)
        self.w2 = np.bincount(joint, weights=w * w, minlength=n_joint)
        # per margin: cells x joint cells membership, and the number of respondents per cell
        self.margins = []
        for cell, n_cells in margin_codes:
            of_joint = cell[first]
            member = sparse.csr_matrix((np.ones(n_joint), (of_joint, np.arange(n_joint))),
                                       shape=(n_cells, n_joint))
            self.margins.append((of_joint, member, member @ self.n_j))
        self.to_stratum = sparse.csr_matrix(
            (np.ones(n_joint), (self.stratum, np.arange(n_joint))), shape=(n_strata, n_joint))

    def residual_shifts(self, x: np.ndarray) -> np.ndarray:
        """Per-joint-cell shifts ``a`` with ``R[v]_i = v_i - a[j(i)]``, for sums ``x`` of ``v``.

        ``x`` has shape (joint cells, columns): the unweighted sum of ``v`` over each joint cell.
        ``R`` is R's residualisation of ``v = e / w`` (``e`` the weighted influence values):
        per margin ``v <- v - (mean of v in its cell)`` (``postStratify``: once, ``rake``:
        ``RAKE_SWEEPS`` sweeps over the margins in order).
        """
        shift = np.zeros_like(x)
        resid = x.copy()  # sum over the joint cell of the current residual
        n_j = self.n_j[:, None]
        for _ in range(self.sweeps):
            for of_joint, member, n_c in self.margins:
                mean = (member @ resid) / np.where(n_c > 0, n_c, 1.0)[:, None]
                step = mean[of_joint]
                shift += step
                resid -= n_j * step
        return shift


class _Design:
    """Per-stratum design constants of the whole sample (and the calibration structure)."""

    def __init__(self, data: pd.DataFrame, *, stratum: str, weight: str,
                 population: str | None, calibration: Calibration | None = None,
                 lonely_psu: LonelyPSU = "average") -> None:
        if lonely_psu not in ("average", "adjust"):
            raise ValueError(f"onbekende keuze '{lonely_psu}' voor strata met één respondent; "
                             "kies average of adjust")
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
        self.codes = codes
        self.strata = pd.Index(strata)
        self.w = w
        self.n_h = n_h
        self.average = lonely_psu == "average"
        self._set_fpc(f_h)
        self.calibration = None if calibration is None else _CalibrationCells(
            calibration, codes, n_strata, w)

    def _set_fpc(self, f_h: np.ndarray) -> None:
        """The constants that depend on the finite population correction ``f_h = 1 - n_h / N_h``."""
        n_h = self.n_h
        lonely = n_h < 2
        self.f_h = f_h
        self.c_h = np.where(lonely, f_h, f_h * n_h / np.where(lonely, 1.0, n_h - 1.0))
        self.k_h = np.where(lonely, 0.0, self.c_h / n_h)
        # "average": a lonely stratum that is not a census has no variance term (R: NA) and the
        # variance of the others is scaled up (see _average_factor)
        # c_h/k_h above are those of "adjust"; "average" leaves the terms of the lonely strata out
        # (see _average_factor)
        self.excluded = lonely & (f_h > 0) if self.average else np.zeros(len(n_h), dtype=bool)

    def without_fpc(self) -> _Design:
        """The same design without finite population correction (as ``population=None``); the
        per-stratum sums of :func:`_stratum_sums` do not depend on it and can be shared."""
        plain = copy.copy(self)
        plain._set_fpc(np.ones(len(self.n_h)))
        return plain

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


def _indicators(design: _Design, group_codes: np.ndarray, n_groups: int) -> tuple:
    """The row -> (stratum, group) and row -> (joint cell, group) indicator matrices of
    :func:`_stratum_sums`; they depend on the groups only, so chunks of variables share them."""
    n_rows = len(group_codes)
    keep = group_codes >= 0
    key = design.codes * n_groups + group_codes  # only used where keep
    indicator = sparse.csr_matrix(
        (np.ones(keep.sum()), (key[keep], np.flatnonzero(keep))),
        shape=(len(design.strata) * n_groups, n_rows))
    cal = design.calibration
    joint_ind = None if cal is None else sparse.csr_matrix(
        (np.ones(keep.sum()), ((cal.joint * n_groups + group_codes)[keep], np.flatnonzero(keep))),
        shape=(cal.n_joint * n_groups, n_rows))
    return keep, key, indicator, joint_ind


def _stratum_sums(design: _Design, y: np.ndarray, group_codes: np.ndarray,
                  n_groups: int, indicators: tuple | None = None) -> dict[str, np.ndarray]:
    """Per-(stratum, group, variable) sums, each of shape (strata, groups, variables).

    Two passes of one sparse group-by each: first the domain count, sum of weights and weighted
    sum (giving the stratum-domain means ``m``), then the second-order sums around ``m``. The
    variance sums ``vq``, ``vp``, ``vs2``, ``vs1`` (and ``vt`` with calibration) are those of
    the (residualised) influence values, see the module docstring.
    """
    n_rows, n_vars = y.shape
    n_strata = len(design.strata)
    in_domain = ~np.isnan(y) & (group_codes >= 0)[:, None]
    keep, key, indicator, joint_ind = indicators or _indicators(design, group_codes, n_groups)
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
    shape = (n_strata, n_groups, n_vars)
    cal = design.calibration
    if cal is None:
        second = np.asarray(indicator @ np.concatenate([w2d, w2d * e, w2d * e * e], axis=1))
        s2, p, q = (second[:, j * n_vars:(j + 1) * n_vars] for j in range(3))
        out = {name: arr.reshape(shape) for name, arr in
               dict(cnt=cnt, s1=s1, sy=sy, m=m, s2=s2, p=p, q=q).items()}
        out.update(vq=out["q"], vp=out["p"], vs2=out["s2"], vs1=out["s1"])
        return out

    # Calibrated: the influence values of a domain in stratum h are w (E + delta_h D) with
    # E = R[e], D = R[d] (R: the residualisation, per joint cell a shift a resp. b).
    n_cols = n_groups * n_vars

    def per_joint(x: np.ndarray) -> np.ndarray:
        return np.asarray(joint_ind @ x).reshape(cal.n_joint, n_cols)

    shifts = cal.residual_shifts(np.concatenate([per_joint(e), per_joint(d)], axis=1))
    a, b = shifts[:, :n_cols], shifts[:, n_cols:]
    # Rows in the domain of a column: E = e - a, D = 1 - b, summed row by row (so that a zero
    # variance stays zero); the other rows of the joint cell: E = -a, D = -b, times their
    # sums of w and w^2.
    row_key = np.where(keep, cal.joint * n_groups + group_codes, 0)
    a_row = a.reshape(-1, n_vars)[row_key]
    b_row = b.reshape(-1, n_vars)[row_key]
    big_e = np.where(in_domain, e - a_row, 0.0)
    big_d = np.where(in_domain, 1.0 - b_row, 0.0)
    b1, b2 = per_joint(wd), per_joint(w2d)
    out_w1, out_w2 = cal.w1[:, None] - b1, np.maximum(cal.w2[:, None] - b2, 0.0)
    parts = [
        per_joint(w * big_e) - a * out_w1,                     # vt  = sum w E
        per_joint(w * big_d) - b * out_w1,                     # vs1 = sum w D
        per_joint(w2d * big_e * big_e) + a * a * out_w2,       # vq  = sum w^2 E^2
        per_joint(w2d * big_e * big_d) + a * b * out_w2,       # vp  = sum w^2 E D
        per_joint(w2d * big_d * big_d) + b * b * out_w2,       # vs2 = sum w^2 D^2
        b2,                                                    # s2  = sum w^2 d (Kish)
    ]
    agg = np.asarray(cal.to_stratum @ np.concatenate(parts, axis=1))
    vt, vs1, vq, vp, vs2, s2 = (agg[:, j * n_cols:(j + 1) * n_cols].reshape(shape)
                                for j in range(6))
    out = {name: arr.reshape(shape) for name, arr in
           dict(cnt=cnt, s1=s1, sy=sy, m=m).items()}
    out.update(s2=s2, vt=vt, vs1=vs1, vq=vq, vp=vp, vs2=vs2)
    if n_groups > 1:  # per joint cell, for the covariances between groups (_group_covariance)
        joint_shape = (cal.n_joint, n_groups, n_vars)
        out.update(ja=a.reshape(joint_shape), jb=b.reshape(joint_shape),
                   jp=per_joint(w2d * e).reshape(joint_shape), jw2d=b2.reshape(joint_shape))
    return out


def _estimate_from_sums(design: _Design, sums: dict[str, np.ndarray],
                        area_mat: sparse.spmatrix) -> dict[str, np.ndarray]:
    """Estimates for the areas (rows of ``area_mat``); arrays of shape (areas, groups, vars).

    Per stratum h and area a with estimate r, the variance contribution is
    ``Q*_h + 2 P*_h (m_h - r) + G*_h (m_h - r)^2`` with ``Q* = c Q - k T^2``,
    ``P* = c P - k T S1`` and ``G* = c S2 - k S1^2`` (``Q``/``P``/``S2``: sums of
    ``w^2 E^2``, ``w^2 E D``, ``w^2 D^2``; ``T``/``S1``: sums of ``w E``, ``w D``; without
    calibration ``E = d (y - m_h)``, ``D = d`` and ``T = 0``). No term is a difference of large
    numbers, so a zero variance comes out as (nearly) exactly zero.
    """
    n_strata, n_groups, n_vars = sums["cnt"].shape
    c = design.c_h[:, None, None]
    k = design.k_h[:, None, None]
    f = design.f_h[:, None, None]
    cnt, s1, s2 = sums["cnt"], sums["s1"], sums["s2"]
    linear = np.stack([cnt, (cnt > 0).astype(float), s1, sums["sy"], s2, f * s2,
                       ((cnt > 0) & ~design.excluded[:, None, None]).astype(float)], axis=0)
    agg = np.asarray(area_mat @ linear.transpose(1, 0, 2, 3).reshape(n_strata, -1))
    agg = agg.reshape(area_mat.shape[0], 7, n_groups, n_vars)
    n, h_d, w_sum, total, sw2, fsw2, h_ok = (agg[:, j] for j in range(7))
    with np.errstate(divide="ignore", invalid="ignore"):
        est = total / w_sum
    # Variance: one term per (area, stratum) membership, summed per area.
    entries = sparse.coo_matrix(area_mat)
    a_idx, h_idx = entries.row, entries.col
    vs1 = sums["vs1"]
    if "vt" in sums:
        vt = sums["vt"]
        cq = (c * sums["vq"] - k * vt * vt)[h_idx]
        cp = (c * sums["vp"] - k * vt * vs1)[h_idx]
    else:
        cq = (c * sums["vq"])[h_idx]
        cp = (c * sums["vp"])[h_idx]
    g = np.maximum(c * sums["vs2"] - k * vs1 * vs1, 0.0)[h_idx]
    with np.errstate(invalid="ignore"):
        delta = sums["m"][h_idx] - np.nan_to_num(est)[a_idx]
        term = cq + 2.0 * cp * delta + g * delta * delta
    to_area = sparse.csr_matrix((np.ones(len(a_idx)), (a_idx, np.arange(len(a_idx)))),
                                shape=(area_mat.shape[0], len(a_idx)))
    num = np.asarray(to_area @ term.reshape(len(a_idx), -1)).reshape(est.shape)
    if design.excluded.any():  # "average": the lonely strata out, the others scaled up
        ok = ~design.excluded[h_idx]
        num_ok = np.asarray(to_area @ (term * ok[:, None, None]).reshape(len(a_idx), -1))
        factor = _average_factor(design, area_mat, h_d, h_ok)
        num = np.where(np.isnan(factor), num, num_ok.reshape(est.shape) * factor)
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


def _average_factor(design: _Design, area_mat: sparse.spmatrix, h_d: np.ndarray,
                    h_ok: np.ndarray) -> np.ndarray:
    """R's ``survey.lonely.psu = "average"``: the variance times (strata) / (strata with a term).

    ``h_d``/``h_ok``: per (area, group, variable) the strata with respondents in the domain, and
    those of them that are not lonely. R counts the strata of the design it is given. Without
    calibration ``subset()`` drops the rows outside the domain: the domain's strata. A calibrated
    design keeps every row in ``subset()``, so R would count every stratum of the national
    design and a lonely gemeente anywhere would scale up every SE; we count the strata of the
    area instead (R on the design of the area's gemeenten alone, which has the same weights and
    residualisation because the calibration cells lie within gemeenten). NaN where no stratum has
    a term (R: 0 x Inf = NaN; the caller then uses "adjust").
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if design.calibration is not None:
            h_d = np.asarray(area_mat.sum(axis=1)).reshape(-1, 1, 1)
            h_ok = np.asarray(area_mat @ (~design.excluded).astype(float)).reshape(-1, 1, 1)
        return np.where(h_ok > 0, h_d / np.where(h_ok > 0, h_ok, 1.0), np.nan)


def _group_codes(data: pd.DataFrame, by: str | None) -> tuple[np.ndarray, list]:
    if by is None:
        return np.zeros(len(data), dtype=np.int64), [None]
    _require_columns(data, [by])
    codes, values = pd.factorize(data[by], sort=True)
    return codes.astype(np.int64), list(values)


def _estimate_matrix(design: _Design, data: pd.DataFrame, variables: Sequence[str],
                     by: str | None, area_mat: sparse.spmatrix) -> tuple[dict, list]:
    """Estimates for the areas (rows of ``area_mat``): arrays of shape (areas, groups, vars)."""
    sums, groups = _design_sums(design, data, variables, by)
    return _estimate_or_empty(design, sums, groups, area_mat, len(variables)), groups


def _estimate_or_empty(design: _Design, sums: dict | None, groups: list, area_mat: sparse.spmatrix,
                       n_vars: int) -> dict:
    if not groups:  # the subgroup column is empty: no domains
        empty = np.zeros((area_mat.shape[0], 0, n_vars))
        return {name: empty.astype(np.int64) if name in ("n", "df") else empty
                for name in ESTIMATE_COLUMNS[4:]}
    return _estimate_from_sums(design, sums, area_mat)


def _design_sums(design: _Design, data: pd.DataFrame, variables: Sequence[str],
                 by: str | None) -> tuple[dict | None, list]:
    """The per-stratum sums of :func:`_stratum_sums` for ``variables`` (None without groups), and the groups."""
    _require_columns(data, list(variables))
    if len(variables) == 0:
        raise ValueError("geen variabelen opgegeven")
    group_codes, groups = _group_codes(data, by)
    variables = list(variables)
    # The sums of every variable are independent of the other variables: they are computed for a
    # few variables at a time, so that the (respondents x variables) temporaries stay bounded
    # (memory linear in the respondents, whatever the number of variables).
    step = max(1, _CHUNK_ELEMENTS // max(len(data), 1))
    parts = []
    indicators = _indicators(design, group_codes, len(groups)) if groups else None
    for start in range(0, len(variables), step):
        y = np.column_stack([_float_column(data, v) for v in variables[start:start + step]])
        if np.isinf(y).any():
            raise ValueError("de variabelen bevatten oneindige waarden")
        if groups:
            parts.append(_stratum_sums(design, y, group_codes, len(groups), indicators))
        del y
    if not groups:
        return None, groups
    sums = parts[0] if len(parts) == 1 else {k: np.concatenate([p[k] for p in parts], axis=-1) for k in parts[0]}
    return sums, groups


def _shared_sums(cache: dict | None, design: _Design, data: pd.DataFrame, variables: Sequence[str],
                 by: str | None, columns: tuple) -> tuple[dict | None, list]:
    """:func:`_design_sums`, looked up in (and stored into) ``cache`` when given. The sums of each
    variable are computed column by column, so the sums of the first variables of a cached call are
    a slice of its arrays (the same numbers bit for bit)."""
    if cache is None:
        return _design_sums(design, data, variables, by)
    variables = list(variables)
    base = (columns, by, len(data))
    for (key, cached_vars), (sums, groups) in cache.items():
        if key == base and cached_vars[:len(variables)] == tuple(variables):
            if sums is None or len(cached_vars) == len(variables):
                return sums, groups
            return {k: v[..., :len(variables)] for k, v in sums.items()}, groups
    sums, groups = _design_sums(design, data, variables, by)
    cache[(base, tuple(variables))] = (sums, groups)
    return sums, groups


#: at most this many (respondent x variable) values at once in :func:`_estimate_matrix`
_CHUNK_ELEMENTS = 500_000


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
    calibration: Calibration | None = None,
    lonely_psu: LonelyPSU = "average",
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
    calibration
        How the weights were calibrated (:class:`Calibration`, from
        :func:`ceo.stats.weighting.compute_weights`), for the calibration-aware variance; ``None``:
        fixed weights.
    lonely_psu
        A stratum with one respondent: ``"average"`` (default) or ``"adjust"``, as R's
        ``options(survey.lonely.psu = ...)``; see the module docstring.

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
    design = _Design(data, stratum=stratum, weight=weight, population=population,
                     calibration=calibration, lonely_psu=lonely_psu)
    area_names, area_mat = design.area_matrix(areas)
    result, groups = _estimate_matrix(design, data, variables, by, area_mat)
    return _tidy(result, area_names, groups, variables, by)


def domain_estimates_with_and_without_fpc(
    data: pd.DataFrame,
    variables: Sequence[str],
    *,
    stratum: str,
    weight: str,
    population: str | None,
    areas: Mapping[str, Sequence[str]] | None = None,
    by: str | None = None,
    calibration: Calibration | None = None,
    lonely_psu: LonelyPSU = "average",
    shared_sums: dict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`domain_estimates` with ``population`` and with ``population=None`` (no fpc), from one
    pass over the respondents: the per-stratum sums do not depend on the fpc, only the constants
    that combine them do. The two frames equal those of the two separate calls.

    ``shared_sums``: a dict shared by calls on the *same* ``data``, weights and calibration (here and in
    :func:`compare_with_rest_of_region`); the per-stratum sums of a variable and subgroup column are
    computed once and reused (they are exactly the same arrays either way)."""
    design = _Design(data, stratum=stratum, weight=weight, population=population,
                     calibration=calibration, lonely_psu=lonely_psu)
    area_names, area_mat = design.area_matrix(areas)
    sums, groups = _shared_sums(shared_sums, design, data, variables, by, (stratum, weight))
    return tuple(_tidy(_estimate_or_empty(d, sums, groups, area_mat, len(variables)), area_names, groups,
                       variables, by) for d in (design, design.without_fpc()))


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


def _effective_sizes(p: np.ndarray, se: np.ndarray, n: np.ndarray,
                     n_eff_fpc: np.ndarray | pd.Series | None) -> tuple[np.ndarray, np.ndarray]:
    """Effective sample sizes of proportions: ``(n_star, n_star_fallback)``.

    ``n_star`` = :math:`\\hat p(1-\\hat p)/se^2` (NaN where it is not defined), the fallback
    ``n_eff_fpc`` (default ``n``); both are capped at ``n`` (a design effect below 1, e.g. from
    the fpc, does not make the sample look larger than it is), except that an infinite fallback
    (a census) stays infinite.
    """
    n_fb = n if n_eff_fpc is None else np.broadcast_to(np.asarray(n_eff_fpc, float), p.shape)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        n_star = np.minimum(p * (1 - p) / (se * se), n)
    return n_star, np.where(np.isinf(n_fb), n_fb, np.minimum(n_fb, n))


def _kg_factor(n: np.ndarray, df: np.ndarray, alpha: float) -> np.ndarray:
    """Korn-Graubard degrees-of-freedom adjustment; 1 for a single stratum, none if df <= 0."""
    ok = (df > 0) & (n > 1)
    return np.where(ok, (_t_quantile(alpha / 2, np.where(ok, n - 1, 1))
                         / _t_quantile(alpha / 2, np.where(ok, df, 1))) ** 2, 1.0)


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
    n_star, n_star_fb = _effective_sizes(p, se, n, n_eff_fpc)
    alpha = 1.0 - level
    # an SE that is not estimable (NaN, e.g. a lonely stratum under "average") uses the fallback
    valid = np.isfinite(p) & ~np.isinf(se) & (n >= 1)
    interior = valid & (p > 0) & (p < 1)
    regular = interior & (se > 0) & (df > 0)
    census = interior & (se == 0) & (df > 0)
    fallback = valid & ~regular & ~census

    pq = p * (1 - p)
    kg = _kg_factor(n, df, alpha)
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
    method: MeanMethod = "t",
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised confidence interval for means; returns ``(lower, upper)``.

    ``"t"`` (default) uses Student's t with ``df``, as the proportion intervals do (R
    ``confint(svymean(...), df = degf(design))``); ``"normal"`` equals R's plain
    ``confint(svymean(...))``.
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
    mean_method: MeanMethod = "t",
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


def _t_sf2(stat: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Two-sided p-value of a t statistic with ``df`` (normal for infinite df; NaN if df <= 0)."""
    stat, df = np.broadcast_arrays(np.asarray(stat, float), np.asarray(df, float))
    with np.errstate(invalid="ignore"):
        p = 2.0 * special.stdtr(np.where(df > 0, df, 1.0), -np.abs(stat))
    p = np.where(np.isinf(df), 2.0 * special.ndtr(-np.abs(stat)), p)
    return np.where((df > 0) & ~np.isnan(stat), p, np.nan)


def _welch_df(v1: np.ndarray, df1: np.ndarray, v2: np.ndarray, df2: np.ndarray) -> np.ndarray:
    """Welch-Satterthwaite df of a difference with variances ``v1``, ``v2`` (a term with variance
    0 or infinite df drops out; both variances 0 gives infinite df)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        t1 = np.where(v1 > 0, v1 * v1 / df1, 0.0)
        t2 = np.where(v2 > 0, v2 * v2 / df2, 0.0)
        den = t1 + t2
        return np.where(den > 0, (v1 + v2) ** 2 / den, np.inf)


def proportion_test(
    p: np.ndarray | pd.Series,
    se: np.ndarray | pd.Series,
    value: np.ndarray | pd.Series | float,
    *,
    n: np.ndarray | pd.Series,
    df: np.ndarray | pd.Series,
    n_eff_fpc: np.ndarray | pd.Series | None = None,
    method: ProportionMethod = "logit",
    level: float = 0.95,
) -> np.ndarray:
    """Two-sided p-values of "the proportion equals the fixed ``value``", the dual of
    :func:`proportion_ci` with the same arguments: ``p_value < 1 - level`` exactly when
    ``value`` lies outside the interval (``level`` only matters for the Korn-Graubard df
    adjustment). ``logit``: t test on the logit scale; ``beta`` and every fallback case
    (:math:`\\hat p \\in \\{0, 1\\}`, ``df <= 0``): the exact (Clopper-Pearson) binomial test on
    the effective size; ``wilson``: the score test. A census domain (SE 0 and infinite
    ``n_eff_fpc``) gives 0 for a different value and 1 for an equal one.
    """
    if method not in ("logit", "beta", "wilson"):
        raise ValueError(f"onbekende methode '{method}' voor een toets; kies logit, beta of wilson")
    p, se, v, n, df = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in (p, se, value, n, df)))
    n_star, n_star_fb = _effective_sizes(p, se, n, n_eff_fpc)
    alpha = 1.0 - level
    valid = np.isfinite(p) & ~np.isinf(se) & (n >= 1) & np.isfinite(v)
    interior = valid & (p > 0) & (p < 1)
    regular = interior & (se > 0) & (df > 0)
    census = interior & (se == 0) & (df > 0)
    kg = _kg_factor(n, df, alpha)
    same = (p == v).astype(float)  # p-value of an exact figure: 1 if equal, else 0

    def exact(x_n: np.ndarray) -> np.ndarray:
        """Clopper-Pearson dual: twice the smaller binomial tail at effective size x_n."""
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            x = x_n * p
            upper_tail = np.where(p > 0, special.betainc(np.maximum(x, 1e-300),
                                                         x_n - x + 1.0, v), 1.0)  # P(X >= x)
            lower_tail = np.where(p < 1, special.betaincc(x + 1.0, np.maximum(x_n - x, 1e-300),
                                                          v), 1.0)  # P(X <= x)
            out = np.minimum(1.0, 2.0 * np.minimum(upper_tail, lower_tail))
        return np.where(np.isinf(x_n), same, out)

    def score(x_n: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            stat = (p - v) / np.sqrt(v * (1 - v) / x_n)
        stat = np.where(p == v, 0.0, stat)
        return np.where(np.isinf(x_n), same, 2.0 * special.ndtr(-np.abs(stat)))

    if method == "logit":
        with np.errstate(invalid="ignore", divide="ignore"):
            stat = (special.logit(p) - special.logit(v)) * p * (1 - p) / se
        # the logit interval of an interior estimate never reaches 0 or 1
        main = np.where((v > 0) & (v < 1), _t_sf2(stat, df), same)
    elif method == "beta":
        main = exact(n_star * kg)
    else:
        main = score(n_star)
    fb = score(n_star_fb) if method == "wilson" else exact(n_star_fb * kg)
    out = np.where(regular, main, np.where(census, same, fb))
    return np.where(valid, out, np.nan)


def mean_test(
    m: np.ndarray | pd.Series,
    se: np.ndarray | pd.Series,
    value: np.ndarray | pd.Series | float,
    *,
    df: np.ndarray | pd.Series,
    n_eff_fpc: np.ndarray | pd.Series | None = None,
) -> np.ndarray:
    """Two-sided p-values of "the mean equals the fixed ``value``": the t test with ``df``, dual
    of :func:`mean_ci` with ``method="t"``. An SE of 0 is only taken at its word for a census
    (infinite ``n_eff_fpc``); otherwise (everybody gave the same answer) the variance is not
    estimable and the p-value is NaN, as it is for ``df <= 0``.
    """
    m, se, v, df = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in (m, se, value, df)))
    census = (np.zeros(m.shape, bool) if n_eff_fpc is None
              else np.isinf(np.broadcast_to(np.asarray(n_eff_fpc, float), m.shape)))
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = (m - v) / se
    out = _t_sf2(np.where(m == v, 0.0, stat), df)
    out = np.where(se == 0, np.where(census & (df > 0), (m == v).astype(float), np.nan), out)
    return np.where(np.isfinite(m) & np.isfinite(v) & np.isfinite(se), out, np.nan)


def compare(
    estimate: np.ndarray | pd.Series,
    se: np.ndarray | pd.Series,
    reference: np.ndarray | pd.Series | float,
    reference_se: np.ndarray | pd.Series | float = 0.0,
    *,
    level: float = 0.95,
    df: np.ndarray | pd.Series | float | None = None,
    reference_df: np.ndarray | pd.Series | float | None = None,
    proportion: np.ndarray | pd.Series | bool = False,
    n_eff: np.ndarray | pd.Series | float | None = None,
    reference_n_eff: np.ndarray | pd.Series | float | None = None,
) -> pd.DataFrame:
    """Difference of two independent estimates, vectorised.

    Returns a DataFrame (index of ``estimate`` when it is a Series) with ``difference``
    (estimate - reference), ``se_difference`` (sqrt(se^2 + reference_se^2)), ``statistic``,
    ``df_difference``, ``p_value`` (two-sided) and ``significant`` (p_value < 1 - level, not
    corrected for multiplicity).

    ``df``/``reference_df`` are the degrees of freedom of each estimate (None: infinite); the
    difference has the Welch-Satterthwaite df. ``n_eff``/``reference_n_eff`` are the effective
    sample sizes used when an SE says nothing (infinite: the figure is exact, e.g. a census or
    a fixed benchmark; a reference with SE 0 and no size is exact). ``proportion`` marks 0-1
    proportions. The test is Welch's t on the difference, except for a *degenerate* side (not
    exact, and SE 0, or a proportion of 0 or 1), where ``diff / 0`` would make everything
    significant: proportions then get the pooled score test
    :math:`(\\hat p_1-\\hat p_2)/\\sqrt{\\bar p(1-\\bar p)(1/n_1^*+1/n_2^*)}` with
    :math:`n^* = \\hat p(1-\\hat p)/se^2` where that is defined and the given effective size
    otherwise, and means borrow the per-respondent variance of the other side
    (:math:`se^2 n^*`). Without that information the p-value is NaN (not significant).
    """
    if not 0 < level < 1:
        raise ValueError("het betrouwbaarheidsniveau moet tussen 0 en 1 liggen")
    index = estimate.index if isinstance(estimate, pd.Series) else None
    def nan_or(a, default):
        return default if a is None else a

    est, s1, ref, s2, d1, d2, prop, n1, n2 = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (
        estimate, se, reference, reference_se, nan_or(df, np.inf), nan_or(reference_df, np.inf),
        proportion, nan_or(n_eff, np.nan), nan_or(reference_n_eff, np.nan)))
    est, s1, ref, s2, d1, d2, prop, n1, n2 = np.broadcast_arrays(
        est, s1, ref, s2, d1, d2, prop, n1, n2)
    prop = prop.astype(bool)
    n2 = np.where(np.isnan(n2) & (s2 == 0), np.inf, n2)  # a fixed reference is exact
    diff = est - ref
    v1, v2 = s1 * s1, s2 * s2
    se_diff = np.sqrt(v1 + v2)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # effective sizes of proportions: from the SE where it is informative
        inf1 = prop & (est > 0) & (est < 1) & (s1 > 0)
        inf2 = prop & (ref > 0) & (ref < 1) & (s2 > 0)
        ns1 = np.where(inf1 & ~np.isinf(n1), est * (1 - est) / v1, n1)
        ns2 = np.where(inf2 & ~np.isinf(n2), ref * (1 - ref) / v2, n2)
        exact1, exact2 = np.isinf(n1), np.isinf(n2)
        bad1 = ~exact1 & ((s1 == 0) | (prop & ((est <= 0) | (est >= 1))))
        bad2 = ~exact2 & ((s2 == 0) | (prop & ((ref <= 0) | (ref >= 1))))
        degenerate = bad1 | bad2
        # proportions: pooled score variance
        share1 = np.where(exact1, 1.0, np.where(exact2, 0.0, ns1 / (ns1 + ns2)))
        pbar = share1 * est + (1 - share1) * ref
        pq = pbar * (1 - pbar)
        sv1 = np.where(exact1, 0.0, pq / ns1)
        sv2 = np.where(exact2, 0.0, pq / ns2)
        # means: a side without variance borrows the other side's per-respondent variance
        mv1 = np.where(bad1, v2 * np.where(exact2, np.nan, ns2) / n1, v1)
        mv2 = np.where(bad2, v1 * np.where(exact1, np.nan, ns1) / n2, v2)
        mv1 = np.where(bad1 & bad2, np.nan, mv1)
        dv1 = np.where(degenerate, np.where(prop, sv1, mv1), v1)
        dv2 = np.where(degenerate, np.where(prop, sv2, mv2), v2)
        test_se = np.sqrt(dv1 + dv2)
        stat = diff / test_se
        stat = np.where(diff == 0, 0.0, stat)
        ddf = _welch_df(dv1, d1, dv2, d2)
    p_value = _t_sf2(stat, ddf)
    # both figures exact (census, fixed value): any difference is real
    both_exact = exact1 & exact2 & np.isfinite(diff)
    p_value = np.where(both_exact, (diff == 0).astype(float), p_value)
    p_value = np.where(np.isnan(diff), np.nan, p_value)
    return pd.DataFrame({
        "difference": diff, "se_difference": se_diff, "statistic": np.where(both_exact, np.nan, stat),
        "df_difference": ddf, "p_value": p_value, "significant": p_value < 1.0 - level,
    }, index=index)


def compare_estimates(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    *,
    on: Sequence[str] = ("area", "by", "group", "variable"),
    proportions: Collection[str] = (),
    level: float = 0.95,
) -> pd.DataFrame:
    """Compare two :func:`domain_estimates` frames of independent samples (e.g. two editions).

    Inner join on ``on``; the result has the key columns, ``estimate``/``se``/``n``/``df`` of
    both (suffixes ``_current`` and ``_previous``) and the columns of :func:`compare` (with the
    df and ``n_eff_fpc`` of both; ``proportions`` lists the 0-1 variables). For two editions,
    estimate both *without* a population column: each edition is a draw from a
    super-population, so no finite population correction.
    """
    keep = [*on, "estimate", "se", "n", "df", "n_eff_fpc"]
    merged = current[keep].merge(previous[keep], on=list(on), how="inner",
                                 suffixes=("_current", "_previous"))
    res = compare(merged["estimate_current"], merged["se_current"],
                  merged["estimate_previous"], merged["se_previous"], level=level,
                  df=merged["df_current"], reference_df=merged["df_previous"],
                  proportion=merged["variable"].isin(list(proportions)).to_numpy(),
                  n_eff=np.minimum(merged["n_eff_fpc_current"], merged["n_current"]),
                  reference_n_eff=np.minimum(merged["n_eff_fpc_previous"],
                                             merged["n_previous"]))
    return pd.concat([merged.drop(columns=["n_eff_fpc_current", "n_eff_fpc_previous"]), res],
                     axis=1)


def compare_with_benchmark(
    estimates: pd.DataFrame,
    value: float | np.ndarray | pd.Series,
    *,
    se: float | np.ndarray | pd.Series | None = None,
    n: float | np.ndarray | pd.Series | None = None,
    proportions: Collection[str] = (),
    method: ProportionMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """Compare the rows of a :func:`domain_estimates` frame with an external benchmark.

    The benchmark ``value`` (scalar or one per row) has a given ``se``, or an SE
    :func:`benchmark_se` from its sample size ``n``, or neither (a fixed number, SE 0).
    Returns ``estimates`` with the columns ``benchmark``, ``benchmark_se`` and those of
    :func:`compare`. A fixed number is tested with the dual of the row's interval
    (:func:`proportion_test` with ``method`` for the variables in ``proportions``,
    :func:`mean_test` otherwise): significant exactly when it lies outside the interval.
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
    is_prop = out["variable"].isin(list(proportions)).to_numpy()
    n_fb = np.minimum(out["n_eff_fpc"].to_numpy(float), out["n"].to_numpy(float))
    n_fb = np.where(np.isinf(out["n_eff_fpc"].to_numpy(float)), np.inf, n_fb)
    res = compare(out["estimate"].to_numpy(), out["se"].to_numpy(), value, ref_se, level=level,
                  df=out["df"].to_numpy(float), proportion=is_prop, n_eff=n_fb)
    res.index = out.index
    fixed = ref_se == 0
    if fixed.any():
        args = (out["estimate"].to_numpy(), out["se"].to_numpy(), value)
        p_prop = proportion_test(*args, n=out["n"].to_numpy(float), df=out["df"].to_numpy(float),
                                 n_eff_fpc=out["n_eff_fpc"], method=method, level=level)
        p_mean = mean_test(*args, df=out["df"].to_numpy(float), n_eff_fpc=out["n_eff_fpc"])
        p_fixed = np.where(is_prop, p_prop, p_mean)
        res["p_value"] = np.where(fixed, p_fixed, res["p_value"].to_numpy())
        res["significant"] = res["p_value"].to_numpy() < 1.0 - level
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
    proportions: Collection[str] = (),
    level: float = 0.95,
    calibration: Calibration | None = None,
    lonely_psu: LonelyPSU = "average",
    shared_sums: dict | None = None,
) -> pd.DataFrame:
    """Each gemeente of each region against the rest of that region, in one vectorised pass.

    ``regions``: region name -> its strata (gemeenten). For every (region, gemeente,
    group, variable) the result has ``region``, ``gemeente``, ``by``, ``group``, ``variable``,
    ``n``/``estimate``/``se``/``df`` of the gemeente and of the rest of the region (suffixes
    ``_gemeente`` and ``_rest``) and the columns of :func:`compare` (Welch df; the score test
    with ``n_eff_fpc`` for degenerate proportions, listed in ``proportions``; a census gemeente
    is exact: same edition, same finite population). Gemeente and rest consist
    of different strata, so they are independent; this equals R's
    ``svyby(~y, ~in_gemeente, subset(des, region), svymean, covmat = TRUE)`` + ``svycontrast``.
    """
    design = _Design(data, stratum=stratum, weight=weight, population=population,
                     calibration=calibration, lonely_psu=lonely_psu)
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
    sums, groups = _shared_sums(shared_sums, design, data, variables, by, (stratum, weight))
    result = _estimate_or_empty(design, sums, groups, both, len(variables))
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
        "df_gemeente": gm["df"],
        "n_rest": rest["n"], "estimate_rest": rest["estimate"], "se_rest": rest["se"],
        "df_rest": rest["df"],
    })

    def size(part: dict) -> np.ndarray:
        nf = part["n_eff_fpc"]
        return np.where(np.isinf(nf), nf, np.minimum(nf, part["n"]))

    res = compare(out["estimate_gemeente"], out["se_gemeente"], out["estimate_rest"],
                  out["se_rest"], level=level, df=gm["df"], reference_df=rest["df"],
                  proportion=out["variable"].isin(list(proportions)).to_numpy(),
                  n_eff=size(gm), reference_n_eff=size(rest))
    return pd.concat([out, res], axis=1)


# --------------------------------------------------------------------------------------------
# Differences between groups
# --------------------------------------------------------------------------------------------


def _group_covariance(design: _Design, sums: dict, area_mat: sparse.spmatrix,
                      include: np.ndarray) -> dict[str, np.ndarray]:
    """Estimates and the full design-based covariance matrix of the domain estimates of the groups
    of every (area, variable), for the groups marked in ``include`` (areas, groups, variables).

    The covariance of groups ``g`` and ``g'`` in an area is, as R's ``svyrecvar`` on the influence
    values of ``svyby(..., covmat = TRUE)``, :math:`\\sum_h c_h \\sum_{i\\in h} x_{ig} x_{ig'} -
    k_h (\\sum_{i \\in h} x_{ig})(\\sum_{i\\in h} x_{ig'})` over :math:`\\hat W_g \\hat W_{g'}`, with
    :math:`x_g = w (E_g + \\delta_{hg} D_g)` the (residualised) influence values of the variance of
    :func:`_estimate_from_sums` (its diagonal is that variance). Without calibration the domains are
    disjoint, so only the stratum centring couples the groups; with calibration the residualisation
    shifts every row of a joint cell, and the cross sums come from the per-joint-cell sums of
    :func:`_stratum_sums` (``ja``/``jb``: shifts of ``e`` and ``d``, ``jp``: sum of ``w^2 e``,
    ``jw2d``: sum of ``w^2 d``). ``"average"`` lonely strata: the strata of the design of the test
    (respondents of the included groups), as R on that subset. Returns arrays ``estimate``, ``n``,
    ``n_eff_fpc`` (areas, groups, variables), ``cov`` (areas, variables, groups, groups) and ``n_s``,
    ``h_s`` (respondents and strata of the included groups, per area and variable).
    """
    n_strata, n_groups, n_vars = sums["cnt"].shape
    n_areas = area_mat.shape[0]
    include = np.asarray(include, dtype=bool)
    entries = sparse.coo_matrix(area_mat)
    a_idx, h_idx = entries.row, entries.col
    n_mem = len(a_idx)
    to_area = sparse.csr_matrix((np.ones(n_mem), (a_idx, np.arange(n_mem))), shape=(n_areas, n_mem))
    f = design.f_h[:, None, None]
    linear = np.stack([sums["cnt"], sums["s1"], sums["sy"], f * sums["s2"]], axis=0)
    agg = np.asarray(area_mat @ linear.transpose(1, 0, 2, 3).reshape(n_strata, -1))
    n, w_sum, total, fsw2 = (agg.reshape(n_areas, 4, n_groups, n_vars)[:, j] for j in range(4))
    with np.errstate(divide="ignore", invalid="ignore"):
        est = total / w_sum
    delta = sums["m"][h_idx] - np.nan_to_num(est)[a_idx]          # (memberships, G, V)
    diag = sums["vq"][h_idx] + 2.0 * sums["vp"][h_idx] * delta + sums["vs2"][h_idx] * delta * delta
    t = sums["vs1"][h_idx] * delta + (sums["vt"][h_idx] if "vt" in sums else 0.0)
    # (memberships, V, G, G): c * sum x x' - k * t t'
    diag_v, t_v, d_v = (x.transpose(0, 2, 1) for x in (diag, t, delta))
    cross = np.zeros((n_mem, n_vars, n_groups, n_groups))
    cal = design.calibration
    if cal is not None and n_groups > 1:
        ee, ed, dd = (x[h_idx] for x in _calibrated_cross_sums(cal, sums, n_strata))
        dg, dgp = d_v[..., :, None], d_v[..., None, :]
        cross = ee + dgp * ed + dg * ed.swapaxes(-1, -2) + dg * dgp * dd
    eye = np.eye(n_groups, dtype=bool)
    cross = np.where(eye, diag_v[..., None] * eye, cross)
    c = design.c_h[h_idx][:, None, None, None]
    k = design.k_h[h_idx][:, None, None, None]
    term = c * cross - k * t_v[..., :, None] * t_v[..., None, :]
    num = np.asarray(to_area @ term.reshape(n_mem, -1)).reshape(n_areas, n_vars, n_groups, n_groups)
    # the strata and respondents of the design of the test: the included groups
    inc_v = include.transpose(0, 2, 1)                               # (A, V, G)
    has = ((sums["cnt"][h_idx] > 0).transpose(0, 2, 1) & inc_v[a_idx]).any(axis=-1)   # (M, V)
    h_s = np.asarray(to_area @ has.astype(float))
    n_s = (np.where(include, n, 0.0)).sum(axis=1)                  # (A, V)
    if design.excluded.any():  # "average": the lonely strata out, the others scaled up
        ok = ~design.excluded[h_idx]
        num_ok = np.asarray(to_area @ (term * ok[:, None, None, None]).reshape(n_mem, -1)).reshape(num.shape)
        if cal is not None:
            h_d = np.repeat(np.asarray(area_mat.sum(axis=1)), n_vars, axis=1)
            h_ok = np.repeat(np.asarray(area_mat @ (~design.excluded).astype(float))[:, None], n_vars, axis=1)
        else:
            h_d = h_s
            h_ok = np.asarray(to_area @ (has & ok[:, None]).astype(float))
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(h_ok > 0, h_d / np.where(h_ok > 0, h_ok, 1.0), np.nan)
        num = np.where(np.isnan(factor)[..., None, None], num, num_ok * factor[..., None, None])
    w_v = w_sum.transpose(0, 2, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = num / (w_v[..., :, None] * w_v[..., None, :])
        n_eff_fpc = np.where(fsw2 > 0, w_sum * w_sum / fsw2, np.inf)
    return {"estimate": est, "n": n, "n_eff_fpc": n_eff_fpc, "cov": cov, "n_s": n_s, "h_s": h_s}


def _calibrated_cross_sums(cal: _CalibrationCells, sums: dict, n_strata: int) -> tuple[np.ndarray, ...]:
    """Per stratum the sums over its rows of ``w^2 E_g E_g'``, ``w^2 E_g D_g'`` and ``w^2 D_g D_g'`` for
    groups ``g != g'`` (the diagonal is not used), each of shape (strata, variables, groups, groups).

    The domains of two groups are disjoint, so a row of joint cell ``j`` contributes ``(e - a_g)(-a_g')``
    when in group ``g``, ``(-a_g)(e - a_g')`` when in ``g'`` and ``a_g a_g'`` otherwise: per joint cell
    ``-a_g' P_g - a_g P_g' + a_g a_g' W2`` (``P``: sum of ``w^2 e`` of the group, ``W2``: of ``w^2`` of the
    cell), and likewise with ``D = d - b``. Summed per stratum as batched matrix products of the joint
    cells of each stratum (padded to the largest stratum), a few strata at a time."""
    a, b, p, q = (sums[k] for k in ("ja", "jb", "jp", "jw2d"))          # (J, G, V)
    n_groups, n_vars = a.shape[1], a.shape[2]
    order = np.argsort(cal.stratum, kind="stable")
    strat = cal.stratum[order]
    counts = np.bincount(strat, minlength=n_strata)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(len(order)) - start[strat]
    j_max = int(counts.max()) if len(counts) else 0
    out = [np.zeros((n_strata, n_vars, n_groups, n_groups)) for _ in range(3)]
    step = max(1, _CHUNK_ELEMENTS // max(1, j_max * n_groups * n_vars))
    w2 = cal.w2[order]

    def gram(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.swapaxes(x, -1, -2) @ y  # per stratum and variable: sum_j x_jg y_jg'

    def tr(x: np.ndarray) -> np.ndarray:
        return np.swapaxes(x, -1, -2)

    for lo in range(0, n_strata, step):  # bounded memory; a handful of chunks for the whole country
        hi = min(n_strata, lo + step)
        sel = (strat >= lo) & (strat < hi)
        at = (strat[sel] - lo, pos[sel])
        blocks = []
        for x in (a, b, p, q):  # (J, G, V) -> (strata of the chunk, V, J_max, G), zeros for the padding
            block = np.zeros((hi - lo, j_max, n_groups, n_vars))
            block[at] = x[order[sel]]
            blocks.append(block.transpose(0, 3, 1, 2))
        ca, cb_, cp, cq = blocks
        cw = np.zeros((hi - lo, 1, j_max, 1))
        cw[at[0], 0, at[1], 0] = w2[sel]
        pa, pb, aq, bq = gram(cp, ca), gram(cp, cb_), gram(ca, cq), gram(cb_, cq)
        wa = cw * ca
        out[0][lo:hi] = -pa - tr(pa) + gram(wa, ca)             # E_g E_g'
        out[1][lo:hi] = -pb - aq + gram(wa, cb_)                # E_g D_g'
        out[2][lo:hi] = -bq - tr(bq) + gram(cw * cb_, cb_)      # D_g D_g'
    return tuple(out)


def _wald_equal(est: np.ndarray, cov: np.ndarray, include: np.ndarray, exact: np.ndarray,
                degenerate: np.ndarray, ddf: np.ndarray) -> dict[str, np.ndarray]:
    """The Wald test of "all included groups have the same value", per (area, variable).

    ``est``, ``include``, ``exact``, ``degenerate``: (N, G); ``cov``: (N, G, G); ``ddf``: (N,). The
    statistic :math:`W = (C\\hat\\theta)'(CVC')^{-1}(C\\hat\\theta)` with the contrasts of every included
    group against the first, :math:`F = W/(K-1)` on :math:`(K-1, ddf)` degrees of freedom. Not tested
    (NaN): fewer than two groups, ``ddf <= 0``, a degenerate group (no variance but not exact), two or
    more exact groups next to sampled ones, or a contrast covariance that is not positive definite.
    All groups exact (a census): p = 1 when the values are equal, 0 otherwise, no statistic.
    """
    n_rows, n_groups = est.shape
    k = include.sum(axis=1)
    ref = np.argmax(include, axis=1)
    rows = np.arange(n_rows)
    others = include.copy()
    others[rows, ref] = False
    theta_r = est[rows, ref]
    d = np.where(others, est - theta_r[:, None], 0.0)
    v_rr = cov[rows, ref, ref]
    v_gr = cov[rows, :, ref]
    s = cov - v_gr[:, :, None] - v_gr[:, None, :] + v_rr[:, None, None]
    both = others[:, :, None] & others[:, None, :]
    eye = np.eye(n_groups, dtype=bool)
    s = np.where(both, s, eye * 1.0)
    n_exact = (exact & include).sum(axis=1)
    all_exact = (n_exact == k) & (k >= 2)
    bad = (degenerate & include & ~exact).any(axis=1) | ((n_exact >= 2) & ~all_exact)
    sd = np.sqrt(np.where(others, np.diagonal(s, axis1=1, axis2=2), 1.0))
    ok_scale = np.all(np.isfinite(sd) & (sd > 0), axis=1)
    testable = (k >= 2) & ~bad & ~all_exact & ok_scale & (ddf > 0) & np.isfinite(d).all(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = s / (sd[:, :, None] * sd[:, None, :])
    corr = np.where(testable[:, None, None], corr, eye * 1.0)
    corr = np.where(np.isfinite(corr), corr, eye * 1.0)
    min_eig = np.linalg.eigvalsh(corr)[:, 0]
    testable &= min_eig > 1e-10
    corr = np.where(testable[:, None, None], corr, eye * 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(testable[:, None], d / sd, 0.0)
    wald = np.einsum("ng,ng->n", z, np.linalg.solve(corr, z[..., None])[..., 0])
    df1 = (k - 1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = wald / df1
        p = special.fdtrc(np.where(testable, df1, 1.0), np.where(testable, ddf, 1.0),
                          np.where(testable, np.maximum(stat, 0.0), 0.0))
    equal = np.max(np.where(include, est, -np.inf), axis=1) == np.min(np.where(include, est, np.inf), axis=1)
    p = np.where(testable, p, np.where(all_exact, equal.astype(float), np.nan))
    return {"k": k, "df1": np.where(k >= 2, df1, np.nan), "wald": np.where(testable, wald, np.nan),
            "statistic": np.where(testable, stat, np.nan), "p_value": p, "exact": all_exact}


def group_difference_tests(
    data: pd.DataFrame,
    variables: Sequence[str],
    *,
    stratum: str,
    weight: str,
    population: str | None = None,
    areas: Mapping[str, Sequence[str]] | None = None,
    by: str | Sequence[str],
    include: pd.DataFrame | None = None,
    calibration: Calibration | None = None,
    lonely_psu: LonelyPSU = "average",
    shared_sums: dict | None = None,
) -> pd.DataFrame:
    """Design-based Wald test of "the groups of ``by`` have the same mean/proportion", per area and
    variable, for every subgroup column in ``by``, in one vectorised pass per column.

    The domains are those of :func:`domain_estimates` (substantive answers of the group in the area);
    the K groups tested are all groups with respondents, or those listed in ``include`` (columns
    ``by``, ``area``, ``group``, ``variable``; e.g. only the published figures). With the full
    covariance matrix :math:`V` of the K domain estimates (linearisation with the strata, the fpc and
    the calibration of the SEs) the statistic is :math:`W = (C\\hat\\theta)'(CVC')^{-1}C\\hat\\theta`
    (C: the K - 1 differences with one group; any such C gives the same W) and
    :math:`F = W/(K-1)`, referred to :math:`F(K-1, \\text{df})` with ``df`` the design df of the
    respondents of the K groups (respondents minus strata, as the intervals). A proportion is the
    mean of a 0/1 variable, tested on its own scale. This equals R (``survey`` 4.1.1)::

        dom <- subset(des_area, !is.na(y) & g %in% tested)
        regTermTest(svyglm(y ~ g, dom), ~g, method = "Wald", df = degf(dom))

    and, for fixed weights, ``svyby(~y, ~g, dom, svymean, covmat = TRUE)`` with the Wald statistic of
    ``svycontrast`` (R's own default ``df`` of ``regTermTest`` is ``degf(dom) - K + 1``, the residual
    df of the regression; the design df is used here, as for the intervals). Not tested (NaN):
    fewer than two groups, a group without variance that is not a census (e.g. 100 % in a sample),
    ``df <= 0``. Groups that are all censuses (fpc) are exact: p = 0 when they differ, 1 otherwise.

    Returns one row per (by, area, variable): ``by``, ``area``, ``variable``, ``k`` (groups tested),
    ``n`` (their respondents), ``df1`` (K - 1), ``df2`` (design df), ``wald``, ``statistic`` (F),
    ``p_value`` and ``exact``.
    """
    design = _Design(data, stratum=stratum, weight=weight, population=population,
                     calibration=calibration, lonely_psu=lonely_psu)
    area_names, area_mat = design.area_matrix(areas)
    variables = list(variables)
    frames = []
    for column in [by] if isinstance(by, str) else list(by):  # a handful of subgroup columns
        sums, groups = _shared_sums(shared_sums, design, data, variables, column, (stratum, weight))
        if len(groups) < 2:
            continue
        n_areas, n_groups, n_vars = len(area_names), len(groups), len(variables)
        if include is None:
            inc = np.ones((n_areas, n_groups, n_vars), dtype=bool)
        else:
            sel = include[include["by"] == column]
            a = pd.Index(area_names).get_indexer(sel["area"])
            g = pd.Index(pd.to_numeric(pd.Series(groups), errors="coerce")).get_indexer(
                pd.to_numeric(sel["group"], errors="coerce"))
            v = pd.Index(variables).get_indexer(sel["variable"])
            ok = (a >= 0) & (g >= 0) & (v >= 0)
            inc = np.zeros((n_areas, n_groups, n_vars), dtype=bool)
            inc[a[ok], g[ok], v[ok]] = True
        n_dom = np.asarray(area_mat @ sums["cnt"].reshape(len(design.strata), -1)).reshape(inc.shape)
        inc &= n_dom > 0  # a group without respondents in the area is not one of the K
        res = _group_covariance(design, sums, area_mat, inc)
        est = res["estimate"].transpose(0, 2, 1).reshape(-1, n_groups)
        cov = res["cov"].reshape(-1, n_groups, n_groups)
        var = np.diagonal(cov, axis1=1, axis2=2)
        exact = np.isinf(res["n_eff_fpc"]).transpose(0, 2, 1).reshape(-1, n_groups)
        scale = np.maximum(np.abs(np.nan_to_num(est)), 1.0)
        with np.errstate(invalid="ignore"):
            degenerate = ~(np.sqrt(np.maximum(var, 0.0)) > 1e-10 * scale)
        ddf = (res["n_s"] - res["h_s"]).reshape(-1)
        test = _wald_equal(np.nan_to_num(est), cov, inc.transpose(0, 2, 1).reshape(-1, n_groups), exact,
                           degenerate, ddf)
        frames.append(pd.DataFrame({
            "by": column,
            "area": np.repeat(np.asarray(area_names, dtype=object), n_vars),
            "variable": np.tile(np.asarray(variables, dtype=object), n_areas),
            "k": test["k"].astype(np.int64), "n": np.rint(res["n_s"].reshape(-1)).astype(np.int64),
            "df1": test["df1"], "df2": np.where(test["k"] >= 2, ddf, np.nan),
            "wald": test["wald"], "statistic": test["statistic"], "p_value": test["p_value"],
            "exact": test["exact"],
        }))
    columns = ["by", "area", "variable", "k", "n", "df1", "df2", "wald", "statistic", "p_value", "exact"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
