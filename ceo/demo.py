"""Realistic, made-up fieldwork files for the demo (``ceo demo``).

For the six Drechtsteden gemeenten and the editions 2023, 2024 and 2025 this writes what a
research centre typically receives:

* CEO Wmo as an SPSS file from a fieldwork agency, with the agency's own variable names (``V1`` …),
  codes (rapportcijfer 0 = weet niet), value labels and user-defined missing values, plus a mapping
  file that translates them to the codebook;
* CEO Jeugd as a "Dutch Excel" CSV (``;``, decimal comma, Windows-1252, CRLF) with the codebook's
  column names, gemeente names instead of codes and two columns the codebook does not know;
* the professionals survey as an Excel workbook (a census, unweighted);
* population files (clients per gemeente and cell) for weighting Wmo and Jeugd.

The clients are generated as a population of units with background characteristics; the sample
and the respondents are drawn from those units, so the population file is always consistent with
the respondents. Older clients respond more often and are more positive, so weighting matters.
The answers are assigned by rank within gemeente: the share of positive answers per gemeente and
statement is set by design (between 70 and 90 %), independent of the seed, while the seed decides
who answers what.

Built-in story lines: real differences between gemeenten; in Zwijndrecht "Ik werd snel geholpen"
(v02) drops by 15 percentage points from 2024 to 2025; "beschermd wonen" (Wmo) and
"huisarts / POH" (professionals) are too small to publish.

Everything is deterministic: the same seed gives byte-identical files (no timestamps).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

EDITIONS = (2023, 2024, 2025)
#: the edition after the demo's last one: its Wmo client file shows 'ceo steekproef'
SAMPLE_EDITION = 2026
SURVEYS = ("wmo", "jeugd", "professionals")
#: a separate random stream per survey (seeded with [seed, stream, edition]; edition 0: structure)
_STREAM = {"wmo": 1, "jeugd": 2, "professionals": 3}

#: fixed date written into the files instead of the time of writing
_FIXED_DATE = (2025, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class _Gemeente:
    code: str
    name: str
    wmo: int  # Wmo clients (population)
    jeugd: int  # children and young people with jeugdhulp (population)
    professionals: int  # responding professionals
    effect: float  # gemeente effect on the share of positive answers, percentage points


GEMEENTEN = (
    _Gemeente("GM0482", "Alblasserdam", 610, 470, 44, +3.0),
    _Gemeente("GM0505", "Dordrecht", 7500, 3100, 116, -2.5),
    _Gemeente("GM0531", "Hendrik-Ido-Ambacht", 900, 820, 54, +3.5),
    _Gemeente("GM0590", "Papendrecht", 1650, 760, 61, +1.0),
    _Gemeente("GM0610", "Sliedrecht", 1300, 590, 48, -0.5),
    _Gemeente("GM0642", "Zwijndrecht", 2600, 1150, 77, -1.5),
)
_ZWIJNDRECHT = 5

# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """The files of one survey and edition, as ``ceo process`` takes them."""

    inputs: list[Path]
    mapping: Path | None = None
    population: Path | None = None
    weight_column: str | None = None


@dataclass(frozen=True)
class DemoFiles:
    """Where the demo files are; :meth:`deliveries` gives them per edition and survey."""

    directory: Path
    editions: list[int] = field(default_factory=lambda: list(EDITIONS))

    @property
    def client_file(self) -> Path:
        """The made-up Wmo client administration for the next edition (``ceo steekproef``)."""
        return self.directory / f"klanten_wmo_{SAMPLE_EDITION}.csv"

    def deliveries(self, edition: int) -> dict[str, Delivery]:
        if edition not in self.editions:
            raise ValueError(f"de demo kent editie {edition} niet; wel: "
                             + ", ".join(str(e) for e in self.editions))
        d = self.directory / str(edition)
        return {
            "wmo": Delivery([d / f"wmo_{edition}.sav"], mapping=self.directory / "mapping_wmo.yaml",
                            population=d / f"populatie_wmo_{edition}.csv"),
            "jeugd": Delivery([d / f"jeugd_{edition}.csv"], population=d / f"populatie_jeugd_{edition}.csv"),
            "professionals": Delivery([d / f"professionals_{edition}.xlsx"]),
        }


def write_demo_files(directory: Path, seed: int = 20251) -> DemoFiles:
    """Write the demo fieldwork files into ``directory`` (one sub-directory per edition) and the Wmo
    mapping file into ``directory`` itself. The same seed always gives byte-identical files."""
    directory = Path(directory)
    files = DemoFiles(directory)
    directory.mkdir(parents=True, exist_ok=True)
    _write_bytes(directory / "mapping_wmo.yaml", _WMO_MAPPING.encode("utf-8"))
    for edition in files.editions:
        target = directory / str(edition)
        target.mkdir(parents=True, exist_ok=True)
        structure = {s: np.random.default_rng([seed, _STREAM[s], 0]) for s in SURVEYS}
        rng = {s: np.random.default_rng([seed, _STREAM[s], edition]) for s in SURVEYS}

        respondents, population = _wmo(rng["wmo"], structure["wmo"], edition)
        _write_wmo_sav(target / f"wmo_{edition}.sav", respondents, edition)
        _write_population(target / f"populatie_wmo_{edition}.csv", population)

        respondents, population = _jeugd(rng["jeugd"], structure["jeugd"], edition)
        _write_jeugd_csv(target / f"jeugd_{edition}.csv", respondents)
        _write_population(target / f"populatie_jeugd_{edition}.csv", population)

        respondents = _professionals(rng["professionals"], structure["professionals"], edition)
        _write_professionals_xlsx(target / f"professionals_{edition}.xlsx", respondents, edition)
    _write_population(files.client_file, _wmo_clients(np.random.default_rng([seed, 4, SAMPLE_EDITION])))
    return files


def _wmo_clients(rng: np.random.Generator) -> pd.DataFrame:
    """A client administration: one row per Wmo client with a client number and the weighting
    characteristics (no names or addresses in the demo)."""
    growth = 1 + 0.02 * (SAMPLE_EDITION - 2025)
    sizes = [int(round(g.wmo * growth)) for g in GEMEENTEN]
    gem = np.repeat(np.arange(len(GEMEENTEN)), sizes)
    total = len(gem)
    age_class = _categorical(rng, np.tile(_WMO_AGE_P, (total, 1)))
    sex = _categorical(rng, np.tile([0.37, 0.615, 0.015], (total, 1)))
    voorz = _categorical(rng, _WMO_VOORZ_P[age_class - 1])
    number = rng.choice(900_000, size=total, replace=False) + 100_000
    return pd.DataFrame({"klantnummer": [f"K{k}" for k in number], "gemeentecode": [GEMEENTEN[i].code for i in gem],
                         "leeftijdsklasse": age_class, "geslacht": sex, "voorziening": voorz})


# ---------------------------------------------------------------------------------------------
# Shared generation helpers
# ---------------------------------------------------------------------------------------------


def _categorical(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One draw (1-based code) per row of a matrix of probabilities."""
    cdf = np.cumsum(probabilities, axis=1)
    cdf[:, -1] = 1.0
    u = rng.random(len(probabilities))
    return (u[:, None] > cdf).sum(axis=1) + 1


def _targets(structure: np.random.Generator, rng: np.random.Generator, base: dict[str, float],
             effects: np.ndarray, low: float, high: float, interaction: float = 1.5) -> np.ndarray:
    """Share positive per gemeente (rows) and item (columns): base + gemeente effect + a fixed
    gemeente-item interaction (structure) + a small drift per edition (sampling variation)."""
    shape = (len(effects), len(base))
    fixed = np.clip(structure.normal(0, interaction, shape), -3, 3)
    drift = np.clip(rng.normal(0, 1.0, shape), -2, 2)
    pp = np.array(list(base.values()))[None, :] * 100 + effects[:, None] + fixed + drift
    return np.clip(pp / 100, low, high)


def _ranked(groups: np.ndarray, score: np.ndarray,
            share: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: its rank (1 = highest score) within its group, the number of positive answers in
    that group (round(share × group size); ``share`` is given per row) and the group size."""
    frame = pd.DataFrame({"g": groups, "s": score})
    rank = frame.groupby("g")["s"].rank(method="first", ascending=False).to_numpy()
    size = frame.groupby("g")["s"].transform("size").to_numpy()
    return rank, np.rint(share * size), size


def _likert(groups: np.ndarray, score: np.ndarray, share: np.ndarray, valid: np.ndarray,
            strongly: float = 0.35) -> np.ndarray:
    """Codes 1-5 for the valid rows (others 0): within each group exactly the share ``share`` of the
    highest scores is positive (1 or 2); the rest is 3, 4 or 5 in order of score."""
    codes = np.zeros(len(groups), dtype=np.int64)
    rank, k, size = _ranked(groups[valid], score[valid], share[valid])
    rest = (rank - k) / np.maximum(size - k, 1)
    codes[valid] = np.select([rank <= np.rint(k * strongly), rank <= k, rest <= 0.55, rest <= 0.88],
                             [1, 2, 3, 4], 5)
    return codes


def _yes_no(groups: np.ndarray, score: np.ndarray, share: np.ndarray, valid: np.ndarray) -> np.ndarray:
    codes = np.zeros(len(groups), dtype=np.int64)
    rank, k, _ = _ranked(groups[valid], score[valid], share[valid])
    codes[valid] = np.where(rank <= k, 1, 2)
    return codes


def _grade(rng: np.random.Generator, mean: np.ndarray, latent: np.ndarray, low_share: float) -> np.ndarray:
    """Rapportcijfer 1-10 around ``mean`` (per row), with a share of insufficient marks (1-5)."""
    marks = np.clip(np.rint(mean + 1.05 * latent), 1, 10)
    low = rng.random(len(mean)) < low_share
    marks[low] = rng.integers(1, 6, low.sum())
    return marks.astype(np.int64)


def _pick(rng: np.random.Generator, candidates: np.ndarray, share: float,
          weights: np.ndarray | float = 1.0) -> np.ndarray:
    """A mask with exactly round(share × n) rows set, chosen among ``candidates`` (a mask) with
    probability proportional to ``weights`` (successive sampling by exponential keys)."""
    n = len(candidates)
    keys = np.where(candidates, rng.random(n) ** (1.0 / np.broadcast_to(weights, n)), -1.0)
    mask = np.zeros(n, dtype=bool)
    mask[np.argsort(-keys, kind="stable")[:int(round(share * n))]] = True
    return mask & candidates


def _draw_respondents(rng: np.random.Generator, units: np.ndarray, weights: np.ndarray,
                      rate: float) -> np.ndarray:
    """round(rate × len(units)) respondents, drawn with probabilities proportional to ``weights``."""
    k = int(round(rate * len(units)))
    return np.sort(rng.choice(units, size=k, replace=False, p=weights / weights.sum()))


# ---------------------------------------------------------------------------------------------
# CEO Wmo
# ---------------------------------------------------------------------------------------------

WMO_ITEMS = ("v01", "v02", "v03", "v04", "v05", "v06", "v07", "v08", "v09", "v10")
#: designed share positive per statement (v05: share "ja")
_WMO_BASE = {"v01": 0.79, "v02": 0.78, "v03": 0.84, "v04": 0.79, "v05": 0.44, "v06": 0.83, "v07": 0.80,
             "v08": 0.77, "v09": 0.78, "v10": 0.76}
_WMO_DONT_KNOW = np.array([4.0, 4.0, 3.8, 5.0, 6.5, 4.0, 4.5, 6.0, 5.5, 6.0]) / 100
_WMO_NO_ANSWER = np.array([1.6, 1.6, 1.6, 1.8, 2.0, 1.8, 1.8, 2.2, 2.2, 2.4]) / 100
#: Zwijndrecht v02 per edition: the visible drop in 2025
_ZWIJNDRECHT_V02 = {2023: 0.855, 2024: 0.86, 2025: 0.71}

#: age classes 18-65, 65-75, 75-85, 85+: population shares, relative response, effect on opinion
_WMO_AGE_P = np.array([0.30, 0.20, 0.28, 0.22])
_WMO_AGE_RESPONSE = np.array([0.70, 1.10, 1.20, 1.00])
_WMO_AGE_SCORE = np.array([-0.45, 0.0, 0.25, 0.35])
#: voorziening 1-8 per age class (huishoudelijke hulp … beschermd wonen, overig)
_WMO_VOORZ_P = np.array([
    [0.12, 0.12, 0.06, 0.08, 0.32, 0.12, 0.08, 0.10],
    [0.30, 0.22, 0.10, 0.15, 0.10, 0.05, 0.01, 0.07],
    [0.38, 0.25, 0.09, 0.17, 0.04, 0.03, 0.002, 0.038],
    [0.42, 0.25, 0.07, 0.19, 0.02, 0.02, 0.001, 0.029],
])
_WMO_VOORZ_RESPONSE = np.array([1.0, 1.0, 1.0, 1.0, 0.85, 0.9, 0.55, 0.9])
_WMO_HELP = np.array([0.12, 0.22, 0.33, 0.48])  # share helped to fill in, per age class
_WMO_SAMPLE = 1000  # sample size; smaller gemeenten: all clients


def _wmo(rng: np.random.Generator, structure: np.random.Generator, edition: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    growth = 1 + 0.02 * (edition - 2025)
    sizes = [int(round(g.wmo * growth * (1 + np.clip(rng.normal(0, 0.01), -0.02, 0.02)))) for g in GEMEENTEN]
    gem = np.repeat(np.arange(len(GEMEENTEN)), sizes)
    total = len(gem)
    age_class = _categorical(rng, np.tile(_WMO_AGE_P, (total, 1)))
    lower = np.array([18, 65, 75, 85])[age_class - 1]
    span = np.array([47, 10, 10, 1])[age_class - 1]
    age = np.where(age_class == 1, 18 + np.floor(47 * rng.beta(2.2, 1.3, total)),
                   lower + np.floor(span * rng.random(total)))
    age = np.where(age_class == 4, np.minimum(85 + np.floor(rng.exponential(4.0, total)), 100), age)
    sex = _categorical(rng, np.tile([0.37, 0.615, 0.015], (total, 1)))
    voorz = _categorical(rng, _WMO_VOORZ_P[age_class - 1])

    population = (pd.DataFrame({"gemeentecode": [GEMEENTEN[i].code for i in gem], "leeftijdsklasse": age_class,
                                "geslacht": sex, "voorziening": voorz})
                  .value_counts().rename("aantal").reset_index()
                  .sort_values(["gemeentecode", "leeftijdsklasse", "geslacht", "voorziening"], ignore_index=True))

    # sample (census for small gemeenten), then respondents; every sampled unit gets a number
    weights = _WMO_AGE_RESPONSE[age_class - 1] * _WMO_VOORZ_RESPONSE[voorz - 1]
    sampled, chosen = [], []
    for h in range(len(GEMEENTEN)):
        units = np.flatnonzero(gem == h)
        if len(units) > _WMO_SAMPLE:
            units = np.sort(rng.choice(units, size=_WMO_SAMPLE, replace=False))
        sampled.append(units)
        chosen.append(_draw_respondents(rng, units, weights[units], rng.uniform(0.33, 0.42)))
    sampled_units = np.concatenate(sampled)
    assert len(sampled_units) < 10_000
    # clients approached per cell (the sample), for the response and representativeness
    keys = ["gemeentecode", "leeftijdsklasse", "geslacht", "voorziening"]
    approached = (pd.DataFrame({"gemeentecode": [GEMEENTEN[i].code for i in gem[sampled_units]],
                                "leeftijdsklasse": age_class[sampled_units], "geslacht": sex[sampled_units],
                                "voorziening": voorz[sampled_units]})
                  .value_counts().rename("aangeschreven").reset_index())
    population = population.merge(approached, on=keys, how="left")
    population["aangeschreven"] = population["aangeschreven"].fillna(0).astype(np.int64)
    number = np.zeros(total, dtype=np.int64)
    number[sampled_units] = rng.permutation(len(sampled_units)) + 1
    resp = np.concatenate(chosen)
    resp = resp[np.argsort(number[resp])]
    n = len(resp)

    g, cls = gem[resp], age_class[resp]
    out = pd.DataFrame({
        "respondent_id": (edition % 100) * 10_000 + number[resp],
        "gemeente": g,
        "leeftijd": age[resp].astype(np.int64),
        "leeftijdsklasse": cls,
        "geslacht": sex[resp],
        "voorziening": voorz[resp],
    })

    targets = _targets(structure, rng, _WMO_BASE, np.array([x.effect for x in GEMEENTEN]), 0.715, 0.885)
    targets[:, 4] = np.clip(np.array([_WMO_BASE["v05"]] * len(GEMEENTEN)) + structure.normal(0, 0.04, len(GEMEENTEN))
                            + rng.normal(0, 0.01, len(GEMEENTEN)), 0.30, 0.60)
    targets[_ZWIJNDRECHT, 1] = _ZWIJNDRECHT_V02[edition]

    attitude = rng.standard_normal(n)
    age_score = _WMO_AGE_SCORE[cls - 1]
    for k, item in enumerate(WMO_ITEMS):
        no_answer = _pick(rng, np.ones(n, dtype=bool), _WMO_NO_ANSWER[k] + rng.uniform(-0.004, 0.004),
                          np.where(cls == 4, 1.5, 1.0))
        dont_know = _pick(rng, ~no_answer, _WMO_DONT_KNOW[k] + rng.uniform(-0.005, 0.005))
        valid = ~no_answer & ~dont_know
        if item == "v05":
            score = 0.3 * attitude - 0.5 * age_score + 0.9 * rng.standard_normal(n)
            codes = _yes_no(g, score, targets[g, k], valid)
        else:
            score = 0.75 * attitude + age_score + 0.6 * rng.standard_normal(n)
            codes = _likert(g, score, targets[g, k], valid, strongly=rng.uniform(0.3, 0.4))
        out[item] = np.where(no_answer, 9, np.where(dont_know, 8, codes))

    effects = np.array([x.effect for x in GEMEENTEN])
    mean = 7.62 + 0.035 * effects[g] + rng.normal(0, 0.04)
    latent = 0.85 * attitude + 0.6 * age_score + 0.5 * rng.standard_normal(n)
    grade = _grade(rng, mean, latent, low_share=0.03).astype(float)
    u = rng.random(n)
    grade[u < 0.02] = 0  # the agency's "weet niet"
    grade[(u >= 0.02) & (u < 0.035)] = np.nan  # no answer: system-missing
    out["rapportcijfer"] = grade
    out["hulp"] = np.where(rng.random(n) < _WMO_HELP[cls - 1], 1, 2)
    paper = rng.random(n) < 0.25 + 0.12 * (cls - 1)
    out["versie"] = np.where(paper, f"{edition}-B", f"{edition}-A")
    return out, population


_LIKERT_LABELS = {1: "Helemaal mee eens", 2: "Mee eens", 3: "Neutraal", 4: "Niet mee eens",
                  5: "Helemaal niet mee eens", 8: "Weet niet/n.v.t.", 9: "Geen antwoord"}
_YES_NO_LABELS = {1: "Ja", 2: "Nee", 8: "Weet niet", 9: "Geen antwoord"}
#: agency-style variable labels: the codebook's wording with small differences
_WMO_LABELS = {
    "RESPNR": "Respondentnummer",
    "GEMEENTE": "Gemeente",
    "V1": "Ik wist waar ik moest zijn met mijn hulpvraag",
    "V2": "ik werd snel geholpen",
    "V3": "De medewerker nam mij serieus.",
    "V4": "De medewerker en ik hebben in het gesprek samen naar oplossingen gezocht",
    "V5": "Wist u dat u gebruik kon maken van een onafhankelijke clientondersteuner?",
    "V6": "Ik vind de kwaliteit van de ondersteuning die ik krijg goed",
    "V7": "De ondersteuning die ik krijg past bij mijn hulpvraag",
    "V8": "Door de ondersteuning die ik krijg kan ik beter de dingen doen die ik wil",
    "V9": "Door de ondersteuning die ik krijg kan ik mij beter redden",
    "V10": "Door de ondersteuning die ik krijg heb ik een betere kwaliteit van leven",
    "RAPCIJF": "Welk rapportcijfer geeft u de ondersteuning die u krijgt",
    "LFT": "Wat is uw leeftijd",
    "GESL": "Wat is uw geslacht",
    "VOORZ": "Voor welke voorziening ontvangt u ondersteuning",
    "HULP": "Heeft iemand u geholpen bij het invullen van de vragenlijst",
    "VERSIE": "Versie vragenlijst",
}

_WMO_MAPPING = """\
# Mapping van het demobestand van het (fictieve) veldwerkbureau naar de vragenlijst CEO Wmo
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
negeren: []
"""


def _write_wmo_sav(path: Path, data: pd.DataFrame, edition: int) -> None:
    import pyreadstat

    items = [f"V{k}" for k in range(1, 11)]
    df = pd.DataFrame({
        "RESPNR": data["respondent_id"].astype(float),
        "GEMEENTE": np.array([int(x.code[2:]) for x in GEMEENTEN], dtype=float)[data["gemeente"]],
        **{v: data[item].astype(float) for v, item in zip(items, WMO_ITEMS, strict=True)},
        "RAPCIJF": data["rapportcijfer"].astype(float),
        "LFT": data["leeftijd"].astype(float),
        "GESL": data["geslacht"].astype(float),
        "VOORZ": data["voorziening"].astype(float),
        "HULP": data["hulp"].astype(float),
        "VERSIE": data["versie"].astype(str),
    })
    value_labels = {v: dict(_LIKERT_LABELS) for v in items}
    value_labels["V5"] = dict(_YES_NO_LABELS)
    value_labels["GEMEENTE"] = {int(x.code[2:]): x.name for x in GEMEENTEN}
    value_labels["RAPCIJF"] = {0: "Weet niet", 1: "1 zeer slecht", 10: "10 uitstekend"}
    value_labels["GESL"] = {1: "Man", 2: "Vrouw", 3: "Anders/zeg ik liever niet"}
    value_labels["VOORZ"] = {1: "Huishoudelijke hulp", 2: "Hulpmiddelen", 3: "Woningaanpassing", 4: "Vervoer",
                             5: "Begeleiding", 6: "Dagbesteding", 7: "Beschermd wonen", 8: "Overig"}
    value_labels["HULP"] = {1: "Ja", 2: "Nee"}
    formats = {"RESPNR": "F6.0", "GEMEENTE": "F4.0", "RAPCIJF": "F2.0", "LFT": "F3.0", "GESL": "F1.0",
               "VOORZ": "F1.0", "HULP": "F1.0", **{v: "F1.0" for v in items}}
    measures = {"RESPNR": "nominal", "GEMEENTE": "nominal", "RAPCIJF": "scale", "LFT": "scale",
                "GESL": "nominal", "VOORZ": "nominal", "HULP": "nominal", "VERSIE": "nominal",
                **{v: "ordinal" for v in items}}
    measures["V5"] = "nominal"
    tmp = path.with_name(path.name + ".tmp")
    pyreadstat.write_sav(df, tmp, file_label=f"CEO Wmo {edition} Drechtsteden (demo)",
                         column_labels=_WMO_LABELS, variable_value_labels=value_labels,
                         missing_ranges={v: [9] for v in items}, variable_format=formats,
                         variable_measure=measures)
    raw = bytearray(tmp.read_bytes())
    tmp.unlink()
    _fix_sav_timestamp(raw)
    _write_bytes(path, bytes(raw))


#: offset of creation_date[9] + creation_time[8] in the SPSS file header (after rec_type,
#: prod_name[60], layout_code, nominal_case_size, compression, weight_index, ncases and bias)
_SAV_DATE_OFFSET = 4 + 60 + 4 * 5 + 8
_SAV_DATE_RE = re.compile(rb"\d\d [A-Z][a-z]{2} \d\d\d\d:\d\d:\d\d")


def _fix_sav_timestamp(raw: bytearray) -> None:
    """Replace the creation date and time ReadStat writes into the header by a fixed one."""
    start, end = _SAV_DATE_OFFSET, _SAV_DATE_OFFSET + 17
    if raw[:4] != b"$FL2" or not _SAV_DATE_RE.fullmatch(bytes(raw[start:end])):
        raise RuntimeError("unexpected SPSS header layout; cannot fix the creation date")
    year, month, day, hour, minute, second = _FIXED_DATE
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    stamp = f"{day:02d} {months[month - 1]} {year % 100:02d}{hour:02d}:{minute:02d}:{second:02d}"
    raw[start:end] = stamp.encode("ascii")


# ---------------------------------------------------------------------------------------------
# CEO Jeugd
# ---------------------------------------------------------------------------------------------

JEUGD_ITEMS = ("j01", "j02", "j03", "j04", "j05", "j06", "j07", "j08")
_JEUGD_BASE = {"j01": 0.77, "j02": 0.73, "j03": 0.85, "j04": 0.82, "j05": 0.79, "j06": 0.76, "j07": 0.74,
               "j08": 0.77}
_JEUGD_DONT_KNOW = np.array([3.0, 3.0, 2.5, 4.0, 3.5, 5.0, 6.0, 5.0]) / 100
_JEUGD_NO_ANSWER = np.array([1.5, 1.5, 1.5, 2.0, 2.0, 2.5, 2.5, 2.5]) / 100
#: age groups 0-3, 4-11, 12-17, 18-22
_JEUGD_AGE_P = np.array([0.08, 0.47, 0.38, 0.07])
_JEUGD_AGE_LOW = np.array([0, 4, 12, 18])
_JEUGD_AGE_SPAN = np.array([4, 8, 6, 5])
_JEUGD_AGE_RESPONSE = np.array([1.1, 1.1, 0.8, 0.7])
#: vorm_hulp 1-5: shares, relative response, effect on opinion
_JEUGD_FORM_P = np.array([0.62, 0.08, 0.18, 0.07, 0.05])
_JEUGD_FORM_RESPONSE = np.array([1.0, 0.8, 0.9, 0.6, 1.0])
_JEUGD_FORM_SCORE = np.array([0.1, -0.1, -0.1, -0.5, 0.0])
_JEUGD_SAMPLE = 2000

#: open answers (made up; no names of persons), with characters that need Windows-1252
_JEUGD_REMARKS = (
    "De hulpverlener was erg betrokken, we zijn heel tevreden.",
    "Het duurde lang voordat we geholpen werden; de wachttijd was ’n probleem.",
    "Goede ideeën gekregen voor thuis, daar hebben we veel aan.",
    "Mijn zoon vond de gesprekken fijn, hij voelde zich begrepen.",
    "Er werd veel overlegd, maar er gebeurde weinig.",
    "Na de zomer kregen we een andere hulpverlener; dat was jammer.",
    "Ik vond het lastig om te zeggen wat ik écht vond.",
    "De coach zei: “we gaan het samen oplossen” – en dat klopte.",
    "Prima geregeld, alleen het contact met de gemeente liep stroef.",
    "Het gaat nu beter op school, de juf merkt het ook.",
    "Te veel formulieren, en niet duidelijk wie wat doet.",
    "Fijn dat ik zelf mocht meebeslissen over de hulp.",
    "Onze dochter is overgeplaatst naar een groep die beter past – een hele opluchting.",
    "Ik wist niet dat het CJG ook ’s avonds bereikbaar is.",
    "De hulp paste goed bij ons gezin; dank aan het hele team!",
    "Geen verbetering gemerkt, we zoeken nu zelf verder.",
    "Coördinatie tussen school en hulpverlening kan beter.",
    "Heel vriendelijk en deskundig, een aanrader.",
)


def _jeugd(rng: np.random.Generator, structure: np.random.Generator, edition: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    growth = 1 + 0.02 * (edition - 2025)
    sizes = [int(round(g.jeugd * growth * (1 + rng.normal(0, 0.015)))) for g in GEMEENTEN]
    gem = np.repeat(np.arange(len(GEMEENTEN)), sizes)
    total = len(gem)
    group = _categorical(rng, np.tile(_JEUGD_AGE_P, (total, 1)))
    age = _JEUGD_AGE_LOW[group - 1] + np.floor(_JEUGD_AGE_SPAN[group - 1] * rng.random(total)).astype(np.int64)
    sex = _categorical(rng, np.tile([0.55, 0.43, 0.02], (total, 1)))
    form = _categorical(rng, np.tile(_JEUGD_FORM_P, (total, 1)))
    population = pd.DataFrame({"gemeentecode": [g.code for g in GEMEENTEN], "aantal": sizes})

    weights = _JEUGD_AGE_RESPONSE[group - 1] * _JEUGD_FORM_RESPONSE[form - 1]
    chosen, approached = [], []
    for h in range(len(GEMEENTEN)):
        units = np.flatnonzero(gem == h)
        if len(units) > _JEUGD_SAMPLE:
            units = np.sort(rng.choice(units, size=_JEUGD_SAMPLE, replace=False))
        approached.append(len(units))
        chosen.append(_draw_respondents(rng, units, weights[units], rng.uniform(0.19, 0.26)))
    population["aangeschreven"] = approached  # per gemeente (no cells): response rate, no R-indicator
    resp = np.concatenate(chosen)
    n = len(resp)
    ids = 100_000 + rng.choice(900_000, size=n, replace=False)
    order = np.argsort(ids)
    resp, ids = resp[order], ids[order]
    g, a = gem[resp], age[resp]
    youth = rng.random(n) < np.select([a < 12, a < 18], [0.0, 0.45], 0.8)
    variant = np.where(youth, 2, 1)

    out = pd.DataFrame({"respondent_id": ids, "gemeente": g, "variant": variant})
    effects = np.array([x.effect for x in GEMEENTEN]) * 0.8
    targets = _targets(structure, rng, _JEUGD_BASE, effects, 0.715, 0.885)
    attitude = rng.standard_normal(n)
    shift = np.where(youth, -0.25, 0.0) + _JEUGD_FORM_SCORE[form[resp] - 1]
    for k, item in enumerate(JEUGD_ITEMS):
        no_answer = _pick(rng, np.ones(n, dtype=bool), _JEUGD_NO_ANSWER[k] + rng.uniform(-0.004, 0.004))
        dont_know = _pick(rng, ~no_answer, _JEUGD_DONT_KNOW[k] + rng.uniform(-0.005, 0.005))
        if item == "j07":  # school or work does not apply to toddlers
            dont_know |= ~no_answer & (a < 4) & (rng.random(n) < 0.7)
        valid = ~no_answer & ~dont_know
        score = 0.75 * attitude + shift + 0.6 * rng.standard_normal(n)
        codes = _likert(g, score, targets[g, k], valid, strongly=rng.uniform(0.3, 0.4))
        out[item] = np.where(no_answer, -1, np.where(dont_know, 8, codes))  # -1: left empty

    mean = 7.45 + 0.035 * effects[g] + rng.normal(0, 0.04)
    grade = _grade(rng, mean, 0.85 * attitude + 0.6 * shift + 0.5 * rng.standard_normal(n), low_share=0.04)
    u = rng.random(n)
    out["rapportcijfer"] = np.where(u < 0.015, 99, np.where(u < 0.03, -1, grade))
    out["leeftijd_kind"] = a
    out["geslacht_kind"] = sex[resp]
    out["vorm_hulp"] = form[resp]
    # the agency's own weight (not in the codebook): mean 1 within the file
    raw_weight = (np.array(sizes) / np.bincount(g, minlength=len(GEMEENTEN)))[g] * np.exp(rng.normal(0, 0.06, n))
    out["gewicht_bureau"] = raw_weight / raw_weight.mean()
    remark = rng.random(n) < 0.22
    texts = np.array(_JEUGD_REMARKS, dtype=object)[rng.integers(0, len(_JEUGD_REMARKS), n)]
    out["toelichting"] = np.where(remark, texts, "")
    return out, population


def _write_jeugd_csv(path: Path, data: pd.DataFrame) -> None:
    names = [x.name for x in GEMEENTEN]
    columns = ["respondent_id", "gemeentecode", "variant", *JEUGD_ITEMS, "rapportcijfer", "leeftijd_kind",
               "geslacht_kind", "vorm_hulp", "gewicht_bureau", "toelichting"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    codes = ["variant", *JEUGD_ITEMS, "rapportcijfer", "leeftijd_kind", "geslacht_kind", "vorm_hulp"]
    values = {c: data[c].to_numpy() for c in codes}
    for i in range(len(data)):
        row = [str(data["respondent_id"].iat[i]), names[data["gemeente"].iat[i]]]
        row += ["" if values[c][i] < 0 else str(values[c][i]) for c in codes]
        row.append(f"{data['gewicht_bureau'].iat[i]:.4f}".replace(".", ","))
        row.append(data["toelichting"].iat[i])
        writer.writerow(row)
    _write_bytes(path, buffer.getvalue().encode("cp1252"))


# ---------------------------------------------------------------------------------------------
# Professionals
# ---------------------------------------------------------------------------------------------

PROFESSIONAL_ITEMS = ("tevredenheid", "p01", "p02", "p03", "p04")
_PRO_BASE = {"tevredenheid": 0.61, "p01": 0.55, "p02": 0.60, "p03": 0.66, "p04": 0.70}
#: beroepsgroep 1-6 (huisarts / POH = 5 is drawn separately): shares and effect on opinion
_PRO_GROUP_P = np.array([0.36, 0.20, 0.20, 0.14, 0.0, 0.10])
_PRO_GROUP_SCORE = np.array([0.35, 0.2, 0.0, -0.3, -0.5, -0.1])
_ORGANISATIONS = {
    1: ("Wijkteam {naam} Noord", "Wijkteam {naam} Centrum", "Wijkteam {naam} Oost", "wijkteam {naam}"),
    2: ("Jeugdteam {naam}", "Jeugdteam De Linde", "jeugd- en gezinsteam {naam}"),
    3: ("Stichting Welzijn Het Baken", "Buurthuis De Schakel", "Vrijwilligerscentrale Samen Doen",
        "Consultatiebureau De Kleine Haven"),
    4: ("Basisschool De Regenboog", "Kindcentrum Het Kompas", "Scholengroep De Waterkant", "mbo-college Oever"),
    5: ("Huisartsenpraktijk De Molen", "Gezondheidscentrum Het Veer", "huisartsenpraktijk Rivierzicht"),
    6: ("Schuldhulp Samen Verder", "Woonstichting Merwedehuis", "GGZ-team Zuid", "Stichting Thuis in de Wijk"),
}


def _professionals(rng: np.random.Generator, structure: np.random.Generator, edition: int) -> pd.DataFrame:
    sizes = [int(np.clip(g.professionals + rng.integers(-5, 6), 40, 120)) for g in GEMEENTEN]
    gem = np.repeat(np.arange(len(GEMEENTEN)), sizes)
    n = len(gem)
    group = _categorical(rng, np.tile(_PRO_GROUP_P, (n, 1)))
    # huisarts / POH: 1-4 per gemeente, so fewer than 10 per gemeente and fewer than 30 in all
    start = 0
    for size in sizes:
        group[start:start + int(rng.integers(1, 5))] = 5
        start += size
    order = rng.permutation(n)  # the order in which the answers came in
    gem, group = gem[order], group[order]

    effects = np.array([x.effect for x in GEMEENTEN]) * 0.7
    targets = _targets(structure, rng, _PRO_BASE, effects, 0.40, 0.85, interaction=2.5)
    attitude = rng.standard_normal(n)
    shift = _PRO_GROUP_SCORE[group - 1]
    out = pd.DataFrame({"respondent_id": np.arange(1, n + 1), "gemeente": gem, "beroepsgroep": group})
    for k, item in enumerate(PROFESSIONAL_ITEMS):
        no_answer = rng.random(n) < 0.015
        dont_know = ~no_answer & (rng.random(n) < 0.04)
        valid = ~no_answer & ~dont_know
        score = 0.8 * attitude + shift + 0.6 * rng.standard_normal(n)
        codes = _likert(gem, score, targets[gem, k], valid, strongly=rng.uniform(0.15, 0.25))
        out[item] = np.where(no_answer, -1, np.where(dont_know, 8, codes))
    grade = _grade(rng, 6.95 + 0.03 * effects[gem], 0.85 * attitude + 0.6 * shift + 0.5 * rng.standard_normal(n),
                   low_share=0.05)
    u = rng.random(n)
    out["rapportcijfer"] = np.where(u < 0.01, 99, np.where(u < 0.02, -1, grade))
    names = []
    for h, grp in zip(gem, group, strict=True):
        options = _ORGANISATIONS[int(grp)]
        names.append(options[int(rng.integers(0, len(options)))].format(naam=GEMEENTEN[h].name))
    blank = rng.random(n) < 0.05
    out["organisatie"] = [None if b else x for b, x in zip(blank, names, strict=True)]
    return out


def _write_professionals_xlsx(path: Path, data: pd.DataFrame, edition: int) -> None:
    from openpyxl import Workbook

    columns = ["respondent_id", "gemeentecode", "tevredenheid", "rapportcijfer", "p01", "p02", "p03", "p04",
               "beroepsgroep", "organisatie"]
    wb = Workbook()
    ws = wb.active
    ws.title = f"Professionals {edition}"
    ws.append(columns)
    codes = ["tevredenheid", "rapportcijfer", "p01", "p02", "p03", "p04", "beroepsgroep"]
    values = {c: data[c].to_numpy() for c in codes}
    for i in range(len(data)):
        cells = {c: (None if values[c][i] < 0 else int(values[c][i])) for c in codes}
        ws.append([int(data["respondent_id"].iat[i]), GEMEENTEN[data["gemeente"].iat[i]].code,
                   cells["tevredenheid"], cells["rapportcijfer"], cells["p01"], cells["p02"], cells["p03"],
                   cells["p04"], cells["beroepsgroep"], data["organisatie"].iat[i]])
    ws.freeze_panes = "A2"
    fixed = datetime.datetime(*_FIXED_DATE)
    wb.properties.creator = "ceo demo"
    wb.properties.created = wb.properties.modified = fixed
    buffer = io.BytesIO()
    wb.save(buffer)
    _write_bytes(path, _fixed_zip(buffer.getvalue()))


_CORE_DATE_RE = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def _fixed_zip(data: bytes) -> bytes:
    """The zip archive rewritten with fixed entry dates and fixed document dates (openpyxl writes the
    time of saving into docProps/core.xml and the zip entries)."""
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*_FIXED_DATE).encode("ascii")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATE_RE.sub(rb"\g<1>" + stamp + rb"\g<3>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            dst.writestr(entry, content, compresslevel=6)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def _write_population(path: Path, population: pd.DataFrame) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(population.columns)
    writer.writerows(population.itertuples(index=False, name=None))
    _write_bytes(path, buffer.getvalue().encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> None:
    """Write atomically, so an interrupted demo never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
