"""Agreement of the classifier with people, and between people.

Classifier vs people, from a sample stratified by predicted label: per stratum, the measured
shares of true categories (``correction.StratumShares``); overall, population figures
(each stratum weighted by its size in the population, i.e. by the inclusion weights):
accuracy (on faces people call a woman or a man), recall per true gender, and the confusion
``P(true | predicted)`` with ``x`` (not a face). Intervals from the same within-stratum
replicates as the corrected estimates.

Between people: Cohen's kappa for each pair of annotators and Krippendorff's alpha (nominal)
over all of them, on the items both (all) labelled, and the items they disagree on.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..report.bootstrap import percentile_interval
from .correction import StratumShares, corrected_totals, widen

GENDER_CATS = ("f", "m", "u", "x")


def classifier_agreement(shares: StratumShares, pred_sex: Sequence[str], pop_weight: np.ndarray,
                         n_replicates: int, seed: int, confidence: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(metrics, confusion): population figures with intervals. ``pred_sex`` (H,): each
    stratum's predicted gender; ``pop_weight`` (H,): its weight in the population."""
    pred = np.asarray(pred_sex)
    cat = {c: j for j, c in enumerate(shares.categories)}
    p = shares.point()[None]
    reps = shares.draws(n_replicates, np.random.default_rng(seed + 7))
    rows, conf_rows = [], []

    def add(name: str, fn) -> None:
        point = float(fn(p)[0])
        lo, hi = widen(point, *percentile_interval(fn(reps), confidence))
        rows.append({"metric": name, "value": point, "ci_low": lo, "ci_high": hi})

    def mass(arr: np.ndarray, rows_mask: np.ndarray, c: str) -> np.ndarray:
        return (arr[:, rows_mask, cat[c]] * pop_weight[rows_mask]).sum(axis=1)

    def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)

    every = np.ones(len(pred), bool)
    add("accuracy", lambda a: ratio(mass(a, pred == "f", "f") + mass(a, pred == "m", "m"),
                                    mass(a, every, "f") + mass(a, every, "m")))
    for g, name in (("f", "recall_women"), ("m", "recall_men")):
        add(name, lambda a, g=g: ratio(mass(a, pred == g, g), mass(a, every, g)))
    add("abstained_u", lambda a: ratio(mass(a, pred == "u", "f") + mass(a, pred == "u", "m"),
                                       mass(a, every, "f") + mass(a, every, "m")))
    add("not_a_face", lambda a: ratio(mass(a, every, "x"), corrected_totals(pop_weight, a).sum(-1)))
    for g in ("f", "m", "u"):
        sel = pred == g
        if not sel.any():
            continue
        for t in shares.categories:
            def fn(a, sel=sel, t=t):
                return ratio(mass(a, sel, t), corrected_totals(pop_weight * sel, a).sum(-1))
            point = float(fn(p)[0])
            lo, hi = widen(point, *percentile_interval(fn(reps), confidence))
            conf_rows.append({"predicted": g, "true": t, "share": point, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows), pd.DataFrame(conf_rows)


def per_stratum(shares: StratumShares, confidence: float) -> pd.DataFrame:
    """Labelled items and measured true shares per stratum, with Jeffreys intervals."""
    from scipy.stats import beta

    a = (1 - confidence) / 2
    out = pd.DataFrame({"stratum": shares.strata, "labelled": shares.n})
    p = shares.point()
    for j, c in enumerate(shares.categories):
        k, n = shares.counts[:, j], shares.counts.sum(axis=1)
        out[f"true_{c}"] = np.where(n > 0, p[:, j], np.nan)
        out[f"true_{c}_ci_low"] = np.where(n > 0, beta.ppf(a, k + 0.5, n - k + 0.5), np.nan)
        out[f"true_{c}_ci_high"] = np.where(n > 0, beta.ppf(1 - a, k + 0.5, n - k + 0.5), np.nan)
    return out


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float:
    a, b = np.asarray(first), np.asarray(second)
    cats = np.union1d(a, b)
    po = float(np.mean(a == b))
    pe = float(sum(np.mean(a == c) * np.mean(b == c) for c in cats))
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def krippendorff_alpha(units: pd.DataFrame) -> float:
    """Nominal alpha; ``units``: items x annotators, NaN where an annotator did not label an item."""
    values = [row.dropna().to_numpy() for _, row in units.iterrows()]
    values = [v for v in values if len(v) >= 2]
    if not values:
        return float("nan")
    cats = np.unique(np.concatenate(values))
    index = {c: i for i, c in enumerate(cats)}
    o = np.zeros((len(cats), len(cats)))
    for v in values:
        counts = np.bincount([index[x] for x in v], minlength=len(cats)).astype(float)
        o += (np.outer(counts, counts) - np.diag(counts)) / (len(v) - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    d_o = n - np.trace(o)
    d_e = (n * n - (n_c ** 2).sum()) / (n - 1)
    return 1.0 if d_e == 0 else float(1 - d_o / d_e)


def annotator_agreement(answers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(agreement table, disagreements): kappa per pair and alpha over all, for gender and age
    bracket; the items labelled by several people who did not all give the same answer."""
    rows = []
    annotators = sorted(answers["annotator"].unique())
    for column in ("gender", "age_bracket"):
        wide = answers.pivot(index="sample_id", columns="annotator", values=column)
        for x, y in itertools.combinations(annotators, 2):
            both = wide[[x, y]].dropna()
            if len(both):
                rows.append({"measure": "cohen_kappa", "labels": column, "annotators": f"{x} / {y}",
                             "items": len(both), "agreement": float(np.mean(both[x] == both[y])),
                             "value": cohen_kappa(both[x], both[y])})
        if len(annotators) >= 2:
            multi = wide[wide.notna().sum(axis=1) >= 2]
            rows.append({"measure": "krippendorff_alpha", "labels": column, "annotators": " / ".join(annotators),
                         "items": len(multi), "agreement": float("nan"), "value": krippendorff_alpha(multi)})
    table = pd.DataFrame(rows, columns=["measure", "labels", "annotators", "items", "agreement", "value"])
    g = answers.groupby("sample_id")
    split = g.filter(lambda d: len(d) >= 2 and (d["gender"].nunique() > 1 or d["age_bracket"].nunique() > 1))
    disagree = (split.sort_values(["sample_id", "annotator"])
                .groupby("sample_id").apply(lambda d: "; ".join(f"{a}: {s} {b}" for a, s, b in
                                                              zip(d["annotator"], d["gender"], d["age_bracket"])),
                                            include_groups=False)
                .rename("answers").reset_index()) if len(split) else pd.DataFrame(columns=["sample_id", "answers"])
    return table, disagree
