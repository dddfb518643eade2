"""The factsheet site: Markdown pages from Jinja2 templates, rendered from the stored results.

Everything under ``site/<edition>/`` (and ``site/cijfers/``, ``site/actueel/``, ``site/assets/``)
is generated from the results tables and their metadata in ``site/<edition>/data/``; the
hand-written pages (home, methode, toegankelijkheid, colofon) are left alone. The pages hold only
aggregate, publishable figures: suppressed values appear as "—" with their reason.

Layout of one edition::

    site/2025/index.md                  edition overview (all areas x headline indicators)
    site/2025/gemeente/<slug>.md        factsheet per gemeente
    site/2025/regio/<id>.md             region pages and the total
    site/2025/verantwoording.md         response, weighting, methods and questionnaires
    site/2025/data/<survey>.csv         the tidy results table (open data) + .json metadata
    site/2025/data/ceo_2025.xlsx        the same tables as one Excel file
    site/actueel/...                    stable links to the newest edition (static redirects)
"""

from __future__ import annotations

import re
import shutil
import textwrap
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from ceo.core import escape, texts
from ceo.core.escape import html_attr, html_text, json_script, md_text, plotly_text, sanitise_markdown
from ceo.core.problems import InputError, Problem
from ceo.io.sitedata import check_columns, read_json, reading
from ceo.io.text import read_utf8
from ceo.stats.disclosure import (
    REASON_COMPLEMENT,
    REASON_COMPLEMENT_0_1,
    REASON_N_EFF,
    REASON_SMALL,
    REASON_SMALL_0_1,
)
from ceo.stats.results import REASON_STANDARDISED

SURVEY_ORDER = ("wmo", "jeugd", "professionals")
THEME_ORDER = ("toegang", "kwaliteit", "effect", "samenwerking", "rapportcijfer")
THEME_TITLES = {
    "toegang": "Toegang",
    "kwaliteit": "Kwaliteit",
    "effect": "Effect",
    "samenwerking": "Samenwerking",
    "rapportcijfer": "Rapportcijfer",
}
#: chart colours, every one at least 3:1 against white (WCAG 1.4.11): Okabe-Ito blue for the area, a dark
#: vermillion for the region (Okabe-Ito's orange #E69F00 is 2.25:1), green, and grey for the previous edition
#: (the factsheet's charts: ceo.site.factsheet)
PALETTE = {"gebied": "#0072B2", "regio": "#C04A00", "benchmark": "#00785A", "vorige": "#737373"}
#: ordinal answer scale, most positive first (ceo.site.factsheet.ORDINAL5: stacked with white borders)
DIVERGING = ["#08519C", "#2F78B5", "#737373", "#C04A00", "#7F2704"]
GENERATED_TOP = ("cijfers", "actueel", "assets")

DATA_DTYPES = {
    "gebied_code": str,
    "subgroep": str,
    "subgroep_waarde": str,
    "categorie": str,
    "reden": str,
    "regio": str,
    "benchmark": str,
    "definitie": str,
    "significant_vorige": str,
    "significant_regio": str,
    "significant_benchmark": str,
    "significant_groepen": str,
    "toets_groepen": str,
    "indicatief": str,
    "onderdrukt": str,
    "subgroep_label": str,
    "thema": str,
}


slug = texts.slug


def read_results(path: Path) -> pd.DataFrame:
    with reading(path):
        df = check_columns(pd.read_csv(path, dtype=DATA_DTYPES, keep_default_na=False, na_values=[""]), path)
    for c in (
        "subgroep",
        "subgroep_waarde",
        "categorie",
        "reden",
        "regio",
        "benchmark",
        "significant_vorige",
        "significant_regio",
        "significant_benchmark",
        "significant_groepen",
        "toets_groepen",
        "subgroep_label",
        "thema",
    ):
        if c in df:
            df[c] = df[c].fillna("")
    return df


@dataclass
class SurveyEdition:
    meta: dict
    table: pd.DataFrame
    tests: pd.DataFrame | None
    weighting: pd.DataFrame | None
    #: ``<onderzoek>_respons.csv`` (response and representativeness), when the population file had 'aangeschreven'
    response: pd.DataFrame | None = None

    @property
    def id(self) -> str:
        return self.meta["onderzoek"]


@dataclass
class Edition:
    year: int
    surveys: list[SurveyEdition] = field(default_factory=list)

    def areas(self) -> list[tuple[str, str, str]]:
        """(code, name, level) of every area in any survey, gemeenten first (by name)."""
        seen: dict[str, tuple[str, str, str]] = {}
        for s in self.surveys:
            a = s.table[["gebied_code", "gebied_naam", "gebied_niveau"]].drop_duplicates()
            for r in a.itertuples(index=False):
                seen.setdefault(r.gebied_code, (r.gebied_code, r.gebied_naam, r.gebied_niveau))
        order = {"gemeente": 0, "regio": 1, "totaal": 2}
        return sorted(seen.values(), key=lambda t: (order.get(t[2], 3), t[1] if t[2] == "gemeente" else ""))


def load_edition(site_dir: Path, year: int) -> Edition | None:
    data = site_dir / str(year) / "data"
    if not data.is_dir():
        return None
    ed = Edition(year)
    metas = sorted(data.glob("*.json"), key=lambda p: _survey_rank(p.stem))
    for mp in metas:
        meta = read_json(mp)
        sid = meta["onderzoek"]
        table = read_results(data / f"{sid}.csv")
        tests_path = data / f"{sid}_toetsen.csv"
        weights_path = data / f"{sid}_weging.csv"
        with reading(tests_path):
            tests = pd.read_csv(tests_path, keep_default_na=False, na_values=[""]) if tests_path.exists() else None
        with reading(weights_path):
            weighting = pd.read_csv(weights_path) if weights_path.exists() else None
        response_path = data / f"{sid}_respons.csv"
        with reading(response_path):
            response = pd.read_csv(response_path, dtype={"kenmerk": str, "categorie": str, "categorie_label": str},
                                   keep_default_na=False, na_values=[""]) if response_path.exists() else None
        ed.surveys.append(SurveyEdition(meta, table, tests, weighting, response))
    return ed if ed.surveys else None


def _survey_rank(sid: str) -> tuple[int, str]:
    return (SURVEY_ORDER.index(sid) if sid in SURVEY_ORDER else len(SURVEY_ORDER), sid)


def editions_in(site_dir: Path) -> list[int]:
    if not site_dir.is_dir():
        return []
    return sorted(
        int(p.name)
        for p in site_dir.iterdir()
        if p.is_dir() and p.name.isdigit() and (p / "data").is_dir() and any((p / "data").glob("*.json"))
    )


# --------------------------------------------------------------------------------------------
# Jinja environment
# --------------------------------------------------------------------------------------------


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ceo.site", "templates"),
        # Markdown output: every text from data is escaped for its context where the page is put together
        # (ceo.core.escape: md_text, html_text, ...); the plain-HTML templates (redirects) are autoescaped
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(num=texts.number, pct=texts.pct, md=md_text, fm=escape.front_matter)
    env.globals.update(texts=texts, csp=CONTENT_SECURITY_POLICY)
    return env


CHART_TYPE = "application/vnd.ceo-chart+json"


def chart(spec: dict, label: str) -> str:
    """A plotly chart as one raw-HTML element: its text alternative and data as JSON in a ``<script>``.

    assets/ceo.js puts a ``<div class="ceo-chart" role="img" aria-label="...">`` in its place and draws the
    chart when it scrolls into view. Without JavaScript there is no chart (and no empty image): the numbers
    are in the table right after it. One element instead of a ``<div>`` with a ``<script>`` inside keeps
    ``mkdocs build`` fast (every tag is parsed three times, see :func:`html_table`).
    """
    return f'<script type="{CHART_TYPE}">{json_script({"label": label, **spec})}</script>'


def _clean(x):
    if x is None:
        return None
    if isinstance(x, float) and not np.isfinite(x):
        return None
    if isinstance(x, np.floating | np.integer):
        return _clean(x.item())
    return x


def _layout(height: int, **kw) -> dict:
    base = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 30},
        "separators": ",.",
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        "showlegend": False,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    base.update(kw)
    return base


def html_table(
    caption: str,
    headers: list[str] | None,
    rows: list[list[object]],
    *,
    sortable: bool = False,
    filter_label: str | None = None,
    note: str = "",
    searchable: bool = True,
) -> str:
    """An accessible HTML table (caption, column and row headers), as one raw-HTML block.

    The first cell of each row is a row header; ``headers`` is the row of column headers (``None``: a table
    of label and value, the caption says what the values are). ``sortable`` marks it for assets/ceo.js (click
    a column header to sort; a filter box when ``filter_label`` is given); without JavaScript it is a plain
    table. ``note`` (HTML, see :class:`TableNotes`) is a paragraph right below the table. ``searchable=False``
    leaves the table out of the search index (the figures of a factsheet; its headings and text are indexed).

    The markup is lean on purpose: every tag and attribute costs time in ``mkdocs build`` (Python-Markdown,
    MkDocs and the search plugin each parse it with html.parser). No ``scope``: in a table whose first row and
    first column are all ``<th>`` the headers apply to their column and row (the 'auto' state of HTML). No
    ``<thead>``/``<tbody>`` except where assets/ceo.js sorts and filters the rows.
    """
    e = html_text
    attrs = ' data-ceo-sortable="1"' if sortable else ""
    if filter_label:
        attrs += f' data-ceo-filter="{html_attr(filter_label)}"'
    if not searchable:
        attrs += ' data-search-exclude="1"'  # removed from the built page by the search plugin
    parts = [f"<table{attrs}><caption>{e(caption)}</caption>"]
    if headers is not None:
        parts.append("<thead><tr>" if sortable else "<tr>")
        parts += [f"<th>{e(h)}</th>" for h in headers]
        parts.append("</tr></thead><tbody>" if sortable else "</tr>")
    for row in rows:
        parts.append("<tr>")
        for i, cell in enumerate(row):
            text, sort_key = cell if isinstance(cell, tuple) else (cell, None)
            key = "" if sort_key is None else f' data-sort="{html_attr(sort_key)}"'
            content = text if isinstance(text, Markup) else e(text)
            parts.append(f"<th{key}>{content}</th>" if i == 0 else f"<td{key}>{content}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>" if sortable and headers is not None else "</table>")
    if note:
        parts.append(f'\n<p class="ceo-note">{note}</p>')
    return "".join(parts)


class Markup(str):
    """HTML that is already safe (a link) inside :func:`html_table`."""


def link(href: str, text: str) -> Markup:
    return Markup(f'<a href="{html_attr(href)}">{html_text(text)}</a>')


def _fmt(row: dict, decimals: int | None = None) -> str:
    """The published value of a row: '72 %', '7,6', or '—' when suppressed."""
    if row.get("onderdrukt") == "ja" or texts.is_missing(row.get("waarde")):
        return "—"
    if row["soort"] == "gemiddelde":
        text = texts.number(row["waarde"], 1 if decimals is None else decimals)
    else:
        text = texts.pct(row["waarde"], 0 if decimals is None else decimals)
    return text + (" *" if row.get("indicatief") == "ja" else "")


WORD_JOINER = "\u2060"  # invisible: no line break here


def _fmt_ci(row: dict) -> str:
    """The published value with its interval: '72 % (66–77 %)', '7,6 (7,4–7,8)', '66 % (58–74 %) *'."""
    text = _fmt({**row, "indicatief": "nee"})
    ci = _ci(row)
    if ci != "—":
        text += f" ({ci.replace('–', '–' + WORD_JOINER)})"  # a narrow cell may break before '(', not after '–'
    return text + (" *" if row.get("indicatief") == "ja" else "")


INDICATIVE = "weinig respondenten of een breed betrouwbaarheidsinterval"
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(k: int) -> str:
    """A note number as superscript digits ('²'): plain text rather than a <sup> element (a tag per marked cell
    costs build time)."""
    return str(k).translate(_SUPERSCRIPT)


#: the reasons a cell is "—", in plain Dutch (B1) for the legend; the results table's ``reden`` says more
TOO_FEW = "te weinig antwoorden"
PROTECTS = "verborgen om een ander cijfer te beschermen"
NO_ANSWERS = "geen antwoorden"


def _reason_pattern(template: str) -> re.Pattern:
    """A reason template of the results table (``'te weinig respondenten (n < {n})'``) as a pattern."""
    return re.compile(re.sub(r"\\\{\w*\\\}", ".+?", re.escape(template)))


#: (pattern of a ``reden``, its B1 words): matched by the constants of the suppression, not by their text
_REASONS = [(_reason_pattern(REASON_SMALL), TOO_FEW), (_reason_pattern(REASON_N_EFF), TOO_FEW),
            (_reason_pattern(REASON_COMPLEMENT), PROTECTS), (_reason_pattern(REASON_STANDARDISED), PROTECTS),
            (_reason_pattern(REASON_SMALL_0_1), TOO_FEW), (_reason_pattern(REASON_COMPLEMENT_0_1), PROTECTS)]


def plain_reason(reden: object) -> str:
    """Why a figure is not published, in the words of the legend: :data:`TOO_FEW` (its own group is too small or
    rests on too few people after weighting), :data:`PROTECTS` (hidden so that another hidden figure cannot be
    recomputed), or the results table's own reason when it is neither."""
    text = "" if texts.is_missing(reden) else str(reden)
    if not text:
        return TOO_FEW
    for pattern, words in _REASONS:
        if pattern.fullmatch(text):
            return words
    return text


class TableNotes:
    """The published values of the rows shown in one table, with the note below it: why a cell is "—"
    (in B1 words, :func:`plain_reason`; numbered when the table has more than one) and what * means. A "—" carries
    its reason as text for screen readers (:meth:`value`)."""

    def __init__(self, rows: list[dict | None]) -> None:
        self.reasons: list[str] = []
        self.indicative = False
        for r in rows:
            reason = self.reason(r)
            if reason is not None and reason not in self.reasons:
                self.reasons.append(reason)
            if r is not None and reason is None and r.get("indicatief") == "ja":
                self.indicative = True

    @staticmethod
    def reason(row: dict | None) -> str | None:
        if row is None:
            return NO_ANSWERS
        if row.get("onderdrukt") == "ja" or texts.is_missing(row.get("waarde")):
            return plain_reason(row.get("reden"))
        return None

    def value(self, row: dict | None, ci: bool = False) -> str:
        """The published value, with its interval in the same cell when ``ci``: '72 % (66–77 %)'. A figure that is
        not published: a visible "—" (numbered by its reason) that screen readers skip, and its reason as
        visually hidden text ('niet gepubliceerd: te weinig antwoorden'), as :class:`Markup`."""
        reason = self.reason(row)
        if reason is None:
            return _fmt_ci(row) if ci else _fmt(row)
        mark = "—" if len(self.reasons) == 1 else "—" + superscript(self.reasons.index(reason) + 1)
        return dash(reason, mark)

    def html(self) -> str:
        e = html_text
        parts = []
        if len(self.reasons) == 1:
            parts.append(f"— niet gepubliceerd: {e(self.reasons[0])}.")
        elif self.reasons:
            numbered = "; ".join(f"{superscript(k)} {e(r)}" for k, r in enumerate(self.reasons, 1))
            parts.append(f"— niet gepubliceerd: {numbered}.")
        if self.indicative:
            parts.append(f"* indicatief: {INDICATIVE}.")
        return " ".join(parts)


def dash(reason: str, mark: str = "—") -> Markup:
    """A cell without a figure: the visible ``mark`` for the eye, ``'niet gepubliceerd: <reason>'`` for a screen
    reader (a bare "—" is read as nothing or as 'streepje')."""
    return Markup(f'<span aria-hidden="true">{html_text(mark)}</span>'
                  f'<span class="ceo-sr">niet gepubliceerd: {html_text(reason)}</span>')


def dash_text(text: str) -> Markup:
    """A visible "—" that a screen reader reads as ``text``."""
    return Markup(f'<span aria-hidden="true">—</span><span class="ceo-sr">{html_text(text)}</span>')


#: a cell without a figure for another reason than suppression (not asked that year, nothing to compare)
NO_FIGURE = dash_text("geen cijfer")


def html_cell(text: object) -> str:
    """A table cell's content as HTML: :class:`Markup` as it is, anything else escaped."""
    return text if isinstance(text, Markup) else html_text(text)


def _ci(row: dict) -> str:
    if row.get("onderdrukt") == "ja":
        return "—"
    pct = row["soort"] != "gemiddelde"
    return texts.interval(row["ondergrens"], row["bovengrens"], 0 if pct else 1, percent=pct)


def _sort_value(row: dict) -> str:
    v = row.get("waarde")
    return "" if row.get("onderdrukt") == "ja" or texts.is_missing(v) else f"{float(v):.6f}"


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


@dataclass
class SiteContext:
    site_dir: Path
    project_root: Path
    years: list[int]
    pages: dict[int, dict[str, str]]  # year -> area code -> page path relative to the edition dir
    history: dict[tuple, list[tuple]]  # (survey, area, indicator) -> [(year, value, lo, hi, definition)]
    version: str
    changed: set[int] = field(default_factory=set)  # editions whose data changed (rewrite downloads)
    settings: SiteSettings = field(default_factory=lambda: SiteSettings())
    #: (survey, area, indicator[, subgroup, group]) -> [(year, value of the rest of the region)]: the tested
    #: comparator of the factsheet's trend chart (ceo.site.factsheet)
    rest_history: dict[tuple, list[tuple]] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteSettings:
    """What the generated pages take from ``ceo.yaml`` (see :func:`site_settings`)."""

    name: str = ""
    publisher: str = ""
    site_url: str = ""  # https://.../ (ending in /) or ""
    contact: tuple[str, str] = ("", "")  # (name, mailto:... or https://...)
    licence: tuple[str, str] = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/deed.nl")
    #: an organisation's public numbers and addresses (``openbare_contactgegevens``), allowed in the duiding
    public_contacts: frozenset[str] = frozenset()


def site_settings(project) -> SiteSettings:
    """The :class:`SiteSettings` of a loaded project (:class:`ceo.validate.project.Project`)."""
    return SiteSettings(name=project.name, publisher=project.publisher, site_url=project.site_url,
                        contact=project.contact, licence=project.licence, public_contacts=project.public_contacts)


def _page_path(code: str, name: str, level: str) -> str:
    if level == "gemeente":
        return f"gemeente/{slug(name)}.md"
    return f"regio/{slug(code)}.md"


def _rel(from_page: str, to_page: str) -> str:
    """Relative link between two pages given as paths relative to docs_dir (Markdown source paths)."""
    import posixpath

    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def render_site(
    site_dir: Path, project_root: Path, version: str, years: list[int] | None = None, changed: set[int] | None = None,
    settings: SiteSettings | None = None,
) -> list[Path]:
    """Render the pages of the given editions (default: all) plus the site-wide generated pages.

    ``changed``: editions whose data changed, so their Excel download is rewritten (default: all rendered).
    ``settings``: site address, contact and licence from ``ceo.yaml`` (default: none set, licence CC BY 4.0).
    """
    all_years = editions_in(site_dir)
    editions = {y: load_edition(site_dir, y) for y in all_years}
    editions = {y: e for y, e in editions.items() if e is not None}
    pages = {y: {code: _page_path(code, name, level) for code, name, level in e.areas()} for y, e in editions.items()}
    from ceo.site import factsheet

    history: dict[tuple, list[tuple]] = {}
    rest_history: dict[tuple, list[tuple]] = {}
    for y in sorted(editions):
        for s in editions[y].surveys:
            t = s.table
            # the headline rows: everyone, and per variant when the headline is per variant (kop_per)
            kop = (s.meta.get("kop_per") or {}).get("subgroep", "")
            h = t[t["subgroep"].isin(["", kop]) & (t["categorie"] == "") & (t["onderdrukt"] == "nee")]
            for r in h[
                ["onderzoek", "gebied_code", "indicator", "editie", "waarde", "ondergrens", "bovengrens", "definitie",
                 "subgroep", "subgroep_waarde"]
            ].itertuples(index=False, name=None):
                key = r[:3] if not r[8] else (*r[:3], r[8], r[9])
                history.setdefault(key, []).append((int(r[3]), r[4], r[5], r[6], r[7]))
            for key, points in factsheet.rest_history_rows(h).items():
                rest_history.setdefault(key, []).extend(points)
    todo = sorted(editions) if years is None else [y for y in years if y in editions]
    ctx = SiteContext(
        site_dir,
        project_root,
        sorted(editions),
        pages,
        history,
        version,
        set(todo) if changed is None else set(changed),
        settings or SiteSettings(),
    )
    ctx.rest_history = rest_history
    written: list[Path] = []
    for y in todo:
        written += render_edition(ctx, editions[y])
    written += render_common(ctx, editions)
    return written


def render_common(ctx: SiteContext, editions: dict[int, Edition]) -> list[Path]:
    """cijfers/index.md (all gemeenten x editions), actueel/ redirects and the assets."""
    site = ctx.site_dir
    env = environment()
    out: list[Path] = []
    if not editions:  # no figures yet: only the theme override (its footer follows ceo.yaml)
        return copy_theme(site, ctx.settings)
    newest = max(editions)
    names: dict[str, tuple[str, str]] = {}
    for y in sorted(editions):
        for code, name, level in editions[y].areas():
            names[code] = (name, level)
    order = {"gemeente": 0, "regio": 1, "totaal": 2}
    codes = sorted(names, key=lambda c: (order.get(names[c][1], 3), names[c][0] if names[c][1] == "gemeente" else ""))
    me = "cijfers/index.md"
    rows = []
    for code in codes:
        name, _ = names[code]
        cells: list[object] = [name]
        for y in sorted(editions):
            p = ctx.pages[y].get(code)
            cells.append(link(_href(me, f"{y}/{p}"), str(y)) if p else "—")
        rows.append(cells)
    table = html_table(
        "Gemeenten en regio's per editie",
        ["Gebied"] + [str(y) for y in sorted(editions)],
        rows,
        sortable=True,
        filter_label="Zoek een gemeente",
    )
    text = env.get_template("cijfers.md.j2").render(
        newest=newest,
        table=table,
        editions=" · ".join(f"[overzicht {y}]({_rel(me, f'{y}/index.md')})" for y in sorted(editions)),
    )
    out.append(_write(site / "cijfers" / "index.md", text))
    # actueel/: static redirects to the newest edition (not Markdown: not searched, no duplicates)
    actueel = site / "actueel"
    if actueel.exists():
        shutil.rmtree(actueel)
    red = env.get_template("redirect.html.j2")
    site_url = ctx.settings.site_url

    def redirect(directory: str, title: str) -> Path:
        """actueel/<directory>/index.html: to <newest>/<directory>/, with a canonical link to that edition page
        (absolute with site_url) and the stable address shown on the page."""
        depth = directory.count("/") + 1 if directory else 0
        target = "../" * (depth + 1) + f"{newest}/" + (f"{directory}/" if directory else "")
        page = f"{newest}/" + (f"{directory}/" if directory else "")
        stable = "actueel/" + (f"{directory}/" if directory else "")
        return _write(actueel / directory / "index.html", red.render(
            title=title, target=target, canonical=site_url + page if site_url else target,
            stable=site_url + stable if site_url else stable))

    out.append(redirect("", f"overzicht {newest}"))
    out.append(redirect("verantwoording", f"verantwoording {newest}"))
    for code, page in ctx.pages[newest].items():
        out.append(redirect(page[:-3], f"{names[code][0]} {newest}"))  # gemeente/dordrecht
    out += copy_assets(site, ctx.settings)
    return out


def _url_dir(page: str) -> str:
    """The directory URL (relative to the site root) MkDocs gives a page with directory URLs."""
    import posixpath

    if page.endswith("index.md"):
        return posixpath.dirname(page)
    return page[:-3]


def _href(from_page: str, to_page: str) -> str:
    """Link for raw HTML (which MkDocs does not rewrite) from one page to another."""
    import posixpath

    rel = posixpath.relpath(_url_dir(to_page) or ".", _url_dir(from_page) or ".")
    return "./" if rel == "." else rel + "/"


#: print only (ceo.css hides it on screen): the site, the page, and where to find it again on paper: the stable
#: link ``actueel/...`` (always the newest edition) and the link of this edition. Absolute with ``site_url``;
#: otherwise ceo.js writes the address the page was opened at (the relative link stays without JavaScript).
_PRINT_HEADER = (
    "{% block content %}\n"
    "  {%- set parts = page.url.split('/') if page and page.url else [] %}\n"
    "  {%- set year = parts[0] if parts and parts[0] | length == 4 and parts[0].isdigit() else '' %}\n"
    "  {%- set rest = page.url[5:] if year else '' %}\n"
    "  {%- set base = config.site_url or '' %}\n"
    '  <div class="ceo-print-header">\n'
    "    <p>{{ config.site_name }} · {{ page.title }}"
    "{% if year and year not in page.title %} · editie {{ year }}{% endif %}</p>\n"
    "    {%- if year and (rest == '' or rest.startswith(('gemeente/', 'regio/', 'verantwoording/'))) %}\n"
    "    <p>Vaste link (altijd de nieuwste editie): "
    "<a class=\"ceo-print-url\" href=\"{{ ('actueel/' ~ rest) | url }}\">{{ base ~ 'actueel/' ~ rest }}</a><br>\n"
    "      Deze editie ({{ year }}): "
    "<a class=\"ceo-print-url\" href=\"{{ page.url | url }}\">{{ base ~ page.url }}</a></p>\n"
    "    {%- elif page and page.url is not none %}\n"
    "    <p>Adres: <a class=\"ceo-print-url\" href=\"{{ page.url | url }}\">{{ base ~ page.url }}</a></p>\n"
    "    {%- endif %}\n"
    "  </div>\n"
    "  {{ super() }}\n"
    "{% endblock %}\n"
)
#: mkdocs-material's partials/search.html (9.x) with a name for the search dialog (axe ``aria-dialog-name``);
#: ceo.css hides the result list while the search box is empty (on small screens its scroll wrapper was an
#: invisible tab stop)
_SEARCH_PARTIAL = """{#- ceo: mkdocs-material's search box, with a name for the dialog (written by ceo) -#}
<div class="md-search" data-md-component="search" role="dialog" aria-label="Zoeken op deze site">
  <label class="md-search__overlay" for="__search"></label>
  <div class="md-search__inner" role="search">
    <form class="md-search__form" name="search">
      <input type="text" class="md-search__input" name="query" aria-label="{{ lang.t('search.placeholder') }}"
        placeholder="{{ lang.t('search.placeholder') }}" autocapitalize="off" autocorrect="off" autocomplete="off"
        spellcheck="false" data-md-component="search-query" required>
      <label class="md-search__icon md-icon" for="__search">
        {% set icon = config.theme.icon.search or "material/magnify" %}
        {% include ".icons/" ~ icon ~ ".svg" %}
        {% set icon = config.theme.icon.previous or "material/arrow-left" %}
        {% include ".icons/" ~ icon ~ ".svg" %}
      </label>
      <nav class="md-search__options" aria-label="{{ lang.t('search') }}">
        <button type="reset" class="md-search__icon md-icon" title="{{ lang.t('search.reset') }}"
          aria-label="{{ lang.t('search.reset') }}" tabindex="-1">
          {% set icon = config.theme.icon.close or "material/close" %}
          {% include ".icons/" ~ icon ~ ".svg" %}
        </button>
      </nav>
    </form>
    <div class="md-search__output">
      <div class="md-search__scrollwrap" tabindex="0" data-md-scrollfix>
        <div class="md-search-result" data-md-component="search-result">
          <div class="md-search-result__meta">
            {{ lang.t("search.result.initializer") }}
          </div>
          <ol class="md-search-result__list" role="presentation"></ol>
        </div>
      </div>
    </div>
  </div>
</div>
"""
#: mkdocs-material's partials/toc-item.html (9.x) with a unique name for every nested table of contents: the
#: name of a section is prefixed with the names of the sections it is in ("Cliëntervaringsonderzoek Wmo:
#: Rapportcijfer"), so that two sections with the same heading do not give two landmarks with the same name
#: (axe ``landmark-unique``)
_TOC_ITEM_PARTIAL = """{#- ceo: mkdocs-material's table of contents entry, with unique names (written by ceo) -#}
{%- set toc_names = (toc_names or []) + [toc_item.title | striptags] %}
<li class="md-nav__item">
  <a href="{{ toc_item.url }}" class="md-nav__link">
    <span class="md-ellipsis">
      {% if toc_item.typeset %}
        <span class="md-typeset">
          {{ toc_item.typeset.title }}
        </span>
      {% else %}
        {{ toc_item.title }}
      {% endif %}
    </span>
  </a>
  {% if toc_item.children %}
    <nav class="md-nav" aria-label="{{ toc_names | join(': ') | e }}">
      <ul class="md-nav__list">
        {% for toc_item in toc_item.children %}
          {% include "partials/toc-item.html" %}
        {% endfor %}
      </ul>
    </nav>
  {% endif %}
</li>
"""
#: The Content-Security-Policy of every page (a <meta http-equiv> from the theme override below, and in the
#: redirect pages): scripts only from the site itself, never inline (no event handlers, no javascript: URLs,
#: no injected <script>); the chart data are JSON, not script. Styles may be inline (plotly and
#: mkdocs-material set style attributes). A server can send the same as a header (README, 'Publiceren'), and
#: there also add "frame-ancestors 'self'", which a <meta> cannot set.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self'; frame-src 'none'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'"
)
#: the theme override (mkdocs.yml: ``theme: custom_dir: site/assets/theme``): the policy in every page and
#: mkdocs-material's inline scripts replaced by a file (assets/ceo-theme.js) or left out (content tabs,
#: not used on this site)
THEME_DIR = "assets/theme"
THEME_FILES = {
    "main.html": (
        "{#- ceo: the Content-Security-Policy of every page (written by ceo; changes are overwritten) -#}\n"
        '{% extends "base.html" %}\n'
        "{% block site_meta %}\n"
        "  {{ super() }}\n"
        f'  <meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        "{% endblock %}\n"
        + _PRINT_HEADER
    ),
    "partials/javascripts/base.html": (
        "{#- ceo: mkdocs-material's inline helper script, as a file (no inline scripts) -#}\n"
        "<script src=\"{{ 'assets/ceo-theme.js' | url }}\"></script>\n"
    ),
    "partials/javascripts/content.html": "{#- ceo: no inline script for content tabs (not used on this site) -#}\n",
    "partials/search.html": _SEARCH_PARTIAL,
    "partials/toc-item.html": _TOC_ITEM_PARTIAL,
}

#: a Dutch 404 page. MkDocs gives error pages absolute links: from the path of site_url, or from '/' when site_url
#: is not set, which breaks a site that is not at the root of its server. Without site_url the links here are
#: relative to the site root (the setting below reaches every '| url' of the theme); with site_url MkDocs'
#: absolute links are right at every depth.
THEME_FILES["404.html"] = (
    "{#- ceo: the page for an address that does not exist, in Dutch (written by ceo; changes are overwritten) -#}\n"
    '{% extends "main.html" %}\n'
    "{% if not config.site_url %}{% set base_url = '.' %}{% endif %}\n"
    "{% block htmltitle %}<title>Pagina niet gevonden - {{ config.site_name | e }}</title>{% endblock %}\n"
    "{% block content %}\n"
    "  <h1>Pagina niet gevonden</h1>\n"
    "  <p>Deze pagina bestaat niet (meer). Misschien is het adres verkeerd overgenomen, of is de pagina "
    "verplaatst.</p>\n"
    "  <ul>\n"
    "    <li><a href=\"{{ 'cijfers/' | url }}\">Cijfers per gemeente</a>: alle gemeenten en edities</li>\n"
    "    <li><a href=\"{{ 'actueel/' | url }}\">De nieuwste editie</a></li>\n"
    "    <li><a href=\"{{ '.' | url }}\">Naar de beginpagina</a></li>\n"
    "  </ul>\n"
    "  <p>U kunt ook zoeken met het zoekveld bovenaan de pagina.</p>\n"
    "{% endblock %}\n"
)

#: the footer (mkdocs-material's ``partials/copyright.html``): links to colofon, toegankelijkheid and contact and
#: the licence, in Dutch, instead of "Made with Material for MkDocs"; written from ``ceo.yaml`` by copy_theme
FOOTER_PARTIAL = "partials/copyright.html"


def _theme_text(text: str) -> str:
    """Text from ceo.yaml inside a theme template: HTML-escaped, and no Jinja syntax ({ as an entity)."""
    return html_attr(text).replace("{", "&#123;").replace("}", "&#125;")


def footer_partial(settings: SiteSettings) -> str:
    """The footer of every page (see :data:`FOOTER_PARTIAL`)."""
    _, contact_href = settings.contact
    if contact_href:
        contact = f'<a href="{_theme_text(contact_href)}">Contact</a>'
    else:  # the colofon names the contact
        contact = "<a href=\"{{ 'colofon/' | url }}\">Contact</a>"
    licence, licence_url = settings.licence
    licence_html = (f'<a href="{_theme_text(licence_url)}" rel="license">{_theme_text(licence)}</a>' if licence_url
                    else _theme_text(licence))
    publisher = f"{_theme_text(settings.publisher)} · " if settings.publisher else ""
    return (
        "{#- ceo: the footer of every page, in Dutch (written by ceo from ceo.yaml; changes are overwritten) -#}\n"
        '<div class="md-copyright ceo-footer">\n'
        '  <ul class="ceo-footer-links">\n'
        "    <li><a href=\"{{ 'colofon/' | url }}\">Colofon</a></li>\n"
        "    <li><a href=\"{{ 'toegankelijkheid/' | url }}\">Toegankelijkheid</a></li>\n"
        f"    <li>{contact}</li>\n"
        "  </ul>\n"
        f'  <p class="ceo-footer-licence">{publisher}Cijfers en bestanden: licentie {licence_html}</p>\n'
        "</div>\n"
    )


def policy_notice(project_root: Path) -> str | None:
    """A Dutch notice when ``mkdocs.yml`` does not use the theme override (a project from before it), else None."""
    config = Path(project_root) / "mkdocs.yml"
    if not config.is_file():
        return None
    text = config.read_text(encoding="utf-8", errors="replace")
    if re.search(r"(?m)^\s+custom_dir:\s*['\"]?(\./)?site/" + THEME_DIR + r"/?['\"]?\s*(#.*)?$", text):
        return None
    return ("let op: mkdocs.yml gebruikt de thema-aanvulling van ceo niet, dus de pagina's krijgen geen "
            "Content-Security-Policy. Zet onder 'theme:' de regel 'custom_dir: site/assets/theme' en onderaan "
            "'exclude_docs: |' met daaronder '  /assets/theme/' (zie README, 'Veiligheid').")


def copy_theme(site: Path, settings: SiteSettings | None = None) -> list[Path]:
    """The theme override in ``site/assets/theme`` (see :data:`THEME_FILES`, plus the footer of
    :func:`footer_partial`); ``ceo init`` writes it too, so a new project builds before its first ``ceo process``."""
    theme = site / THEME_DIR
    files = {**THEME_FILES, FOOTER_PARTIAL: footer_partial(settings or SiteSettings())}
    out = [_write(theme / name, text) for name, text in files.items()]
    static = Path(__file__).parent / "static" / "ceo-theme.js"
    out.append(_write(site / "assets" / static.name, static.read_text(encoding="utf-8")))
    return out


#: the only third-party code ceo ships: the plotly.js *basic* partial bundle (bar, scatter, pie: the trace types
#: ceo draws are bar and scatter) with its MIT licence, of exactly the plotly.js version inside the installed
#: plotly package (provenance and checksums: static/vendor/README.md; checked by tests/test_plotly_bundle.py)
VENDOR = Path(__file__).parent / "static" / "vendor"
PLOTLY_BUNDLE = "plotly-basic.min.js"
PLOTLY_LICENSE = "plotly-basic.LICENSE.txt"
_PLOTLY_HEADER = re.compile(rb"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+[^\s*]*)")


def plotlyjs_version(path: Path) -> str | None:
    """The plotly.js version in the header comment of a plotly.js bundle (``* plotly.js (basic - minified)
    v4.1.1``), or None when the header does not name one."""
    with path.open("rb") as f:
        m = _PLOTLY_HEADER.search(f.read(1000))
    return m.group(1).decode("ascii") if m else None


def installed_plotlyjs() -> tuple[str, str | None]:
    """The installed plotly package's version and the version of the plotly.js inside it."""
    import plotly

    return plotly.__version__, plotlyjs_version(Path(plotly.__file__).parent / "package_data" / "plotly.min.js")


def check_plotly_bundle() -> None:
    """Refuse (exit 2, in Dutch) when the shipped bundle is not the plotly.js of the installed plotly package:
    the charts are built for and tested with that version, so an upgrade of plotly must come with the
    matching bundle instead of silently publishing a different plotly.js."""
    from ceo.core.problems import CeoError, Problem

    plotly_version, wanted = installed_plotlyjs()
    bundle = VENDOR / PLOTLY_BUNDLE
    shipped = plotlyjs_version(bundle) if bundle.is_file() else None
    if wanted is None or shipped != wanted:
        raise CeoError(Problem(
            f"de plotly.js-bundel van ceo (plotly.js {shipped or 'ontbreekt'}) hoort niet bij het "
            f"geïnstalleerde plotly-pakket {plotly_version} (plotly.js {wanted or 'onbekend'}); ceo publiceert "
            f"grafieken alleen met de plotly.js-versie waarmee ze getest zijn. Installeer de plotly-versie met "
            f"plotly.js {shipped or '?'}, of vervang de bundel zoals ceo/site/static/vendor/README.md beschrijft",
            file=str(bundle),
        ))


PLOTLY_CSS = "plotly-basic.css"
_PLOTLY_RULES = re.compile(r'"([XY][^"]*)":(?:\'([^\']*)\'|"([^"]*)")')


def plotly_css() -> str:
    """The style rules plotly.js adds to a page at run time (its ``plotcss`` table: ``X`` is a chart, ``Y`` the
    notifier), read from the shipped bundle. plotly adds them with an inline ``<style>`` element, which the
    Content-Security-Policy forbids (no ``'unsafe-inline'`` styles); ceo.js marks the page with
    ``<link id="plotly.js-style-global" class="no-inline-styles">`` (plotly's own switch for strict policies)
    pointing to this file instead."""
    text = (VENDOR / PLOTLY_BUNDLE).read_text(encoding="utf-8")
    start = text.index('{"X,X div":')
    end = text.index("};", start)
    rules = [(m.group(1), m.group(2) if m.group(2) is not None else m.group(3))
             for m in _PLOTLY_RULES.finditer(text, start, end)]
    if len(rules) < 20:
        raise RuntimeError("plotly's style rules not found in the bundle")
    lines = ["/* plotly.js: the style rules it would add inline (generated by ceo from the bundle; MIT) */"]
    for selector, body in reversed(rules):  # (plotly inserts each rule at the top of its sheet)
        full = re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        lines.append(f"{full}{{{body}}}")
    return "\n".join(lines) + "\n"


def copy_assets(site: Path, settings: SiteSettings | None = None) -> list[Path]:
    """The plotly.js basic bundle with its licence (after :func:`check_plotly_bundle`) and ceo's own JS/CSS."""
    check_plotly_bundle()
    assets = site / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    out = []
    for name in (PLOTLY_BUNDLE, PLOTLY_LICENSE):
        src, dest = VENDOR / name, assets / name
        if not dest.exists() or dest.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dest)
        out.append(dest)
    # plotly's own style rules as a file: with the policy's style-src 'self' plotly may not add them itself
    out.append(_write(assets / PLOTLY_CSS, plotly_css()))
    # the full plotly.js (4.8 MB) that ceo copied before it shipped the basic bundle
    (assets / "plotly.min.js").unlink(missing_ok=True)
    static = Path(__file__).parent / "static"
    for f in sorted(static.iterdir()):
        if f.is_file():
            out.append(_write(assets / f.name, f.read_text(encoding="utf-8")))
    out += copy_theme(site, settings)
    return out


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8", newline="\n")
    return path


# --------------------------------------------------------------------------------------------
# One edition
# --------------------------------------------------------------------------------------------


@dataclass
class PreparedSurvey:
    survey: SurveyEdition
    head: dict[str, dict[str, dict]]  # area -> indicator -> row (everyone, headline)
    dist: dict[str, dict[str, list[dict]]]  # area -> indicator -> distribution rows
    sub: dict[str, list[dict]]  # area -> subgroup rows (headline)
    questions: list[dict]
    region_names: dict[str, str]
    tests_by_area: dict[str, pd.DataFrame]


def records(frame: pd.DataFrame) -> list[dict]:
    """``frame.to_dict("records")`` (the same Python values) without pandas' boxing of every cell:
    each column becomes a Python list once."""
    columns = list(frame.columns)
    # a text column as its object array: the same values as tolist(), without one __getitem__ per cell
    values = [frame[c].to_numpy(dtype=object).tolist() if isinstance(frame[c].dtype, pd.StringDtype)
              else frame[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _prepare(s: SurveyEdition) -> PreparedSurvey:
    head: dict[str, dict[str, dict]] = {}
    dist: dict[str, dict[str, list[dict]]] = {}
    sub: dict[str, list[dict]] = {}
    # one pass over the records: no per-area or per-indicator filtering of the frame; the rows of
    # subgroup x answer category (most of a national table) are not shown and are left out first
    t = s.table
    for r in records(t[~((t["subgroep"] != "") & (t["categorie"] != "")).to_numpy()]):
        code = r["gebied_code"]
        if r["subgroep"]:
            if not r["categorie"]:
                sub.setdefault(code, []).append(r)
        elif r["categorie"]:
            dist.setdefault(code, {}).setdefault(r["indicator"], []).append(r)
        else:
            head.setdefault(code, {})[r["indicator"]] = r
    tests = {}
    if s.tests is not None and len(s.tests):
        tests = {code: g for code, g in s.tests.groupby("gebied_code", sort=False)}
    qs = list(s.meta.get("vragen", []))
    rank = {t: i for i, t in enumerate(THEME_ORDER)}
    qs.sort(key=lambda q: (rank.get(q.get("thema") or "", len(THEME_ORDER)), q["volgorde"]))
    return PreparedSurvey(s, head, dist, sub, qs, dict(s.meta.get("regios", {})), tests)


def _wording(q: dict) -> str:
    v = q["vraag"]
    return next(iter(v.values())) if isinstance(v, dict) else v


def render_edition(ctx: SiteContext, ed: Edition) -> list[Path]:
    y = ed.year
    base = ctx.site_dir / str(y)
    for sub in ("gemeente", "regio", "vergelijk"):
        if (base / sub).exists():
            shutil.rmtree(base / sub)
    prepared = [_prepare(s) for s in ed.surveys]
    out = []
    # search: the newest edition is indexed; of an older edition only its overview (index.md), so that a search
    # for a gemeente finds the newest factsheet first and not three editions of the same text
    newest = y == max(ctx.years)
    for code, name, level in ed.areas():
        out.append(_write(base / ctx.pages[y][code],
                          search_meta(render_factsheet(ctx, ed, prepared, code, name, level), newest)))
    # the overviews of all editions are indexed; the newest one ranks first
    out.append(_write(base / "index.md", search_meta(render_overview(ctx, ed, prepared), True, 2 if newest else None)))
    compared = render_comparisons(ctx, ed, prepared)  # vergelijk/: every gemeente per indicator (ceo.site.compare)
    for path in compared:
        if path.suffix == ".md":
            _write(path, search_meta(path.read_text(encoding="utf-8"), newest))
    out += compared
    out.append(_write(base / "verantwoording.md", search_meta(render_accounting(ctx, ed), newest)))
    workbook = base / "data" / f"ceo_{y}.xlsx"
    if y in ctx.changed or not workbook.exists() or not _workbook_current(workbook, ed, ctx.settings):
        out.append(write_workbook(ed, workbook, ctx.settings))
    out += write_open_data(ctx, ed)
    out.append(_write(base / "gegevens.md", search_meta(render_data_page(ctx, ed), newest)))
    return out


_META_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*?\bclass=\"[^\"]*\bceo-meta\b[^\"]*\"[^<>]*)>")
_NAV_TAG = re.compile(r"<nav(\s[^<>]*)?>")
_META_ATTR_LIST = re.compile(r"\{:?\s*([^{}\n]*\.ceo-meta\b[^{}\n]*)\}")


def search_meta(text: str, indexed: bool, boost: float | None = None) -> str:
    """A generated page as the search index should see it: blocks with the class ``ceo-meta`` (revision numbers,
    input fingerprints, ceo version: metadata, never a search snippet) get ``data-search-exclude`` (removed from
    the index by the search plugin), whether written as HTML or with an attribute list; and a page that is not
    ``indexed`` gets ``search: exclude: true`` in its front matter (an indexed one ``search: boost: <boost>`` when
    given). Navigation inside a page (``<nav>``: "Snel
    naar", the list of other gemeenten) is left out of the index too: it would make every factsheet a hit for
    every gemeente name."""
    text = _NAV_TAG.sub(lambda m: m.group(0) if "data-search-exclude" in (m.group(1) or "")
                        else f"<nav{m.group(1) or ''} data-search-exclude>", text)
    text = _META_TAG.sub(lambda m: m.group(0) if "data-search-exclude" in m.group(2)
                         else f"<{m.group(1)}{m.group(2)} data-search-exclude>", text)
    text = _META_ATTR_LIST.sub(lambda m: m.group(0) if "data-search-exclude" in m.group(1)
                               else "{: " + m.group(1).strip() + " data-search-exclude }", text)
    if indexed and boost is None:
        return text
    entry = "search:\n  exclude: true\n" if not indexed else f"search:\n  boost: {boost}\n"
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end >= 0 and not re.search(r"(?m)^search:", text[4:end]):
            return text[:end + 1] + entry + text[end + 1:]
        return text
    return f"---\n{entry}---\n\n" + text


def _data_files(ctx: SiteContext, ed: Edition) -> list[tuple[str, str, pd.DataFrame]]:
    """(file name, what it holds, table) of every published CSV of the edition (tables: as read from the files)."""
    data = ctx.site_dir / str(ed.year) / "data"
    files = []
    for s in ed.surveys:
        title = s.meta.get("korte_titel") or s.id
        files.append((f"{s.id}.csv", f"{title}: alle cijfers (één rij per gebied, vraag, groep en antwoord)", s.table))
        if s.weighting is not None:
            files.append((f"{s.id}_weging.csv", f"{title}: respondenten, populatie en weging per gemeente",
                          s.weighting))
        if s.tests is not None:
            files.append((f"{s.id}_toetsen.csv", f"{title}: toetsen op verschillen tussen groepen", s.tests))
        response = data / f"{s.id}_respons.csv"
        if response.is_file():
            files.append((response.name, f"{title}: respons en representativiteit per gemeente",
                          pd.read_csv(response, keep_default_na=False, na_values=[""],
                                      dtype={"gebied_code": str, "kenmerk": str, "categorie": str})))
    return files


def write_open_data(ctx: SiteContext, ed: Edition) -> list[Path]:
    """Next to every published CSV its Excel-NL variant (see :mod:`ceo.output.opendata`), and the data dictionary
    ``kolommen.csv``; rewritten when the edition's data changed or a file is missing."""
    from ceo.output.exports import write_csv
    from ceo.output.opendata import DICTIONARY_NAME, dictionary, excel_nl_name, write_excel_nl

    data = ctx.site_dir / str(ed.year) / "data"
    out = []
    files = _data_files(ctx, ed)
    for name, _, table in files:
        target = data / excel_nl_name(name)
        if ed.year in ctx.changed or not target.exists():
            write_excel_nl(table, target)
        out.append(target)
    columns = {name: list(table.columns) for name, _, table in files}
    columns.update({excel_nl_name(name): list(table.columns) for name, _, table in files})
    target = data / DICTIONARY_NAME
    frame = dictionary(dict(sorted(columns.items())))
    write_csv(frame, target)
    out.append(target)
    return out


def _licence_md(settings: SiteSettings) -> str:
    name, url = settings.licence
    free = " (vrij te gebruiken, ook bewerkt, met bronvermelding)" if name.upper().startswith("CC") else ""
    # (ceo.yaml allows only https addresses without spaces, brackets or quotes; checked here again, so that a URL
    # can never end the Markdown link or become a javascript: link)
    linkable = bool(url) and escape.safe_url(url) and re.fullmatch(r"(https://|mailto:)[^\s()<>\[\]{}\"'`\\]+", url)
    return (f"[{md_text(name)}]({url})" if linkable else md_text(name)) + free


def render_data_page(ctx: SiteContext, ed: Edition) -> str:
    """``<edition>/gegevens.md``: every published file of the edition with its data dictionary and the licence."""
    from ceo.output.opendata import (
        DICTIONARY_NAME,
        META_KEYS,
        column_docs,
        describe_column,
        excel_nl_name,
        questions_sheet,
    )

    y = ed.year
    data = ctx.site_dir / str(y) / "data"

    def size(name: str) -> str:
        path = data / name
        return f"{texts.number(max(1, round(path.stat().st_size / 1000)))} kB" if path.exists() else ""

    def file_link(name: str) -> Markup:
        return Markup(f"{link(f'../data/{name}', name)} ({size(name)})")

    rows: list[list[object]] = []
    files = _data_files(ctx, ed)
    for name, what, _ in files:
        rows.append([what, file_link(excel_nl_name(name)), file_link(name)])
    for s in ed.surveys:
        rows.append([f"{s.meta.get('korte_titel') or s.id}: metagegevens van de verwerking", "—",
                     file_link(f"{s.id}.json")])
    workbook = f"ceo_{y}.xlsx"
    rows.append(["Alles in één Excel-bestand: cijfers en toetsen, met toelichting, vraagteksten en uitleg per kolom",
                 file_link(workbook), "—"])
    rows.append(["Uitleg per kolom van elk bestand hierboven", "—", file_link(DICTIONARY_NAME)])
    files_table = html_table(f"Bestanden van de editie {y}",
                             ["Inhoud", "Voor Excel (puntkomma, decimale komma, afgerond)",
                              "Voor R, Python, SPSS (komma, decimale punt, volle precisie; JSON)"], rows,
                             searchable=False)
    columns = []
    seen: dict[tuple, str] = {}
    for name, _, table in files:
        docs = column_docs(name)
        key = tuple(table.columns)
        title = f"{name} (en {excel_nl_name(name)})"
        if key in seen and docs is column_docs(seen[key]):
            columns.append({"title": title, "table": f"Dezelfde kolommen als {seen[key]}."})
            continue
        seen[key] = name
        crow = []
        for c in table.columns:
            meaning, unit = describe_column(name, c) or ("(geen beschrijving)", "")
            crow.append([Markup(f"<code>{html_text(c)}</code>"), meaning, unit])
        columns.append({"title": title, "table": html_table(f"Kolommen van {name}", ["Kolom", "Betekenis", "Eenheid"],
                                                            crow, searchable=False)})
    qs = questions_sheet([s.meta for s in ed.surveys])
    questions = []
    for s in ed.surveys:
        q = qs[qs["onderzoek"] == s.id]
        questions.append(html_table(f"{s.meta.get('korte_titel') or s.id}: vragen",
                                    ["Indicator", "Vraagtekst", "Maat", "Thema"],
                                    q[["indicator", "vraagtekst", "maat", "thema"]].values.tolist(),
                                    searchable=False))
    meta_table = html_table("Sleutels van de JSON-bestanden", ["Sleutel", "Betekenis"],
                            [[Markup(f"<code>{html_text(k)}</code>"), v] for k, v in META_KEYS.items()],
                            searchable=False)
    st = ctx.settings
    citation = ", ".join(x for x in (st.publisher, f"{st.name or 'Cliëntervaringsonderzoek'}, editie {y}",
                                     st.site_url) if x)
    return environment().get_template("gegevens.md.j2").render(
        year=y, licence=_licence_md(st), citation=citation, files_table=files_table, workbook=workbook,
        dictionary_name=DICTIONARY_NAME, columns=columns, questions=questions, meta_table=meta_table)


def duiding_source(ctx: SiteContext, year: int, name: str) -> str:
    """The researcher's interpretation for this area and edition as written (without HTML comments); the
    file is created empty once, never overwritten. A file that is not UTF-8 text, a folder in its place or an
    e-mail address, telephone number, BSN, IBAN or postcode in it is refused with the file (and line)."""
    from ceo.validate.privacy import identifiers_in_text

    rel = f"duiding/{year}/{slug(name)}.md"
    path = ctx.project_root / rel
    if not path.exists() and not path.is_symlink():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(environment().get_template("duiding.md.j2").render(name=name, year=year), encoding="utf-8")
        return ""
    if not path.is_file():
        raise InputError(Problem("dit is geen tekstbestand (een map of iets anders); de duiding hoort in een "
                                 "Markdown-bestand met deze naam. Verwijder of hernoem wat er staat", rel))
    source = read_utf8(path, rel, line_in_message=True, value_chars=60)
    text = re.sub(r"<!--.*?-->", "", source, flags=re.S).strip()
    allowed = ctx.settings.public_contacts
    problems = []
    shown = re.sub(r"<!--.*?-->", lambda m: re.sub(r"[^\n]", " ", m.group()), source, flags=re.S)
    for k, line in enumerate(shown.split("\n")):  # (comments blanked: their lines keep their numbers)
        for what, fragment in identifiers_in_text(line, allowed):
            problems.append(Problem(f"regel {k + 1}: de duiding bevat {what} ('{fragment}'); de duiding komt "
                                    "op de site. Haal het weg (het nummer of adres van een organisatie mag onder "
                                    "openbare_contactgegevens in ceo.yaml)", rel))
    if problems:
        raise InputError(problems)
    return text


def duiding_markdown(text: str) -> str:
    """The duiding (:func:`duiding_source`) as safe Markdown for the page."""
    # no raw HTML beyond a few inline tags, no attribute lists, no javascript: links (see sanitise_markdown)
    text = sanitise_markdown(text)
    # the researcher's headings become subheadings of the 'Duiding' section
    return re.sub(r"(?m)^(#{1,4}) ", lambda m: "#" * min(6, len(m.group(1)) + 2) + " ", text)


def _duiding(ctx: SiteContext, year: int, name: str) -> str:
    """The researcher's interpretation for this area and edition, as safe Markdown."""
    return duiding_markdown(duiding_source(ctx, year, name))


def render_factsheet(
    ctx: SiteContext, ed: Edition, prepared: list[PreparedSurvey], code: str, name: str, level: str
) -> str:
    """The factsheet of one area (see :mod:`ceo.site.factsheet`)."""
    from ceo.site import factsheet

    return factsheet.render_factsheet(ctx, ed, prepared, code, name, level)


def _wrap(text: str, width: int = 32) -> str:
    """A chart label over several lines (plotly breaks lines at <br>)."""
    return "<br>".join(plotly_text(line) for line in textwrap.wrap(text, width)) or plotly_text(text)


def _test_sentences(tests: pd.DataFrame | None, meta: dict) -> list[str]:
    """The group comparisons in plain words (see :func:`ceo.site.factsheet._test_sentences`)."""
    from ceo.site import factsheet

    return factsheet._test_sentences(tests, meta)


def render_comparisons(ctx: SiteContext, ed: Edition, prepared: list[PreparedSurvey]) -> list[Path]:
    """The 'Vergelijk gemeenten' pages of the edition (see :mod:`ceo.site.compare`)."""
    from ceo.site.compare import render_comparisons as comparisons

    return comparisons(ctx, ed, prepared)


def render_overview(ctx: SiteContext, ed: Edition, prepared: list[PreparedSurvey]) -> str:
    """The edition overview: per survey one table of every area with n, the rapportcijfer first and a few
    headline percentages under short Dutch labels (few columns, so it fits at 1,366 px without scrolling
    sideways); every indicator links to its comparison page (:mod:`ceo.site.compare`). The total is left out
    when it equals the only region."""
    from ceo.site.compare import overview_indicators, page_path, short_label, total_equals_region

    y = ed.year
    me = f"{y}/index.md"
    areas = ed.areas()
    gemeenten = " · ".join(
        f"[{md_text(n)}]({_rel(me, f'{y}/{ctx.pages[y][c]}')})" for c, n, lv in areas if lv == "gemeente"
    )
    # "Totaal" is left out where it only repeats the one region (in every survey of the edition)
    same_total = bool(prepared) and all(total_equals_region(ps.survey.table) for ps in prepared)
    regions = " · ".join(
        f"[{md_text(n)}]({_rel(me, f'{y}/{ctx.pages[y][c]}')})" for c, n, lv in areas
        if lv != "gemeente" and not (same_total and lv == "totaal")
    )
    surveys = []
    for ps in prepared:
        t = ps.survey.table
        sid = ps.survey.id
        drop_total = total_equals_region(t)
        t = t[t["categorie"] == ""]
        qs = overview_indicators(ps)
        kop = ps.survey.meta.get("kop_per")
        # one table for everyone, or one per questionnaire variant: areas are compared like with like
        views = [("", t[t["subgroep"] == ""])]
        if kop:
            mine = t[t["subgroep"] == kop["subgroep"]]
            views = [(f", {g['variant']}", mine[mine["subgroep_waarde"] == g["waarde"]]) for g in kop["groepen"]]
        tables = []
        for suffix, head in views:
            cell = {(r["gebied_code"], r["indicator"]): r for r in records(head)}
            n_area = head.groupby("gebied_code")["n"].max().to_dict()
            rows = []
            for c, n, lv in areas:
                if c not in n_area or (drop_total and lv == "totaal"):
                    continue
                row: list[object] = [link(_href(me, f"{y}/{ctx.pages[y][c]}"), n)]
                n_c = n_area[c]  # empty when every figure of the area is suppressed (no exact count published)
                row.append((dash_text("aantal niet gepubliceerd"), 0) if texts.is_missing(n_c)
                           else (texts.number(n_c), int(n_c)))
                for q in qs:
                    r = cell.get((c, q["indicator"]))
                    reason = TableNotes.reason(r)
                    row.append((_fmt(r), _sort_value(r)) if reason is None else (dash(reason), ""))
                rows.append(row)
            headers = ["Gebied", "Aantal"] + [short_label(q) for q in qs]
            tables.append(html_table(
                f"{ps.survey.meta['titel']} {y}{suffix}: belangrijkste cijfers per gebied",
                headers,
                rows,
                sortable=True,
                filter_label="Zoek een gebied" + (f" ({suffix[2:]})" if suffix else ""),  # '(ouders)': unique
            ))
        table = "\n\n".join(tables)
        with_page = set(t.loc[t["subgroep"] == (kop["subgroep"] if kop else ""), "indicator"])
        compare = [
            f"[{md_text(short_label(q))}]({_rel(me, page_path(y, sid, q['indicator']))})"
            for q in ps.questions if q["indicator"] in with_page
        ]
        surveys.append(
            {
                "id": sid,
                "title": ps.survey.meta["titel"],
                "short_title": ps.survey.meta["korte_titel"],
                "table": table,
                "compare": compare,
            }
        )
    downloads = " · ".join(
        [f"[{md_text(s['short_title'])} (CSV)](data/{s['id']}.csv)" for s in surveys]
        + [f"[alle tabellen (Excel)](data/ceo_{y}.xlsx)", "[verantwoording](verantwoording.md)"]
    )
    return (
        environment()
        .get_template("edition.md.j2")
        .render(year=y, gemeenten=gemeenten, regions=regions, surveys=surveys, downloads=downloads,
                compare_index="vergelijk/index.md")
    )


def render_accounting(ctx: SiteContext, ed: Edition) -> str:
    y = ed.year
    surveys = []
    for s in ed.surveys:
        m = s.meta
        resp = ""
        if s.weighting is not None and len(s.weighting):
            w = s.weighting
            rows = []
            for r in w.to_dict("records"):
                n_pop = r.get("N")
                rows.append(
                    [
                        r["gemeente"],
                        texts.number(r["n"]),
                        texts.number(n_pop) if not texts.is_missing(n_pop) else "onbekend",
                        texts.pct(100 * r["n"] / n_pop, 1) if not texts.is_missing(n_pop) and n_pop else "—",
                        texts.number(r.get("n_eff"), 0),
                        texts.number(r.get("deff_gewicht", r.get("deff")), 1),  # "deff" before 2026; published to 0.1
                    ]
                )
            resp = html_table(
                f"{m['korte_titel']} {y}: respondenten per gemeente",
                [
                    "Gemeente",
                    "Respondenten",
                    "Populatie",
                    "Respondenten als % van de populatie",
                    "Effectieve n",
                    "Weegeffect",
                ],
                rows,
            )
        qrows = []
        for q in sorted(m.get("vragen", []), key=lambda q: q["volgorde"]):
            v = q["vraag"]
            wording = "; ".join(f"{k}: {t}" for k, t in v.items()) if isinstance(v, dict) else v
            qrows.append([q["indicator"], wording, q["label"], q.get("thema") or ""])
        questions = html_table(
            f"{m['korte_titel']}: vragen en indicatoren", ["Indicator", "Vraag", "Maat", "Thema"], qrows
        )
        th = m.get("drempels", {})
        lo, hi = texts.setting(th.get("onthulling_n", 10)), texts.setting(th.get("minimum_n", 30))
        suppression = (
            f"een cijfer van minder dan {hi} inhoudelijke antwoorden staat er niet, omdat het te onzeker is "
            f"(\"n < {hi}\"). Een cijfer van minder dan {lo} personen staat er ook niet, omdat het iets over "
            f"die personen zou verraden (\"n < {lo}\"); dat geldt ook als de weging het cijfer op minder dan "
            f"{lo} personen laat rusten. Zo'n klein cijfer mag ook niet terug te rekenen zijn uit andere "
            "cijfers (bijvoorbeeld het totaal min de regio, of een gemeente min haar andere groepen), en uit "
            "alle andere cijfers samen mag ook niet blijken dat zo'n kleine groep allemaal hetzelfde "
            "antwoordde: het aantal positieve antwoorden blijft steeds minstens "
            f"{texts.setting(th.get('beschermingsmarge', 4))} personen onzeker (bij een kleinere groep: "
            "helemaal). Daarom is soms een ander "
            "cijfer weggelaten (\"verborgen om een ander cijfer te beschermen\"); ceo controleert dat voor het "
            "publiceren. Wie geen antwoord gaf op bijvoorbeeld de vraag naar geslacht, hoort niet bij een groep "
            "die iemand kan aanwijzen; die mensen worden niet apart beschermd. Een weggelaten cijfer van "
            f"{lo} tot {hi} personen is soms wel ongeveer (of zelfs "
            "precies) af te leiden; dat is geen probleem voor de bescherming, wel voor de betrouwbaarheid. "
            "Bij weggelaten cijfers staat ook het precieze aantal respondenten er niet. Indicatief: bij een "
            f"effectieve n onder {texts.setting(th.get('indicatief_n_eff', 50))} of een interval breder dan "
            f"{texts.setting(th.get('indicatief_bi_breedte', 25))} procentpunten."
        )
        method = {"logit": "logit-interval", "beta": "Korn-Graubard (bèta)", "wilson": "Wilson op de effectieve n"}
        ci = (
            f"{texts.setting(100 * float(m.get('betrouwbaarheid', 0.95)))}%, percentages met het "
            f"{method.get(m.get('bi_methode'), m.get('bi_methode'))}, gemiddelden met de t-verdeling; "
            "standaardfouten met Taylor-linearisatie voor de gestratificeerde steekproef met eindige-"
            "populatiecorrectie"
            + _variance_text(str(m.get("weging", "")))
        )
        revs = m.get("revisies", [])
        revisions = ""
        if revs:
            revisions = html_table(
                f"{m['korte_titel']} {y}: versiegeschiedenis",
                ["Revisie", "Datum", "Reden", "Gewijzigde cijfers", "Gegevens"],
                [
                    [
                        str(r["revisie"]),
                        texts.date_nl(r["datum"]),
                        r["reden"],
                        r.get("gewijzigd_tekst", ""),
                        link(f"../data/{r['bestand']}", r["bestand"]) if r.get("bestand")
                        else r.get("ingetrokken", ""),  # withdrawn from the site: why (ceo.output.revisions)
                    ]
                    for r in revs
                ],
            )
        surveys.append(
            {
                "title": m["titel"],
                "processed": texts.date_nl(m["verwerkt_op"]),
                "version": m["ceo_versie"],
                "revision": m.get("revisie", 1),
                "fingerprint": m.get("vingerafdruk", ""),
                "weighting": m["weging"],
                "ci": ci,
                "alpha": texts.setting(m.get("significantieniveau", 0.05)),
                "suppression": suppression,
                "merged": _merged_text(m),
                "variants": _variants_text(m.get("kop_per")),
                "benchmark": m.get("benchmark"),
                "response_table": resp,
                "questions_table": questions,
                "revisions": revisions,
                "representativeness": _representativeness(s, y),
            }
        )
    return (
        environment()
        .get_template("verantwoording.md.j2")
        .render(year=y, surveys=surveys, methode=_rel(f"{y}/verantwoording.md", "methode.md"),
                disclosure_n=texts.setting(min((s.meta.get("drempels", {}).get("onthulling_n", 10) for s in ed.surveys),
                                               default=10)))
    )


def _merged_text(m: dict) -> str:
    """The verantwoording's sentence on the categories merged before suppression (global recoding), or ""."""
    merged = m.get("samengevoegd") or []
    if not merged:
        return ""
    th = m.get("drempels", {})
    lo = texts.setting(th.get("onthulling_n", 10))
    share = texts.setting(round(100 * float(th.get("samenvoegen_aandeel", 0.25))))
    groups = "; ".join(f"{g['subgroep_label'].lower()}: {texts.join_and(g['delen'])} samen als "
                       f"\"{g['label']}\"" for g in merged)
    return (f"{groups}. Apart waren deze groepen in veel gemeenten zo klein (minder dan {lo} personen bij minstens "
            f"{share}% van hun cijfers per gemeente) dat die cijfers weggelaten hadden moeten worden, en dan ook "
            "een ander cijfer om ze te beschermen. Samengevoegd kunnen ze wel gepubliceerd worden. Dat gebeurt in alle "
            "gemeenten en regio's van deze editie op dezelfde manier, zodat de tabellen vergelijkbaar blijven.")


#: how the questionnaire was answered (``veldwerk.wijze`` in ceo.yaml), as a phrase
FIELDWORK_MODE_TEXT = {"schriftelijk": "schriftelijk (vragenlijst op papier)", "online": "online (via internet)",
                       "telefonisch": "telefonisch", "combinatie": "een combinatie (bijvoorbeeld papier en internet)"}


def _representativeness(s: SurveyEdition, year: int) -> str:
    """The verantwoording's section 'Respons en representativiteit' (Markdown with HTML tables), or ""."""
    m = s.meta
    parts = []
    fieldwork = m.get("veldwerk")
    if fieldwork:
        mode = FIELDWORK_MODE_TEXT.get(fieldwork.get("wijze"), str(fieldwork.get("wijze", "")))
        parts.append(md_text(f"Veldwerk: {fieldwork.get('periode', '')}. Wijze van afnemen: {mode}."))
    r = s.response
    if r is not None and len(r):
        areas = r[r["kenmerk"].fillna("") == ""]
        has_r = areas["r_indicator"].notna().any()
        parts.append(
            "De respons is het aantal respondenten gedeeld door het aantal aangeschreven cliënten."
            + (" De R-indicator zegt hoe gelijkmatig verschillende groepen (de cellen van het populatiebestand) "
               "hebben gereageerd; 1 = volkomen gelijkmatig. Hoe lager, hoe meer de respondenten afwijken van "
               "de cliënten; de weging corrigeert daar zo veel mogelijk voor. Bij minder dan "
               f"{texts.setting(m.get('drempels', {}).get('minimum_n', 30))} respondenten staat er geen "
               "R-indicator." if has_r else ""))
        headers = ["Gebied", "Aangeschreven", "Respondenten", "Respons"] + (["R-indicator"] if has_r else [])
        rows = []
        for a in areas.to_dict("records"):
            row = [a["gebied_naam"], texts.number(a["aangeschreven"]), texts.number(a["respondenten"]),
                   texts.pct(a["respons_pct"], 1)]
            if has_r:
                row.append(texts.number(a["r_indicator"], 2))
            rows.append(row)
        parts.append(html_table(f"{m['korte_titel']} {year}: respons per gebied", headers, rows))
        cells = r[r["kenmerk"].fillna("") != ""]
        if len(cells):
            parts.append(
                "Per wegingskenmerk: hoe de cliënten (populatie), de respondenten en de respondenten na weging "
                "over de groepen verdeeld zijn. Het verschil tussen respondenten en populatie laat zien hoeveel de "
                "weging moest rechtzetten; na weging is de verdeling (bijna) gelijk aan die van de populatie. "
                f"Een groep van minder dan "
                f"{texts.setting(m.get('drempels', {}).get('onthulling_n', 10))} respondenten staat er niet "
                "(\"—\"), en dan ook een tweede groep, zodat niemand het kleine aantal kan terugrekenen.")
            for kenmerk, part in cells.groupby("kenmerk", sort=False):
                rows = [[c["gebied_naam"], c["categorie_label"] or c["categorie"], texts.pct(c["pct_populatie"], 1),
                         texts.pct(c["pct_respondenten"], 1), texts.pct(c["pct_gewogen"], 1)]
                        for c in part.to_dict("records")]
                parts.append(html_table(
                    f"{m['korte_titel']} {year}: verdeling naar {kenmerk} (%)",
                    ["Gemeente", kenmerk[:1].upper() + kenmerk[1:], "Populatie", "Respondenten", "Na weging"],
                    rows, sortable=True, filter_label="Zoek een gemeente of groep"))
    return "\n\n".join(parts)


def _variance_text(weighting: str) -> str:
    """What the verantwoording says about the standard errors, by how the weights were made."""
    if weighting.startswith("gewicht uit kolom"):
        calibration = ("; het gewicht is aangeleverd, dus ceo weet niet hoe het is gemaakt: de standaardfouten "
                       "gaan uit van vaste gewichten. Is het gewicht gekalibreerd (bijvoorbeeld naar leeftijd en "
                       "geslacht), dan kunnen de echte standaardfouten iets kleiner of groter zijn")
    elif "(raking)" in weighting or "(poststratificatie)" in weighting:
        calibration = ("; de standaardfouten houden rekening met de weging (kalibratie binnen elke gemeente, "
                       "zoals R survey met rake() of postStratify())")
    else:
        calibration = ""
    return (calibration + ". Heeft een gemeente maar één respondent, dan telt die in de regio en het totaal niet "
            "met een eigen spreiding mee; de spreiding van de andere gemeenten wordt naar verhouding opgehoogd")


def _variants_text(kop: dict | None) -> str:
    """The verantwoording's line on headline figures per questionnaire variant (``kop_per``)."""
    if not kop:
        return ""
    names = [g["variant"] for g in kop["groepen"]]
    both = texts.join_and(names)
    samen = kop["samen"]
    return (
        f"{both[:1].upper() + both[1:]} zijn verschillende groepen. Daarom staan de cijfers per groep, en "
        "vergelijken we alleen een groep met dezelfde groep (in de regio of in de vorige editie). Het cijfer "
        f"voor {both} samen telt de groepen in elke gemeente in een vaste verhouding mee ({samen['samenstelling']}). "
        f"Zo verandert het niet als er meer {names[0]} of meer {names[-1]} meedoen. Dat cijfer staat er niet als "
        "het een weggelaten cijfer van een groep zou verraden."
    )


def _explanation(ed: Edition, settings: SiteSettings) -> pd.DataFrame:
    from ceo.output.opendata import explanation_sheet

    return explanation_sheet(ed.year, settings.name or "Cliëntervaringsonderzoek", settings.licence,
                             settings.publisher, settings.site_url, [s.meta for s in ed.surveys])


def _workbook_current(path: Path, ed: Edition, settings: SiteSettings) -> bool:
    """Whether the workbook's first sheet ('toelichting') already says what it should (licence, publisher, address
    from ceo.yaml): after a change there the workbook is rewritten even when the figures did not change."""
    import zipfile

    from ceo.io.xlsx import _escape

    try:
        with zipfile.ZipFile(path) as z:
            sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return all(_escape(str(v)) in sheet for v in _explanation(ed, settings)["uitleg"])


def write_workbook(ed: Edition, path: Path, settings: SiteSettings | None = None) -> Path:
    """All results tables of the edition in one .xlsx (one sheet per survey), byte-reproducible; first a sheet
    'toelichting' (what the file is, licence, codes and marks), last the sheets 'vragen' (the question text per
    indicator) and 'kolommen' (the data dictionary)."""
    from ceo.core.safetext import neutralise_frame
    from ceo.io.xlsx import write_xlsx
    from ceo.output.opendata import dictionary, questions_sheet

    metas = [s.meta for s in ed.surveys]
    sheets: dict[str, pd.DataFrame] = {"toelichting": _explanation(ed, settings or SiteSettings())}
    for s in ed.surveys:  # text a spreadsheet would take as a formula gets a leading '
        sheets[s.id] = neutralise_frame(s.table)
        if s.tests is not None and len(s.tests):
            sheets[f"{s.id}_toetsen"] = neutralise_frame(s.tests)
    sheets["vragen"] = questions_sheet(metas)
    sheets["kolommen"] = dictionary({name: list(frame.columns) for name, frame in sheets.items()
                                     if name not in ("toelichting", "vragen")})
    return write_xlsx({k: neutralise_frame(v) for k, v in sheets.items()}, path)
