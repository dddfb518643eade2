"""Disclosure control at national scale with realistic small gemeenten and rare categories.

    .venv/bin/python bench/bench_disclosure.py [--scale 1] [--check]

Seeded CEO Wmo data: 342 gemeenten of 15–2,000 respondents (about 162,000 in all, ``--scale 4``: four
times as many per gemeente), the 25 veiligheidsregio's and the total, geslacht "anders" in about 1 %,
voorzieningen of 1–3 % (so in most gemeenten a few respondents), about 1 % without geslacht and 0.5 %
without age. The estimates are made once (unweighted); then timed: the suppression
(:func:`ceo.stats.disclosure.protect`: primary, complements, the attackers' rounds) and the audit of the
final table (:func:`ceo.stats.disclosure.audit`: exact recovery and protection intervals). Reports the
complement share of the figures with n >= 30, the gemeente headline figures with n >= 30 hidden as
complements, and peak memory (tracemalloc of the Python heap and the ru_maxrss of the process).
``--check`` fails when suppression + audit take more than 10 s (scale 1).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ceo.stats.results as results  # noqa: E402
from ceo.stats.disclosure import REASON_COMPLEMENT, audit, positives_of, protect  # noqa: E402
from ceo.stats.results import build_areas, estimate_results  # noqa: E402
from ceo.validate.codebook import get_codebook  # noqa: E402
from ceo.validate.project import Thresholds  # noqa: E402
from ceo.validate.registry import registry  # noqa: E402


def generate(scale: int = 1, seed: int = 20, gemeenten: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = np.array(sorted(registry().gemeenten))[:gemeenten]
    k = len(codes)
    sizes = np.clip(np.round(np.exp(rng.uniform(np.log(15), np.log(2000), k)) * 1.0), 15, 2000).astype(int)
    sizes = np.round(sizes * 162_000 * k / 342 / sizes.sum()).clip(15, 2000).astype(int) * scale
    g = np.repeat(codes, sizes)
    n = len(g)
    d = {"respondent_id": np.arange(1, n + 1).astype(str), "gemeentecode": g}
    base = np.repeat(rng.beta(9, 3, k), sizes)
    for i in range(1, 11):
        pos = rng.random(n) < base
        d[f"v{i:02d}"] = np.where(pos, rng.choice([1, 2], n), rng.choice([3, 4, 5], n)).astype(float)
    d["v05"] = np.where(d["v05"] <= 2, 1.0, 2.0)
    d["rapportcijfer"] = rng.choice(np.arange(4, 11), n).astype(float)
    age_cls = rng.choice(4, n, p=[0.3, 0.25, 0.28, 0.17])
    lo = np.array([18, 65, 75, 85])[age_cls]
    hi = np.array([65, 75, 85, 101])[age_cls]
    d["leeftijd"] = np.where(rng.random(n) < 0.005, np.nan, rng.integers(lo, hi))
    d["geslacht"] = np.where(rng.random(n) < 0.01, np.nan, rng.choice([1, 2, 3], n, p=[0.42, 0.57, 0.01]))
    d["voorziening"] = rng.choice(np.arange(1, 9), n, p=[0.37, 0.22, 0.1, 0.12, 0.12, 0.03, 0.01, 0.03])
    return pd.DataFrame(d)


def run(scale: int, gemeenten: int | None = None) -> dict:
    cb = get_codebook("wmo")
    data = generate(scale, gemeenten=gemeenten)
    reg = registry()
    regions = reg.safety_regions()
    areas, _ = build_areas(data["gemeentecode"], regions)
    captured = {}

    def capture(table, areas_, th, extra_known=None):
        captured["table"] = table.copy()
        return protect(table, areas_, th, extra_known)

    results.protect = capture
    try:
        estimate_results(data, cb, edition=2025, areas=areas, thresholds=Thresholds())
    finally:
        results.protect = protect
    table = captured["table"]
    th = Thresholds()
    t0 = time.perf_counter()
    prov = protect(table, areas, th)
    t1 = time.perf_counter()
    audit(table, areas, th, positives=positives_of(table))
    t2 = time.perf_counter()
    head = table[table["categorie"].fillna("") == ""]
    big = table["n"] >= 30
    comp = table["reden"] == REASON_COMPLEMENT
    gm_head = (head["gebied_niveau"] == "gemeente") & (head["subgroep"] == "") & (head["n"] >= 30) & (
        head["reden"] == REASON_COMPLEMENT)
    return {"respondenten": len(data), "gebieden": len(areas), "cijfers": len(table),
            "onderdrukt": int((table["onderdrukt"] == "ja").sum()),
            "primair": int(((table["onderdrukt"] == "ja") & ~comp).sum()),
            "aanvullend": int(comp.sum()), "aandeel_n30": 100.0 * (comp & big).sum() / big.sum(),
            "gemeente_hoofdcijfers_n30": int(gm_head.sum()), "herkomst_regels": len(prov),
            "onderdrukken_s": t1 - t0, "controle_s": t2 - t1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--gemeenten", type=int, help="only the first K gemeenten (a quick look)")
    args = ap.parse_args()
    out = run(args.scale, args.gemeenten)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = out["onderdrukken_s"] + out["controle_s"]
    print(f"schaal {args.scale}: {out['respondenten']} respondenten, {out['gebieden']} gebieden, "
          f"{out['cijfers']} cijfers, {out['onderdrukt']} onderdrukt ({out['primair']} primair, "
          f"{out['aanvullend']} aanvullend)")
    print(f"aanvullend onderdrukt: {out['aandeel_n30']:.1f} % van de cijfers met n >= 30; gemeentelijke "
          f"hoofdcijfers met n >= 30 aanvullend onderdrukt: {out['gemeente_hoofdcijfers_n30']}")
    print(f"onderdrukken {out['onderdrukken_s']:.1f} s + controle {out['controle_s']:.1f} s = {total:.1f} s; "
          f"piekgeheugen (proces) {rss:.0f} MB")
    if args.check and args.scale == 1 and total > 10:
        sys.exit(f"te traag: {total:.1f} s > 10 s")


if __name__ == "__main__":
    main()
