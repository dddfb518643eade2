"""Seeded national-scale CEO Wmo edition: all 342 gemeenten, about 120,000 respondents.

Writes, in the canonical delivery format, ``wmo_<edition>.csv`` (respondent_id, gemeentecode,
v01..v10, rapportcijfer, leeftijd, geslacht, voorziening), ``populatie_wmo_<edition>.csv``
(gemeentecode × leeftijdsklasse × geslacht × voorziening, aantal) and ``benchmark_wmo.csv``, and a
project directory (``ceo.yaml`` with the 25 veiligheidsregio's, ``mkdocs.yml``, ``site/``) to run
``ceo process`` in. Used by ``bench/bench_process.py`` and ``bench/bench_site.py``, which also share
:func:`best` (the best time of repeated runs).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ceo.validate.registry import registry

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = [f"v{i:02d}" for i in range(1, 11)]
AGE_BOUNDS = [(18, 65), (65, 75), (75, 85), (85, 101)]


def best(fn, repeat: int):
    """The shortest of ``repeat`` timed calls of ``fn`` (``time.perf_counter``) and its last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def make_project(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ceo.yaml").write_text(
        "naam: Landelijke benchmark (verzonnen)\ningebouwde_regios: [veiligheidsregios]\n", encoding="utf-8")
    shutil.copy(ROOT / "mkdocs.yml", directory / "mkdocs.yml")
    site = directory / "site"
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(ROOT / "site", site, ignore=shutil.ignore_patterns("20*", "actueel", "assets"))
    return directory


def generate(directory: Path, edition: int = 2025, seed: int = 342, target_n: int = 120_000) -> dict[str, Path]:
    rng = np.random.default_rng(seed + edition)
    codes = np.array(sorted(registry().gemeenten))
    k = len(codes)
    pop = np.clip(np.round(rng.lognormal(np.log(1500), 0.9, k)), 150, 40_000).astype(int)
    raw = pop ** 0.7
    n_target = np.minimum(np.round(raw * target_n / raw.sum()), pop).astype(int)
    # population units per gemeente with background attributes (vectorised over all units)
    unit_g = np.repeat(np.arange(k), pop)
    n_units = len(unit_g)
    age_cls = rng.choice(4, n_units, p=[0.3, 0.25, 0.28, 0.17])
    sex = rng.choice([1, 2, 3], n_units, p=[0.4, 0.59, 0.01])
    voorz = rng.choice(np.arange(1, 9), n_units, p=[0.35, 0.2, 0.08, 0.1, 0.12, 0.08, 0.02, 0.05])
    cells = pd.DataFrame({"gemeentecode": codes[unit_g], "leeftijdsklasse": age_cls + 1, "geslacht": sex,
                          "voorziening": voorz})
    population = cells.value_counts(sort=False).rename("aantal").reset_index().sort_values(
        ["gemeentecode", "leeftijdsklasse", "geslacht", "voorziening"])
    # respondents: a random subset of the units per gemeente, older people respond more
    # (weighted sampling without replacement: the top keys u^(1/p) are drawn with probability ~ p)
    propensity = rng.random(n_units) ** (1 / (1 + 0.3 * age_cls))
    order = np.lexsort((-propensity, unit_g))
    rank = np.empty(n_units, dtype=int)
    starts = np.concatenate([[0], np.cumsum(pop)[:-1]])
    rank[order] = np.arange(n_units) - np.repeat(starts, pop)
    chosen = rank < n_target[unit_g]
    g = unit_g[chosen]
    n = len(g)
    lo = np.array([b[0] for b in AGE_BOUNDS])[age_cls[chosen]]
    hi = np.array([b[1] for b in AGE_BOUNDS])[age_cls[chosen]]
    data = {"respondent_id": np.arange(1, n + 1), "gemeentecode": codes[g]}
    base = rng.beta(9, 3, k)
    for j, v in enumerate(STATEMENTS):
        p = np.clip(base[g] + rng.normal(0, 0.05, k)[g] - 0.01 * j, 0.05, 0.99)
        pos = rng.random(n) < p
        ans = np.where(pos, rng.choice([1, 2], n, p=[0.35, 0.65]), rng.choice([3, 4, 5], n, p=[0.6, 0.3, 0.1]))
        if v == "v05":
            ans = np.where(pos, 1, 2)
        ans = ans.astype(float)
        ans[rng.random(n) < 0.05] = 8
        ans[rng.random(n) < 0.02] = np.nan
        data[v] = ans
    mark = np.clip(np.round(rng.normal(7.0 + 1.5 * (base[g] - 0.5), 1.3)), 1, 10)
    mark[rng.random(n) < 0.03] = 99
    mark[rng.random(n) < 0.02] = np.nan
    data["rapportcijfer"] = mark
    data["leeftijd"] = rng.integers(lo, hi)
    data["geslacht"] = sex[chosen]
    data["voorziening"] = voorz[chosen]
    frame = pd.DataFrame(data)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"data": directory / f"wmo_{edition}.csv", "population": directory / f"populatie_wmo_{edition}.csv",
             "benchmark": directory / "benchmark_wmo.csv"}
    frame.to_csv(paths["data"], index=False)
    population.to_csv(paths["population"], index=False)
    pd.DataFrame({"indicator": [*STATEMENTS, "rapportcijfer"],
                  "waarde": [80.0] * 10 + [7.5], "se": [0.3] * 10 + [0.02],
                  "naam": "Nederland"}).to_csv(paths["benchmark"], index=False)
    return paths
