"""Write the data files of the corpus of broken deliveries (``tests/data/bad/<case>/``).

Run from the repository root: ``.venv/bin/python tests/data/bad/make_corpus.py``. The output is
deterministic (fixed seed, fixed dates inside .sav and .xlsx files), so running it again changes
nothing. It writes only data files; every case's ``case.yaml`` (arguments and the exact expected
Dutch messages) is written by hand and never touched here. The tests read the committed files and
never run this script.

The deliveries are small (a few dozen respondents of CEO Wmo 2025 from Drechtsteden gemeenten)
and look like what fieldwork agencies send: a ``;``-separated "Dutch Excel" CSV with the codebook's
column names, an SPSS file with the agency's own names (``RESPNR``, ``V1`` ...) plus a mapping,
an Excel workbook, and population files.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20250
ITEMS = [f"v{k:02d}" for k in range(1, 11)]
COLUMNS = ["respondent_id", "gemeentecode", *ITEMS, "rapportcijfer", "leeftijd", "geslacht", "voorziening",
           "hulp_invullen"]
AGENCY = {"respondent_id": "RESPNR", "gemeentecode": "GEMEENTE", **{v: f"V{int(v[1:])}" for v in ITEMS},
          "rapportcijfer": "RAPCIJF", "leeftijd": "LFT", "geslacht": "GESL", "voorziening": "VOORZ",
          "hulp_invullen": "HULP"}
MAPPING = """\
# Mapping van het bestand van veldwerkbureau Panelwerk naar de vragenlijst CEO Wmo
onderzoek: wmo
variabelen:
  RESPNR: respondent_id
  GEMEENTE: gemeentecode
  V1: v01
  V2: v02
  V3: v03
  V4: v04
  V5: v05
  V6: v06
  V7: v07
  V8: v08
  V9: v09
  V10: v10
  RAPCIJF: rapportcijfer
  LFT: leeftijd
  GESL: geslacht
  VOORZ: voorziening
  HULP: hulp_invullen
codes:
  rapportcijfer: {0: 99}
negeren: [VERSIE]
"""
FIXED_DATE = (2025, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- base data

def respondents(gemeenten: dict[str, int], seed: int = SEED, first_id: int = 250001) -> pd.DataFrame:
    """Made-up Wmo respondents: ``gemeenten`` maps what the agency writes in the gemeente column to
    the number of respondents."""
    rng = np.random.default_rng(seed)
    n = sum(gemeenten.values())
    gem = np.repeat(list(gemeenten), list(gemeenten.values()))
    age = np.clip(np.round(rng.gamma(9.0, 8.5, n)), 19, 98).astype(int)
    data = {"respondent_id": np.arange(first_id, first_id + n), "gemeentecode": gem}
    for v in ITEMS:
        if v == "v05":
            data[v] = rng.choice([1, 2, 8, 9], n, p=[0.55, 0.35, 0.07, 0.03])
        else:
            data[v] = rng.choice([1, 2, 3, 4, 5, 8, 9], n, p=[0.25, 0.45, 0.13, 0.08, 0.03, 0.04, 0.02])
    data["rapportcijfer"] = rng.choice([5, 6, 7, 8, 9, 10, 0], n, p=[0.04, 0.12, 0.3, 0.35, 0.1, 0.06, 0.03])
    data["leeftijd"] = age
    data["geslacht"] = rng.choice([1, 2, 3], n, p=[0.37, 0.61, 0.02])
    data["voorziening"] = rng.choice([1, 2, 3, 4, 5, 6, 8], n, p=[0.4, 0.2, 0.1, 0.12, 0.1, 0.05, 0.03])
    data["hulp_invullen"] = rng.choice([1, 2], n, p=[0.3, 0.7])
    df = pd.DataFrame(data, columns=COLUMNS)
    df.loc[df["rapportcijfer"] == 0, "rapportcijfer"] = 99  # CSV deliveries use the codebook's codes
    return df


DRECHTSTEDEN = {"GM0505": 18, "GM0642": 14}


def rows_of(df: pd.DataFrame) -> list[list[str]]:
    return [[str(v) for v in row] for row in df.itertuples(index=False, name=None)]


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ";", newline: str = "\r\n") -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write(case: str, name: str, data: bytes | str, encoding: str = "utf-8") -> None:
    target = HERE / case / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data.encode(encoding) if isinstance(data, str) else data)


def write_csv(case: str, name: str, df: pd.DataFrame, **kwargs) -> None:
    write(case, name, csv_text(list(df.columns), rows_of(df), **kwargs))


# --------------------------------------------------------------------------- SPSS and Excel

def sav_bytes(df: pd.DataFrame) -> bytes:
    import tempfile

    import pyreadstat

    from ceo.demo import _fix_sav_timestamp

    agency = df.drop(columns="gemeentecode").rename(columns=AGENCY).astype(float)
    agency.loc[agency["RAPCIJF"] == 99, "RAPCIJF"] = 0.0  # the agency codes "weet niet" as 0
    agency.insert(1, "GEMEENTE", [float(str(c)[2:]) for c in df["gemeentecode"]])
    agency["VERSIE"] = "papier"
    items = [AGENCY[v] for v in ITEMS]
    labels = {v: {1: "Helemaal mee eens", 2: "Mee eens", 3: "Neutraal", 4: "Niet mee eens",
                  5: "Helemaal niet mee eens", 8: "Weet niet/n.v.t.", 9: "Geen antwoord"} for v in items}
    labels["V5"] = {1: "Ja", 2: "Nee", 8: "Weet niet", 9: "Geen antwoord"}
    labels["GEMEENTE"] = {505: "Dordrecht", 642: "Zwijndrecht", 590: "Papendrecht"}
    labels["RAPCIJF"] = {0: "Weet niet", 1: "1 zeer slecht", 10: "10 uitstekend"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.sav"
        pyreadstat.write_sav(agency, path, file_label="CEO Wmo 2025 (Panelwerk)",
                             column_labels={"RESPNR": "Respondentnummer", "GEMEENTE": "Gemeente",
                                            "RAPCIJF": "Rapportcijfer ondersteuning", "LFT": "Leeftijd"},
                             variable_value_labels=labels, missing_ranges={v: [9] for v in items})
        raw = bytearray(path.read_bytes())
    _fix_sav_timestamp(raw)
    return bytes(raw)


def xlsx_bytes(build) -> bytes:
    """An .xlsx file made by ``build(worksheet)``, with fixed dates (byte-identical every time)."""
    from openpyxl import Workbook

    from ceo.demo import _fixed_zip

    wb = Workbook()
    build(wb.active)
    wb.properties.creator = "Panelwerk"
    wb.properties.created = wb.properties.modified = datetime.datetime(*FIXED_DATE)
    buffer = io.BytesIO()
    wb.save(buffer)
    return _fixed_zip(buffer.getvalue())


# --------------------------------------------------------------------------- the cases

def main() -> None:
    base = respondents(DRECHTSTEDEN)

    # --- SPSS: download broken off halfway; bytes overwritten in the variable dictionary
    sav = sav_bytes(base)
    write("sav_afgekapt", "wmo_2025.sav", sav[: len(sav) * 3 // 5])
    write("sav_afgekapt", "mapping_wmo.yaml", MAPPING)
    damaged = bytearray(sav)
    damaged[176:184] = b"\xff" * 8  # the type field of the first variable record and after
    write("sav_beschadigd", "wmo_2025.sav", bytes(damaged))
    write("sav_beschadigd", "mapping_wmo.yaml", MAPPING)

    # --- Excel: a title row above the header (merged over the width) reads fine
    def title_sheet(ws, merge_data: bool = False) -> None:
        ws.title = "Wmo 2025"
        ws.append(["Cliëntervaringsonderzoek Wmo 2025 - Panelwerk - vertrouwelijk"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
        ws.append(COLUMNS)
        df = base.copy()
        df["gemeentecode"] = df["gemeentecode"].map({"GM0505": "Dordrecht", "GM0642": "Zwijndrecht"})
        for row in df.itertuples(index=False, name=None):
            ws.append([v.item() if hasattr(v, "item") else v for v in row])
        if merge_data:  # gemeente typed once per block, cells merged downwards
            first = 3
            for n in DRECHTSTEDEN.values():
                ws.merge_cells(start_row=first, start_column=2, end_row=first + n - 1, end_column=2)
                first += n

    write("xlsx_titelrij", "wmo_2025.xlsx", xlsx_bytes(title_sheet))
    write("xlsx_samengevoegde_cellen", "wmo_2025.xlsx", xlsx_bytes(lambda ws: title_sheet(ws, True)))
    full = xlsx_bytes(title_sheet)
    write("xlsx_afgebroken", "wmo_2025.xlsx", full[: len(full) // 2])

    # --- CSV: readable quirks of real exports
    text = csv_text(COLUMNS, rows_of(base))
    write("csv_bom", "wmo_2025.csv", "\ufeff" + text)
    quoted = io.StringIO(newline="")
    csv.writer(quoted, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(
        [COLUMNS, *rows_of(base)])
    write("csv_getallen_tussen_aanhalingstekens", "wmo_2025.csv", quoted.getvalue())
    write("csv_lege_kolommen_aan_eind", "wmo_2025.csv",
          csv_text(COLUMNS + ["", "", ""], [r + ["", "", ""] for r in rows_of(base)]))
    frisian = respondents({"Súdwest-Fryslân": 12, "Noardeast-Fryslân": 10}, first_id=310001)
    write("csv_windows1252", "wmo_2025_friesland.csv", csv_text(COLUMNS, rows_of(frisian)), encoding="cp1252")
    # UTF-8, with the last rows added by hand in an editor that saved them in Windows-1252
    frisian_rows = csv_text(COLUMNS, rows_of(frisian)).split("\r\n")
    write("csv_gemengde_codering", "wmo_2025_friesland.csv",
          "\r\n".join(frisian_rows[:-4]).encode("utf-8") + b"\r\n"
          + "\r\n".join(frisian_rows[-4:]).encode("cp1252"))
    # tab-separated UTF-16 as some database exports write it: without a byte order mark
    write("csv_utf16_zonder_bom", "wmo_2025.txt", csv_text(COLUMNS, rows_of(base), delimiter="\t"),
          encoding="utf-16-le")

    # --- CSV: broken
    rows = rows_of(base)
    mixed = csv_text(COLUMNS, rows[:24]) + csv_text(COLUMNS, rows[24:], delimiter=",").split("\r\n", 1)[1]
    write("csv_gemengde_scheidingstekens", "wmo_2025.csv", mixed)
    lossy = frisian.copy()
    lossy["gemeentecode"] = lossy["gemeentecode"].str.replace("ú", "?").str.replace("â", "?")
    write("csv_verkeerde_codering", "wmo_2025_friesland.csv", csv_text(COLUMNS, rows_of(lossy)), encoding="ascii")
    write("csv_nul_bytes", "wmo_2025.csv", text.encode("utf-8")[:1500] + b"\x00" * 2048)
    with_remark = base.copy()
    with_remark["opmerking"] = ""
    with_remark.loc[3, "opmerking"] = "Fijne hulp van de wijkteams"
    with_remark.loc[6, "opmerking"] = '"Huishoudelijke hulp komt vaak te laat'  # quote never closed
    with_remark.loc[11, "opmerking"] = 'Mijn "vaste" hulp is weg'  # a quote inside a field is fine
    lines = [";".join(with_remark.columns), *(";".join(r) for r in rows_of(with_remark))]
    write("csv_ongesloten_aanhalingsteken", "wmo_2025.csv", "\r\n".join(lines) + "\r\n")

    dordrecht = respondents({"GM0505": 16}, first_id=1)
    zwijndrecht = respondents({"GM0642": 12}, seed=SEED + 1, first_id=1)
    zwijndrecht["respondent_id"] = np.arange(14, 26)  # the agency numbered from 14 on, but not far enough
    dordrecht.loc[9, "respondent_id"] = dordrecht.loc[8, "respondent_id"]  # typed twice
    write_csv("dubbele_respondentnummers", "wmo_2025_dordrecht.csv", dordrecht)
    write_csv("dubbele_respondentnummers", "wmo_2025_zwijndrecht.csv", zwijndrecht)

    unknown = base.copy()
    unknown.loc[2, "gemeentecode"] = "Drechtsteden"
    unknown.loc[7, "gemeentecode"] = "GM9999"
    unknown.loc[20, "gemeentecode"] = "Zwijndrecht-Noord"
    unknown.loc[25, "gemeentecode"] = ""
    write_csv("gemeente_onbekend", "wmo_2025.csv", unknown)

    voorne = respondents({"Hellevoetsluis": 9, "GM0501": 8, "Nissewaard": 10}, first_id=410001)
    write_csv("gemeente_opgeheven", "wmo_2025_voorne_putten.csv", voorne)

    ages = base.copy()
    ages["leeftijd"] = ages["leeftijd"].astype(object)
    ages.loc[4, "leeftijd"] = 7
    ages.loc[9, "leeftijd"] = 1948  # a year of birth
    ages.loc[15, "leeftijd"] = 134
    ages.loc[22, "leeftijd"] = -1
    write_csv("leeftijd_onmogelijk", "wmo_2025.csv", ages)

    codes = base.copy().astype(object)
    codes.loc[1, "v01"] = 6
    codes.loc[5, "v03"] = 0
    codes.loc[8, "v05"] = 3
    codes.loc[12, "rapportcijfer"] = 11
    codes.loc[17, "rapportcijfer"] = "7,5"
    codes.loc[19, "geslacht"] = 4
    codes.loc[27, "v10"] = "ja"
    write_csv("antwoordcodes_buiten_bereik", "wmo_2025.csv", codes)

    empty = base.copy().astype(object)
    empty["v07"] = ""
    write_csv("kolom_helemaal_leeg", "wmo_2025.csv", empty)

    write("nul_rijen", "wmo_2025.csv", csv_text(COLUMNS, []))

    one = respondents({"GM0590": 1}, first_id=590001)
    write_csv("een_respondent", "wmo_2025_papendrecht.csv", one)
    write("een_respondent", "populatie_wmo_2025_papendrecht.csv", csv_text(
        ["gemeentecode", "leeftijdsklasse", "geslacht", "aantal"],
        [["GM0590", str(k), str(g), str(n)]
         for (k, g), n in zip([(k, g) for k in (1, 2, 3, 4) for g in (1, 2)],
                              [140, 220, 160, 230, 190, 330, 140, 240], strict=True)]))

    weights = base.copy().astype(object)
    weights["gewicht"] = [f"{w:.4f}".replace(".", ",") for w in np.linspace(0.6, 1.8, len(base))]
    weights.loc[3, "gewicht"] = "0"
    weights.loc[10, "gewicht"] = "-0,8500"
    weights.loc[21, "gewicht"] = ""
    weights.loc[29, "gewicht"] = "0,0000"
    write_csv("gewicht_nul_negatief_leeg", "wmo_2025.csv", weights)

    privacy = base.copy().astype(object)
    privacy.insert(1, "postcode", [f"33{11 + i % 80:02d} {'AB' if i % 2 else 'KL'}" for i in range(len(base))])
    privacy.insert(2, "Geboortedatum", [f"{1 + i % 28:02d}-0{1 + i % 9}-19{40 + i % 40}" for i in range(len(base))])
    write_csv("identificerende_kolommen", "wmo_2025.csv", privacy)

    # --- population files (Wmo 2025, Drechtsteden), with the valid delivery
    for case in ("populatie_kleiner_dan_steekproef", "populatie_gemeente_ontbreekt", "populatie_dubbele_cellen"):
        write_csv(case, "wmo_2025.csv", base)
    classes = {1: 0.22, 2: 0.25, 3: 0.31, 4: 0.22}

    def population(totals: dict[str, int]) -> list[list[str]]:
        out = []
        for code, total in totals.items():
            counts = [int(round(total * p)) for p in classes.values()]
            out += [[code, str(k), str(c)] for k, c in zip(classes, counts, strict=True)]
        return out

    header = ["gemeentecode", "leeftijdsklasse", "aantal"]
    write("populatie_kleiner_dan_steekproef", "populatie_wmo_2025.csv",  # clients of one voorziening only
          csv_text(["gemeentecode", "aantal"], [["GM0505", "7480"], ["GM0642", "12"]]))
    write("populatie_gemeente_ontbreekt", "populatie_wmo_2025.csv",
          csv_text(header, population({"GM0482": 610, "GM0505": 7480, "GM0531": 900}), delimiter=",",
                   newline="\n"))
    rows_pop = population({"GM0505": 7480, "GM0642": 2610})
    rows_pop.insert(3, ["GM0505", "3", "2319"])  # pasted twice: the same cell again, another count
    rows_pop.append(["Zwijndrecht", "2", "653"])  # the same cell by name instead of code
    write("populatie_dubbele_cellen", "populatie_wmo_2025.csv", csv_text(header, rows_pop, delimiter=",",
                                                                           newline="\n"))

    # --- mapping files, with the (valid) SPSS delivery
    for case in ("mapping_kapot", "mapping_onbekende_variabele"):
        write(case, "wmo_2025.sav", sav)
    write("mapping_kapot", "mapping_wmo.yaml", MAPPING.replace("  V10: v10\n", "  V10 v10\n"))
    write("mapping_onbekende_variabele", "mapping_wmo.yaml",
          MAPPING.replace("  V10: v10\n", "  V10: v10\n  V11: v11\n").replace("RAPCIJF: rapportcijfer",
                                                                              "RAPCIJF: rapportcijfers")
          .replace("rapportcijfer: {0: 99}", "rapportcijfer: {0: 99}\n  leeftijdsklasse: {1: 2}"))

    # --- a benchmark file with mistakes, with the valid CSV delivery
    write_csv("benchmark_kapot", "wmo_2025.csv", base)
    write("benchmark_kapot", "benchmark_nederland_2024.csv", csv_text(
        ["indicator", "waarde", "se", "naam"],
        [["v01", "81,2", "", "Nederland"], ["v02", "78,0", "", "Nederland"], ["v6", "80,1", "", "Nederland"],
         ["v07", "121", "", "Nederland"], ["v08", "n.b.", "", "Nederland"], ["v02", "77,9", "", "Nederland"],
         ["rapportcijfer", "7,6", "0,02", "Nederland"]]))

    # --- a project's own codebook with mistakes, with the valid CSV delivery
    write_csv("vragenlijst_kapot", "wmo_2025.csv", base)
    codebook = (Path(__file__).resolve().parents[3] / "surveys" / "wmo.yaml").read_text(encoding="utf-8")
    broken = (codebook
              .replace("    positief: [1, 2]\n    geen_oordeel: [8]\n    ontbrekend: [9]\n  ja_nee_weetniet:",
                       "    positief: [1, 2, 6]\n    geen_oordeel: [8]\n    ontbrekend: [9]\n  ja_nee_weetniet:")
              .replace("schaal: ja_nee_weetniet, verplicht: true", "schaal: ja_nee_weetnie, verplicht: true")
              .replace("type: numeriek, minimum: 18", "type: numeriek, minimum: achttien"))
    if broken.count("\n") != codebook.count("\n") or broken == codebook:
        raise RuntimeError("surveys/wmo.yaml changed; adjust the broken copy")
    write("vragenlijst_kapot", "project/surveys/wmo.yaml", broken)
    typo_keys(base, sav, codebook)

    values_and_limits(base)


def typo_keys(base: pd.DataFrame, sav: bytes, codebook: str) -> None:
    """Misspelt and misplaced keys: before they were refused, each was silently ignored (and changed what
    was published: the run used logit and 30, respondent_id stopped being required, v01 lost its theme)."""
    root = Path(__file__).resolve().parents[3]
    config = (root / "ceo.yaml").read_text(encoding="utf-8")
    typos = (config.replace("bi_methode: logit ", "bi_methdoe: wilson")
             .replace("  minimum_n: 30 ", "  minimun_n: 5  "))
    if typos.count("\n") != config.count("\n") or typos.count("onbekend") or "minimun_n: 5" not in typos \
            or "bi_methdoe: wilson" not in typos:
        raise RuntimeError("ceo.yaml changed; adjust the copy with typos")
    write_csv("ceo_yaml_tikfouten", "wmo_2025.csv", base)
    write("ceo_yaml_tikfouten", "project/ceo.yaml", typos)
    cb_typos = (codebook.replace("{id: respondent_id, type: id, verplicht: true,", "{id: respondent_id, type: id, "
                                                                                    "verplight: true,")
                .replace("  - {id: v01, kop: \"wisten waar ze moesten zijn met hun hulpvraag\",\n     thema: toegang,",
                         "  - {id: v01, kop: \"wisten waar ze moesten zijn met hun hulpvraag\",\n     tema: toegang,"))
    if cb_typos.count("verplight") != 1 or cb_typos.count("tema:") != 1:
        raise RuntimeError("surveys/wmo.yaml changed; adjust the copy with typos")
    write_csv("vragenlijst_tikfouten", "wmo_2025.csv", base)
    write("vragenlijst_tikfouten", "project/surveys/wmo.yaml", cb_typos)
    # 'negeren' indented under 'codes' (so VERSIE would not be ignored) and a remark written as a key
    write("mapping_tikfouten", "wmo_2025.sav", sav)
    write("mapping_tikfouten", "mapping_wmo.yaml",
          MAPPING.replace("negeren: [VERSIE]", "  negeren: [VERSIE]")
          .replace("onderzoek: wmo\n", "onderzoek: wmo\nopmerking: levering van Panelwerk, maart 2025\n"))


def values_and_limits(base: pd.DataFrame) -> None:
    """Every delivered value is what the file says or a located error; limits; checked ceo.yaml."""
    from openpyxl.utils.cell import get_column_letter

    # --- Excel: formulas whose result was never saved (written by a script, not by Excel)
    def formulas(ws) -> None:
        ws.append(COLUMNS)
        for row in base.itertuples(index=False, name=None):
            ws.append([v.item() if hasattr(v, "item") else v for v in row])
        col = get_column_letter(COLUMNS.index("v02") + 1)
        for r in (4, 9):  # v02 "the same as v01" as a formula, without a cached value
            ws[f"{col}{r}"] = f"=B{r}*0+C{r}"
    write("xlsx_formule_zonder_waarde", "wmo_2025.xlsx", xlsx_bytes(formulas))

    # --- Excel: a yes/no column typed as TRUE/FALSE
    def booleans(ws) -> None:
        ws.append(COLUMNS)
        for k, row in enumerate(base.itertuples(index=False, name=None)):
            cells = [v.item() if hasattr(v, "item") else v for v in row]
            if k in (2, 5):
                cells[COLUMNS.index("v05")] = k == 2  # TRUE and FALSE
            ws.append(cells)
    write("xlsx_waar_onwaar", "wmo_2025.xlsx", xlsx_bytes(booleans))

    # --- respondent numbers of 18 digits that differ only in the last digits (exit 0: no rounding)
    long_ids = base.copy()
    long_ids["respondent_id"] = [str(202500000000000000 + 7 * i) for i in range(len(base))]
    write_csv("lange_respondentnummers", "wmo_2025.csv", long_ids)

    # --- weights: infinite and absurd; and one respondent carrying a gemeente
    weights = base.copy().astype(object)
    weights["gewicht"] = [f"{w:.4f}" for w in np.linspace(0.6, 1.8, len(base))]
    weights.loc[2, "gewicht"] = "inf"
    weights.loc[7, "gewicht"] = "1e308"
    weights.loc[20, "gewicht"] = "-Infinity"
    write_csv("gewicht_oneindig", "wmo_2025.csv", weights)
    heavy = base.copy().astype(object)
    heavy["gewicht"] = "1"
    heavy.loc[5, "gewicht"] = "400"  # Dordrecht: one respondent of 18 carries 96 %
    write_csv("gewicht_bij_een_respondent", "wmo_2025.csv", heavy)

    # --- population and benchmark with impossible numbers
    write_csv("populatie_onmogelijk_groot", "wmo_2025.csv", base)
    write("populatie_onmogelijk_groot", "populatie_wmo_2025.csv",
          csv_text(["gemeentecode", "aantal"], [["GM0505", "1e308"], ["GM0642", "2610"]]))
    write_csv("benchmark_oneindig", "wmo_2025.csv", base)
    write("benchmark_oneindig", "benchmark_nederland_2024.csv", csv_text(
        ["indicator", "waarde", "se", "naam"],
        [["v01", "81,2", "inf", "Nederland"], ["v02", "inf", "", "Nederland"],
         ["rapportcijfer", "1e308", "", "Nederland"]]))

    # --- identifiers in values: BSNs as respondent numbers; e-mail, phone, postcode in open answers
    bsn = base.copy()
    bsn["respondent_id"] = [_bsn(i) for i in range(len(base))]
    write_csv("bsn_als_respondentnummer", "wmo_2025.csv", bsn)
    pro = pd.DataFrame({
        "respondent_id": np.arange(1, 41), "gemeentecode": ["GM0505"] * 20 + ["GM0642"] * 20,
        "tevredenheid": np.tile([1, 2, 3, 4], 10), "rapportcijfer": np.tile([6, 7, 8, 9, 7], 8),
        **{f"p0{k}": np.tile([1, 2, 2, 3, 8], 8) for k in range(1, 5)},
        "beroepsgroep": np.tile([1, 2, 3, 4], 10),
        "organisatie": ["Wijkteam Noord"] * 40})
    pro = pro.astype(object)
    pro.loc[3, "organisatie"] = "Wijkteam Noord, mail gerust: p.devries@wijkteam-noord.nl"
    pro.loc[11, "organisatie"] = "Jeugdteam (bel 06-12345678)"
    pro.loc[25, "organisatie"] = "Praktijk Molenstraat 1, 3311 AB"
    write_csv("identificerend_in_open_antwoord", "professionals_2025.csv", pro)
    write("identificerend_in_open_antwoord", "mapping_professionals.yaml",
          "onderzoek: professionals\nidentificatie: weigeren  # liever weigeren dan vervangen\n")
    # the same answers and the forms that were missed, replaced by default (the delivery is processed)
    redacted = pro.copy()
    for row, text in ((5, "mail jan[at]wijkteam-noord.nl"), (7, "bel +31 (0)6 12 34 56 78"),
                      (9, "(06) 1234 5678 of 010-1234567"), (15, "bsn 123 456 782"), (17, "NL91 ABNA 0417 1643 00"),
                      (19, "Dorpsstraat 12, 3311 ab"), (21, "sinds 2015 MS, info@wijkteam.nl"), (23, "2019 OK")):
        redacted.loc[row, "organisatie"] = text
    write_csv("identificerend_vervangen", "professionals_2025.csv", redacted)

    # --- terminal escape sequences in a delivered value
    escape = base.copy().astype(object)
    escape.loc[4, "gemeentecode"] = "\x1b[2J\x1b[31mDordrecht\x1b[0m"
    write_csv("escapetekens_in_waarde", "wmo_2025.csv", escape)

    # --- limits: a cell of 20,000 characters; more columns and a larger unpacked .xlsx than allowed
    long_cell = base.copy().astype(object)
    long_cell["opmerking"] = ""
    long_cell.loc[6, "opmerking"] = "heel lang verhaal " * 1112
    write_csv("cel_te_lang", "wmo_2025.csv", long_cell)
    config = (Path(__file__).resolve().parents[3] / "ceo.yaml").read_text(encoding="utf-8")
    write_csv("te_veel_kolommen", "wmo_2025.csv", base)
    write("te_veel_kolommen", "project/ceo.yaml", config + "\nlimieten:\n  max_kolommen: 12\n")

    def big_sheet(ws) -> None:  # (a cell holds at most 32,767 characters: 40 long remarks)
        ws.append(COLUMNS + ["opmerking"])
        for k, row in enumerate(base.itertuples(index=False, name=None)):
            ws.append([v.item() if hasattr(v, "item") else v for v in row] + ["x" * (32_767 - k)])
    write("xlsx_te_groot_uitgepakt", "wmo_2025.xlsx", xlsx_bytes(big_sheet))
    write("xlsx_te_groot_uitgepakt", "project/ceo.yaml", config + "\nlimieten:\n  max_xlsx_uitgepakt_mb: 1\n")

    # --- ceo.yaml: not UTF-8; an infinite threshold and a number for a list; unusable region ids
    for case in ("ceo_yaml_geen_utf8", "ceo_yaml_ongeldige_waarden", "regio_ids_onbruikbaar"):
        write_csv(case, "wmo_2025.csv", base)
    write("ceo_yaml_geen_utf8", "project/ceo.yaml", config, encoding="cp1252")  # saved in Windows-1252
    write("ceo_yaml_ongeldige_waarden", "project/ceo.yaml",
          config.replace("minimum_n: 30 ", "minimum_n: .inf").replace(
              "gemeenten: [GM0482, GM0505, GM0531, GM0590, GM0610, GM0642]\n  - id: zhz",
              "gemeenten: 5\n  - id: zhz"))
    write("regio_ids_onbruikbaar", "project/ceo.yaml", _with_regions(config))
    yaml_cases(base, config)
    memory_bombs(base)


def yaml_cases(base: pd.DataFrame, config: str) -> None:
    """YAML that was accepted silently or gave "Interne fout": a threshold below the disclosure rule, a key
    twice (the last one won), a control character (a line break from Word)."""
    lowered = config.replace("  minimum_n: 30 ", "  minimum_n: 5  ")
    twice = config.replace("  minimum_n: 30 ", "  minimum_n: 30\n  minimum_n: 5")
    word = config.replace("naam: Drechtsteden\n", "naam: Drecht\x0bsteden\n", 1)
    if lowered == config or twice == config or word == config:
        raise RuntimeError("ceo.yaml changed; adjust the YAML cases")
    for case, text in (("ceo_yaml_minimum_onder_onthulling", lowered), ("ceo_yaml_dubbele_sleutel", twice),
                       ("ceo_yaml_stuurteken", word)):
        write_csv(case, "wmo_2025.csv", base)
        write(case, "project/ceo.yaml", text)
    write("mapping_dubbele_sleutel", "wmo_2025.sav", sav_bytes(base))
    write("mapping_dubbele_sleutel", "mapping_wmo.yaml", MAPPING.replace("  V2: v02\n", "  V2: v02\n  V1: v02\n"))
    root = Path(__file__).resolve().parents[3]
    codebook = (root / "surveys" / "wmo.yaml").read_text(encoding="utf-8")
    write_csv("vragenlijst_stuurteken", "wmo_2025.csv", base)
    marked = codebook.replace("hulpvraag", "hulp\x0bvraag", 1)
    if marked == codebook:
        raise RuntimeError("surveys/wmo.yaml changed; adjust the copy with a control character")
    write("vragenlijst_stuurteken", "project/surveys/wmo.yaml", marked)
    # files that gave "Interne fout": a duiding and mkdocs.yml saved in Windows-1252, damaged published data
    write_csv("duiding_windows1252", "wmo_2025.csv", base)
    write("duiding_windows1252", "project/duiding/2025/dordrecht.md",
          "De cliënten in Dordrecht zijn tevreden.\n\nDe wachttijd is gedaald.\n", encoding="cp1252")
    mkdocs = (root / "mkdocs.yml").read_text(encoding="utf-8")
    write_csv("mkdocs_yml_windows1252", "wmo_2025.csv", base)
    write("mkdocs_yml_windows1252", "project/mkdocs.yml", mkdocs, encoding="cp1252")
    write_csv("site_json_beschadigd", "wmo_2025.csv", base)
    write("site_json_beschadigd", "project/site/2024/data/wmo.json", '{"onderzoek": "wmo", "titel": "Cliënterv')
    write_csv("site_csv_beschadigd", "wmo_2025.csv", base)
    write("site_csv_beschadigd", "project/site/2024/data/wmo.csv", "<<<<<<< HEAD\nonderzoek;gebied\n=======\n")
    # a benchmark name with an e-mail address and a telephone number (it is shown on every factsheet)
    write_csv("benchmark_identificerend", "wmo_2025.csv", base)
    write("benchmark_identificerend", "benchmark_2025.csv", csv_text(
        ["indicator", "waarde", "n", "naam"],
        [["v01", "81,2", "5000", "Nederland (vragen: j.jansen@example.nl, 06-12345678)"],
         ["v02", "70,5", "5000", "Nederland (vragen: j.jansen@example.nl, 06-12345678)"]]))
    # terminal escape sequences in a column name: the notice about it reaches the log file without them
    escaped = base.copy()
    escaped["opm\x1b[2J\x1b[31merking"] = "goed"
    write_csv("escapetekens_in_log", "wmo_2025.csv", escaped)


def memory_bombs(base: pd.DataFrame) -> None:
    """Small files whose header or structure claims far more than they hold (issue 21): each would
    take gigabytes or minutes if the reader believed it."""
    import struct

    # --- SPSS: the header says 2,000,000 cases; the file holds 32
    sav = bytearray(sav_bytes(base))
    struct.pack_into("<i", sav, 80, 2_000_000)
    write("sav_kop_te_veel_respondenten", "wmo_2025.sav", bytes(sav))
    write("sav_kop_te_veel_respondenten", "mapping_wmo.yaml", MAPPING)

    def plain(ws) -> None:
        ws.title = "Wmo 2025"
        ws.append(COLUMNS)
        for row in base.itertuples(index=False, name=None):
            ws.append([v.item() if hasattr(v, "item") else v for v in row])

    # --- Excel: every row formatted up to the last column Excel has (XFD): read as usual
    def padded(ws) -> None:
        from openpyxl.styles import PatternFill

        plain(ws)
        for r in range(1, len(base) + 2):
            ws.cell(row=r, column=16_384).fill = PatternFill("solid", fgColor="FFFF00")
    write("xlsx_opgemaakt_tot_xfd", "wmo_2025.xlsx", xlsx_bytes(padded))

    # --- Excel: a row with empty cells beyond XFD (no cell reference: each one column further)
    def beyond(xml: bytes) -> bytes:
        at = xml.index(b"</row>", xml.index(b'<row r="3"'))
        return xml[:at] + b"<c/>" * 16_400 + xml[at:]
    write("xlsx_cel_voorbij_xfd", "wmo_2025.xlsx", _patched(xlsx_bytes(plain), "xl/worksheets/sheet1.xml", beyond))

    # --- Excel: a shared-strings table of 1.5 million empty texts that no cell uses
    sst = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main" count="1500000" uniqueCount="1500000">' + b"<si><t/></si>" * 1_500_000
           + b"</sst>")
    content_type = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
    relation = (b'<Relationship Id="rIdTeksten" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/sharedStrings" Target="sharedStrings.xml" /></Relationships>')
    write("xlsx_teksttabel_opgeblazen", "wmo_2025.xlsx", _patched(
        xlsx_bytes(plain), "[Content_Types].xml", lambda xml: xml.replace(b"</Types>", content_type),
        {"xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b"</Relationships>", relation)},
        added={"xl/sharedStrings.xml": sst}))


def _patched(data: bytes, member: str, change, more: dict | None = None, added: dict | None = None) -> bytes:
    """The .xlsx ``data`` with part ``member`` changed by ``change(bytes) -> bytes`` (and the parts in
    ``more`` by theirs), the parts in ``added`` added; fixed dates, as written."""
    import zipfile

    changes = {member: change, **(more or {})}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        parts = [(info.filename, src.read(info.filename)) for info in src.infolist()]
        for name, content in parts + list((added or {}).items()):
            if name in changes:
                content = changes[name](content)
            entry = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, content, compresslevel=9)
    return out.getvalue()


def _with_regions(config: str) -> str:
    extra = ("  - id: GM0505\n    naam: Dordrecht en omstreken\n    gemeenten: [GM0505, GM0642]\n"
             "  - id: totaal\n    naam: Alles\n    gemeenten: [GM0505, GM0642]\n"
             "  - id: '***'\n    naam: Sterren\n    gemeenten: [GM0505, GM0642]\n"
             "  - id: DrechtSteden\n    naam: Drechtsteden (kopie)\n    gemeenten: [GM0505, GM0642]\n")
    head, tail = config.split("\ndrempels:", 1)
    return head.rstrip("\n") + "\n" + extra + "\ndrempels:" + tail


def _bsn(i: int) -> str:
    """The i-th nine-digit number from 100000000 on that passes the BSN eleven test (made up)."""
    from ceo.validate.privacy import is_bsn

    n, found = 100_000_000 + 37 * i * 11, None
    while found is None:
        if is_bsn(str(n)):
            found = str(n)
        n += 1
    return found


if __name__ == "__main__":
    main()
