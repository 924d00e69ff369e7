"""What the streaming core needs from a gender and age classifier.

A classifier turns a batch of aligned face chips into decision functions:
``sex_decfunc``, the log-odds ``ln(p_male / p_female)`` (positive: ``m``), and
``age_decfunc``, the expected age in years. Both are averaged over the frames
of a track (:mod:`inafaceanalyzer.tracking.smoothing`), so every classifier must give
them on these scales. It says which chips it needs (:class:`ChipSpec`) and
which model files it uses (``provenance``, written in the sidecar).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from ..classification.alignment import ChipSpec, FaceChips
from ..classification.dlib import OUTPUT_COLUMNS, PROBABILITY_FLOOR, decfunc2labels


@runtime_checkable
class FaceClassifier(Protocol):
    """A gender and age classifier as the streaming core uses it."""

    name: str  # its name in the registry
    @property
    def chip_specs(self) -> tuple[ChipSpec, ...]:
        """The chips it reads from each face (read-only here, so any tuple length conforms)."""
        ...

    output_cols: list[str]  # columns of the table ``__call__`` returns
    bbox_scale: float  # the ``bbox`` column: the detector's box squared (bbox2square) and scaled
    bbox2square: bool

    def decision_functions(self, faces: Sequence[FaceChips]) -> tuple[np.ndarray, np.ndarray]:
        """``(sex_decfunc, age_decfunc)``: log-odds of male and expected age, one per face."""
        ...

    def __call__(self, faces: Sequence[FaceChips]) -> pd.DataFrame:
        """One row per face with ``output_cols``."""
        ...

    def provenance(self) -> dict:
        """The model files used: package, file, sha256, licence, origin."""
        ...


class DecisionClassifier:
    """Base for classifiers defined by their decision functions: the labels and
    the ``bbox`` convention of :class:`~inafaceanalyzer.classification.GenderAgeClassifier`."""

    name = "?"
    chip_specs: tuple[ChipSpec, ...] = ()
    output_cols = OUTPUT_COLUMNS
    bbox_scale = 1.1
    bbox2square = True

    def decision_functions(self, faces: Sequence[FaceChips]) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def provenance(self) -> dict:
        return {}

    def __call__(self, faces: Sequence[FaceChips]) -> pd.DataFrame:
        sex, age = self.decision_functions(faces)
        return decfunc2labels(pd.DataFrame({"sex_decfunc": sex, "age_decfunc": age}))


def log_odds(p_male: np.ndarray) -> np.ndarray:
    """``ln(p / (1 - p))`` with both probabilities floored as the dlib classifier does."""
    p = np.asarray(p_male, dtype=np.float64)
    return np.log(np.clip(p, PROBABILITY_FLOOR, 1.0)) - np.log(np.clip(1.0 - p, PROBABILITY_FLOOR, 1.0))


def stack(faces: Sequence[FaceChips], spec: ChipSpec) -> np.ndarray:
    """The chips of ``spec`` of every face, ``[N, size, size, 3]``."""
    return np.stack([face[spec] for face in faces])
