"""Findability and the footer in a real browser (Debian chromium via playwright): the Dutch 404 page and its links,
also below the server root, the footer links, no horizontal overflow and no words broken inside at 390 px, and
search results for a gemeente (newest edition first, no hashes as snippets). Helpers from test_browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_browser import CHROMIUM, PATIENCE_MS, Visit, _missing, base_url, browser, serve  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

NEWEST = 2025
FACTSHEET = f"/{NEWEST}/gemeente/dordrecht/"
PHONE = {"width": 390, "height": 844}
#: every word of every h1/h2 on one line: a word broken inside has more than one line box
_BROKEN_WORDS = """() => {
    const broken = [];
    for (const h of document.querySelectorAll('.md-content h1, .md-content h2')) {
        const walker = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const re = /[^\\s\\-\\u2013\\u2014\\/]+/g;
            let m;
            while ((m = re.exec(node.data))) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
                if (tops.size > 1) broken.push(m[0]);
            }
        }
    }
    return broken;
}"""


@pytest.fixture(scope="module")
def public(published_demo: Path) -> Path:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} ontbreekt")
    return published_demo / "public"


class _Visit(Visit):
    """A :class:`Visit` that also records every failed response (a broken link to a stylesheet or script)."""

    def __init__(self, browser, base_url: str, tmp_path: Path, viewport: dict | None = None) -> None:  # noqa: F811
        super().__init__(browser, base_url, tmp_path)
        if viewport:
            self.page.set_viewport_size(viewport)
        self.failed: list[str] = []
        self.context.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)


@pytest.fixture
def visit(browser, base_url: str, tmp_path: Path):  # noqa: F811
    v = _Visit(browser, base_url, tmp_path)
    try:
        yield v
    finally:
        v.close()


@pytest.fixture
def phone(browser, base_url: str, tmp_path: Path):  # noqa: F811
    v = _Visit(browser, base_url, tmp_path, PHONE)
    try:
        yield v
    finally:
        v.close()


def test_404_page_is_dutch_and_its_links_work(visit: _Visit) -> None:
    visit.goto("/404.html")
    page = visit.page
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "Pagina niet gevonden"
    assert page.title().startswith("Pagina niet gevonden")
    assert visit.failed == []  # stylesheets and scripts found
    page.locator(".md-content").get_by_role("link", name="Cijfers per gemeente").click()
    page.wait_for_url(visit.base + "/cijfers/")
    assert page.locator("h1").inner_text() == "Cijfers per gemeente"
    assert visit.failed == []
    visit.check_privacy()


def test_404_page_without_site_url_works_below_the_server_root(published_demo: Path, browser, tmp_path: Path) -> None:  # noqa: F811
    """Without site_url MkDocs would link /assets/... from the 404 page; ceo's page links relative to the site
    root, so a site published at https://host/cijfers/ still gets its styles and links from 404.html."""
    from test_findability import _build

    config = published_demo / "mkdocs-browser-zonder-url.yml"
    config.write_text(re.sub(r"(?m)^site_url:.*\n", "", (published_demo / "mkdocs.yml").read_text(encoding="utf-8")),
                      encoding="utf-8")
    try:
        _build(published_demo, config, tmp_path / "server" / "cijfers")
    finally:
        config.unlink()
    with serve(tmp_path / "server") as url:
        v = _Visit(browser, url, tmp_path)
        try:
            v.goto("/cijfers/404.html")
            assert v.page.locator("h1").inner_text() == "Pagina niet gevonden"
            assert v.failed == []
            colour = v.page.evaluate("() => getComputedStyle(document.querySelector('.md-header')).position")
            assert colour == "sticky"  # mkdocs-material's stylesheet is applied
            v.page.locator(".md-content").get_by_role("link", name="Cijfers per gemeente").click()
            v.page.wait_for_url(url + "/cijfers/cijfers/")
            assert v.failed == []
        finally:
            v.close()


def test_footer_links_colofon_toegankelijkheid_and_contact(visit: _Visit) -> None:
    for start, target, heading in (("/", "/colofon/", "Colofon"), (FACTSHEET, "/toegankelijkheid/", None)):
        visit.goto(start)
        footer = visit.page.locator("footer")
        assert "Made with" not in footer.inner_text()
        contact = footer.get_by_role("link", name="Contact")
        assert contact.get_attribute("href") == "mailto:onderzoek@example.nl"
        footer.get_by_role("link", name=target.strip("/").capitalize()).click()
        visit.page.wait_for_url(visit.base + target)
        if heading:
            assert visit.page.locator("h1").inner_text() == heading
    assert visit.failed == []
    visit.check_privacy()


@pytest.mark.parametrize("path", ["/", "/colofon/", f"/{NEWEST}/verantwoording/", f"/{NEWEST}/gegevens/",
                                  FACTSHEET, "/404.html"])
def test_no_horizontal_overflow_and_no_broken_words_at_390_px(phone: _Visit, path: str) -> None:
    phone.goto(path)
    page = phone.page
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path}: page is {width} px wide at {PHONE['width']} px"
    wide = page.evaluate("""() => [...document.querySelectorAll('.md-content *')]
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                      && !el.closest('.md-typeset__scrollwrap, table, .ceo-chart, pre'))
        .map(el => el.tagName + '.' + el.className).slice(0, 5)""")
    assert wide == [], f"{path}: {wide}"
    assert page.evaluate(_BROKEN_WORDS) == [], path


def test_the_long_h1_stays_whole_on_a_phone(phone: _Visit) -> None:
    """The home page's h1 ('Cliëntervaringsonderzoek …') broke inside the word before; the check above would see
    a broken word, and here the word is really there."""
    phone.goto("/")
    h1 = phone.page.locator(".md-content h1").first
    assert "Cliëntervaringsonderzoek" in h1.inner_text()
    assert phone.page.evaluate(_BROKEN_WORDS) == []


def test_search_shows_the_newest_edition_first_and_no_hashes(visit: _Visit) -> None:
    visit.goto("/")
    page = visit.page
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("Dordrecht", delay=20)
    items = page.locator(".md-search-result__item")
    items.first.wait_for(timeout=PATIENCE_MS)
    page.wait_for_timeout(300)  # the list is complete
    hrefs = [a.get_attribute("href") for a in page.locator(".md-search-result__item > a").all()]
    assert hrefs, "geen zoekresultaten"
    assert f"{NEWEST}/gemeente/dordrecht/" in hrefs[0], hrefs[:5]
    years = [int(m.group(1)) for h in hrefs if (m := re.search(r"/(20\d\d)/", h))]
    assert years and years[0] == NEWEST
    assert not [h for h in hrefs if re.search(r"/(2023|2024)/gemeente/", h)]
    overviews = [h for h in hrefs if re.search(r"/20\d\d/(\?[^#]*)?(#.*)?$", h)]  # (?h=: the highlighted term)
    assert overviews and f"/{NEWEST}/" in overviews[0], overviews  # of the edition overviews the newest first
    text = page.locator(".md-search-result").inner_text()
    assert not re.search(r"\b[0-9a-f]{12,}\b", text), text[:500]
    visit.check_privacy()


def test_screenshot_of_the_footer_at_390_px(phone: _Visit, tmp_path: Path) -> None:
    """Not a check of pixels: the footer is visible and inside the page at 390 px (the png is kept for a human)."""
    phone.goto("/colofon/")
    footer = phone.page.locator("footer .ceo-footer")
    footer.scroll_into_view_if_needed()
    box = footer.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    phone.page.screenshot(path=str(tmp_path / "footer-390.png"), full_page=False)
