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

from ceo.stats.disclosure import MISSING  # respondents without a value for a breakdown (in every remainder)

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


def _changed_records(old_micro: pd.DataFrame, new_micro: pd.DataFrame, codebook, regions) -> pd.DataFrame:
    """One row per (respondent, variable, gebied_code, subgroep, subgroep_waarde) of every respondent whose record
    differs between the two versions, in every domain it belongs to in either version (``_id`` numbers the
    respondents; ``subgroep`` "" is everyone, :data:`MISSING` the respondents without a value for a breakdown).
    When the microdata cannot be matched respondent by respondent (no or a repeated respondent number) the
    revision is refused (:class:`InputError`), never compared more weakly."""
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
                    part["subgroep_waarde"] = gs.map(labels).fillna(gs.astype(str)).where(~np.isnan(g), MISSING) \
                        .to_numpy()
                rows.append(part)
            recs = pd.concat(rows, ignore_index=True).merge(membership, on="gemeentecode")
            recs = recs.drop_duplicates(["_id", "gebied_code", "subgroep_waarde"])
            recs["variable"] = var
            recs["subgroep"] = sg_id or ""
            out.append(recs[["_id", "variable", "gebied_code", "subgroep", "subgroep_waarde"]])
    if not out:
        return pd.DataFrame(columns=["_id", "variable", "gebied_code", "subgroep", "subgroep_waarde"])
    return pd.concat(out, ignore_index=True)


def _domain_changes(old_micro: pd.DataFrame, new_micro: pd.DataFrame, codebook, regions) -> pd.DataFrame:
    """Per (variable, gebied_code, subgroep, subgroep_waarde): the number of respondents in that domain
    whose record differs between the two versions (refused when they cannot be matched: :func:`_changed_records`)."""
    recs = _changed_records(old_micro, new_micro, codebook, regions)
    recs = recs[recs["subgroep_waarde"] != MISSING]
    return recs.groupby(["variable", "gebied_code", "subgroep", "subgroep_waarde"]).size() \
        .rename("delta_n").reset_index()


def disclosure_pairs(old_table: pd.DataFrame, new_table: pd.DataFrame, codebook, regions, threshold: int,
                     old_micro: pd.DataFrame | None = None, new_micro: pd.DataFrame | None = None) -> pd.DataFrame:
    """The figures derivable from both tables whose difference involves 1 ≤ Δn < ``threshold`` respondents (key
    columns, both n and Δn). Empty when the two may be published side by side.

    Derivable are the cells published in both, and the remainders (:func:`_remainders`): per area, indicator and
    breakdown the everyone-figure minus the groups published in both revisions (the groups suppressed in either
    revision and the respondents without a value, together), and per region or total and cell the area's figure
    minus the gemeenten published in both (the gemeenten suppressed in either revision, together)."""
    from ceo.stats.results import KEY

    o, n = _norm(old_table), _norm(new_table)
    o = o.assign(_pub=_published(o))[KEY + ["n", "_pub"]]
    n = n.assign(_pub=_published(n))[KEY + ["n", "_pub"]]
    m = o.merge(n, on=KEY, how="inner", suffixes=("_oud", "_nieuw"))
    m = m[m["_pub_oud"] & m["_pub_nieuw"]].copy()
    m["delta_n"] = (m["n_nieuw"] - m["n_oud"]).abs().astype("int64")
    records = None
    if old_micro is not None and new_micro is not None:
        records = _changed_records(old_micro, new_micro, codebook, regions)
    variable = {ind.id: ind.variable for ind in codebook.indicators}
    if records is not None and len(m):
        changes = records[records["subgroep_waarde"] != MISSING] \
            .groupby(["variable", "gebied_code", "subgroep", "subgroep_waarde"]).size().rename("delta_n").reset_index()
        m["variable"] = m["indicator"].map(variable)
        known = m["variable"].isin(set(old_micro.columns) & set(new_micro.columns)).to_numpy()
        m = m.merge(changes, on=["variable", "gebied_code", "subgroep", "subgroep_waarde"], how="left",
                    suffixes=("", "_micro"))
        micro = m["delta_n_micro"].fillna(0).astype("int64")
        # every respondent who changes n is a changed respondent: never below |Δ n|
        m["delta_n"] = np.where(known, np.maximum(micro, m["delta_n"]), m["delta_n"])
        m = m.drop(columns=["variable", "delta_n_micro"])
    cols = KEY + ["n_oud", "n_nieuw", "delta_n"]
    rest = _remainders(o, n, regions, variable, records,
                       set(old_micro.columns) & set(new_micro.columns) if records is not None else set())
    m = pd.concat([m[cols], rest[cols]], ignore_index=True) if len(rest) else m[cols]
    bad = (m["delta_n"] >= 1) & (m["delta_n"] < threshold)
    return m.loc[bad, cols].reset_index(drop=True)


def _remainders(o: pd.DataFrame, n: pd.DataFrame, regions, variable: dict, records: pd.DataFrame | None,
                micro_columns: set) -> pd.DataFrame:
    """The remainders derivable from both revisions (see :func:`disclosure_pairs`), with n in each revision
    (derived from the published counts) and Δn: the respondents in the remainder's cells in either version whose
    record differs (from the microdata), never below |n_new − n_old|. Key columns: ``subgroep_waarde`` names the
    cells of the remainder ('rest: …'); for an area remainder ``gebied_code`` is the area."""
    head = lambda f: f[f["categorie"] == ""]  # noqa: E731
    both = head(o).merge(head(n), on=["gebied_code", "indicator", "subgroep", "subgroep_waarde"], how="outer",
                         suffixes=("_oud", "_nieuw"))
    for side in ("_oud", "_nieuw"):
        both["_pub" + side] = both["_pub" + side].astype("boolean").fillna(False).astype(bool)
        both["n" + side] = pd.to_numeric(both["n" + side], errors="coerce")
    both["_both"] = both["_pub_oud"] & both["_pub_nieuw"]
    out = []
    # (a) per area, indicator and breakdown: everyone − the groups published in both revisions
    whole = both[(both["subgroep"] == "") & both["_both"]][["gebied_code", "indicator", "n_oud", "n_nieuw"]]
    parts = both[both["subgroep"] != ""]
    if len(whole) and len(parts):
        pub = parts[parts["_both"]].groupby(["gebied_code", "indicator", "subgroep"])[["n_oud", "n_nieuw"]].sum()
        fam = parts[["gebied_code", "indicator", "subgroep"]].drop_duplicates() \
            .merge(whole, on=["gebied_code", "indicator"]) \
            .merge(pub.reset_index(), on=["gebied_code", "indicator", "subgroep"], how="left", suffixes=("", "_pub"))
        for side in ("n_oud", "n_nieuw"):
            fam[side] = fam[side] - fam[side + "_pub"].fillna(0)
        cells = parts[~parts["_both"]][["gebied_code", "indicator", "subgroep", "subgroep_waarde"]]
        cells = pd.concat([cells, fam[["gebied_code", "indicator", "subgroep"]].assign(subgroep_waarde=MISSING)])
        fam = fam.assign(_area=fam["gebied_code"])
        out.append(_delta(fam, cells.assign(_area=cells["gebied_code"]), variable, records, micro_columns, "subgroep"))
    # (b) per region or total and cell: the area − its gemeenten published in both revisions
    level = pd.concat([o, n])[["gebied_code"]].drop_duplicates()
    gems = sorted(c for c in level["gebied_code"] if c != "totaal" and not any(c == r.id for r in regions))
    member = [(r.id, g) for r in regions for g in r.members] + [("totaal", g) for g in gems]
    membership = pd.DataFrame(member, columns=["_area", "gebied_code"]).drop_duplicates()
    areas = both[both["_both"] & both["gebied_code"].isin(membership["_area"])] \
        [["gebied_code", "indicator", "subgroep", "subgroep_waarde", "n_oud", "n_nieuw"]] \
        .rename(columns={"gebied_code": "_area"})
    if len(areas):
        inside = both.merge(membership, on="gebied_code").merge(
            areas[["_area", "indicator", "subgroep", "subgroep_waarde"]], on=["_area", "indicator", "subgroep",
                                                                              "subgroep_waarde"])
        key = ["_area", "indicator", "subgroep", "subgroep_waarde"]
        pub = inside[inside["_both"]].groupby(key)[["n_oud", "n_nieuw"]].sum().reset_index()
        hidden = inside[~inside["_both"]][key + ["gebied_code"]]
        fam = areas.merge(pub, on=key, how="left", suffixes=("", "_pub"))
        fam = fam.merge(hidden[key].drop_duplicates(), on=key)  # only where a gemeente is hidden
        for side in ("n_oud", "n_nieuw"):
            fam[side] = fam[side] - fam[side + "_pub"].fillna(0)
        fam["gebied_code"] = fam["_area"]
        out.append(_delta(fam, hidden, variable, records, micro_columns, "cel"))
    out = [f for f in out if len(f)]
    if not out:
        return pd.DataFrame(columns=["gebied_code", "indicator", "subgroep", "subgroep_waarde", "categorie",
                                     "n_oud", "n_nieuw", "delta_n"])
    return pd.concat(out, ignore_index=True)


def _delta(fam: pd.DataFrame, cells: pd.DataFrame, variable: dict, records: pd.DataFrame | None,
           micro_columns: set, kind: str) -> pd.DataFrame:
    """Δn of every remainder in ``fam`` (one row per remainder, keyed by ``_area``, indicator, subgroep and — for
    an area remainder — subgroep_waarde); ``cells`` lists the (gebied_code, subgroep_waarde) cells in it."""
    key = ["_area", "indicator", "subgroep"] + (["subgroep_waarde"] if kind == "cel" else [])
    fam = fam.copy()
    fam["delta_n"] = (fam["n_nieuw"] - fam["n_oud"]).abs().fillna(0).astype("int64")
    if records is not None and len(fam):
        c = cells.assign(variable=cells["indicator"].map(variable))
        hit = records.merge(c, on=["variable", "gebied_code", "subgroep", "subgroep_waarde"])
        micro = hit.drop_duplicates(key + ["_id"]).groupby(key).size().rename("_micro").reset_index()
        fam = fam.merge(micro, on=key, how="left")
        known = fam["indicator"].map(variable).isin(micro_columns).to_numpy()
        fam["delta_n"] = np.where(known, np.maximum(fam["_micro"].fillna(0).astype("int64"), fam["delta_n"]),
                                  fam["delta_n"])
    names = cells.groupby(key)["subgroep_waarde" if kind == "subgroep" else "gebied_code"] \
        .agg(lambda v: "rest: " + " + ".join(sorted("zonder waarde" if x == MISSING else str(x) for x in set(v))))
    fam = fam.merge(names.rename("_rest").reset_index(), on=key, how="left")
    if kind == "subgroep":
        fam["subgroep_waarde"] = fam["_rest"]
    else:
        fam["subgroep_waarde"] = fam["subgroep_waarde"] + " (" + fam["_rest"] + ")"
    fam["gebied_code"] = fam["_area"]
    fam["categorie"] = ""
    fam["n_oud"] = fam["n_oud"].fillna(0).astype("int64")
    fam["n_nieuw"] = fam["n_nieuw"].fillna(0).astype("int64")
    return fam[["gebied_code", "indicator", "subgroep", "subgroep_waarde", "categorie", "n_oud", "n_nieuw",
                "delta_n"]]


def append_note(out_edition: Path, line: str) -> None:
    """One line in ``uitvoer/<editie>/revisies/LEESMIJ.txt`` (the archive's explanation)."""
    path = out_edition / ARCHIVE / NOTE
    path.parent.mkdir(parents=True, exist_ok=True)
    head = ("Tabellen en microdata van eerdere revisies, alleen voor de onderzoeker (niet publiceren).\n"
            "Ingetrokken revisies staan niet meer op de site; 'ceo diff' leest ze hier.\n\n")
    text = path.read_text(encoding="utf-8") if path.exists() else head
    path.write_text(text + line.rstrip("\n") + "\n", encoding="utf-8")
