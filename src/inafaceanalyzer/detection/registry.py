"""Face detectors by name: ``--face_detector NAME`` everywhere chooses from here.

Adding a detector is one module (a :class:`~inafaceanalyzer.detection.base.FaceDetector`
subclass) and one line: ``register("name", MyDetector)``. A factory is called with
the shared :class:`~inafaceanalyzer.detection.base.DetectionOptions` and ``max_side``
(the largest frame side the detector works at; detectors may ignore it).
"""

from __future__ import annotations

from collections.abc import Callable

from ..registry import Registry
from .base import DetectionOptions, FaceDetector

Factory = Callable[..., FaceDetector]

# the original inaFaceAnalyzer's detector names (LibFaceDetection was an earlier YuNet), and the
# name the whole-frame detector writes in sidecars
REGISTRY: Registry[Factory] = Registry(
    "face detector", "yunet", {"LibFaceDetection": "yunet", "OcvCnnFacedetector": "yunet", "none": "whole_frame"})
DEFAULT = REGISTRY.default
ALIASES = REGISTRY.aliases
register = REGISTRY.register
names = REGISTRY.names
canonical = REGISTRY.canonical


def create(name: str = DEFAULT, options: DetectionOptions | None = None, max_side: int = 960) -> FaceDetector:
    """A new detector of the registered ``name`` (or an original's alias of it)."""
    return REGISTRY.factory(name)(options or DetectionOptions(), max_side=max_side)
