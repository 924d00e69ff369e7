"""Face landmarks and aligned face chips, cut exactly as the classifiers were trained.

dlib's 5-point landmark model is run in a face box, then
``dlib.get_face_chip_details(shape, size, padding=0.2)`` and
``dlib.extract_image_chip`` cut one chip per classifier input size (32 px for
gender, 64 px for age), as dlib's training code did.
"""

from __future__ import annotations

from dataclasses import dataclass

import dlib
import numpy as np

from .models import LANDMARKS_5
from .types import Rect

CHIP_PADDING = 0.2
GENDER_CHIP_SIZE = 32
AGE_CHIP_SIZE = 64


@dataclass(frozen=True, slots=True)
class FaceChips:
    """The aligned crops of one face: ``gender`` ``[32, 32, 3]`` and ``age`` ``[64, 64, 3]`` RGB uint8."""

    gender: np.ndarray
    age: np.ndarray


class FaceAligner:
    """Finds dlib's 5 landmarks in a face box and cuts the classifier chips."""

    def __init__(self) -> None:
        self._predictor = dlib.shape_predictor(str(LANDMARKS_5.path()))

    def landmarks(self, image: np.ndarray, box: Rect) -> np.ndarray:
        """dlib's 5 landmarks (``[5, 2]``: eye corners and nose base) found in ``box``."""
        shape = self._predictor(image, _dlib_rect(box))
        return np.array([[p.x, p.y] for p in shape.parts()], dtype=np.float32)

    def chips(self, image: np.ndarray, box: Rect) -> FaceChips:
        """Both classifier chips of the face in ``box`` (a landmark-model box, see
        :meth:`~inafaceanalyzer.detection.FaceDetector.landmark_box`)."""
        shape = self._predictor(image, _dlib_rect(box))
        return FaceChips(
            gender=_chip(image, shape, GENDER_CHIP_SIZE),
            age=_chip(image, shape, AGE_CHIP_SIZE),
        )


def _chip(image: np.ndarray, shape: dlib.full_object_detection, size: int) -> np.ndarray:
    details = dlib.get_face_chip_details(shape, size, CHIP_PADDING)
    return np.ascontiguousarray(dlib.extract_image_chip(image, details))


def _dlib_rect(box: Rect) -> dlib.rectangle:
    x1, y1, x2, y2 = box.to_int()
    return dlib.rectangle(x1, y1, max(x1, x2 - 1), max(y1, y2 - 1))
