"""The one streaming core every engine runs: frames -> faces -> chips -> batched classes -> rows.

Frames are consumed one at a time and never kept; only the aligned chips of
faces waiting for the next classifier batch and the result rows are held, so
memory stays bounded whatever the length of the stream.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from .alignment import FaceAligner, FaceChips
from .classification import GenderAgeClassifier
from .parallel import ordered_map
from .types import Detection, Frame, Rect

FrameCallback = Callable[[Frame], None]


class Detector(Protocol):
    """What the core needs from a detector (plain, tracking or none)."""

    def __call__(self, frame: np.ndarray) -> list[Detection]: ...

    def landmark_box(self, bbox: Rect) -> Rect: ...


class StagedDetector(Detector, Protocol):
    """A stateful detector (a tracker) whose per-frame work splits in two.

    ``prepare(position, frame)`` does what does not depend on earlier frames
    (e.g. running a face detector on the frames it chose by their 0-based
    ``position`` in the stream); it must be thread-safe, and the core runs it
    ahead, on several frames in parallel. ``update(frame, prepared)`` then
    sees the frames one by one, in order. Both receive the whole
    :class:`~inafaceanalyzer.types.Frame`, time included.
    """

    def prepare(self, position: int, frame: Frame) -> object: ...

    def update(self, frame: Frame, prepared: object) -> list[Detection]: ...


def output_columns(classifier: GenderAgeClassifier, tracking: bool = False, timed: bool = False) -> list[str]:
    """Column order of the results table, the original's first, new ones appended."""
    cols = ["frame", "bbox", "face_id", "detect_conf", "track_conf"] if tracking else ["frame", "bbox", "detect_conf"]
    cols += list(classifier.output_cols)
    if timed:
        cols.append("time")
    return cols


def reported_bbox(bbox: Rect, classifier: GenderAgeClassifier) -> tuple[int, int, int, int]:
    """The ``bbox`` column: the detector's box squared and scaled as the classifier says."""
    if classifier.bbox2square:
        bbox = bbox.square
    return bbox.scale(classifier.bbox_scale).to_int()


@dataclass(frozen=True, slots=True)
class FrameFaces:
    """A frame's detections and their chips (the frame's pixels are not kept)."""

    index: int | str
    time: float | None
    detections: list[Detection]
    chips: list[FaceChips]
    frame: Frame


def analyze_stream(
    frames: Iterable[Frame],
    detector: Detector,
    aligner: FaceAligner,
    classifier: GenderAgeClassifier,
    batch_len: int = 32,
    tracking: bool = False,
    timed: bool = False,
    on_frame: FrameCallback | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Detect, align and classify the faces of every frame; one row per face.

    Chips are classified in batches of ``batch_len`` faces, across frames.
    ``tracking`` adds ``face_id`` and ``track_conf``; ``timed`` adds ``time``.
    ``on_frame`` is called after each frame, in order (for progress).
    ``workers`` threads detect and align frames in parallel when the detector
    is stateless (default: one per CPU core); a stateful detector (a
    tracker) always sees the frames one by one, in order, though the
    ``prepare`` stage of a :class:`StagedDetector` runs in those threads.
    """
    if batch_len < 1:
        raise ValueError(f"batch_len must be >= 1, got {batch_len}")
    if workers is None:
        workers = os.cpu_count() or 1
    stateless = getattr(detector, "stateless", False)
    staged = not stateless and hasattr(detector, "prepare") and hasattr(detector, "update")
    if not stateless and not staged:
        workers = 1

    def faces_of(frame: Frame, detections: list[Detection]) -> FrameFaces:
        chips = [aligner.chips(frame.image, detector.landmark_box(d.bbox)) for d in detections]
        return FrameFaces(frame.index, frame.time, detections, chips, frame)

    if staged:
        staged_detector: StagedDetector = detector  # type: ignore[assignment]

        def prepare(item: tuple[int, Frame]) -> tuple[Frame, object]:
            return item[1], staged_detector.prepare(item[0], item[1])

        found_frames: Iterable[FrameFaces] = (
            faces_of(frame, staged_detector.update(frame, prepared))
            for frame, prepared in ordered_map(prepare, enumerate(frames), workers)
        )
    else:
        found_frames = ordered_map(lambda frame: faces_of(frame, detector(frame.image)), frames, workers)

    rows: list[tuple] = []
    pending: list[FaceChips] = []
    classified: list[pd.DataFrame] = []
    for found in found_frames:
        for det, chips in zip(found.detections, found.chips):
            pending.append(chips)
            rows.append((found.index, reported_bbox(det.bbox, classifier), det.face_id, det.detect_conf,
                         det.track_conf, found.time))
            if len(pending) >= batch_len:
                classified.append(classifier(pending))
                pending = []
        if on_frame is not None:
            on_frame(found.frame)
    if pending:
        classified.append(classifier(pending))
    columns = output_columns(classifier, tracking, timed)
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=_EMPTY_DTYPES.get(c, "float64")) for c in columns})
    meta = pd.DataFrame(rows, columns=["frame", "bbox", "face_id", "detect_conf", "track_conf", "time"])
    scores = pd.concat(classified, ignore_index=True)
    df = pd.concat([meta, scores], axis=1)
    if tracking:
        df["face_id"] = df["face_id"].astype("int64")
    return df[columns]


_EMPTY_DTYPES = {"frame": "object", "bbox": "object", "sex_label": "object", "face_id": "int64"}
