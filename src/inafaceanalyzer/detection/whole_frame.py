"""The 'detector' for already-cropped faces: the whole frame is the face."""

from __future__ import annotations

import math

import numpy as np

from ..types import Detection, Rect
from .base import DetectionOptions, FaceDetector, FilterCounts


class WholeFrameDetector(FaceDetector):
    """Returns one detection covering the whole frame, with ``detect_conf`` NaN.

    Used by the ``preprocessed_image`` engine, whose inputs are faces already
    detected and cropped by another tool.
    """

    name = "none"

    def __init__(self) -> None:
        super().__init__(DetectionOptions(minconf=0, min_size_px=0))

    @classmethod
    def create(cls, options: DetectionOptions | None = None, max_side: int = 960) -> WholeFrameDetector:
        """The registry's factory: the shared detection options do not apply (nothing is detected)."""
        return cls()

    def filtered(self, frame: np.ndarray, look: bool = True) -> tuple[list[Detection], FilterCounts]:
        return self._detect(frame), FilterCounts()

    def confirm(self, frame: np.ndarray, detections: list[Detection]) -> list[Detection]:
        return list(detections)

    def _detect(self, image: np.ndarray) -> list[Detection]:
        h, w = image.shape[:2]
        return [Detection(bbox=Rect(0, 0, w, h), detect_conf=math.nan)]
