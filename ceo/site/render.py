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

import json
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

SURVEY_ORDER = ("wmo", "jeugd", "professionals")
THEME_ORDER = ("toegang", "kwaliteit", "effect", "samenwerking", "rapportcijfer")
THEME_TITLES = {
    "toegang": "Toegang",
    "kwaliteit": "Kwaliteit",
    "effect": "Effect",
    "samenwerking": "Samenwerking",
    "rapportcijfer": "Rapportcijfer",
}
#: Okabe-Ito, safe for the common forms of colour blindness
PALETTE = {"gebied": "#0072B2", "regio": "#E69F00", "benchmark": "#009E73", "vorige": "#56B4E9"}
#: diverging blue-orange scale for the answer distribution (colour-blind safe)
DIVERGING = ["#08519c", "#6baed6", "#bdbdbd", "#fd8d3c", "#a63603"]
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
    "indicatief": str,
    "onderdrukt": str,
    "subgroep_label": str,
    "thema": str,
}


slug = texts.slug


def read_results(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=DATA_DTYPES, keep_default_na=False, na_values=[""])
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
        meta = json.loads(mp.read_text(encoding="utf-8"))
        sid = meta["onderzoek"]
        table = read_results(data / f"{sid}.csv")
        tests_path = data / f"{sid}_toetsen.csv"
        weights_path = data / f"{sid}_weging.csv"
        tests = pd.read_csv(tests_path, keep_default_na=False, na_values=[""]) if tests_path.exists() else None
        weighting = pd.read_csv(weights_path) if weights_path.exists() else None
        ed.surveys.append(SurveyEdition(meta, table, tests, weighting))
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


def comparison_chart(bars: list[tuple[str, float, float, float, str]], percent: bool) -> dict:
    """Horizontal bars with CI error bars: (label, value, lower, upper, colour)."""
    labels = [plotly_text(b[0]) for b in bars]
    values = [_clean(b[1]) for b in bars]
    plus = [_clean(b[3] - b[1]) if b[3] is not None and np.isfinite(b[3]) else None for b in bars]
    minus = [_clean(b[1] - b[2]) if b[2] is not None and np.isfinite(b[2]) else None for b in bars]
    x_range = [0, 100] if percent else [1, 10]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": values,
                "marker": {"color": [b[4] for b in bars]},
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": plus,
                    "arrayminus": minus,
                    "color": "#333",
                    "thickness": 1.5,
                    "width": 6,
                },
                "hovertemplate": "%{y}: %{x:.1f}" + (" %" if percent else "") + "<extra></extra>",
            }
        ],
        "layout": _layout(
            40 + 34 * len(bars),
            xaxis={"range": x_range, "ticksuffix": " %" if percent else "", "fixedrange": True},
            yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
        ),
    }


def distribution_chart(items: list[tuple[str, list[tuple[str, float]]]]) -> dict:
    """Stacked 100 % bars: one per question, one trace per answer category (in order)."""
    categories: list[str] = []
    for _, cats in items:
        for c, _v in cats:
            if c not in categories:
                categories.append(c)
    colours = DIVERGING if len(categories) == 5 else ([DIVERGING[0], DIVERGING[4]] if len(categories) == 2 else None)
    data = []
    for i, c in enumerate(categories):
        values = [_clean(dict(cats).get(c)) for _, cats in items]
        trace = {
            "type": "bar",
            "orientation": "h",
            "name": plotly_text(c),
            "y": [q for q, _ in items],
            "x": values,
            "hovertemplate": "%{fullData.name}: %{x:.1f} %<extra></extra>",  # the label is never a template
        }
        if colours:
            trace["marker"] = {"color": colours[i]}
        data.append(trace)
    return {
        "data": data,
        "layout": _layout(
            # room for the legend above and the axis below, and for every (wrapped) label
            80 + sum(24 + 16 * (label.count("<br>") + 1) for label, _ in items),
            barmode="stack",
            showlegend=True,
            legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom", "traceorder": "normal"},
            xaxis={"range": [0, 100], "ticksuffix": " %", "fixedrange": True},
            yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
        ),
    }


def trend_chart(points: list[tuple[int, float, float, float]], percent: bool) -> dict:
    """Line over editions with a CI band."""
    years = [p[0] for p in points]
    values = [_clean(p[1]) for p in points]
    lo = [_clean(p[2]) for p in points]
    hi = [_clean(p[3]) for p in points]
    return {
        "data": [
            {"type": "scatter", "mode": "lines", "x": years, "y": hi, "line": {"width": 0}, "hoverinfo": "skip"},
            {
                "type": "scatter",
                "mode": "lines",
                "x": years,
                "y": lo,
                "line": {"width": 0},
                "fill": "tonexty",
                "fillcolor": "rgba(0,114,178,0.18)",
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": years,
                "y": values,
                "line": {"color": PALETTE["gebied"], "width": 2},
                "hovertemplate": "%{x}: %{y:.1f}" + (" %" if percent else "") + "<extra></extra>",
            },
        ],
        "layout": _layout(
            220,
            xaxis={"tickmode": "array", "tickvals": years, "fixedrange": True},
            yaxis={
                "range": [0, 100] if percent else [1, 10],
                "fixedrange": True,
                "ticksuffix": " %" if percent else "",
            },
        ),
    }


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


class TableNotes:
    """The published values of the rows shown in one table, with the note below it: why a cell is "—"
    (the reason from the results table; numbered when the table has more than one) and what * means."""

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
            return "geen antwoorden"
        if row.get("onderdrukt") == "ja" or texts.is_missing(row.get("waarde")):
            return str(row.get("reden") or "te weinig respondenten")
        return None

    def value(self, row: dict | None, ci: bool = False) -> str:
        """The published value, with its interval in the same cell when ``ci``: '72 % (66–77 %)'."""
        reason = self.reason(row)
        if reason is None:
            return _fmt_ci(row) if ci else _fmt(row)
        if len(self.reasons) == 1:
            return "—"
        return "—" + superscript(self.reasons.index(reason) + 1)

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


def _page_path(code: str, name: str, level: str) -> str:
    if level == "gemeente":
        return f"gemeente/{slug(name)}.md"
    return f"regio/{slug(code)}.md"


def _rel(from_page: str, to_page: str) -> str:
    """Relative link between two pages given as paths relative to docs_dir (Markdown source paths)."""
    import posixpath

    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def render_site(
    site_dir: Path, project_root: Path, version: str, years: list[int] | None = None, changed: set[int] | None = None
) -> list[Path]:
    """Render the pages of the given editions (default: all) plus the site-wide generated pages.

    ``changed``: editions whose data changed, so their Excel download is rewritten (default: all rendered).
    """
    all_years = editions_in(site_dir)
    editions = {y: load_edition(site_dir, y) for y in all_years}
    editions = {y: e for y, e in editions.items() if e is not None}
    pages = {y: {code: _page_path(code, name, level) for code, name, level in e.areas()} for y, e in editions.items()}
    history: dict[tuple, list[tuple]] = {}
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
    todo = sorted(editions) if years is None else [y for y in years if y in editions]
    ctx = SiteContext(
        site_dir,
        project_root,
        sorted(editions),
        pages,
        history,
        version,
        set(todo) if changed is None else set(changed),
    )
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
    if not editions:
        return out
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
    out.append(_write(actueel / "index.html", red.render(title=f"overzicht {newest}", target=f"../{newest}/")))
    out.append(
        _write(
            actueel / "verantwoording" / "index.html",
            red.render(title=f"verantwoording {newest}", target=f"../../{newest}/verantwoording/"),
        )
    )
    for code, page in ctx.pages[newest].items():
        target_dir = page[:-3]  # gemeente/dordrecht
        out.append(
            _write(
                actueel / target_dir / "index.html",
                red.render(title=f"{names[code][0]} {newest}", target=f"../../../{newest}/{target_dir}/"),
            )
        )
    out += copy_assets(site)
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


#: The Content-Security-Policy of every page (a <meta http-equiv> from the theme override below, and in the
#: redirect pages): scripts only from the site itself, never inline (no event handlers, no javascript: URLs,
#: no injected <script>); the chart data are JSON, not script. Styles may be inline (plotly and
#: mkdocs-material set style attributes). A server can send the same as a header (README, 'Publiceren'), and
#: there also add "frame-ancestors 'self'", which a <meta> cannot set.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
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
    ),
    "partials/javascripts/base.html": (
        "{#- ceo: mkdocs-material's inline helper script, as a file (no inline scripts) -#}\n"
        "<script src=\"{{ 'assets/ceo-theme.js' | url }}\"></script>\n"
    ),
    "partials/javascripts/content.html": "{#- ceo: no inline script for content tabs (not used on this site) -#}\n",
}


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


def copy_theme(site: Path) -> list[Path]:
    """The theme override in ``site/assets/theme`` (see :data:`THEME_FILES`); ``ceo init`` writes it too, so a
    new project builds before its first ``ceo process``."""
    theme = site / THEME_DIR
    out = [_write(theme / name, text) for name, text in THEME_FILES.items()]
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


def copy_assets(site: Path) -> list[Path]:
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
    # the full plotly.js (4.8 MB) that ceo copied before it shipped the basic bundle
    (assets / "plotly.min.js").unlink(missing_ok=True)
    static = Path(__file__).parent / "static"
    for f in sorted(static.iterdir()):
        if f.is_file():
            out.append(_write(assets / f.name, f.read_text(encoding="utf-8")))
    out += copy_theme(site)
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


def _question_line(q: dict, variants: dict) -> str:
    v = q["vraag"]
    if isinstance(v, dict):
        parts = [f"aan {md_text(variants.get(k, k).split(' (')[0])}: ‘{md_text(t)}’" for k, t in v.items()]
        return "Vraag " + "; ".join(parts)
    return f"Vraag: ‘{md_text(v)}’"


def render_edition(ctx: SiteContext, ed: Edition) -> list[Path]:
    y = ed.year
    base = ctx.site_dir / str(y)
    for sub in ("gemeente", "regio"):
        if (base / sub).exists():
            shutil.rmtree(base / sub)
    prepared = [_prepare(s) for s in ed.surveys]
    out = []
    for code, name, level in ed.areas():
        out.append(_write(base / ctx.pages[y][code], render_factsheet(ctx, ed, prepared, code, name, level)))
    out.append(_write(base / "index.md", render_overview(ctx, ed, prepared)))
    out.append(_write(base / "verantwoording.md", render_accounting(ctx, ed)))
    workbook = base / "data" / f"ceo_{y}.xlsx"
    if y in ctx.changed or not workbook.exists():
        out.append(write_workbook(ed, workbook))
    return out


def _duiding(ctx: SiteContext, year: int, name: str) -> str:
    """The researcher's interpretation for this area and edition; created empty once, never overwritten."""
    path = ctx.project_root / "duiding" / str(year) / f"{slug(name)}.md"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(environment().get_template("duiding.md.j2").render(name=name, year=year), encoding="utf-8")
        return ""
    text = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S).strip()
    # no raw HTML beyond a few inline tags, no attribute lists, no javascript: links (see sanitise_markdown)
    text = sanitise_markdown(text)
    # the researcher's headings become subheadings of the 'Duiding' section
    return re.sub(r"(?m)^(#{1,4}) ", lambda m: "#" * min(6, len(m.group(1)) + 2) + " ", text)


def render_factsheet(
    ctx: SiteContext, ed: Edition, prepared: list[PreparedSurvey], code: str, name: str, level: str
) -> str:
    y = ed.year
    page = f"{y}/{ctx.pages[y][code]}"
    surveys = []
    for ps in prepared:
        if code not in ps.head:
            continue
        surveys.append(_survey_section(ctx, ed, ps, code, name, level))
    other = " · ".join(
        f"[{oy}]({_rel(page, f'{oy}/{ctx.pages[oy][code]}')})"
        for oy in ctx.years
        if oy != y and code in ctx.pages.get(oy, {})
    )
    kind = {"gemeente": "gemeente", "regio": "regio", "totaal": "alle gemeenten"}[level]
    data_prefix = _rel(page, f"{y}/data/x")[:-1]
    downloads = " · ".join(
        [f"[{md_text(s['short_title'])} (CSV)]({data_prefix}{s['id']}.csv)" for s in surveys]
        + [
            f"[alle tabellen (Excel)]({data_prefix}ceo_{y}.xlsx)",
            f"[overzicht {y}]({_rel(page, f'{y}/index.md')})",
            f"[verantwoording]({_rel(page, f'{y}/verantwoording.md')})",
        ]
    )
    meta_line = (
        '<p class="ceo-meta">'
        + html_text(" · ".join(
            [f"Editie {y}"]
            + [
                f"{s['short_title']}: revisie {s['revision']}, verwerkt op {s['processed']}, invoer {s['fingerprint']}"
                for s in surveys
            ]
            + [f"ceo {ctx.version}"]
        ))
        + "</p>"
    )
    heading = f"{name}: cliëntervaringsonderzoek {y}" if level == "gemeente" else f"{name}: {y}"
    return (
        environment()
        .get_template("factsheet.md.j2")
        .render(
            page_title=f"{name} {y}",
            description=f"Resultaten cliëntervaringsonderzoek {y}, {kind} {name}",
            heading=md_text(heading),
            year=y,
            surveys=surveys,
            meta_line=meta_line,
            other_editions=other,
            downloads=downloads,
            duiding=_duiding(ctx, y, name),
        )
    )


def _survey_section(ctx, ed, ps: PreparedSurvey, code, name, level) -> dict:
    meta = ps.survey.meta
    y = ed.year
    ci_level = float(meta.get("betrouwbaarheid", 0.95))
    audience = meta.get("doelgroep", "respondenten")
    head = ps.head.get(code, {})
    dist = ps.dist.get(code, {})
    bench_name = meta.get("benchmark")
    where = {"gemeente": f"gemeente {name}", "regio": f"regio {name}", "totaal": "alle gemeenten"}[level]
    source = f"Bron: {meta['korte_titel']} {y}, {where}; {meta['weging']}."
    themes: list[dict] = []
    sub_rows = ps.sub.get(code, [])
    kop = meta.get("kop_per")
    # (title prefix, audience, rows by indicator, variant) of each set of headline blocks: one for everyone, or
    # one per questionnaire variant (parents and young people are different populations; see kop_per)
    views: list[tuple[str, str, dict, dict | None]] = [("", audience, head, None)]
    if kop:
        views = []
        for g in kop["groepen"]:
            rows = {r["indicator"]: r for r in sub_rows if r["subgroep"] == kop["subgroep"]
                    and r["subgroep_waarde"] == g["waarde"]}
            if rows:
                views.append((g["variant"][:1].upper() + g["variant"][1:] + ": ", g["variant"], rows,
                              {**g, "subgroep": kop["subgroep"]}))
    for prefix, who, rows, variant in views:
        for q in ps.questions:
            row = rows.get(q["indicator"])
            if row is None:
                continue
            block = _indicator_block(
                ctx, ps, q, row, dist.get(q["indicator"], []), code, name, y, who, ci_level, bench_name,
                variant=variant,
            )
            theme = q.get("thema") or "overig"
            if not themes or themes[-1]["id"] != prefix + theme:
                themes.append({"id": prefix + theme,
                               "title": prefix + THEME_TITLES.get(theme, theme.capitalize()), "blocks": []})
            themes[-1]["blocks"].append(block)
    subgroups = []
    for sg in meta.get("subgroepen", []):
        if kop and sg["id"] == kop["subgroep"]:
            continue  # the headline blocks above
        sub = [r for r in sub_rows if r["subgroep"] == sg["id"]]
        if sub:
            subgroups.append(_subgroup_block(ps, sg, sub, name))
    tests = _test_sentences(ps.tests_by_area.get(code), meta)
    return {
        "id": meta["onderzoek"],
        "title": meta["titel"],
        "short_title": meta["korte_titel"],
        "revision": meta.get("revisie", 1),
        "fingerprint": meta.get("vingerafdruk", "")[:12],
        "processed": texts.date_nl(meta["verwerkt_op"]),
        "source": html_text(source),
        "themes": themes,
        "distributions": _distributions([b for t in themes for b in t["blocks"]], texts.level_name(ci_level)),
        "subgroups": subgroups,
        "pooled": _pooled_block(ps, kop, sub_rows, name, ci_level) if kop else None,
        "tests": tests,
        "example_note": meta.get("voorbeeld_toelichting") if meta.get("voorbeeld") else None,
    }


def _indicator_block(ctx, ps, q, row, dist_rows, code, name, y, audience, ci_level, bench_name,
                     variant: dict | None = None) -> dict:
    """The blocks of one headline figure; ``variant`` (from ``kop_per``): ``row`` is that variant's figure,
    compared with the same variant in the region and in earlier editions."""
    kind = row["soort"]
    percent = kind != "gemiddelde"
    wording = _wording(q)
    if variant is not None:
        v = q["vraag"]
        wording = v.get(variant["variant"], wording) if isinstance(v, dict) else v
        dist_rows = []  # the answer distributions are of everyone together
    if q["soort"] == "gemiddelde":
        title = "Rapportcijfer"
    elif q["soort"] == "percentage_codes":
        title = f"Rapportcijfer: {q['label']}"
    else:
        title = wording
    label_title = title.rstrip(".")
    headline = texts.headline_sentence(row, audience, q.get("kop"), wording, ci_level)
    indicative = ""
    if row.get("indicatief") == "ja":
        indicative = INDICATIVE
    region_name = ps.region_names.get(row.get("regio") or "", None)
    comparisons = texts.comparison_sentences(row, region_name, bench_name) if row["onderdrukt"] == "nee" else []
    # one sentence rather than a bulleted list: every Markdown list costs tens of µs in 'mkdocs build'
    comparison = md_text(texts.join_list(comparisons))
    comparison = comparison[:1].upper() + comparison[1:] + "." if comparison else ""
    bi = texts.level_name(ci_level)
    bars = []
    shown: list[tuple[str, dict, bool]] = [(name, row, True)]  # (label, row, with CI and n)
    if row["onderdrukt"] == "nee":
        bars.append((name, row["waarde"], row["ondergrens"], row["bovengrens"], PALETTE["gebied"]))
    region = row.get("regio") or ""
    if region and region in ps.head:
        r2 = ps.head[region].get(row["indicator"])
        if variant is not None:
            r2 = next((r for r in ps.sub.get(region, []) if r["indicator"] == row["indicator"]
                       and r["subgroep"] == variant["subgroep"] and r["subgroep_waarde"] == variant["waarde"]), None)
        if r2 is not None:
            if r2["onderdrukt"] == "nee":
                bars.append((r2["gebied_naam"], r2["waarde"], r2["ondergrens"], r2["bovengrens"], PALETTE["regio"]))
            shown.append((r2["gebied_naam"], r2, True))
    if row.get("significant_benchmark") in ("ja", "nee") and bench_name:
        bars.append((bench_name, row["waarde_benchmark"], np.nan, np.nan, PALETTE["benchmark"]))
        shown.append((bench_name, {"soort": kind, "waarde": row["waarde_benchmark"]}, False))
    notes = TableNotes([r for _, r, _ in shown])
    table_rows: list[list[object]] = [
        [f"{label} ({texts.n_text(r)})", notes.value(r, ci=True)] if full else [label, notes.value(r)]
        for label, r, full in shown
    ]
    measure = f"{'percentage' if percent else 'gemiddelde'} ({bi})"
    chart_html = None
    if len(bars) and row["onderdrukt"] == "nee":
        label = (
            f"Staafdiagram: {label_title}. "
            + "; ".join(f"{b[0]} {_fmt({'soort': kind, 'waarde': b[1]})}" for b in bars)
            + ". De cijfers staan ook in de tabel."
        )
        chart_html = chart(comparison_chart(bars, percent), label)
    table = html_table(
        f"{label_title}: {name} vergeleken", ["Gebied", measure[:1].upper() + measure[1:]], table_rows,
        note=notes.html(), searchable=False,
    )
    distribution = None  # drawn for all questions together, see _distributions()
    if dist_rows and row["onderdrukt"] == "nee":
        cats = [(d["categorie"], d["waarde"]) for d in dist_rows if d["onderdrukt"] == "nee"]
        if cats:
            distribution = {"title": label_title, "rows": dist_rows, "cats": cats}
    trend = None
    if row["onderdrukt"] == "nee":
        points = [
            p[:4]
            for p in ctx.history.get((row["onderzoek"], code, row["indicator"])
                                     + ((variant["subgroep"], variant["waarde"]) if variant else ()), [])
            if p[0] <= y and p[4] == row["definitie"]
        ]
        if len(points) >= 2:
            tlabel = (
                "Ontwikkeling: " + "; ".join(f"{p[0]} {_fmt({'soort': kind, 'waarde': p[1]})}" for p in points) + "."
            )
            trend = {
                "first": int(points[0][0]),
                "chart": chart(trend_chart(points, percent), tlabel),
                "table": html_table(
                    f"Ontwikkeling: {label_title}, {name}",
                    ["Editie", measure[:1].upper() + measure[1:]],
                    [
                        [
                            str(int(p[0])),
                            _fmt_ci({"soort": kind, "waarde": p[1], "ondergrens": p[2], "bovengrens": p[3]}),
                        ]
                        for p in points
                    ],
                    searchable=False,
                ),
            }
    # bold by its class (assets/ceo.css): Markdown's **strong** costs tens of µs per headline in 'mkdocs build'
    headline_md = md_text(headline)
    if indicative:
        headline_md += f" *(indicatief: {indicative})*"
    headline_md += "\n{: .ceo-headline }"
    return {
        "title": md_text(title),
        "headline": headline_md,
        "question_line": (f"Vraag aan {md_text(audience)}: ‘{md_text(wording)}’" if variant is not None
                          else _question_line(q, ps.survey.meta.get("varianten", {})))
        + f" · {texts.base_sentence(row)}",
        "comparison": comparison,
        "chart": chart_html,
        "table": table,
        "distribution": distribution,
        "trend": trend,
    }


def _pooled_block(ps: PreparedSurvey, kop: dict, sub_rows: list[dict], name: str, ci_level: float) -> dict | None:
    """The figures of all variants together, standardised to the fixed composition (``kop_per``): one table,
    clearly labelled, below the figures per variant."""
    samen = kop["samen"]
    cell = {r["indicator"]: r for r in sub_rows if r["subgroep"] == samen["subgroep"]}
    qs = [q for q in ps.questions if q["indicator"] in cell]
    if not qs:
        return None
    names = [g["variant"] for g in kop["groepen"]]
    both = texts.join_and(names)
    notes = TableNotes([cell[q["indicator"]] for q in qs])
    rows = []
    for q in qs:
        title = (
            "Rapportcijfer"
            if q["soort"] == "gemiddelde"
            else (f"Rapportcijfer: {q['label']}" if q["soort"] == "percentage_codes" else q.get("kop") or _wording(q))
        )
        r = cell[q["indicator"]]
        rows.append([title[:1].upper() + title[1:], notes.value(r, ci=True), texts.n_text(r)])
    bi = texts.level_name(ci_level)
    intro = (
        f"In deze cijfers tellen {both} altijd in dezelfde verhouding mee: {samen['samenstelling']}. "
        f"Zo verandert het cijfer niet als er in een jaar of een gemeente meer {names[0]} of meer {names[-1]} "
        "meedoen. De cijfers per groep hierboven zijn de belangrijkste. Vergelijk dit cijfer alleen met "
        "hetzelfde cijfer van een ander jaar of een ander gebied."
    )
    title = md_text(samen["label"][:1].upper() + samen["label"][1:])
    if all(cell[q["indicator"]]["onderdrukt"] == "ja" for q in qs):
        reasons = " / ".join(dict.fromkeys(TableNotes.reason(cell[q["indicator"]]) or "" for q in qs))
        return {"title": title, "intro": md_text(f"Geen cijfers voor {both} samen: {reasons}."), "table": ""}
    table = html_table(
        f"{name}: {samen['label']} ({samen['samenstelling']})",
        ["Vraag", f"Percentage of gemiddelde ({bi})", "Aantal"],
        rows, note=notes.html(), searchable=False,
    )
    return {"title": title, "intro": md_text(intro), "table": table}


def _distributions(blocks: list[dict], bi: str) -> list[dict]:
    """The answer distributions of a survey's questions, in one section: a stacked bar per question, one chart
    and one table for all questions with the same answer categories (a row per question, a column per answer;
    a single question gets a row per answer). One table for many questions instead of one per question keeps
    the page light (every table, row and cell is parsed three times by ``mkdocs build``)."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for b in blocks:
        d = b["distribution"]
        if d is not None:
            groups.setdefault(tuple(r["categorie"] for r in d["rows"]), []).append(d)
    out = []
    for categories, group in groups.items():
        notes = TableNotes([r for d in group for r in d["rows"]])
        spec = distribution_chart([(_wrap(d["title"]), d["cats"]) for d in group])
        if len(group) == 1:
            d = group[0]
            label = (
                f"Verdeling van de antwoorden op ‘{d['title']}’: "
                + "; ".join(f"{c} {texts.pct(v)}" for c, v in d["cats"])
                + "."
            )
            table = html_table(
                f"Antwoordverdeling: {d['title']}",
                ["Antwoord", f"Percentage ({bi})"],
                [[r["categorie"], notes.value(r, ci=True)] for r in d["rows"]],
                note=notes.html(),
                searchable=False,
            )
        else:
            label = (
                "Verdeling van de antwoorden per vraag: "
                + "; ".join(f"{d['title']}: " + ", ".join(f"{c} {texts.pct(v)}" for c, v in d["cats"]) for d in group)
                + ". De cijfers staan ook in de tabel."
            )
            table = html_table(
                f"Antwoordverdeling in procenten ({bi}): vragen met de antwoorden ‘{categories[0]}’ tot "
                f"‘{categories[-1]}’",
                ["Vraag", *categories],
                [[d["title"]] + [notes.value(r, ci=True) for r in d["rows"]] for d in group],
                note=notes.html(),
                searchable=False,
            )
        out.append({"chart": chart(spec, label), "table": table})
    return out


def _wrap(text: str, width: int = 32) -> str:
    """A chart label over several lines (plotly breaks lines at <br>)."""
    return "<br>".join(plotly_text(line) for line in textwrap.wrap(text, width)) or plotly_text(text)


def _subgroup_block(ps: PreparedSurvey, sg: dict, sub: list[dict], name: str) -> dict:
    values = list(dict.fromkeys(r["subgroep_waarde"] for r in sub))
    present = {r["indicator"] for r in sub}
    qs = [q for q in ps.questions if q["indicator"] in present]
    cell = {(r["indicator"], r["subgroep_waarde"]): r for r in sub}
    # a group without a single published figure gets no column of '—' but a line in the note below the table
    reasons = {v: list(dict.fromkeys(TableNotes.reason(cell.get((q["indicator"], v))) for q in qs)) for v in values}
    hidden = [v for v in values if None not in reasons[v]]
    values = [v for v in values if v not in hidden]
    hidden_list = "; ".join(f"{v} ({' / '.join(reasons[v])})" for v in hidden)
    notes = TableNotes([cell.get((q["indicator"], v)) for q in qs for v in values])
    # the chart: the mean mark (or the first indicator) per group, with CI; its row in the table has the CI too
    main = next((q for q in qs if q["soort"] == "gemiddelde"), qs[0] if qs else None)
    rows = []
    for q in qs:
        title = (
            "Rapportcijfer"
            if q["soort"] == "gemiddelde"
            else (f"Rapportcijfer: {q['label']}" if q["soort"] == "percentage_codes" else _wording(q))
        )
        rows.append([title] + [notes.value(cell.get((q["indicator"], v)), ci=q is main) for v in values])
    # the number of respondents per group (the most of any question) in the column headers
    n_of: dict = {}  # suppressed figures publish no count
    for (_i, val), r in cell.items():
        if not texts.is_missing(r["n"]):
            n_of[val] = max(n_of.get(val, 0), r["n"])
    headers = ["Vraag"] + [f"{v} (n = {texts.number(n_of.get(v, 0))})" for v in values]
    hidden_note = f"Niet in de tabel, omdat al hun cijfers onderdrukt zijn: {hidden_list}." if hidden else ""
    note = " ".join(x for x in (notes.html(), html_text(hidden_note)) if x)
    table = None
    if values:
        table = html_table(
            f"{name} naar {sg['label'].lower()} (n: het hoogste aantal respondenten bij een vraag)",
            headers,
            rows,
            note=note,
            searchable=False,
        )
    chart_html = None
    if main is not None:
        bars = []
        for v in values:
            r = cell.get((main["indicator"], v))
            if r is not None and r["onderdrukt"] == "nee":
                bars.append((v, r["waarde"], r["ondergrens"], r["bovengrens"], PALETTE["gebied"]))
        if bars:
            percent = main["soort"] != "gemiddelde"
            what = "Rapportcijfer" if not percent else _wording(main)
            label = (
                f"Staafdiagram: {what} naar {sg['label'].lower()}: "
                + "; ".join(
                    f"{b[0]} {_fmt({'soort': 'gemiddelde' if not percent else 'percentage', 'waarde': b[1]})}"
                    for b in bars
                )
                + ". De cijfers staan ook in de tabel."
            )
            chart_html = chart(comparison_chart(bars, percent), label)
    empty = ""
    if table is None:
        empty = md_text(f"Geen cijfers naar {sg['label'].lower()}; alle cijfers zijn onderdrukt: {hidden_list}.")
    return {"label": sg["label"], "table": table, "chart": chart_html, "empty": empty}


def _test_sentences(tests: pd.DataFrame | None, meta: dict) -> list[str]:
    if tests is None or not len(tests):
        return []
    out = []
    labels = {q["variabele"]: q for q in meta.get("vragen", [])}
    for r in tests.to_dict("records"):
        t = r["toets"]
        if r.get("significant") == "niet te toetsen":  # the reason is in toelichting (ceo.stats.groups)
            what = {"welch_anova": "Het verschil in rapportcijfer tussen de beroepsgroepen",
                    "chi2": "Het verschil in tevredenheid tussen de beroepsgroepen"}.get(t, "De betrouwbaarheid")
            out.append(f"{what} is {r['toelichting']}.")
            continue
        if t == "welch_anova":
            what = "het rapportcijfer" if r["variabele"] == "rapportcijfer" else r["variabele"]
            sig = "verschilt significant" if r["significant"] == "ja" else "verschilt niet significant"
            out.append(
                f"{what.capitalize()} {sig} tussen de beroepsgroepen (Welch-ANOVA, p = "
                f"{texts.number(r['p'], 3)}; η² = {texts.number(r['effect'], 2)}, {r['effect_duiding']})."
            )
        elif t == "games_howell" and r["significant"] == "ja":
            higher = r["verschil"] > 0
            a, b = r["groep_a"], r["groep_b"]
            out.append(
                f"Professionals van {a} geven de samenwerking een {'hoger' if higher else 'lager'} "
                f"rapportcijfer dan die van {b} ({texts.number(r['waarde_a'], 1)} tegen "
                f"{texts.number(r['waarde_b'], 1)}; verschil {r['effect_duiding']}, Hedges' g = "
                f"{texts.number(r['effect'], 2)})."
            )
        elif t == "chi2":
            q = labels.get(r["variabele"])
            what = (
                "De tevredenheid over de samenwerking"
                if r["variabele"] == "tevredenheid"
                else (f"Het oordeel over ‘{_wording(q)}’" if q else r["variabele"])
            )
            sig = "verschilt significant" if r["significant"] == "ja" else "verschilt niet significant"
            out.append(
                f"{what} {sig} tussen de beroepsgroepen (χ²-toets, p = {texts.number(r['p'], 3)}; "
                f"Cramérs V = {texts.number(r['effect'], 2)}, {r['effect_duiding']})."
            )
        elif t == "cronbach_alpha":
            out.append(
                f"De uitspraken over de samenwerking vormen samen een schaal met Cronbachs α = "
                f"{texts.number(r['effect'], 2)} ({r['effect_duiding']})."
            )
        if r.get("toelichting") and t in ("welch_anova",) and "niet meegenomen" in str(r["toelichting"]):
            out.append(str(r["toelichting"]).split(";")[0].capitalize() + ".")
    return [md_text(s) for s in out]


def render_overview(ctx: SiteContext, ed: Edition, prepared: list[PreparedSurvey]) -> str:
    y = ed.year
    me = f"{y}/index.md"
    areas = ed.areas()
    gemeenten = " · ".join(
        f"[{md_text(n)}]({_rel(me, f'{y}/{ctx.pages[y][c]}')})" for c, n, lv in areas if lv == "gemeente"
    )
    regions = " · ".join(
        f"[{md_text(n)}]({_rel(me, f'{y}/{ctx.pages[y][c]}')})" for c, n, lv in areas if lv != "gemeente"
    )
    surveys = []
    for ps in prepared:
        t = ps.survey.table
        t = t[t["categorie"] == ""]
        qs = ps.questions
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
            for c, n, _lv in areas:
                if c not in n_area:
                    continue
                row: list[object] = [link(_href(me, f"{y}/{ctx.pages[y][c]}"), n)]
                n_c = n_area[c]  # empty when every figure of the area is suppressed (no exact count published)
                row.append(("—", 0) if texts.is_missing(n_c) else (texts.number(n_c), int(n_c)))
                for q in qs:
                    r = cell.get((c, q["indicator"]))
                    row.append((_fmt(r), _sort_value(r)) if r is not None else ("—", ""))
                rows.append(row)
            headers = ["Gebied", "n"] + [q["indicator"] for q in qs]
            tables.append(html_table(
                f"{ps.survey.meta['titel']} {y}{suffix}: belangrijkste cijfers per gebied",
                headers,
                rows,
                sortable=True,
                filter_label="Filter op gebied",
            ))
        table = "\n\n".join(tables)
        legend = "\n".join(
            f"- **{md_text(q['indicator'])}**: {md_text(q['label'])}: {md_text(_wording(q))}" for q in qs
        )
        surveys.append(
            {
                "id": ps.survey.id,
                "title": ps.survey.meta["titel"],
                "short_title": ps.survey.meta["korte_titel"],
                "table": table,
                "legend": legend,
            }
        )
    downloads = " · ".join(
        [f"[{md_text(s['short_title'])} (CSV)](data/{s['id']}.csv)" for s in surveys]
        + [f"[alle tabellen (Excel)](data/ceo_{y}.xlsx)", "[verantwoording](verantwoording.md)"]
    )
    return (
        environment()
        .get_template("edition.md.j2")
        .render(year=y, gemeenten=gemeenten, regions=regions, surveys=surveys, downloads=downloads)
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
                        texts.number(r.get("deff_gewicht", r.get("deff")), 2),  # "deff" before 2026
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
            "cijfers (bijvoorbeeld het totaal min de regio, of een gemeente min haar andere groepen). Daarom "
            "is soms een tweede cijfer weggelaten (\"aanvullend onderdrukt\"); ceo controleert dat voor het "
            f"publiceren. Een weggelaten cijfer van {lo} tot {hi} personen is soms wel ongeveer (of zelfs "
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
                "variants": _variants_text(m.get("kop_per")),
                "benchmark": m.get("benchmark"),
                "response_table": resp,
                "questions_table": questions,
                "revisions": revisions,
            }
        )
    return (
        environment()
        .get_template("verantwoording.md.j2")
        .render(year=y, surveys=surveys, methode=_rel(f"{y}/verantwoording.md", "methode.md"))
    )


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


def write_workbook(ed: Edition, path: Path) -> Path:
    """All results tables of the edition in one .xlsx (one sheet per survey), byte-reproducible."""
    from ceo.core.safetext import neutralise_frame
    from ceo.io.xlsx import write_xlsx

    sheets: dict[str, pd.DataFrame] = {}
    for s in ed.surveys:  # text a spreadsheet would take as a formula gets a leading '
        sheets[s.id] = neutralise_frame(s.table)
        if s.tests is not None and len(s.tests):
            sheets[f"{s.id}_toetsen"] = neutralise_frame(s.tests)
    return write_xlsx(sheets, path)
