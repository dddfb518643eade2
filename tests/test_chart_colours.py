"""Chart colours of the demo site against WCAG 2.2 non-text contrast (1.4.11, issue 12): every bar, marker, line,
error bar and interval band 3:1 against the plot background, and adjacent segments of stacked bars 3:1 against
each other unless a border separates them (:func:`ceo.core.colours.chart_contrast_problems`).

Every chart of the site is checked: each ``<script type="application/vnd.ceo-chart+json">`` in the pages the
demo writes to ``site/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from demo_project import new_project, run_demo

from ceo.core.colours import chart_contrast_problems, contrast, luminance, parse

CHART = re.compile(r'<script type="application/vnd\.ceo-chart\+json">(.*?)</script>', re.S)


def test_wcag_contrast_ratio() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert luminance("#808080") == pytest.approx(0.2159, abs=1e-4)
    # the colours issue 12 measured: region bar and interval band on white
    assert contrast("#E69F00", "#fff") == pytest.approx(2.25, abs=0.01)
    assert contrast("rgba(0,114,178,0.18)", "#fff") == pytest.approx(1.29, abs=0.01)
    assert parse("rgb(10, 20, 30)") == (10, 20, 30, 1.0)
    with pytest.raises(ValueError):
        parse("blauwig")


def _bar(colours: list[str], **marker) -> dict:
    return {"type": "bar", "orientation": "h", "y": [f"r{i}" for i in range(len(colours))], "x": [50] * len(colours),
            "marker": {"color": colours, **marker}}


def test_the_check_finds_low_contrast() -> None:
    """The check can fail: a light bar, a faint band without edges, stacked look-alike segments."""
    assert chart_contrast_problems({"data": [_bar(["#0072B2", "#E69F00"])], "layout": {}}) != []
    band = {"data": [{"type": "scatter", "mode": "lines", "y": [1, 2], "line": {"width": 0}},
                     {"type": "scatter", "mode": "lines", "y": [0, 1], "line": {"width": 0}, "fill": "tonexty",
                      "fillcolor": "rgba(0,114,178,0.18)"}], "layout": {}}
    assert any("vlak" in p for p in chart_contrast_problems(band))
    stacked = {"data": [{"type": "bar", "orientation": "h", "name": n, "y": ["v"], "x": [50], "marker": {"color": c}}
                        for n, c in (("eens", "#08519c"), ("oneens", "#1c5f9e"))], "layout": {"barmode": "stack"}}
    assert any("gestapelde staaf" in p for p in chart_contrast_problems(stacked))
    # plotly's default colours count when a trace sets none (the second default, orange, is 2.9:1)
    assert chart_contrast_problems({"data": [_bar(["#08519c"]), {"type": "bar", "x": [1]}], "layout": {}}) != []


def test_the_check_accepts_contrast_and_borders() -> None:
    assert chart_contrast_problems({"data": [_bar(["#08519c", "#a63603"])], "layout": {}}) == []
    # a light segment is fine with a dark border that contrasts with both neighbours and the background
    stacked = {"data": [{"type": "bar", "orientation": "h", "name": n, "y": ["v"], "x": [50],
                         "marker": {"color": c, "line": {"width": 1, "color": "#000"}}}
                        for n, c in (("eens", "#6baed6"), ("neutraal", "#bdbdbd"))], "layout": {"barmode": "stack"}}
    assert chart_contrast_problems(stacked) == []
    band = {"data": [{"type": "scatter", "mode": "lines", "y": [1, 2], "line": {"width": 1, "color": "#08519c"}},
                     {"type": "scatter", "mode": "lines", "y": [0, 1], "line": {"width": 1, "color": "#08519c"},
                      "fill": "tonexty", "fillcolor": "rgba(0,114,178,0.18)"}], "layout": {}}
    assert chart_contrast_problems(band) == []


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = new_project(tmp_path_factory.mktemp("colours") / "project")
    run_demo(root, "--date", "2026-01-15")
    return root / "site"


def test_every_chart_of_the_demo_has_enough_contrast(demo_site: Path) -> None:
    problems = []
    charts = 0
    for page in sorted(demo_site.rglob("*.md")):
        for m in CHART.finditer(page.read_text(encoding="utf-8")):
            charts += 1
            spec = json.loads(m.group(1))
            for p in chart_contrast_problems(spec):
                problems.append(f"{page.relative_to(demo_site)}: {spec.get('label', '')[:60]!r}: {p}")
    assert charts > 0, "geen grafieken gevonden: de toets toetst dan niets"
    unique = sorted(set(p.split(": ", 2)[2] for p in problems))
    assert problems == [], (f"{len(problems)} contrastproblemen in {charts} grafieken, o.a.:\n"
                            + "\n".join(problems[:15]) + "\nverschillende soorten:\n" + "\n".join(unique[:30]))
