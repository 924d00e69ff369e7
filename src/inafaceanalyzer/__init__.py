"""inaFaceAnalyzer: face detection, tracking, gender and age estimation for media collections.

Public API::

    from inafaceanalyzer import ImageAnalyzer
    df = ImageAnalyzer()(["photo1.jpg", "photo2.png"])
"""

from ._version import __version__
from .engines.analyzers import (
    FaceAnalyzer,
    ImageAnalyzer,
    PreprocessedImageAnalyzer,
    VideoAnalysis,
    VideoAnalyzer,
    VideoKeyframes,
    VideoTracking,
)
from .classification.dlib import GenderAgeClassifier, decfunc2labels
from .detection import DetectionOptions, YuNetDetector
from .engines.precomputed import VideoPrecomputed
from .errors import InaFaceAnalyzerError, MediaError, MediaOpenError, ModelLoadError
from .tracking.smoothing import average_results
from .tracking.detector import TrackingDetector, TrackingOptions
from .types import Detection, Frame, Rect

__all__ = [
    "Detection",
    "DetectionOptions",
    "FaceAnalyzer",
    "Frame",
    "GenderAgeClassifier",
    "ImageAnalyzer",
    "InaFaceAnalyzerError",
    "MediaError",
    "MediaOpenError",
    "ModelLoadError",
    "PreprocessedImageAnalyzer",
    "Rect",
    "TrackingDetector",
    "TrackingOptions",
    "VideoAnalysis",
    "VideoAnalyzer",
    "VideoKeyframes",
    "VideoPrecomputed",
    "VideoTracking",
    "YuNetDetector",
    "__version__",
    "average_results",
    "decfunc2labels",
]
