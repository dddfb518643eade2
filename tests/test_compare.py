"""'Vergelijk gemeenten' (ceo.site.compare) and the edition overview: the pages per edition x survey x indicator
with every gemeente (sorted, suppressed ones without a value, the region and the total as reference lines from
the results table), the overview with short labels and the rapportcijfer first, and a national-scale edition
(342 gemeenten)."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceo.core import texts
from ceo.site import compare
from ceo.site.render import SiteContext, _page_path, _prepare, load_edition, render_overview

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
CHART = re.compile(r'<script type="application/vnd\.ceo-chart\+json">(.*?)</script>', re.S)
TABLE = re.compile(r"<table[^>]*>(.*?)</table>", re.S)
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
CELL = re.compile(r"<t([hd])[^>]*>(.*?)</t[hd]>", re.S)
TAG = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return html.unescape(TAG.sub("", fragment)).replace("\u00a0", " ").replace("\u2060", "").strip()


def tables(page: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """(caption, column headers, rows as cell texts) of every HTML table on a generated page."""
    out = []
    for body in TABLE.findall(page):
        caption = _text(re.search(r"<caption>(.*?)</caption>", body, re.S).group(1))
        rows = [[_text(c) for _kind, c in CELL.findall(r)] for r in ROW.findall(body)]
        out.append((caption, rows[0], rows[1:]))
    return out


def charts(page: str) -> list[dict]:
    return [json.loads(c) for c in CHART.findall(page)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo (three editions, three surveys, six gemeenten) processed into a fresh project; its site/."""
    sys.path.insert(0, str(Path(__file__).parent))
    from demo_project import DEMO_DATE, new_project, run_demo

    root = new_project(tmp_path_factory.mktemp("compare") / "project")
    run_demo(root, "--date", DEMO_DATE)
    return root / "site"


def headline(site: Path, survey: str, subgroup: str = "", group: str = "") -> pd.DataFrame:
    """The headline rows (everyone, or one questionnaire variant) of a survey's results CSV."""
    t = pd.read_csv(site / str(YEAR) / "data" / f"{survey}.csv", dtype={"subgroep": str, "subgroep_waarde": str,
                                                                         "categorie": str}, keep_default_na=False,
                    na_values=[""])
    t[["subgroep", "subgroep_waarde", "categorie"]] = t[["subgroep", "subgroep_waarde", "categorie"]].fillna("")
    return t[(t["categorie"] == "") & (t["subgroep"] == subgroup) & (t["subgroep_waarde"] == group)]


def read(site: Path, *parts: str) -> str:
    return (site / str(YEAR) / Path(*parts)).read_text(encoding="utf-8")


def test_a_page_per_indicator_and_an_index(demo: Path) -> None:
    base = demo / str(YEAR) / "vergelijk"
    for survey in ("wmo", "jeugd", "professionals"):
        meta = json.loads((demo / str(YEAR) / "data" / f"{survey}.json").read_text(encoding="utf-8"))
        wanted = {q["indicator"] for q in meta["vragen"]}
        assert {p.stem for p in (base / survey).glob("*.md")} == wanted
    index = (base / "index.md").read_text(encoding="utf-8")
    assert "[Rapportcijfer](wmo/rapportcijfer.md)" in index
    assert "[Werden snel geholpen](wmo/v02.md)" in index
    assert "[Rapportcijfer: onvoldoende (1–5)](jeugd/rapportcijfer_onvoldoende.md)" in index
    # every page of every earlier edition too
    assert (demo / "2023" / "vergelijk" / "wmo" / "v01.md").is_file()


def test_gemeenten_sorted_high_to_low_with_the_numbers_of_the_results_table(demo: Path) -> None:
    page = read(demo, "vergelijk", "wmo", "v01.md")
    rows = headline(demo, "wmo")
    gem = rows[(rows["indicator"] == "v01") & (rows["gebied_niveau"] == "gemeente")]
    expected = gem.sort_values(["waarde", "gebied_naam"], ascending=[False, True])
    (caption, headers, body), *_ = tables(page)
    assert headers == ["Gemeente", "%", "Marge", "Aantal", "Rest van de regio"]
    assert [r[0] for r in body] == expected["gebied_naam"].tolist()
    assert len(body) == 6
    for cells, r in zip(body, expected.itertuples(), strict=True):
        assert cells[1] == f"{texts.number(r.waarde)} %"
        assert cells[2] == f"{texts.number(r.ondergrens)}–{texts.number(r.bovengrens)} %"
        assert cells[3] == texts.number(r.n)
        assert cells[4] == {"ja": "▲ hoger" if r.verschil_regio > 0 else "▼ lager", "nee": "= gelijk"}[
            r.significant_regio]
    # the chart: the same gemeenten in the same order, the same values and intervals
    (spec,) = charts(page)
    dots = spec["data"][0]
    assert dots["y"] == expected["gebied_naam"].tolist()
    assert dots["x"] == pytest.approx(expected["waarde"].tolist())
    assert np.add(dots["x"], dots["error_x"]["array"]) == pytest.approx(expected["bovengrens"].to_numpy())
    assert np.subtract(dots["x"], dots["error_x"]["arrayminus"]) == pytest.approx(expected["ondergrens"].to_numpy())
    # B1 words, no jargon
    assert "marge" in page and "95%-BI" not in page and "significant" not in page


def test_reference_lines_are_the_region_and_the_total_of_the_results_table(demo: Path, tmp_path: Path) -> None:
    rows = headline(demo, "wmo")
    rapport = rows[rows["indicator"] == "rapportcijfer"].set_index("gebied_niveau")
    (spec,) = charts(read(demo, "vergelijk", "wmo", "rapportcijfer.md"))
    # the demo's total is the region (all six gemeenten are Drechtsteden): one line, the region
    assert [s["x0"] for s in spec["layout"]["shapes"]] == pytest.approx([rapport.loc["regio", "waarde"]])
    region_text = texts.number(rapport.loc["regio", "waarde"], 1)
    assert [a["text"] for a in spec["layout"]["annotations"]] == [f"━━ Drechtsteden: {region_text}"]
    # a total that differs from the region (another gemeente outside it) gets its own (dashed) line
    ed = load_edition(demo, YEAR)
    wmo = ed.surveys[0]
    t = wmo.table
    total = (t["gebied_niveau"] == "totaal") & (t["indicator"] == "rapportcijfer") & (t["subgroep"] == "") \
        & (t["categorie"] == "")
    t.loc[total, ["waarde", "ondergrens", "bovengrens"]] += 0.3
    t.loc[total, "n"] += 100
    assert not compare.total_equals_region(t)
    ctx = _context(tmp_path, ed)
    compare.render_comparisons(ctx, ed, [_prepare(s) for s in ed.surveys])
    (spec,) = charts((tmp_path / str(YEAR) / "vergelijk" / "wmo" / "rapportcijfer.md").read_text(encoding="utf-8"))
    lines = {s["line"]["dash"]: s["x0"] for s in spec["layout"]["shapes"]}
    assert lines == pytest.approx({"solid": rapport.loc["regio", "waarde"],
                                   "dash": rapport.loc["totaal", "waarde"] + 0.3})
    # and a row in the table of regions and total
    page = (tmp_path / str(YEAR) / "vergelijk" / "wmo" / "rapportcijfer.md").read_text(encoding="utf-8")
    refs = next(b for c, _h, b in tables(page) if c.endswith("regio's en totaal"))
    assert [r[0] for r in refs] == ["Drechtsteden", "Totaal"]


def _context(site: Path, ed) -> SiteContext:
    pages = {ed.year: {code: _page_path(code, name, level) for code, name, level in ed.areas()}}
    return SiteContext(site, site.parent, [ed.year], pages, {}, "test")


def test_suppressed_gemeenten_are_listed_without_a_value(demo: Path) -> None:
    rows = headline(demo, "jeugd", "variant", "jeugdige")
    rapport = rows[(rows["indicator"] == "rapportcijfer") & (rows["gebied_niveau"] == "gemeente")]
    hidden = rapport.loc[rapport["onderdrukt"] == "ja", "gebied_naam"].tolist()
    shown = rapport.loc[rapport["onderdrukt"] == "nee"].sort_values(["waarde", "gebied_naam"], ascending=[False, True])
    assert hidden, "the demo has suppressed jeugdigen figures (the check needs one)"
    page = read(demo, "vergelijk", "jeugd", "rapportcijfer.md")
    # one section per questionnaire variant, each with its own chart and table
    assert "\n## Ouders\n" in page and "\n## Jeugdigen\n" in page
    section = page.split("\n## Jeugdigen\n")[1]
    (spec,) = charts(section)
    assert spec["data"][0]["y"] == shown["gebied_naam"].tolist()
    assert not set(hidden) & set(spec["data"][0]["y"])
    assert not any(name in spec["label"] for name in hidden)
    (_c, _h, body), *_ = tables(section)
    assert [r[0] for r in body] == shown["gebied_naam"].tolist() + sorted(hidden)
    for r in body[len(shown):]:
        assert r[1:3] == ["niet gepubliceerd", "—geen marge"]  # a '—' with its text for screen readers
        assert r[3].startswith("n <")  # the count is not published either
        assert r[4] == "—niet vergeleken"
        assert not re.search(r"\d,\d|\d %", " ".join(r))
    note = re.search(r'<p class="ceo-note">(.*?)</p>', section).group(1)
    assert "Niet gepubliceerd: " in note and all(n in note for n in hidden)


def test_overview_short_labels_rapportcijfer_first_total_omitted(demo: Path, tmp_path: Path) -> None:
    page = read(demo, "index.md")
    found = tables(page)
    assert len(found) == 4  # wmo, jeugd ouders, jeugd jeugdigen, professionals
    for caption, headers, body in found:
        assert headers[:3] == ["Gebied", "Aantal", "Rapportcijfer"], caption
        assert len(headers) <= 6, headers  # few columns: fits at 1,366 px
        assert not [h for h in headers if re.fullmatch(r"[a-z]+\d+|rapportcijfer_\w+|\w+_\w+", h)], headers
        areas = [r[0] for r in body]
        assert "Drechtsteden" in areas and "Totaal" not in areas  # the total equals the only region
    wmo = found[0]
    # the codebook's kernindicatoren (the factsheet's Kernpunten), the first three percentages
    assert wmo[1][3:] == ["Wisten waar ze moesten zijn met hun hulpvraag", "Vinden de kwaliteit van de "
                          "ondersteuning goed", "Vinden dat de ondersteuning past bij hun hulpvraag"]
    rapport = headline(demo, "wmo").set_index("gebied_naam")
    dordrecht = next(r for r in wmo[2] if r[0] == "Dordrecht")
    assert dordrecht[2] == texts.number(rapport[rapport["indicator"] == "rapportcijfer"].loc["Dordrecht", "waarde"], 1)
    regions = page.split("## Regio's en totaal", 1)[1].split("\n## ", 1)[0]
    assert "[Drechtsteden](" in regions and "Totaal" not in regions  # no link to a total that repeats the region
    # every indicator links to its comparison page, which exists
    links = re.findall(r"\]\((vergelijk/[^)]+\.md)\)", page)
    assert "vergelijk/wmo/rapportcijfer_onvoldoende.md" in links and "vergelijk/index.md" in links
    assert all((demo / str(YEAR) / link).is_file() for link in links)
    # a total that differs from the region is shown
    ed = load_edition(demo, YEAR)
    t = ed.surveys[0].table
    t.loc[t["gebied_niveau"] == "totaal", "n"] += 50
    text = render_overview(_context(tmp_path, ed), ed, [_prepare(s) for s in ed.surveys])
    assert "Totaal" in [r[0] for r in tables(text)[0][2]]
    assert "Totaal" not in [r[0] for r in tables(text)[1][2]]  # jeugd: unchanged


def test_short_labels() -> None:
    assert compare.short_label({"soort": "gemiddelde", "label": "gemiddeld rapportcijfer"}) == "Rapportcijfer"
    assert compare.short_label({"soort": "percentage_codes", "label": "% onvoldoende (1–5)"}) == \
        "Rapportcijfer: onvoldoende (1–5)"
    assert compare.short_label({"soort": "percentage_positief", "kop": "werden snel geholpen",
                                "vraag": "Ik werd snel geholpen."}) == "Werden snel geholpen"
    long = "Ik vind dat de medewerker van de gemeente mij goed heeft geholpen bij het invullen van de aanvraag."
    label = compare.short_label({"soort": "percentage_positief", "kop": None, "vraag": long})
    assert label.endswith(" …") and len(label) <= 62 and long.startswith(label[:-2])


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    """A national edition: all 342 gemeenten (bench/national.py, fewer respondents: faster, and more gemeenten
    with suppressed figures), processed; its site/."""
    sys.path.insert(0, str(ROOT / "bench"))
    import national as bench_national

    from ceo.pipeline import ProcessOptions, process
    from ceo.validate.project import load_project

    tmp = tmp_path_factory.mktemp("national")
    root = bench_national.make_project(tmp / "project")
    paths = bench_national.generate(tmp / "invoer", target_n=40_000)
    process(load_project(root), ProcessOptions("wmo", YEAR, [paths["data"]], population=paths["population"],
                                               benchmark=paths["benchmark"]))
    return root / "site"


def test_national_edition_has_every_gemeente_on_the_comparison_page(national: Path) -> None:
    rows = headline(national, "wmo")
    gem = rows[(rows["indicator"] == "v01") & (rows["gebied_niveau"] == "gemeente")]
    assert len(gem) == 342
    page = read(national, "vergelijk", "wmo", "v01.md")
    (caption, headers, body), *rest = tables(page)
    assert len(body) == 342 and {r[0] for r in body} == set(gem["gebied_naam"])
    assert "Regio" in headers  # 25 veiligheidsregio's: each gemeente's region in the table
    # high to low, equal values (several gemeenten at 100 %) by name
    published = gem[gem["onderdrukt"] == "nee"].sort_values(["waarde", "gebied_naam"], ascending=[False, True])
    assert 60 < len(published) < 342  # both kinds are there
    assert [r[0] for r in body[:len(published)]] == published["gebied_naam"].tolist()
    assert all(r[1] == "niet gepubliceerd" for r in body[len(published):])
    # the chart shows the distribution (342 dots, unnamed, high to low) with the total as line; not 342 rows tall
    (spec,) = charts(page)
    dots = spec["data"][0]
    assert dots["y"] == pytest.approx(published["waarde"].tolist())
    assert dots["x"] == list(range(1, len(published) + 1))
    assert 300 <= spec["layout"]["height"] <= 500
    total = rows[(rows["indicator"] == "v01") & (rows["gebied_niveau"] == "totaal")]["waarde"].item()
    assert [s["y0"] for s in spec["layout"]["shapes"]] == pytest.approx([total])
    # the regions are in the table of regions and total
    refs = rest[-1][2]
    assert len(refs) == 26 and refs[-1][0] == "Totaal"


def _contrast_with_white(colour: str) -> float:
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 1.05 / (0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] + 0.05)


def test_chart_colours_have_enough_contrast(demo: Path) -> None:
    """Every colour the comparison charts draw with: at least 3:1 against the white page (WCAG 1.4.11)."""
    used = set()
    for page in (demo / str(YEAR) / "vergelijk").rglob("*.md"):
        for spec in charts(page.read_text(encoding="utf-8")):
            used |= {t["marker"]["color"] for t in spec["data"]}
            used |= {(t.get("error_x") or t.get("error_y"))["color"] for t in spec["data"]}
            used |= {s["line"]["color"] for s in spec["layout"]["shapes"]}
            used |= {a["font"]["color"] for a in spec["layout"]["annotations"]}
    assert compare.DOT in used and compare.REGION_STYLES[0][0] in used
    assert "#E69F00" not in used
    assert {c: round(_contrast_with_white(c), 2) for c in used if _contrast_with_white(c) < 3} == {}
    assert all(_contrast_with_white(c) >= 3 for c, _d, _g in [*compare.REGION_STYLES, compare.TOTAL_STYLE])
