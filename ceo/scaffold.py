"""``ceo init``: a new publication project with configuration, MkDocs settings and hand-written pages."""

from __future__ import annotations

from pathlib import Path

import jinja2

from ceo.core.escape import html_attr, md_text
from ceo.core.problems import InputError, Problem
from ceo.validate.registry import registry
from ceo.validate.schema import schema_path

PAGES = ("index.md", "methode.md", "toegankelijkheid.md", "colofon.md")


def init_project(directory: Path, *, name: str | None = None, publisher: str = "",
                 gemeenten: list[str] | None = None, region_name: str | None = None) -> list[Path]:
    """Write ``ceo.yaml``, ``mkdocs.yml`` and ``site/`` into ``directory``; never overwrites a file."""
    from ceo.site.render import copy_theme

    directory = Path(directory)
    problems: list[Problem] = []
    codes = []
    reg = registry()
    for g in gemeenten or []:
        res = reg.resolve(g)
        if res.code is None:
            problems.append(Problem(res.problem, value=g))
        else:
            codes.append(res.code)
    targets = [directory / "ceo.yaml", directory / "mkdocs.yml"] + [directory / "site" / p for p in PAGES]
    for t in targets:
        if t.exists():
            problems.append(Problem("bestaat al; ceo init overschrijft geen bestanden", str(t)))
    if problems:
        raise InputError(problems)
    if not name:
        name = ("Cliëntervaringsonderzoek " + reg.name(codes[0])) if len(codes) == 1 else "Cliëntervaringsonderzoek"
    region = None
    if len(codes) > 1:
        rname = region_name or "Regio"
        rid = "".join(ch for ch in rname.lower() if ch.isalnum() or ch == "_") or "regio"
        region = {"id": rid, "name": rname, "members": sorted(codes)}
    env = jinja2.Environment(loader=jinja2.PackageLoader("ceo.site", "templates/project"), keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters.update(md=md_text, html=html_attr)  # the name and publisher are shown literally
    # the JSON Schema of ceo.yaml in the installed package, for editors (yaml-language-server)
    context = {"name": name, "publisher": publisher, "region": region,
               "schema": schema_path("ceo.schema.json").as_uri()}
    written = []
    for t in targets:
        text = env.get_template(t.name + ".j2").render(**context)
        t.parent.mkdir(parents=True, exist_ok=True)
        t.write_text(text, encoding="utf-8")
        written.append(t)
    # the theme override named in mkdocs.yml (a Content-Security-Policy in every page); 'ceo process' renews it
    written += copy_theme(directory / "site")
    # the page the navigation points to; 'ceo process' replaces it with the list of gemeenten
    placeholder = directory / "site" / "cijfers" / "index.md"
    if not placeholder.exists():
        placeholder.parent.mkdir(parents=True, exist_ok=True)
        placeholder.write_text("# Cijfers per gemeente\n\nEr zijn nog geen cijfers gepubliceerd.\n", encoding="utf-8")
        written.append(placeholder)
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# door ceo gemaakt; niet in versiebeheer\nsite/20*/\nsite/actueel/\nsite/cijfers/\n"
                             "site/assets/\nuitvoer/\npublic/\n.ceo-staging-*/\n.ceo-old-*/\n.ceo-lock\n",
                             encoding="utf-8")
        written.append(gitignore)
    return written
