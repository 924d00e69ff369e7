"""Face detectors: frame in, list of :class:`~inafaceanalyzer.types.Detection` out."""

from .base import DetectionOptions, FaceDetector, black_pad
from .whole_frame import WholeFrameDetector
from .yunet import YuNetDetector

DETECTORS = {"yunet": YuNetDetector}

__all__ = ["DETECTORS", "DetectionOptions", "FaceDetector", "WholeFrameDetector", "YuNetDetector", "black_pad"]
