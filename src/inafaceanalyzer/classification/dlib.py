"""Batched gender and age inference, and the decision functions behind each label.

Decision functions (the columns ``sex_decfunc`` and ``age_decfunc``) are
chosen so that averaging them over the frames of a track is meaningful:

* ``sex_decfunc`` is the gender model's log-odds ``ln(p_male / p_female)``
  (probabilities clipped to [1e-7, 1], so it lies within about +-16.1).
  Positive means male: ``sex_label`` is ``m`` when it is > 0, ``f`` otherwise.
  Averaging log-odds over frames is the naive-Bayes combination of the frames'
  evidence.
* ``age_decfunc`` is the age model's expected age in years: the sum over its
  81 classes (0.25, 1, 2, ..., 80 years) of probability x class age. The mean
  of expectations is the expectation under the frames' mixture, so
  ``age_label`` (years, float) is simply ``age_decfunc``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .alignment import AGE_CHIP_PADDING, AGE_CHIP_SIZE, CHIP_PADDING, GENDER_CHIP_SIZE, ChipSpec, FaceChips
from ..models import AGE, GENDER, LANDMARKS_5, age_gender_manifest, onnx_session

PROBABILITY_FLOOR = 1e-7
OUTPUT_COLUMNS = ["sex_decfunc", "age_decfunc", "sex_label", "age_label"]


class GenderAgeClassifier:
    """dlib's gender (32x32 chips) and age (64x64, 81 classes) networks, run by ONNX Runtime.

    ``device``: ``auto`` (CUDA when ONNX Runtime has it, else CPU), ``cpu`` or ``cuda``.
    ``age_flip``: test-time augmentation for age: the age probabilities of each
    chip and of its mirror image are averaged (UTKFace dev set: age MAE 6.24 ->
    6.15 years; it costs one more age inference per face, so it is off by
    default). Gender is never flipped: it lowered accuracy
    (``benchmarks/preprocessing_utkface.py``).
    ``bbox_scale`` and ``bbox2square`` say how the ``bbox`` column is derived
    from the detector's box (squared, then scaled by 1.1 around its centre),
    the convention of the original inaFaceAnalyzer's default classifier.
    ``gender_padding`` and ``age_padding``: the margins of its two chips (see
    :mod:`inafaceanalyzer.classification.alignment`). Registered as ``dlib`` in
    :mod:`inafaceanalyzer.classifiers`.
    """

    name = "dlib"
    bbox_scale = 1.1
    bbox2square = True
    output_cols = OUTPUT_COLUMNS

    def __init__(
        self,
        device: str = "auto",
        threads: int = 0,
        age_flip: bool = False,
        gender_padding: float = CHIP_PADDING,
        age_padding: float = AGE_CHIP_PADDING,
    ) -> None:
        self.age_flip = age_flip
        self.gender_chip = ChipSpec(GENDER_CHIP_SIZE, gender_padding)
        self.age_chip = ChipSpec(AGE_CHIP_SIZE, age_padding)
        self.chip_specs = (self.gender_chip, self.age_chip)
        manifest = age_gender_manifest()
        models = manifest["models"]
        self._means = {
            task: np.asarray(models[task]["input"]["normalization"]["means"], np.float32)
            for task in ("gender", "age")
        }
        self._input = {task: models[task]["input"]["name"] for task in ("gender", "age")}
        labels = models["gender"]["labels"]
        self._male, self._female = labels.index("male"), labels.index("female")
        self.class_ages = np.asarray(models["age"]["age_weights"], dtype=np.float64)
        self._gender = onnx_session(GENDER, device, threads)
        self._age = onnx_session(AGE, device, threads)

    @property
    def providers(self) -> list[str]:
        return self._gender.get_providers()

    def provenance(self) -> dict:
        """The model files used (package, file, sha256, licence)."""
        return {m.key: m.provenance() for m in (GENDER, AGE, LANDMARKS_5)}

    def _prepare(self, chips: np.ndarray, task: str) -> np.ndarray:
        values = chips.astype(np.float32)
        values -= self._means[task]
        values /= np.float32(256.0)
        return np.ascontiguousarray(values.transpose(0, 3, 1, 2))

    def gender_probabilities(self, chips: np.ndarray) -> np.ndarray:
        """``[N, 2]`` probabilities (female, male order of the model) for ``[N, 32, 32, 3]`` chips."""
        return self._gender.run(None, {self._input["gender"]: self._prepare(chips, "gender")})[0]

    def age_probabilities(self, chips: np.ndarray) -> np.ndarray:
        """``[N, 81]`` class probabilities for ``[N, 64, 64, 3]`` chips."""
        return self._age.run(None, {self._input["age"]: self._prepare(chips, "age")})[0]

    def decision_functions(self, faces: Sequence[FaceChips]) -> tuple[np.ndarray, np.ndarray]:
        """``(sex_decfunc, age_decfunc)`` arrays for a batch of faces."""
        if not faces:
            return np.zeros(0), np.zeros(0)
        pg = self.gender_probabilities(np.stack([f[self.gender_chip] for f in faces])).astype(np.float64)
        age_chips = np.stack([f[self.age_chip] for f in faces])
        pa = self.age_probabilities(age_chips).astype(np.float64)
        if self.age_flip:
            pa = (pa + self.age_probabilities(np.ascontiguousarray(age_chips[:, :, ::-1]))) / 2
        pg = np.clip(pg, PROBABILITY_FLOOR, 1.0)
        sex = np.log(pg[:, self._male]) - np.log(pg[:, self._female])
        age = pa @ self.class_ages
        return sex, age

    def __call__(self, faces: Sequence[FaceChips]) -> pd.DataFrame:
        """Classify a batch of faces: one row per face with :data:`OUTPUT_COLUMNS`."""
        sex, age = self.decision_functions(faces)
        df = pd.DataFrame({"sex_decfunc": sex, "age_decfunc": age})
        return decfunc2labels(df)


def sex_labels(sex_decfunc: np.ndarray | pd.Series) -> np.ndarray:
    """``m`` where the log-odds are positive, ``f`` otherwise."""
    return np.where(np.asarray(sex_decfunc) > 0, "m", "f")


def decfunc2labels(df: pd.DataFrame, suffix: str = "") -> pd.DataFrame:
    """Add ``sex_label{suffix}`` and ``age_label{suffix}`` derived from the decision functions."""
    df[f"sex_label{suffix}"] = sex_labels(df[f"sex_decfunc{suffix}"])
    df[f"age_label{suffix}"] = df[f"age_decfunc{suffix}"].astype(float)
    return df
