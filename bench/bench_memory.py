"""Peak memory of ``ceo process`` on a professionals delivery of N respondents.

    .venv/bin/python bench/bench_memory.py [--sizes 1000 100000 1000000] [--keep DIR]

For every size it writes a seeded professionals CSV (all 342 gemeenten, the canonical columns
respondent_id, gemeentecode, tevredenheid, rapportcijfer, p01..p04, beroepsgroep, organisatie),
runs ``ceo process`` on it in a fresh project in a child process and reports the child's peak
resident memory (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``; each size in its own
grandchild so that the maxima do not mix) and the wall time. The smallest size is the fixed base:
the figure per respondent is (peak(N) - peak(smallest)) / (N - smallest). It is a benchmark, not a
test (the 1,000,000-respondent run takes a few minutes on a busy 2-core machine).

The smallest size should be large enough for every step to run (the group tests between
beroepsgroepen import pingouin only when the groups are large enough), so the default base is
10,000 respondents. The last line gives the slope between the two largest sizes as well.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ORGANISATIONS = np.array(["Wijkteam Noord", "Jeugdteam", "Basisschool De Regenboog", "GGZ-team Zuid",
                          "Huisartsenpraktijk De Molen", "Schuldhulp Samen Verder", "Consultatiebureau"])


def generate(path: Path, n: int, seed: int = 2025) -> Path:
    """A professionals delivery of ``n`` respondents, spread over every gemeente."""
    from ceo.validate.registry import registry

    rng = np.random.default_rng(seed)
    codes = np.array(sorted(registry().gemeenten))
    likert = [1, 2, 3, 4, 5, 8]
    p = [0.15, 0.4, 0.2, 0.12, 0.08, 0.05]
    frame = pd.DataFrame({
        "respondent_id": np.arange(1, n + 1) + 10_000_000,
        "gemeentecode": codes[rng.integers(0, len(codes), n)],
        "tevredenheid": rng.choice(likert, n, p=p),
        "rapportcijfer": rng.choice([4, 5, 6, 7, 8, 9, 10, 99], n, p=[.03, .05, .15, .3, .3, .1, .05, .02]),
        **{f"p0{k}": rng.choice(likert, n, p=p) for k in range(1, 5)},
        "beroepsgroep": rng.integers(1, 7, n),
        "organisatie": np.where(rng.random(n) < 0.05, "", ORGANISATIONS[rng.integers(0, len(ORGANISATIONS), n)]),
    })
    frame.to_csv(path, index=False)
    return path


def measure(n: int, work: Path) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of ``ceo process`` on ``n`` respondents."""
    project = work / f"project_{n}"
    project.mkdir(parents=True)
    shutil.copy(ROOT / "ceo.yaml", project / "ceo.yaml")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "site").mkdir()
    data = generate(work / f"professionals_{n}.csv", n)
    # a grandchild per size: RUSAGE_CHILDREN of this small wrapper is the peak of that one run
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - t)\n"
    )
    cmd = [sys.executable, "-c", code, sys.executable, "-m", "ceo", "process", "--project", str(project),
           "--date", "2026-01-15", "--survey", "professionals", "--edition", "2025", str(data)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    rc, kb, seconds = out.stdout.split()
    if rc != "0":
        raise SystemExit(f"ceo process failed for {n} respondents (exit {rc})")
    return int(kb) / 1024, float(seconds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ceo-mem-"))
    try:
        sizes = sorted(args.sizes)
        results = {n: measure(n, work) for n in sizes}
        base_n = sizes[0]
        base_mb = results[base_n][0]
        print(f"{'respondenten':>12} {'piek (MB)':>10} {'tijd (s)':>9} {'kB per respondent boven basis':>30}")
        for n in sizes:
            mb, s = results[n]
            per = "" if n == base_n else f"{(mb - base_mb) * 1024 / (n - base_n):.2f}"
            print(f"{n:>12} {mb:>10.0f} {s:>9.1f} {per:>30}")
        if len(sizes) >= 3:
            (n1, (mb1, _)), (n2, (mb2, _)) = list(results.items())[-2:]
            print(f"helling tussen {n1} en {n2}: {(mb2 - mb1) * 1024 / (n2 - n1):.2f} kB per respondent")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
