"""Both networks together: dlib's and faceres's decision functions, weighted by predicted age.

Each face's age is first estimated as the plain mean of both networks'
expected ages; that estimate picks an age band, and the band's weights mix
the two networks' log-odds of male and their ages:
``sex = w * dlib + (1 - w) * faceres`` (likewise for age, with its own
weight). The weights were fitted on one half of the UTKFace dev set and
checked on the other (``benchmarks/ensemble_fit.py``; docs/classifiers.md):
faceres is worse than dlib on older women, so dlib alone decides gender there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..classification.alignment import FaceChips
from ..classification.dlib import GenderAgeClassifier
from ..models import available_providers
from .base import DecisionClassifier
from .faceres import FaceresClassifier


@dataclass(frozen=True)
class AgeWeights:
    """dlib's weight per age band: bands split at ``edges`` (years, of the plain mean age)."""

    edges: tuple[float, ...]
    sex: tuple[float, ...]
    age: tuple[float, ...]

    def __post_init__(self) -> None:
        if not len(self.sex) == len(self.age) == len(self.edges) + 1:
            raise ValueError("one weight per age band: len(edges) + 1")
        if not all(0 <= w <= 1 for w in self.sex + self.age):
            raise ValueError("weights must lie in [0, 1]")

    def combine(self, dlib: tuple[np.ndarray, np.ndarray], faceres: tuple[np.ndarray, np.ndarray]):
        """``(sex_decfunc, age_decfunc)`` mixed from both networks' decision functions."""
        band = np.searchsorted(np.asarray(self.edges), (dlib[1] + faceres[1]) / 2, side="right")
        ws, wa = np.asarray(self.sex)[band], np.asarray(self.age)[band]
        return ws * dlib[0] + (1 - ws) * faceres[0], wa * dlib[1] + (1 - wa) * faceres[1]


PLAIN_AVERAGE = AgeWeights((), (0.5,), (0.5,))
# Bands < 13, 13-19, 20-49, 50-69, 70+ years. Age weights: fitted on one half of the
# UTKFace dev set, checked on the other (benchmarks/ensemble_fit.py). Gender weights:
# dlib alone under 13 and from 50 (faceres mislabels older women; the weights fitted
# for gender changed from one half to the other), the plain average in between;
# checked on both halves: no age x gender group worse beyond one face (docs/classifiers.md).
FITTED = AgeWeights((13.0, 20.0, 50.0, 70.0), sex=(1.0, 0.5, 0.5, 1.0, 1.0), age=(0.0, 0.3, 0.2, 0.4, 1.0))


class EnsembleClassifier(DecisionClassifier):
    """dlib's and faceres's networks, mixed by :class:`AgeWeights` (default: :data:`FITTED`);
    ``precision``: faceres's, see :class:`~inafaceanalyzer.classifiers.faceres.FaceresClassifier`."""

    name = "ensemble"

    def __init__(self, device: str = "auto", threads: int = 0, age_flip: bool = False,
                 weights: AgeWeights = FITTED, precision: str = "fp32") -> None:
        self.dlib = GenderAgeClassifier(device, threads, age_flip)
        self.faceres = FaceresClassifier(device, threads, age_flip, precision)
        self.weights = weights
        self.chip_specs = tuple(dict.fromkeys(self.dlib.chip_specs + self.faceres.chip_specs))

    def provenance(self) -> dict:
        return self.dlib.provenance() | self.faceres.provenance()

    def descriptors(self, faces: Sequence[FaceChips]) -> np.ndarray:
        """faceres's ``[N, 1024]`` face descriptors."""
        return self.faceres.descriptors(faces)

    def decision_functions(self, faces: Sequence[FaceChips]) -> tuple[np.ndarray, np.ndarray]:
        if not faces:
            return np.zeros(0), np.zeros(0)
        return self.weights.combine(self.dlib.decision_functions(faces), self.faceres.decision_functions(faces))


class EnsembleInt8Classifier(EnsembleClassifier):
    """:class:`EnsembleClassifier` with faceres in int8 (``weights/faceres-deep-int8.onnx``) on the
    CPU: its network about 3x cheaper there, with the same answers as fp32 but for a few faces
    (docs/classifiers.md). Int8 is a CPU economy: where the CUDA provider runs the networks,
    faceres runs in fp32 (the sidecar's ``options.classifier_models`` says which file ran)."""

    name = "ensemble_int8"

    def __init__(self, device: str = "auto", threads: int = 0, age_flip: bool = False,
                 weights: AgeWeights = FITTED) -> None:
        on_cpu = available_providers(device) == ["CPUExecutionProvider"]
        super().__init__(device, threads, age_flip, weights, precision="int8" if on_cpu else "fp32")


# dlib's |log-odds of male| under which the gated ensemble also asks faceres (p(male) between
# 0.27 and 0.73): 5 % of UTKFace dev faces, 16 % of the faces of the 10-minute TV benchmark.
GATE = 1.0


class GatedEnsembleClassifier(EnsembleClassifier):
    """dlib first; :class:`EnsembleClassifier`'s answer only for the faces whose dlib gender
    is unsure (``|log-odds| < gate``), so faceres runs on a fraction of the faces."""

    name = "ensemble_gated"

    def __init__(self, device: str = "auto", threads: int = 0, age_flip: bool = False,
                 weights: AgeWeights = FITTED, gate: float = GATE) -> None:
        super().__init__(device, threads, age_flip, weights)
        if not gate >= 0:
            raise ValueError(f"gate must be >= 0, got {gate}")
        self.gate = gate

    def decision_functions(self, faces: Sequence[FaceChips]) -> tuple[np.ndarray, np.ndarray]:
        sex, age = self.dlib.decision_functions(faces) if faces else (np.zeros(0), np.zeros(0))
        unsure = np.flatnonzero(np.abs(sex) < self.gate)
        if unsure.size:
            mixed = self.weights.combine((sex[unsure], age[unsure]),
                                         self.faceres.decision_functions([faces[int(i)] for i in unsure]))
            sex, age = np.array(sex, dtype=np.float64), np.array(age, dtype=np.float64)
            sex[unsure], age[unsure] = mixed
        return sex, age
