"""faceres in int8 (what the CPU runs) against fp32, alone and inside the ensemble, on the UTKFace dev set.

    python benchmarks/classifiers_utkface.py   # caches dlib's, faceres fp32's and faceres int8's outputs
    python benchmarks/faceres_int8.py

Prints, on all 2,000 dev faces (none of which calibrated the int8 file): the
largest and mean differences of faceres's decision functions, the summary
(gender accuracy, on adults, age MAE) of dlib, faceres and the ensemble with
either file, and per true age group x gender the gender accuracy, the mean age
error (bias) and, for the ensemble, how many faces of the group int8 answers
right that fp32 answers wrong minus the reverse (``gained``: negative is a
loss; the noise is about one face in groups of 20-50).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from _shared import utkface_predictions
from ensemble_fit import GROUP_EDGES, GROUP_NAMES, summary, table


def main() -> None:
    df = utkface_predictions()
    variants = {name: (df[f"sex_{column}"].to_numpy(), df[f"age_{column}"].to_numpy())
                for name, column in (("dlib", "dlib"), ("faceres fp32", "faceres"), ("faceres int8", "faceres_int8"),
                                     ("ensemble fp32", "ensemble"), ("ensemble int8", "ensemble_int8"))}
    fp32, int8 = variants["faceres fp32"], variants["faceres int8"]
    male = (df.gender == "m").to_numpy()
    print(f"{len(df)} UTKFace dev faces")
    for what, (a, b) in (("faceres", (fp32, int8)),
                         ("ensemble", (variants["ensemble fp32"], variants["ensemble int8"]))):
        flips = int(((a[0] > 0) != (b[0] > 0)).sum())
        print(f"{what}: log-odds of male, largest difference {np.abs(a[0] - b[0]).max():.2f} (mean "
              f"{np.abs(a[0] - b[0]).mean():.3f}; {flips} faces change gender); age, largest difference "
              f"{np.abs(a[1] - b[1]).max():.2f} years (mean {np.abs(a[1] - b[1]).mean():.2f})")
    print()
    print(summary(df, variants).to_string(index=False, float_format="%.3f"))
    groups = table(df, variants)
    right32 = (variants["ensemble fp32"][0] > 0) == male
    right8 = (variants["ensemble int8"][0] > 0) == male
    cell = pd.cut(df.age, GROUP_EDGES, right=False, labels=GROUP_NAMES).astype(str) + " " + df.gender
    gained = pd.Series(right8.astype(int) - right32.astype(int)).groupby(cell.to_numpy()).sum()
    groups["gained"] = groups.group.map(gained).astype(int)
    mae = pd.DataFrame({name: np.abs(a - df.age.to_numpy()) for name, (_, a) in variants.items()
                        if name.startswith("ensemble")}).groupby(cell.to_numpy()).mean()
    groups["MAE ens fp32"] = groups.group.map(mae["ensemble fp32"])
    groups["MAE ens int8"] = groups.group.map(mae["ensemble int8"])
    print()
    print(groups.to_string(index=False, float_format="%.2f"))


if __name__ == "__main__":
    main()
