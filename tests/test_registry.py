from __future__ import annotations

import pytest

from ceo.validate.registry import registry


def test_all_342_gemeenten_and_regions():
    reg = registry()
    assert len(reg.gemeenten) == 342
    assert sum(len(p.members) for p in reg.provinces()) == 342
    assert len(reg.provinces()) == 12
    assert len(reg.safety_regions()) == 25
    vr18 = next(r for r in reg.safety_regions() if r.id == "VR18")
    assert {"GM0482", "GM0505", "GM0531", "GM0590", "GM0610", "GM0642"} <= set(vr18.members)


@pytest.mark.parametrize("typed, code", [
    ("GM0505", "GM0505"), ("gm0505", "GM0505"), ("0505", "GM0505"), ("505", "GM0505"),
    (505, "GM0505"), (505.0, "GM0505"), ("Dordrecht", "GM0505"), (" dordrecht ", "GM0505"),
    ("Den Haag", "GM0518"), ("'s-Gravenhage", "GM0518"), ("Den Bosch", "GM0796"),
    ("Hendrik-Ido-Ambacht", "GM0531"), ("hendrik ido ambacht", "GM0531"),
    ("Súdwest-Fryslân", "GM1900"), ("Sudwest Fryslan", "GM1900"), ("Bergen (NH.)", "GM0373"),
])
def test_resolve(typed, code):
    assert registry().resolve(typed).code == code


def test_merged_gemeente_names_its_successor():
    res = registry().resolve("GM0501")
    assert res.code is None
    assert res.problem == ("gemeente GM0501 (Brielle) bestaat sinds 1 januari 2023 niet meer; zij "
                           "is opgegaan in GM1992 (Voorne aan Zee). Gebruik de code van de nieuwe "
                           "gemeente.")
    assert registry().resolve("Weesp").problem.startswith(
        "gemeente GM0457 (Weesp) bestaat sinds 24 maart 2022 niet meer; zij is opgegaan in GM0363")


def test_unknown_and_ambiguous():
    assert registry().resolve("GM9999").problem.startswith("onbekende gemeentecode GM9999")
    assert registry().resolve("Atlantis").problem.startswith("onbekende gemeente")
    assert "niet eenduidig" in registry().resolve("Bergen").problem
    assert registry().resolve(None).problem == "gemeente ontbreekt"
    assert registry().resolve(float("nan")).problem == "gemeente ontbreekt"
