"""'Vergelijk gemeenten' and the edition overview in Chromium: every demo gemeente in the chart and the table, the
filter box filters, nothing wider than a phone (390 px), and the overview's rapportcijfer column in view at
1,366 px without scrolling sideways."""

from __future__ import annotations

import pytest
from test_browser import (  # noqa: F401 - fixtures shared with the other browser tests (the demo built for this module)
    NEWEST,
    PATIENCE_MS,
    base_url,
    browser,
    poll,
    public,
)

pytestmark = pytest.mark.browser

COMPARE = f"/{NEWEST}/vergelijk/wmo/v01/"
GEMEENTEN = ["Alblasserdam", "Dordrecht", "Hendrik-Ido-Ambacht", "Papendrecht", "Sliedrecht", "Zwijndrecht"]


def open_page(browser, base_url: str, path: str, width: int, height: int):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")
    context.set_default_timeout(PATIENCE_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(base_url + path)
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("load")
    return context, page, errors


def draw_charts(page) -> None:
    poll(page, """() => {
        const charts = [...document.querySelectorAll('.ceo-chart')];
        const next = charts.find(el => !el.getAttribute('data-drawn'));
        if (next) next.scrollIntoView({block: 'center'});
        return document.documentElement.getAttribute('data-ceo-charts') === 'drawn'
            && charts.every(el => el.querySelector('svg.main-svg'));
    }""", "the charts are not drawn")
    page.evaluate("() => window.scrollTo(0, 0)")


OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_comparison_page_shows_every_gemeente_and_filters(browser, base_url: str, width: int, height: int) -> None:  # noqa: F811
    context, page, errors = open_page(browser, base_url, COMPARE, width, height)
    try:
        draw_charts(page)
        chart = page.locator(".ceo-chart").first
        assert chart.get_attribute("role") == "img"
        assert all(name in chart.get_attribute("aria-label") for name in GEMEENTEN)
        # the names on the chart's axis: every gemeente, one dot each
        ticks = chart.locator(".ytick text").all_text_contents()
        assert sorted(ticks) == GEMEENTEN
        assert chart.locator(".scatterlayer .point").count() == len(GEMEENTEN)
        # the region as a reference line with its name
        assert "Drechtsteden" in " ".join(chart.locator(".annotation-text").all_text_contents())
        table = page.locator("table[data-ceo-filter]").first
        rows = table.locator("tbody tr")
        assert sorted(rows.locator("th").all_text_contents()) == GEMEENTEN
        # no horizontal overflow of the page; the filter box and the table fit the screen
        assert page.evaluate(OVERFLOW) <= 0
        box = page.locator("input.ceo-filter").first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        table_box = table.bounding_box()
        assert table_box is not None and table_box["x"] + table_box["width"] <= width
        assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")  # every column in view, no scrolling
        # the filter box filters the rows
        page.locator("input.ceo-filter").first.fill("drecht")
        visible = poll(page, """() => {
            const rows = [...document.querySelector('table[data-ceo-filter]').tBodies[0].rows];
            const shown = rows.filter(r => !r.hidden).map(r => r.cells[0].textContent.trim());
            return shown.length < rows.length ? shown : null;
        }""", "the filter hides no row")
        assert sorted(visible) == ["Dordrecht", "Papendrecht", "Sliedrecht", "Zwijndrecht"]
        page.locator("input.ceo-filter").first.fill("")
        assert page.evaluate("""() => [...document.querySelector('table[data-ceo-filter]').tBodies[0].rows]
            .every(r => !r.hidden)""")
        assert errors == []
    finally:
        context.close()


def test_overview_rapportcijfer_column_in_view_at_1366(browser, base_url: str) -> None:  # noqa: F811
    context, page, errors = open_page(browser, base_url, f"/{NEWEST}/", 1366, 900)
    try:
        assert page.evaluate(OVERFLOW) <= 0
        found = page.evaluate("""() => [...document.querySelectorAll('table[data-ceo-sortable]')].map(t => {
            const heads = [...t.querySelectorAll('thead th')].map(th => th.textContent.trim());
            const col = heads.indexOf('Rapportcijfer');
            const th = t.querySelectorAll('thead th')[col];
            const scroller = t.closest('.md-typeset__scrollwrap') || t;
            const r = th ? th.getBoundingClientRect() : null;
            const s = scroller.getBoundingClientRect();
            return {caption: t.caption.textContent, col, heads, right: r && r.right, visibleRight: s.right,
                    scrollsTable: t.scrollWidth > t.clientWidth + 1,
                    scrollsWrap: scroller.scrollWidth > scroller.clientWidth + 1};
        })""")
        assert len(found) == 4
        for t in found:
            assert t["col"] == 2, t  # Gebied, Aantal, Rapportcijfer
            assert t["right"] <= t["visibleRight"], t
            assert not t["scrollsTable"] and not t["scrollsWrap"], t  # the whole table fits: no sideways scrolling
        assert errors == []
    finally:
        context.close()


def test_overview_filter_fits_at_390(browser, base_url: str) -> None:  # noqa: F811
    context, page, errors = open_page(browser, base_url, f"/{NEWEST}/", 390, 844)
    try:
        assert page.evaluate(OVERFLOW) <= 0
        boxes = [b for b in (page.locator("input.ceo-filter").nth(i).bounding_box()
                             for i in range(page.locator("input.ceo-filter").count())) if b]
        assert len(boxes) == 4
        assert all(b["x"] >= 0 and b["x"] + b["width"] <= 390 for b in boxes), boxes
        assert errors == []
    finally:
        context.close()
