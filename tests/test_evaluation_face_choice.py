"""Which face of a photo with several is the labelled one (issue 13, item 18), on real photos."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from _eval_sets import needs_images
from conftest import SHARED_IMAGES
from inafaceanalyzer.cli.evaluate import main

GROUP = SHARED_IMAGES / "1328360239_e56cc26d26_o.jpg"  # 640x480, seven faces
INDIA = SHARED_IMAGES / "800px-India_(236650352).jpg"  # five faces, the largest near the centre
KNUTH = SHARED_IMAGES / "dknuth.jpg"  # one face
CHILD = (339, 337, 392, 391)  # bboxes YuNet gives in GROUP: a child at the bottom,
LARGEST = (208, 150, 279, 222)  # the largest face (left of centre)
CENTRAL = (350, 175, 410, 235)  # and the face nearest the image centre


@pytest.fixture
def group_photos(tmp_path):
    """Labels for real multi-face photos (absolute paths), two people labelled in one photo, and a blank image."""
    Image.fromarray(np.full((240, 320, 3), 90, np.uint8)).save(tmp_path / "blank.png")
    (tmp_path / "labels.csv").write_text(
        "path,gender,age,x1,y1,x2,y2\n"
        f"{GROUP},f,6,335,330,396,396\n"       # a box drawn by hand around the child
        f"{GROUP},f,50,212,146,283,226\n"      # another person of the same photo
        f"{GROUP},m,40,0,0,30,30\n"            # a box where no face is
        f"{INDIA},m,45,,,,\n"                  # no box: the largest face
        f"{KNUTH},m,67,,,,\n"
        "blank.png,m,30,,,,\n"
    )
    return tmp_path


def _run(folder, out, choice, capsys):
    status = main([str(folder), "-o", str(out), "--faces", "photos", "--face_choice", choice, "--no_plots"])
    return status, capsys.readouterr().err, pd.read_csv(out / "predictions.csv"), \
        pd.read_csv(out / "counts.csv").set_index("what")["count"]


@needs_images
def test_face_chosen_by_labelled_box(group_photos, tmp_path, capsys):
    status, err, predictions, counts = _run(group_photos, tmp_path / "box", "box", capsys)
    assert status == 0
    bboxes = predictions["bbox"].tolist()
    assert bboxes[0] == str(CHILD) and bboxes[1] == str(LARGEST)  # each labelled person gets their own face
    assert predictions["status"].tolist() == ["ok", "ok", "no face", "ok", "ok", "no face"]
    assert predictions["faces_found"].tolist() == [7, 7, 7, 5, 1, 0]
    assert counts["photos with several faces (box kept)"] == 2
    assert counts["photos with no face found"] == 1
    assert counts["labelled boxes overlapping no detected face"] == 1
    assert "2 photos with several faces (box kept)" in err
    assert "1 image(s): the labelled box (x1,y1,x2,y2) overlaps no detected face, left out" in err
    assert f"1 image(s): no face found, left out (see {tmp_path / 'box'}/predictions.csv): " \
        f"{group_photos / 'blank.png'}" in err


@needs_images
@pytest.mark.parametrize(("choice", "expected"), [("largest", LARGEST), ("central", CENTRAL)])
def test_largest_or_most_central_face(group_photos, tmp_path, capsys, choice, expected):
    status, err, predictions, counts = _run(group_photos, tmp_path / choice, choice, capsys)
    assert status == 0
    group = predictions[predictions["path"] == str(GROUP)]
    assert group["bbox"].tolist() == [str(expected)] * 3  # boxes are ignored
    assert counts[f"photos with several faces ({choice} kept)"] == 2
    assert counts["photos with no face found"] == 1
    india = predictions.loc[predictions["path"] == str(INDIA), "bbox"].iloc[0]
    assert india == str((191, 190, 496, 495))  # largest and most central at once
