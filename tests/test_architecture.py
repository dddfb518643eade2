"""The import direction between the layers of ``ceo`` (the ``[tool.importlinter]`` contract in pyproject.toml).

Lower layers never import higher ones: core ← io ← validate ← stats ← output ← site ← pipeline/cli. The
contract is checked with import-linter's ``lint-imports``, run from the virtualenv the tests run in.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return contract


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} ontbreekt: installeer de test-extra's (pip install -e '.[test]')")
    return subprocess.run([str(LINT_IMPORTS), "--no-logo", "--no-cache"], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_lower_layers_never_import_higher_ones():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_every_module_is_in_a_layer():
    """A new flat module or subpackage outside the contract would escape the check."""
    named = {m.strip() for layer in _contract()["layers"] for m in layer.split("|")}
    package = ROOT / "ceo"
    present = {f"ceo.{p.stem}" for p in package.glob("*.py") if p.name != "__init__.py"}
    present |= {f"ceo.{p.parent.name}" for p in package.glob("*/__init__.py")}
    assert present == named


def test_upward_import_breaks_the_contract(tmp_path):
    """The check can fail: a lazy import of the pipeline inside the base layer is reported."""
    shutil.copytree(ROOT / "ceo", tmp_path / "ceo", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    problems = tmp_path / "ceo" / "core" / "problems.py"
    problems.write_text(problems.read_text(encoding="utf-8")
                        + "\n\ndef _upward():\n    from ceo.pipeline import process\n\n    return process\n",
                        encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "ceo.core.problems -> ceo.pipeline" in result.stdout
