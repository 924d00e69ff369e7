"""Fit the ensemble's age-band weights on one half of the UTKFace dev set; check them on the other.

    python benchmarks/classifiers_utkface.py   # caches both networks' decision functions
    python benchmarks/ensemble_fit.py [--seed 0]

For each band of predicted age (the plain mean of both networks' ages), the
weight of dlib in the log-odds of male is the one (0, 0.1, ..., 1) with the
best gender accuracy averaged over women and men of that band on the fitting
half, and the weight of dlib in the age the one with the lowest mean absolute
error averaged over women and men. Prints the weights and, on both halves,
gender accuracy, age MAE and mean age error (bias) per true age group x gender
for dlib, faceres, the plain average, the fitted weights and the shipped ones
(``classifiers/ensemble.py``: the fitted age weights; for gender, dlib alone
under 13 and from 50, the plain average in between, because the fitted gender
weights changed from one half to the other and cost older women accuracy).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from _shared import dev_halves, utkface_predictions
from inafaceanalyzer.classifiers.ensemble import FITTED, PLAIN_AVERAGE, AgeWeights

BAND_EDGES = (13.0, 20.0, 50.0, 70.0)
GRID = np.round(np.linspace(0, 1, 11), 2)
GROUP_EDGES = [0, 3, 13, 20, 30, 40, 50, 60, 70, np.inf]
GROUP_NAMES = ["0-2", "3-12", "13-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70+"]


def predict(df: pd.DataFrame, weights: AgeWeights) -> tuple[np.ndarray, np.ndarray]:
    return weights.combine((df.sex_dlib.to_numpy(), df.age_dlib.to_numpy()),
                           (df.sex_faceres.to_numpy(), df.age_faceres.to_numpy()))


def fit(df: pd.DataFrame) -> AgeWeights:
    band = np.searchsorted(np.asarray(BAND_EDGES), (df.age_dlib + df.age_faceres).to_numpy() / 2, side="right")
    male = (df.gender == "m").to_numpy()
    sex_w, age_w = [], []
    for b in range(len(BAND_EDGES) + 1):
        d = df[band == b]
        m = male[band == b]

        def balanced(values: np.ndarray) -> float:
            return np.mean([values[m].mean() if m.any() else 0.0, values[~m].mean() if (~m).any() else 0.0])

        acc = [balanced(((w * d.sex_dlib + (1 - w) * d.sex_faceres) > 0).to_numpy() == m) for w in GRID]
        mae = [balanced(np.abs(w * d.age_dlib + (1 - w) * d.age_faceres - d.age).to_numpy()) for w in GRID]
        sex_w.append(float(GRID[int(np.argmax(acc))]))
        age_w.append(float(GRID[int(np.argmin(mae))]))
    return AgeWeights(BAND_EDGES, tuple(sex_w), tuple(age_w))


def table(df: pd.DataFrame, variants: dict[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    group = pd.cut(df.age, GROUP_EDGES, right=False, labels=GROUP_NAMES)
    rows = []
    for (g, sex), idx in df.groupby([group, df.gender], observed=True).groups.items():
        at = df.index.get_indexer(idx)
        row = {"group": f"{g} {sex}", "n": len(at)}
        for name, (s, a) in variants.items():
            row[f"acc {name}"] = np.mean((s[at] > 0) == (sex == "m"))
            row[f"bias {name}"] = np.mean(a[at] - df.age.to_numpy()[at])
        rows.append(row)
    return pd.DataFrame(rows)


def summary(df: pd.DataFrame, variants: dict[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    male, adult, age = (df.gender == "m").to_numpy(), (df.age >= 20).to_numpy(), df.age.to_numpy()
    return pd.DataFrame([{"classifier": name, "gender acc": np.mean((s > 0) == male),
                          "acc 20+": np.mean(((s > 0) == male)[adult]), "age MAE": np.mean(np.abs(a - age))}
                         for name, (s, a) in variants.items()])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    df = utkface_predictions()
    fitting, held_out = dev_halves(len(df), args.seed)
    fit_half, test_half = df.iloc[fitting].reset_index(drop=True), df.iloc[held_out].reset_index(drop=True)
    weights = fit(fit_half)
    print(f"fitted on {len(fit_half)} faces: {weights}")
    print(f"shipped: {FITTED}")
    for title, half in (("held-out half", test_half), ("fitting half", fit_half)):
        variants = {
            "dlib": (half.sex_dlib.to_numpy(), half.age_dlib.to_numpy()),
            "faceres": (half.sex_faceres.to_numpy(), half.age_faceres.to_numpy()),
            "average": predict(half, PLAIN_AVERAGE),
            "fitted": predict(half, weights),
            "shipped": predict(half, FITTED),
        }
        print(f"\n{title} ({len(half)} faces)")
        print(summary(half, variants).to_string(index=False, float_format="%.3f"))
        print(table(half, variants).to_string(index=False, float_format="%.2f"))


if __name__ == "__main__":
    main()
