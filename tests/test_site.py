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
from ceo.core.escape import md_text
from ceo.site.render import THEME_ORDER

ROOT = Path(__file__).resolve().parent.parent
DATE = "2026-01-15"
EDITIONS = [2023, 2024, 2025]
NEWEST = 2025
SURVEYS = ["wmo", "jeugd", "professionals"]
HAND_WRITTEN = sorted(p.name for p in (ROOT / "site").glob("*.md"))
INDICATIVE = "weinig respondenten of een breed betrouwbaarheidsinterval"
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
    for m in re.finditer(r'(<table[^>]*>.*?</table>)(?:\n<p class="ceo-note">(.*?)</p>)?', html_text):
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
    r"""|<link\b[^>]*?\bhref\s*=\s*["']([^"']+)["']"""
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
    # the generated pages contain no external URL at all (only the hand-written pages may link out)
    generated = [p for p in (demo / "site").rglob("*") if p.is_file() and p.suffix in (".md", ".html", ".js")
                 and p.relative_to(demo / "site").parts[0] not in {"index.md", *HAND_WRITTEN}]
    assert any(p.name == "dordrecht.md" for p in generated)
    for p in generated:
        if p.name == "plotly-basic.min.js":  # third-party library: checked by what the browser requests
            continue
        found = re.findall(r"https?://[^\s\"'<>)]+", p.read_text(encoding="utf-8"))
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

HEADLINE_PERCENT = re.compile(
    r"^(?:(?:Eén|Twee|Drie|Vier|Vijf|Zes|Zeven|Acht|Negen) op de tien|Bijna alle|Bijna geen|Alle|Geen) "
    rf".+ \(\d+{NBSP}%, 95%-BI \d+–\d+{NBSP}%\) [^*]+\.(?: \*\(|$)"
)
HEADLINE_MEAN = re.compile(r"^.+ geven gemiddeld een \d+,\d \(95%-BI \d+,\d–\d+,\d\)\.(?: \*\(|$)")
HEADLINE_CLASS = "{: .ceo-headline }"  # attr_list: the headline paragraph is bold (assets/ceo.css)


def test_every_factsheet_has_headline_question_base_and_source(demo: Path) -> None:
    site = demo / "site"
    pages = factsheets(site)
    assert len(pages) == len(EDITIONS) * (6 + 2)  # six gemeenten, Drechtsteden and the total
    rank = {t: i for i, t in enumerate(THEME_ORDER)}
    checked = indicative_headlines = 0
    for page in pages:
        year = int(page.parent.parent.name)
        text = page.read_text(encoding="utf-8")
        assert text.startswith("---\ntitle: "), page
        sections = dict(split_sections(text, 2))
        for survey in SURVEYS:
            meta, table = load(site, year, survey)
            area = area_of(page, table)
            if area is None:
                assert meta["titel"] not in sections
                continue
            code, name = area
            body = sections[meta["titel"]]
            # source line, once per survey section
            sources = re.findall(r'<p class="ceo-source">(.*?)</p>', body)
            assert len(sources) == 1, (page, survey)
            assert sources[0].startswith(f"Bron: {meta['korte_titel']} {year}, ") and meta["weging"] in sources[0]
            # the headline blocks: for everyone, or per questionnaire variant (kop_per: CEO Jeugd), each with
            # that variant's question wording
            here = table[(table["gebied_code"] == code) & (table["categorie"] == "")]
            kop = meta.get("kop_per")
            views = ([(None, here[here["subgroep"] == ""])] if not kop else
                     [(g["variant"], here[(here["subgroep"] == kop["subgroep"])
                                          & (here["subgroep_waarde"] == g["waarde"])]) for g in kop["groepen"]])
            expected = []
            for variant, head in views:
                rows_v = {r["indicator"]: r for r in head.to_dict("records")}
                for q in sorted((q for q in meta["vragen"] if q["indicator"] in rows_v),
                                key=lambda q: (rank.get(q.get("thema") or "", len(rank)), q["volgorde"])):
                    title = row_title(q)
                    if variant and q["soort"] not in ("gemiddelde", "percentage_codes"):
                        title = q["vraag"][variant]
                    expected.append((q, rows_v[q["indicator"]], variant, title))
            blocks = [b for theme, tb in split_sections(body, 3)
                      if theme not in ("Uitsplitsingen", "Verschillen tussen groepen")
                      for b in split_sections(tb, 4)]
            assert [t for t, _ in blocks] == [md_text(e[3]) for e in expected], (page, survey)
            for (q, r, variant, _t), (_title, block) in zip(expected, blocks, strict=True):
                lines = [line for line in block.splitlines() if line.strip()]
                headline, question = lines[0], lines[2]
                assert lines[1] == HEADLINE_CLASS, (page, lines[1])
                # the headline sentence with the figure and its interval, in Dutch notation
                if r["onderdrukt"] == "ja":
                    assert headline.startswith(md_text(f"Geen cijfer: {r['reden']}")), (page, headline)
                elif r["soort"] == "gemiddelde":
                    assert HEADLINE_MEAN.match(headline), (page, headline)
                    assert f"gemiddeld een {texts.number(r['waarde'], 1)} " in headline
                else:
                    assert HEADLINE_PERCENT.match(headline), (page, headline)
                    assert f"({texts.pct(r['waarde'])}, 95%-BI " in headline
                    assert texts.interval(r["ondergrens"], r["bovengrens"]) in headline
                if r["indicatief"] == "ja":
                    assert headline.endswith(f"*(indicatief: {INDICATIVE})*"), (page, headline)
                    indicative_headlines += 1
                else:
                    assert "indicatief" not in headline, (page, headline)
                # the literal question(s) and the base
                variants = q["vraag"].values() if isinstance(q["vraag"], dict) else [q["vraag"]]
                if variant:
                    variants = [q["vraag"][variant]]
                    assert question.startswith(f"Vraag aan {variant}: "), (page, question)
                assert question.startswith("Vraag"), (page, question)
                for v in variants:
                    assert f"‘{md_text(v)}’" in question, (page, question)
                # a suppressed figure publishes no exact count
                base = f" · {texts.n_text(r)}" if r["onderdrukt"] == "ja" else f" · n = {texts.number(r['n'])}"
                assert base in question, (page, question)
                if r["onderdrukt"] == "nee" and r["n_geen_oordeel"]:  # suppressed: no count at all
                    assert question.endswith("× weet niet / n.v.t. niet meegeteld"), (page, question)
                checked += 1
    assert checked > 500
    assert indicative_headlines > 0, "the demo should have indicative headline figures"


def test_suppressed_and_indicative_cells(demo: Path) -> None:
    """Every subgroup figure of every factsheet: the value (with * when indicative; with its interval in the
    row of the indicator in the chart), or — with its reason; a group without any published figure is not a
    column but is named in the note below the table, with the reasons."""
    site = demo / "site"
    counts = {"suppressed": 0, "indicative": 0, "value": 0, "hidden": 0}
    reasons_seen: set[str] = set()
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
            questions = {q["indicator"]: q for q in meta["vragen"]}
            sub = table[(table["gebied_code"] == code) & (table["subgroep"] != "") & (table["categorie"] == "")]
            for sg in meta["subgroepen"]:
                if sg["id"] == (meta.get("kop_per") or {}).get("subgroep"):
                    continue  # the headline figures per variant (test_every_factsheet_has_headline_...)
                rows = sub[sub["subgroep"] == sg["id"]]
                if not len(rows):
                    continue
                present = set(rows["indicator"])
                groups_all = set(rows["subgroep_waarde"])
                rank = {t: i for i, t in enumerate(THEME_ORDER)}
                order = sorted((q for q in meta["vragen"] if q["indicator"] in present),
                               key=lambda q: (rank.get(q.get("thema") or "", len(rank)), q["volgorde"]))
                main = next((q for q in order if q["soort"] == "gemiddelde"), order[0])["indicator"]  # in the chart
                caption = f"{name} naar {sg['label'].lower()} (n: het hoogste aantal respondenten bij een vraag)"
                if caption not in tables:  # not a single published figure: no table, only the reasons
                    assert (rows["onderdrukt"] == "ja").all(), (page, caption)
                    start = f"Geen cijfers naar {sg['label'].lower()};"
                    hidden = hidden_groups(next(x for x in text.splitlines() if x.startswith(start)), groups_all)
                    for r in rows.to_dict("records"):
                        assert r["reden"] in hidden[r["subgroep_waarde"]], (page, start, hidden)
                        counts["hidden"] += 1
                    continue
                el, note = tables[caption]
                headers, cells = cell_texts(el)
                groups = [re.fullmatch(r"(.*) \(n = [\d.]+\)", h).group(1) for h in headers]
                reasons = note_reasons(note)
                hidden = hidden_groups(note, groups_all)
                assert not set(hidden) & set(groups), (page, note)
                for r in rows.to_dict("records"):
                    if r["subgroep_waarde"] in hidden:
                        assert r["onderdrukt"] == "ja", (page, r["indicator"], r["subgroep_waarde"])
                        assert r["reden"] in hidden[r["subgroep_waarde"]], (page, note)
                        counts["hidden"] += 1
                        reasons_seen.add(r["reden"])
                        continue
                    cell = cells[row_title(questions[r["indicator"]])][groups.index(r["subgroep_waarde"])]
                    shown = "".join(cell.itertext())
                    if r["onderdrukt"] == "ja":
                        assert shown.startswith("—"), (page, r["indicator"], shown)
                        assert reasons.get(note_marker(shown)) == r["reden"], (page, note)
                        counts["suppressed"] += 1
                        reasons_seen.add(r["reden"])
                    else:
                        expected = value_text(r, ci=r["indicator"] == main)
                        assert shown == expected, (page, r["indicator"], r["subgroep_waarde"], shown)
                        counts["value"] += 1
                        if r["indicatief"] == "ja":
                            assert f"* indicatief: {INDICATIVE}." in note, (page, note)
                            counts["indicative"] += 1
    assert min(counts.values()) > 0, counts
    assert len(reasons_seen) >= 2, reasons_seen  # too few respondents, and complementary suppression


def test_every_chart_has_a_table_with_the_same_figures(demo: Path) -> None:
    charts = 0
    for page in factsheets(demo / "site"):
        lines = [line for line in page.read_text(encoding="utf-8").splitlines() if line.strip()]
        for i, line in enumerate(lines):
            if line.startswith("<script"):
                charts += 1
                m = re.fullmatch(r'<script type="application/vnd\.ceo-chart\+json">(.*)</script>', line)
                assert m, (page, line[:80])
                assert lines[i + 1].startswith("<table"), (page, lines[i + 1][:80])
                spec = json.loads(m.group(1).replace("<\\/", "</"))
                assert spec["label"].strip(), page  # the text alternative (aria-label of the drawn chart)
                assert spec["layout"]["separators"] == ",."  # decimal comma in the chart as well
    assert charts > 300


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
    assert "## Duiding\n\n### Wachttijden\n\nDe wachttijd voor een keukentafelgesprek in Dordrecht" in text
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
    assert ("Dordrecht", "j01") in {(c[0], c[1]) for c in changes}
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
