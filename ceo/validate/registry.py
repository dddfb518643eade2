"""The 342 Dutch gemeenten (CBS codes), the mergers (herindelingen) and the regions.

Built from package data copied from the CBS municipality list; never reads outside the package.
Names are matched accent-, case- and punctuation-insensitively, so ``"den haag"``,
``"'s-Gravenhage"``, ``"GM0518"``, ``"0518"`` and ``518`` all resolve to ``GM0518``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources

from ceo.core.texts import date_nl, join_or, normalise


@dataclass(frozen=True)
class Gemeente:
    code: str
    name: str
    province: str
    safety_region_code: str
    safety_region_name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Merger:
    date: date
    old_code: str
    old_name: str
    new_code: str
    new_name: str


@dataclass(frozen=True)
class Region:
    """A set of gemeenten published together: a province, a veiligheidsregio or a user region."""

    id: str
    name: str
    kind: str  # "provincie", "veiligheidsregio" or "regio" (user-defined)
    members: tuple[str, ...]
    centre: str | None = None


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving what a user typed as a gemeente."""

    code: str | None
    problem: str | None = None




def cbs_code(text: str) -> str | None:
    """``GM`` and four digits for what looks like a CBS gemeentecode (``GM0505``, ``0505``, ``505``), else
    None. Whether such a gemeente exists is not checked."""
    m = re.fullmatch(r"(?i)(?:gm)?\s*0*(\d{1,4})", str(text).strip())
    return f"GM{int(m.group(1)):04d}" if m else None


@dataclass
class Registry:
    gemeenten: dict[str, Gemeente]
    mergers: dict[str, Merger]
    _by_name: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for g in self.gemeenten.values():
            for name in (g.name, *g.aliases):
                self._by_name[normalise(name)] = g.code
            # "Bergen (NH.)" is also typed "Bergen NH"; keep the bare name only when unique
        bare: dict[str, list[str]] = {}
        for g in self.gemeenten.values():
            stripped = normalise(re.sub(r"\(.*?\)", "", g.name))
            bare.setdefault(stripped, []).append(g.code)
        for name, codes in bare.items():
            if len(codes) == 1:
                self._by_name.setdefault(name, codes[0])

    def name(self, code: str) -> str:
        return self.gemeenten[code].name

    def resolve(self, value: object) -> Resolution:
        """Resolve a CBS code (``GM0505``, ``0505``, ``505``) or a name to a current CBS code."""
        if value is None:
            return Resolution(None, "gemeente ontbreekt")
        if isinstance(value, float):
            if value != value:  # NaN
                return Resolution(None, "gemeente ontbreekt")
            if value.is_integer():
                value = int(value)
        text = str(value).strip()
        if not text:
            return Resolution(None, "gemeente ontbreekt")
        code = cbs_code(text)
        if code is not None:
            return self._check_code(code)
        key = normalise(text)
        if key in self._by_name:
            return Resolution(self._by_name[key])
        for merger in self.mergers.values():
            if normalise(merger.old_name) == key:
                return self._merged(merger)
        bare = [c for n, c in self._by_name.items() if n.startswith(key + " ")]
        if len(set(bare)) > 1:
            names = sorted({self.gemeenten[c].name for c in bare})
            return Resolution(None, f"gemeentenaam is niet eenduidig: bedoelt u {join_or(names)}?")
        return Resolution(None, "onbekende gemeente (verwacht een CBS-code zoals GM0505 of een "
                                "officiële gemeentenaam)")

    def _check_code(self, code: str) -> Resolution:
        if code in self.gemeenten:
            return Resolution(code)
        if code in self.mergers:
            return self._merged(self.mergers[code])
        return Resolution(None, f"onbekende gemeentecode {code} (verwacht een CBS-code van een "
                                "bestaande gemeente, zoals GM0505)")

    def _merged(self, m: Merger) -> Resolution:
        new = m.new_code
        # follow chains of mergers to the gemeente that exists now
        while new in self.mergers:
            new = self.mergers[new].new_code
        return Resolution(None, f"gemeente {m.old_code} ({m.old_name}) bestaat sinds "
                                f"{date_nl(m.date)} niet meer; zij is opgegaan in {new} "
                                f"({self.gemeenten[new].name if new in self.gemeenten else m.new_name})"
                                f". Gebruik de code van de nieuwe gemeente.")

    def provinces(self) -> list[Region]:
        out: dict[str, list[str]] = {}
        for g in self.gemeenten.values():
            out.setdefault(g.province, []).append(g.code)
        return [Region("PV_" + normalise(p).replace(" ", "_"), p, "provincie", tuple(sorted(c)))
                for p, c in sorted(out.items())]

    def safety_regions(self) -> list[Region]:
        out: dict[tuple[str, str], list[str]] = {}
        for g in self.gemeenten.values():
            out.setdefault((g.safety_region_code, g.safety_region_name), []).append(g.code)
        return [Region(code, name, "veiligheidsregio", tuple(sorted(c)))
                for (code, name), c in sorted(out.items())]


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The built-in registry (read once per process)."""
    data = resources.files("ceo") / "data"
    gemeenten: dict[str, Gemeente] = {}
    with (data / "gemeenten.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            aliases = tuple(a for a in (row.get("alias") or "").split("|") if a)
            gemeenten[row["gemeentecode"]] = Gemeente(
                row["gemeentecode"], row["gemeentenaam"], row["provincie"],
                row["veiligheidsregiocode"], row["veiligheidsregionaam"], aliases)
    mergers: dict[str, Merger] = {}
    with (data / "herindelingen.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            mergers[row["oude_code"]] = Merger(date.fromisoformat(row["datum"]), row["oude_code"],
                                               row["oude_naam"], row["nieuwe_code"],
                                               row["nieuwe_naam"])
    return Registry(gemeenten, mergers)
