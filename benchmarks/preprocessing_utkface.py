#!/usr/bin/env python3
"""Preprocessing variants on the UTKFace dev set: what helps gender accuracy and age error.

Every variant runs the real engine on the same 2,000 cropped faces and is
compared with the training-time preprocessing (both chips with dlib's padding
0.2, no flipping) face by face: the 95 % interval of each gain is a paired
bootstrap over faces (2,000 resamples).

* age / gender chip padding (the margin ``dlib.get_face_chip_details`` leaves
  around the landmarks): tighter or looser than at training time;
* mirror test-time augmentation (probabilities of the face and of its mirror
  image averaged), for age (``GenderAgeClassifier(age_flip=True)``) or gender;
* the landmark box: the whole image scaled by 0.9 or 1.1 around its centre;
* the ``image`` engine (faces detected on the crops padded by 25 %) with the
  training-time and the current age padding.

    python benchmarks/preprocessing_utkface.py [--limit N]
"""

import math

import numpy as np
import pandas as pd

from _shared import utkface_sample
from inafaceanalyzer import Detection, GenderAgeClassifier, ImageAnalyzer, PreprocessedImageAnalyzer, Rect
from inafaceanalyzer.alignment import AGE_CHIP_SIZE, CHIP_PADDING, GENDER_CHIP_SIZE, ChipSpec, FaceAligner
from inafaceanalyzer.detection import DetectionOptions, WholeFrameDetector, YuNetDetector
from inafaceanalyzer.evaluation.choice import choose_faces


class CentredBoxDetector(WholeFrameDetector):
    """The landmark box is the whole image scaled by ``share`` around its centre."""

    def __init__(self, share):
        super().__init__()
        self.share = share

    def _detect(self, image):
        return [Detection(Rect(0, 0, image.shape[1], image.shape[0]).scale(self.share), math.nan)]


class GenderFlipClassifier(GenderAgeClassifier):
    """Gender probabilities averaged over each chip and its mirror image."""

    def gender_probabilities(self, chips):
        flipped = np.ascontiguousarray(chips[:, :, ::-1])
        return (super().gender_probabilities(chips) + super().gender_probabilities(flipped)) / 2


def run(analyzer, paths, gender_padding=CHIP_PADDING, age_padding=CHIP_PADDING):
    classifier = analyzer.classifier
    classifier.gender_chip = ChipSpec(GENDER_CHIP_SIZE, gender_padding)
    classifier.age_chip = ChipSpec(AGE_CHIP_SIZE, age_padding)
    classifier.chip_specs = (classifier.gender_chip, classifier.age_chip)
    analyzer.aligner = FaceAligner(classifier.chip_specs)
    labels = pd.DataFrame({"path": paths, "box": None})
    df = choose_faces(labels, analyzer(paths)).set_index("frame").reindex(paths)
    return df.sex_label.fillna("u").to_numpy(), df.age_label.to_numpy(dtype=float)


def paired_interval(gain, rng, n=2000):
    means = [gain[rng.integers(0, len(gain), len(gain))].mean() for _ in range(n)]
    return np.percentile(means, [2.5, 97.5])


def main():
    root, labels, paths = utkface_sample(__doc__)
    gender, age = labels.gender.to_numpy(), labels.age.to_numpy(dtype=float)
    adult = age >= 20
    plain, age_flip, gender_flip = (GenderAgeClassifier("cpu"), GenderAgeClassifier("cpu", age_flip=True),
                                    GenderFlipClassifier("cpu"))
    cropped = lambda classifier: PreprocessedImageAnalyzer(classifier, batch_len=64)  # noqa: E731
    boxed = lambda share: ImageAnalyzer(CentredBoxDetector(share), plain, batch_len=64)  # noqa: E731
    detected = ImageAnalyzer(YuNetDetector(DetectionOptions(min_size_px=0, padd_prct=0.25)), plain, batch_len=64)
    variants = {
        "training-time (paddings 0.2)": run(cropped(plain), paths),
        "age padding 0.15 (new default)": run(cropped(plain), paths, age_padding=0.15),
        "age padding 0.10": run(cropped(plain), paths, age_padding=0.10),
        "age padding 0.25": run(cropped(plain), paths, age_padding=0.25),
        "gender padding 0.15": run(cropped(plain), paths, gender_padding=0.15),
        "gender padding 0.25": run(cropped(plain), paths, gender_padding=0.25),
        "age flip": run(cropped(age_flip), paths),
        "age padding 0.15 + age flip": run(cropped(age_flip), paths, age_padding=0.15),
        "gender flip": run(cropped(gender_flip), paths),
        "landmark box 0.9 x image": run(boxed(0.9), paths),
        "landmark box 1.1 x image": run(boxed(1.1), paths),
        "image engine, paddings 0.2": run(detected, paths),
        "image engine, age padding 0.15": run(detected, paths, age_padding=0.15),
    }
    base_right = variants["training-time (paddings 0.2)"][0] == gender
    base_err = np.abs(variants["training-time (paddings 0.2)"][1] - age)
    rng = np.random.default_rng(0)
    print(f"{len(paths)} faces from {root}; gains against the training-time preprocessing, 95 % paired intervals")
    print(f"{'variant':34s} {'gender acc':>10s} {'acc 20+':>8s} {'gain (pt)':>19s} {'age MAE':>8s} {'RMSE':>6s} "
          f"{'MAE gain (years)':>22s}")
    for name, (sex, est) in variants.items():
        right, err = sex == gender, np.abs(est - age)  # a face not found is a gender error, and has no age
        acc_gain = (right.astype(float) - base_right) * 100
        mae_gain = (base_err - err)[~np.isnan(err)]
        a_lo, a_hi = paired_interval(acc_gain, rng)
        m_lo, m_hi = paired_interval(mae_gain, rng)
        print(f"{name:34s} {right.mean():10.4f} {right[adult].mean():8.4f} {acc_gain.mean():+6.2f} "
              f"[{a_lo:+5.2f},{a_hi:+5.2f}] {np.nanmean(err):8.3f} {np.sqrt(np.nanmean((est - age) ** 2)):6.2f} "
              f"{mae_gain.mean():+6.3f} [{m_lo:+6.3f},{m_hi:+6.3f}]")
    found = ~np.isnan(variants["image engine, paddings 0.2"][1])
    print(f"image engine: faces found on {found.mean():.1%} of the crops; its age errors are on those")


if __name__ == "__main__":
    main()
