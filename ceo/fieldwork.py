"""Before the fieldwork (``ceo steekproef``): plan the sample per gemeente and draw it from a client file.

The formulas are in :mod:`ceo.stats.sampling`; this module reads the files, checks them (every problem at
once, with file, row, column and value), and writes the plan, the drawn sample and the population file for
weighting into ``uitvoer/steekproef/<editie>/``, all-or-nothing (:func:`ceo.output.publish.transaction`).
A client file holds personal data: nothing of it is ever written to ``site/``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ceo.core.problems import InputError, Problem
from ceo.validate.project import Project

#: where the plan and the sample go, below the project's ``uitvoer/``
SAMPLE_DIR = "steekproef"
PLAN_COLUMNS = ["gemeentecode", "gemeente", "N", "netto", "bruto", "integraal", "verwachte_respons", "bron_respons",
                "marge_verwacht"]


@dataclass
class SampleOptions:
    """Everything a run of ``ceo steekproef`` needs besides the project."""

    survey: str
    edition: int
    population: Path | None = None
    client_file: Path | None = None
    strata: tuple[str, ...] = ()
    margin: float = 5.0
    confidence: float = 0.95
    p: float = 0.5
    deff: float = 1.0
    response: float = 0.35
    previous_response: bool = False
    seed: int | None = None
    overwrite: bool = False


@dataclass
class SampleResult:
    plan: pd.DataFrame
    directory: Path
    written: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    seed: int | None = None
    drawn: int = 0


def sample_dir(project: Project, edition: int) -> Path:
    return project.output_dir / SAMPLE_DIR / str(edition)


def previous_response(project: Project, survey: str, edition: int) -> tuple[int | None, pd.Series]:
    """The measured response rate per gemeente (respondenten / aangeschreven) of the most recent earlier
    edition with a response table (``site/<jaar>/data/<onderzoek>_respons.csv``), and that edition."""
    site = project.site_dir
    years = sorted((int(p.name) for p in site.iterdir() if p.name.isdigit() and int(p.name) < edition),
                   reverse=True) if site.is_dir() else []
    for year in years:
        path = site / str(year) / "data" / f"{survey}_respons.csv"
        if path.is_file():
            table = pd.read_csv(path, dtype={"gebied_code": str, "kenmerk": str}, keep_default_na=False,
                                na_values=[""])
            rows = table[(table["gebied_niveau"] == "gemeente") & (table["kenmerk"].fillna("") == "")]
            a = pd.to_numeric(rows["aangeschreven"], errors="coerce")
            r = pd.to_numeric(rows["respondenten"], errors="coerce")
            usable = (a > 0) & (r > 0)
            return year, pd.Series((r / a)[usable].to_numpy(), index=rows["gebied_code"][usable].to_numpy())
    return None, pd.Series(dtype=float)


def _column_index(raw: pd.DataFrame) -> dict[str, str]:
    """Column name folded (stripped, lower case) → the name in the file."""
    return {str(c).strip().casefold(): c for c in raw.columns}


def read_client_file(path: Path, project: Project, strata: tuple[str, ...], codebook) -> tuple:
    """Read and check a client file: ``(raw table, gemeentecode per row, {stratum: column}, {weighting
    characteristic: codes per row})``; raises :class:`InputError` with every problem."""
    from ceo.io.readers import read_table
    from ceo.validate.registry import registry

    raw = read_table(path, project.limits, text_columns=True)
    file = raw.path.name
    data = raw.data
    columns = _column_index(data)
    problems: list[Problem] = []
    if "gemeentecode" not in columns:
        problems.append(Problem("verplichte kolom 'gemeentecode' ontbreekt (de gemeente van elke cliënt)", file))
    strata_columns = {}
    for s in strata:
        if s.strip().casefold() not in columns:
            problems.append(Problem(f"kolom '{s}' (opgegeven met --strata) ontbreekt; het bestand heeft de kolommen "
                                    + ", ".join(str(c) for c in data.columns), file))
        else:
            strata_columns[s] = columns[s.strip().casefold()]
    if problems:
        raise InputError(problems)
    rows = raw.row_numbers
    gem_col = columns["gemeentecode"]
    values = data[gem_col].astype(object).where(data[gem_col].notna(), "")
    reg = registry()
    uniques = pd.unique(values)
    resolved = {v: reg.resolve(v) for v in uniques}
    codes = values.map({v: res.code for v, res in resolved.items()})  # one lookup per distinct value
    for i in np.flatnonzero(codes.isna().to_numpy()):
        v = values.iloc[i]
        problems.append(Problem(resolved[v].problem, file, int(rows[i]), str(gem_col), v or None))
    for s, col in strata_columns.items():
        for i in np.flatnonzero(data[col].isna().to_numpy()):
            problems.append(Problem(f"waarde ontbreekt in stratumkolom '{s}'; elke cliënt moet een waarde "
                                    "hebben", file, int(rows[i]), str(col)))
    # weighting characteristics in the file: codes as in the questionnaire (for the population file)
    from ceo.stats.weighting import DEFAULT_DIMENSIONS

    cells = {}
    for d in tuple(codebook.weighting_margins) or DEFAULT_DIMENSIONS:
        col = columns.get(d)
        if col is None:
            continue
        labels = codebook.labels(d)
        number = pd.to_numeric(data[col].astype(str).str.strip().str.replace(",", ".", regex=False),
                               errors="coerce")
        whole = number.notna() & (number == np.floor(number))
        ok = whole & (number.isin(list(labels)) if labels else whole)
        expected = ", ".join(f"{c} ({t})" for c, t in sorted(labels.items()))
        for i in np.flatnonzero(~ok.to_numpy()):
            v = data[col].iloc[i]
            problems.append(Problem(f"ongeldige code voor wegingskenmerk '{d}'; verwacht een van {expected}"
                                    if labels else f"ongeldige code voor wegingskenmerk '{d}'",
                                    file, int(rows[i]), str(col), None if pd.isna(v) else v))
        cells[d] = number.where(ok).astype("Int64")
    if problems:
        raise InputError(problems)
    return raw, codes.astype(str), strata_columns, cells


def plan_sample(project: Project, options: SampleOptions) -> SampleResult:
    """Plan (and with a client file: draw) the sample of one survey and edition, and write it."""
    from ceo.output.exports import write_csv
    from ceo.output.publish import transaction
    from ceo.stats import sampling
    from ceo.stats.weighting import read_population
    from ceo.validate.codebook import get_codebook
    from ceo.validate.registry import registry

    if options.population is None and options.client_file is None:
        raise InputError("geef een populatiebestand (--population) of een klantenbestand (--klantenbestand): "
                         "daaruit komt het aantal cliënten per gemeente")
    if options.strata and options.client_file is None:
        raise InputError("--strata werkt alleen met een klantenbestand (--klantenbestand)")
    codebook = get_codebook(options.survey, project.root)
    target = sample_dir(project, options.edition)
    drawn_path = target / f"{codebook.id}_steekproef.csv"
    if options.client_file is not None and drawn_path.exists() and not options.overwrite:
        raise InputError(f"voor {codebook.short_title} {options.edition} is al een steekproef getrokken "
                         f"({drawn_path}); geef --opnieuw om hem te vervangen door een nieuwe trekking")
    problems: list[Problem] = []
    population = client = None
    if options.population is not None:
        try:
            population = read_population(options.population, codebook)
        except InputError as exc:
            problems += exc.problems
    if options.client_file is not None:
        try:
            client = read_client_file(Path(options.client_file), project, tuple(options.strata), codebook)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)

    notices: list[str] = []
    reg = registry()
    if client is not None:
        raw, gem, strata_columns, cells = client
        big_n = gem.value_counts().sort_index().astype(float)
        if population is not None:
            other = population.totals.reindex(big_n.index)
            differ = [c for c in big_n.index if pd.isna(other[c]) or other[c] != big_n[c]]
            if differ:
                notices.append("het klantenbestand en het populatiebestand geven een ander aantal cliënten voor "
                               + ", ".join(reg.name(c) for c in differ) + "; de steekproef gaat uit van het "
                               "klantenbestand")
    else:
        big_n = population.totals.sort_index().astype(float)

    rates = pd.Series(options.response, index=big_n.index, dtype=float)
    source = pd.Series("opgegeven", index=big_n.index, dtype=object)
    if options.previous_response:
        year, measured = previous_response(project, codebook.id, options.edition)
        measured = measured.reindex(big_n.index)
        has = measured.notna()
        rates[has] = measured[has]
        source[has] = f"editie {year}"
        missing = [reg.name(c) for c in big_n.index[~has.to_numpy()]]
        if missing:
            notices.append(("geen gemeten respons in een eerdere editie" if year is None else
                            f"geen gemeten respons in editie {year}") + " voor " + ", ".join(missing)
                           + f"; daar is de opgegeven respons ({options.response:g}) gebruikt")
    plan = sampling.plan(big_n.to_numpy(), rates.to_numpy(), margin=options.margin, confidence=options.confidence,
                         p=options.p, deff=options.deff)
    plan.insert(0, "gemeentecode", big_n.index.astype(str))
    plan.insert(1, "gemeente", [reg.name(c) for c in big_n.index])
    plan["bron_respons"] = source.to_numpy()
    plan = plan[PLAN_COLUMNS]

    seed = None
    drawn = None
    population_file = None
    if client is not None:
        seed = options.seed if options.seed is not None else secrets.randbelow(10 ** 9)
        rng = np.random.default_rng(seed)
        keys = [gem.rename("gemeentecode")] + [raw.data[c].astype(str).rename(s) for s, c in strata_columns.items()]
        stratum_frame = pd.concat(keys, axis=1)
        stratum, uniques = pd.factorize(pd.MultiIndex.from_frame(stratum_frame), sort=True)
        sizes = pd.Series(np.bincount(stratum, minlength=len(uniques)), index=uniques)
        take = sampling.allocate(sizes, plan.set_index("gemeentecode")["bruto"])
        chosen = sampling.draw(stratum, take.to_numpy(), rng)
        drawn = raw.data[chosen]
        # the population file for weighting: clients and approached per gemeente × weighting characteristic
        frame = pd.DataFrame({"gemeentecode": gem.to_numpy(), **{d: v.to_numpy() for d, v in cells.items()},
                              "aangeschreven": chosen.astype(np.int64)})
        population_file = (frame.groupby(["gemeentecode", *cells], sort=True)
                           .agg(aantal=("aangeschreven", "size"), aangeschreven=("aangeschreven", "sum"))
                           .reset_index())
        realised = pd.Series(chosen).groupby(gem.to_numpy()).sum()
        assert (realised.reindex(plan["gemeentecode"]).to_numpy() == plan["bruto"].to_numpy()).all()

    settings = {"onderzoek": codebook.id, "editie": options.edition, "marge": options.margin,
                "betrouwbaarheid": options.confidence, "p": options.p, "deff": options.deff,
                "respons": options.response, "respons_vorige_editie": options.previous_response,
                "populatiebestand": Path(options.population).name if options.population else None,
                "klantenbestand": Path(options.client_file).name if options.client_file else None,
                "strata": list(options.strata), "seed": seed,
                "getrokken": int(len(drawn)) if drawn is not None else None}
    with transaction(project.root) as tx:
        stage = tx.stage(project.output_dir)
        out = stage / SAMPLE_DIR / str(options.edition)
        out.mkdir(parents=True, exist_ok=True)
        names = [f"{codebook.id}_plan.csv", f"{codebook.id}_steekproef.json"]
        write_csv(plan, out / names[0])
        if drawn is not None:
            write_csv(drawn, out / f"{codebook.id}_steekproef.csv")
            write_csv(population_file, out / f"{codebook.id}_populatie.csv")
            names += [f"{codebook.id}_steekproef.csv", f"{codebook.id}_populatie.csv"]
        (out / names[1]).write_text(json.dumps(settings, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return SampleResult(plan, target, [target / n for n in names], notices, seed,
                        int(len(drawn)) if drawn is not None else 0)
