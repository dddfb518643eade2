"""The factsheet's building blocks without a demo run: the codebook's ``kernindicatoren``, the plain-words
comparison markers, and the colours of the factsheet charts (WCAG 1.4.11: 3:1 against white, stacked segments
separated by a white border)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ceo.core.colours import contrast
from ceo.core.problems import InputError
from ceo.site import factsheet as fs
from ceo.stats.disclosure import REASON_SMALL
from ceo.validate.codebook import codebook_paths, get_codebook, load_codebook

SURVEYS = ("wmo", "jeugd", "professionals")


# --------------------------------------------------------------------------------------------
# kernindicatoren in the codebook


@pytest.mark.parametrize("survey", SURVEYS)
def test_builtin_codebooks_name_the_rapportcijfer_and_three_or_four_percentages(survey: str) -> None:
    cb = get_codebook(survey)
    kinds = {ind.id: ind.kind for ind in cb.indicators}
    ids = [i for i, _short in cb.key_indicators]
    assert ids and ids[0] == "rapportcijfer" and kinds["rapportcijfer"] == "gemiddelde"
    assert 3 <= len(ids) - 1 <= 4
    assert all(kinds[i] == "percentage_positief" for i in ids[1:])
    # short labels: they must fit in one line of the Kernpunten table on a phone
    assert all(0 < len(short) <= 28 for _i, short in cb.key_indicators), cb.key_indicators


def _codebook_with(tmp_path: Path, key) -> Path:
    data = yaml.safe_load(codebook_paths()["wmo"].read_text(encoding="utf-8"))
    data["kernindicatoren"] = key
    path = tmp_path / "wmo.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_kernindicatoren_as_ids_or_with_a_short_label(tmp_path: Path) -> None:
    cb = load_codebook(_codebook_with(tmp_path, ["rapportcijfer", {"indicator": "v02", "kort": "Snel geholpen"}]))
    assert cb.key_indicators == (("rapportcijfer", ""), ("v02", "Snel geholpen"))


@pytest.mark.parametrize("key,message", [
    (["rapportcijfer", "v99"], "kernindicatoren[2]: onbekende indicator 'v99'"),
    (["v01", "v01"], "indicator 'v01' staat twee keer in de kernindicatoren"),
    ([{"indicator": "v01", "kort": 3}], "'kort' moet een tekst zijn"),
    ("v01", "'kernindicatoren' moet een lijst"),
    ([{"indicator": "v01", "kortt": "x"}], "kortt"),
])
def test_wrong_kernindicatoren_are_refused_in_dutch(tmp_path: Path, key, message: str) -> None:
    with pytest.raises(InputError) as exc:
        load_codebook(_codebook_with(tmp_path, key))
    text = str(exc.value)
    assert message in text and "wmo.yaml" in text, text


def test_key_indicators_without_the_codebook_key_fall_back_to_the_mark_and_one_percentage_per_theme() -> None:
    qs = [
        {"indicator": "v01", "soort": "percentage_positief", "thema": "toegang", "volgorde": 0},
        {"indicator": "v02", "soort": "percentage_positief", "thema": "toegang", "volgorde": 1},
        {"indicator": "v06", "soort": "percentage_positief", "thema": "kwaliteit", "volgorde": 2},
        {"indicator": "v08", "soort": "percentage_positief", "thema": "effect", "volgorde": 3},
        {"indicator": "rapportcijfer", "soort": "gemiddelde", "thema": "rapportcijfer", "volgorde": 4},
    ]
    assert [q["indicator"] for q, _s in fs.key_indicators({}, qs)] == ["rapportcijfer", "v01", "v06", "v08"]
    listed = {"kernindicatoren": [{"indicator": "v02", "kort": "Snel"}, {"indicator": "weg", "kort": ""}]}
    assert [(q["indicator"], s) for q, s in fs.key_indicators(listed, qs)] == [("v02", "Snel")]


# --------------------------------------------------------------------------------------------
# the markers: the tested comparison, in plain words, with the comparator's value


def _row(**kw) -> dict:
    base = {"soort": "percentage", "waarde": 73.4, "onderdrukt": "nee", "waarde_vorige": 71.0, "verschil_vorige": 2.4,
            "significant_vorige": "nee", "waarde_rest_regio": 80.2, "verschil_regio": -6.8, "significant_regio": "ja"}
    return {**base, **kw}


def test_markers_say_higher_lower_or_equal_with_the_value_of_the_comparator() -> None:
    assert fs.comparison_text(_row(), "regio") == "▼ lager (80\u00a0%)"
    assert fs.comparison_text(_row(), "vorige") == "= gelijk (71\u00a0%)"
    assert fs.comparison_text(_row(significant_vorige="ja"), "vorige") == "▲ hoger (71\u00a0%)"
    mean = _row(soort="gemiddelde", waarde=7.29, waarde_rest_regio=7.51, verschil_regio=-0.22)
    assert fs.comparison_text(mean, "regio") == "▼ lager (7,5)"
    # not tested: no marker, only the comparator's value; nothing at all without a comparator
    assert fs.comparison(_row(significant_regio=""), "regio") is None
    assert fs.comparison_text(_row(significant_regio=""), "regio") == "80\u00a0%"
    assert fs.comparison_text(_row(significant_vorige="", waarde_vorige=float("nan")), "vorige") == ""
    # the benchmark (when the edition has one): the same words
    bench = _row(waarde_benchmark=70.2, verschil_benchmark=3.2, significant_benchmark="ja")
    assert fs.comparison_text(bench, "benchmark") == "▲ hoger (70\u00a0%)"
    # a suppressed figure is not compared
    assert fs.comparison_text(_row(onderdrukt="ja", waarde=float("nan")), "regio") == ""


def test_marge_is_half_the_interval_in_whole_points_or_tenths() -> None:
    assert fs._marge(_row(ondergrens=69.2, bovengrens=77.3)) == "± 4"
    assert fs._marge(_row(soort="gemiddelde", waarde=7.3, ondergrens=7.1, bovengrens=7.5)) == "± 0,2"
    assert fs._marge(_row(onderdrukt="ja", ondergrens=1, bovengrens=2)) == "—"


# --------------------------------------------------------------------------------------------
# chart colours (the same check H5's page test makes on every chart of the built site)


def _colours(spec: dict) -> list[str]:
    """Every colour a chart spec draws data with (markers, lines, error bars)."""
    found: list[str] = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif key in ("color", "fillcolor") and isinstance(node, str):
            found.append(node)

    for trace in spec["data"]:
        walk(trace)
    return found


def _specs() -> list[dict]:
    items = [{"label": f"Vraag {i}", "value": 70.0 + i, "lo": 65.0 + i, "hi": 75.0 + i, "rest": 72.0, "prev": 69.0}
             for i in range(4)]
    panels = [{"title": "Wmo: rapportcijfer", "percent": False,
               "points": [(2023, 7.4, 7.2, 7.6), (2024, 7.3, 7.1, 7.5)], "rest": [(2023, 7.5), (2024, 7.5)],
               "kind": "gemiddelde"},
              {"title": "Wmo: wist waar", "percent": True, "points": [(2023, 71, 66, 76), (2024, 73, 68, 77)],
               "rest": [(2023, 76), (2024, 75)], "kind": "percentage"}]
    answers = ["helemaal mee eens", "mee eens", "neutraal", "niet mee eens", "helemaal niet mee eens"]
    dist = [("Vraag 1", [(a, 20.0) for a in answers]), ("Vraag 2", [(a, 20.0) for a in answers])]
    marks = ("Rapportcijfer", [(c, 20.0) for c, _codes in fs.MARK_CLASSES])
    return [fs.overview_chart(items, "Dordrecht", "rest van Drechtsteden", "2024"),
            fs.trend_chart(panels, "Dordrecht", "rest van Drechtsteden"),
            fs.distribution_chart(dist, marks),
            fs.distribution_chart([("Vraag", [("ja", 60.0), ("nee", 40.0)])])]


@pytest.mark.parametrize("index", range(4))
def test_chart_colours_have_three_to_one_contrast_against_white(index: int) -> None:
    spec = _specs()[index]
    colours = _colours(spec)
    assert colours
    for c in colours:
        if c.upper() == "#FFFFFF":  # the white border between stacked segments
            continue
        assert contrast(c, "#FFFFFF") >= 3.0, (c, contrast(c, "#FFFFFF"))
    assert "#E69F00" not in {c.upper() for c in colours}


def test_stacked_segments_are_separated_by_a_white_border_and_ordered() -> None:
    spec = _specs()[2]
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    assert all(t["marker"]["line"]["color"].upper() == "#FFFFFF" and t["marker"]["line"]["width"] >= 1 for t in bars)
    # in the legend: the answers from the most positive to the most negative, then the marks from high to low, in
    # the same ordinal scale
    bars.sort(key=lambda t: t["legendrank"])
    names = [t["name"] for t in bars]
    assert names[:5] == ["helemaal mee eens", "mee eens", "neutraal", "niet mee eens", "helemaal niet mee eens"]
    assert names[5:] == [c for c, _codes in fs.MARK_CLASSES]
    assert [t["marker"]["color"] for t in bars[:5]] == fs.ORDINAL5 == [t["marker"]["color"] for t in bars[5:]]
    # the last trace is an answer with a value on the first question's bar (its hover label)
    assert spec["data"][-1]["name"] == "helemaal niet mee eens" and spec["data"][-1]["x"][0] is not None


def test_region_comparator_in_the_charts_is_the_rest_of_the_region() -> None:
    overview, trend = _specs()[:2]
    assert [t["name"] for t in overview["data"]] == ["Dordrecht", "rest van Drechtsteden", "2024"]
    assert overview["data"][1]["x"] == [72.0] * 4
    assert {t["name"] for t in trend["data"]} == {"Dordrecht", "rest van Drechtsteden"}
    # every panel has its own axes, with the years below the lowest panel of each column only
    axes = [k for k in trend["layout"] if re.fullmatch(r"yaxis\d*", k)]
    assert len(axes) == 2 and trend["layout"]["yaxis"]["range"][0] >= 1


def test_trend_y_axis_leaves_room_for_the_intervals() -> None:
    pan = {"percent": True, "points": [(2023, 71, 66, 76), (2024, 73, 68, 77)], "rest": [(2023, 82), (2024, 81)]}
    lo, hi = fs._y_range(pan)
    assert lo <= 66 - 3 and hi >= 82 + 3 and lo % 10 == 0 and hi % 10 == 0
    mark = {"percent": False, "points": [(2023, 7.3, 7.1, 7.5)], "rest": [(2023, 7.6)]}
    lo, hi = fs._y_range(mark)
    assert 1 <= lo <= 6.9 and 7.8 <= hi <= 10


# --------------------------------------------------------------------------------------------
# subgroups: value, marge and n per cell, and the design-based test of the difference between groups when the
# results carry it (columns p_groepen / significant_groepen, added to the results table later: optional)


def _sub(indicator: str, group: str, value: float, sig: str | None = None, suppressed: bool = False) -> dict:
    row = {"indicator": indicator, "subgroep": "geslacht", "subgroep_waarde": group, "soort": "percentage",
           "waarde": float("nan") if suppressed else value, "ondergrens": value - 5, "bovengrens": value + 5,
           "n": float("nan") if suppressed else 120, "onderdrukt": "ja" if suppressed else "nee",
           "reden": REASON_SMALL.format(n=10) if suppressed else "", "indicatief": "nee"}
    if sig is not None:
        row["significant_groepen"] = sig
    return row


def _ps(meta: dict, questions: list[dict]):
    from ceo.site.render import PreparedSurvey, SurveyEdition

    return PreparedSurvey(SurveyEdition(meta, None, None, None), {}, {}, {}, questions, {}, {})


QUESTIONS = [{"indicator": "v01", "soort": "percentage_positief", "kop": "wisten waar ze moesten zijn", "volgorde": 0,
              "vraag": "Ik wist waar ik moest zijn.", "label": "% eens"}]


@pytest.mark.parametrize("flags,verdict", [(None, None), (["", ""], None), (["ja", "ja"], "ja"),
                                           (["nee", "nee"], "te klein om zeker te zijn")])
def test_subgroup_table_shows_marge_n_and_the_group_test_when_present(flags, verdict) -> None:
    sg = {"id": "geslacht", "label": "Geslacht"}
    rows = [_sub("v01", "man", 70.0, flags and flags[0]), _sub("v01", "vrouw", 80.0, flags and flags[1]),
            _sub("v01", "anders", 0.0, flags and "", suppressed=True)]
    out = fs._subgroups_table(_ps({"korte_titel": "CEO Wmo"}, QUESTIONS), [(sg, rows)], "Dordrecht", QUESTIONS, "wmo")
    table = out["table"]
    assert "<th>man</th><td>70\u00a0% <small>± 5 · n = 120</small></td>" in table
    assert "<th>vrouw</th><td>80\u00a0% <small>± 5 · n = 120</small></td>" in table
    assert "Niet in de tabel, omdat al hun cijfers onderdrukt zijn: geslacht anders (te weinig antwoorden)" in table
    if verdict is None:
        assert "Verschillen de groepen?" not in table and out["test_line"] == ""
    else:
        assert f"<tr><th>Verschillen de groepen?</th><td>{verdict}</td></tr>" in table
        assert "vrijwel zeker echt" in out["test_line"]


def test_trend_shows_the_interval_of_the_rest_of_the_region_when_published() -> None:
    """The rest of the region with its interval (results with ``ondergrens_rest_regio``/``bovengrens_rest_regio``);
    results of an older ceo have only its value: then a line without whiskers, never an invented interval."""
    points = [(2023, 71.0, 66.0, 76.0), (2024, 73.0, 68.0, 77.0)]
    with_ci = [{"title": "Wmo: wist waar", "percent": True, "points": points, "kind": "percentage",
                "rest": [(2023, 76.0, 74.0, 78.5), (2024, 75.0, 73.0, 77.0)]}]
    spec = fs.trend_chart(with_ci, "Dordrecht", "rest van Drechtsteden")
    rest = next(t for t in spec["data"] if t["name"] == "rest van Drechtsteden")
    assert rest["error_y"]["array"] == [2.5, 2.0] and rest["error_y"]["arrayminus"] == [2.0, 2.0]
    old = [{**with_ci[0], "rest": [(2023, 76.0, float("nan"), float("nan")), (2024, 75.0)]}]
    rest = next(t for t in fs.trend_chart(old, "Dordrecht", "rest van Drechtsteden")["data"]
                if t["name"] == "rest van Drechtsteden")
    assert "error_y" not in rest


def test_reasons_of_editions_published_by_ceo_0_1_get_the_legend_words():
    """``ceo site`` renders earlier editions again from their published tables, which carry 0.1's reason texts."""
    from ceo.site import render

    assert render.plain_reason("te weinig respondenten (n < 10)") == render.TOO_FEW
    assert render.plain_reason("te weinig respondenten (n < 30)") == render.TOO_FEW
    assert render.plain_reason("aanvullend onderdrukt, anders is een onderdrukte waarde terug te rekenen") \
        == render.PROTECTS
