"""The Dordrecht factsheet printed to A4 in Chromium (issue 12, 'Print'): a compact document (at most 8 pages),
no empty chart areas, folded sections open, navigation and search left out, and the stable link and the
edition on paper.

Uses the demo site of tests/test_browser.py (its fixtures, built once per module with ``mkdocs build --strict``).
"""

from __future__ import annotations

import re

import pytest
from test_browser import (  # noqa: F401 - fixtures shared with the other browser tests
    FACTSHEET,
    NEWEST,
    Visit,
    base_url,
    browser,
    draw_all_charts,
    public,
    visit,
)

pytestmark = pytest.mark.browser

#: the issue's target for the Dordrecht demo factsheet with three surveys
MAX_PAGES = 8
STABLE = "actueel/gemeente/dordrecht/"

#: in print media: every chart area either drawn (an SVG with a size) or left out with its table printed;
#: the offenders, described
_EMPTY_CHARTS = """() => [...document.querySelectorAll('.ceo-chart')].flatMap(el => {
    const name = el.getAttribute('aria-label');
    const shown = getComputedStyle(el).display !== 'none' && el.checkVisibility();
    // its table: the first table after the chart (right after it, or below it: 'in de tabellen hieronder')
    const table = [...document.querySelectorAll('table')]
        .find(t => el.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
    const tableShown = !!table && table.checkVisibility() && table.getBoundingClientRect().height > 0;
    if (shown) {
        const svg = el.querySelector('svg.main-svg');
        const box = svg && svg.getBoundingClientRect();
        const marks = el.querySelectorAll('.point, .trace path, .bars path, .scatterlayer path').length;
        if (!svg || box.width < 50 || box.height < 50 || marks === 0) return [`${name}: leeg grafiekvlak`];
        if (box.right > document.documentElement.clientWidth + 1) return [`${name}: breder dan de pagina`];
        return [];
    }
    return tableShown ? [] : [`${name}: weggelaten zonder zichtbare tabel`];
})"""

#: in print media: what must not be printed, and folded sections whose content is not shown
_HIDDEN_IN_PRINT = """() => {
    const shown = sel => [...document.querySelectorAll(sel)].filter(el => el.checkVisibility()).map(() => sel);
    const chrome = ['.md-header', '.md-sidebar', '.md-search', '.md-footer', '.md-skip']
        .flatMap(shown);
    // a folded section left out of the print on purpose (navigation, a chart's table when the chart is
    // printed: see _EMPTY_CHARTS) is not shown at all; one that is shown must show its content
    const folded = [...document.querySelectorAll('details')].filter(d => d.checkVisibility()).filter(d => {
        const body = [...d.children].filter(c => c.tagName !== 'SUMMARY');
        return body.length && !body.some(c => c.checkVisibility() && c.getBoundingClientRect().height > 0);
    }).map(d => d.querySelector('summary') ? d.querySelector('summary').textContent.trim() : 'details');
    return {chrome, folded};
}"""


def pdf_pages(pdf: bytes) -> int:
    """The number of pages of a PDF: its page objects (``/Type /Page``, not the ``/Type /Pages`` tree)."""
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_pdf_page_counter_counts_pages_not_the_page_tree() -> None:
    one = b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\n2 0 obj << /Type /Page >> endobj\n"
    assert pdf_pages(one) == 1
    assert pdf_pages(one + b"3 0 obj <</Type/Page/Parent 1 0 R>> endobj\n") == 2


def test_factsheet_prints_compact_with_every_chart(visit: Visit) -> None:  # noqa: F811
    """All charts drawn (as a reader scrolling through the page), then printed to A4: at most MAX_PAGES pages,
    every chart area drawn at the width of the paper, the stable link on paper."""
    visit.goto(FACTSHEET)
    page = visit.page
    charts = draw_all_charts(page)
    assert charts > 0
    pdf = page.pdf(format="A4")
    pages = pdf_pages(pdf)
    # the print header links the stable address and this edition (link annotations of the PDF)
    assert re.search(rb"/URI \(https?://[^)]*/" + STABLE.encode() + rb"\)", pdf), "vaste link niet afgedrukt"
    assert re.search(rb"/URI \(https?://[^)]*/" + FACTSHEET.strip("/").encode() + rb"/\)", pdf)
    page.emulate_media(media="print")
    assert page.evaluate(_EMPTY_CHARTS) == []
    hidden = page.evaluate(_HIDDEN_IN_PRINT)
    assert hidden == {"chrome": [], "folded": []}, hidden
    header = page.locator(".ceo-print-header")
    assert header.is_visible()
    text = header.inner_text()
    assert STABLE in text and str(NEWEST) in text, text
    assert pages <= MAX_PAGES, f"de factsheet telt afgedrukt {pages} A4-pagina's (doel: hoogstens {MAX_PAGES})"
    page.emulate_media(media="screen")
    assert not header.is_visible()
    visit.check_privacy()


def test_print_right_after_loading_draws_the_charts(browser, base_url: str, tmp_path) -> None:  # noqa: F811
    """Printed before the charts were scrolled into view (and with no idle time to draw them): the
    'beforeprint' handler of ceo.js opens the folded sections and draws every chart synchronously."""
    v = Visit(browser, base_url, tmp_path)
    try:
        # no idle callbacks: only the charts in view are drawn before printing
        v.context.add_init_script("window.requestIdleCallback = function () { return 0; };")
        v.goto(FACTSHEET)
        page = v.page
        page.locator(".ceo-chart").first.scroll_into_view_if_needed()  # plotly.js loads with the first chart
        page.wait_for_function("() => !!window.Plotly")
        page.evaluate("() => window.scrollTo(0, 0)")
        total = page.locator(".ceo-chart").count()
        before = page.locator(".ceo-chart[data-rendered='1']").count()
        assert before < total, "alle grafieken waren al getekend: deze test toetst dan niets"
        pdf = page.pdf(format="A4")
        assert pdf_pages(pdf) >= 1
        # drawn for the print and drawn again (interactive) after it; folded sections closed again
        assert page.locator(".ceo-chart[data-rendered='1'] svg.main-svg").count() >= total
        page.emulate_media(media="print")
        assert page.evaluate(_EMPTY_CHARTS) == []
        v.check_privacy()
    finally:
        v.close()


def test_print_without_drawn_charts_shows_their_tables(browser, base_url: str, tmp_path) -> None:  # noqa: F811
    """Print media before any chart is drawn (plotly.js never loads): no empty gaps, every chart's table is
    printed, and closed folded sections print their content (CSS only, no 'beforeprint')."""
    v = Visit(browser, base_url, tmp_path)
    try:
        v.context.route("**/plotly-basic.min.js", lambda route: route.abort())
        v.goto(FACTSHEET)
        page = v.page
        assert page.locator(".ceo-chart").count() > 0
        assert page.locator(".ceo-chart[data-rendered='1']").count() == 0
        assert page.locator("details:not([open])").count() > 0, "geen dichte uitklapblokken: toets zinloos"
        page.emulate_media(media="print")
        assert page.evaluate(_EMPTY_CHARTS) == []
        assert page.evaluate(_HIDDEN_IN_PRINT) == {"chrome": [], "folded": []}
    finally:
        v.close()
