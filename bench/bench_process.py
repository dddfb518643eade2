"""`ceo process` on a national CEO Wmo edition: 342 gemeenten, about 120,000 respondents.

    .venv/bin/python bench/bench_process.py [--repeat 3] [--keep DIR]

Generates the seeded national data (``bench/national.py``), then times each step of the main job
as a library call (reading the CSV, validating and harmonising, raking within every gemeente to
leeftijdsklasse × geslacht × voorziening, all estimates for every gemeente, the 25
veiligheidsregio's and the total with subgroups, distributions, intervals, suppression and all
comparisons) and the whole ``process()`` including writing the outputs. Times are the best of
``--repeat`` runs (``time.perf_counter``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import national  # noqa: E402
from national import best  # noqa: E402

from ceo.io.readers import read_table  # noqa: E402
from ceo.pipeline import ProcessOptions, estimate, process  # noqa: E402
from ceo.stats.weighting import compute_weights, read_population  # noqa: E402
from ceo.validate.codebook import get_codebook  # noqa: E402
from ceo.validate.harmonise import harmonise  # noqa: E402
from ceo.validate.project import load_project  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="keep the project here (default: a temporary directory)")
    args = ap.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="ceo-bench-"))
    try:
        run(args, tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path) -> None:
    root = national.make_project(tmp / "project")
    paths = national.generate(tmp / "invoer")
    project = load_project(root)
    cb = get_codebook("wmo")
    t_read, raw = best(lambda: read_table(paths["data"]), args.repeat)
    t_harm, harm = best(lambda: harmonise([raw], cb), args.repeat)
    pop = read_population(paths["population"], cb)
    t_w, w = best(lambda: compute_weights(harm.data, population=pop, method="raking"), args.repeat)
    t_est, (table, _, _, _, _) = best(lambda: estimate(project, cb, 2025, harm.data, w), args.repeat)
    opts = ProcessOptions("wmo", 2025, [paths["data"]], population=paths["population"],
                          benchmark=paths["benchmark"])
    # a fresh project each time: processing a published edition again needs a revision
    fresh = iter([load_project(national.make_project(tmp / f"project-{i}")) for i in range(args.repeat)])
    t_all, result = best(lambda: process(next(fresh), opts), args.repeat)
    print(f"respondenten: {len(harm.data)}, gemeenten: {harm.data['gemeentecode'].nunique()}, "
          f"rijen in de resultatentabel: {len(table)}")
    print(f"inlezen CSV          {t_read:7.3f} s")
    print(f"valideren/harmoniseren {t_harm:5.3f} s")
    print(f"weging (raking)      {t_w:7.3f} s")
    print(f"schattingen+vergelijkingen {t_est:.3f} s")
    print(f"ceo process totaal   {t_all:7.3f} s  ({len(result.written)} bestanden geschreven per project)")


if __name__ == "__main__":
    main()
