"""Tracks' state (where a face was seen, and how fast it moves) and the optimal assignments
that link detections to tracks (:mod:`inafaceanalyzer.tracking`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..types import Rect


class VisualTracker(Protocol):
    """Follows one object from frame to frame (grayscale uint8 frames)."""

    def start(self, image: np.ndarray, box: Rect) -> None:
        """Start (or restart) following what ``box`` holds in ``image``."""

    def update(self, image: np.ndarray) -> tuple[Rect, float]:
        """The object's box in ``image`` (the next frame) and the tracker's confidence."""


@dataclass(eq=False)
class Motion:
    """Where something was last seen, when, and its speed (pixels per frame) between sightings."""

    box: Rect
    at: int
    velocity: tuple[float, float] | None = None

    def observe(self, box: Rect, position: int) -> None:
        dt = position - self.at
        if dt > 0:
            (ax, ay), (bx, by) = self.box.center, box.center
            v = ((bx - ax) / dt, (by - ay) / dt)
            if self.velocity is not None:  # smoothed: the mean of the last speed and the one before
                v = ((self.velocity[0] + v[0]) / 2, (self.velocity[1] + v[1]) / 2)
            self.velocity = v
        self.box, self.at = box, position

    def predicted(self, position: int) -> Rect:
        """The box at ``position`` at the measured speed."""
        vx, vy = self.velocity or (0.0, 0.0)
        return self.box.transpose(vx * (position - self.at), vy * (position - self.at))


@dataclass(eq=False)
class Track:
    face_id: int
    tracker: VisualTracker
    box: Rect  # where it is now
    detected_motion: Motion  # its detections
    followed_motion: Motion  # its detections and confidently tracked boxes
    start_on: np.ndarray | None = None  # the frame its tracker is still to start on, at ``box``
    missed: int = 0  # detection frames in a row without a matching detection
    lost_at: float = math.nan  # time (s) when it stopped being followed

    @classmethod
    def new(cls, face_id: int, tracker: VisualTracker, box: Rect, position: int) -> Track:
        return cls(face_id, tracker, box, Motion(box, position), Motion(box, position))

    def follow(self, gray: np.ndarray) -> float:
        """Move to the next frame with the visual tracker; its confidence."""
        if self.start_on is not None:  # trackers start lazily: never, when every frame is detected
            self.tracker.start(self.start_on, self.box)
            self.start_on = None
        self.box, conf = self.tracker.update(gray)
        return conf

    def detected(self, box: Rect, gray: np.ndarray, position: int, whole: bool = True) -> None:
        """Detected at ``box``; not ``whole``: a face partly hidden (or cut by an edge), whose box is not
        where the whole face is (its row, and where to look next, but not where to take it back)."""
        if whole:
            self.detected_motion.observe(box, position)
        self.followed_motion.observe(box, position)
        self.box, self.start_on, self.missed, self.lost_at = box, gray, 0, math.nan

    def whereabouts(self, position: int) -> list[Rect]:
        """Where it may be at ``position``: last detected, and extrapolated from detections or tracking."""
        return [self.detected_motion.box, self.detected_motion.predicted(position),
                self.followed_motion.predicted(position)]



def match_boxes(
    tracks: Sequence[Rect | Sequence[Rect]], detections: Sequence[Rect], min_iou: float
) -> list[tuple[int, int]]:
    """Optimal one-to-one matching of ``tracks`` to ``detections`` maximising the total IoU.

    A track is a box, or several (where it may be): its IoU with a detection
    is then the best of theirs. Solves the assignment on ``1 - IoU``
    (Hungarian algorithm, not greedy) and keeps the pairs whose IoU is at
    least ``min_iou``; returns ``(track index, detection index)`` pairs in
    track order.
    """
    if not tracks or not detections:
        return []
    where = [[t] if isinstance(t, Rect) else list(t) for t in tracks]
    iou = np.array([[max(b.iou(d) for b in boxes) for d in detections] for boxes in where])
    rows, cols = linear_sum_assignment(1.0 - iou)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if iou[r, c] >= min_iou]


def match_lost(
    tracks: Sequence[Track], detections: Sequence[Rect], position: int, radius: float | Sequence[float]
) -> list[tuple[int, int]]:
    """Optimal one-to-one matching of lost ``tracks`` to ``detections`` by distance.

    A detection may take a lost track back when its centre lies within
    ``radius`` (one for all tracks, or one per track) face sizes (the larger side of the track's last detected box)
    of where the track was last detected or of where it would be had it kept
    the speed measured between its detections, or between its confidently
    tracked positions; and its size is within a factor 2 of that box's.
    Boxes of faces half hidden when they were lost are often cut short, so
    distances between centres are used rather than IoU.
    """
    if not tracks or not detections:
        return []
    radii = [radius] * len(tracks) if isinstance(radius, (int, float)) else list(radius)
    far = max(radii) + 1.0
    cost = np.full((len(tracks), len(detections)), far)
    for i, track in enumerate(tracks):
        size = track.detected_motion.box.max_dim_len
        if size <= 0:
            continue
        for j, det in enumerate(detections):
            if not 0.5 <= det.max_dim_len / size <= 2.0:
                continue
            cx, cy = det.center
            cost[i, j] = min(
                math.hypot(cx - x, cy - y) / size for x, y in (box.center for box in track.whereabouts(position))
            )
    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if cost[r, c] <= radii[r]]
