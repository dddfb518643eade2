"""Dutch text helpers live in ceo/core/texts.py (numbers, lists, dates, folding) and escapers in ceo/core/escape.py;
no other module has its own."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ceo.core import texts

CEO = Path(__file__).resolve().parent.parent / "ceo"


def test_numbers():
    assert texts.number(1234.5, 1) == "1.234,5"
    assert texts.number(1_000_000) == "1.000.000"
    assert texts.number(None) == "—"
    assert texts.pct(72.4) == "72\u00a0%"
    # as typed: codes and bounds without a thousands separator, a decimal comma
    assert [texts.plain_number(x) for x in (9999, 9999.0, 0.5, -2.25, "x")] == ["9999", "9999", "0,5", "-2,25", "x"]


def test_lists_and_dates():
    assert texts.join_and(["a"]) == "a"
    assert texts.join_and(["a", "b"]) == "a en b"
    assert texts.join_and(["a", "b", "c"]) == "a, b en c"
    assert texts.join_or([1, 2, 3]) == "1, 2 of 3"
    assert texts.join_or([]) == ""
    assert texts.join_list(["a", "", "b"]) == "a en b"
    assert texts.date_nl("2025-11-21") == texts.date_nl(date(2025, 11, 21)) == "21 november 2025"
    assert texts.date_nl(date(2023, 1, 1)) == "1 januari 2023"


def test_folding_and_slugs():
    assert texts.fold_accents("Cliëntervaring Súdwest-Fryslân") == "Clientervaring Sudwest-Fryslan"
    assert texts.normalise("  Súdwest--Fryslân (gem.) ") == "sudwest fryslan gem"
    assert texts.slug("Súdwest-Fryslân") == "sudwest-fryslan"
    assert texts.slug("x" * 100) == "x" * 80
    assert texts.slug("***") == ""


# what a second home of a helper looks like in the source
_DUPLICATES = {
    "accent folding": re.compile(r"unicodedata\.normalize"),
    "joining with 'en'/'of'": re.compile(r"""\+\s*["'] (?:en|of) ["']\s*\+|["'] (?:en|of) ["']\.join"""),
    "month names": re.compile(r"""["']februari["']"""),
    "thousands separator by hand": re.compile(r""":,[^"']*\}.*\.replace\(["'],["']"""),
    "decimal comma by hand": re.compile(r"""\.replace\(["']\.["'], *["'],["']\)"""),
    "HTML escaping": re.compile(r"\bhtml\.escape\("),
}
_HOMES = {"accent folding": "core/texts.py", "joining with 'en'/'of'": "core/texts.py",
          "month names": "core/texts.py", "decimal comma by hand": "core/texts.py", "HTML escaping": "core/escape.py"}


#: deliberate exceptions: (concept, file) -> why
_ALLOWED = {("decimal comma by hand", "demo.py"): "writes a delivery file the way a Dutch bureau does (no separator)"}


@pytest.mark.parametrize("concept", sorted(_DUPLICATES))
def test_one_home_per_concept(concept):
    found = []
    for path in sorted(CEO.rglob("*.py")):
        rel = path.relative_to(CEO).as_posix()
        if rel == _HOMES.get(concept) or (concept, rel) in _ALLOWED:
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _DUPLICATES[concept].search(line):
                found.append(f"{rel}:{i}: {line.strip()}")
    assert found == [], f"{concept} outside ceo/{_HOMES.get(concept, 'core/texts.py')}: {found}"
