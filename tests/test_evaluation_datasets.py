"""Labelled data sets: CSV and UTKFace file names, with one clear line per unusable entry."""

import math

import numpy as np
import pytest
from PIL import Image

from inafaceanalyzer.errors import DatasetError
from inafaceanalyzer.evaluation.datasets import load_dataset, parse_utkface_name
from inafaceanalyzer.evaluation.resolution import FaceRegion, QueuedBoxDetector, degrade, face_at_resolution
from inafaceanalyzer.types import Rect


def test_csv_labels_with_bad_rows_reported(tmp_path):
    csv = tmp_path / "labels.csv"
    csv.write_text(
        "Path, Gender ,age,race\n"
        "a.jpg,M,30,White\n"
        "sub/b.png,female,,\n"       # unknown age and race
        "c.jpg,x,20,black\n"         # bad gender
        "d.jpg,f,twenty,black\n"     # bad age
        "e.jpg,,7,asian\n"           # unknown gender
    )
    ds = load_dataset(tmp_path)
    assert ds.source == csv
    t = ds.table
    assert t["path"].tolist() == [str(tmp_path / "a.jpg"), str(tmp_path / "sub/b.png"), str(tmp_path / "e.jpg")]
    assert t["gender"].tolist()[:2] == ["m", "f"] and t["gender"].isna().tolist() == [False, False, True]
    assert t["age"].iloc[0] == 30 and math.isnan(t["age"].iloc[1])
    assert t["race"].iloc[0] == "white" and t["race"].isna().iloc[1]
    assert ds.problems == [
        f"{csv}: line 4: gender 'x' is not one of m, f, male, female (or empty, NA, unknown)",
        f"{csv}: line 5: age 'twenty' is not a number of years",
    ]
    assert ds.has_race


def test_csv_given_directly_or_with_labels_option(tmp_path):
    (tmp_path / "truth.csv").write_text("path,gender,age\nimg/a.jpg,f,41\n")
    assert load_dataset(tmp_path / "truth.csv").table["path"].tolist() == [str(tmp_path / "img/a.jpg")]
    other = tmp_path / "faces"
    other.mkdir()
    ds = load_dataset(other, labels=tmp_path / "truth.csv")
    assert ds.table["path"].tolist() == [str(other / "img/a.jpg")] and not ds.has_race


def test_missing_columns_and_empty_data_sets_are_one_line_errors(tmp_path):
    csv = tmp_path / "labels.csv"
    csv.write_text("path,gender\na.jpg,m\n")
    with pytest.raises(DatasetError, match=r"labels\.csv: missing column\(s\) age \(found: path, gender"):
        load_dataset(tmp_path)
    csv.write_text("path,gender,age\na.jpg,?,1\n")
    with pytest.raises(DatasetError, match="no usable labelled face .* line 2: gender"):
        load_dataset(tmp_path)
    with pytest.raises(DatasetError, match="no such file or directory"):
        load_dataset(tmp_path / "missing")
    csv.unlink()
    with pytest.raises(DatasetError, match="no labels.csv and no images with UTKFace-style names"):
        load_dataset(tmp_path)


def test_utkface_names(tmp_path):
    assert parse_utkface_name("26_1_4_20170117153828843.jpg.chip.jpg") == (26.0, "f", "others")
    assert parse_utkface_name("1_0_2_2016.jpg") == (1.0, "m", "asian")
    with pytest.raises(ValueError):
        parse_utkface_name("39_1_20170116174525125.jpg")  # UTKFace has a few names without race
    (tmp_path / "a").mkdir()
    for name in ("a/30_0_1_x.jpg", "61_1_0_y.png", "broken_name.jpg", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    ds = load_dataset(tmp_path)
    assert ds.table[["gender", "age", "race"]].values.tolist() == [["f", 61.0, "white"], ["m", 30.0, "black"]]
    assert ds.problems == [f"{tmp_path / 'broken_name.jpg'}: file name is not [age]_[gender 0/1]_[race 0-4]_[date].jpg"]


def test_resolution_helpers(tmp_path):
    image = np.zeros((60, 80, 3), np.uint8)
    image[:, ::2] = 255  # stripes vanish at low resolution
    low = degrade(image, 0.25)
    assert low.shape == image.shape and low.std() < image.std() / 4
    path = str(tmp_path / "stripes.png")
    Image.fromarray(image).save(path)
    assert face_at_resolution(FaceRegion(0, path, 80), 20).std() < image.std() / 4
    assert (face_at_resolution(FaceRegion(0, path, 80), 80) == image).all()  # not larger than 80 px: as it is
    # a detected face: only its surroundings (2.5 x its landmark box) are degraded
    part = face_at_resolution(FaceRegion(0, path, 12, box=Rect(10, 10, 20, 20)), 3)
    assert part[10:20, 5:25].std() < 60 and (part[:, 30:] == image[:, 30:]).all()
    boxes = QueuedBoxDetector()
    boxes.push(Rect(1, 2, 3, 4))
    boxes.push(None)
    assert tuple(boxes(image)[0].bbox) == (1, 2, 3, 4)
    (det,) = boxes(image)
    assert tuple(det.bbox) == (0, 0, 80, 60) and math.isnan(det.detect_conf)
