"""Problems found in user input, collected into one report instead of raised one at a time.

Every message a user reads is Dutch. A :class:`Problem` names where it was found
(file, row, column, value) and what was expected; a :class:`InputError` carries all
problems of one run so the CLI can print them at once and exit with code 2.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceo.core.safetext import printable


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
        # delivered names and values may hold terminal escape sequences: never print them
        where = []
        if self.file:
            where.append(printable(self.file))
        if self.row is not None:
            # a YAML file (configuration, codebook, mapping) has lines; a data file has rows
            line = str(self.file or "").lower().endswith((".yaml", ".yml"))
            where.append(f"{'regel' if line else 'rij'} {self.row}")
        if self.column:
            where.append(f"kolom '{printable(self.column)}'")
        prefix = ", ".join(where)
        text = printable(self.message)
        if self.value is not None:
            text = f"waarde {format_value(self.value)}: {text}"
        return f"{prefix}: {text}" if prefix else text


def format_value(value: object) -> str:
    """Show a value the way the user typed it, quoted, cut short when long."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    text = printable(value)
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


# --------------------------------------------------------------------------- YAML files

#: (words in PyYAML's context or problem, Dutch explanation, whether the context mark is the place)
_YAML_EXPLANATIONS = (
    ("quoted scalar", "een aanhalingsteken wordt niet gesloten", True),
    ("could not find expected ':'", "een ':' ontbreekt (schrijf 'sleutel: waarde')", True),
    ("flow sequence", "een '[' wordt niet gesloten met ']'", True),
    ("flow mapping", "een '{' wordt niet gesloten met '}'", True),
    ("'\\t'", "een tab-teken; spring in met spaties", False),
    ("tab character", "een tab-teken; spring in met spaties", False),
    ("mapping values are not allowed here", "een ':' op een plek waar dat niet kan (zet een tekst met ':' "
                                            "tussen aanhalingstekens, of controleer het inspringen)", False),
    ("undefined alias", "een waarde begint met '*' (zet de waarde tussen aanhalingstekens)", False),
    ("cannot start any token", "een waarde begint met een teken dat niet mag (zet de waarde tussen "
                               "aanhalingstekens)", False),
    ("expected '-' indicator", "een lijstregel ('- ...') springt niet goed in", False),
    ("expected key", "de regels springen niet goed in (gebruik overal evenveel spaties)", False),
    ("expected <block end>", "de regels springen niet goed in (gebruik overal evenveel spaties)", False),
    ("end of stream", "het bestand houdt midden in een waarde op", False),
)


def yaml_problem(exc: Exception, file: str, text: str | None = None) -> Problem:
    """A PyYAML syntax error as a Dutch :class:`Problem` with the line (as ``row``) and its text (as
    ``value``)."""
    words = " ".join(str(getattr(exc, a, None) or "") for a in ("context", "problem"))
    explanation, use_context = "controleer het inspringen, de dubbele punten en de aanhalingstekens", False
    for key, dutch, context_first in _YAML_EXPLANATIONS:
        if key in words:
            explanation, use_context = dutch, context_first
            break
    marks = (getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None))
    if not use_context:
        marks = marks[::-1]
    mark = next((m for m in marks if m is not None), None)
    row = mark.line + 1 if mark is not None else None
    value = None
    if row is not None and text is not None:
        lines = text.splitlines()
        if row - 1 < len(lines):
            value = lines[row - 1].strip() or None
    return Problem(f"geen geldige YAML: {explanation}", file, row, value=value)


def yaml_lines(text: str) -> dict[tuple, int]:
    """Where things are in a YAML document: a path of keys (as text) and list positions (from 0) →
    the line number (from 1), e.g. ``("variabelen", "V1")`` or ``("indicatoren", 2)``; empty when
    the text is not YAML."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return {}
    found: dict[tuple, int] = {}

    def walk(node: object, path: tuple, depth: int) -> None:
        if depth > 4:
            return
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    here = (*path, str(key.value))
                    found.setdefault(here, key.start_mark.line + 1)
                    walk(value, here, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                here = (*path, i)
                found.setdefault(here, item.start_mark.line + 1)
                walk(item, here, depth + 1)

    walk(root, (), 0)
    return found
