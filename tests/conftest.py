"""Shared fixtures: real models loaded once, real faces, and ../shared when present."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INAFACE_SHARED", ROOT.parent / "shared")).resolve()
SHARED_IMAGES = SHARED / "media" / "images"
SHARED_VIDEOS = SHARED / "media" / "videos"
UTKFACE = SHARED / "datasets" / "utkface-dev"

needs_shared = pytest.mark.skipif(
    not SHARED_IMAGES.is_dir(), reason=f"../shared sample media not found at {SHARED} (set INAFACE_SHARED)"
)


def opencv_yunet_faces(rgb: np.ndarray, min_score: float) -> np.ndarray:
    """OpenCV's own ``cv2.FaceDetectorYN`` on the original YuNet file (the reference our detector matches):
    ``[N, 15]`` rows, best scores first."""
    import cv2

    from inafaceanalyzer.models import YUNET

    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    model = cv2.FaceDetectorYN.create(str(YUNET.path()), "", (bgr.shape[1], bgr.shape[0]), min_score, 0.3, 5000)
    _, faces = model.detect(bgr)
    return np.zeros((0, 15), np.float32) if faces is None else faces


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    from inafaceanalyzer.examples import astronaut_path
    from inafaceanalyzer.media.images import load_image

    return load_image(astronaut_path())


@pytest.fixture(scope="session")
def astronaut_path() -> Path:
    from inafaceanalyzer.examples import astronaut_path

    return astronaut_path()


@pytest.fixture(scope="session")
def classifier():
    from inafaceanalyzer import GenderAgeClassifier

    return GenderAgeClassifier(device="cpu")


@pytest.fixture(scope="session")
def image_analyzer(classifier):
    from inafaceanalyzer import ImageAnalyzer

    return ImageAnalyzer(face_classifier=classifier)


@pytest.fixture(autouse=True)
def fail_on_logged_errors(caplog):
    """Any test whose code logs an ERROR fails, unless it says it expects one."""
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if errors and not getattr(caplog, "errors_expected", False):
        pytest.fail("errors were logged: " + "; ".join(r.getMessage() for r in errors))
