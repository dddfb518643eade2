"""Every text click can show is Dutch: the catalogue in ceo/click_nl.py covers all of click's gettext strings."""

from __future__ import annotations

import ast
import importlib
import re
import string
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from ceo import click_nl
from ceo.cli import main

CLICK = Path(click.__file__).parent


def _click_texts() -> dict[str, str]:
    """Every text click passes to ``_`` or ``ngettext`` (text -> module), read from click's source. A call with
    a variable (``_(extra["required"])``) counts the constant texts assigned to that variable in the module."""
    found: dict[str, str] = {}
    for path in sorted(CLICK.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned: dict[str, set[str]] = {}
        variable_calls: list[ast.AST] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                    and isinstance(node.value.value, str):
                for target in node.targets:
                    assigned.setdefault(ast.unparse(target), set()).add(node.value.value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                for arg in node.args[:2 if node.func.id == "ngettext" else 1]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.setdefault(arg.value, path.name)
                    else:
                        variable_calls.append(arg)
        for arg in variable_calls:
            values = assigned.get(ast.unparse(arg))
            assert values, f"{path.name}: _({ast.unparse(arg)}) whose texts this test cannot find"
            for v in values:
                found.setdefault(v, path.name)
    return found


def _fields(text: str) -> list[tuple]:
    braces = sorted((name, conv or "") for _lit, name, _spec, conv in string.Formatter().parse(text) if name)
    return braces + sorted(re.findall(r"%\((\w+)\)s", text))


def test_every_click_text_has_a_dutch_translation():
    texts = _click_texts()
    assert len(texts) >= 80  # click 8.2+: 80 texts; fewer means the reading above is broken
    missing = sorted(t for t in texts if t not in click_nl.DUTCH)
    assert missing == [], missing
    stale = sorted(t for t in click_nl.DUTCH if t not in texts)
    assert stale == [], stale  # no translations of texts click no longer has


def test_translations_keep_their_placeholders():
    for english, dutch in click_nl.DUTCH.items():
        assert _fields(english) == _fields(dutch), english


def test_every_click_module_that_translates_uses_the_dutch_catalogue():
    modules = [p.stem for p in sorted(CLICK.glob("*.py")) if "from gettext import" in p.read_text(encoding="utf-8")]
    assert "core" in modules and "utils" in modules
    for name in modules:
        if name == "_winconsole" and sys.platform != "win32":
            continue
        module = importlib.import_module(f"click.{name}")
        assert getattr(module, "_", click_nl.gettext) is click_nl.gettext, name
        assert getattr(module, "ngettext", click_nl.ngettext) is click_nl.ngettext, name
    assert set(modules) - {"_winconsole"} <= set(click_nl.MODULES)


def test_click_messages_on_the_command_line_are_dutch():
    runner = CliRunner()
    help_text = runner.invoke(main, ["process", "--help"]).output
    assert "Gebruik:" in help_text and "[verplicht]" in help_text and "standaard:" in help_text
    missing = runner.invoke(main, ["process", "-e", "2025", "x.csv"])
    assert missing.exit_code == 2 and "Ontbrekende optie '--survey'" in missing.output
    bad = runner.invoke(main, ["process", "-s", "wmo", "-e", "twee", "x.csv"])
    assert "'twee' is geen geldig geheel getal." in bad.output
    choice = runner.invoke(main, ["process", "-s", "wmo", "-e", "2025", "--weging", "rakign", "x.csv"])
    assert "'rakign' is niet een van 'raking', 'poststratificatie'." in choice.output
    typo = runner.invoke(main, ["process", "--surve", "wmo"])
    assert "Onbekende optie '--surve'. Bedoelt u '--survey'?" in typo.output
