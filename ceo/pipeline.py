"""The main job: read → validate → harmonise → (weight → estimate → render) → write.

Library functions take and return plain data; the CLI in :mod:`ceo.cli` is a thin layer over
:func:`process`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ceo import __version__
from ceo.core.problems import CeoError, InputError, Problem
from ceo.core.safetext import printable
from ceo.io.readers import RawTable, read_table
from ceo.io.sitedata import check_columns, read_json, reading
from ceo.output.exports import archive_microdata, write_csv, write_microdata
from ceo.stats.disclosure import publishable
from ceo.validate.codebook import Codebook, get_codebook
from ceo.validate.harmonise import Harmonised, harmonise
from ceo.validate.mapping import load_mapping
from ceo.validate.project import Project

#: suffix of the researcher's copy of a table at full precision in ``uitvoer/<editie>/`` (never published)
FULL_PRECISION = "_volledige_precisie"


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
    revision: str | None = None
    #: withdrawn consent or erasure (``--intrekken REDEN``): earlier revisions' tables leave ``site/``
    withdraw: str | None = None


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
                population_path: Path | None = None, benchmark_path: Path | None = None, limits=None):
    """Read every input file, the mapping, the population and the benchmark, collecting the problems
    of all of them before giving up."""
    from ceo.io.readers import NOT_REGULAR
    from ceo.stats.benchmark import read_benchmark
    from ceo.stats.weighting import read_population

    problems: list[Problem] = []
    tables: list[RawTable] = []
    mapping = population = benchmark = None
    # a FIFO, socket or device as mapping, population or benchmark: refuse before opening it (it may hang)
    for p in (mapping_path, population_path, benchmark_path):
        if p is not None and Path(p).exists() and not Path(p).is_dir() and not Path(p).is_file():
            problems.append(Problem(NOT_REGULAR, Path(p).name))
    # a name that is not UTF-8 (e.g. a Latin-1 byte from an old Windows share) cannot be written to the
    # log, the microdata or the site: the user renames the file
    for p in [*paths, mapping_path, population_path, benchmark_path]:
        if p is not None and _undecodable(Path(p).name):
            shown = os.fsencode(Path(p).name).decode("utf-8", "backslashreplace")
            problems.append(Problem("de bestandsnaam is geen geldige UTF-8-tekst (waarschijnlijk Latin-1 of "
                                    "Windows-1252); geef het bestand een nieuwe naam, in UTF-8 of "
                                    "zonder bijzondere tekens", shown))
    if problems:
        raise InputError(problems)
    if mapping_path is not None:
        try:
            mapping = load_mapping(mapping_path, codebook)
        except CeoError as exc:
            problems.extend(exc.problems)
    # respondent numbers keep the text of the file ('007' and '7' are two respondents): the mapping,
    # read first, says which delivered column holds them
    text_columns = id_columns(codebook, mapping)
    for p in paths:
        try:
            tables.append(read_table(p, limits, text_columns=text_columns))
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


def id_columns(codebook: Codebook, mapping=None) -> list[str]:
    """The delivered columns that hold identifiers (the codebook's ``id`` variables, e.g.
    ``respondent_id``, under their own name or the source column the mapping gives them)."""
    ids = {v.id for v in codebook.variables.values() if v.type == "id"}
    renamed = dict(mapping.variables) if mapping is not None else {}
    folded = {str(src).strip().casefold(): var for src, var in renamed.items()}
    columns = [src for src, var in renamed.items() if var in ids]
    columns += [i for i in sorted(ids) if folded.get(i.casefold(), i) in ids]
    return list(dict.fromkeys(columns))


def _undecodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def load_survey(project: Project, survey: str, edition: int) -> Codebook:
    codebook = get_codebook(survey, project.root)
    if not codebook.covers(edition):
        raise InputError(f"vragenlijst '{survey}' geldt voor de jaren {codebook.years[0]} tot en "
                         f"met {codebook.years[1]}, niet voor editie {edition}")
    return codebook


def previous_results(project: Project, survey: str, edition: int) -> pd.DataFrame | None:
    """The results table of the most recent earlier edition of this survey that is published, if any: at full
    precision from ``uitvoer/`` when it is there (the comparison's test then uses the exact SE), otherwise as
    published."""
    site = project.site_dir
    if not site.is_dir():
        return None
    earlier = sorted((int(p.name) for p in site.iterdir() if p.name.isdigit() and int(p.name) < edition),
                     reverse=True)
    for year in earlier:
        path = site / str(year) / "data" / f"{survey}.csv"
        if path.is_file():
            full = project.output_dir / str(year) / f"{survey}{FULL_PRECISION}.csv"
            source = full if full.is_file() else path
            with reading(source):
                return check_columns(pd.read_csv(source, dtype={"subgroep": str, "subgroep_waarde": str,
                                                                "categorie": str, "definitie": str,
                                                                "gebied_code": str},
                                                 keep_default_na=False, na_values=[""]), source)
    return None


def estimate(project: Project, codebook: Codebook, edition: int, data: pd.DataFrame, weighting,
             benchmark=None, previous: pd.DataFrame | None = None):
    """Areas, estimates, suppression and comparisons of one survey and edition."""
    from ceo.stats.results import build_areas, estimate_results

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
        significance=project.significance, previous=previous, benchmark=benchmark,
        calibration=getattr(weighting, "calibration", None))
    tests = None
    if codebook.group_test:
        from ceo.stats.groups import group_tests  # pingouin takes a second to import: only when needed

        sg = next(s for s in codebook.subgroups if s.id == codebook.group_test)
        tests = group_tests(data, codebook, edition=edition, areas=areas, by=sg.variable,
                            min_n=project.thresholds.min_n, significance=project.significance,
                            published=results.table, subgroup_id=sg.id)
    disclosure_audit(results.table, tests, codebook, areas, project.thresholds, positives=results.positives)
    return results.table, tests, notices + results.notices, results.recoding, results.complements


def disclosure_audit(table: pd.DataFrame, tests: pd.DataFrame | None, codebook: Codebook, areas,
                     thresholds, positives=None) -> None:
    """The automatic attacker on the final tables (results and group tests): raises InputError (exit 2,
    nothing published) when a suppressed figure of fewer than ``onthulling_n`` respondents can be
    recomputed exactly."""
    from ceo.stats.disclosure import audit

    known = None
    if tests is not None and codebook.group_test:
        from ceo.stats.groups import group_cells

        known = group_cells(tests, codebook, codebook.group_test)
    audit(table, areas, thresholds, extra_known=known, positives=positives)


def process(project: Project, options: ProcessOptions, progress=None) -> ProcessResult:
    """Validate, harmonise, weight and estimate the deliveries of one survey and edition, and write
    the results table with the site pages (``site/``) and the weighted microdata and log
    (``uitvoer/``).

    ``progress`` (optional) is called with a short Dutch description at the start of every step.
    Raises :class:`InputError` (nothing written) when any input is not usable. Both output
    directories are prepared completely next to the old ones and then swapped in, so a run that
    fails or is killed leaves both in their previous or both in their new state (see
    :mod:`ceo.output.publish`). The project lock is held for the whole run.
    """
    from ceo.output.publish import project_lock

    with project_lock(project.root):
        return _process(project, options, progress)


def _process(project: Project, options: ProcessOptions, progress=None) -> ProcessResult:
    from ceo.output.publish import transaction
    from ceo.stats.weighting import check_against_sample, compute_weights

    say = progress or (lambda _message: None)
    if not options.inputs:
        raise InputError("geef minstens één invoerbestand op")
    survey, edition = options.survey, options.edition
    reason_problems(options, project.public_contacts)
    codebook = load_survey(project, survey, edition)
    existing = project.site_dir / str(edition) / "data" / f"{codebook.id}.json"
    if existing.exists() and not (options.revision or options.withdraw):
        raise InputError(f"editie {edition} van {codebook.short_title} is al gepubliceerd. Geef bij opnieuw "
                         "verwerken een reden op met --revision \"reden\"; de vorige cijfers blijven dan "
                         "downloadbaar en de site toont de versiegeschiedenis")
    n_files = len(options.inputs)
    say(f"bestanden lezen ({n_files} {'bestand' if n_files == 1 else 'bestanden'})")
    tables, mapping, population, benchmark = read_inputs(
        options.inputs, codebook, options.mapping, options.population, options.benchmark, project.limits)
    say("controleren en harmoniseren")
    extra = (options.weight_column,) if options.weight_column else ()
    harmonised = harmonise(tables, codebook, mapping, extra_columns=extra, allowed=project.public_contacts)
    read_notices = [n for t in tables for n in t.notices]
    del tables  # the delivered tables are not needed any more (memory: a national file is large)
    data = harmonised.data
    # the population file against the respondents and the delivered weights: all problems at once
    problems = check_against_sample(population, data, method=options.weighting_method) \
        if population is not None else []
    if population is not None and population.approached is not None \
            and all(d in data.columns for d in population.dimensions):
        from ceo.stats.response import check_approached

        problems += check_approached(population.approached, population.dimensions, data, population.file_name)
    if options.weight_column:
        from ceo.stats.weighting import _weight_column

        try:
            _weight_column(data, options.weight_column, None)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    say("wegen")
    weighting = compute_weights(data, population=population, weight_column=options.weight_column,
                                method=options.weighting_method)
    per_gemeente = data["gemeentecode"].value_counts().sort_index().to_dict()
    previous = previous_results(project, survey, edition)
    say("schatten, vergelijken en onderdrukken")
    table, tests, est_notices, recoding, complements = estimate(project, codebook, edition, data, weighting,
                                                                benchmark, previous)
    response = response_summary(project, population, data, weighting)
    notices = read_notices + harmonised.notices + list(weighting.notices) + est_notices
    processing_date = options.processing_date or date.today()
    meta = edition_meta(project, codebook, edition, options, weighting, benchmark, processing_date, harmonised)
    meta["samengevoegd"] = recoding.meta()  # the verantwoording names the merged categories and why
    say("uitvoer en pagina's schrijven")
    with transaction(project.root) as tx:
        site_stage, out_stage = tx.stage(project.site_dir), tx.stage(project.output_dir)
        duiding_root = stage_duiding(tx, project)
        archive_microdata(site_stage, out_stage, codebook.id, edition)
        written = write_microdata(out_stage, codebook, edition, harmonised, weighting, processing_date)
        revision_number = publish(site_stage, project, codebook, edition, table, tests, weighting, meta,
                                  options.revision or options.withdraw, out_stage=out_stage,
                                  withdraw=options.withdraw, duiding_root=duiding_root, response=response)
        log = run_log(codebook, edition, options, harmonised, weighting, table, notices, meta, revision_number,
                      complements)
        log_dir = out_stage / str(edition) / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{codebook.id}.log"
        if log_path.exists() and revision_number > 1:
            log_path.replace(log_dir / f"{codebook.id}_revisie-{revision_number - 1}.log")
        # (delivered names and values may hold terminal escape sequences: never in the log either)
        log_path.write_text("\n".join(printable(line) for line in log.split("\n")), encoding="utf-8")
    written = [project.output_dir / p.relative_to(out_stage) for p in written]
    written += [project.output_dir / str(edition) / "log" / f"{codebook.id}.log",
                project.site_dir / str(edition) / "data" / f"{codebook.id}.csv"]
    return ProcessResult(survey, edition, len(data), per_gemeente, written, notices, table, tests, weighting)


def reason_problems(options: ProcessOptions, allowed: frozenset[str] = frozenset()) -> None:
    """Refuse a ``--revision`` or ``--intrekken`` reason that holds an e-mail address, telephone number, BSN,
    IBAN or postcode: the reason is published in the version history and the data JSON."""
    from ceo.validate.privacy import identifiers_in_text

    problems = []
    for option, reason in (("--revision", options.revision), ("--intrekken", options.withdraw)):
        for what, fragment in identifiers_in_text(reason or "", allowed):
            problems.append(Problem(f"de reden bij {option} bevat {what} ('{fragment}'); de reden komt in de "
                                    "versiegeschiedenis op de site en in de open data. Beschrijf de reden zonder "
                                    "gegevens die een persoon aanwijzen", option))
    if problems:
        raise InputError(problems)


def response_summary(project: Project, population, data: pd.DataFrame, weighting) -> pd.DataFrame | None:
    """The published response and representativeness table (:mod:`ceo.stats.response`), or None when the
    population file has no column ``aangeschreven``."""
    if population is None or population.approached is None:
        return None
    from ceo.stats.response import response_table
    from ceo.stats.results import build_areas

    areas, _ = build_areas(data["gemeentecode"], project.regions)
    return response_table(population.approached, population.dimensions, data, weighting.weights.to_numpy(),
                          population.cells, areas, labels=population.labels, min_n=project.thresholds.min_n,
                          disclosure_n=project.thresholds.disclosure_n)


def input_fingerprint(paths: list[Path | None]) -> str:
    """SHA-256 over the bytes of every input file (data, mapping, population, benchmark), 16 hex digits."""
    h = hashlib.sha256()
    for p in sorted((Path(p) for p in paths if p is not None), key=lambda p: p.name):
        h.update(p.name.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:16]


def edition_meta(project: Project, cb: Codebook, edition: int, options: ProcessOptions, weighting, benchmark,
                 processing_date: date, harmonised: Harmonised) -> dict:
    """Everything the pages need besides the figures: questions, methods, provenance."""
    questions = []
    for i, ind in enumerate(cb.indicators):
        var = cb.variables[ind.variable]
        questions.append({"indicator": ind.id, "variabele": var.id, "thema": var.theme, "vraag": var.question,
                          "kop": var.headline, "label": ind.label, "soort": ind.kind, "volgorde": i})
    th = project.thresholds
    return {
        "onderzoek": cb.id, "titel": cb.title, "korte_titel": cb.short_title, "doelgroep": cb.audience,
        "voorbeeld": cb.example, "voorbeeld_toelichting": cb.explanation if cb.example else None,
        "varianten": cb.variants, "editie": edition, "verwerkt_op": processing_date.isoformat(),
        "ceo_versie": __version__,
        "vingerafdruk": input_fingerprint([*options.inputs, options.mapping, options.population, options.benchmark]),
        # (no input file names: they may name a person or a supplier's internal path; the log in uitvoer/ has them)
        "weging": weighting.method, "gewogen": bool(weighting.weighted),
        "betrouwbaarheid": project.confidence, "bi_methode": project.ci_method,
        "significantieniveau": project.significance,
        "drempels": {"minimum_n": th.min_n, "onthulling_n": th.disclosure_n,
                     "indicatief_n_eff": th.indicative_n_eff, "indicatief_bi_breedte": th.indicative_ci_width,
                     "samenvoegen_aandeel": th.merge_share, "beschermingsmarge": th.protection_n},
        "benchmark": benchmark.name if benchmark is not None else None,
        "veldwerk": project.fieldwork.get(edition),
        "regios": {r.id: r.name for r in project.regions},
        "vragen": questions,
        "subgroepen": [{"id": sg.id, "label": sg.label} for sg in cb.subgroups],
        "kop_per": _headline_by_meta(cb),
        "kernindicatoren": [{"indicator": i, "kort": short} for i, short in cb.key_indicators],
    }


def _headline_by_meta(cb: Codebook) -> dict | None:
    """``kop_per`` for the pages: the variant rows that carry the headline and the standardised rows."""
    hb = cb.headline_by
    if hb is None:
        return None
    from ceo.stats.results import STANDARDISED

    labels = cb.labels(hb.variable)
    return {"subgroep": hb.subgroup,
            "groepen": [{"waarde": labels.get(c, str(c)), "variant": name} for c, name in hb.variants.items()],
            "samen": {"subgroep": STANDARDISED, "label": hb.label, "samenstelling": hb.composition_text()}}


def changed_figures(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Published figures whose value or suppression differs between two revisions (the key columns,
    old and new value)."""
    from ceo.stats.results import KEY

    cols = KEY + ["waarde", "onderdrukt"]
    o = old[cols].copy()
    n = new[cols].copy()
    for f in (o, n):
        for c in ("subgroep", "subgroep_waarde", "categorie"):
            f[c] = f[c].fillna("").astype(str)
    m = o.merge(n, on=KEY, how="outer", suffixes=("_oud", "_nieuw"), indicator=True)
    wo, wn = m["waarde_oud"], m["waarde_nieuw"]
    same_value = (wo.isna() & wn.isna()) | ((wo - wn).abs() <= 1e-9 * (1 + wo.abs()))
    differs = (m["_merge"] != "both") | ~same_value | (m["onderdrukt_oud"] != m["onderdrukt_nieuw"])
    return m[differs].drop(columns="_merge").reset_index(drop=True)


def publish(staging: Path, project: Project, codebook: Codebook, edition: int, table: pd.DataFrame,
            tests: pd.DataFrame | None, weighting, meta: dict, revision: str | None, *,
            out_stage: Path | None = None, withdraw: str | None = None, duiding_root: Path | None = None,
            response: pd.DataFrame | None = None) -> int:
    """Write the results of one survey and edition into ``staging`` (the new state of ``site/``,
    prepared as a copy of the old one) and re-render the pages. Returns the revision number.

    A new revision archives the previous one's tables (in ``site/`` while they may stay published, and
    always in ``out_stage``, the new state of ``uitvoer/``). An earlier revision whose tables would let
    anyone recompute the answers of fewer than ``onthulling_n`` respondents by subtraction
    (:mod:`ceo.output.revisions`), or every earlier revision with ``withdraw``, is withdrawn from the site.
    """
    from ceo.output.revisions import append_note, archive_dir, disclosure_pairs, read_microdata, read_results
    from ceo.site.render import editions_in, render_site, site_settings
    from ceo.stats.precision import round_response, round_tests, round_weighting

    sid = codebook.id
    public = publishable(table)  # the table as published: the revision rules compare what is published
    new_edition = edition not in editions_in(staging)
    data_dir = staging / str(edition) / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    meta_path = data_dir / f"{sid}.json"
    out_ed = out_stage / str(edition) if out_stage is not None else None
    names = (f"{sid}.csv", f"{sid}.json", f"{sid}_weging.csv", f"{sid}_toetsen.csv")
    day = meta["verwerkt_op"]
    number = 1
    if meta_path.exists():
        old_meta = read_json(meta_path)
        with reading(meta_path):
            k = int(old_meta.get("revisie", 1))
        number = k + 1
        revisions = list(old_meta.get("revisies", []))
        old_table = read_results(data_dir / f"{sid}.csv")
        changed = changed_figures(old_table, public)
        archive = data_dir / f"revisie-{k}"
        archive.mkdir(exist_ok=True)
        private = archive_dir(out_ed, k) if out_ed is not None else None
        if private is not None:
            private.mkdir(parents=True, exist_ok=True)
        for name in names:
            if (data_dir / name).is_file():
                if private is not None:
                    shutil.copyfile(data_dir / name, private / name)
                (data_dir / name).replace(archive / name)
        for name in (f"{sid}{FULL_PRECISION}.csv", f"{sid}_toetsen{FULL_PRECISION}.csv"):
            if private is not None and (out_ed / name).is_file():
                (out_ed / name).replace(private / name)
        # every earlier revision still on the site is published: may it stay next to the new one?
        published = [j for j in range(1, k + 1) if (data_dir / f"revisie-{j}" / f"{sid}.csv").is_file()]
        new_micro = read_microdata(out_ed / f"{sid}.csv") if out_ed is not None else None
        withdrawn: dict[int, str] = {}
        for j in published:
            if withdraw:
                withdrawn[j] = f"ingetrokken op {day}: {withdraw}"
                continue
            old_micro = read_microdata(archive_dir(out_ed, j) / f"{sid}_microdata.csv") \
                if out_ed is not None else None
            bad = disclosure_pairs(read_results(data_dir / f"revisie-{j}" / f"{sid}.csv"), public, codebook,
                                   project.regions, project.thresholds.disclosure_n, old_micro, new_micro)
            if len(bad):
                withdrawn[j] = (f"van de site gehaald op {day}: naast revisie {number} zou het verschil "
                                f"({len(bad)} cijfers) de antwoorden van minder dan "
                                f"{project.thresholds.disclosure_n} respondenten herleidbaar maken")
        for j, why in withdrawn.items():
            old_dir = data_dir / f"revisie-{j}"
            for name in names:
                (old_dir / name).unlink(missing_ok=True)
            if old_dir.is_dir() and not any(old_dir.iterdir()):
                old_dir.rmdir()
            # the list of changes into revision j+1 shows revision j's values: not published either
            listed = data_dir / f"{sid}_wijzigingen_revisie-{j + 1}.csv"
            if listed.is_file():
                if out_ed is not None:
                    (out_ed / "revisies").mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(listed, out_ed / "revisies" / listed.name)
                listed.unlink()
            for r in revisions:
                if int(r.get("revisie", 0)) == j:
                    r.pop("bestand", None)
                    r["ingetrokken"] = why
                elif int(r.get("revisie", 0)) == j + 1 and "(zie " in r.get("gewijzigd_tekst", ""):
                    r["gewijzigd_tekst"] = f"{r.get('gewijzigd', 0)} cijfers gewijzigd (lijst van de site gehaald)"
            if out_ed is not None:
                append_note(out_ed, f"{codebook.short_title} {edition}, revisie {j}: {why}. "
                                    f"Tabellen en microdata: revisie-{j}/.")
        changes_name = f"{sid}_wijzigingen_revisie-{number}.csv"
        if out_ed is not None:
            (out_ed / "revisies").mkdir(parents=True, exist_ok=True)
            write_csv(changed, out_ed / "revisies" / changes_name)
        if k in withdrawn:
            text = (f"{len(changed)} cijfers gewijzigd; de cijfers van eerdere revisies zijn van de site "
                    "gehaald zodat niemand door ze af te trekken antwoorden van personen kan terugrekenen")
        else:
            write_csv(changed, data_dir / changes_name)
            text = f"{len(changed)} cijfers gewijzigd (zie {changes_name})"
            for r in revisions:
                if int(r.get("revisie", 0)) == k:
                    r["bestand"] = f"revisie-{k}/{sid}.csv"
        revisions.append({"revisie": number, "datum": day, "reden": revision, "gewijzigd": int(len(changed)),
                          "gewijzigd_tekst": text, "ingetrokken_revisies": sorted(withdrawn)})
    else:
        revisions = [{"revisie": 1, "datum": day, "reden": "eerste publicatie",
                      "gewijzigd": 0, "gewijzigd_tekst": ""}]
    meta = {**meta, "revisie": number, "revisies": revisions}
    # the published tables at published precision (ceo.stats.precision); the full precision stays in uitvoer/
    write_csv(public, data_dir / f"{sid}.csv")
    write_csv(round_weighting(weighting_summary(weighting)), data_dir / f"{sid}_weging.csv")
    if tests is not None:
        write_csv(round_tests(tests), data_dir / f"{sid}_toetsen.csv")
    if out_ed is not None:
        out_ed.mkdir(parents=True, exist_ok=True)
        write_csv(table, out_ed / f"{sid}{FULL_PRECISION}.csv")
        if tests is not None:
            write_csv(tests, out_ed / f"{sid}_toetsen{FULL_PRECISION}.csv")
    # response and representativeness (population file with 'aangeschreven'); never archived per revision
    if response is not None:
        write_csv(round_response(response), data_dir / f"{sid}_respons.csv")
    else:
        (data_dir / f"{sid}_respons.csv").unlink(missing_ok=True)
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    render_site(staging, duiding_root or project.root, __version__, years=None if new_edition else [edition],
                changed={edition}, settings=site_settings(project))
    return number


def stage_duiding(tx, project: Project) -> Path:
    """A stand-in project root for :func:`ceo.site.render.render_site`, which creates missing duiding scaffolds
    in ``<root>/duiding/``: a staged copy of ``duiding/`` whose new files the transaction adds to the
    real ``duiding/`` (never overwriting) when it commits, so scaffolds follow the all-or-nothing rule."""
    from ceo.output.publish import copy_tree

    real = project.root / "duiding"
    root = tx.stage_additions(real)
    if real.is_dir():
        copy_tree(real, root / "duiding")
    return root


def weighting_summary(weighting) -> pd.DataFrame:
    """Per gemeente: respondents, population, effective n, design effect (aggregates only)."""
    from ceo.validate.registry import registry

    pg = weighting.per_gemeente.copy()
    reg = registry()
    pg.insert(1, "gemeente", [reg.name(c) for c in pg["gemeentecode"]])
    pg["methode"] = weighting.method
    return pg


def _count(n: int, one: str, more: str) -> str:
    return f"{n} {one if n == 1 else more}"


def run_log(codebook: Codebook, edition: int, options: ProcessOptions, harmonised: Harmonised, weighting,
            table: pd.DataFrame, notices: list[str], meta: dict, revision: int,
            complements: pd.DataFrame | None = None) -> str:
    """The Dutch log of one run: what was read, excluded and why, how the weights were formed and
    what was suppressed. For the researcher only (``uitvoer/``), never published."""
    from ceo.core.texts import number
    from ceo.validate.registry import registry

    reg = registry()
    lines = [f"ceo {__version__} — {codebook.short_title} {edition}, revisie {revision}",
             f"verwerkt op {meta['verwerkt_op']}; vingerafdruk van de invoer {meta['vingerafdruk']}"]
    if options.revision:
        lines.append(f"reden van deze revisie: {options.revision}")
    lines += ["", "1. Gelezen"]
    lines += [f"  {name}: {_count(n, 'respondent', 'respondenten')}" for name, n in sorted(harmonised.files.items())]
    for label, path in (("mapping", options.mapping), ("populatie", options.population),
                        ("benchmark", options.benchmark)):
        if path is not None:
            lines.append(f"  {label}: {Path(path).name}")
    data = harmonised.data
    n_gem = data["gemeentecode"].nunique()
    lines.append(f"  totaal: {_count(len(data), 'respondent', 'respondenten')} uit "
                 f"{_count(n_gem, 'gemeente', 'gemeenten')}")
    lines += ["", "2. Meldingen (uitgesloten kolommen, samengevoegde categorieën, enz.)"]
    lines += [f"  {n}" for n in notices] or ["  (geen)"]
    lines += ["", f"3. Weging: {weighting.method}"]
    pg = weighting.per_gemeente
    if len(pg):
        lines.append("  gemeente: n, N, effectieve n, weegeffect, kleinste–grootste gewicht, afgekapt")
        for r in pg.itertuples(index=False):
            big_n = "onbekend" if pd.isna(r.N) else number(r.N, 0)
            lines.append(f"  {r.gemeentecode} {reg.name(r.gemeentecode)}: n = {r.n}, N = {big_n}, "
                         f"n_eff = {number(r.n_eff, 1)}, deff_gewicht = {number(r.deff_gewicht, 2)}, "
                         f"gewicht {number(r.w_min, 3)}–{number(r.w_max, 3)}, afgekapt {r.trimmed}")
    sup = table[table["onderdrukt"] == "ja"]
    lines += ["", f"4. Onderdrukt: {len(sup)} van {len(table)} cijfers"]
    for reason, k in sup["reden"].value_counts().sort_index().items():
        lines.append(f"  {k} × {reason}")
    head = sup[sup["categorie"].fillna("").astype(str) == ""]
    if len(head):
        lines.append("  onderdrukte hoofdcijfers (gebied · indicator · subgroep):")
        for r in head.itertuples(index=False):
            sg = f" · {r.subgroep}={r.subgroep_waarde}" if isinstance(r.subgroep, str) and r.subgroep else ""
            lines.append(f"    {r.gebied_naam} · {r.indicator}{sg}: n = {int(r.n)} ({r.reden})")
    if complements is not None and len(complements):
        from ceo.stats.disclosure import provenance_lines

        lines.append("  aanvullend onderdrukt (welk klein groepje welk ander cijfer verbergt):")
        lines += [f"    {t}" for t in provenance_lines(complements)]
    indic = table[(table["indicatief"] == "ja") & (table["categorie"].fillna("").astype(str) == "")]
    lines += ["", f"5. Indicatief (effectieve n of intervalbreedte): {len(indic)} hoofdcijfers"]
    return "\n".join(lines) + "\n"


def remove_editions(project: Project, years: list[int]) -> None:
    """Remove the published editions ``years`` (site and uitvoer), both trees in one commit."""
    from ceo.output.publish import transaction
    from ceo.site.render import GENERATED_TOP, editions_in, render_site, site_settings

    site, out = project.site_dir, project.output_dir
    if not any((d / str(y)).exists() for y in years for d in (site, out)):
        return
    with transaction(project.root) as tx:
        if any((site / str(y)).exists() for y in years):
            staging = tx.stage(site)
            for y in years:
                if (staging / str(y)).exists():
                    shutil.rmtree(staging / str(y))
            for top in GENERATED_TOP:
                if top != "assets" and (staging / top).exists():
                    shutil.rmtree(staging / top)
            if editions_in(staging):
                render_site(staging, stage_duiding(tx, project), __version__, settings=site_settings(project))
        if any((out / str(y)).exists() for y in years):
            staging = tx.stage(out)
            for y in years:
                if (staging / str(y)).exists():
                    shutil.rmtree(staging / str(y))


def rerender(project: Project) -> int:
    """Render every edition's pages again from the stored results (after writing a duiding)."""
    from ceo.output.publish import transaction
    from ceo.site.render import render_site, site_settings

    with transaction(project.root) as tx:
        staging = tx.stage(project.site_dir)
        written = render_site(staging, stage_duiding(tx, project), __version__, changed=set(),
                              settings=site_settings(project))
    return len(written)


def revision_diff(project: Project, edition: int, survey: str | None = None) -> list[str]:
    """Dutch lines listing the published figures that changed in the last revision of ``edition``."""
    from ceo.core.texts import number
    from ceo.output.publish import JOURNAL_NAME, project_lock
    from ceo.output.revisions import archive_dir, read_results

    if (project.root / JOURNAL_NAME).exists():  # an interrupted run: complete it before reading
        with project_lock(project.root):
            pass

    data = project.site_dir / str(edition) / "data"
    metas = sorted(data.glob("*.json")) if data.is_dir() else []
    if not metas:
        raise InputError(f"editie {edition} is niet gepubliceerd (geen cijfers in {data})")
    lines: list[str] = []
    for mp in metas:
        meta = read_json(mp)
        sid = meta["onderzoek"]
        if survey and sid != survey:
            continue
        k = int(meta.get("revisie", 1))
        if k < 2:
            lines.append(f"{meta['korte_titel']} {edition}: revisie 1, er is nog geen eerdere revisie.")
            continue
        # earlier revisions are kept in uitvoer/ (also when withdrawn from the site)
        private = archive_dir(project.output_dir / str(edition), k - 1) / f"{sid}.csv"
        old = read_results(private if private.is_file() else data / f"revisie-{k - 1}" / f"{sid}.csv")
        with reading(data / f"{sid}.csv"):
            new = check_columns(pd.read_csv(data / f"{sid}.csv", keep_default_na=False, na_values=[""]),
                                data / f"{sid}.csv")
        changed = changed_figures(old, new)
        reason = meta["revisies"][-1]["reden"]
        lines.append(f"{meta['korte_titel']} {edition}: revisie {k - 1} → {k} ({reason}): "
                     f"{len(changed)} cijfers gewijzigd")
        names = dict(zip(new["gebied_code"], new["gebied_naam"], strict=False))
        names.update(dict(zip(old["gebied_code"], old["gebied_naam"], strict=False)))
        for r in changed.itertuples(index=False):
            what = " · ".join(x for x in (str(r.indicator), str(r.subgroep_waarde or ""), str(r.categorie or "")) if x)

            def show(v, sup):
                return "onderdrukt" if sup == "ja" else ("—" if pd.isna(v) else number(v, 1))
            lines.append(f"  {names.get(r.gebied_code, r.gebied_code)} · {what}: "
                         f"{show(r.waarde_oud, r.onderdrukt_oud)} → {show(r.waarde_nieuw, r.onderdrukt_nieuw)}")
    if survey and not lines:
        raise InputError(f"onderzoek '{survey}' heeft geen cijfers in editie {edition}")
    return lines
