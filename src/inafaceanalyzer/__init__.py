"""inaFaceAnalyzer: face detection, tracking, gender and age estimation for media collections.

Public API::

    from inafaceanalyzer import ImageAnalyzer
    df = ImageAnalyzer()(["photo1.jpg", "photo2.png"])
"""

from ._version import __version__
from .analyzers import (
    FaceAnalyzer,
    ImageAnalyzer,
    PreprocessedImageAnalyzer,
    VideoAnalysis,
    VideoAnalyzer,
    VideoKeyframes,
)
from .classification import GenderAgeClassifier, decfunc2labels
from .detection import DetectionOptions, YuNetDetector
from .errors import InaFaceAnalyzerError, MediaError, MediaOpenError, ModelLoadError
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
    "VideoAnalysis",
    "VideoAnalyzer",
    "VideoKeyframes",
    "YuNetDetector",
    "__version__",
    "decfunc2labels",
]
