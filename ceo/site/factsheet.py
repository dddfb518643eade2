"""The factsheet of one area (gemeente, region or total) in one edition: its story at a glance.

Top to bottom::

    h1, a banner on older editions, "Snel naar" (surveys) and the gemeente switcher
    Kernpunten        per survey the rapportcijfer and 3-4 headline percentages (codebook ``kernindicatoren``),
                      each with ▲ hoger / ▼ lager / = gelijk against the previous edition and the rest of the
                      region (the tested comparisons), the n, and the first paragraph of the duiding
    Zo leest u ...    the marge, the markers and the comparator in plain words
    Ontwikkeling      one chart: the key figures over all editions, gemeente against the rest of the region
    per survey        one overview chart of all statements (gemeente with its marge, rest of the region, previous
                      edition); a compact table per theme; the answer distributions; subgroups; group tests
    footer            downloads, other editions and the technical details (class ``ceo-meta``)

The comparator is always the one that was tested: the *rest* of the region (``waarde_rest_regio``), named
"rest van <regio>" in the Kernpunten, the tables and the charts alike. The chart builders return plotly specs
(see :func:`ceo.site.render.chart`); all their colours have at least 3:1 contrast against white, and stacked
segments are separated by a white border.
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import pandas as pd

from ceo.core import texts
from ceo.core.escape import html_attr, html_text, md_text, plotly_text, sanitise_markdown
from ceo.site import render as r

#: the area (Okabe-Ito blue 5.2:1), the rest of the region (vermillion, darker than Okabe-Ito's: 4.3:1; never
#: orange #E69F00, 2.25:1), the previous edition (grey 4.7:1) on white
COLOURS = {"gebied": "#0072B2", "rest": "#C04A00", "vorige": "#737373"}
#: ordinal answer scale from the most positive to the most negative answer: every colour at least 3:1 against
#: white; neighbouring segments are separated by a white border (marker.line)
ORDINAL5 = ["#08519C", "#2F78B5", "#737373", "#C04A00", "#7F2704"]
SEGMENT_LINE = {"color": "#FFFFFF", "width": 1.5}
#: the rapportcijfer as an ordered scale in five classes, highest first (same colours as the answer scale)
MARK_CLASSES = [("cijfer 9–10", (9, 10)), ("cijfer 8", (8,)), ("cijfer 7", (7,)), ("cijfer 6", (6,)),
                ("cijfer 1–5 (onvoldoende)", (1, 2, 3, 4, 5))]
MARKERS = {1: ("▲", "hoger"), -1: ("▼", "lager"), 0: ("=", "gelijk")}
#: up to this many gemeenten the factsheet lists them all in its switcher; with more (the national edition has
#: 342) the switcher is a link to the edition's overview, which has a search box (a list of 342 links on each of
#: 342 pages would make 'mkdocs build' parse 117,000 links)
SWITCHER_MAX = 40
SURVEY_SHORT = {"wmo": "Wmo", "jeugd": "Jeugd", "professionals": "Professionals"}


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def _missing(x) -> bool:
    return texts.is_missing(x)


def _value(x, kind: str) -> str:
    """'73 %' or '7,3'."""
    if _missing(x):
        return "—"
    return texts.number(x, 1) if kind == "gemiddelde" else texts.pct(x)


def _published(row: dict | None) -> bool:
    return row is not None and row.get("onderdrukt") != "ja" and not _missing(row.get("waarde"))


def _marge(row: dict) -> str:
    """Half the width of the interval: '± 4' (percentage points) or '± 0,2'."""
    lo, hi = row.get("ondergrens"), row.get("bovengrens")
    if not _published(row) or _missing(lo) or _missing(hi):
        return "—"
    return "± " + texts.number((float(hi) - float(lo)) / 2, 1 if row["soort"] == "gemiddelde" else 0)


#: what * means, in the words of the factsheet ("marge" instead of "betrouwbaarheidsinterval")
INDICATIVE = "weinig respondenten of een brede marge"


def _note(notes) -> str:
    """The note below a table (:class:`ceo.site.render.TableNotes`) in the words of the factsheet."""
    return notes.html().replace(r.INDICATIVE, INDICATIVE)


#: the comparator's value of each comparison in the results table
REF = {"vorige": "waarde_vorige", "regio": "waarde_rest_regio", "benchmark": "waarde_benchmark"}


def comparison(row: dict, which: str) -> tuple[str, str, str] | None:
    """(symbol, word, value of the comparator) of a tested comparison (``which``: 'vorige' or 'regio'), using
    the multiplicity-corrected flags of the results table; None when it was not tested."""
    if not _published(row):
        return None
    flag = row.get(f"significant_{which}")
    ref = row.get(REF[which])
    if flag not in ("ja", "nee") or _missing(ref):
        return None
    diff = row.get(f"verschil_{which}")
    sign = 0 if flag == "nee" else (1 if float(diff) > 0 else -1)
    symbol, word = MARKERS[sign]
    return symbol, word, _value(ref, row["soort"])


def comparison_text(row: dict, which: str) -> str:
    """'▼ lager (76 %)', '= gelijk (7,3)', or just the comparator's value when it was not tested."""
    c = comparison(row, which)
    if c is not None:
        return f"{c[0]} {c[1]} ({c[2]})"
    ref = row.get(REF[which]) if _published(row) else None
    return "" if _missing(ref) else _value(ref, row["soort"])


def short_label(q: dict, short: str = "") -> str:
    """A label of a few words: the codebook's ``kort``, else 'Rapportcijfer', else the headline predicate."""
    if short:
        return short
    if q["soort"] == "gemiddelde":
        return "Rapportcijfer"
    if q["soort"] == "percentage_codes":
        return "Gaven een onvoldoende (1–5)" if str(q["indicator"]).endswith("_onvoldoende") else q["label"]
    text = str(q.get("kop") or r._wording(q))
    return text[:1].upper() + text[1:]


def wording(q: dict, variant: dict | None) -> str:
    """The literal question (of this questionnaire variant)."""
    v = q["vraag"]
    if isinstance(v, dict):
        v = v.get(variant["variant"], r._wording(q)) if variant is not None else " / ".join(v.values())
    if q["soort"] == "percentage_codes" and str(q["indicator"]).endswith("_onvoldoende"):
        return f"{v} (% onvoldoende: 1 tot en met 5)"
    return v


def _anchor(*parts: str) -> str:
    return "-".join(texts.slug(p) for p in parts if p)


def key_indicators(meta: dict, questions: list[dict]) -> list[tuple[dict, str]]:
    """(question, short label) of the Kernpunten: the codebook's ``kernindicatoren``; without them (results from
    before they existed) the rapportcijfer and the first percentage of up to three themes."""
    by_id = {q["indicator"]: q for q in questions}
    listed = meta.get("kernindicatoren")
    if listed:
        return [(by_id[k["indicator"]], k.get("kort") or "") for k in listed if k["indicator"] in by_id]
    out = [(q, "") for q in questions if q["soort"] == "gemiddelde"][:1]
    themes: set = set()
    for q in sorted(questions, key=lambda q: q["volgorde"]):
        if q["soort"] == "percentage_positief" and q.get("thema") not in themes and len(themes) < 3:
            themes.add(q.get("thema"))
            out.append((q, ""))
    return out


def _views(ps, code: str) -> list[tuple[dict | None, dict]]:
    """(variant or None, indicator -> row): one view for everyone, or one per questionnaire variant."""
    kop = ps.survey.meta.get("kop_per")
    if not kop:
        return [(None, ps.head.get(code, {}))]
    sub_rows = ps.sub.get(code, [])
    out = []
    for g in kop["groepen"]:
        rows = {x["indicator"]: x for x in sub_rows
                if x["subgroep"] == kop["subgroep"] and x["subgroep_waarde"] == g["waarde"]}
        if rows:
            out.append(({**g, "subgroep": kop["subgroep"]}, rows))
    return out


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _region_name(ps, rows) -> str | None:
    for row in rows:
        reg = row.get("regio") or ""
        if reg:
            return ps.region_names.get(reg, reg)
    return None


def _n(rows) -> int | None:
    ns = [int(x["n"]) for x in rows if not _missing(x.get("n"))]
    return max(ns) if ns else None


# --------------------------------------------------------------------------------------------
# charts
# --------------------------------------------------------------------------------------------


def overview_chart(items: list[dict], area: str, rest: str | None, previous: str | None, wrap: int = 56,
                   line_px: int = 19) -> dict:
    """All statements of a survey in one chart: per statement (``label``) the area's percentage with its
    interval (``value``, ``lo``, ``hi``), the rest of the region (``rest``) and the previous edition
    (``prev``), in the order given (by theme)."""
    labels = [_wrap(i["label"], wrap) for i in items]
    lines = sum(lbl.count("<br>") + 1 for lbl in labels)
    data = [{
        "type": "scatter", "mode": "markers", "name": plotly_text(area), "y": labels,
        "x": [r._clean(i["value"]) for i in items],
        "error_x": _whiskers([(i["value"], i["lo"], i["hi"]) for i in items], COLOURS["gebied"], 1.5, 4),
        "marker": {"color": COLOURS["gebied"], "size": 10, "symbol": "circle"},
        "hovertemplate": "%{fullData.name}: %{x:.0f} %<extra></extra>",
    }]
    if rest:
        data.append({
            "type": "scatter", "mode": "markers", "name": plotly_text(rest), "y": labels,
            "x": [r._clean(i["rest"]) for i in items],
            "marker": {"color": COLOURS["rest"], "size": 10, "symbol": "diamond-open", "line": {"width": 2}},
            "hovertemplate": "%{fullData.name}: %{x:.0f} %<extra></extra>",
        })
    if previous:
        data.append({
            "type": "scatter", "mode": "markers", "name": plotly_text(previous), "y": labels,
            "x": [r._clean(i["prev"]) for i in items],
            "marker": {"color": COLOURS["vorige"], "size": 9, "symbol": "line-ns-open", "line": {"width": 2}},
            "hovertemplate": "%{fullData.name}: %{x:.0f} %<extra></extra>",
        })
    return {
        "data": data,
        "layout": r._layout(
            44 + line_px * lines + 5 * len(items),
            margin={"l": 10, "r": 10, "t": 10, "b": 30},
            showlegend=False,  # the legend is text below the chart's title (factsheet._key)
            xaxis={"range": [0, 100], "ticksuffix": " %", "fixedrange": True, "gridcolor": "#E0E0E0"},
            yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
        ),
    }


def _whiskers(triples, colour: str, thickness: float = 1.2, width: int = 3) -> dict:
    """Plotly's asymmetric error bars for (value, lower, upper) triples; a missing bound draws no whisker."""
    return {"type": "data", "symmetric": False,
            "array": [r._clean(hi - v) for v, _lo, hi in triples],
            "arrayminus": [r._clean(v - lo) for v, lo, _hi in triples],
            "color": colour, "thickness": thickness, "width": width}


def trend_chart(panels: list[dict], area: str, rest: str | None, columns: int = 3, wrap: int = 30) -> dict:
    """Small multiples: per key figure (``title``, ``percent``) the area over the editions with its interval
    (``points``: (year, value, lo, hi)) and the rest of the region (``rest``: (year, value)). The years are
    written below the lowest panel of each column only (the same years in every panel); ``narrow`` is the
    layout in two columns that assets/ceo.js uses on a narrow screen."""
    rows = math.ceil(len(panels) / columns)
    panel_px, title_px, legend_px, bottom_px = 72, 42, 30, 24
    height = legend_px + rows * (panel_px + title_px) + bottom_px
    plot_h = height - legend_px - bottom_px
    gap = 0.1
    width = (1 - gap * (columns - 1)) / columns
    data: list[dict] = []
    layout = r._layout(height, margin={"l": 34, "r": 8, "t": legend_px, "b": bottom_px}, showlegend=True,
                       legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"})
    annotations = []
    years = sorted({p[0] for pan in panels for p in pan["points"]} | {p[0] for pan in panels for p in pan["rest"]})
    for k, pan in enumerate(panels):
        row, col = divmod(k, columns)
        suffix = "" if k == 0 else str(k + 1)
        top = row * (panel_px + title_px) + title_px
        y0, y1 = 1 - (top + panel_px) / plot_h, 1 - top / plot_h
        x0 = col * (width + gap)
        pts = pan["points"]
        percent = pan["percent"]
        fmt = "%{y:.0f} %" if percent else "%{y:.1f}"
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": plotly_text(area), "legendgroup": "gebied",
            "showlegend": k == 0, "xaxis": "x" + suffix, "yaxis": "y" + suffix,
            "x": [p[0] for p in pts], "y": [r._clean(p[1]) for p in pts],
            "error_y": _whiskers([p[1:4] for p in pts], COLOURS["gebied"]),
            "line": {"color": COLOURS["gebied"], "width": 2}, "marker": {"color": COLOURS["gebied"], "size": 6},
            "hovertemplate": "%{x}: " + fmt + "<extra>%{fullData.name}</extra>",  # a name is never a template
        })
        if rest and pan["rest"]:
            data.append({
                "type": "scatter", "mode": "lines+markers", "name": plotly_text(rest), "legendgroup": "rest",
                "showlegend": k == 0, "xaxis": "x" + suffix, "yaxis": "y" + suffix,
                "x": [p[0] for p in pan["rest"]], "y": [r._clean(p[1]) for p in pan["rest"]],
                **({"error_y": _whiskers([p[1:4] for p in pan["rest"]], COLOURS["rest"])}
                   if any(len(p) > 3 and math.isfinite(p[2]) for p in pan["rest"]) else {}),
                "line": {"color": COLOURS["rest"], "width": 2, "dash": "dash"},
                "marker": {"color": COLOURS["rest"], "size": 6, "symbol": "diamond"},
                "hovertemplate": "%{x}: " + fmt + "<extra>%{fullData.name}</extra>",
            })
        layout["xaxis" + suffix] = {
            "domain": [x0, x0 + width], "anchor": "y" + suffix, "tickmode": "array", "tickvals": years,
            "range": [years[0] - 0.4, years[-1] + 0.4] if years else None, "fixedrange": True,
            "tickfont": {"size": 10}, "showticklabels": k + columns >= len(panels),
        }
        layout["yaxis" + suffix] = {
            "domain": [max(0.0, y0), min(1.0, y1)], "anchor": "x" + suffix, "fixedrange": True,
            "range": _y_range(pan), "nticks": 4, "tickfont": {"size": 10},
            "gridcolor": "#E0E0E0",
        }
        annotations.append({
            "text": _wrap(pan["title"], wrap), "xref": "paper", "yref": "paper", "x": x0, "xanchor": "left",
            "y": min(1.0, y1) + 4 / plot_h, "yanchor": "bottom", "showarrow": False, "align": "left",
            "font": {"size": 11},
        })
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}


def _y_range(pan: dict) -> list[float]:
    """The y-axis of a trend panel: the intervals and the comparator with some room, in whole steps of 10
    percentage points or half a mark, so that a change is visible (a line chart needs no zero)."""
    values = [v for p in pan["points"] for v in p[1:4]] + [v for p in pan["rest"] for v in p[1:4]]
    values = [float(v) for v in values if not _missing(v)]
    if pan["percent"]:
        lo, hi = math.floor((min(values) - 3) / 10) * 10, math.ceil((max(values) + 3) / 10) * 10
        return [max(0, lo), min(100, hi)]
    lo, hi = math.floor((min(values) - 0.2) * 2) / 2, math.ceil((max(values) + 0.2) * 2) / 2
    return [max(1.0, lo), min(10.0, hi)]


def distribution_chart(items: list[tuple[str, list[tuple[str, float]]]],
                       marks: tuple[str, list[tuple[str, float]]] | None = None, wrap: int = 32,
                       per_row: int = 2, line_px: int = 15) -> dict:
    """Stacked 100 % bars in an ordinal palette: one bar per question (answers from the most positive to the
    most negative), plus optionally the rapportcijfer in five ordered classes (``marks``)."""
    categories: list[str] = []
    for _, cats in items:
        for c, _v in cats:
            if c not in categories:
                categories.append(c)
    labels = [_wrap(q, wrap) for q, _ in items]
    mark_label = [_wrap(marks[0], wrap)] if marks else []
    y = labels + mark_label
    palette = _ordinal(len(categories))
    # the rapportcijfer's classes first in the data, the answers after them (so that the last trace is an answer
    # on every question's bar); the legend lists the answers first (legendrank)
    data = []
    if marks:
        for i, (c, v) in enumerate(marks[1]):
            data.append({
                "type": "bar", "orientation": "h", "name": plotly_text(c), "y": y, "legendrank": 100 + i,
                "x": [None] * len(labels) + [r._clean(v)],
                "marker": {"color": ORDINAL5[i], "line": SEGMENT_LINE},
                "hovertemplate": "%{fullData.name}: %{x:.0f} %<extra></extra>",
            })
    for i, c in enumerate(categories):
        values = [r._clean(dict(cats).get(c)) for _, cats in items] + ([None] if marks else [])
        data.append({
            "type": "bar", "orientation": "h", "name": plotly_text(c), "y": y, "x": values, "legendrank": i,
            "marker": {"color": palette[i], "line": SEGMENT_LINE},
            "hovertemplate": "%{fullData.name}: %{x:.0f} %<extra></extra>",
        })
    entries = len(categories) + (len(marks[1]) if marks else 0)

    def layout(per_row: int) -> dict:
        rows = math.ceil(entries / per_row)
        return r._layout(
            40 + 21 * rows + sum(14 + line_px * (lbl.count("<br>") + 1) for lbl in y),
            barmode="stack", showlegend=True, margin={"l": 10, "r": 10, "t": 10 + 21 * rows, "b": 30},
            legend=({"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom", "traceorder": "normal",
                     "entrywidth": round(1 / per_row, 3), "entrywidthmode": "fraction"} if per_row > 1 else
                    # one entry a row, moved left into the room of the question labels (about 40 % of a phone)
                    {"orientation": "h", "x": -0.7, "y": 1, "yanchor": "bottom", "traceorder": "normal",
                     "entrywidth": 1, "entrywidthmode": "fraction"}),
            xaxis={"range": [0, 100], "ticksuffix": " %", "fixedrange": True},
            yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
        )

    return {"data": data, "layout": layout(per_row)}


def with_narrow(spec: dict, narrow: dict, below: int = 600) -> dict:
    """``spec`` with the data and layout assets/ceo.js uses instead when the chart is narrower than ``below``
    pixels (a phone): labels wrapped shorter, fewer legend entries or panels a row."""
    return {**spec, "narrow": {"below": below, "layout": narrow["layout"], "data": narrow["data"]}}


def _ordinal(k: int) -> list[str]:
    """k colours of the ordinal answer scale (positive first)."""
    if k == 5:
        return ORDINAL5
    if k == 2:
        return [ORDINAL5[0], ORDINAL5[4]]
    if k == 3:
        return [ORDINAL5[0], ORDINAL5[2], ORDINAL5[4]]
    if k == 4:
        return [ORDINAL5[0], ORDINAL5[1], ORDINAL5[3], ORDINAL5[4]]
    return [ORDINAL5[min(4, round(i * 4 / max(1, k - 1)))] for i in range(k)]


def scroll(table: str, classes: str) -> str:
    """A table with its own classes (so without mkdocs-material's table style) in the wrapper mkdocs-material
    gives its own tables: it scrolls sideways on a narrow screen, and assets/ceo.js makes a scrolling wrapper
    reachable with the keyboard. The note below the table stays outside the wrapper."""
    table, sep, note = table.partition("\n<p class=\"ceo-note\">")
    table = table.replace("<table", f'<table class="{classes}"', 1)
    return (f'<div class="md-typeset__scrollwrap"><div class="md-typeset__table">{table}</div></div>'
            + (sep + note if sep else ""))


@functools.lru_cache(maxsize=4096)
def _wrap(text: str, width: int) -> str:
    """A chart label over lines (the same labels on every factsheet: wrapped once)."""
    return r._wrap(text, width)


def _areas(ed) -> list[tuple[str, str, str]]:
    """``ed.areas()``, computed once per edition (every factsheet of the edition lists them)."""
    cached = ed.__dict__.get("_factsheet_areas")
    if cached is None:
        cached = ed.__dict__["_factsheet_areas"] = ed.areas()
    return cached


# --------------------------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------------------------


def render_factsheet(ctx, ed, prepared, code: str, name: str, level: str) -> str:
    y = ed.year
    page = f"{y}/{ctx.pages[y][code]}"
    present = [ps for ps in prepared if code in ps.head]
    duiding_text = r.duiding_source(ctx, y, name)
    duiding = r.duiding_markdown(duiding_text)
    surveys = [_survey_section(ctx, ed, ps, code, name, level, page) for ps in present]
    kern = _kernpunten(ed, present, code, name, level, page, surveys)
    newest = max(ctx.years) if ctx.years else y
    banner = ""
    if y < newest and code in ctx.pages.get(newest, {}):
        banner = (f"Er is een nieuwere editie: [{newest}]({r._rel(page, f'{newest}/{ctx.pages[newest][code]}')})"
                  "\n{: .ceo-fs-banner role=\"note\" }")
    areas = _areas(ed)
    gemeenten = [(c, n) for c, n, lv in areas if lv == "gemeente"]
    switcher = "" if len(gemeenten) > SWITCHER_MAX else "".join(
        f'<li><a href="{html_attr(r._href(page, f"{y}/{ctx.pages[y][c]}"))}"'
        + (' aria-current="page"' if c == code else "") + f">{html_text(n)}</a></li>"
        for c, n in gemeenten
    )
    others = [(c, n) for c, n, lv in areas if lv != "gemeente"]
    switcher += "" if len(gemeenten) > SWITCHER_MAX else "".join(
        f'<li><a href="{html_attr(r._href(page, f"{y}/{ctx.pages[y][c]}"))}">{html_text(n)}</a></li>'
        for c, n in others if c != code
    )
    trend = _trend_section(ctx, ed, present, code, name, level)
    nav_links = [f'<a href="#{s["anchor"]}">{html_text(SURVEY_SHORT.get(s["id"], s["short_title"]))}</a>'
                 for s in surveys]
    if trend:
        nav_links.append('<a href="#ontwikkeling">Ontwikkeling</a>')
    overview = html_attr(r._href(page, f"{y}/index.md"))
    if len(gemeenten) <= SWITCHER_MAX:
        switch = (' · <details class="ceo-fs-switch"><summary>Andere gemeente</summary>'
                  f'<ul>{switcher}</ul><p><a href="{overview}">Alle gemeenten van {y}</a></p></details>')
    else:  # hundreds of gemeenten: the overview of the edition, with its search box, instead of a list on every page
        switch = f' · <a class="ceo-fs-switch" href="{overview}">Andere gemeente</a>'
    nav = '<nav class="ceo-fs-nav" aria-label="Snel naar">Snel naar: ' + " · ".join(nav_links) + switch + "</nav>"
    stable = f"actueel/{ctx.pages[y][code][:-3]}/"
    stable_line = (
        f'<p class="ceo-fs-vast">Vaste link naar de nieuwste cijfers van {html_text(name)}: '
        f'<a href="{html_attr(r._href(page, stable[:-1] + ".md"))}">{html_text(stable)}</a></p>'
    )
    other = " · ".join(
        f"[{oy}]({r._rel(page, f'{oy}/{ctx.pages[oy][code]}')})"
        for oy in ctx.years if oy != y and code in ctx.pages.get(oy, {})
    )
    data_prefix = r._rel(page, f"{y}/data/x")[:-1]
    downloads = " · ".join(
        [f"[{md_text(s['short_title'])} (CSV)]({data_prefix}{s['id']}.csv)" for s in surveys]
        + [f"[alle tabellen (Excel)]({data_prefix}ceo_{y}.xlsx)",
           f"[overzicht {y}]({r._rel(page, f'{y}/index.md')})",
           f"[verantwoording]({r._rel(page, f'{y}/verantwoording.md')})"]
    )
    kind = {"gemeente": "gemeente", "regio": "regio", "totaal": "alle gemeenten"}[level]
    heading = f"{name}: cliëntervaringsonderzoek {y}" if level == "gemeente" else f"{name}: {y}"
    return r.environment().get_template("factsheet.md.j2").render(
        page_title=f"{name} {y}",
        description=f"Resultaten cliëntervaringsonderzoek {y}, {kind} {name}",
        heading=md_text(heading),
        banner=banner,
        nav=nav,
        kern=kern,
        stable_line=stable_line,
        reading=_reading_box(present, code, name, level, page, y),
        trend=trend,
        duiding=duiding,
        duiding_lead=_duiding_lead(duiding_text),
        surveys=surveys,
        other_editions=other,
        downloads=downloads,
        meta_block=_meta_block(ctx, y, present, code, name, level),
    )


def _kernpunten(ed, present, code, name, level, page, surveys) -> dict:
    """The Kernpunten table: per survey (and questionnaire variant) the key figures with their markers."""
    y = ed.year
    rows_html: list[str] = []
    prev_years: set[int] = set()
    region = None
    for ps, s in zip(present, surveys, strict=True):
        meta = ps.survey.meta
        keys = key_indicators(meta, ps.questions)
        for variant, rows in _views(ps, code):
            shown = [(q, short, rows.get(q["indicator"])) for q, short in keys if q["indicator"] in rows]
            if not shown:
                continue
            region = region or _region_name(ps, rows.values())
            n = _n(rows.values())
            who = variant["variant"] if variant else meta.get("doelgroep", "respondenten")
            group = SURVEY_SHORT.get(meta["onderzoek"], meta["korte_titel"])
            if variant:
                group += f": {variant['variant']}"
            count = f"{texts.number(n)} {who}" if n else texts.n_text(next(iter(rows.values())))
            rows_html.append((f'<a href="#{s["anchor"]}">{html_text(group)}</a> <span>({html_text(count)})</span>',))
            for q, short, row in shown:
                if not _missing(row.get("vorige_editie")) and row.get("significant_vorige") in ("ja", "nee"):
                    prev_years.add(int(row["vorige_editie"]))
                href = r._href(page, f"{y}/vergelijk/{meta['onderzoek']}/{q['indicator']}.md")
                rows_html.append((f'<a href="{html_attr(href)}">{html_text(short_label(q, short))}</a>',
                                  r.html_cell(r._fmt(row) if _published(row) else r.dash(r.TableNotes.reason(row))),
                                  _kern_cell(row, "vorige"),
                                  _kern_cell(row, "regio") if level == "gemeente" else None))
    # the columns: this edition, the previous one (not in the first edition), the rest of the region (gemeenten)
    has_prev = any(len(x) > 1 and x[2] for x in rows_html)
    since = f"Sinds {min(prev_years)}" if len(prev_years) == 1 else "Sinds vorige editie"
    head = [str(y)] + ([since] if has_prev else []) + (
        [f"Rest van {region}" if region else "Rest van de regio"] if level == "gemeente" else [])
    body = []
    for x in rows_html:
        if len(x) == 1:
            body.append(f'<tr class="ceo-kern-groep"><th colspan="{len(head) + 1}">{x[0]}</th></tr>')
            continue
        cells = [x[1]] + ([x[2]] if has_prev else []) + ([x[3]] if x[3] is not None else [])
        body.append(f"<tr><th>{x[0]}</th>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    against = [w for w, on in (("de vorige editie", has_prev), ("de rest van de regio", level == "gemeente")) if on]
    table = (
        f'<table class="ceo-kern"><caption>Kernpunten {html_text(name)} {y}: de belangrijkste cijfers'
        + (f", vergeleken met {texts.join_and(against)}" if against else "") + "</caption>"
        "<tr><th>Onderwerp</th>" + "".join(f"<th>{html_text(h)}</th>" for h in head) + "</tr>"
        + "".join(body) + "</table>"
    )
    return {"table": table, "region": region}


def _kern_cell(row: dict, which: str) -> str:
    """'▼ lager <span class="ceo-kern-ref">(7,5)</span>': on a phone the comparator's value is only read out
    (assets/ceo.css), so that the Kernpunten fit on the first screen; the tables below show it."""
    c = comparison(row, which)
    if c is not None:
        return f'{html_text(c[0])} {html_text(c[1])} <span class="ceo-kern-ref">({html_text(c[2])})</span>'
    text = comparison_text(row, which)
    return f'<span class="ceo-kern-ref">{html_text(text)}</span>' if text else ""


def _duiding_lead(duiding: str) -> str:
    """The first paragraph of the duiding (not a heading), at most about 300 characters: cut from the text as
    the researcher wrote it (:func:`ceo.site.render.duiding_source`) and sanitised after cutting, so that a cut
    that removes a closing backtick or the end of a tag cannot turn escaped text into raw HTML."""
    for para in re.split(r"\n\s*\n", duiding):
        para = para.strip()
        if para and not para.startswith("#"):
            if len(para) > 300:
                para = para[:300].rsplit(" ", 1)[0] + " …"
            return sanitise_markdown(para)
    return ""


def _reading_box(present, code, name, level, page, y) -> str:
    """'Zo leest u deze cijfers': the marge, the markers and the comparator in plain words (B1)."""
    region = None
    for ps in present:
        region = region or _region_name(ps, ps.head.get(code, {}).values())
    e = html_text
    items = [
        "<strong>Marge</strong>: de cijfers komen uit een steekproef en zijn dus nooit precies. Het echte cijfer "
        "ligt vrijwel zeker binnen de marge: 73 % ± 4 betekent ongeveer tussen 69 en 77 %.",
        "<strong>▲ hoger</strong> of <strong>▼ lager</strong>: het verschil is zo groot dat het vrijwel zeker "
        "echt is. <strong>= gelijk</strong>: het verschil is te klein om zeker te zijn. Zonder teken is er niet "
        "vergeleken.",
    ]
    if level == "gemeente" and region:
        items.append(f"We vergelijken {e(name)} met de <strong>rest van {e(region)}</strong>: de andere gemeenten "
                     f"samen, zonder {e(name)}. En met de vorige editie.")
    else:
        items.append("We vergelijken met de vorige editie.")
    href = r._href(page, f"{y}/verantwoording.md")
    items.append("<strong>*</strong> indicatief: weinig respondenten of een brede marge. <strong>—</strong>: geen "
                 f"cijfer. Dat kan twee redenen hebben: {r.TOO_FEW}, of {r.PROTECTS} (anders kan iemand dat "
                 "andere cijfer uitrekenen). Onder elke tabel staat welke reden geldt. Meer uitleg staat in de "
                 f'<a href="{html_attr(href)}">verantwoording</a>.')
    return '<div class="ceo-fs-lees"><ul>' + "".join(f"<li>{i}</li>" for i in items) + "</ul></div>"


def _trend_section(ctx, ed, present, code, name, level) -> dict | None:
    """One chart with the key figures of all surveys over all editions, and the same figures in a table."""
    y = ed.year
    panels = []
    region = None
    for ps in present:
        meta = ps.survey.meta
        for variant, rows in _views(ps, code):
            region = region or _region_name(ps, rows.values())
            for q, short in key_indicators(meta, ps.questions):
                row = rows.get(q["indicator"])
                if row is None or not _published(row):
                    continue
                key = (row["onderzoek"], code, row["indicator"]) + (
                    (variant["subgroep"], variant["waarde"]) if variant else ())
                pts = [p[:4] for p in ctx.history.get(key, []) if p[0] <= y and p[4] == row["definitie"]]
                if len(pts) < 2:
                    continue
                years = {p[0] for p in pts}
                rest = [p for p in getattr(ctx, "rest_history", {}).get(key, []) if p[0] in years]
                title = SURVEY_SHORT.get(meta["onderzoek"], meta["korte_titel"])
                if variant:
                    title += f", {variant['variant']}"
                what = short_label(q, short)
                if q["soort"] != "gemiddelde":
                    what = what[:1].lower() + what[1:]
                panels.append({"title": f"{title}: {what}",
                               "percent": q["soort"] != "gemiddelde", "points": pts, "rest": rest,
                               "kind": row["soort"]})
    if not panels:
        return None
    rest_name = f"rest van {region}" if level == "gemeente" and region else None
    spec = with_narrow(trend_chart(panels, name, rest_name), trend_chart(panels, name, rest_name, columns=2, wrap=22))
    first = min(p["points"][0][0] for p in panels)
    label = (f"Ontwikkeling van de kernpunten sinds {first}, {name}"
             + (f" en de {rest_name}" if rest_name else "") + ": "
             + "; ".join(f"{p['title']}: " + ", ".join(f"{int(pt[0])} {_value(pt[1], p['kind'])}"
                                                        for pt in p["points"]) for p in panels)
             + ". De cijfers staan ook in de tabel eronder.")
    years = sorted({int(pt[0]) for p in panels for pt in p["points"]})
    rows = []
    for p in panels:
        pts = {int(pt[0]): pt for pt in p["points"]}
        rest = {int(pt[0]): pt[1] for pt in p["rest"]}
        cells: list[object] = [_cap(p["title"])]
        for yr in years:
            if yr not in pts:
                cells.append(r.NO_FIGURE)
                continue
            pt = pts[yr]
            text = r._fmt_ci({"soort": p["kind"], "waarde": pt[1], "ondergrens": pt[2], "bovengrens": pt[3]})
            if rest_name and yr in rest:
                text += f"; rest {_value(rest[yr], p['kind'])}"
            cells.append(text)
        rows.append(cells)
    table = r.html_table(f"Ontwikkeling van de kernpunten, {name}" + (f" (en de {rest_name})" if rest_name else ""),
                         ["Onderwerp"] + [str(yr) for yr in years], rows, searchable=False)
    title = (f"Kernpunten per editie, met marge: {name} (doorgetrokken lijn)"
             + (f" en de {rest_name} (stippellijn)" if rest_name else ""))
    return {"chart": r.chart(spec, label), "table": table, "title": html_text(title), "first": first}


def _survey_section(ctx, ed, ps, code, name, level, page) -> dict:
    meta = ps.survey.meta
    y = ed.year
    sid = meta["onderzoek"]
    views = _views(ps, code)
    dist = ps.dist.get(code, {})
    region = None
    themes: list[dict] = []
    items: list[dict] = []  # the overview chart
    previous: set[int] = set()
    for variant, rows in views:
        region = region or _region_name(ps, rows.values())
        prefix = _cap(variant["variant"]) + ": " if variant else ""
        for q in ps.questions:
            row = rows.get(q["indicator"])
            if row is None:
                continue
            theme = q.get("thema") or "overig"
            if not themes or themes[-1]["key"] != (prefix, theme):
                title = prefix + r.THEME_TITLES.get(theme, theme.capitalize())
                themes.append({"key": (prefix, theme), "title": md_text(title), "plain": title,
                               "anchor": _anchor(sid, variant["variant"] if variant else "", theme),
                               "rows": [], "records": []})
            themes[-1]["records"].append((q, row, variant))
            if _published(row) and q["soort"] == "percentage_positief":  # the statements (not the mark)
                if not _missing(row.get("vorige_editie")):
                    previous.add(int(row["vorige_editie"]))
                items.append({
                    "label": prefix + short_label(q), "value": float(row["waarde"]),
                    "lo": float(row["ondergrens"]), "hi": float(row["bovengrens"]),
                    "rest": row.get("waarde_rest_regio") if level == "gemeente" else None,
                    "prev": row.get("waarde_vorige"),
                })
    rest_name = f"rest van {region}" if level == "gemeente" and region else None
    prev_name = str(previous.pop()) if len(previous) == 1 else ("vorige editie" if previous else None)
    for t in themes:
        t["table"] = _theme_table(t, name, y, sid, page, level, rest_name, prev_name, meta.get("benchmark"))
    overview = None
    if items:
        spec = with_narrow(overview_chart(items, name, rest_name, prev_name),
                           overview_chart(items, name, rest_name, prev_name, wrap=22, line_px=20))
        label = (f"Stippendiagram: alle uitspraken van de {meta['korte_titel']}: het percentage in {name} met de "
                 f"marge" + (f", de {rest_name}" if rest_name else "") + (f" en {prev_name}" if prev_name else "")
                 + ". " + "; ".join(f"{i['label']}: {texts.pct(i['value'])}"
                                    + (f" (rest {texts.pct(i['rest'])})" if rest_name and not _missing(i["rest"])
                                       else "") for i in items)
                 + ". De cijfers staan ook in de tabellen eronder.")
        what = "Percentage per vraag (met marge)"
        overview = {
            "title": html_text(f"{what}: {name}" + (f", de {rest_name}" if rest_name else "")
                               + (f" en {prev_name}" if prev_name else "")) + _key(name, rest_name, prev_name),
            "chart": r.chart(spec, label),
        }
    sub_rows = ps.sub.get(code, [])
    kop = meta.get("kop_per")
    keys = [q for q, _s in key_indicators(meta, ps.questions)]
    blocks = []
    for sg in meta.get("subgroepen", []):
        if kop and sg["id"] == kop["subgroep"]:
            continue
        sub = [x for x in sub_rows if x["subgroep"] == sg["id"]]
        if sub:
            blocks.append((sg, sub))
    subgroups = _subgroups_table(ps, blocks, name, keys, sid) if blocks else None
    distributions = _distributions(ps, themes, dist, name, sid) if not kop else None
    history_table = _history_table(ctx, ps, code, name, y, views)
    source = (f"Bron: {meta['korte_titel']} {y}, "
              + {"gemeente": f"gemeente {name}", "regio": f"regio {name}", "totaal": "alle gemeenten"}[level]
              + f"; {meta['weging']}.")
    return {
        "id": sid,
        "anchor": sid,
        "title": meta["titel"],
        "short_title": meta["korte_titel"],
        "revision": meta.get("revisie", 1),
        "fingerprint": meta.get("vingerafdruk", "")[:12],
        "processed": texts.date_nl(meta["verwerkt_op"]),
        "source": source,
        "veldwerk": meta.get("veldwerk"),
        "overview": overview,
        "themes": themes,
        "history": history_table,
        "distributions": distributions,
        "subgroups": subgroups,
        "pooled": _pooled_block(ps, kop, sub_rows, name) if kop else None,
        "tests": _test_sentences(ps.tests_by_area.get(code), meta),
        "example_note": meta.get("voorbeeld_toelichting") if meta.get("voorbeeld") else None,
    }


def _key(area: str, rest: str | None, previous: str | None) -> str:
    """The legend of the overview chart, as text below its title (a plotly legend above a plot that long labels
    make narrow takes three rows)."""
    parts = [f'<span class="ceo-fs-k1" aria-hidden="true">●</span>&nbsp;{html_text(area)} met marge']
    if rest:
        parts.append(f'<span class="ceo-fs-k2" aria-hidden="true">◇</span>&nbsp;{html_text(rest)}')
    if previous:
        parts.append(f'<span class="ceo-fs-k3" aria-hidden="true">|</span>&nbsp;{html_text(previous)}')
    return '<span class="ceo-fs-legenda">' + " ".join(parts) + "</span>"


def _theme_table(t, name, y, sid, page, level, rest_name, prev_name, bench_name=None) -> str:
    """One row per question: the question (its full wording), the figure, the marge, n, weet niet, and the
    comparisons with the previous edition (not in a first edition), the rest of the region (gemeenten) and the
    benchmark (when there is one)."""
    notes = r.TableNotes([row for _q, row, _v in t["records"]])
    records = [row for _q, row, _v in t["records"]]
    compared = [w for w, on in (("vorige", any(comparison_text(x, "vorige") for x in records)),
                                ("regio", level == "gemeente"),
                                ("benchmark", bool(bench_name) and any(comparison(x, "benchmark") for x in records)))
                if on]
    titles = {"vorige": f"Sinds {prev_name}" if prev_name else "Vorige editie",
              "regio": _cap(rest_name) if rest_name else "Rest van de regio", "benchmark": bench_name}
    headers = ["Vraag", "Uitkomst", "Marge", "n", "Weet niet"] + [titles[w] for w in compared]
    rows = []
    for q, row, variant in t["records"]:
        full = wording(q, variant)
        href = r._href(page, f"{y}/vergelijk/{sid}/{q['indicator']}.md")
        head = r.link(href, full)  # to 'Vergelijk gemeenten' of this question (see the note below the chart)
        n = texts.n_text(row).removeprefix("n = ")
        g = row.get("n_geen_oordeel")
        cells: list[object] = [
            head,
            notes.value(row) + " (gemiddeld)" if q["soort"] == "gemiddelde" and _published(row) else notes.value(row),
            _marge(row) if _published(row) else r.NO_FIGURE, n,
            r.NO_FIGURE if _missing(g) or not _published(row) else texts.number(int(g)),
        ] + [comparison_text(row, w) for w in compared]
        rows.append(cells)
    short = SURVEY_SHORT.get(sid, sid)
    table = r.html_table(f"{short}, {t['plain'][:1].lower() + t['plain'][1:]}: {name} {y}", headers, rows,
                         note=_note(notes), searchable=False)
    return scroll(table, "ceo-fs-tabel ceo-fs-thema")


def _history_table(ctx, ps, code, name, y, views) -> dict | None:
    """Every question over the editions (the area's figure), behind a disclosure."""
    years = [yr for yr in ctx.years if yr <= y]
    if len(years) < 2:
        return None
    rows = []
    for variant, cur in views:
        prefix = _cap(variant["variant"]) + ": " if variant else ""
        for q in ps.questions:
            row = cur.get(q["indicator"])
            if row is None:
                continue
            key = (row["onderzoek"], code, row["indicator"]) + (
                (variant["subgroep"], variant["waarde"]) if variant else ())
            pts = {int(p[0]): p for p in ctx.history.get(key, []) if p[0] <= y and p[4] == row["definitie"]}
            if len(pts) < 2:
                continue
            rows.append([prefix + short_label(q)] + [
                _value(pts[yr][1], row["soort"]) if yr in pts else r.NO_FIGURE for yr in years])
    if not rows:
        return None
    meta = ps.survey.meta
    table = r.html_table(f"{meta['korte_titel']}: alle vragen per editie, {name}", ["Vraag"] + [str(v) for v in years],
                         rows, searchable=False)
    return {"summary": html_text(f"{meta['korte_titel']}: alle vragen per editie"), "table": table}


def _distributions(ps, themes, dist, name, sid) -> dict | None:
    """One chart per survey: the questions with the most common answer scale, and the rapportcijfer in five
    ordered classes; the exact figures (with marge) of every question in tables behind a disclosure."""
    groups: dict[tuple[str, ...], list[tuple[str, list[dict]]]] = {}
    marks_rows = None
    for t in themes:
        for q, row, _v in t["records"]:
            rows = dist.get(q["indicator"], [])
            if not rows or not _published(row):
                continue
            if q["soort"] == "gemiddelde":
                marks_rows = rows
                continue
            groups.setdefault(tuple(x["categorie"] for x in rows), []).append((short_label(q), rows))
    if not groups and marks_rows is None:
        return None
    main = max(groups.values(), key=len) if groups else []
    items = [(label, [(x["categorie"], x["waarde"]) for x in rows if _published(x)]) for label, rows in main]
    marks = None
    if marks_rows is not None and all(_published(x) for x in marks_rows):
        by_code = {}
        for x in marks_rows:
            try:
                by_code[int(float(x["categorie"]))] = float(x["waarde"])
            except ValueError:
                by_code = {}
                break
        if by_code:
            marks = ("Rapportcijfer", [(c, sum(by_code.get(k, 0.0) for k in codes)) for c, codes in MARK_CLASSES])
    chart_html = None
    if items or marks:
        spec = with_narrow(distribution_chart(items, marks), distribution_chart(items, marks, wrap=20, per_row=1,
                                                                                line_px=18))
        label = ("Gestapelde staven: de antwoorden per vraag, van het meest positieve tot het meest negatieve "
                 "antwoord. " + "; ".join(f"{q}: " + ", ".join(f"{c} {texts.pct(v)}" for c, v in cats)
                                          for q, cats in items)
                 + (("; rapportcijfer: " + ", ".join(f"{c} {texts.pct(v)}" for c, v in marks[1])) if marks else "")
                 + ". De cijfers staan ook in de tabellen eronder.")
        chart_html = r.chart(spec, label)
    tables = []
    for categories, group in groups.items():
        notes = r.TableNotes([x for _l, rows in group for x in rows])
        tables.append(r.html_table(
            f"Antwoorden in procenten (met marge): vragen met de antwoorden ‘{categories[0]}’ tot ‘{categories[-1]}’",
            ["Vraag", *categories], [[label] + [notes.value(x, ci=True) for x in rows] for label, rows in group],
            note=_note(notes), searchable=False))
    if marks_rows is not None:
        notes = r.TableNotes(marks_rows)
        tables.append(r.html_table(
            "Rapportcijfer: verdeling van de cijfers in procenten (met marge)", ["Cijfer", "Percentage"],
            [[x["categorie"], notes.value(x, ci=True)] for x in marks_rows], note=_note(notes), searchable=False))
    title = "Antwoorden per vraag in procenten" + (" en het rapportcijfer in vijf groepen" if marks else "")
    return {"title": html_text(f"{title}: {name}"), "chart": chart_html, "tables": tables,
            "summary": html_text(f"{ps.survey.meta['korte_titel']}: antwoorden in cijfers")}


def _subgroups_table(ps, blocks: list[tuple[dict, list[dict]]], name: str, keys: list[dict], sid: str) -> dict | None:
    """One table for all breakdowns of a survey: a row per group (under a row per breakdown), a column per key
    figure; every cell with its value, marge and n. A group without a single published key figure is named in
    the note instead. When the results carry the design-based test of the difference between the groups
    (``significant_groepen``), a row per breakdown says whether the groups differ."""
    present = {x["indicator"] for _sg, sub in blocks for x in sub}
    qs = [q for q in keys if q["indicator"] in present] or [q for q in ps.questions if q["indicator"] in present][:5]
    if not qs:
        return None
    cols = len(qs) + 1
    notes_rows: list[dict | None] = []
    body: list[str] = []
    hidden_parts: list[str] = []
    tested_any = False
    for sg, sub in blocks:
        values = list(dict.fromkeys(x["subgroep_waarde"] for x in sub))
        cell = {(x["indicator"], x["subgroep_waarde"]): x for x in sub}
        hidden = [v for v in values if not any(_published(cell.get((q["indicator"], v))) for q in qs)]
        shown = [v for v in values if v not in hidden]
        for v in hidden:
            reasons = dict.fromkeys(r.TableNotes.reason(cell.get((q["indicator"], v))) or "" for q in qs)
            hidden_parts.append(f"{sg['label'].lower()} {v} ({' / '.join(reasons)})")
        if not shown:
            continue
        body.append(f'<tr class="ceo-kern-groep"><th colspan="{cols}">Naar {html_text(sg["label"].lower())}</th></tr>')
        for v in shown:
            notes_rows += [cell.get((q["indicator"], v)) for q in qs]
        sg_rows = []
        for v in shown:
            sg_rows.append((v, [cell.get((q["indicator"], v)) for q in qs]))
        body.append((sg, sg_rows))  # turned into cells below: they need the notes of the whole table
        # the design-based test of the difference between the groups, when the results carry it (one verdict per
        # indicator and breakdown, on each of its group rows; blank: not tested)
        if any(x.get("significant_groepen") in ("ja", "nee") for x in sub):
            tested_any = True
            verdict = []
            for q in qs:
                flags = {x.get("significant_groepen") for x in sub if x["indicator"] == q["indicator"]} & {"ja", "nee"}
                verdict.append("ja" if flags == {"ja"} else ("te klein om zeker te zijn" if flags == {"nee"}
                                                               else "niet getoetst"))
            body.append("<tr><th>Verschillen de groepen?</th>" + "".join(f"<td>{html_text(t)}</td>" for t in verdict)
                        + "</tr>")
    if not notes_rows:
        return {"table": "", "empty": md_text(f"Geen cijfers per groep; alle cijfers zijn onderdrukt: "
                                              f"{'; '.join(hidden_parts)}."), "test_line": ""}
    notes = r.TableNotes(notes_rows)
    html: list[str] = []
    for part in body:
        if isinstance(part, str):
            html.append(part)
            continue
        _sg, sg_rows = part
        for v, cells in sg_rows:
            tds = []
            for x in cells:
                if _published(x):
                    tds.append(f"<td>{r.html_cell(notes.value(x))} <small>{html_text(_marge(x))} · "
                               f"{html_text(texts.n_text(x))}</small></td>")
                else:
                    tds.append(f"<td>{r.html_cell(notes.value(x))}</td>")
            html.append(f"<tr><th>{html_text(v)}</th>{''.join(tds)}</tr>")
    note = _note(notes)
    if hidden_parts:
        note = " ".join(x for x in (note, html_text("Niet in de tabel, omdat al hun cijfers onderdrukt zijn: "
                                                    + "; ".join(hidden_parts) + ".")) if x)
    caption = (f"{SURVEY_SHORT.get(sid, sid)}: kernpunten van {name} per groep: percentage of cijfer, met marge en "
               "aantal respondenten (n)")
    table = (f"<table><caption>{html_text(caption)}</caption><tr><th>Groep</th>"
             + "".join(f"<th>{html_text(short_label(q))}</th>" for q in qs) + "</tr>" + "".join(html) + "</table>"
             + (f'\n<p class="ceo-note">{note}</p>' if note else ""))
    test_line = ""
    if tested_any:
        test_line = md_text("‘Verschillen de groepen?’: ‘ja’ als de verschillen tussen de groepen zo groot zijn "
                            "dat ze vrijwel zeker echt zijn (getoetst met de steekproefopzet en de weging).")
    return {"table": scroll(table, "ceo-fs-tabel ceo-fs-groepen"), "empty": "", "test_line": test_line,
            "summary": html_text(f"{ps.survey.meta['korte_titel']}: kernpunten naar "
                                 + texts.join_and(sg["label"].lower() for sg, _sub in blocks))}


def _pooled_block(ps, kop: dict, sub_rows: list[dict], name: str) -> dict | None:
    """The figures of all variants together, standardised to the fixed composition (``kop_per``)."""
    samen = kop["samen"]
    cell = {x["indicator"]: x for x in sub_rows if x["subgroep"] == samen["subgroep"]}
    qs = [q for q in ps.questions if q["indicator"] in cell]
    if not qs:
        return None
    names = [g["variant"] for g in kop["groepen"]]
    both = texts.join_and(names)
    title = md_text(_cap(samen["label"]))
    notes = r.TableNotes([cell[q["indicator"]] for q in qs])
    if all(not _published(cell[q["indicator"]]) for q in qs):
        reasons = " / ".join(dict.fromkeys(r.TableNotes.reason(cell[q["indicator"]]) or "" for q in qs))
        return {"title": title, "summary": html_text(f"Cijfers van {both} samen"),
                "intro": f"<p>{html_text(f'Geen cijfers voor {both} samen: {reasons}.')}</p>", "table": ""}
    rows = [[short_label(q), notes.value(cell[q["indicator"]]), _marge(cell[q["indicator"]]),
             texts.n_text(cell[q["indicator"]]).removeprefix("n = ")] for q in qs]
    intro = (
        f"In deze cijfers tellen {both} altijd in dezelfde verhouding mee: {samen['samenstelling']}. "
        f"Zo verandert het cijfer niet als er in een jaar of een gemeente meer {names[0]} of meer {names[-1]} "
        "meedoen. De cijfers per groep hierboven zijn de belangrijkste. Vergelijk dit cijfer alleen met "
        "hetzelfde cijfer van een ander jaar of een ander gebied."
    )
    table = r.html_table(f"{name}: {samen['label']} ({samen['samenstelling']})",
                         ["Vraag", "Uitkomst", "Marge", "n"], rows, note=_note(notes), searchable=False)
    return {"title": title, "summary": html_text(f"Cijfers van {both} samen"), "intro": f"<p>{html_text(intro)}</p>",
            "table": scroll(table, "ceo-fs-tabel")}


def _test_sentences(tests, meta: dict) -> list[str]:
    """The group comparisons of the survey (professionals: beroepsgroepen) in plain words; the test statistics
    are in the open data (``<survey>_toetsen.csv``) and explained in the verantwoording."""
    if tests is None or not len(tests):
        return []
    out = []
    labels = {q["variabele"]: q for q in meta.get("vragen", [])}
    for x in tests.to_dict("records"):
        t = x["toets"]
        if x.get("significant") == "niet te toetsen":
            what = {"welch_anova": "Het verschil in rapportcijfer tussen de beroepsgroepen",
                    "chi2": "Het verschil in tevredenheid tussen de beroepsgroepen"}.get(t, "De samenhang")
            out.append(f"{what} is {x['toelichting']}.")
            continue
        if t == "welch_anova":
            what = "het rapportcijfer" if x["variabele"] == "rapportcijfer" else x["variabele"]
            if x["significant"] == "ja":
                out.append(f"{_cap(what)} verschilt tussen de beroepsgroepen ({x['effect_duiding']} verschil).")
            else:
                out.append(f"Bij {what} is het verschil tussen de beroepsgroepen te klein om zeker te zijn.")
        elif t == "games_howell" and x["significant"] == "ja":
            higher = x["verschil"] > 0
            out.append(
                f"Professionals van {x['groep_a']} geven de samenwerking een {'hoger' if higher else 'lager'} "
                f"rapportcijfer dan die van {x['groep_b']} ({texts.number(x['waarde_a'], 1)} tegen "
                f"{texts.number(x['waarde_b'], 1)}; {x['effect_duiding']} verschil)."
            )
        elif t == "chi2":
            q = labels.get(x["variabele"])
            what = ("de tevredenheid over de samenwerking" if x["variabele"] == "tevredenheid"
                    else (f"het oordeel over ‘{r._wording(q)}’" if q else x["variabele"]))
            if x["significant"] == "ja":
                out.append(f"{_cap(what)} verschilt tussen de beroepsgroepen ({x['effect_duiding']} verschil).")
            else:
                out.append(f"Bij {what} is het verschil tussen de beroepsgroepen te klein om zeker te zijn.")
        if x.get("toelichting") and t == "welch_anova" and "niet meegenomen" in str(x["toelichting"]):
            out.append(str(x["toelichting"]).split(";")[0].capitalize() + ".")
    return [html_text(s) for s in out]


def _meta_block(ctx, y, present, code, name, level) -> str:
    """The technical details at the end of the page (class ``ceo-meta``: left out of the search index)."""
    parts = [f"Editie {y}"]
    lines = []
    for ps in present:
        m = ps.survey.meta
        parts.append(f"{m['korte_titel']}: revisie {m.get('revisie', 1)}, verwerkt op "
                     f"{texts.date_nl(m['verwerkt_op'])}, invoer {m.get('vingerafdruk', '')[:12]}")
        where = {"gemeente": f"gemeente {name}", "regio": f"regio {name}", "totaal": "alle gemeenten"}[level]
        line = f"Bron: {m['korte_titel']} {y}, {where}; {m['weging']}."
        vw = m.get("veldwerk")
        if isinstance(vw, dict) and (vw.get("periode") or vw.get("wijze")):
            line += " Veldwerk: " + ", ".join(str(vw[k]) for k in ("periode", "wijze") if vw.get(k)) + "."
        lines.append(line)
    parts.append(f"ceo {ctx.version}")
    body = " ".join(f'<span class="ceo-source">{html_text(x)}</span>' for x in lines)
    return f'<div class="ceo-meta"><p>{body}</p><p>{html_text(" · ".join(parts))}</p></div>'


def rest_history_rows(h) -> dict:
    """(survey, area, indicator[, subgroup, group]) -> [(year, rest-of-region value)] from the headline rows
    ``h`` of one edition (see :func:`ceo.site.render.render_site`)."""
    out: dict = {}
    if "waarde_rest_regio" not in h:
        return out
    hh = h[h["waarde_rest_regio"].notna()]
    # the rest's interval: in results of ceo from after it was published (NaN before)
    lo = hh["ondergrens_rest_regio"] if "ondergrens_rest_regio" in hh else pd.Series(np.nan, index=hh.index)
    hi = hh["bovengrens_rest_regio"] if "bovengrens_rest_regio" in hh else pd.Series(np.nan, index=hh.index)
    hh = hh.assign(_lo=pd.to_numeric(lo, errors="coerce"), _hi=pd.to_numeric(hi, errors="coerce"))
    cols = ["onderzoek", "gebied_code", "indicator", "editie", "waarde_rest_regio", "subgroep", "subgroep_waarde",
            "_lo", "_hi"]
    for x in hh[cols].itertuples(index=False, name=None):
        key = x[:3] if not x[5] else (*x[:3], x[5], x[6])
        out.setdefault(key, []).append((int(x[3]), float(x[4]), float(x[7]), float(x[8])))
    return out


__all__ = ["render_factsheet", "overview_chart", "trend_chart", "distribution_chart", "comparison",
           "COLOURS", "ORDINAL5"]
