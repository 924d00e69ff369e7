"""Gender accuracy of each classifier on real scenes labelled by eye (tests/data/real_scenes.csv).

    python benchmarks/real_scenes.py [--classifier dlib faceres ensemble]

The ground truth gives, for the clearly visible faces of ../shared/media/images/,
../shared/media/detection/ (group photos, street scenes, portraits) and of a
few frames of ../shared/media/videos/ (``frame``: 0-based index of the decoded
frame), the face box (as the ``bbox`` column writes it) and the gender seen.
Each classifier runs the image engine on those photos and frames; a labelled
face counts when a result box overlaps it (IoU >= 0.5). Prints accuracy over all labelled
faces, over women and men, and without ``bald_guys.jpg`` (24 men), with
children (two faces) counted apart (``--child_age 0``: every face answered), then, with the
commands' age rules (``--child_age 13`` alone, and with ``--young_age 22 --young_confidence
0.7``), the share of the labelled faces answered and the accuracy of those answered.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from _shared import ROOT, SHARED, require
from inafaceanalyzer import ImageAnalyzer, Rect
from inafaceanalyzer.classification.abstention import (DEFAULT_CHILD_AGE, DEFAULT_YOUNG_AGE,
                                                       DEFAULT_YOUNG_CONFIDENCE, AbstentionRule,
                                                       apply_abstention)
from inafaceanalyzer.classifiers import create
from inafaceanalyzer.media.video import VideoReader

TRUTH = ROOT / "tests" / "data" / "real_scenes.csv"


def image_of(row, folder: Path) -> str:
    """The photo of a truth row, or its video frame written as a PNG into ``folder``."""
    if pd.isna(row.frame):
        return str(SHARED / row.file)
    path = folder / f"{Path(row.file).stem}-{int(row.frame)}.png"
    if not path.is_file():
        from PIL import Image

        with VideoReader(SHARED / row.file) as reader:
            frame = next(f for f in reader.frames() if f.index == int(row.frame))
        Image.fromarray(frame.image).save(path)
    return str(path)


def matched(truth: pd.DataFrame, images: list[str], results: pd.DataFrame) -> pd.Series:
    """The ``sex_label`` found for each truth row (``None`` where no box matches)."""
    found = []
    for row, image in zip(truth.itertuples(), images):
        rows = results[results.frame == image]
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
    folder = Path(tempfile.mkdtemp(prefix="real-scenes-"))
    images = [image_of(row, folder) for row in truth.itertuples()]
    files = sorted(set(images))
    groups = {
        "all": np.ones(len(truth), bool),
        "women": (truth.gender == "f").to_numpy(),
        "men": (truth.gender == "m").to_numpy(),
        "without bald_guys": ~truth.file.str.endswith("bald_guys.jpg").to_numpy(),
        "video frames": truth.frame.notna().to_numpy(),
        "children": truth.child.astype(bool).to_numpy(),
    }
    print(f"{len(truth)} faces labelled by eye in {len(files)} photos and frames ({TRUTH.name})")
    print(f"{'classifier':10s} " + " ".join(f"{g:>18s}" for g in groups) + "  found")
    rules = {"--child_age 13": AbstentionRule(child_age=DEFAULT_CHILD_AGE),
             "defaults": AbstentionRule(child_age=DEFAULT_CHILD_AGE, young_age=DEFAULT_YOUNG_AGE,
                                        young_confidence=DEFAULT_YOUNG_CONFIDENCE)}
    for name in args.classifier:
        results = ImageAnalyzer(face_classifier=create(name, device="cpu"))(files)
        labels = matched(truth, images, results)
        right = (labels == truth.gender).to_numpy()
        cells = [f"{right[m].mean():.3f} ({right[m].sum()}/{m.sum()})" for m in groups.values()]
        print(f"{name:10s} " + " ".join(f"{c:>18s}" for c in cells) + f"  {labels.notna().sum()}")
        for rule_name, rule in rules.items():
            ruled = matched(truth, images, apply_abstention(results, rule))
            answered = ruled.isin(["m", "f"]).to_numpy()
            print(f"{'':10s} {rule_name}: answered {answered.sum()}/{len(truth)}, accuracy of those answered "
                  f"{(ruled == truth.gender).to_numpy()[answered].mean():.3f}; withheld: "
                  + ", ".join(f"{g} ({'child' if c else 'adult'})" for g, c in
                              zip(truth.gender[~answered & ruled.notna().to_numpy()],
                                  truth.child[~answered & ruled.notna().to_numpy()])))


if __name__ == "__main__":
    main()
