"""Differences between groups of professionals and the reliability of multi-item scales (pingouin).

The professionals survey is usually a census of the professionals involved and is analysed
unweighted. Per area with enough respondents:

- the rapportcijfer (and other ``gemiddelde`` indicators) by beroepsgroep: Welch's ANOVA (robust to
  unequal variances and group sizes) with Games–Howell pairwise comparisons and Hedges' g;
- the overall tevredenheid (and other 5-point items of ``percentage_positief`` indicators whose
  variable is the first of the codebook) by beroepsgroep: Pearson's chi² test of independence on
  the substantive answers with Cramér's V;
- Cronbach's α for each multi-item scale in the codebook (``betrouwbaarheid``).

Only groups with at least the publication threshold of substantive answers whose figure the results
table publishes take part (the others are named in ``toelichting``), so no test result rests on a
suppressed group and no group mean gives a suppressed figure away (:func:`group_cells` lists the
results cells the table states, for the disclosure audit). When a test cannot be computed (fewer
than two groups, no spread in a group, one answer only) the table says "niet te toetsen" with the
reason in ``toelichting``, instead of a result.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pingouin as pg

from ceo.stats.results import Area
from ceo.validate.codebook import Codebook

TEST_COLUMNS = [
    "editie", "onderzoek", "gebied_code", "gebied_naam", "gebied_niveau", "toets", "variabele",
    "subgroep", "groep_a", "groep_b", "n", "waarde_a", "waarde_b", "verschil", "statistiek", "df1", "df2",
    "p", "significant", "effectmaat", "effect", "effect_duiding", "toelichting",
]


def effect_label(measure: str, value: float, dof: float | None = None) -> str:
    """Dutch label of an effect size by Cohen's conventions."""
    if value is None or not np.isfinite(value):
        return ""
    v = abs(value)
    if measure == "hedges_g":
        cuts = (0.2, 0.5, 0.8)
    elif measure == "cramers_v":
        k = max(1.0, float(dof or 1))
        cuts = tuple(c / np.sqrt(k) for c in (0.1, 0.3, 0.5))
    elif measure == "eta2":
        cuts = (0.01, 0.06, 0.14)
    else:
        return ""
    if v < cuts[0]:
        return "verwaarloosbaar"
    if v < cuts[1]:
        return "klein"
    if v < cuts[2]:
        return "middel"
    return "groot"


def alpha_label(alpha: float) -> str:
    if not np.isfinite(alpha):
        return ""
    if alpha >= 0.9:
        return "uitstekend"
    if alpha >= 0.8:
        return "goed"
    if alpha >= 0.7:
        return "voldoende"
    if alpha >= 0.6:
        return "matig"
    return "onvoldoende"


NOT_TESTABLE = "niet te toetsen"


def group_tests(data: pd.DataFrame, cb: Codebook, *, edition: int, areas: Sequence[Area], by: str,
                min_n: int = 30, significance: float = 0.05, published: pd.DataFrame | None = None,
                subgroup_id: str | None = None) -> pd.DataFrame:
    """All group comparisons and scale reliabilities for the areas, as one tidy table.

    ``published`` (the results table) and ``subgroup_id`` (the id of ``by`` in it): only groups whose
    headline figure of the tested indicator is published there take part."""
    rows: list[dict] = []
    if by not in data or by not in cb.variables and by not in cb.derived:
        return pd.DataFrame(columns=TEST_COLUMNS)
    labels = {float(k): v for k, v in cb.labels(by).items()}
    means = [(ind.variable, ind.id) for ind in cb.indicators if ind.kind == "gemiddelde"]
    ordinal = [(ind.variable, ind.id) for ind in cb.indicators if ind.kind == "percentage_positief"
               and cb.variables[ind.variable].type == "likert5"][:1]
    shown = None
    if published is not None:
        p = published[(published["onderdrukt"] == "nee") & (published["categorie"].fillna("") == "")
                      & (published["subgroep"] == (subgroup_id or by))]
        shown = set(zip(p["gebied_code"], p["indicator"], p["subgroep_waarde"], strict=True))
    for area in areas:
        sub = data[data["gemeentecode"].isin(area.members)]
        base = {"editie": edition, "onderzoek": cb.id, "gebied_code": area.code, "gebied_naam": area.name,
                "gebied_niveau": area.level, "subgroep": by}
        for var, ind in means:
            ok = None if shown is None else {g for (a, i, g) in shown if a == area.code and i == ind}
            rows += _welch(sub, cb, var, by, labels, base, min_n, significance, ok)
        for var, ind in ordinal:
            ok = None if shown is None else {g for (a, i, g) in shown if a == area.code and i == ind}
            rows += _chi2(sub, cb, var, by, labels, base, min_n, significance, ok)
        for scale in cb.scales:
            rows += _cronbach(sub, cb, scale, base, min_n)
    out = pd.DataFrame(rows, columns=TEST_COLUMNS)
    return out


def _substantive(sub: pd.DataFrame, cb: Codebook, var: str, by: str) -> pd.DataFrame:
    v = cb.variables[var]
    d = sub[[var, by]].dropna()
    if v.non_substantive:
        d = d[~d[var].isin(v.non_substantive)]
    if v.missing:
        d = d[~d[var].isin(v.missing)]
    return d


def _eligible(d: pd.DataFrame, by: str, labels: dict, min_n: int,
              shown: set | None = None) -> tuple[pd.DataFrame, str]:
    d = d.copy()
    d["_groep"] = d[by].astype(float).map(labels).fillna(d[by].astype(str))
    counts = d["_groep"].value_counts()
    small = sorted(counts[counts < min_n].index)
    hidden = sorted(g for g in counts[counts >= min_n].index if shown is not None and g not in shown)
    notes = []
    if small:
        notes.append("niet meegenomen (te weinig respondenten): " + ", ".join(small))
    if hidden:
        notes.append("niet meegenomen (cijfer niet gepubliceerd): " + ", ".join(hidden))
    keep = [g for g in counts.index if g not in small and g not in hidden]
    return d[d["_groep"].isin(keep)], "; ".join(notes)


def _not_testable(base: dict, test: str, var: str, n: int, reason: str, note: str) -> list[dict]:
    """One row saying that (and why) the test cannot be done; never a result."""
    text = f"{NOT_TESTABLE}: {reason}" + (f"; {note}" if note else "")
    return [{**base, "toets": test, "variabele": var, "groep_a": "", "groep_b": "", "n": n,
             "waarde_a": np.nan, "waarde_b": np.nan, "verschil": np.nan, "statistiek": np.nan, "df1": np.nan,
             "df2": np.nan, "p": np.nan, "significant": NOT_TESTABLE, "effectmaat": "", "effect": np.nan,
             "effect_duiding": "", "toelichting": text}]


def _welch(sub, cb, var, by, labels, base, min_n, significance, shown=None) -> list[dict]:
    d, note = _eligible(_substantive(sub, cb, var, by), by, labels, min_n, shown)
    if not len(d) and not note:
        return []
    if d["_groep"].nunique() < 2:
        return _not_testable(base, "welch_anova", var, len(d),
                             "minder dan twee groepen met genoeg respondenten", note)
    spread = d.groupby("_groep")[var].std(ddof=1)
    flat = sorted(spread[~(spread > 0)].index)
    if flat:
        return _not_testable(base, "welch_anova", var, len(d), "geen spreiding: iedereen in "
                             + ", ".join(flat) + " gaf hetzelfde antwoord", note)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            aov = pg.welch_anova(data=d, dv=var, between="_groep")
            gh = pg.pairwise_gameshowell(data=d, dv=var, between="_groep")
    except (ValueError, ZeroDivisionError, FloatingPointError, np.linalg.LinAlgError):
        return _not_testable(base, "welch_anova", var, len(d), "de toets is met deze antwoorden niet uit te "
                             "rekenen", note)
    a = aov.iloc[0]
    p_col = "p_unc" if "p_unc" in aov.columns else "p-unc"
    if not np.isfinite(float(a["F"])) or not np.isfinite(float(a[p_col])):
        return _not_testable(base, "welch_anova", var, len(d), "de toets is met deze antwoorden niet uit te "
                             "rekenen", note)
    rows = [{**base, "toets": "welch_anova", "variabele": var, "groep_a": "", "groep_b": "",
             "n": len(d), "waarde_a": np.nan, "waarde_b": np.nan, "verschil": np.nan,
             "statistiek": float(a["F"]), "df1": float(a["ddof1"]), "df2": float(a["ddof2"]),
             "p": float(a[p_col]), "significant": "ja" if a[p_col] < significance else "nee",
             "effectmaat": "eta2", "effect": float(a["np2"]),
             "effect_duiding": effect_label("eta2", float(a["np2"])), "toelichting": note}]
    counts = d["_groep"].value_counts()
    for r in gh.itertuples(index=False):
        rows.append({**base, "toets": "games_howell", "variabele": var, "groep_a": r.A, "groep_b": r.B,
                     "n": int(counts[r.A] + counts[r.B]), "waarde_a": float(r.mean_A), "waarde_b": float(r.mean_B),
                     "verschil": float(r.diff), "statistiek": float(r.T), "df1": float(r.df), "df2": np.nan,
                     "p": float(r.pval), "significant": "ja" if r.pval < significance else "nee",
                     "effectmaat": "hedges_g", "effect": float(r.hedges),
                     "effect_duiding": effect_label("hedges_g", float(r.hedges)), "toelichting": ""})
    return rows


def _chi2(sub, cb, var, by, labels, base, min_n, significance, shown=None) -> list[dict]:
    d, note = _eligible(_substantive(sub, cb, var, by), by, labels, min_n, shown)
    if not len(d) and not note:
        return []
    if d["_groep"].nunique() < 2:
        return _not_testable(base, "chi2", var, len(d), "minder dan twee groepen met genoeg respondenten", note)
    if d[var].nunique() < 2:
        return _not_testable(base, "chi2", var, len(d), "iedereen gaf hetzelfde antwoord", note)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            _, _, stats = pg.chi2_independence(d, x="_groep", y=var)
    except (ValueError, ZeroDivisionError, FloatingPointError):
        return _not_testable(base, "chi2", var, len(d), "de toets is met deze antwoorden niet uit te rekenen", note)
    s = stats[stats["test"] == "pearson"].iloc[0]
    if not np.isfinite(float(s["chi2"])) or not np.isfinite(float(s["pval"])):
        return _not_testable(base, "chi2", var, len(d), "de toets is met deze antwoorden niet uit te rekenen", note)
    k = min(d["_groep"].nunique(), d[var].nunique()) - 1
    positive = cb.variables[var].positive
    return [{**base, "toets": "chi2", "variabele": var, "groep_a": "", "groep_b": "", "n": len(d),
             "waarde_a": np.nan, "waarde_b": np.nan, "verschil": np.nan, "statistiek": float(s["chi2"]),
             "df1": float(s["dof"]), "df2": np.nan, "p": float(s["pval"]),
             "significant": "ja" if s["pval"] < significance else "nee", "effectmaat": "cramers_v",
             "effect": float(s["cramer"]), "effect_duiding": effect_label("cramers_v", float(s["cramer"]), k),
             "toelichting": note + ("; " if note else "") + "positief = " + ", ".join(
                 cb.variables[var].codes[c] for c in positive)}]


def _cronbach(sub, cb, scale, base, min_n) -> list[dict]:
    items = [v for v in scale.variables if v in sub]
    if len(items) < 2:
        return []
    d = sub[items].copy()
    for v in items:
        var = cb.variables[v]
        d[v] = d[v].mask(d[v].isin(list(var.non_substantive) + list(var.missing)))
    d = d.dropna()
    if len(d) < min_n:
        return []
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            alpha, ci = pg.cronbach_alpha(data=d)
    except (ValueError, ZeroDivisionError, FloatingPointError):
        alpha, ci = np.nan, (np.nan, np.nan)
    if np.isfinite(alpha):
        # pingouin rounds its interval to three decimals: the Feldt interval itself, at full precision
        from scipy.stats import f as f_dist

        df1, df2 = len(d) - 1.0, (len(d) - 1.0) * (len(items) - 1.0)
        ci = (1 - (1 - alpha) * f_dist.ppf(0.975, df1, df2), 1 - (1 - alpha) * f_dist.ppf(0.025, df1, df2))
    if not np.isfinite(alpha):
        return [{**base, "toets": "cronbach_alpha", "variabele": scale.id, "subgroep": "", "groep_a": "",
                 "groep_b": "", "n": len(d), "waarde_a": np.nan, "waarde_b": np.nan, "verschil": np.nan,
                 "statistiek": np.nan, "df1": float(len(items)), "df2": np.nan, "p": np.nan,
                 "significant": NOT_TESTABLE, "effectmaat": "alpha", "effect": np.nan, "effect_duiding": "",
                 "toelichting": f"{NOT_TESTABLE}: {scale.label}: geen spreiding in de antwoorden"}]
    return [{**base, "toets": "cronbach_alpha", "variabele": scale.id, "subgroep": "", "groep_a": "",
             "groep_b": "", "n": len(d), "waarde_a": float(ci[0]), "waarde_b": float(ci[1]), "verschil": np.nan,
             "statistiek": float(alpha), "df1": float(len(items)), "df2": np.nan, "p": np.nan, "significant": "",
             "effectmaat": "alpha", "effect": float(alpha), "effect_duiding": alpha_label(float(alpha)),
             "toelichting": f"{scale.label}: {len(items)} uitspraken; waarde_a/waarde_b = 95%-BI"}]


def group_cells(tests: pd.DataFrame | None, cb: Codebook, subgroup_id: str) -> pd.DataFrame:
    """The cells of the results table (``gebied_code, indicator, subgroep, subgroep_waarde``) whose value
    the tests table states (the group means of the pairwise comparisons), for the disclosure audit."""
    cols = ["gebied_code", "indicator", "subgroep", "subgroep_waarde"]
    if tests is None or not len(tests):
        return pd.DataFrame(columns=cols)
    gh = tests[tests["toets"] == "games_howell"]
    ind_of: dict[str, list[str]] = {}
    for ind in cb.indicators:
        if ind.kind == "gemiddelde":
            ind_of.setdefault(ind.variable, []).append(ind.id)
    rows = []
    for side in ("groep_a", "groep_b"):
        for r in gh[["gebied_code", "variabele", side]].itertuples(index=False):
            for ind in ind_of.get(r.variabele, []):
                rows.append((r.gebied_code, ind, subgroup_id, r[2]))
    return pd.DataFrame(rows, columns=cols).drop_duplicates()
