"""What a run writes for the researcher and the site's downloads: CSV tables and the harmonised microdata
(``uitvoer/<editie>/<vragenlijst>.sav`` and ``.csv``), with text that a spreadsheet would run as a formula
neutralised, and a reproducible ``.sav`` header.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from ceo.core.safetext import neutralise_frame
from ceo.io.sitedata import read_json, reading
from ceo.validate.codebook import Codebook
from ceo.validate.harmonise import Harmonised


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8, comma, decimal point, full precision (repr of floats), LF line ends; text that a spreadsheet would
    run as a formula neutralised."""
    _to_csv(neutralise_frame(frame), path)


#: rows formatted at a time by :func:`_to_csv` (bounds the memory of the formatted text)
_CSV_ROWS = 32_768


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    """``frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\\n")``, byte for byte, faster.

    pandas formats a float64 column with numpy's ``astype(str)`` (the shortest repr, as ``repr(float)``);
    ``float.__repr__`` does the same in C several times faster. The rows go out in blocks so that only one
    block's text is in memory."""
    floats = [i for i, t in enumerate(frame.dtypes) if t == np.float64]
    with open(path, "w", encoding="utf-8", newline="") as f:
        for start in range(0, max(len(frame), 1), _CSV_ROWS):
            part = frame.iloc[start:start + _CSV_ROWS]
            if floats:
                part = part.copy()
                for i in floats:
                    values = part.iloc[:, i].to_numpy()
                    text = np.array(list(map(repr, values.tolist())), dtype=object)
                    text[np.isnan(values)] = None  # written as the empty na_rep, as pandas does for NaN
                    part.isetitem(i, text)
            part.to_csv(f, index=False, header=start == 0, lineterminator="\n")


def export_frame(data: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The harmonised microdata as exported: bookkeeping columns renamed for SPSS."""
    out = data.rename(columns={"_bron": "bronbestand", "_rij": "bronrij"})
    cols = [c for c in out.columns if c not in ("bronbestand", "bronrij")]
    return out[cols + [c for c in ("bronbestand", "bronrij") if c in out]]


def write_microdata(out_stage: Path, codebook: Codebook, edition: int, harmonised: Harmonised, weighting,
                    processing_date: date) -> list[Path]:
    """Write ``<edition>/<survey>.sav`` and ``.csv`` (harmonised microdata with the weight) into
    ``out_stage``, the new state of ``uitvoer/``."""
    target = out_stage / str(edition)
    target.mkdir(parents=True, exist_ok=True)
    frame = export_frame(harmonised.data, codebook)
    # a delivered weight column (--weight-column) is the weight itself: it is exported as 'gewicht'
    frame = frame.drop(columns=[c for c in ("gewicht",) if c in frame])
    frame.insert(2, "gewicht", weighting.weights.to_numpy(dtype="float64"))
    labels = {c: codebook.question(c) for c in frame.columns
              if c in codebook.variables or c in codebook.derived}
    labels.update(bronbestand="Bronbestand", bronrij="Rij in het bronbestand",
                  gewicht=f"Weegfactor ({weighting.method})")
    value_labels = {c: {float(k): v for k, v in codebook.labels(c).items()}
                    for c in frame.columns if codebook.labels(c)}
    sav, csv = target / f"{codebook.id}.sav", target / f"{codebook.id}.csv"
    # a line break in an open answer becomes LF (quoted in the CSV), every other control character a space
    frame = normalise_controls(frame)
    pyreadstat.write_sav(frame, sav, column_labels=labels, variable_value_labels=value_labels)
    stamp_sav(sav, processing_date)
    # open answers that a spreadsheet would run as a formula are neutralised
    text = neutralise_frame(frame)
    _to_csv(text, csv)
    verify_csv(text, csv)
    return [sav, csv]


#: control characters a CSV reader (or a spreadsheet, or str.splitlines) may take for the end of a row or
#: drop: C0 except tab and LF, DEL, C1 (NEL among them), LINE/PARAGRAPH SEPARATOR
_CONTROLS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]"


def normalise_controls(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with CR LF and a bare CR as LF (a line break stays a line break, quoted in the CSV) and
    every other control character as a space, so the microdata CSV round-trips exactly (one row per respondent).
    Returns ``frame`` itself when nothing changes."""
    out = frame
    for i, dtype in enumerate(frame.dtypes):
        if not (pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)):
            continue
        col = frame.iloc[:, i]
        kind = pd.api.types.infer_dtype(col, skipna=True)
        if kind == "string":
            text = col.dropna()
        elif kind.startswith("mixed"):
            text = col[col.map(type).eq(str).to_numpy()]
        else:
            continue
        if text.empty:
            continue
        hit = text.str.contains(_CONTROLS, regex=True).to_numpy()
        if not hit.any():
            continue
        fixed = (text[hit].str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
                 .str.replace(_CONTROLS, " ", regex=True))
        if out is frame:
            out = frame.copy()
        new = col.copy()
        new.loc[fixed.index] = fixed
        out.isetitem(i, new)
    return out


def verify_csv(frame: pd.DataFrame, path: Path) -> None:
    """Read ``path`` back (in blocks) and compare every field with ``frame`` as :func:`_to_csv` wrote it: same
    columns, same number of rows, same text. A difference is refused (nothing is published)."""
    from ceo.core.problems import InputError

    floats = {i for i, t in enumerate(frame.dtypes) if t == np.float64}
    reader = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, chunksize=_CSV_ROWS,
                         encoding="utf-8")
    seen = 0
    for chunk in reader:
        if list(chunk.columns) != [str(c) for c in frame.columns]:
            raise InputError(f"{path.name}: de kolommen komen bij teruglezen anders terug; er is niets gepubliceerd")
        part = frame.iloc[seen:seen + len(chunk)]
        if len(part) != len(chunk):
            seen += len(chunk) + sum(len(c) for c in reader)
            break
        for i in range(part.shape[1]):
            values = part.iloc[:, i]
            if i in floats:
                v = values.to_numpy()
                expected = np.array(list(map(repr, v.tolist())), dtype=object)
                expected[np.isnan(v)] = ""
            else:
                expected = values.astype(object).where(values.notna(), "").astype(str).to_numpy()
            got = chunk.iloc[:, i].to_numpy(dtype=object)
            bad = np.flatnonzero(expected != got)
            if len(bad):
                row = seen + int(bad[0])
                raise InputError(f"{path.name}: rij {row + 2}, kolom '{frame.columns[i]}' komt bij teruglezen anders "
                                 f"terug ({got[bad[0]]!r} in plaats van {expected[bad[0]]!r}); er is niets "
                                 "gepubliceerd. Dit is een fout in ceo; meld hem")
        seen += len(chunk)
    if seen != len(frame):
        raise InputError(f"{path.name}: bij teruglezen {seen} rijen in plaats van {len(frame)} (één per respondent); "
                         "er is niets gepubliceerd. Dit is een fout in ceo; meld hem")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def stamp_sav(path: Path, day: date) -> None:
    """Set the creation date in the header of an SPSS file to ``day`` 00:00:00.

    readstat writes the wall-clock time there; with the processing date instead the same input
    gives the same bytes (reproducible output). The header is ``$FL2``, 60 bytes product name,
    five 4-byte integers and an 8-byte bias, then the date (``dd Mon yy``) and time (``hh:mm:ss``).
    """
    stamp = f"{day.day:02d} {_MONTHS[day.month - 1]} {day.year % 100:02d}00:00:00".encode("ascii")
    with open(path, "r+b") as f:
        head = f.read(4)
        if head not in (b"$FL2", b"$FL3"):
            return
        f.seek(92)
        f.write(stamp)


def archive_microdata(site_stage: Path, out_stage: Path, survey_id: str, edition: int) -> None:
    """Before a new revision overwrites them: keep the current microdata of the published revision in
    ``uitvoer/<editie>/revisies/revisie-<k>/`` (for the disclosure check of later revisions)."""
    from ceo.output.revisions import archive_dir

    meta_path = site_stage / str(edition) / "data" / f"{survey_id}.json"
    current = out_stage / str(edition) / f"{survey_id}.csv"
    if not (meta_path.is_file() and current.is_file()):
        return
    meta = read_json(meta_path)
    with reading(meta_path):
        k = int(meta.get("revisie", 1))
    target = archive_dir(out_stage / str(edition), k)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(current, target / f"{survey_id}_microdata.csv")
