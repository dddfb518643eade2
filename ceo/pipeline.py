"""The main job: read → validate → harmonise → (weight → estimate → render) → write.

Library functions take and return plain data; the CLI in :mod:`ceo.cli` is a thin layer over
:func:`process`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pyreadstat

from ceo import __version__
from ceo.codebook import Codebook, get_codebook
from ceo.harmonise import Harmonised, harmonise
from ceo.mapping import load_mapping
from ceo.problems import CeoError, InputError, Problem
from ceo.project import Project
from ceo.publish import replace_directory
from ceo.readers import RawTable, read_table


@dataclass
class ProcessOptions:
    """Everything a run of ``ceo process`` needs besides the project."""

    survey: str
    edition: int
    inputs: list[Path]
    mapping: Path | None = None
    population: Path | None = None
    weight_column: str | None = None
    weighting_method: str = "raking"
    benchmark: Path | None = None
    processing_date: date | None = None


@dataclass
class ProcessResult:
    survey: str
    edition: int
    n_respondents: int
    per_gemeente: dict[str, int]
    written: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    results: pd.DataFrame | None = None
    tests: pd.DataFrame | None = None
    weighting: object | None = None


def read_inputs(paths: list[Path], codebook: Codebook, mapping_path: Path | None,
                population_path: Path | None = None, benchmark_path: Path | None = None):
    """Read every input file, the mapping, the population and the benchmark, collecting the problems
    of all of them before giving up."""
    from ceo.benchmark import read_benchmark
    from ceo.weighting import read_population

    problems: list[Problem] = []
    tables: list[RawTable] = []
    mapping = population = benchmark = None
    if mapping_path is not None:
        try:
            mapping = load_mapping(mapping_path, codebook)
        except CeoError as exc:
            problems.extend(exc.problems)
    for p in paths:
        try:
            tables.append(read_table(p))
        except CeoError as exc:
            problems.extend(exc.problems)
    if population_path is not None:
        try:
            population = read_population(population_path, codebook)
        except CeoError as exc:
            problems.extend(exc.problems)
    if benchmark_path is not None:
        try:
            benchmark = read_benchmark(benchmark_path, codebook)
        except CeoError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return tables, mapping, population, benchmark


def load_survey(project: Project, survey: str, edition: int) -> Codebook:
    codebook = get_codebook(survey, project.root)
    if not codebook.covers(edition):
        raise InputError(f"vragenlijst '{survey}' geldt voor de jaren {codebook.years[0]} tot en "
                         f"met {codebook.years[1]}, niet voor editie {edition}")
    return codebook


def previous_results(project: Project, survey: str, edition: int) -> pd.DataFrame | None:
    """The published results table of the most recent earlier edition of this survey, if any."""
    site = project.site_dir
    if not site.is_dir():
        return None
    earlier = sorted((int(p.name) for p in site.iterdir() if p.name.isdigit() and int(p.name) < edition),
                     reverse=True)
    for year in earlier:
        path = site / str(year) / "data" / f"{survey}.csv"
        if path.is_file():
            return pd.read_csv(path, dtype={"subgroep": str, "subgroep_waarde": str, "categorie": str,
                                            "definitie": str, "gebied_code": str},
                               keep_default_na=False, na_values=[""])
    return None


def estimate(project: Project, codebook: Codebook, edition: int, data: pd.DataFrame, weighting,
             benchmark=None, previous: pd.DataFrame | None = None):
    """Areas, estimates, suppression and comparisons of one survey and edition."""
    from ceo.groups import group_tests
    from ceo.results import build_areas, estimate_results

    areas, notices = build_areas(data["gemeentecode"], project.regions)
    in_areas = {a.code for a in areas}
    comparison = {}
    for a in areas:
        if a.level != "gemeente":
            continue
        for r in project.regions_of(a.code):
            if r.id in in_areas:
                comparison[a.code] = r.id
                break
    results = estimate_results(
        data, codebook, edition=edition, weights=weighting.weights, weighted=weighting.weighted,
        population_totals=weighting.population_totals, areas=areas, comparison_regions=comparison,
        thresholds=project.thresholds, confidence=project.confidence, ci_method=project.ci_method,
        significance=project.significance, previous=previous, benchmark=benchmark)
    tests = None
    if codebook.group_test:
        sg = next(s for s in codebook.subgroups if s.id == codebook.group_test)
        tests = group_tests(data, codebook, edition=edition, areas=areas, by=sg.variable,
                            min_n=project.thresholds.min_n, significance=project.significance)
    return results.table, tests, notices + results.notices


def process(project: Project, options: ProcessOptions) -> ProcessResult:
    """Validate, harmonise, weight and estimate the deliveries of one survey and edition, and write
    the results table (site) and the weighted microdata (``uitvoer/``).

    Raises :class:`InputError` (nothing written) when any input is not usable.
    """
    from ceo.weighting import check_against_sample, compute_weights

    if not options.inputs:
        raise InputError("geef minstens één invoerbestand op")
    survey, edition = options.survey, options.edition
    codebook = load_survey(project, survey, edition)
    tables, mapping, population, benchmark = read_inputs(
        options.inputs, codebook, options.mapping, options.population, options.benchmark)
    extra = (options.weight_column,) if options.weight_column else ()
    harmonised = harmonise(tables, codebook, mapping, extra_columns=extra)
    data = harmonised.data
    if population is not None:
        problems = check_against_sample(population, data)
        if problems:
            raise InputError(problems)
    weighting = compute_weights(data, population=population, weight_column=options.weight_column,
                                method=options.weighting_method,
                                margins=codebook.weighting_margins or None)
    per_gemeente = data["gemeentecode"].value_counts().sort_index().to_dict()
    previous = previous_results(project, survey, edition)
    table, tests, est_notices = estimate(project, codebook, edition, data, weighting, benchmark, previous)
    notices = [n for t in tables for n in t.notices] + harmonised.notices + list(weighting.notices) + est_notices
    processing_date = options.processing_date or date.today()
    written = write_microdata(project, codebook, edition, harmonised, weighting, notices, processing_date)
    written += write_results(project, codebook, edition, table, tests, weighting)
    return ProcessResult(survey, edition, len(data), per_gemeente, written, notices, table, tests, weighting)


def write_results(project: Project, codebook: Codebook, edition: int, table: pd.DataFrame,
                  tests: pd.DataFrame | None, weighting) -> list[Path]:
    """``site/<edition>/data/<survey>.csv`` (+ group tests and weighting summary), all-or-nothing."""
    target = project.site_dir / str(edition)
    names = [f"{codebook.id}.csv", f"{codebook.id}_weging.csv"]
    if tests is not None:
        names.append(f"{codebook.id}_toetsen.csv")
    with replace_directory(target) as staging:
        data_dir = staging / "data"
        data_dir.mkdir(exist_ok=True)
        write_csv(table, data_dir / names[0])
        write_csv(weighting_summary(weighting, project.thresholds.min_n), data_dir / names[1])
        if tests is not None:
            write_csv(tests, data_dir / names[2])
    return [target / "data" / n for n in names]


def weighting_summary(weighting, min_n: int) -> pd.DataFrame:
    """Per gemeente: respondents, population, effective n, design effect (aggregates only)."""
    from ceo.registry import registry

    pg = weighting.per_gemeente.copy()
    reg = registry()
    pg.insert(1, "gemeente", [reg.name(c) for c in pg["gemeentecode"]])
    pg["methode"] = weighting.method
    return pg


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8, comma, decimal point, full precision (repr of floats), LF line ends."""
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format=None)


def export_frame(data: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The harmonised microdata as exported: bookkeeping columns renamed for SPSS."""
    out = data.rename(columns={"_bron": "bronbestand", "_rij": "bronrij"})
    cols = [c for c in out.columns if c not in ("bronbestand", "bronrij")]
    return out[cols + [c for c in ("bronbestand", "bronrij") if c in out]]


def write_microdata(project: Project, codebook: Codebook, edition: int, harmonised: Harmonised, weighting,
                    notices: list[str], processing_date: date) -> list[Path]:
    """Write ``uitvoer/<edition>/<survey>.sav``, ``.csv`` and the log, all-or-nothing."""
    target = project.output_dir / str(edition)
    frame = export_frame(harmonised.data, codebook)
    frame.insert(2, "gewicht", weighting.weights.to_numpy(dtype="float64"))
    labels = {c: codebook.question(c) for c in frame.columns
              if c in codebook.variables or c in codebook.derived}
    labels.update(bronbestand="Bronbestand", bronrij="Rij in het bronbestand",
                  gewicht=f"Weegfactor ({weighting.method})")
    value_labels = {c: {float(k): v for k, v in codebook.labels(c).items()}
                    for c in frame.columns if codebook.labels(c)}
    names = [f"{codebook.id}.sav", f"{codebook.id}.csv", f"{codebook.id}.log"]
    with replace_directory(target) as staging:
        pyreadstat.write_sav(frame, staging / names[0], column_labels=labels,
                             variable_value_labels=value_labels)
        frame.to_csv(staging / names[1], index=False, encoding="utf-8", lineterminator="\n")
        log = [f"ceo {__version__} — {codebook.short_title} {edition}",
               f"verwerkt op {processing_date.isoformat()}",
               "", "Gelezen bestanden:"]
        log += [f"  {name}: {n} respondenten" for name, n in harmonised.files.items()]
        log += ["", f"Weging: {weighting.method}"]
        log += ["", "Meldingen:"] + [f"  {n}" for n in notices or ["(geen)"]]
        (staging / names[2]).write_text("\n".join(log) + "\n", encoding="utf-8")
    return [target / n for n in names]
