"""The CLI reference in the README, generated from the real ``--help`` texts.

``python -m ceo.clidoc`` rewrites the part of README.md between the markers; a test fails when
the README is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from ceo.cli import main

BEGIN = "<!-- begin cli-referentie (gegenereerd met: python -m ceo.clidoc) -->"
END = "<!-- einde cli-referentie -->"


def cli_reference() -> str:
    runner = CliRunner()
    parts = []
    commands = [[]] + [[name] for name in sorted(main.commands)]
    for args in commands:
        result = runner.invoke(main, [*args, "--help"], prog_name="ceo", terminal_width=100)
        title = " ".join(["ceo", *args])
        parts.append(f"### `{title}`\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def update_readme(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"markers not found in {path}")
    new = pattern.sub(lambda _m: f"{BEGIN}\n\n{cli_reference()}\n{END}", text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    changed = update_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    click.echo("README.md bijgewerkt" if changed else "README.md was al actueel")
