from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
