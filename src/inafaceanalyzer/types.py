"""Small value types shared by every stage: rectangles, detections, frames."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned rectangle in pixels: ``(x1, y1)`` top-left, ``(x2, y2)`` bottom-right.

    Coordinates are floats and may lie outside the frame.
    """

    x1: float
    y1: float
    x2: float
    y2: float

    @classmethod
    def from_xywh(cls, x: float, y: float, w: float, h: float) -> Rect:
        return cls(float(x), float(y), float(x + w), float(y + h))

    @classmethod
    def parse(cls, text: str) -> Rect:
        """Read a box written as ``"(x1, y1, x2, y2)"`` (the CSV ``bbox`` column)."""
        values = [float(v) for v in text.strip().strip("()[]").split(",")]
        if len(values) != 4:
            raise ValueError(f"a bbox needs 4 numbers, got {text!r}")
        return cls(*values)

    def __iter__(self) -> Iterator[float]:
        return iter((self.x1, self.y1, self.x2, self.y2))

    @property
    def w(self) -> float:
        return self.x2 - self.x1

    @property
    def h(self) -> float:
        return self.y2 - self.y1

    @property
    def area(self) -> float:
        return max(0.0, self.w) * max(0.0, self.h)

    @property
    def center(self) -> tuple[float, float]:
        return ((self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2)

    @property
    def max_dim_len(self) -> float:
        return max(self.w, self.h)

    @property
    def square(self) -> Rect:
        """The smallest square with the same center that contains this rectangle."""
        cx, cy = self.center
        half = self.max_dim_len / 2
        return Rect(cx - half, cy - half, cx + half, cy + half)

    def scale(self, factor: float) -> Rect:
        """This rectangle scaled by ``factor`` around its center."""
        cx, cy = self.center
        hw, hh = self.w * factor / 2, self.h * factor / 2
        return Rect(cx - hw, cy - hh, cx + hw, cy + hh)

    def mult(self, sx: float, sy: float) -> Rect:
        """Multiply x coordinates by ``sx`` and y coordinates by ``sy``."""
        return Rect(self.x1 * sx, self.y1 * sy, self.x2 * sx, self.y2 * sy)

    def transpose(self, dx: float, dy: float) -> Rect:
        """This rectangle moved by ``(dx, dy)``."""
        return Rect(self.x1 + dx, self.y1 + dy, self.x2 + dx, self.y2 + dy)

    def intersect(self, other: Rect) -> Rect:
        return Rect(
            max(self.x1, other.x1), max(self.y1, other.y1), min(self.x2, other.x2), min(self.y2, other.y2)
        )

    def iou(self, other: Rect) -> float:
        """Intersection over union, 0 when the rectangles do not overlap."""
        inter = self.intersect(other)
        if inter.w <= 0 or inter.h <= 0:
            return 0.0
        union = self.area + other.area - inter.area
        return inter.area / union if union > 0 else 0.0

    def clip(self, width: int, height: int) -> Rect:
        """This rectangle restricted to a ``width`` x ``height`` frame."""
        return Rect(
            min(max(self.x1, 0), width), min(max(self.y1, 0), height),
            min(max(self.x2, 0), width), min(max(self.y2, 0), height),
        )

    def to_int(self) -> tuple[int, int, int, int]:
        """Coordinates rounded to integers, as written in the ``bbox`` column."""
        return tuple(int(round(v)) for v in (self.x1, self.y1, self.x2, self.y2))  # type: ignore[return-value]

    def __contains__(self, point: tuple[float, float]) -> bool:
        x, y = point
        return self.x1 <= x <= self.x2 and self.y1 <= y <= self.y2


@dataclass(frozen=True, slots=True)
class Detection:
    """One face found in a frame.

    ``bbox`` is the detector's box in frame pixels, ``detect_conf`` its score
    (NaN when no detector ran), ``landmarks`` the detector's own 5 points
    (``[5, 2]``, frame pixels) when it gives them. Tracked faces also carry
    ``face_id`` and ``track_conf`` (NaN on frames where the face was detected).
    """

    bbox: Rect
    detect_conf: float = math.nan
    landmarks: np.ndarray | None = None
    face_id: int | None = None
    track_conf: float = math.nan

    def replace(self, **changes: Any) -> Detection:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Frame:
    """A decoded picture and where it comes from.

    ``index`` is the frame's position in its video (or the image's path for
    image lists), ``time`` its presentation time in seconds (``None`` for still
    images), ``image`` an ``[H, W, 3]`` RGB uint8 array.
    """

    index: int | str
    time: float | None
    image: np.ndarray

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])
