from __future__ import annotations

import pytest

from ceo.core.problems import InputError
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


# ---------------------------------------------------------------------------------------------
# Refreshing the bundled list (python -m ceo.validate.registry_refresh)
# ---------------------------------------------------------------------------------------------


def _data_copy(tmp_path):
    import shutil

    from ceo.validate import registry_refresh as rr

    d = tmp_path / "data"
    shutil.copytree(rr.DATA, d)
    return d


def test_refresh_from_the_same_list_changes_nothing(tmp_path):
    from ceo.validate import registry_refresh as rr

    d = _data_copy(tmp_path)
    before = {p.name: p.read_bytes() for p in d.glob("*.csv")}
    result = rr.refresh(d / "gemeenten.csv", data_dir=d)
    assert result.summary() == ["342 gemeenten"]
    rr.write(result, d)
    assert {p.name: p.read_bytes() for p in d.glob("*.csv")} == before


def test_refresh_reports_and_writes_a_herindeling(tmp_path):
    import pandas as pd

    from ceo.validate import registry_refresh as rr

    d = _data_copy(tmp_path)
    cbs = pd.read_csv(d / "gemeenten.csv", dtype=str).drop(columns="alias")
    cbs = cbs[cbs["gemeentecode"] != "GM0482"]  # Alblasserdam merges into Dordrecht
    cbs.loc[cbs["gemeentecode"] == "GM0590", "gemeentenaam"] = "Papendrecht aan de Merwede"
    cbs["gemeentecode"] = cbs["gemeentecode"].str.removeprefix("GM")  # CBS lists may give bare numbers
    cbs = cbs.rename(columns={"gemeentecode": "Code", "gemeentenaam": "Naam"})
    src = tmp_path / "Gebieden_in_Nederland.csv"
    src.write_text("Gebieden in Nederland 2027\n" + cbs.to_csv(index=False, sep=";"), encoding="cp1252")
    columns = {"gemeentecode": "Code", "gemeentenaam": "Naam"}
    with pytest.raises(InputError, match=r"GM0482 \(Alblasserdam\) staat niet meer in de lijst"):
        rr.refresh(src, columns, data_dir=d)
    result = rr.refresh(src, columns, [("2027-01-01", "GM0482", "GM0505")], data_dir=d)
    assert result.summary() == ["341 gemeenten", "verdwenen: GM0482",
                                "andere naam: GM0590 Papendrecht → Papendrecht aan de Merwede"]
    rr.write(result, d)
    text = (d / "herindelingen.csv").read_text(encoding="utf-8")
    assert text.splitlines()[-1] == "2027-01-01,GM0482,Alblasserdam,GM0505,Dordrecht"
    # aliases of gemeenten that remain are kept ("Den Haag")
    assert "'s-Gravenhage,Zuid-Holland" in (d / "gemeenten.csv").read_text(encoding="utf-8")
    assert "Den Haag" in (d / "gemeenten.csv").read_text(encoding="utf-8")


def test_refresh_refuses_a_double_code_and_a_missing_column(tmp_path):
    from ceo.validate import registry_refresh as rr

    d = _data_copy(tmp_path)
    lines = (d / "gemeenten.csv").read_text(encoding="utf-8").splitlines()
    src = tmp_path / "dubbel.csv"
    src.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"dubbel.csv, rij 344, kolom 'gemeentecode': waarde 'GM0014': gemeente "
                                         r"GM0014 staat er twee keer in"):
        rr.refresh(src, data_dir=d)
    assert rr.main([str(src), "--kolom", "gemeentecode=Code"]) == 2
