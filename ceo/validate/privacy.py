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

#: what is found in a text, as (kind, Dutch description, placeholder that replaces it)
KINDS = {
    "email": ("een e-mailadres", "[e-mail]"),
    "phone": ("een telefoonnummer", "[telefoon]"),
    "bsn": ("een burgerservicenummer (BSN)", "[BSN]"),
    "iban": ("een rekeningnummer (IBAN)", "[IBAN]"),
    "postcode": ("een postcode", "[postcode]"),
}

#: mailboxes of a role, not of a person (``info@wijkteam.nl``): an organisation's public address is no
#: personal data, so it is neither refused nor redacted
ROLE_MAILBOXES = frozenset({
    "info", "contact", "secretariaat", "klantcontact", "klantenservice", "servicedesk", "helpdesk", "receptie",
    "post", "postbus", "noreply", "no-reply", "admin", "administratie", "office", "kantoor", "loket", "wmo",
    "jeugd", "wmoloket", "jeugdloket", "zorgloket", "gemeente", "klachten", "klacht", "vragen", "support",
    "service", "team", "planning", "onderzoek", "privacy", "communicatie", "pers", "facturen", "financien",
    "redactie", "webmaster", "aanmelden", "aanmelding", "intake", "wijkteam", "sociaalteam", "servicepunt",
})

_LOCAL = r"[A-Za-z0-9][A-Za-z0-9._%+'-]*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL_IN = re.compile(rf"(?<![\w.%+'-])({_LOCAL})\s?@\s?({_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,}})(?![\w-])")
#: written out to fool a machine: jan[at]domein.nl, jan (at) domein (dot) nl, jan at domein dot nl,
#: jan apenstaartje domein punt nl
_AT = r"(?:\s*[\[({<]\s*(?:at|@|apenstaartje)\s*[\])}>]\s*|\s+(?:at|apenstaartje)\s+)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|punt|\.)\s*[\])}>]\s*|\s+(?:dot|punt)\s+|\.)"
_EMAIL_WRITTEN = re.compile(
    rf"(?<![\w.%+'-])({_LOCAL}){_AT}((?:{_LABEL}{_DOT})+[A-Za-z]{{2,6}})(?![\w-])", re.I)
#: a telephone number: digits, spaces, dots, dashes, slashes and brackets, starting with 0, +, 00 or '('
_PHONE_CANDIDATE = re.compile(r"(?<![\w+/.,-])(?:\+|\(\s*\+?|\b)(?:[0-9][\s().\-/]{0,3}){9,14}[0-9]\)?")
#: nine digits, possibly in groups (123 456 782, 1234.56.782)
_BSN_CANDIDATE = re.compile(r"(?<![\d.,])\d(?:[ .\-]?\d){7,8}(?![\d]|[.,]\d)")
_BSN_WORD = re.compile(r"(?i)\b(?:bsn|burgerservicenummer|burgerservicenr|sofinummer|sofi-nummer)\b\W{0,4}$")
_IBAN_IN = re.compile(r"(?i)(?<![\w])([A-Z]{2}\d{2})[ ]?((?:[A-Z0-9]{4}[ ]?){2,7}[A-Z0-9]{1,4})(?![\w])")
#: 4 digits (not from 0) and 2 letters; SA, SD and SS are never used
_POSTCODE_IN = re.compile(r"(?<![\w.,-])([1-9]\d{3})( ?)([A-Za-z]{2})(?![\w-])")
#: what often follows a number in a sentence, in capitals ("sinds 2015 MS", "2019 OK", "500 KM")
_NOT_POSTCODE_LETTERS = frozenset({
    "SA", "SD", "SS", "MS", "OK", "KM", "EU", "PM", "AM", "CM", "MM", "KG", "GB", "MB", "TB", "KB", "ML", "CC",
    "HP", "PK", "KW", "MW", "BC", "AD", "NL", "BV", "NV", "UW", "EN", "IN", "OP", "OF", "TE", "IS", "AL", "NU",
    "NA", "OM", "IK", "JE", "ZE", "WE", "ER", "DE", "ZO", "JA", "EM", "GR", "CA", "HA", "TV", "PC", "ID", "HO",
    "WO", "VS", "UK", "BE", "FR", "ZZ", "EX", "AC", "DC", "HZ", "PS", "QR", "OV", "JR", "NR", "CT", "HB",
    "ZR", "ZN", "EA", "EO", "PP", "MG", "JL", "DU", "ME", "MY", "SO", "TO", "AN", "AS", "BY", "IT", "OR", "ON",
    "AT", "NO", "UP", "US", "GO", "DO", "BIJ",
})
#: a house number right after a postcode ("3311 ab 12") or right before it ("12, 3311 ab")
_HOUSE_AFTER = re.compile(r"\s*,?\s*(?:nr\.?\s*|nummer\s*)?\d{1,5}[A-Za-z]?\b")
_HOUSE_BEFORE = re.compile(r"(?:[A-Za-z]{3,}\.?\s+\d{1,5}[A-Za-z]?(?:[\s-]*[a-z0-9]{1,4})?\s*,?\s*|postcode:?\s*)$",
                           re.I)
_PLACE_AFTER = re.compile(r"\s*,?\s*[A-Z][a-z]{2,}")
#: service and company numbers of organisations (0800/0900/0906/0909, 088, 14 0xx) are not personal
_ORGANISATION_PREFIXES = ("0800", "0900", "0906", "0909", "088", "084", "087")
#: the most value problems reported per column (then a count)
MAX_VALUE_PROBLEMS = 20

VALUE_ADVICE = ("direct identificerende gegevens mogen niet worden verwerkt. Haal ze uit het bestand, zet de "
                "kolom onder 'negeren' of laat ze vervangen ('identificatie: vervangen' in het mappingbestand)")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _phone_span(text: str, m: re.Match) -> tuple[int, int, str] | None:
    """Where a Dutch telephone number starts and ends inside the candidate ``m``, and its ten digits."""
    s = m.group()
    head = re.match(r"\(?\s*(\+|00)\s?31\s*\)?[\s.\-]*(?:\(\s*0\s*\)[\s.\-]*)?", s)
    if head:
        rest_at, national = head.end(), "0"
    elif re.match(r"\(?\s*0", s):
        rest_at, national = 0, ""
    else:
        return None
    for i in range(rest_at, len(s)):
        if s[i].isdigit():
            national += s[i]
            if len(national) == 2 and national[1] == "0":
                return None  # (0 and then 1-9: 00... is an international prefix, not a Dutch number)
            if len(national) == 10:
                end = i + 1
                if end < len(s) and s[end].isdigit():
                    return None  # more digits straight after: not one number
                if end < len(s) and s[end] == ")" and "(" in s[:i]:
                    end += 1
                start = m.start() + (1 if s.startswith("(") and not s[1:].lstrip().startswith(("0", "+")) else 0)
                return start, m.start() + end, national
    return None


def is_bsn(text: str) -> bool:
    """Whether 8 or 9 digits pass the BSN eleven test (an 8-digit number lost its leading zero)."""
    if not _DIGITS_RE.match(text):
        return False
    digits = [int(c) for c in text.zfill(9)]
    if not any(digits):
        return False
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def is_iban(text: str) -> bool:
    """Whether ``text`` (spaces allowed) is an IBAN with a valid check (ISO 13616, mod 97)."""
    s = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", s) or (s[:2] == "NL" and len(s) != 18):
        return False
    return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1


def find_identifiers(text: str, allowed: frozenset[str] = frozenset()) -> list[tuple[str, int, int]]:
    """The identifiers in a text as ``(kind, start, end)``, kinds as in :data:`KINDS`, without overlaps.

    Recall: e-mail addresses also when written out (``jan[at]domein.nl``, ``jan at domein dot nl``); Dutch
    telephone numbers in any grouping (``06-12345678``, ``(06) 1234 5678``, ``+31 (0)6 ...``, ``0031 ...``,
    ``010 - 123 45 67``); nine digits that pass the BSN eleven test, also in groups (``123 456 782``,
    ``1234.56.782``), and any eight or nine digits after the word BSN; IBANs with a valid check; postcodes.

    Precision: an address of a role mailbox (``info@``, ``contact@``, ... :data:`ROLE_MAILBOXES`), a service
    or company number (0800, 0900, 088) and what ``allowed`` lists (an organisation's published telephone
    numbers and addresses, ``openbare_contactgegevens`` in ceo.yaml; compared by their digits or in lower
    case) are not identifiers of a person. A postcode in capitals (``3311 AB``) is one unless its letters are
    what often follows a number (``2015 MS``, ``2019 OK``), or its number is a year (1900-2099) with no house
    number or place next to it; in lower case (``3311ab``) only next to a house number."""
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(start < b and a < end for a, b in taken):
            return
        taken.append((start, end))
        found.append((kind, start, end))

    if "@" in text or re.search(r"(?i)\b(?:at|apenstaartje)\b", text):
        for rx in (_EMAIL_IN, _EMAIL_WRITTEN):
            for m in rx.finditer(text):
                local = m.group(1).lower()
                address = re.sub(r"\s", "", m.group()).lower()
                if local in ROLE_MAILBOXES or address in allowed:
                    taken.append((m.start(), m.end()))  # (not a phone number or postcode either)
                    continue
                add("email", m.start(), m.end())
    if sum(c.isdigit() for c in text) < 4:
        return sorted(found, key=lambda f: f[1])
    for m in _IBAN_IN.finditer(text):
        if is_iban(m.group()):
            add("iban", m.start(), m.end())
    for m in _PHONE_CANDIDATE.finditer(text):
        span = _phone_span(text, m)
        if span is None:
            continue
        start, end, national = span
        if national.startswith(_ORGANISATION_PREFIXES) or national in allowed:
            taken.append((start, end))
            continue
        add("phone", start, end)
    for m in _BSN_CANDIDATE.finditer(text):
        digits = _digits(m.group())
        after_word = bool(_BSN_WORD.search(text[max(0, m.start() - 30):m.start()]))
        if (len(digits) == 9 and is_bsn(digits)) or (after_word and len(digits) in (8, 9)):
            add("bsn", m.start(), m.end())
    for m in _POSTCODE_IN.finditer(text):
        number, letters = int(m.group(1)), m.group(3)
        house = bool(_HOUSE_AFTER.match(text, m.end()) or _HOUSE_BEFORE.search(text[max(0, m.start() - 60):m.start()]))
        if letters.isupper():
            if letters in _NOT_POSTCODE_LETTERS and not house:
                continue
            if 1900 <= number <= 2099 and not (house or _PLACE_AFTER.match(text, m.end())):
                continue
        elif not house or letters.upper() in _NOT_POSTCODE_LETTERS:
            continue
        add("postcode", m.start(), m.end())
    return sorted(found, key=lambda f: f[1])


def declared_contacts(values: list) -> tuple[frozenset[str], list[object]]:
    """``openbare_contactgegevens`` of ceo.yaml as what :func:`find_identifiers` compares (the ten digits of a
    telephone number, an e-mail address in lower case), and the values that are neither."""
    out, bad = set(), []
    for v in values:
        text = str(v).strip() if isinstance(v, str | int) and not isinstance(v, bool) else ""
        hits = find_identifiers(text) if text else []
        if len(hits) == 1 and hits[0][0] in ("phone", "email") and hits[0][2] - hits[0][1] == len(text):
            if hits[0][0] == "email":
                out.add(re.sub(r"\s", "", text).lower())
            else:
                out.add(_phone_span(text, _PHONE_CANDIDATE.search(text))[2])
        elif text.startswith(("0800", "0900", "088")) or re.fullmatch(r"\S+@\S+", text):
            continue  # already allowed (a service number, a role mailbox)
        else:
            bad.append(v)
    return frozenset(out), bad


def redact(text: str, allowed: frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """``text`` with every identifier (:func:`find_identifiers`) replaced by its placeholder (``[e-mail]``,
    ``[telefoon]``, ``[BSN]``, ``[IBAN]``, ``[postcode]``), and the kinds that were replaced."""
    found = find_identifiers(text, allowed)
    if not found:
        return text, []
    out, pos = [], 0
    for kind, start, end in found:
        out.append(text[pos:start])
        out.append(KINDS[kind][1])
        pos = end
    out.append(text[pos:])
    return "".join(out), [kind for kind, _, _ in found]


def identifiers_in_text(text: str, allowed: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """``(what was found (Dutch), the fragment)`` for every identifier in a text of the researcher's own
    (a reason, a name, the duiding, a title in ceo.yaml)."""
    return [(KINDS[kind][0], text[start:end]) for kind, start, end in find_identifiers(text, allowed)]


def _may_hold(text: pd.Series) -> pd.Series:
    """Vectorised pre-selection: only values with '@', 'at' or four digits can hold an identifier."""
    return (text.str.contains("@", regex=False) | text.str.contains(r"(?i)\b(?:at|apenstaartje)\b", regex=True)
            | text.str.count(r"\d").ge(4))


def identifiers_in_values(values: pd.Series, kind: str, allowed: frozenset[str] = frozenset()
                          ) -> tuple[list[tuple[int, str, str]], str | None]:
    """Identifiers in the values of an exported text column.

    ``kind`` is ``"open"`` (free text: each value is searched with :func:`find_identifiers`) or ``"id"``
    (respondent numbers: a value that is an e-mail address; and the column as a whole when most numbers
    pass the BSN eleven test).
    Returns ``(position, what was found (Dutch), the fragment)`` per value (the first identifier of each;
    positions from 0) and a Dutch reason when the column as a whole is refused (else None). Vectorised: only
    values that contain '@' or enough digits are looked at one by one."""
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
    for i, v in text[_may_hold(text)].items():
        hits = find_identifiers(v, allowed)
        if hits:
            what, start, end = hits[0]
            found.append((int(i), KINDS[what][0], v[start:end]))
    return found, column_reason


def redact_values(values: pd.Series, allowed: frozenset[str] = frozenset()) -> tuple[pd.Series, dict[str, int]]:
    """An open-answer column with every identifier replaced by its placeholder, and per placeholder how
    many were replaced (only values that may hold one are looked at one by one)."""
    counts: dict[str, int] = {}
    present = values.notna().to_numpy()
    if not present.any():
        return values, counts
    text = values[present].map(_as_text)
    out = values.copy()
    for i, v in text[_may_hold(text)].items():
        new, kinds = redact(v, allowed)
        if kinds:
            out.at[i] = new
            for k in kinds:
                counts[KINDS[k][1]] = counts.get(KINDS[k][1], 0) + 1
    return out, counts
