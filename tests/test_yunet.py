"""YuNet run by ONNX Runtime finds the faces OpenCV's ``cv2.FaceDetectorYN`` finds on the original file."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import SHARED_IMAGES, SHARED_VIDEOS, needs_shared, opencv_yunet_faces
from inafaceanalyzer.detection import YuNetDetector
from inafaceanalyzer.detection.second_look import LOOK_CONTEXT, LOOK_FACE_SIZES, look_window
from inafaceanalyzer.media.images import load_image
from inafaceanalyzer.media.video import VideoReader
from inafaceanalyzer.models import YUNET, YUNET_DYNAMIC
from inafaceanalyzer.types import Rect


def assert_same_faces(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Same faces, in the same order (best score first), to float precision."""
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours[:, 14], theirs[:, 14], atol=1e-4)
    np.testing.assert_allclose(ours[:, :14], theirs[:, :14], atol=0.05)


def sample_images(detector: YuNetDetector) -> list[np.ndarray]:
    """Real photos at the detector's working size, and frames of real videos."""
    images = [detector.working_image(load_image(path)) for path in sorted(SHARED_IMAGES.glob("*.jp*g"))[:8]]
    for path in sorted(SHARED_VIDEOS.glob("*.mp4"))[:3]:
        with VideoReader(path) as reader:
            images += [frame.image for _, frame in zip(range(2), reader.frames(fps=0.5))]
    return images


@pytest.fixture(scope="module")
def detector() -> YuNetDetector:
    return YuNetDetector()


def test_the_shipped_file_is_the_original_with_a_free_input_size():
    """Same outputs, bit for bit, at the original's fixed 640 x 640 input; other sizes accepted."""
    import onnxruntime as ort

    original, ours = (ort.InferenceSession(str(m.path()), providers=["CPUExecutionProvider"])
                      for m in (YUNET, YUNET_DYNAMIC))
    blob = np.random.default_rng(0).uniform(0, 255, (1, 3, 640, 640)).astype(np.float32)
    for theirs, mine in zip(original.run(None, {"input": blob}), ours.run(None, {"input": blob})):
        np.testing.assert_array_equal(mine, theirs)
    assert ours.run(["cls_8"], {"input": blob[:, :, :96, :160]})[0].shape == (1, 12 * 20, 1)


@needs_shared
def test_same_faces_as_opencv_on_real_photos_and_video_frames(detector):
    images = sample_images(detector)
    assert len(images) >= 8
    found = 0
    for rgb in images:
        theirs = opencv_yunet_faces(rgb, 0.5)
        assert_same_faces(detector.raw_faces(rgb, 0.5), theirs)
        found += len(theirs)
    assert found >= 20


@needs_shared
def test_same_faces_as_opencv_in_the_second_looks_small_windows(detector):
    """The second look detects down to a score of 0.1 in windows of 96 to 192 px (odd sizes too)."""
    compared = 0
    for rgb in sample_images(detector)[:6]:
        for row in opencv_yunet_faces(rgb, 0.5)[:3]:
            window, _ = look_window(rgb, Rect(row[0], row[1], row[0] + row[2], row[1] + row[3]))
            for face_size in (*LOOK_FACE_SIZES, 37):
                side = round(LOOK_CONTEXT * face_size)
                small = cv2.resize(window, (side, side), interpolation=cv2.INTER_AREA)
                assert_same_faces(detector.raw_faces(small, detector.RELOOK_MIN_SCORE),
                                  opencv_yunet_faces(small, detector.RELOOK_MIN_SCORE))
                compared += 1
    assert compared >= 20


def test_an_image_without_faces_and_a_tiny_one(detector):
    assert detector.raw_faces(np.zeros((50, 70, 3), np.uint8), 0.5).shape == (0, 15)
    assert detector.raw_faces(np.full((1, 1, 3), 128, np.uint8), 0.1).shape == (0, 15)
    assert detector(np.zeros((480, 640, 3), np.uint8)) == []
