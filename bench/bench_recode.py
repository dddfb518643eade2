"""Global recoding (codebook ``samenvoegen``) on the national CEO Wmo layout of :mod:`national`: what the
suppression hides with and without merging, and the time of the merge decision.

    python bench/bench_recode.py [--n 120000]

Prints, per run, the hidden figures, those with n >= 30, the complements and the respondents behind the
hidden figures (sum of their n), and the seconds of ``plan_recoding`` and of the whole estimation.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from national import AGE_BOUNDS, generate  # noqa: E402

from ceo.stats.recode import plan_recoding  # noqa: E402
from ceo.stats.results import REASON_COMPLEMENT, build_areas, estimate_results  # noqa: E402
from ceo.stats.targets import analysis_columns, headline_targets  # noqa: E402
from ceo.validate.codebook import get_codebook  # noqa: E402
from ceo.validate.project import Thresholds  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=120_000)
    args = ap.parse_args()
    cb = get_codebook("wmo")
    plain = dataclasses.replace(cb, subgroups=[dataclasses.replace(s, merges=()) for s in cb.subgroups])
    with tempfile.TemporaryDirectory() as tmp:
        files = generate(Path(tmp), target_n=args.n)
        data = pd.read_csv(files["data"], dtype={"respondent_id": str})
    bins = [lo for lo, _ in AGE_BOUNDS] + [AGE_BOUNDS[-1][1]]
    data["leeftijdsklasse"] = pd.cut(data["leeftijd"], bins, right=False, labels=False) + 1
    th = Thresholds()
    areas, _ = build_areas(data["gemeentecode"], [])
    head = headline_targets(cb)
    work = pd.concat([pd.DataFrame({"_stratum": data["gemeentecode"].to_numpy()}, index=data.index),
                      data[[s.variable for s in cb.subgroups]], analysis_columns(data, cb, head)], axis=1)
    t = time.perf_counter()
    rec = plan_recoding(work, cb, cb.subgroups, [x.column for x in head], th.disclosure_n, th.min_n, th.merge_share)
    print(f"{len(data)} respondents, {data['gemeentecode'].nunique()} gemeenten; "
          f"plan_recoding {time.perf_counter() - t:.2f} s")
    for line in rec.notices():
        print("  " + line)
    for name, book in (("without merging", plain), ("with merging", cb)):
        t = time.perf_counter()
        table = estimate_results(data, book, edition=2025, areas=areas, thresholds=th).table
        secs = time.perf_counter() - t
        sup = (table["onderdrukt"] == "ja").to_numpy()
        n = table["n"].to_numpy()
        print(f"{name}: {sup.sum()} of {len(table)} figures hidden, {(sup & (n >= 30)).sum()} with n >= 30, "
              f"{(table['reden'] == REASON_COMPLEMENT).sum()} complements, respondents behind hidden figures "
              f"{int(n[sup].sum())}; estimation {secs:.1f} s")


if __name__ == "__main__":
    main()
