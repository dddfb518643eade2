from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

# Hypothesis' "too slow" health check times the data generation by the wall clock, which a loaded machine
# stretches (CI shares its two cores): it is off everywhere; every property still runs all its examples
# (tests that set suppress_health_check themselves replace this list: name too_slow there too)
settings.register_profile("ceo", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ceo")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project directory with the demo configuration (ceo.yaml, mkdocs.yml, site/)."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "ceo.yaml", root / "ceo.yaml")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "site", root / "site",
                    ignore=shutil.ignore_patterns("20*", "actueel"))
    return root


@pytest.fixture(scope="session")
def published_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo processed into a fresh project with the repository's configuration (site_url set) and built with
    ``mkdocs build --strict`` into ``<project>/public`` (shared by test_findability and test_open_data)."""
    from demo_project import DEMO_DATE, build_site, new_project, run_demo

    root = new_project(tmp_path_factory.mktemp("published") / "project")
    run_demo(root, "--date", DEMO_DATE)
    build_site(root)
    return root
