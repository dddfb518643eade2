"""Before and around the fieldwork (issue 14): sample planning and drawing (``ceo steekproef``), response and
representativeness in ``ceo process`` (``<onderzoek>_respons.csv``, R-indicator, verantwoording), ``veldwerk``
in ceo.yaml. Every formula is checked against an independent hand computation (``math`` and
``statistics.NormalDist``, not the code under test)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from demo_project import tree_digest

from ceo.cli import main
from ceo.stats import sampling
from ceo.stats.precision import round_half_away
from ceo.stats.response import r_indicator

Z95 = NormalDist().inv_cdf(0.975)


def _n0(margin=5.0, conf=0.95, p=0.5, deff=1.0):
    z = NormalDist().inv_cdf(1 - (1 - conf) / 2)
    return z * z * p * (1 - p) * deff / (margin / 100) ** 2


def _netto(big_n, **kw):
    n0 = _n0(**kw)
    return min(big_n, math.ceil(n0 / (1 + (n0 - 1) / big_n)))


def _margin(n, big_n, conf=0.95, p=0.5, deff=1.0):
    z = NormalDist().inv_cdf(1 - (1 - conf) / 2)
    return 100 * z * math.sqrt(p * (1 - p) * deff / n * (big_n - n) / (big_n - 1))


def _invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


# --------------------------------------------------------------------------- formulas

def test_n0_and_z_against_hand_computation():
    assert sampling.z_value(0.95) == pytest.approx(1.959963984540054, abs=1e-12)
    assert sampling.z_value(0.90) == pytest.approx(NormalDist().inv_cdf(0.95), abs=1e-12)
    # 1.96² · 0.25 / 0.05² = 384.15 (the textbook number)
    assert sampling.n0(5) == pytest.approx(384.1458820694124, rel=1e-12)
    assert sampling.n0(3, 0.9, 0.3, 1.5) == pytest.approx(_n0(3, 0.9, 0.3, 1.5), rel=1e-12)


def test_plan_against_hand_computation():
    big_n = np.array([1000, 200, 50, 100_000, 400])
    response = np.array([0.35, 0.35, 0.35, 0.35, 1.0])
    plan = sampling.plan(big_n, response)
    # N = 1000: 384.15 / (1 + 383.15/1000) = 277.7 → 278 respondents, 278/0.35 = 794.3 → 795 approached
    assert plan.loc[0, ["netto", "bruto", "integraal"]].tolist() == [278, 795, "nee"]
    # N = 200 < n0: netto 132 (≤ N), bruto 378 > N: everyone (census) and the margin that buys
    assert plan.loc[1, ["netto", "bruto", "integraal"]].tolist() == [132, 200, "ja"]
    assert plan.loc[1, "marge_verwacht"] == pytest.approx(_margin(70, 200), rel=1e-12)
    assert plan.loc[1, "marge_verwacht"] == pytest.approx(9.467, abs=1e-3)
    # N = 50: netto 45
    assert plan.loc[2, ["netto", "bruto", "integraal"]].tolist() == [45, 50, "ja"]
    for i, n in enumerate(big_n):
        assert plan.loc[i, "netto"] == _netto(int(n))
        bruto = min(int(n), math.ceil(_netto(int(n)) / response[i]))
        assert plan.loc[i, "bruto"] == bruto
        assert plan.loc[i, "marge_verwacht"] == pytest.approx(_margin(bruto * response[i], int(n)), rel=1e-12)
    # with the planned sample the expected margin is at most the one asked for
    assert (plan.loc[[0, 3], "marge_verwacht"] <= 5).all()
    # a census in which everyone responds has no margin at all
    assert plan.loc[4, "integraal"] == "nee"
    assert sampling.expected_margin(np.array([300]), np.array([300]))[0] == 0
    assert np.isnan(sampling.expected_margin(np.array([0]), np.array([300]))[0])
    other = sampling.plan(np.array([5000]), np.array([0.4]), margin=3, confidence=0.9, p=0.3, deff=1.5)
    assert other["netto"].iloc[0] == _netto(5000, margin=3, conf=0.9, p=0.3, deff=1.5)
    assert other["bruto"].iloc[0] == math.ceil(other["netto"].iloc[0] / 0.4)


def test_proportional_allocation_by_hand():
    sizes = pd.Series([50, 30, 20, 7, 3], index=pd.MultiIndex.from_tuples(
        [("A", 1), ("A", 2), ("A", 3), ("B", 1), ("B", 2)]))
    # A: quotas 5.5, 3.3, 2.2 → 5, 3, 2 and the largest remainder (0.5) gets the 11th; B: everyone
    assert sampling.allocate(sizes, pd.Series({"A": 11, "B": 10})).tolist() == [6, 3, 2, 7, 3]


# --------------------------------------------------------------------------- R-indicator

def _hand_r(a, r, d=None):
    d = d or [1.0] * len(a)
    wa = [ai * di for ai, di in zip(a, d, strict=True)]
    rho = [ri / ai for ri, ai in zip(r, a, strict=True)]
    total = sum(wa)
    mean = sum(w * p for w, p in zip(wa, rho, strict=True)) / total
    s2 = sum(w * (p - mean) ** 2 for w, p in zip(wa, rho, strict=True)) / (total - 1)
    return 1 - 2 * math.sqrt(s2)


def test_r_indicator_against_hand_computation():
    # ρ = 0.4, 0.2, 0.5; ρ̄ = 65/180; S² = 2.0278/179; R = 0.7871
    assert r_indicator([100, 50, 30], [40, 10, 15]) == pytest.approx(0.78713, abs=1e-5)
    assert r_indicator([100, 50, 30], [40, 10, 15]) == pytest.approx(_hand_r([100, 50, 30], [40, 10, 15]), 1e-12)
    assert r_indicator([100, 100], [30, 30]) == 1.0  # everyone equally
    assert r_indicator([10, 20], [5, 2], [3.0, 1.5]) == pytest.approx(_hand_r([10, 20], [5, 2], [3.0, 1.5]), 1e-12)


# --------------------------------------------------------------------------- ceo process with 'aangeschreven'

#: per gemeente and age class (1-4): clients, approached, respondents
CELLS = {
    "GM0505": ([500, 300, 400, 150], [200, 100, 120, 60], [40, 30, 50, 20]),
    "GM0482": ([60, 80, 90, 50], [50, 60, 70, 40], [5, 25, 30, 25]),
}
AGES = {1: 40, 2: 70, 3: 80, 4: 90}


def _write_wmo(directory: Path, cells=CELLS, approached_text=None) -> tuple[Path, Path]:
    rng = np.random.default_rng(3)
    rows, pop = [], []
    k = 1
    for g, (clients, approached, responded) in cells.items():
        for c in range(4):
            pop.append([g, str(c + 1), str(clients[c]), str(approached[c])])
            for _ in range(responded[c]):
                answers = [str(int(x)) for x in rng.integers(1, 6, 10)]
                answers[4] = str(int(rng.integers(1, 3)))
                rows.append([str(k), g, *answers, "7", str(AGES[c + 1]), str(int(rng.integers(1, 3))), "1"])
                k += 1
    if approached_text is not None:
        for (i, text) in approached_text.items():
            pop[i][3] = text
    directory.mkdir(parents=True, exist_ok=True)
    header = ["respondent_id", "gemeentecode", *[f"v{i:02d}" for i in range(1, 11)], "rapportcijfer",
              "leeftijd", "geslacht", "voorziening"]
    data = directory / "wmo_2025.csv"
    data.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    population = directory / "populatie.csv"
    population.write_text("\n".join(",".join(r) for r in [["gemeentecode", "leeftijdsklasse", "aantal",
                                                           "aangeschreven"], *pop]) + "\n", encoding="utf-8")
    return data, population


def _process(project: Path, data: Path, population: Path):
    return _invoke("process", "--survey", "wmo", "--edition", 2025, "--population", population,
                   "--project", project, "--date", "2026-01-15", data)


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    import shutil

    from conftest import ROOT

    root = tmp_path_factory.mktemp("respons") / "project"
    root.mkdir()
    for name in ("ceo.yaml", "mkdocs.yml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "site", root / "site", ignore=shutil.ignore_patterns("20*", "actueel"))
    data, population = _write_wmo(root / "invoer")
    result = _process(root, data, population)
    assert result.exit_code == 0, result.output
    return root


def published(value: float, decimals: int) -> float:
    """The hand computation at the precision of the published response table (percentages 0.1, R-indicator
    0.01; half away from zero, :mod:`ceo.stats.precision`)."""
    return float(round_half_away([value], decimals)[0])


def test_response_table_against_hand_computation(processed: Path):
    table = pd.read_csv(processed / "site" / "2025" / "data" / "wmo_respons.csv", dtype={"kenmerk": str},
                        keep_default_na=False, na_values=[""])
    areas = table[table["kenmerk"].fillna("") == ""].set_index("gebied_code")
    assert {"gebied_code", "aangeschreven", "respondenten", "respons_pct", "r_indicator"} <= set(table.columns)
    for g, (_clients, approached, responded) in CELLS.items():
        assert areas.loc[g, "aangeschreven"] == sum(approached)
        assert areas.loc[g, "respondenten"] == sum(responded)
        assert areas.loc[g, "respons_pct"] == published(100 * sum(responded) / sum(approached), 1)
        assert areas.loc[g, "r_indicator"] == published(_hand_r(approached, responded), 2)
    # the total: every approached client with the design weight N_h / a_h of its gemeente
    a, r, d = [], [], []
    for clients, approached, responded in CELLS.values():
        a += approached
        r += responded
        d += [sum(clients) / sum(approached)] * 4
    assert areas.loc["totaal", "r_indicator"] == published(_hand_r(a, r, d), 2)
    assert areas.loc["totaal", "respons_pct"] == published(100 * sum(r) / sum(a), 1)


def test_distributions_before_and_after_weighting_and_suppression(processed: Path):
    table = pd.read_csv(processed / "site" / "2025" / "data" / "wmo_respons.csv", dtype={"kenmerk": str},
                        keep_default_na=False, na_values=[""])
    dist = table[table["kenmerk"] == "leeftijdsklasse"]
    dord = dist[dist["gebied_code"] == "GM0505"].set_index("categorie")
    clients, _, responded = CELLS["GM0505"]
    for c in range(4):
        row = dord.loc[c + 1]
        assert row["pct_populatie"] == published(100 * clients[c] / sum(clients), 1)
        assert row["pct_respondenten"] == published(100 * responded[c] / sum(responded), 1)
        # post-stratified to the age classes: after weighting the distribution is the population's
        assert row["pct_gewogen"] == pytest.approx(row["pct_populatie"], abs=1e-6)
        assert row["onderdrukt"] == "nee"
    # Alblasserdam, 18-65: 5 respondents → suppressed, and a second class so it cannot be recomputed
    alb = dist[dist["gebied_code"] == "GM0482"].set_index("categorie")
    hidden = alb[alb["onderdrukt"] == "ja"]
    assert 1 in hidden.index and len(hidden) >= 2
    assert hidden[["pct_respondenten", "pct_gewogen"]].isna().all().all()
    assert sum(CELLS["GM0482"][2][int(c) - 1] for c in hidden.index) >= 10
    # no published share rests on 1 to 9 respondents (recomputed from the published totals), no cell counts
    n_h = table[table["kenmerk"].fillna("") == ""].set_index("gebied_code")["respondenten"]
    shown = table[(table["kenmerk"].fillna("") != "") & (table["onderdrukt"] == "nee")]
    counts = (shown["pct_respondenten"] * shown["gebied_code"].map(n_h) / 100).round()
    assert ((counts == 0) | (counts >= 10)).all()
    assert table.loc[table["kenmerk"].fillna("") != "", ["aangeschreven", "respondenten"]].isna().all().all()
    # distributions per gemeente only (a region or total could give a suppressed count by subtraction)
    assert set(table.loc[table["kenmerk"].fillna("") != "", "gebied_niveau"]) == {"gemeente"}


def test_fieldwork_and_response_on_the_verantwoording(processed: Path):
    meta = json.loads((processed / "site" / "2025" / "data" / "wmo.json").read_text(encoding="utf-8"))
    assert meta["veldwerk"] == {"periode": "september tot en met november 2025", "wijze": "combinatie"}
    page = (processed / "site" / "2025" / "verantwoording.md").read_text(encoding="utf-8")
    assert "### Respons en representativiteit" in page
    assert "Veldwerk: september tot en met november 2025." in page
    assert "hoe gelijkmatig verschillende groepen" in page and "1 = volkomen gelijkmatig" in page
    assert "respons per gebied" in page and "verdeling naar leeftijdsklasse" in page


def test_response_rate_of_the_previous_edition(processed: Path, tmp_path: Path):
    """ceo steekproef --respons-vorige-editie takes respondenten / aangeschreven of the 2025 table written
    by ceo process; a gemeente without it falls back to --respons."""
    population = tmp_path / "populatie_2026.csv"
    population.write_text("gemeentecode,aantal\nGM0505,3000\nGM0482,150\nGM0531,2000\n", encoding="utf-8")
    result = _invoke("steekproef", "--survey", "wmo", "--edition", 2026, "--population", population,
                     "--respons-vorige-editie", "--respons", "0.3", "--project", processed)
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(processed / "uitvoer" / "steekproef" / "2026" / "wmo_plan.csv").set_index("gemeentecode")
    assert list(plan.reset_index().columns[:8]) == ["gemeentecode", "gemeente", "N", "netto", "bruto", "integraal",
                                                    "verwachte_respons", "bron_respons"]
    rate = sum(CELLS["GM0505"][2]) / sum(CELLS["GM0505"][1])  # 140 / 480
    assert plan.loc["GM0505", "verwachte_respons"] == pytest.approx(rate, rel=1e-12)
    assert plan.loc["GM0505", "bron_respons"] == "editie 2025"
    assert plan.loc["GM0505", "bruto"] == math.ceil(_netto(3000) / rate)
    assert plan.loc["GM0531", ["verwachte_respons", "bron_respons"]].tolist() == [0.3, "opgegeven"]
    assert plan.loc["GM0531", "bruto"] == math.ceil(_netto(2000) / 0.3)
    assert plan.loc["GM0482", "integraal"] == "ja" and plan.loc["GM0482", "bruto"] == 150
    assert "geen gemeten respons in editie 2025 voor Hendrik-Ido-Ambacht" in result.output


def test_missing_approached_cell_is_refused(project: Path):
    data, population = _write_wmo(project / "invoer", approached_text={2: ""})
    before = tree_digest(project / "site")
    result = _process(project, data, population)
    assert result.exit_code == 2, result.output
    assert ("populatie.csv, rij 4, kolom 'aangeschreven': aangeschreven ontbreekt; geef bij elke cel het aantal "
            "aangeschreven cliënten") in result.output
    assert "er is niets geschreven" in result.output
    assert tree_digest(project / "site") == before and not (project / "uitvoer").exists()


def test_more_respondents_than_approached_is_refused(project: Path):
    # GM0482, age class 2 (row 7 of the file): 25 respondents, 20 approached
    data, population = _write_wmo(project / "invoer", approached_text={5: "20"})
    before = tree_digest(project / "site")
    result = _process(project, data, population)
    assert result.exit_code == 2, result.output
    assert ("populatie.csv, rij 7, kolom 'aangeschreven': waarde '20': meer respondenten (25) dan aangeschreven "
            "cliënten in deze cel van GM0482 (Alblasserdam)") in result.output
    assert tree_digest(project / "site") == before and not (project / "uitvoer").exists()
    # more approached than clients in the cell (90): refused when the file is read
    data, population = _write_wmo(project / "invoer", approached_text={6: "91"})
    result = _process(project, data, population)
    assert result.exit_code == 2, result.output
    assert ("populatie.csv, rij 8, kolom 'aangeschreven': waarde '91': meer aangeschreven dan cliënten in deze cel "
            "(aantal = 90)") in result.output
    assert tree_digest(project / "site") == before and not (project / "uitvoer").exists()


def test_veldwerk_in_ceo_yaml_is_checked(project: Path):
    from ceo.core.problems import InputError
    from ceo.validate.project import load_project

    text = (project / "ceo.yaml").read_text(encoding="utf-8")
    start = text.index("veldwerk:")
    (project / "ceo.yaml").write_text(text[:start] + "veldwerk:\n  2025: {periode: herfst, wijze: per post}\n"
                                      "  twintig: {periode: x, wijze: online}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_project(project)
    shown = [str(p) for p in exc.value.problems]
    assert any("waarde 'per post': veldwerk.2025.wijze moet schriftelijk, online, telefonisch of combinatie zijn"
               in s and "ceo.yaml, regel" in s for s in shown), shown
    assert any("'twintig' is geen editie" in s for s in shown), shown
    (project / "ceo.yaml").write_text(text[:start] + "veldwerk:\n  2025: {periode: herfst, wijze: online}\n",
                                      encoding="utf-8")
    assert load_project(project).fieldwork == {2025: {"periode": "herfst", "wijze": "online"}}


# --------------------------------------------------------------------------- drawing from a client file

def _clients(path: Path, sizes=None) -> pd.DataFrame:
    sizes = sizes or {"GM0505": {1: 1500, 2: 900, 3: 600}, "GM0482": {1: 80, 2: 50, 3: 20}}
    rows = []
    for g, strata in sizes.items():
        for v, n in strata.items():
            rows += [(g, v) for _ in range(n)]
    frame = pd.DataFrame(rows, columns=["gemeentecode", "voorziening"])
    frame.insert(0, "klantnummer", [f"K{100000 + i}" for i in range(len(frame))])
    frame.insert(1, "naam", [f"Persoon Geheim{i}" for i in range(len(frame))])
    frame["geslacht"] = np.where(np.arange(len(frame)) % 3 == 0, 1, 2)
    frame.to_csv(path, index=False)
    return frame


def _draw(project: Path, clients: Path, *extra) -> object:
    return _invoke("steekproef", "--survey", "wmo", "--edition", 2026, "--klantenbestand", clients,
                   "--strata", "voorziening", "--project", project, *extra)


def test_seeded_stratified_draw(project: Path, tmp_path: Path):
    frame = _clients(tmp_path / "klanten.csv")
    out = project / "uitvoer" / "steekproef" / "2026"
    result = _draw(project, tmp_path / "klanten.csv", "--seed", 42)
    assert result.exit_code == 0, result.output
    assert "startgetal (seed) 42" in result.output
    first = (out / "wmo_steekproef.csv").read_bytes()
    sample = pd.read_csv(out / "wmo_steekproef.csv")
    plan = pd.read_csv(out / "wmo_plan.csv").set_index("gemeentecode")
    # hand: N = 3000 → netto 341, bruto ⌈341 / 0.35⌉ = 975; N = 150 → census
    assert plan.loc["GM0505", ["netto", "bruto", "integraal"]].tolist() == [341, 975, "nee"]
    assert plan.loc["GM0482", ["bruto", "integraal"]].tolist() == [150, "ja"]
    assert list(sample.columns) == list(frame.columns) and sample["klantnummer"].is_unique
    assert set(sample["klantnummer"]) <= set(frame["klantnummer"])
    got = sample.groupby(["gemeentecode", "voorziening"]).size()
    sizes = frame.groupby(["gemeentecode", "voorziening"]).size()
    for (g, v), n_s in sizes.items():
        quota = plan.loc[g, "bruto"] * n_s / sizes[g].sum()
        assert abs(got.get((g, v), 0) - quota) < 1, (g, v)
    assert got["GM0505"].sum() == 975
    assert (got["GM0482"] == sizes["GM0482"]).all()  # integraal: every client
    settings = json.loads((out / "wmo_steekproef.json").read_text(encoding="utf-8"))
    assert settings["seed"] == 42 and settings["getrokken"] == 975 + 150
    # the population file for weighting: clients and approached per gemeente × weighting characteristic
    pop = pd.read_csv(out / "wmo_populatie.csv")
    assert list(pop.columns) == ["gemeentecode", "geslacht", "voorziening", "aantal", "aangeschreven"]
    assert pop.groupby("gemeentecode")["aantal"].sum().to_dict() == {"GM0482": 150, "GM0505": 3000}
    assert pop.groupby("gemeentecode")["aangeschreven"].sum().to_dict() == {"GM0482": 150, "GM0505": 975}

    # the same seed gives the same sample; a sample is never replaced silently
    again = _draw(project, tmp_path / "klanten.csv", "--seed", 42)
    assert again.exit_code == 2 and "geef --opnieuw" in again.output
    assert _draw(project, tmp_path / "klanten.csv", "--seed", 42, "--opnieuw").exit_code == 0
    assert (out / "wmo_steekproef.csv").read_bytes() == first
    assert _draw(project, tmp_path / "klanten.csv", "--seed", 43, "--opnieuw").exit_code == 0
    assert (out / "wmo_steekproef.csv").read_bytes() != first
    # without --seed: a random seed, printed and recorded, that reproduces the sample
    result = _draw(project, tmp_path / "klanten.csv", "--opnieuw")
    seed = json.loads((out / "wmo_steekproef.json").read_text(encoding="utf-8"))["seed"]
    assert f"--seed {seed}" in result.output
    drawn = (out / "wmo_steekproef.csv").read_bytes()
    assert _draw(project, tmp_path / "klanten.csv", "--seed", seed, "--opnieuw").exit_code == 0
    assert (out / "wmo_steekproef.csv").read_bytes() == drawn


def test_personal_data_never_reaches_site(project: Path, tmp_path: Path):
    frame = _clients(tmp_path / "klanten.csv")
    assert _draw(project, tmp_path / "klanten.csv", "--seed", 1).exit_code == 0
    assert _invoke("site", "--project", project).exit_code == 0
    drawn = pd.read_csv(project / "uitvoer" / "steekproef" / "2026" / "wmo_steekproef.csv")
    assert len(drawn) and drawn["naam"].str.startswith("Persoon Geheim").all()
    for path in (project / "site").rglob("*"):
        assert "steekproef" not in path.name and "klant" not in path.name
        if path.is_file():
            data = path.read_bytes()
            assert b"Geheim" not in data and frame["klantnummer"].iloc[0].encode() not in data, path


def test_sav_client_file(project: Path, tmp_path: Path):
    import pyreadstat

    frame = pd.DataFrame({"klantnummer": [f"{i:06d}" for i in range(400)],
                          "gemeentecode": np.where(np.arange(400) < 300, 505.0, 482.0),
                          "voorziening": (np.arange(400) % 4 + 1).astype(float)})
    path = tmp_path / "klanten.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"voorziening": {1.0: "huishoudelijke hulp"}})
    result = _draw(project, path, "--seed", 5, "--marge", 10)
    assert result.exit_code == 0, result.output
    sample = pd.read_csv(project / "uitvoer" / "steekproef" / "2026" / "wmo_steekproef.csv", dtype=str)
    plan = pd.read_csv(project / "uitvoer" / "steekproef" / "2026" / "wmo_plan.csv").set_index("gemeentecode")
    assert len(sample) == plan["bruto"].sum()
    assert set(sample["klantnummer"]) <= set(frame["klantnummer"])  # '000007' stays text
    assert plan.loc["GM0505", "netto"] == _netto(300, margin=10)


def test_bad_client_file_writes_nothing(project: Path, tmp_path: Path):
    path = tmp_path / "klanten.csv"
    path.write_text("klantnummer,gemeentecode,voorziening\nK1,GM0505,1\nK2,Atlantis,1\nK3,GM0505,\n"
                    "K4,GM0482,12\n", encoding="utf-8")
    result = _draw(project, path)
    assert result.exit_code == 2
    assert "klanten.csv, rij 3, kolom 'gemeentecode': waarde 'Atlantis'" in result.output
    assert "klanten.csv, rij 4, kolom 'voorziening': waarde ontbreekt in stratumkolom 'voorziening'" in result.output
    assert "klanten.csv, rij 5, kolom 'voorziening': waarde '12': ongeldige code voor wegingskenmerk" in result.output
    assert not (project / "uitvoer").exists()
    result = _invoke("steekproef", "--survey", "wmo", "--edition", 2026, "--klantenbestand", path,
                     "--strata", "wijk", "--project", project)
    assert result.exit_code == 2 and "kolom 'wijk' (opgegeven met --strata) ontbreekt" in result.output
    result = _invoke("steekproef", "--survey", "wmo", "--edition", 2026, "--project", project)
    assert result.exit_code == 2 and "geef een populatiebestand (--population) of een klantenbestand" in result.output
    result = _invoke("steekproef", "--survey", "wmo", "--edition", 2026, "--klantenbestand", path, "--marge", 0,
                     "--project", project)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_steekproef_as_a_subprocess(project: Path, tmp_path: Path):
    population = tmp_path / "populatie.csv"
    population.write_text("gemeentecode,aantal\nGM0505,7500\nGM0482,600\n", encoding="utf-8")
    ceo = Path(sys.executable).parent / "ceo"
    proc = subprocess.run([str(ceo), "steekproef", "--survey", "wmo", "--edition", "2026", "--population",
                           str(population), "--marge", "4", "--project", str(project)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Steekproefplan (gewenste marge 4,0 procentpunt)" in proc.stdout
    assert "Alblasserdam" in proc.stdout and "Traceback" not in proc.stderr
    plan = pd.read_csv(project / "uitvoer" / "steekproef" / "2026" / "wmo_plan.csv").set_index("gemeentecode")
    assert plan.loc["GM0505", "netto"] == _netto(7500, margin=4)
    assert plan.loc["GM0482", "integraal"] == "ja"  # 600 clients: approach everyone
    assert not (project / "uitvoer" / "steekproef" / "2026" / "wmo_steekproef.csv").exists()


def test_approached_per_gemeente(project: Path):
    """``aangeschreven`` per gemeente (a population file without cells): response, no R-indicator; more
    respondents than approached is refused with the row of that gemeente."""
    data, _ = _write_wmo(project / "invoer")
    population = project / "invoer" / "populatie_gemeenten.csv"
    population.write_text("gemeentecode,aantal,aangeschreven\nGM0505,1350,480\nGM0482,280,80\n", encoding="utf-8")
    result = _process(project, data, population)
    assert result.exit_code == 2, result.output
    assert ("populatie_gemeenten.csv, rij 3, kolom 'aangeschreven': waarde '80': meer respondenten (85) dan "
            "aangeschreven cliënten in deze gemeente van GM0482 (Alblasserdam)") in result.output
    population.write_text("gemeentecode,aantal,aangeschreven\nGM0505,1350,480\nGM0482,280,220\n", encoding="utf-8")
    result = _process(project, data, population)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(project / "site" / "2025" / "data" / "wmo_respons.csv").set_index("gebied_code")
    assert table.loc["GM0482", "respons_pct"] == published(100 * 85 / 220, 1)
    assert table["r_indicator"].isna().all() and table["kenmerk"].isna().all()
    page = (project / "site" / "2025" / "verantwoording.md").read_text(encoding="utf-8")
    assert "Respons en representativiteit" in page and "R-indicator" not in page.split("### Respons en")[1]
