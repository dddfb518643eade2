"""The plotly.js bundle ceo ships (the only third-party code in the repository): the MIT-licensed *basic*
partial bundle of exactly the plotly.js version inside the installed plotly package, unchanged from the npm
package (checksums in ceo/site/static/vendor/README.md), with its licence; a site is refused when the versions
differ, and the charts use only trace types the basic bundle has."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ceo.cli import main
from ceo.core.problems import CeoError
from ceo.site import render
from ceo.site.render import (
    CHART_TYPE,
    PLOTLY_BUNDLE,
    PLOTLY_LICENSE,
    VENDOR,
    check_plotly_bundle,
    copy_assets,
    plotlyjs_version,
)

ROOT = Path(__file__).resolve().parent.parent
README = VENDOR / "README.md"
#: the trace types of plotly.js's basic bundle (its README: "bar, pie, scatter")
BASIC_TRACES = {"bar", "pie", "scatter"}


def test_bundle_is_the_plotlyjs_of_the_installed_plotly_package() -> None:
    import plotly
    from plotly.offline import get_plotlyjs_version

    installed = get_plotlyjs_version()  # plotly's own answer, independent of ceo's header parsing
    shipped = plotlyjs_version(VENDOR / PLOTLY_BUNDLE)
    assert shipped == installed, (
        f"ceo/site/static/vendor/{PLOTLY_BUNDLE} is plotly.js {shipped}, the installed plotly {plotly.__version__} "
        f"has plotly.js {installed}: replace the bundle as ceo/site/static/vendor/README.md says")
    assert render.installed_plotlyjs() == (plotly.__version__, installed)
    # the README names the same version as the file
    assert f"`plotly.js-basic-dist-min` version **{shipped}**" in README.read_text(encoding="utf-8")
    assert f"npm pack plotly.js-basic-dist-min@{shipped}" in README.read_text(encoding="utf-8")


def test_declared_plotly_range_is_the_installed_one() -> None:
    """pyproject.toml admits only plotly versions tested with the shipped bundle (the installed one among them)."""
    import tomllib

    import plotly
    from packaging.requirements import Requirement

    with (ROOT / "pyproject.toml").open("rb") as f:
        deps = [Requirement(d) for d in tomllib.load(f)["project"]["dependencies"]]
    (req,) = [r for r in deps if r.name == "plotly"]
    assert plotly.__version__ in req.specifier
    assert any(s.operator == "<" for s in req.specifier), f"{req}: an upgrade of plotly needs a new bundle"


def test_bundle_is_the_basic_build_unchanged_with_its_mit_licence() -> None:
    head = (VENDOR / PLOTLY_BUNDLE).read_bytes()[:300].decode("ascii")
    assert "plotly.js (basic - minified) v" in head and "Licensed under the MIT license" in head
    licence = (VENDOR / PLOTLY_LICENSE).read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Plotly" in licence
    assert "Permission is hereby granted, free of charge" in licence
    sums = dict((name, digest) for digest, name in
                re.findall(r"sha256\s+([0-9a-f]{64})\s+(\S+)", README.read_text(encoding="utf-8")))
    assert set(sums) == {PLOTLY_BUNDLE, PLOTLY_LICENSE}
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    # nothing else in the vendor directory: no other third-party code
    assert {p.name for p in VENDOR.iterdir()} == {PLOTLY_BUNDLE, PLOTLY_LICENSE, "README.md"}


def test_bundle_registers_exactly_the_basic_trace_types() -> None:
    code = (VENDOR / PLOTLY_BUNDLE).read_text(encoding="utf-8")
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', code))
    assert registered == BASIC_TRACES, registered


@pytest.mark.parametrize(("installed", "bundle"), [
    (("6.0.0", "3.0.0"), None),  # an older plotly installed
    (("7.1.0", None), None),  # a plotly whose plotly.js has no recognisable header
    (None, "plotly.js v9.9.9"),  # the shipped file replaced by another version
])
def test_mismatch_is_refused_in_dutch_before_anything_is_written(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                 installed, bundle) -> None:
    if installed:
        monkeypatch.setattr(render, "installed_plotlyjs", lambda: installed)
    if bundle:
        vendor = tmp_path / "vendor"
        vendor.mkdir()
        (vendor / PLOTLY_BUNDLE).write_text(f"/**\n* {bundle}\n*/\n", encoding="utf-8")
        (vendor / PLOTLY_LICENSE).write_text("MIT License\n", encoding="utf-8")
        monkeypatch.setattr(render, "VENDOR", vendor)
    site = tmp_path / "site"
    with pytest.raises(CeoError) as exc:
        copy_assets(site)
    message = str(exc.value)
    assert "hoort niet bij het geïnstalleerde plotly-pakket" in message
    assert "ceo/site/static/vendor/README.md" in message
    assert not site.exists()


def test_copy_assets_ships_the_basic_bundle_and_its_licence(tmp_path: Path) -> None:
    check_plotly_bundle()  # the installed versions match (else the first test says why)
    assets = tmp_path / "site" / "assets"
    assets.mkdir(parents=True)
    (assets / "plotly.min.js").write_text("/* the full bundle an older ceo copied */", encoding="utf-8")
    written = copy_assets(tmp_path / "site")
    for name in (PLOTLY_BUNDLE, PLOTLY_LICENSE):
        assert (assets / name).read_bytes() == (VENDOR / name).read_bytes()
        assert assets / name in written
    assert not (assets / "plotly.min.js").exists()  # the 4.8 MB full bundle is gone
    assert not (assets / "README.md").exists() and (assets / "ceo.js").is_file()
    # ceo.js loads the bundle from its own directory
    assert f'"{PLOTLY_BUNDLE}"' in (assets / "ceo.js").read_text(encoding="utf-8")


def test_demo_charts_use_only_basic_trace_types(tmp_path: Path) -> None:
    """Every trace of every chart in the demo site is a type of the basic bundle (plotly.js draws an unknown
    type as an empty scatter without an error, so the browser tests would not notice)."""
    root = tmp_path / "project"
    (root / "site").mkdir(parents=True)
    for name in ("ceo.yaml", "mkdocs.yml"):
        (root / name).write_bytes((ROOT / name).read_bytes())
    for page in (ROOT / "site").glob("*.md"):
        (root / "site" / page.name).write_bytes(page.read_bytes())
    result = CliRunner().invoke(main, ["demo", "--project", str(root), "--date", "2026-01-15"])
    assert result.exit_code == 0, result.output
    chart = re.compile(rf'<script type="{re.escape(CHART_TYPE)}">(.*?)</script>', re.S)
    types: dict[str, int] = {}
    for page in (root / "site").rglob("*.md"):
        for spec in chart.findall(page.read_text(encoding="utf-8")):
            for trace in json.loads(spec)["data"]:
                types[trace.get("type", "scatter")] = types.get(trace.get("type", "scatter"), 0) + 1
    assert types.keys() >= {"bar", "scatter"}, types  # the demo has both kinds of chart
    assert set(types) <= BASIC_TRACES, types
