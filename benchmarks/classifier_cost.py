"""Per-face cost of each registered classifier: cutting its chips, and its networks, on real faces.

    python benchmarks/classifier_cost.py [--limit 256]

Takes 256 UTKFace dev faces (each image is a face) and times (best of 3,
all classifiers interleaved in the same run) finding the landmarks and
cutting each classifier's chips, then classifying them in batches of 32, on
the CPU with ONNX Runtime's default threads. Every registered classifier
(``ensemble_int8``: faceres in int8), and faceres alone in int8.
Prints milliseconds per face and the ratio to dlib's total.
"""

from __future__ import annotations

import time

from _shared import utkface_sample
from inafaceanalyzer.alignment import FaceAligner
from inafaceanalyzer.classifiers import create, names
from inafaceanalyzer.classifiers.faceres import FaceresClassifier
from inafaceanalyzer.detection import WholeFrameDetector
from inafaceanalyzer.media.images import load_image


def main() -> None:
    _, _, paths = utkface_sample(__doc__)
    paths = paths[:256]  # --limit N takes fewer
    images = [load_image(p) for p in paths]
    box = WholeFrameDetector()
    classifiers = {name: create(name, device="cpu") for name in names()}
    classifiers["faceres int8"] = FaceresClassifier("cpu", precision="int8")
    timings: dict[str, dict[str, float]] = {n: {"chips": float("inf"), "networks": float("inf")} for n in classifiers}
    for _ in range(3):
        for name, classifier in classifiers.items():
            aligner = FaceAligner(classifier.chip_specs)
            start = time.perf_counter()
            chips = [aligner.chips(im, box.landmark_box(box(im)[0].bbox)) for im in images]
            cut = time.perf_counter() - start
            start = time.perf_counter()
            for i in range(0, len(chips), 32):
                classifier.decision_functions(chips[i:i + 32])
            run = time.perf_counter() - start
            timings[name]["chips"] = min(timings[name]["chips"], 1000 * cut / len(images))
            timings[name]["networks"] = min(timings[name]["networks"], 1000 * run / len(images))
    base = sum(timings["dlib"].values())
    print(f"{len(images)} UTKFace faces, batches of 32, CPU, best of 3 (landmarks and chips included in 'chips')")
    print(f"{'classifier':14s} {'chips ms':>9s} {'networks ms':>12s} {'total ms/face':>14s} {'x dlib':>7s}")
    for name, t in timings.items():
        total = sum(t.values())
        print(f"{name:14s} {t['chips']:9.2f} {t['networks']:12.2f} {total:14.2f} {total / base:7.2f}")


if __name__ == "__main__":
    main()
