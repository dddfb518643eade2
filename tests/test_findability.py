"""Findability: site_url from ceo.yaml into mkdocs.yml (sitemap.xml, canonical links), the Dutch 404 page, the
actueel/ pages, the Dutch footer and what the search index holds (newest edition; no hashes as snippets)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from demo_project import ROOT

from ceo.cli import main
from ceo.scaffold import sync_site_url
from ceo.site.render import SiteSettings, footer_partial, search_meta
from ceo.validate.project import load_project

SITE_URL = yaml.safe_load((ROOT / "ceo.yaml").read_text(encoding="utf-8"))["site_url"]
NEWEST = 2025


def _set(project: Path, **keys) -> None:
    config = project / "ceo.yaml"
    data = config.read_text(encoding="utf-8")
    for key, value in keys.items():
        data = re.sub(rf"(?m)^{key}:.*\n(  .*\n)*", "", data)
        if value is not None:
            data += f"{key}: {value}\n"
    config.write_text(data, encoding="utf-8")


# ---------------------------------------------------------------------------------------------- ceo.yaml


def test_the_demo_configures_an_https_site_url():
    assert SITE_URL.startswith("https://") and SITE_URL.endswith("/")
    assert load_project(ROOT).site_url == SITE_URL


@pytest.mark.parametrize("value", ["http://cijfers.example.nl/", "cijfers.example.nl", "https://", "'https://x.nl/?a=1'",
                                   "ftp://x.nl/", "42", "[https://x.nl/]"])
def test_site_url_must_be_an_https_address(project: Path, value: str):
    _set(project, site_url=value)
    result = CliRunner().invoke(main, ["site", "--project", str(project)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "ceo.yaml" in result.output and "site_url moet het volledige adres van de site zijn" in result.output
    assert "https://" in result.output
    # nothing written: mkdocs.yml keeps its own site_url
    assert yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"] == SITE_URL


def test_site_url_gets_a_trailing_slash_and_contact_and_licence_are_read(project: Path):
    _set(project, site_url="https://www.gemeente.nl/cijfers", licentie="CC0 1.0",
         contact="{naam: Team Onderzoek, url: 'https://www.gemeente.nl/contact'}")
    p = load_project(project)
    assert p.site_url == "https://www.gemeente.nl/cijfers/"
    assert p.licence == ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/deed.nl")
    assert p.contact == ("Team Onderzoek", "https://www.gemeente.nl/contact")
    _set(project, site_url=None, licentie=None, contact=None)
    p = load_project(project)
    assert p.site_url == "" and p.licence[0] == "CC BY 4.0" and p.contact == ("", "")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("contact", "{naam: X, email: 'geen-adres'}", "contact: email is geen e-mailadres"),
    ("contact", "{naam: X, url: 'http://x.nl'}", "contact: url moet een adres zijn dat begint met https://"),
    ("contact", "{naam: X}", "contact: geef een email of een url"),
    ("contact", "onderzoek@example.nl", "contact moet 'naam' en 'email' of 'url' hebben"),
    ("licentie", "GPL", "licentie: kies CC BY 4.0, CC BY-SA 4.0, CC0 1.0"),
    ("licentie", "{naam: Eigen, url: 'javascript:alert(1)'}", "licentie: url moet een adres zijn"),
    ("contact", "{naam: X, emial: a@b.nl}", "onbekende sleutel 'emial'"),
])
def test_contact_and_licence_mistakes_are_reported_in_dutch(project: Path, key: str, value: str, message: str):
    _set(project, **{key: value})
    result = CliRunner().invoke(main, ["site", "--project", str(project)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "ceo.yaml" in result.output and "Traceback" not in result.output


def test_the_schema_describes_the_new_keys():
    schema = json.loads((ROOT / "ceo" / "validate" / "schemas" / "ceo.schema.json").read_text(encoding="utf-8"))
    props = schema["properties"]
    assert props["site_url"]["pattern"] == "^https://"
    assert set(props["contact"]["properties"]) == {"naam", "email", "url"}
    assert "licentie" in props


# ---------------------------------------------------------------------------------------------- mkdocs.yml


def test_sync_site_url_changes_only_that_line(tmp_path: Path):
    original = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    bare = re.sub(r"(?m)^# uit ceo\.yaml.*\n^site_url:.*\n", "", original)
    assert "site_url" not in bare
    config = tmp_path / "mkdocs.yml"
    config.write_text(bare, encoding="utf-8")
    # added: exactly as 'ceo init' writes it for the demo (after site_description)
    assert sync_site_url(tmp_path, SITE_URL) == f"mkdocs.yml: site_url is nu {SITE_URL} (uit ceo.yaml)"
    assert config.read_text(encoding="utf-8") == original
    assert sync_site_url(tmp_path, SITE_URL) is None  # nothing to do the second time
    # replaced: only that line differs
    assert sync_site_url(tmp_path, "https://www.gemeente.nl/ceo/") is not None
    new = config.read_text(encoding="utf-8").splitlines()
    old = original.splitlines()
    assert len(new) == len(old)
    assert [(a, b) for a, b in zip(old, new, strict=True) if a != b] == [
        (f'site_url: "{SITE_URL}"', 'site_url: "https://www.gemeente.nl/ceo/"')]
    assert yaml.safe_load(config.read_text(encoding="utf-8"))["site_url"] == "https://www.gemeente.nl/ceo/"
    # not in ceo.yaml but in mkdocs.yml: left alone, with a notice that says where it belongs
    before = config.read_text(encoding="utf-8")
    notice = sync_site_url(tmp_path, "")
    assert notice and "ceo.yaml" in notice and "mkdocs.yml heeft site_url" in notice
    assert config.read_text(encoding="utf-8") == before
    assert not list(tmp_path.glob(".*ceo-tmp"))


def test_ceo_site_keeps_mkdocs_yml_in_step_with_ceo_yaml(project: Path):
    _set(project, site_url="https://www.gemeente.nl/ceo/")
    result = CliRunner().invoke(main, ["site", "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert "site_url is nu https://www.gemeente.nl/ceo/" in result.output
    assert yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"] == \
        "https://www.gemeente.nl/ceo/"


# ---------------------------------------------------------------------------------------------- the built site


def _pages(public: Path) -> list[Path]:
    """Every page MkDocs built (not the actueel/ redirects ceo writes, not the 404 page)."""
    return sorted(p for p in public.rglob("index.html") if not p.relative_to(public).as_posix().startswith(
        ("actueel/", "assets/")))


def test_sitemap_lists_every_page_with_the_configured_address(published_demo: Path):
    public = published_demo / "public"
    sitemap = (public / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    expected = {SITE_URL + p.parent.relative_to(public).as_posix() + "/" for p in _pages(public)}
    expected = {u.replace(SITE_URL + "./", SITE_URL) for u in expected}
    assert len(locs) > 100
    assert set(locs) == expected
    assert f"{SITE_URL}{NEWEST}/gemeente/dordrecht/" in locs
    assert not any("/actueel/" in u for u in locs)  # the redirects are not pages of their own


def test_every_page_has_one_correct_canonical_link(published_demo: Path):
    public = published_demo / "public"
    for page in _pages(public):
        html = page.read_text(encoding="utf-8")
        links = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
        path = page.parent.relative_to(public).as_posix()
        assert links == [SITE_URL + ("" if path == "." else path + "/")], page


def test_actueel_pages_name_the_edition_page_and_show_the_stable_address(published_demo: Path):
    public = published_demo / "public"
    html = (public / "actueel" / "gemeente" / "dordrecht" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}{NEWEST}/gemeente/dordrecht/">' in html
    assert f"{SITE_URL}actueel/gemeente/dordrecht/" in html  # the stable address, shown
    assert '<meta name="robots" content="noindex">' in html
    target = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html).group(1)
    assert (public / "actueel" / "gemeente" / "dordrecht" / target / "index.html").resolve().is_file()
    assert "Content-Security-Policy" in html and "<script" not in html
    top = (public / "actueel" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}{NEWEST}/">' in top


def test_actueel_pages_without_site_url_use_relative_addresses(published_demo: Path, tmp_path: Path):
    from ceo.site.render import render_site

    site = tmp_path / "site"
    shutil.copytree(published_demo / "site", site)
    render_site(site, published_demo, "test", years=[], settings=SiteSettings())
    html = (site / "actueel" / "gemeente" / "dordrecht" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="../../../{NEWEST}/gemeente/dordrecht/">' in html
    assert ">actueel/gemeente/dordrecht/</a>" in html
    assert "https://" not in html


def _refs(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]+)"', html)


def test_404_page_is_dutch_with_correct_links(published_demo: Path, tmp_path: Path):
    # with site_url: MkDocs' absolute links from the path of site_url are right at every depth
    html = (published_demo / "public" / "404.html").read_text(encoding="utf-8")
    assert '<html lang="nl"' in html and "<h1>Pagina niet gevonden</h1>" in html
    assert "Not found" not in html and "404 - " not in html
    assert re.search(r'<a href="/cijfers/">Cijfers per gemeente</a>', html)
    # without site_url: relative links (MkDocs would write /assets/..., wrong for a site below the server root)
    config = published_demo / "mkdocs-zonder-url.yml"
    text = (published_demo / "mkdocs.yml").read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^site_url:.*\n", "", text), encoding="utf-8")
    try:
        shutil.copy(config, tmp_path / "mkdocs.yml")
        out = _build(published_demo, config, tmp_path / "public")
    finally:
        config.unlink()
    html = (out / "404.html").read_text(encoding="utf-8")
    refs = [r for r in _refs(html) if not r.startswith(("https://", "mailto:", "#", "data:"))]
    assert refs and not [r for r in refs if r.startswith("/")], refs
    assert re.search(r'<a href="\./cijfers/">Cijfers per gemeente</a>', html)
    for ref in refs:  # relative to the site root, where the 404 page is
        path = out / ref.split("#")[0].split("?")[0]
        assert path.exists(), ref


def _build(root: Path, config: Path, out: Path) -> Path:
    import os
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config),
                           "--site-dir", str(out)], capture_output=True, text=True, cwd=root,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out


def test_footer_is_dutch_and_links_colofon_toegankelijkheid_and_contact(published_demo: Path):
    public = published_demo / "public"
    project = load_project(published_demo)
    pages = [public / "index.html", public / str(NEWEST) / "gemeente" / "dordrecht" / "index.html",
             public / str(NEWEST) / "verantwoording" / "index.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "Made with" not in html and "Material for MkDocs" not in html
        footer = re.search(r'<div class="md-copyright ceo-footer">(.*?)</div>', html, re.S).group(1)
        links = dict((text, href) for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', footer))
        assert set(links) == {"Colofon", "Toegankelijkheid", "Contact", "CC BY 4.0"}, links
        assert links["Contact"] == project.contact[1] == "mailto:onderzoek@example.nl"
        for name in ("Colofon", "Toegankelijkheid"):
            assert (page.parent / links[name] / "index.html").resolve().is_file(), (page, links[name])
        assert "licentie" in footer and project.publisher in footer
        assert "<script" not in footer


def test_footer_escapes_its_values_for_html_and_jinja():
    text = footer_partial(SiteSettings(publisher="A & B {{ config }} <x>", contact=("x", "https://x.nl/?a=1&b={%"),
                                       licence=("Eigen {% raw %}", "")))
    assert "{{ config }}" not in text and "{%" not in text.replace("{#-", "").split("-#}", 1)[1].replace(
        "{{ 'colofon/' | url }}", "").replace("{{ 'toegankelijkheid/' | url }}", "")
    assert "&amp; B &#123;&#123; config &#125;&#125; &lt;x&gt;" in text
    assert "Made with" not in text


# ---------------------------------------------------------------------------------------------- search


def _index(public: Path) -> list[dict]:
    return json.loads((public / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


def test_search_indexes_the_newest_edition_and_one_page_per_older_edition(published_demo: Path):
    docs = _index(published_demo / "public")
    pages = {d["location"].split("#")[0] for d in docs}
    for year in (2023, 2024):
        assert {p for p in pages if p.startswith(f"{year}/")} == {f"{year}/"}, year
    assert f"{NEWEST}/gemeente/dordrecht/" in pages
    assert f"{NEWEST}/verantwoording/" in pages


def test_search_never_shows_hashes_or_revision_metadata(published_demo: Path):
    docs = _index(published_demo / "public")
    text = json.dumps(docs, ensure_ascii=False)
    secrets = {json.loads(meta.read_text(encoding="utf-8"))["vingerafdruk"]
               for meta in (published_demo / "site").glob(f"{NEWEST}/data/*.json")}
    assert len(secrets) == 3
    # the fingerprints are on the pages (the verantwoording), only not in the search index
    page = (published_demo / "public" / str(NEWEST) / "verantwoording" / "index.html").read_text(encoding="utf-8")
    assert all(s in page for s in secrets)
    assert not [s for s in secrets if s in text]
    assert not re.search(r"\b[0-9a-f]{12,}\b", text), re.search(r".{60}\b[0-9a-f]{12,}\b.{20}", text)
    assert "vingerafdruk van de invoerbestanden:" not in text  # the verantwoording's line with the hash


def test_search_meta_marks_metadata_blocks_and_older_pages():
    page = '---\ntitle: "X"\n---\n\n# X\n\n<p class="ceo-meta">revisie 2 · abc123</p>\n\nTekst {: .ceo-meta }\n'
    new = search_meta(page, indexed=False)
    assert '<p class="ceo-meta" data-search-exclude>' in new
    assert "{: .ceo-meta data-search-exclude }" in new
    assert new.startswith('---\ntitle: "X"\nsearch:\n  exclude: true\n---\n')
    assert search_meta(new, indexed=False) == new  # idempotent
    assert "search:" not in search_meta(page, indexed=True)
    assert search_meta("# Y\n", indexed=False) == "---\nsearch:\n  exclude: true\n---\n\n# Y\n"
    assert search_meta(page, indexed=True, boost=2).startswith('---\ntitle: "X"\nsearch:\n  boost: 2\n---\n')
    kept = '<div class="ceo-meta x" data-search-exclude="1">a</div>'
    assert search_meta(kept, indexed=True) == kept
    nav = '<nav class="ceo-fs-nav" aria-label="Snel naar"><a href="#x">X</a></nav>'
    assert search_meta(nav, indexed=True) == '<nav class="ceo-fs-nav" aria-label="Snel naar" data-search-exclude>' \
        '<a href="#x">X</a></nav>'
    kept = '<nav data-search-exclude>a</nav>'
    assert search_meta(kept, indexed=True) == kept
