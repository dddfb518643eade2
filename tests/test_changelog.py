"""Every version has its CHANGELOG entry: a published page says which ceo made it, and the CHANGELOG says
which methods and columns that version has."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_current_version_has_a_changelog_entry():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\d+\.\d+\.\d+) — \d{4}-\d{2}-\d{2}$", text, flags=re.M)
    assert headings and headings[0] == version, (version, headings)  # newest first
    assert len(headings) == len(set(headings))


def test_the_installed_version_is_the_declared_one():
    import ceo

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert ceo.__version__ == version
