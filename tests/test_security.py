"""Security: YAML files that would exhaust the machine are refused quickly with a located Dutch message, and
nothing a supplier, codebook, configuration or researcher writes can run as script on the published site
(a payload corpus built into one site and opened in Chromium)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ceo.cli import main

ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- YAML limits

# the classic: ten times ten times ... (90 aliases) stands for 10^9 values
BILLION_LAUGHS = "a: &a [" + ", ".join(['"lol"'] * 10) + "]\n" + "".join(
    f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))
# few aliases (6 x 4 = 24) that still stand for 4^6 x 20 000 values
WIDE_LAUGHS = "a: &a [" + ", ".join(["x"] * 20_000) + "]\n" + "".join(
    f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}]\n" for p, n in zip("abcdef", "bcdefg", strict=True))
# many aliases of one small value
MANY_ALIASES = "a: &a x\nb: [" + ", ".join(["*a"] * 150) + "]\n"


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "site").mkdir(parents=True)
    shutil.copy(ROOT / "ceo.yaml", root / "ceo.yaml")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    return root


def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _run(args: list[str]) -> tuple[int, str, float]:
    """Exit code, output and the CPU time the command took (this process and its children): unlike the
    wall-clock time it does not grow when other processes load the machine."""
    start = _cpu_seconds()
    result = CliRunner().invoke(main, args)
    elapsed = _cpu_seconds() - start
    assert "Traceback" not in result.output and "Interne fout" not in result.output, result.output
    return result.exit_code, result.output, elapsed


def _process_args(root: Path, tmp_path: Path, mapping: Path) -> list[str]:
    data = tmp_path / "wmo.csv"
    data.write_text("respondent_id,gemeentecode,v01\n1,GM0505,1\n", encoding="utf-8")
    return ["process", "--project", str(root), "--survey", "wmo", "--edition", "2025", "--mapping", str(mapping),
            str(data)]


def test_billion_laughs_in_ceo_yaml_is_refused_quickly(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "ceo.yaml").write_text("naam: Test\n" + BILLION_LAUGHS, encoding="utf-8")
    code, output, elapsed = _run(["site", "--project", str(root)])
    assert code == 2, output
    assert elapsed < 1.0, elapsed
    # the message names the file and the line where the expansion passes the limit ('f: &f [...]')
    assert "ceo.yaml, regel 7: waarde 'f: &f [*e, *e," in output, output
    assert "geen toegestane YAML: de verwijzingen (*naam) naar ankers (&naam) maken het bestand groter dan " \
           "1.000.000 waarden" in output, output
    assert not (root / "site" / "assets").exists()


@pytest.mark.parametrize("text", [BILLION_LAUGHS, WIDE_LAUGHS, MANY_ALIASES],
                         ids=["billion_laughs", "few_wide_aliases", "many_aliases"])
def test_billion_laughs_in_a_mapping_is_refused_quickly(tmp_path: Path, text: str) -> None:
    root = _project(tmp_path)
    mapping = tmp_path / "mapping_wmo.yaml"
    mapping.write_text("onderzoek: wmo\n" + text, encoding="utf-8")
    code, output, elapsed = _run(_process_args(root, tmp_path, mapping))
    assert code == 2, output
    assert elapsed < 1.0, elapsed
    assert "mapping_wmo.yaml, regel " in output, output
    assert "geen toegestane YAML" in output
    assert "verwijzingen (*" in output
    assert not (root / "uitvoer").exists()
    assert not any((root / "site").iterdir())


@pytest.mark.parametrize(("text", "line", "words"), [
    ("onderzoek: wmo\nvariabelen: !!python/object/apply:os.system ['echo pwned']\n", 2,
     "de YAML-tag '!!python/object/apply:os.system' is niet toegestaan"),
    ("onderzoek: wmo\nnegeren: !!python/name:os.system\n", 2, "de YAML-tag '!!python/name:os.system'"),
    ("onderzoek: wmo\nnegeren: !eigen [a]\n", 2, "de YAML-tag '!eigen' is niet toegestaan"),
    ("onderzoek: wmo\nnegeren: &x [a, *x]\n", 2, "kringverwijzing"),
    ("onderzoek: wmo\nnegeren: " + "[" * 60 + "]" * 60 + "\n", 2, "dieper genest dan 50 niveaus"),
    ("onderzoek: wmo\nnegeren: " + "[" * 5000 + "]" * 5000 + "\n", 2, "dieper genest dan 50 niveaus"),
], ids=["python_object", "python_name", "local_tag", "recursive_alias", "deep", "very_deep"])
def test_dangerous_mapping_constructs_are_refused(tmp_path: Path, text: str, line: int, words: str) -> None:
    root = _project(tmp_path)
    mapping = tmp_path / "mapping_wmo.yaml"
    mapping.write_text(text, encoding="utf-8")
    code, output, elapsed = _run(_process_args(root, tmp_path, mapping))
    assert code == 2, output
    assert elapsed < 1.0, elapsed
    assert f"mapping_wmo.yaml, regel {line}: " in output, output
    assert words in output, output


def test_oversized_yaml_is_refused_before_parsing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "ceo.yaml").write_text("naam: Test\nopmerking: '" + "x" * 2_000_000 + "'\n", encoding="utf-8")
    code, output, elapsed = _run(["site", "--project", str(root)])
    assert code == 2, output
    assert elapsed < 1.0, elapsed
    assert "ceo.yaml: het bestand is te groot voor een YAML-bestand van ceo" in output, output
    assert "de grens is 1.000.000 tekens" in output


def test_codebook_with_python_tag_is_refused(tmp_path: Path) -> None:
    from ceo.core.problems import InputError
    from ceo.validate.codebook import load_codebook

    text = (ROOT / "surveys" / "wmo.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "wmo.yaml"
    bad.write_text(text.replace("titel:", "titel: !!python/object/new:str", 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_codebook(bad, "surveys/wmo.yaml")
    message = str(info.value)
    assert message.startswith("surveys/wmo.yaml, regel ") and "!!python/object/new:str" in message, message


def test_ordinary_yaml_still_loads(tmp_path: Path) -> None:
    """The limits leave room for real files: the built-in codebooks, the demo configuration, a few anchors."""
    from ceo.io.safeyaml import load_yaml
    from ceo.validate.codebook import load_codebook

    for p in sorted((ROOT / "surveys").glob("*.yaml")):
        load_codebook(p)
    assert load_yaml((ROOT / "ceo.yaml").read_text(encoding="utf-8"), "ceo.yaml")["naam"]
    data = load_yaml("x: &x {a: 1}\ny: *x\nz: !!str 5\n", "t.yaml")
    assert data == {"x": {"a": 1}, "y": {"a": 1}, "z": "5"}


# --------------------------------------------------------------------------- ceo init

def _markup_problems(text: str) -> list[str]:
    """Event-handler attributes, javascript: URLs, inline scripts and payload elements in an HTML page."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            found.extend(f"{tag} {k}" for k in a if k.startswith("on"))
            found.extend(f"{tag} {k}={v}" for k, v in a.items()
                         if k in ("href", "src", "action", "formaction", "data") and v
                         and "".join(v.split()).lower().startswith("javascript:"))
            if tag in ("img", "iframe", "object", "embed"):  # (the theme draws its icons as <svg>)
                found.append(tag)
            if tag == "script" and "src" not in a and not (a.get("type") or "").endswith("json"):
                found.append("inline script")

    parser = Parser()
    parser.feed(text)
    parser.close()
    return found


def test_new_project_with_payload_names_builds_with_the_policy(tmp_path: Path) -> None:
    """A fresh 'ceo init' project builds with 'mkdocs build --strict'; every page has the Content-Security-Policy
    and the name, publisher and region name given on the command line are text, not markup."""

    from demo_project import build_site

    from ceo.site.render import CONTENT_SECURITY_POLICY

    target = tmp_path / "nieuw"
    name = "</title><script>alert(1)</script> \"x\" {: onclick=alert(2) } [x](javascript:alert(3))"
    result = CliRunner().invoke(main, ["init", str(target), "--naam", name, "--uitgever",
                                       "<img src=x onerror=alert(4)>", "--gemeente", "Gorinchem", "--gemeente",
                                       "GM1978", "--regionaam", '"><svg onload=alert(5)>'])
    assert result.exit_code == 0, result.output
    built = build_site(target)
    pages = list(built.rglob("*.html"))
    assert len(pages) >= 5
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert meta in text, page
        head = text[:text.index("</head>")]
        assert head.index(meta) < head.index("<script"), page  # before the first script
        assert _markup_problems(text) == [], page
    home = (built / "index.html").read_text(encoding="utf-8")
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in home
    heading = ('&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; "x" {: onclick=alert(2) } '
               "[x](javascript:alert(3))</h1>")
    assert heading in home
    colofon = (built / "colofon" / "index.html").read_text(encoding="utf-8")
    assert "Uitgever: &lt;img src=x onerror=alert(4)&gt;" in colofon


def test_a_project_without_the_theme_override_is_told_how_to_get_the_policy(tmp_path: Path) -> None:
    root = _project(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["site", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert "Content-Security-Policy" not in result.output
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("  custom_dir: site/assets/theme\n", ""), encoding="utf-8")
    result = runner.invoke(main, ["site", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert "let op: mkdocs.yml gebruikt de thema-aanvulling van ceo niet, dus de pagina's krijgen geen " \
           "Content-Security-Policy. Zet onder 'theme:' de regel 'custom_dir: site/assets/theme'" in result.output


# --------------------------------------------------------------------------- escaping helpers

def _render(markdown_text: str) -> str:
    import markdown

    return markdown.markdown(markdown_text, extensions=["toc", "attr_list"])


def test_researchers_markdown_keeps_its_formatting_and_loses_its_markup() -> None:
    from ceo.core.escape import sanitise_markdown

    good = ("# Wachttijden\n\nDe wachttijd is **korter**, zie [de raad](https://example.org/raad) of "
            "[methode](../../methode.md) en <https://example.org>.\n\n- één\n- twee <sup>2</sup> en `<code>`\n")
    html = _render(sanitise_markdown(good))
    for part in ('<h1 id="wachttijden">Wachttijden</h1>', "<strong>korter</strong>",
                 '<a href="https://example.org/raad">de raad</a>', '<a href="../../methode.md">methode</a>',
                 '<a href="https://example.org">https://example.org</a>', "<li>twee <sup>2</sup> en "
                 "<code>&lt;code&gt;</code></li>"):
        assert part in html, part
    bad = DUIDING.format()
    html = _render(sanitise_markdown(bad))
    assert _markup_problems(html) == []
    assert "onclick" in html and "javascript:" in html  # shown as text, not dropped
    assert not any(tag in html for tag in ("<details", "<a href=\"javascript", "<svg", "<img", "<script"))


def test_labels_cannot_leave_their_context() -> None:
    import json

    from ceo.core.escape import front_matter, json_script, md_text

    label = payload("x")
    html = _render(f"# {md_text(label)}\n\nTekst {md_text(label)}\n")
    assert _markup_problems(html) == [] and "<a " not in html and "<em>" not in html and "<code>" not in html
    assert "{: onclick=__pwn('x-attr') }</h1>" in html
    script = json_script({"label": label + "</script><!--"})
    assert "<" not in script and ">" not in script and "\u2028" not in script
    assert json.loads(script)["label"] == label + "</script><!--"
    import yaml

    assert yaml.safe_load(f"title: {front_matter(label)}")["title"].startswith("x-label &lt;img src=x onerror=")


# --------------------------------------------------------------------------- payload corpus in Chromium

def payload(field: str) -> str:
    """One label with every payload, each calling __pwn('<field>-<kind>') if it ever runs. The attribute list
    comes last: that is where Markdown would apply it (the end of a heading or paragraph)."""
    return (f"{field}-label <img src=x onerror=__pwn('{field}-img')> </script><script>__pwn('{field}-script')"
            f"</script> \"><svg onload=__pwn('{field}-svg')> '><iframe src=javascript:__pwn('{field}-iframe')> "
            f"＜img src=x onerror=__pwn('{field}-fw')＞ [x](javascript:__pwn('{field}-js')) "
            f"&lt;b&gt; &#60;i&#62; `code` *em* _u_ <!-- %{{x}} \u2028 {{: onclick=__pwn('{field}-attr') }}")


FACTSHEET = "/2025/gemeente/dordrecht/"
ACCOUNTING = "/2025/verantwoording/"
#: every text input that reaches a page -> a page that shows it: codebook (titel, korte_titel, toelichting, a
#: question, its headline words, an answer label, a subgroup and one of its groups), ceo.yaml (a region name), the
#: benchmark file (naam) and the revision reason
FIELDS = {"titel": FACTSHEET, "korte": FACTSHEET, "toelichting": FACTSHEET, "vraag": FACTSHEET, "kop": FACTSHEET,
          "antwoord": FACTSHEET, "subgroep": FACTSHEET, "groep": FACTSHEET, "regio": "/2025/regio/drechtsteden/",
          "benchmark": ACCOUNTING, "revisie": ACCOUNTING}
DUIDING = """\
# Kop {{: onclick=__pwn('duiding-heading-attr') }}

Alinea met <img src=x onerror=__pwn('duiding-img')> en <b>vet</b> en een [link](javascript:__pwn('duiding-js')),
[verstopt](jav&#x61;script:__pwn('duiding-entity')), [tab](java\tscript:__pwn('duiding-tab')),
[goed](https://example.org/) en <javascript:__pwn('duiding-autolink')> en [ref][r].
{{: onclick=__pwn('duiding-attr') }}

<details open ontoggle=__pwn('duiding-details')><summary>x</summary>blok</details>

<a href="javascript:__pwn('duiding-a')">a</a> <svg onload=__pwn('duiding-svg')></svg>
</script><script>__pwn('duiding-script')</script> ＜img src=x onerror=__pwn('duiding-fw')＞

![plaatje](https://example.org/x.png)

[r]: javascript:__pwn('duiding-ref')
"""


def _payload_codebook(target: Path) -> None:
    import yaml

    cb = yaml.safe_load((ROOT / "surveys" / "wmo.yaml").read_text(encoding="utf-8"))
    cb["titel"], cb["korte_titel"], cb["toelichting"] = payload("titel"), payload("korte"), payload("toelichting")
    cb["voorbeeld"] = True  # the toelichting is shown on the factsheet of an example questionnaire
    cb["schalen"]["eens5"]["codes"][1] = payload("antwoord")
    for v in cb["variabelen"]:
        if v["id"] == "v01":
            v["vraag"], v["kop"] = payload("vraag"), payload("kop")
        if v["id"] == "voorziening":
            v["codes"][1] = payload("groep")
    for sg in cb["subgroepen"]:
        if sg["id"] == "voorziening":
            sg["label"] = payload("subgroep")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(cb, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project with every payload in every text input: Wmo 2024 and 2025 (with a benchmark, and a revision
    of 2025), the researcher's duiding for Dordrecht; built with ``mkdocs build --strict``."""
    import yaml
    from demo_project import build_site, new_project

    from ceo.demo import write_demo_files

    base = tmp_path_factory.mktemp("payloads")
    root = new_project(base / "project")
    config = yaml.safe_load((root / "ceo.yaml").read_text(encoding="utf-8"))
    config["regios"][0]["naam"] = payload("regio")
    (root / "ceo.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _payload_codebook(root / "surveys" / "wmo.yaml")
    benchmark = base / "benchmark.csv"
    benchmark.write_text('indicator,waarde,naam\nv01,70,"' + payload("benchmark").replace('"', '""') + '"\n',
                         encoding="utf-8")
    demo = write_demo_files(base / "demo")
    runner = CliRunner()
    for edition, extra in ((2024, []), (2025, ["--benchmark", str(benchmark)]),
                           (2025, ["--benchmark", str(benchmark), "--revision", payload("revisie")])):
        d = demo.deliveries(edition)["wmo"]
        result = runner.invoke(main, ["process", "--project", str(root), "--date", "2026-01-15", "--survey", "wmo",
                                      "--edition", str(edition), "--mapping", str(d.mapping), "--population",
                                      str(d.population), *extra, *map(str, d.inputs)])
        assert result.exit_code == 0, result.output
    (root / "duiding" / "2025" / "dordrecht.md").write_text(DUIDING.format(), encoding="utf-8")
    result = runner.invoke(main, ["site", "--project", str(root)])
    assert result.exit_code == 0, result.output
    return build_site(root)


PAGES = (FACTSHEET, "/2025/regio/drechtsteden/", "/2025/", ACCOUNTING, "/cijfers/", "/2024/gemeente/dordrecht/")


def test_built_pages_hold_no_payload_markup(payload_site: Path) -> None:
    """No tag or attribute of a payload survives as markup anywhere in the built site (the redirects too)."""
    pages = list(payload_site.rglob("*.html"))
    assert len(pages) > 10
    found = {str(p.relative_to(payload_site)): bad for p in pages
             for bad in [_markup_problems(p.read_text(encoding="utf-8"))] if bad}
    assert found == {}
    redirect = (payload_site / "actueel" / "regio" / "drechtsteden" / "index.html").read_text(encoding="utf-8")
    assert "<title>Doorverwijzing naar regio-label &lt;img src=x" in redirect


@pytest.fixture(scope="module")
def chromium_browser():
    from test_browser import CHROMIUM, CHROMIUM_ARGS, _missing

    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} ontbreekt")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        pw.stop()


@pytest.fixture(scope="module")
def payload_url(payload_site: Path):
    from test_browser import serve

    with serve(payload_site) as url:
        yield url


def _normal(text: str) -> str:
    return " ".join(text.split())


VIOLATIONS = """() => { window.__csp = []; document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''))); }"""


class _Watch:
    """A browser context that records every payload that runs (__pwn, dialogs) and every console message."""

    def __init__(self, browser, bypass_csp: bool) -> None:
        from test_browser import PATIENCE_MS

        self.context = browser.new_context(bypass_csp=bypass_csp, locale="nl-NL")
        self.context.set_default_timeout(PATIENCE_MS)
        self.pwned: list[str] = []
        self.console: list[str] = []
        self.context.expose_function("__pwn", lambda what: self.pwned.append(str(what)))
        self.context.add_init_script(f"({VIOLATIONS})()")
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: (self.pwned.append(f"dialog: {d.message}"), d.dismiss()))
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def visit(self, url: str) -> str:
        """Open the page, open every folded section, draw every chart, hover every chart; the visible text."""
        from test_browser import draw_all_charts

        page = self.page
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        try:
            draw_all_charts(page)  # waits for the event (all drawn), not for a fixed time
        except AssertionError as e:
            raise AssertionError(f"{e}; console: {self.console}") from None
        hover = page.evaluate("""() => [...document.querySelectorAll('.ceo-chart')].map(el => {
            const last = el.data[el.data.length - 1];  // on its own subplot in a chart of small multiples
            const subplot = (last.xaxis || 'x') + (last.yaxis || 'y');
            Plotly.Fx.hover(el, [{curveNumber: el.data.length - 1, pointNumber: 0}], subplot);
            const text = el.querySelector('.hovertext');
            return text ? text.textContent : '';
        }).join(' ')""")
        page.wait_for_timeout(200)  # (a payload calling __pwn is reported asynchronously)
        assert self.pwned == [], (url, self.pwned)
        # no element carries an event handler or a javascript: link, whatever the policy
        bad = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(el =>
            [...el.attributes].filter(a => /^on/i.test(a.name) ||
                (/^(href|src|action|formaction|data)$/i.test(a.name) && /^\\s*javascript:/i.test(a.value)))
              .map(a => el.tagName + ' ' + a.name + '=' + a.value))""")
        assert bad == [], (url, bad)
        return page.evaluate("""() => ({title: document.title, article: document.querySelector('article').innerText,
            charts: [...document.querySelectorAll('.ceo-chart .main-svg')].map(s => s.textContent).join(' ')})""") | {
            "hover": hover}

    def close(self) -> None:
        self.context.close()


@pytest.mark.browser
def test_no_payload_runs_even_without_the_policy(chromium_browser, payload_url: str) -> None:
    """The escaping alone stops every payload (the policy is bypassed here), and every label is shown
    literally: as text, not dropped."""
    watch = _Watch(chromium_browser, bypass_csp=True)
    try:
        shown = {path: {k: _normal(v) for k, v in watch.visit(payload_url + path).items()} for path in PAGES}
        # the search shows the labels in its results: they do not run there either
        page = watch.page
        page.goto(payload_url + "/")
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially("label", delay=10)
        page.locator(".md-search-result__item").first.wait_for()
        page.wait_for_timeout(500)
        results = _normal(page.locator(".md-search-result").inner_text())
    finally:
        watch.close()
    assert watch.pwned == []
    texts = {path: " ".join(parts.values()) for path, parts in shown.items()}
    for field, path in FIELDS.items():
        label = _normal(payload(field))
        # the subgroup's label is lower case in a sentence; the headline words (kop) start with a capital as the
        # label of a question in the factsheet's charts and group table
        assert label in texts[path] or (field == "subgroep" and label.lower() in texts[path]) or (
            field == "kop" and label[:1].upper() + label[1:] in texts[path]), field
    factsheet = texts[FACTSHEET]
    for literal in ("Kop {: onclick=__pwn('duiding-heading-attr') }", "<img src=x onerror=__pwn('duiding-img')>",
                  "[link](javascript:__pwn('duiding-js'))", "{: onclick=__pwn('duiding-attr') }",
                  "<details open ontoggle=__pwn('duiding-details')>", "＜img src=x onerror=__pwn('duiding-fw')＞",
                  "</script><script>__pwn('duiding-script')</script>", "![plaatje](https://example.org/x.png)"):
        assert literal in factsheet, literal
    assert _normal(payload("regio")) in shown["/2025/regio/drechtsteden/"]["title"]
    # in the charts (plotly reads HTML in its labels): the region in the trend's legend, the answer in the legend of
    # the distribution (the groups are in a table: the factsheet has no chart per subgroup since issue 11)
    charts = shown[FACTSHEET]["charts"]
    for field in ("regio", "antwoord"):
        assert _normal(payload(field)) in charts, field
    # the hover label of the distribution (the last trace: 'helemaal niet mee eens'; then the trend and bars)
    assert "helemaal niet mee eens: " in shown[FACTSHEET]["hover"]
    assert _normal(payload("regio")) in shown["/2025/regio/drechtsteden/"]["hover"]
    assert "label" in results


@pytest.mark.browser
def test_the_policy_blocks_inline_script_and_reports_nothing_on_normal_pages(chromium_browser,
                                                                            payload_url: str) -> None:
    """With the Content-Security-Policy: the pages load, draw their charts and search without a single
    violation or console message; markup injected into a page cannot run an inline handler."""
    from ceo.site.render import CONTENT_SECURITY_POLICY

    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "style-src 'self';" in CONTENT_SECURITY_POLICY
    watch = _Watch(chromium_browser, bypass_csp=False)
    try:
        for path in PAGES:
            watch.visit(payload_url + path)
            assert watch.page.evaluate("window.__csp") == [], path
            # plotly's own style rules apply without an inline <style> (assets/plotly-basic.css): its layers are
            # stacked, not laid out one below the other
            styles = watch.page.evaluate("""() => [...document.querySelectorAll('.ceo-chart .main-svg')]
                .map(s => getComputedStyle(s).position)""")
            assert set(styles) <= {"absolute"}, (path, styles)
            if styles:
                assert watch.page.evaluate("document.getElementById('plotly.js-style-global').tagName") == "LINK"
            assert watch.page.evaluate("document.querySelectorAll('style').length") == 0, path
        page = watch.page
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially("Dordrecht", delay=10)
        page.locator(".md-search-result__item").first.wait_for()
        assert page.evaluate("window.__csp") == []
        assert watch.console == []
        # defence in depth: even markup that got into the page cannot run
        page.evaluate("""() => {
            document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="__pwn(\\'csp-img\\')">');
            const s = document.createElement('script');
            s.textContent = "__pwn('csp-script')";
            document.body.appendChild(s);
            const a = document.createElement('a');
            a.href = "javascript:__pwn('csp-js')";
            document.body.appendChild(a);
            a.click();
        }""")
        # poll from outside: wait_for_function evaluates a string in the page, which this very policy forbids
        for _ in range(600):
            if page.evaluate("window.__csp.length") >= 3:
                break
            page.wait_for_timeout(100)
        violations = page.evaluate("window.__csp")
        assert len(violations) >= 3, violations
    finally:
        watch.close()
    assert watch.pwned == []
    assert all(v.startswith("script-src") for v in violations), violations


# --------------------------------------------------------------------------- issue 21: texts after cutting

def test_duiding_lead_is_sanitised_after_cutting(processed, tmp_path: Path) -> None:
    """The lead above the factsheet is the duiding's first paragraph cut at about 300 characters; a cut that
    removes the closing backtick of a code span must not turn the code span's text into raw HTML."""
    root, _ = _copy(processed, tmp_path)
    payloads = ("<script>__pwn('lead')</script>", "<style>body{display:none}</style>",
                '<meta http-equiv="refresh" content="0;url=https://example.org">')
    duiding = root / "duiding" / "2024" / "dordrecht.md"
    page = root / "site" / "2024" / "gemeente" / "dordrecht.md"
    for html_payload in payloads:
        text = "woord " * 30 + "`" + html_payload + " xxxxx " + "y" * 150 + "`\n\nTweede alinea.\n"
        duiding.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["site", "--project", str(root)])
        assert result.exit_code == 0, result.output
        markdown_text = page.read_text(encoding="utf-8")
        lead = markdown_text[:markdown_text.index("[Lees de hele duiding](#duiding)")].rsplit("</table>", 1)[-1]
        assert "woord woord" in lead and lead.strip().endswith("xxxxx …"), lead
        html = _render(lead)
        assert _markup_problems(html) == [] and "<script" not in html and "<style" not in html \
            and "<meta" not in html, html


def test_configured_urls_are_https_or_mailto(tmp_path: Path) -> None:
    root = _project(tmp_path)
    config = (root / "ceo.yaml").read_text(encoding="utf-8")
    for url in ("javascript:alert(1)", "https://x.nl/){:onclick=alert(1)}", "https://x.nl/\"onclick=\"a",
                "https://x.nl/[a](javascript:b)", "http://x.nl/"):
        (root / "ceo.yaml").write_text(config.replace("licentie: CC BY 4.0\n", "licentie:\n  naam: Eigen\n  url: "
                                                      f"{json.dumps(url)}\n"), encoding="utf-8")
        result = CliRunner().invoke(main, ["site", "--project", str(root)])
        assert result.exit_code == 2, (url, result.output)
        assert "licentie: url" in result.output and "regel" in result.output, result.output
    (root / "ceo.yaml").write_text(config.replace("licentie: CC BY 4.0\n", "licentie:\n  naam: Eigen\n  url: "
                                                  "https://example.org/licentie?a=1\n"), encoding="utf-8")
    assert CliRunner().invoke(main, ["site", "--project", str(root)]).exit_code == 0


# --------------------------------------------------------------------------- issue 21: the researcher's texts

PLANTED = ("jan.jansen@example.nl", "06-12345678", "123 456 782")


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A project with Wmo 2024 published, and the arguments that process the same delivery again."""
    from ceo.demo import write_demo_files

    base = tmp_path_factory.mktemp("texts")
    root = _project(base)
    for page in (ROOT / "site").glob("*.md"):
        shutil.copy(page, root / "site" / page.name)
    demo = write_demo_files(base / "demo").deliveries(2024)["wmo"]
    args = ["process", "--project", str(root), "--date", "2025-01-15", "--survey", "wmo", "--edition", "2024",
            "--mapping", str(demo.mapping), "--population", str(demo.population), *map(str, demo.inputs)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return root, args


def _copy(processed, tmp_path: Path) -> tuple[Path, list[str]]:
    root, args = processed
    target = tmp_path / "project"
    shutil.copytree(root, target)
    return target, [str(target) if a == str(root) else a for a in args]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("option", ["--revision", "--intrekken"])
def test_a_reason_with_identifiers_is_refused(processed, tmp_path: Path, option: str) -> None:
    root, args = _copy(processed, tmp_path)
    before = _tree(root)
    reason = f"gemeld door {PLANTED[0]} (tel. {PLANTED[1]}), bsn {PLANTED[2]}"
    result = CliRunner().invoke(main, [*args, option, reason])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    why = ("; de reden komt in de versiegeschiedenis op de site en in de open data. Beschrijf de reden zonder "
           "gegevens die een persoon aanwijzen")
    assert lines[-4:] == [
        f"{option}: de reden bij {option} bevat een e-mailadres ('{PLANTED[0]}'){why}",
        f"{option}: de reden bij {option} bevat een telefoonnummer ('{PLANTED[1]}'){why}",
        f"{option}: de reden bij {option} bevat een burgerservicenummer (BSN) ('{PLANTED[2]}'){why}",
        "3 problemen gevonden; er is niets geschreven."], lines
    assert _tree(root) == before
    # a reason without them is published as it is
    result = CliRunner().invoke(main, [*args, option, "correctie van de weging (melding 2025-17)"])
    assert result.exit_code == 0, result.output
    assert "correctie van de weging (melding 2025-17)" in (root / "site" / "2024" / "data" / "wmo.json").read_text(
        encoding="utf-8")


def test_published_metadata_names_no_input_file(processed) -> None:
    root, args = processed
    meta = json.loads((root / "site" / "2024" / "data" / "wmo.json").read_text(encoding="utf-8"))
    assert "bestanden" not in meta
    names = [Path(a).name for a in args if a.endswith((".sav", ".csv", ".xlsx"))]
    assert names
    published = "\n".join(p.read_text(encoding="utf-8") for p in (root / "site").rglob("*")
                          if p.is_file() and p.suffix in (".json", ".csv", ".md"))
    log = (root / "uitvoer" / "2024" / "log" / "wmo.log").read_text(encoding="utf-8")
    for name in names:
        assert name not in published and name in log, name


def test_duiding_with_identifiers_is_refused_with_its_line(processed, tmp_path: Path) -> None:
    root, _ = _copy(processed, tmp_path)
    duiding = root / "duiding" / "2024" / "dordrecht.md"
    duiding.write_text(f"<!-- mail {PLANTED[0]} -->\nDe wachttijd is korter.\n\nBel {PLANTED[1]} of mail "
                       "info@wijkteam.nl.\n", encoding="utf-8")
    before = _tree(root)
    result = CliRunner().invoke(main, ["site", "--project", str(root)])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-2:] == [
        f"duiding/2024/dordrecht.md: regel 4: de duiding bevat een telefoonnummer ('{PLANTED[1]}'); de duiding komt "
        "op de site. Haal het weg (het nummer of adres van een organisatie mag onder openbare_contactgegevens in "
        "ceo.yaml)", "1 probleem gevonden; er is niets geschreven."], result.output
    assert _tree(root) == before
    # an organisation's number declared in ceo.yaml may stay
    config = (root / "ceo.yaml").read_text(encoding="utf-8")
    (root / "ceo.yaml").write_text(config + '\nopenbare_contactgegevens: ["06 1234 5678"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["site", "--project", str(root)])
    assert result.exit_code == 0, result.output
    page = (root / "site" / "2024" / "gemeente" / "dordrecht.md").read_text(encoding="utf-8")
    assert PLANTED[1] in page and PLANTED[0] not in page


def test_a_folder_in_place_of_the_duiding_is_a_dutch_error(processed, tmp_path: Path) -> None:
    root, _ = _copy(processed, tmp_path)
    (root / "duiding" / "2024" / "dordrecht.md").unlink()
    (root / "duiding" / "2024" / "dordrecht.md").mkdir()
    before = _tree(root)
    result = CliRunner().invoke(main, ["site", "--project", str(root)])
    assert result.exit_code == 2, result.output
    assert "Interne fout" not in result.output
    assert result.output.splitlines()[-2:] == [
        "duiding/2024/dordrecht.md: dit is geen tekstbestand (een map of iets anders); de duiding hoort in een "
        "Markdown-bestand met deze naam. Verwijder of hernoem wat er staat",
        "1 probleem gevonden; er is niets geschreven."]
    assert _tree(root) == before


@pytest.mark.parametrize(("key", "value", "message"), [
    ("uitgever", "Onderzoek (bel 06-12345678)", "uitgever bevat een telefoonnummer ('06-12345678')"),
    ("naam", "CEO 2025 jan@example.nl", "naam bevat een e-mailadres ('jan@example.nl')"),
])
def test_identifiers_in_ceo_yaml_texts_are_refused(processed, tmp_path: Path, key, value, message) -> None:
    root, _ = _copy(processed, tmp_path)
    config = (root / "ceo.yaml").read_text(encoding="utf-8")
    line = next(i for i, x in enumerate(config.splitlines(), start=1) if x.startswith(f"{key}:"))
    lines = config.splitlines()
    lines[line - 1] = f"{key}: {json.dumps(value)}"
    (root / "ceo.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["site", "--project", str(root)])
    assert result.exit_code == 2, result.output
    assert f"ceo.yaml, regel {line}: " in result.output and message in result.output, result.output
