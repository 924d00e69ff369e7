"""The one streaming core every engine runs: frames -> faces -> chips -> batched classes -> rows.

:func:`iter_results` is the core: it yields each frame with its classified
face rows, in order, as soon as they are known (at every frame when asked:
live analysis); the engines run it through
:meth:`~inafaceanalyzer.engines.analyzers.FaceAnalyzer.stream`, which adds their
per-row rules. :func:`analyze_stream` gathers its rows into one table. Frames are consumed one at a time and never
kept; only the aligned chips of faces waiting for the next classifier batch
and the result rows are held, so memory stays bounded whatever the length of
the stream.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pandas as pd

from ..classification.alignment import FaceAligner, FaceChips
from ..classifiers.base import FaceClassifier
from ..detection.protocols import Detector, StagedDetector
from .options import check as check_option
from .parallel import BackgroundCalls, ordered_map
from ..results.columns import META_COLUMNS as _META
from ..results.columns import output_columns
from ..results.table import FrameResult, results_table
from ..types import Detection, Frame, Rect

FrameCallback = Callable[[Frame], None]


def reported_bbox(bbox: Rect, classifier: FaceClassifier) -> tuple[int, int, int, int]:
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


def iter_results(
    frames: Iterable[Frame],
    detector: Detector,
    aligner: FaceAligner,
    classifier: FaceClassifier,
    batch_len: int = 32,
    tracking: bool = False,
    timed: bool = False,
    on_frame: FrameCallback | None = None,
    workers: int | None = None,
    flush_every_frame: bool = False,
    ahead: int | None = None,
) -> Iterator[FrameResult]:
    """The streaming core: detect, align and classify the faces of each frame; one
    :class:`FrameResult` per frame, in order.

    Chips are classified in batches of ``batch_len`` faces, across frames, in a
    thread of their own (beside detection and tracking, at most a few batches
    ahead), and a frame comes out once all its faces are classified. With
    ``flush_every_frame`` the batch is also classified at the end of every
    frame, so each frame comes out as soon as it is analysed, with its pixels
    (``FrameResult.frame``: live display and recording); otherwise frames
    waiting for their batch keep only their rows, so memory stays bounded.
    ``tracking`` adds ``face_id`` and ``track_conf``; ``timed`` adds ``time``.
    ``on_frame`` is called as soon as each frame's faces are detected, in
    order (for progress). ``workers`` threads detect and align frames in
    parallel when the detector is stateless (default: one per CPU core), at
    most ``ahead`` frames in flight (default: twice ``workers``); a stateful
    detector (a tracker) always sees the frames one by one, in order, though
    the ``prepare`` stage of a :class:`StagedDetector` runs in those threads.
    """
    check_option("batch_size", batch_len, "batch_len")
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

        updated = (  # in order, in this thread; detection ahead in the workers, and alignment unless live
            (frame, staged_detector.update(frame, prepared))
            for frame, prepared in ordered_map(prepare, enumerate(frames), workers, ahead)
        )
        found_frames: Iterable[FrameFaces] = ordered_map(
            lambda item: faces_of(*item), updated, 1 if flush_every_frame else workers, ahead
        )
    else:
        found_frames = ordered_map(lambda frame: faces_of(frame, detector(frame.image)), frames, workers, ahead)

    columns = output_columns(classifier, tracking, timed)
    scores_at = {name: i for i, name in enumerate(classifier.output_cols)}
    picks = [(False, _META.index(c)) if c in _META else (True, scores_at[c]) for c in columns]
    pending: list[FaceChips] = []
    scores: deque[tuple] = deque()  # classified faces not yet joined to their frame's rows
    # frames, in order, whose faces await their scores: (index, time, frame kept or None, rows without scores)
    waiting: deque[tuple[int | str, float | None, Frame | None, list[tuple]]] = deque()
    # batches are classified in a thread of their own, beside detection and tracking (this thread)
    batches: BackgroundCalls[list[FaceChips], pd.DataFrame] = BackgroundCalls(classifier)

    def classify() -> None:
        nonlocal pending
        batches.submit(pending)
        pending = []

    def collect(wait: bool = False) -> None:
        for table in batches.results(wait):
            scores.extend(table.itertuples(index=False, name=None))

    def ready() -> Iterator[FrameResult]:
        collect()
        while waiting and len(scores) >= len(waiting[0][3]):
            index, time, frame, metas = waiting.popleft()
            rows = []
            for meta in metas:
                score = scores.popleft()
                rows.append(tuple(score[i] if from_scores else meta[i] for from_scores, i in picks))
            yield FrameResult(index, time, rows, columns, frame)

    with batches:
        for found in found_frames:
            metas: list[tuple] = []
            waiting.append((found.index, found.time, found.frame if flush_every_frame else None, metas))
            for det, chips in zip(found.detections, found.chips):
                pending.append(chips)
                metas.append((found.index, reported_bbox(det.bbox, classifier), det.face_id, det.detect_conf,
                              det.track_conf, found.time))
                if len(pending) >= batch_len:
                    classify()
            if on_frame is not None:
                on_frame(found.frame)
            if flush_every_frame:
                if pending:
                    classify()
                collect(wait=True)
            yield from ready()
        if pending:
            classify()
        collect(wait=True)
        yield from ready()


def analyze_stream(
    frames: Iterable[Frame],
    detector: Detector,
    aligner: FaceAligner,
    classifier: FaceClassifier,
    batch_len: int = 32,
    tracking: bool = False,
    timed: bool = False,
    on_frame: FrameCallback | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Detect, align and classify the faces of every frame; one row per face.

    :func:`iter_results` gathered into one table: chips are classified in
    batches of ``batch_len`` faces, across frames. ``tracking`` adds
    ``face_id`` and ``track_conf``; ``timed`` adds ``time``. ``on_frame`` is
    called after each frame, in order (for progress). ``workers``: see
    :func:`iter_results`.
    """
    rows: list[tuple] = []
    results = iter_results(frames, detector, aligner, classifier, batch_len, tracking, timed, on_frame, workers)
    for result in results:
        rows.extend(result.rows)
    return results_table(rows, output_columns(classifier, tracking, timed))

