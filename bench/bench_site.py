"""`mkdocs build` of a national CEO Wmo edition (342 gemeenten) against plain Markdown controls.

    .venv/bin/python bench/bench_site.py [--repeat 3] [--keep DIR] [--check]

Generates the seeded national data (``bench/national.py``), runs ``process()`` for Wmo 2025 once
(timed), times ``render_site`` alone (the pages, and the pages plus the Excel download), and then
times ``mkdocs build --quiet --strict`` (a subprocess, best of ``--repeat``, each into a fresh
``--site-dir``) of the generated site and of control sites with the same ``mkdocs.yml`` (theme,
features, plugins, Markdown extensions, nav) and the same number of Markdown pages at the same paths:

* **plain, same size** (the honest control, the one the requirement is checked against): every
  generated page replaced by plain Markdown of the same byte size (its heading, the same number of
  subheadings, paragraphs of text), without HTML tables, charts or scripts;
* **minimal**: every page a heading and one short paragraph.

Both controls keep the generated site's other files (``assets/`` with plotly.js, the open data in
``<edition>/data/``, the ``actueel/`` redirects), so the ratios compare the pages only; the minimal
control without those files is timed too. Material renders the navigation into every page, so a nav
listing every gemeente would make the build grow with the square of the pages; the requirement is a
build of at most 1.5 x the plain control.

Ratios use the CPU time of the mkdocs process (user + system; mkdocs builds on one core, so on an
idle machine this is the wall time, and it is not inflated by other work on the machine); wall times
are printed too. ``--check`` exits 1 when the ratio is above the limit. (ceo uses no MkDocs plugin
or hook beyond the theme's search: MkDocs 2 drops plugins, so speed must come from the pages.)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import national  # noqa: E402
from national import best  # noqa: E402

from ceo import __version__  # noqa: E402
from ceo.pipeline import ProcessOptions, process  # noqa: E402
from ceo.site.render import render_site  # noqa: E402
from ceo.validate.project import load_project  # noqa: E402

LIMIT = 1.5
WORDS = (
    "de het een en van in op voor met cliënten gemeente ondersteuning kwaliteit toegang effect samenwerking "
    "tevreden hulp zorg wijkteam aanvraag gesprek resultaat oordeel respondenten onderzoek editie regio"
).split()


def filler(size: int, seed: int) -> str:
    """Deterministic plain text of ``size`` bytes (give or take a word), in paragraphs of about 600 bytes."""
    paragraphs, n, i = [], 0, seed
    while n < size:
        words: list[str] = []
        length = 0
        while length < min(600, size - n):
            w = WORDS[(i * 7 + len(words) * 13) % len(WORDS)]
            words.append(w)
            length += len(w.encode("utf-8")) + 1
            i += 1
        paragraphs.append(" ".join(words).capitalize() + ".")
        n += length + 2
    return "\n\n".join(paragraphs)


def plain_page(source: str, seed: int) -> str:
    """Plain Markdown with the byte size and the number of headings of ``source``."""
    lines = source.splitlines()
    title = next((ln[2:] for ln in lines if ln.startswith("# ")), "Pagina")
    headings = [ln for ln in lines if ln.startswith("#") and not ln.startswith("# ")]
    size = len(source.encode("utf-8"))
    rest = size - len(title) - 4 - sum(len(h.encode("utf-8")) + 2 for h in headings)
    per = max(1, rest // (len(headings) + 1))
    parts = [f"# {title}", filler(per, seed)]
    for k, h in enumerate(headings):
        parts += [h, filler(per, seed + k + 1)]
    return "\n\n".join(parts) + "\n"


def minimal_page(source: str, _seed: int) -> str:
    title = next((ln[2:] for ln in source.splitlines() if ln.startswith("# ")), "Pagina")
    return f"# {title}\n\nEen korte alinea met gewone tekst, zonder tabellen of grafieken.\n"


def control(project: Path, target: Path, page, keep_files: bool) -> None:
    """A copy of ``project``'s mkdocs.yml and docs tree with every Markdown page replaced by ``page``."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy(project / "mkdocs.yml", target / "mkdocs.yml")
    docs = project / "site"
    for i, src in enumerate(sorted(p for p in docs.rglob("*") if p.is_file())):
        dest = target / "site" / src.relative_to(docs)
        if src.suffix == ".md":
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(page(src.read_text(encoding="utf-8"), i), encoding="utf-8")
        elif keep_files or "assets/theme" in src.relative_to(docs).as_posix():
            # the theme override (Content-Security-Policy) is part of the configuration: every control has it
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)


def mkdocs_build(project: Path, out: Path, config: str = "mkdocs.yml") -> tuple[float, float]:
    """Build ``project`` into ``out``; returns the wall time and the CPU time (user + system) of mkdocs."""
    if out.exists():
        shutil.rmtree(out)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--quiet", "--strict", "--config-file",
           str(project / config), "--site-dir", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    run = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode:
        sys.exit(f"mkdocs build van {project / config} mislukt:\n{run.stdout}{run.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_build(project: Path, out: Path, config: str, repeat: int) -> tuple[float, float]:
    runs = [mkdocs_build(project, out, config) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="keep the projects here (default: a temporary directory)")
    ap.add_argument("--check", action="store_true", help=f"exit 1 when the ratio is above {LIMIT}")
    args = ap.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="ceo-bench-site-"))
    try:
        run(args, tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path) -> None:
    root = national.make_project(tmp / "project")
    paths = national.generate(tmp / "invoer")
    project = load_project(root)
    opts = ProcessOptions("wmo", 2025, [paths["data"]], population=paths["population"],
                          benchmark=paths["benchmark"])
    t = time.perf_counter()
    process(project, opts)
    t_process = time.perf_counter() - t
    site = project.site_dir
    t_render, written = best(lambda: render_site(site, root, __version__, changed=set()), args.repeat)
    t_render_xlsx, _ = best(lambda: render_site(site, root, __version__), args.repeat)

    pages = sorted(site.rglob("*.md"))
    factsheets = [p for p in pages if p.parent.name == "gemeente"]
    sites = {
        "gegenereerde site": root,
        "controle: gewone pagina's, zelfde omvang": tmp / "control-plain",
        "controle: minimale pagina's": tmp / "control-minimal",
        "controle: minimale pagina's, zonder overige bestanden": tmp / "control-bare",
    }
    control(root, sites["controle: gewone pagina's, zelfde omvang"], plain_page, keep_files=True)
    control(root, sites["controle: minimale pagina's"], minimal_page, keep_files=True)
    control(root, sites["controle: minimale pagina's, zonder overige bestanden"], minimal_page, keep_files=False)

    configs = {"mkdocs.yml": "mkdocs.yml"}
    out = tmp / "build"
    times: dict[tuple[str, str], tuple[float, float]] = {}
    for clabel, config in configs.items():
        for k, (slabel, path) in enumerate(sites.items()):
            times[clabel, slabel] = best_build(path, out / f"{k}-{config}", config, args.repeat)
    built = out / "0-mkdocs.yml"
    one = built / "2025" / "gemeente" / factsheets[0].stem / "index.html"
    md_bytes = sum(p.stat().st_size for p in pages)
    plain_docs = sites["controle: gewone pagina's, zelfde omvang"] / "site"
    plain_bytes = sum(p.stat().st_size for p in plain_docs.rglob("*.md"))

    print(f"gemeenten: {len(factsheets)}, Markdown-pagina's: {len(pages)} ({md_bytes / 1e6:.1f} MB; "
          f"controle met gewone pagina's {plain_bytes / 1e6:.1f} MB), herhalingen: {args.repeat}")
    print(f"ceo process (wmo 2025)               {t_process:6.2f} s")
    print(f"render_site (pagina's)               {t_render:6.2f} s  ({len(written)} bestanden)")
    print(f"render_site (pagina's + Excel)       {t_render_xlsx:6.2f} s")
    print(f"gebouwde site {tree_size(built) / 1e6:.1f} MB; één factsheet "
          f"({one.relative_to(built)}) {one.stat().st_size / 1e3:.0f} kB; zoekindex "
          f"{(built / 'search' / 'search_index.json').stat().st_size / 1e6:.1f} MB")
    verdicts = {}
    for clabel in configs:
        print(f"\nmkdocs build met {clabel}:")
        gen_cpu = times[clabel, "gegenereerde site"][1]
        for slabel in sites:
            wall, cpu = times[clabel, slabel]
            ratio = "" if slabel == "gegenereerde site" else f"  gegenereerd/controle {gen_cpu / cpu:5.2f}×"
            print(f"  {slabel:55s} cpu {cpu:6.2f} s  wand {wall:6.2f} s{ratio}")
        verdicts[clabel] = gen_cpu / times[clabel, "controle: gewone pagina's, zelfde omvang"][1]
    print()
    for clabel, ratio in verdicts.items():
        print(f"verhouding gegenereerd / gewone pagina's van gelijke omvang ({clabel}): {ratio:.2f}× "
              f"({'binnen' if ratio <= LIMIT else 'BOVEN'} de grens van {LIMIT}×)")
    if args.check and max(verdicts.values()) > LIMIT:
        sys.exit(1)


if __name__ == "__main__":
    main()
