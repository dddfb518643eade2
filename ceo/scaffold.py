"""``ceo init``: a new publication project with configuration, MkDocs settings and hand-written pages.

The repository's own ``ceo.yaml``, ``mkdocs.yml`` and ``site/*.md`` are what these templates give with the
values of the demo (:data:`DEMO`): ``python -m ceo.scaffold`` writes them, and a test fails when they differ,
so a new project and the demo cannot drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2

from ceo.core.escape import html_attr, md_text, yaml_text
from ceo.core.problems import InputError, Problem
from ceo.core.texts import slug
from ceo.validate.project import region_id_problem
from ceo.validate.registry import registry
from ceo.validate.schema import schema_path

PAGES = ("index.md", "methode.md", "toegankelijkheid.md", "colofon.md")
#: what ``ceo init`` writes from ``ceo/site/templates/project/`` (path in the project; template: path name + .j2)
FILES = ("ceo.yaml", "mkdocs.yml", *(f"site/{p}" for p in PAGES))

_DRECHTSTEDEN = ["GM0482", "GM0505", "GM0531", "GM0590", "GM0610", "GM0642"]
#: the repository's demo project: its files are :func:`render_project` of these values
DEMO = {
    "name": "Cliëntervaringsonderzoek Drechtsteden (demo)",
    "publisher": "Onderzoekcentrum Drechtsteden (fictieve demo)",
    "contact": "onderzoek@example.nl",
    "site_url": "https://cijfers.example.nl/",
    "demo": True,
    "regions": [
        {"id": "drechtsteden", "name": "Drechtsteden", "centre": "GM0505", "members": _DRECHTSTEDEN},
        {"id": "zhz", "name": "Zuid-Holland-Zuid",
         "members": [*_DRECHTSTEDEN, "GM0512", "GM0523", "GM1963", "GM1978"]},
    ],
    # relative to ceo.yaml in the repository (a new project gets the installed file)
    "schema": "ceo/validate/schemas/ceo.schema.json",
}


def render_project(*, name: str, publisher: str = "", contact: str = "", regions: list[dict] | tuple = (),
                   demo: bool = False, schema: str | None = None, site_url: str = "") -> dict[str, str]:
    """The text of every file in :data:`FILES`. ``regions``: dicts with ``id``, ``name``, ``members`` and
    optionally ``centre``; ``schema``: where editors find the JSON Schema of ``ceo.yaml``."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("ceo.site", "templates/project"), keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    # the name, publisher and contact are shown literally, in each context by its own escaper
    env.filters.update(md=md_text, html=html_attr, yaml=yaml_text)
    context = {"name": name, "publisher": publisher, "contact": contact, "regions": list(regions), "demo": demo,
               "site_url": site_url,
               "schema": schema or schema_path("ceo.schema.json").as_uri()}
    return {f: env.get_template(Path(f).name + ".j2").render(**context) for f in FILES}


def init_project(directory: Path, *, name: str | None = None, publisher: str = "",
                 gemeenten: list[str] | None = None, region_name: str | None = None) -> list[Path]:
    """Write ``ceo.yaml``, ``mkdocs.yml`` and ``site/`` into ``directory``; never overwrites a file."""
    from ceo.site.render import SiteSettings, copy_theme

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
    targets = [directory / f for f in FILES]
    for t in targets:
        if t.exists():
            problems.append(Problem("bestaat al; ceo init overschrijft geen bestanden", str(t)))
    if problems:
        raise InputError(problems)
    if not name:
        name = ("Cliëntervaringsonderzoek " + reg.name(codes[0])) if len(codes) == 1 else "Cliëntervaringsonderzoek"
    regions = []
    if len(codes) > 1:
        rname = region_name or "Regio"
        # the id names the region's page: from the name, unless that is no usable id (e.g. '0505')
        rid = slug(rname)
        if region_id_problem(rid):
            rid = "regio"
        regions.append({"id": rid, "name": rname, "members": sorted(codes)})
    texts = render_project(name=name, publisher=publisher, regions=regions)
    written = []
    for f, t in zip(FILES, targets, strict=True):
        t.parent.mkdir(parents=True, exist_ok=True)
        t.write_text(texts[f], encoding="utf-8")
        written.append(t)
    # the theme override named in mkdocs.yml (a Content-Security-Policy in every page); 'ceo process' renews it
    written += copy_theme(directory / "site", SiteSettings(name=name, publisher=publisher))
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


_SITE_URL_COMMENT = "# uit ceo.yaml ('ceo process' en 'ceo site' houden het gelijk; wijzig het daar)"


def sync_site_url(root: Path, site_url: str) -> str | None:
    """Keep ``site_url`` in ``mkdocs.yml`` equal to the one in ``ceo.yaml`` (one place for the researcher:
    ``ceo.yaml``; MkDocs reads it from ``mkdocs.yml`` for sitemap.xml and the canonical links). Only the one
    top-level ``site_url:`` line is replaced or added (after ``site_description:``/``site_name:``); the rest
    of the file stays as it is. Returns a Dutch notice when something changed or needs the researcher, else
    None. The file is replaced in one step (written next to it, then renamed)."""
    import os
    import re

    import yaml

    config = Path(root) / "mkdocs.yml"
    if not config.is_file():
        return None
    text = config.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if re.match(r"site_url\s*:", line)), None)
    current = None
    if at is not None:
        try:
            current = (yaml.safe_load(lines[at]) or {}).get("site_url")
        except yaml.YAMLError:
            current = lines[at]
    if not site_url:
        if current:
            return (f"let op: mkdocs.yml heeft site_url {current}, maar ceo.yaml niet. Zet site_url in ceo.yaml; "
                    "dan houdt ceo beide gelijk en krijgen ook de actueel/-pagina's het juiste adres.")
        return None
    if current == site_url:
        return None
    line = f"site_url: {yaml_text(site_url)}\n"
    if at is not None:
        lines[at] = line
    else:
        after = next((i for i, x in enumerate(lines) if re.match(r"site_description\s*:", x)),
                     next((i for i, x in enumerate(lines) if re.match(r"site_name\s*:", x)), -1))
        if after >= 0 and not lines[after].endswith("\n"):
            lines[after] += "\n"
        lines[after + 1:after + 1] = [_SITE_URL_COMMENT + "\n", line]
    tmp = config.with_name(f".{config.name}.ceo-tmp")
    try:  # a leftover (or a planted symbolic link) is removed, never written through
        tmp.unlink()
    except FileNotFoundError:
        pass
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with open(fd, "w", encoding="utf-8", newline="") as f:
        f.write("".join(lines))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, config)
    return f"mkdocs.yml: site_url is nu {site_url} (uit ceo.yaml)"


def update_repo(root: Path) -> list[Path]:
    """Write the demo project's files into the repository at ``root``; returns the files that changed."""
    changed = []
    for f, text in render_project(**DEMO).items():
        path = Path(root) / f
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


if __name__ == "__main__":
    for p in update_repo(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(f"bijgewerkt: {p}")
