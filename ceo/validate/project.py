"""The project configuration (``ceo.yaml`` next to ``mkdocs.yml``): regions, thresholds, CI method."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ceo.core import texts
from ceo.core.problems import InputError, Problem, yaml_lines
from ceo.io.limits import Limits, parse_limits
from ceo.io.text import read_utf8
from ceo.validate.registry import Region, registry
from ceo.validate.schema import LIMIT_KEYS, key_problems
from ceo.validate.schema import PROJECT as PROJECT_SCHEMA

CONFIG_NAME = "ceo.yaml"
CI_METHODS = ("logit", "beta", "wilson")
#: how the fieldwork was done (``veldwerk: {2025: {periode: ..., wijze: ...}}``)
FIELDWORK_MODES = ("schriftelijk", "online", "telefonisch", "combinatie")


@dataclass(frozen=True)
class Thresholds:
    """Suppression and quality rules (defaults as in the issue and common CBS practice)."""

    min_n: int = 30                 # fewer substantive answers → not published
    indicative_n_eff: float = 50.0  # effective n below this → "indicatief"
    indicative_ci_width: float = 25.0  # CI wider than this (percentage points) → "indicatief"
    #: a suppressed cell with fewer respondents than this could reveal how individuals answered, so
    #: a second cell is suppressed when it could otherwise be recomputed from published figures
    disclosure_n: int = 10
    #: global recoding (codebook ``samenvoegen``): a mergeable category is merged in the whole edition when at least
    #: this share of its headline figures in the gemeenten have 1 ≤ n < disclosure_n (see ceo.stats.recode)
    merge_share: float = 0.25
    #: protection level (τ-ARGUS/sdcTable): the range of positive answers of a suppressed small cell that
    #: is consistent with everything published must be at least min(n, this) respondents wide
    protection_n: float = 4.0


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
    #: edition → ``{"periode": str, "wijze": str}`` (``veldwerk`` in ceo.yaml)
    fieldwork: dict = field(default_factory=dict)
    #: where the site is published (https://..., ending in /), or "" when not configured
    site_url: str = ""
    #: (name, href) of the contact in the footer and colofon: href is mailto:... or https://..., or ""
    contact: tuple[str, str] = ("", "")
    #: (name, url) of the licence of the published figures and files
    licence: tuple[str, str] = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/deed.nl")
    #: an organisation's public telephone numbers and e-mail addresses (``openbare_contactgegevens``), as
    #: :func:`ceo.validate.privacy.declared_contacts` gives them: not an identifier of a person
    public_contacts: frozenset[str] = frozenset()

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
    text = read_utf8(path, file)
    from ceo.io.safeyaml import load_yaml

    check_mkdocs_config(root)
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
                           ("indicatief_bi_breedte", False), ("samenvoegen_aandeel", False),
                           ("beschermingsmarge", False)):
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
            merge_share=float(raw_t.get("samenvoegen_aandeel", th.merge_share)),
            protection_n=float(raw_t.get("beschermingsmarge", th.protection_n)),
        )
    except (TypeError, ValueError, AttributeError, OverflowError):
        problems.append(Problem("drempels: minimum_n, indicatief_n_eff, indicatief_bi_breedte, "
                                "onthulling_n, samenvoegen_aandeel en beschermingsmarge moeten (eindige) getallen "
                                "zijn", file, lines.get(("drempels",))))
    if not (math.isfinite(th.indicative_n_eff) and math.isfinite(th.indicative_ci_width)):
        problems.append(Problem("drempels: indicatief_n_eff en indicatief_bi_breedte moeten eindige getallen zijn",
                                file, lines.get(("drempels",))))
    if not 0 < th.merge_share <= 1:
        problems.append(Problem("drempels: samenvoegen_aandeel moet een getal groter dan 0 en hoogstens 1 zijn "
                                "(bijv. 0.25)", file, lines.get(("drempels", "samenvoegen_aandeel")),
                                value=th.merge_share))
    if th.min_n < 1:
        problems.append(Problem("drempels: minimum_n moet minstens 1 zijn", file, value=th.min_n))
    elif len(problems) == n_before_thresholds and th.min_n < th.disclosure_n:
        # a value of n < onthulling_n respondents would be published while the disclosure rule says such a
        # cell reveals how individuals answered: the privacy rule cannot be configured away
        problems.append(Problem(f"drempels: minimum_n ({th.min_n}) mag niet kleiner zijn dan onthulling_n "
                                f"({th.disclosure_n}): dan zou een cijfer van minder dan {th.disclosure_n} "
                                "respondenten gepubliceerd worden, terwijl zo'n cijfer kan onthullen wat iemand "
                                f"antwoordde. Zet minimum_n op {th.disclosure_n} of hoger",
                                file, lines.get(("drempels", "minimum_n"), lines.get(("drempels",))),
                                value=th.min_n))
    if th.disclosure_n < 2:
        problems.append(Problem("drempels: onthulling_n moet minstens 2 zijn (een cijfer van één respondent "
                                "onthult altijd zijn antwoord)", file,
                                lines.get(("drempels", "onthulling_n"), lines.get(("drempels",))),
                                value=th.disclosure_n))
    if not (math.isfinite(th.protection_n) and th.protection_n >= 0):
        problems.append(Problem("drempels: beschermingsmarge moet een getal van 0 of meer zijn", file,
                                value=th.protection_n))
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
    site_url, contact, licence, site_problems = site_settings(data, file, lines)
    problems += site_problems
    fieldwork = _fieldwork(data.get("veldwerk"), file, lines, problems)
    public_contacts = _public_contacts(data.get("openbare_contactgegevens"), file, lines, problems)
    if not problems:
        problems += text_problems(data, file, lines, public_contacts)
    if problems:
        raise InputError(problems)
    return Project(root=root, name=str(data.get("naam") or root.name), regions=tuple(regions),
                   thresholds=th, confidence=float(confidence), ci_method=method,
                   significance=float(significance), publisher=str(data.get("uitgever") or ""),
                   limits=limits, site_url=site_url, contact=contact, licence=licence, fieldwork=fieldwork,
                   public_contacts=public_contacts)


def _public_contacts(raw: object, file: str, lines: dict, problems: list[Problem]) -> frozenset[str]:
    """``openbare_contactgegevens``: telephone numbers and e-mail addresses of organisations."""
    from ceo.validate.privacy import declared_contacts

    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raw = [raw]
    allowed, bad = declared_contacts(raw)
    for v in bad:
        problems.append(Problem("openbare_contactgegevens: geen telefoonnummer of e-mailadres (zet een "
                                "telefoonnummer tussen aanhalingstekens: '0101234567')", file,
                                lines.get(("openbare_contactgegevens",)), value=v))
    return allowed


#: texts of ceo.yaml that reach the site or the open data (contact.email is a contact address by design)
_CHECKED_TEXTS = (("naam",), ("uitgever",), ("contact", "naam"), ("contact", "url"), ("licentie", "naam"),
                  ("licentie", "url"), ("site_url",))


def text_problems(data: dict, file: str, lines: dict, allowed: frozenset[str]) -> list[Problem]:
    """Identifiers (e-mail address, telephone number, BSN, IBAN, postcode) in the texts of ceo.yaml that are
    published: refused with the line, since they are the researcher's own and should be fixed there."""
    from ceo.validate.privacy import identifiers_in_text

    out: list[Problem] = []
    texts_: list[tuple[tuple, object]] = [(path, _get(data, path)) for path in _CHECKED_TEXTS]
    texts_ += [(("regios", i, "naam"), r.get("naam")) for i, r in enumerate(data.get("regios") or [])
               if isinstance(r, dict)]
    veldwerk = data.get("veldwerk")
    texts_ += [(("veldwerk", str(k), "periode"), e.get("periode")) for k, e in (veldwerk or {}).items()
               if isinstance(veldwerk, dict) and isinstance(e, dict)]
    for path, value in texts_:
        if not isinstance(value, str):
            continue
        for what, fragment in identifiers_in_text(value, allowed):
            key = ".".join(str(p) for p in path)
            out.append(Problem(f"{key} bevat {what} ('{fragment}'); deze tekst komt op de site en in de open data. "
                               "Haal het weg, of zet een nummer of adres van een organisatie onder "
                               "openbare_contactgegevens", file, _line(lines, path), value=value))
    return out


def _get(data: dict, path: tuple) -> object:
    for p in path:
        if not isinstance(data, dict):
            return None
        data = data.get(p)
    return data


def _line(lines: dict, path: tuple) -> int | None:
    for k in range(len(path), 0, -1):
        if path[:k] in lines:
            return lines[path[:k]]
    return None


def check_mkdocs_config(root: Path) -> None:
    """``mkdocs.yml`` next to ``ceo.yaml`` must be UTF-8 text: ceo keeps its ``site_url`` up to date after a run,
    and MkDocs reads it as UTF-8. Checked before anything is read or written, so that a run never stops after
    ``site/`` was rewritten."""
    path = root / "mkdocs.yml"
    if not path.is_file():
        return
    read_utf8(path, "mkdocs.yml")


#: licences known by name: their Dutch deed (any other licence needs ``licentie: {naam, url}``)
LICENCES = {
    "cc by 4.0": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/deed.nl"),
    "cc by-sa 4.0": ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/deed.nl"),
    "cc0 1.0": ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/deed.nl"),
    "cc0": ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/deed.nl"),
}
#: an https address: a host name, a port, and a path and query of the characters of RFC 3986 without brackets,
#: quotes and backslashes, so that it can never end a Markdown link or an HTML attribute (percent-encode others)
_HTTPS_URL = re.compile(r"https://[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                        r"(:[0-9]{1,5})?(/[A-Za-z0-9\-._~:/?#@!$&*+,;=%]*)?")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&*+/=?^_{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def site_settings(data: dict, file: str, lines: dict) -> tuple[str, tuple[str, str], tuple[str, str], list[Problem]]:
    """``site_url``, ``contact`` and ``licentie`` of ``ceo.yaml``: (site_url ending in '/', (contact name, href),
    (licence name, url), problems)."""
    problems: list[Problem] = []
    site_url = data.get("site_url")
    if site_url is None or site_url == "":
        site_url = ""
    elif not isinstance(site_url, str) or not _HTTPS_URL.fullmatch(site_url.strip()) or "?" in site_url \
            or "#" in site_url:
        problems.append(Problem("site_url moet het volledige adres van de site zijn, beginnend met https:// en "
                                "zonder ? of #, bijv. https://www.gemeente.nl/cijfers/", file,
                                lines.get(("site_url",)), value=site_url))
        site_url = ""
    else:
        site_url = site_url.strip()
        site_url += "" if site_url.endswith("/") else "/"
    contact: tuple[str, str] = ("", "")
    raw = data.get("contact")
    if raw is not None:
        at = lines.get(("contact",))
        if not isinstance(raw, dict):
            problems.append(Problem("contact moet 'naam' en 'email' of 'url' hebben, bijv. "
                                    "contact: {naam: Onderzoekcentrum, email: onderzoek@gemeente.nl}", file, at,
                                    value=raw))
        else:
            name, email, url = (raw.get(k) for k in ("naam", "email", "url"))
            href = ""
            if email not in (None, "") and (not isinstance(email, str) or not _EMAIL.fullmatch(email.strip())):
                problems.append(Problem("contact: email is geen e-mailadres", file,
                                        lines.get(("contact", "email"), at), value=email))
            elif url not in (None, "") and (not isinstance(url, str) or not _HTTPS_URL.fullmatch(url.strip())):
                problems.append(Problem("contact: url moet een adres zijn dat begint met https:// (zonder spaties, "
                                        "haakjes of aanhalingstekens)", file,
                                        lines.get(("contact", "url"), at), value=url))
            elif email:
                href = "mailto:" + email.strip()
            elif url:
                href = url.strip()
            else:
                problems.append(Problem("contact: geef een email of een url", file, at))
            if name is not None and not isinstance(name, str):
                problems.append(Problem("contact: naam moet een tekst zijn", file,
                                        lines.get(("contact", "naam"), at), value=name))
            elif href:
                contact = ((name or "").strip() or (email or url).strip(), href)
    licence = LICENCES["cc by 4.0"]
    raw = data.get("licentie")
    if raw is not None:
        at = lines.get(("licentie",))
        if isinstance(raw, str) and raw.strip().lower() in LICENCES:
            licence = LICENCES[raw.strip().lower()]
        elif isinstance(raw, dict) and isinstance(raw.get("naam"), str) and raw["naam"].strip():
            url = raw.get("url") or ""
            if url and (not isinstance(url, str) or not _HTTPS_URL.fullmatch(url.strip())):
                problems.append(Problem("licentie: url moet een adres zijn dat begint met https:// (zonder spaties, "
                                        "haakjes of aanhalingstekens)", file,
                                        lines.get(("licentie", "url"), at), value=url))
            licence = (raw["naam"].strip(), url.strip() if isinstance(url, str) else "")
        else:
            known = ", ".join(sorted({n for n, _ in LICENCES.values()}))
            problems.append(Problem(f"licentie: kies {known}, of geef een eigen licentie met naam en url "
                                    "(licentie: {naam: ..., url: https://...})", file, at, value=raw))
    return site_url, contact, licence, problems


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


def _fieldwork(raw: object, file: str, lines: dict, problems: list[Problem]) -> dict:
    """``veldwerk``: per edition (a year) the period (text) and mode of the fieldwork."""
    if raw is None:
        return {}
    example = "bijv. veldwerk: {2025: {periode: \"september tot en met november 2025\", wijze: combinatie}}"
    if not isinstance(raw, dict):
        problems.append(Problem(f"veldwerk moet per editie de periode en wijze geven; {example}", file,
                                lines.get(("veldwerk",)), value=raw))
        return {}
    out: dict[int, dict] = {}
    for key, entry in raw.items():
        at = lines.get(("veldwerk", str(key)), lines.get(("veldwerk",)))
        year = key if isinstance(key, int) and not isinstance(key, bool) else None
        if isinstance(key, str) and key.strip().isdigit():
            year = int(key)
        if year is None or not 2000 <= year <= 2100:
            problems.append(Problem(f"veldwerk: '{key}' is geen editie (een jaar, bijv. 2025)", file, at, value=key))
            continue
        if not isinstance(entry, dict):
            problems.append(Problem(f"veldwerk.{year} moet 'periode' en 'wijze' hebben; {example}", file, at,
                                    value=entry))
            continue
        period, mode = entry.get("periode"), entry.get("wijze")
        if not isinstance(period, str) or not period.strip():
            problems.append(Problem(f"veldwerk.{year}.periode moet een tekst zijn, bijv. \"september tot en met "
                                    f"november {year}\"", file, lines.get(("veldwerk", str(key), "periode"), at),
                                    value=period))
            continue
        if mode not in FIELDWORK_MODES:
            problems.append(Problem(f"veldwerk.{year}.wijze moet {texts.join_or(FIELDWORK_MODES)} zijn", file,
                                    lines.get(("veldwerk", str(key), "wijze"), at), value=mode))
            continue
        out[year] = {"periode": period.strip(), "wijze": mode}
    return out
