"""Problems found in user input, collected into one report instead of raised one at a time.

Every message a user reads is Dutch. A :class:`Problem` names where it was found
(file, row, column, value) and what was expected; a :class:`InputError` carries all
problems of one run so the CLI can print them at once and exit with code 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem in the input.

    ``row`` is the row number as the user sees it: for CSV and Excel the line/row in the
    sheet (the header is row 1, so the first respondent is row 2); for SPSS the case number
    (the first respondent is case 1). ``None`` where the problem concerns the whole file or
    column.
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"rij {self.row}")
        if self.column:
            where.append(f"kolom '{self.column}'")
        prefix = ", ".join(where)
        text = self.message
        if self.value is not None:
            text = f"waarde {format_value(self.value)}: {text}"
        return f"{prefix}: {text}" if prefix else text


def format_value(value: object) -> str:
    """Show a value the way the user typed it, quoted, cut short when long."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"'{text}'"


class CeoError(Exception):
    """An error the user can fix; the CLI prints it in Dutch and exits with code 2."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InputError(CeoError):
    """The input files (data, codebook, mapping, population, configuration) are not usable."""


@dataclass
class Report:
    """Collects problems and notices while reading; raise at the end if any problem was found."""

    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def add(self, message: str, file: str | Path | None = None, row: int | None = None,
            column: str | None = None, value: object = None) -> None:
        self.problems.append(Problem(message, str(file) if file is not None else None,
                                     row, column, value))

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def notice(self, message: str) -> None:
        self.notices.append(message)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)
