"""Statistical disclosure control of the results table: primary and complementary suppression,
and an automatic attacker that audits the final tables.

The model (as in τ-ARGUS / sdcTable, worked in count space): every headline figure of the results
table is the ratio of two weighted totals; an attacker who knows the weights (the worst case) turns
each published figure into a published total. Totals are additive:

- within an area and a subgroup variable ("family"): the everyone-figure is the sum of the
  subgroup values plus the implicit cell of respondents whose subgroup value is missing (never
  published);
- between areas: every region and the total is the sum of its gemeenten (nested and overlapping
  regions included; ``totaal − region`` is a consequence);
- comparison columns: the rest of the region published next to a gemeente is the sum of the other
  gemeenten of that region;
- other published tables (the group tests) publish group statistics; those count as published.

A cell is *disclosive* when it holds 1 ≤ n < ``onthulling_n`` respondents, or when the weighting
puts it on fewer than ``onthulling_n`` effective respondents (Kish n_eff). Respondents without a value
of a breakdown variable (the implicit missing cell) are no group anyone can point at: their cell is an
unknown of the equations but needs no protection of its own, and unions with it are not checked as
groups. The requirements, against an attacker who knows every n and every weight:

- exactness: no disclosive cell, and no union of suppressed cells of fewer than ``onthulling_n``
  respondents together, can be recomputed exactly;
- protection intervals (τ-ARGUS / sdcTable protection levels): in count space every cell has a size
  (n, or its sum of weights when weighted) and answers x (positive answers; for a mean the marks above
  the scale's lowest, in units of the scale's range), 0 <= x <= size, additive over the same relations.
  For every disclosive suppressed cell the range of x consistent with everything published (linear
  programming, HiGHS) must be at least min(n, ``beschermingsmarge``) respondents wide, so that no
  hidden group is shown to have answered alike. A cell inside a published figure of at least
  ``onthulling_n`` people at 0 % or 100 % is exempt (that figure already says it of each of them).

Suppression works per indicator on the headline rows (the answer distribution of a cell follows
its headline, so every category has the same pattern and the same protection):

1. primary: n < ``minimum_n`` (unreliable) or disclosive;
2. complementary, by a local rule first: for every relation whose total is known, the suppressed
   real parts that cannot be recomputed must hold 0 or at least ``onthulling_n`` respondents together
   (cost order: cells already unpublished, region/total subgroup cells, gemeente subgroup cells,
   region/total headline figures, a gemeente's headline figure last; complements the rule does not
   need are published again);
3. the attackers' rounds: cells the exact attacker recovers get complements in their relations; cells
   whose range is too narrow get the cheapest *protecting direction* (:func:`_directions`: a change of
   x that keeps every relation, found by an LP that charges respondents of published cells moved, a
   gemeente headline most; the published cells it moves become complements — τ-ARGUS's hypercube,
   generalised to any layout). When that fails twice, fallbacks that always protect: the cell's whole
   breakdown in its area and every area containing it, then every figure of the indicator there, then
   the indicator (:func:`_fallback`). No run ends for lack of protection;
4. release: the most costly complements are tried back, per indicator, and stay published when both
   attackers find nothing;
5. :func:`audit` runs both attackers on the final table (with :func:`positives_of` of the table before
   the values were blanked) and stops the run only on a bug.

Scale: the exact attacker peels single unknowns and checks relation unions in sparse form; single
cells and pairs are decided by the LPs of :func:`intervals` (inner bounds from a few LPs over
everything at once, each optimum a feasible point; exact LPs per connected component only for the
cells those leave open; a pair's sum can only be determined if it is the same in every feasible point
found).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ceo.core.problems import InputError

#: the reasons in ``reden`` (the single source: the legend of the site is rendered from these)
REASON_SMALL = "te weinig antwoorden (n < {n})"
REASON_N_EFF = "de weging laat het cijfer op te weinig personen rusten (effectieve n < {n})"
REASON_COMPLEMENT = "verborgen om een ander cijfer te beschermen"
#: the same reasons as editions published by ceo 0.1 wrote them (their tables are read back by ``ceo site``)
REASON_SMALL_0_1 = "te weinig respondenten (n < {n})"
REASON_COMPLEMENT_0_1 = "aanvullend onderdrukt, anders is een onderdrukte waarde terug te rekenen"

#: ``subgroep`` of the standardised pooled rows of surveys with variants (see :mod:`ceo.stats.results`)
STANDARDISED = "vaste_samenstelling"
MISSING = "\x00ontbreekt"  # the value of the implicit cell of respondents without a subgroup value


@dataclass
class System:
    """All cells (variables) and additive relations of one results table.

    ``var`` has one row per headline cell of the table (``row`` its position) and per implicit
    missing-subgroup cell (``row`` = -1); ``parts`` is relations × variables (1 = part),
    ``whole[r]`` the variable that is the total of relation r, or -1 when that total is published
    elsewhere (a comparison or group-test figure)."""

    var: pd.DataFrame
    parts: sp.csr_matrix
    whole: np.ndarray
    label: list[str]
    #: (var, cover): the cells that contain a cell (its own area's headline, and the same cell and the
    #: headline of every area that contains its area)
    cover: np.ndarray | None = None

    @cached_property
    def members(self) -> sp.csr_matrix:
        k = len(self.whole)
        has = self.whole >= 0
        w = sp.csr_matrix((np.ones(has.sum()), (np.flatnonzero(has), self.whole[has])),
                          shape=(k, len(self.var)))
        return (self.parts + w).tocsr()


# --------------------------------------------------------------------------------------------
# the relations


def build_system(table: pd.DataFrame, areas: Sequence, extra_known: pd.DataFrame | None = None,
                 thin_mass: float | None = None, positives: np.ndarray | None = None) -> System:
    """Variables and relations of ``table`` (a results table with its original row index).

    ``extra_known``: keys (``gebied_code, indicator, subgroep, subgroep_waarde``) of cells that
    another published table states (group-test statistics); each becomes a one-member relation."""
    head = table[table["categorie"].fillna("") == ""]
    # the pooled figure of all questionnaire variants at a fixed composition is no sum of published cells
    # with coefficient 1 (it reweights the variant cells); results._standardised_publishable checks it
    # against this system with its own coefficients, so it is no relation here
    head = head[head["subgroep"].fillna("").astype(str) != STANDARDISED]
    level = {a.code: a.level for a in areas}
    cells = pd.DataFrame({
        "row": head.index.to_numpy(),
        "ind": head["indicator"].to_numpy(),
        "area": head["gebied_code"].astype(str).to_numpy(),
        "fam": head["subgroep"].fillna("").astype(str).to_numpy(),
        "val": head["subgroep_waarde"].fillna("").astype(str).to_numpy(),
        "n": pd.to_numeric(head["n"], errors="coerce").fillna(0).to_numpy(dtype="float64"),
        "n_eff": pd.to_numeric(head["n_eff"], errors="coerce").to_numpy(dtype="float64")
        if "n_eff" in head else np.nan,
    })
    if thin_mass is not None and "reden" in head:
        # the final table has no n_eff for suppressed rows: a cell the weighting puts on too few people
        # counts as ``thin_mass`` (the audit uses onthulling_n - 1: never stricter than the suppression,
        # which used the actual n_eff, and any union with another cell must still reach onthulling_n)
        thin = (head["reden"].fillna("").astype(str).str.contains("effectieve n <", regex=False).to_numpy()
                & np.isnan(cells["n_eff"].to_numpy()))
        cells.loc[thin, "n_eff"] = thin_mass
    xs = positives_of(table) if positives is None else np.asarray(positives, dtype="float64").reshape(-1, 2)
    at = table.index.get_indexer(head.index)
    cells["x"] = xs[at, 0] if len(xs) == len(table) else np.nan
    cells["cap"] = xs[at, 1] if len(xs) == len(table) else cells["n"].to_numpy()
    # the implicit cells of respondents without a value of the subgroup variable
    everyone = cells[cells["fam"] == ""][["ind", "area", "n", "x", "cap"]].rename(
        columns={"n": "n_all", "x": "x_all", "cap": "cap_all"})
    sums = cells[cells["fam"] != ""].groupby(["ind", "area", "fam"], sort=False)[["n", "x", "cap"]].sum().reset_index()
    miss = sums.merge(everyone, on=["ind", "area"], how="inner")
    miss["n"] = (miss["n_all"] - miss["n"]).clip(lower=0)
    miss["cap"] = np.where(miss["n"] > 0, (miss["cap_all"] - miss["cap"]).clip(lower=0), 0.0)
    miss["x"] = np.clip(miss["x_all"] - miss["x"], 0, miss["cap"])
    miss = miss[["ind", "area", "fam"]].assign(val=MISSING, n=miss["n"].to_numpy(), n_eff=np.nan, row=-1,
                                               x=miss["x"].to_numpy(), cap=miss["cap"].to_numpy())
    var = pd.concat([cells, miss[cells.columns]], ignore_index=True)
    var["level"] = var["area"].map(level).fillna("totaal")
    var["miss"] = var["val"] == MISSING
    var["mass"] = np.fmin(var["n"].to_numpy(), np.where(np.isnan(var["n_eff"]), np.inf, var["n_eff"]))
    vid = pd.Series(np.arange(len(var)), index=pd.MultiIndex.from_frame(var[["ind", "area", "fam", "val"]]))

    rel_rows: list[np.ndarray] = []
    rel_cols: list[np.ndarray] = []
    wholes: list[np.ndarray] = []
    labels: list[str] = []

    def add(whole: np.ndarray, parts_of: list[np.ndarray], names: list[str]) -> None:
        base = sum(len(w) for w in wholes)
        if parts_of:
            lengths = np.fromiter((len(p) for p in parts_of), dtype=np.int64, count=len(parts_of))
            rel_rows.append(np.repeat(np.arange(base, base + len(parts_of), dtype=np.int64), lengths))
            rel_cols.append(np.concatenate(parts_of))
        wholes.append(whole)
        labels.extend(names)

    # (i) within an area: everyone = values + missing, per family
    sub = var[var["fam"] != ""]
    key = pd.MultiIndex.from_arrays([sub["ind"], sub["area"], pd.Series("", index=sub.index),
                                     pd.Series("", index=sub.index)])
    sub = sub.assign(_whole=vid.reindex(key).to_numpy())
    sub = sub[sub["_whole"].notna()]
    g = sub.groupby(["ind", "area", "fam"], sort=False)
    codes = g.ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(codes.max() + 1 if len(codes) else 0))
    parts_all = np.split(sub.index.to_numpy()[order], bounds[1:]) if len(codes) else []
    first = sub.groupby(codes, sort=True).first()
    if len(codes):
        add(first["_whole"].to_numpy(dtype=np.int64), parts_all,
            [f"{a} · {i} · uitsplitsing naar {f}" for i, a, f in
             zip(first["ind"], first["area"], first["fam"], strict=True)])

    # (ii) between areas: region / total = sum of its largest disjoint sub-regions and the other
    # gemeenten, for every cell key (the same row space as "sum of its gemeenten", as every region
    # has its own relation, but with far smaller connected components)
    members = pd.DataFrame(_children(areas), columns=["area", "member"])
    if len(members):
        big = var[var["level"] != "gemeente"][["ind", "area", "fam", "val"]].reset_index()
        big = big.rename(columns={"index": "_whole"})
        pairs = big.merge(members, on="area").drop(columns="area").rename(columns={"member": "area"})
        pkey = pd.MultiIndex.from_frame(pairs[["ind", "area", "fam", "val"]])
        pairs["_part"] = vid.reindex(pkey).to_numpy()
        pairs = pairs[pairs["_part"].notna()]
        codes = pairs["_whole"].to_numpy()
        uniq, inv = np.unique(codes, return_inverse=True)
        order = np.argsort(inv, kind="stable")
        bounds = np.searchsorted(inv[order], np.arange(len(uniq)))
        parts_all = np.split(pairs["_part"].to_numpy(dtype=np.int64)[order], bounds[1:])
        info = var.loc[uniq]
        add(uniq.astype(np.int64), parts_all,
            _cell_names(info, "som van de gemeenten en regio's erin"))

    # (iii) the rest of the region published next to a gemeente
    if "waarde_rest_regio" in table:
        rest = head[head["waarde_rest_regio"].notna() & (head["regio"].fillna("") != "")]
        if len(rest):
            region_members = pd.DataFrame([(a.code, m) for a in areas for m in a.members],
                                          columns=["regio", "area"])
            rr = pd.DataFrame({"_r": rest.index.to_numpy(), "regio": rest["regio"].to_numpy(),
                               "_gm": rest["gebied_code"].astype(str).to_numpy()})
            rr = rr.merge(region_members, on="regio")
            rr = rr[rr["area"] != rr["_gm"]][["_r", "area"]].reset_index(drop=True)
            src = head.loc[rr["_r"]]
            rkey = pd.MultiIndex.from_arrays([src["indicator"].to_numpy(), rr["area"].to_numpy(),
                                              src["subgroep"].fillna("").to_numpy(),
                                              src["subgroep_waarde"].fillna("").to_numpy()])
            rr["_part"] = vid.reindex(rkey).to_numpy()
            rr = rr[rr["_part"].notna()]
            uniq, inv = np.unique(rr["_r"].to_numpy(), return_inverse=True)
            order = np.argsort(inv, kind="stable")
            bounds = np.searchsorted(inv[order], np.arange(len(uniq)))
            parts_all = np.split(rr["_part"].to_numpy(dtype=np.int64)[order], bounds[1:])
            add(np.full(len(uniq), -1, dtype=np.int64), parts_all,
                [f"{a} · {i}: rest van de regio" for a, i in
                 zip(head.loc[uniq, "gebied_code"].to_numpy(), head.loc[uniq, "indicator"].to_numpy(), strict=True)])

    # (iv) cells stated by another published table
    if extra_known is not None and len(extra_known):
        ek = extra_known.copy()
        ekey = pd.MultiIndex.from_arrays([ek["indicator"], ek["gebied_code"].astype(str),
                                          ek["subgroep"].fillna(""), ek["subgroep_waarde"].fillna("")])
        ids = vid.reindex(ekey).to_numpy()
        ids = np.unique(ids[~np.isnan(ids)].astype(np.int64))
        if len(ids):
            add(np.full(len(ids), -1, dtype=np.int64), [np.array([i]) for i in ids],
                _cell_names(var.loc[ids], "groepsstatistiek in de toetsentabel"))

    n_rel = sum(len(w) for w in wholes)
    r = np.concatenate(rel_rows) if rel_rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(rel_cols).astype(np.int64) if rel_cols else np.zeros(0, dtype=np.int64)
    parts = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(n_rel, len(var)))
    parts.data[:] = 1.0  # a part listed twice is still one part
    whole = np.concatenate(wholes).astype(np.int64) if wholes else np.zeros(0, dtype=np.int64)
    # the cells that contain each cell
    anc = _ancestors(areas)
    base = var[["ind", "area", "fam", "val"]].reset_index().rename(columns={"index": "_v"})
    up = base.merge(anc, on="area").drop(columns="area").rename(columns={"anc": "area"})
    same = up.assign(_k=vid.reindex(pd.MultiIndex.from_frame(up[["ind", "area", "fam", "val"]])).to_numpy())
    head_ = up.assign(fam="", val="")
    head_ = head_.assign(_k=vid.reindex(pd.MultiIndex.from_frame(head_[["ind", "area", "fam", "val"]])).to_numpy())
    cov = pd.concat([same, head_])[["_v", "_k"]].dropna()
    cov = cov[cov["_v"] != cov["_k"]].drop_duplicates().to_numpy(dtype=np.int64)
    return System(var=var, parts=parts, whole=whole, label=labels, cover=cov)


def positives_of(table: pd.DataFrame) -> np.ndarray:
    """Per row of ``table`` (rows × 2): the cell's answers ``x`` and its size ``cap`` in count space,
    0 <= x <= cap. Unweighted: cap = n and x the number of positive answers of a percentage, or for a
    mean the sum of the marks above the scale's lowest mark in units of the scale's range (the scale
    is the range of the indicator's cell means, widened to whole marks). Weighted: cap = the sum of the
    weights of the cell (the attacker knows the weights: the worst case) and x = value × cap; relations
    between cells are additive in that space exactly as in counts. NaN where the table has no value
    (suppressed rows of a final table)."""
    n = pd.to_numeric(table["n"], errors="coerce").fillna(0).to_numpy(dtype="float64")
    w = (pd.to_numeric(table["waarde"], errors="coerce").to_numpy(dtype="float64") if "waarde" in table
         else np.full(len(table), np.nan))
    cap = n.copy()
    if "_gewicht" in table and (table.get("gewogen", "nee") == "ja").any():
        g = pd.to_numeric(table["_gewicht"], errors="coerce").to_numpy(dtype="float64")
        cap = np.where(np.isfinite(g), g, n)
        cap[n == 0] = 0.0
    mean = (table["soort"] == "gemiddelde").to_numpy() if "soort" in table else np.zeros(len(table), dtype=bool)
    y = w / 100.0
    if mean.any():
        ind = table["indicator"].to_numpy()
        lo = pd.Series(w[mean]).groupby(ind[mean]).transform("min").to_numpy()
        hi = pd.Series(w[mean]).groupby(ind[mean]).transform("max").to_numpy()
        lo, hi = np.floor(lo), np.ceil(hi)
        y[mean] = np.where(hi > lo, (w[mean] - lo) / np.where(hi > lo, hi - lo, 1.0), 0.5)
    x = np.clip(y * cap, 0.0, cap)
    x[n == 0] = 0.0
    return np.column_stack([x, cap])


def _children(areas: Sequence) -> list[tuple[str, str]]:
    """(area, child) for every region and the total: its largest pairwise disjoint regions that lie
    strictly inside it, and its gemeenten that none of those covers."""
    sets = {a.code: frozenset(a.members) for a in areas}
    regions = [a.code for a in areas if a.level != "gemeente"]
    out = []
    for a in regions:
        inside = sorted((r for r in regions if r != a and sets[r] < sets[a]), key=lambda r: (-len(sets[r]), r))
        covered: set[str] = set()
        for r in inside:
            if not sets[r] & covered:
                out.append((a, r))
                covered |= sets[r]
        out += [(a, g) for g in sorted(sets[a] - covered)]
    return out


def _cell_name(r, what: str) -> str:
    val = "" if not r.fam else f" · {r.fam} = {'onbekend' if r.val == MISSING else r.val}"
    return f"{r.area} · {r.ind}{val}: {what}"


def _cell_names(cells: pd.DataFrame, what: str) -> list[str]:
    """:func:`_cell_name` of every row of ``cells`` (columns ind, area, fam, val)."""
    return [f"{a} · {i}{'' if not f else f' · {f} = ' + ('onbekend' if v == MISSING else str(v))}: {what}"
            for i, a, f, v in zip(cells["ind"].to_numpy(), cells["area"].to_numpy(), cells["fam"].to_numpy(),
                                  cells["val"].to_numpy(), strict=True)]


# --------------------------------------------------------------------------------------------
# what an attacker can recompute


def _peel(members: sp.csr_matrix, unknown: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unknowns that are the only unknown of some relation, repeatedly (exactly recomputable), and
    the relation that gives each away."""
    det = np.zeros(len(unknown), dtype=bool)
    by = np.full(len(unknown), -1, dtype=np.int64)
    while True:
        eff = (unknown & ~det).astype("float64")
        cnt = members @ eff
        one = np.flatnonzero(np.abs(cnt - 1) < 0.5)
        if not len(one):
            return det, by
        hit = members[one].multiply(eff[None, :]).tocoo()
        nz = hit.data != 0
        hit = sp.coo_matrix((hit.data[nz], (hit.row[nz], hit.col[nz])), shape=hit.shape)
        cols = hit.col
        rels = one[hit.row]
        new = ~det[cols]
        if not new.any():
            return det, by
        cols, rels = cols[new], rels[new]
        cols, first = np.unique(cols, return_index=True)
        det[cols] = True
        by[cols] = rels[first]


@dataclass
class Leak:
    cells: np.ndarray   # variable ids
    mass: float
    relation: str


def find_leaks(system: System, suppressed: np.ndarray, disclosure_n: int) -> list[Leak]:
    """The automatic attacker: every disclosive cell and every union of unknown cells with fewer than
    ``disclosure_n`` respondents that the published figures determine exactly.

    Exact linear algebra over the relations restricted to the unknown cells: a set T is determined
    iff the sum of the indicator vectors of T is orthogonal to the null space. Cells that are the
    only unknown of a relation are peeled off first (exactly, in sparse form), and the unknown parts of every
    relation whose total is known are checked as a union; single cells and pairs that only several relations
    together determine are found by the sparse LPs of :func:`intervals`."""
    var = system.var
    mass = var["mass"].to_numpy()
    unknown = suppressed & (var["n"].to_numpy() > 0)
    members = system.members
    det, by = _peel(members, unknown)
    # the respondents without a value of a breakdown variable are no group anyone can point at: their
    # cell is an unknown of the equations but needs no protection of its own (a union with a
    # disclosive cell still does)
    sensitive = unknown & (mass < disclosure_n) & ~var["miss"].to_numpy()
    leaks: list[Leak] = []
    for j in np.flatnonzero(det & sensitive):
        leaks.append(Leak(np.array([j]), float(mass[j]), system.label[by[j]]))
    rest = unknown & ~det
    # unions: the unknown parts of every relation whose total is known
    whole_known = np.ones(len(system.whole), dtype=bool)
    hw = system.whole >= 0
    whole_known[hw] = ~rest[system.whole[hw]]
    eff = rest.astype("float64")
    cnt = system.parts @ eff
    m_sum = system.parts @ (eff * np.where(np.isfinite(mass), mass, 0))
    # a union with respondents without a value is no identifiable group (its real cells' ranges are
    # the protection intervals' business)
    with_missing = system.parts @ (rest & var["miss"].to_numpy()).astype("float64")
    bad = np.flatnonzero(whole_known & (cnt >= 2) & (with_missing == 0) & (m_sum < disclosure_n))
    for r in bad:
        row = system.parts[r]
        cells = row.indices[rest[row.indices]]
        leaks.append(Leak(cells, float(m_sum[r]), system.label[r]))
    # the rest (single cells and pairs that only several relations together determine) is the business of
    # the protection intervals' sparse LPs (:func:`intervals`)
    return leaks


def _signed_all(system: System) -> sp.csr_matrix:
    """Every relation with sign +1 for its total and -1 for its parts (all variables)."""
    k = len(system.whole)
    has = system.whole >= 0
    w = sp.csr_matrix((np.ones(has.sum()), (np.flatnonzero(has), system.whole[has])),
                      shape=(k, len(system.var)))
    return (w - system.parts).tocsr()


def _unit(cap: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The size of one respondent of a cell in count space (its mean weight; 1 unweighted)."""
    return np.where(n > 0, cap / np.maximum(n, 1e-300), 1.0)


def required_width(n: np.ndarray, protection_n: float) -> np.ndarray:
    """The protection level of a cell of ``n`` respondents, in respondents: min(n, ``beschermingsmarge``)."""
    return np.minimum(n, float(protection_n))



class _LP:
    """min c @ x subject to ``a @ x = b`` and ``bounds`` (columns lower, upper), for many objectives (and
    bounds) on one model: HiGHS (scipy's bindings) keeps its basis between solves (a warm start) and
    the model is passed once, without linprog's per-call work (a Python loop over the columns). Falls
    back to ``scipy.optimize.linprog`` where scipy has no such bindings. ``solve`` returns an optimal
    point, or None when the LP has none."""

    def __init__(self, a: sp.spmatrix, b: np.ndarray, bounds: np.ndarray):
        self.a, self.b = a, np.asarray(b, dtype="float64")
        self.bounds = np.asarray(bounds, dtype="float64").copy()
        self.n = self.bounds.shape[0]
        self.highs = None
        if a.shape[0] == 0:
            return
        try:
            from scipy.optimize._highspy import _core as h
        except ImportError:  # pragma: no cover - other scipy releases
            return
        try:
            csc = sp.csc_matrix(a)
            csc.sort_indices()
            lp = h.HighsLp()
            lp.num_col_, lp.num_row_ = self.n, a.shape[0]
            lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = self.n, a.shape[0]
            lp.a_matrix_.format_ = h.MatrixFormat.kColwise
            lp.col_cost_ = np.zeros(self.n)
            lp.col_lower_, lp.col_upper_ = self.bounds[:, 0].copy(), self.bounds[:, 1].copy()
            lp.row_lower_, lp.row_upper_ = self.b.copy(), self.b.copy()
            lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
            lp.a_matrix_.index_ = csc.indices.astype(np.int32)
            lp.a_matrix_.value_ = csc.data.astype("float64")
            highs = h._Highs()
            highs.setOptionValue("output_flag", False)
            highs.setOptionValue("presolve", "off")
            if highs.passModel(lp) == h.HighsStatus.kError:
                return
        except Exception:  # pragma: no cover - bindings of another shape: linprog does it
            return
        self.h, self.highs = h, highs
        self.cost = np.zeros(self.n)

    def set_bounds(self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Change the bounds of the columns ``cols``."""
        cols = np.asarray(cols, dtype=np.int32)
        self.bounds[cols, 0], self.bounds[cols, 1] = lower, upper
        if self.highs is not None:
            self.highs.changeColsBounds(len(cols), cols.copy(), self.bounds[cols, 0].copy(),
                                        self.bounds[cols, 1].copy())

    def solve(self, c: np.ndarray) -> np.ndarray | None:
        c = np.asarray(c, dtype="float64")
        if self.a.shape[0] == 0:
            return np.where(c < 0, self.bounds[:, 1], self.bounds[:, 0])
        if self.highs is None:
            from scipy.optimize import linprog

            r = linprog(c, A_eq=self.a, b_eq=self.b, bounds=self.bounds, method="highs")
            return r.x if r.status == 0 else None
        diff = np.flatnonzero(c != self.cost).astype(np.int32)
        if len(diff):
            self.highs.changeColsCost(len(diff), diff, c[diff].copy())
            self.cost = c.copy()
        for attempt in range(2):
            if attempt:
                self.highs.clearSolver()  # a warm start that went wrong: once more from scratch
            ran = self.highs.run() != self.h.HighsStatus.kError
            status = self.highs.getModelStatus()
            if ran and status == self.h.HighsModelStatus.kOptimal:
                return np.array(self.highs.getSolution().col_value)
            if ran and status == self.h.HighsModelStatus.kInfeasible:
                return None
        return None


def intervals(system: System, suppressed: np.ndarray, disclosure_n: int, protection_n: float,
              exact: bool = True, skip: np.ndarray | None = None) -> pd.DataFrame:
    """The attacker's linear-programming bounds on the suppressed disclosive cells.

    Unknowns: every suppressed cell (the missing cells included) with 0 <= x <= n (the attacker knows
    every n: the worst case); equations: every relation, its right-hand side fixed by the published
    figures. For each disclosive suppressed cell (1 <= n < ``disclosure_n``, or thin; not a missing
    cell: nobody can point at those respondents) the range [lo, hi] of its x must be at least
    :func:`required_width` wide. Inner bounds come cheaply from a few LPs over everything at once
    (each optimum is a feasible point; so is the true x); only cells these do not settle get their own
    two LPs, on their connected component (HiGHS). With ``exact=False`` the inner bounds are returned as
    they are (a failure then means "not certified").

    Returns one row per disclosive suppressed cell: ``cell`` (variable id), ``lo``, ``hi``, ``need``
    and ``ok``."""
    var = system.var
    n = var["n"].to_numpy(dtype="float64")
    cap = var["cap"].to_numpy(dtype="float64")
    x = var["x"].to_numpy(dtype="float64")
    mass = var["mass"].to_numpy()
    unknown = suppressed & (n > 0)
    target = unknown & ~var["miss"].to_numpy() & (mass < disclosure_n)
    if system.cover is not None and len(system.cover) and target.any():
        # a published figure of at least onthulling_n people at 0 % or 100 % already says that of each
        # of them; a small group inside it has nothing left to hide
        v, k = system.cover[:, 0], system.cover[:, 1]
        xk = np.nan_to_num(x[k])
        alike_k = (~suppressed[k] & (n[k] >= disclosure_n) & (mass[k] >= disclosure_n)
                   & ((xk <= 1e-9 * np.maximum(cap[k], 1)) | (xk >= cap[k] * (1 - 1e-9))))
        target[v[alike_k]] = False
    empty = pd.DataFrame({"cell": np.zeros(0, dtype=np.int64), "lo": [], "hi": [], "need": [],
                          "ok": np.zeros(0, dtype=bool), "pair": np.zeros(0, dtype=np.int64)})
    if skip is not None:
        target &= ~skip  # settled before (only with more suppressed cells since: ranges only widened)
    if not target.any() or np.isnan(x[unknown]).any():
        return empty
    cols = np.flatnonzero(unknown)
    a = _signed_all(system)[:, cols].tocsr()
    a = a[np.flatnonzero(np.diff(a.indptr) > 0)]
    a.eliminate_zeros()
    if skip is not None:
        # only the connected components with a cell to settle
        g = sp.bmat([[None, a], [a.T, None]]).tocsr()
        _, cc = connected_components(g, directed=False)
        cv, cr = cc[a.shape[0]:], cc[:a.shape[0]]
        want = np.isin(cv, cv[target[cols]])
        a = a[np.flatnonzero(np.isin(cr, cv[target[cols]]))][:, np.flatnonzero(want)].tocsr()
        cols = cols[want]
    xs = np.clip(x[cols], 0.0, cap[cols])
    b = a @ xs
    ub = cap[cols]
    bounds = np.column_stack([np.zeros(len(cols)), ub])
    tpos = np.flatnonzero(target[cols])
    lo = xs[tpos].copy()
    hi = xs[tpos].copy()
    need = required_width(n[cols][tpos], protection_n) * _unit(cap[cols][tpos], n[cols][tpos])

    lps: dict[int, _LP] = {}
    graph = sp.bmat([[None, a], [a.T, None]]).tocsr()
    _, comp = connected_components(graph, directed=False)
    comp_var = comp[a.shape[0]:]
    comp_rel = comp[:a.shape[0]]
    order_v = np.argsort(comp_var, kind="stable")
    order_r = np.argsort(comp_rel, kind="stable")
    n_comp = int(comp.max()) + 1 if len(comp) else 0
    vb = np.searchsorted(comp_var[order_v], np.arange(n_comp + 1))
    rb = np.searchsorted(comp_rel[order_r], np.arange(n_comp + 1))
    extra_points: list[tuple[np.ndarray, np.ndarray]] = []  # (columns, values): feasible points of a component

    def component(c_id: int) -> tuple[np.ndarray, _LP]:
        """The component's variables and its LP (built once, warm-started between objectives)."""
        vi = order_v[vb[c_id]:vb[c_id + 1]]
        if c_id not in lps:
            ri = order_r[rb[c_id]:rb[c_id + 1]]
            lps[c_id] = _LP(a[ri][:, vi].tocsr(), b[ri], bounds[vi])
        return vi, lps[c_id]

    # inner bounds: optima over everything at once (component by component), each objective on the cells
    # not yet settled (pushing them all up, all down, or half up and half down at random), until no more
    # cell is settled
    rng = np.random.default_rng(20261207)
    points: list[np.ndarray] = []
    stale = 0
    for it in range(12):
        open_ = np.flatnonzero(hi - lo < need - 1e-6)
        if not len(open_) or stale >= 2:
            break
        c = np.zeros(len(cols))
        if it % 3 == 2:
            c[tpos[open_]] = rng.choice([-1.0, 1.0], len(open_)) * rng.uniform(0.5, 1.5, len(open_))
        else:
            c[tpos[open_]] = -1.0 if it % 3 == 0 else 1.0
        # the components are independent: each with open cells solves its part (warm-started), the
        # others stay at the true answers (a feasible point)
        pt = xs.copy()
        solved_any = False
        for c_id in np.unique(comp_var[tpos[open_]]):
            vi, lp = component(int(c_id))
            q = lp.solve(c[vi])
            if q is not None:
                pt[vi] = q
                solved_any = True
        if not solved_any:
            stale += 1
            continue
        points.append(pt)
        lo = np.minimum(lo, pt[tpos])
        hi = np.maximum(hi, pt[tpos])
        settled = int((hi[open_] - lo[open_] >= need[open_] - 1e-6).sum())
        stale = stale + 1 if settled == 0 and it % 3 == 2 else (0 if settled else stale)
    open_ = np.flatnonzero(hi - lo < need - 1e-6)
    if not exact:
        ok = hi - lo >= need - 1e-6
        return pd.DataFrame({"cell": cols[tpos], "lo": lo, "hi": hi, "need": need, "ok": ok,
                             "pair": np.full(len(tpos), -1, dtype=np.int64)})
    if len(open_):
        # the cells left: their own LPs on their connected component
        for c_id in np.unique(comp_var[tpos[open_]]):
            vi, lp = component(int(c_id))
            where = {v: k for k, v in enumerate(vi)}
            for k in open_[comp_var[tpos[open_]] == c_id]:
                c = np.zeros(len(vi))
                c[where[tpos[k]]] = 1.0
                for sign in (1.0, -1.0):
                    pt = lp.solve(sign * c)
                    if pt is None:
                        continue
                    extra_points.append((vi, pt))
                    if sign > 0:
                        lo[k] = min(lo[k], pt[where[tpos[k]]])
                    else:
                        hi[k] = max(hi[k], pt[where[tpos[k]]])
    ok = hi - lo >= need - 1e-6
    pair = np.full(len(tpos), -1, dtype=np.int64)
    # pairs of small cells whose sum the published figures determine: such a sum is the same in every
    # feasible point, so only pairs whose changes cancel in every point found so far are candidates;
    # each candidate gets two exact LPs on its component
    unit = _unit(cap[cols][tpos], n[cols][tpos])
    real = ~var["miss"].to_numpy()[cols][tpos]
    dev = np.column_stack([p_[tpos] - xs[tpos] for p_ in points] or [np.zeros((len(tpos), 0))])
    if extra_points:
        pos_of = np.full(len(cols), -1, dtype=np.int64)
        pos_of[tpos] = np.arange(len(tpos))
        more = np.zeros((len(tpos), len(extra_points)))
        for j, (vi, pt) in enumerate(extra_points):
            at = pos_of[vi]
            sel = at >= 0
            more[at[sel], j] = pt[sel] - xs[vi][sel]
        dev = np.column_stack([dev, more])
    key = np.round(dev / unit[:, None], 5) + 0.0
    cand = pd.DataFrame({"i": np.arange(len(tpos)), "c": comp_var[tpos], "k": _row_keys(key)})
    neg = pd.DataFrame({"j": np.arange(len(tpos)), "c": comp_var[tpos], "k": _row_keys(-key + 0.0)})
    pairs = cand.merge(neg, on=["c", "k"])
    pairs = pairs[(pairs["i"] < pairs["j"])]
    if len(pairs):
        i_, j_ = pairs["i"].to_numpy(), pairs["j"].to_numpy()
        m_ = mass[cols][tpos]
        keep = real[i_] & real[j_] & (m_[i_] + m_[j_] < disclosure_n)
        i_, j_ = i_[keep], j_[keep]
        o = np.lexsort((j_, i_, comp_var[tpos[i_]]))
        subs: dict[int, tuple] = {}
        found: dict[int, list[np.ndarray]] = {}  # the points the pair LPs find, per component
        for i, j in zip(i_[o], j_[o], strict=True):
            c_id = int(comp_var[tpos[i]])
            if c_id not in subs:
                subs[c_id] = component(c_id)
                found[c_id] = []
            vi, lp = subs[c_id]
            at = np.searchsorted(vi, [tpos[i], tpos[j]])
            s0 = xs[tpos[i]] + xs[tpos[j]]
            tol = 1e-6 * max(unit[i], unit[j])
            # a determined sum is the same in every feasible point: a point of an earlier pair's LPs
            # where it differs (by far more than the solver's tolerance) settles the pair at once
            if any(abs(pt[at].sum() - s0) > 1e-4 * max(unit[i], unit[j]) for pt in found[c_id]):
                continue
            c = np.zeros(len(vi))
            c[at] = 1.0
            low = lp.solve(c)
            if low is None:
                continue
            found[c_id].append(low)
            if s0 - c @ low >= tol:
                continue  # the maximum is at least the true sum: the range is wider than tol
            high = lp.solve(-c)
            if high is None:
                continue
            found[c_id].append(high)
            if (c @ high) - (c @ low) < tol:
                ok[i] = ok[j] = False
                pair[i], pair[j] = cols[tpos[j]], cols[tpos[i]]
    return pd.DataFrame({"cell": cols[tpos], "lo": lo, "hi": hi, "need": need, "ok": ok, "pair": pair})


def _row_keys(m: np.ndarray) -> np.ndarray:
    """A hashable key per row of a float matrix (its bytes)."""
    m = np.ascontiguousarray(m, dtype="float64")
    if m.shape[1] == 0:
        return np.zeros(len(m), dtype=np.int64)
    return pd.util.hash_pandas_object(pd.DataFrame(m), index=False).to_numpy()




# --------------------------------------------------------------------------------------------
# suppression


def protect(table: pd.DataFrame, areas: Sequence, th, extra_known: pd.DataFrame | None = None) -> pd.DataFrame:
    """Primary and complementary suppression of ``table`` (in place): sets ``onderdrukt`` and ``reden``.

    Returns the provenance of the complements: one row per complement (``gebied_code, indicator,
    subgroep, subgroep_waarde``, its ``n``) with the small group it protects (``oorzaak``, a Dutch
    description) and ``stap`` (``regel``, ``bereik`` or ``terugval``); :func:`provenance_lines` words
    it for the researcher's log. The audit of the final table (whose suppressed rows carry no value)
    needs every row's answers in count space: keep :func:`positives_of` of this table."""
    if table.empty:
        return _no_provenance()
    protection_n = float(getattr(th, "protection_n", DEFAULT_PROTECTION_N))
    n = pd.to_numeric(table["n"], errors="coerce").fillna(0).to_numpy()
    n_eff = pd.to_numeric(table["n_eff"], errors="coerce").to_numpy() if "n_eff" in table else np.full(len(n), np.nan)
    onderdrukt = np.where(n < th.min_n, "ja", "nee").astype(object)
    reden = np.where(n < th.min_n, REASON_SMALL.format(n=th.min_n), "").astype(object)
    tiny = (n >= 1) & (n < th.disclosure_n)
    reden[tiny] = REASON_SMALL.format(n=th.disclosure_n)
    thin = (n >= th.disclosure_n) & (n_eff < th.disclosure_n)
    onderdrukt[thin] = "ja"
    reden[thin] = REASON_N_EFF.format(n=th.disclosure_n)
    table["onderdrukt"] = onderdrukt
    table["reden"] = reden
    positives = positives_of(table)

    system = build_system(table, areas, extra_known, positives=positives)
    var = system.var
    row = var["row"].to_numpy()
    is_cell = row >= 0
    pos = table.index.get_indexer(row[is_cell])
    sup = np.ones(len(var), dtype=bool)  # the missing cells are never published
    sup[is_cell] = onderdrukt[pos] == "ja"
    # cost of suppressing a published cell: region/total breakdown, gemeente breakdown, region/total
    # headline, gemeente headline; then n
    big = (var["level"] != "gemeente").to_numpy()
    breakdown = (var["fam"] != "").to_numpy()
    tier = np.select([big & breakdown, ~big & breakdown, big & ~breakdown], [0, 1, 2], 3)
    # within a tier, every gemeente prefers the same value (the one with the fewest respondents in the
    # total): complements in one column protect each other, complements spread over columns pair up
    # tiny cells whose sum could then be recomputed
    top = var[var["level"] == "totaal"].groupby(["ind", "fam", "val"])["n"].max()
    n_top = top.reindex(pd.MultiIndex.from_frame(var[["ind", "fam", "val"]])).fillna(0).to_numpy()
    vn = var["n"].to_numpy(dtype="float64")
    cost = tier * 1e13 + np.minimum(n_top, 9e6) * 1e6 + np.minimum(vn, 9e5)
    # a complement whose respondents all answered alike widens no range: after any other choice
    vx = np.nan_to_num(var["x"].to_numpy(dtype="float64"))
    vc = var["cap"].to_numpy(dtype="float64")
    alike = np.fmin(vx, vc - vx) < min(protection_n, 1.0) * _unit(vc, vn) - 1e-9
    cost = cost + np.where(alike, 5e14, 0.0)
    cost[~is_cell] = np.inf
    # the price per respondent of moving a published cell in a protecting direction (see _directions)
    weight = np.select([big & breakdown, ~big & breakdown, big & ~breakdown], [1.0, 1.0, 3.0], 1000.0)
    weight = weight * np.maximum(vn, 1)
    weight[~is_cell] = np.inf

    step = np.full(len(var), "", dtype=object)
    extra = _complements(system, sup, cost, th.disclosure_n)
    step[extra & ~sup] = "regel"
    fixed = sup.copy()  # the attacker's complements stay: the local rule cannot see why they are needed
    strikes = np.zeros(len(var), dtype=np.int64)
    settled = np.zeros(len(var), dtype=bool)
    ancestors = _ancestors(areas)
    near = _neighbourhoods(areas, ancestors)
    for _ in range(30):  # the attackers' findings close what the local rule missed
        hidden = sup | extra
        leaks = find_leaks(system, hidden, th.disclosure_n)
        # cells the cheap inner bounds do not settle go to _directions, whose LPs settle them or protect them
        iv = intervals(system, hidden, th.disclosure_n, protection_n, exact=False, skip=settled)
        settled[iv.loc[iv["ok"], "cell"].to_numpy(dtype=np.int64)] = True  # more hidden only widens a range
        bad_iv = iv.loc[~iv["ok"], "cell"].to_numpy(dtype=np.int64)
        if not len(bad_iv) and not leaks:
            # the exact check: every cell's own LPs and pairs of small cells with a determined sum
            iv = intervals(system, hidden, th.disclosure_n, protection_n)
            bad_iv = iv.loc[~iv["ok"], "cell"].to_numpy(dtype=np.int64)
            settled[iv.loc[iv["ok"], "cell"].to_numpy(dtype=np.int64)] = True
        bad = np.unique(np.concatenate([bad_iv] + [lk.cells for lk in leaks]).astype(np.int64))
        if not len(bad):
            break
        strikes[bad] += 1
        lvl = strikes[bad]
        more = np.zeros(len(var), dtype=bool)
        if leaks and (strikes[np.concatenate([lk.cells for lk in leaks])] <= 2).any():
            more |= _repair(system, hidden, cost, leaks)
        # first a direction within the cell's breakdown, then its whole breakdown in the areas around it
        # (fallback 1: region/total breakdown cells before any headline), then a direction through the
        # whole indicator (which may move headline figures), then the larger fallbacks
        for strike, whole_indicator in ((1, False), (3, True)):
            cells = bad_iv[strikes[bad_iv] == strike]
            if len(cells):
                found, ok = _directions(system, hidden | more, cells, weight, protection_n, whole_indicator,
                                        near)
                more |= found
                settled |= ok
        for level in (1, 2, 3):
            cells = bad[_level(lvl) == level]
            if len(cells):
                more |= _fallback(system, cells, level, ancestors)
        more &= ~hidden & is_cell
        if not more.any():
            if strikes[bad].min() > 6:
                break
            continue  # the next round tries the next step for these cells
        step[more] = "bereik"
        fb = _level(lvl) > 0
        step[more & _fallback_mask(system, bad[fb], lvl[fb], ancestors)] = "terugval"
        fixed |= more
        extra = (extra | more) & ~sup
        extra |= _complements(system, fixed | extra, cost, th.disclosure_n) | (fixed & ~sup)
        step[extra & (step == "")] = "regel"
    extra = _release(system, sup, extra & is_cell, cost, th.disclosure_n, protection_n)
    comp = extra & ~sup & is_cell
    _mark(table, row[comp])
    return _provenance(system, sup, comp, step, th.disclosure_n)


DEFAULT_PROTECTION_N = 4


def _neighbourhoods(areas: Sequence, ancestors: pd.DataFrame) -> dict[str, set[str]]:
    """Per area: itself, the areas that contain it, and the parts (:func:`_children`) of those: where a
    protecting direction of one of its cells is looked for."""
    parts = pd.DataFrame(_children(areas), columns=["anc", "part"])
    m = ancestors.merge(parts, on="anc")
    out = {a.code: {a.code} for a in areas}
    for a, grp in ancestors.groupby("area"):
        out[a] |= set(grp["anc"])
    for a, grp in m.groupby("area"):
        out[a] |= set(grp["part"])
    return out


def _directions(system: System, hidden: np.ndarray, cells: np.ndarray, weight: np.ndarray,
                protection_n: float, whole_indicator: bool = False,
                near: dict[str, set[str]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Complements that widen the range of each cell of ``cells`` to its protection level: per cell two
    LPs (up and down) for the cheapest feasible direction of change (a change of the cell's positive
    answers that keeps every relation; the hypercube of τ-ARGUS generalised to any layout). Moving a
    suppressed cell is free, moving a published cell costs ``weight`` per respondent of change; the
    published cells the directions move become complements. A breakdown cell moves within its own
    subgroup variable (its area's headline fixed; with ``whole_indicator``, for a second attempt, with
    all of its indicator), a headline cell with all of its indicator. Cells are handled one after the
    other, each seeing the complements of the ones before."""

    var = system.var
    n0 = var["n"].to_numpy(dtype="float64")
    n = var["cap"].to_numpy(dtype="float64")  # sizes in count space (the sum of the weights when weighted)
    x = np.clip(np.nan_to_num(var["x"].to_numpy(dtype="float64")), 0, n)
    ind = pd.factorize(var["ind"])[0]
    fam = var["fam"].to_numpy()
    area = var["area"].to_numpy()
    a_all = _signed_all(system).tocsc()
    hidden = hidden.copy()
    out = np.zeros(len(var), dtype=bool)
    ok = np.zeros(len(var), dtype=bool)
    by_ind = {k: np.flatnonzero(ind == k) for k in np.unique(ind[cells])}
    models: dict[tuple, tuple[np.ndarray, _LP]] = {}  # per candidate set: its LP, warm-started cell to cell
    for p in cells:
        narrow = bool(fam[p]) and not whole_indicator
        key = (ind[p], fam[p] if narrow else None)
        cols = by_ind[ind[p]]
        if narrow:
            cols = cols[fam[cols] == fam[p]]
        if near is not None and len(cols) > NEAR_ABOVE:
            # at national scale: only the areas around the cell's own (the LP stays small; a direction
            # through far areas would cost more anyway)
            key = key + (area[p],)
            if key not in models:
                cols = cols[np.isin(area[cols], list(near.get(area[p], {area[p]})))]
        if key not in models:
            # the missing cells (no weight) are always hidden: the candidate set depends on the key only
            cols = cols[(n0[cols] > 0) & (np.isfinite(weight[cols]) | hidden[cols])]
            coo = a_all[:, cols].tocoo()
            rows, inv = np.unique(coo.row, return_inverse=True)
            sub = sp.csr_matrix((coo.data, (inv, coo.col)), shape=(len(rows), len(cols)))
            a_eq = sp.hstack([sub, -sub]).tocsr()
            # d = plus - minus, 0 <= plus <= n - x, 0 <= minus <= x; per cell only its own bounds change
            base = np.column_stack([np.zeros(2 * len(cols)), np.concatenate([n[cols] - x[cols], x[cols]])])
            models[key] = (cols, _LP(a_eq, np.zeros(a_eq.shape[0]), base), base)
        cols, lp, base = models[key]
        m = len(cols)
        k = int(np.flatnonzero(cols == p)[0])
        w = np.where(hidden[cols], 1e-3, weight[cols])
        need = float(required_width(np.array([n0[p]]), protection_n)[0] * _unit(np.array([n[p]]), np.array([n0[p]]))[0])
        up = min(n[p] - x[p], need)
        targets = [(up, 1.0), (need - up, -1.0)]
        solved = 0
        for amount, sign in targets:
            if amount <= 1e-9:
                solved += 1
                continue
            if sign > 0:  # plus_k = amount, minus_k = 0
                lp.set_bounds([k, m + k], [amount, 0.0], [amount, 0.0])
            else:
                lp.set_bounds([k, m + k], [0.0, amount], [0.0, amount])
            r = lp.solve(np.concatenate([w, w]))
            lp.set_bounds([k, m + k], base[[k, m + k], 0], base[[k, m + k], 1])
            if r is None:
                continue  # no direction within reach: the fallbacks take over
            d = r[:m] - r[m:]
            moved = cols[(np.abs(d) > 1e-9) & ~hidden[cols]]
            out[moved] = True
            hidden[moved] = True
            solved += 1
        ok[p] = solved == 2
    return out, ok


RELEASE_RANKS = 6
NEAR_ABOVE = 2000  # direction LPs with more candidate cells than this look only near the cell


def _release(system: System, sup: np.ndarray, extra: np.ndarray, cost: np.ndarray, disclosure_n: int,
             protection_n: float, ranks: int = RELEASE_RANKS) -> np.ndarray:
    """Publish again the complements both attackers turn out not to need: per indicator (indicators
    share no relation) the most costly complement first, all indicators at once, for the ``ranks``
    most costly complements of each; a complement stays when its indicator then has an exact leak or
    a cell inside its protection level."""
    var = system.var
    comp = np.flatnonzero(extra & ~sup)
    if not len(comp):
        return extra
    layer = pd.factorize(var["ind"])[0]
    order = comp[np.lexsort((-comp, -cost[comp], layer[comp]))]
    lay = layer[order]
    start = np.searchsorted(lay, np.unique(lay))
    rank = np.arange(len(order)) - np.repeat(start, np.diff(np.append(start, len(order))))
    before = extra
    extra = extra.copy()
    for step in range(min(int(rank.max()) + 1, ranks)):
        batch = order[rank == step]
        trial = extra.copy()
        trial[batch] = False
        hidden = sup | trial
        bad = [lk.cells for lk in find_leaks(system, hidden, disclosure_n)]
        # the cheap inner bounds: a cell they do not settle keeps its complement (never less safe)
        iv = intervals(system, hidden, disclosure_n, protection_n, exact=False)
        bad.append(iv.loc[~iv["ok"], "cell"].to_numpy(dtype=np.int64))
        bad_layers = np.unique(layer[np.concatenate(bad).astype(np.int64)]) if bad else np.zeros(0, dtype=np.int64)
        trial[batch[np.isin(layer[batch], bad_layers)]] = True
        extra = trial
    if (extra != before).any():
        # the exact check of the result (pairs included); should it fail, nothing is released
        iv = intervals(system, sup | extra, disclosure_n, protection_n)
        if not iv["ok"].all() or find_leaks(system, sup | extra, disclosure_n):
            return before
    return extra


def _ancestors(areas: Sequence) -> pd.DataFrame:
    """(area, anc) for every area and every area that strictly contains it (regions, the total), the
    area itself included."""
    sets = {a.code: frozenset(a.members) for a in areas}
    rows = [(a, a) for a in sets]
    rows += [(a, b) for a in sets for b in sets if a != b and sets[a] <= sets[b]
             and not (sets[a] == sets[b] and len(sets[a]) == 1)]
    return pd.DataFrame(rows, columns=["area", "anc"]).drop_duplicates()


def _level(strikes: np.ndarray) -> np.ndarray:
    """The fallback level of a cell after so many failed rounds: 0 (none; directions), 1 at the second,
    2 at the fourth, 3 from the fifth."""
    return np.select([strikes == 2, strikes == 4, strikes >= 5], [1, 2, 3], 0)


def _fallback_mask(system: System, cells: np.ndarray, levels: np.ndarray, ancestors: pd.DataFrame) -> np.ndarray:
    out = np.zeros(len(system.var), dtype=bool)
    for level in (1, 2, 3):
        sel = cells[_level(levels) == level]
        if len(sel):
            out |= _fallback(system, sel, level, ancestors)
    return out


def _fallback(system: System, cells: np.ndarray, level: int, ancestors: pd.DataFrame) -> np.ndarray:
    """The fallbacks when complements in the relations do not protect ``cells``: level 1 hides the
    cell's whole breakdown (same indicator and subgroup variable) in its area and every area that
    contains it; level 2 every figure of that indicator in those areas; level 3 the indicator
    everywhere. Each level protects (the cell then moves freely with cells of the same rows and
    columns), the lower ones hide less."""
    var = system.var
    bad = var.loc[cells, ["ind", "area", "fam"]]
    if level == 3:
        return var["ind"].isin(set(bad["ind"])).to_numpy()
    keys = bad.merge(ancestors, on="area").drop(columns="area").rename(columns={"anc": "area"})
    if level == 1:
        keys = keys.drop_duplicates()
        hit = var[["ind", "area", "fam"]].merge(keys.assign(_h=True), on=["ind", "area", "fam"], how="left")
    else:
        keys = keys[["ind", "area"]].drop_duplicates()
        hit = var[["ind", "area"]].merge(keys.assign(_h=True), on=["ind", "area"], how="left")
    return hit["_h"].fillna(False).to_numpy(dtype=bool)


def _no_provenance() -> pd.DataFrame:
    return pd.DataFrame(columns=["gebied_code", "indicator", "subgroep", "subgroep_waarde", "n", "oorzaak", "stap"])


def _provenance(system: System, sup: np.ndarray, comp: np.ndarray, step: np.ndarray,
                disclosure_n: int) -> pd.DataFrame:
    """For every complement the small group it protects: a disclosive suppressed cell in one of its
    relations (the smallest), else one in its connected component of suppressed cells."""
    var = system.var
    if not comp.any():
        return _no_provenance()
    n = var["n"].to_numpy(dtype="float64")
    hidden = (sup | comp) & (n > 0)
    cause_of = np.full(len(var), -1, dtype=np.int64)
    primary = sup & (var["mass"].to_numpy() < disclosure_n) & ~var["miss"].to_numpy() & (var["row"].to_numpy() >= 0)
    hcols = np.flatnonzero(hidden)
    m = system.members[:, hcols].tocsr()
    m = m[np.flatnonzero(np.diff(m.indptr) > 0)]
    co = (m.T @ m).tocoo()
    a, b = hcols[co.row], hcols[co.col]
    ok = primary[b] & comp[a]
    if ok.any():
        cand = pd.DataFrame({"a": a[ok], "b": b[ok], "n": n[b[ok]]}).sort_values(["a", "n", "b"])
        first = cand.drop_duplicates("a")
        cause_of[first["a"].to_numpy()] = first["b"].to_numpy()
    left = np.flatnonzero(comp & (cause_of < 0))
    if len(left):
        graph = sp.bmat([[None, m], [m.T, None]]).tocsr()
        _, cc = connected_components(graph, directed=False)
        cv = np.full(len(var), -1, dtype=np.int64)
        cv[hcols] = cc[m.shape[0]:]
        prim = np.flatnonzero(primary & hidden)
        rep = pd.DataFrame({"c": cv[prim], "p": prim, "n": n[prim]}).sort_values(["c", "n", "p"]).drop_duplicates("c")
        look = pd.Series(rep["p"].to_numpy(), index=rep["c"].to_numpy())
        cause_of[left] = look.reindex(cv[left]).fillna(-1).to_numpy(dtype=np.int64)
    ids = np.flatnonzero(comp)
    c = var.loc[ids]
    cause = cause_of[ids]
    names = np.where(cause >= 0, np.array(_cell_names(var.loc[np.maximum(cause, 0)], "x"), dtype=object), "")
    names = [f"{s[:-3]} (n = {int(n[k])})" if k >= 0 else "" for s, k in zip(names, cause, strict=True)]
    return pd.DataFrame({"gebied_code": c["area"].to_numpy(), "indicator": c["ind"].to_numpy(),
                         "subgroep": c["fam"].to_numpy(), "subgroep_waarde": c["val"].to_numpy(),
                         "n": c["n"].to_numpy(), "oorzaak": names, "stap": step[ids]})


def provenance_lines(prov: pd.DataFrame) -> list[str]:
    """The researcher's log: which small group caused which complement (Dutch)."""
    out = []
    for r in prov.itertuples(index=False):
        what = f"{r.gebied_code} · {r.indicator}" + (f" · {r.subgroep} = {r.subgroep_waarde}" if r.subgroep else "")
        how = {"terugval": " (terugval: hele uitsplitsing of gebied verborgen)"}.get(r.stap, "")
        out.append(f"klein groepje {r.oorzaak or '(onbekend)'} → aanvullend onderdrukt {what} "
                   f"(n = {int(r.n)}){how}")
    return out


def _mark(table: pd.DataFrame, rows: np.ndarray) -> None:
    """Suppress the headline rows ``rows`` as complements, with their answer distributions."""
    if not len(rows):
        return
    key = ["gebied_code", "indicator", "subgroep", "subgroep_waarde"]
    cells = table.loc[rows, key].drop_duplicates()
    hit = table[key].merge(cells.assign(_hit=True), on=key, how="left")["_hit"].fillna(False).to_numpy(dtype=bool)
    hit &= (table["onderdrukt"] == "nee").to_numpy()
    table.loc[hit, "onderdrukt"] = "ja"
    table.loc[hit, "reden"] = REASON_COMPLEMENT


def _complements(system: System, sup: np.ndarray, cost: np.ndarray, disclosure_n: int) -> np.ndarray:
    """Complementary suppressions by the local rule (see the module docstring), to a fixed point.

    A relation whose total is known (published or recomputable) violates the rule when its unknown
    parts that cannot be recomputed otherwise hold fewer than ``disclosure_n`` respondents (but more
    than 0), or when none is left and one of them is disclosive. Each violation gets one more
    suppressed cell per round (see :func:`_choose`)."""
    var = system.var
    n = var["n"].to_numpy()
    mass = np.where(np.isfinite(var["mass"].to_numpy()), var["mass"].to_numpy(), 0)
    extra = np.zeros(len(var), dtype=bool)
    for _ in range(500):
        unknown = (sup | extra) & (n > 0)
        viol, det, by = _violations(system, unknown, mass, disclosure_n)
        if not len(viol):
            break
        new = _choose(system, viol, unknown, det, by, cost)
        if not new.any():
            break
        extra |= new
    return _prune(system, sup, extra, cost, mass, disclosure_n)


def _violations(system: System, unknown: np.ndarray, mass: np.ndarray,
                disclosure_n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The relations that break the local rule, with the recomputable unknowns and their relations."""
    parts = system.parts
    det, by = _peel(system.members, unknown)
    und = unknown & ~det
    miss = system.var["miss"].to_numpy()
    sensitive = unknown & (mass < disclosure_n) & ~miss
    hw = system.whole >= 0
    whole_known = np.ones(len(system.whole), dtype=bool)
    whole_known[hw] = ~und[system.whole[hw]]
    # a relation whose only unknown parts are missing cells protects nobody and needs nothing
    p_cnt = parts @ (unknown & ~miss).astype("float64")
    t_cnt = parts @ und.astype("float64")
    # a union with respondents without a value is no group anyone can point at: the protection
    # intervals of its real cells decide whether it protects them (see intervals)
    t_miss = parts @ (und & miss).astype("float64")
    t_mass = parts @ (und * mass)
    s_det = parts @ (det & sensitive).astype("float64")
    viol = np.flatnonzero(whole_known & (p_cnt >= 1)
                          & (((t_cnt >= 1) & (t_miss == 0) & (t_mass < disclosure_n)) | ((t_cnt == 0) & (s_det >= 1))))
    return viol, det, by


def _prune(system: System, sup: np.ndarray, extra: np.ndarray, cost: np.ndarray, mass: np.ndarray,
           disclosure_n: int) -> np.ndarray:
    """Publish again every complement the rule does not need (chosen in parallel, some are redundant):
    the most costly first, one per indicator at a time (indicators share no relation)."""
    n = system.var["n"].to_numpy()
    comp = np.flatnonzero(extra & ~sup & (n > 0))
    if not len(comp):
        return extra
    layer = pd.factorize(system.var["ind"])[0]
    members = system.members
    first = members.indices[members.indptr[:-1]]
    rel_layer = layer[first]
    order = comp[np.lexsort((-comp, -cost[comp], layer[comp]))]
    lay = layer[order]
    start = np.searchsorted(lay, np.unique(lay))
    rank = np.arange(len(order)) - np.repeat(start, np.diff(np.append(start, len(order))))
    extra = extra.copy()
    for step in range(int(rank.max()) + 1):
        batch = order[rank == step]
        trial = extra.copy()
        trial[batch] = False
        viol, _, _ = _violations(system, (sup | trial) & (n > 0), mass, disclosure_n)
        bad = np.unique(rel_layer[viol])
        keep = batch[np.isin(layer[batch], bad)]
        trial[keep] = True
        extra = trial
    return extra


def _choose(system: System, rels: np.ndarray, unknown: np.ndarray, det: np.ndarray, by: np.ndarray,
            cost: np.ndarray) -> np.ndarray:
    """One more cell to suppress for each relation in ``rels``: the best of its published parts, its
    published total, and the published cells of the relations that make one of its suppressed parts
    recomputable (a part that can be recomputed protects nothing until that relation has a second
    unknown). Best = not recomputable at once (it would not be the only unknown of a relation with a
    known total), then the least information loss (``cost``)."""
    n = system.var["n"].to_numpy()
    members = system.members
    # debts: the relations in which a candidate would be the only unknown (each needs another cell later)
    empty_rel = ((members @ unknown.astype("float64")) == 0).astype("float64")
    debts = members.T @ empty_rel
    published = ~unknown & (n > 0) & np.isfinite(cost)
    score = np.where(published, np.minimum(debts, 9) * 1e15 + cost, np.inf)
    # (relation position, candidate) pairs
    m = members[rels].tocoo()
    pos, cand = [m.row], [m.col]
    dp = system.parts[rels].multiply(det[None, :].astype("float64")).tocoo()
    nz = dp.data != 0
    dp = sp.coo_matrix((dp.data[nz], (dp.row[nz], dp.col[nz])), shape=dp.shape)
    if dp.nnz:
        other = by[dp.col]
        ok = (other >= 0) & (other != rels[dp.row])
        if ok.any():
            om = members[other[ok]].tocoo()
            pos.append(dp.row[ok][om.row])
            cand.append(om.col)
    # a total that is recomputable through another relation: give that relation a second unknown
    w = system.whole[rels]
    wd = np.flatnonzero((w >= 0) & det[np.maximum(w, 0)])
    if len(wd):
        other = by[w[wd]]
        ok = (other >= 0) & (other != rels[wd])
        if ok.any():
            om = members[other[ok]].tocoo()
            pos.append(wd[ok][om.row])
            cand.append(om.col)
    pos_a, cand_a = np.concatenate(pos), np.concatenate(cand)
    s = score[cand_a]
    keep = np.isfinite(s)
    pos_a, cand_a, s = pos_a[keep], cand_a[keep], s[keep]
    out = np.zeros(len(n), dtype=bool)
    if len(pos_a):
        o = np.lexsort((cand_a, s, pos_a))
        lead = np.ones(len(o), dtype=bool)
        lead[1:] = pos_a[o][1:] != pos_a[o][:-1]
        out[cand_a[o][lead]] = True
    return out


def _repair(system: System, sup: np.ndarray, cost: np.ndarray, leaks: list[Leak]) -> np.ndarray:
    """For every leak, one more complement in a relation of one of its cells (see :func:`_choose`)."""
    n = system.var["n"].to_numpy()
    unknown = sup & (n > 0)
    det, by = _peel(system.members, unknown)
    cells = np.unique(np.concatenate([lk.cells for lk in leaks]))
    rels = np.unique(system.members[:, cells].tocoo().row)
    # one relation per leak is enough: take, per leaking cell, its relation with the most unknowns
    return _choose(system, rels, unknown, det, by, cost) if len(rels) else np.zeros(len(n), dtype=bool)


# --------------------------------------------------------------------------------------------
# publishing and the audit


def withhold_derived(table: pd.DataFrame, areas: Sequence) -> None:
    """The rest of the region is shown next to a gemeente only when the region's own figure is
    published (otherwise it gives that figure away), in place."""
    if "waarde_rest_regio" not in table or not (table["regio"].fillna("") != "").any():
        return
    key = ["gebied_code", "indicator", "subgroep", "subgroep_waarde", "categorie"]
    reg = table[key + ["onderdrukt"]].rename(columns={"gebied_code": "regio", "onderdrukt": "_reg_sup"})
    m = table[["regio"] + key[1:]].merge(reg, on=["regio"] + key[1:], how="left")
    hide = ((table["regio"].fillna("") != "").to_numpy() & (m["_reg_sup"].fillna("ja") == "ja").to_numpy())
    if hide.any():
        table.loc[hide, [c for c in ("waarde_rest_regio", "verschil_regio", "ondergrens_rest_regio",
                                     "bovengrens_rest_regio") if c in table]] = np.nan
        table.loc[hide, ["regio", "significant_regio"]] = ""


#: the figures of a row (besides its counts): none of them is published for a suppressed row
_ROW_FIGURES = ("waarde", "se", "ondergrens", "bovengrens", "df", "se_zonder_fpc", "n_eff", "deff_gewicht", "deff",
                "waarde_vorige", "verschil_vorige", "p_vorige", "waarde_rest_regio", "verschil_regio", "p_regio",
                "waarde_benchmark", "verschil_benchmark", "p_benchmark", "p_groepen", "ondergrens_rest_regio",
                "bovengrens_rest_regio")
_ROW_FLAGS = ("significant_vorige", "significant_regio", "significant_benchmark", "significant_groepen",
              "toets_groepen")


def publishable(table: pd.DataFrame) -> pd.DataFrame:
    """The table as published, the one place where its precision is set (:mod:`ceo.stats.precision`):
    suppressed rows carry no exact counts (``n``, ``n_geen_oordeel``), which could otherwise be recomputed
    by differencing like the figures, and no figure, interval, comparison or test in any column; the
    figures of the other rows are rounded to the published precision (standard errors, bounds and p-values
    at full precision would give suppressed cells away through the variance formula)."""
    from ceo.stats.precision import round_results

    out = round_results(table)
    sup = (out["onderdrukt"] == "ja").to_numpy()
    for c in ("n", "n_geen_oordeel"):
        if c in out:
            out[c] = out[c].astype("Int64")
            out.loc[sup, c] = pd.NA
    if sup.any():
        out.loc[sup, [c for c in _ROW_FIGURES if c in out]] = np.nan
        flags = [c for c in _ROW_FLAGS if c in out]
        if flags:
            out.loc[sup, flags] = ""
    return out


def audit(table: pd.DataFrame, areas: Sequence, th, extra_known: pd.DataFrame | None = None,
          positives: np.ndarray | None = None) -> int:
    """Run the attackers on the final table; raise :class:`InputError` naming the leaking relations.
    Returns the number of unknown (suppressed) cells examined.

    Two attackers: exact recovery (:func:`find_leaks`) and the protection intervals
    (:func:`intervals`, with the answers of the suppressed cells from ``positives``, the
    :func:`positives_of` of the table as :func:`protect` left it; without them only the exact attacker
    runs). :func:`protect` guarantees both; a failure here means a bug, never a lack of protection."""
    if positives is not None and len(positives) != len(table):
        positives = None
    system = build_system(table, areas, extra_known, thin_mass=th.disclosure_n - 1, positives=positives)
    var = system.var
    row = var["row"].to_numpy()
    sup = np.ones(len(var), dtype=bool)
    is_cell = row >= 0
    sup[is_cell] = (table.loc[row[is_cell], "onderdrukt"] == "ja").to_numpy()
    # the answer distribution must follow its headline: then every category has the same protection
    dist = table[table["categorie"].fillna("") != ""]
    if len(dist):
        key = ["gebied_code", "indicator", "subgroep", "subgroep_waarde"]
        h = table[table["categorie"].fillna("") == ""][key + ["onderdrukt"]]
        m = dist[key + ["onderdrukt"]].merge(h, on=key, how="left", suffixes=("", "_kop"))
        odd = m[(m["onderdrukt"] == "nee") & (m["onderdrukt_kop"] == "ja")]
        if len(odd):
            r = odd.iloc[0]
            raise InputError(f"onthullingscontrole: de antwoordverdeling van {r['gebied_code']} · "
                             f"{r['indicator']} is gepubliceerd terwijl het hoofdcijfer is onderdrukt; "
                             "er is niets gepubliceerd")
    leaks = find_leaks(system, sup, th.disclosure_n)
    if leaks:
        def cells(lk: Leak) -> str:
            return " + ".join(_cell_name(r, "").rstrip(": ") for r in var.loc[lk.cells].itertuples())

        shown = "; ".join(f"{cells(lk)} (via {lk.relation})" for lk in leaks[:3])
        more = f"; en nog {len(leaks) - 3}" if len(leaks) > 3 else ""
        raise InputError(f"onthullingscontrole: {len(leaks)} onderdrukte cijfers (of sommen ervan) van minder dan "
                         f"{th.disclosure_n} respondenten zijn exact terug te rekenen uit wat gepubliceerd wordt: "
                         f"{shown}{more}. Er is niets gepubliceerd; meld dit aan de beheerder van ceo")
    protection_n = float(getattr(th, "protection_n", DEFAULT_PROTECTION_N))
    iv = intervals(system, sup, th.disclosure_n, protection_n)
    narrow = iv[~iv["ok"]]
    if (narrow["pair"] >= 0).any():
        r = narrow[narrow["pair"] >= 0].iloc[0]
        both = " + ".join(_cell_name(var.loc[int(c)], "").rstrip(": ") for c in (r["cell"], r["pair"]))
        raise InputError(f"onthullingscontrole: de som van onderdrukte cijfers van samen minder dan "
                         f"{th.disclosure_n} respondenten is exact terug te rekenen: {both}. Er is niets "
                         "gepubliceerd; meld dit aan de beheerder van ceo")
    if len(narrow):
        def said(r) -> str:
            c = var.loc[int(r.cell)]
            u = float(_unit(np.array([c["cap"]]), np.array([c["n"]]))[0])
            return (f"{_cell_name(c, '').rstrip(': ')} (n = {int(c['n'])}: tussen {r.lo / u:.1f} en "
                    f"{r.hi / u:.1f} positief)")

        shown = "; ".join(said(r) for r in narrow.head(3).itertuples(index=False))
        more = f"; en nog {len(narrow) - 3}" if len(narrow) > 3 else ""
        raise InputError(f"onthullingscontrole: van {len(narrow)} onderdrukte cijfers van minder dan "
                         f"{th.disclosure_n} respondenten ligt het aantal positieve antwoorden binnen een bereik "
                         f"smaller dan de beschermingsmarge ({protection_n:g}): {shown}{more}. Er is niets "
                         "gepubliceerd; meld dit aan de beheerder van ceo")
    return int((sup & (var["n"].to_numpy() > 0)).sum())
