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
from ceo.mapping import Mapping, load_mapping
from ceo.problems import CeoError, InputError, Problem
from ceo.project import Project
from ceo.publish import replace_directory
from ceo.readers import RawTable, read_table


@dataclass
class ProcessResult:
    survey: str
    edition: int
    n_respondents: int
    per_gemeente: dict[str, int]
    written: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def read_inputs(paths: list[Path], codebook: Codebook,
                mapping_path: Path | None) -> tuple[list[RawTable], Mapping | None]:
    """Read every input file and the mapping, collecting the problems of all of them."""
    problems: list[Problem] = []
    tables: list[RawTable] = []
    mapping = None
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
    if problems:
        raise InputError(problems)
    return tables, mapping


def load_survey(project: Project, survey: str, edition: int) -> Codebook:
    codebook = get_codebook(survey, project.root)
    if not codebook.covers(edition):
        raise InputError(f"vragenlijst '{survey}' geldt voor de jaren {codebook.years[0]} tot en "
                         f"met {codebook.years[1]}, niet voor editie {edition}")
    return codebook


def process(project: Project, survey: str, edition: int, inputs: list[Path],
            mapping_path: Path | None = None, processing_date: date | None = None) -> ProcessResult:
    """Validate and harmonise the deliveries of one survey and edition and write the outputs.

    Raises :class:`InputError` (nothing written) when any input is not usable.
    """
    if not inputs:
        raise InputError("geef minstens één invoerbestand op")
    codebook = load_survey(project, survey, edition)
    tables, mapping = read_inputs(inputs, codebook, mapping_path)
    harmonised = harmonise(tables, codebook, mapping)
    per_gemeente = harmonised.data["gemeentecode"].value_counts().sort_index().to_dict()
    notices = [n for t in tables for n in t.notices] + harmonised.notices
    written = write_microdata(project, codebook, edition, harmonised, notices,
                              processing_date or date.today())
    return ProcessResult(survey, edition, len(harmonised.data), per_gemeente, written, notices)


def export_frame(data: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The harmonised microdata as exported: bookkeeping columns renamed for SPSS."""
    out = data.rename(columns={"_bron": "bronbestand", "_rij": "bronrij"})
    cols = [c for c in out.columns if c not in ("bronbestand", "bronrij")]
    return out[cols + [c for c in ("bronbestand", "bronrij") if c in out]]


def write_microdata(project: Project, codebook: Codebook, edition: int, harmonised: Harmonised,
                    notices: list[str], processing_date: date) -> list[Path]:
    """Write ``uitvoer/<edition>/<survey>.sav``, ``.csv`` and the log, all-or-nothing."""
    target = project.output_dir / str(edition)
    frame = export_frame(harmonised.data, codebook)
    labels = {c: codebook.question(c) for c in frame.columns
              if c in codebook.variables or c in codebook.derived}
    labels.update(bronbestand="Bronbestand", bronrij="Rij in het bronbestand")
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
        log += ["", "Meldingen:"] + [f"  {n}" for n in notices or ["(geen)"]]
        (staging / names[2]).write_text("\n".join(log) + "\n", encoding="utf-8")
    return [target / n for n in names]
