"""Disclosure control: no suppressed figure of fewer than ``onthulling_n`` respondents can be recomputed
from what is published, complements cost little, and the audit inside ``ceo process`` stops a run
that leaks.

Every protection check uses :func:`attack`, an attacker written here independently of
``ceo.stats.disclosure``: it rebuilds the additive relations of the published table in the plain form
(every region and the total as the sum of its gemeenten; per area and subgroup variable the
everyone-figure as the sum of the values plus the unpublished cell of respondents without a value),
works in count space (the attacker knows the weights), and decides with numpy's SVD whether a set of
suppressed cells is determined: the sum of its indicator vectors is orthogonal to the null space.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from demo_project import new_project

from ceo.cli import main
from ceo.core.problems import InputError
from ceo.stats.disclosure import REASON_COMPLEMENT, audit, publishable
from ceo.stats.groups import group_cells, group_tests
from ceo.stats.results import build_areas, estimate_results
from ceo.validate.codebook import get_codebook
from ceo.validate.project import Thresholds
from ceo.validate.registry import Region

D = 10  # onthulling_n
MISSING = "<ontbreekt>"


# --------------------------------------------------------------------------------------------
# the independent attacker


def attack(table: pd.DataFrame, areas, known: pd.DataFrame | None = None, disclosure_n: int = D,
           pairs: bool = True) -> list[tuple]:
    """Recomputable disclosive cells and small unions of ``table`` (with its true ``n``; the
    suppression pattern is ``onderdrukt``). Returns (indicator, cells, respondents) per leak."""
    head = table[table["categorie"].fillna("") == ""].copy()
    for c in ("subgroep", "subgroep_waarde"):
        head[c] = head[c].fillna("").astype(str)
    known_keys = set()
    if known is not None:
        known_keys = set(map(tuple, known[["gebied_code", "indicator", "subgroep", "subgroep_waarde"]].astype(str)
                             .to_numpy()))
    members = {a.code: a.members for a in areas if a.level != "gemeente"}
    leaks = []
    for ind, t in head.groupby("indicator"):
        cells = {}
        for r in t.itertuples(index=False):
            pub = r.onderdrukt == "nee" or (r.gebied_code, ind, r.subgroep, r.subgroep_waarde) in known_keys
            cells[(r.gebied_code, r.subgroep, r.subgroep_waarde)] = (int(r.n), pub)
        for (a, f, _v), (n, _) in list(cells.items()):
            if f:
                continue
            for fam in {k[1] for k in cells if k[0] == a and k[1]}:
                n_vals = sum(m for (a2, f2, _v), (m, _p) in cells.items() if a2 == a and f2 == fam)
                cells[(a, fam, MISSING)] = (n - n_vals, False)
        rows = []
        for (a, f, v) in cells:
            if not f and any(k[0] == a and k[1] for k in cells):
                for fam in {k[1] for k in cells if k[0] == a and k[1]}:
                    row = {(a, "", ""): 1.0}
                    for k in cells:
                        if k[0] == a and k[1] == fam:
                            row[k] = -1.0
                    rows.append(row)
            if a in members:
                row = {(a, f, v): 1.0}
                for g in members[a]:
                    if (g, f, v) in cells:
                        row[(g, f, v)] = -1.0
                rows.append(row)
        rest = t[t["waarde_rest_regio"].notna()] if "waarde_rest_regio" in t else t.iloc[:0]
        for r in rest.itertuples(index=False):
            rows.append({(g, r.subgroep, r.subgroep_waarde): 1.0 for g in members[r.regio] if g != r.gebied_code
                         and (g, r.subgroep, r.subgroep_waarde) in cells})
        unknown = [k for k, (n, pub) in cells.items() if not pub and n > 0]
        if not unknown:
            continue
        col = {k: i for i, k in enumerate(unknown)}
        a_mat = np.zeros((len(rows), len(unknown)))
        for i, row in enumerate(rows):
            for k, c in row.items():
                if k in col:
                    a_mat[i, col[k]] = c
        _, s, vt = np.linalg.svd(a_mat, full_matrices=True)
        rank = int((s > 1e-9 * max(1.0, s.max(initial=0))).sum())
        null = vt[rank:].T  # unknown × null dimension
        n_of = np.array([cells[k][0] for k in unknown], dtype=float)
        small = np.flatnonzero(n_of < disclosure_n)

        def determined(idx, null=null) -> bool:
            return bool(np.abs(null[list(idx)].sum(axis=0)).max(initial=0) < 1e-9)

        # respondents without a value of a breakdown variable are no group anyone can point at (issue 20):
        # their cell alone is no leak, nor a union with them (the protection intervals cover the real cells)
        real = np.array([k[2] != MISSING for k in unknown])
        for i in small[real[small]]:
            if determined([i]):
                leaks.append((ind, [unknown[i]], n_of[i]))
        for row in rows:  # the unknown parts of every relation
            idx = [col[k] for k, c in row.items() if k in col and c < 0]
            whole = [col[k] for k, c in row.items() if k in col and c > 0]
            if (len(idx) >= 2 and not whole and real[idx].all() and n_of[idx].sum() < disclosure_n
                    and determined(idx)):
                leaks.append((ind, [unknown[i] for i in idx], n_of[idx].sum()))
        if pairs:
            for i, j in itertools.combinations(small, 2):
                if real[i] and real[j] and n_of[i] + n_of[j] < disclosure_n and determined([i, j]):
                    leaks.append((ind, [unknown[i], unknown[j]], n_of[i] + n_of[j]))
    return leaks


def complement_share(table: pd.DataFrame) -> float:
    """Percentage of the figures with n >= 30 that are suppressed as complements."""
    big = table["n"] >= 30
    return 100.0 * ((table["reden"] == REASON_COMPLEMENT) & big).sum() / big.sum()


# --------------------------------------------------------------------------------------------
# data


@pytest.fixture(scope="module")
def wmo():
    return get_codebook("wmo")


def synthetic(sizes: dict[str, int], seed: int = 1, voorziening_p=(0.5, 0.3, 0.17, 0.03)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for g, n in sizes.items():
        f = pd.DataFrame({"respondent_id": [f"{g}-{i}" for i in range(n)], "gemeentecode": g})
        for v in [f"v{i:02d}" for i in range(1, 11)]:
            f[v] = np.where(rng.random(n) < 0.8, rng.choice([1, 2], n), rng.choice([3, 4, 5], n))
        f["rapportcijfer"] = rng.choice([5, 6, 7, 8, 9], n)
        f["voorziening"] = rng.choice([1, 2, 5, 7], n, p=list(voorziening_p))
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def run(data: pd.DataFrame, cb, regions=(), **kw) -> tuple[pd.DataFrame, list]:
    areas, _ = build_areas(data["gemeentecode"], list(regions))
    res = estimate_results(data, cb, edition=2025, areas=areas, thresholds=Thresholds(), **kw)
    return res.table, areas


def head(t: pd.DataFrame, indicator: str = "v06", subgroep: str = "") -> pd.DataFrame:
    return t[(t["indicator"] == indicator) & (t["categorie"] == "") & (t["subgroep"] == subgroep)]


def primary_only(t: pd.DataFrame) -> pd.DataFrame:
    """The table as the old rule without complements would publish it."""
    out = t.copy()
    comp = out["reden"] == REASON_COMPLEMENT
    out.loc[comp, "onderdrukt"] = "nee"
    out.loc[comp, "reden"] = ""
    return out


# --------------------------------------------------------------------------------------------
# the leaks of the issue


def test_gemeente_outside_every_region_is_not_total_minus_region(wmo):
    """(a) 6 respondents in a gemeente outside the region: totaal − region gave them away."""
    data = synthetic({"GM0505": 200, "GM0531": 150, "GM0590": 100, "GM0610": 6})
    region = Region("r", "R", "regio", ("GM0505", "GM0531", "GM0590"))
    t, areas = run(data, wmo, regions=[region])
    h = head(t).set_index("gebied_code")
    assert h.loc["GM0610", "onderdrukt"] == "ja"
    # the old table (primary suppression only) leaks: the attacker is able to find it
    old = attack(primary_only(t), areas, pairs=False)
    assert any(("GM0610", "", "") in cells for _, cells, _ in old)
    assert attack(t, areas) == []
    audit(t, areas, Thresholds())  # ceo's own attacker agrees


def test_two_tiny_values_of_one_breakdown_are_not_their_sum(wmo):
    """(b) 3 + 4 respondents in two values of one breakdown: gemeente − published values gave their sum."""
    data = synthetic({"GM0505": 400, "GM0590": 300})
    g = data.index[data["gemeentecode"] == "GM0505"]
    data.loc[g, "voorziening"] = np.where(np.arange(len(g)) % 2, 1, 2)
    data.loc[g[:3], "voorziening"] = 7
    data.loc[g[3:7], "voorziening"] = 5
    t, areas = run(data, wmo)
    v = head(t, subgroep="voorziening")
    v = v[v["gebied_code"] == "GM0505"].set_index("subgroep_waarde")
    assert v.loc["beschermd wonen", "n"] == 3 and v.loc["begeleiding", "n"] == 4
    assert (v["reden"] == REASON_COMPLEMENT).sum() == 1  # one complement is enough
    old = attack(primary_only(t), areas)
    assert any(len(cells) == 2 and n == 7 for _, cells, n in old)
    assert attack(t, areas) == []


def _professionals(sizes: dict[int, int], flat: int | None = None, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    groups = np.concatenate([np.full(n, g) for g, n in sizes.items()])
    n = len(groups)
    d = pd.DataFrame({"respondent_id": [f"p{i}" for i in range(n)], "gemeentecode": "GM0505",
                      "beroepsgroep": groups, "tevredenheid": rng.choice([1, 2, 3, 4, 5], n),
                      "rapportcijfer": rng.choice([4, 5, 6, 7, 8, 9], n).astype(float)})
    for p in ("p01", "p02", "p03", "p04"):
        d[p] = rng.choice([1, 2, 3, 4, 5], n)
    if flat is not None:
        d.loc[d["beroepsgroep"] == flat, "rapportcijfer"] = 7.0
    return d


def test_group_means_do_not_give_away_a_suppressed_group():
    """(c) a group of 5 professionals: the results table suppresses it and a complement group, but the
    group tests published the complement's mean, so the 5 were recomputable."""
    cb = get_codebook("professionals")
    data = _professionals({1: 5, 2: 40, 3: 45})
    t, areas = run(data, cb)
    th = Thresholds()
    r = head(t, "rapportcijfer", "beroepsgroep")
    r = r[r["gebied_code"] == "GM0505"].set_index("subgroep_waarde")
    assert r["onderdrukt"].eq("ja").sum() == 2  # the group of 5 and its complement
    comp = r.index[r["reden"] == REASON_COMPLEMENT][0]
    # the old group tests published every group of >= 30: the audit sees the leak and stops
    old = group_tests(data, cb, edition=2025, areas=areas, by="beroepsgroep")
    assert comp in set(old["groep_a"]) | set(old["groep_b"])
    old_known = group_cells(old, cb, "beroepsgroep")
    assert attack(t, areas, known=old_known)
    with pytest.raises(InputError, match="onthullingscontrole"):
        audit(t, areas, th, extra_known=old_known)
    # now: only published groups are tested; nothing to recompute
    new = group_tests(data, cb, edition=2025, areas=areas, by="beroepsgroep", published=t,
                      subgroup_id="beroepsgroep")
    assert comp not in set(new["groep_a"]) | set(new["groep_b"])
    known = group_cells(new, cb, "beroepsgroep")
    assert attack(t, areas, known=known) == []
    audit(t, areas, th, extra_known=known)
    welch = new[(new["toets"] == "welch_anova") & (new["variabele"] == "rapportcijfer")].iloc[0]
    assert "niet te toetsen" in welch["toelichting"] and "niet gepubliceerd" in welch["toelichting"]


# --------------------------------------------------------------------------------------------
# robust group tests


def test_group_without_spread_is_not_testable_instead_of_a_crash():
    cb = get_codebook("professionals")
    data = _professionals({1: 40, 2: 35, 3: 45}, flat=2)
    t, areas = run(data, cb)
    out = group_tests(data, cb, edition=2025, areas=areas, by="beroepsgroep", published=t,
                      subgroup_id="beroepsgroep")
    w = out[(out["toets"] == "welch_anova") & (out["gebied_code"] == "GM0505")].iloc[0]
    assert w["significant"] == "niet te toetsen"
    assert "geen spreiding" in w["toelichting"] and "jeugdteam" in w["toelichting"]
    assert np.isnan(w["p"])
    assert not (out["toets"] == "games_howell").any()


def test_single_group_is_not_testable():
    cb = get_codebook("professionals")
    data = _professionals({1: 60, 2: 4})
    t, areas = run(data, cb)
    out = group_tests(data, cb, edition=2025, areas=areas, by="beroepsgroep", published=t,
                      subgroup_id="beroepsgroep")
    tests = out[out["toets"].isin(["welch_anova", "chi2"]) & (out["gebied_code"] == "GM0505")]
    assert set(tests["toets"]) == {"welch_anova", "chi2"}
    assert (tests["significant"] == "niet te toetsen").all()
    assert tests["toelichting"].str.contains("minder dan twee groepen").all()


def test_not_testable_is_said_on_the_page():
    from ceo.site.render import _test_sentences

    cb = get_codebook("professionals")
    data = _professionals({1: 40, 2: 35, 3: 45}, flat=2)
    t, areas = run(data, cb)
    out = group_tests(data, cb, edition=2025, areas=areas, by="beroepsgroep", published=t,
                      subgroup_id="beroepsgroep")
    text = " ".join(_test_sentences(out[out["gebied_code"] == "GM0505"], {"vragen": []}))
    assert "niet te toetsen" in text and "geen spreiding" in text


# --------------------------------------------------------------------------------------------
# no over-suppression


def _with_sex(data: pd.DataFrame, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = data.copy()
    data["geslacht"] = rng.choice([1, 2], len(data))
    return data


def test_one_person_answering_anders_does_not_cost_the_whole_breakdown(wmo):
    sizes = {"GM0505": 137, "GM0531": 210, "GM0590": 180, "GM0610": 160}
    data = _with_sex(synthetic(sizes))
    for i, g in enumerate(sizes):  # a few people answer "anders" in every gemeente
        idx = data.index[data["gemeentecode"] == g][: 1 + i]
        data.loc[idx, "geslacht"] = 3
    region = Region("r", "R", "regio", tuple(sizes))
    t, areas = run(data, wmo, regions=[region])
    sex = head(t, subgroep="geslacht")
    g = sex[sex["gebied_code"] == "GM0505"].set_index("subgroep_waarde")
    assert g.loc["anders / zeg ik liever niet", "n"] == 1 and g.loc["anders / zeg ik liever niet", "onderdrukt"] == "ja"
    # at most one of man / vrouw goes as a complement, the headline figure stays
    assert (g["reden"] == REASON_COMPLEMENT).sum() <= 1
    assert (g["onderdrukt"] == "nee").sum() >= 1
    assert head(t).set_index("gebied_code").loc["GM0505", "onderdrukt"] == "nee"
    assert attack(t, areas) == []


def test_unreliable_cells_count_as_protection(wmo):
    """5 respondents next to a suppressed value of 20: together 25 >= 10, no complement needed."""
    data = synthetic({"GM0505": 400})
    data["voorziening"] = np.where(np.arange(len(data)) % 2, 1, 2)
    data.loc[:4, "voorziening"] = 7
    data.loc[5:24, "voorziening"] = 5
    t, areas = run(data, wmo)
    v = head(t, subgroep="voorziening")
    v = v[v["gebied_code"] == "GM0505"].set_index("subgroep_waarde")
    assert v.loc["beschermd wonen", "n"] == 5 and v.loc["begeleiding", "n"] == 20
    assert (v["reden"] == REASON_COMPLEMENT).sum() == 0
    assert (v["onderdrukt"] == "nee").sum() == 2
    assert attack(t, areas) == []


def test_weights_on_one_person_suppress_the_figure(wmo):
    """Issue 16: a delivered weight that puts (almost) everything on one respondent of 40."""
    data = synthetic({"GM0505": 40, "GM0590": 300})
    w = np.ones(len(data))
    w[0] = 10_000.0
    t, areas = run(data, wmo, weights=w, weighted=True)
    h = head(t).set_index("gebied_code")
    assert h.loc["GM0505", "n"] == 40
    assert h.loc["GM0505", "onderdrukt"] == "ja"
    assert "effectieve n" in h.loc["GM0505", "reden"]
    assert attack(t, areas) == []
    # it is protected like a cell of one person: not the total minus the other gemeente
    assert h.loc[["GM0590", "totaal"], "onderdrukt"].eq("ja").any()
    audit(t, areas, Thresholds())


def test_suppressed_rows_publish_no_counts(wmo):
    data = synthetic({"GM0505": 200, "GM0590": 6})
    t, _ = run(data, wmo)
    pub = publishable(t)
    sup = pub["onderdrukt"] == "ja"
    assert pub.loc[sup, ["n", "n_geen_oordeel"]].isna().all().all()
    assert pub.loc[~sup, "n"].notna().all()
    assert (t.loc[sup, "n"] > 0).any()  # the exact counts existed: the check means something


# --------------------------------------------------------------------------------------------
# the audit inside ceo process


def _wmo_csv(path: Path, sizes: dict[str, int], seed: int = 2) -> Path:
    rng = np.random.default_rng(seed)
    rows = ["respondent_id,gemeentecode," + ",".join(f"v{i:02d}" for i in range(1, 11)) + ",rapportcijfer"]
    k = 1000
    for g, n in sizes.items():
        for _ in range(n):
            answers = [str(rng.choice([1, 2, 3, 4, 5])) for _ in range(10)]
            answers[4] = str(rng.choice([1, 2]))
            rows.append(f"{k},{g}," + ",".join(answers) + f",{rng.integers(5, 10)}")
            k += 1
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_audit_stops_a_run_that_leaks(tmp_path, monkeypatch):
    import ceo.stats.disclosure as disclosure

    root = new_project(tmp_path / "p")
    data = _wmo_csv(tmp_path / "wmo.csv", {"GM0505": 80, "GM0531": 6})
    args = ["process", "--project", str(root), "-s", "wmo", "-e", "2025", "--date", "2026-01-15", str(data)]
    # a broken complement rule (none at all): GM0531 = totaal − GM0505
    monkeypatch.setattr(disclosure, "_complements", lambda system, sup, cost, n: np.zeros(len(sup), dtype=bool))
    monkeypatch.setattr(disclosure, "_repair", lambda system, sup, cost, leaks: np.zeros(len(sup), dtype=bool))
    monkeypatch.setattr(disclosure, "_fallback",
                        lambda system, cells, level, anc: np.zeros(len(system.var), dtype=bool))
    monkeypatch.setattr(disclosure, "_directions",
                        lambda system, hidden, *a: (np.zeros(len(hidden), dtype=bool),) * 2)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    assert "onthullingscontrole" in res.output and "GM0531" in res.output
    assert "Traceback" not in res.output
    assert not (root / "site" / "2025").exists() and not (root / "uitvoer").exists()
    monkeypatch.undo()
    ok = CliRunner().invoke(main, args)
    assert ok.exit_code == 0, ok.output
    published = pd.read_csv(root / "site" / "2025" / "data" / "wmo.csv", keep_default_na=False, na_values=[""])
    small = published[published["gebied_code"] == "GM0531"]
    assert (small["onderdrukt"] == "ja").all() and small["n"].isna().all()


# --------------------------------------------------------------------------------------------
# realistic data: regions (nested and overlapping), a gemeente outside them, tiny categories, raking

GEMEENTEN = ["GM0482", "GM0505", "GM0512", "GM0523", "GM0531", "GM0590", "GM0610", "GM0642",
             "GM1963", "GM1978", "GM0599", "GM0603"]
SIZES = [140, 620, 95, 35, 260, 210, 160, 180, 120, 75, 45, 330]  # GM0599 lies outside every region
REGIONS = """regios:
  - {id: drechtsteden, naam: Drechtsteden, gemeenten: [GM0482, GM0505, GM0531, GM0590, GM0610, GM0642]}
  - {id: zhz, naam: Zuid-Holland-Zuid,
     gemeenten: [GM0482, GM0505, GM0531, GM0590, GM0610, GM0642, GM0512, GM0523, GM1963, GM1978]}
  - {id: west, naam: West, gemeenten: [GM1963, GM1978, GM0603]}
"""


def _realistic(directory: Path, seed: int = 11) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    rows, pop = [], []
    k = 1
    for g, n in zip(GEMEENTEN, SIZES, strict=True):
        size = n * 6 + 40
        age = rng.choice([1, 2, 3, 4], size, p=[0.3, 0.25, 0.28, 0.17])
        sex = rng.choice([1, 2, 3], size, p=[0.42, 0.57, 0.01])
        voorz = rng.choice(np.arange(1, 9), size, p=[0.35, 0.2, 0.08, 0.1, 0.12, 0.08, 0.02, 0.05])
        units = pd.DataFrame({"gemeentecode": g, "leeftijdsklasse": age, "geslacht": sex, "voorziening": voorz})
        pop.append(units.value_counts(sort=False).rename("aantal").reset_index())
        chosen = units.sample(n=n, random_state=int(rng.integers(1 << 30))).reset_index(drop=True)
        base = rng.beta(9, 3)
        for r in chosen.itertuples(index=False):
            answers = [1 if rng.random() < base else rng.choice([3, 4, 5]) for _ in range(10)]
            answers[4] = 1 if answers[4] == 1 else 2
            answers = [str(a) if rng.random() > 0.03 else "8" for a in answers]
            lo, hi = [(18, 65), (65, 75), (75, 85), (85, 101)][r.leeftijdsklasse - 1]
            sex_v = "" if rng.random() < 0.02 else str(r.geslacht)  # a few without a value
            rows.append([str(k), g, *answers, str(int(rng.integers(4, 11))), str(int(rng.integers(lo, hi))),
                         sex_v, str(r.voorziening)])
            k += 1
    directory.mkdir(parents=True, exist_ok=True)
    header = ["respondent_id", "gemeentecode", *[f"v{i:02d}" for i in range(1, 11)], "rapportcijfer",
              "leeftijd", "geslacht", "voorziening"]
    data = directory / "wmo_2025.csv"
    data.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    population = directory / "populatie_wmo_2025.csv"
    pd.concat(pop, ignore_index=True).to_csv(population, index=False)
    return {"data": data, "population": population}


@pytest.fixture(scope="module")
def realistic(tmp_path_factory):
    from ceo.pipeline import ProcessOptions, process
    from ceo.validate.project import load_project

    tmp = tmp_path_factory.mktemp("realistic")
    root = new_project(tmp / "p")
    text = (root / "ceo.yaml").read_text(encoding="utf-8")
    start = text.index("regios:")
    end = text.index("\ndrempels:")
    (root / "ceo.yaml").write_text(text[:start] + REGIONS + text[end:], encoding="utf-8")
    paths = _realistic(tmp / "invoer")
    project = load_project(root)
    result = process(project, ProcessOptions("wmo", 2025, [paths["data"]], population=paths["population"]))
    areas, _ = build_areas(pd.Series(GEMEENTEN), project.regions)
    return root, result, areas


def test_realistic_data_nothing_recomputable_and_few_complements(realistic):
    root, result, areas = realistic
    table = result.results
    assert {a.level for a in areas} == {"gemeente", "regio", "totaal"} and len(areas) == len(GEMEENTEN) + 4
    published = pd.read_csv(root / "site" / "2025" / "data" / "wmo.csv", keep_default_na=False, na_values=[""])
    # the published pattern is the table's, with its counts removed from suppressed rows
    assert (published["onderdrukt"].to_numpy() == table["onderdrukt"].to_numpy()).all()
    assert published.loc[published["onderdrukt"] == "ja", ["n", "n_geen_oordeel"]].isna().all().all()
    tiny = table[(table["n"] >= 1) & (table["n"] < D)]
    assert len(tiny) > 50  # tiny categories exist: the check below means something
    assert table["gewogen"].eq("ja").all()  # raked
    assert attack(table.assign(onderdrukt=published["onderdrukt"].to_numpy()), areas) == []
    share = complement_share(table)
    print(f"complementair onderdrukt: {share:.1f} % van de cijfers met n >= 30")
    assert share <= 10.0
    # the old table (no complements) leaks: the attacker finds it
    assert attack(primary_only(table), areas, pairs=False)


def test_published_json_states_the_thresholds(realistic):
    root, _, _ = realistic
    meta = json.loads((root / "site" / "2025" / "data" / "wmo.json").read_text(encoding="utf-8"))
    assert meta["drempels"]["onthulling_n"] == D and meta["drempels"]["minimum_n"] == 30


def test_rest_of_region_never_gives_away_a_suppressed_region(wmo):
    """The rest of the region next to a gemeente is the region minus that gemeente: published next to a
    suppressed region figure it would give that figure (and so the 7 of GM0610) away."""
    data = synthetic({"GM0505": 300, "GM0590": 150, "GM0531": 80, "GM0610": 7})
    region = Region("r", "R", "regio", ("GM0505", "GM0531", "GM0590", "GM0610"))
    t, areas = run(data, wmo, regions=[region], comparison_regions={g: "r" for g in region.members})
    h = head(t).set_index("gebied_code")
    assert h.loc["r", "onderdrukt"] == "ja" and h.loc["GM0505", "onderdrukt"] == "nee"
    sup_region = t[(t["gebied_code"] == "r") & (t["onderdrukt"] == "ja")]
    assert len(sup_region)
    gm = t[(t["gebied_code"] != "r") & (t["regio"] == "r")]
    keys = ["indicator", "subgroep", "subgroep_waarde", "categorie"]
    leaked = gm.merge(sup_region[keys], on=keys)
    assert leaked["waarde_rest_regio"].isna().all()
    audit(t, areas, Thresholds())
    # had it been published, the audit would have stopped the run
    bad = t.copy()
    row = bad.index[(bad["gebied_code"] == "GM0505") & (bad["indicator"] == "v06") & (bad["subgroep"] == "")
                    & (bad["categorie"] == "")][0]
    bad.loc[row, ["regio", "waarde_rest_regio"]] = ["r", 80.0]
    assert attack(bad, areas)
    with pytest.raises(InputError, match="rest van de regio"):
        audit(bad, areas, Thresholds())


def test_warm_started_lp_equals_linprog_for_every_objective_and_bound():
    """The disclosure LPs keep one HiGHS model per component and change only objectives and bounds
    between solves (a warm start): every optimum must equal a cold ``linprog`` of the same LP, also
    after bounds changed and back, and an infeasible LP must say so (None), not return a point."""
    import scipy.sparse as sp
    from scipy.optimize import linprog

    from ceo.stats.disclosure import _LP

    rng = np.random.default_rng(7)
    # a table of 4 × 5 unknowns with fixed row and column sums (the shape of a breakdown in areas)
    r, c = 4, 5
    rows = [np.ravel_multi_index((i, np.arange(c)), (r, c)) for i in range(r)]
    cols = [np.ravel_multi_index((np.arange(r), j), (r, c)) for j in range(c)]
    a = sp.lil_matrix((r + c, r * c))
    for k, idx in enumerate(rows + cols):
        a[k, idx] = 1.0
    a = a.tocsr()
    cap = rng.integers(1, 9, r * c).astype(float)
    x = np.floor(cap * rng.random(r * c))
    b = a @ x
    bnd = np.column_stack([np.zeros(r * c), cap])
    lp = _LP(a, b, bnd)
    for _ in range(25):
        obj = rng.normal(size=r * c) * (rng.random(r * c) < 0.4)
        got = lp.solve(obj)
        ref = linprog(obj, A_eq=a, b_eq=b, bounds=bnd, method="highs")
        assert got is not None and ref.status == 0
        assert obj @ got == pytest.approx(ref.fun, abs=1e-7)
        assert np.abs(a @ got - b).max() < 1e-7 and (got >= -1e-9).all() and (got <= cap + 1e-9).all()
    # fix one cell above what its row allows: infeasible, then back
    k = 3
    lp.set_bounds([k], [cap[k] + b[0]], [cap[k] + b[0]])
    assert lp.solve(np.ones(r * c)) is None
    lp.set_bounds([k], [0.0], [cap[k]])
    obj = -np.eye(r * c)[k]
    ref = linprog(obj, A_eq=a, b_eq=b, bounds=bnd, method="highs")
    assert obj @ lp.solve(obj) == pytest.approx(ref.fun, abs=1e-7)
