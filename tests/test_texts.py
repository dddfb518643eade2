"""Dutch text helpers live in ceo/core/texts.py (numbers, lists, dates, folding) and escapers in ceo/core/escape.py;
no other module has its own."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ceo.core import texts

CEO = Path(__file__).resolve().parent.parent / "ceo"
NB = "\u00a0"


def test_numbers():
    assert texts.number(1234.5, 1) == "1.234,5"
    assert texts.number(1_000_000) == "1.000.000"
    assert texts.number(None) == "—"
    assert texts.pct(72.4) == "72\u00a0%"
    # as typed: codes and bounds without a thousands separator, a decimal comma
    assert [texts.plain_number(x) for x in (9999, 9999.0, 0.5, -2.25, "x")] == ["9999", "9999", "0,5", "-2,25", "x"]


@pytest.mark.parametrize("x,decimals,text", [
    (72.5, 0, "73"), (0.5, 0, "1"), (1.5, 0, "2"), (2.5, 0, "3"), (72.4, 0, "72"), (72.4999, 0, "72"),
    (2.675, 2, "2,68"),  # stored as 2.67499999999999982236431605997495353221893310546875
    (1.005, 2, "1,01"), (0.125, 2, "0,13"), (7.45, 1, "7,5"), (7.25, 1, "7,3"),
    (72.49999999999999, 0, "73"),  # 72,5 after a computation with binary noise
    (-72.5, 0, "-73"), (-0.5, 0, "-1"), (-2.675, 2, "-2,68"), (-1234.55, 1, "-1.234,6"),
    (-0.4, 0, "0"), (-0.04, 1, "0,0"),  # never '-0'
    (1234.5, 0, "1.235"), (999.5, 0, "1.000"), (1_234_567.125, 2, "1.234.567,13"), (1_000_000, 0, "1.000.000"),
    (1_000_000_000.5, 0, "1.000.000.001"), (12, 1, "12,0"), (0, 0, "0"),
    (np.float64(72.5), 0, "73"), (np.int64(1234), 0, "1.234"), (np.float32(0.5), 0, "1"),
])
def test_rounding_half_away_from_zero(x, decimals, text):
    """Pages round like a reader does with the printed figure (72,5 → 73), not half to even (Python's
    round and format give '72') and not on the binary value (2.675 is stored just below 2,675)."""
    assert texts.number(x, decimals) == text
    assert texts.rounded(x, decimals) == Decimal(text.replace(".", "").replace(",", "."))


def test_rounding_in_percentages_intervals_and_words():
    assert texts.pct(72.5) == f"73{NB}%"
    assert texts.pct(12.25, 1) == f"12,3{NB}%"
    assert texts.interval(66.5, 77.5) == f"67–78{NB}%"
    assert texts.interval(7.25, 7.35, 1, percent=False) == "7,3–7,4"
    for x in (None, float("nan"), float("inf"), -float("inf")):
        assert texts.number(x) == texts.pct(x) == "—"
    # the words follow the printed percentage
    assert (texts.pct(74.6), texts.out_of_ten(74.6)) == (f"75{NB}%", "Acht op de tien")
    assert (texts.pct(64.96), texts.out_of_ten(64.96)) == (f"65{NB}%", "Zeven op de tien")
    assert (texts.pct(64.4), texts.out_of_ten(64.4)) == (f"64{NB}%", "Zes op de tien")
    assert texts.out_of_ten(99.6) == "Bijna alle" and texts.out_of_ten(0.4) == "Bijna geen"
    # configured values as written, in Dutch notation
    assert texts.level_name(0.95) == "95%-BI" and texts.level_name(0.975) == "97,5%-BI"
    assert [texts.setting(x) for x in (50.0, 25, 0.05, 0.001, 100 * 0.975, 12.5)] == \
        ["50", "25", "0,05", "0,001", "97,5", "12,5"]


@settings(max_examples=500, deadline=None)
@given(st.integers(-10**12, 10**12), st.integers(0, 6), st.integers(0, 3))
@example(725, 1, 0)
@example(2675, 3, 2)
@example(-25, 1, 0)
@example(10**12 - 5, 1, 0)
def test_rounding_equals_that_of_the_decimal_value(k, exponent, decimals):
    """For any figure written with at most 13 digits (k / 10^exponent), the text is that decimal value rounded
    half away from zero, in Dutch notation: the fast path for values far from a half agrees."""
    exact = Decimal(k).scaleb(-exponent).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign, body = ("-", -exact) if exact < 0 else ("", exact.copy_abs())  # a rounded -0,4 is '0'
    whole, _, frac = f"{body:.{decimals}f}".partition(".")
    groups = []
    while whole:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    expected = sign + ".".join(groups) + ("," + frac if decimals else "")
    assert texts.number(k / 10**exponent, decimals) == expected


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


# --------------------------------------------------------------------------- numbers on the generated pages

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_CHART = re.compile(r'<script type="application/vnd\.ceo-chart\+json">(.*?)</script>', re.S)
_HIDDEN = [re.compile(r"<!--.*?-->", re.S), re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I),
           re.compile(r"`[^`\n]*`")]  # code: file and column names, fingerprints
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_TAG = re.compile(r"<[^>]*>")
#: numbers that are names rather than figures: a version of ceo, a standard
#: names with a version or number in them: ceo's version, WCAG versions and success criteria, licences
_NAMES = re.compile(r"\bceo \d+(?:\.\d+)+|\bWCAG \d(?:\.\d)+|\bCC(?: BY(?:-SA)?|0) \d\.\d\b"
                    r"|\bsuccescriteri(?:um|a) \d+(?:\.\d+)+")
_DUTCH_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\d.,])")


def visible_text(page: str) -> str:
    """What a reader of a generated page reads: its title and description, the Markdown and HTML text (not the
    tags, attributes, link targets or code), and the text alternatives of the charts."""
    head = _FRONT_MATTER.match(page)
    parts = []
    if head:
        parts += re.findall(r'^(?:title|description): "(.*)"$', head.group(1), re.M)
        page = page[head.end():]
    parts += [json.loads(m.group(1))["label"] for m in _CHART.finditer(page)]
    for hidden in _HIDDEN:
        page = hidden.sub(" ", page)
    parts.append(_TAG.sub(" ", _LINK_TARGET.sub("]", page)))
    return "\n".join(parts)


def english_numbers(text: str) -> list[str]:
    """Numbers with a decimal point ('50.0', '0.05'), apart from Dutch thousands ('7.516', '1.234,5')."""
    text = _DUTCH_THOUSANDS.sub("#", _NAMES.sub("#", text))
    return [text[max(0, m.start() - 40):m.end() + 20] for m in re.finditer(r"\d\.\d", text)]


def test_the_scanner_finds_english_notation():
    page = ('---\ntitle: "Dordrecht 2.5"\n---\n# Kop\n\nonder 50.0 of `0.1.0` [x](a/b1.2.md) 7.516 1.234,5 '
            'ceo 0.1.0 <td data-sort="72.500000">73 %</td>\n'
            '<script type="application/vnd.ceo-chart+json">{"label": "Dordrecht 72.5 %", "data": [0.25]}</script>')
    found = english_numbers(visible_text(page))
    assert [f for f in found if "2.5" in f and "Dordrecht" in f] and [f for f in found if "50.0" in f]
    assert any("72.5 %" in f for f in found)
    assert len(found) == 3, found  # not the code span, link target, attribute, chart data, thousands or version


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    from demo_project import DEMO_DATE, new_project, run_demo

    root = new_project(tmp_path_factory.mktemp("texts") / "project")
    run_demo(root, "--date", DEMO_DATE)
    return root / "site"


def test_generated_pages_write_numbers_in_dutch(demo_site: Path):
    """Every generated page (factsheets, overviews, verantwoording, comparison pages): no English decimal
    point in what a reader reads, such as the '50.0' the verantwoording once wrote next to '73 %'."""
    pages = sorted(demo_site.rglob("*.md"))
    assert len(pages) > 20
    leaks, commas = {}, 0
    for page in pages:
        text = visible_text(page.read_text(encoding="utf-8"))
        commas += len(re.findall(r"\d,\d", text))
        if found := english_numbers(text):
            leaks[page.relative_to(demo_site).as_posix()] = found[:3]
    assert leaks == {}
    assert commas > 1000  # the pages do show decimals (in Dutch)
    accounting = (demo_site / "2025" / "verantwoording.md").read_text(encoding="utf-8")
    assert "effectieve n onder 50 of een interval breder dan 25 procentpunten" in accounting
    assert "significantieniveau 0,05" in accounting
