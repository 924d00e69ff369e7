"""HSE's MobileNet age and gender network (``faceres-deep``), converted to ONNX by the project.

Input: a dlib face chip of 224 px with padding 0.4, BGR, minus the Caffe
means. Outputs: the probability of male, a softmax over 1..100 years, and the
1024-d face descriptor (``global_pooling/Mean``; the backbone was trained to
tell people apart), available from :meth:`FaceresClassifier.descriptors`.
Provenance: :data:`inafaceanalyzer.models.FACERES` and
``inafaceanalyzer/weights/faceres-deep.txt``.

Precision: ``fp32`` (the converted file) by default; ``int8`` runs the
quantized file (:data:`~inafaceanalyzer.models.FACERES_INT8`, built from the
fp32 file by ``tools/quantize_faceres.py``), about 3x faster on CPUs with
int8 dot products (AVX512-VNNI and the like) but a little less accurate
(docs/classifiers.md), so it is chosen by name (``ensemble_int8``), never
silently. The key of the file used is in the provenance, hence in the sidecar
(``options.classifier_models``).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ..classification.alignment import ChipSpec, FaceChips
from ..models import FACERES, FACERES_INT8, LANDMARKS_5, onnx_session
from .base import DecisionClassifier, log_odds, stack

CHIP = ChipSpec(224, 0.4)
CAFFE_MEANS_BGR = np.array([103.939, 116.779, 123.68], np.float32)
AGES = np.arange(1, 101, dtype=np.float64)
MODEL_FILES = {"fp32": FACERES, "int8": FACERES_INT8}  # by precision


def network_input(chips: np.ndarray) -> np.ndarray:
    """The network's input for RGB uint8 ``[N, 224, 224, 3]`` chips: BGR minus the Caffe means.

    The same values as ``chips[..., ::-1].astype(np.float32) - CAFFE_MEANS_BGR``, with the channels
    swapped by OpenCV on the batch seen as one tall image: about 2x faster than numpy's reversed-stride copy.
    """
    tall = np.ascontiguousarray(chips).reshape(-1, chips.shape[2], 3)
    bgr = cv2.cvtColor(tall, cv2.COLOR_RGB2BGR).reshape(chips.shape)
    return np.subtract(bgr, CAFFE_MEANS_BGR, dtype=np.float32)


class FaceresClassifier(DecisionClassifier):
    """faceres-deep run by ONNX Runtime. ``age_flip``: average the age
    probabilities of each chip and its mirror image (one more inference).
    ``precision``: ``fp32`` (default) or ``int8`` (the quantized file, for the CPU)."""

    name = "faceres"
    chip_specs = (CHIP,)

    def __init__(self, device: str = "auto", threads: int = 0, age_flip: bool = False,
                 precision: str = "fp32") -> None:
        if precision not in MODEL_FILES:
            raise ValueError(f"unknown precision {precision!r}: use one of {', '.join(MODEL_FILES)}")
        self.age_flip = age_flip
        self.model = MODEL_FILES[precision]
        self._session = onnx_session(self.model, device, threads)

    @property
    def providers(self) -> list[str]:
        return self._session.get_providers()

    def provenance(self) -> dict:
        return {m.key: m.provenance() for m in (self.model, LANDMARKS_5)}

    def outputs(self, chips: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(p_male [N], age probabilities [N, 100], descriptors [N, 1024])`` of RGB ``[N, 224, 224, 3]`` chips."""
        male, age, descriptor = self._session.run(["male", "age", "descriptor"], {"input": network_input(chips)})
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
