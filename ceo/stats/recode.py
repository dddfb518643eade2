"""Global recoding (as τ-ARGUS does): merge a breakdown's often-tiny categories before suppressing.

A codebook may declare, per breakdown (``subgroepen[].samenvoegen``), which codes may be published as one
group, in order of preference, e.g. the age classes 75–84 and 85+ as "75 jaar en ouder" and, if that is
not enough, 65–74 with them as "65 jaar en ouder". Whether a group is merged is decided once for the whole
edition and survey (every gemeente, region and the total get the same groups, so tables stay comparable):

    a declared group is merged when one of its current parts (a code, or an earlier merged group) has
    1 ≤ n < ``onthulling_n`` in at least ``samenvoegen_aandeel`` (default 0.25) of its headline figures
    in the gemeenten where that part occurs (n ≥ 1).

Such a tiny figure is always suppressed and costs at least one other figure (a complement) to protect
it; when a category is tiny in a quarter of the gemeenten, merging it everywhere costs one row of detail
and saves many of those. The groups are tried in the declared order, each against the coding left by
the earlier ones, so a wider group is only formed when the narrower one still leaves tiny figures.

A merged group gets the highest code of its members (so it keeps its place in the breakdown's order) and
its declared label; it is then estimated as one subgroup value, exactly like an original category, and
the suppression sees the merged cell. Only the analysis copy of the breakdown column is recoded: the
weighting margins and the microdata keep the original codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from ceo.core.texts import join_and
from ceo.validate.codebook import Codebook, Subgroup


@dataclass(frozen=True)
class MergedGroup:
    """One merge that was applied."""

    subgroup: str                 # subgroup id
    subgroup_label: str           # e.g. "Leeftijd"
    label: str                    # the merged group's label, e.g. "75 jaar en ouder"
    code: int                     # its code
    parts: tuple[str, ...]        # labels of what was merged (codes or earlier merged groups)
    codes: tuple[int, ...]        # the original codes now in the group
    reason: str                   # label of the part with the highest share of tiny headline figures
    share: float                  # that share (the reason to merge)
    gemeenten: int                # gemeenten where that part is tiny
    disclosure_n: int             # onthulling_n
    tiny_before: int              # tiny gemeente headline figures of the parts before the merge
    tiny_after: int               # ... of the merged group after it

    def describe(self) -> str:
        """Dutch, for the researcher's log."""
        return (f"samengevoegd in de hele editie: {self.subgroup_label.lower()} {join_and(self.parts)} tot "
                f"'{self.label}', omdat '{self.reason}' in {_pct(self.share)} van zijn kopcijfers per gemeente "
                f"(in {self.gemeenten} gemeenten) 1 tot {self.disclosure_n} respondenten had; dat scheelt "
                f"{self.tiny_before - self.tiny_after} van zulke kleine cijfers in de gemeenten ({self.tiny_before} "
                f"→ {self.tiny_after}), die elk ook een ander cijfer zouden kosten")

    def as_meta(self) -> dict:
        return {"subgroep": self.subgroup, "subgroep_label": self.subgroup_label, "label": self.label,
                "delen": list(self.parts), "codes": list(self.codes), "aandeel_klein": round(self.share, 3),
                "kleine_cijfers_voor": self.tiny_before, "kleine_cijfers_na": self.tiny_after}


@dataclass
class Recoding:
    """The merges of one edition and survey: which codes became which, with the labels of the new groups."""

    merged: list[MergedGroup] = field(default_factory=list)
    #: variable -> {original code: new code} (only the codes that changed)
    codes: dict[str, dict[float, float]] = field(default_factory=dict)
    #: variable -> {new code: label} of the merged groups
    labels: dict[str, dict[float, str]] = field(default_factory=dict)
    #: tiny (1 ≤ n < onthulling_n) and small (1 ≤ n < minimum_n) gemeente headline figures of the
    #: mergeable breakdowns, before and after recoding
    tiny: tuple[int, int] = (0, 0)
    small: tuple[int, int] = (0, 0)

    def apply(self, variable: str, values: np.ndarray) -> np.ndarray:
        """``values`` (codes of ``variable``) with the merged codes replaced (a copy; one pass per code)."""
        out = np.asarray(values, dtype="float64").copy()
        for old, new in self.codes.get(variable, {}).items():
            out[out == old] = new
        return out

    def notices(self) -> list[str]:
        lines = [m.describe() for m in self.merged]
        if self.merged:
            lines.append(f"samenvoegen in totaal: kopcijfers van gemeenten met 1 tot {self.merged[0].disclosure_n} "
                         f"respondenten {self.tiny[0]} → {self.tiny[1]}, met te weinig antwoorden om te publiceren "
                         f"(1 tot minimum_n) {self.small[0]} → {self.small[1]}")
        return lines

    def meta(self) -> list[dict]:
        return [m.as_meta() for m in self.merged]


def _pct(share: float) -> str:
    return f"{round(100 * share)} %"


def _stats(strata: np.ndarray, orig: np.ndarray, counts: np.ndarray, columns: list[str],
           current: dict[float, float], disclosure_n: int, min_n: int) -> pd.DataFrame:
    """Per current code (after ``current``: original code -> current code): its gemeente headline figures
    with n >= 1 (``occurs``), with 1 <= n < ``disclosure_n`` (``tiny``), with 1 <= n < ``min_n`` (``small``),
    and the gemeenten where it is tiny (``tiny_gem``)."""
    code = pd.Series(orig).map(current).to_numpy()
    n = pd.DataFrame(counts, columns=columns).groupby([strata, code], sort=True).sum()
    occurs = (n >= 1).to_numpy()
    tiny = occurs & (n < disclosure_n).to_numpy()
    small = occurs & (n < min_n).to_numpy()
    return pd.DataFrame({"code": n.index.get_level_values(1), "occurs": occurs.sum(axis=1), "tiny": tiny.sum(axis=1),
                         "tiny_gem": tiny.any(axis=1), "small": small.sum(axis=1)}).groupby("code").sum()


def plan_recoding(work: pd.DataFrame, cb: Codebook, subgroups: Sequence[Subgroup], columns: list[str],
                  disclosure_n: int, min_n: int, share: float, stratum: str = "_stratum") -> Recoding:
    """Decide the merges of the whole edition (see the module docstring).

    ``work`` holds the stratum (gemeente) column, the breakdown variables (original codes) and the headline
    analysis ``columns`` (NaN outside a figure's domain), so a figure's n is a count per (gemeente, code)."""
    rec = Recoding()
    tiny_before = tiny_after = small_before = small_after = 0
    for sg in subgroups:
        if not sg.merges or sg.variable not in work:
            continue
        var = sg.variable
        # n of every gemeente headline figure per original code: one groupby, small (gemeenten x codes)
        base = work[[stratum, var] + columns].groupby([stratum, var], sort=True).count()
        strata = base.index.get_level_values(0)
        orig = base.index.get_level_values(1).to_numpy(dtype="float64")
        counts = base.to_numpy()
        labels = {float(k): v for k, v in cb.labels(var).items()}
        mapping = {c: c for c in np.unique(orig)}

        stats = partial(_stats, strata.to_numpy(), orig, counts, columns, disclosure_n=disclosure_n, min_n=min_n)
        first = stats(mapping)
        tiny_before += int(first["tiny"].sum())
        small_before += int(first["small"].sum())
        current_label = dict(labels)
        for merge in sg.merges:
            parts = sorted({mapping.get(float(c), float(c)) for c in merge.codes})
            now = stats(mapping)
            present = [p for p in parts if p in now.index and now.at[p, "occurs"] > 0]
            if len(present) < 2:  # merging with nothing saves nothing
                continue
            rate = (now.loc[present, "tiny"] / now.loc[present, "occurs"])
            worst = rate.idxmax()
            if rate.max() < share:
                continue
            before = int(now.loc[present, "tiny"].sum())
            reason = current_label.get(worst, str(int(worst)))
            part_labels = tuple(current_label.get(p, str(int(p))) for p in parts if p in present)
            new = float(merge.code)
            for c, cur in list(mapping.items()):
                if cur in parts:
                    mapping[c] = new
            current_label[new] = merge.label
            after_stats = stats(mapping)
            after = int(after_stats.at[new, "tiny"]) if new in after_stats.index else 0
            rec.merged.append(MergedGroup(
                subgroup=sg.id, subgroup_label=sg.label, label=merge.label, code=merge.code, parts=part_labels,
                codes=tuple(sorted(merge.codes)),
                reason=reason, share=float(rate.max()), gemeenten=int(now.at[worst, "tiny_gem"]),
                disclosure_n=disclosure_n, tiny_before=before, tiny_after=after))
        last = stats(mapping)
        tiny_after += int(last["tiny"].sum())
        small_after += int(last["small"].sum())
        changed = {c: n for c, n in mapping.items() if c != n}
        if changed:
            rec.codes[var] = changed
            rec.labels[var] = {n: current_label[n] for n in set(changed.values())}
    rec.tiny = (tiny_before, tiny_after)
    rec.small = (small_before, small_after)
    return rec
