"""The built demo site in a real browser (Debian chromium via playwright): charts, links between
editions, search, downloads, the actueel/ redirects, privacy (no requests to other hosts, no cookies)
and accessibility (axe-core, WCAG 2.1 AA)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from ceo.cli import main

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".ci" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
NEWEST = 2025
FACTSHEET = f"/{NEWEST}/gemeente/dordrecht/"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: the outer limit of every wait in the browser (a page loaded, an element shown, all charts drawn). Each wait
#: ends as soon as its event happens; the limit is generous because a loaded machine may be very slow.
PATIENCE_MS = 180_000
#: one poll while waiting for the charts: brings the first chart that has not started drawing into view
#: (charts are drawn when they come into view) and tells whether ceo.js has drawn them all
_ALL_DRAWN = """() => {
    const charts = [...document.querySelectorAll('.ceo-chart')];
    const next = charts.find(el => !el.getAttribute('data-drawn'));
    if (next) next.scrollIntoView({block: 'center'});
    return document.documentElement.getAttribute('data-ceo-charts') === 'drawn'
        && charts.every(el => el.getAttribute('data-rendered') === '1' && el.querySelector('svg.main-svg'));
}"""


def poll(page, script: str, what: str):
    """Evaluate ``script`` until it returns something truthy (at most PATIENCE_MS); the site's
    Content-Security-Policy forbids the string form of wait_for_function, which runs as inline script."""
    deadline = time.monotonic() + PATIENCE_MS / 1000
    while time.monotonic() < deadline:
        value = page.evaluate(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{page.url}: {what} not within {PATIENCE_MS // 1000} s")


def draw_all_charts(page) -> int:
    """Open every folded section (its charts are drawn when it opens) and bring each chart into view until
    ceo.js says all are drawn (``<html data-ceo-charts="drawn">``); no budget per chart, only PATIENCE_MS.
    Returns the number of charts."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    try:
        page.wait_for_function(_ALL_DRAWN, polling=100, timeout=PATIENCE_MS)
    except PlaywrightTimeout:
        missing = page.evaluate("""() => [...document.querySelectorAll('.ceo-chart')]
            .filter(el => el.getAttribute('data-rendered') !== '1').map(el => el.getAttribute('aria-label'))""")
        raise AssertionError(f"{page.url}: after {PATIENCE_MS // 1000} s {len(missing)} charts are not drawn, "
                             f"e.g. {missing[:3]}") from None
    page.evaluate("() => window.scrollTo(0, 0)")
    return page.locator(".ceo-chart").count()


def _missing(what: str) -> None:
    """Skip with the reason, except in CI: there a missing browser or axe-core is an error."""
    message = f"{what}; installeer het met: bash .ci/system-packages"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo processed into a fresh project and built with ``mkdocs build --strict``."""
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} ontbreekt")
    root = tmp_path_factory.mktemp("browser") / "project"
    (root / "site").mkdir(parents=True)
    shutil.copy(ROOT / "ceo.yaml", root / "ceo.yaml")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for page in (ROOT / "site").glob("*.md"):
        shutil.copy(page, root / "site" / page.name)
    result = CliRunner().invoke(main, ["demo", "--project", str(root), "--date", "2026-01-15"])
    assert result.exit_code == 0, result.output
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml")],
                           cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True,
                           timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    return root / "public"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """A local HTTP server for ``directory``; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler,
                                                                                 directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def base_url(public: Path):
    with serve(public) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url: str):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
    finally:
        pw.stop()


class Visit:
    """A fresh browser context (no cookies, no storage) that records every request the pages make."""

    def __init__(self, browser, base_url: str, tmp_path: Path) -> None:
        self.base = base_url
        self.context = browser.new_context(accept_downloads=True, locale="nl-NL")
        self.context.set_default_timeout(PATIENCE_MS)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.downloads = tmp_path

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, path
        self.page.wait_for_load_state("load")

    def render_charts(self) -> int:
        """Every chart of the page drawn (folded sections opened); the number of charts."""
        return draw_all_charts(self.page)

    def check_privacy(self) -> None:
        hosts = {urlsplit(u).hostname for u in self.requests if not u.startswith(("data:", "blob:"))}
        assert hosts == {"127.0.0.1"}, sorted(u for u in self.requests if urlsplit(u).hostname != "127.0.0.1")
        assert self.context.cookies() == []
        assert self.errors == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, base_url: str, tmp_path: Path):
    v = Visit(browser, base_url, tmp_path)
    try:
        yield v
    finally:
        v.close()


@pytest.fixture(scope="module")
def factsheet(browser, base_url: str, tmp_path_factory: pytest.TempPathFactory):
    """The Dordrecht factsheet of the newest edition with all its charts drawn (shared: drawing ~90 charts
    takes a few seconds); the tests using it do not navigate away."""
    v = Visit(browser, base_url, tmp_path_factory.mktemp("factsheet"))
    try:
        v.goto(FACTSHEET)
        v.charts = v.render_charts()
        yield v
    finally:
        v.close()


def test_factsheet_charts_render_with_tables_and_dutch_numbers(factsheet: Visit) -> None:
    visit = factsheet
    page = visit.page
    assert page.title().startswith(f"Dordrecht {NEWEST}")
    n = visit.charts
    assert 1 <= n <= 8  # one overview chart per survey, the trend, the answer distributions (issue 11)
    assert page.locator(".ceo-chart svg.main-svg").count() >= n
    # every chart has a text alternative, a title right above it that says what it shows, and a table with the
    # same figures after it in the same section (the theme tables, or the figures behind a disclosure)
    missing = page.evaluate("""() => [...document.querySelectorAll('.ceo-chart')].filter(el => {
        const title = el.previousElementSibling;
        let table = null;
        for (let next = el.nextElementSibling; next && next.tagName !== 'H2' && !table; next = next.nextElementSibling)
            table = next.tagName === 'TABLE' ? next : next.querySelector('table');
        return !(table && table.querySelector('caption') && el.getAttribute('role') === 'img'
                 && el.getAttribute('aria-label') && title && title.classList.contains('ceo-fs-charttitle'));
    }).map(el => el.getAttribute('aria-label'))""")
    assert missing == []
    # Dutch notation in the rendered charts: decimal comma (a hover label on the mean mark)
    separators = page.evaluate("() => [...document.querySelectorAll('.ceo-chart')]"
                               ".map(el => el._fullLayout.separators)")
    assert set(separators) == {",."}
    label = page.evaluate("""() => {
        const el = [...document.querySelectorAll('.ceo-chart')]
            .find(e => e.getAttribute('aria-label').startsWith('Ontwikkeling van de kernpunten'));
        Plotly.Fx.hover(el, [{curveNumber: 0, pointNumber: 0}]);  // Dordrecht, Wmo rapportcijfer, first edition
        return el.querySelector('.hovertext').textContent;
    }""")
    assert re.search(r"20\d\d: \d+,\d", label) and "Dordrecht" in label, label  # the name in its own box
    ticks = page.locator(".ceo-chart[aria-label^='Stippendiagram']").first.locator(".xtick text").all_text_contents()
    assert ticks and all(re.fullmatch(r"\d+\s%", t.replace("\u00a0", " ")) for t in ticks), ticks
    visit.check_privacy()


def test_links_to_other_editions_keep_the_gemeente(visit: Visit) -> None:
    visit.goto(FACTSHEET)
    page = visit.page
    editions = page.locator("p", has_text="Andere edities:")
    for year, back in ((2024, 2023), (2023, 2025)):
        editions.get_by_role("link", name=str(year), exact=True).click()
        page.wait_for_url(f"{visit.base}/{year}/gemeente/dordrecht/")
        assert page.title().startswith(f"Dordrecht {year}")
        assert page.locator("h1").inner_text() == f"Dordrecht: cliëntervaringsonderzoek {year}"
        editions.get_by_role("link", name=str(back), exact=True).wait_for()
    editions.get_by_role("link", name=str(NEWEST), exact=True).click()
    page.wait_for_url(visit.base + FACTSHEET)
    visit.check_privacy()


def test_search_finds_the_gemeente(visit: Visit) -> None:
    visit.goto("/")
    page = visit.page
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("Dordrecht", delay=20)
    hit = page.locator(".md-search-result__item a[href*='/gemeente/dordrecht/']").first
    hit.wait_for()
    hit.click()
    page.wait_for_url(re.compile(r"/20\d\d/gemeente/dordrecht/"))
    assert page.title().startswith("Dordrecht 20")
    visit.check_privacy()


def test_csv_download(visit: Visit) -> None:
    visit.goto(FACTSHEET)
    page = visit.page
    link = page.get_by_role("link", name="CEO Wmo (CSV)")
    with page.expect_response(lambda r: r.url.endswith("/data/wmo.csv")) as response, \
            page.expect_download() as download:
        link.click()
    assert response.value.status == 200
    assert response.value.url == f"{visit.base}/{NEWEST}/data/wmo.csv"
    path = visit.downloads / "wmo.csv"
    download.value.save_as(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("editie,onderzoek,gebied_code,gebied_naam,")
    assert "respondent" not in lines[0]  # aggregate figures only
    assert any(",GM0505,Dordrecht,gemeente," in line for line in lines[1:])
    assert all(line.startswith(f"{NEWEST},wmo,") for line in lines[1:])
    visit.check_privacy()


@pytest.mark.parametrize(("path", "target", "title"), [
    ("/actueel/", f"/{NEWEST}/", f"Overzicht {NEWEST}"),
    ("/actueel/gemeente/dordrecht/", FACTSHEET, f"Dordrecht {NEWEST}"),
    ("/actueel/verantwoording/", f"/{NEWEST}/verantwoording/", f"Verantwoording {NEWEST}"),
])
def test_actueel_redirects_to_the_newest_edition(visit: Visit, path: str, target: str, title: str) -> None:
    visit.page.goto(visit.base + path)
    visit.page.wait_for_url(visit.base + target)
    assert visit.page.title().startswith(title)
    visit.check_privacy()


@pytest.mark.parametrize("path", ["/", f"/{NEWEST}/", FACTSHEET])
def test_accessibility_axe(request: pytest.FixtureRequest, path: str) -> None:
    """WCAG 2.1 AA with axe-core on the home page, an edition overview and a factsheet (charts drawn,
    folded sections open): no serious or critical violations."""
    if not AXE.exists():
        _missing(f"axe-core ontbreekt ({AXE.relative_to(ROOT)})")
    if path == FACTSHEET:
        visit = request.getfixturevalue("factsheet")
    else:
        visit = request.getfixturevalue("visit")
        visit.goto(path)
        visit.render_charts()
    # evaluated through the DevTools protocol: the site's Content-Security-Policy forbids inline <script> tags
    visit.page.evaluate(AXE.read_text(encoding="utf-8"))
    result = visit.page.evaluate("""async tags => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""", WCAG_AA)
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], "\n".join(f"{v['impact']} {v['id']}: {v['help']} {v['nodes']}" for v in serious)
    visit.check_privacy()


#: issue 12: at most this much JavaScript (gzip -9) on the Dordrecht factsheet, all charts drawn
JS_BUDGET_KB = 600


def javascript_gzip_kb(urls: list[str], public: Path) -> dict[str, float]:
    """The JavaScript files among ``urls`` (requests of this site) with their size in kB after gzip -9."""
    import gzip

    out = {}
    for u in urls:
        path = urlsplit(u).path
        if path.endswith(".js"):
            data = (public / path.lstrip("/")).read_bytes()
            out[path] = len(gzip.compress(data, compresslevel=9)) / 1000
    return out


def test_javascript_budget(visit: Visit, public: Path) -> None:
    """Every JavaScript file the factsheet loads (with all charts drawn) counts, compressed as a web server
    sends it; the budget in time (long tasks, first chart) is measured by bench/bench_page_weight.py."""
    visit.goto(FACTSHEET)
    assert draw_all_charts(visit.page) > 0
    sizes = javascript_gzip_kb(visit.requests, public)
    assert any(p.endswith("/plotly-basic.min.js") for p in sizes), sizes  # the charts' library is counted
    assert not any(p.endswith("/plotly.min.js") for p in sizes), sizes  # never the full plotly.js bundle
    total = sum(sizes.values())
    assert total <= JS_BUDGET_KB, f"{total:.0f} kB JavaScript (gzip) op de factsheet: {sizes}"
    # the check can fail: the full plotly.js of the installed plotly package alone exceeds the budget
    import plotly

    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert javascript_gzip_kb(["http://127.0.0.1/plotly.min.js"], full.parent)["/plotly.min.js"] > JS_BUDGET_KB
    visit.check_privacy()
