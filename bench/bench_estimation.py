"""Benchmark of ceo.stats.estimation at national scale, and the same estimates in R `survey`.

    python bench/bench_estimation.py                     # R on 2 of the 11 variables, scaled
    python bench/bench_estimation.py --r-variables all   # R on all variables (several minutes)
    python bench/bench_estimation.py --no-r

A seeded generator makes 342 gemeenten (strata) with realistic population and sample sizes
(about 120,000 respondents), 11 variables (ten 0/1 statements with "weet niet" as NaN and a
rapportcijfer 1-10), 3 subgroup columns and 25 regions. Python computes, for everyone and for
each subgroup column: the estimates for every gemeente, region and the total, their confidence
intervals (logit for the statements, t for the mark) and every gemeente against the rest
of its region; the time is the best of ``--repeat`` runs (``time.perf_counter``). The same run
is timed a second time with the calibration-aware variance of a raked design (cells gemeente x
leeftijd and gemeente x geslacht; only the timing, the weights are not recalibrated).

When ``Rscript`` is on PATH the data go to a temporary CSV and R computes the estimates and
SEs with ``svyby(~v, ~gemeentecode + group, subset(des, !is.na(v)), svymean)`` (and the same by
region and for the total), timed inside R with ``system.time`` (reading the CSV excluded,
building the design included). R's time covers estimates + SEs only; Python's covers also the
intervals and the comparisons, so the speed ratio is conservative. Every variable is a separate
set of ``svyby`` calls in R, so by default R runs on a subset of the variables and its time is
scaled linearly to all 11; the output says so.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ceo.stats import estimation as E  # noqa: E402

STATEMENTS = [f"v{i:02d}" for i in range(1, 11)]
VARIABLES = [*STATEMENTS, "rapportcijfer"]
SUBGROUPS = {
    "leeftijd": (["18-64", "65-74", "75+"], [0.35, 0.30, 0.35], 0.02),
    "geslacht": (["man", "vrouw"], [0.42, 0.58], 0.01),
    "voorziening": (["hulp bij huishouden", "hulpmiddel", "begeleiding", "vervoer"],
                    [0.4, 0.25, 0.2, 0.15], 0.03),
}
N_STRATA, N_REGIONS, TARGET_N = 342, 25, 120_000


def generate(seed: int = 342) -> tuple[pd.DataFrame, dict[str, list[str]], dict[str, list[str]]]:
    """Seeded national-scale sample; returns (data, areas, regions)."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"GM{c:04d}" for c in np.sort(rng.choice(np.arange(1, 2000), N_STRATA,
                                                                replace=False))])
    pop = np.clip(np.round(rng.lognormal(np.log(1200), 1.1, N_STRATA)), 40, 60_000)
    raw = pop**0.6
    n_h = np.clip(np.round(raw * TARGET_N / raw.sum()), 1, pop).astype(int)
    n_h[:3] = [1, 2, 4]  # a lonely stratum and two tiny ones
    known = rng.random(N_STRATA) > 0.04
    stratum = np.repeat(np.arange(N_STRATA), n_h)
    n = len(stratum)
    data = {"gemeentecode": codes[stratum],
            "N": np.where(known, pop, np.nan)[stratum],
            "w": (pop / n_h)[stratum] * rng.lognormal(0.0, 0.3, n)}
    base = rng.beta(8, 3, N_STRATA)
    for j, v in enumerate(STATEMENTS):
        p = np.clip(base[stratum] + rng.normal(0, 0.08, N_STRATA)[stratum] - 0.02 * j, 0.02, 0.99)
        y = (rng.random(n) < p).astype(float)
        y[rng.random(n) < rng.uniform(0.03, 0.12)] = np.nan
        data[v] = y
    mark = np.clip(np.round(rng.normal(7.5 + (base[stratum] - 0.7), 1.2)), 1, 10)
    mark[rng.random(n) < 0.04] = np.nan
    data["rapportcijfer"] = mark
    for col, (levels, probs, missing) in SUBGROUPS.items():
        values = rng.choice(np.array(levels, dtype=object), n, p=probs)
        values[rng.random(n) < missing] = None
        data[col] = values
    frame = pd.DataFrame(data)
    cuts = np.sort(rng.choice(np.arange(1, N_STRATA), N_REGIONS - 1, replace=False))
    regions = {f"RG{i + 1:02d}": list(part)
               for i, part in enumerate(np.split(rng.permutation(codes), cuts))}
    frame["regio"] = frame["gemeentecode"].map({c: r for r, cs in regions.items() for c in cs})
    areas = {**{c: [c] for c in codes}, **regions, "NL": list(codes)}
    return frame, areas, regions


def calibration_cells(data: pd.DataFrame) -> E.Calibration:
    """Raking cells as ceo's weighting makes them: gemeente x leeftijd and gemeente x geslacht
    (a missing value is one more cell per gemeente). Only the variance uses them here: the
    timing of the calibrated path, not a calibration of the benchmark's weights."""
    cells = [pd.factorize(data["gemeentecode"] + ":" + data[col].fillna("ontbreekt"))[0]
             for col in ("leeftijd", "geslacht")]
    return E.Calibration("raking", np.column_stack(cells))


def run_python(data: pd.DataFrame, areas, regions,
               calibration: E.Calibration | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    estimates, comparisons = [], []
    for by in (None, *SUBGROUPS):
        est = E.domain_estimates(data, VARIABLES, stratum="gemeentecode", weight="w",
                                 population="N", areas=areas, by=by, calibration=calibration)
        estimates.append(E.add_confidence_intervals(est, proportions=STATEMENTS))
        comparisons.append(E.compare_with_rest_of_region(
            data, VARIABLES, stratum="gemeentecode", weight="w", population="N",
            regions=regions, by=by, calibration=calibration))
    return pd.concat(estimates, ignore_index=True), pd.concat(comparisons, ignore_index=True)


R_SCRIPT = r"""
suppressMessages(library(survey))
options(survey.lonely.psu = "average")
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE, na.strings = c("", "NA"))
vars <- strsplit(args[3], ",")[[1]]
bys <- strsplit(args[4], ",")[[1]]
d$Nfpc <- ifelse(is.na(d$N), Inf, d$N)
d$alle <- "alle"
d$NL <- "NL"
out <- list()
timing <- system.time({
  des <- svydesign(ids = ~1, strata = ~gemeentecode, weights = ~w, fpc = ~Nfpc, data = d)
  for (v in vars) for (g in bys) {
    dom <- subset(des, !is.na(des$variables[[v]]) & !is.na(des$variables[[g]]))
    for (level in c("gemeentecode", "regio", "NL")) {
      est <- svyby(as.formula(paste0("~", v)), as.formula(paste0("~", level, " + ", g)),
                   dom, svymean)
      out[[length(out) + 1]] <- data.frame(area = as.character(est[[level]]), by = g,
        group = as.character(est[[g]]), variable = v, estimate = est[[v]], se = est$se)
    }
  }
})
res <- do.call(rbind, out)
res$estimate <- sprintf("%.17g", res$estimate)
res$se <- sprintf("%.17g", res$se)
write.csv(res, args[2], row.names = FALSE)
cat(sprintf("%.6f\n", timing[["elapsed"]]))
"""


def run_r(data: pd.DataFrame, variables: list[str]) -> tuple[float, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data.to_csv(tmp / "data.csv", index=False, float_format="%.17g")
        (tmp / "bench.R").write_text(R_SCRIPT)
        proc = subprocess.run(
            ["Rscript", str(tmp / "bench.R"), str(tmp / "data.csv"), str(tmp / "out.csv"),
             ",".join(variables), ",".join(["alle", *SUBGROUPS])],
            capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"R is mislukt:\n{proc.stderr}")
        seconds = float(proc.stdout.strip().splitlines()[-1])
        return seconds, pd.read_csv(tmp / "out.csv")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=342)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--r-variables", default="v01,rapportcijfer",
                        help="variabelen voor R, kommagescheiden, of 'all'")
    parser.add_argument("--no-r", action="store_true")
    args = parser.parse_args(argv)

    data, areas, regions = generate(args.seed)
    print(f"{len(data)} respondenten, {data.gemeentecode.nunique()} gemeenten, "
          f"{len(regions)} regio's, {len(VARIABLES)} variabelen, "
          f"{len(SUBGROUPS)} subgroepkolommen")
    times = []
    for _ in range(max(args.repeat, 1)):
        start = time.perf_counter()
        estimates, comparisons = run_python(data, areas, regions)
        times.append(time.perf_counter() - start)
    py_time = min(times)
    print(f"Python: {py_time:.3f} s (beste van {len(times)}) voor {len(estimates)} schattingen "
          f"met intervallen en {len(comparisons)} vergelijkingen gemeente - rest van de regio")
    calibration = calibration_cells(data)
    cal_times = []
    for _ in range(max(args.repeat, 1)):
        start = time.perf_counter()
        run_python(data, areas, regions, calibration)
        cal_times.append(time.perf_counter() - start)
    print(f"Python met kalibratie (raking naar leeftijd en geslacht binnen elke gemeente, "
          f"{int(calibration.cells.max(axis=0).sum()) + 2} cellen): {min(cal_times):.3f} s "
          f"(beste van {len(cal_times)})")

    if args.no_r or shutil.which("Rscript") is None:
        print("R niet gedraaid (geen Rscript op PATH of --no-r)")
        return 0
    r_vars = VARIABLES if args.r_variables == "all" else args.r_variables.split(",")
    r_time, r_est = run_r(data, r_vars)
    scale = len(VARIABLES) / len(r_vars)
    r_full = r_time * scale
    ours = estimates.assign(by=estimates["by"].fillna("alle"),
                            group=estimates["group"].fillna("alle"))
    merged = r_est.merge(ours, on=["area", "by", "group", "variable"], suffixes=("_r", ""),
                         how="left", validate="one_to_one")
    diff_est = float(np.max(np.abs(merged["estimate"] - merged["estimate_r"])))
    diff_se = float(np.max(np.abs(merged["se"] - merged["se_r"])))
    print(f"R (survey::svyby, alleen schattingen en standaardfouten): {r_time:.1f} s voor "
          f"{len(r_vars)} van de {len(VARIABLES)} variabelen ({', '.join(r_vars)})"
          + (f"; lineair geschaald naar alle variabelen: {r_full:.1f} s" if scale != 1 else ""))
    print(f"vergeleken met R: {len(merged)} schattingen, grootste verschil schatting "
          f"{diff_est:.2e}, standaardfout {diff_se:.2e}")
    print(f"snelheidsverhouding R / Python: {r_full / py_time:.0f}x")
    ok = merged["estimate"].notna().all() and diff_est < 1e-8 and diff_se < 1e-8
    if not ok:
        print("FOUT: de uitkomsten van Python en R verschillen", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
