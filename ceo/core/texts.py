"""Dutch text, in one place: numbers, lists, dates, names folded for matching, and the sentences of the
factsheets.

Every sentence is generated from the results table; nothing is typed per gemeente. Messages elsewhere use
these helpers rather than their own, so that a number, a list or a date reads the same everywhere.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal

NBSP = "\u00a0"
_DUTCH_SEPARATORS = str.maketrans(",.", ".,")
WORDS = ["Geen", "Eén", "Twee", "Drie", "Vier", "Vijf", "Zes", "Zeven", "Acht", "Negen", "Tien"]


def is_missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x == ""


#: enough digits for any float's integer part plus the decimals shown (no InvalidOperation on quantize)
_CONTEXT = Context(prec=400)
#: significant digits a float is read with before rounding: what it prints as, without binary noise
_SIGNIFICANT = 15


def rounded(x: float | int, decimals: int = 0) -> Decimal:
    """``x`` rounded to ``decimals`` the way a reader rounds the printed figure: half away from zero
    (72,5 → 73; 0,5 → 1; −2,5 → −3; 2,675 → 2,68), not half to even and not on the binary value.

    A float is taken at its decimal value to 15 significant digits first, so that 2.675 (stored as
    2.67499999999999982...) and 72.49999999999999 (72,5 after a computation with binary noise) round up
    as printed; no real figure has a meaningful 16th digit. Integers are exact. A negative figure that
    rounds to zero is 0, not −0."""
    if isinstance(x, numbers.Integral):
        d = Decimal(int(x))
    else:
        d = Decimal(format(float(x), f".{_SIGNIFICANT}g"))
    out = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_CONTEXT)
    return out.copy_abs() if out.is_zero() else out


#: the fast path of :func:`number`: below 1e8 (in units of the last decimal) a float's distance to a half is
#: known to within 2e-7 (its binary error, and the 15-digit reading of :func:`rounded`), well inside 1e-6
_FAST_BELOW = 1e8
_NOT_A_HALF = 1e-6


def number(x: float | int | None, decimals: int = 0) -> str:
    """Dutch notation: decimal comma, thousands dot (1.234,5), rounded half away from zero (see
    :func:`rounded`). No figure (None, NaN, ±∞): '—'."""
    if is_missing(x) or (isinstance(x, numbers.Real) and not math.isfinite(x)):
        return "—"
    if isinstance(x, numbers.Integral) and decimals == 0:
        return f"{int(x):,}".translate(_DUTCH_SEPARATORS)
    v = float(x)
    scaled = abs(v) * 10.0**decimals
    if scaled < _FAST_BELOW and abs(scaled - math.floor(scaled) - 0.5) > _NOT_A_HALF:
        # not (nearly) a half: rounding the binary value to nearest gives the same digits, faster
        text = f"{v:,.{decimals}f}"
        return (text[1:] if text[0] == "-" and not text.strip("-0.,") else text).translate(_DUTCH_SEPARATORS)
    return f"{rounded(v, decimals):,.{decimals}f}".translate(_DUTCH_SEPARATORS)


def setting(x: float | int) -> str:
    """A configured value (a threshold, a confidence level in %, a significance level) as written, in Dutch
    notation: 50.0 → '50', 0.05 → '0,05', 100 × 0.975 → '97,5' (binary noise of such a product removed)."""
    return plain_number(round(float(x), 10))


def plain_number(x: object) -> str:
    """A value as a user types it (a code, a bound, a cell value): a whole number without a thousands
    separator ('9999'), otherwise with a decimal comma ('0,5'); anything else as text."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if float(x).is_integer():
        return str(int(x))
    return str(x).replace(".", ",")


def pct(x: float | None, decimals: int = 0) -> str:
    """A percentage with a non-breaking space before the sign: 72 %."""
    text = number(x, decimals)
    return text if text == "—" else f"{text}{NBSP}%"


def interval(lo: float | None, hi: float | None, decimals: int = 0, percent: bool = True) -> str:
    lo, hi = number(lo, decimals), number(hi, decimals)
    if "—" in (lo, hi):
        return "—"
    sign = f"{NBSP}%" if percent else ""
    return f"{lo}–{hi}{sign}"


def out_of_ten(p: float) -> str:
    """'Zeven op de tien' for 72 %; never 'tien op de tien' unless everyone, never 'geen' unless nobody."""
    k = int(rounded(rounded(p) / 10))  # from the printed percentage: 'Acht op de tien (75 %)', not 'Zeven'
    if k >= 10 and p < 100:
        return "Bijna alle"
    if k <= 0 and p > 0:
        return "Bijna geen"
    if k >= 10:
        return "Alle"
    if k <= 0:
        return "Geen"
    return f"{WORDS[k]} op de tien"


def level_name(ci_level: float) -> str:
    return f"{setting(ci_level * 100)}%-BI"


def headline_sentence(row: dict, audience: str, predicate: str | None, question: str, ci_level: float) -> str:
    """E.g. 'Zeven op de tien cliënten (72 %, 95%-BI 66–77 %) vinden de kwaliteit van de ondersteuning goed.'"""
    bi = level_name(ci_level)
    if row.get("onderdrukt") == "ja":
        return f"Geen cijfer: {row.get('reden') or 'te weinig respondenten'}."
    kind = row["soort"]
    if kind == "gemiddelde":
        return (
            f"{audience.capitalize()} geven gemiddeld een {number(row['waarde'], 1)} "
            f"({bi} {interval(row['ondergrens'], row['bovengrens'], 1, percent=False)})."
        )
    value = row["waarde"]
    figure = f"({pct(value)}, {bi} {interval(row['ondergrens'], row['bovengrens'])})"
    if row["indicator"].endswith("_onvoldoende"):
        return f"{out_of_ten(value)} {audience} {figure} geven een onvoldoende (1 tot en met 5)."
    if predicate:
        return f"{out_of_ten(value)} {audience} {figure} {predicate}."
    return f"{out_of_ten(value)} {audience} {figure} zijn het (helemaal) eens met: ‘{question}’"


def _value(x: float, kind: str) -> str:
    return number(x, 1) if kind == "gemiddelde" else pct(x)


def comparison_sentences(row: dict, region_name: str | None, benchmark_name: str | None) -> list[str]:
    """Plain-Dutch comparisons with significance, e.g. 'significant hoger dan in de rest van de
    Drechtsteden (64 %)'."""
    out = []
    kind = row["soort"]

    def phrase(sig: str, diff: float, than: str, same: str, ref: float) -> str:
        if sig == "ja":
            word = "hoger" if diff > 0 else "lager"
            return f"significant {word} dan {than} ({_value(ref, kind)})"
        return f"niet significant verschillend van {same} ({_value(ref, kind)})"

    if row.get("significant_regio") in ("ja", "nee") and region_name:
        out.append(
            phrase(
                row["significant_regio"],
                row["verschil_regio"],
                f"in de rest van {region_name}",
                f"de rest van {region_name}",
                row["waarde_rest_regio"],
            )
        )
    if row.get("significant_vorige") in ("ja", "nee"):
        year = int(row["vorige_editie"])
        if row["significant_vorige"] == "ja":
            out.append(phrase("ja", row["verschil_vorige"], f"in {year}", "", row["waarde_vorige"]))
        else:
            out.append(f"gelijk aan {year} ({_value(row['waarde_vorige'], kind)}; het verschil is niet significant)")
    if row.get("significant_benchmark") in ("ja", "nee") and benchmark_name:
        out.append(
            phrase(
                row["significant_benchmark"],
                row["verschil_benchmark"],
                benchmark_name,
                benchmark_name,
                row["waarde_benchmark"],
            )
        )
    return out


def n_text(row: dict) -> str:
    """'n = 137'; a suppressed figure publishes no exact count: 'n < 10' (the bound from its reason) or
    'n niet gepubliceerd'."""
    if is_missing(row.get("n")):
        bound = re.search(r"\(n < (\d+)\)", str(row.get("reden") or ""))
        return f"n < {bound.group(1)}" if bound else "n niet gepubliceerd"
    return f"n = {number(int(row['n']))}"


def base_sentence(row: dict) -> str:
    text = n_text(row)
    if is_missing(row.get("n")):
        return text
    g = int(row.get("n_geen_oordeel") or 0)
    if g:
        text += f"; {number(g)} × weet niet / n.v.t. niet meegeteld"
    return text


def _join(items: Iterable[object], word: str) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def join_and(items: Iterable[object]) -> str:
    """'a, b en c'."""
    return _join(items, "en")


def join_or(items: Iterable[object]) -> str:
    """'a, b of c'."""
    return _join(items, "of")


def join_list(items: list[str]) -> str:
    """'a, b en c' of the items that are not empty."""
    return join_and(i for i in items if i)


MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def date_nl(day: str | date) -> str:
    """'2025-11-21' (or that date) → '21 november 2025'."""
    if not isinstance(day, date):
        day = date(*(int(x) for x in str(day)[:10].split("-")))
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# --------------------------------------------------------------------------- names for matching and paths

def fold_accents(text: object) -> str:
    """The text without accents and other combining marks ('Cliëntervaring' → 'Clientervaring')."""
    text = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def normalise(text: object) -> str:
    """For comparing names: lower case, no accents, no punctuation, single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold_accents(text).lower()).split())


def slug(name: str) -> str:
    """A page or file name from a name: ASCII letters, digits and '-', at most 80 characters (a region name
    from ceo.yaml can be long; file systems allow 255 bytes)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].strip("-")
