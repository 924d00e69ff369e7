"""Engines by name: ``--engine NAME`` everywhere chooses from here.

Adding an engine is one module (a :class:`~inafaceanalyzer.engines.analyzers.FaceAnalyzer`
subclass) and one line: ``register("name", EngineSpec(MyEngine, build, media="video", ...))``.
``build(detector, classifier, options)`` returns the engine with its models loaded;
``options`` is the :class:`~inafaceanalyzer.engines.jobs.AnalysisOptions` of the run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..results.sidecar import accept_engine

if TYPE_CHECKING:
    from .analyzers import FaceAnalyzer

MEDIA = ("image", "video")


@dataclass(frozen=True)
class EngineSpec:
    """How to build an engine and what it takes.

    ``analyzer``: its class (what its rows carry: ``tracked``, ``timed``).
    ``media``: ``image`` (a list of pictures, one CSV) or ``video`` (one CSV and
    sidecar per video). ``fps``: takes ``--fps``. ``detect_period``: needs
    ``--detect_period``. ``detections``: needs ``--detections`` (boxes given, no
    detection run). ``detector``: the detector it always uses, whatever
    ``--face_detector`` says (``None``: the one chosen). ``help``: one line for
    ``--engine``'s help.
    """

    analyzer: type[FaceAnalyzer]
    build: Callable[..., FaceAnalyzer]
    media: str
    fps: bool = False
    detect_period: bool = False
    detections: bool = False
    detector: str | None = None
    help: str = ""

    def __post_init__(self) -> None:
        if self.media not in MEDIA:
            raise ValueError(f"media must be one of {', '.join(MEDIA)}, got {self.media!r}")

    def problem(self, name: str, fps: Any, detect_period: Any, detections: Any) -> str | None:
        """Why these settings do not suit the engine (``None`` when they do), naming the options."""
        if fps is not None and not self.fps:
            return f"--fps does not apply to --engine {name}"
        if self.detect_period and detect_period is None:
            return f"--engine {name} needs --detect_period N"
        if detect_period is not None and not self.detect_period:
            return f"--detect_period does not apply to --engine {name}"
        if self.detections and not detections:
            return f"--engine {name} needs --detections BOXES.csv (or a folder of <video>.csv)"
        if detections and not self.detections:
            return f"--detections applies to --engine {', '.join(n for n in names() if spec(n).detections)}"
        return None


_SPECS: dict[str, EngineSpec] = {}


def register(name: str, engine: EngineSpec) -> None:
    """Make ``engine`` available as ``name`` (``--engine name``), and its name known to results' sidecars."""
    _SPECS[name] = engine
    accept_engine(name)


def names(media: str | None = None) -> tuple[str, ...]:
    """The registered engine names, in registration order; only those taking ``media`` when given."""
    return tuple(n for n, s in _SPECS.items() if media is None or s.media == media)


def spec(name: str) -> EngineSpec:
    """The registered engine ``name``."""
    if name not in _SPECS:
        raise ValueError(f"unknown engine {name!r}: choose from {', '.join(_SPECS)}")
    return _SPECS[name]
