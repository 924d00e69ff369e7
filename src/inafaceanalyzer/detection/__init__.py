"""Face detectors: frame in, list of :class:`~inafaceanalyzer.types.Detection` out, chosen by name.

* ``yunet``: OpenCV's YuNet 2023mar (:class:`~inafaceanalyzer.detection.yunet.YuNetDetector`), the default;
* ``whole_frame``: no detection, the whole frame is the face (already-cropped faces;
  :class:`~inafaceanalyzer.detection.whole_frame.WholeFrameDetector`).
"""

from .base import DetectionOptions, FaceDetector, black_pad
from .registry import ALIASES, DEFAULT, canonical, create, names, register
from .whole_frame import WholeFrameDetector
from .yunet import YuNetDetector

register("yunet", YuNetDetector)
register("whole_frame", WholeFrameDetector.create)

DETECTORS = {"yunet": YuNetDetector, "whole_frame": WholeFrameDetector}  # kept for old imports; use create()

__all__ = ["ALIASES", "DEFAULT", "DETECTORS", "DetectionOptions", "FaceDetector", "WholeFrameDetector",
           "YuNetDetector", "black_pad", "canonical", "create", "names", "register"]
