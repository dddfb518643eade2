"""The sdist and the wheel carry the EUPL licence text and the source note of the CBS data."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], check=True,
                   capture_output=True, timeout=600)
    return out


def test_licence_in_repo_is_eupl_1_2():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    assert "Appendix" in text and len(text) > 12_000


def test_wheel_carries_licence_and_data_source(dist: Path):
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(z.read(meta_name).decode("utf-8"))
        licence = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
        assert z.read(licence).decode("utf-8") == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert meta["License-Expression"] == "EUPL-1.2"
    assert "ceo/data/BRON.md" in names and "ceo/data/gemeenten.csv" in names


def test_sdist_carries_licence(dist: Path):
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as t:
        names = t.getnames()
    top = names[0].split("/")[0]
    assert f"{top}/LICENSE" in names
    assert f"{top}/ceo/data/BRON.md" in names


def test_wheel_carries_every_package_file(dist: Path):
    """Each layer's modules and data files (templates, theme, JSON Schemas, CBS data, codebooks) are in the wheel."""
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    for layer in ("core", "io", "validate", "stats", "site", "output"):
        assert f"ceo/{layer}/__init__.py" in names
    assert "ceo/site/render.py" in names
    assert "ceo/site/templates/factsheet.md.j2" in names and "ceo/site/templates/redirect.html.j2" in names
    assert "ceo/site/templates/project/mkdocs.yml.j2" in names and "ceo/site/static/ceo.css" in names
    for schema in ("ceo.schema.json", "codebook.schema.json", "mapping.schema.json"):
        assert f"ceo/validate/schemas/{schema}" in names
    source = {p.relative_to(ROOT).as_posix() for p in (ROOT / "ceo").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert source - names == set()
    surveys = {f"ceo/surveys/{p.name}" for p in (ROOT / "surveys").glob("*.yaml")}
    assert surveys and surveys <= names


def test_wheel_finds_its_data_files(dist: Path, tmp_path: Path):
    """Run from the unpacked wheel (not the source tree): templates, theme, schemas, gemeenten and codebooks load."""
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp_path / "wheel")
    code = (
        "import ceo, pathlib, sys\n"
        "from ceo.site.render import copy_assets, environment\n"
        "from ceo.validate.schema import schema_path\n"
        "from ceo.validate.registry import registry\n"
        "from ceo.validate.codebook import codebook_paths\n"
        f"assert pathlib.Path(ceo.__file__).is_relative_to({str(tmp_path / 'wheel')!r}), ceo.__file__\n"
        "assert environment().get_template('factsheet.md.j2')\n"
        "assert schema_path('codebook.schema.json').is_file()\n"
        "assert len(registry().gemeenten) > 300\n"
        "assert {'wmo', 'jeugd'} <= set(codebook_paths())\n"
        f"assert len(copy_assets(pathlib.Path({str(tmp_path / 'site')!r}))) >= 4\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(tmp_path / "wheel"), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert result.returncode == 0, result.stderr
