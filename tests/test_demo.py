"""The demo files: deterministic, in the formats fieldwork agencies deliver, and realistic."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from ceo.demo import DemoFiles, write_demo_files

EDITIONS = [2023, 2024, 2025]
GEMEENTEN = {482: "Alblasserdam", 505: "Dordrecht", 531: "Hendrik-Ido-Ambacht", 590: "Papendrecht",
             610: "Sliedrecht", 642: "Zwijndrecht"}
CODES = {f"GM{k:04d}": name for k, name in GEMEENTEN.items()}
STATEMENTS = [f"V{k}" for k in range(1, 11) if k != 5]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return write_demo_files(tmp_path_factory.mktemp("demo") / "invoer" / "demo")


def _digests(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def _wmo(demo: DemoFiles, edition: int) -> tuple[pd.DataFrame, object]:
    return pyreadstat.read_sav(demo.deliveries(edition)["wmo"].inputs[0], user_missing=True)


def _wmo_population(demo: DemoFiles, edition: int) -> pd.DataFrame:
    return pd.read_csv(demo.deliveries(edition)["wmo"].population, dtype={"gemeentecode": str})


def _jeugd(demo: DemoFiles, edition: int) -> pd.DataFrame:
    return pd.read_csv(demo.deliveries(edition)["jeugd"].inputs[0], sep=";", encoding="cp1252", decimal=",",
                       keep_default_na=False, na_values=[""])


def _professionals(demo: DemoFiles, edition: int) -> pd.DataFrame:
    return pd.read_excel(demo.deliveries(edition)["professionals"].inputs[0])


def _positive(df: pd.DataFrame, column: str, by: str) -> pd.Series:
    """% codes 1-2 among the substantive answers 1-5, per group."""
    sub = df[df[column].between(1, 5)]
    return sub.groupby(by)[column].apply(lambda s: 100 * (s <= 2).mean())


def _age_class(age: pd.Series) -> pd.Series:
    return pd.cut(age, [0, 65, 75, 85, 200], right=False, labels=[1, 2, 3, 4]).astype(int)


# ---------------------------------------------------------------------------------------------
# API and determinism
# ---------------------------------------------------------------------------------------------


def test_api(demo: DemoFiles) -> None:
    assert demo.editions == EDITIONS
    for edition in demo.editions:
        deliveries = demo.deliveries(edition)
        assert list(deliveries) == ["wmo", "jeugd", "professionals"]
        for delivery in deliveries.values():
            assert all(p.is_file() for p in delivery.inputs)
            assert delivery.weight_column is None
        wmo, jeugd, pro = deliveries.values()
        assert [p.name for p in wmo.inputs] == [f"wmo_{edition}.sav"]
        assert wmo.mapping == demo.directory / "mapping_wmo.yaml" and wmo.mapping.is_file()
        assert wmo.population.name == f"populatie_wmo_{edition}.csv" and wmo.population.is_file()
        assert [p.name for p in jeugd.inputs] == [f"jeugd_{edition}.csv"]
        assert jeugd.mapping is None and jeugd.population.name == f"populatie_jeugd_{edition}.csv"
        assert [p.name for p in pro.inputs] == [f"professionals_{edition}.xlsx"]
        assert pro.mapping is None and pro.population is None
    with pytest.raises(ValueError, match="2022"):
        demo.deliveries(2022)
    assert not list(demo.directory.rglob("*.tmp"))


def test_same_seed_gives_identical_bytes(demo: DemoFiles, tmp_path: Path) -> None:
    again = write_demo_files(tmp_path / "again")
    first, second = _digests(demo.directory), _digests(again.directory)
    assert len(first) == 1 + 5 * len(EDITIONS) + 1  # mapping, 5 files per edition, the Wmo client file
    assert first == second
    other = _digests(write_demo_files(tmp_path / "other", seed=7).directory)
    assert other.keys() == first.keys()
    changed = {name for name in first if first[name] != other[name]}
    assert changed == set(first) - {"mapping_wmo.yaml"}


def test_no_timestamps_in_sav_and_xlsx(demo: DemoFiles) -> None:
    _, meta = _wmo(demo, 2025)
    assert meta.creation_time.isoformat() == "2025-01-01T00:00:00"
    path = demo.deliveries(2025)["professionals"].inputs[0]
    with zipfile.ZipFile(path) as z:
        assert {info.date_time for info in z.infolist()} == {(2025, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    dates = re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core)
    assert dates == ["2025-01-01T00:00:00Z"] * 2


# ---------------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------------


def test_mapping_file(demo: DemoFiles) -> None:
    mapping = yaml.safe_load((demo.directory / "mapping_wmo.yaml").read_text(encoding="utf-8"))
    assert mapping["onderzoek"] == "wmo"
    assert mapping["variabelen"] == {
        "RESPNR": "respondent_id", "GEMEENTE": "gemeentecode",
        **{f"V{k}": f"v{k:02d}" for k in range(1, 11)},
        "RAPCIJF": "rapportcijfer", "LFT": "leeftijd", "GESL": "geslacht", "VOORZ": "voorziening",
        "HULP": "hulp_invullen"}
    assert mapping["codes"] == {"rapportcijfer": {0: 99}}
    assert mapping["negeren"] == []


def test_wmo_sav_metadata(demo: DemoFiles) -> None:
    df, meta = _wmo(demo, 2024)
    assert list(df.columns) == ["RESPNR", "GEMEENTE", *[f"V{k}" for k in range(1, 11)], "RAPCIJF", "LFT", "GESL",
                                "VOORZ", "HULP", "VERSIE"]
    labels = meta.column_names_to_labels
    assert labels["V2"].lower() == "ik werd snel geholpen"
    assert labels["V4"] == "De medewerker en ik hebben in het gesprek samen naar oplossingen gezocht"
    assert all(labels[c] for c in df.columns)
    values = meta.variable_value_labels
    assert values["V1"][9] == "Geen antwoord" and values["V1"][8].startswith("Weet niet")
    assert values["V5"] == {1: "Ja", 2: "Nee", 8: "Weet niet", 9: "Geen antwoord"}
    assert values["GEMEENTE"] == GEMEENTEN
    assert values["RAPCIJF"][0] == "Weet niet"
    assert values["VOORZ"][7] == "Beschermd wonen"
    assert set(values) >= {"GESL", "VOORZ", "HULP", *[f"V{k}" for k in range(1, 11)]}
    # 9 is user-missing on every statement, 8 is not
    for k in range(1, 11):
        assert meta.missing_ranges[f"V{k}"] == [{"lo": 9.0, "hi": 9.0}]
    assert "RAPCIJF" not in meta.missing_ranges
    assert set(df["GEMEENTE"].unique()) == set(GEMEENTEN)
    assert set(df["VERSIE"].unique()) == {"2024-A", "2024-B"}
    assert df["RESPNR"].is_unique and df["RESPNR"].notna().all()
    for k in range(1, 11):
        assert set(df[f"V{k}"].unique()) <= {1, 2, 3, 4, 5, 8, 9}
    assert set(df["V5"].unique()) == {1, 2, 8, 9}
    assert df["LFT"].between(18, 100).all()
    assert set(df["GESL"].unique()) <= {1, 2, 3} and set(df["HULP"].unique()) == {1, 2}
    assert set(df["VOORZ"].unique()) == set(range(1, 9))


def test_jeugd_csv_format(demo: DemoFiles) -> None:
    raw = demo.deliveries(2023)["jeugd"].inputs[0].read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 100
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    header = text.split("\r\n", 1)[0].split(";")
    assert header == ["respondent_id", "gemeentecode", "variant", *[f"j{k:02d}" for k in range(1, 9)],
                      "rapportcijfer", "leeftijd_kind", "geslacht_kind", "vorm_hulp", "gewicht_bureau", "toelichting"]
    for char in "ëé’":
        assert char in text
    df = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    assert df["gewicht_bureau"].str.fullmatch(r"\d+,\d{4}").all()
    weights = df["gewicht_bureau"].str.replace(",", ".").astype(float)
    assert weights.mean() == pytest.approx(1.0, abs=1e-3)
    assert set(df["gemeentecode"]) == set(GEMEENTEN.values())
    assert (df["toelichting"] != "").mean() > 0.1
    assert df["rapportcijfer"].str.fullmatch(r"\d*").all()  # whole numbers or empty

    parsed = _jeugd(demo, 2023)
    assert parsed["respondent_id"].is_unique
    assert set(parsed["variant"]) == {1, 2}
    assert (parsed.loc[parsed["variant"] == 2, "leeftijd_kind"] >= 12).all()
    assert parsed["leeftijd_kind"].between(0, 23).all()
    for k in range(1, 9):
        assert set(parsed[f"j{k:02d}"].dropna().unique()) <= {1, 2, 3, 4, 5, 8}
        assert parsed[f"j{k:02d}"].isna().any()
    assert set(parsed["rapportcijfer"].dropna().unique()) <= {*range(1, 11), 99}


def test_professionals_xlsx(demo: DemoFiles) -> None:
    total_gp = 0
    for edition in EDITIONS:
        df = _professionals(demo, edition)
        assert list(df.columns) == ["respondent_id", "gemeentecode", "tevredenheid", "rapportcijfer", "p01", "p02",
                                    "p03", "p04", "beroepsgroep", "organisatie"]
        assert df["respondent_id"].is_unique
        counts = df["gemeentecode"].value_counts()
        assert set(counts.index) == set(CODES)
        assert counts.between(40, 120).all()
        assert set(df["beroepsgroep"].unique()) == set(range(1, 7))
        gp = df[df["beroepsgroep"] == 5]["gemeentecode"].value_counts()
        assert gp.max() < 10 and gp.sum() < 30
        total_gp += gp.sum()
        assert df["organisatie"].dropna().map(type).eq(str).all()
        for col in ["tevredenheid", "p01", "p02", "p03", "p04"]:
            assert set(df[col].dropna().unique()) <= {1, 2, 3, 4, 5, 8}
        grades = df["rapportcijfer"].where(df["rapportcijfer"].between(1, 10))
        assert 6.0 < grades.mean() < 7.8
    assert total_gp > 0


# ---------------------------------------------------------------------------------------------
# Realism
# ---------------------------------------------------------------------------------------------


def test_wmo_population_and_response(demo: DemoFiles) -> None:
    for edition in EDITIONS:
        df, _ = _wmo(demo, edition)
        pop = _wmo_population(demo, edition)
        assert list(pop.columns) == ["gemeentecode", "leeftijdsklasse", "geslacht", "voorziening", "aantal",
                                     "aangeschreven"]
        # approached: the sample, min(N, 1000) per gemeente, never more than the clients of a cell
        assert (pop["aangeschreven"] <= pop["aantal"]).all()
        approached = pop.groupby("gemeentecode")["aangeschreven"].sum()
        assert set(pop["leeftijdsklasse"]) == {1, 2, 3, 4} and set(pop["voorziening"]) == set(range(1, 9))
        assert set(pop["geslacht"]) == {1, 2, 3}
        assert (pop["aantal"] > 0).all()
        big_n = pop.groupby("gemeentecode")["aantal"].sum()
        assert 7000 <= big_n["GM0505"] <= 8000
        assert big_n.idxmin() == "GM0482" and 500 <= big_n.min() <= 700
        assert list(big_n.sort_values(ascending=False).index) == ["GM0505", "GM0642", "GM0590", "GM0610", "GM0531",
                                                                   "GM0482"]
        # response 30-45 % of the sample (min(N, 1000))
        n = df["GEMEENTE"].map(lambda c: f"GM{int(c):04d}").value_counts()
        rate = n / np.minimum(big_n.reindex(n.index), 1000)
        assert rate.between(0.30, 0.45).all(), rate
        assert (approached == np.minimum(big_n, 1000)).all()

        # every respondent's cell has at least as many clients
        cells = pd.DataFrame({"gemeentecode": df["GEMEENTE"].map(lambda c: f"GM{int(c):04d}"),
                              "leeftijdsklasse": _age_class(df["LFT"]), "geslacht": df["GESL"].astype(int),
                              "voorziening": df["VOORZ"].astype(int)})
        sample = cells.value_counts().rename("n").reset_index()
        merged = sample.merge(pop, how="left", on=["gemeentecode", "leeftijdsklasse", "geslacht", "voorziening"])
        assert (merged["aantal"].fillna(0) >= merged["n"]).all()

        # older clients respond more
        share_resp = cells["leeftijdsklasse"].value_counts(normalize=True)
        share_pop = pop.groupby("leeftijdsklasse")["aantal"].sum() / pop["aantal"].sum()
        assert share_resp[1] < share_pop[1] - 0.05
        assert share_resp[[3, 4]].sum() > share_pop[[3, 4]].sum() + 0.03

        # beschermd wonen: too few respondents to publish, in every gemeente
        assert df.loc[df["VOORZ"] == 7, "GEMEENTE"].value_counts().max() < 30


def test_wmo_answers(demo: DemoFiles) -> None:
    for edition in EDITIONS:
        df, _ = _wmo(demo, edition)
        positive = pd.DataFrame({v: _positive(df, v, "GEMEENTE") for v in STATEMENTS})
        assert positive.shape == (6, 9)
        assert ((positive >= 70) & (positive <= 90)).all().all(), positive
        # real differences between gemeenten
        by_gemeente = positive.mean(axis=1)
        assert by_gemeente.max() - by_gemeente.min() >= 4
        for k in range(1, 11):
            col = df[f"V{k}"]
            assert 3 <= 100 * (col == 8).mean() <= 8
            assert 1 <= 100 * (col == 9).mean() <= 4
        answered = df[df["V5"].isin([1, 2])]
        yes = 100 * (answered["V5"] == 1).groupby(answered["GEMEENTE"]).mean()
        assert yes.between(25, 60).all()  # % ja: knowing about client support is less common
        # older clients are more positive, so weighting matters
        age = _age_class(df["LFT"])
        young = _positive(df.assign(k=age), "V6", "k")
        assert young[1] < young[[3, 4]].min()

        grade = df["RAPCIJF"]
        marks = grade.where(grade.between(1, 10))
        assert 7.3 <= marks.mean() <= 7.8
        assert marks.groupby(df["GEMEENTE"]).mean().between(7.1, 8.0).all()
        assert 0.01 <= (marks <= 5).sum() / marks.notna().sum() <= 0.10
        assert (grade == 0).sum() > 0 and grade.isna().sum() > 0
        assert set(grade.dropna().unique()) <= set(range(0, 11))


def test_zwijndrecht_v02_drops_in_2025(demo: DemoFiles) -> None:
    positive = {e: pd.DataFrame({v: _positive(_wmo(demo, e)[0], v, "GEMEENTE") for v in STATEMENTS})
                for e in EDITIONS}
    change = positive[2025] - positive[2024]
    assert -20 <= change.loc[642, "V2"] <= -10
    assert abs(positive[2024].loc[642, "V2"] - positive[2023].loc[642, "V2"]) < 5
    others = change.drop(index=642).to_numpy().ravel().tolist() + change.loc[642].drop("V2").tolist()
    assert max(abs(x) for x in others) < 5


def test_jeugd_realism(demo: DemoFiles) -> None:
    for edition in EDITIONS:
        df = _jeugd(demo, edition)
        n = df["gemeentecode"].value_counts()
        assert 200 <= n["Dordrecht"] <= 700
        assert n.idxmax() == "Dordrecht" and n["Alblasserdam"] < n["Dordrecht"] / 2
        assert n.min() >= 50
        assert (df["variant"] == 2).sum() >= 100 and (df["variant"] == 1).sum() >= 500
        positive = pd.DataFrame({f"j{k:02d}": _positive(df, f"j{k:02d}", "gemeentecode") for k in range(1, 9)})
        assert ((positive >= 70) & (positive <= 90)).all().all(), positive
        marks = df["rapportcijfer"].where(df["rapportcijfer"].between(1, 10))
        assert 7.0 <= marks.mean() <= 7.8

        pop = pd.read_csv(demo.deliveries(edition)["jeugd"].population)
        assert list(pop.columns) == ["gemeentecode", "aantal", "aangeschreven"]
        big_n = pop.set_index("gemeentecode")["aantal"]
        assert (pop.set_index("gemeentecode")["aangeschreven"] == np.minimum(big_n, 2000)).all()
        assert set(big_n.index) == set(CODES)
        by_code = n.rename(index={name: code for code, name in CODES.items()})
        assert (big_n.reindex(by_code.index) >= 3 * by_code).all()
