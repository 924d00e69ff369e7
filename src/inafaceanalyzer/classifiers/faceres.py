"""HSE's MobileNet age and gender network (``faceres-deep``), converted to ONNX by the project.

Input: a dlib face chip of 224 px with padding 0.4, BGR, minus the Caffe
means. Outputs: the probability of male, a softmax over 1..100 years, and the
1024-d face descriptor (``global_pooling/Mean``; the backbone was trained to
tell people apart), available from :meth:`FaceresClassifier.descriptors`.
Provenance: :data:`inafaceanalyzer.models.FACERES` and
``inafaceanalyzer/weights/faceres-deep.txt``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..classification.alignment import ChipSpec, FaceChips
from ..models import FACERES, LANDMARKS_5, onnx_session
from .base import DecisionClassifier, log_odds, stack

CHIP = ChipSpec(224, 0.4)
CAFFE_MEANS_BGR = np.array([103.939, 116.779, 123.68], np.float32)
AGES = np.arange(1, 101, dtype=np.float64)


class FaceresClassifier(DecisionClassifier):
    """faceres-deep run by ONNX Runtime. ``age_flip``: average the age
    probabilities of each chip and its mirror image (one more inference)."""

    name = "faceres"
    chip_specs = (CHIP,)

    def __init__(self, device: str = "auto", threads: int = 0, age_flip: bool = False) -> None:
        self.age_flip = age_flip
        self._session = onnx_session(FACERES, device, threads)

    @property
    def providers(self) -> list[str]:
        return self._session.get_providers()

    def provenance(self) -> dict:
        return {m.key: m.provenance() for m in (FACERES, LANDMARKS_5)}

    def outputs(self, chips: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(p_male [N], age probabilities [N, 100], descriptors [N, 1024])`` of RGB ``[N, 224, 224, 3]`` chips."""
        x = chips[..., ::-1].astype(np.float32) - CAFFE_MEANS_BGR
        male, age, descriptor = self._session.run(["male", "age", "descriptor"], {"input": x})
        return male[:, 0], age, descriptor

    def descriptors(self, faces: Sequence[FaceChips]) -> np.ndarray:
        """``[N, 1024]`` face descriptors (to recognise the same person across shots)."""
        if not faces:
            return np.zeros((0, 1024), np.float32)
        return self.outputs(stack(faces, CHIP))[2]

    def decision_functions(self, faces: Sequence[FaceChips]) -> tuple[np.ndarray, np.ndarray]:
        if not faces:
            return np.zeros(0), np.zeros(0)
        chips = stack(faces, CHIP)
        male, age, _ = self.outputs(chips)
        age = age.astype(np.float64)
        if self.age_flip:
            age = (age + self.outputs(np.ascontiguousarray(chips[:, :, ::-1]))[1]) / 2
        return log_odds(male), age @ AGES
