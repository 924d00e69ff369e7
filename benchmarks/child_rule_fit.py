"""Fit the rule for young-looking faces (--young_age, --young_confidence) on one half of the UTKFace dev set.

    python benchmarks/classifiers_utkface.py   # caches both networks' decision functions
    python benchmarks/child_rule_fit.py [--seed 0]

With ``--child_age 13`` kept, a face estimated younger than ``young_age`` years is
answered only when its gender probability reaches ``young_confidence``. On the fitting
half (the halves of ``benchmarks/ensemble_fit.py``), among the rules where, for both
``dlib`` and ``ensemble``, the teenagers (13-19) answered are >= 95 % right and adults
(20+) keep >= 99 % of their answers, the rule answering the most teenagers is chosen
(ties: the higher probability, then the higher age: the most cautious). Prints, on both
halves, gender accuracy of the faces answered and coverage by true age group for the
rule before (``--child_age 13`` alone) and the fitted and shipped rules; then, on all
faces, what raising ``--child_age`` from 13 to 18 would do with the default classifier.
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
import pandas as pd

from _shared import dev_halves, utkface_predictions
from inafaceanalyzer.classification.abstention import (DEFAULT_CHILD_AGE, DEFAULT_YOUNG_AGE,
                                                       DEFAULT_YOUNG_CONFIDENCE, AbstentionRule)

CLASSIFIERS = ("dlib", "ensemble")
AGES = range(14, 31)
PROBABILITIES = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
GROUPS = {"under 13": (0, 12), "13-19": (13, 19), "boys 13-19": (13, 19), "20+": (20, 200)}


def scores(df: pd.DataFrame, classifier: str, rule: AbstentionRule) -> dict[str, tuple[float, float, int]]:
    """Per group: (accuracy of the faces answered, share answered, faces answered)."""
    sex, age = df[f"sex_{classifier}"].to_numpy(), df[f"age_{classifier}"].to_numpy()
    keep = rule.keeps_faces([(0, 0, 1, 1)] * len(df), sex, age)
    right = (sex > 0) == (df.gender == "m").to_numpy()
    out = {}
    for name, (lo, hi) in GROUPS.items():
        group = df.age.between(lo, hi).to_numpy() & ((df.gender == "m").to_numpy() if name.startswith("boys") else True)
        answered = keep & group
        out[name] = (float(right[answered].mean()) if answered.any() else np.nan,
                     float(answered.sum() / max(group.sum(), 1)), int(answered.sum()))
    return out


def fit(half: pd.DataFrame) -> AbstentionRule:
    best: tuple = ()
    for young_age, p in itertools.product(AGES, PROBABILITIES):
        rule = AbstentionRule(child_age=DEFAULT_CHILD_AGE, young_age=young_age, young_confidence=p)
        s = [scores(half, c, rule) for c in CLASSIFIERS]
        if all(x["13-19"][0] >= 0.95 and x["20+"][1] >= 0.99 for x in s):
            key = (round(sum(x["13-19"][1] for x in s), 6), p, young_age)
            if key > best[:3]:
                best = (*key, rule)
    if not best:
        raise SystemExit("no rule meets the constraints on the fitting half")
    return best[3]


def table(half: pd.DataFrame, rules: dict[str, AbstentionRule],
          classifiers: tuple[str, ...] = CLASSIFIERS) -> pd.DataFrame:
    rows = []
    for c in classifiers:
        for name, rule in rules.items():
            row = {"classifier": c, "rule": name}
            for group, (acc, cov, n) in scores(half, c, rule).items():
                row[group] = f"{acc:.3f} ({cov:.0%}, {n})"
            rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    df = utkface_predictions()
    fitting, held_out = dev_halves(len(df), args.seed)
    fit_half, test_half = df.iloc[fitting], df.iloc[held_out]
    fitted = fit(fit_half)
    print(f"fitted on {len(fit_half)} faces: --young_age {fitted.young_age:g} --young_confidence "
          f"{fitted.young_confidence:g}; shipped: {DEFAULT_YOUNG_AGE:g}, {DEFAULT_YOUNG_CONFIDENCE:g}")
    rules = {"--child_age 13 alone": AbstentionRule(child_age=DEFAULT_CHILD_AGE), "fitted": fitted,
             "shipped": AbstentionRule(child_age=DEFAULT_CHILD_AGE, young_age=DEFAULT_YOUNG_AGE,
                                       young_confidence=DEFAULT_YOUNG_CONFIDENCE)}
    for title, half in (("held-out half", test_half), ("fitting half", fit_half), ("all", df)):
        print(f"\n{title} ({len(half)} faces): accuracy of the faces answered (share answered, faces answered)")
        print(table(half, rules).to_string(index=False))
    raised = {f"--child_age {age}": AbstentionRule(child_age=age, young_age=DEFAULT_YOUNG_AGE,
                                                   young_confidence=DEFAULT_YOUNG_CONFIDENCE)
              for age in range(int(DEFAULT_CHILD_AGE), 19)}
    print(f"\nall ({len(df)} faces), the default classifier (ensemble_int8): raising --child_age, other rules shipped")
    print(table(df, raised, ("ensemble_int8",)).to_string(index=False))


if __name__ == "__main__":
    main()
