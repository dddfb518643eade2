"""Revisions of a published edition under the disclosure rules.

Every table that stays downloadable counts as published. Two published versions of a figure whose
difference involves only a few respondents (1 ≤ Δn < ``onthulling_n``) would let anyone compute those
respondents' answers by subtraction, so such a pair is never published side by side: the earlier
revision is withdrawn from ``site/`` and kept, with a note, in ``uitvoer/<editie>/revisies/`` (for the
researcher and ``ceo diff``; never published).

Δn of a cell is the number of respondents in its domain (area, subgroup, answered the question in
either version) whose record differs between the two versions (added, removed, moved gemeente or
subgroup, changed answer), computed from the microdata of both versions; without the earlier
microdata it is |n_new − n_old|.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ARCHIVE = "revisies"
NOTE = "LEESMIJ.txt"
_TABLE_DTYPES = {"subgroep": str, "subgroep_waarde": str, "categorie": str, "definitie": str,
                 "gebied_code": str}


def read_results(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=_TABLE_DTYPES, keep_default_na=False, na_values=[""])


def read_microdata(path: Path) -> pd.DataFrame:
    """The microdata of a revision, for the comparison per respondent. Missing microdata refuse the revision
    (:class:`InputError`): without them Δn could only be estimated from the tables, which misses changed answers."""
    from ceo.core.problems import InputError

    if not path.is_file():
        raise InputError(f"{path}: de microdata van deze revisie ontbreken, dus ceo kan niet per respondent "
                         "nagaan of het verschil tussen de revisies personen herleidbaar maakt. Zet het bestand "
                         "terug, of verwerk met --intrekken \"reden\" (dan gaan alle eerdere revisies van de site)")
    try:
        frame = pd.read_csv(path, dtype={"respondent_id": str, "gemeentecode": str}, low_memory=False)
    except (ValueError, UnicodeDecodeError) as exc:  # pandas' ParserError is a ValueError
        raise InputError(f"{path}: de microdata van deze revisie zijn beschadigd ({str(exc).strip()[:200]}), dus "
                         "ceo kan niet per respondent nagaan of het verschil tussen de revisies personen "
                         "herleidbaar maakt. Zet het bestand terug, of verwerk met --intrekken \"reden\" (dan gaan "
                         "alle eerdere revisies van de site)") from None
    frame.attrs["bestand"] = str(path)
    return frame


def archive_dir(out_edition: Path, revision: int) -> Path:
    """``uitvoer/<editie>/revisies/revisie-<k>/``: the tables and microdata of a superseded revision."""
    return out_edition / ARCHIVE / f"revisie-{revision}"


def _norm(frame: pd.DataFrame) -> pd.DataFrame:
    f = frame.copy()
    for c in ("subgroep", "subgroep_waarde", "categorie"):
        f[c] = f[c].fillna("").astype(str)
    f["gebied_code"] = f["gebied_code"].astype(str)
    return f


def _published(frame: pd.DataFrame) -> np.ndarray:
    return ((frame["onderdrukt"].astype(str) != "ja") & frame["waarde"].notna()).to_numpy()


def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    same = (a == b) | (a.isna() & b.isna())
    return ~same.to_numpy()


def _domain_changes(old_micro: pd.DataFrame, new_micro: pd.DataFrame, codebook, regions) -> pd.DataFrame:
    """Per (variable, gebied_code, subgroep, subgroep_waarde): the number of respondents in that domain
    whose record differs between the two versions. When the microdata cannot be matched respondent by
    respondent (no or a repeated respondent number) the revision is refused (:class:`InputError`), never
    compared more weakly."""
    from ceo.core.problems import InputError

    def refuse(micro: pd.DataFrame, why: str) -> InputError:
        where = micro.attrs.get("bestand", "de microdata")
        return InputError(f"{where}: {why}, dus ceo kan de revisies niet per respondent vergelijken en niet nagaan "
                          "of het verschil personen herleidbaar maakt; de revisie is geweigerd. Herstel het "
                          "bestand, of verwerk met --intrekken \"reden\" (dan gaan alle eerdere revisies van de site)")

    for micro in (old_micro, new_micro):
        if "respondent_id" not in micro:
            raise refuse(micro, "de kolom respondent_id ontbreekt")
    o = old_micro.set_index(old_micro["respondent_id"].astype(str))
    n = new_micro.set_index(new_micro["respondent_id"].astype(str))
    for micro, index in ((old_micro, o.index), (new_micro, n.index)):
        if not index.is_unique:
            twice = index[index.duplicated()][0]
            raise refuse(micro, f"respondentnummer {twice!r} komt meer dan eens voor")
    ids = o.index.union(n.index)
    old_rows, new_rows = o.reindex(ids), n.reindex(ids)
    in_o, in_n = ids.isin(o.index), ids.isin(n.index)
    base = (in_o != in_n) | _differs(old_rows["gemeentecode"], new_rows["gemeentecode"])
    # gemeente → every area it counts in (itself, its regions, the total)
    gems = sorted(set(old_rows["gemeentecode"].dropna().astype(str))
                  | set(new_rows["gemeentecode"].dropna().astype(str)))
    member = [(g, g) for g in gems] + [(g, "totaal") for g in gems]
    member += [(g, r.id) for r in regions for g in r.members if g in gems]
    membership = pd.DataFrame(member, columns=["gemeentecode", "gebied_code"]).drop_duplicates()

    variables = sorted({ind.variable for ind in codebook.indicators}
                       & set(o.columns) & set(n.columns))
    groups = [(None, None)] + [(sg.id, sg.variable) for sg in codebook.subgroups
                               if sg.variable in o.columns and sg.variable in n.columns]
    out = []
    pos = np.arange(len(ids))
    for var in variables:
        answered = (old_rows[var].notna() | new_rows[var].notna()).to_numpy()
        changed_v = base | _differs(old_rows[var], new_rows[var])
        for sg_id, sg_var in groups:
            changed = changed_v if sg_var is None else changed_v | _differs(old_rows[sg_var], new_rows[sg_var])
            sel = changed & answered
            if not sel.any():
                continue
            rows = []
            for side, present in ((old_rows, in_o), (new_rows, in_n)):
                take = sel & present
                part = pd.DataFrame({"_id": pos[take], "gemeentecode": side["gemeentecode"].to_numpy()[take]})
                if sg_var is None:
                    part["subgroep_waarde"] = ""
                else:
                    labels = {float(k): v for k, v in codebook.labels(sg_var).items()}
                    g = pd.to_numeric(side[sg_var], errors="coerce").to_numpy()[take]
                    gs = pd.Series(g)
                    part["subgroep_waarde"] = gs.map(labels).fillna(gs.astype(str)).to_numpy()
                    part = part[~np.isnan(g)]
                rows.append(part)
            recs = pd.concat(rows, ignore_index=True).merge(membership, on="gemeentecode")
            counts = recs.drop_duplicates(["_id", "gebied_code", "subgroep_waarde"]) \
                .groupby(["gebied_code", "subgroep_waarde"]).size().rename("delta_n").reset_index()
            counts["variable"] = var
            counts["subgroep"] = sg_id or ""
            out.append(counts)
    if not out:
        return pd.DataFrame(columns=["variable", "gebied_code", "subgroep", "subgroep_waarde", "delta_n"])
    return pd.concat(out, ignore_index=True)


def disclosure_pairs(old_table: pd.DataFrame, new_table: pd.DataFrame, codebook, regions, threshold: int,
                     old_micro: pd.DataFrame | None = None, new_micro: pd.DataFrame | None = None) -> pd.DataFrame:
    """The cells published in both tables whose difference involves 1 ≤ Δn < ``threshold``
    respondents (key columns, both n and Δn). Empty when the two may be published side by side."""
    from ceo.stats.results import KEY

    o, n = _norm(old_table), _norm(new_table)
    o = o.assign(_pub=_published(o))[KEY + ["n", "_pub"]]
    n = n.assign(_pub=_published(n))[KEY + ["n", "_pub"]]
    m = o.merge(n, on=KEY, how="inner", suffixes=("_oud", "_nieuw"))
    m = m[m["_pub_oud"] & m["_pub_nieuw"]].copy()
    m["delta_n"] = (m["n_nieuw"] - m["n_oud"]).abs().astype("int64")
    if old_micro is not None and new_micro is not None and len(m):
        changes = _domain_changes(old_micro, new_micro, codebook, regions)
        if changes is not None:
            variable = {ind.id: ind.variable for ind in codebook.indicators}
            m["variable"] = m["indicator"].map(variable)
            known = m["variable"].isin(set(old_micro.columns) & set(new_micro.columns)).to_numpy()
            m = m.merge(changes, on=["variable", "gebied_code", "subgroep", "subgroep_waarde"], how="left",
                        suffixes=("", "_micro"))
            micro = m["delta_n_micro"].fillna(0).astype("int64")
            # every respondent who changes n is a changed respondent: never below |Δ n|
            m["delta_n"] = np.where(known, np.maximum(micro, m["delta_n"]), m["delta_n"])
            m = m.drop(columns=["variable", "delta_n_micro"])
    bad = (m["delta_n"] >= 1) & (m["delta_n"] < threshold)
    return m.loc[bad, KEY + ["n_oud", "n_nieuw", "delta_n"]].reset_index(drop=True)


def append_note(out_edition: Path, line: str) -> None:
    """One line in ``uitvoer/<editie>/revisies/LEESMIJ.txt`` (the archive's explanation)."""
    path = out_edition / ARCHIVE / NOTE
    path.parent.mkdir(parents=True, exist_ok=True)
    head = ("Tabellen en microdata van eerdere revisies, alleen voor de onderzoeker (niet publiceren).\n"
            "Ingetrokken revisies staan niet meer op de site; 'ceo diff' leest ze hier.\n\n")
    text = path.read_text(encoding="utf-8") if path.exists() else head
    path.write_text(text + line.rstrip("\n") + "\n", encoding="utf-8")
