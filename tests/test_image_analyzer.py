"""The image engines end to end, with the real models on real faces."""

import math

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from conftest import SHARED_IMAGES, needs_shared
from inafaceanalyzer import ImageAnalyzer, PreprocessedImageAnalyzer, Rect
from inafaceanalyzer.detection import DetectionOptions, YuNetDetector

COLUMNS = ["frame", "bbox", "detect_conf", "sex_decfunc", "age_decfunc", "sex_label", "age_label"]


def test_astronaut_is_one_adult_woman(image_analyzer, astronaut_path):
    df = image_analyzer(str(astronaut_path))
    assert list(df.columns) == COLUMNS
    assert len(df) == 1
    row = df.iloc[0]
    assert row.frame == str(astronaut_path)
    assert row.sex_label == "f" and row.sex_decfunc < 0
    assert 25 <= row.age_label <= 60 and row.age_label == row.age_decfunc
    assert 0.65 <= row.detect_conf <= 1
    x1, y1, x2, y2 = row.bbox
    assert all(isinstance(v, int) for v in row.bbox)
    assert abs((x2 - x1) - (y2 - y1)) <= 1  # squared, then rounded
    # the face is in the upper middle of the 512x512 picture
    assert 150 < (x1 + x2) / 2 < 260 and 40 < (y1 + y2) / 2 < 160


def face_crop(astronaut: np.ndarray, margin: float = 1.6) -> np.ndarray:
    """The astronaut's head with some margin, as found by the detector."""
    det = YuNetDetector()(astronaut)[0]
    box = det.bbox.square.scale(margin).clip(astronaut.shape[1], astronaut.shape[0]).to_int()
    return astronaut[box[1] : box[3], box[0] : box[2]]


def test_collage_at_several_scales(tmp_path, image_analyzer, astronaut):
    head = Image.fromarray(face_crop(astronaut))
    canvas = Image.new("RGB", (1400, 900), (90, 110, 90))
    heights = [70, 120, 220, 420]
    x = 20
    for h in heights:
        w = round(head.width * h / head.height)
        canvas.paste(head.resize((w, h), Image.LANCZOS), (x, 880 - h))
        x += w + 60
    path = tmp_path / "collage.jpg"
    canvas.save(path, quality=92)
    df = image_analyzer([path])
    assert len(df) == len(heights)
    sizes = sorted(b[2] - b[0] for b in df.bbox)
    # detected boxes grow with the pasted heads, all found
    assert all(a < b for a, b in zip(sizes, sizes[1:]))
    assert (df.sex_label == "f").sum() >= 3


def test_min_face_size_filters(tmp_path, astronaut, classifier):
    small = Image.fromarray(astronaut).resize((96, 96))
    path = tmp_path / "small.png"
    small.save(path)
    assert len(ImageAnalyzer(YuNetDetector(DetectionOptions(min_size_px=0)), classifier)(path)) == 1
    assert len(ImageAnalyzer(YuNetDetector(DetectionOptions(min_size_px=60)), classifier)(path)) == 0
    assert len(ImageAnalyzer(YuNetDetector(DetectionOptions(min_size_px=0, min_size_prct=0.9)), classifier)(path)) == 0


def test_large_frames_are_downscaled_for_detection_and_mapped_back(astronaut):
    big = np.asarray(Image.fromarray(astronaut).resize((2048, 2048)))
    def best(dets):
        return max(dets, key=lambda d: d.detect_conf).bbox

    full = best(YuNetDetector(max_side=4096)(big))
    down = best(YuNetDetector(max_side=512)(big))
    assert full.iou(down) > 0.85
    assert down.w > 300  # in full-resolution pixels (about 90 in the 512-pixel copy)


def test_black_padding_keeps_coordinates(astronaut):
    plain = YuNetDetector()(astronaut)[0]
    padded = YuNetDetector(DetectionOptions(padd_prct=0.3))(astronaut)[0]
    assert plain.bbox.iou(padded.bbox) > 0.85
    assert np.abs(plain.landmarks - padded.landmarks).max() < 12


def test_variants_give_the_same_face(tmp_path, image_analyzer, astronaut):
    img = Image.fromarray(astronaut)
    img.save(tmp_path / "plain.png")
    img.convert("L").save(tmp_path / "gray.png")
    img.convert("RGBA").save(tmp_path / "alpha.png")
    rotated = img.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated.save(tmp_path / "exif.jpg", exif=exif, quality=95)
    rotated.save(tmp_path / "rotated_no_exif.jpg", quality=95)
    names = ["plain.png", "gray.png", "alpha.png", "exif.jpg"]
    df = image_analyzer([tmp_path / n for n in names])
    assert len(df) == 4
    ref = Rect(*df.bbox.iloc[0])
    for box in df.bbox:
        assert Rect(*box).iou(ref) > 0.85
    # without the orientation tag the face lies on its side: no upright match
    sideways = image_analyzer(tmp_path / "rotated_no_exif.jpg")
    assert all(Rect(*b).iou(ref) < 0.5 for b in sideways.bbox)


def test_a_corrupt_file_among_good_ones(tmp_path, image_analyzer, astronaut):
    good = tmp_path / "good.png"
    Image.fromarray(astronaut).save(good)
    bad = tmp_path / "corrupt.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"garbage" * 50)
    errors, progress = [], []
    df = image_analyzer([good, bad, good], on_error=errors.append, progress=lambda d, t: progress.append((d, t)))
    assert len(df) == 2 and set(df.frame) == {str(good)}
    assert [e.source for e in errors] == [str(bad)]
    assert progress[-1] == (3, 3)


def test_batch_size_does_not_change_results(image_analyzer, classifier, tmp_path, astronaut):
    paths = []
    for i, size in enumerate([512, 300, 200]):
        p = tmp_path / f"{i}.png"
        Image.fromarray(astronaut).resize((size, size)).save(p)
        paths.append(p)
    one = ImageAnalyzer(face_classifier=classifier, batch_len=1)(paths)
    many = image_analyzer(paths)
    pd.testing.assert_frame_equal(one, many, check_exact=False, rtol=1e-4)


def test_empty_result_has_the_columns(tmp_path, image_analyzer):
    path = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), (128, 128, 128)).save(path)
    df = image_analyzer(path)
    assert list(df.columns) == COLUMNS and len(df) == 0


def test_preprocessed_engine_one_row_per_image(tmp_path, classifier, astronaut):
    crop = tmp_path / "crop.png"
    # cropped as the original's preprocessing did: the detector's box, squared, scaled by 1.1
    Image.fromarray(face_crop(astronaut, 1.1)).resize((224, 224)).save(crop)
    df = PreprocessedImageAnalyzer(classifier)([crop, crop])
    assert len(df) == 2 and list(df.columns) == COLUMNS
    assert df.detect_conf.isna().all()
    assert (df.sex_label == "f").all()
    assert df.bbox.iloc[0] == Rect(0, 0, 224, 224).scale(1.1).to_int()


EXPECTED_FACES = {
    "1328360239_e56cc26d26_o.jpg": 7,
    "800px-India_(236650352).jpg": 5,
    "1546923312_7cc94957e8_o.jpg": 1,
    "Europa21_-_2.jpg": 1,
    "dknuth.jpg": 1,
    "diallo224.jpg": 1,
    "knuth224.jpg": 1,
}
EXPECTED_SEX = {"1546923312_7cc94957e8_o.jpg": "m", "Europa21_-_2.jpg": "f", "dknuth.jpg": "m",
                "diallo224.jpg": "f", "knuth224.jpg": "m"}


@needs_shared
def test_shared_sample_photos(image_analyzer):
    paths = [SHARED_IMAGES / name for name in EXPECTED_FACES]
    df = image_analyzer(paths)
    counts = df.frame.map(lambda p: p.rsplit("/", 1)[-1]).value_counts().to_dict()
    assert counts == EXPECTED_FACES
    for name, sex in EXPECTED_SEX.items():
        assert df[df.frame == str(SHARED_IMAGES / name)].sex_label.tolist() == [sex], name
    india = df[df.frame == str(SHARED_IMAGES / "800px-India_(236650352).jpg")]
    assert (india.sex_label == "m").sum() >= 4
    knuth = df[df.frame == str(SHARED_IMAGES / "dknuth.jpg")].age_label.iloc[0]
    assert knuth > 50
    assert df.detect_conf.notna().all()
