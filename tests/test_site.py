"""The factsheet site of the demo project, without a browser: the MkDocs build, the content of every
factsheet (headline, question, base, source, suppression, indicative figures), the navigation, the
revision flow, the researcher's duiding, reproducible downloads and no external resources."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from ceo.cli import main
from ceo.core import texts
from ceo.site.render import THEME_ORDER, THEME_TITLES, plain_reason

ROOT = Path(__file__).resolve().parent.parent
DATE = "2026-01-15"
EDITIONS = [2023, 2024, 2025]
NEWEST = 2025
SURVEYS = ["wmo", "jeugd", "professionals"]
HAND_WRITTEN = sorted(p.name for p in (ROOT / "site").glob("*.md"))
INDICATIVE = "weinig respondenten of een brede marge"  # the factsheet's words (ceo.site.factsheet)
NBSP = "\u00a0"


def make_project(parent: Path) -> Path:
    """A fresh project directory like the ``project`` fixture (ceo.yaml, mkdocs.yml, hand-written pages)."""
    root = parent / "project"
    root.mkdir(parents=True)
    shutil.copy(ROOT / "ceo.yaml", root / "ceo.yaml")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "site").mkdir()
    for page in HAND_WRITTEN:
        shutil.copy(ROOT / "site" / page, root / "site" / page)
    return root


def run_demo(root: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--project", str(root), "--date", DATE])
    assert result.exit_code == 0, result.output


def mkdocs_build(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def _runs(tmp_path_factory: pytest.TempPathFactory):
    """Two independent runs of the demo with the same date: the first one in this process, the second one
    at the same time in a subprocess (it is only needed by the later tests)."""
    first = make_project(tmp_path_factory.mktemp("site_demo"))
    second = make_project(tmp_path_factory.mktemp("site_demo2"))
    proc = subprocess.Popen([sys.executable, "-m", "ceo", "demo", "--project", str(second), "--date", DATE],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        run_demo(first)
        yield first, second, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.fixture(scope="module")
def demo(_runs) -> Path:
    """The processed demo project (all editions and surveys); treated as read-only by the tests."""
    return _runs[0]


@pytest.fixture(scope="module")
def built(demo: Path) -> Path:
    """The demo site built with ``mkdocs build --strict`` (``public/``)."""
    result = mkdocs_build(demo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return demo / "public"


@pytest.fixture(scope="module")
def second_run(_runs) -> Path:
    """The second demo run (read-only; the revision test works on a copy)."""
    _, root, proc = _runs
    output, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, output
    return root


# ---------------------------------------------------------------------------------------------
# Helpers: reading the generated pages
# ---------------------------------------------------------------------------------------------


def factsheets(site: Path) -> list[Path]:
    return sorted(site.glob("20*/gemeente/*.md")) + sorted(site.glob("20*/regio/*.md"))


def split_sections(text: str, level: int) -> list[tuple[str, str]]:
    """(heading, body) for every heading of exactly this level."""
    marker = "#" * level + " "
    parts = re.split(rf"(?m)^{re.escape(marker)}(.+)$", text)
    return [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]


def load(site: Path, year: int, survey: str) -> tuple[dict, pd.DataFrame]:
    data = site / str(year) / "data"
    meta = json.loads((data / f"{survey}.json").read_text(encoding="utf-8"))
    table = pd.read_csv(data / f"{survey}.csv", dtype={"subgroep_waarde": str}, keep_default_na=False,
                        na_values=[""])
    for c in ("subgroep", "subgroep_waarde", "categorie", "reden"):
        table[c] = table[c].fillna("")
    return meta, table


def area_of(page: Path, table: pd.DataFrame) -> tuple[str, str] | None:
    """(code, name) of the area of a factsheet, or None when the survey does not cover it."""
    from ceo.site.render import slug

    areas = table[["gebied_code", "gebied_naam", "gebied_niveau"]].drop_duplicates()
    for r in areas.itertuples(index=False):
        if page.parent.name == "gemeente" and r.gebied_niveau == "gemeente" and slug(r.gebied_naam) == page.stem:
            return r.gebied_code, r.gebied_naam
        if page.parent.name == "regio" and r.gebied_niveau != "gemeente" and slug(r.gebied_code) == page.stem:
            return r.gebied_code, r.gebied_naam
    return None


def wording(q: dict) -> str:
    v = q["vraag"]
    return next(iter(v.values())) if isinstance(v, dict) else v


def row_title(q: dict) -> str:
    """The title of an indicator in the factsheet (heading of its block, row header in subgroup tables)."""
    if q["soort"] == "gemiddelde":
        return "Rapportcijfer"
    if q["soort"] == "percentage_codes":
        return f"Rapportcijfer: {q['label']}"
    return wording(q)


def value_text(r: dict, ci: bool = False) -> str:
    """'72 %', '7,4 *', or with the interval: '72 % (66–77 %)', '7,4 (7,2–7,6) *'."""
    mean = r["soort"] == "gemiddelde"
    text = texts.number(r["waarde"], 1) if mean else texts.pct(r["waarde"])
    if ci:  # with a word joiner after the dash: no line break inside the interval
        interval = texts.interval(r["ondergrens"], r["bovengrens"], 1 if mean else 0, percent=not mean)
        text += " (" + interval.replace("–", "–\u2060") + ")"
    return text + (" *" if r["indicatief"] == "ja" else "")


def tables_with_notes(html_text: str) -> dict[str, tuple[ET.Element, str]]:
    """Caption -> (parsed table, text of the note below it) for every table in a page."""
    out = {}
    # (a factsheet table sits in mkdocs-material's scroll wrapper, with the note right after the wrapper)
    for m in re.finditer(r'(<table[^>]*>.*?</table>)(?:</div></div>)?(?:\n<p class="ceo-note">(.*?)</p>)?',
                         html_text):
        el = ET.fromstring(m.group(1))
        caption = "".join(el.find("caption").itertext())
        out[caption] = (el, m.group(2) or "")
    return out


def cell_texts(table: ET.Element) -> tuple[list[str], dict[str, list[ET.Element]]]:
    """The column headers (the first row, all <th>) and {row header: data cells} of the other rows."""
    first, *others = table.iter("tr")
    assert all(c.tag == "th" for c in first), "the first row holds the column headers"
    headers = ["".join(th.itertext()) for th in first]
    rows = {}
    for tr in others:
        cells = list(tr)
        assert cells[0].tag == "th", "the first cell of a row is its row header"
        rows["".join(cells[0].itertext())] = cells[1:]
    return headers[1:], rows


SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def note_marker(text: str) -> str | None:
    """The note number after a '—' ('—²' -> '2'), None without one."""
    digits = "".join(str(SUPERSCRIPT.index(c)) for c in text.removeprefix("—") if c in SUPERSCRIPT)
    return digits or None


def note_reasons(note: str) -> dict[str | None, str]:
    """The reasons in a table note: {footnote number or None: reason} (HTML entities resolved)."""
    import html

    m = re.search(r"— niet gepubliceerd: (.*?)\.(?: \* indicatief| Niet in de tabel|$)", note)
    if not m:
        return {}
    parts = re.split(rf"(?:^|; )([{SUPERSCRIPT}]+) ", m.group(1))
    if len(parts) == 1:
        return {None: html.unescape(parts[0])}
    return {note_marker(parts[i]): html.unescape(parts[i + 1].strip()) for i in range(1, len(parts), 2)}


def hidden_groups(note: str, groups: set[str]) -> dict[str, list[str]]:
    """The groups (of ``groups``) left out of a subgroup table because all their figures are suppressed:
    {group: reasons}."""
    import html

    # below a table: 'Niet in de tabel, omdat ...: a (reden); b (reden).'; without a table: 'Geen cijfers naar x; ...'
    m = re.search(r"(?:Niet in de tabel, omdat al hun cijfers onderdrukt zijn|; alle cijfers zijn onderdrukt): (.*)\.$",
                  note)
    if not m:
        return {}
    out = {}
    for part in html.unescape(m.group(1)).split("; "):
        group = next(g for g in groups if part.startswith(f"{g} (") and part.endswith(")"))
        out[group] = part[len(group) + 2 : -1].split(" / ")
    return out


# ---------------------------------------------------------------------------------------------
# Build, navigation, external resources
# ---------------------------------------------------------------------------------------------


def test_mkdocs_build_strict(built: Path) -> None:
    for y in EDITIONS:
        assert (built / str(y) / "index.html").is_file()
        assert (built / str(y) / "gemeente" / "dordrecht" / "index.html").is_file()
        assert (built / str(y) / "verantwoording" / "index.html").is_file()
        for s in SURVEYS:
            assert (built / str(y) / "data" / f"{s}.csv").is_file()
        assert (built / str(y) / "data" / f"ceo_{y}.xlsx").is_file()
    assert (built / "actueel" / "gemeente" / "dordrecht" / "index.html").is_file()
    assert (built / "assets" / "plotly-basic.min.js").is_file()
    assert (built / "cijfers" / "index.html").is_file()


def _nav_pages(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [p for item in nav for p in _nav_pages(item)]
    if isinstance(nav, dict):
        return [p for v in nav.values() for p in _nav_pages(v)]
    return []


def test_nav_is_independent_of_the_number_of_gemeenten(demo: Path, built: Path) -> None:
    config = yaml.safe_load((demo / "mkdocs.yml").read_text(encoding="utf-8"))
    pages = _nav_pages(config["nav"])
    assert pages
    # only the hand-written pages and the one site-wide entry page; never an edition, factsheet or region
    assert set(pages) <= set(HAND_WRITTEN) | {"cijfers/index.md"}, pages
    for p in pages:
        assert not re.match(r"\d{4}/|actueel/", p), p
    # and the built navigation links to no generated page either
    home = (built / "index.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>\s*</div>\s*</div>', home, re.S)
    assert nav, "primary navigation not found"
    links = re.findall(r'href="([^"]+)"', nav.group(0))
    assert not [h for h in links if re.search(r"(^|/)(20\d\d|gemeente|regio|actueel)/", h)], links
    assert len({h for h in links if not h.startswith("#")}) <= len(pages) + 1  # + the site root link


_RESOURCE = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*?\bsrcs?(?:et)?\s*=\s*["']([^"']+)["']"""
    # <link rel="canonical"> names the page's own address (site_url); a browser never fetches it
    r"""|<link\b(?![^>]*\brel\s*=\s*["']canonical["'])[^>]*?\bhref\s*=\s*["']([^"']+)["']"""
    r"""|<object\b[^>]*?\bdata\s*=\s*["']([^"']+)["']"""
    r"""|@import\s+(?:url\()?["']?([^"')\s;]+)"""
    r"""|url\(\s*["']?([^"')]+)""",
    re.I,
)


def _external(url: str) -> bool:
    url = url.strip()
    if url.startswith("//"):
        return True
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname not in ("127.0.0.1", "localhost")


def test_no_external_resources(demo: Path, built: Path) -> None:
    # the generated pages contain no external URL at all (only the hand-written pages may link out), except the
    # addresses the researcher configured in ceo.yaml: the site's own address (canonical links of actueel/, the
    # citation) and the licence (footer, page 'Gegevens') -- links, never resources (checked below)
    from ceo.validate.project import load_project

    config = load_project(demo)
    configured = tuple(u for u in (config.site_url, config.licence[1], config.contact[1]) if u.startswith("https://"))
    assert configured  # the demo configures them: the exception below is not empty by accident
    generated = [p for p in (demo / "site").rglob("*") if p.is_file() and p.suffix in (".md", ".html", ".js")
                 and p.relative_to(demo / "site").parts[0] not in {"index.md", *HAND_WRITTEN}]
    assert any(p.name == "dordrecht.md" for p in generated)
    for p in generated:
        if p.name == "plotly-basic.min.js":  # third-party library: checked by what the browser requests
            continue
        found = [u for u in re.findall(r"https?://[^\s\"'<>)]+", p.read_text(encoding="utf-8"))
                 if not u.startswith(configured)]
        assert not found, f"{p}: {found[:5]}"
    # no script, stylesheet, font, image or frame from another host anywhere in the built site
    offenders = []
    for p in built.rglob("*"):
        if p.suffix not in (".html", ".css") or not p.is_file():
            continue
        text = p.read_text(encoding="utf-8", errors="replace")
        for m in _RESOURCE.finditer(text):
            url = next(g for g in m.groups() if g is not None)
            for u in url.split(","):  # srcset
                u = u.strip().split(" ")[0]
                if _external(u) and not u.startswith("http://www.w3.org/"):
                    offenders.append(f"{p.relative_to(built)}: {u}")
    assert not offenders, offenders[:20]
    assert "fonts.googleapis" not in (built / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Factsheets
# ---------------------------------------------------------------------------------------------

HEADING_ID = re.compile(r"\s*\{#([a-z0-9-]+)(?: [^}]*)?\}$")


def heading_text(h: str) -> str:
    """A heading without its attribute list ('Toegang {#wmo-toegang .ceo-fs-kop}' -> 'Toegang')."""
    return HEADING_ID.sub("", h)


def sections(text: str, level: int) -> dict[str, str]:
    return {heading_text(h): body for h, body in split_sections(text, level)}


def _ref(r: dict, which: str) -> str:
    """What the factsheet says about a comparison, computed independently: '▼ lager (76 %)', '= gelijk (7,3)',
    the comparator's value alone when it was not tested, '' without one."""
    mean = r["soort"] == "gemiddelde"
    ref = r["waarde_vorige"] if which == "vorige" else r["waarde_rest_regio"]
    if r["onderdrukt"] == "ja" or pd.isna(ref):
        return ""
    value = texts.number(ref, 1) if mean else texts.pct(ref)
    flag = r[f"significant_{which}"]
    if flag == "ja":
        return ("▲ hoger" if r[f"verschil_{which}"] > 0 else "▼ lager") + f" ({value})"
    if flag == "nee":
        return f"= gelijk ({value})"
    return value


def _views(meta: dict, here: pd.DataFrame) -> list[tuple[str | None, pd.DataFrame]]:
    kop = meta.get("kop_per")
    if not kop:
        return [(None, here[here["subgroep"] == ""])]
    return [(g["variant"], here[(here["subgroep"] == kop["subgroep"]) & (here["subgroep_waarde"] == g["waarde"])])
            for g in kop["groepen"]]


def question_text(q: dict, variant: str | None) -> str:
    """The row header of a question in the theme tables: the literal question (of the variant)."""
    v = q["vraag"]
    if isinstance(v, dict):
        v = v[variant] if variant else " / ".join(v.values())
    if q["soort"] == "percentage_codes":
        return f"{v} (% onvoldoende: 1 tot en met 5)"
    return v


def test_every_factsheet_has_a_table_per_theme_with_the_comparisons(demo: Path) -> None:
    """One row per question in the table of its theme: the question, the figure, the marge, n, weet niet, and the
    comparison with the previous edition and with the rest of the region; the source in the page footer."""
    site = demo / "site"
    pages = factsheets(site)
    assert len(pages) == len(EDITIONS) * (6 + 2)  # six gemeenten, Drechtsteden and the total
    rank = {t: i for i, t in enumerate(THEME_ORDER)}
    checked = indicative = marked = 0
    for page in pages:
        year = int(page.parent.parent.name)
        text = page.read_text(encoding="utf-8")
        assert text.startswith("---\ntitle: "), page
        by_title = sections(text, 2)
        footer = re.search(r'<div class="ceo-meta"[^>]*>(.*?)</div>', text).group(1)
        for survey in SURVEYS:
            meta, table = load(site, year, survey)
            area = area_of(page, table)
            if area is None:
                assert meta["titel"] not in by_title
                continue
            code, name = area
            assert f"## {meta['titel']} {{#{survey}}}" in text, page
            body = by_title[meta["titel"]]
            sources = re.findall(r'<span class="ceo-source">(.*?)</span>', footer)
            mine = [s for s in sources if s.startswith(f"Bron: {meta['korte_titel']} {year}, ")]
            assert len(mine) == 1 and meta["weging"] in mine[0], (page, survey)
            here = table[(table["gebied_code"] == code) & (table["categorie"] == "")]
            gemeente = page.parent.name == "gemeente"
            themes = sections(body, 3)
            for variant, head in _views(meta, here):
                rows_v = {r["indicator"]: r for r in head.to_dict("records")}
                by_theme: dict[str, list] = {}
                for q in sorted((q for q in meta["vragen"] if q["indicator"] in rows_v),
                                key=lambda q: (rank.get(q.get("thema") or "", len(rank)), q["volgorde"])):
                    by_theme.setdefault(q.get("thema") or "overig", []).append(q)
                for theme, qs in by_theme.items():
                    title = ((variant[:1].upper() + variant[1:] + ": ") if variant else "") + \
                        THEME_TITLES.get(theme, theme.capitalize())
                    anchor = "-".join(x for x in (survey, variant, theme) if x)
                    assert f"### {title} {{#{anchor} .ceo-fs-kop}}" in body, (page, title)
                    short = {"wmo": "Wmo", "jeugd": "Jeugd", "professionals": "Professionals"}[survey]
                    caption = f"{short}, {title[:1].lower() + title[1:]}: {name} {year}"
                    el, note = tables_with_notes(themes[title])[caption]
                    headers, cells = cell_texts(el)
                    # no column for the previous edition when none of the questions was compared with one (the
                    # first edition)
                    first = not any(_ref(rows_v[q["indicator"]], "vorige") for q in qs)
                    assert first or year > EDITIONS[0]
                    assert headers[:4] == ["Uitkomst", "Marge", "n", "Weet niet"], headers
                    assert len(headers) == 4 + (not first) + gemeente, headers
                    if not first:
                        assert headers[4].startswith(("Sinds ", "Vorige editie")), headers
                    if gemeente:
                        region = meta["regios"]["drechtsteden"]  # the demo's only region
                        assert headers[-1] == f"Rest van {region}", headers
                    assert list(cells) == [question_text(q, variant) for q in qs], (page, title)
                    for q in qs:
                        r = rows_v[q["indicator"]]
                        got = ["".join(c.itertext()) for c in cells[question_text(q, variant)]]
                        if r["onderdrukt"] == "ja":
                            # a visible '—' with its reason for screen readers; the margin a '—' too
                            assert got[0].startswith("—") and got[1] == "—geen cijfer", (page, got)
                            assert got[0].endswith(f"niet gepubliceerd: {plain_reason(r['reden'])}"), (page, got)
                            assert got[2] == texts.n_text(r), (page, got)
                        else:
                            value = value_text(r) + (" (gemiddeld)" if r["soort"] == "gemiddelde" else "")
                            assert got[0] == value, (page, q["indicator"], got)
                            half = (r["bovengrens"] - r["ondergrens"]) / 2
                            assert got[1] == "± " + texts.number(half, 1 if r["soort"] == "gemiddelde" else 0)
                            assert got[2] == texts.number(r["n"]) and got[3] == texts.number(r["n_geen_oordeel"])
                            indicative += r["indicatief"] == "ja"
                        if not first:
                            assert got[4] == _ref(r, "vorige"), (page, q["indicator"], got)
                        if gemeente:
                            assert got[-1] == _ref(r, "regio"), (page, q["indicator"], got)
                            marked += got[-1][:1] in "▲▼"
                        checked += 1
                    shown = [rows_v[q["indicator"]] for q in qs if rows_v[q["indicator"]]["onderdrukt"] == "nee"]
                    if any(r["indicatief"] == "ja" for r in shown):
                        assert "* indicatief: weinig respondenten of een brede marge." in note, note
    assert checked > 500 and indicative > 0 and marked > 0, (checked, indicative, marked)


def test_kernpunten_show_the_key_figures_with_the_tested_comparisons(demo: Path) -> None:
    """The Kernpunten table right below the h1: per survey (and questionnaire variant) the codebook's
    kernindicatoren with the figure and the same comparisons, with the same numbers, as the tables below."""
    site = demo / "site"
    checked = 0
    for page in factsheets(site):
        year = int(page.parent.parent.name)
        text = page.read_text(encoding="utf-8")
        lines = text.splitlines()
        h1 = next(i for i, line in enumerate(lines) if line.startswith("# "))
        assert lines[h1 + 1:].index("## Kernpunten {#kernpunten}") <= 6, page  # h1, banner, nav, Kernpunten
        kern = ET.fromstring(re.search(r'<table class="ceo-kern">.*?</table>', text).group(0))
        rows = list(kern.iter("tr"))
        header = ["".join(c.itertext()) for c in rows[0]]
        gemeente = page.parent.name == "gemeente"
        first = year == EDITIONS[0]  # no column 'Sinds ...' in the first edition
        assert header[:2] == ["Onderwerp", str(year)], header
        assert len(header) == 2 + (not first) + gemeente, header
        groups: dict[str, list[list[str]]] = {}
        current = None
        for tr in rows[1:]:
            cells = ["".join(c.itertext()) for c in tr]
            if tr.get("class") == "ceo-kern-groep":
                current = cells[0].split(" (")[0]
                groups[current] = []
            else:
                groups[current].append(cells)
        for survey in SURVEYS:
            meta, table = load(site, year, survey)
            area = area_of(page, table)
            if area is None:
                continue
            here = table[(table["gebied_code"] == area[0]) & (table["categorie"] == "")]
            short = {"wmo": "Wmo", "jeugd": "Jeugd", "professionals": "Professionals"}[survey]
            for variant, head in _views(meta, here):
                rows_v = {r["indicator"]: r for r in head.to_dict("records")}
                got = groups[f"{short}: {variant}" if variant else short]
                expected = [k for k in meta["kernindicatoren"] if k["indicator"] in rows_v]
                assert [g[0] for g in got] == [k["kort"] for k in expected], (page, survey)
                for k, cells in zip(expected, got, strict=True):
                    r = rows_v[k["indicator"]]
                    assert cells[1] == (value_text(r) if r["onderdrukt"] == "nee" else cells[1]), (page, cells)
                    if not first:
                        assert cells[2] == _ref(r, "vorige"), (page, cells)
                    if gemeente:
                        assert cells[-1] == _ref(r, "regio"), (page, cells)
                    checked += 1
    assert checked > 300


def test_subgroup_tables_with_marge_n_and_suppression(demo: Path) -> None:
    """The key figures per group, one table per survey: every cell the value, marge and n (with * when
    indicative), or — with its reason; a group without any published key figure is named in the note."""
    site = demo / "site"
    counts = {"suppressed": 0, "indicative": 0, "value": 0, "hidden": 0}
    for page in factsheets(site):
        year = int(page.parent.parent.name)
        text = page.read_text(encoding="utf-8")
        tables = tables_with_notes(text)
        for survey in SURVEYS:
            meta, table = load(site, year, survey)
            area = area_of(page, table)
            if area is None:
                continue
            code, name = area
            kop = (meta.get("kop_per") or {}).get("subgroep")
            breakdowns = [sg for sg in meta["subgroepen"] if sg["id"] != kop]
            sub = table[(table["gebied_code"] == code) & table["subgroep"].isin([sg["id"] for sg in breakdowns])
                        & (table["categorie"] == "")]
            keys = [k["indicator"] for k in meta["kernindicatoren"]]
            sub = sub[sub["indicator"].isin(keys)]
            if not len(sub):
                continue
            short = {"wmo": "Wmo", "jeugd": "Jeugd", "professionals": "Professionals"}[survey]
            caption = (f"{short}: kernpunten van {name} per groep: percentage of cijfer, met marge en aantal "
                       "respondenten (n)")
            if caption not in tables:
                assert (sub["onderdrukt"] == "ja").all(), page
                continue
            el, note = tables[caption]
            reasons = note_reasons(note)
            hidden = hidden_groups(note, {f"{sg['label'].lower()} {v}" for sg in breakdowns
                                          for v in sub.loc[sub["subgroep"] == sg["id"], "subgroep_waarde"]})
            label = {sg["label"].lower(): sg["id"] for sg in breakdowns}
            trs = list(el.iter("tr"))
            columns = ["".join(c.itertext()) for c in trs[0]][1:]
            present = [k for k in keys if k in set(sub["indicator"])]
            assert len(columns) == len(present), (page, columns)
            cell = {(r["subgroep"], r["subgroep_waarde"], r["indicator"]): r for r in sub.to_dict("records")}
            current = None
            seen = set()
            for tr in trs[1:]:
                cells = ["".join(c.itertext()) for c in tr]
                if tr.get("class") == "ceo-kern-groep":
                    current = label[cells[0].removeprefix("Naar ")]
                    continue
                if cells[0] == "Verschillen de groepen?":
                    continue
                seen.add((current, cells[0]))
                for k, shown in zip(present, cells[1:], strict=True):
                    r = cell[(current, cells[0], k)]
                    if r["onderdrukt"] == "ja":
                        assert shown.startswith("—"), (page, shown)
                        assert reasons.get(note_marker(shown)) == plain_reason(r["reden"]), (page, note)
                        counts["suppressed"] += 1
                    else:
                        half = (r["bovengrens"] - r["ondergrens"]) / 2
                        marge = "± " + texts.number(half, 1 if r["soort"] == "gemiddelde" else 0)
                        assert shown == f"{value_text(r)} {marge} · n = {texts.number(r['n'])}", (page, shown)
                        counts["value"] += 1
                        counts["indicative"] += r["indicatief"] == "ja"
            for r in sub.to_dict("records"):
                if (r["subgroep"], r["subgroep_waarde"]) not in seen:
                    sg_label = next(sg["label"].lower() for sg in breakdowns if sg["id"] == r["subgroep"])
                    assert r["onderdrukt"] == "ja", (page, r["subgroep_waarde"])
                    assert plain_reason(r["reden"]) in hidden[f"{sg_label} {r['subgroep_waarde']}"], (page, note)
                    counts["hidden"] += 1
    assert min(counts.values()) > 0, counts


def _chart_specs(text: str) -> list[dict]:
    return [json.loads(m.group(1).replace("<\\/", "</"))
            for m in re.finditer(r'<script type="application/vnd\.ceo-chart\+json">(.*?)</script>', text)]


def test_factsheet_charts_are_few_titled_and_show_the_tested_comparator(demo: Path) -> None:
    """At most 8 charts a factsheet, each with a visible title right above it and a text alternative; the
    overview chart shows the rest of the region (the comparator that was tested) with the same numbers as the
    tables, and the previous edition."""
    site = demo / "site"
    overview_checked = 0
    for page in factsheets(site):
        year = int(page.parent.parent.name)
        text = page.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if line.strip()]
        specs = _chart_specs(text)
        assert 1 <= len(specs) <= 8, (page, len(specs))
        for i, line in enumerate(lines):
            if line.startswith("<script"):
                assert lines[i - 1].startswith('<p class="ceo-fs-charttitle">'), (page, lines[i - 1][:80])
        for spec in specs:
            assert spec["label"].strip() and spec["layout"]["separators"] == ",."
            assert "95%-BI" not in spec["label"] and "significant" not in spec["label"]
        if page.parent.name != "gemeente":
            continue
        by_title = sections(text, 2)
        for survey in SURVEYS:
            meta, table = load(site, year, survey)
            area = area_of(page, table)
            if area is None:
                continue
            body = by_title[meta["titel"]]
            spec = _chart_specs(body)[0]  # the overview chart opens the survey's section
            names = [t["name"] for t in spec["data"]]
            region = meta["regios"]["drechtsteden"]
            assert names[:2] == [area[1], f"rest van {region}"], names
            here = table[(table["gebied_code"] == area[0]) & (table["categorie"] == "")]
            rank = {t: i for i, t in enumerate(THEME_ORDER)}
            expected = []
            for _variant, head in _views(meta, here):
                rows_v = {r["indicator"]: r for r in head.to_dict("records")}
                for q in sorted((q for q in meta["vragen"] if q["indicator"] in rows_v),
                                key=lambda q: (rank.get(q.get("thema") or "", len(rank)), q["volgorde"])):
                    r = rows_v[q["indicator"]]
                    if q["soort"] == "percentage_positief" and r["onderdrukt"] == "nee":
                        expected.append(r)
            assert spec["data"][0]["x"] == pytest.approx([r["waarde"] for r in expected]), page
            rest = spec["data"][1]["x"]
            assert rest == pytest.approx([r["waarde_rest_regio"] for r in expected], nan_ok=True), page
            # the same rounded numbers in the tables below the chart
            for r, x in zip(expected, rest, strict=True):
                assert f"({texts.pct(x)})" in _ref(r, "regio") or _ref(r, "regio") == texts.pct(x)
                overview_checked += 1
    assert overview_checked > 200


def test_factsheet_text_has_no_jargon_and_the_details_in_the_footer(demo: Path) -> None:
    """No '95%-BI', 'significant', α, raking, revision numbers or input hashes in the body of a factsheet (they
    are in the verantwoording); the technical details are in the footer block (class ceo-meta)."""
    site = demo / "site"
    for page in factsheets(site):
        year = int(page.parent.parent.name)
        text = page.read_text(encoding="utf-8")
        footer = re.search(r'<div class="ceo-meta"[^>]*>.*?</div>', text).group(0)
        assert text.rstrip().endswith(footer), page  # the last thing on the page
        body = text.replace(footer, "")
        for word in ("95%-BI", "BI ", "significant", "α", "raking", "revisie", "Cronbach", "p = ",
                     "betrouwbaarheidsinterval"):
            assert word not in body, (page, word)
        for survey in SURVEYS:
            meta, _table = load(site, year, survey)
            assert meta["vingerafdruk"][:12] not in body
        assert "revisie" in footer and "ceo " in footer
        assert "## Zo leest u deze cijfers {#zo-leest-u}" in text
        assert "het verschil is te klein om zeker te zijn" in text


def test_factsheet_navigation_anchors_switcher_and_banner(demo: Path, built: Path) -> None:
    site = demo / "site"
    for year in EDITIONS:
        gemeenten = sorted(p.stem for p in (site / str(year) / "gemeente").glob("*.md"))
        for slug_ in gemeenten:
            text = (site / str(year) / "gemeente" / f"{slug_}.md").read_text(encoding="utf-8")
            nav = re.search(r'<nav class="ceo-fs-nav" aria-label="Snel naar"[^>]*>(.*?)</nav>', text).group(1)
            trend = ["ontwikkeling"] if year > EDITIONS[0] else []  # the first edition has no trend
            assert re.findall(r'href="#([a-z]+)"', nav) == ["wmo", "jeugd", "professionals", *trend]
            assert ("## Ontwikkeling sinds" in text) == bool(trend)
            switcher = re.search(r"<details class=\"ceo-fs-switch\"><summary>Andere gemeente</summary>(.*?)</details>",
                                 nav).group(1)
            targets = re.findall(r'<li><a href="\.\./([a-z-]+)/"', switcher)
            assert sorted(set(targets) | {slug_}) == gemeenten, (year, slug_, targets)
            assert '<li><a href="./" aria-current="page">' in switcher
            assert f'<a href="../../../actueel/gemeente/{slug_}/">actueel/gemeente/{slug_}/</a>' in text
            if year < NEWEST:
                assert (f"Er is een nieuwere editie: [{NEWEST}](../../{NEWEST}/gemeente/{slug_}.md)\n"
                        '{: .ceo-fs-banner role="note" }') in text
            else:
                assert "Er is een nieuwere editie" not in text
    # stable, meaningful anchors in the built page (no positional '_3' ids for the sections)
    html = (built / "2025" / "gemeente" / "dordrecht" / "index.html").read_text(encoding="utf-8")
    for anchor in ("kernpunten", "zo-leest-u", "ontwikkeling", "wmo", "wmo-toegang", "wmo-rapportcijfer", "jeugd",
                   "jeugd-ouders-toegang", "jeugd-jeugdigen-rapportcijfer", "professionals",
                   "professionals-samenwerking", "wmo-uitsplitsingen"):
        assert f'id="{anchor}"' in html, anchor
    assert not re.search(r'<h[2-4] id="[^"]*_\d+"', html)
    summaries = re.findall(r"<summary>(.*?)</summary>", html)
    assert len(summaries) == len(set(summaries)), summaries  # every disclosure has its own name


def test_edition_links_and_actueel_redirects(demo: Path, built: Path) -> None:
    site = demo / "site"
    text = (site / "2025" / "gemeente" / "dordrecht.md").read_text(encoding="utf-8")
    assert "**Andere edities:** [2023](../../2023/gemeente/dordrecht.md) · [2024](../../2024/gemeente/dordrecht.md)" \
        in text
    html = (built / "2024" / "gemeente" / "dordrecht" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../../2023/gemeente/dordrecht/"' in html and 'href="../../../2025/gemeente/dordrecht/"' in html
    redirect = (built / "actueel" / "gemeente" / "dordrecht" / "index.html").read_text(encoding="utf-8")
    assert 'content="0; url=../../../2025/gemeente/dordrecht/"' in redirect


# ---------------------------------------------------------------------------------------------
# Reproducibility, duiding and revisions (on a second, independent run of the demo)
# ---------------------------------------------------------------------------------------------


def _tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_downloads_are_reproducible(demo: Path, second_run: Path) -> None:
    for y in EDITIONS:
        a = (demo / "site" / str(y) / "data" / f"ceo_{y}.xlsx").read_bytes()
        b = (second_run / "site" / str(y) / "data" / f"ceo_{y}.xlsx").read_bytes()
        assert a[:2] == b"PK" and a == b, f"ceo_{y}.xlsx differs between two runs with the same --date"
    one, two = _tree(demo / "site"), _tree(second_run / "site")
    assert one.keys() == two.keys()
    assert [k for k in one if one[k] != two[k]] == []


def test_duiding_and_revision(second_run: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(second_run, root)  # the second run itself stays as it was (reproducibility test)
    runner = CliRunner()
    site = root / "site"
    duiding = root / "duiding" / "2025" / "dordrecht.md"
    page = site / "2025" / "gemeente" / "dordrecht.md"
    # created empty (a comment only) once per area and edition: no Duiding section yet
    assert duiding.is_file() and "<!--" in duiding.read_text(encoding="utf-8")
    assert "## Duiding" not in page.read_text(encoding="utf-8")

    # the researcher writes an interpretation; 'ceo site' puts it in the factsheet
    written = ("<!-- alleen voor de onderzoeker -->\n# Wachttijden\n\n"
               "De wachttijd voor een keukentafelgesprek in Dordrecht is in 2025 verkort.\n")
    duiding.write_text(written, encoding="utf-8")
    result = runner.invoke(main, ["site", "--project", str(root)])
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "## Duiding {#duiding}\n\n### Wachttijden\n\nDe wachttijd voor een keukentafelgesprek in Dordrecht" in text
    # its first paragraph in the Kernpunten, with a link to the whole text
    kern = text.split("## Kernpunten", 1)[1].split("\n## ", 1)[0]
    assert "De wachttijd voor een keukentafelgesprek in Dordrecht is in 2025 verkort." in kern
    assert "[Lees de hele duiding](#duiding)" in kern
    assert "alleen voor de onderzoeker" not in text
    assert "keukentafelgesprek" not in (site / "2025" / "gemeente" / "zwijndrecht.md").read_text(encoding="utf-8")
    assert "keukentafelgesprek" not in (site / "2024" / "gemeente" / "dordrecht.md").read_text(encoding="utf-8")

    # processing a published edition again needs a reason
    delivery = root / "invoer" / "demo" / "2025"
    original = delivery / "jeugd_2025.csv"
    population = delivery / "populatie_jeugd_2025.csv"
    args = ["process", "--survey", "jeugd", "--edition", "2025", "--population", str(population),
            "--project", str(root), "--date", "2026-02-01"]
    old_csv = (site / "2025" / "data" / "jeugd.csv").read_bytes()
    result = runner.invoke(main, [*args, str(original)])
    assert result.exit_code == 2, result.output
    assert "editie 2025 van CEO Jeugd is al gepubliceerd" in result.output
    assert '--revision "reden"' in result.output
    assert "er is niets geschreven" in result.output
    assert (site / "2025" / "data" / "jeugd.csv").read_bytes() == old_csv
    assert not (site / "2025" / "data" / "revisie-1").exists()

    # a corrected delivery: every 15th respondent was a duplicate
    raw = original.read_bytes().split(b"\r\n")
    corrected = delivery / "jeugd_2025_gecorrigeerd.csv"
    corrected.write_bytes(b"\r\n".join([raw[0]] + [r for i, r in enumerate(raw[1:]) if i % 15 != 7]))
    result = runner.invoke(main, [*args, "--revision", "correctie", str(corrected)])
    assert result.exit_code == 0, result.output

    # every 15th respondent removed: in many cells fewer than onthulling_n respondents differ, so the
    # previous figures leave the site (their difference would show answers, issue 16) and stay in uitvoer/
    assert not (site / "2025" / "data" / "revisie-1").exists()
    assert (root / "uitvoer" / "2025" / "revisies" / "revisie-1" / "jeugd.csv").read_bytes() == old_csv
    assert (site / "2025" / "data" / "jeugd.csv").read_bytes() != old_csv
    meta = json.loads((site / "2025" / "data" / "jeugd.json").read_text(encoding="utf-8"))
    assert meta["revisie"] == 2 and [r["reden"] for r in meta["revisies"]] == ["eerste publicatie", "correctie"]
    # the other surveys of the edition are untouched
    assert json.loads((site / "2025" / "data" / "wmo.json").read_text(encoding="utf-8"))["revisie"] == 1

    # the site shows the version history, with why the old figures were withdrawn
    accounting = (site / "2025" / "verantwoording.md").read_text(encoding="utf-8")
    history = re.search(r"## Cliëntervaringsonderzoek Jeugd.*?### Versiegeschiedenis\n\n(<table.*?</table>)",
                        accounting, re.S)
    assert history, "no version history for CEO Jeugd 2025"
    assert "<caption>CEO Jeugd 2025: versiegeschiedenis</caption>" in history.group(1)
    assert "<td>correctie</td>" in history.group(1) and "1 februari 2026" in history.group(1)
    assert "revisie-1/jeugd.csv" not in history.group(1)
    assert "van de site gehaald op 2026-02-01" in history.group(1)
    text = page.read_text(encoding="utf-8")
    assert "CEO Jeugd: revisie 2, verwerkt op 1 februari 2026" in text
    assert "CEO Wmo: revisie 1, verwerkt op 15 januari 2026" in text

    # the researcher's duiding survives the reprocessing and 'ceo site'
    assert duiding.read_text(encoding="utf-8") == written
    assert "### Wachttijden" in text
    result = runner.invoke(main, ["site", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert duiding.read_text(encoding="utf-8") == written
    assert "De wachttijd voor een keukentafelgesprek" in page.read_text(encoding="utf-8")

    # ceo diff lists the changed figures
    result = runner.invoke(main, ["diff", "2025", "--project", str(root)])
    assert result.exit_code == 0, result.output
    header = re.search(r"^CEO Jeugd 2025: revisie 1 → 2 \(correctie\): (\d+) cijfers gewijzigd$", result.output, re.M)
    assert header, result.output
    changes = re.findall(r"^  (.+?) · (.+?): (\S+) → (\S+)$", result.output, re.M)
    assert int(header.group(1)) == len(changes) > 0
    # the list compares the published (rounded) figures: every headline figure whose published value or
    # suppression differs between the two revisions is in it
    old = pd.read_csv(root / "uitvoer" / "2025" / "revisies" / "revisie-1" / "jeugd.csv", keep_default_na=False,
                      na_values=[""], dtype={"subgroep": str, "categorie": str})
    new = pd.read_csv(site / "2025" / "data" / "jeugd.csv", keep_default_na=False, na_values=[""],
                      dtype={"subgroep": str, "categorie": str})
    key = ["gebied_naam", "indicator"]
    heads = [f[(f["subgroep"].fillna("") == "") & (f["categorie"].fillna("") == "")] for f in (old, new)]
    m = heads[0].merge(heads[1], on=key, suffixes=("_o", "_n"))
    moved = m[(m["waarde_o"].fillna(-1) != m["waarde_n"].fillna(-1)) | (m["onderdrukt_o"] != m["onderdrukt_n"])]
    assert len(moved) and set(map(tuple, moved[key].to_numpy())) <= {(c[0], c[1]) for c in changes}
    assert "nan" not in result.output
    assert "CEO Wmo 2025: revisie 1, er is nog geen eerdere revisie." in result.output

    # the revised site still builds, without the withdrawn figures
    build = mkdocs_build(root)
    assert build.returncode == 0, build.stdout + build.stderr
    public = root / "public" / "2025"
    assert not (public / "data" / "revisie-1").exists()
    assert "Versiegeschiedenis" in (public / "verantwoording" / "index.html").read_text(encoding="utf-8")
    assert "Wachttijden" in (public / "gemeente" / "dordrecht" / "index.html").read_text(encoding="utf-8")


def test_verantwoording_says_how_the_standard_errors_treat_the_weights() -> None:
    from ceo.site.render import _variance_text

    assert "vaste gewichten" in _variance_text("gewicht uit kolom 'w'")
    assert "rake()" in _variance_text("gewogen naar leeftijdsklasse en geslacht (raking) binnen elke gemeente")
    assert "postStratify()" in _variance_text("gewogen naar leeftijdsklasse × geslacht (poststratificatie) binnen "
                                              "elke gemeente")
    for exact in ("ongewogen", "ontwerpgewichten N/n per gemeente"):
        text = _variance_text(exact)
        assert "kalibratie" not in text and "vaste gewichten" not in text and "één respondent" in text
