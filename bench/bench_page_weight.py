"""Weight and speed of the Dordrecht factsheet in Chromium: JavaScript bytes, longest task, first chart.

    .venv/bin/python bench/bench_page_weight.py [--public DIR | --keep DIR] [--repeat 3] [--check]

Without ``--public`` the demo (``ceo demo --date 2026-01-15`` with the repo's ``ceo.yaml``, ``mkdocs.yml``
and hand-written pages, as tests/test_browser.py does) is built with ``mkdocs build --strict`` into a
temporary directory (into ``--keep DIR`` to keep it); with ``--public DIR`` an already built site is
measured. The site is served by a local HTTP server (no compression, no network) and the factsheet
``/2025/gemeente/dordrecht/`` is opened ``--repeat`` times, each in a fresh browser context (empty cache), by
Debian's Chromium without throttling. Each visit measures:

* **JavaScript**: every script response of the visit (the page loaded, then every chart brought into view
  until ceo.js marks ``<html data-ceo-charts="drawn">``), raw bytes and gzipped (``gzip -9``, what a server
  with compression would send);
* **first chart**: milliseconds from the start of navigation to the first chart drawn (the
  ``ceo-first-chart`` performance mark that assets/ceo.js sets; for older sites without that mark, the
  first ``.ceo-chart[data-rendered="1"]`` seen by a MutationObserver);
* **longest task**: the longest main-thread task (PerformanceObserver ``longtask``, tasks over 50 ms) until
  the first chart is drawn, and until all charts are drawn.

Targets (issue 12): at most 600 kB gzipped JavaScript in total, no long task over 200 ms, first chart under
1 s. ``--check`` exits 1 when the median of a figure misses its target.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FACTSHEET = "/2025/gemeente/dordrecht/"
TARGETS = {"js_gzip_kb": 600, "longest_task_ms": 200, "first_chart_ms": 1000}
PATIENCE_MS = 180_000

#: runs before any script of the page: records long tasks and the moment the first chart is drawn
INIT = """(() => {
  window.__ceoLong = [];
  window.__ceoFirst = null;
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) window.__ceoLong.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) {}
  new MutationObserver((_, obs) => {
    if (document.querySelector('.ceo-chart[data-rendered="1"]')) {
      window.__ceoFirst = performance.now();
      obs.disconnect();
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-rendered']});
})();"""

#: one poll: the first chart not yet drawn brought into view; true when ceo.js has drawn them all
ALL_DRAWN = """() => {
  const charts = [...document.querySelectorAll('.ceo-chart')];
  const next = charts.find(el => !el.getAttribute('data-drawn'));
  if (next) next.scrollIntoView({block: 'center'});
  return document.documentElement.getAttribute('data-ceo-charts') === 'drawn';
}"""

FIRST_CHART = """() => {
  const m = performance.getEntriesByName('ceo-first-chart', 'mark');
  return m.length ? m[0].startTime : window.__ceoFirst;
}"""


def build_demo(root: Path) -> Path:
    """The demo project built into ``root/public`` (as tests/test_browser.py builds it)."""
    from click.testing import CliRunner

    from ceo.cli import main

    (root / "site").mkdir(parents=True)
    shutil.copy(ROOT / "ceo.yaml", root / "ceo.yaml")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for page in (ROOT / "site").glob("*.md"):
        shutil.copy(page, root / "site" / page.name)
    result = CliRunner().invoke(main, ["demo", "--project", str(root), "--date", "2026-01-15"])
    if result.exit_code != 0:
        raise SystemExit(f"ceo demo faalde:\n{result.output}")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml")],
                           cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True,
                           text=True, timeout=600)
    if build.returncode != 0:
        raise SystemExit(f"mkdocs build faalde:\n{build.stdout}{build.stderr}")
    return root / "public"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


def visit(browser, base: str) -> dict:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.add_init_script(INIT)
        scripts: list[tuple[str, bytes]] = []
        external: list[str] = []

        def on_response(response):
            if not response.url.startswith(base):
                external.append(response.url)
            if response.request.resource_type == "script":
                scripts.append((response.url, response.body()))

        page.on("response", on_response)
        page.goto(base + FACTSHEET, wait_until="load")
        page.wait_for_function(FIRST_CHART, polling=20, timeout=PATIENCE_MS)
        first = page.evaluate(FIRST_CHART)
        long_first = page.evaluate("() => window.__ceoLong.slice()")
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.wait_for_function(ALL_DRAWN, polling=100, timeout=PATIENCE_MS)
        page.wait_for_timeout(200)  # the last long task reported
        long_all = page.evaluate("() => window.__ceoLong.slice()")
        n_charts = page.locator(".ceo-chart").count()
    finally:
        context.close()
    raw = sum(len(body) for _, body in scripts)
    gz = sum(len(gzip.compress(body, 9)) for _, body in scripts)
    return {
        "js_files": sorted(url.rsplit("/", 1)[-1] for url, _ in scripts),
        "js_raw_kb": raw / 1000,
        "js_gzip_kb": gz / 1000,
        "first_chart_ms": first,
        "longest_task_ms": max((d for s, d in long_first if s <= first), default=0.0),
        "longest_task_all_ms": max((d for _, d in long_all), default=0.0),
        "charts": n_charts,
        "external": external,
    }


def measure(public: Path, repeat: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_QuietHandler, directory=str(public)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return [visit(browser, base) for _ in range(repeat)]
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--public", type=Path, help="an already built site (default: build the demo)")
    parser.add_argument("--keep", type=Path, help="build the demo into this (new) directory and keep it")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 1 when a median misses its target")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ceo-bench-weight-") as tmp:
        public = args.public or build_demo(args.keep or Path(tmp) / "project")
        runs = measure(public, args.repeat)
    print(f"Dordrecht factsheet ({FACTSHEET}), {runs[0]['charts']} charts, {args.repeat} visits, "
          f"Chromium unthrottled")
    print("JavaScript files: " + ", ".join(runs[0]["js_files"]))
    failed = False
    for key, label in [("js_raw_kb", "JavaScript raw (kB)"), ("js_gzip_kb", "JavaScript gzip -9 (kB)"),
                       ("first_chart_ms", "first chart (ms)"), ("longest_task_ms", "longest task to 1st chart (ms)"),
                       ("longest_task_all_ms", "longest task, all charts (ms)")]:
        values = [r[key] for r in runs]
        med = statistics.median(values)
        target = TARGETS.get(key)
        verdict = ""
        if target is not None:
            ok = med <= target
            failed |= not ok
            verdict = f"  target <= {target}: {'ok' if ok else 'MISSED'}"
        print(f"  {label:34s} median {med:9.1f}   runs " + " ".join(f"{v:.1f}" for v in values) + verdict)
    external = sorted({u for r in runs for u in r["external"]})
    if external:
        print(f"external requests: {external[:5]}")
        failed = True
    return 1 if (failed and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
