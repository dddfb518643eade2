"""From harmonised, weighted respondent data to the tidy results table every page is built from.

One row per edition × survey × area × indicator × subgroup value × answer category, with the
estimate, its SE and confidence interval, the quality flags, the suppression decision and the
comparisons (rest of the region, previous edition, external benchmark). Everything is computed
for all areas and cells at once with :mod:`ceo.estimation` (no Python loop per cell).

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

from ceo.codebook import Codebook
from ceo.estimation import add_confidence_intervals, compare, compare_with_rest_of_region, domain_estimates
from ceo.project import Thresholds
from ceo.registry import registry
from ceo.targets import Target, analysis_columns, distribution_targets, headline_targets, non_substantive_counts

#: the columns of ``site/<edition>/data/<survey>.csv``, in this order
RESULT_COLUMNS = [
    "editie", "onderzoek", "gebied_code", "gebied_naam", "gebied_niveau",
    "thema", "indicator", "indicator_label", "soort", "subgroep", "subgroep_label", "subgroep_waarde",
    "categorie", "n", "n_geen_oordeel", "waarde", "se", "ondergrens", "bovengrens", "n_eff", "deff",
    "gewogen", "onderdrukt", "reden", "indicatief",
    "vorige_editie", "waarde_vorige", "verschil_vorige", "significant_vorige",
    "regio", "waarde_rest_regio", "verschil_regio", "significant_regio",
    "benchmark", "waarde_benchmark", "verschil_benchmark", "significant_benchmark",
    "definitie",
]

#: the key of one published figure (within an edition and survey)
KEY = ["gebied_code", "indicator", "subgroep", "subgroep_waarde", "categorie"]

DEFAULT_THRESHOLDS = Thresholds()

REASON_SMALL = "te weinig respondenten (n < {n})"
REASON_COMPLEMENT = "aanvullend onderdrukt, anders is een onderdrukte waarde terug te rekenen"


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
    table: pd.DataFrame  # columns: indicator, waarde, se (may be NaN)


@dataclass
class Results:
    table: pd.DataFrame
    notices: list[str] = field(default_factory=list)


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
) -> Results:
    """The tidy results table of one survey and edition.

    ``comparison_regions`` maps a gemeente code to the area code of the region it is compared
    with (the rest of that region); ``previous`` is the results table of an earlier edition.
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
    pieces = []
    est = domain_estimates(work, [t.column for t in targets], stratum="_stratum", weight="_w",
                           population=pop_col, areas=area_map)
    pieces.append(est)
    subgroups = []
    for sg in cb.subgroups:
        if sg.variable not in data or data[sg.variable].isna().all():
            notices.append(f"uitsplitsing naar {sg.label.lower()}: geen gegevens in de levering")
            continue
        subgroups.append(sg)
        work[sg.variable] = data[sg.variable].to_numpy()
        pieces.append(domain_estimates(work, [t.column for t in headline], stratum="_stratum",
                                       weight="_w", population=pop_col, areas=area_map, by=sg.variable))
    est = pd.concat(pieces, ignore_index=True)
    prop_cols = [t.column for t in targets if t.kind == "proportion"]
    level = confidence
    est = add_confidence_intervals(est, proportions=prop_cols, method=ci_method, level=level)

    # non-substantive counts per area (and subgroup value)
    geen = _geen_oordeel(work, g_counts, areas, [None] + [sg.variable for sg in subgroups])
    est["by"] = est["by"].astype("object")
    est["_var"] = est["variable"].map(meta["variable"])
    est = est.merge(geen, how="left", left_on=["area", "by", "group", "_var"],
                    right_on=["area", "by", "group", "variable_src"])
    est["n_geen_oordeel"] = est["n_geen_oordeel"].fillna(0).astype("int64")

    table = _tidy(est, cb, meta, areas, subgroups, edition, weighted)
    # drop subgroup cells nobody in the area belongs to
    empty = (table["subgroep"] != "") & (table["n"] == 0) & (table["n_geen_oordeel"] == 0)
    table = table[~empty].reset_index(drop=True)

    _suppress(table, areas, thresholds)
    _flag_indicative(table, thresholds)

    alpha = significance
    if comparison_regions:
        table = _compare_region(table, work, headline, meta, areas, comparison_regions, subgroups,
                                pop_col, alpha, thresholds.min_n)
    if previous is not None:
        table = _compare_previous(table, previous, alpha)
    if benchmark is not None:
        table = _compare_benchmark(table, benchmark, alpha)

    # suppressed figures carry no numbers at all, in any column
    sup = table["onderdrukt"] == "ja"
    num_cols = ["waarde", "se", "ondergrens", "bovengrens", "n_eff", "deff"]
    table.loc[sup, num_cols] = np.nan
    for c in ("waarde_vorige", "verschil_vorige", "waarde_rest_regio", "verschil_regio",
              "waarde_benchmark", "verschil_benchmark"):
        table.loc[sup, c] = np.nan
    for c in ("significant_vorige", "significant_regio", "significant_benchmark"):
        table.loc[sup, c] = ""
    return Results(table=table[RESULT_COLUMNS].reset_index(drop=True), notices=notices)


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
            "indicator_label": ind.label,
        })
    return pd.DataFrame(rows).set_index("column")


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
          subgroups: list, edition: int, weighted: bool) -> pd.DataFrame:
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
        group_label[sel] = est.loc[sel, "group"].astype(float).map(labels).fillna(
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
        "n_eff": est["n_eff"].to_numpy(),
        "deff": est["deff"].to_numpy(),
        "gewogen": "ja" if weighted else "nee",
        "onderdrukt": "nee",
        "reden": "",
        "indicatief": "nee",
        "vorige_editie": pd.array([pd.NA] * len(est), dtype="Int64"),
        "waarde_vorige": np.nan, "verschil_vorige": np.nan, "significant_vorige": "",
        "regio": "", "waarde_rest_regio": np.nan, "verschil_regio": np.nan, "significant_regio": "",
        "benchmark": "", "waarde_benchmark": np.nan, "verschil_benchmark": np.nan,
        "significant_benchmark": "",
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


def _suppress(table: pd.DataFrame, areas: Sequence[Area], th: Thresholds) -> None:
    """Primary suppression (too few substantive answers) and complementary suppression (in place).

    A figure with n < ``min_n`` is not published because it is unreliable. When such a cell is also
    small enough to reveal how individual respondents answered (n < ``disclosure_n``) and it could be
    recomputed as a published total minus the other published parts (the other values of the same
    breakdown, or the other gemeenten of a published region), the smallest of those parts is
    suppressed too, and so on until nothing disclosive can be recomputed.
    """
    small = table["n"] < th.min_n
    table.loc[small, "onderdrukt"] = "ja"
    table.loc[small, "reden"] = REASON_SMALL.format(n=th.min_n)
    def complement(block: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Rows (positions among ``rows``) to suppress additionally: in every block with exactly one
        suppressed (non-empty, disclosive) cell and at least one published cell, the published cell
        with the smallest n."""
        n = n_all[rows]
        status = sup_state[rows]
        sup = (status == 1) & (n > 0) & ((n < th.disclosure_n) | complementary[rows])
        pub = status == 0
        codes, uniq = pd.factorize(block)
        n_sup = np.bincount(codes, weights=sup, minlength=len(uniq))[codes]
        n_pub = np.bincount(codes, weights=pub, minlength=len(uniq))[codes]
        cand = np.flatnonzero(pub & (n_sup == 1) & (n_pub >= 1))
        if not len(cand):
            return cand
        order = cand[np.lexsort((n[cand], codes[cand]))]
        first = np.ones(len(order), dtype=bool)
        first[1:] = codes[order][1:] != codes[order][:-1]
        return rows[order[first]]

    n_all = table["n"].to_numpy(dtype="float64")
    is_sub = (table["subgroep"] != "").to_numpy()
    headline = (table["categorie"] == "").to_numpy()
    # integer keys, computed once
    area = pd.factorize(table["gebied_code"])[0]
    figure = table.groupby(["indicator", "subgroep", "subgroep_waarde"], sort=False, dropna=False).ngroup().to_numpy()
    breakdown = table.groupby(["gebied_code", "indicator", "subgroep", "categorie"], sort=False,
                              dropna=False).ngroup().to_numpy()
    cell = table.groupby(KEY[:4], sort=False, dropna=False).ngroup().to_numpy()
    area_of = {c: i for i, c in enumerate(pd.unique(table["gebied_code"]))}
    regions = [(area_of[a.code], np.array([area_of[m] for m in a.members if m in area_of], dtype=np.int64))
               for a in areas if a.level != "gemeente" and a.code in area_of]
    sub_rows = np.flatnonzero(is_sub & headline)
    region_rows = [(r, np.flatnonzero(np.isin(area, members) & headline)) for r, members in regions]
    for _ in range(5):  # a new suppression may open another block; iterate to a fixed point
        sup_state = (table["onderdrukt"] == "ja").to_numpy().astype(np.int8)
        complementary = (table["reden"] == REASON_COMPLEMENT).to_numpy()
        # (1) within a breakdown: one suppressed subgroup value is the total minus the others
        add = [complement(breakdown[sub_rows], sub_rows)]
        # (2) across gemeenten of a region: one suppressed gemeente is the region minus the others
        for r, rows in region_rows:
            published = np.unique(figure[(area == r) & (sup_state == 0)])
            if not len(published):
                continue
            sel = rows[np.isin(figure[rows], published)]
            add.append(complement(figure[sel], sel))
        idx = np.unique(np.concatenate(add))
        idx = idx[sup_state[idx] == 0]
        changed = False
        if len(idx):
            pos = table.index[idx]
            table.loc[pos, "onderdrukt"] = "ja"
            table.loc[pos, "reden"] = REASON_COMPLEMENT
            changed = True
        # distribution rows follow their headline
        sup_now = (table["onderdrukt"] == "ja").to_numpy()
        head_sup = np.unique(cell[headline & sup_now])
        follow = ~headline & np.isin(cell, head_sup) & ~sup_now
        if follow.any():
            pos = table.index[follow]
            table.loc[pos, "onderdrukt"] = "ja"
            table.loc[pos, "reden"] = REASON_COMPLEMENT
            changed = True
        if not changed:
            break


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


def _compare_region(table: pd.DataFrame, work: pd.DataFrame, headline: list[Target], meta: pd.DataFrame,
                    areas: Sequence[Area], comparison_regions: Mapping[str, str], subgroups: list,
                    pop_col: str | None, alpha: float, min_n: int) -> pd.DataFrame:
    """Gemeente vs the rest of its region (independent strata), for headline figures."""
    area_by_code = {a.code: a for a in areas}
    regions = {}
    for gm, rc in comparison_regions.items():
        if rc in area_by_code and gm in area_by_code[rc].members and len(area_by_code[rc].members) > 1:
            regions[rc] = area_by_code[rc].members
    if not regions:
        return table
    cols = [t.column for t in headline]
    common = dict(stratum="_stratum", weight="_w", population=pop_col, regions=regions, level=1 - alpha)
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
        "subgroep": cmp["by"].map(sg_id).fillna("").to_numpy(),
        "_group": pd.to_numeric(cmp["group"], errors="coerce").to_numpy(),
        "categorie": "",
        "_regio": cmp["region"].to_numpy(),
        "_rest": cmp["estimate_rest"].to_numpy() * scale,
        "_n_rest": cmp["n_rest"].to_numpy(),
        "_diff": cmp["difference"].to_numpy() * scale,
        "_sig": cmp["significant"].to_numpy(),
    })
    merged = table.merge(out, how="left", on=["gebied_code", "indicator", "subgroep", "_group", "categorie"])
    # the rest of the region must itself be publishable
    ok = merged["_regio"].notna() & (merged["onderdrukt"] == "nee") & (merged["_n_rest"] >= min_n)
    merged.loc[ok, "regio"] = merged.loc[ok, "_regio"]
    merged.loc[ok, "waarde_rest_regio"] = merged.loc[ok, "_rest"]
    merged.loc[ok, "verschil_regio"] = merged.loc[ok, "_diff"]
    sig = merged["_sig"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    merged["significant_regio"] = _yes_no(sig, ok & merged["_diff"].notna())
    return merged.drop(columns=["_regio", "_rest", "_n_rest", "_diff", "_sig"])


def _compare_previous(table: pd.DataFrame, previous: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Difference with the previous edition, only where the indicator definition is identical and
    both figures are published."""
    prev = previous[(previous["onderdrukt"] == "nee") & (previous["categorie"].fillna("") == "")].copy()
    if prev.empty:
        return table
    for c in ("subgroep", "subgroep_waarde", "categorie"):
        prev[c] = prev[c].fillna("").astype(str)
    prev = prev[KEY + ["editie", "waarde", "se", "definitie"]].rename(
        columns={"editie": "_ed", "waarde": "_pw", "se": "_pse", "definitie": "_pdef"})
    merged = table.merge(prev, how="left", on=KEY)
    ok = (merged["_pw"].notna() & (merged["_pdef"] == merged["definitie"]) & (merged["onderdrukt"] == "nee")
          & (merged["categorie"] == ""))
    res = compare(merged["waarde"].to_numpy(), merged["se"].to_numpy(), merged["_pw"].to_numpy(),
                  merged["_pse"].to_numpy(), level=1 - alpha)
    merged.loc[ok, "vorige_editie"] = merged.loc[ok, "_ed"].astype("int64")
    merged.loc[ok, "waarde_vorige"] = merged.loc[ok, "_pw"]
    merged.loc[ok, "verschil_vorige"] = res["difference"].to_numpy()[ok.to_numpy()]
    merged["significant_vorige"] = _yes_no(res["significant"].to_numpy(), ok)
    return merged.drop(columns=["_ed", "_pw", "_pse", "_pdef"])


def _compare_benchmark(table: pd.DataFrame, benchmark: Benchmark, alpha: float) -> pd.DataFrame:
    """Difference with an external benchmark (a value with its SE, or SE 0), for headline figures
    of everyone."""
    bm = benchmark.table[["indicator", "waarde", "se"]].rename(columns={"waarde": "_bw", "se": "_bse"})
    merged = table.merge(bm, how="left", on="indicator")
    ok = (merged["_bw"].notna() & (merged["onderdrukt"] == "nee") & (merged["categorie"] == "")
          & (merged["subgroep"] == ""))
    res = compare(merged["waarde"].to_numpy(), merged["se"].to_numpy(), merged["_bw"].to_numpy(),
                  merged["_bse"].fillna(0.0).to_numpy(), level=1 - alpha)
    merged.loc[ok, "benchmark"] = benchmark.name
    merged.loc[ok, "waarde_benchmark"] = merged.loc[ok, "_bw"]
    merged.loc[ok, "verschil_benchmark"] = res["difference"].to_numpy()[ok.to_numpy()]
    merged["significant_benchmark"] = _yes_no(res["significant"].to_numpy(), ok)
    return merged.drop(columns=["_bw", "_bse"])
