"""Thumbnails of sampled faces: the face's box drawn on a larger crop of its frame.

Frames come from the source video (seek to the nearest keyframe before the face's time,
decode up to it) or from the photo (the ``frame`` column of image results). A person is
shown by 3 to 5 frames along the track, side by side. Requests are grouped by source and
sorted by time so that each video is opened once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import MediaError
from ..results.columns import parse_bbox
from ..export.faces import jpeg
from ..media.images import load_image
from ..media.video import frames_shown_at

CONTEXT = 2.6  # crop side / face box side
BOX_RGB = (255, 200, 0)


@dataclass(frozen=True)
class Shot:
    """One frame to cut: ``source`` (video or image), ``time`` (s; NaN for a photo), ``bbox``."""

    source: str
    time: float
    bbox: tuple[int, int, int, int]


def context_crop(image: np.ndarray, bbox: Sequence[int], height: int = 200, context: float = CONTEXT) -> np.ndarray:
    """A square crop ``context`` times the face box, centred on it, the box drawn, ``height`` px high."""
    x1, y1, x2, y2 = (int(v) for v in bbox)
    h, w = image.shape[:2]
    side = max(x2 - x1, y2 - y1, 8) * context
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    cx1, cy1 = int(round(cx - side / 2)), int(round(cy - side / 2))
    cx2, cy2 = int(round(cx + side / 2)), int(round(cy + side / 2))
    pad = max(0, -cx1, -cy1, cx2 - w, cy2 - h)
    if pad:  # the crop goes past the frame: grey border
        image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(60, 60, 60))
        cx1, cy1, cx2, cy2, x1, y1, x2, y2 = (v + pad for v in (cx1, cy1, cx2, cy2, x1, y1, x2, y2))
    crop = np.ascontiguousarray(image[cy1:cy2, cx1:cx2])
    scale = height / max(crop.shape[0], 1)
    crop = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), height),
                      interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    thick = max(2, height // 80)
    cv2.rectangle(crop, (round((x1 - cx1) * scale), round((y1 - cy1) * scale)),
                  (round((x2 - cx1) * scale), round((y2 - cy1) * scale)), BOX_RGB, thick)
    return crop


def strip(images: Sequence[np.ndarray], gap: int = 4) -> np.ndarray:
    """Images of the same height side by side."""
    h = images[0].shape[0]
    parts = []
    for i, im in enumerate(images):
        if i:
            parts.append(np.full((h, gap, 3), 255, np.uint8))
        parts.append(im)
    return np.concatenate(parts, axis=1)


def thumbnails(items: Sequence[Sequence[Shot]], height: int = 200,
               on_error: Callable[[MediaError], None] | None = None,
               progress: Callable[[int, int], None] | None = None) -> list[bytes | None]:
    """JPEG bytes of each item (its shots side by side); ``None`` where a source failed.

    Each frame is cropped as soon as it is decoded: only the small crops are kept."""
    wanted: dict[str, dict[float, list[Shot]]] = {}  # source -> time (-1: a photo) -> shots
    for shots in items:
        for s in shots:
            wanted.setdefault(s.source, {}).setdefault(-1.0 if np.isnan(s.time) else s.time, []).append(s)
    crops: dict[Shot, np.ndarray] = {}
    for done, (source, by_time) in enumerate(wanted.items(), 1):
        try:
            if -1.0 in by_time:
                decoded = iter([(-1.0, load_image(source))])
            else:
                decoded = frames_shown_at(source, list(by_time))
            for t, image in decoded:
                for s in by_time[t]:
                    crops[s] = context_crop(image, s.bbox, height)
        except MediaError as exc:
            if on_error is not None:
                on_error(exc)
        if progress is not None:
            progress(done, len(wanted))
    out: list[bytes | None] = []
    for shots in items:
        got = [crops[s] for s in shots if s in crops]
        out.append(jpeg(strip(got)) if got else None)
    return out


def shots_of(rows: Iterable[tuple[str, float, str]]) -> list[Shot]:
    """Shots from ``(source, time, bbox text)`` rows."""
    return [Shot(os.fspath(src), float(t), parse_bbox(b)) for src, t, b in rows]
