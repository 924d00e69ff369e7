#!/usr/bin/env python3
"""Real check of the corrected estimates: the 2,000 UTKFace dev faces as a photo collection.

The collection is analysed with the ``preprocessed_image`` engine (cached in
``bench-cache/validation/``), a 300-face validation sample is drawn with
``ina_face_analyzer_validate sample`` (thumbnails and annotate.html included), "annotated"
with the data set's own labels (a ``labels.csv`` written as a person would save it), and
scored with ``ina_face_analyzer_validate score``. Prints the true share of women in the
collection, the uncorrected and the corrected one with its 95 % interval, and the same for
the age-bracket distribution.

    python benchmarks/validation_utkface.py [--n 300] [--seed 0]
"""

import argparse
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from _shared import CACHE, SHARED, require
from inafaceanalyzer.report.options import AgeBrackets
from validation_simulation import utkface_predictions


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    require(SHARED / "datasets" / "utkface-dev", "UTKFace dev set")
    utk = utkface_predictions()
    results = CACHE / "validation" / "utk_results.csv"
    out = CACHE / "validation" / f"utk-sample-n{args.n}-seed{args.seed}"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "inafaceanalyzer.cli.validate", "sample", str(results), "-o", str(out),
                    "--n", str(args.n), "--seed", str(args.seed), "-q"], check=True)
    t_sample = time.perf_counter() - t
    sample = pd.read_csv(out / "sample.csv", dtype={"sample_id": str})
    truth = utk.set_index("frame")
    brackets = AgeBrackets()
    ages = truth.loc[sample["frame"], "age"].to_numpy(float)
    b = np.searchsorted(np.asarray(brackets.bounds), ages, side="right") - 1
    pd.DataFrame({"sample_id": sample["sample_id"], "gender": truth.loc[sample["frame"], "gender"].to_numpy(),
                  "age_bracket": [brackets.labels[i] for i in b], "annotator": "utkface"}).to_csv(
        out / "labels.csv", index=False)
    subprocess.run([sys.executable, "-m", "inafaceanalyzer.cli.validate", "score", str(out), "-q"], check=True)
    corrected = pd.read_csv(out / "corrected.csv").iloc[0]
    true_share = float((utk["gender"] == "f").mean())
    print(f"{len(utk)} faces, sample of {len(sample)} drawn in {t_sample:.1f} s (thumbnails included) -> {out}")
    agreement = pd.read_csv(out / "agreement.csv").set_index("metric")
    print(f"gender accuracy measured on the sample: {agreement.loc['accuracy', 'value']:.3f} "
          f"[{agreement.loc['accuracy', 'ci_low']:.3f}-{agreement.loc['accuracy', 'ci_high']:.3f}] "
          f"(on all 2,000: {(utk['gender'] == utk['sex_label']).mean():.3f})")
    inside = corrected["ci_low"] <= true_share <= corrected["ci_high"]
    print(f"share of women: true {true_share:.1%}, uncorrected {corrected['uncorrected']:.1%}, corrected "
          f"{corrected['corrected']:.1%} [{corrected['ci_low']:.1%}-{corrected['ci_high']:.1%}] "
          f"{'contains' if inside else 'MISSES'} the true share")
    age = pd.read_csv(out / "corrected_age.csv")
    true_b = np.searchsorted(np.asarray(brackets.bounds), utk["age"].to_numpy(float), side="right") - 1
    true_dist = np.bincount(true_b, minlength=len(brackets.labels)) / len(utk)
    print(f"{'age':6s} {'true':>6s} {'uncorr.':>7s} {'corrected':>9s} {'95 % interval':>15s}")
    for j, r in age.iterrows():
        ok = r["ci_low"] <= true_dist[j] <= r["ci_high"]
        print(f"{r['age_bracket']:6s} {true_dist[j]:6.1%} {r['uncorrected']:7.1%} {r['corrected']:9.1%} "
              f"  [{r['ci_low']:.1%}-{r['ci_high']:.1%}] {'ok' if ok else 'MISSES'}")


if __name__ == "__main__":
    main()
