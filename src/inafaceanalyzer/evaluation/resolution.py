"""Accuracy against face resolution: each face brought down to N pixels, then back up.

As in the original paper (faces "resized to target dimensions using OpenCV"),
the face is downscaled so that its side is N pixels (``cv2.INTER_AREA``, as a
camera would average light) and upscaled back to its original size
(``cv2.INTER_LINEAR``), then aligned and classified exactly as at full
resolution, in the same image and with the face box found at full
resolution. The face's side is the whole image's largest side for
already-cropped faces, and the side of the ``bbox`` column (the detector's
box squared and scaled by 1.1) for detected ones, whose surroundings
(:data:`CONTEXT` times the box) are degraded with them. Faces already at N
pixels or fewer are left as they are (the ``degraded`` column counts the
others). Abstention is not applied here.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import pandas as pd
from PIL import Image

from ..classification.alignment import FaceAligner
from ..classifiers import FaceClassifier
from ..detection import DetectionOptions, FaceDetector
from ..media.images import load_image
from ..media.prefetch import prefetch
from ..engines.pipeline import analyze_stream, reported_bbox
from ..types import Detection, Frame, Rect
from .groups import with_groups
from .metrics import score_table
from .predict import OK, WHOLE_IMAGE

PAPER_RESOLUTIONS = (10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 224)
CONTEXT = 2.5  # side of the region degraded around a detected face, in landmark-box sides
RESOLUTION_COLUMNS = ["resolution", "faces", "degraded", "accuracy", "age_mae", "age_rmse", "age_mean_error"]

StageProgress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class FaceRegion:
    """Where a labelled face is: ``box`` its landmark box in the image (``None``: the whole
    image is the face) and ``side`` its size in pixels (``bbox`` side, or the image's largest side)."""

    key: int
    path: str
    side: float
    box: Rect | None = None


class QueuedBoxDetector(FaceDetector):
    """Gives each frame the landmark box queued for it by :meth:`push` (``None``: the
    whole frame), in order.

    Not stateless, so the streaming core calls it one frame at a time, in
    frame order: the frame source pushes each frame's box before yielding it.
    """

    stateless = False

    def __init__(self) -> None:
        super().__init__(DetectionOptions(minconf=0, min_size_px=0))
        self._boxes: deque[Rect | None] = deque()

    def push(self, box: Rect | None) -> None:
        self._boxes.append(box)

    def __call__(self, frame: np.ndarray) -> list[Detection]:
        return self._detect(frame)

    def _detect(self, image: np.ndarray) -> list[Detection]:
        box = self._boxes.popleft()
        if box is None:
            box = Rect(0, 0, image.shape[1], image.shape[0])
        return [Detection(bbox=box, detect_conf=math.nan)]


def face_regions(
    predictions: pd.DataFrame, detector: FaceDetector, classifier: FaceClassifier
) -> list[FaceRegion]:
    """The region of each classified face of ``predictions`` (keys: its row positions).

    Detected faces are detected again to recover the landmark box behind their ``bbox``.
    """
    regions = []
    for key, row in enumerate(predictions.itertuples(index=False)):
        if row.status != OK:
            continue
        if row.face_source == WHOLE_IMAGE:
            regions.append(FaceRegion(key, row.path, float(max(image_size(row.path)))))
            continue
        image = load_image(row.path)
        for det in detector(image):
            if reported_bbox(det.bbox, classifier) == tuple(row.bbox):
                side = float(row.bbox[2] - row.bbox[0])
                regions.append(FaceRegion(key, row.path, side, detector.landmark_box(det.bbox)))
                break
    return regions


def image_size(path: str) -> tuple[int, int]:
    """``(width, height)`` of an image file, from its header (orientation aside)."""
    with Image.open(path) as img:
        return img.size


def degrade(image: np.ndarray, factor: float) -> np.ndarray:
    """``image`` downscaled by ``factor`` (< 1, area averaging) and upscaled back to its size."""
    h, w = image.shape[:2]
    small = cv2.resize(image, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def face_at_resolution(region: FaceRegion, resolution: int) -> np.ndarray:
    """The face's image with the face (and its surroundings) at ``resolution`` pixels
    (as it is when the face is not larger)."""
    image = load_image(region.path)
    if resolution >= region.side:
        return image
    factor = resolution / region.side
    if region.box is None:
        return degrade(image, factor)
    x1, y1, x2, y2 = region.box.scale(CONTEXT).clip(image.shape[1], image.shape[0]).to_int()
    if x2 > x1 and y2 > y1:
        image = image.copy()  # decoded arrays may be read-only
        image[y1:y2, x1:x2] = degrade(image[y1:y2, x1:x2], factor)
    return image


def degraded_frames(regions: Sequence[FaceRegion], resolution: int, boxes: QueuedBoxDetector) -> Iterator[Frame]:
    """A frame per face at ``resolution``, its landmark box pushed to ``boxes`` first."""
    for region in regions:
        image = face_at_resolution(region, resolution)
        boxes.push(region.box)
        yield Frame(region.key, None, image)


def resolution_table(
    predictions: pd.DataFrame,
    regions: Sequence[FaceRegion],
    classifier: FaceClassifier,
    resolutions: Sequence[int] = PAPER_RESOLUTIONS,
    batch_len: int = 32,
    progress: StageProgress | None = None,
) -> pd.DataFrame:
    """Gender accuracy and age errors of the ``regions`` faces at each resolution.

    ``predictions`` gives the labels (rows addressed by the regions' keys);
    ``progress(completed, total)`` counts faces over all resolutions.
    """
    if not regions or not resolutions:
        return pd.DataFrame(columns=RESOLUTION_COLUMNS)
    aligner = FaceAligner(classifier.chip_specs)
    total, done = len(regions) * len(resolutions), itertools.count(1)

    def tick(_: Frame) -> None:
        if progress is not None:
            progress(next(done), total)

    rows = []
    for resolution in resolutions:
        boxes = QueuedBoxDetector()
        found = analyze_stream(prefetch(degraded_frames(regions, resolution, boxes)), boxes, aligner, classifier,
                               batch_len, on_frame=tick)
        labels = predictions[["gender", "age", "race"]].iloc[found["frame"].to_numpy(dtype=int)]
        faces = with_groups(pd.concat([labels.reset_index(drop=True), found[["sex_label", "age_label"]]], axis=1))
        degraded = sum(resolution < r.side for r in regions)
        rows.append({**score_table(faces).iloc[0].to_dict(), "resolution": resolution, "degraded": degraded})
    return pd.DataFrame(rows, columns=RESOLUTION_COLUMNS).astype({"faces": int, "degraded": int})
