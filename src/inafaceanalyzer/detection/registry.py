"""Face detectors by name: ``--face_detector NAME`` everywhere chooses from here.

Adding a detector is one module (a :class:`~inafaceanalyzer.detection.base.FaceDetector`
subclass) and one line: ``register("name", MyDetector)``. A factory is called with
the shared :class:`~inafaceanalyzer.detection.base.DetectionOptions` and ``max_side``
(the largest frame side the detector works at; detectors may ignore it).
"""

from __future__ import annotations

from collections.abc import Callable

from .base import DetectionOptions, FaceDetector

Factory = Callable[..., FaceDetector]

DEFAULT = "yunet"
# the original inaFaceAnalyzer's detector names (LibFaceDetection was an earlier YuNet), and the
# name the whole-frame detector writes in sidecars
ALIASES = {"LibFaceDetection": "yunet", "OcvCnnFacedetector": "yunet", "none": "whole_frame"}

_FACTORIES: dict[str, Factory] = {}


def register(name: str, factory: Factory) -> None:
    """Make ``factory`` available as ``name`` (``--face_detector name``)."""
    _FACTORIES[name] = factory


def names() -> list[str]:
    """The registered detector names, the default first."""
    return sorted(_FACTORIES, key=lambda n: (n != DEFAULT, n))


def canonical(name: str) -> str:
    """The registered name ``name`` stands for (itself, or the one an original's alias maps to)."""
    key = ALIASES.get(name, name)
    if key not in _FACTORIES:
        raise ValueError(f"unknown face detector {name!r}: choose from {', '.join(names())}")
    return key


def create(name: str = DEFAULT, options: DetectionOptions | None = None, max_side: int = 960) -> FaceDetector:
    """A new detector of the registered ``name`` (or an original's alias of it)."""
    return _FACTORIES[canonical(name)](options or DetectionOptions(), max_side=max_side)
