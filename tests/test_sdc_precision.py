"""Everything published carries no more than the disclosure model allows: the standard-error attack of issue 20.

For fixed weights per gemeente (unweighted, or design weights N/n) the stratified variance of a percentage is a
known quadratic in each gemeente cell's (n, positives)::

    Var(r) W² = Σ_h c_h [ w_h² (y_h (1 − r)² + (n_h − y_h) r²) − w_h² (y_h − r n_h)² / m_h ]

with W = Σ w_h n_h, r = Σ w_h y_h / W, m_h the respondents of gemeente h, c_h = f_h m_h / (m_h − 1) and
f_h = 1 − m_h / N_h (1 without a population). ``m_h`` and ``N_h`` are published in the weighting table. The
attacker below is written independently of ceo: for every published region or total cell it enumerates every
integer (n_h, y_h) of the suppressed gemeente cells in it that agrees with the published n (the count relation),
the published percentage and the published SE, and intersects the candidates of a cell over all areas it lies
in. A suppressed cell of 1–9 respondents with one candidate left is recovered exactly (checked against the
truth). On the full-precision table it recovers cells; on the published (rounded) table none.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceo.stats.disclosure import REASON_SMALL, publishable
from ceo.stats.results import build_areas, estimate_results
from ceo.validate.codebook import get_codebook
from ceo.validate.project import Thresholds
from ceo.validate.registry import Region

D = 10  # onthulling_n
SIZES = {"GM0505": 260, "GM0531": 190, "GM0590": 150, "GM0610": 7, "GM0642": 120, "GM0482": 95, "GM0599": 80}
#: nested (klein ⊂ groot), overlapping (oost shares GM0642 with groot); GM0599 lies outside every region
REGIONS = [Region("klein", "Klein", "regio", ("GM0505", "GM0531", "GM0610")),
           Region("groot", "Groot", "regio", ("GM0505", "GM0531", "GM0590", "GM0610", "GM0642")),
           Region("oost", "Oost", "regio", ("GM0642", "GM0482"))]
POPULATION = {"GM0505": 2100, "GM0531": 1500, "GM0590": 900, "GM0610": 40, "GM0642": 1300, "GM0482": 600,
              "GM0599": 500}
#: the enumeration's limits: unknown gemeente cells per area cell, combinations per half
MAX_UNKNOWN, MAX_PRODUCT = 6, 400_000


@pytest.fixture(scope="module")
def wmo():
    return get_codebook("wmo")


def synthetic(sizes: dict[str, int], seed: int = 7) -> pd.DataFrame:
    """Respondents with a rare age class (5 %): most gemeenten have 1–9 respondents aged 85+."""
    rng = np.random.default_rng(seed)
    frames = []
    for g, n in sizes.items():
        f = pd.DataFrame({"respondent_id": [f"{g}-{i}" for i in range(n)], "gemeentecode": g})
        base = rng.uniform(0.6, 0.9)
        for v in [f"v{i:02d}" for i in range(1, 11)]:
            f[v] = np.where(rng.random(n) < base, rng.choice([1, 2], n), rng.choice([3, 4, 5], n))
        f["rapportcijfer"] = rng.choice([5, 6, 7, 8, 9], n)
        f["leeftijdsklasse"] = rng.choice([1, 2, 3, 4], n, p=[0.45, 0.3, 0.2, 0.05])
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def run(data: pd.DataFrame, cb, design: str, thresholds: Thresholds | None = None) -> tuple[pd.DataFrame, list]:
    thresholds = thresholds or Thresholds()
    areas, _ = build_areas(data["gemeentecode"], REGIONS)
    kw = {}
    if design == "nn":
        m = data["gemeentecode"].map(data["gemeentecode"].value_counts())
        kw = {"weights": (data["gemeentecode"].map(POPULATION) / m).to_numpy(), "weighted": True,
              "population_totals": POPULATION}
    # every gemeente of a region compared with the rest of its (first) region, as ceo process does
    compare = {g: r.id for r in reversed(REGIONS) for g in r.members}
    res = estimate_results(data, cb, edition=2025, areas=areas, thresholds=thresholds, comparison_regions=compare,
                           **kw)
    return res.table, areas


# --------------------------------------------------------------------------------------------
# the independent attacker


def _options(cap: int) -> np.ndarray:
    """Every (n, positives) of one cell with n <= cap: rows of [n, y]."""
    n, y = np.tril_indices(cap + 1)
    return np.stack([n, y], axis=1).astype(float)


def _half(strata: list[tuple[np.ndarray, float, float, float]]) -> np.ndarray:
    """All combinations of the options of ``strata`` ((options, w, c, m) each): per combination the columns
    Σn, Σwn, Σwy, G0, G1, G2 (the variance sum is G0 + r G1 + r² G2) and then (n, y) per stratum."""
    if not strata:
        return np.zeros((1, 6))
    idx = np.indices([len(o) for o, *_ in strata]).reshape(len(strata), -1)
    sums = np.zeros((idx.shape[1], 6))
    cols = []
    for (opts, w, c, m), i in zip(strata, idx, strict=True):
        n, y = opts[i, 0], opts[i, 1]
        sums += np.stack([n, w * n, w * y, c * w * w * (y - y * y / m), c * w * w * (2 * n * y / m - 2 * y),
                          c * w * w * (n - n * n / m)], axis=1)
        cols += [n, y]
    return np.concatenate([sums, np.stack(cols, axis=1)], axis=1)


def attack(published: pd.DataFrame, areas, stratum: dict[str, tuple[int, float, float]],
           tol: tuple[float, float]) -> dict[tuple, set]:
    """Per suppressed gemeente cell (gemeente, indicator, age class) the (n, positives) still possible after
    every region and total cell it lies in. ``stratum``: gemeente -> (respondents m_h, weight w_h, fpc f_h), as
    published in the weighting table. ``tol``: how far the true percentage and SE may lie from the published ones
    (half a unit of the last published digit; 1e-6 for full precision). A suppressed cell has n < 10 or n < 30 when its
    reason says so (primary suppression), otherwise any n. The enumeration is meet-in-the-middle: the
    combinations of two halves of the unknown cells, paired on the count relation and the percentage."""
    head = published[(published["categorie"].fillna("") == "") & (published["soort"] == "percentage")].copy()
    for c in ("subgroep", "subgroep_waarde"):
        head[c] = head[c].fillna("").astype(str)
    p_tol, se_tol = tol[0] + 1e-9, tol[1] + 1e-9
    members = {a.code: a.members for a in areas if a.level != "gemeente"}
    cells = {(r.gebied_code, r.indicator, r.subgroep, r.subgroep_waarde): r for r in head.itertuples(index=False)}
    caps = {REASON_SMALL.format(n=D): D - 1, REASON_SMALL.format(n=Thresholds().min_n): Thresholds().min_n - 1}
    possible: dict[tuple, set] = {}
    for (area, ind, sg, val), r in cells.items():
        if area not in members or r.onderdrukt == "ja" or pd.isna(r.se):
            continue
        known, unknown = [], []
        for g in members[area]:
            c = cells.get((g, ind, sg, val))
            if c is not None:  # (no row: nobody of that group in g)
                (unknown if c.onderdrukt == "ja" else known).append((g, c))
        remaining = int(r.n) - sum(int(c.n) for _, c in known)
        if not unknown or len(unknown) > MAX_UNKNOWN:
            continue
        strata = []
        for g, c in unknown:
            m, w, f = stratum[g]
            strata.append((_options(min(caps.get(c.reden, remaining), remaining)), w, f * m / (m - 1), m))
        order = sorted(range(len(strata)), key=lambda i: len(strata[i][0]))
        halves = [[strata[i] for i in order[0::2]], [strata[i] for i in order[1::2]]]
        if max(np.prod([len(o) for o, *_ in h], dtype=float) for h in halves) > MAX_PRODUCT:
            continue
        a, b = _half(halves[0]), _half(halves[1])
        base = np.zeros(6)
        for g, c in known:
            m, w, f = stratum[g]
            n, y = float(c.n), float(np.rint(c.waarde * c.n / 100))
            cc = f * m / (m - 1)
            base += [n, w * n, w * y, cc * w * w * (y - y * y / m), cc * w * w * (2 * n * y / m - 2 * y),
                     cc * w * w * (n - n * n / m)]
        # pair the halves on Σn (exact) and on the percentage: Σw(y − r n) = (r_true − r) W, |·| ≤ tol W / 100
        r_pub = r.waarde / 100
        w_max = base[1] + sum(w * len(np.unique(o[:, 0])) for o, w, _c, _m in strata)
        slack = p_tol / 100 * w_max + 1e-9
        la = a[:, 2] - r_pub * a[:, 1]
        lb = b[:, 2] - r_pub * b[:, 1]
        lk = base[2] - r_pub * base[1]
        sort_b = np.lexsort((lb, b[:, 0]))
        b, lb = b[sort_b], lb[sort_b]
        key_b = b[:, 0] * 1e7 + lb  # grouped by Σn (integers) then L (|L| < 1e6)
        need_n = remaining - a[:, 0]
        lo = np.searchsorted(key_b, need_n * 1e7 + (-lk - la - slack), side="left")
        hi = np.searchsorted(key_b, need_n * 1e7 + (-lk - la + slack), side="right")
        count = np.maximum(hi - lo, 0)
        if not count.sum():
            continue
        ia = np.repeat(np.arange(len(a)), count)
        ib = np.concatenate([np.arange(s, e) for s, e in zip(lo[count > 0], hi[count > 0], strict=True)])
        tot = base + a[ia, :6] + b[ib, :6]
        rr = tot[:, 2] / tot[:, 1]
        se = 100 * np.sqrt(np.maximum(tot[:, 3] + rr * tot[:, 4] + rr * rr * tot[:, 5], 0.0)) / tot[:, 1]
        ok = (tot[:, 0] == r.n) & (np.abs(100 * rr - r.waarde) <= p_tol) & (np.abs(se - r.se) <= se_tol)
        ny = np.concatenate([a[ia[ok], 6:], b[ib[ok], 6:]], axis=1)
        names = [unknown[i][0] for i in order[0::2]] + [unknown[i][0] for i in order[1::2]]
        for j, g in enumerate(names):
            found = set(map(tuple, np.unique(ny[:, 2 * j:2 * j + 2], axis=0).astype(int).tolist()))
            key = (g, ind, sg, val)
            possible[key] = found if key not in possible else possible[key] & found
    return possible


def recoveries(published: pd.DataFrame, truth: pd.DataFrame, areas, stratum, tol: tuple[float, float]):
    """(exactly recovered disclosive cells, candidates per attacked disclosive cell)."""
    t = truth[(truth["categorie"].fillna("") == "")].copy()
    for c in ("subgroep", "subgroep_waarde"):
        t[c] = t[c].fillna("").astype(str)
    true = {(r.gebied_code, r.indicator, r.subgroep, r.subgroep_waarde): (int(r.n), int(round(r.waarde * r.n / 100)))
            for r in t.itertuples(index=False) if r.n > 0 and pd.notna(r.waarde)}
    exact, sizes = [], []
    for key, cands in attack(published, areas, stratum, tol).items():
        n, y = true.get(key, (0, 0))
        if not 1 <= n < D:
            continue
        assert (n, y) in cands, f"the attacker lost the truth of {key}: its relations are wrong"
        sizes.append(len(cands))
        if len(cands) == 1:
            exact.append((key, n, y))
    return exact, sizes


def _digits(values: pd.Series, decimals: int) -> bool:
    v = values.dropna().to_numpy(dtype=float) * 10**decimals
    return bool(len(v)) and bool(np.allclose(v, np.round(v), atol=1e-6))


def _tolerance(values: pd.Series) -> float:
    """What the attacker reads from a published column: half a unit of its last digit (1e-6 at full precision)."""
    for decimals in range(7):
        if _digits(values, decimals):
            return 0.5 * 10.0**-decimals
    return 1e-6


def _stratum(data: pd.DataFrame, design: str) -> dict[str, tuple[int, float, float]]:
    """What the weighting table publishes per gemeente: respondents and (N/n) the population."""
    m = data["gemeentecode"].value_counts()
    if design == "nn":
        return {g: (int(m[g]), POPULATION[g] / m[g], 1 - m[g] / POPULATION[g]) for g in m.index}
    return {g: (int(m[g]), 1.0, 1.0) for g in m.index}


@pytest.mark.parametrize("design", ["unweighted", "nn"])
def test_standard_errors_give_no_suppressed_cell_away(wmo, design):
    data = synthetic(SIZES)
    t, areas = run(data, wmo, design)
    truth, _ = run(data, wmo, design, Thresholds(min_n=1, disclosure_n=1))
    stratum = _stratum(data, design)
    tiny = t[(t["onderdrukt"] == "ja") & (t["n"] >= 1) & (t["n"] < D) & (t["categorie"] == "")]
    assert len(tiny) > 30  # small suppressed cells exist: the check below means something
    # the attacker is right: at full precision its formula gives every published region SE from the truth
    full_exact, full_sizes = recoveries(t, truth, areas, stratum, (1e-6, 1e-6))
    assert len(full_exact) > 0, "the attack should work on full-precision standard errors"
    published = publishable(t)
    pct = (published["soort"] == "percentage") & published["waarde"].notna()
    tol = (_tolerance(published.loc[pct, "waarde"]), _tolerance(published.loc[pct, "se"]))
    exact, sizes = recoveries(published, truth, areas, stratum, tol)
    print(f"\n{design}: full precision {len(full_exact)} of {len(full_sizes)} attacked cells recovered; "
          f"published {len(exact)} of {len(sizes)} (candidates min {min(sizes, default=0)}, "
          f"median {int(np.median(sizes)) if sizes else 0})")
    assert exact == [], f"recovered from the published table: {exact[:5]}"
    assert _digits(published.loc[pct, "waarde"], 0) and _digits(published.loc[pct, "se"], 1)
    assert len(sizes) == len(full_sizes)  # the same cells were attacked


def test_region_rows_publish_no_df_neff_or_deff(wmo):
    """df of a region is n minus the gemeenten with respondents in the cell: it says whether a suppressed cell is
    empty. Such summaries of strata are published for gemeenten only."""
    data = synthetic(SIZES)
    t, _ = run(data, wmo, "nn")
    pub = publishable(t)
    other = pub["gebied_niveau"] != "gemeente"
    assert pub.loc[other, ["df", "n_eff", "deff_gewicht", "deff"]].isna().all().all()
    g = (pub["gebied_niveau"] == "gemeente") & (pub["onderdrukt"] == "nee")
    assert (pub.loc[g, "df"] == pub.loc[g, "n"] - 1).all()
    assert t.loc[other & (t["onderdrukt"] == "nee"), "df"].notna().all()  # they exist at full precision


def test_published_precision_and_suppressed_rows(wmo):
    data = synthetic(SIZES)
    t, _ = run(data, wmo, "nn")
    pub = publishable(t)
    pct = (pub["soort"] == "percentage") & (pub["onderdrukt"] == "nee")
    mean = (pub["soort"] == "gemiddelde") & (pub["onderdrukt"] == "nee")
    for c in ("waarde", "ondergrens", "bovengrens"):
        assert _digits(pub.loc[pct, c], 0) and _digits(pub.loc[mean, c], 1), c
    assert _digits(pub.loc[pct, "se"], 1) and _digits(pub.loc[mean, "se"], 2)
    assert not _digits(t.loc[pct, "se"], 3)  # full precision had more digits: the check means something
    # half away from zero, as on the pages: 72.5 -> 73
    x = t.loc[pct & t["waarde"].notna()].iloc[:1].index
    half = publishable(t.assign(waarde=t["waarde"].where(~t.index.isin(x), 72.5)))
    assert half.loc[x, "waarde"].iloc[0] == 73
    # a published difference is the difference of the published figures
    both = pub["verschil_regio"].notna()
    assert both.any() and np.allclose(pub.loc[both, "verschil_regio"],
                                      pub.loc[both, "waarde"] - pub.loc[both, "waarde_rest_regio"], atol=1e-9)
    # the significance flags are those of full precision (computed before rounding)
    for c in ("significant_regio", "significant_groepen"):
        assert (pub[c] == t[c]).all()
    sup = pub["onderdrukt"] == "ja"
    figures = ["n", "waarde", "se", "ondergrens", "bovengrens", "df", "se_zonder_fpc", "n_eff", "deff",
               "waarde_rest_regio", "p_regio", "ondergrens_rest_regio", "bovengrens_rest_regio", "p_groepen"]
    assert pub.loc[sup, figures].isna().all().all()
    assert (pub.loc[sup, ["significant_regio", "significant_groepen"]] == "").all().all()


# --------------------------------------------------------------------------------------------
# revisions: the remainders of two downloadable revisions


def _wmo_rows(rng, gemeente: str, ages: dict[int, int], start: int) -> list[list[str]]:
    rows = []
    lo_hi = {1: (18, 65), 2: (65, 75), 3: (75, 85), 4: (85, 101)}
    k = start
    for age, count in ages.items():
        for _ in range(count):
            answers = [str(rng.choice([1, 2, 3, 4, 5])) for _ in range(10)]
            answers[4] = str(rng.choice([1, 2]))
            rows.append([str(k), gemeente, *answers, str(int(rng.integers(5, 10))),
                         str(int(rng.integers(*lo_hi[age])))])
            k += 1
    return rows


def _keep_categories_apart(root: Path) -> None:
    """No global recoding in this project: 85+ (tiny in one of the two gemeenten) stays a suppressed group."""
    cfg = root / "ceo.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "drempels:\n", "drempels:\n  samenvoegen_aandeel: 1\n", 1), encoding="utf-8")


def _remainder_leaks(site: Path, sid: str = "wmo") -> list[tuple]:
    """The attacker: every pair of results tables downloadable from ``site``; per gemeente, indicator and breakdown
    the remainder (everyone − the groups published in both), its n in each, and the pairs whose remainders
    differ by 1 to 9 respondents (n is published exactly; the remainders' answers then follow by subtraction)."""
    tables = {p: pd.read_csv(p, dtype={"subgroep": str, "subgroep_waarde": str, "categorie": str,
                                       "gebied_code": str}, keep_default_na=False, na_values=[""])
              for p in sorted(site.rglob(f"{sid}.csv"))}
    tables = {p: t.fillna({c: "" for c in ("subgroep", "subgroep_waarde", "categorie")}) for p, t in tables.items()}
    leaks = []
    for (pa, a), (pb, b) in itertools.combinations(tables.items(), 2):
        key = ["gebied_code", "indicator", "subgroep", "subgroep_waarde"]
        m = a[a["categorie"] == ""].merge(b[b["categorie"] == ""], on=key, suffixes=("_a", "_b"), how="outer")
        pub = (m["onderdrukt_a"] == "nee") & (m["onderdrukt_b"] == "nee")
        heads = m[pub & (m["subgroep"] == "")].set_index(["gebied_code", "indicator"])
        groups = m[pub & (m["subgroep"] != "")].groupby(["gebied_code", "indicator", "subgroep"])[["n_a", "n_b"]].sum()
        families = m[m["subgroep"] != ""][["gebied_code", "indicator", "subgroep"]].drop_duplicates()
        for r in families.itertuples(index=False):
            if (r.gebied_code, r.indicator) not in heads.index:
                continue
            h = heads.loc[(r.gebied_code, r.indicator)]
            g = groups.loc[tuple(r)] if tuple(r) in groups.index else pd.Series({"n_a": 0, "n_b": 0})
            rest_a, rest_b = h["n_a"] - g["n_a"], h["n_b"] - g["n_b"]
            if 1 <= abs(rest_a - rest_b) < D:
                leaks.append((pa.parent.name, pb.parent.name, *r, int(rest_a), int(rest_b)))
    return leaks


def test_revision_remainders_give_no_respondent_away(tmp_path):
    """Issue 20: a revision removes 14 respondents who share a published cell and one respondent in a suppressed
    cell. Every cell published in both changes by 0 or >= 10, but the remainders (everyone − published age
    groups) of the two revisions differ by that one person. The earlier revision must leave the site."""
    from click.testing import CliRunner
    from demo_project import new_project

    from ceo.cli import main

    rng = np.random.default_rng(3)
    header = ["respondent_id", "gemeentecode", *[f"v{i:02d}" for i in range(1, 11)], "rapportcijfer", "leeftijd"]
    rows = _wmo_rows(rng, "GM0505", {1: 70, 2: 45, 3: 40, 4: 5}, 1)
    rows += _wmo_rows(rng, "GM0590", {1: 60, 2: 50, 3: 35, 4: 25}, 1000)
    full = tmp_path / "wmo.csv"
    full.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    young = [i for i, r in enumerate(rows) if r[1] == "GM0505" and int(r[-1]) < 65][:14]
    old = [i for i, r in enumerate(rows) if r[1] == "GM0505" and int(r[-1]) >= 85][:1]
    minus = tmp_path / "wmo_min.csv"
    minus.write_text("\n".join(",".join(r) for r in [header, *[r for i, r in enumerate(rows)
                                                               if i not in set(young + old)]]) + "\n",
                     encoding="utf-8")
    root = new_project(tmp_path / "p")
    # keep 85+ apart (tiny in one of the two gemeenten): the scenario needs a suppressed age group
    _keep_categories_apart(root)
    base = ["process", "--project", str(root), "-s", "wmo", "-e", "2025"]
    first = CliRunner().invoke(main, [*base, "--date", "2026-01-15", str(full)])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, [*base, "--date", "2026-02-01", "--revision", "15 respondenten verwijderd",
                                       str(minus)])
    assert second.exit_code == 0, second.output
    # the scenario of the issue: both revisions as published (the old one from the researcher's archive)
    both = tmp_path / "both"
    (both / "r1").mkdir(parents=True)
    (both / "r2").mkdir()
    shutil.copyfile(root / "uitvoer" / "2025" / "revisies" / "revisie-1" / "wmo.csv", both / "r1" / "wmo.csv")
    shutil.copyfile(root / "site" / "2025" / "data" / "wmo.csv", both / "r2" / "wmo.csv")
    assert _remainder_leaks(both), "the test does not reproduce the disclosure"
    # ... but the site never offers both
    assert _remainder_leaks(root / "site") == []
    assert not (root / "site" / "2025" / "data" / "revisie-1" / "wmo.csv").exists()


# --------------------------------------------------------------------------------------------
# readers: the legend and the text of a "—"


def test_legend_separates_the_reasons_and_every_dash_has_a_text(tmp_path):
    """The legend says 'te weinig antwoorden' or 'verborgen om een ander cijfer te beschermen' (matched by the
    REASON_* constants, not by their text), and no table cell is a bare "—" for a screen reader."""
    import re

    from click.testing import CliRunner
    from demo_project import new_project

    from ceo.cli import main
    from ceo.site import render
    from ceo.stats.disclosure import REASON_COMPLEMENT

    rng = np.random.default_rng(3)
    header = ["respondent_id", "gemeentecode", *[f"v{i:02d}" for i in range(1, 11)], "rapportcijfer", "leeftijd"]
    rows = _wmo_rows(rng, "GM0505", {1: 70, 2: 45, 3: 40, 4: 5}, 1)
    rows += _wmo_rows(rng, "GM0590", {1: 60, 2: 50, 3: 35, 4: 3}, 1000)
    rows += _wmo_rows(rng, "GM0610", {1: 7}, 2000)  # 7 respondents: the total needs a complement
    for r in rows[len(rows) - 7 - 148 + 25:len(rows) - 7]:
        r[2 + 1] = "8"  # v02 in GM0590: 'weet niet' but for 25 respondents
    data = tmp_path / "wmo.csv"
    data.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    root = new_project(tmp_path / "p")
    res = CliRunner().invoke(main, ["process", "--project", str(root), "-s", "wmo", "-e", "2025", "--date",
                                    "2026-01-15", str(data)])
    assert res.exit_code == 0, res.output
    published = pd.read_csv(root / "site" / "2025" / "data" / "wmo.csv", dtype=str, keep_default_na=False)
    assert {REASON_COMPLEMENT, REASON_SMALL.format(n=D)} <= set(published["reden"])  # both kinds occur
    pages = [p for p in (root / "site" / "2025").rglob("*.md")]
    text = {p: p.read_text(encoding="utf-8") for p in pages}
    bare = re.compile(r"<td[^>]*>\s*—[⁰¹²³⁴⁵⁶⁷⁸⁹]*\s*</td>")
    # the tables of figures: factsheets, the overview, 'vergelijk gemeenten' (not the lists of files and weights)
    found = {p.name: len(bare.findall(t)) for p, t in text.items()
             if bare.search(t) and p.name not in ("gegevens.md", "verantwoording.md")}
    assert found == {}, f"cells that are a bare '—' for a screen reader: {found}"
    # the words of the legend come from the suppression's reasons
    assert render.plain_reason(REASON_SMALL.format(n=10)) == render.TOO_FEW
    assert render.plain_reason(REASON_COMPLEMENT) == render.PROTECTS
    assert render.TOO_FEW != render.PROTECTS
    factsheet = next(t for p, t in text.items() if "papendrecht" in p.name.lower())
    assert f"— niet gepubliceerd: {render.TOO_FEW}." in factsheet  # the note below a table
    spoken = set(re.findall(r'<span aria-hidden="true">—[⁰¹²³⁴⁵⁶⁷⁸⁹]*</span><span class="ceo-sr">([^<]*)</span>',
                            "".join(text.values())))
    assert {f"niet gepubliceerd: {render.TOO_FEW}", f"niet gepubliceerd: {render.PROTECTS}"} <= spoken
    assert spoken <= {f"niet gepubliceerd: {w}" for w in (render.TOO_FEW, render.PROTECTS, render.NO_ANSWERS)} \
        | {"geen cijfer", "niet vergeleken", "geen marge", "aantal niet gepubliceerd"}
