"""Privacy rules in one place: what directly identifies a person must never be processed.

* **Column names** (:func:`looks_like_identifier`): a column called BSN, naam, adres, postcode, e-mail,
  telefoon or geboortedatum (in Dutch or English, abbreviated or in camelCase) is refused unless the
  mapping file puts it under ``negeren``; so is a column whose values mostly look like e-mail
  addresses, postcodes, telephone numbers or BSNs.
* **Values** (:func:`identifiers_in_values`): in every column that is exported or published as text
  (the respondent number, open answers), each value is searched for an e-mail address, a Dutch
  telephone number, a postcode or a nine-digit number that passes the BSN eleven test; a respondent
  number column whose values mostly pass the eleven test holds BSNs. Both are refused with the file,
  row and column, unless the column is put under ``negeren`` (open answers).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ceo.core.texts import fold_accents

_ascii = fold_accents


def name_tokens(name: str) -> list[str]:
    """Words of a column name: camelCase, digits and punctuation split, lower case, no accents."""
    text = _ascii(name)
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    text = re.sub(r"([A-Za-z])([0-9])|([0-9])([A-Za-z])", r"\1\3 \2\4", text)
    return [t for t in re.split(r"[^a-z0-9]+", text.lower()) if t]


#: words that make a column about an organisation or place, not a person ("gemeentenaam")
_NOT_PERSONAL = {
    "gemeente", "gemeentenaam", "gemeentecode", "gem", "gm", "organisatie", "organisatienaam", "org",
    "aanbieder", "zorgaanbieder", "aanbiedernaam", "instelling", "wijk", "wijknaam", "buurt", "regio",
    "regionaam", "plaats", "woonplaats", "stad", "provincie", "school", "team", "teamnaam", "bureau",
    "product", "productnaam", "voorziening", "bestand", "bestandsnaam", "file", "variabele", "vraag",
    "label", "dienst", "bedrijf", "bedrijfsnaam", "locatie", "locatienaam", "project", "projectnaam",
    "veldwerkbureau", "land", "municipality", "organisation", "organization", "company", "provider",
}

#: (reason, words); checked in this order
_NAME_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("een BSN", frozenset({"bsn", "bsnnr", "bsnnummer", "burgerservicenummer", "sofinummer", "sofinr",
                           "sofi", "burgerservicenr"})),
    ("een e-mailadres", frozenset({"email", "emailadres", "mail", "mailadres", "emailaddress",
                                    "mailaddress", "eadres"})),
    ("een telefoonnummer", frozenset({"telefoon", "telefoonnummer", "telefoonnr", "tel", "telnr",
                                       "telnummer", "mobiel", "mobielnummer", "mobielnr", "gsm", "phone",
                                       "telephone", "mobile", "phonenumber", "telefoonnummers"})),
    ("een geboortedatum", frozenset({"geboortedatum", "gebdatum", "gebdat", "geboortedat",
                                      "birth", "birthdate", "dob", "dateofbirth", "birthday"})),
    ("een postcode", frozenset({"postcode", "postcodes", "pc6", "zip", "zipcode", "postalcode",
                                 "postcode6"})),
    ("een adres", frozenset({"adres", "address", "straat", "straatnaam", "huisnummer", "huisnr", "hnr",
                              "woonadres", "postadres", "huisadres", "street", "huisnummertoevoeging"})),
    ("een naam", frozenset({"naam", "voornaam", "achternaam", "roepnaam", "voorletters", "tussenvoegsel",
                             "meisjesnaam", "geboortenaam", "familienaam", "geslachtsnaam", "name",
                             "firstname", "lastname", "surname", "fullname", "volledigenaam",
                             "clientnaam", "respondentnaam", "naamclient", "naamrespondent"})),
)
#: word pairs that mean the same as one word above ("e mail", "geb datum")
_NAME_PAIRS = {
    ("e", "mail"): "een e-mailadres", ("geb", "datum"): "een geboortedatum",
    ("geboorte", "datum"): "een geboortedatum", ("date", "birth"): "een geboortedatum",
    ("tel", "nr"): "een telefoonnummer", ("first", "name"): "een naam", ("last", "name"): "een naam",
    ("huis", "nummer"): "een adres", ("post", "code"): "een postcode", ("bsn", "nr"): "een BSN",
}

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_POSTCODE_RE = re.compile(r"^\d{4}\s?[A-Za-z]{2}$")
_PHONE_RE = re.compile(r"^(\+31|0031|0)[1-9][0-9 -]{8,}$")
_PHONE_COMPACT_RE = re.compile(r"^(\+31|0031|0)[1-9]\d{8}$")
_DIGITS_RE = re.compile(r"^\d{8,9}$")


def _name_reason(name: str) -> str | None:
    tokens = name_tokens(name)
    if not tokens:
        return None
    joined = "".join(tokens)
    if any(t in _NOT_PERSONAL for t in tokens) or joined in _NOT_PERSONAL:
        return None
    candidates = set(tokens) | {joined}
    for reason, words in _NAME_RULES:
        if candidates & words:
            return reason
    for a, b in zip(tokens, tokens[1:], strict=False):
        if (a, b) in _NAME_PAIRS:
            return _NAME_PAIRS[(a, b)]
    if "of" in tokens and "birth" in tokens:
        return "een geboortedatum"
    return None


def _as_text(v: object) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, np.integer):
        return str(int(v))
    return str(v).strip()


def is_bsn(text: str) -> bool:
    """Whether 8 or 9 digits pass the BSN eleven test (an 8-digit number lost its leading zero)."""
    if not _DIGITS_RE.match(text):
        return False
    digits = [int(c) for c in text.zfill(9)]
    if not any(digits):
        return False
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def _content_reason(values: pd.Series) -> str | None:
    sample = [_as_text(v) for v in values.dropna().tolist()[:1000]]
    sample = [s for s in sample if s][:200]
    n = len(sample)
    if not n:
        return None

    def share(pred) -> float:
        return sum(1 for s in sample if pred(s)) / n

    if share(lambda s: bool(_EMAIL_RE.match(s))) >= 0.5:
        return "de waarden lijken e-mailadressen"
    if share(lambda s: bool(_POSTCODE_RE.match(s))) >= 0.5:
        return "de waarden lijken postcodes"
    if share(lambda s: bool(_PHONE_RE.match(s)) or bool(_PHONE_COMPACT_RE.match(re.sub(r"[\s()-]", "", s))))\
            >= 0.5:
        return "de waarden lijken telefoonnummers"
    if share(lambda s: bool(_DIGITS_RE.match(s))) >= 0.5:
        passing = share(is_bsn)
        if passing >= 0.5 and (n >= 5 or passing == 1.0):
            return "de waarden lijken burgerservicenummers (BSN)"
    return None


def looks_like_identifier(name: str, values: pd.Series) -> str | None:
    """A Dutch reason when a column seems to identify a person directly (BSN, name, address,
    postcode, e-mail, telephone number, date of birth), by its name or its values; else None."""
    reason = _name_reason(str(name))
    if reason:
        return f"de kolomnaam wijst op {reason}"
    if values is None or len(values) == 0:
        return None
    return _content_reason(values)


# --------------------------------------------------------------------------- values

#: an identifier inside a text (an open answer); postcodes with capitals only ("3311 AB"), so that
#: "in 2024 en" is not one
_EMAIL_IN = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE_IN = re.compile(r"(?<![\d+])(?:\+31|0031|0)(?:[\s-]|\(0\))?[1-9](?:[\s-]?\d){8}(?!\d)")
_POSTCODE_IN = re.compile(r"(?<![\w])[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}(?!\w)")
_NINE_DIGITS_IN = re.compile(r"(?<![\d.,])\d{9}(?![\d]|[.,]\d)")
#: the most value problems reported per column (then a count)
MAX_VALUE_PROBLEMS = 20

VALUE_ADVICE = ("direct identificerende gegevens mogen niet worden verwerkt. Haal ze uit het bestand of zet de "
                "kolom onder 'negeren' in het mappingbestand")


def _bsn_in(text: str) -> str | None:
    for m in _NINE_DIGITS_IN.finditer(text):
        if is_bsn(m.group()):
            return m.group()
    return None


def identifiers_in_values(values: pd.Series, kind: str) -> tuple[list[tuple[int, str, str]], str | None]:
    """Identifiers in the values of an exported text column.

    ``kind`` is ``"open"`` (free text: each value is searched for an e-mail address, a telephone
    number, a postcode or a BSN) or ``"id"`` (respondent numbers: a value that is an e-mail address;
    and the column as a whole when most numbers pass the BSN eleven test).
    Returns ``(position, what was found (Dutch), the fragment)`` per value (positions from 0) and a
    Dutch reason when the column as a whole is refused (else None). Vectorised: only values that
    contain '@' or enough digits are looked at one by one."""
    found: list[tuple[int, str, str]] = []
    present = values.notna().to_numpy()
    if not present.any():
        return found, None
    text = pd.Series(values[present].map(_as_text).to_numpy(dtype=object), index=np.flatnonzero(present))
    text = text[text.str.len() > 0]
    if text.empty:
        return found, None
    column_reason = None
    if kind == "id":
        digits = text[text.str.fullmatch(r"\d{8,9}")]
        if len(digits) and len(digits) * 2 >= len(text):
            passing = digits.map(is_bsn)
            if passing.sum() * 2 >= len(digits) and (len(digits) >= 5 or passing.all()):
                column_reason = (f"de respondentnummers lijken burgerservicenummers (BSN): {int(passing.sum())} van de "
                                 f"{len(text)} nummers slagen voor de elfproef; lever pseudoniemen in plaats van BSN's")
        # (not telephone numbers: a respondent number such as 0123456789 would look like one)
        candidates = text[text.str.contains("@", regex=False)]
        hit = candidates[candidates.str.fullmatch(_EMAIL_IN.pattern)]
        found += [(int(i), "een e-mailadres", v) for i, v in hit.items()]
        return sorted(found), column_reason
    may_hold = text.str.contains("@", regex=False) | text.str.contains(r"\d{4}", regex=True)
    for i, v in text[may_hold].items():
        m = _EMAIL_IN.search(v)
        if m:
            found.append((int(i), "een e-mailadres", m.group()))
            continue
        m = _PHONE_IN.search(v)
        if m:
            found.append((int(i), "een telefoonnummer", m.group()))
            continue
        bsn = _bsn_in(v)
        if bsn:
            found.append((int(i), "een burgerservicenummer (BSN)", bsn))
            continue
        m = _POSTCODE_IN.search(v)
        if m:
            found.append((int(i), "een postcode", m.group()))
    return found, column_reason
