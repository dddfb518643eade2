"""`ceo process` end to end on national data, against R `survey`'s estimation in the same run.

    .venv/bin/python bench/bench_national.py                  # 1x and 4x the national size, R at 1x
    .venv/bin/python bench/bench_national.py --scales 1 --r-variables all
    .venv/bin/python bench/bench_national.py --no-r --keep /tmp/ceo-national

For every scale it generates the seeded national Wmo edition (``bench/national.py``: all 342
gemeenten, ``--respondents`` x scale respondents, the population file with the raking cells and a
benchmark), then runs the whole ``ceo process`` (reading, harmonising, raking, every estimate with
its interval, suppression and disclosure audit, all comparisons, the site pages, the xlsx workbook,
the .sav/.csv microdata and the results CSVs) as a child process of a small wrapper, so that the
wall time includes starting Python and importing, and the peak memory is that run's own
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` of the wrapper).

R: the same delivery is read, harmonised and raked by ceo in this process (not timed); the
headline indicators' analysis columns (0/1 per statement, the mark 1-10; NaN outside the domain),
the raking weights, the population per gemeente (fpc) and the veiligheidsregio go to a CSV, and
R `survey` computes the estimates and SEs for every gemeente, veiligheidsregio and the total, for
everyone and per subgroup (``svyby(~y, ~area + group, subset(des, ...), svymean)``; the script of
``bench/bench_estimation.py``), timed inside R with ``system.time`` (reading the CSV excluded,
building the design included). That is only a part of what ``ceo process`` does (no distributions,
intervals, suppression, comparisons or output), so the ratio is conservative. Every variable is a
separate set of ``svyby`` calls, so by default R runs on 2 of the headline variables and its time
is scaled linearly to all of them (``--r-variables all`` runs them all; the output says which).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import national  # noqa: E402
from bench_estimation import R_SCRIPT  # noqa: E402

NATIONAL_N = 162_000  # the size of the national data of issue 13 (162,173 respondents)

WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(rc, ru.ru_maxrss, time.perf_counter() - t, ru.ru_utime + ru.ru_stime)\n"
)


def run_process(paths: dict[str, Path], project: Path) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds) of one ``ceo process`` in a child process."""
    cmd = [sys.executable, "-c", WRAPPER, sys.executable, "-m", "ceo", "process", "--project", str(project),
           "--survey", "wmo", "--edition", "2025", "--date", "2026-01-15",
           "--population", str(paths["population"]), "--benchmark", str(paths["benchmark"]), str(paths["data"])]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    rc, kb, seconds, cpu = out.stdout.split()
    if rc != "0":
        raise SystemExit(f"ceo process is mislukt (afsluitcode {rc})")
    return float(seconds), int(kb) / 1024, float(cpu)


def r_input(paths: dict[str, Path], project: Path) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The analysis frame R gets: gemeentecode, regio, N, w, the headline analysis columns and the
    subgroup columns; returns (frame, variables in the order of the codebook, their kinds, subgroup columns)."""
    from ceo.io.readers import read_table
    from ceo.stats.targets import analysis_columns, headline_targets
    from ceo.stats.weighting import compute_weights, read_population
    from ceo.validate.codebook import get_codebook
    from ceo.validate.harmonise import harmonise
    from ceo.validate.project import load_project

    cb = get_codebook("wmo")
    data = harmonise([read_table(paths["data"])], cb).data
    weighting = compute_weights(data, population=read_population(paths["population"], cb), method="raking")
    targets = headline_targets(cb)
    frame = pd.DataFrame({"gemeentecode": data["gemeentecode"].to_numpy(),
                          "w": np.asarray(weighting.weights, dtype="float64")})
    frame["N"] = frame["gemeentecode"].map(dict(weighting.population_totals)).astype("float64")
    regions = {c: r.id for r in load_project(project).regions for c in r.members}
    frame["regio"] = frame["gemeentecode"].map(regions)
    ys = analysis_columns(data, cb, targets)
    for t in targets:
        frame[t.indicator] = ys[t.column].to_numpy(dtype="float64")
    bys = []
    for sg in cb.subgroups:
        if sg.variable in data:
            frame[sg.variable] = data[sg.variable].to_numpy()
            bys.append(sg.variable)
    return frame, [t.indicator for t in targets], [t.kind for t in targets], bys


def run_r(frame: pd.DataFrame, variables: list[str], bys: list[str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        frame.to_csv(tmp / "data.csv", index=False, float_format="%.17g")
        (tmp / "bench.R").write_text(R_SCRIPT)
        proc = subprocess.run(["Rscript", str(tmp / "bench.R"), str(tmp / "data.csv"), str(tmp / "out.csv"),
                               ",".join(variables), ",".join(["alle", *bys])],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"R is mislukt:\n{proc.stderr}")
        return float(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--respondents", type=int, default=NATIONAL_N, help="respondenten bij schaal 1")
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 4.0])
    ap.add_argument("--repeat", type=int, default=1, help="ceo process zo vaak per schaal (beste tijd)")
    ap.add_argument("--r-variables", default="2",
                    help="aantal kopindicatoren voor R (bij 2: het eerste percentage en het eerste gemiddelde), "
                         "of 'all'")
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--keep", type=Path, help="bewaar de bestanden hier (standaard: tijdelijke map)")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="ceo-national-"))
    rows = []
    r_seconds = None
    try:
        for scale in args.scales:
            target = int(round(args.respondents * scale))
            paths = national.generate(work / f"invoer-{scale:g}x", target_n=target)
            n = sum(1 for _ in open(paths["data"], encoding="utf-8")) - 1
            runs = []
            for i in range(max(args.repeat, 1)):
                project = national.make_project(work / f"project-{scale:g}x-{i}")
                runs.append(run_process(paths, project))
                shutil.rmtree(project, ignore_errors=True)
            seconds, _, cpu = min(runs)
            peak = max(r[1] for r in runs)
            rows.append((scale, n, seconds, peak, cpu))
            print(f"schaal {scale:g}x: {n} respondenten, ceo process {seconds:.1f} s (processortijd {cpu:.1f} s), "
                  f"piekgeheugen {peak:.0f} MB", flush=True)
            if scale == args.scales[0] and not args.no_r and shutil.which("Rscript"):
                frame, variables, kinds, bys = r_input(paths, national.make_project(work / "project-r"))
                if args.r_variables == "all":
                    r_vars = variables
                else:  # the first proportion and the first mean, then the next ones in order
                    first = [kinds.index(k) for k in ("proportion", "mean") if k in kinds]
                    order = first + [i for i in range(len(variables)) if i not in first]
                    r_vars = [variables[i] for i in sorted(order[:int(args.r_variables)])]
                t = time.perf_counter()
                r_time = run_r(frame, r_vars, bys)
                r_seconds = r_time * len(variables) / len(r_vars)
                print(f"R survey (svyby, alleen schattingen en standaardfouten van de kopindicatoren per "
                      f"gemeente, veiligheidsregio en totaal, voor iedereen en per {', '.join(bys)}): "
                      f"{r_time:.1f} s voor {len(r_vars)} van de {len(variables)} indicatoren "
                      f"({', '.join(r_vars)})"
                      + (f"; lineair geschaald naar alle {len(variables)}: {r_seconds:.1f} s"
                         if len(r_vars) != len(variables) else "")
                      + f" (Rscript in totaal {time.perf_counter() - t:.1f} s)", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'schaal':>6} {'respondenten':>12} {'ceo process (s)':>16} {'processor (s)':>14} {'piek (MB)':>10} "
          f"{'s per 100k':>11}")
    for scale, n, seconds, peak, cpu in rows:
        print(f"{scale:>5g}x {n:>12} {seconds:>16.1f} {cpu:>14.1f} {peak:>10.0f} {seconds / n * 1e5:>11.2f}")
    if len(rows) > 1:
        (_, n1, s1, _, c1), (_, n2, s2, _, c2) = rows[0], rows[-1]
        print(f"tijd x{s2 / s1:.2f} (processortijd x{c2 / c1:.2f}) bij x{n2 / n1:.2f} respondenten "
              f"(marginaal {(s2 - s1) / (n2 - n1) * 1e5:.2f} s per 100.000 respondenten)")
    if r_seconds is not None:
        print(f"snelheidsverhouding R (alleen schatten) / ceo process (alles) bij {rows[0][1]} respondenten: "
              f"{r_seconds / rows[0][2]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
