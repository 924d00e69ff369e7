#!/usr/bin/env python3
"""Simulation study of the corrected share of women (``inafaceanalyzer.validation``).

Corpora of 3,000 faces with a known true share of women, a classifier with asymmetric,
group-dependent errors, a validation sample stratified by predicted gender x age bracket and
labelled by perfect annotators, and the estimator ``score_sample`` runs. Two classifiers:

* ``utkface``: the errors measured on the 2,000 UTKFace dev faces, age group by age group
  (the ``preprocessed_image`` engine's predictions, cached in ``bench-cache/validation/``):
  a family-programme corpus with 35 % women and many children and elderly people;
* ``worse``: a much worse corpus (``simulation.worse_corpus_model``): boys called girls
  half of the time, older women called men 30 % of the time, 3 % non-faces.

For validation samples of 100, 200, 400 and 800 faces, over ``--studies`` studies each: the
coverage of the corrected 95 % interval, beside the uncorrected interval's (sampling only), and
the mean absolute error of both.

    python benchmarks/validation_simulation.py [--studies 1000]
"""

import argparse
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from _shared import CACHE, SHARED
from inafaceanalyzer.validation.simulation import PoolModel, simulate, worse_corpus_model


def utkface_predictions() -> pd.DataFrame | None:
    root = SHARED / "datasets" / "utkface-dev"
    if not root.is_dir():
        return None
    out = CACHE / "validation" / "utk_results.csv"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        labels = pd.read_csv(root / "labels.csv")
        listing = out.with_name("utk_paths.txt")
        listing.write_text("".join(f"{root / p}\n" for p in labels.path))
        subprocess.run([sys.executable, "-m", "inafaceanalyzer.cli.analyze", "--engine", "preprocessed_image",
                        "-l", str(listing), "-o", str(out), "-q"], check=True)
    labels = pd.read_csv(root / "labels.csv")
    labels["frame"] = [str(root / p) for p in labels.path]
    pred = pd.read_csv(out)
    return labels.merge(pred, on="frame")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--studies", type=int, default=1000)
    ap.add_argument("--faces", type=int, default=3000)
    args = ap.parse_args()
    settings = []
    utk = utkface_predictions()
    if utk is not None:
        pool = PoolModel(utk["gender"].to_numpy(), utk["age"].to_numpy(float), utk["sex_label"].to_numpy(),
                         utk["age_label"].to_numpy(float))
        groups = np.array([.05, .25, .10, .35, .15, .10])  # 0-2, 3-13, 14-19, 20-50, 51-70, 71+
        settings.append(("utkface", lambda rng: pool.corpus(rng, args.faces, 0.35, groups)))
    worse = worse_corpus_model()
    settings.append(("worse", lambda rng: worse.corpus(rng, args.faces, 0.30)))
    print(f"{'classifier':10s} {'n':>4s} {'studies':>7s} {'coverage':>8s} {'uncorr. cov.':>12s} "
          f"{'MAE (pts)':>9s} {'uncorr. MAE':>11s} {'CI width':>8s}")
    for name, make in settings:
        for n in (100, 200, 400, 800):
            t = time.perf_counter()
            s = simulate(make, n, args.studies, seed=n)
            print(f"{name:10s} {n:4d} {s.studies:7d} {s.coverage:8.1%} {s.uncorrected_coverage:12.1%} "
                  f"{100 * s.mae:9.2f} {100 * s.uncorrected_mae:11.2f} {100 * s.mean_width:8.1f}"
                  f"   ({time.perf_counter() - t:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
