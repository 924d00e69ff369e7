"""The contract every registered engine and classifier keeps, on real media, under non-default options.

Each engine (live included, on a file source with real time off) and each
classifier runs with the abstention rule, a minimal face size, ``fps`` and
``detect_period`` set away from their defaults; the suite checks the common
contract (columns, sidecar, abstention, frames and times) and compares the
engines that must agree (live == videotracking; videoprecomputed fed the
video engine's boxes == video). Short clip, few frames: it runs in CI.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import SHARED, SHARED_IMAGES, SHARED_VIDEOS, needs_shared
from inafaceanalyzer import classifiers, detection, engines
from inafaceanalyzer.abstention import UNKNOWN, AbstentionRule, unknown_reasons
from inafaceanalyzer.detection import DetectionOptions
from inafaceanalyzer.errors import MediaError
from inafaceanalyzer.export.csv import read_csv
from inafaceanalyzer.jobs import AnalysisOptions, VideoJob, build_analyzer, run_video_job
from inafaceanalyzer.media.video import VideoReader
from inafaceanalyzer.report.sidecar import read_sidecar

CROWD = SHARED_VIDEOS / "facenet-pytorch_video.mp4"  # 1920x1080, 25 fps, 4.2 s, many faces of 30 to 140 px
FPS = 2.0
RULE = AbstentionRule(min_face_size=70, min_gender_confidence=0.8)
DETECTION = DetectionOptions(min_size_px=40)
SIDECAR_KEYS = {"format", "source", "source_abspath", "engine", "options", "video", "analysis", "provenance"}
IMAGES = [SHARED_IMAGES / "dknuth.jpg", SHARED_IMAGES / "Europa21_-_2.jpg"]
CROPS = sorted((SHARED / "datasets" / "utkface-dev" / "images").glob("*.jpg"))[:4]


def options(engine: str, **changes) -> AnalysisOptions:
    """Non-default options, as far as ``engine`` takes them."""
    spec = engines.spec(engine)
    return AnalysisOptions(engine=engine, fps=FPS if spec.fps else None, detect_period=2 if spec.detect_period else None,
                           batch_size=5, device="cpu", detection=DETECTION, abstention=RULE, **changes)


BUILT_IN_CLASSIFIERS = ("dlib", "faceres", "ensemble", "ensemble_int8", "ensemble_gated")


def check_abstention(table: pd.DataFrame, rule: AbstentionRule = RULE, every_row_may_abstain: bool = False) -> None:
    """Every row the rule turns down answers ``u``, every other row answers; the rule mattered (and, for the
    real networks, left some rows answered; a toy classifier registered by the tests may abstain on all)."""
    reasons = unknown_reasons(table, rule)
    unknown = (table["sex_label"] == UNKNOWN).to_numpy()
    assert list(unknown) == list(reasons != "")
    assert 0 < unknown.sum() and (every_row_may_abstain or unknown.sum() < len(table))


def run_job(engine: str, outdir: Path, model, **changes) -> tuple[pd.DataFrame, dict, object, Path]:
    """``engine`` run on CROWD as the command line runs it: the CSV, the sidecar, the analyzer, the CSV's path."""
    analyzer = build_analyzer(options(engine, **changes), model)
    job = VideoJob(str(CROWD), outdir / engine / f"{CROWD.stem}.csv")
    job.dest_csv.parent.mkdir(parents=True, exist_ok=True)
    run_video_job(analyzer, job, FPS if engines.spec(engine).fps else None)
    sidecar = json.loads(job.dest_csv.with_suffix(".json").read_text())
    return read_csv(job.dest_csv), sidecar, analyzer, job.dest_csv


def check_video_contract(engine: str, table: pd.DataFrame, sidecar: dict, analyzer, csv: Path) -> None:
    expected = list(analyzer.columns) + (["sex_decfunc_avg", "age_decfunc_avg", "sex_label_avg", "age_label_avg"]
                                         if analyzer.tracked else [])
    assert list(table.columns) == expected
    assert set(sidecar) == SIDECAR_KEYS and sidecar["engine"] == engine
    assert sidecar["options"]["abstention"] == {"min_face_size": 70, "min_gender_confidence": 0.8, "child_age": 0.0,
                                              "young_age": 0.0, "young_confidence": 0.5}
    assert sidecar["options"]["classifier"] == analyzer.classifier.name
    assert read_sidecar(csv) is not None  # the report accepts it
    analysis = sidecar["analysis"]
    assert analysis["faces"] == len(table) > 0
    video_fps = sidecar["video"]["fps"]
    # frames and times agree: time is the frame's presentation time, within the analysed span
    assert np.allclose(table["time"], table["frame"] / video_fps, atol=0.5 / video_fps)
    assert analysis["first_time_s"] <= table["time"].min() <= table["time"].max() <= analysis["last_time_s"]
    assert table["frame"].nunique() <= analysis["frames_analysed"]
    if engines.spec(engine).fps:
        assert analysis["frame_interval_s"] == 1 / FPS
        assert analysis["frames_analysed"] == 9  # 0, 0.5, ... 4.0 s
        ticks = table["time"] * FPS  # the frames nearest 0, 1/fps, 2/fps, ... s
        assert (np.abs(ticks - np.round(ticks)) <= FPS / video_fps).all()
    check_abstention(table, every_row_may_abstain=analyzer.classifier.name not in BUILT_IN_CLASSIFIERS)
    small = [max(b[2] - b[0], b[3] - b[1]) for b in table["bbox"]]
    assert min(small) >= 40  # the detector's min size, squared and scaled by 1.1: never below


@pytest.fixture(scope="module")
def video_run(classifier, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("video")
    return run_job("video", tmp, classifier)


@needs_shared
@pytest.mark.parametrize("engine", engines.names("video"))
def test_video_engines_keep_the_contract(engine, classifier, video_run, tmp_path):
    if engine == "video":
        table, sidecar, analyzer, csv = video_run
    else:  # an engine given boxes gets the video engine's (its -o folder)
        changes = {"detections": str(video_run[3].parent)} if engines.spec(engine).detections else {}
        table, sidecar, analyzer, csv = run_job(engine, tmp_path, classifier, **changes)
    check_video_contract(engine, table, sidecar, analyzer, csv)


@needs_shared
def test_precomputed_boxes_of_the_video_engine_give_its_results(classifier, video_run, tmp_path):
    video, _, analyzer, video_csv = video_run
    # the boxes the video engine found, at full precision: the same rows, to the last digit
    boxes = []
    with VideoReader(CROWD) as reader:
        for frame in reader.frames(fps=FPS):
            boxes += [(frame.index, str(tuple(d.bbox.square.scale(analyzer.classifier.bbox_scale))))
                      for d in analyzer.face_detector(frame.image)]
    pd.DataFrame(boxes, columns=["frame", "bbox"]).to_csv(tmp_path / "boxes.csv", index=False)
    table, sidecar, _, _ = run_job("videoprecomputed", tmp_path, classifier, detections=str(tmp_path / "boxes.csv"))
    assert sidecar["options"]["detector"] == "precomputed"
    pd.testing.assert_frame_equal(table.drop(columns="detect_conf"), video.drop(columns="detect_conf"),
                                  check_exact=False, rtol=1e-5)
    assert table["detect_conf"].isna().all()  # no detection ran
    # the video engine's CSV fed back (boxes rounded to whole pixels): same faces, same boxes, nearly the same labels
    rounded, _, _, _ = run_job("videoprecomputed", tmp_path / "again", classifier, detections=str(video_csv))
    assert list(rounded["frame"]) == list(video["frame"])
    assert np.abs(np.array(list(rounded["bbox"])) - np.array(list(video["bbox"]))).max() <= 1
    assert list(rounded["detect_conf"]) == list(video["detect_conf"])  # carried over
    assert (rounded["sex_label"] == video["sex_label"]).mean() >= 0.9


@needs_shared
def test_precomputed_refuses_boxes_of_frames_not_analysed(classifier, video_run, tmp_path):
    analyzer = build_analyzer(options("videoprecomputed", detections=str(video_run[3].parent)), classifier)
    with pytest.raises(MediaError, match="frames have boxes but were not analysed .first: frame 12."):
        analyzer.analyze(str(CROWD), fps=1)  # boxes found at 2 fps
    (tmp_path / "facenet-pytorch_video.csv").write_text("frame,box\n0,\"(1, 2, 3, 4)\"\n")
    analyzer.detections = tmp_path
    with pytest.raises(MediaError, match="needs columns frame and bbox .missing: bbox."):
        analyzer.analyze(str(CROWD), fps=FPS)


@needs_shared
def test_live_gives_the_tracking_engine_results(classifier, tmp_path):
    from inafaceanalyzer.live import LiveOptions, LiveSession

    expected, _, _, _ = run_job("videotracking", tmp_path, classifier)
    analyzer = build_analyzer(options("videotracking"), classifier)
    (tmp_path / "live").mkdir()
    result = LiveSession(analyzer, LiveOptions(realtime=False, fps=FPS)).run(str(CROWD), tmp_path / "live")
    live = read_csv(tmp_path / "live" / "facenet-pytorch_video.csv")
    pd.testing.assert_frame_equal(live, expected, check_exact=False, rtol=1e-5)
    sidecar = json.loads((tmp_path / "live" / "facenet-pytorch_video.json").read_text())
    assert set(sidecar) - SIDECAR_KEYS == {"live"} and sidecar["engine"] == "videotracking"
    assert sidecar["analysis"]["frames_analysed"] == result.stats.analysed == 9
    check_abstention(live)


@needs_shared
@pytest.mark.parametrize("engine", engines.names("image"))
def test_image_engines_keep_the_contract(engine, classifier):
    analyzer = build_analyzer(options(engine), classifier)
    inputs = IMAGES if engine == "image" else CROPS
    table = analyzer(inputs)
    assert list(table.columns) == list(analyzer.columns)
    assert set(table["frame"]) <= set(map(str, inputs)) and len(table) >= len(inputs) // 2
    assert table["detect_conf"].isna().all() == (engines.spec(engine).detector == "whole_frame")
    reasons = unknown_reasons(table, RULE)
    assert list(table["sex_label"] == UNKNOWN) == list(reasons != "")


@needs_shared
def test_the_whole_frame_detector_makes_the_image_engine_a_preprocessed_one(classifier):
    chosen = build_analyzer(options("image", face_detector="whole_frame"), classifier)(CROPS)
    preprocessed = build_analyzer(options("preprocessed_image"), classifier)(CROPS)
    pd.testing.assert_frame_equal(chosen, preprocessed)


@needs_shared
@pytest.mark.parametrize("name", classifiers.names())
def test_every_classifier_keeps_the_contract(name, tmp_path):
    classifier = classifiers.create(name, device="cpu")
    table, sidecar, analyzer, csv = run_job("video", tmp_path, classifier, classifier=name)
    assert sidecar["options"]["classifier"] == name
    check_video_contract("video", table, sidecar, analyzer, csv)


@pytest.mark.parametrize("name", detection.names())
def test_every_detector_keeps_the_contract(name, astronaut):
    """Boxes in frame pixels whatever size it works at; ``at_side`` works smaller, or is the detector itself."""
    detector = detection.create(name)
    shape = astronaut.shape
    assert 0 < detector.working_side(shape) <= max(shape[:2])
    small = detector.at_side(128)
    assert small is detector or small.working_side(shape) <= 128
    for found in (detector(astronaut), small(astronaut)):
        for det in found:
            assert 0 <= det.bbox.x1 < det.bbox.x2 <= shape[1] + 1 and 0 <= det.bbox.y1 < det.bbox.y2 <= shape[0] + 1
    if small is not detector:  # the same face, boxed from the smaller image
        [full], [coarse] = detector(astronaut), small(astronaut)
        assert full.bbox.iou(coarse.bbox) > 0.7


def test_names_are_defined_once():
    from inafaceanalyzer.cli.analyze import build_parser
    from inafaceanalyzer.report import sidecar

    assert tuple(sidecar.ENGINES) == engines.names()
    choices = next(a.choices for a in build_parser()._actions if a.dest == "engine")
    assert list(choices) == list(engines.names())
    assert detection.canonical("LibFaceDetection") == "yunet" and "whole_frame" in detection.names()
    with pytest.raises(ValueError, match="unknown engine 'nope': choose from image, preprocessed_image"):
        AnalysisOptions(engine="nope")
    with pytest.raises(ValueError, match="--engine videoprecomputed needs --detections"):
        AnalysisOptions(engine="videoprecomputed")


@needs_shared
def test_the_command_runs_the_precomputed_engine_and_reports_a_bad_boxes_file(video_run, tmp_path, capsys):
    from inafaceanalyzer.cli.analyze import main

    other = tmp_path / "other.mp4"  # a second input with no boxes file in the folder
    other.symlink_to(CROWD)
    argv = ["--engine", "videoprecomputed", "--detections", str(video_run[3].parent), "--fps", "2", "--device", "cpu",
            "-q", "-i", str(CROWD), str(other), "-o", str(tmp_path / "out")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"ina_face_analyzer: error: {video_run[3].parent / 'other.csv'}: no such boxes file (--detections)" in err
    table = read_csv(tmp_path / "out" / f"{CROWD.stem}.csv")
    assert list(table["frame"]) == list(video_run[0]["frame"])  # the faces of the boxes file, frame by frame
    assert json.loads((tmp_path / "out" / f"{CROWD.stem}.json").read_text())["engine"] == "videoprecomputed"
    for extra, message in ((["--detect_period", "2"], "--detect_period does not apply to --engine videoprecomputed"),
                           ([], "--engine videoprecomputed needs --detections")):
        args = [a for a in argv if a not in ("--detections", str(video_run[3].parent))] if not extra else argv + extra
        with pytest.raises(SystemExit) as exit_:
            main(args)
        assert exit_.value.code == 2 and message in capsys.readouterr().err


@needs_shared
def test_a_campaign_worker_runs_the_precomputed_engine_from_its_serialised_options(video_run, tmp_path):
    from inafaceanalyzer.campaign.worker import CampaignWorker

    opts = options("videoprecomputed", detections=str(video_run[3].parent), face_detector="LibFaceDetection")
    worker = CampaignWorker(opts.as_dict())  # as the driver sends them to a Ray worker
    outcome = worker.run({"source": str(CROWD), "dest_csv": str(tmp_path / "w" / "crowd.csv")})
    assert outcome["ok"] and outcome["frames_analysed"] == 9 and outcome["faces"] == len(video_run[0])
    sidecar = json.loads((tmp_path / "w" / "crowd.json").read_text())
    assert sidecar["options"]["boxes_aligned_as"] == "yunet" and sidecar["engine"] == "videoprecomputed"
