"""Helpers shared by the end-to-end tests: a project with the demo published, checksums of trees."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from ceo.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO_DATE = "2026-01-15"


def new_project(root: Path) -> Path:
    """A fresh project directory with the repository's configuration and hand-written pages."""
    root.mkdir(parents=True)
    shutil.copy(ROOT / "ceo.yaml", root / "ceo.yaml")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "site").mkdir()
    for page in (ROOT / "site").glob("*.md"):
        shutil.copy(page, root / "site" / page.name)
    return root


def run_demo(root: Path, *args: str, env: dict | None = None) -> None:
    result = CliRunner().invoke(main, ["demo", "--project", str(root), *args], env=env)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def build_site(root: Path, site_dir: Path | None = None) -> Path:
    """``mkdocs build --strict`` in a subprocess, as a user runs it; returns the built site."""
    out = site_dir or root / "public"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f",
                           str(root / "mkdocs.yml"), "--site-dir", str(out)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return out


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path → sha256 of every file below ``root`` (empty when it does not exist)."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}
