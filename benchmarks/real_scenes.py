"""Gender accuracy of each classifier on real scenes labelled by eye (tests/data/real_scenes.csv).

    python benchmarks/real_scenes.py [--classifier dlib faceres ensemble]

The ground truth gives, for the clearly visible faces of ../shared/media/images/
and ../shared/media/detection/ (group photos, street scenes, portraits), the
face box (as the ``bbox`` column writes it) and the gender seen. Each
classifier runs the image engine on those photos; a labelled face counts when
a result box overlaps it (IoU >= 0.5). Prints accuracy over all labelled
faces, over women and men, and without ``bald_guys.jpg`` (24 men), with
children (two faces) counted apart (``--child_age 0``: every face answered).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from _shared import ROOT, SHARED, require
from inafaceanalyzer import ImageAnalyzer, Rect
from inafaceanalyzer.classifiers import create

TRUTH = ROOT / "tests" / "data" / "real_scenes.csv"


def matched(truth: pd.DataFrame, results: pd.DataFrame) -> pd.Series:
    """The ``sex_label`` found for each truth row (``None`` where no box matches)."""
    found = []
    for row in truth.itertuples():
        rows = results[results.frame == str(SHARED / row.file)]
        best, label = 0.5, None
        for r in rows.itertuples():
            iou = Rect(*r.bbox).iou(Rect(row.x1, row.y1, row.x2, row.y2))
            if iou >= best:
                best, label = iou, r.sex_label
        found.append(label)
    return pd.Series(found, index=truth.index)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--classifier", nargs="+", default=["dlib", "faceres", "ensemble"])
    args = ap.parse_args()
    require(SHARED / "media" / "detection", "the shared media")
    truth = pd.read_csv(TRUTH)
    files = sorted({str(SHARED / f) for f in truth.file})
    groups = {
        "all": np.ones(len(truth), bool),
        "women": (truth.gender == "f").to_numpy(),
        "men": (truth.gender == "m").to_numpy(),
        "without bald_guys": ~truth.file.str.endswith("bald_guys.jpg").to_numpy(),
        "children": truth.child.astype(bool).to_numpy(),
    }
    print(f"{len(truth)} faces labelled by eye in {len(files)} photos ({TRUTH.name})")
    print(f"{'classifier':10s} " + " ".join(f"{g:>18s}" for g in groups) + "  found")
    for name in args.classifier:
        labels = matched(truth, ImageAnalyzer(face_classifier=create(name, device="cpu"))(files))
        right = (labels == truth.gender).to_numpy()
        cells = [f"{right[m].mean():.3f} ({right[m].sum()}/{m.sum()})" for m in groups.values()]
        print(f"{name:10s} " + " ".join(f"{c:>18s}" for c in cells) + f"  {labels.notna().sum()}")


if __name__ == "__main__":
    main()
