"""Limits on what a delivered file may contain, so that no input can exhaust the machine.

A file that exceeds a limit is refused early (while it is being read, before its content is held in
memory as a table) with a Dutch message naming the file, row and column. The defaults are generous
for any real CEO delivery; a project can change them in ``ceo.yaml``::

    limieten:
      max_tekens_per_cel: 10000      # characters in one cell (an open answer)
      max_kolommen: 2000             # columns in one file
      max_rijen: 2000000             # respondents (data rows) in one file
      max_xlsx_uitgepakt_mb: 500     # an .xlsx file unpacked (it is a zip archive), in MB
"""

from __future__ import annotations

from dataclasses import dataclass

#: ceo.yaml key → attribute
KEYS = {
    "max_tekens_per_cel": "max_cell_chars",
    "max_kolommen": "max_columns",
    "max_rijen": "max_rows",
    "max_xlsx_uitgepakt_mb": "max_xlsx_mb",
}
HINT = "(grens instelbaar in ceo.yaml onder 'limieten')"


@dataclass(frozen=True)
class Limits:
    max_cell_chars: int = 10_000
    max_columns: int = 2_000
    max_rows: int = 2_000_000
    max_xlsx_mb: int = 500

    @property
    def max_xlsx_bytes(self) -> int:
        return self.max_xlsx_mb * 1_000_000


DEFAULT = Limits()


def parse_limits(raw: object) -> tuple[Limits, list[tuple[str, object]]]:
    """The limits from the ``limieten`` section of ceo.yaml and Dutch problems ``(message, value)``
    for values that are not whole numbers of at least 1 and for keys that do not exist."""
    if raw is None:
        return DEFAULT, []
    if not isinstance(raw, dict):
        return DEFAULT, [("limieten: verwacht sleutels zoals 'max_tekens_per_cel: 10000'", None)]
    problems: list[tuple[str, object]] = []
    values: dict[str, int] = {}
    for key, value in raw.items():
        attr = KEYS.get(str(key))
        if attr is None:
            problems.append((f"limieten: onbekende sleutel; toegestaan zijn: {', '.join(KEYS)}", key))
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10**12:
            problems.append((f"limieten: {key} moet een geheel getal van minstens 1 zijn", value))
            continue
        values[attr] = value
    return Limits(**values), problems
