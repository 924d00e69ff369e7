"""Live analysis runs the tracking engine's own code: same rows, labels and counts under non-default options."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import SHARED_VIDEOS, needs_shared
from inafaceanalyzer import VideoTracking
from inafaceanalyzer.abstention import UNKNOWN, AbstentionRule
from inafaceanalyzer.detection import DetectionOptions, YuNetDetector
from inafaceanalyzer.export.csv import read_csv
from inafaceanalyzer.live import LiveOptions, LiveSession

CROWD = SHARED_VIDEOS / "facenet-pytorch_video.mp4"  # 1920x1080, 4.2 s, many faces of 30 to 140 px


@needs_shared
def test_live_matches_the_tracking_engine_under_non_default_options(classifier, tmp_path):
    engine = VideoTracking(3, YuNetDetector(DetectionOptions(min_size_px=50)), classifier)
    engine.abstention = AbstentionRule(min_face_size=70, min_gender_confidence=0.9)
    expected = engine.analyze(CROWD, fps=5)
    table = expected.table
    # the options matter on this clip: faces dropped, rows and whole tracks answered 'u', others answered
    assert expected.left_out.min_face_size_px > 0
    assert 0 < (table.sex_label == UNKNOWN).sum() < len(table)
    assert 0 < (table.sex_label_avg == UNKNOWN).sum() < len(table)

    result = LiveSession(engine, LiveOptions(realtime=False, fps=5)).run(str(CROWD), tmp_path)
    assert result.stats.analysed == expected.frames_analysed and result.stats.dropped == 0
    live = read_csv(tmp_path / "facenet-pytorch_video.csv")
    pd.testing.assert_frame_equal(live, table, check_exact=False, rtol=1e-5)
    pd.testing.assert_frame_equal(result.table.assign(bbox=live.bbox), table, check_exact=False, rtol=1e-5)
    sidecar = json.loads((tmp_path / "facenet-pytorch_video.json").read_text())
    assert sidecar["analysis"]["left_out"] == expected.left_out.as_dict()
    assert sidecar["options"]["abstention"] == {"min_face_size": 70, "min_gender_confidence": 0.9, "child_age": 0.0,
                                              "young_age": 0.0, "young_confidence": 0.5}


@needs_shared
def test_live_without_outputs_applies_the_abstention_rule(classifier):
    engine = VideoTracking(3, YuNetDetector(DetectionOptions(min_size_px=50)), classifier)
    engine.abstention = AbstentionRule(min_gender_confidence=0.999)
    shown = []
    result = LiveSession(engine, LiveOptions(realtime=False, fps=5)).run(
        str(CROWD), on_frame=lambda live: shown.extend(m.text for m in live.marks))
    expected = engine.analyze(CROWD, fps=5).table
    assert (result.table.sex_label == UNKNOWN).sum() == (expected.sex_label == UNKNOWN).sum() > 0
    assert list(result.table.sex_label_avg) == list(expected.sex_label_avg)
    assert any(text.split()[1] == UNKNOWN for text in shown)  # "#3 u 34 (avg)": weak running averages too


@needs_shared
def test_live_command_takes_the_abstention_options_and_reports_faces_left_out(tmp_path, capsys):
    from inafaceanalyzer.cli.live import main

    assert main(["--source", str(CROWD), "--headless", "--no-realtime", "--fps", "2", "-o", str(tmp_path),
                 "--min_gender_confidence", "0.999", "--min_face_size_px", "60"]) == 0
    table = read_csv(tmp_path / "facenet-pytorch_video.csv")
    sidecar = json.loads((tmp_path / "facenet-pytorch_video.json").read_text())
    left_out = sidecar["analysis"]["left_out"]
    assert sidecar["options"]["abstention"]["min_gender_confidence"] == 0.999
    assert left_out["gender_unknown"] == (table.sex_label == UNKNOWN).sum() > len(table) // 2
    err = capsys.readouterr().err
    assert left_out["min_face_size_px"] > 0
    assert f"faces; {left_out['dropped']} left out (" in err
    assert f"smaller than 60 px: {left_out['min_face_size_px']}" in err
    assert f"; {left_out['gender_unknown']} answered sex_label 'u' (abstention rule" in err and "); stopped" in err
