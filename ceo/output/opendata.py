"""Open data for Dutch users: an Excel-NL variant of every published CSV, the data dictionary (every column of
every published file, in Dutch) and the explanation sheet of the Excel workbook.

The machine-readable CSVs (``site/<edition>/data/<survey>.csv`` …: comma, decimal point, at the published
precision of :mod:`ceo.stats.precision`) stay as they are; other code and users read them. Next to each one ceo
writes ``<name>_excel-nl.csv``: semicolon, decimal comma, figures rounded to sensible digits (half away from
zero, as on the pages), UTF-8 with a byte order mark, so that Excel with Dutch regional settings opens it with a
double click.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ceo.core.safetext import neutralise_frame

#: suffix of the Excel-NL variant of a CSV (``wmo.csv`` -> ``wmo_excel-nl.csv``)
EXCEL_NL = "_excel-nl"
#: the data dictionary next to the files (one row per file and column)
DICTIONARY_NAME = "kolommen.csv"

#: decimals in the Excel-NL variant, by column (other float columns: 3; whole numbers stay whole)
DECIMALS = {
    "waarde": 2, "ondergrens": 2, "bovengrens": 2, "se": 3, "se_zonder_fpc": 3, "df": 0, "n_eff": 1,
    "deff_gewicht": 2, "deff": 2, "waarde_vorige": 2, "verschil_vorige": 2, "p_vorige": 4,
    "waarde_rest_regio": 2, "verschil_regio": 2, "p_regio": 4, "waarde_benchmark": 2, "verschil_benchmark": 2,
    "p_benchmark": 4, "N": 0, "w_min": 3, "w_max": 3, "waarde_a": 2, "waarde_b": 2, "verschil": 2,
    "statistiek": 3, "df1": 1, "df2": 1, "p": 4, "effect": 3, "respons_pct": 1, "r_indicator": 3,
    "pct_populatie": 1, "pct_respondenten": 1, "pct_gewogen": 1, "p_groepen": 4,
    "ondergrens_rest_regio": 2, "bovengrens_rest_regio": 2,
}

_PCT_OR_MEAN = "procent (0–100) of rapportcijfer (1–10), zie 'soort'"
#: (meaning, unit) of every column of the results table ``<survey>.csv``
RESULT_COLUMNS = {
    "editie": ("Jaar van de editie van het onderzoek.", "jaar"),
    "onderzoek": ("Welk onderzoek: wmo, jeugd of professionals (of een eigen vragenlijst).", "code"),
    "gebied_code": ("Code van het gebied: CBS-gemeentecode (GM0505), regio-id of 'totaal'.", "code"),
    "gebied_naam": ("Naam van het gebied.", "tekst"),
    "gebied_niveau": ("Soort gebied: gemeente, regio of totaal.", "tekst"),
    "thema": ("Thema van de vraag (toegang, kwaliteit, effect, samenwerking, rapportcijfer).", "tekst"),
    "indicator": ("Korte naam van de vraag of indicator in de vragenlijst (bijv. v01, rapportcijfer).", "code"),
    "indicator_label": ("Wat het cijfer meet, bijv. '% (helemaal) mee eens' of 'gemiddeld rapportcijfer'.",
                        "tekst"),
    "vraagtekst": ("De letterlijke vraag uit de vragenlijst (bij varianten per groep, gescheiden door ';').",
                   "tekst"),
    "soort": ("Soort cijfer: percentage of gemiddelde.", "tekst"),
    "subgroep": ("Uitsplitsing (bijv. leeftijd); leeg voor alle respondenten samen.", "code"),
    "subgroep_label": ("Naam van de uitsplitsing.", "tekst"),
    "subgroep_waarde": ("Groep binnen de uitsplitsing (bijv. 75 jaar of ouder).", "tekst"),
    "categorie": ("Bij een antwoordverdeling: het antwoord; leeg bij het hoofdcijfer.", "tekst"),
    "n": ("Aantal respondenten met een inhoudelijk antwoord (leeg als het cijfer is weggelaten).", "personen"),
    "n_geen_oordeel": ("Aantal respondenten met 'weet niet / niet van toepassing' (telt niet mee in het cijfer).",
                       "personen"),
    "waarde": ("Het cijfer zelf (gewogen als 'gewogen' ja is).", _PCT_OR_MEAN),
    "se": ("Standaardfout van het cijfer (volgens het steekproefontwerp).", "zelfde eenheid als waarde"),
    "ondergrens": ("Ondergrens van het betrouwbaarheidsinterval (de marge).", "zelfde eenheid als waarde"),
    "bovengrens": ("Bovengrens van het betrouwbaarheidsinterval (de marge).", "zelfde eenheid als waarde"),
    "df": ("Vrijheidsgraden voor het interval (t-verdeling); alleen bij gemeenten.", "aantal"),
    "se_zonder_fpc": ("Standaardfout zonder eindige-populatiecorrectie (ter vergelijking); alleen bij gemeenten.",
                      "zelfde eenheid als waarde"),
    "n_eff": ("Effectieve n: het aantal respondenten dat een onderzoek zonder weging even nauwkeurig maakt; "
              "alleen bij gemeenten.", "personen"),
    "deff_gewicht": ("Weegeffect: hoeveel de ongelijke gewichten de spreiding vergroten (1 = geen effect); "
                     "alleen bij gemeenten.", "factor"),
    "deff": ("Design-effect: variantie volgens het ontwerp gedeeld door die van een enkelvoudige steekproef; "
             "alleen bij gemeenten.", "factor"),
    "gewogen": ("Of het cijfer gewogen is (ja/nee).", "ja/nee"),
    "onderdrukt": ("Of het cijfer is weggelaten (ja/nee); dan zijn waarde, marge en n leeg.", "ja/nee"),
    "reden": ("Waarom het cijfer is weggelaten (bijv. 'n < 30', 'aanvullend onderdrukt').", "tekst"),
    "indicatief": ("Of het cijfer indicatief is: weinig respondenten of een brede marge (ja/nee).", "ja/nee"),
    "vorige_editie": ("Jaar van de vorige editie waarmee vergeleken is.", "jaar"),
    "waarde_vorige": ("Het cijfer in de vorige editie.", "zelfde eenheid als waarde"),
    "verschil_vorige": ("Verschil met de vorige editie (waarde min waarde_vorige).",
                        "procentpunten of rapportcijferpunten"),
    "p_vorige": ("p-waarde van de toets op het verschil met de vorige editie (niet gecorrigeerd).", "kans (0–1)"),
    "significant_vorige": ("Of het verschil met de vorige editie significant is, na correctie voor het aantal "
                           "vergelijkingen.", "ja/nee"),
    "regio": ("Id van de regio waarmee vergeleken is.", "code"),
    "waarde_rest_regio": ("Het cijfer in de rest van de regio (de regio zonder dit gebied).",
                          "zelfde eenheid als waarde"),
    "verschil_regio": ("Verschil met de rest van de regio.", "procentpunten of rapportcijferpunten"),
    "p_regio": ("p-waarde van de toets op het verschil met de rest van de regio (niet gecorrigeerd).",
                "kans (0–1)"),
    "significant_regio": ("Of het verschil met de rest van de regio significant is, na correctie.", "ja/nee"),
    "benchmark": ("Naam van de benchmark (vergelijkingscijfer van buiten), als die er is.", "tekst"),
    "waarde_benchmark": ("Het cijfer van de benchmark.", "zelfde eenheid als waarde"),
    "verschil_benchmark": ("Verschil met de benchmark.", "procentpunten of rapportcijferpunten"),
    "p_benchmark": ("p-waarde van de toets op het verschil met de benchmark (niet gecorrigeerd).", "kans (0–1)"),
    "significant_benchmark": ("Of het verschil met de benchmark significant is, na correctie.", "ja/nee"),
    "p_groepen": ("Bij een uitsplitsing: p-waarde van de toets of de groepen in dit gebied van elkaar verschillen "
                  "(design-based Wald-toets, niet gecorrigeerd); leeg als niet getoetst.", "kans (0–1)"),
    "significant_groepen": ("Of de groepen significant van elkaar verschillen, na correctie voor het aantal "
                            "toetsen op de pagina.", "ja/nee"),
    "toets_groepen": ("De toetsgrootheid van die toets, bijv. 'F(2; 345) = 3,14'.", "tekst"),
    "definitie": ("Vingerafdruk van de definitie van het cijfer: alleen cijfers met dezelfde definitie worden "
                  "over de jaren vergeleken.", "code"),
    "ondergrens_rest_regio": ("Ondergrens van het betrouwbaarheidsinterval van de rest van de regio.",
                              "zelfde eenheid als waarde"),
    "bovengrens_rest_regio": ("Bovengrens van het betrouwbaarheidsinterval van de rest van de regio.",
                              "zelfde eenheid als waarde"),
}
#: the same for ``<survey>_weging.csv``
WEIGHTING_COLUMNS = {
    "gemeentecode": ("CBS-code van de gemeente.", "code"),
    "gemeente": ("Naam van de gemeente.", "tekst"),
    "n": ("Aantal respondenten.", "personen"),
    "N": ("Aantal personen in de populatie (leeg als onbekend).", "personen"),
    "n_eff": ("Effectieve n na weging.", "personen"),
    "deff_gewicht": ("Weegeffect (1 = geen effect van de weging op de spreiding).", "factor"),
    "w_min": ("Kleinste gewicht.", "factor"),
    "w_max": ("Grootste gewicht.", "factor"),
    "trimmed": ("Aantal gewichten dat is afgetopt.", "aantal"),
    "n_missing": ("Aantal respondenten zonder waarde op een weegkenmerk.", "personen"),
    "methode": ("Hoe er gewogen is.", "tekst"),
}
#: the same for ``<survey>_toetsen.csv`` (differences between groups within an area)
TEST_COLUMNS = {
    "editie": RESULT_COLUMNS["editie"],
    "onderzoek": RESULT_COLUMNS["onderzoek"],
    "gebied_code": RESULT_COLUMNS["gebied_code"],
    "gebied_naam": RESULT_COLUMNS["gebied_naam"],
    "gebied_niveau": RESULT_COLUMNS["gebied_niveau"],
    "toets": ("Welke toets: chi2 (verdeling van antwoorden), welch_anova (gemiddelden) of een paarsgewijze "
              "vergelijking.", "code"),
    "variabele": ("De vraag die getoetst is.", "code"),
    "subgroep": ("De uitsplitsing waarvan de groepen vergeleken zijn.", "code"),
    "groep_a": ("Eerste groep (bij een paarsgewijze vergelijking).", "tekst"),
    "groep_b": ("Tweede groep (bij een paarsgewijze vergelijking).", "tekst"),
    "n": ("Aantal respondenten in de toets.", "personen"),
    "waarde_a": ("Cijfer van de eerste groep.", "zelfde eenheid als het cijfer"),
    "waarde_b": ("Cijfer van de tweede groep.", "zelfde eenheid als het cijfer"),
    "verschil": ("Verschil tussen de groepen.", "procentpunten of rapportcijferpunten"),
    "statistiek": ("Toetsgrootheid (F of chi-kwadraat).", "getal"),
    "df1": ("Vrijheidsgraden van de teller.", "aantal"),
    "df2": ("Vrijheidsgraden van de noemer.", "aantal"),
    "p": ("p-waarde van de toets.", "kans (0–1)"),
    "significant": ("Of het verschil significant is, of 'niet te toetsen'.", "tekst"),
    "effectmaat": ("Welke effectmaat (bijv. Cramérs V, omega-kwadraat).", "tekst"),
    "effect": ("Grootte van het effect.", "getal"),
    "effect_duiding": ("Het effect in woorden (klein, middelgroot, groot).", "tekst"),
    "toelichting": ("Uitleg, bijv. waarom er niet getoetst kon worden.", "tekst"),
}
#: the same for ``<survey>_respons.csv`` (response and representativeness, :mod:`ceo.stats.response`)
RESPONSE_COLUMNS = {
    "gebied_code": RESULT_COLUMNS["gebied_code"],
    "gebied_naam": RESULT_COLUMNS["gebied_naam"],
    "gebied_niveau": RESULT_COLUMNS["gebied_niveau"],
    "kenmerk": ("Achtergrondkenmerk van de verdeling (bijv. leeftijdsklasse); leeg in de rij met de respons van "
                "het hele gebied.", "code"),
    "categorie": ("Code van de groep binnen het kenmerk.", "code"),
    "categorie_label": ("Naam van de groep binnen het kenmerk.", "tekst"),
    "aangeschreven": ("Aantal aangeschreven personen (cliënten).", "personen"),
    "respondenten": ("Aantal respondenten.", "personen"),
    "respons_pct": ("Respons: respondenten als percentage van de aangeschrevenen.", "procent (0–100)"),
    "r_indicator": ("R-indicator: hoe gelijk de respons is over de groepen (1 = volkomen gelijk, lager = minder "
                    "representatief).", "getal (0–1)"),
    "pct_populatie": ("Aandeel van de groep in de populatie.", "procent (0–100)"),
    "pct_respondenten": ("Aandeel van de groep onder de respondenten, ongewogen.", "procent (0–100)"),
    "pct_gewogen": ("Aandeel van de groep onder de respondenten, gewogen.", "procent (0–100)"),
    "onderdrukt": ("Of de rij is weggelaten omdat hij te weinig personen betreft (ja/nee).", "ja/nee"),
}
#: changes between revisions (``<survey>_wijzigingen_revisie-<k>.csv``): the key and the old and new figure
CHANGE_SUFFIXES = {"_oud": "vorige revisie", "_nieuw": "nieuwe revisie"}

#: the top-level keys of ``<survey>.json`` (the metadata of one survey and edition)
META_KEYS = {
    "onderzoek": "Korte naam van het onderzoek.",
    "titel": "Titel van het onderzoek.",
    "korte_titel": "Korte titel.",
    "editie": "Jaar van de editie.",
    "doelgroep": "Wie er gevraagd zijn.",
    "vragen": "De vragen: indicator, letterlijke vraagtekst, maat, thema en volgorde.",
    "subgroepen": "De uitsplitsingen en hun groepen.",
    "varianten": "Varianten van de vragenlijst (bijv. ouders en jeugdigen).",
    "kop_per": "Of de kopcijfers per variant staan, en in welke vaste samenstelling.",
    "regios": "De regio's en hun gemeenten.",
    "benchmark": "De benchmark (vergelijkingscijfers van buiten), als die er is.",
    "drempels": "De drempels voor weglaten en 'indicatief'.",
    "betrouwbaarheid": "Betrouwbaarheid van de intervallen, als fractie (bijv. 0,95 voor 95 %).",
    "bi_methode": "Methode van de intervallen.",
    "significantieniveau": "Significantieniveau van de toetsen.",
    "gewogen": "Of er gewogen is.",
    "weging": "Hoe er gewogen is.",
    "vingerafdruk": "Vingerafdruk van alle invoerbestanden samen.",
    "verwerkt_op": "Datum van verwerking.",
    "ceo_versie": "Versie van ceo.",
    "revisie": "Nummer van de revisie.",
    "revisies": "De versiegeschiedenis: revisie, datum, reden en gewijzigde cijfers.",
    "voorbeeld": "Of de vragenlijst een voorbeeld is.",
    "voorbeeld_toelichting": "Uitleg bij een voorbeeldvragenlijst.",
    "kernindicatoren": "De kerncijfers van de factsheet: rapportcijfer en de belangrijkste vragen.",
    "veldwerk": ("Periode en wijze van het veldwerk (schriftelijk, online, telefonisch of combinatie), als die "
                 "bekend zijn."),
}


def column_docs(name: str) -> dict[str, tuple[str, str]]:
    """(meaning, unit) per column of a published CSV, by its file name."""
    stem = Path(name).stem.removesuffix(EXCEL_NL)
    if stem.endswith("_weging"):
        return WEIGHTING_COLUMNS
    if stem.endswith("_toetsen"):
        return TEST_COLUMNS
    if stem.endswith("_respons"):
        return RESPONSE_COLUMNS
    return RESULT_COLUMNS


def describe_column(name: str, column: str) -> tuple[str, str] | None:
    """(meaning, unit) of ``column`` in the published file ``name``, or None when ceo has no description."""
    docs = column_docs(name)
    if column in docs:
        return docs[column]
    for suffix, which in CHANGE_SUFFIXES.items():  # the changes between two revisions
        if column.endswith(suffix) and column[: -len(suffix)] in RESULT_COLUMNS:
            meaning, unit = RESULT_COLUMNS[column[: -len(suffix)]]
            return f"{meaning} ({which})", unit
    return None


def _round_half_away(values: np.ndarray, decimals: int) -> np.ndarray:
    """Round half away from zero (72.5 -> 73, as on the pages), robust to binary representation (72.45 is
    stored as 72.4500000000000028...: the shortest repr decides)."""
    scale = 10.0 ** decimals
    scaled = np.abs(values) * scale
    # the nudge makes 0.5 stored as 0.49999999999 still go up, without moving any real 0.49
    return np.sign(values) * np.floor(scaled + 0.5 + 1e-9) / scale


def excel_nl_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its float columns rounded for reading (see :data:`DECIMALS`); whole numbers as integers."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if not pd.api.types.is_float_dtype(series):
            continue
        values = series.to_numpy(dtype="float64")
        finite = values[np.isfinite(values)]
        decimals = DECIMALS.get(column, 3)
        if finite.size and np.all(finite == np.round(finite)):
            decimals = 0
        rounded = _round_half_away(values, decimals)
        out[column] = pd.array(rounded, dtype="Int64") if decimals == 0 else rounded
    return out


def excel_nl_name(name: str) -> str:
    """``wmo.csv`` -> ``wmo_excel-nl.csv``."""
    path = Path(name)
    return f"{path.stem}{EXCEL_NL}{path.suffix}"


def excel_nl_text(frame: pd.DataFrame) -> str:
    """The Excel-NL CSV text (without the byte order mark): ``;``, decimal comma, CRLF, rounded figures, text that
    a spreadsheet would run as a formula neutralised."""
    out = neutralise_frame(excel_nl_frame(frame))  # text cells first: "-2,99" below is a number, not a formula
    # decimal commas written here, vectorised: pandas' to_csv(decimal=",") formats every float in Python
    # (about 1 s on the national tables); str() of the rounded floats is numpy's shortest repr, as in the CSV
    floats = [c for c in out.columns if pd.api.types.is_float_dtype(out[c])]
    if floats:
        out = out.copy() if out is frame else out
        for c in floats:
            values = out[c]
            text = values.astype(str).str.replace(".", ",", regex=False)
            out[c] = text.where(values.notna(), "")
    return out.to_csv(index=False, sep=";", lineterminator="\r\n")


def write_excel_nl(frame: pd.DataFrame, path: Path) -> Path:
    """Write :func:`excel_nl_text` as UTF-8 with a byte order mark (so Excel reads ë and € correctly); the file
    is rewritten only when its content changes."""
    data = ("\ufeff" + excel_nl_text(frame)).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    return path


def dictionary(files: dict[str, list[str]]) -> pd.DataFrame:
    """The data dictionary: one row per (file, column) of the published CSVs (``files``: name -> columns), with
    meaning and unit; a column ceo cannot describe is listed as such (a test keeps that list empty)."""
    rows = []
    for name, columns in files.items():
        for column in columns:
            doc = describe_column(name, column) or ("(geen beschrijving)", "")
            rows.append((name, column, doc[0], doc[1]))
    return pd.DataFrame(rows, columns=["bestand", "kolom", "betekenis", "eenheid"])


def explanation_sheet(year: int, title: str, licence: tuple[str, str], publisher: str, site_url: str,
                      surveys: list[dict]) -> pd.DataFrame:
    """The first sheet of the Excel workbook: what the file is, the licence, the codes and the marks. ``surveys``:
    the metadata (``<survey>.json``) of the edition's surveys."""
    name, url = licence
    rows = [
        ("Titel", f"{title}, editie {year}"),
        ("Uitgever", publisher or "(niet opgegeven)"),
        ("Licentie", f"{name}{f' ({url})' if url else ''}: vrij te gebruiken, ook bewerkt, met bronvermelding"
         if name.upper().startswith("CC BY") else f"{name}{f' ({url})' if url else ''}"),
        ("Bronvermelding", f"{publisher + ', ' if publisher else ''}{title}, editie {year}"
                           f"{', ' + site_url if site_url else ''}"),
        ("Tabbladen", "Per onderzoek één tabblad met alle cijfers (één rij per gebied, vraag, groep en antwoord), "
                      "eventueel een tabblad <onderzoek>_toetsen met de toetsen tussen groepen, het tabblad "
                      "'vragen' met de letterlijke vraagteksten en het tabblad 'kolommen' met de uitleg per kolom."),
        ("Percentages", "Procenten van de respondenten met een inhoudelijk antwoord (0–100); 'weet niet / niet "
                        "van toepassing' telt niet mee."),
        ("Weggelaten cijfers", "Kolom onderdrukt = ja: het cijfer is niet gepubliceerd, omdat het op te weinig "
                               "antwoorden rust of anders een ander weggelaten cijfer terug te rekenen zou zijn; "
                               "waarde, marge en n zijn dan leeg en de kolom reden zegt waarom."),
        ("Indicatief", "Kolom indicatief = ja: weinig respondenten (effectieve n) of een brede marge; lees het "
                       "cijfer met voorzichtigheid."),
        ("Significant", "Kolommen significant_*: ja als het verschil waarschijnlijk niet op toeval berust (na "
                        "correctie voor het aantal vergelijkingen); de kolommen p_* zijn niet gecorrigeerd."),
        ("Codes", "gebied_code: CBS-gemeentecode (GM....), regio-id of 'totaal'; ja/nee-kolommen: ja of nee; "
                  "lege cel: niet van toepassing of weggelaten."),
        ("Getallen", "Afgerond zoals op de pagina's (percentages heel, rapportcijfers op 0,1, standaardfouten op "
                     "0,1 procentpunt, p-waarden op 2 decimalen), met een decimale punt; in de "
                     "*_excel-nl.csv-bestanden met een decimale komma."),
    ]
    for m in surveys:
        rows.append((f"Onderzoek {m.get('onderzoek')}", f"{m.get('titel', '')}: {m.get('weging', '')}; "
                                                        f"verwerkt op {m.get('verwerkt_op', '')}, revisie "
                                                        f"{m.get('revisie', 1)}"))
    return pd.DataFrame(rows, columns=["onderwerp", "uitleg"])


def questions_sheet(surveys: list[dict]) -> pd.DataFrame:
    """The codebook sheet: per survey and indicator the literal question text, measure and theme."""
    rows = []
    for m in surveys:
        for q in sorted(m.get("vragen", []), key=lambda q: q.get("volgorde", 0)):
            v = q.get("vraag", "")
            wording = "; ".join(f"{k}: {t}" for k, t in v.items()) if isinstance(v, dict) else str(v)
            rows.append((m.get("onderzoek", ""), q.get("indicator", ""), wording, q.get("label", ""),
                         q.get("thema") or ""))
    return pd.DataFrame(rows, columns=["onderzoek", "indicator", "vraagtekst", "maat", "thema"])
