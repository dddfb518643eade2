"""The project configuration (``ceo.yaml`` next to ``mkdocs.yml``): regions, thresholds, CI method."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ceo.core import texts
from ceo.core.problems import InputError, Problem, yaml_lines
from ceo.io.limits import Limits, parse_limits
from ceo.validate.registry import Region, registry
from ceo.validate.schema import LIMIT_KEYS, key_problems
from ceo.validate.schema import PROJECT as PROJECT_SCHEMA

CONFIG_NAME = "ceo.yaml"
CI_METHODS = ("logit", "beta", "wilson")


@dataclass(frozen=True)
class Thresholds:
    """Suppression and quality rules (defaults as in the issue and common CBS practice)."""

    min_n: int = 30                 # fewer substantive answers → not published
    indicative_n_eff: float = 50.0  # effective n below this → "indicatief"
    indicative_ci_width: float = 25.0  # CI wider than this (percentage points) → "indicatief"
    #: a suppressed cell with fewer respondents than this could reveal how individuals answered, so
    #: a second cell is suppressed when it could otherwise be recomputed from published figures
    disclosure_n: int = 10


@dataclass(frozen=True)
class Project:
    root: Path
    name: str
    regions: tuple[Region, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    confidence: float = 0.95
    ci_method: str = "logit"
    significance: float = 0.05
    publisher: str = ""
    limits: Limits = field(default_factory=Limits)

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def output_dir(self) -> Path:
        return self.root / "uitvoer"

    def regions_of(self, code: str) -> list[Region]:
        return [r for r in self.regions if code in r.members]


def find_project(start: str | Path = ".") -> Path:
    """The nearest directory (``start`` or a parent) holding ``ceo.yaml``."""
    start = Path(start).resolve()
    for d in (start, *start.parents):
        if (d / CONFIG_NAME).is_file():
            return d
    raise InputError(f"geen ceo-project gevonden: er staat geen {CONFIG_NAME} in {start} of een "
                     "map daarboven. Maak een project met 'ceo init MAP' of ga naar de projectmap.")


def load_project(root: str | Path = ".") -> Project:
    """Read and check ``ceo.yaml``; every mistake is reported in Dutch at once."""
    root = find_project(root)
    path = root / CONFIG_NAME
    file = CONFIG_NAME  # (the project directory is where the user works)
    try:
        raw_bytes = path.read_bytes()
        text = raw_bytes.decode("utf-8-sig")
    except OSError as exc:
        raise InputError(Problem(f"het bestand kan niet worden gelezen ({exc.strerror})", file)) from None
    except UnicodeDecodeError as exc:
        line = raw_bytes.count(b"\n", 0, exc.start) + 1
        raise InputError(Problem("het bestand is niet opgeslagen als UTF-8-tekst; sla het op als UTF-8 (in "
                                 "Kladblok: Opslaan als, codering UTF-8)", file, line,
                                 value=raw_bytes.splitlines()[line - 1].decode("cp1252", "replace").strip()
                                 if raw_bytes.splitlines() else None)) from None
    from ceo.io.safeyaml import load_yaml

    data = load_yaml(text, CONFIG_NAME) or {}
    if not isinstance(data, dict):
        raise InputError(Problem("de projectconfiguratie moet sleutels hebben (naam, regios, ...)",
                                 file))
    lines = yaml_lines(text)
    # every key must be known: a typo ('bi_methdoe') would otherwise silently leave the default in force
    problems: list[Problem] = key_problems(data, PROJECT_SCHEMA, file, lines)
    reg = registry()
    regions: list[Region] = []
    own = data.get("regios") or []
    if not isinstance(own, list):
        problems.append(Problem("regios moet een lijst van regio's zijn ('- id: ...')", file,
                                lines.get(("regios",)), value=own))
        own = []
    for i, rr in enumerate(own, start=1):
        at = lines.get(("regios", i - 1))
        if not isinstance(rr, dict) or not rr.get("id") or not rr.get("gemeenten"):
            problems.append(Problem(f"regios[{i}]: een regio heeft 'id', 'naam' en 'gemeenten' nodig",
                                    file, at))
            continue
        if not isinstance(rr["gemeenten"], list):
            problems.append(Problem(f"regios[{i}] ({rr['id']}): gemeenten moet een lijst zijn, bijv. "
                                    "[GM0505, GM0642]", file, lines.get(("regios", i - 1, "gemeenten"), at),
                                    value=rr["gemeenten"]))
            continue
        reason = region_id_problem(rr["id"])
        if reason:
            problems.append(Problem(f"regios[{i}]: {reason}", file, lines.get(("regios", i - 1, "id"), at),
                                    value=rr["id"]))
            continue
        members = []
        for g in rr["gemeenten"]:
            res = reg.resolve(g)
            if res.code is None:
                problems.append(Problem(f"regios[{i}] ({rr['id']}): {res.problem}", file, value=g))
            else:
                members.append(res.code)
        centre = None
        if rr.get("centrumgemeente"):
            res = reg.resolve(rr["centrumgemeente"])
            centre = res.code
            if centre is None:
                problems.append(Problem(f"regios[{i}] ({rr['id']}): centrumgemeente: {res.problem}",
                                        file, value=rr["centrumgemeente"]))
        regions.append(Region(str(rr["id"]), str(rr.get("naam") or rr["id"]), "regio",
                              tuple(members), centre))
    builtin = data.get("ingebouwde_regios") or []
    if isinstance(builtin, str):
        builtin = [builtin]
    for kind in builtin:
        if kind in ("provincies", "provincie"):
            regions.extend(reg.provinces())
        elif kind in ("veiligheidsregios", "veiligheidsregio"):
            regions.extend(reg.safety_regions())
        else:
            problems.append(Problem("ingebouwde_regios: kies uit provincies en veiligheidsregios", file,
                                    value=kind))
    ids = [r.id for r in regions]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(f"regio-id '{dup}' komt meer dan eens voor", file))
    by_slug: dict[str, str] = {}
    for rid in dict.fromkeys(ids):  # two ids that give the same page name overwrite each other's page
        other = by_slug.setdefault(slug(rid), rid)
        if other != rid:
            problems.append(Problem(f"regio-id's '{other}' en '{rid}' geven dezelfde paginanaam "
                                    f"'{slug(rid)}'; kies verschillende id's", file, value=rid))
    n_before_thresholds = len(problems)

    raw_t = data.get("drempels") or {}
    th = Thresholds()
    if isinstance(raw_t, dict):
        for key, whole in (("minimum_n", True), ("onthulling_n", True), ("indicatief_n_eff", False),
                           ("indicatief_bi_breedte", False)):
            v = raw_t.get(key)
            if v is None:
                continue
            if isinstance(v, bool) or (isinstance(v, int | float) and (
                    not math.isfinite(v) or (whole and not float(v).is_integer()))):
                problems.append(Problem(f"drempels: {key} moet een eindig {'geheel ' if whole else ''}getal zijn",
                                        file, lines.get(("drempels", key)), value=v))
        if len(problems) > n_before_thresholds:
            raw_t = {}
    try:
        th = Thresholds(
            min_n=int(raw_t.get("minimum_n", th.min_n)),
            indicative_n_eff=float(raw_t.get("indicatief_n_eff", th.indicative_n_eff)),
            indicative_ci_width=float(raw_t.get("indicatief_bi_breedte", th.indicative_ci_width)),
            disclosure_n=int(raw_t.get("onthulling_n", th.disclosure_n)),
        )
    except (TypeError, ValueError, AttributeError, OverflowError):
        problems.append(Problem("drempels: minimum_n, indicatief_n_eff, indicatief_bi_breedte en "
                                "onthulling_n moeten (eindige) getallen zijn", file, lines.get(("drempels",))))
    if not (math.isfinite(th.indicative_n_eff) and math.isfinite(th.indicative_ci_width)):
        problems.append(Problem("drempels: indicatief_n_eff en indicatief_bi_breedte moeten eindige getallen zijn",
                                file, lines.get(("drempels",))))
    if th.min_n < 1:
        problems.append(Problem("drempels: minimum_n moet minstens 1 zijn", file, value=th.min_n))
    confidence = data.get("betrouwbaarheid", 0.95)
    if not isinstance(confidence, int | float) or not 0.5 <= confidence < 1:
        problems.append(Problem("betrouwbaarheid moet een getal tussen 0,5 en 1 zijn (bijv. 0.95)",
                                file, value=confidence))
        confidence = 0.95
    method = data.get("bi_methode", "logit")
    if method not in CI_METHODS:
        problems.append(Problem(f"bi_methode moet {', '.join(CI_METHODS)} zijn", file, value=method))
    significance = data.get("significantieniveau", 0.05)
    if not isinstance(significance, int | float) or not 0 < significance < 0.5:
        problems.append(Problem("significantieniveau moet een getal tussen 0 en 0,5 zijn",
                                file, value=significance))
        significance = 0.05
    raw_limits = data.get("limieten")
    if isinstance(raw_limits, dict):  # unknown keys are reported above, with their line and the nearest key
        raw_limits = {k: v for k, v in raw_limits.items() if k in LIMIT_KEYS}
    limits, limit_problems = parse_limits(raw_limits)
    problems += [Problem(message, file, lines.get(("limieten",)), value=value) for message, value in limit_problems]
    if problems:
        raise InputError(problems)
    return Project(root=root, name=str(data.get("naam") or root.name), regions=tuple(regions),
                   thresholds=th, confidence=float(confidence), ci_method=method,
                   significance=float(significance), publisher=str(data.get("uitgever") or ""),
                   limits=limits)


#: the page name of an id (the same as :func:`ceo.site.render.slug`)
slug = texts.slug


_GEMEENTECODE_RE = re.compile(r"(?i)(gm)?\d{1,4}")


def region_id_problem(value: object) -> str | None:
    """Why a region id cannot be used (it names the region's page and its figures), or None."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return "een regio-id moet een tekst zijn, bijv. 'drechtsteden'"
    rid = str(value).strip()
    if not slug(rid):
        return "een regio-id moet letters of cijfers bevatten (het wordt de paginanaam van de regio)"
    if _GEMEENTECODE_RE.fullmatch(rid):
        return ("een regio-id mag geen gemeentecode zijn: de cijfers van de regio zouden die van de gemeente "
                "vervangen; kies een naam, bijv. 'drechtsteden'")
    if slug(rid) == "totaal":
        return "'totaal' is gereserveerd voor alle gemeenten samen; kies een andere regio-id"
    return None
