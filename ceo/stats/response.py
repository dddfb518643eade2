r"""Response and representativeness (``site/<editie>/data/<onderzoek>_respons.csv``), vectorised.

Input: the population file's optional column ``aangeschreven`` (clients approached), per gemeente or per
weighting cell (:attr:`ceo.stats.weighting.Population.approached`), the respondents and their weights.

* response rate = respondenten / aangeschreven (per gemeente; a region or the total: the sums);
* per weighting characteristic and gemeente, the distribution (%) of the population, of the respondents
  (unweighted) and of the weighted respondents;
* the R-indicator (Schouten, Cobben & Bethlehem 2009) where ``aangeschreven`` is given per cell: with cell
  response propensities ``ρ_c = r_c / a_c`` and ``ρ̄ = Σ a_c ρ_c / Σ a_c``,
  ``S² = Σ_c a_c (ρ_c − ρ̄)² / (Σ_c a_c − 1)`` and ``R = 1 − 2S``, per gemeente over its cells. For a region
  and the total every approached client counts with the design weight of its gemeente,
  ``d_h = N_h / a_h`` (clients per approached client), so ``a_c`` becomes ``d_h a_c``.
  Respondents without a code for a weighting characteristic cannot be placed in a cell: within their
  gemeente the cell counts ``r_c`` are scaled up by ``n_h / (n_h − m_h)`` (missing at random within the
  gemeente, as in the weighting).

Disclosure: the counts per gemeente (approached, respondents) are published, as in the weighting table.
Nothing per cell is published as a count. A distribution row whose respondents number 1 to
``onthulling_n − 1`` is suppressed (all three percentages), and within each gemeente and characteristic
further categories are suppressed (smallest first) until the suppressed categories hold at least
``onthulling_n`` respondents together and are at least two, so no suppressed share can be recomputed as
100 % minus the others. Distributions are published per gemeente only: a region or total next to its
gemeenten would give a suppressed count by subtraction. The R-indicator of an area with fewer than
``minimum_n`` respondents is not published (too uncertain, and it rests on few people).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ceo.core.problems import Problem

__all__ = ["COLUMNS", "check_approached", "r_indicator", "response_table"]

COLUMNS = ["gebied_code", "gebied_naam", "gebied_niveau", "kenmerk", "categorie", "categorie_label",
           "aangeschreven", "respondenten", "respons_pct", "r_indicator", "pct_populatie", "pct_respondenten",
           "pct_gewogen", "onderdrukt"]


def r_indicator(approached: np.ndarray, responded: np.ndarray, weights: np.ndarray | None = None) -> float:
    """``R = 1 − 2S`` over cells with ``approached`` clients (``a_c``) and ``responded`` respondents
    (``r_c``); ``weights`` (optional) multiply ``a_c`` (design weights). NaN without usable cells."""
    a = np.asarray(approached, dtype=float)
    r = np.asarray(responded, dtype=float)
    if weights is not None:
        d = np.asarray(weights, dtype=float)
        a, r = a * d, r * d
    keep = a > 0
    a, r = a[keep], r[keep]
    total = a.sum()
    if len(a) == 0 or total <= 1:
        return float("nan")
    rho = r / a
    mean = (a * rho).sum() / total
    s2 = (a * (rho - mean) ** 2).sum() / (total - 1)
    return float(1 - 2 * np.sqrt(s2))


def _r_by_gemeente(counted: pd.DataFrame) -> pd.Series:
    """:func:`r_indicator` per gemeente over its cells, vectorised: with ``A = Σ a_c`` and ``ρ̄ = Σ r_c / A``,
    ``Σ a_c (ρ_c − ρ̄)² = Σ r_c² / a_c − ρ̄² A``."""
    c = counted[counted["aangeschreven"] > 0]
    a = c["aangeschreven"].to_numpy(dtype=float)
    r = c["r_scaled"].to_numpy(dtype=float)
    sums = pd.DataFrame({"g": c["gemeentecode"].to_numpy(), "a": a, "r": r, "q": r * r / a}).groupby("g").sum()
    mean = sums["r"] / sums["a"]
    s2 = ((sums["q"] - mean ** 2 * sums["a"]) / (sums["a"] - 1)).clip(lower=0)
    return (1 - 2 * np.sqrt(s2)).where(sums["a"] > 1)


def _gemeente_text(code: str) -> str:
    from ceo.validate.registry import registry

    reg = registry()
    return f"{code} ({reg.name(code)})" if code in reg.gemeenten else code


def _cell_counts(approached: pd.DataFrame, dims: Sequence[str], data: pd.DataFrame) -> pd.DataFrame:
    """``approached`` with ``respondenten`` (complete respondents per cell) added."""
    keys = ["gemeentecode", *dims]
    complete = data[keys].dropna()
    for d in dims:
        complete = complete[pd.to_numeric(complete[d], errors="coerce").notna()]
    frame = complete.astype({d: np.int64 for d in dims}) if dims else complete
    counts = frame.groupby(keys, sort=False).size().rename("respondenten")
    out = approached.merge(counts.reset_index(), on=keys, how="left")
    out["respondenten"] = out["respondenten"].fillna(0).astype(np.int64)
    return out


def check_approached(approached: pd.DataFrame, dims: Sequence[str], data: pd.DataFrame,
                     file: str | None) -> list[Problem]:
    """More respondents than approached clients, per row of the population file (cell or gemeente)
    and per gemeente (rows summed), with file, row, column and value."""
    problems: list[Problem] = []
    cells = _cell_counts(approached, dims, data)
    bad = cells[cells["respondenten"] > cells["aangeschreven"]]
    for r in bad.itertuples(index=False):
        problems.append(Problem(f"meer respondenten ({r.respondenten}) dan aangeschreven cliënten in deze "
                                f"{'cel' if dims else 'gemeente'} van {_gemeente_text(r.gemeentecode)}",
                                file, int(r.rij), "aangeschreven", int(r.aangeschreven)))
    if dims:  # respondents without a cell code count in their gemeente's total
        per_gem = approached.groupby("gemeentecode")["aangeschreven"].sum()
        n_h = data["gemeentecode"].value_counts()
        both = pd.concat([per_gem, n_h.rename("n")], axis=1, join="inner")
        flagged = set(bad["gemeentecode"])
        for code, row in both[both["n"] > both["aangeschreven"]].iterrows():
            if code in flagged:
                continue
            rows = approached.loc[approached["gemeentecode"] == code, "rij"].astype(int).tolist()
            problems.append(Problem(f"gemeente {_gemeente_text(code)} heeft {int(row['n'])} respondenten, meer "
                                    f"dan de {int(row['aangeschreven'])} aangeschreven cliënten (de som van "
                                    f"rij {', '.join(map(str, rows[:10]))}{' …' if len(rows) > 10 else ''})",
                                    file, rows[0], "aangeschreven"))
    return problems


def _protect(groups: np.ndarray, counts: np.ndarray, disclosure_n: int) -> np.ndarray:
    """Which rows to suppress: counts of 1 to ``disclosure_n − 1`` and, per group with any, further rows
    (smallest first) until the suppressed rows hold at least ``disclosure_n`` together and are at least two."""
    counts = np.asarray(counts, dtype=float)
    primary = (counts > 0) & (counts < disclosure_n)
    frame = pd.DataFrame({"g": groups, "n": counts, "p": primary, "i": np.arange(len(counts))})
    frame["p_sum"] = frame["n"].where(frame["p"], 0).groupby(frame["g"]).transform("sum")
    frame["p_count"] = frame["p"].groupby(frame["g"]).transform("sum")
    rest = frame[~frame["p"] & (frame["p_count"] > 0)].sort_values(["g", "n", "i"], kind="stable")
    before_sum = rest.groupby("g")["n"].cumsum() - rest["n"]
    before_count = rest.groupby("g").cumcount()
    need = (rest["p_sum"] + before_sum < disclosure_n) | (rest["p_count"] + before_count < 2)
    secondary = np.zeros(len(counts), dtype=bool)
    secondary[rest.loc[need, "i"].to_numpy()] = True
    return primary | secondary


def response_table(approached: pd.DataFrame, dims: Sequence[str], data: pd.DataFrame, weights: np.ndarray,
                   cells: pd.DataFrame, areas: Sequence, *, labels: Mapping[str, Mapping[int, str]],
                   min_n: int, disclosure_n: int) -> pd.DataFrame:
    """The published response table (:data:`COLUMNS`): per area the response and R-indicator, per gemeente
    and weighting characteristic the distributions before and after weighting.

    ``approached``: ``gemeentecode, *dims, aangeschreven`` (one row per cell or per gemeente); ``cells``:
    the population ``gemeentecode, *dims, aantal``; ``areas``: :class:`ceo.stats.results.Area`\\ s."""
    dims = tuple(dims)
    counted = _cell_counts(approached, dims, data)
    n_h = data["gemeentecode"].value_counts()
    a_h = counted.groupby("gemeentecode")["aangeschreven"].sum()
    big_n = cells.groupby("gemeentecode")["aantal"].sum()
    # respondents without a cell code: scale the cell counts of their gemeente (missing at random)
    complete_h = counted.groupby("gemeentecode")["respondenten"].sum()
    scale = (n_h.reindex(complete_h.index).fillna(0) / complete_h.where(complete_h > 0)).fillna(1.0)
    counted["r_scaled"] = counted["respondenten"] * counted["gemeentecode"].map(scale).to_numpy()
    counted["d"] = counted["gemeentecode"].map(big_n / a_h.where(a_h > 0)).fillna(0.0).to_numpy()

    # gemeenten: all at once, by group sums (R from Σa, Σr and Σr²/a per gemeente)
    gem_codes = [a.code for a in areas if a.level == "gemeente"]
    approached_g = a_h.reindex(gem_codes).fillna(0).astype(np.int64)
    responded_g = n_h.reindex(gem_codes).fillna(0).astype(np.int64)
    r_g = _r_by_gemeente(counted).reindex(gem_codes) if dims else pd.Series(np.nan, index=gem_codes)
    r_g = r_g.where(responded_g >= min_n)
    by_code = {"aangeschreven": approached_g, "respondenten": responded_g, "r_indicator": r_g}
    rows = []
    for area in areas:
        if area.level == "gemeente":
            approached_n, responded = int(by_code["aangeschreven"][area.code]), int(by_code["respondenten"][area.code])
            r_value = float(by_code["r_indicator"][area.code])
        else:  # a region or the total (a handful): design weights N_h / a_h of the member gemeenten
            members = list(area.members)
            sub = counted[counted["gemeentecode"].isin(members)]
            approached_n = int(sub["aangeschreven"].sum())
            responded = int(n_h.reindex(members).fillna(0).sum())
            r_value = r_indicator(sub["aangeschreven"], sub["r_scaled"], sub["d"]) \
                if dims and responded >= min_n else float("nan")
        rows.append({"gebied_code": area.code, "gebied_naam": area.name, "gebied_niveau": area.level,
                     "aangeschreven": approached_n, "respondenten": responded,
                     "respons_pct": 100 * responded / approached_n if approached_n else float("nan"),
                     "r_indicator": r_value, "onderdrukt": "nee"})
    table = pd.DataFrame(rows)
    parts = [table]
    gemeenten = {a.code: a.name for a in areas if a.level == "gemeente"}
    w = np.asarray(weights, dtype=float)
    for d in dims:
        pop = cells.groupby(["gemeentecode", d])["aantal"].sum()
        pop_share = 100 * pop / pop.groupby(level=0).transform("sum")
        codes = pd.to_numeric(data[d], errors="coerce")
        known = codes.notna().to_numpy()
        frame = pd.DataFrame({"gemeentecode": data["gemeentecode"].to_numpy()[known],
                              d: codes.to_numpy()[known].astype(np.int64), "w": w[known]})
        grouped = frame.groupby(["gemeentecode", d])
        resp = grouped.size()
        wsum = grouped["w"].sum()
        dist = pd.concat([pop_share.rename("pct_populatie"), resp.rename("r"), wsum.rename("w")], axis=1)
        dist = dist[dist.index.get_level_values(0).isin(list(gemeenten))].fillna({"r": 0, "w": 0.0})
        if dist.empty:
            continue
        gem = dist.index.get_level_values(0)
        dist["pct_respondenten"] = 100 * dist["r"] / dist["r"].groupby(level=0).transform("sum")
        dist["pct_gewogen"] = 100 * dist["w"] / dist["w"].groupby(level=0).transform("sum")
        hide = _protect(pd.factorize(gem)[0], dist["r"].to_numpy(), disclosure_n)
        dist.loc[hide, ["pct_respondenten", "pct_gewogen"]] = np.nan
        code = dist.index.get_level_values(1).astype(np.int64)
        parts.append(pd.DataFrame({
            "gebied_code": gem, "gebied_naam": [gemeenten[g] for g in gem], "gebied_niveau": "gemeente",
            "kenmerk": d, "categorie": code.astype(str),
            "categorie_label": [labels.get(d, {}).get(int(c), str(c)) for c in code],
            "pct_populatie": dist["pct_populatie"].to_numpy(),
            "pct_respondenten": dist["pct_respondenten"].to_numpy(),
            "pct_gewogen": dist["pct_gewogen"].to_numpy(),
            "onderdrukt": np.where(hide, "ja", "nee")}))
    out = pd.concat(parts, ignore_index=True)
    for c in COLUMNS:
        if c not in out.columns:
            out[c] = np.nan
    for c in ("kenmerk", "categorie", "categorie_label"):
        out[c] = out[c].astype(object).where(out[c].notna(), "")
    for c in ("aangeschreven", "respondenten"):
        out[c] = out[c].astype("Int64")
    return out[COLUMNS]
