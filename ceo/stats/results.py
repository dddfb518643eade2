"""From harmonised, weighted respondent data to the tidy results table every page is built from.

One row per edition × survey × area × indicator × subgroup value × answer category, with the
estimate, its SE and confidence interval, the quality flags, the suppression decision and the
comparisons (rest of the region, previous edition, external benchmark). Everything is computed
for all areas and cells at once with :mod:`ceo.stats.estimation` (no Python loop per cell).

Scale: percentages are on 0–100 (SE and differences in percentage points), means on their own
scale. Numbers are kept at full precision; rounding belongs to the pages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ceo.core.texts import join_and, number
from ceo.stats.disclosure import (  # noqa: F401
    REASON_COMPLEMENT,
    REASON_N_EFF,
    REASON_SMALL,
    positives_of,
    protect,
    withhold_derived,
)
from ceo.stats.disclosure import STANDARDISED as _STANDARDISED
from ceo.stats.estimation import (
    Calibration,
    add_confidence_intervals,
    compare,
    compare_with_rest_of_region,
    domain_estimates,
    domain_estimates_with_and_without_fpc,
    group_difference_tests,
    mean_ci,
    mean_test,
    proportion_ci,
    proportion_test,
)
from ceo.stats.recode import Recoding, plan_recoding
from ceo.stats.targets import Target, analysis_columns, distribution_targets, headline_targets, non_substantive_counts
from ceo.validate.codebook import Codebook, Subgroup
from ceo.validate.project import Thresholds
from ceo.validate.registry import registry

#: the columns of ``site/<edition>/data/<survey>.csv``, in this order
RESULT_COLUMNS = [
    "editie", "onderzoek", "gebied_code", "gebied_naam", "gebied_niveau",
    "thema", "indicator", "indicator_label", "vraagtekst", "soort", "subgroep", "subgroep_label", "subgroep_waarde",
    "categorie", "n", "n_geen_oordeel", "waarde", "se", "ondergrens", "bovengrens", "df", "se_zonder_fpc",
    "n_eff", "deff_gewicht", "deff",
    "gewogen", "onderdrukt", "reden", "indicatief",
    "vorige_editie", "waarde_vorige", "verschil_vorige", "p_vorige", "significant_vorige",
    "regio", "waarde_rest_regio", "verschil_regio", "p_regio", "significant_regio",
    "benchmark", "waarde_benchmark", "verschil_benchmark", "p_benchmark", "significant_benchmark",
    "definitie",
    "p_groepen", "significant_groepen", "toets_groepen",
    "ondergrens_rest_regio", "bovengrens_rest_regio",
]

#: the comparisons of a figure: (column suffix, kind); flags are corrected per page (see _multiplicity)
COMPARISONS = ("vorige", "regio", "benchmark")

#: the key of one published figure (within an edition and survey)
KEY = ["gebied_code", "indicator", "subgroep", "subgroep_waarde", "categorie"]

DEFAULT_THRESHOLDS = Thresholds()

#: ``subgroep`` of the rows with the figure of all questionnaire variants together, standardised to the
#: codebook's fixed composition (``kop_per``); ``subgroep_waarde`` states the composition
STANDARDISED = _STANDARDISED
REASON_STANDARDISED = ("de cijfers van {names} apart zijn hier of in een gemeente van dit gebied niet allemaal "
                       "gepubliceerd, en dan zou dit cijfer ze prijsgeven")



@dataclass(frozen=True)
class Area:
    """A gemeente, a configured region or the total: the strata whose respondents it pools."""

    code: str
    name: str
    level: str  # "gemeente", "regio", "totaal"
    members: tuple[str, ...]


@dataclass
class Benchmark:
    """External comparison figures (e.g. national percentages), one per indicator."""

    name: str
    table: pd.DataFrame  # columns: indicator, waarde, se (may be NaN); optional variant ("" = everyone)


@dataclass
class Results:
    table: pd.DataFrame
    notices: list[str] = field(default_factory=list)
    #: the categories merged before suppression (codebook ``samenvoegen``, :mod:`ceo.stats.recode`)
    recoding: Recoding = field(default_factory=Recoding)
    #: per row of ``table``: the answers and the size in count space (:func:`ceo.stats.disclosure.positives_of`,
    #: before suppression blanked the values), for the audit; never published
    positives: np.ndarray | None = None
    #: the complements with the small group each protects (:func:`ceo.stats.disclosure.protect`)
    complements: pd.DataFrame | None = None


def build_areas(gemeenten: Sequence[str], regions: Sequence,
                total_name: str = "Totaal") -> tuple[list[Area], list[str]]:
    """Areas for the gemeenten present in the data: each gemeente, every configured region of which
    all member gemeenten are present, and the total.

    A region with only some of its gemeenten in the data is not estimated (its figure would
    silently stand for fewer gemeenten than its name says); a notice says so.
    """
    reg = registry()
    present = sorted(set(gemeenten))
    areas = [Area(code, reg.name(code), "gemeente", (code,)) for code in present]
    notices = []
    have = set(present)
    for r in regions:
        members = tuple(sorted(r.members))
        missing = [m for m in members if m not in have]
        if not members or len(missing) == len(members):
            continue
        if missing:
            names = ", ".join(reg.name(m) for m in missing)
            notices.append(f"regio {r.name}: geen cijfers, want er zijn geen gegevens van {names}")
            continue
        areas.append(Area(r.id, r.name, "regio", members))
    areas.append(Area("totaal", total_name, "totaal", tuple(present)))
    return areas, notices


def definition_fingerprint(cb: Codebook, indicator_id: str) -> str:
    """A short hash of everything that defines an indicator's figure: comparing two editions is
    only meaningful when it is equal."""
    ind = cb.indicator(indicator_id)
    var = cb.variables[ind.variable]
    spec = {
        "kind": ind.kind, "codes": list(ind.codes), "variable": var.id, "type": var.type,
        "wording": var.question, "answer_codes": {str(k): v for k, v in sorted(var.codes.items())},
        "positive": list(var.positive), "non_substantive": list(var.non_substantive),
        "missing": list(var.missing), "min": var.minimum, "max": var.maximum,
    }
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def estimate_results(
    data: pd.DataFrame,
    cb: Codebook,
    *,
    edition: int,
    weights: pd.Series | np.ndarray | None = None,
    weighted: bool = False,
    population_totals: Mapping[str, float] | None = None,
    areas: Sequence[Area],
    comparison_regions: Mapping[str, str] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    confidence: float = 0.95,
    ci_method: str = "logit",
    significance: float = 0.05,
    previous: pd.DataFrame | None = None,
    benchmark: Benchmark | None = None,
    calibration: Calibration | None = None,
) -> Results:
    """The tidy results table of one survey and edition.

    ``comparison_regions`` maps a gemeente code to the area code of the region it is compared
    with (the rest of that region); ``previous`` is the results table of an earlier edition.
    ``calibration`` (``WeightingResult.calibration``, rows aligned with ``data``): the weights
    were raked or post-stratified by ceo, so the SEs are those of the calibrated design.
    """
    notices: list[str] = []
    headline = headline_targets(cb)
    distribution = distribution_targets(cb)
    targets = headline + distribution
    meta = _target_meta(cb, targets)

    work = pd.DataFrame({"_stratum": data["gemeentecode"].to_numpy()}, index=data.index)
    w = np.ones(len(data)) if weights is None else np.asarray(weights, dtype="float64")
    work["_w"] = w
    pop_col = None
    if population_totals:
        work["_N"] = work["_stratum"].map(dict(population_totals)).astype("float64")
        pop_col = "_N"
    work = pd.concat([work, analysis_columns(data, cb, targets)], axis=1)
    variables = sorted({t.variable for t in targets})
    g_counts = non_substantive_counts(data, cb, variables)

    area_map = {a.code: a.members for a in areas}
    pieces, plain_pieces = [], []
    shared: dict = {}  # per-stratum sums, computed once for the estimates and the comparisons

    def estimates(columns: list[str], by: str | None = None) -> None:
        # with the fpc, and (from the same per-stratum sums) without it for _add_superpopulation
        with_fpc, plain = domain_estimates_with_and_without_fpc(
            work, columns, stratum="_stratum", weight="_w", population=pop_col, areas=area_map, by=by,
            calibration=calibration, shared_sums=shared)
        pieces.append(with_fpc)
        if pop_col is not None:
            plain_pieces.append(plain)

    estimates([t.column for t in targets])
    subgroups = []
    for sg in cb.subgroups:
        if sg.variable not in data or data[sg.variable].isna().all():
            notices.append(f"uitsplitsing naar {sg.label.lower()}: geen gegevens in de levering")
            continue
        subgroups.append(sg)
        work[sg.variable] = data[sg.variable].to_numpy()
    # global recoding: categories that are often tiny are merged in the whole edition before anything is
    # estimated, so that every area has the same groups and the suppression sees the merged cells
    recoding = plan_recoding(work, cb, subgroups, [t.column for t in headline], thresholds.disclosure_n,
                             thresholds.min_n, thresholds.merge_share)
    notices += recoding.notices()
    for sg in subgroups:
        if sg.variable in recoding.codes:
            work[sg.variable] = recoding.apply(sg.variable, work[sg.variable].to_numpy())
        estimates([t.column for t in headline], sg.variable)
    est = pd.concat(pieces, ignore_index=True)
    prop_cols = [t.column for t in targets if t.kind == "proportion"]
    _add_superpopulation(est, work, targets, headline, subgroups, area_map, pop_col, set(prop_cols),
                         calibration=calibration,
                         plain=pd.concat(plain_pieces, ignore_index=True) if plain_pieces else None)
    level = confidence
    est = add_confidence_intervals(est, proportions=prop_cols, method=ci_method, mean_method="t",
                                   level=level)

    # non-substantive counts per area (and subgroup value)
    geen = _geen_oordeel(work, g_counts, areas, [None] + [sg.variable for sg in subgroups])
    est["by"] = est["by"].astype("object")
    est["_var"] = est["variable"].map(meta["variable"])
    est = est.merge(geen, how="left", left_on=["area", "by", "group", "_var"],
                    right_on=["area", "by", "group", "variable_src"])
    est["n_geen_oordeel"] = est["n_geen_oordeel"].fillna(0).astype("int64")

    table = _tidy(est, cb, meta, areas, subgroups, edition, weighted, recoding.labels)
    # drop subgroup cells nobody in the area belongs to
    empty = (table["subgroep"] != "") & (table["n"] == 0) & (table["n_geen_oordeel"] == 0)
    table = table[~empty].reset_index(drop=True)

    provenance = _suppress(table, areas, thresholds)
    if cb.headline_by is not None and cb.headline_by.subgroup in {sg.id for sg in subgroups}:
        table = _add_standardised(table, work, data, cb, headline, meta, areas, pop_col, g_counts, calibration,
                                  thresholds, edition, weighted, ci_method, level)
    _flag_indicative(table, thresholds)

    alpha = significance
    if comparison_regions:
        table = _compare_region(table, work, headline, meta, areas, comparison_regions, subgroups,
                                pop_col, alpha, thresholds.min_n, calibration=calibration, shared_sums=shared,
                                ci_method=ci_method, ci_level=confidence)
    if previous is not None:
        table = _compare_previous(table, previous, alpha)
    if benchmark is not None:
        table = _compare_benchmark(table, benchmark, alpha, ci_method, cb.headline_by)
    _multiplicity(table, alpha)
    _compare_groups(table, work, headline, areas, subgroups, pop_col, alpha, calibration=calibration,
                    shared_sums=shared)
    withhold_derived(table, areas)  # the rest of a region never gives away a suppressed region figure

    # suppressed figures carry no numbers at all, in any column
    sup = table["onderdrukt"] == "ja"
    num_cols = ["waarde", "se", "ondergrens", "bovengrens", "df", "se_zonder_fpc", "n_eff", "deff_gewicht",
                "deff"]
    table.loc[sup, num_cols] = np.nan
    for c in ("waarde_vorige", "verschil_vorige", "waarde_rest_regio", "verschil_regio",
              "waarde_benchmark", "verschil_benchmark", "p_vorige", "p_regio", "p_benchmark", "p_groepen",
              "ondergrens_rest_regio", "bovengrens_rest_regio"):
        table.loc[sup, c] = np.nan
    for c in ("significant_vorige", "significant_regio", "significant_benchmark", "significant_groepen",
              "toets_groepen"):
        table.loc[sup, c] = ""
    # the answers in count space go along for the audit of the final table, the complements' provenance
    # for the researcher's log (neither is published)
    return Results(table=table[RESULT_COLUMNS].reset_index(drop=True), notices=notices, recoding=recoding,
                   positives=table[["_positief", "_omvang"]].to_numpy(dtype="float64"),
                   complements=provenance)


# --------------------------------------------------------------------------------------------


def _target_meta(cb: Codebook, targets: list[Target]) -> pd.DataFrame:
    rows = []
    ind_order = {ind.id: i for i, ind in enumerate(cb.indicators)}
    for i, t in enumerate(targets):
        # each headline indicator followed by its answer distribution, in codebook order
        order = ind_order[t.indicator] * 10_000 + (i if t.category else 0)
        ind = cb.indicator(t.indicator)
        var = cb.variables[t.variable]
        rows.append({
            "column": t.column, "indicator": t.indicator, "variable": t.variable,
            "kind": t.kind, "category": t.category, "code": t.code, "order": order,
            "label": ind.label if not t.category else t.category,
            "theme": var.theme or "", "definition": definition_fingerprint(cb, t.indicator),
            "indicator_label": ind.label, "wording": _wording(cb, t.variable),
        })
    return pd.DataFrame(rows).set_index("column")


def _wording(cb: Codebook, variable: str, variant: str | None = None) -> str:
    """The question text of a variable (``vraagtekst``): that of ``variant`` when given and the wording is
    per variant; otherwise the one wording, or every variant's ('ouders: ...; jeugdigen: ...') when they
    differ."""
    question = cb.variables[variable].question if variable in cb.variables else cb.question(variable)
    if not isinstance(question, dict):
        return question
    if variant is not None and variant in question:
        return question[variant]
    if len(set(question.values())) == 1:
        return next(iter(question.values()))
    return "; ".join(f"{name}: {text}" for name, text in question.items())


def _geen_oordeel(work: pd.DataFrame, g_counts: pd.DataFrame, areas: Sequence[Area],
                  by_columns: list[str | None]) -> pd.DataFrame:
    """Unweighted counts of non-substantive answers per (area, subgroup value, variable)."""
    members = pd.DataFrame([(a.code, m) for a in areas for m in a.members], columns=["area", "_stratum"])
    frames = []
    for by in by_columns:
        keys = ["_stratum"] + ([by] if by else [])
        sums = pd.concat([work[keys], g_counts], axis=1).groupby(keys, dropna=True, sort=True).sum()
        sums = members.merge(sums.reset_index(), on="_stratum").drop(columns="_stratum")
        gkeys = ["area"] + ([by] if by else [])
        agg = sums.groupby(gkeys, sort=False).sum().reset_index()
        long = agg.melt(id_vars=gkeys, var_name="variable_src", value_name="n_geen_oordeel")
        long["variable_src"] = long["variable_src"].str.slice(3)
        if by:
            long = long.rename(columns={by: "group"})
            long["by"] = by
        else:
            long["group"] = None
            long["by"] = None
        frames.append(long)
    out = pd.concat(frames, ignore_index=True)
    out["by"] = out["by"].astype("object")
    out["group"] = out["group"].astype("object")
    return out


def _tidy(est: pd.DataFrame, cb: Codebook, meta: pd.DataFrame, areas: Sequence[Area],
          subgroups: list, edition: int, weighted: bool,
          merged_labels: Mapping[str, Mapping[float, str]] | None = None) -> pd.DataFrame:
    area_info = pd.DataFrame([(a.code, a.name, a.level, i) for i, a in enumerate(areas)],
                             columns=["area", "gebied_naam", "gebied_niveau", "_area_order"])
    est = est.merge(area_info, on="area", how="left")
    m = meta.loc[est["variable"]]
    is_prop = (m["kind"].to_numpy() == "proportion")
    scale = np.where(is_prop, 100.0, 1.0)
    sg_label = {sg.variable: sg.label for sg in subgroups}
    sg_id = {sg.variable: sg.id for sg in subgroups}
    sg_order = {sg.variable: i + 1 for i, sg in enumerate(subgroups)}
    by = est["by"]
    has_by = by.notna().to_numpy()
    group_label = np.full(len(est), "", dtype=object)
    for var in sg_label:  # one vectorised map per subgroup variable (a handful)
        sel = (by == var).to_numpy()
        labels = {float(k): v for k, v in cb.labels(var).items()}
        labels.update((merged_labels or {}).get(var, {}))  # merged groups (global recoding) by their own label
        group_label[sel] = est.loc[sel, "group"].astype(float).map(labels).astype(object).fillna(
            est.loc[sel, "group"].astype(str)).to_numpy()
    table = pd.DataFrame({
        "editie": edition,
        "onderzoek": cb.id,
        "gebied_code": est["area"].to_numpy(),
        "gebied_naam": est["gebied_naam"].to_numpy(),
        "gebied_niveau": est["gebied_niveau"].to_numpy(),
        "thema": m["theme"].to_numpy(),
        "indicator": m["indicator"].to_numpy(),
        "indicator_label": m["indicator_label"].to_numpy(),
        "vraagtekst": _variant_wording(est, cb, m),
        "soort": np.where(is_prop, "percentage", "gemiddelde"),
        "subgroep": np.where(has_by, by.map(sg_id).astype(object).fillna("").to_numpy(), ""),
        "subgroep_label": np.where(has_by, by.map(sg_label).astype(object).fillna("").to_numpy(), ""),
        "subgroep_waarde": group_label,
        "categorie": m["category"].to_numpy(),
        "n": est["n"].astype("int64").to_numpy(),
        "n_geen_oordeel": est["n_geen_oordeel"].to_numpy(),
        "waarde": est["estimate"].to_numpy() * scale,
        "se": est["se"].to_numpy() * scale,
        "ondergrens": est["lower"].to_numpy() * scale,
        "bovengrens": est["upper"].to_numpy() * scale,
        "df": est["df"].to_numpy(dtype="float64"),
        "se_zonder_fpc": est["_se0"].to_numpy() * scale,
        "n_eff": est["n_eff"].to_numpy(),
        "deff_gewicht": est["deff"].to_numpy(),
        "deff": est["_deff"].to_numpy(),
        "gewogen": "ja" if weighted else "nee",
        "onderdrukt": "nee",
        "reden": "",
        "indicatief": "nee",
        "vorige_editie": pd.array([pd.NA] * len(est), dtype="Int64"),
        "waarde_vorige": np.nan, "verschil_vorige": np.nan, "p_vorige": np.nan, "significant_vorige": "",
        "regio": "", "waarde_rest_regio": np.nan, "verschil_regio": np.nan, "p_regio": np.nan,
        "significant_regio": "",
        "benchmark": "", "waarde_benchmark": np.nan, "verschil_benchmark": np.nan, "p_benchmark": np.nan,
        "significant_benchmark": "",
        "p_groepen": np.nan, "significant_groepen": "", "toets_groepen": "",
        "ondergrens_rest_regio": np.nan, "bovengrens_rest_regio": np.nan,
        "_n_eff_fpc": est["n_eff_fpc"].to_numpy(),
        "_gewicht": est["n_weighted"].to_numpy(dtype="float64") if "n_weighted" in est else np.nan,
        "definitie": m["definition"].to_numpy(),
        "_area_order": est["_area_order"].to_numpy(),
        "_target_order": m["order"].to_numpy(),
        "_sg_order": by.map(sg_order).fillna(0).to_numpy(),
        "_group": pd.to_numeric(est["group"], errors="coerce").to_numpy(),
    })
    table = table.sort_values(["_area_order", "_sg_order", "_group", "_target_order"], kind="stable",
                              na_position="first")
    # headline indicator first, then its distribution, in codebook order
    return table.drop(columns=["_area_order", "_target_order", "_sg_order"]).reset_index(drop=True)


def _variant_wording(est: pd.DataFrame, cb: Codebook, m: pd.DataFrame) -> np.ndarray:
    """``vraagtekst`` per row: the wording of the row's questionnaire variant on the rows of the ``kop_per``
    subgroup (CEO Jeugd: the parents' figure has the parents' question), otherwise :func:`_wording`."""
    out = m["wording"].to_numpy(dtype=object).copy()
    hb = cb.headline_by
    if hb is None:
        return out
    is_variant = (est["by"] == hb.variable).to_numpy()
    if not is_variant.any():
        return out
    code = pd.to_numeric(est["group"], errors="coerce").to_numpy(dtype="float64")
    variables = m["variable"].to_numpy(dtype=object)
    for c, name in hb.variants.items():  # one vectorised map per variant (two)
        sel = is_variant & (code == float(c))
        if sel.any():
            texts = {v: _wording(cb, v, name) for v in pd.unique(variables[sel])}
            out[sel] = pd.Series(variables[sel]).map(texts).to_numpy(dtype=object)
    return out


def _suppress(table: pd.DataFrame, areas: Sequence[Area], th: Thresholds) -> pd.DataFrame:
    """Primary and complementary suppression (in place): see :mod:`ceo.stats.disclosure`. The answers in
    count space go along as the private column ``_positief`` (for the audit of the final table), the
    provenance of the complements is returned (see :func:`ceo.stats.disclosure.protect`)."""
    prov = protect(table, areas, th)
    pos = positives_of(table)
    table["_positief"], table["_omvang"] = pos[:, 0], pos[:, 1]
    return prov


def _add_standardised(table: pd.DataFrame, work: pd.DataFrame, data: pd.DataFrame, cb: Codebook,
                      headline: list[Target], meta: pd.DataFrame, areas: Sequence[Area], pop_col: str | None,
                      g_counts: pd.DataFrame, calibration: Calibration | None, th: Thresholds, edition: int,
                      weighted: bool, ci_method: str, level: float) -> pd.DataFrame:
    """Append the headline figures of all variants together, standardised to the codebook's fixed
    composition ``c`` (``kop_per``), as subgroup :data:`STANDARDISED` rows.

    Within every gemeente ``g`` the weights of variant ``v`` are multiplied by ``c_v W_g / W_gv`` (W: the
    sum of the weights of the respondents with a variant), so each variant carries its fixed share of the
    gemeente's weight whatever the mix of respondents; regions and the total add up their gemeenten. That
    is a post-stratification to the cells gemeente x variant, so the SEs treat it as one (added as a
    margin to ceo's own calibration, if any). A gemeente without respondents of some variant cannot be
    standardised: no row for it or for the areas that contain it.

    Disclosure: the figure is a function of the variant cells of the area and of its gemeenten. It is
    published only when all of those are published, so it reveals nothing that is suppressed; the
    suppression of the variant cells themselves is :func:`protect`'s (this runs after it)."""
    hb = cb.headline_by
    code = pd.to_numeric(data[hb.variable], errors="coerce").to_numpy(dtype="float64")
    share = pd.Series(code).map(hb.composition).to_numpy(dtype="float64")
    has = ~np.isnan(share)
    w = work["_w"].to_numpy(dtype="float64")
    stratum = work["_stratum"].to_numpy()
    cells = pd.DataFrame({"g": stratum, "v": np.where(has, code, -1.0), "w": np.where(has, w, 0.0)})
    w_gv = cells.groupby(["g", "v"], sort=False)["w"].transform("sum").to_numpy()
    w_g = cells.groupby("g", sort=False)["w"].transform("sum").to_numpy()
    n_variants = cells[has].groupby("g", sort=False)["v"].nunique()
    complete = set(n_variants.index[n_variants.to_numpy() == len(hb.composition)])
    inside = has & pd.Series(stratum).isin(complete).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        w_std = np.where(inside, w * share * w_g / w_gv, w)
    std_areas = [a for a in areas if all(m in complete for m in a.members)]
    if not std_areas:
        return table
    area_map = {a.code: a.members for a in std_areas}
    cell_code = cells.groupby(["g", "v"], sort=False).ngroup().to_numpy()
    if calibration is None:
        cal = Calibration("poststratificatie", cell_code.reshape(-1, 1))
    else:  # ceo's own margins and the variant cells, raked together
        cal = Calibration("raking", np.column_stack([np.asarray(calibration.cells).reshape(len(w), -1), cell_code]))

    cols = [t.column for t in headline]
    wk = pd.DataFrame({"_stratum": stratum, "_w": w_std}, index=work.index)
    if pop_col:
        wk[pop_col] = work[pop_col].to_numpy()
    for c in cols:  # respondents outside the standardised figure stay in the design, outside the domain
        wk[c] = np.where(inside, work[c].to_numpy(dtype="float64"), np.nan)
    plain = None
    if pop_col:
        est, plain = domain_estimates_with_and_without_fpc(wk, cols, stratum="_stratum", weight="_w",
                                                           population=pop_col, areas=area_map, calibration=cal)
    else:
        est = domain_estimates(wk, cols, stratum="_stratum", weight="_w", population=None, areas=area_map,
                               calibration=cal)
    props = {t.column for t in headline if t.kind == "proportion"}
    _add_superpopulation(est, wk, headline, headline, [], area_map, pop_col, props, calibration=cal, plain=plain)
    est = add_confidence_intervals(est, proportions=sorted(props), method=ci_method, mean_method="t", level=level)
    wk["_std"] = np.where(inside, 1.0, np.nan)
    geen = _geen_oordeel(wk, g_counts, std_areas, ["_std"])
    est["by"] = "_std"
    est["group"] = 1.0
    est["_var"] = est["variable"].map(meta["variable"])
    est = est.merge(geen, how="left", left_on=["area", "by", "group", "_var"],
                    right_on=["area", "by", "group", "variable_src"])
    est["n_geen_oordeel"] = est["n_geen_oordeel"].fillna(0).astype("int64")
    label = hb.label[:1].upper() + hb.label[1:]
    rows = _tidy(est, cb, meta, std_areas, [Subgroup(STANDARDISED, "_std", label)], edition, weighted)
    rows = rows[(rows["n"] > 0) | (rows["n_geen_oordeel"] > 0)].copy()
    rows["subgroep_waarde"] = hb.composition_text()
    composition = json.dumps({hb.variants[c]: s for c, s in hb.composition.items()}, sort_keys=True)
    fingerprints = {d: hashlib.sha256(f"{d}|{composition}".encode()).hexdigest()[:12]
                    for d in rows["definitie"].unique()}
    rows["definitie"] = rows["definitie"].map(fingerprints)

    # suppression: the primary rules of ceo.stats.disclosure.protect, then the variant cells it is made of
    n = rows["n"].to_numpy(dtype="float64")
    n_eff = rows["n_eff"].to_numpy(dtype="float64")
    reason = np.select([(n >= 1) & (n < th.disclosure_n), n < th.min_n, n_eff < th.disclosure_n],
                       [REASON_SMALL.format(n=th.disclosure_n), REASON_SMALL.format(n=th.min_n),
                        REASON_N_EFF.format(n=th.disclosure_n)], "")
    ok = _standardised_publishable(table, rows, std_areas, areas, hb, th)
    names = join_and(hb.variants.values())
    reason = np.where((reason == "") & ~ok, REASON_STANDARDISED.format(names=names), reason)
    rows["onderdrukt"] = np.where(reason != "", "ja", "nee")
    rows["reden"] = reason

    out = pd.concat([table, rows], ignore_index=True)
    order = {a.code: i for i, a in enumerate(areas)}
    out = out.iloc[np.argsort(out["gebied_code"].map(order).to_numpy(), kind="stable")]
    return out.reset_index(drop=True)


def _standardised_publishable(table: pd.DataFrame, rows: pd.DataFrame, std_areas: Sequence[Area],
                              areas: Sequence[Area], hb, th: Thresholds) -> np.ndarray:
    """Which standardised rows may be published: they reveal (with the weights, which the attacker is
    assumed to know) the variant cells they are made of, of the area and of each of its gemeenten.

    Published when all those cells are published; or when the suppressed ones are only unreliable
    (``minimum_n > n >= onthulling_n``, which may be derivable) and the attacker of
    :mod:`ceo.stats.disclosure`, with those cells counted as published, recomputes nothing that is protected
    (checked per indicator; an indicator where it would is withheld)."""
    parts = pd.DataFrame([(a.code, m) for a in std_areas for m in dict.fromkeys((a.code, *a.members))],
                         columns=["gebied_code", "_part"])
    needed = parts.groupby("gebied_code").size() * len(hb.composition)
    cells = table[(table["subgroep"] == hb.subgroup) & (table["categorie"] == "")
                  & table["_group"].isin(list(hb.composition))]
    cells = pd.DataFrame({"_part": cells["gebied_code"].to_numpy(), "indicator": cells["indicator"].to_numpy(),
                          "_row": cells.index.to_numpy(), "_sup": (cells["onderdrukt"] == "ja").to_numpy(),
                          "_soft": ((cells["onderdrukt"] == "nee")
                                    | ((cells["reden"] == REASON_SMALL.format(n=th.min_n))
                                       & (cells["n"] >= th.disclosure_n))).to_numpy()})
    b = parts.merge(cells, on="_part")
    g = b.groupby(["gebied_code", "indicator"])
    key = pd.MultiIndex.from_frame(rows[["gebied_code", "indicator"]])
    complete = (g.size().reindex(key).fillna(0).to_numpy() == needed.reindex(rows["gebied_code"]).to_numpy())
    hidden = g["_sup"].sum().reindex(key).fillna(0).to_numpy() > 0
    soft = g["_soft"].all().reindex(key).fillna(False).to_numpy(dtype=bool)
    ok = complete & ~hidden
    candidate = complete & hidden & soft
    if not candidate.any():
        return ok
    from ceo.stats.disclosure import build_system, find_leaks

    system = build_system(table, areas)
    var = system.var
    row = var["row"].to_numpy()
    is_cell = row >= 0
    sup = np.ones(len(var), dtype=bool)
    sup[is_cell] = (table.loc[row[is_cell], "onderdrukt"] == "ja").to_numpy()
    if find_leaks(system, sup, th.disclosure_n):
        return ok  # protect() left something open: add nothing
    var_of_row = pd.Series(np.flatnonzero(is_cell), index=row[is_cell])
    b = b[b["_sup"]].set_index(["gebied_code", "indicator"])
    indicators = rows["indicator"].to_numpy()
    for _ in range(len(set(indicators[candidate])) + 1):
        revealed = b.loc[b.index.isin(key[candidate]), "_row"].to_numpy()
        trial = sup.copy()
        trial[var_of_row.reindex(revealed).dropna().to_numpy(dtype=np.int64)] = False
        leaks = find_leaks(system, trial, th.disclosure_n)
        if not leaks:
            return ok | candidate
        bad = set(var.loc[np.concatenate([lk.cells for lk in leaks]), "ind"])
        candidate &= ~np.isin(indicators, list(bad))
        if not candidate.any():
            break
    return ok


def _flag_indicative(table: pd.DataFrame, th: Thresholds) -> None:
    pub = table["onderdrukt"] == "nee"
    width = table["bovengrens"] - table["ondergrens"]
    wide = (table["soort"] == "percentage") & (width > th.indicative_ci_width)
    few = table["n_eff"] < th.indicative_n_eff
    table.loc[pub & (wide | few), "indicatief"] = "ja"


def _yes_no(mask: np.ndarray | pd.Series, valid: np.ndarray | pd.Series) -> np.ndarray:
    mask = np.asarray(mask, dtype=bool)
    valid = np.asarray(valid, dtype=bool)
    return np.where(valid, np.where(mask, "ja", "nee"), "")


def _add_superpopulation(est: pd.DataFrame, work: pd.DataFrame, targets: list[Target], headline: list[Target],
                         subgroups: list, area_map: Mapping[str, Sequence[str]], pop_col: str | None,
                         proportions: set[str], calibration: Calibration | None = None,
                         plain: pd.DataFrame | None = None) -> None:
    """Add ``_se0`` (the SE without finite population correction: each edition is a draw from a
    super-population, so comparisons between editions use it) and ``_deff`` (the design effect of the
    estimate: its variance without fpc over the variance of a simple random sample of the same n,
    ``s^2 / n`` with ``s^2`` the weighted unit variance with the n/(n-1) factor) to ``est`` (in place).

    ``est`` holds, in this order, the estimates of all targets for everyone and of the headline targets
    per subgroup; the same calls without ``population`` (and on the squares of the means) line up row
    for row.
    """
    everyone = [t.column for t in targets]
    head = [t.column for t in headline]

    def run(all_cols: list[str], head_cols: list[str]) -> pd.DataFrame:
        common = dict(stratum="_stratum", weight="_w", population=None, areas=area_map,
                      calibration=calibration)
        frames = [domain_estimates(work, all_cols, **common)]
        frames += [domain_estimates(work, head_cols, by=sg.variable, **common) for sg in subgroups]
        return pd.concat(frames, ignore_index=True)

    if pop_col is None:
        plain = est
    elif plain is None:  # ``plain``: the same estimates without fpc, when the caller has them already
        plain = run(everyone, head)
    assert (plain["variable"].to_numpy() == est["variable"].to_numpy()).all()
    se0 = plain["se"].to_numpy(dtype="float64")
    estimate = plain["estimate"].to_numpy(dtype="float64")
    n = est["n"].to_numpy(dtype="float64")
    unit_var = estimate * (1 - estimate)  # proportions; the means get E[y^2] - E[y]^2 below
    means = [c for c in everyone if c not in proportions]
    is_mean = est["variable"].isin(means).to_numpy()
    if means:
        sq = {c: f"_sq{c}" for c in means}
        for c in means:
            work[sq[c]] = work[c] * work[c]
        squares = run([sq[c] for c in everyone if c in sq], [sq[c] for c in head if c in sq])
        assert len(squares) == is_mean.sum()
        unit_var[is_mean] = squares["estimate"].to_numpy(dtype="float64") - estimate[is_mean] ** 2
        for c in sq.values():
            del work[c]
    with np.errstate(divide="ignore", invalid="ignore"):
        srs_var = np.maximum(unit_var, 0.0) / np.where(n > 1, n - 1, np.nan)  # s^2 / n
        deff = np.where(srs_var > 0, se0 * se0 / srs_var, np.nan)
    est["_se0"] = se0
    est["_deff"] = deff


def _compare_region(table: pd.DataFrame, work: pd.DataFrame, headline: list[Target], meta: pd.DataFrame,
                    areas: Sequence[Area], comparison_regions: Mapping[str, str], subgroups: list,
                    pop_col: str | None, alpha: float, min_n: int,
                    calibration: Calibration | None = None, shared_sums: dict | None = None,
                    ci_method: str = "logit", ci_level: float = 0.95) -> pd.DataFrame:
    """Gemeente vs the rest of its region (independent strata), for headline figures. Same edition,
    same finite population: with the fpc. Sets ``p_regio``; the flag is set by :func:`_multiplicity`. The rest
    of the region gets its interval too (``ondergrens_rest_regio``/``bovengrens_rest_regio``, with the method and
    level of the other intervals), for the trend chart that shows the gemeente against the rest."""
    area_by_code = {a.code: a for a in areas}
    regions = {}
    for gm, rc in comparison_regions.items():
        if rc in area_by_code and gm in area_by_code[rc].members and len(area_by_code[rc].members) > 1:
            regions[rc] = area_by_code[rc].members
    if not regions:
        return table
    cols = [t.column for t in headline]
    props = [t.column for t in headline if t.kind == "proportion"]
    common = dict(stratum="_stratum", weight="_w", population=pop_col, regions=regions, level=1 - alpha,
                  proportions=props, calibration=calibration, shared_sums=shared_sums)
    frames = [compare_with_rest_of_region(work, cols, **common)]
    frames += [compare_with_rest_of_region(work, cols, by=sg.variable, **common) for sg in subgroups]
    cmp = pd.concat(frames, ignore_index=True)
    wanted = pd.Series(dict(comparison_regions))
    cmp = cmp[cmp["region"].to_numpy() == wanted.reindex(cmp["gemeente"]).to_numpy()]
    m = meta.loc[cmp["variable"]]
    scale = np.where(m["kind"].to_numpy() == "proportion", 100.0, 1.0)
    sg_id = {sg.variable: sg.id for sg in subgroups}
    out = pd.DataFrame({
        "gebied_code": cmp["gemeente"].to_numpy(),
        "indicator": m["indicator"].to_numpy(),
        "subgroep": cmp["by"].map(sg_id).astype(object).fillna("").to_numpy(),
        "_group": pd.to_numeric(cmp["group"], errors="coerce").to_numpy(),
        "categorie": "",
        "_regio": cmp["region"].to_numpy(),
        "_rest": cmp["estimate_rest"].to_numpy() * scale,
        "_n_rest": cmp["n_rest"].to_numpy(),
        "_diff": cmp["difference"].to_numpy() * scale,
        "_p": cmp["p_value"].to_numpy(),
        **_rest_interval(cmp, m["kind"].to_numpy() == "proportion", scale, ci_method, ci_level),
    })
    merged = table.merge(out, how="left", on=["gebied_code", "indicator", "subgroep", "_group", "categorie"])
    # the rest of the region must itself be publishable
    ok = (merged["_regio"].notna() & (merged["onderdrukt"] == "nee") & (merged["_n_rest"] >= min_n)
          & merged["_diff"].notna())
    merged.loc[ok, "regio"] = merged.loc[ok, "_regio"]
    merged.loc[ok, "waarde_rest_regio"] = merged.loc[ok, "_rest"]
    merged.loc[ok, "verschil_regio"] = merged.loc[ok, "_diff"]
    merged.loc[ok, "p_regio"] = merged.loc[ok, "_p"]
    merged.loc[ok, "ondergrens_rest_regio"] = merged.loc[ok, "_rest_lo"]
    merged.loc[ok, "bovengrens_rest_regio"] = merged.loc[ok, "_rest_hi"]
    return merged.drop(columns=["_regio", "_rest", "_n_rest", "_diff", "_p", "_rest_lo", "_rest_hi"])


def _rest_interval(cmp: pd.DataFrame, prop: np.ndarray, scale: np.ndarray, method: str,
                   level: float) -> dict[str, np.ndarray]:
    """The interval of the rest of the region: the same functions as every published interval, on the rest's
    estimate, SE (with fpc), n and design df."""
    est, se = cmp["estimate_rest"].to_numpy(dtype="float64"), cmp["se_rest"].to_numpy(dtype="float64")
    n, df = cmp["n_rest"].to_numpy(dtype="float64"), cmp["df_rest"].to_numpy(dtype="float64")
    p_lo, p_hi = proportion_ci(est, se, n=n, df=df, method=method, level=level)
    m_lo, m_hi = mean_ci(est, se, df=df, level=level)
    return {"_rest_lo": np.where(prop, p_lo, m_lo) * scale, "_rest_hi": np.where(prop, p_hi, m_hi) * scale}


def _side(frame: pd.DataFrame, se_column: str) -> dict[str, np.ndarray]:
    """Estimate, SE, df, effective size and kind of the figures of a results table, on the 0-1 scale for
    percentages. A table from an older ceo without ``df``/``se_zonder_fpc`` falls back to n - 1 and ``se``."""
    prop = (frame["soort"] == "percentage").to_numpy()
    scale = np.where(prop, 100.0, 1.0)

    def num(column: str, default: str | None = None) -> np.ndarray:
        col = frame[column] if column in frame or default is None else frame[default]
        return pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64")

    n = num("n")
    # df is published for gemeenten only (ceo.stats.precision): elsewhere n - 1, as for an older table
    df = np.where(np.isnan(num("df")), n - 1, num("df")) if "df" in frame else n - 1
    n_eff = num("n_eff") if "n_eff" in frame else n
    return {"value": num("waarde") / scale, "se": num(se_column, "se") / scale, "df": df,
            "n_eff": np.fmin(n_eff, n), "prop": prop, "scale": scale}


def _compare_previous(table: pd.DataFrame, previous: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Difference with the previous edition, only where the indicator definition is identical and
    both figures are published. Each edition is a draw from a super-population: the test uses the SEs
    without finite population correction (``se_zonder_fpc``), so a census gemeente is not "significant"
    by construction. Sets ``p_vorige``; the flag is set by :func:`_multiplicity`."""
    prev = previous[(previous["onderdrukt"] == "nee") & (previous["categorie"].fillna("") == "")].copy()
    if prev.empty:
        return table
    for c in ("subgroep", "subgroep_waarde", "categorie"):
        prev[c] = prev[c].fillna("").astype(str)
    before = _side(prev.assign(soort=prev.get("soort", "")), "se_zonder_fpc")
    prev = pd.DataFrame({**{k: prev[k].to_numpy() for k in KEY}, "_ed": prev["editie"].to_numpy(),
                         "_pw": prev["waarde"].to_numpy(dtype="float64"), "_pdef": prev["definitie"].to_numpy(),
                         "_pv": before["value"], "_pse": before["se"], "_pdf": before["df"],
                         "_pn": before["n_eff"]})
    merged = table.merge(prev, how="left", on=KEY)
    ok = (merged["_pw"].notna() & (merged["_pdef"] == merged["definitie"]) & (merged["onderdrukt"] == "nee")
          & (merged["categorie"] == ""))
    now = _side(merged, "se_zonder_fpc")
    res = compare(now["value"], now["se"], merged["_pv"].to_numpy(), merged["_pse"].to_numpy(), level=1 - alpha,
                  df=now["df"], reference_df=merged["_pdf"].to_numpy(), proportion=now["prop"],
                  n_eff=now["n_eff"], reference_n_eff=merged["_pn"].to_numpy())
    merged.loc[ok, "vorige_editie"] = merged.loc[ok, "_ed"].astype("int64")
    merged.loc[ok, "waarde_vorige"] = merged.loc[ok, "_pw"]
    merged.loc[ok, "verschil_vorige"] = (merged["waarde"] - merged["_pw"])[ok]
    merged.loc[ok, "p_vorige"] = res["p_value"].to_numpy()[ok.to_numpy()]
    return merged.drop(columns=["_ed", "_pw", "_pdef", "_pv", "_pse", "_pdf", "_pn"])


def _compare_benchmark(table: pd.DataFrame, benchmark: Benchmark, alpha: float, ci_method: str,
                       headline_by=None) -> pd.DataFrame:
    """Difference with an external benchmark, for headline figures of everyone; with headline figures per
    questionnaire variant (``kop_per``), a benchmark row for a variant (its ``variant`` column) is compared
    with that variant's figures only, like with like. A fixed benchmark (no SE)
    is tested with the dual of the published interval (significant exactly when it lies outside the
    interval at the significance level); a benchmark with an SE with :func:`compare`. Sets ``p_benchmark``;
    the flag is set by :func:`_multiplicity`."""
    bm = benchmark.table
    bm = bm.assign(variant=bm["variant"].fillna("") if "variant" in bm else "")
    bm = bm[["indicator", "variant", "waarde", "se"]].rename(
        columns={"variant": "_bv", "waarde": "_bw", "se": "_bse"})
    # the benchmark variant each row is compared with: "" for everyone, a variant for its rows, none otherwise
    none = "\x00none"  # matches no benchmark row (object arrays: numpy strings would drop a trailing NUL)
    target = np.where(table["subgroep"] == "", "", none).astype(object)
    if headline_by is not None:
        names = {float(c): v for c, v in headline_by.variants.items()}
        is_variant = (table["subgroep"] == headline_by.subgroup).to_numpy()
        target[is_variant] = table["_group"].map(names).fillna(none).to_numpy(dtype=object)[is_variant]
    merged = table.assign(_bv=target).merge(bm, how="left", on=["indicator", "_bv"]).drop(columns="_bv")
    ok = (merged["_bw"].notna() & (merged["onderdrukt"] == "nee") & (merged["categorie"] == ""))
    now = _side(merged, "se")
    ref = merged["_bw"].to_numpy(dtype="float64") / now["scale"]
    ref_se = merged["_bse"].fillna(0.0).to_numpy(dtype="float64") / now["scale"]
    n = merged["n"].to_numpy(dtype="float64")
    n_fpc = merged["_n_eff_fpc"].to_numpy(dtype="float64")
    res = compare(now["value"], now["se"], ref, ref_se, level=1 - alpha, df=now["df"], proportion=now["prop"],
                  n_eff=np.where(np.isinf(n_fpc), n_fpc, np.fmin(n_fpc, n)))
    fixed_args = dict(df=now["df"], n_eff_fpc=n_fpc)
    p_fixed = np.where(now["prop"],
                       proportion_test(now["value"], now["se"], ref, n=n, method=ci_method, level=1 - alpha,
                                       **fixed_args),
                       mean_test(now["value"], now["se"], ref, **fixed_args))
    p_value = np.where(ref_se == 0, p_fixed, res["p_value"].to_numpy())
    merged.loc[ok, "benchmark"] = benchmark.name
    merged.loc[ok, "waarde_benchmark"] = merged.loc[ok, "_bw"]
    merged.loc[ok, "verschil_benchmark"] = (merged["waarde"] - merged["_bw"])[ok]
    merged.loc[ok, "p_benchmark"] = p_value[ok.to_numpy()]
    return merged.drop(columns=["_bw", "_bse"])


def benjamini_hochberg(p: np.ndarray, family: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values within each family (integer codes), vectorised; NaN stays
    NaN and does not count as a comparison."""
    p = np.asarray(p, dtype="float64")
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    if not len(idx):
        return out
    fam = np.asarray(family)[idx]
    order = np.lexsort((p[idx], fam))
    ps, fs = p[idx][order], fam[order]
    start = np.searchsorted(fs, fs, side="left")
    m = np.searchsorted(fs, fs, side="right") - start
    rank = np.arange(len(ps)) - start + 1
    raw = ps * m / rank
    # step-up: the adjusted value is the smallest raw value at this rank or above, within the family
    adj = pd.Series(raw[::-1]).groupby(fs[::-1], sort=False).cummin().to_numpy()[::-1]
    out[idx[order]] = np.minimum(adj, 1.0)
    return out


def _multiplicity(table: pd.DataFrame, alpha: float) -> None:
    """The ``significant_*`` flags (in place), corrected for multiplicity with Benjamini-Hochberg at
    ``alpha`` per page and kind of comparison: one family is, for one area (gemeente, region, total) in
    this survey and edition, all headline figures against the previous edition; another the same figures
    against the rest of the region; a third against the benchmark. The comparisons of each subgroup
    breakdown of an area (in the CSV, not on the factsheet) form families of their own in the same way.
    The kinds answer different questions (did anything change; how does the gemeente stand in its region
    or nationally) and are kept apart so that real regional differences do not loosen the threshold for
    the changes. ``p_*`` keep the uncorrected p-values; a comparison whose test is not possible (NaN)
    counts as not significant."""
    family = table.groupby(["gebied_code", "subgroep"], sort=False, dropna=False).ngroup().to_numpy()
    made = {c: table[f"verschil_{c}"].notna().to_numpy() for c in COMPARISONS}
    p = np.concatenate([np.where(made[c], table[f"p_{c}"].to_numpy(dtype="float64"), np.nan)
                        for c in COMPARISONS])
    n_fam = int(family.max()) + 1 if len(family) else 0
    kinds = np.concatenate([family + i * n_fam for i in range(len(COMPARISONS))])
    adjusted = benjamini_hochberg(p, kinds).reshape(len(COMPARISONS), -1)
    for i, c in enumerate(COMPARISONS):
        table[f"significant_{c}"] = _yes_no(adjusted[i] < alpha, made[c])


def _compare_groups(table: pd.DataFrame, work: pd.DataFrame, headline: list[Target], areas: Sequence[Area],
                    subgroups: list, pop_col: str | None, alpha: float, calibration: Calibration | None = None,
                    shared_sums: dict | None = None) -> None:
    """Do the headline figures differ between the groups of a subgroup breakdown? Per area x headline
    indicator x subgroup variable the design-based Wald test of equal values in all its groups
    (:func:`ceo.stats.estimation.group_difference_tests`: the full covariance matrix of the group
    estimates, with the strata and the calibration of the SEs; F on the design df; equal to R ``survey``'s
    ``regTermTest(svyglm(y ~ g, dom), ~g, method = "Wald", df = degf(dom))``), in place.

    Without the finite population correction, like the comparison between editions: the question is
    whether the groups differ systematically (would differ again among next year's clients), not whether
    this year's clients of the groups differ; with the fpc a census would make every difference, however
    small, "significant", and with large sampling fractions a simulation without any group difference
    flags far more pages (bench/bench_significance.py). The SEs in the table do use the fpc.

    The K groups tested are the groups of the breakdown whose figure is published in that area (as in
    :mod:`ceo.stats.groups`), so that no test rests on a suppressed cell; ``toets_groepen`` names the groups
    left out ("zonder: ..."). With fewer than two published groups, or when the test is not possible (a
    group in which everybody gave the same answer), the columns stay blank. Every published subgroup row of
    the breakdown gets the same ``p_groepen`` (uncorrected), ``toets_groepen`` (the statistic, e.g.
    ``F(2; 345) = 3,14``) and ``significant_groepen``: Benjamini-Hochberg at ``alpha`` over the group tests
    of one page (area), a family of its own like the kinds of :func:`_multiplicity`."""
    if not subgroups:
        return
    sg_var = {sg.id: sg.variable for sg in subgroups}
    column_of = {t.indicator: t.column for t in headline}
    rows = table[table["subgroep"].isin(list(sg_var)) & (table["categorie"] == "") & (table["n"] > 0)
                 & table["indicator"].isin(list(column_of))]
    cand = rows[(rows["onderdrukt"] == "nee").to_numpy()]
    if cand.empty:
        return
    key = ["gebied_code", "indicator", "subgroep"]
    include = pd.DataFrame({"by": cand["subgroep"].map(sg_var).to_numpy(),
                            "area": cand["gebied_code"].to_numpy(), "group": cand["_group"].to_numpy(),
                            "variable": cand["indicator"].map(column_of).to_numpy()})
    # without the fpc: a systematic difference between the groups, not one between the clients who happen
    # to be in them this year (as between editions); a census is then not "significant" by construction
    tests = group_difference_tests(work, [t.column for t in headline], stratum="_stratum", weight="_w",
                                   population=None, areas={a.code: a.members for a in areas},
                                   by=[sg.variable for sg in subgroups], include=include,
                                   calibration=calibration, shared_sums=shared_sums)
    tests = tests[tests["p_value"].notna()]
    if tests.empty:
        return
    indicator_of = {t.column: t.indicator for t in headline}
    sg_id = {sg.variable: sg.id for sg in subgroups}
    tests = pd.DataFrame({"gebied_code": tests["area"].to_numpy(),
                          "indicator": tests["variable"].map(indicator_of).to_numpy(),
                          "subgroep": tests["by"].map(sg_id).to_numpy(), "_k": tests["k"].to_numpy(),
                          "_p": tests["p_value"].to_numpy(), "_f": tests["statistic"].to_numpy(),
                          "_df1": tests["df1"].to_numpy(), "_df2": tests["df2"].to_numpy()})
    # the K groups of a test are exactly the published groups of its rows
    n_published = cand.groupby(key).size()
    tests = tests[tests["_k"].to_numpy() == n_published.reindex(pd.MultiIndex.from_frame(tests[key])).to_numpy()]
    family = tests["gebied_code"].factorize()[0]
    adjusted = benjamini_hochberg(tests["_p"].to_numpy(dtype="float64"), family)
    tests["_sig"] = _yes_no(adjusted < alpha, np.ones(len(tests), dtype=bool))
    hidden = rows[(rows["onderdrukt"] != "nee").to_numpy()]
    left_out = hidden.groupby(key)["subgroep_waarde"].agg(lambda g: join_and(g))  # one per breakdown
    left_out = left_out.reindex(pd.MultiIndex.from_frame(tests[key])).to_numpy(dtype=object)
    tests["_toets"] = [  # one per test
        f"F({int(d1)}; {number(int(d2))}) = {number(f, 2)}" + (f" (zonder: {out})" if isinstance(out, str) else "")
        for d1, d2, f, out in zip(tests["_df1"], tests["_df2"], tests["_f"], left_out, strict=True)]
    merged = table[key].merge(tests, how="left", on=key)
    hit = (merged["_p"].notna().to_numpy() & (table["categorie"] == "").to_numpy()
           & (table["onderdrukt"] == "nee").to_numpy())
    table.loc[hit, "p_groepen"] = merged["_p"].to_numpy()[hit]
    table.loc[hit, "significant_groepen"] = merged["_sig"].to_numpy()[hit]
    table.loc[hit, "toets_groepen"] = merged["_toets"].to_numpy()[hit]
