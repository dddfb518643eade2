"""Benchmark of ceo.stats.weighting at national scale: raking within 342 gemeenten, ~120,000 respondents.

    python bench/bench_weighting.py
    python bench/bench_weighting.py --method poststratificatie --repeat 5

A seeded generator takes the 342 gemeenten of the registry with realistic population sizes
(lognormal, 40 to 60,000 clients) and sample sizes (proportional to N^0.6, about 120,000 in all;
the smallest gemeenten have a handful of respondents), a population per cell of leeftijdsklasse x
geslacht x voorziening (4 x 3 x 8 cells, skewed margins with an age x voorziening interaction)
and a sample drawn with response propensities that favour older clients, women and huishoudelijke
hulp; 1 % of the respondents miss a weighting characteristic. Small categories are merged and
large weights trimmed, as in a real run. The time is the best of ``--repeat`` runs of
``compute_weights`` (``time.perf_counter``), excluding the generation.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ceo.stats.weighting import Population, compute_weights  # noqa: E402
from ceo.validate.codebook import get_codebook  # noqa: E402
from ceo.validate.registry import registry  # noqa: E402

DIMENSIONS = ("leeftijdsklasse", "geslacht", "voorziening")
AGE = np.array([0.30, 0.25, 0.28, 0.17])
SEX = np.array([0.38, 0.60, 0.02])
VOORZIENING = np.array([0.34, 0.22, 0.08, 0.12, 0.12, 0.06, 0.03, 0.03])
PROPENSITY = (np.array([0.6, 1.0, 1.3, 1.1])[:, None, None] * np.array([0.8, 1.15, 1.0])[None, :, None]
              * np.array([1.4, 1, 1, 1, 1, 1, 1, 1])[None, None, :])
TARGET_N = 120_000


def generate(seed: int = 342) -> tuple[pd.DataFrame, Population]:
    """Seeded national sample and population (cells of the three weighting characteristics)."""
    rng = np.random.default_rng(seed)
    codes = np.array(sorted(registry().gemeenten))
    n_strata = len(codes)
    pop_size = np.clip(np.round(rng.lognormal(np.log(1200), 1.1, n_strata)), 40, 60_000).astype(int)
    raw = pop_size**0.6
    n_h = np.clip(np.round(raw * TARGET_N / raw.sum()), 2, pop_size).astype(int)
    shape = (len(AGE), len(SEX), len(VOORZIENING))
    p = AGE[:, None, None] * SEX[None, :, None] * VOORZIENING[None, None, :]
    p[-1, :, 0] *= 1.8
    cells_p = rng.dirichlet(p.ravel() * 400, n_strata)  # a different mix per gemeente
    pop_cells = np.vstack([rng.multinomial(pop_size[h], cells_p[h]) for h in range(n_strata)])
    q = pop_cells * PROPENSITY.ravel()[None, :]
    q = q / q.sum(axis=1, keepdims=True)
    sample_cells = np.vstack([rng.multinomial(n_h[h], q[h]) for h in range(n_strata)])
    sample_cells = np.minimum(sample_cells, pop_cells)  # never more respondents than clients
    grid = np.array(np.meshgrid(*(np.arange(1, s + 1) for s in shape), indexing="ij")).reshape(3, -1).T
    flat = sample_cells.ravel()
    cell_of = np.repeat(np.tile(np.arange(grid.shape[0]), n_strata), flat)
    data = pd.DataFrame(grid[cell_of].astype(float), columns=list(DIMENSIONS))
    data.insert(0, "gemeentecode", np.repeat(np.repeat(codes, grid.shape[0]), flat))
    data.insert(0, "respondent_id", [f"R{i:06d}" for i in range(len(data))])
    for d in DIMENSIONS:
        data.loc[rng.random(len(data)) < 0.0035, d] = np.nan
    cells = pd.DataFrame(np.tile(grid, (n_strata, 1)), columns=list(DIMENSIONS))
    cells.insert(0, "gemeentecode", np.repeat(codes, grid.shape[0]))
    cells["aantal"] = pop_cells.ravel()
    cells = cells[cells["aantal"] > 0]
    cb = get_codebook("wmo")
    population = Population.from_cells(cells, DIMENSIONS, {d: cb.labels(d) for d in DIMENSIONS})
    return data, population


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=342)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--method", choices=["raking", "poststratificatie"], default="raking")
    args = parser.parse_args(argv)
    data, population = generate(args.seed)
    print(f"{len(data)} respondenten, {data['gemeentecode'].nunique()} gemeenten, "
          f"{len(population.cells)} populatiecellen")
    times = []
    for _ in range(max(args.repeat, 1)):
        start = time.perf_counter()
        result = compute_weights(data, population=population, method=args.method)
        times.append(time.perf_counter() - start)
    t = result.targets
    worst = float(((t["achieved"] - t["target"]).abs() / t["target"]).max())
    pg = result.per_gemeente
    print(f"{args.method}: {min(times):.3f} s (beste van {len(times)}); {len(result.notices)} meldingen, "
          f"{int(pg['trimmed'].sum())} gewichten afgekapt in {int((pg['trimmed'] > 0).sum())} gemeenten, "
          f"geconvergeerd: {result.converged}, grootste relatieve afwijking van een doeltotaal: {worst:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
