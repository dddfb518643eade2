"""'ceo init' and the repository's own project files come from one source (ceo/site/templates/project/)."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner
from demo_project import ROOT, build_site

from ceo.cli import main
from ceo.scaffold import DEMO, FILES, render_project
from ceo.validate.project import load_project


def test_the_repository_files_are_ceo_init_for_the_demo():
    """ceo.yaml, mkdocs.yml and site/*.md of the repository are the init templates with the demo's values
    (regenerate them with: python -m ceo.scaffold)."""
    rendered = render_project(**DEMO)
    assert sorted(rendered) == sorted(FILES)
    hand_written = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "site").glob("*.md"))
    assert hand_written == sorted(f for f in FILES if f.startswith("site/"))
    for name, text in rendered.items():
        assert (ROOT / name).read_text(encoding="utf-8") == text, f"{name}: run 'python -m ceo.scaffold'"


def test_a_fresh_project_builds_strict_and_has_the_repository_settings(tmp_path: Path):
    target = tmp_path / "gorinchem"
    result = CliRunner().invoke(main, ["init", str(target), "--gemeente", "Gorinchem"])
    assert result.exit_code == 0, result.output
    built = build_site(target)
    assert (built / "index.html").is_file() and (built / "methode" / "index.html").is_file()
    ours = yaml.safe_load((target / "mkdocs.yml").read_text(encoding="utf-8"))
    repo = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert ours.pop("site_name") == "Cliëntervaringsonderzoek Gorinchem"
    repo.pop("site_name")
    # the demo publishes at an address (site_url in ceo.yaml, copied by ceo into mkdocs.yml); a new project
    # has none until the researcher sets it in ceo.yaml
    assert "site_url" not in ours and repo.pop("site_url").startswith("https://")
    assert ours == repo
    assert ours["not_in_nav"].strip() == "/20*/"
    # names are written as they are read, not as JSON escapes
    for name in ("ceo.yaml", "mkdocs.yml", "site/index.md"):
        text = (target / name).read_text(encoding="utf-8")
        assert "Cliëntervaringsonderzoek Gorinchem" in text and "\\u" not in text, name
    project = load_project(target)
    assert project.name == "Cliëntervaringsonderzoek Gorinchem"
    # the pages differ from the demo's only where the demo has its own values
    for page in ("site/methode.md", "site/toegankelijkheid.md"):
        assert (target / page).read_text(encoding="utf-8") == (ROOT / page).read_text(encoding="utf-8")
    assert "- Contact: (vul in)" in (target / "site" / "colofon.md").read_text(encoding="utf-8")
    assert "demonstratiesite" not in (target / "site" / "index.md").read_text(encoding="utf-8")


def test_names_that_look_like_yaml_stay_text(tmp_path: Path):
    """A name YAML would read as a number, a boolean or a comment is still the name."""
    names = ["2025", "0505", "yes", "null", "~", "# niet", "a #b", "a: b", "'x' \"y\"", "- x", "&a", "*a", "!x",
             "%x", "@x", "`x", "[x]", "{x}", "? x", "1e3", "2025-01-01", "Súdwest-Fryslân", "x\ufeff"]
    for i, name in enumerate(names):
        texts = render_project(name=name, publisher=name,
                               regions=[{"id": "r", "name": name, "members": ["GM0505", "GM0590"]}])
        config = yaml.safe_load(texts["ceo.yaml"])
        assert config["naam"] == config["uitgever"] == config["regios"][0]["naam"] == name
        root = tmp_path / f"p{i}"
        root.mkdir()
        (root / "ceo.yaml").write_text(texts["ceo.yaml"], encoding="utf-8")
        assert load_project(root).name == name


def test_a_region_name_that_is_no_usable_id_still_gives_a_project_that_loads(tmp_path: Path):
    for i, (region_name, expected_id) in enumerate([("0505", "regio"), ("Totaal", "regio"), ("***", "regio"),
                                                    ("Zuid-Holland Zuid", "zuid-holland-zuid")]):
        target = tmp_path / f"p{i}"
        result = CliRunner().invoke(main, ["init", str(target), "--gemeente", "Dordrecht", "--gemeente",
                                           "Zwijndrecht", "--regionaam", region_name])
        assert result.exit_code == 0, result.output
        [region] = load_project(target).regions
        assert (region.id, region.name) == (expected_id, region_name)
