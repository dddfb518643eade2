"""No-change simulation: how many gemeente pages show a "significant change" that is not there?

    .venv/bin/python bench/bench_significance.py                 # 40 gemeenten x 25 replicates
    .venv/bin/python bench/bench_significance.py --reps 5 --gemeenten 20

Two editions of the Wmo survey are drawn from the same super-population: every gemeente has its
own, fixed answer probabilities (gemeenten differ, so the comparisons with the rest of the
region find real differences), and each edition draws its respondents independently from that
model. Sample and population sizes are realistic (n 60-600, N 300-20,000, and some small
gemeenten are a census, n = N); weights are N/n with the finite population correction, the
gemeenten form regions of five and every gemeente is compared with the rest of its region and
with the previous edition (12 headline indicators). A page "shows a change" when any of its
headline figures has ``significant_vorige == "ja"``; with no change at all that should be rare.
The result is the share of gemeente pages (gemeente x replicate) with at least one such flag.

The respondents also get a leeftijdsklasse, geslacht and voorziening, drawn independently of their
answers (from a generator of their own, so the figures above do not depend on them): no group differs
from another. The second line is the share of pages (every area: gemeente, region, total) with any
``significant_groepen == "ja"`` among the group tests of the second edition (``p_groepen``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ceo.stats.results import build_areas, estimate_results  # noqa: E402
from ceo.validate.codebook import get_codebook  # noqa: E402
from ceo.validate.registry import Region, registry  # noqa: E402

STATEMENTS = [f"v{i:02d}" for i in range(1, 11)]


def population_model(n_gemeenten: int, seed: int) -> dict:
    """The super-population: gemeenten, their sizes and answer probabilities, and the regions."""
    rng = np.random.default_rng(seed)
    codes = sorted(registry().gemeenten)[:n_gemeenten]
    n = rng.integers(60, 600, len(codes))
    big_n = np.maximum(n, rng.integers(300, 20_000, len(codes)))
    census = rng.random(len(codes)) < 0.15  # small gemeenten that ask every client
    big_n = np.where(census, n, big_n)
    p_pos = rng.uniform(0.65, 0.85, (len(codes), len(STATEMENTS)))
    p_dk = rng.uniform(0.02, 0.12, len(codes))
    mark_mean = rng.uniform(7.2, 7.8, len(codes))
    regions = [Region(f"r{i}", f"Regio {i}", "regio", tuple(codes[i * 5:(i + 1) * 5]))
               for i in range(len(codes) // 5)]
    return {"codes": codes, "n": n, "N": big_n, "p_pos": p_pos, "p_dk": p_dk, "mark": mark_mean,
            "regions": regions}


def draw_edition(model: dict, rng: np.random.Generator) -> pd.DataFrame:
    """One edition's respondents, drawn independently from the model."""
    gm = np.repeat(np.arange(len(model["codes"])), model["n"])
    size = len(gm)
    data = {"respondent_id": np.arange(size).astype(str),
            "gemeentecode": np.asarray(model["codes"], dtype=object)[gm]}
    for j, v in enumerate(STATEMENTS):
        pos = rng.random(size) < model["p_pos"][gm, j]
        answer = np.where(pos, rng.choice([1, 2], size), rng.choice([3, 4, 5], size))
        data[v] = np.where(rng.random(size) < model["p_dk"][gm], 8, answer)
    mark = np.rint(rng.normal(model["mark"][gm], 1.3))
    data["rapportcijfer"] = np.clip(mark, 1, 10).astype(int)
    return pd.DataFrame(data)


def add_subgroups(data: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Subgroup values independent of everything else: no true difference between groups."""
    size = len(data)
    return data.assign(leeftijdsklasse=rng.choice([1, 2, 3, 4], size, p=[0.25, 0.3, 0.3, 0.15]),
                       geslacht=rng.choice([1, 2], size, p=[0.4, 0.6]),
                       voorziening=rng.choice([1, 2, 5, 6], size, p=[0.4, 0.3, 0.2, 0.1]))


def run(reps: int = 25, n_gemeenten: int = 40, seed: int = 20261129) -> dict:
    """Share of gemeente pages with any significant change among the headline figures, and of pages
    with any significant difference between groups."""
    wmo = get_codebook("wmo")
    model = population_model(n_gemeenten, seed)
    rng = np.random.default_rng(seed + 1)
    rng_groups = np.random.default_rng(seed + 2)
    pop = dict(zip(model["codes"], model["N"].astype(float), strict=True))
    areas, _ = build_areas(model["codes"], model["regions"])
    compare_with = {g: r.id for r in model["regions"] for g in r.members}
    weights = pd.Series(pop) / pd.Series(dict(zip(model["codes"], model["n"], strict=True)))
    pages = changed = flags = comparisons = 0
    group_pages = group_flagged = group_tests = group_rejected = 0
    for _ in range(reps):
        tables = []
        for edition in (2024, 2025):
            data = add_subgroups(draw_edition(model, rng), rng_groups)
            res = estimate_results(data, wmo, edition=edition, weights=data["gemeentecode"].map(weights),
                                   weighted=True, population_totals=pop, areas=areas,
                                   comparison_regions=compare_with,
                                   previous=tables[-1] if tables else None)
            tables.append(res.table)
        t = tables[-1]
        head = t[(t["gebied_niveau"] == "gemeente") & (t["subgroep"] == "") & (t["categorie"] == "")]
        made = head["significant_vorige"].isin(["ja", "nee"])
        page_any = (head["significant_vorige"] == "ja").groupby(head["gebied_code"]).any()
        pages += len(page_any)
        changed += int(page_any.sum())
        flags += int((head["significant_vorige"] == "ja").sum())
        comparisons += int(made.sum())
        tests = t[t["p_groepen"].notna()].drop_duplicates(["gebied_code", "indicator", "subgroep"])
        page_groups = (tests["significant_groepen"] == "ja").groupby(tests["gebied_code"]).any()
        group_pages += int(t["gebied_code"].nunique())
        group_flagged += int(page_groups.sum())
        group_tests += len(tests)
        group_rejected += int((tests["p_groepen"] < 0.05).sum())
    return {"pages": pages, "pages_with_change": changed, "share": changed / pages,
            "flags": flags, "comparisons": comparisons,
            "group_pages": group_pages, "group_pages_flagged": group_flagged,
            "group_share": group_flagged / max(group_pages, 1), "group_tests": group_tests,
            "group_rejected": group_rejected}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=25)
    parser.add_argument("--gemeenten", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    start = time.perf_counter()
    out = run(args.reps, args.gemeenten, args.seed)
    print(f"{out['pages_with_change']} van {out['pages']} gemeentepagina's "
          f"({100 * out['share']:.1f} %) tonen een 'significante' verandering die er niet is; "
          f"{out['flags']} van {out['comparisons']} vergelijkingen met de vorige editie "
          f"({time.perf_counter() - start:.1f} s)")
    print(f"{out['group_pages_flagged']} van {out['group_pages']} pagina's "
          f"({100 * out['group_share']:.1f} %) tonen een 'significant' verschil tussen groepen dat er niet is; "
          f"{out['group_rejected']} van {out['group_tests']} groepstoetsen hebben p < 0,05 "
          f"({100 * out['group_rejected'] / max(out['group_tests'], 1):.1f} %, ongecorrigeerd)")


if __name__ == "__main__":
    main()
