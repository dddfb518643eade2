"""The identifier corpus: every form of a personal identifier that must be found (recall) and every text that
looks like one but is not (precision), for :func:`ceo.validate.privacy.find_identifiers` and its redaction.

The BSNs below are made up and pass the eleven test (111222333, 123456782); the IBAN is the example IBAN of
the Dutch banks' documentation (NL91 ABNA 0417 1643 00)."""

from __future__ import annotations

import pandas as pd
import pytest

from ceo.validate.privacy import find_identifiers, identifiers_in_values, is_iban, redact, redact_values

#: (text, the kind that must be found, the fragment it must cover)
MUST_DETECT = [
    # e-mail, plain and written out
    ("mail me op jan.jansen@example.nl graag", "email", "jan.jansen@example.nl"),
    ("JAN@EXAMPLE.COM", "email", "JAN@EXAMPLE.COM"),
    ("jan[at]example.nl", "email", "jan[at]example.nl"),
    ("jan [at] example [dot] nl", "email", "jan [at] example [dot] nl"),
    ("jan(at)example(dot)nl", "email", "jan(at)example(dot)nl"),
    ("jan at example dot nl", "email", "jan at example dot nl"),
    ("jan apenstaartje example punt nl", "email", "jan apenstaartje example punt nl"),
    ("p.de.vries @ example.nl", "email", "p.de.vries @ example.nl"),
    ("jan{at}mail.example.nl", "email", "jan{at}mail.example.nl"),
    # telephone numbers in every grouping
    ("bel 0612345678", "phone", "0612345678"),
    ("bel 06-12345678 na zes", "phone", "06-12345678"),
    ("06 - 1234 5678", "phone", "06 - 1234 5678"),
    ("(06) 12345678", "phone", "(06) 12345678"),
    ("(06)-12 34 56 78", "phone", "(06)-12 34 56 78"),
    ("+31 (0)6 12345678", "phone", "+31 (0)6 12345678"),
    ("+31(0)612345678", "phone", "+31(0)612345678"),
    ("+31 6 1234 5678", "phone", "+31 6 1234 5678"),
    ("+31612345678", "phone", "+31612345678"),
    ("0031 6 12345678", "phone", "0031 6 12345678"),
    ("010-1234567", "phone", "010-1234567"),
    ("(010) 123 45 67", "phone", "(010) 123 45 67"),
    ("078.123.45.67", "phone", "078.123.45.67"),
    ("tel: 0781234567.", "phone", "0781234567"),
    # BSN: plain, grouped, after the word
    ("mijn bsn is 111222333", "bsn", "111222333"),
    ("123456782", "bsn", "123456782"),
    ("123 456 782", "bsn", "123 456 782"),
    ("1234.56.782", "bsn", "1234.56.782"),
    ("123.456.782", "bsn", "123.456.782"),
    ("12 34 56 782", "bsn", "12 34 56 782"),
    ("BSN: 12345678", "bsn", "12345678"),
    ("burgerservicenummer 123456789", "bsn", "123456789"),
    # IBAN
    ("NL91ABNA0417164300", "iban", "NL91ABNA0417164300"),
    ("rekening NL91 ABNA 0417 1643 00 graag", "iban", "NL91 ABNA 0417 1643 00"),
    ("nl91abna0417164300", "iban", "nl91abna0417164300"),
    # postcodes: in capitals; in lower case next to a house number or a street
    ("3311 AB Dordrecht", "postcode", "3311 AB"),
    ("ik woon in 3311AB", "postcode", "3311AB"),
    ("Dorpsstraat 12, 3311 ab", "postcode", "3311 ab"),
    ("3311ab 12", "postcode", "3311ab"),
    ("3311 ab, nr 12", "postcode", "3311 ab"),
    ("postcode 2011 ab", "postcode", "2011 ab"),
    ("2011 AB Haarlem", "postcode", "2011 AB"),
    ("Kerkweg 4a 2011AB", "postcode", "2011AB"),
]

#: texts that hold no identifier of a person
MUST_PASS = [
    "sinds 2015 MS en sindsdien hulp",
    "sinds 2015 MS",
    "2019 OK",
    "in 2019 OK geregeld",
    "in 2024 en 12 mensen",
    "ik ben 1950 geboren",
    "info@wijkteam.nl",
    "mail naar info@wijkteam.nl of contact@gemeente.nl",
    "bel de servicedesk: 0800-1234",
    "bel 0900-1234567",
    "bel 088 123 4567",
    "ik heb 3 jaar hulp, 2 keer per week, 1500 euro",
    "het kostte 123.456,78 euro",
    "2023-2024",
    "10 10 10",
    "rapportcijfer 8 van de 10",
    "al 12 jaar in 3 dorpen",
    "looked at home at night",
    "op 12-03-2024 om 10:30",
    "tussen 1200 en 1400",
    "100 km rijden, 1500 KM per jaar",
    "we are at it",
    "nummer 123456789",  # nine digits that fail the eleven test
    "0 0 0 0 0 0 0 0 0 0 0",
    "0000000000",
]


@pytest.mark.parametrize("text,kind,fragment", MUST_DETECT)
def test_must_detect(text, kind, fragment):
    found = [(k, text[a:b]) for k, a, b in find_identifiers(text)]
    assert (kind, fragment) in found, found


@pytest.mark.parametrize("text", MUST_PASS)
def test_must_pass(text):
    assert find_identifiers(text) == []


def test_declared_organisation_numbers_pass():
    text = "het wijkteam (010-1234567) en mail wijkteam.zuid@example.nl"
    allowed = frozenset({"0101234567", "wijkteam.zuid@example.nl"})
    assert [k for k, _, _ in find_identifiers(text)] == ["phone", "email"]
    assert find_identifiers(text, allowed) == []


def test_iban_check():
    assert is_iban("NL91ABNA0417164300") and not is_iban("NL91ABNA0417164301")


@pytest.mark.parametrize("text,kind,fragment", MUST_DETECT)
def test_redaction_leaves_nothing(text, kind, fragment):
    redacted, kinds = redact(text)
    assert kind in kinds
    assert fragment not in redacted
    assert find_identifiers(redacted) == []
    assert {"email": "[e-mail]", "phone": "[telefoon]", "bsn": "[BSN]", "iban": "[IBAN]",
            "postcode": "[postcode]"}[kind] in redacted


def test_redaction_keeps_the_rest():
    assert redact("Bel me op 06-12345678 of mail jan@example.nl, dank!") == (
        "Bel me op [telefoon] of mail [e-mail], dank!", ["phone", "email"])


def test_values_vectorised():
    values = pd.Series([None, "prima hulp", "mail jan@example.nl", "sinds 2015 MS", "06 12345678", ""])
    found, reason = identifiers_in_values(values, "open")
    assert [(i, w) for i, w, _ in found] == [(2, "een e-mailadres"), (4, "een telefoonnummer")] and reason is None
    out, counts = redact_values(values)
    assert out.tolist()[1:] == ["prima hulp", "mail [e-mail]", "sinds 2015 MS", "[telefoon]", ""]
    assert counts == {"[e-mail]": 1, "[telefoon]": 1}
