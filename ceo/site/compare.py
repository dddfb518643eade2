"""'Vergelijk gemeenten': one page per edition x survey x indicator with every gemeente side by side.

Layout::

    site/2025/vergelijk/index.md                 every indicator of every survey, with its short label
    site/2025/vergelijk/<survey>/<indicator>.md  all gemeenten: a sorted dot plot with margins, the region(s)
                                                 and the total as reference lines, and a filterable table

All pages of a survey come from one pass over its results table (one sort, one groupby over indicator x
questionnaire variant); the rows of a page are turned into text once, column by column.

Choices:

* Up to :data:`DOT_PLOT_MAX` gemeenten the chart names every gemeente (a dot with its margin per row, about
  22 px per gemeente). With more (the national edition has 342) the chart shows the distribution: every
  gemeente as a dot with its margin from high to low, unnamed (the name is in the hover text), and the
  filterable table below it is where a reader finds a gemeente.
* At most :data:`MAX_REGION_LINES` regions are drawn as lines (plus the total); with more regions (the 25
  veiligheidsregio's) only the total is drawn and the regions are in the table of regions.
* The total is left out when it equals the only region (same figures for every indicator).
* Jeugd with headline figures per questionnaire variant (``kop_per``): one page per indicator with a section
  per variant (ouders, jeugdigen): a gemeente is compared with the same group elsewhere, as on the factsheet.
  The standardised figure for both groups together stays on the factsheet and in the open data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ceo.core import texts
from ceo.core.escape import html_text, md_text, plotly_text
from ceo.site import render as r

#: named dots up to this many gemeenten; above it the chart shows the distribution (see the module docstring)
DOT_PLOT_MAX = 60
MAX_REGION_LINES = 3
#: headline percentages in the edition overview, after the rapportcijfer: few columns, so that the table fits
#: at 1,366 px without scrolling sideways
OVERVIEW_PERCENTAGES = 3
#: pixels per gemeente in the named dot plot
ROW_PX = 22
#: the dots and their margins (Okabe-Ito blue, 5.2:1 on white)
DOT = r.PALETTE["gebied"]
#: reference lines: regions, then the total; every colour at least 3:1 against white (WCAG 1.4.11), and a
#: different dash per line so that colour is not the only difference
REGION_STYLES = [(r.PALETTE["regio"], "solid", "━━"), ("#882255", "dot", "┅┅"), ("#117733", "dashdot", "━ ·")]
TOTAL_STYLE = ("#4D4D4D", "dash", "╍╍")
SIGNIFICANT = {1: "▲ hoger", -1: "▼ lager", 0: "= gelijk"}


def short_label(q: dict) -> str:
    """A short Dutch label of an indicator for column headers and link texts: 'Rapportcijfer',
    'Rapportcijfer: onvoldoende (1–5)', or the codebook's ``kop`` ('Werden snel geholpen'), else the question
    shortened to about 60 characters (a ``kop`` is short by design: the predicate of the headline sentence)."""
    if q["soort"] == "gemiddelde":
        return "Rapportcijfer"
    if q["soort"] == "percentage_codes":
        label = str(q.get("label") or "").removeprefix("% ").strip()
        return f"Rapportcijfer: {label}" if label else "Rapportcijfer"
    text = str(q.get("kop") or "").strip()
    if not text:
        text = r._wording(q).strip()
        if len(text) > 60:
            text = text[:60].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return text[:1].upper() + text[1:]


def page_path(year: int, survey: str, indicator: str) -> str:
    """The comparison page of an indicator, relative to the docs dir (its URL: the same without ``.md``)."""
    return f"{year}/vergelijk/{survey}/{indicator}.md"


def overview_indicators(ps) -> list[dict]:
    """The columns of the edition overview: the rapportcijfer first, then up to :data:`OVERVIEW_PERCENTAGES`
    headline percentages (the first question of each theme, then the next ones in questionnaire order); the
    other indicators are one click away, on their comparison pages. When the codebook names its
    ``kernindicatoren`` (the Kernpunten of the factsheet), the overview shows those: the rapportcijfer and the
    first :data:`OVERVIEW_PERCENTAGES` percentages."""
    qs = ps.questions
    listed = ps.survey.meta.get("kernindicatoren")
    if listed:
        by_id = {q["indicator"]: q for q in qs}
        chosen = [by_id[k["indicator"]] for k in listed if k["indicator"] in by_id]
        marks = [q for q in chosen if q["soort"] == "gemiddelde"][:1]
        pcts = [q for q in chosen if q["soort"] != "gemiddelde"][:OVERVIEW_PERCENTAGES]
        if chosen:
            return marks + pcts
    first = [q for q in qs if q["soort"] == "gemiddelde"][:1]
    pcts = [q for q in sorted(qs, key=lambda q: q["volgorde"]) if q["soort"] == "percentage_positief"]
    chosen: list[dict] = []
    seen_themes: set[str] = set()
    for q in pcts:
        theme = q.get("thema") or ""
        if theme not in seen_themes:
            seen_themes.add(theme)
            chosen.append(q)
    for q in pcts:
        if len(chosen) >= OVERVIEW_PERCENTAGES:
            break
        if q not in chosen:
            chosen.append(q)
    chosen = sorted(chosen[:OVERVIEW_PERCENTAGES], key=lambda q: q["volgorde"])
    return first + chosen


def total_equals_region(table: pd.DataFrame) -> bool:
    """True when the table has exactly one region and the total has the same headline figures (n and value)
    for every indicator: the total then repeats the region and is left out."""
    head = table[(table["subgroep"] == "") & (table["categorie"] == "")]
    levels = head["gebied_niveau"]
    regions = head.loc[levels == "regio", "gebied_code"].unique()
    if len(regions) != 1 or not (levels == "totaal").any():
        return False
    cols = ["indicator", "n", "waarde"]
    a = head.loc[levels == "regio", cols].set_index("indicator").sort_index()
    b = head.loc[levels == "totaal", cols].set_index("indicator").sort_index()
    if not a.index.equals(b.index):
        return False
    va, vb = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    return bool(np.all((np.isnan(va) & np.isnan(vb)) | np.isclose(va, vb, rtol=0, atol=1e-9)))


# --------------------------------------------------------------------------------------------
# Chart
# --------------------------------------------------------------------------------------------


def _axis_range(lo: np.ndarray, hi: np.ndarray, refs: list[float], percent: bool) -> list[float]:
    vals = np.concatenate([lo[np.isfinite(lo)], hi[np.isfinite(hi)], np.asarray(refs, dtype=float)])
    bounds = (0.0, 100.0) if percent else (1.0, 10.0)
    if not len(vals):
        return list(bounds)
    pad = 3.0 if percent else 0.2
    low, high = max(bounds[0], float(vals.min()) - pad), min(bounds[1], float(vals.max()) + pad)
    if percent:
        low, high = 5 * np.floor(low / 5), 5 * np.ceil(high / 5)
    else:
        low, high = np.floor(low * 2) / 2, np.ceil(high * 2) / 2
    return [float(low), float(high)]


def dot_chart(names: list[str], values: np.ndarray, lo: np.ndarray, hi: np.ndarray, hover: list[str],
              refs: list[tuple[str, float, str, tuple[str, str, str]]], percent: bool) -> dict:
    """Every gemeente as a dot with its margin, sorted high to low, and vertical (named dot plot) or horizontal
    (distribution, more than :data:`DOT_PLOT_MAX` gemeenten) reference lines.

    ``refs``: (name, value, value text, (colour, dash, glyph)) of the regions and the total; their names are a
    legend above the plot (one line each, so they never overlap)."""
    n = len(names)
    plus = [r._clean(v) for v in np.where(np.isfinite(hi), hi - values, np.nan)]
    minus = [r._clean(v) for v in np.where(np.isfinite(lo), values - lo, np.nan)]
    vals = [r._clean(v) for v in values]
    suffix = " %" if percent else ""
    rng = _axis_range(lo, hi, [v for _, v, _, _ in refs], percent)
    legend_h = 18 * len(refs)
    annotations = [
        {"text": plotly_text(f"{glyph} {name}: {text}"), "xref": "paper", "yref": "paper", "x": 0, "y": 1,
         "xanchor": "left", "yanchor": "bottom", "yshift": 4 + 18 * (len(refs) - 1 - i), "showarrow": False,
         "font": {"color": colour}}
        for i, (name, _v, text, (colour, _dash, glyph)) in enumerate(refs)
    ]
    bars = {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus, "color": DOT,
            "thickness": 1.5, "width": 0}
    if n <= DOT_PLOT_MAX:
        labels = [plotly_text(x) for x in names]
        trace = {"type": "scatter", "mode": "markers", "x": vals, "y": labels, "error_x": bars,
                 "marker": {"color": DOT, "size": 9}, "customdata": [plotly_text(h) for h in hover],
                 "hovertemplate": "%{y}: %{customdata}<extra></extra>"}
        shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": v, "x1": v, "y0": 0, "y1": 1,
                   "line": {"color": colour, "dash": dash, "width": 2}} for _, v, _, (colour, dash, _g) in refs]
        layout = r._layout(
            50 + legend_h + ROW_PX * max(n, 3),
            margin={"l": 10, "r": 10, "t": 10 + legend_h, "b": 30},
            xaxis={"range": rng, "ticksuffix": suffix, "fixedrange": True, "zeroline": False},
            yaxis={"type": "category", "autorange": "reversed", "automargin": True, "fixedrange": True},
            shapes=shapes, annotations=annotations,
        )
    else:
        ranks = list(range(1, n + 1))
        trace = {"type": "scatter", "mode": "markers", "x": ranks, "y": vals,
                 "error_y": {**bars, "thickness": 1}, "marker": {"color": DOT, "size": 4},
                 "customdata": [plotly_text(f"{a}: {b}") for a, b in zip(names, hover, strict=True)],
                 "hovertemplate": "%{customdata}<extra></extra>"}
        shapes = [{"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": v, "y1": v,
                   "line": {"color": colour, "dash": dash, "width": 2}} for _, v, _, (colour, dash, _g) in refs]
        layout = r._layout(
            380 + legend_h,
            margin={"l": 10, "r": 10, "t": 10 + legend_h, "b": 40},
            xaxis={"range": [0, n + 1], "showticklabels": False, "showgrid": False, "fixedrange": True,
                   "zeroline": False,
                   "title": {"text": f"{texts.number(n)} gemeenten, van hoog naar laag", "standoff": 8}},
            yaxis={"range": rng, "ticksuffix": suffix, "fixedrange": True, "automargin": True},
            shapes=shapes, annotations=annotations,
        )
    return {"data": [trace], "layout": layout}


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


def _value_texts(kind: np.ndarray, value: np.ndarray, shown: np.ndarray, indicative: np.ndarray) -> list[str]:
    out = []
    for k, v, s, i in zip(kind, value, shown, indicative, strict=True):
        if not s:
            out.append("niet gepubliceerd")
            continue
        text = texts.number(v, 1) if k == "gemiddelde" else texts.pct(v)
        out.append(text + (" *" if i else ""))
    return out


def _margin_texts(kind: np.ndarray, lo: np.ndarray, hi: np.ndarray, shown: np.ndarray) -> list[str]:
    """'66–77 %' (no line break after the dash), '7,4–7,8', or '—' when not published."""
    return [texts.interval(a, b, 1 if k == "gemiddelde" else 0, percent=k != "gemiddelde")
            .replace("–", "–" + r.WORD_JOINER) if s else r.dash_text("geen marge")
            for k, a, b, s in zip(kind, lo, hi, shown, strict=True)]


def _n_texts(n: np.ndarray, reasons: list[str]) -> list[tuple[str, str]]:
    return [(texts.number(int(k)), str(int(k))) if np.isfinite(k) else (texts.n_text({"n": None, "reden": why}), "")
            for k, why in zip(n, reasons, strict=True)]


class _Group:
    """The rows of one indicator (and variant) as columns: numbers as arrays, texts as lists."""

    def __init__(self, g: pd.DataFrame) -> None:
        self.code = g["gebied_code"].tolist()
        self.name = g["gebied_naam"].tolist()
        self.level = g["gebied_niveau"].to_numpy(dtype=object)
        self.kind = g["soort"].to_numpy(dtype=object)
        self.value = g["waarde"].to_numpy(dtype=float)
        self.lo = g["ondergrens"].to_numpy(dtype=float)
        self.hi = g["bovengrens"].to_numpy(dtype=float)
        self.n = g["n"].to_numpy(dtype=float)
        self.shown = (g["onderdrukt"].to_numpy(dtype=object) != "ja") & np.isfinite(self.value)
        self.indicative = g["indicatief"].to_numpy(dtype=object) == "ja"
        self.reason = g["reden"].tolist()
        self.region = g["regio"].tolist()
        sig = g["significant_regio"].to_numpy(dtype=object)
        diff = g["verschil_regio"].to_numpy(dtype=float) if "verschil_regio" in g else np.zeros(len(g))
        self.vs_region = np.where(sig == "ja", np.sign(np.nan_to_num(diff)), np.where(sig == "nee", 0, np.nan))


def render_comparisons(ctx, ed, prepared) -> list[Path]:
    """Every comparison page of the edition and its index; returns the files written."""
    y = ed.year
    base = ctx.site_dir / str(y) / "vergelijk"
    out: list[Path] = []
    index_sections = []
    for ps in prepared:
        meta = ps.survey.meta
        sid = meta["onderzoek"]
        t = ps.survey.table
        kop = meta.get("kop_per")
        variants = {g["waarde"]: g["variant"] for g in kop["groepen"]} if kop else {"": ""}
        sel = t[(t["categorie"] == "") & (t["subgroep"] == (kop["subgroep"] if kop else ""))
                & t["subgroep_waarde"].isin(list(variants))]
        if not len(sel):
            continue
        drop_total = total_equals_region(t)
        if drop_total:
            sel = sel[sel["gebied_niveau"] != "totaal"]
        published = sel["waarde"].where(sel["onderdrukt"] != "ja")
        sel = sel.assign(_key=published).sort_values(["_key", "gebied_naam"], ascending=[False, True],
                                                     na_position="last", kind="stable")
        groups = {key: _Group(g) for key, g in sel.groupby(["indicator", "subgroep_waarde"], sort=False)}
        links = []
        for q in ps.questions:
            ind = q["indicator"]
            parts = [(variants[v], groups[(ind, v)]) for v in variants if (ind, v) in groups]
            if not parts:
                continue
            page = page_path(y, sid, ind)
            out.append(r._write(ctx.site_dir / page, _page(ctx, ed, ps, q, parts, page)))
            links.append(f"[{md_text(short_label(q))}]({r._rel(f'{y}/vergelijk/index.md', page)})")
        if links:
            index_sections.append({"title": meta["titel"], "links": links})
    out.append(r._write(base / "index.md", r.environment().get_template("compare_index.md.j2").render(
        year=y, surveys=index_sections, overview=r._rel(f"{y}/vergelijk/index.md", f"{y}/index.md"))))
    return out


def _page(ctx, ed, ps, q: dict, parts: list[tuple[str, _Group]], page: str) -> str:
    meta = ps.survey.meta
    y = ed.year
    label = short_label(q)
    percent = q["soort"] != "gemiddelde"
    sections = []
    for variant, g in parts:
        sections.append(_section(ctx, y, meta, q, variant, g, page, percent, label))
    measure = str(q.get("label") or "")
    wording = q["vraag"]
    if isinstance(wording, dict):
        question = "; ".join(f"aan {md_text(k)}: ‘{md_text(v)}’" for k, v in wording.items())
    else:
        question = f"‘{md_text(wording)}’"
    return r.environment().get_template("compare.md.j2").render(
        page_title=f"{label}: gemeenten vergeleken, {meta['korte_titel']} {y}",
        description=f"Alle gemeenten vergeleken: {label} ({meta['titel']} {y})",
        heading=md_text(f"{label}: alle gemeenten"),
        survey=md_text(f"{meta['titel']} {y}"),
        question=question,
        measure=md_text(measure),
        percent=percent,
        sections=sections,
        year=y,
        overview=r._rel(page, f"{y}/index.md"),
        index=r._rel(page, f"{y}/vergelijk/index.md"),
    )


def _section(ctx, y: int, meta: dict, q: dict, variant: str, g: _Group, page: str, percent: bool,
             label: str) -> dict:
    pages = ctx.pages[y]
    is_gem = g.level == "gemeente"
    gem = np.flatnonzero(is_gem)
    # the regions (high to low), then the total
    other = np.concatenate([np.flatnonzero(g.level == "regio"), np.flatnonzero(g.level == "totaal")])
    values = _value_texts(g.kind, g.value, g.shown, g.indicative)
    margins = _margin_texts(g.kind, g.lo, g.hi, g.shown)
    counts = _n_texts(g.n, g.reason)
    region_names = dict(meta.get("regios", {}))
    # reference lines: the regions (at most MAX_REGION_LINES), then the total
    regions = [i for i in other if g.level[i] == "regio" and g.shown[i]]
    totals = [i for i in other if g.level[i] == "totaal" and g.shown[i]]
    drawn = (regions if len(regions) <= MAX_REGION_LINES else []) + totals
    refs = []
    for i in drawn:
        style = TOTAL_STYLE if g.level[i] == "totaal" else REGION_STYLES[regions.index(i)]
        refs.append((g.name[i], float(g.value[i]), values[i].removesuffix(" *"), style))
    # the chart: the published figures of the gemeenten, high to low
    dots = [i for i in gem if g.shown[i]]
    chart_html = ""
    if dots:
        names = [g.name[i] for i in dots]
        hover = [f"{values[i]} (marge {margins[i]})" for i in dots]
        spec = dot_chart(names, g.value[dots], g.lo[dots], g.hi[dots], hover, refs, percent)
        what = f"{label}{', ' + variant if variant else ''}"
        ref_text = "; ".join(f"{name} {text}" for name, _v, text, _s in refs)
        if len(dots) <= DOT_PLOT_MAX:
            alt = (f"Stippen per gemeente, van hoog naar laag: {what}. "
                   + "; ".join(f"{g.name[i]} {values[i]}" for i in dots) + ".")
        else:
            alt = (f"Stippen van {texts.number(len(dots))} gemeenten, van hoog naar laag: {what}. Hoogste: "
                   f"{g.name[dots[0]]} {values[dots[0]]}; laagste: {g.name[dots[-1]]} {values[dots[-1]]}.")
        alt += (f" Lijnen: {ref_text}." if ref_text else "") + " De cijfers staan ook in de tabel."
        chart_html = r.chart(spec, alt)
    # the table of gemeenten: same numbers, sortable and filterable (assets/ceo.js); works without JavaScript
    many_regions = len({g.region[i] for i in gem if g.region[i]}) > 1
    unit = "%" if percent else "Cijfer"  # short: the table fits a phone screen (390 px)
    headers = ["Gemeente", unit, "Marge", "Aantal"] + (["Regio"] if many_regions else []) + ["Rest van de regio"]
    up = r._href(page, f"{y}/index.md")  # from this page to the edition directory: '../../../'
    rows = []
    for i in gem:
        p = pages.get(g.code[i])
        first = r.link(f"{up}{p[:-3]}/", g.name[i]) if p else g.name[i]
        key = f"{g.value[i]:.6f}" if g.shown[i] else ""
        row: list[object] = [first, (values[i], key), margins[i], counts[i]]
        if many_regions:
            row.append(region_names.get(g.region[i], g.region[i]))
        s = g.vs_region[i]
        row.append((r.dash_text("niet vergeleken"), "") if not g.shown[i] or not np.isfinite(s)
                   else (SIGNIFICANT[int(s)], str(int(s))))
        rows.append(row)
    what = f"{label}{', ' + variant if variant else ''}"
    hidden = [(g.name[i], r.plain_reason(g.reason[i])) for i in gem if not g.shown[i]]
    notes = []
    if any(g.indicative[i] and g.shown[i] for i in gem):
        notes.append("* onzeker: weinig antwoorden of een brede marge.")
    if hidden:
        notes.append("Niet gepubliceerd: " + "; ".join(f"{n}: {why}" for n, why in hidden) + ".")
    table = r.html_table(
        f"{what}: alle gemeenten ({meta['korte_titel']} {y})", headers, rows, sortable=True,
        filter_label="Zoek een gemeente" + (f" ({variant})" if variant else ""), note=html_text(" ".join(notes)),
        searchable=False,
    ) if len(gem) else ""
    # the regions and the total: what the lines in the chart show
    ref_rows = []
    for i in other:
        p = pages.get(g.code[i])
        first = r.link(f"{up}{p[:-3]}/", g.name[i]) if p else g.name[i]
        ref_rows.append([first, (values[i], f"{g.value[i]:.6f}" if g.shown[i] else ""), margins[i], counts[i]])
    ref_table = r.html_table(f"{what}: regio's en totaal", ["Gebied", unit, "Marge", "Aantal"], ref_rows,
                             sortable=True, searchable=False) if ref_rows else ""
    return {
        "title": md_text(variant[:1].upper() + variant[1:]) if variant else "",
        "audience": md_text(variant),
        "chart": chart_html,
        "table": table,
        "references": ref_table,
        "many": len(dots) > DOT_PLOT_MAX,
        "lines_note": (len(regions) > MAX_REGION_LINES),
    }
