"""Refresh the bundled gemeente list (``ceo/data/gemeenten.csv``) from a new CBS municipality list.

For maintainers, after a municipal reorganisation (herindeling) takes effect on 1 January::

    python -m ceo.validate.registry_refresh NIEUW.csv [--kolom gemeentecode=GemeentecodeGM ...]
        [--herindeling 2026-01-01,GM0001,GM0002 ...] [--schrijf]

``NIEUW.csv`` is the municipality list as CBS publishes it (e.g. the table "Gebieden in Nederland" of
the new year, exported from StatLine as CSV, or any list with one row per gemeente); ``--kolom`` maps
its column names to ours (``gemeentecode``, ``gemeentenaam``, ``provincie``, ``veiligheidsregiocode``,
``veiligheidsregionaam``). The file is read with ceo's own reader (any encoding, ``;`` or ``,``, a
title line). Codes may be ``GM0505``, ``0505`` or ``505``.

The refresh keeps the ``alias`` column of gemeenten that still exist, reports what changed (new,
disappeared and renamed gemeenten), and refuses when the result would be inconsistent: a code twice,
a disappeared gemeente without a herindeling (existing in ``herindelingen.csv`` or given with
``--herindeling DATUM,OUDE_CODE,NIEUWE_CODE``), or a herindeling into a code that does not exist.
Without ``--schrijf`` nothing is written (a dry run). No network is used: download the list yourself.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ceo.core.problems import InputError, Problem
from ceo.validate.registry import cbs_code

DATA = Path(__file__).resolve().parent.parent / "data"
COLUMNS = ("gemeentecode", "gemeentenaam", "provincie", "veiligheidsregiocode", "veiligheidsregionaam")
MERGER_COLUMNS = ("datum", "oude_code", "oude_naam", "nieuwe_code", "nieuwe_naam")


@dataclass
class Refresh:
    """The new contents of ``gemeenten.csv`` and ``herindelingen.csv`` and what changed."""

    gemeenten: list[dict]
    herindelingen: list[dict]
    new: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [f"{len(self.gemeenten)} gemeenten"]
        lines += [f"nieuw: {c}" for c in self.new]
        lines += [f"verdwenen: {c}" for c in self.gone]
        lines += [f"andere naam: {c} {old} → {new}" for c, old, new in self.renamed]
        return lines


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def refresh(source: Path, columns: dict[str, str] | None = None, mergers: list[tuple[str, str, str]] = (),
            data_dir: Path = DATA) -> Refresh:
    """Read the new list and combine it with the bundled files; raises InputError on any inconsistency."""
    from ceo.io.readers import read_table

    columns = {c: c for c in COLUMNS} | dict(columns or {})
    table = read_table(Path(source), text_columns=True)
    frame = table.data
    name = Path(source).name
    missing = [ours for ours, theirs in columns.items() if theirs not in frame.columns]
    if missing:
        raise InputError([Problem(f"kolom '{columns[m]}' (voor {m}) ontbreekt; geef de juiste naam met "
                                  f"--kolom {m}=KOLOM", name) for m in missing])
    old = {r["gemeentecode"]: r for r in _read_csv(data_dir / "gemeenten.csv")}
    old_mergers = _read_csv(data_dir / "herindelingen.csv")
    problems: list[Problem] = []
    rows: dict[str, dict] = {}
    numbers = table.row_numbers if table.row_numbers is not None else range(2, len(frame) + 2)
    for i, rec in zip(numbers, frame[[columns[c] for c in COLUMNS]].itertuples(index=False), strict=True):
        i = int(i)
        values = dict(zip(COLUMNS, (str(v).strip() for v in rec), strict=True))
        code = cbs_code(values["gemeentecode"])
        if code is None:
            problems.append(Problem("geen gemeentecode (GM en vier cijfers)", name, i, columns["gemeentecode"],
                                    values["gemeentecode"]))
            continue
        if code in rows:
            problems.append(Problem(f"gemeente {code} staat er twee keer in", name, i, columns["gemeentecode"],
                                    values["gemeentecode"]))
            continue
        values["gemeentecode"] = code
        values["alias"] = old.get(code, {}).get("alias", "")
        rows[code] = values
    known_mergers = {m["oude_code"] for m in old_mergers}
    merged = list(old_mergers)
    for day, old_code, new_code in mergers:
        oc, nc = cbs_code(old_code), cbs_code(new_code)
        if oc is None or nc is None:
            problems.append(Problem(f"herindeling {day},{old_code},{new_code}: geen geldige gemeentecodes"))
            continue
        try:
            when = date.fromisoformat(day)
        except ValueError:
            problems.append(Problem(f"herindeling {day},{old_code},{new_code}: geen datum JJJJ-MM-DD"))
            continue
        merged.append({"datum": when.isoformat(), "oude_code": oc, "oude_naam": old.get(oc, {}).get("gemeentenaam", oc),
                       "nieuwe_code": nc, "nieuwe_naam": rows.get(nc, {}).get("gemeentenaam", nc)})
        known_mergers.add(oc)
    gone = sorted(set(old) - set(rows))
    for code in gone:
        if code not in known_mergers:
            problems.append(Problem(f"gemeente {code} ({old[code]['gemeentenaam']}) staat niet meer in de lijst; "
                                    "geef op in welke gemeente zij is opgegaan met --herindeling "
                                    "DATUM,OUDE_CODE,NIEUWE_CODE", name))
    for m in merged:
        if m["nieuwe_code"] not in rows and m["nieuwe_code"] not in known_mergers:
            problems.append(Problem(f"herindeling {m['oude_code']} → {m['nieuwe_code']}: gemeente "
                                    f"{m['nieuwe_code']} bestaat niet", name))
    if problems:
        raise InputError(problems)
    renamed = [(c, old[c]["gemeentenaam"], rows[c]["gemeentenaam"]) for c in sorted(rows)
               if c in old and old[c]["gemeentenaam"] != rows[c]["gemeentenaam"]]
    ordered = sorted(rows.values(), key=lambda r: r["gemeentecode"])
    return Refresh(ordered, merged, sorted(set(rows) - set(old)), gone, renamed)


def write(result: Refresh, data_dir: Path = DATA) -> None:
    for name, cols, rows in (("gemeenten.csv", (*COLUMNS, "alias"), result.gemeenten),
                             ("herindelingen.csv", MERGER_COLUMNS, result.herindelingen)):
        target = data_dir / name
        # keep the line ends the bundled file has (CRLF, as the source list came)
        crlf = target.exists() and b"\r\n" in target.read_bytes()[:4096]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(cols), lineterminator="\r\n" if crlf else "\n")
        w.writeheader()
        w.writerows({c: r.get(c, "") for c in cols} for r in rows)
        target.write_bytes(buf.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ceo.validate.registry_refresh",
                                 description="Werk de gemeentelijst van ceo bij uit een nieuwe CBS-lijst.")
    ap.add_argument("bestand", type=Path, help="de nieuwe gemeentelijst (CSV, xlsx of sav)")
    ap.add_argument("--kolom", action="append", default=[], metavar="ONZE=HUNNE",
                    help="kolomnaam in het bestand, bijv. gemeentecode=GemeentecodeGM")
    ap.add_argument("--herindeling", action="append", default=[], metavar="DATUM,OUDE_CODE,NIEUWE_CODE")
    ap.add_argument("--schrijf", action="store_true", help="schrijf ceo/data/*.csv (anders alleen tonen)")
    args = ap.parse_args(argv)
    try:
        columns = dict(k.split("=", 1) for k in args.kolom)
        mergers = [tuple(m.split(",")) for m in args.herindeling]
        if any(len(m) != 3 for m in mergers) or any(k not in COLUMNS for k in columns):
            raise InputError("gebruik --kolom ONZE=HUNNE (ONZE: " + ", ".join(COLUMNS)
                             + ") en --herindeling DATUM,OUDE_CODE,NIEUWE_CODE")
        result = refresh(args.bestand, columns, mergers)
    except (InputError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print("\n".join(result.summary()))
    if args.schrijf:
        write(result)
        print(f"geschreven: {DATA / 'gemeenten.csv'}, {DATA / 'herindelingen.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
