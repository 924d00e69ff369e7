"""The engines: each one picks a frame source and a detector and runs the streaming core."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import pandas as pd

from .alignment import FaceAligner
from .classification import GenderAgeClassifier
from .errors import MediaError
from .detection import FaceDetector, WholeFrameDetector, YuNetDetector
from .media.images import ErrorHandler, image_frames
from .media.prefetch import prefetch
from .pipeline import Detector, analyze_stream
from .progress import ProgressHook
from .types import Frame

PathLike = str | os.PathLike[str]


class FaceAnalyzer:
    """Holds the models (loaded once) and runs frames through the streaming core.

    ``face_detector``: a :class:`~inafaceanalyzer.detection.FaceDetector`
    (default: YuNet with the original's options). ``face_classifier``: default
    :class:`~inafaceanalyzer.classification.GenderAgeClassifier`.
    ``batch_len``: faces per classifier batch. ``device``: ``auto``, ``cpu`` or
    ``cuda`` for the default classifier.
    """

    def __init__(
        self,
        face_detector: FaceDetector | None = None,
        face_classifier: GenderAgeClassifier | None = None,
        batch_len: int = 32,
        device: str = "auto",
    ) -> None:
        if batch_len < 1:
            raise ValueError(f"batch_len must be >= 1, got {batch_len}")
        self.face_detector = face_detector if face_detector is not None else YuNetDetector()
        self.classifier = face_classifier if face_classifier is not None else GenderAgeClassifier(device)
        self.aligner = FaceAligner()
        self.batch_len = batch_len

    def _process_stream(
        self,
        frames: Iterable[Frame],
        detector: Detector | None = None,
        *,
        tracking: bool = False,
        timed: bool = False,
        progress: ProgressHook | None = None,
        total: int | None = None,
    ) -> pd.DataFrame:
        done = 0

        def on_frame(_: Frame) -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total)

        return analyze_stream(
            prefetch(frames),
            detector if detector is not None else self.face_detector,
            self.aligner,
            self.classifier,
            batch_len=self.batch_len,
            tracking=tracking,
            timed=timed,
            on_frame=on_frame,
        )


def _as_path_list(paths: PathLike | Sequence[PathLike]) -> list[PathLike]:
    return [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)


class ImageAnalyzer(FaceAnalyzer):
    """Detect and classify the faces of still images: one row per face, ``frame`` = the image path."""

    def __call__(
        self,
        img_paths: PathLike | Sequence[PathLike],
        on_error: ErrorHandler | None = None,
        progress: ProgressHook | None = None,
    ) -> pd.DataFrame:
        """Analyse one image path or a list of them.

        An unreadable image raises :class:`~inafaceanalyzer.errors.MediaError`
        unless ``on_error`` is given: then it is passed the error and the other
        images are still analysed. ``progress(completed, total)`` counts images
        (failed ones included).
        """
        paths = _as_path_list(img_paths)
        failed = 0

        def handle_error(exc: MediaError) -> None:
            nonlocal failed
            failed += 1
            assert on_error is not None
            on_error(exc)

        def hook(done: int, total: int | None) -> None:
            assert progress is not None
            progress(done + failed, total)

        frames = image_frames(paths, handle_error if on_error is not None else None)
        return self._process_stream(frames, progress=hook if progress is not None else None, total=len(paths))


class PreprocessedImageAnalyzer(ImageAnalyzer):
    """The original's ``preprocessed_image`` engine: each image is one already-cropped face.

    No detection runs: the whole image is the face box given to the landmark
    model (crop roughly where a face detector's box would be); ``detect_conf``
    is NaN.
    """

    def __init__(
        self, face_classifier: GenderAgeClassifier | None = None, batch_len: int = 32, device: str = "auto"
    ) -> None:
        super().__init__(WholeFrameDetector(), face_classifier, batch_len, device)
