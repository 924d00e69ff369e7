"""Faces left out by each detector filter are counted, shown in the summary line and kept in the sidecar."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import SHARED_IMAGES, SHARED_VIDEOS, needs_shared, opencv_yunet_faces
from inafaceanalyzer import ImageAnalyzer
from inafaceanalyzer.cli.analyze import main
from inafaceanalyzer.detection import DetectionOptions, YuNetDetector
from inafaceanalyzer.media.images import load_image

CLASSROOM = SHARED_VIDEOS / "intel-classroom.gif"  # 480x270, four faces of 16 to 27 px
GROUP = SHARED_IMAGES / "1328360239_e56cc26d26_o.jpg"  # 7 faces


@needs_shared
def test_small_faces_are_reported_with_the_option_that_keeps_them(tmp_path, capsys):
    assert main(["--engine", "video", "--fps", "2", "-i", str(CLASSROOM), "-o", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    sidecar = json.loads((tmp_path / "intel-classroom.json").read_text())
    left_out = sidecar["analysis"]["left_out"]
    assert sidecar["analysis"]["faces"] == 0 and left_out["min_face_size_px"] == left_out["dropped"] >= 4
    assert left_out["to_keep_them"] == "use --min_face_size_px 0"
    assert (f"0 faces in 6 frames; {left_out['dropped']} left out (smaller than 30 px: {left_out['dropped']}; "
            "use --min_face_size_px 0)") in err

    assert main(["--engine", "video", "--fps", "2", "-q", "--min_face_size_px", "0", "-i", str(CLASSROOM),
                 "-o", str(tmp_path)]) == 0
    sidecar = json.loads((tmp_path / "intel-classroom.json").read_text())
    assert sidecar["analysis"]["faces"] == left_out["dropped"]  # the faces left out are those kept now
    assert sidecar["analysis"]["left_out"]["dropped"] == 0
    assert len(pd.read_csv(tmp_path / "intel-classroom.csv")) == left_out["dropped"]


@needs_shared
def test_each_filter_and_the_abstention_rule_counted_apart(classifier, tmp_path, capsys):
    image = load_image(GROUP)
    candidates = YuNetDetector(DetectionOptions(minconf=0.5, min_size_px=0))(image)
    options = DetectionOptions(minconf=0.9, min_size_px=50, min_size_prct=0.115)  # 480 px high: 55.2 px
    low = [d for d in candidates if d.detect_conf < 0.9]
    small_px = [d for d in candidates if d.detect_conf >= 0.9 and d.bbox.max_dim_len < 50]
    small_prct = [d for d in candidates if d.detect_conf >= 0.9 and 50 <= d.bbox.max_dim_len < 0.115 * 480]
    assert low and small_px and small_prct  # every filter drops faces here
    analyzer = ImageAnalyzer(YuNetDetector(options), classifier)
    kept = analyzer([GROUP])
    counts = analyzer.left_out
    assert (counts.detect_conf, counts.min_face_size_px, counts.min_face_size_percent) == (
        len(low), len(small_px), len(small_prct))
    assert len(kept) + counts.dropped == len(candidates)
    assert counts.gender_unknown == 0

    out = tmp_path / "r.csv"
    assert main(["--engine", "image", "-i", str(GROUP), "-o", str(out), "--min_gender_confidence", "0.999",
                 "--face_detection_confidence", "0.9"]) == 0
    err = capsys.readouterr().err
    unknown = (pd.read_csv(out).sex_label == "u").sum()
    assert unknown > 0 and "answered sex_label 'u' (abstention rule" in err and f"; {unknown} answered" in err
    lowest = min(d.detect_conf for d in low)  # 0.877: the option given keeps it
    assert "detection confidence below 0.9: 1" in err
    assert f"--face_detection_confidence {int(lowest * 100) / 100:g}" in err


@needs_shared
@pytest.mark.parametrize("minconf", [0.3, 0.65, 0.9])
def test_counting_low_scores_keeps_the_same_faces(minconf):
    """YuNet now reports candidates down to 0.5 to count them; the faces kept are YuNet's own at ``minconf``."""
    image = load_image(GROUP)
    ours = YuNetDetector(DetectionOptions(minconf=minconf, min_size_px=0), max_side=4096)(image)
    theirs = opencv_yunet_faces(image, minconf)
    assert len(ours) == len(theirs) > 0
    assert sorted(round(d.detect_conf, 5) for d in ours) == sorted(round(float(r[14]), 5) for r in theirs)
