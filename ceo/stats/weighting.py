r"""Weighting of CEO respondents to the client population of each gemeente, vectorised.

Population file
---------------
``--population FILE`` is a CSV table (``,``, ``;`` or tab; UTF-8 with or without BOM, UTF-16 or
Windows-1252; title rows above the header are skipped), an Excel ``.xlsx`` or an SPSS ``.sav`` file,
read by the same reader as the fieldwork files (:func:`ceo.io.readers.read_table`, every column as
the file's text), with a column ``gemeentecode`` (CBS code, ``505`` or an official name), optionally one or more
cell columns (the weighting characteristics of the codebook, for the Wmo ``leeftijdsklasse``,
``geslacht`` and ``voorziening``, coded as in the codebook) and ``aantal`` (the number of clients,
a whole number >= 0). Without cell columns there is one row per gemeente; with cell columns one
row per combination (a missing combination has 0 clients). An optional column ``aangeschreven`` gives the
clients approached for the survey in that row (gemeente or cell; a whole number, at most ``aantal``, in
every row): :mod:`ceo.stats.response` then computes the response and representativeness. Every problem
is reported at once with file, row, column and value (:func:`read_population`).

Weights
-------
:func:`compute_weights` works within each gemeente ``h`` (``n_h`` respondents, population
``N_h``) and for all gemeenten at once: every step is a group-by over (gemeente, category) keys
with :func:`numpy.bincount`; there is no Python loop over gemeenten except to describe collapsed
categories, which only touches gemeenten that need it.

* no population file and no weight column: unweighted (every weight 1);
* ``weight_column``: the delivered weights are used unchanged (after validation); a population
  file then only gives the finite population correction;
* population without cell columns: design weights ``N_h / n_h``;
* population with cells, ``method="poststratificatie"``: ``w = N_c / n_c`` within every cell
  ``c`` of the full cross-classification of the cell columns (R: ``postStratify``);
* population with cells, ``method="raking"``: iterative proportional fitting to the margins of
  each cell column, starting from ``N_h / n_h``, until every weighted margin is within a
  relative ``1e-10`` of its target (at most 100 iterations; R: ``rake``). IPF can converge very
  slowly when the sample covers few cells of the cross-classification (0.1 % off after 100
  passes); in a gemeente where it has not converged the weights are completed by Newton's method
  on the raking dual, which has the same solution (the limit of ``rake`` with enough
  iterations), and only where that fails too a notice says the weighting did not converge.
  Raking uses only the
  margins, so a population file with the full cross-classification and one with cells that only
  add up to the right margins give the same weights.

Respondents with a missing weighting characteristic
    A respondent without a code in one of the cell columns used (e.g. no age) cannot be placed in
    a cell. Such respondents keep the design weight ``N_h / n_h`` of their gemeente. The other
    ``n_h - m_h`` respondents are calibrated to the population scaled by ``(n_h - m_h) / n_h``, so
    the weights of the gemeente still add up to ``N_h`` and the respondents with a missing value
    get exactly the mean weight of their gemeente. (In R: calibrate the complete respondents with
    the margins multiplied by ``(n_h - m_h) / n_h`` and give the others ``N_h / n_h``.) This is a
    missing-at-random assumption within the gemeente, stated in a notice.

Small and empty categories
    A population category (raking: a category of one cell column; post-stratification: a cell)
    with clients but fewer than ``min_cell`` respondents is merged with the next category (next
    code in codebook order; the previous one for the last), repeatedly, until every merged
    category has ``min_cell`` respondents or the whole characteristic is one category (it then
    has no effect). Categories without clients in the population and without respondents are
    ignored. A category with respondents but 0 clients in the population is a problem in the
    input (:func:`check_against_sample`). A notice per gemeente names the merged categories.

Trimming
    A notice warns when a weight exceeds ``trim_warn`` times the mean weight of its gemeente
    (``N_h / n_h``). Weights above ``trim_cap`` times that mean are set to the cap and held
    fixed while the other respondents are raked again to the same targets (cap + rake repeated
    until no weight exceeds the cap, at most 20 rounds), so the margins stay exact. With
    post-stratification all weights of a cell are equal, so a capped cell cannot be re-weighted
    to its own total: the other respondents of the gemeente are scaled up so that the gemeente
    total stays ``N_h`` (the capped cells are then below their population count; the notice says
    so). Delivered weights (``weight_column``) are never changed, only warned about.

Per gemeente the result reports ``n``, ``N``, Kish's effective sample size
``n_eff = (sum w)^2 / sum w^2``, Kish's weighting effect ``deff_gewicht = n / n_eff``, the
smallest and largest weight, the number of trimmed weights and the number of respondents with a
missing weighting characteristic. With raking and post-stratification the result also carries the
calibration cells of every respondent (``WeightingResult.calibration``), so that
:func:`ceo.stats.estimation.domain_estimates` gives the SEs of R's ``rake()``/``postStratify()`` design
(see "Calibrated weights" in :mod:`ceo.stats.estimation`, also for trimming and merged categories).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ceo.core.problems import InputError, Problem
from ceo.core.texts import join_and, join_or, number
from ceo.io.readers import read_table
from ceo.stats.estimation import Calibration
from ceo.validate.codebook import Codebook
from ceo.validate.registry import registry

__all__ = [
    "Population",
    "WeightingResult",
    "check_against_sample",
    "compute_weights",
    "read_population",
]

#: cell columns when a codebook names no weighting characteristics
DEFAULT_DIMENSIONS = ("leeftijdsklasse", "geslacht", "voorziening")
METHODS = ("raking", "poststratificatie")
#: raking stops when every weighted margin is within this relative distance of its target
EPSILON = 1e-10
MAX_ITERATIONS = 100
#: Newton steps on the raking dual for the strata in which IPF has not converged after that
MAX_NEWTON_STEPS = 50
MAX_TRIM_ROUNDS = 20
#: a weight counts as above the cap only beyond this relative tolerance (rounding)
#: a weight below this fraction of N_h/n_h after trimming counts as collapsed to zero
_MIN_WEIGHT = 0.01
#: a delivered weight above this is a mistake (more than the largest gemeente has inhabitants)
MAX_WEIGHT = 10_000_000.0
#: a population count above this is a mistake (more than the Netherlands has inhabitants)
MAX_POPULATION_COUNT = 20_000_000
#: delivered weights concentrated on a few respondents are refused (see _concentrated_weights)
MAX_WEIGHT_SHARE = 0.5
MIN_N_EFF_SHARE = 0.1
CONCENTRATION_MIN_N = 5
_CAP_TOLERANCE = 1e-9


# --------------------------------------------------------------------------------------------
# Wording helpers
# --------------------------------------------------------------------------------------------


def _gemeente(code: str) -> str:
    """``GM0505 (Dordrecht)``; only the code for a code the registry does not know."""
    gemeenten = registry().gemeenten
    return f"{code} ({gemeenten[code].name})" if code in gemeenten else str(code)


_and, _or = join_and, join_or


def _code_label(code: int, labels: Mapping[int, str]) -> str:
    return f"{code} ({labels[code]})" if code in labels else str(code)


_nl_number = number


def _factor(x: float) -> str:
    return _nl_number(x, 0) if float(x).is_integer() else _nl_number(x, 2).rstrip("0")


def _plural(n: int, one: str, more: str) -> str:
    return f"{n} {one if n == 1 else more}"


# --------------------------------------------------------------------------------------------
# Population
# --------------------------------------------------------------------------------------------


@dataclass
class Population:
    """Client numbers per gemeente, optionally per cell of the weighting characteristics.

    ``cells`` has the columns ``gemeentecode``, the cell columns (``dimensions``, int codes) and
    ``aantal`` (one row per cell; a missing cell has 0 clients); ``totals`` is ``N_h`` per
    gemeente (float, index ``gemeentecode``); ``labels`` maps each cell column to its code
    labels (for messages).
    """

    path: Path | None
    cells: pd.DataFrame
    dimensions: tuple[str, ...]
    totals: pd.Series
    labels: dict[str, dict[int, str]] = field(default_factory=dict)
    #: gemeentecode → the rows of the population file that give its clients (for messages)
    source_rows: dict[str, list[int]] = field(default_factory=dict)
    #: the optional column ``aangeschreven`` (clients approached): ``gemeentecode, *dimensions,
    #: aangeschreven, rij`` (one row per row of the file), or None when the file has no such column
    approached: pd.DataFrame | None = None

    @classmethod
    def from_cells(cls, cells: pd.DataFrame, dimensions: Sequence[str] = (),
                   labels: Mapping[str, Mapping[int, str]] | None = None,
                   path: str | Path | None = None) -> Population:
        """A population from a table ``gemeentecode``, ``dimensions``..., ``aantal``."""
        dims = tuple(dimensions)
        frame = cells[["gemeentecode", *dims, "aantal"]].copy()
        frame["gemeentecode"] = frame["gemeentecode"].astype(str).astype(object)
        for d in dims:
            frame[d] = frame[d].astype(np.int64)
        frame["aantal"] = frame["aantal"].astype(float)
        frame = frame.reset_index(drop=True)
        totals = frame.groupby("gemeentecode", sort=True)["aantal"].sum().astype(float)
        totals.name = "N"
        lab = {d: dict((labels or {}).get(d, {})) for d in dims}
        return cls(Path(path) if path is not None else None, frame, dims, totals, lab)

    @property
    def file_name(self) -> str | None:
        return self.path.name if self.path is not None else None

    def margins(self) -> dict[str, pd.Series]:
        """Per cell column: clients per (gemeentecode, code), a Series with a 2-level index."""
        return {d: self.cells.groupby(["gemeentecode", d], sort=True)["aantal"].sum()
                for d in self.dimensions}

    def restrict(self, dimensions: Sequence[str]) -> Population:
        """The same population by fewer cell columns (cells summed over the others)."""
        dims = tuple(dimensions)
        unknown = [d for d in dims if d not in self.dimensions]
        if unknown:
            raise ValueError(f"het populatiebestand heeft geen kolom(men) {', '.join(unknown)}")
        cells = self.cells.groupby(["gemeentecode", *dims], sort=True, as_index=False)["aantal"].sum()
        restricted = Population.from_cells(cells, dims, self.labels, self.path)
        restricted.source_rows = self.source_rows
        return restricted


_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")


#: what the file reader says about an empty supplied table, in the words of the population file
_READER_WORDS = {"het bestand is leeg": "het populatiebestand is leeg"}


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (row number as the user sees it, fields as text) of the non-empty rows, read by
    :func:`ceo.io.readers.read_table` (CSV in every encoding and delimiter it knows, title rows
    above the header, Excel, SPSS), every column as the file's text."""
    try:
        raw = read_table(path, text_columns=True, allow_no_rows=True)
    except InputError as exc:
        raise InputError([Problem(_READER_WORDS.get(pr.message, pr.message), pr.file, pr.row, pr.column, pr.value)
                          for pr in exc.problems]) from None
    header = [str(c) for c in raw.data.columns]
    columns = [raw.data[c].to_numpy(dtype=object) for c in raw.data.columns]
    texts = [[v if isinstance(v, str) else "" if pd.isna(v) else str(v) for v in col] for col in columns]
    rows = [(int(r), [col[i] for col in texts]) for i, r in enumerate(raw.row_numbers.tolist())]
    return header, rows


def _parse_count(text: str) -> float | None:
    """A whole number >= 0, or None."""
    t = text.strip().replace(" ", "")
    if _THOUSANDS.match(t):
        return None  # "1.234": thousands separator or decimal? refuse rather than guess
    try:
        x = float(t.replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(x) or x < 0 or not x.is_integer():
        return None
    return x


def _parse_code(text: str) -> int | None:
    t = text.strip().replace(",", ".")
    try:
        x = float(t)
    except ValueError:
        return None
    return int(x) if math.isfinite(x) and x.is_integer() else None


def _expected_codes(labels: Mapping[int, str]) -> str:
    return "verwacht een van " + _or([_code_label(c, labels) for c in sorted(labels)])


def read_population(path: str | Path, codebook: Codebook) -> Population:
    """Read and check a population file; raises :class:`InputError` with every problem found."""
    path = Path(path)
    file = path.name
    allowed = tuple(codebook.weighting_margins) or DEFAULT_DIMENSIONS
    if not path.is_file():
        raise InputError(Problem("bestand niet gevonden", str(path)))
    header, rows = _read_rows(path)
    if not header:
        raise InputError(Problem("het populatiebestand is leeg", file))
    problems: list[Problem] = []
    names = [h.strip().lower() for h in header]
    columns: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            if any(i < len(f) and f[i].strip() for _, f in rows):
                problems.append(Problem("kolom zonder naam in de kopregel", file))
            continue
        if name in columns:
            problems.append(Problem(f"kolom '{name}' komt twee keer voor in de kopregel", file))
            continue
        if name not in ("gemeentecode", "aantal", "aangeschreven", *allowed):
            kinds = "gemeentecode, aantal, aangeschreven of celkenmerk (" + ", ".join(allowed) + ")"
            problems.append(Problem(f"kolom '{header[i].strip()}' is geen {kinds}", file))
            continue
        columns[name] = i
    for required in ("gemeentecode", "aantal"):
        if required not in columns:
            problems.append(Problem(
                f"verplichte kolom '{required}' ontbreekt (nodig: gemeentecode en aantal; optioneel: "
                + ", ".join((*allowed, "aangeschreven")) + ")", file))
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError(Problem("het populatiebestand bevat geen rijen, alleen een kopregel", file))

    dims = tuple(d for d in allowed if d in columns)
    labels = {d: codebook.labels(d) for d in dims}
    reg = registry()
    resolved: dict[str, object] = {}
    records: list[tuple] = []
    seen: dict[tuple, int] = {}
    source_rows: dict[str, list[int]] = {}
    for line, fields in rows:
        def get(col: str, fields: list[str] = fields) -> str:
            i = columns[col]
            return fields[i] if i < len(fields) else ""

        ok = True
        raw_code = get("gemeentecode").strip()
        if raw_code not in resolved:
            resolved[raw_code] = reg.resolve(raw_code)
        res = resolved[raw_code]
        if res.code is None:
            problems.append(Problem(res.problem, file, line, "gemeentecode", raw_code or None))
            ok = False
        cell = []
        for d in dims:
            raw = get(d).strip()
            code = _parse_code(raw) if raw else None
            if not raw:
                problems.append(Problem(f"code ontbreekt; {_expected_codes(labels[d])}", file, line, d))
                ok = False
            elif code is None or (labels[d] and code not in labels[d]):
                problems.append(Problem(f"ongeldige code; {_expected_codes(labels[d])}", file, line, d, raw))
                ok = False
            cell.append(code)
        raw_n = get("aantal").strip()
        count = _parse_count(raw_n) if raw_n else None
        if not raw_n:
            problems.append(Problem("aantal ontbreekt", file, line, "aantal"))
            ok = False
        elif count is None:
            problems.append(Problem("aantal moet een geheel getal van 0 of meer zijn (zonder scheidingsteken "
                                    "voor duizendtallen)", file, line, "aantal", raw_n))
            ok = False
        elif count > MAX_POPULATION_COUNT:
            problems.append(Problem("aantal is onmogelijk groot: meer dan er mensen in Nederland wonen", file, line,
                                    "aantal", raw_n))
            ok = False
            count = None
        approached = None
        if "aangeschreven" in columns:
            raw_a = get("aangeschreven").strip()
            approached = _parse_count(raw_a) if raw_a else None
            what = "cel" if dims else "gemeente"
            if not raw_a:
                problems.append(Problem(f"aangeschreven ontbreekt; geef bij elke {what} het aantal aangeschreven "
                                        "cliënten (0 als er niemand is aangeschreven)", file, line, "aangeschreven"))
                ok = False
            elif approached is None:
                problems.append(Problem("aangeschreven moet een geheel getal van 0 of meer zijn (zonder "
                                        "scheidingsteken voor duizendtallen)", file, line, "aangeschreven", raw_a))
                ok = False
            elif count is not None and approached > count:
                problems.append(Problem(f"meer aangeschreven dan cliënten in deze {what} (aantal = {int(count)})",
                                        file, line, "aangeschreven", raw_a))
                ok = False
        if res.code is not None and all(c is not None for c in cell):
            key = (res.code, *cell)
            if key in seen:
                what = " × ".join([f"cel {_gemeente(res.code)}"]
                                  + [f"{d} {_code_label(c, labels[d])}" for d, c in zip(dims, cell, strict=True)])
                if not dims:
                    what = f"gemeente {_gemeente(res.code)}"
                problems.append(Problem(f"{what} komt dubbel voor (ook in rij {seen[key]})", file, line,
                                        "gemeentecode", raw_code))
                ok = False
            else:
                seen[key] = line
        if ok:
            records.append((res.code, *cell, count, approached, line))
            source_rows.setdefault(res.code, []).append(line)
    if problems:
        raise InputError(problems)
    table = pd.DataFrame.from_records(records, columns=["gemeentecode", *dims, "aantal", "aangeschreven", "rij"])
    table = table.sort_values(["gemeentecode", *dims], kind="stable", ignore_index=True)
    population = Population.from_cells(table, dims, labels, path)
    population.source_rows = source_rows
    if "aangeschreven" in columns:
        approached = table[["gemeentecode", *dims, "aangeschreven", "rij"]].copy()
        approached["aangeschreven"] = approached["aangeschreven"].astype(np.int64)
        approached["rij"] = approached["rij"].astype(np.int64)
        population.approached = approached
    return population


# --------------------------------------------------------------------------------------------
# Population against the sample
# --------------------------------------------------------------------------------------------


@dataclass
class _Cat:
    """The categories of one calibration margin: one cell column, or the cross of several."""

    name: str  # "leeftijdsklasse", or "leeftijdsklasse × geslacht"
    dims: tuple[str, ...]
    codes: list[tuple[int, ...]]  # category -> code per dim, in codebook order

    @property
    def size(self) -> int:
        return len(self.codes)

    def describe(self, k: int, labels: Mapping[str, Mapping[int, str]], with_dim: bool = True) -> str:
        parts = [(f"{d} " if with_dim else "") + _code_label(c, labels.get(d, {}))
                 for d, c in zip(self.dims, self.codes[k], strict=True)]
        return " × ".join(parts)


def _categories(dims: Sequence[str], population: Population, data: pd.DataFrame) -> _Cat:
    """All codes (codebook labels, population and data) of the cross of ``dims``."""
    per_dim = []
    for d in dims:
        codes = set(population.labels.get(d, {})) | set(population.cells[d].unique().tolist())
        values = pd.to_numeric(data[d], errors="coerce").to_numpy(dtype=float) if d in data else []
        values = np.unique(np.asarray(values)[np.isfinite(values)]) if len(values) else []
        codes |= {int(v) for v in values if float(v).is_integer()}
        per_dim.append(sorted(codes))
    combos: list[tuple[int, ...]] = [()]
    for codes in per_dim:
        combos = [(*c, x) for c in combos for x in codes]
    return _Cat(" × ".join(dims), tuple(dims), combos)


def _category_index(cat: _Cat, data: pd.DataFrame) -> np.ndarray:
    """Category index of every row, -1 where a code is missing (or not a whole number)."""
    idx = np.zeros(len(data), dtype=np.int64)
    valid = np.ones(len(data), dtype=bool)
    stride = 1
    for pos in range(len(cat.dims) - 1, -1, -1):
        d = cat.dims[pos]
        codes = sorted({c[pos] for c in cat.codes})
        values = pd.to_numeric(data[d], errors="coerce").to_numpy(dtype=float)
        lookup = pd.Index(np.asarray(codes, dtype=float))
        j = lookup.get_indexer(values)
        valid &= j >= 0
        idx += np.where(j >= 0, j, 0) * stride
        stride *= len(codes)
    return np.where(valid, idx, -1)


def _population_matrix(cat: _Cat, population: Population, strata: pd.Index) -> np.ndarray:
    """Clients per (stratum, category) as a dense array; strata absent from the file get 0."""
    cells = population.cells
    g = strata.get_indexer(cells["gemeentecode"])
    k = _category_index(cat, cells)
    ok = (g >= 0) & (k >= 0)
    flat = np.bincount(g[ok] * cat.size + k[ok], weights=cells["aantal"].to_numpy(float)[ok],
                       minlength=len(strata) * cat.size)
    return flat.reshape(len(strata), cat.size)


def _rows_text(rows: Sequence[int]) -> str:
    """``"6, 7 en 9"``, ``"6 tot en met 101"`` (consecutive), ``"6, 8, 10, 12, 14 en nog 20"``."""
    rows = sorted(rows)
    if len(rows) > 5 and rows[-1] - rows[0] == len(rows) - 1:
        return f"{rows[0]} tot en met {rows[-1]}"
    if len(rows) > 5:
        return ", ".join(str(r) for r in rows[:5]) + f" en nog {len(rows) - 5}"
    return _and([str(r) for r in rows])


def _first_rows(data: pd.DataFrame, codes: np.ndarray, n_strata: int) -> list[str]:
    """Per stratum, " (n respondenten; de eerste in FILE, rij R)" when the data say where they come from."""
    if "_bron" not in data or "_rij" not in data or len(data) == 0:
        return [""] * n_strata
    n = np.bincount(codes[codes >= 0], minlength=n_strata)
    first = np.full(n_strata, -1)
    order = np.flatnonzero(codes >= 0)[::-1]
    first[codes[order]] = order  # the last assignment wins: the first row of every stratum
    sources, rows = data["_bron"].to_numpy(object), data["_rij"].to_numpy()
    return [f" ({_plural(int(n[h]), 'respondent', 'respondenten')}; de eerste in {sources[first[h]]}, "
            f"rij {int(rows[first[h]])})" if first[h] >= 0 else "" for h in range(n_strata)]


def _margin_sets(population: Population, method: str) -> list[tuple[str, ...]]:
    if not population.dimensions:
        return []
    if method == "poststratificatie":
        return [population.dimensions]
    return [(d,) for d in population.dimensions]


def check_against_sample(population: Population, data: pd.DataFrame, *,
                         method: str = "raking") -> list[Problem]:
    """Problems of the population file given the respondents (empty list: usable).

    Every gemeente of the data must be in the file with ``N >= n``, and every category of a
    cell column that has respondents must have clients (``method="poststratificatie"``: every
    cell of the cross-classification).
    """
    file = population.file_name
    problems: list[Problem] = []
    for d in population.dimensions:
        if d not in data.columns:
            problems.append(Problem(f"kolom '{d}' ontbreekt in de gegevens; die is nodig voor de weging "
                                    "naar het populatiebestand", file))
    if problems or len(data) == 0:
        return problems
    codes, strata = pd.factorize(data["gemeentecode"].astype(object), sort=True)
    strata = pd.Index(strata)
    n_h = np.bincount(codes[codes >= 0], minlength=len(strata))
    big_n = population.totals.reindex(strata)
    first_in_data = _first_rows(data, codes, len(strata))
    for h, code in enumerate(strata):
        if pd.isna(big_n.iloc[h]):
            problems.append(Problem(f"gemeente {_gemeente(code)} komt voor in de data{first_in_data[h]} maar niet "
                                    "in het populatiebestand", file))
        elif big_n.iloc[h] < n_h[h]:
            rows = population.source_rows.get(code, [])
            summed = f"; N is de som van rij {_rows_text(rows)}" if len(rows) > 1 else ""
            problems.append(Problem(f"populatie van gemeente {_gemeente(code)} is kleiner dan het aantal "
                                    f"respondenten (N = {int(big_n.iloc[h])}, n = {n_h[h]}{summed})", file,
                                    rows[0] if rows else None, "aantal" if len(rows) == 1 else None,
                                    int(big_n.iloc[h]) if len(rows) == 1 else None))
    for dims in _margin_sets(population, method):
        cat = _categories(dims, population, data)
        k = _category_index(cat, data)
        ok = (k >= 0) & (codes >= 0)
        sample = np.bincount(codes[ok] * cat.size + k[ok], minlength=len(strata) * cat.size)
        sample = sample.reshape(len(strata), cat.size)
        pop = _population_matrix(cat, population, strata)
        known = big_n.notna().to_numpy()[:, None]
        for h, j in zip(*np.nonzero((sample > 0) & (pop == 0) & known), strict=True):
            what = "in cel" if len(dims) > 1 else "met"
            problems.append(Problem(
                f"gemeente {_gemeente(strata[h])}: {_plural(int(sample[h, j]), 'respondent', 'respondenten')} "
                f"{what} {cat.describe(j, population.labels)}, maar volgens het populatiebestand zijn daar "
                "0 cliënten", file))
    return problems


# --------------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------------


@dataclass
class WeightingResult:
    """The weights of one run and how they were made.

    ``weights`` is aligned with the data index (all 1.0 when unweighted); ``method`` is the Dutch
    description shown on the site and in the log; ``population_totals`` maps gemeentecode to
    ``N_h`` (for the finite population correction; ``None`` without population file);
    ``notices`` are Dutch messages for the log; ``per_gemeente`` has the columns
    ``gemeentecode, n, N, n_eff, deff_gewicht, w_min, w_max, trimmed, n_missing``; ``targets`` (only for
    raking and post-stratification) has per gemeente and calibration category (after merging)
    the target total and the weighted total reached: ``gemeentecode, dimension, codes, target,
    achieved`` (``codes`` such as ``"7+8"``, or ``"1/2"`` for a cell). ``calibration`` (only
    for raking and post-stratification) gives the calibration cell of every respondent per margin
    (after merging; respondents with a missing weighting characteristic form one extra cell per
    gemeente in every margin), for the calibration-aware variance of
    :func:`ceo.stats.estimation.domain_estimates`; ``None`` for fixed weights (delivered, design or
    none).
    """

    weights: pd.Series
    weighted: bool
    method: str
    population_totals: dict[str, float] | None
    notices: list[str]
    per_gemeente: pd.DataFrame
    targets: pd.DataFrame | None = None
    converged: bool = True
    calibration: Calibration | None = None


def _per_gemeente(codes: np.ndarray, strata: pd.Index, w: np.ndarray, big_n: np.ndarray,
                  trimmed: np.ndarray | None = None, missing: np.ndarray | None = None) -> pd.DataFrame:
    g = len(strata)
    n = np.bincount(codes, minlength=g).astype(float)
    sw = np.bincount(codes, weights=w, minlength=g)
    sw2 = np.bincount(codes, weights=w * w, minlength=g)
    w_min = np.full(g, np.inf)
    w_max = np.full(g, -np.inf)
    np.minimum.at(w_min, codes, w)
    np.maximum.at(w_max, codes, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = sw * sw / sw2
    return pd.DataFrame({
        "gemeentecode": np.asarray(strata, dtype=object),
        "n": n.astype(np.int64),
        "N": big_n,
        "n_eff": n_eff,
        "deff_gewicht": n / n_eff,
        "w_min": w_min,
        "w_max": w_max,
        "trimmed": np.zeros(g, np.int64) if trimmed is None else trimmed.astype(np.int64),
        "n_missing": np.zeros(g, np.int64) if missing is None else missing.astype(np.int64),
    })


def _weight_column(data: pd.DataFrame, column: str, file_name: str | None) -> np.ndarray:
    """The delivered weights as floats; raises InputError listing every unusable value."""
    if column not in data.columns:
        raise InputError(Problem(f"kolom '{column}' met de gewichten ontbreekt in de gegevens", file_name))
    raw = data[column]
    if raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype):
        text = raw.astype(object).where(raw.notna(), None)
        cleaned = text.map(lambda v: None if v is None else str(v).strip().replace(",", "."))
        cleaned = cleaned.map(lambda v: None if v == "" else v)
        values = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
        blank = cleaned.isna().to_numpy()
    else:
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        blank = raw.isna().to_numpy()
    bad = ~np.isfinite(values) | (values <= 0) | (values > MAX_WEIGHT)
    files = data["_bron"].to_numpy(object) if "_bron" in data else np.full(len(data), file_name, object)
    rows = data["_rij"].to_numpy() if "_rij" in data else np.full(len(data), None, object)

    def where(i: int) -> tuple[str | None, int | None]:
        row = None if rows[i] is None or pd.isna(rows[i]) else int(rows[i])
        file = None if files[i] is None or pd.isna(files[i]) else str(files[i])
        return file, row

    if not bad.any():
        problems = _concentrated_weights(data, values, column, where)
        if problems:
            raise InputError(problems)
        return values
    raw_values = raw.to_numpy(object)
    problems = []
    for i in np.flatnonzero(bad):
        file, row = where(i)
        if blank[i]:
            problems.append(Problem("gewicht ontbreekt", file, row, column))
        elif np.isinf(values[i]):
            problems.append(Problem("gewicht is oneindig; een gewicht moet een eindig getal groter dan 0 zijn",
                                    file, row, column, raw_values[i]))
        elif not np.isfinite(values[i]):
            problems.append(Problem("gewicht is geen getal", file, row, column, raw_values[i]))
        elif values[i] > MAX_WEIGHT:
            problems.append(Problem(f"gewicht is onmogelijk groot (meer dan {number(MAX_WEIGHT)})",
                                    file, row, column, raw_values[i]))
        else:
            problems.append(Problem("gewicht moet groter dan 0 zijn", file, row, column, raw_values[i]))
    raise InputError(problems)


def _concentrated_weights(data: pd.DataFrame, values: np.ndarray, column: str, where) -> list[Problem]:
    """A problem per gemeente (with at least :data:`CONCENTRATION_MIN_N` respondents) in which a few
    respondents carry most of the weight: one respondent more than :data:`MAX_WEIGHT_SHARE` of the
    gemeente's total, or a Kish effective n, (Σw)² / Σw², below :data:`MIN_N_EFF_SHARE` of its
    respondents. Figures "of n = 40" would then be the answers of one or two persons. Located at
    the heaviest respondent of the gemeente."""
    if "gemeentecode" not in data or not len(values):
        return []
    codes, gemeente = pd.factorize(data["gemeentecode"], use_na_sentinel=True)
    ok = codes >= 0
    k = len(gemeente)
    n = np.bincount(codes[ok], minlength=k)
    total = np.bincount(codes[ok], weights=values[ok], minlength=k)
    squares = np.bincount(codes[ok], weights=values[ok] ** 2, minlength=k)
    heaviest = np.full(k, -1, dtype=np.int64)
    order = np.lexsort((values[ok], codes[ok]))  # by gemeente, then weight: the last of a block is the heaviest
    idx = np.flatnonzero(ok)[order]
    last = np.r_[codes[idx][1:] != codes[idx][:-1], True]
    heaviest[codes[idx][last]] = idx[last]
    n_eff = total ** 2 / np.where(squares > 0, squares, 1)
    share = values[np.maximum(heaviest, 0)] / np.where(total > 0, total, 1)
    bad = (n >= CONCENTRATION_MIN_N) & ((share > MAX_WEIGHT_SHARE) | (n_eff < MIN_N_EFF_SHARE * n))
    problems = []
    for g in np.flatnonzero(bad):
        i = int(heaviest[g])
        file, row = where(i)
        effective = number(n_eff[g], 1)
        problems.append(Problem(
            f"de gewichten van gemeente {_gemeente(str(gemeente[g]))} liggen bij enkele respondenten: deze "
            f"respondent draagt {share[g]:.0%} van het totale gewicht en de effectieve n is "
            f"{effective} bij {int(n[g])} respondenten (toegestaan: hoogstens {MAX_WEIGHT_SHARE:.0%} per "
            f"respondent en een effectieve n van minstens {MIN_N_EFF_SHARE:.0%} van de respondenten). De "
            "gepubliceerde cijfers zouden de antwoorden van één of twee personen zijn; controleer de gewichten",
            file, row, column, float(values[i])))
    return problems


def _collapse(pop: np.ndarray, sample: np.ndarray, has_data: np.ndarray, min_cell: int,
              blocks: Sequence[object] | None = None) -> tuple[np.ndarray, list[tuple[int, list[list[int]], bool]]]:
    """Merge small categories per stratum.

    ``pop`` and ``sample`` are (strata, categories). A category with clients but fewer than
    ``min_cell`` respondents is merged with the next category with clients, the last one with the
    previous, until no group is too small. ``blocks`` (for cells: the codes of every cell column
    but the last) keeps merges within a block while the block has more than one group: a small
    cell is merged with the next cell of the same leeftijdsklasse, the last one of a
    leeftijdsklasse with the previous. Returns the representative category of every (stratum,
    category) and, for the strata that changed, the merged groups (lists of categories) and
    whether everything became one group.
    """
    if blocks is None:
        blocks = [0] * pop.shape[1]
    n_strata, size = pop.shape
    rep = np.tile(np.arange(size), (n_strata, 1))
    need = ((pop > 0) & (sample < min_cell)).any(axis=1) & has_data
    merged = []
    for h in np.flatnonzero(need):  # only the strata with a small category
        groups = [[k] for k in np.flatnonzero(pop[h] > 0).tolist()]
        sums = [int(sample[h, grp[0]]) for grp in groups]
        i = 0  # every group before i has min_cell respondents
        while len(groups) > 1 and i < len(groups):
            if sums[i] >= min_cell:
                i += 1
                continue
            if i + 1 < len(groups) and blocks[groups[i][-1]] == blocks[groups[i + 1][0]]:
                a = i  # the next one, same block
            elif i > 0 and blocks[groups[i - 1][-1]] == blocks[groups[i][0]]:
                a = i - 1  # the previous one, same block
            else:
                a = i if i + 1 < len(groups) else i - 1  # across blocks: the next, the last the previous
            groups[a:a + 2] = [groups[a] + groups[a + 1]]
            sums[a:a + 2] = [sums[a] + sums[a + 1]]
            i = a
        for grp in groups:
            rep[h, grp] = grp[0]
        merged.append((int(h), [g for g in groups if len(g) > 1], len(groups) == 1))
    return rep, merged


@dataclass
class _Margin:
    cat: _Cat
    key: np.ndarray  # flat (stratum * size + representative) per complete row
    target: np.ndarray  # flat target per key, 0 where unused
    rep: np.ndarray


def _deviation(m: _Margin, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted total per flat key and its relative deviation from the target (0 where unused)."""
    total = np.bincount(m.key, weights=w, minlength=len(m.target))
    used = m.target > 0
    dev = np.abs(total - m.target) / np.where(used, m.target, 1.0)
    return total, np.where(used, dev, 0.0)


def _calibrate(w: np.ndarray, margins: list[_Margin], fixed: np.ndarray | None,
               max_iterations: int, epsilon: float) -> tuple[np.ndarray, np.ndarray]:
    """Iterative proportional fitting of ``w`` (complete rows) to every margin, all strata at once.

    Rows in ``fixed`` keep their weight; the free rows of a category absorb the difference
    between its target and the fixed rows' total. Stops after a pass over the margins in which
    every margin was already within ``epsilon`` (relative) of its target before its adjustment.
    Returns the weights and the largest relative deviation of a margin per stratum afterwards.
    """
    w = w.copy()
    free = None if fixed is None else ~fixed
    for _ in range(max_iterations):
        worst = 0.0
        for m in margins:
            total, dev = _deviation(m, w)
            worst = max(worst, float(dev.max(initial=0.0)))
            used = m.target > 0
            if free is None:
                factor = np.where(used & (total > 0), m.target / np.where(total > 0, total, 1.0), 1.0)
                w *= factor[m.key]
            else:
                s_free = np.bincount(m.key, weights=np.where(free, w, 0.0), minlength=len(m.target))
                room = m.target - (total - s_free)
                ok = used & (s_free > 0) & (room > 0)
                factor = np.where(ok, room / np.where(ok, s_free, 1.0), 1.0)
                w = np.where(free, w * factor[m.key], w)
        if worst < epsilon:
            break
    per_stratum = _stratum_deviation(margins, w)
    slow = per_stratum >= epsilon
    if slow.any() and len(margins) > 1:
        # IPF converges linearly, sometimes very slowly (a rate of 0.97 per pass when the sample
        # covers few cells of the cross-classification); its limit is the minimum of the convex
        # raking dual, which Newton's method reaches in a few steps (kept only where it converges)
        w_newton = _newton(w, margins, fixed, slow, epsilon)
        dev_newton = _stratum_deviation(margins, w_newton)
        better = slow & (dev_newton < epsilon)
        if better.any():
            stratum = margins[0].key // margins[0].cat.size
            w = np.where(better[stratum], w_newton, w)
            per_stratum = np.where(better, dev_newton, per_stratum)
    return w, per_stratum


def _stratum_deviation(margins: list[_Margin], w: np.ndarray) -> np.ndarray:
    """The largest relative deviation of a weighted margin from its target, per stratum."""
    n_strata = len(margins[0].rep) if margins else 0
    per_stratum = np.zeros(n_strata)
    for m in margins if n_strata else []:
        _, dev = _deviation(m, w)
        per_stratum = np.maximum(per_stratum, dev.reshape(n_strata, -1).max(axis=1))
    return per_stratum


def _newton(w: np.ndarray, margins: list[_Margin], fixed: np.ndarray | None, active: np.ndarray,
            epsilon: float, max_steps: int = MAX_NEWTON_STEPS) -> np.ndarray:
    """Raking weights by Newton's method on the dual, for the rows of the ``active`` strata.

    The free rows get ``w_i exp(sum_m lambda[m, key_m(i)])``; ``lambda`` minimises, per stratum,
    ``F = sum_free w_i exp(eta_i) - sum_k lambda_k (target_k - fixed_k)``, whose minimum is where
    every margin hits its target (the raking solution, the limit of IPF from the same start;
    Deville & Särndal 1992). Newton steps use the pseudo-inverse of the per-stratum Hessian (the
    margins are redundant: each adds up to the same total) and halve the step until ``F``
    decreases enough (Armijo), so the iteration cannot diverge. All strata at once: a (strata,
    p, p) Hessian with ``p`` the number of categories over all margins. Rows of other strata are
    returned unchanged.
    """
    size0 = margins[0].cat.size
    stratum_all = margins[0].key // size0
    sel = np.flatnonzero(active[stratum_all] & (True if fixed is None else ~fixed))
    if not len(sel):
        return w
    strata_ids, s = np.unique(stratum_all[sel], return_inverse=True)
    n_act = len(strata_ids)
    sizes = [m.cat.size for m in margins]
    offsets = np.cumsum([0, *sizes])
    p = int(offsets[-1])
    # per selected row and margin: its parameter column within the stratum's block
    cols = np.stack([offsets[j] + m.key[sel] % m.cat.size for j, m in enumerate(margins)], axis=1)
    flat = s[:, None] * p + cols
    # free target per (stratum, parameter): target minus the weight of the fixed rows
    free_target = np.zeros((n_act, p))
    used = np.zeros((n_act, p), dtype=bool)
    for j, m in enumerate(margins):
        block = (strata_ids[:, None] * m.cat.size + np.arange(m.cat.size)).ravel()
        fixed_total = (np.zeros(len(m.target)) if fixed is None else
                       np.bincount(m.key, weights=np.where(fixed, w, 0.0), minlength=len(m.target)))
        free_target[:, offsets[j]:offsets[j + 1]] = (m.target[block] - fixed_total[block]).reshape(n_act, -1)
        used[:, offsets[j]:offsets[j + 1]] = (m.target[block] > 0).reshape(n_act, -1)
    base = w[sel]
    lam = np.zeros((n_act, p))

    def weights(lam: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return base * np.exp(lam.ravel()[flat].sum(axis=1))

    def objective(lam: np.ndarray, ws: np.ndarray) -> np.ndarray:
        return np.bincount(s, weights=ws, minlength=n_act) - (lam * free_target * used).sum(axis=1)

    ws = weights(lam)
    f = objective(lam, ws)
    scale = np.bincount(s, weights=ws, minlength=n_act)
    for _ in range(max_steps):
        totals = np.bincount(flat.ravel(), weights=np.repeat(ws, len(margins)), minlength=n_act * p)
        grad = np.where(used, totals.reshape(n_act, p) - free_target, 0.0)
        if (np.abs(grad) < 0.1 * epsilon * np.where(used, np.abs(free_target), 1.0)).all():
            break
        pairs = (s[:, None, None] * p * p + cols[:, :, None] * p + cols[:, None, :]).ravel()
        hess = np.bincount(pairs, weights=np.repeat(ws, len(margins) ** 2),
                           minlength=n_act * p * p).reshape(n_act, p, p)
        hess *= used[:, :, None] & used[:, None, :]
        values, vectors = np.linalg.eigh(hess)
        keep = values > 1e-12 * values.max(axis=1, keepdims=True)
        inverse = np.where(keep, 1.0 / np.where(keep, values, 1.0), 0.0)
        step = -np.einsum("sij,sj,skj,sk->si", vectors, inverse, vectors, grad)
        slope = (grad * step).sum(axis=1)
        # near the minimum the decrease of F drowns in its rounding: take the full Newton step
        # (quadratic convergence) once the Newton decrement -slope is that small
        close = -slope <= 1e-9 * scale
        t = np.ones(n_act)
        accepted = np.zeros(n_act, dtype=bool)
        new_lam, new_ws, new_f = lam, ws, f
        for _ in range(60):
            trial = lam + t[:, None] * step
            trial_ws = weights(trial)
            trial_f = objective(trial, trial_ws)
            ok = ~accepted & np.isfinite(trial_f) & ((trial_f <= f + 1e-4 * t * slope) | (close & (t == 1.0)))
            new_lam = np.where(ok[:, None], trial, new_lam)
            new_ws = np.where(ok[s], trial_ws, new_ws)
            new_f = np.where(ok, trial_f, new_f)
            accepted |= ok
            if accepted.all():
                break
            t = np.where(accepted, t, t / 2)
        if not accepted.any():
            break
        lam, ws, f = new_lam, new_ws, new_f
    out = w.copy()
    out[sel] = ws
    return out


def _describe_method(method: str, dims: Sequence[str]) -> str:
    if method == "raking":
        return f"gewogen naar {_and(list(dims))} (raking) binnen elke gemeente"
    return f"gewogen naar {' × '.join(dims)} (poststratificatie) binnen elke gemeente"


def compute_weights(
    data: pd.DataFrame,
    *,
    population: Population | None = None,
    weight_column: str | None = None,
    method: str = "raking",
    trim_warn: float | None = 3.0,
    trim_cap: float | None = 5.0,
    min_cell: int = 5,
    file_name: str | None = None,
) -> WeightingResult:
    """Weights for every respondent of ``data`` (see the module docstring for the rules).

    ``data`` needs ``gemeentecode`` and, with a population file with cells, its cell columns
    (float codes, NaN = missing); with ``weight_column`` that column, and ``_bron``/``_rij`` for
    the messages (``file_name`` is used when ``_bron`` is absent). ``trim_warn``/``trim_cap`` are
    multiples of the gemeente's mean weight (``None``: no warning / no trimming). Raises
    :class:`InputError` for unusable weights or a population that does not fit the data.
    """
    if method not in METHODS:
        raise InputError(f"onbekende wegingsmethode '{method}'; kies {_or(list(METHODS))}")
    if "gemeentecode" not in data.columns:
        raise InputError(Problem("kolom 'gemeentecode' ontbreekt in de gegevens", file_name))
    codes, strata = pd.factorize(data["gemeentecode"].astype(object), sort=True)
    if (codes < 0).any():
        raise InputError(Problem("gemeentecode ontbreekt bij een of meer respondenten", file_name))
    strata = pd.Index(strata)
    index = data.index
    totals = None
    big_n = np.full(len(strata), np.nan)
    if population is not None:
        # with delivered weights the population only gives N: its cells need only fit the margins
        problems = check_against_sample(population, data, method="raking" if weight_column else method)
        if problems:
            raise InputError(problems)
        totals = {str(k): float(v) for k, v in population.totals.items()}
        big_n = population.totals.reindex(strata).to_numpy(dtype=float)

    if weight_column is not None:
        w = _weight_column(data, weight_column, file_name)
        notices = _warn_large(codes, strata, w, trim_warn, None)
        return WeightingResult(pd.Series(w, index=index, name="gewicht"), True,
                               f"gewicht uit kolom '{weight_column}'", totals, notices,
                               _per_gemeente(codes, strata, w, big_n))
    if population is None:
        w = np.ones(len(data))
        return WeightingResult(pd.Series(w, index=index, name="gewicht"), False, "ongewogen", None, [],
                               _per_gemeente(codes, strata, w, big_n))

    n_h = np.bincount(codes, minlength=len(strata)).astype(float)
    design = big_n / n_h
    w = design[codes]
    if not population.dimensions:
        return WeightingResult(pd.Series(w, index=index, name="gewicht"), True,
                               "ontwerpgewichten N/n per gemeente", totals, [],
                               _per_gemeente(codes, strata, w, big_n))
    return _calibrated(data, population, method, codes, strata, big_n, n_h, design, totals,
                       trim_warn, trim_cap, min_cell)


def _warn_large(codes: np.ndarray, strata: pd.Index, w: np.ndarray, trim_warn: float | None,
                mean: np.ndarray | None) -> list[str]:
    """Notices for weights above ``trim_warn`` times the mean weight of their gemeente."""
    if trim_warn is None or len(w) == 0:
        return []
    if mean is None:
        n = np.bincount(codes, minlength=len(strata))
        mean = np.bincount(codes, weights=w, minlength=len(strata)) / np.maximum(n, 1)
    ratio = w / mean[codes]
    over = ratio > trim_warn * (1 + _CAP_TOLERANCE)
    if not over.any():
        return []
    count = np.bincount(codes[over], minlength=len(strata))
    top = np.zeros(len(strata))
    np.maximum.at(top, codes, ratio)
    return [f"gemeente {_gemeente(strata[h])}: {_plural(int(count[h]), 'respondent heeft', 'respondenten hebben')} "
            f"een gewicht van meer dan {_factor(trim_warn)} "
            f"× het gemiddelde gewicht van de gemeente (hoogste: {_nl_number(top[h], 1)} ×)"
            for h in np.flatnonzero(count)]


def _calibrated(data: pd.DataFrame, population: Population, method: str, codes: np.ndarray,
                strata: pd.Index, big_n: np.ndarray, n_h: np.ndarray, design: np.ndarray,
                totals: dict[str, float], trim_warn: float | None, trim_cap: float | None,
                min_cell: int) -> WeightingResult:
    dims = population.dimensions
    n_strata = len(strata)
    notices: list[str] = []
    complete = np.ones(len(data), dtype=bool)
    for d in dims:
        complete &= pd.to_numeric(data[d], errors="coerce").notna().to_numpy()
    missing = np.bincount(codes[~complete], minlength=n_strata)
    n_complete = n_h - missing
    has_data = n_complete > 0
    # the complete respondents stand for their share of the population
    scale = np.where(n_h > 0, n_complete / n_h, 0.0)
    rows = np.flatnonzero(complete)
    g = codes[rows]

    margins: list[_Margin] = []
    merged_parts: dict[int, list[str]] = {}
    for margin_dims in _margin_sets(population, method):
        cat = _categories(margin_dims, population, data)
        k = _category_index(cat, data)[rows]
        sample = np.bincount(g * cat.size + k, minlength=n_strata * cat.size).reshape(n_strata, cat.size)
        pop = _population_matrix(cat, population, strata)
        rep, merged = _collapse(pop, sample, has_data, min_cell, [c[:-1] for c in cat.codes])
        for h, groups, everything in merged:
            parts = merged_parts.setdefault(h, [])
            if len(margin_dims) > 1:
                parts += [f"cellen {_and([cat.describe(j, population.labels) for j in grp])}" for grp in groups]
            elif everything:
                parts.append(f"{cat.name} (alle categorieën; niet naar {cat.name} gewogen)")
            else:
                parts += [f"{cat.name} {_and([cat.describe(j, population.labels, False) for j in grp])}"
                          for grp in groups]
        target = np.zeros(n_strata * cat.size)
        flat_rep = (np.arange(n_strata)[:, None] * cat.size + rep).ravel()
        np.add.at(target, flat_rep, (pop * (scale * has_data)[:, None]).ravel())
        key = g * cat.size + rep[g, k]
        margins.append(_Margin(cat, key, target, rep))
    for h in sorted(merged_parts):
        if merged_parts[h]:
            notices.append(f"gemeente {_gemeente(strata[h])}: bij de weging samengevoegd omdat een categorie "
                           f"minder dan {min_cell} respondenten had: {'; '.join(merged_parts[h])}")

    w = design[codes].copy()
    wc, dev = _calibrate(w[rows], margins, None, MAX_ITERATIONS, EPSILON)
    not_converged = has_data & (dev >= EPSILON) if method == "raking" else np.zeros(n_strata, bool)
    w[rows] = wc
    dev_untrimmed = dev
    notices += _warn_large(codes, strata, w, trim_warn, design)

    trimmed = np.zeros(n_strata, np.int64)
    if trim_cap is not None and len(rows):
        cap = (trim_cap * design)[g]
        fixed = np.zeros(len(rows), dtype=bool)
        total_margin = _Margin(_Cat("gemeente", (), [()]), g.copy(),
                               np.where(has_data, big_n * scale, 0.0), np.zeros((n_strata, 1), np.int64))
        for _ in range(MAX_TRIM_ROUNDS):
            over = wc > cap * (1 + _CAP_TOLERANCE)
            if not over.any():
                break
            fixed |= over
            wc = np.where(fixed, cap, wc)
            again = margins if method == "raking" else [total_margin]
            wc, dev = _calibrate(wc, again, fixed, MAX_ITERATIONS, EPSILON)
            if method == "raking":
                not_converged = has_data & (dev >= EPSILON)
        over = wc > cap * (1 + _CAP_TOLERANCE)
        if over.any():  # still above after the last round: cap anyway, margins slightly off
            fixed |= over
            wc = np.where(over, cap, wc)
            for h in np.unique(g[over]):
                notices.append(f"gemeente {_gemeente(strata[h])}: na {MAX_TRIM_ROUNDS} rondes afkappen en opnieuw "
                               "wegen waren er nog gewichten boven de grens; die zijn afgekapt, waardoor de "
                               "gewogen aantallen iets van de populatie afwijken")
        # Raking the others to the same margins can push weights to 0 when the capped respondents
        # already exceed a margin; then trimming is not possible in that gemeente: keep its raked
        # weights (the notice says so).
        bad = np.zeros(n_strata, dtype=bool)
        bad[np.unique(g[~np.isfinite(wc) | (wc <= _MIN_WEIGHT * design[g])])] = True
        if bad.any():
            undo = bad[g]
            wc = np.where(undo, w[rows], wc)
            fixed &= ~undo
            if method == "raking":
                not_converged = np.where(bad, has_data & (dev_untrimmed >= EPSILON), not_converged)
            notices.append(f"afkappen van gewichten is niet mogelijk in {_and([_gemeente(c) for c in strata[bad]])}: "
                           "opnieuw wegen zou andere gewichten (bijna) 0 maken; daar zijn de gewichten niet afgekapt")
        w[rows] = wc
        trimmed = np.bincount(g[fixed], minlength=n_strata)
        for h in np.flatnonzero(trimmed):
            rest = ("de overige respondenten zijn opnieuw gewogen naar dezelfde marges" if method == "raking" else
                    "de overige respondenten zijn naar rato opgehoogd zodat het totaal van de gemeente klopt; "
                    "de afgekapte cellen tellen daardoor iets minder zwaar dan hun aandeel in de populatie")
            notices.append(f"gemeente {_gemeente(strata[h])}: {_plural(int(trimmed[h]), 'gewicht', 'gewichten')} "
                           f"afgekapt op {_factor(trim_cap)} × het gemiddelde gewicht van de gemeente; {rest}")

    if not_converged.any():
        worst = float(dev[not_converged].max())
        notices.append(
            f"de weging (raking) is na {MAX_ITERATIONS} iteraties niet geconvergeerd voor "
            f"{_and([_gemeente(c) for c in strata[not_converged]])}; grootste afwijking van een marge: "
            f"{_nl_number(100 * worst, 4)} %")
    if missing.any():
        n_gem = int((missing > 0).sum())
        notices.append(
            f"{_plural(int(missing.sum()), 'respondent mist', 'respondenten missen')} {_or(list(dims))} "
            f"(in {_plural(n_gem, 'gemeente', 'gemeenten')}); zij houden het gemiddelde gewicht N/n van hun "
            "gemeente en de overige respondenten zijn gewogen naar de rest van de populatie")

    targets = _targets(margins, w[rows], strata)
    per = _per_gemeente(codes, strata, w, big_n, trimmed, missing)
    return WeightingResult(pd.Series(w, index=data.index, name="gewicht"), True,
                           _describe_method(method, dims), totals, notices, per, targets,
                           converged=not bool(not_converged.any()),
                           calibration=_calibration_cells(margins, rows, codes, n_strata, method))


def _calibration_cells(margins: list[_Margin], rows: np.ndarray, codes: np.ndarray, n_strata: int,
                       method: str) -> Calibration:
    """Per respondent and margin the calibration cell (gemeente x category after merging).

    A respondent with a missing weighting characteristic keeps ``N_h / n_h``: in R terms that is
    one more cell per gemeente in every margin, with population ``m_h N_h / n_h``.
    """
    cells = np.empty((len(codes), len(margins)), dtype=np.int64)
    for j, m in enumerate(margins):
        cells[:, j] = n_strata * m.cat.size + codes  # the cell of the incomplete respondents
        cells[rows, j] = m.key
    return Calibration("poststratificatie" if method == "poststratificatie" else "raking", cells)


def _targets(margins: list[_Margin], w: np.ndarray, strata: pd.Index) -> pd.DataFrame:
    """Target and reached weighted total per (gemeente, calibration category after merging)."""
    frames = []
    for m in margins:
        size = m.cat.size
        n_strata = len(strata)
        h = np.repeat(np.arange(n_strata), size)
        k = np.tile(np.arange(size), n_strata)
        flat = h * size + m.rep.ravel()
        keep = m.target[flat] > 0
        names = np.asarray(["/".join(str(c) for c in codes) for codes in m.cat.codes], dtype=object)
        order = np.argsort(flat[keep], kind="stable")  # categories of one group stay in code order
        member_flat = flat[keep][order]
        member_name = names[k[keep]][order].tolist()
        used, starts = np.unique(member_flat, return_index=True)
        bounds = [*starts.tolist(), len(member_name)]
        joined = ["+".join(member_name[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        achieved = np.bincount(m.key, weights=w, minlength=len(m.target))
        frames.append(pd.DataFrame({
            "gemeentecode": np.asarray(strata, dtype=object)[used // size],
            "dimension": m.cat.name,
            "codes": np.asarray(joined, dtype=object),
            "target": m.target[used],
            "achieved": achieved[used],
        }))
    return pd.concat(frames, ignore_index=True)
