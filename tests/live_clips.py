"""Clips for the live-analysis tests: real faces moving on a plain background (tests/videogen.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from conftest import SHARED_IMAGES
from tracking_scenes import RATE, Actor, Scene, W, linear_path, load_people
from videogen import write_video


def two_people(astronaut: np.ndarray, frames: int) -> Scene:
    """Two people walking slowly towards each other, in view all along."""
    a, b = load_people(astronaut, SHARED_IMAGES)[:2]
    return Scene("two-people", frames, [
        Actor(a, linear_path((0, 20, 60), (frames - 1, 140, 70))),
        Actor(b, linear_path((0, W - 140, 80), (frames - 1, W - 260, 60))),
    ])


def write_clip(path: Path, astronaut: np.ndarray, seconds: float, rate: int = RATE) -> Path:
    """``seconds`` of :func:`two_people` at ``rate`` frames per second (H.264 in MP4, or MPEG-TS for ``.ts``)."""
    count = round(seconds * rate)
    scene = two_people(astronaut, count)
    return write_video(path, scene.frame, count=count, rate=rate)
