"""The second look: each detection is looked at again before it becomes a face row.

A real face stays a face when the detector looks at it again at another size or
in a mirror; most look-alikes (a dog, a carved lion, a headlight, a galaxy, the
back of a head) are boxed at one scale only. The second look cuts a square
window twice the face's size around each detection (black outside the frame),
resizes it so the face measures each of :data:`LOOK_FACE_SIZES` pixels (the
sizes where YuNet is most reliable), and runs the same detector on it, as it
is and mirrored. A look's score is the best score of its detections that
overlap the expected box (IoU >= :data:`LOOK_MIN_IOU`), 0 when none does. The
second-look score is the mean of the original score and the looks'; the
detection is kept when it reaches the threshold. Detections the detector
itself scored high enough are kept without a second look, which spares its
cost on most clear faces (both limits are in
:class:`~inafaceanalyzer.detection.DetectionOptions`). Measured in
``docs/detection.md`` (``benchmarks/detection_precision.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..types import Detection, Rect

LOOK_FACE_SIZES = (48, 64, 96)  # the face's size in each look, pixels
LOOK_CONTEXT = 2.0  # the window's side, in face sizes
LOOK_MIN_IOU = 0.4  # a look's detection must overlap the expected box this much

Redetect = Callable[[np.ndarray], Sequence[Detection]]


def look_window(image: np.ndarray, bbox: Rect) -> tuple[np.ndarray, Rect]:
    """The square window ``LOOK_CONTEXT`` times the face's size around ``bbox``, black outside
    ``image``, and ``bbox`` in the window's coordinates."""
    side = max(1, round(LOOK_CONTEXT * bbox.max_dim_len))
    cx, cy = bbox.center
    x0, y0 = round(cx - side / 2), round(cy - side / 2)
    window = np.zeros((side, side, image.shape[2]), dtype=image.dtype)
    h, w = image.shape[:2]
    sx1, sy1, sx2, sy2 = max(0, x0), max(0, y0), min(w, x0 + side), min(h, y0 + side)
    if sx2 > sx1 and sy2 > sy1:
        window[sy1 - y0 : sy2 - y0, sx1 - x0 : sx2 - x0] = image[sy1:sy2, sx1:sx2]
    return window, bbox.transpose(-x0, -y0)


def look_scores(image: np.ndarray, det: Detection, redetect: Redetect) -> list[float]:
    """The score of each look at ``det`` (sizes of :data:`LOOK_FACE_SIZES`, each as is then mirrored)."""
    window, expected = look_window(image, det.bbox)
    scores = []
    for face_size in LOOK_FACE_SIZES:
        side = round(LOOK_CONTEXT * face_size)
        factor = side / window.shape[0]
        interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
        small = cv2.resize(window, (side, side), interpolation=interpolation)
        box = expected.mult(factor, factor)
        mirrored_box = Rect(side - box.x2, box.y1, side - box.x1, box.y2)
        for view, target in ((small, box), (np.ascontiguousarray(small[:, ::-1]), mirrored_box)):
            found = [d.detect_conf for d in redetect(view) if d.bbox.iou(target) >= LOOK_MIN_IOU]
            scores.append(max(found, default=0.0))
    return scores


def second_look_score(image: np.ndarray, det: Detection, redetect: Redetect) -> float:
    """The mean of ``det``'s own score and its looks' scores (0 to 1)."""
    scores = look_scores(image, det, redetect)
    return (det.detect_conf + sum(scores)) / (len(scores) + 1)


@dataclass
class SecondLookTally:
    """How many detections the second look saw and rejected (safe across threads)."""

    looked: int = 0
    rejected: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, looked: int, rejected: int) -> None:
        with self._lock:
            self.looked += looked
            self.rejected += rejected


def second_look(
    image: np.ndarray, detections: Sequence[Detection], redetect: Redetect, threshold: float, sure: float
) -> tuple[list[Detection], int, int]:
    """The detections scored ``sure`` or more, or whose second-look score reaches ``threshold``;
    how many were looked at again, and how many rejected."""
    doubtful = [d for d in detections if d.detect_conf < sure]
    rejected = [d for d in doubtful if second_look_score(image, d, redetect) < threshold]
    kept = [d for d in detections if not any(d is r for r in rejected)]
    return kept, len(doubtful), len(rejected)
