"""Would stretching the default's ages above 35 undo the networks' pull of older faces towards the middle?

    python benchmarks/classifiers_utkface.py   # caches both networks' decision functions
    python benchmarks/age_stretch_probe.py [--pivot 35] [--seeds 6]

Both networks estimate older faces too young (women 70+: about 15 years). A
classic correction is to stretch the estimates above a pivot age:
``age + (slope - 1) * max(0, age - pivot)``, one slope per predicted gender,
fitted on one half of the UTKFace dev set (the halves of
``benchmarks/ensemble_fit.py``, both directions, ``--seeds`` splits) to zero
the mean error of the true-age bands 40-49 ... 70+, and applied to the other
half. Prints, pooled over the held-out halves, for the default classifier's
ages as they are and stretched: the MAE, each age x gender group's mean error
and MAE, and the faces counted in each of the report's age brackets
(``--age_brackets`` defaults) over the true count.

Measured (docs/classifiers.md, "Age"): the older groups' mean errors nearly vanish
(women 70+: -14.6 -> -1.2 years), but the MAE rises (5.27 -> 5.60) and the counting
errors only move between brackets (women 35-49 counted 0.83 -> 0.66 of the truth,
men 65+ 0.60 -> 1.23): not shipped.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from _shared import held_out_splits, utkface_predictions
from inafaceanalyzer.report.options import DEFAULT_AGE_BOUNDS

BANDS = [(13, 19), (20, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 200)]
FITTED_BANDS = BANDS[3:]
SLOPES = np.arange(1.0, 2.0, 0.01)


def stretch(age: np.ndarray, slope: float, pivot: float) -> np.ndarray:
    return age + (slope - 1) * np.maximum(0, age - pivot)


def fit_slope(age: np.ndarray, truth: np.ndarray, pivot: float) -> float:
    """The slope zeroing best (least squares) the mean error of the bands from 40 years."""
    def cost(slope: float) -> float:
        errors = [(stretch(age[sel], slope, pivot) - truth[sel]).mean()
                  for lo, hi in FITTED_BANDS if (sel := (truth >= lo) & (truth <= hi)).sum() >= 5]
        return float(np.sum(np.square(errors)))
    return float(min(SLOPES, key=cost))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pivot", type=float, default=35)
    ap.add_argument("--seeds", type=int, default=6)
    args = ap.parse_args()
    df = utkface_predictions()
    sex, age = df.sex_ensemble_int8.to_numpy(), df.age_ensemble_int8.to_numpy()
    truth, women, said_woman = df.age.to_numpy(float), (df.gender == "f").to_numpy(), sex <= 0
    held_out: dict[str, list[pd.DataFrame]] = {"as is": [], "stretched": []}
    slopes = []
    for fit, test in held_out_splits(len(df), args.seeds):
        stretched = age.copy()
        pair = []
        for predicted in (said_woman, ~said_woman):
            sel = fit[predicted[fit]]
            pair.append(fit_slope(age[sel], truth[sel], args.pivot))
            stretched[predicted] = stretch(age[predicted], pair[-1], args.pivot)
        slopes.append(pair)
        for name, values in (("as is", age), ("stretched", stretched)):
            held_out[name].append(pd.DataFrame({"pred": values[test], "age": truth[test], "woman": women[test]}))
    s = np.array(slopes)
    print(f"slopes fitted (said women / said men): {s[:, 0].min():.2f}-{s[:, 0].max():.2f} / "
          f"{s[:, 1].min():.2f}-{s[:, 1].max():.2f}; held-out halves pooled over {args.seeds} splits x 2")
    groups, counts = {}, {}
    bounds = list(DEFAULT_AGE_BOUNDS[1:]) + [1000]
    for name, parts in held_out.items():
        d = pd.concat(parts)
        err = d.pred - d.age
        groups[name] = {"MAE": f"{err.abs().mean():.2f}"}
        counts[name] = {}
        for woman, who in ((True, "women"), (False, "men")):
            for lo, hi in BANDS:
                sel = (d.woman == woman) & d.age.between(lo, hi)
                groups[name][f"{who} {lo}{'+' if hi > 100 else f'-{hi}'}"] = (
                    f"{err[sel].mean():+.1f} / {err[sel].abs().mean():.1f}")
            for lo, hi in zip(bounds[:-1], bounds[1:]):
                n_true = ((d.woman == woman) & (d.age >= lo) & (d.age < hi)).sum()
                n_said = ((d.woman == woman) & (d.pred >= lo) & (d.pred < hi)).sum()
                counts[name][f"{who} {lo}{'+' if hi > 100 else f'-{hi - 1}'}"] = f"{n_said / n_true:.2f}"
    print("\nmean error / MAE (years) by true age x gender")
    print(pd.DataFrame(groups).to_string())
    print("\nfaces counted in each report bracket / faces truly in it (by true gender)")
    print(pd.DataFrame(counts).to_string())


if __name__ == "__main__":
    main()
