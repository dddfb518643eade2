"""Colour contrast as WCAG 2.2 defines it, for the chart palettes and their test.

WCAG 2.2 success criterion 1.4.11 (non-text contrast) asks 3:1 between the parts of a chart that are needed to
understand it and the colours next to them; 1.4.3 asks 4.5:1 for text. :func:`contrast` is the WCAG contrast
ratio ``(L1 + 0.05) / (L2 + 0.05)`` of the relative luminances (sRGB, https://www.w3.org/TR/WCAG22/#dfn-relative-luminance);
:func:`parse` reads the colour notations plotly accepts in ceo's chart specs (``#rgb``, ``#rrggbb``, ``#rrggbbaa``,
``rgb()``, ``rgba()`` and a few names) and :func:`over` puts a translucent colour on its background.
"""

from __future__ import annotations

import re

#: a colour as red, green, blue (0-255) and alpha (0-1)
RGBA = tuple[float, float, float, float]

#: the contrast WCAG 2.2 asks for graphical objects (1.4.11) and for normal text (1.4.3)
NON_TEXT = 3.0
TEXT = 4.5

_NAMES = {
    "white": "#ffffff",
    "black": "#000000",
    "transparent": "rgba(0,0,0,0)",
}
_FUNC = re.compile(r"rgba?\(\s*([^)]*)\)", re.IGNORECASE)


def parse(colour: str) -> RGBA:
    """``colour`` as (r, g, b, a); ValueError for a notation it does not know."""
    text = _NAMES.get(str(colour).strip().lower(), str(colour).strip())
    if text.startswith("#"):
        h = text[1:]
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        if len(h) in (6, 8) and re.fullmatch(r"[0-9a-fA-F]+", h):
            r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
            a = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
            return float(r), float(g), float(b), a
    m = _FUNC.fullmatch(text)
    if m:
        parts = [p.strip() for p in re.split(r"[,\s/]+", m.group(1)) if p.strip()]
        if len(parts) in (3, 4):
            rgb = [float(p[:-1]) * 2.55 if p.endswith("%") else float(p) for p in parts[:3]]
            a = 1.0
            if len(parts) == 4:
                a = float(parts[3][:-1]) / 100 if parts[3].endswith("%") else float(parts[3])
            return rgb[0], rgb[1], rgb[2], a
    raise ValueError(f"onbekende kleur: {colour!r}")


def over(colour: str | RGBA, background: str | RGBA = "#ffffff") -> RGBA:
    """``colour`` painted on ``background`` (itself put on white when translucent): an opaque colour."""
    fg = parse(colour) if isinstance(colour, str) else colour
    bg = parse(background) if isinstance(background, str) else background
    if bg[3] < 1:
        bg = over(bg, (255.0, 255.0, 255.0, 1.0))
    a = fg[3]
    return (fg[0] * a + bg[0] * (1 - a), fg[1] * a + bg[1] * (1 - a), fg[2] * a + bg[2] * (1 - a), 1.0)


def luminance(colour: str | RGBA) -> float:
    """WCAG relative luminance of an opaque colour (a translucent one is put on white first)."""
    r, g, b, _a = over(colour)

    def channel(v: float) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str | RGBA, b: str | RGBA) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21 (translucent colours are put on white first)."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def hex_colour(colour: str | RGBA) -> str:
    """An opaque colour as ``#rrggbb`` (for messages)."""
    r, g, b, _a = over(colour)
    return "#{:02x}{:02x}{:02x}".format(*(round(v) for v in (r, g, b)))


#: plotly's default trace colours (``layout.colorway``), used where a trace sets no colour of its own
PLOTLY_COLORWAY = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22", "#17becf"]
#: plotly's default colour of error bars
PLOTLY_ERROR_COLOUR = "#444"


def _at(value, k: int):
    """A per-point attribute (a list) at point k, or the attribute itself."""
    if isinstance(value, list | tuple):
        return value[k] if k < len(value) else None
    return value


def _border(marker: dict, k: int = 0) -> tuple[float, str | None]:
    line = marker.get("line") or {}
    width = _at(line.get("width", 0), k) or 0
    return float(width), _at(line.get("color"), k)


def chart_contrast_problems(spec: dict, background: str = "#ffffff") -> list[str]:
    """What in a plotly chart spec (``{"data": [...], "layout": {...}}``) misses WCAG 2.2 non-text contrast
    (1.4.11), in Dutch, one line per problem; empty when none.

    Checked against the plot background (``plot_bgcolor`` on ``paper_bgcolor`` on ``background``, the page):
    every bar and marker colour (unless the shape has a border, ``marker.line.width`` >= 1, of a colour with
    3:1 against the background), every drawn line, error bars, and filled areas (an interval band), unless the
    band's edges are drawn as lines with 3:1. In stacked bars (``barmode`` stack or relative) two adjacent
    segments need 3:1 against each other, unless one of them has a border of at least 1 px with 3:1 against
    both. A colour notation :func:`parse` does not know is reported too.
    """
    layout = spec.get("layout") or {}
    problems: list[str] = []
    try:
        bg = over(layout.get("plot_bgcolor", "#ffffff"), over(layout.get("paper_bgcolor", "#ffffff"), background))
    except ValueError as e:
        return [f"achtergrond: {e}"]
    colorway = layout.get("colorway") or PLOTLY_COLORWAY
    traces = [t for t in spec.get("data") or [] if t.get("visible", True) not in (False, "legendonly")]

    def check(what: str, colour, minimum: float = NON_TEXT) -> bool:
        try:
            ratio = contrast(over(colour, bg), bg)
        except ValueError as e:
            problems.append(f"{what}: {e}")
            return False
        if ratio < minimum:
            problems.append(f"{what}: {colour} heeft {ratio:.2f}:1 tegen de achtergrond {hex_colour(bg)} "
                            f"(nodig: {minimum:g}:1)")
            return False
        return True

    def bordered(marker: dict, k: int, *against) -> bool:
        width, colour = _border(marker, k)
        if width < 1 or colour is None:
            return False
        try:
            return all(contrast(over(colour, bg), over(c, bg)) >= NON_TEXT for c in against)
        except ValueError:
            return False

    def points(trace: dict) -> int:
        values = trace.get("x") if trace.get("orientation") == "h" else trace.get("y")
        return len(values) if isinstance(values, list | tuple) else 1

    previous_line: tuple[float, object] | None = None
    for i, t in enumerate(traces):
        name = t.get("name") or f"reeks {i + 1}"
        kind = t.get("type", "scatter")
        default = colorway[i % len(colorway)]
        marker = t.get("marker") or {}
        line = t.get("line") or {}
        if kind == "bar":
            for k in range(points(t)):
                colour = _at(marker.get("color", default), k) or default
                if not bordered(marker, k, bg):
                    check(f"staaf {name!r} (punt {k + 1})", colour)
        elif kind == "scatter":
            mode = t.get("mode") or ("lines+markers" if points(t) < 20 else "lines")
            colour = line.get("color") or (marker.get("color") if isinstance(marker.get("color"), str) else None) \
                or default
            width = line.get("width", 2)
            if "lines" in mode and width and width > 0:
                check(f"lijn {name!r}", line.get("color", colour))
            if "markers" in mode:
                for k in range(points(t)):
                    c = _at(marker.get("color", colour), k) or colour
                    if not bordered(marker, k, bg):
                        check(f"markering {name!r} (punt {k + 1})", c)
            fill = t.get("fill", "none")
            if fill and fill != "none":
                fillcolour = t.get("fillcolor")
                if fillcolour is None:
                    fillcolour = colour
                edges_drawn = False
                try:
                    this_edge = width and width > 0 and contrast(over(line.get("color", colour), bg), bg) >= NON_TEXT
                    other_edge = (fill in ("tozeroy", "tozerox") or (
                        previous_line is not None and previous_line[0] > 0
                        and contrast(over(previous_line[1], bg), bg) >= NON_TEXT))
                    edges_drawn = bool(this_edge and other_edge)
                except ValueError:
                    pass
                if not edges_drawn:
                    check(f"vlak {name!r} (fill {fill})", fillcolour)
            previous_line = (float(width or 0), line.get("color", colour))
        for axis in ("error_x", "error_y"):
            err = t.get(axis)
            if isinstance(err, dict) and err.get("visible", True) and (err.get("array") is not None
                                                                        or err.get("value") is not None):
                check(f"foutmarge {name!r}", err.get("color", PLOTLY_ERROR_COLOUR))
    # adjacent segments of stacked bars
    if layout.get("barmode") in ("stack", "relative"):
        bars = [t for t in traces if t.get("type") == "bar"]
        n = max((points(t) for t in bars), default=0)
        for k in range(n):
            row = []
            for i, t in enumerate(bars):
                values = t.get("x") if t.get("orientation") == "h" else t.get("y")
                v = _at(values, k)
                if v is None or v == 0:
                    continue
                marker = t.get("marker") or {}
                colour = _at(marker.get("color", colorway[traces.index(t) % len(colorway)]), k)
                row.append((t.get("name") or f"reeks {i + 1}", colour, marker))
            for (n1, c1, m1), (n2, c2, m2) in zip(row, row[1:], strict=False):
                try:
                    ratio = contrast(over(c1, bg), over(c2, bg))
                except ValueError as e:
                    problems.append(f"gestapelde staaf {k + 1}: {e}")
                    continue
                if ratio < NON_TEXT and not (bordered(m1, k, c1, c2) or bordered(m2, k, c1, c2)):
                    problems.append(f"gestapelde staaf {k + 1}: {n1!r} ({c1}) naast {n2!r} ({c2}) heeft {ratio:.2f}:1 "
                                    f"zonder scheidingsrand (nodig: 3:1)")
    return problems
