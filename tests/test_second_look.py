"""The second look at each detection: no false faces on real non-face images, real faces kept."""

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from conftest import SHARED, SHARED_VIDEOS, needs_shared
from inafaceanalyzer import Rect, VideoAnalyzer, VideoTracking
from inafaceanalyzer.detection import DetectionOptions, YuNetDetector
from inafaceanalyzer.detection.second_look import look_window, second_look_score
from inafaceanalyzer.media.images import load_image

DETECTION = SHARED / "media" / "detection"
needs_detection = pytest.mark.skipif(
    not (DETECTION / "testing.xml").is_file(), reason=f"dlib's boxed photos not found in {DETECTION}"
)
WITHOUT = DetectionOptions(second_look=False)


def skimage_rgb(name: str) -> np.ndarray:
    data = pytest.importorskip("skimage.data", reason="scikit-image (test extra) is not installed")
    image = getattr(data, name)()
    image = image[0] if isinstance(image, tuple) else image
    return np.ascontiguousarray(image[..., :3])


def test_look_window_centres_the_face_and_pads_with_black():
    image = np.full((100, 200, 3), 255, np.uint8)
    window, box = look_window(image, Rect(0, 10, 40, 50))  # at the left edge: the window sticks out
    assert window.shape == (80, 80, 3)
    assert box.center == (40, 40) and (box.w, box.h) == (40, 40)
    # the window spans x -20..60, y -10..70: what lies outside the frame is black
    assert window[:, :20].max() == 0 and window[:10].max() == 0 and window[10:, 20:].min() == 255


@needs_detection
def test_no_face_on_dogs_and_each_rejection_counted():
    dogs = load_image(DETECTION / "dogs.jpg")
    assert len(YuNetDetector(WITHOUT)(dogs)) == 2  # the defect: two dogs boxed as faces
    detector = YuNetDetector()
    assert detector(dogs) == []
    assert detector.second_look_tally.rejected == 2 and detector.second_look_tally.looked == 2


@pytest.mark.parametrize("name", ["hubble_deep_field", "stereo_motorcycle"])
def test_no_face_on_scikit_image_look_alikes(name):
    image = skimage_rgb(name)
    assert len(YuNetDetector(WITHOUT)(image)) == 1  # a galaxy, a headlight
    assert YuNetDetector()(image) == []


def test_astronaut_is_still_one_face():
    image = skimage_rgb("astronaut")
    detector = YuNetDetector(DetectionOptions(second_look_sure=1.0))  # looked at even though sure
    assert len(detector(image)) == 1 and detector.second_look_tally.looked == 1
    det = YuNetDetector(WITHOUT)(image)[0]
    assert second_look_score(image, det, detector._relook) > 0.9


def boxed_photos() -> dict[str, list[Rect]]:
    boxes = {}
    for xml in ("testing.xml", "training.xml"):
        for image in ET.parse(DETECTION / xml).getroot().iter("image"):
            boxes[image.get("file")] = [
                Rect.from_xywh(*(float(b.get(k)) for k in ("left", "top", "width", "height"))) for b in image.iter("box")
            ]
    return boxes


@needs_detection
def test_recall_on_dlibs_boxed_photos_is_kept():
    """Every true face found without the second look is still found with it, even when all are looked at."""
    before, after = YuNetDetector(WITHOUT), YuNetDetector(DetectionOptions(second_look_sure=1.0))
    found_before = found_after = n_true = 0
    for name, truth in boxed_photos().items():
        image = load_image(DETECTION / name)
        n_true += len(truth)
        for det, count in ((before, "b"), (after, "a")):
            boxes = [det.landmark_box(d.bbox) for d in det(image)]
            hits = sum(any(b.iou(t) >= 0.5 for b in boxes) for t in truth)
            if count == "b":
                found_before += hits
            else:
                found_after += hits
    assert n_true == 43 and found_before >= 42
    assert found_after == found_before
    assert after.second_look_tally.looked >= 40 and after.second_look_tally.rejected == 0


@needs_shared
def test_video_engines_drop_the_carved_lion_and_report_it(classifier):
    """facenet-pytorch's clip: YuNet boxes the lion on the Royal Opera House's wall in most frames."""
    video = SHARED_VIDEOS / "facenet-pytorch_video.mp4"
    plain = VideoAnalyzer(YuNetDetector(WITHOUT), classifier).analyze(video, fps=2)
    looked = VideoAnalyzer(face_classifier=classifier).analyze(video, fps=2)
    rejected = looked.metadata()["analysis"]["rejected_by_second_look"]
    assert plain.rejected_by_second_look == 0 and rejected >= 6
    assert len(looked.table) == len(plain.table) - rejected
    assert looked.options["second_look"] is True and plain.options["second_look"] is False

    tracked = VideoTracking(3, face_classifier=classifier).analyze(video, fps=2)
    tracked_plain = VideoTracking(3, YuNetDetector(WITHOUT), classifier).analyze(video, fps=2)
    assert tracked.rejected_by_second_look > 0
    assert tracked.table.face_id.nunique() < tracked_plain.table.face_id.nunique()


def test_second_look_options_are_checked():
    with pytest.raises(ValueError, match="second_look_threshold"):
        DetectionOptions(second_look_threshold=1.5)
    with pytest.raises(ValueError, match="second_look_sure"):
        DetectionOptions(second_look_sure=-0.1)


@needs_detection
def test_command_line_turns_it_off_and_checks_its_options(tmp_path, capsys):
    from inafaceanalyzer.cli.analyze import main

    dogs = str(DETECTION / "dogs.jpg")
    on, off = tmp_path / "on.csv", tmp_path / "off.csv"
    assert main(["--engine", "image", "-q", "-i", dogs, "-o", str(on)]) == 0
    assert main(["--engine", "image", "-q", "--no_second_look", "-i", dogs, "-o", str(off)]) == 0
    assert len(pd.read_csv(on)) == 0 and len(pd.read_csv(off)) == 2
    with pytest.raises(SystemExit) as info:
        main(["--engine", "image", "-i", dogs, "-o", str(on), "--second_look_threshold", "3"])
    assert info.value.code == 2 and "second_look_threshold" in capsys.readouterr().err
