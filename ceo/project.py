"""The project configuration (``ceo.yaml`` next to ``mkdocs.yml``): regions, thresholds, CI method."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ceo.problems import InputError, Problem
from ceo.registry import Region, registry

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
    file = str(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        from ceo.problems import yaml_problem

        raise InputError(yaml_problem(exc, CONFIG_NAME, text)) from None
    if not isinstance(data, dict):
        raise InputError(Problem("de projectconfiguratie moet sleutels hebben (naam, regios, ...)",
                                 file))
    problems: list[Problem] = []
    reg = registry()
    regions: list[Region] = []
    for i, rr in enumerate(data.get("regios") or [], start=1):
        if not isinstance(rr, dict) or not rr.get("id") or not rr.get("gemeenten"):
            problems.append(Problem(f"regios[{i}]: een regio heeft 'id', 'naam' en 'gemeenten' nodig",
                                    file))
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

    raw_t = data.get("drempels") or {}
    th = Thresholds()
    try:
        th = Thresholds(
            min_n=int(raw_t.get("minimum_n", th.min_n)),
            indicative_n_eff=float(raw_t.get("indicatief_n_eff", th.indicative_n_eff)),
            indicative_ci_width=float(raw_t.get("indicatief_bi_breedte", th.indicative_ci_width)),
            disclosure_n=int(raw_t.get("onthulling_n", th.disclosure_n)),
        )
    except (TypeError, ValueError, AttributeError):
        problems.append(Problem("drempels: minimum_n, indicatief_n_eff, indicatief_bi_breedte en "
                                "onthulling_n moeten getallen zijn", file))
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
    if problems:
        raise InputError(problems)
    return Project(root=root, name=str(data.get("naam") or root.name), regions=tuple(regions),
                   thresholds=th, confidence=float(confidence), ci_method=method,
                   significance=float(significance), publisher=str(data.get("uitgever") or ""))
