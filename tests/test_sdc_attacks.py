"""Attacks on the suppressed results tables of the layouts of issue 20, by attackers written here.

Two independent attackers, neither importing ``ceo.stats.disclosure``:

- exact recovery: :func:`test_disclosure.attack` (the count relations, SVD null space);
- linear-programming bounds (:func:`lp_attack`): the attacker knows every weight and how many respondents
  each cell has (the worst case), so every cell has a known size W (its sum of weights) and an unknown
  weighted number of positive answers 0 <= X <= W; published cells fix X = value × W. The relations are
  rebuilt from the microdata: per area and subgroup variable the everyone-cell is the sum of the values
  plus the cell of respondents without a value; every region and the total is the sum of its gemeenten.
  For every suppressed cell of 1 to 9 respondents (of a real subgroup value: respondents without a value
  are no group anyone can point at) scipy's HiGHS gives the range of X; the attack succeeds when that
  range proves the group all answered alike (0 % or 100 %) or is narrower than the protection level
  (min(4, n) respondents, the default ``beschermingsmarge``).

Layouts: a 7-gemeente project (one gemeente of 7 respondents, nested and overlapping regions, one
gemeente outside every region), a gemeente of 6 outside the only region of two gemeenten of 100; rare
categories (geslacht "anders", small voorzieningen) in every gemeente; an item answered by 2–3 people;
unweighted, N/n weights, post-stratified (calibrated) weights and delivered weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog
from test_disclosure import attack

from ceo.core.problems import InputError
from ceo.stats.results import build_areas, estimate_results
from ceo.validate.codebook import get_codebook
from ceo.validate.project import Thresholds
from ceo.validate.registry import Region

D = 10
PROTECTION = 4.0
ITEMS = [f"v{i:02d}" for i in range(1, 11)]
COMPLEMENT = "verborgen om een ander cijfer te beschermen"

SEVEN = {"GM0505": 320, "GM0531": 150, "GM0590": 120, "GM0610": 7, "GM0642": 95, "GM0482": 210, "GM0512": 70}
SEVEN_REGIONS = [Region("kern", "Kern", "regio", ("GM0505", "GM0531", "GM0590", "GM0610")),
                 Region("ruim", "Ruim", "regio", ("GM0505", "GM0531", "GM0590", "GM0610", "GM0642")),
                 Region("oost", "Oost", "regio", ("GM0642", "GM0482"))]  # GM0512 lies outside every region
OUTSIDE = {"GM0505": 100, "GM0531": 100, "GM0610": 6}
OUTSIDE_REGIONS = [Region("r", "R", "regio", ("GM0505", "GM0531"))]
LAYOUTS = {"zeven": (SEVEN, SEVEN_REGIONS), "buiten": (OUTSIDE, OUTSIDE_REGIONS)}
WEIGHTS = ["ongewogen", "N/n", "gekalibreerd", "geleverd"]


def make_data(sizes: dict[str, int], seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for k, (g, n) in enumerate(sizes.items()):
        f = pd.DataFrame({"respondent_id": [f"{g}-{i}" for i in range(n)], "gemeentecode": g})
        base = rng.uniform(0.55, 0.95)
        for v in ITEMS:
            f[v] = np.where(rng.random(n) < base, rng.choice([1, 2], n), rng.choice([3, 4, 5], n)).astype(float)
            f.loc[rng.random(n) < 0.04, v] = 8.0  # weet niet
        f["v05"] = np.where(f["v05"] <= 2, 1.0, 2.0)
        f["rapportcijfer"] = rng.choice([4, 5, 6, 7, 8, 9, 10], n).astype(float)
        # rare categories in every gemeente: 1-3 respondents "anders", a few without a geslacht
        sex = rng.choice([1.0, 2.0], n)
        sex[: 1 + k % 3] = 3.0
        if n > 20:
            sex[5:7] = np.nan
        f["geslacht"] = sex
        f["voorziening"] = rng.choice([1, 2, 5, 7], n, p=[0.5, 0.35, 0.12, 0.03])
        f.loc[f.index[:2], "voorziening"] = 7  # beschermd wonen: one or two in every gemeente
        frames.append(f)
    data = pd.concat(frames, ignore_index=True)
    # an item answered by 2-3 people in one gemeente
    g = data.index[data["gemeentecode"] == next(iter(sizes))]
    data.loc[g[3:], "v09"] = 8.0
    return data


def make_weights(data: pd.DataFrame, kind: str, seed: int = 3) -> np.ndarray | None:
    rng = np.random.default_rng(seed)
    g = data["gemeentecode"].to_numpy()
    if kind == "ongewogen":
        return None
    if kind == "N/n":  # a design weight per gemeente: population / respondents
        codes, inv, counts = np.unique(g, return_inverse=True, return_counts=True)
        pop = rng.integers(3, 40, len(codes)) * counts
        return (pop / counts)[inv].astype(float)
    if kind == "gekalibreerd":  # post-stratified to geslacht within each gemeente: N_cell / n_cell
        cell = pd.Series(list(zip(g, data["geslacht"].fillna(0), strict=True)))
        counts = cell.map(cell.value_counts()).to_numpy(dtype=float)
        population = counts * cell.map({k: 20.0 * rng.uniform(0.5, 2.0) for k in cell.unique()}).to_numpy()
        return population / counts
    return np.exp(rng.normal(0.0, 0.5, len(data)))  # delivered by the fieldwork agency


def results(layout: str, weights: str):
    sizes, regions = LAYOUTS[layout]
    data = make_data(sizes)
    areas, _ = build_areas(data["gemeentecode"], regions)
    w = make_weights(data, weights)
    kw = {} if w is None else {"weights": w, "weighted": True}
    res = estimate_results(data, get_codebook("wmo"), edition=2025, areas=areas, thresholds=Thresholds(), **kw)
    return data, (np.ones(len(data)) if w is None else w), res, areas


# --------------------------------------------------------------------------------------------
# the LP attacker


def lp_attack(table: pd.DataFrame, data: pd.DataFrame, weights: np.ndarray, areas, cb,
              protection: float = PROTECTION) -> list[tuple]:
    """Suppressed small cells whose weighted number of positive answers the published figures bound to a
    range narrower than min(protection, n) respondents, or to all-alike. Returns (indicator, area,
    subgroup, value, n, lo %, hi %) per finding."""
    sgs = [(s.id, s.variable) for s in cb.subgroups if s.variable in data]
    members = {a.code: set(a.members) for a in areas}
    head = table[table["categorie"].fillna("") == ""]
    pub = {(r.gebied_code, r.indicator, r.subgroep or "", r.subgroep_waarde or ""): r.waarde
           for r in head.itertuples(index=False) if r.onderdrukt == "nee"}
    found = []
    g_of = data["gemeentecode"].to_numpy()
    for ind in ITEMS:
        v = data[ind].to_numpy()
        answered = (v >= 1) & (v <= 5) if ind != "v05" else np.isin(v, [1, 2])
        positive = np.isin(v, [1, 2]) if ind != "v05" else v == 1
        keys = [("", "", np.full(len(v), ""))]
        for sid, var in sgs:
            labels = {float(k): lab for k, lab in cb.labels(var).items()}
            val = data[var].map(labels).fillna("\x00ontbreekt").astype(str).to_numpy()
            keys.append((sid, var, val))
        cells = {}
        for a, mem in members.items():
            inside = np.isin(g_of, list(mem)) & answered
            for sid, _, val in keys:
                codes, inv = np.unique(val[inside], return_inverse=True)
                big_w = np.bincount(inv, weights[inside], len(codes))
                big_x = np.bincount(inv, weights[inside] * positive[inside], len(codes))
                cnt = np.bincount(inv, minlength=len(codes))
                for value, w_, x_, n_ in zip(codes, big_w, big_x, cnt, strict=True):
                    cells[(a, sid, value)] = (w_, x_, int(n_))
        idx = {k: i for i, k in enumerate(cells)}
        eq = []
        for (a, sid, _value) in cells:  # area rows
            if sid == "" and any(k[0] == a and k[1] for k in cells):
                for fam in {k[1] for k in cells if k[0] == a and k[1]}:
                    eq.append({idx[(a, "", "")]: 1.0} | {idx[k]: -1.0 for k in cells if k[0] == a and k[1] == fam})
        gemeenten = [a.code for a in areas if a.level == "gemeente"]
        for a, mem in members.items():  # columns: every region and the total is the sum of its gemeenten
            if a in gemeenten:
                continue
            for (a2, sid, value) in [k for k in cells if k[0] == a]:
                row = {idx[(a2, sid, value)]: 1.0}
                for g in mem:
                    if (g, sid, value) in cells:
                        row[idx[(g, sid, value)]] = -1.0
                eq.append(row)
        size = np.array([c[0] for c in cells.values()])
        truth = np.array([c[1] for c in cells.values()])
        n_of = np.array([c[2] for c in cells.values()])
        known = np.zeros(len(cells), dtype=bool)
        value = np.zeros(len(cells))
        for k, i in idx.items():
            p = pub.get((k[0], ind, k[1], k[2]))
            if p is not None and not np.isnan(p):
                known[i], value[i] = True, p / 100.0 * size[i]
        if not eq:
            continue
        r_i = np.concatenate([[j] * len(e) for j, e in enumerate(eq)])
        c_i = np.concatenate([list(e.keys()) for e in eq])
        v_i = np.concatenate([list(e.values()) for e in eq])
        a_full = sp.csr_matrix((v_i, (r_i, c_i)), shape=(len(eq), len(cells)))
        unk = np.flatnonzero(~known)
        a_u = a_full[:, unk]
        b = -(a_full[:, np.flatnonzero(known)] @ value[known])
        # the published values are rounded floats: allow their rounding (1e-6 relative) in the equations
        tol = 1e-6 * np.abs(a_full).multiply(size[None, :]).sum(axis=1).A1 + 1e-9
        a_ub = sp.vstack([a_u, -a_u]).tocsr()
        b_ub = np.concatenate([b + tol, -b + tol])
        bounds = np.column_stack([np.zeros(len(unk)), size[unk]])
        for j, i in enumerate(unk):
            k = list(cells)[i]
            if not (1 <= n_of[i] < D) or k[2] == "\x00ontbreekt":
                continue
            c = np.zeros(len(unk))
            c[j] = 1.0
            lo = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
            hi = linprog(-c, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
            assert lo.status == 0 and hi.status == 0, (ind, k)  # the truth is feasible
            lo_x, hi_x = lo.x[j], hi.x[j]
            unit = size[i] / n_of[i]
            alike = lo_x >= size[i] - 1e-6 * unit or hi_x <= 1e-6 * unit
            if alike or (hi_x - lo_x) / unit < min(protection, n_of[i]) - 1e-4:
                found.append((ind, k[0], k[1], k[2], int(n_of[i]), 100 * lo_x / size[i], 100 * hi_x / size[i]))
            assert lo_x - 1e-6 * unit <= truth[i] <= hi_x + 1e-6 * unit  # the attacker's model holds
    return found


def consistent(table: pd.DataFrame, data: pd.DataFrame) -> None:
    """The attacker's cells are the table's: the everyone-figures of every gemeente agree in n."""
    head = table[(table["categorie"] == "") & (table["subgroep"] == "") & (table["gebied_niveau"] == "gemeente")]
    for ind in ITEMS:
        v = data[ind]
        ok = v.between(1, 5) if ind != "v05" else v.isin([1, 2])
        n = ok.groupby(data["gemeentecode"]).sum()
        h = head[head["indicator"] == ind].set_index("gebied_code")["n"]
        assert (n.reindex(h.index).to_numpy() == h.to_numpy()).all(), ind


def complement_share(table: pd.DataFrame) -> float:
    big = table["n"] >= 30
    return 100.0 * ((table["reden"] == COMPLEMENT) & big).sum() / big.sum()


def headline_complements(table: pd.DataFrame) -> int:
    """Gemeente headline figures with n >= 30 hidden as complements."""
    h = table[(table["categorie"] == "") & (table["subgroep"] == "") & (table["gebied_niveau"] == "gemeente")]
    return int(((h["n"] >= 30) & (h["reden"] == COMPLEMENT)).sum())


# --------------------------------------------------------------------------------------------
# the tests


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layout_publishes_and_resists_both_attackers(layout, weights):
    from ceo.stats.disclosure import audit

    data, w, res, areas = results(layout, weights)
    table = res.table
    consistent(table, data)
    tiny = table[(table["n"] >= 1) & (table["n"] < D) & (table["onderdrukt"] == "ja")]
    assert len(tiny) > 20  # small groups exist: the attacks mean something
    # every layout publishes: ceo's own audit (exact and interval) passes
    positives = getattr(res, "positives", None)
    audit(table, areas, Thresholds(), **({} if positives is None else {"positives": positives}))
    assert attack(table, areas) == []
    found = lp_attack(table, data, w, areas, get_codebook("wmo"))
    assert found == [], found[:5]
    print(f"{layout}/{weights}: aanvullend {complement_share(table):.1f} % van de cijfers met n >= 30; "
          f"gemeentelijke hoofdcijfers n >= 30 aanvullend: {headline_complements(table)}")


def test_tiny_gemeente_outside_the_only_region_publishes():
    """6 respondents outside the only region (2 × 100): the run used to end without publishing."""
    data, _, res, areas = results("buiten", "ongewogen")
    h = res.table[(res.table["categorie"] == "") & (res.table["subgroep"] == "")]
    assert (h.loc[h["gebied_code"] == "GM0610", "onderdrukt"] == "ja").all()
    # the gemeenten of 100 keep their headline figures
    assert (h.loc[h["gebied_code"].isin(["GM0505", "GM0531"]), "onderdrukt"] == "nee").mean() > 0.9


def test_lp_attacker_finds_the_all_alike_group():
    """The LP attacker is able to fail: a published table with only the primary cells suppressed."""
    data, w, res, areas = results("zeven", "ongewogen")
    t = res.table.copy()
    comp = t["reden"] == COMPLEMENT
    t.loc[comp, "onderdrukt"] = "nee"
    t.loc[comp, "waarde"] = 50.0  # any value: the attacker reads the true ones from the microdata below
    # give the attacker the true values of the released complements
    found = lp_attack(_with_true_values(t, data, w, areas), data, w, areas, get_codebook("wmo"))
    assert found


def _with_true_values(t: pd.DataFrame, data: pd.DataFrame, w: np.ndarray, areas) -> pd.DataFrame:
    """``t`` with the weighted percentage positive of every headline percentage cell from the microdata."""
    cb = get_codebook("wmo")
    members = {a.code: set(a.members) for a in areas}
    out = t.copy()
    head = (out["categorie"] == "") & out["indicator"].isin(ITEMS)
    for ind in ITEMS:
        v = data[ind].to_numpy()
        ans = (v >= 1) & (v <= 5) if ind != "v05" else np.isin(v, [1, 2])
        pos = np.isin(v, [1, 2]) if ind != "v05" else v == 1
        for a, mem in members.items():
            inside = np.isin(data["gemeentecode"], list(mem)) & ans
            sel = head & (out["indicator"] == ind) & (out["gebied_code"] == a)
            for s in [None] + [sg for sg in cb.subgroups if sg.variable in data]:
                if s is None:
                    m = sel & (out["subgroep"] == "")
                    out.loc[m, "waarde"] = 100 * (w[inside] * pos[inside]).sum() / w[inside].sum()
                    continue
                labels = {float(k): lab for k, lab in cb.labels(s.variable).items()}
                val = data[s.variable].map(labels).to_numpy()
                for lab in pd.unique(val[inside & pd.notna(val)]):
                    grp = inside & (val == lab)
                    m = sel & (out["subgroep"] == s.id) & (out["subgroep_waarde"] == lab)
                    out.loc[m, "waarde"] = 100 * (w[grp] * pos[grp]).sum() / w[grp].sum()
    return out


def test_missing_subgroup_values_do_not_force_a_complement():
    """Three respondents without a geslacht are no group anyone can point at: "man" stays published."""
    data = make_data({"GM0505": 300, "GM0531": 200})
    data["geslacht"] = np.where(np.arange(len(data)) % 2, 1.0, 2.0)
    data.loc[[0, 1, 2], "geslacht"] = np.nan
    areas, _ = build_areas(data["gemeentecode"], [])
    res = estimate_results(data, get_codebook("wmo"), edition=2025, areas=areas, thresholds=Thresholds())
    sex = res.table[(res.table["subgroep"] == "geslacht") & (res.table["categorie"] == "") & (res.table["n"] >= 30)]
    assert len(sex) >= 40 and (sex["onderdrukt"] == "nee").all()


def test_protection_level_is_configurable(tmp_path):
    from demo_project import new_project

    from ceo.validate.project import load_project

    root = new_project(tmp_path / "p")
    text = (root / "ceo.yaml").read_text(encoding="utf-8")
    assert "beschermingsmarge: 4" in text  # the scaffolded project states the default
    (root / "ceo.yaml").write_text(text.replace("beschermingsmarge: 4", "beschermingsmarge: 2", 1), encoding="utf-8")
    assert load_project(root).thresholds.protection_n == 2.0
    (root / "ceo.yaml").write_text(text.replace("beschermingsmarge: 4", "beschermingsmarge: -1", 1), encoding="utf-8")
    with pytest.raises(InputError, match="beschermingsmarge"):
        load_project(root)


def test_log_names_the_small_group_behind_each_complement(tmp_path):
    from click.testing import CliRunner
    from demo_project import new_project
    from test_disclosure import _wmo_csv

    from ceo.cli import main

    root = new_project(tmp_path / "p")
    data = _wmo_csv(tmp_path / "wmo.csv", {"GM0505": 80, "GM0531": 6})
    res = CliRunner().invoke(main, ["process", "--project", str(root), "-s", "wmo", "-e", "2025",
                                    "--date", "2026-01-15", str(data)])
    assert res.exit_code == 0, res.output
    log = (root / "uitvoer" / "2025" / "log" / "wmo.log").read_text(encoding="utf-8")
    line = next(t for t in log.splitlines() if t.strip().startswith("klein groepje"))
    assert "GM0531" in line and "→ aanvullend onderdrukt" in line
    published = (root / "site" / "2025" / "data" / "wmo.csv").read_text(encoding="utf-8")
    assert COMPLEMENT in published and "klein groepje" not in published
