"""What the streaming core needs from a detector: a plain one (:class:`Detector`) or a
tracker whose per-frame work splits in two (:class:`StagedDetector`)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from ..types import Detection, Frame, Rect


class Detector(Protocol):
    """What the core needs from a detector (plain, tracking or none)."""

    def __call__(self, frame: np.ndarray, /) -> list[Detection]: ...

    def landmark_box(self, bbox: Rect) -> Rect: ...


@runtime_checkable
class LookingDetector(Detector, Protocol):
    """A detector whose second look (:mod:`.second_look`) can come later, on chosen detections only.

    ``unconfirmed(frame)`` gives the faces its filters keep before the second
    look; ``confirm(frame, detections)`` then gives those of ``detections``
    that the second look keeps. A tracker confirms only the faces that would
    start a track: those continuing a track were confirmed when it started.
    """

    def unconfirmed(self, frame: np.ndarray, /) -> list[Detection]: ...

    def confirm(self, frame: np.ndarray, detections: list[Detection], /) -> list[Detection]: ...


@runtime_checkable
class ScalableDetector(Detector, Protocol):
    """A detector that can work on downscaled frames (boxes still in frame pixels).

    ``working_side(shape)`` is the largest side of the image it works on for a
    frame of ``shape``; ``at_side(side)`` is the same detector working on
    frames downscaled to a largest side of at most ``side``.
    """

    def working_side(self, shape: tuple[int, ...], /) -> int: ...

    def at_side(self, side: int, /) -> Detector: ...


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
