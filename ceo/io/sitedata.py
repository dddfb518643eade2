"""Reading the published data back (``site/<jaar>/data/*.json`` and ``*.csv``) with a Dutch error for a
damaged file.

ceo reads its own published tables again for the next edition (comparisons with the previous one), a
revision and ``ceo site``. Such a file can be damaged outside ceo (an editor, a half-copied folder, a merge
conflict in git). :func:`reading` turns what goes wrong while reading one into an
:class:`~ceo.core.problems.InputError` naming the file (exit code 2, nothing written), instead of an internal
error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ceo.core.problems import CeoError, InputError, Problem

#: columns every published results table has (a file without them is not one of ceo's tables)
RESULT_COLUMNS = ("gebied_code", "gebied_naam", "gebied_niveau", "indicator", "waarde", "onderdrukt")


def _shown(path: Path) -> str:
    """The path from the project directory on (``site/2024/data/wmo.json``) where it can be found."""
    parts = Path(path).parts
    if len(parts) >= 3 and parts[-2] == "data" and parts[-3].isdigit():  # (also in a staged copy of site/)
        return "site/" + "/".join(parts[-3:])
    for top in ("site", "uitvoer"):
        if top in parts:
            i = len(parts) - 1 - parts[::-1].index(top)
            return Path(*parts[i:]).as_posix()
    return Path(path).name


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Run the reading of ``path`` (a published data file); a damaged file becomes a located Dutch error."""
    try:
        yield
    except CeoError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, OSError) as exc:
        if isinstance(exc, json.JSONDecodeError):
            detail = "geen geldige JSON"
        elif isinstance(exc, UnicodeDecodeError):
            detail = "geen UTF-8-tekst"
        elif isinstance(exc, KeyError):
            detail = f"er ontbreekt {exc.args[0] if exc.args else exc}"
        else:
            detail = "de inhoud is niet te lezen"
        raise InputError(Problem(f"dit gepubliceerde bestand van ceo is beschadigd ({detail}). Zet het terug uit een "
                                 "reservekopie of versiebeheer (git), of verwerk de editie opnieuw; er is niets "
                                 "gewijzigd", _shown(path))) from None


def read_json(path: Path) -> dict:
    """A published metadata file (``<onderzoek>.json``): an object with the key ``onderzoek``."""
    with reading(path):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("onderzoek"), str):
            raise KeyError("de sleutel 'onderzoek'")
        return data


def check_columns(frame, path: Path, columns: tuple[str, ...] = RESULT_COLUMNS):
    """``frame`` when it has every column in ``columns``; else the located error of :func:`reading`."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        with reading(path):
            names = ", ".join(f"'{c}'" for c in missing)
            raise KeyError(("de kolom " if len(missing) == 1 else "de kolommen ") + names)
    return frame
