"""Peak memory of ``ceo process`` on a professionals delivery of N respondents.

    .venv/bin/python bench/bench_memory.py [--sizes 1000 100000 1000000] [--keep DIR]

For every size it writes a seeded professionals CSV (all 342 gemeenten, the canonical columns
respondent_id, gemeentecode, tevredenheid, rapportcijfer, p01..p04, beroepsgroep, organisatie),
runs ``ceo process`` on it in a fresh project in a child process and reports the child's peak
resident memory (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``; each size in its own
grandchild so that the maxima do not mix) and the wall time. The smallest size is the fixed base:
the figure per respondent is (peak(N) - peak(smallest)) / (N - smallest). It is a benchmark, not a
test (the 1,000,000-respondent run takes a few minutes on a busy 2-core machine).

The smallest size should be large enough for every step to run (the group tests between
beroepsgroepen import pingouin only when the groups are large enough), so the default base is
10,000 respondents. The last line gives the slope between the two largest sizes as well.

    .venv/bin/python bench/bench_memory.py --readers [--sizes 10000 100000] [--code DIR]

measures the readers alone, per format (CSV, xlsx, .sav), on a delivery with long open answers:
respondent_id, gemeentecode, 20 answer codes and an open answer (one in three respondents writes
about 200 characters, one in a thousand 9,999). Every file is read by ``read_table`` in a fresh child
process; its peak is the larger of the child's and of the reader's own child (the .sav reader runs in
one). The figure per respondent is again (peak(N) - peak(smallest)) / (N - smallest). ``--code DIR``
puts another checkout first on the path (to measure the readers before a change).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ORGANISATIONS = np.array(["Wijkteam Noord", "Jeugdteam", "Basisschool De Regenboog", "GGZ-team Zuid",
                          "Huisartsenpraktijk De Molen", "Schuldhulp Samen Verder", "Consultatiebureau"])


def generate(path: Path, n: int, seed: int = 2025) -> Path:
    """A professionals delivery of ``n`` respondents, spread over every gemeente."""
    from ceo.validate.registry import registry

    rng = np.random.default_rng(seed)
    codes = np.array(sorted(registry().gemeenten))
    likert = [1, 2, 3, 4, 5, 8]
    p = [0.15, 0.4, 0.2, 0.12, 0.08, 0.05]
    frame = pd.DataFrame({
        "respondent_id": np.arange(1, n + 1) + 10_000_000,
        "gemeentecode": codes[rng.integers(0, len(codes), n)],
        "tevredenheid": rng.choice(likert, n, p=p),
        "rapportcijfer": rng.choice([4, 5, 6, 7, 8, 9, 10, 99], n, p=[.03, .05, .15, .3, .3, .1, .05, .02]),
        **{f"p0{k}": rng.choice(likert, n, p=p) for k in range(1, 5)},
        "beroepsgroep": rng.integers(1, 7, n),
        "organisatie": np.where(rng.random(n) < 0.05, "", ORGANISATIONS[rng.integers(0, len(ORGANISATIONS), n)]),
    })
    frame.to_csv(path, index=False)
    return path


def measure(n: int, work: Path) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of ``ceo process`` on ``n`` respondents."""
    project = work / f"project_{n}"
    project.mkdir(parents=True)
    shutil.copy(ROOT / "ceo.yaml", project / "ceo.yaml")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "site").mkdir()
    data = generate(work / f"professionals_{n}.csv", n)
    # a grandchild per size: RUSAGE_CHILDREN of this small wrapper is the peak of that one run
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - t)\n"
    )
    cmd = [sys.executable, "-c", code, sys.executable, "-m", "ceo", "process", "--project", str(project),
           "--date", "2026-01-15", "--survey", "professionals", "--edition", "2025", str(data)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    rc, kb, seconds = out.stdout.split()
    if rc != "0":
        raise SystemExit(f"ceo process failed for {n} respondents (exit {rc})")
    return int(kb) / 1024, float(seconds)


LONG = ("Ik ben erg tevreden over de hulp die ik thuis krijg, de medewerker neemt de tijd en luistert goed. "
        * 100)[:9_999]


def open_answers(n: int, rng: np.random.Generator) -> np.ndarray:
    """Open answers: one in three about 200 characters (different texts), one in a thousand 9,999."""
    words = np.array(["goed", "slecht", "wachttijd", "medewerker", "vriendelijk", "hulp", "thuis", "snel",
                      "rolstoel", "taxi", "huishouden", "contact", "gemeente", "aanvraag", "lang"])
    answers = np.full(n, "", dtype=object)
    some = np.flatnonzero(rng.random(n) < 1 / 3)
    picks = words[rng.integers(0, len(words), (len(some), 30))]
    answers[some] = [" ".join(row)[:200] for row in picks.tolist()]
    answers[::1000] = LONG
    return answers


def delivery(n: int, seed: int = 2025) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"respondent_id": np.arange(1, n + 1) + 10_000_000,
                          "gemeentecode": rng.choice(["GM0505", "GM0642", "GM0590", "GM0531"], n)})
    for k in range(1, 21):
        frame[f"v{k:02d}"] = rng.choice([1, 2, 3, 4, 5, 8, 9], n)
    frame["open_antwoord"] = open_answers(n, rng)
    return frame


def write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """A plain .xlsx (inline strings), written as streamed XML: openpyxl would take minutes."""
    import zipfile
    from xml.sax.saxutils import escape

    from ceo.io.xlsx import _col_letter

    ns = "http://schemas.openxmlformats.org/"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{ns}package/2006/content-types"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{ns}package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{ns}officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}spreadsheetml/2006/main" xmlns:r="{ns}officeDocument/2006/'
        'relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{ns}package/2006/relationships"><Relationship '
        f'Id="rId1" Type="{ns}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
    }

    def cell(ref: str, v: object) -> str:
        if isinstance(v, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>' if v else ""
        return f'<c r="{ref}"><v>{v}</v></c>'

    letters = [_col_letter(j) for j in range(frame.shape[1])]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w") as dest:
            dest.write(f'<worksheet xmlns="{ns}spreadsheetml/2006/main"><sheetData><row r="1">'.encode()
                       + "".join(cell(f"{c}1", str(name)) for c, name in zip(letters, frame.columns, strict=True))
                       .encode() + b"</row>")
            for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
                dest.write((f'<row r="{i}">' + "".join(cell(f"{c}{i}", v) for c, v in zip(letters, row, strict=True))
                            + "</row>").encode())
            dest.write(b"</sheetData></worksheet>")
    return path


def write_delivery(frame: pd.DataFrame, kind: str, path: Path) -> Path:
    if kind == "csv":
        frame.to_csv(path, sep=";", index=False)
    elif kind == "xlsx":
        write_xlsx(frame, path)
    else:
        import pyreadstat

        pyreadstat.write_sav(frame, str(path), row_compress=True)
    return path


_READ = (
    "import sys, time\n"
    "from ceo.io.readers import read_table\n"
    "t = time.perf_counter()\n"
    "raw = read_table(sys.argv[1])\n"
    "assert len(raw.data) == int(sys.argv[2])\n"
    "print(time.perf_counter() - t)\n"
)
#: a small wrapper per read: RUSAGE_CHILDREN of it is the peak of that read and of the reader's own child
#: (a child forked from this large benchmark process would start from its resident memory)
_WRAP = (
    "import resource, subprocess, sys\n"
    "out = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True).stdout\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, out.strip())\n"
)


def measure_reader(path: Path, n: int, code: Path | None) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of ``read_table`` on ``path`` in a fresh process."""
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (code, ROOT) if p)
    out = subprocess.run([sys.executable, "-c", _WRAP, sys.executable, "-c", _READ, str(path), str(n)],
                         capture_output=True, text=True, check=True, env=env, cwd=tempfile.gettempdir())
    kb, seconds = out.stdout.split()
    return int(kb) / 1024, float(seconds)


def readers(sizes: list[int], work: Path, code: Path | None) -> None:
    print(f"{'formaat':>7} {'respondenten':>12} {'bestand (MB)':>12} {'piek (MB)':>10} {'tijd (s)':>9} "
          f"{'kB per respondent boven basis':>30}")
    for kind in ("csv", "xlsx", "sav"):
        results = {}
        for n in sizes:
            path = write_delivery(delivery(n), kind, work / f"levering_{n}.{kind}")
            results[n] = (path.stat().st_size / 1e6, *measure_reader(path, n, code))
        base_n = sizes[0]
        for n in sizes:
            size, mb, s = results[n]
            per = "" if n == base_n else f"{(mb - results[base_n][1]) * 1024 / (n - base_n):.2f}"
            print(f"{kind:>7} {n:>12} {size:>12.1f} {mb:>10.0f} {s:>9.1f} {per:>30}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+")
    ap.add_argument("--keep", type=Path)
    ap.add_argument("--readers", action="store_true", help="the readers alone, per format, with long answers")
    ap.add_argument("--code", type=Path, help="(with --readers) another checkout to measure")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ceo-mem-"))
    if args.readers:
        try:
            readers(sorted(args.sizes or [10_000, 100_000]), work, args.code)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        return
    args.sizes = args.sizes or [10_000, 100_000, 1_000_000]
    try:
        sizes = sorted(args.sizes)
        results = {n: measure(n, work) for n in sizes}
        base_n = sizes[0]
        base_mb = results[base_n][0]
        print(f"{'respondenten':>12} {'piek (MB)':>10} {'tijd (s)':>9} {'kB per respondent boven basis':>30}")
        for n in sizes:
            mb, s = results[n]
            per = "" if n == base_n else f"{(mb - base_mb) * 1024 / (n - base_n):.2f}"
            print(f"{n:>12} {mb:>10.0f} {s:>9.1f} {per:>30}")
        if len(sizes) >= 3:
            (n1, (mb1, _)), (n2, (mb2, _)) = list(results.items())[-2:]
            print(f"helling tussen {n1} en {n2}: {(mb2 - mb1) * 1024 / (n2 - n1):.2f} kB per respondent")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
