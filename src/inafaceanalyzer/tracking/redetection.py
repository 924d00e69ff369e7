"""Re-detecting known faces in small windows around them: the tracking engine's follower.

Between two full-frame detections, :class:`~inafaceanalyzer.tracking.TrackingDetector`
looks for each tracked face again with the face detector itself, on a square
window around where the face is expected, ``window_scale`` face sizes wide and
resized to ``side`` x ``side`` pixels (so the face is about 50 px there,
whatever its size in the frame, and the detector always sees one input size).
On a 960x540 frame that costs a few percent of a full detection per face, and
the boxes, landmarks and confidences are the detector's own.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ..detection.protocols import Detector, LookingDetector
from ..types import Detection, Rect

WINDOW_SCALE = 3.0  # window side, in face sizes (the larger side of the face's box)
WINDOW_SIDE = 128  # pixels: the side the windows are resized to before detection
EDGE = 0.05  # share of the window's side, along each edge, that a face's box may not reach
RETRY_ZOOM = 1.4  # a window where nothing was found is looked at again this much closer
MERGE_IOU = 0.3  # faces found in two windows overlapping this much are one (YuNet's own NMS threshold)


def window_around(box: Rect, scale: float = WINDOW_SCALE) -> Rect:
    """The square of side ``scale`` x the larger side of ``box``, centred on it."""
    return box.square.scale(scale)


def crop_window(image: np.ndarray, window: Rect, side: int = WINDOW_SIDE) -> tuple[np.ndarray, float]:
    """The pixels of ``window`` (black outside the frame) resized to ``side`` x ``side``.

    Returns the crop and its scale (crop pixels per frame pixel).
    """
    scale = side / max(window.w, 1e-6)
    h, w = image.shape[:2]
    x1, y1 = max(0, int(np.floor(window.x1))), max(0, int(np.floor(window.y1)))
    x2, y2 = min(w, int(np.ceil(window.x2))), min(h, int(np.ceil(window.y2)))
    canvas = np.zeros((side, side) + image.shape[2:], image.dtype)
    if x2 <= x1 or y2 <= y1:
        return canvas, scale
    ox, oy = max(0, round((x1 - window.x1) * scale)), max(0, round((y1 - window.y1) * scale))
    cw, ch = min(side - ox, round((x2 - x1) * scale)), min(side - oy, round((y2 - y1) * scale))
    if cw < 1 or ch < 1:
        return canvas, scale
    step = max(1, int(1 / scale))  # every step-th pixel, then linear interpolation: 7 times cheaper than INTER_AREA
    canvas[oy : oy + ch, ox : ox + cw] = cv2.resize(
        image[y1:y2:step, x1:x2:step], (cw, ch), interpolation=cv2.INTER_LINEAR
    )
    return canvas, scale


def _to_frame(det: Detection, window: Rect, scale: float) -> Detection:
    b = det.bbox
    bbox = Rect(window.x1 + b.x1 / scale, window.y1 + b.y1 / scale, window.x1 + b.x2 / scale, window.y1 + b.y2 / scale)
    landmarks = None
    if det.landmarks is not None:
        landmarks = (det.landmarks / scale + np.array([window.x1, window.y1], np.float32)).astype(np.float32)
    return det.replace(bbox=bbox, landmarks=landmarks)


def unconfirmed(detector: Detector, image: np.ndarray) -> list[Detection]:
    """The faces ``detector`` finds in ``image``, before its second look when it can defer it
    (a :class:`~inafaceanalyzer.detection.protocols.LookingDetector`)."""
    if isinstance(detector, LookingDetector):
        return list(detector.unconfirmed(image))
    return list(detector(image))


def confirmed(detector: Detector, image: np.ndarray, detections: list[Detection]) -> list[Detection]:
    """Those of ``detections`` (from :func:`unconfirmed`) that ``detector``'s second look keeps."""
    if isinstance(detector, LookingDetector) and detections:
        return list(detector.confirm(image, detections))
    return list(detections)


def min_face_size(detector: Detector, frame: np.ndarray | tuple[int, ...]) -> float:
    """The smallest face (larger side, frame pixels) ``detector`` keeps on a full frame like ``frame``
    (an image, or its shape)."""
    opts = getattr(detector, "options", None)
    if opts is None:
        return 0.0
    shape = frame.shape if isinstance(frame, np.ndarray) else frame
    return max(opts.min_size_px, opts.min_size_prct * min(shape[:2]))


def detect_in_windows(
    detector: Detector,
    image: np.ndarray,
    boxes: Sequence[Rect],
    scale: float = WINDOW_SCALE,
    side: int = WINDOW_SIDE,
    may_start: Sequence[bool] | None = None,
) -> tuple[list[Detection], list[bool]]:
    """The faces ``detector`` finds in windows around ``boxes`` (frame coordinates), and which may start tracks.

    A window where the detector finds nothing is looked at again
    ``RETRY_ZOOM`` times closer (the detector's score depends on the face's
    size in pixels; a face it misses at one size it often finds at another).
    Faces smaller than the detector keeps on full frames are left out. A face
    is whole when its box keeps off its window's edges (``EDGE``): a face
    cut by the edge is boxed short, inside the window, so only whole faces
    may start new tracks, and only in the windows ``may_start`` allows (all
    by default); any may be matched to the track it was looked for.
    Faces found in two windows are merged (the more confident is kept).
    The detector's second look is left out: the caller confirms the faces
    that start tracks (:func:`confirmed`).
    """
    min_size = min_face_size(detector, image)
    found: list[tuple[Detection, bool]] = []
    for i, box in enumerate(boxes):
        starts = may_start is None or may_start[i]
        for zoom in (1.0, RETRY_ZOOM):  # nothing found: once more, closer
            window = window_around(box, scale / zoom)
            crop, s = crop_window(image, window, side)
            inner = window.scale(1 - 2 * EDGE)
            here = [_to_frame(det, window, s) for det in unconfirmed(detector, crop)]
            found += [(d, starts and d.bbox.intersect(inner).area >= 0.99 * d.bbox.area)
                      for d in here if d.bbox.max_dim_len >= min_size]
            if here:
                break
    found.sort(key=lambda f: (not f[1], -f[0].detect_conf))  # those that may start tracks first
    kept: list[tuple[Detection, bool]] = []
    for det, whole in found:
        if all(det.bbox.iou(k.bbox) < MERGE_IOU for k, _ in kept):
            kept.append((det, whole))
    return [d for d, _ in kept], [w for _, w in kept]
