"""Counts of the faces an analysis left out, and of those it answered ``u``, with a one-line summary.

The detector's filters drop faces (:class:`~inafaceanalyzer.detection.DetectionOptions`:
confidence, minimum size in pixels, minimum size as a share of the frame);
the abstention rule (:mod:`inafaceanalyzer.classification.abstention`) keeps a face but
answers ``sex_label`` ``u``. An engine's stream counts both
(:class:`LeftOut`), so that a run finding no face says why and how to keep
them (e.g. ``--min_face_size_px 0`` for a clip of small faces).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np

from ..detection.base import DetectionOptions, FaceDetector, FilterCounts
from ..types import Detection, Rect


@dataclass
class LeftOut:
    """Faces dropped by each detector filter, and rows answered ``u`` by the abstention rule.

    ``detect_conf``, ``min_face_size_px``, ``min_face_size_percent``: faces
    found by the detector and dropped by that filter (each face counted once,
    for the first filter it fails in that order; with tracking, on detection
    frames only). ``second_look``: detections the detector's second look turned
    down as not faces (not counted as dropped faces). ``gender_unknown``: rows
    kept with ``sex_label`` ``u``, ``gender_unknown_child`` of which because the face looks
    like a child (``--child_age``, ``--young_age``).
    ``limits``: the detector's thresholds, for the summary.
    """

    detect_conf: int = 0
    min_face_size_px: int = 0
    min_face_size_percent: int = 0
    second_look: int = 0
    gender_unknown: int = 0
    gender_unknown_child: int = 0
    limits: DetectionOptions | None = None
    lowest_conf: float = math.inf  # of the faces dropped for their detection confidence
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, counts: FilterCounts) -> None:
        """Add one frame's filter counts (thread-safe: detection runs in several threads)."""
        with self._lock:
            self.detect_conf += counts.detect_conf
            self.min_face_size_px += counts.min_size_px
            self.min_face_size_percent += counts.min_size_prct
            self.second_look += counts.second_look
            self.lowest_conf = min(self.lowest_conf, counts.lowest_conf)

    @property
    def dropped(self) -> int:
        """Faces dropped by the detector's filters."""
        return self.detect_conf + self.min_face_size_px + self.min_face_size_percent

    def as_dict(self) -> dict:
        """The sidecar's ``left_out`` section: counts, and how to keep the faces dropped."""
        return {"detect_conf": self.detect_conf, "min_face_size_px": self.min_face_size_px,
                "min_face_size_percent": self.min_face_size_percent, "dropped": self.dropped,
                "second_look": self.second_look,
                "gender_unknown": self.gender_unknown, "to_keep_them": self.advice()}

    def reasons(self) -> list[str]:
        """Why faces were dropped, one phrase per filter that dropped any."""
        limits = self.limits or DetectionOptions()
        phrases = []
        if self.detect_conf:
            phrases.append(f"detection confidence below {limits.minconf:g}: {self.detect_conf}")
        if self.min_face_size_px:
            phrases.append(f"smaller than {limits.min_size_px:g} px: {self.min_face_size_px}")
        if self.min_face_size_percent:
            phrases.append(f"smaller than {limits.min_size_prct:g} of the frame: {self.min_face_size_percent}")
        return phrases

    def advice(self) -> str | None:
        """The options that would keep the faces dropped (``None`` when none was)."""
        options = []
        if self.detect_conf:
            options.append(f"--face_detection_confidence {math.floor(self.lowest_conf * 100) / 100:g}")
        options += [f"{option} 0" for key, option in (("min_face_size_px", "--min_face_size_px"),
                                                       ("min_face_size_percent", "--min_face_size_percent"))
                    if getattr(self, key)]
        return "use " + " and ".join(options) if options else None

    def summary(self) -> str:
        """``""``, or ``"; 4 left out (smaller than 30 px: 4; use --min_face_size_px 0)"`` and the ``u`` answers."""
        parts = []
        if self.dropped:
            parts.append(f"{self.dropped} left out ({'; '.join(self.reasons())}; {self.advice()})")
        if self.second_look:
            parts.append(f"{self.second_look} detections turned down as not faces by the second look "
                         "(--no_second_look keeps them)")
        if self.gender_unknown:
            children = (f"; {self.gender_unknown_child} of them look like children"
                        if self.gender_unknown_child else "")
            parts.append(f"{self.gender_unknown} answered sex_label 'u' (abstention rule{children})")
        return "".join(f"; {p}" for p in parts)


class CountingDetector:
    """A face detector that adds the faces its filters drop to a :class:`LeftOut` (one per run)."""

    def __init__(self, detector: FaceDetector, left_out: LeftOut) -> None:
        self.detector = detector
        self.left_out = left_out
        self.stateless = detector.stateless

    def __call__(self, frame: np.ndarray) -> list[Detection]:
        kept, counts = self.detector.filtered(frame)
        self.left_out.add(counts)
        return kept

    def unconfirmed(self, frame: np.ndarray) -> list[Detection]:
        """The faces the detector's filters keep before its second look (:meth:`confirm`); drops counted."""
        kept, counts = self.detector.filtered(frame, look=False)
        self.left_out.add(counts)
        return kept

    def confirm(self, frame: np.ndarray, detections: list[Detection]) -> list[Detection]:
        """The detector's second look at ``detections`` (found with ``look=False``); rejections counted."""
        kept = self.detector.confirm(frame, detections)
        self.left_out.add(FilterCounts(second_look=len(detections) - len(kept)))
        return kept

    @property
    def options(self) -> DetectionOptions:
        """The wrapped detector's options (its filters apply wherever it is called, e.g. in tracking windows)."""
        return self.detector.options

    def working_side(self, shape: tuple[int, ...]) -> int:
        return self.detector.working_side(shape)

    def at_side(self, side: int) -> CountingDetector:
        """The wrapped detector at ``side`` (see :meth:`FaceDetector.at_side`), its drops counted here too."""
        return CountingDetector(self.detector.at_side(side), self.left_out)

    def landmark_box(self, bbox: Rect) -> Rect:
        return self.detector.landmark_box(bbox)
