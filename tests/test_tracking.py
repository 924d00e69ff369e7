"""Tracking engine: the tracker's rules on scripted boxes, per-track averaging, and identities
on generated videos of real faces moving along known paths."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from conftest import SHARED_IMAGES, SHARED_VIDEOS, needs_shared
from inafaceanalyzer import Detection, Rect, TrackingDetector, TrackingOptions, VideoTracking, average_results
from inafaceanalyzer.cli.analyze import main
from inafaceanalyzer.export.csv import read_csv
from inafaceanalyzer.tracking import match_boxes
from inafaceanalyzer.types import Frame
from tracking_scenes import identity_scores, load_people, scenes

TRACKING_COLUMNS = [
    "frame", "bbox", "face_id", "detect_conf", "track_conf", "sex_decfunc", "age_decfunc", "sex_label", "age_label",
    "time", "sex_decfunc_avg", "age_decfunc_avg", "sex_label_avg", "age_label_avg",
]


# --- the tracker's rules, with a scripted detector and scripted visual trackers (no models) ---

class ScriptedDetector:
    """Returns the boxes listed for each call, in order."""

    def __init__(self, script: list[list[Rect]]) -> None:
        self.script = script
        self.calls = 0

    def __call__(self, image: np.ndarray) -> list[Detection]:
        boxes = self.script[self.calls]
        self.calls += 1
        return [Detection(b, detect_conf=0.9) for b in boxes]

    def landmark_box(self, bbox: Rect) -> Rect:
        return bbox.scale(0.5)


class ShiftingTracker:
    """A visual tracker that moves its box by ``step`` pixels right per frame with a fixed confidence."""

    confidence = 20.0
    step = 10.0

    def start(self, image: np.ndarray, box: Rect) -> None:
        self.box = box

    def update(self, image: np.ndarray) -> tuple[Rect, float]:
        self.box = self.box.transpose(self.step, 0)
        return self.box, self.confidence


IMAGE = np.zeros((200, 300, 3), np.uint8)


def frames(n: int, image: np.ndarray = IMAGE) -> list[Frame]:
    return [Frame(i, i / 25, image) for i in range(n)]


def test_tracks_between_detections_and_keeps_ids():
    box = Rect(10, 50, 60, 100)
    det = ScriptedDetector([[box], [box.transpose(30, 0)]])
    tracker = TrackingDetector(det, 3, TrackingOptions(cut_threshold=None, follow="correlation"), tracker_factory=ShiftingTracker)
    out = [tracker.update(f) for f in frames(4)]
    assert det.calls == 2  # frames 0 and 3
    assert [[d.face_id for d in faces] for faces in out] == [[0], [0], [0], [0]]
    assert math.isnan(out[0][0].track_conf) and out[0][0].detect_conf == 0.9  # a new track
    assert out[1][0].bbox == box.transpose(10, 0) and math.isnan(out[1][0].detect_conf)  # tracked
    assert out[1][0].track_conf == 20.0
    assert out[3][0].bbox == box.transpose(30, 0) and out[3][0].detect_conf == 0.9  # the detection's box
    assert math.isnan(out[3][0].track_conf)
    assert tracker.landmark_box(box) == box.scale(0.5)  # chips are cut as the detector's boxes


def test_optimal_assignment_beats_greedy():
    # greedy would give the best pair (t0, d0: IoU 0.6) and leave t1 unmatched; optimal matches both
    tracks = [Rect(0, 0, 10, 10), Rect(4, 0, 14, 10)]
    dets = [Rect(2.5, 0, 12.5, 10), Rect(-3, 0, 7, 10)]
    assert sorted(match_boxes(tracks, dets, 0.3)) == [(0, 1), (1, 0)]
    assert match_boxes(tracks, [Rect(100, 100, 110, 110)], 0.3) == []  # under the minimum IoU


def test_low_confidence_and_leaving_the_frame_end_tracks():
    class Fading(ShiftingTracker):
        confidence = 5.0  # under the default threshold of 7

    det = ScriptedDetector([[Rect(10, 50, 60, 100)], []])
    tracker = TrackingDetector(det, 5, TrackingOptions(cut_threshold=None, follow="correlation"), tracker_factory=Fading)
    assert [len(tracker.update(f)) for f in frames(2)] == [1, 0]

    det = ScriptedDetector([[Rect(200, 50, 250, 100)]])
    tracker = TrackingDetector(det, 100, TrackingOptions(cut_threshold=None, follow="correlation"), tracker_factory=ShiftingTracker)
    counts = [len(tracker.update(f)) for f in frames(10)]
    assert counts == [1] * 8 + [0, 0]  # after 8 steps of 10 px, 60 % of the box is out of the 300 px frame


def test_lost_tracks_come_back_and_ids_are_never_reused():
    a, b = Rect(10, 50, 60, 100), Rect(200, 50, 250, 100)
    # frame 0: a, b; frame 1: a missed (hidden); frame 2: a back; frame 3: a new face far away
    det = ScriptedDetector([[a, b], [b], [a.transpose(5, 0), b], [a, b, Rect(100, 120, 150, 170)]])

    class Still(ShiftingTracker):
        step = 0.0

    run = TrackingDetector(det, 1, TrackingOptions(cut_threshold=None, follow="correlation"), tracker_factory=Still)
    ids = [[d.face_id for d in run.update(f)] for f in frames(4)]
    assert ids == [[0, 1], [1], [0, 1], [0, 1, 2]]
    det.calls = 0
    forgetful = TrackingDetector(det, 1, TrackingOptions(cut_threshold=None, max_lost_s=0, follow="correlation"), tracker_factory=Still)
    assert [[d.face_id for d in forgetful.update(f)] for f in frames(3)] == [[0, 1], [1], [1, 2]]
    det.calls = 0
    forgetful.reset()
    assert [d.face_id for d in forgetful.update(frames(1)[0])] == [0, 1]  # a new stream


def test_a_face_that_walked_out_comes_back_new_and_a_hidden_one_with_its_id():
    """25 fps, detected on every frame. Lost tracks are remembered 2.5 s (hidden 1.6 s here; they were
    forgotten after 1 s), unless their speed was taking them out of the frame: those left it."""
    walking = [Rect(194 + 6 * k, 20, 244 + 6 * k, 70) for k in range(10)]  # frame 9: x 248..298, 300 px frame
    still = Rect(100, 120, 150, 170)
    script = [[w, still] for w in walking] + [[]] * 40 + [[Rect(250, 20, 300, 70), still]]
    tracker = TrackingDetector(ScriptedDetector(script), 1, TrackingOptions(cut_threshold=None))
    ids = [[d.face_id for d in tracker.update(f)] for f in frames(51)]
    assert ids[9] == [0, 1] and ids[10:50] == [[]] * 40
    assert ids[50] == [1, 2]  # the still face keeps its id, the walking one that came back is a new face
    assert TrackingOptions().max_lost_s == 2.5


def test_shot_change_ends_every_track_and_detects_at_once():
    box = Rect(10, 50, 60, 100)
    det = ScriptedDetector([[box], [box]])
    tracker = TrackingDetector(det, 10, TrackingOptions(follow="correlation"), tracker_factory=ShiftingTracker)
    bright = np.full_like(IMAGE, 200)
    out = [tracker.update(Frame(i, i / 25, img)) for i, img in enumerate([IMAGE, IMAGE, bright])]
    assert [[d.face_id for d in faces] for faces in out] == [[0], [0], [1]]
    assert det.calls == 2 and tracker.cuts == 1  # detected on the new shot's first frame


def test_inputs_are_not_modified():
    box = Rect(10, 50, 60, 100)
    listed = [Detection(box, detect_conf=0.9)]
    image = np.random.default_rng(0).integers(0, 255, (200, 300, 3), np.uint8)
    before = image.copy()

    class Fixed:
        def __call__(self, img):
            return listed

        def landmark_box(self, bbox):
            return bbox

    tracker = TrackingDetector(Fixed(), 1)
    tracker.update(Frame(0, 0.0, image))
    tracker.update(Frame(1, 0.04, image))
    assert listed == [Detection(box, detect_conf=0.9)] and np.array_equal(image, before)


# --- per-track averaging on any table ---

def test_average_results_on_any_table(tmp_path):
    df = pd.DataFrame({
        "frame": [0, 0, 1, 1, 2], "face_id": [0, 1, 0, 1, 0],
        "sex_decfunc": [2.0, -3.0, -1.0, -1.0, 2.0], "age_decfunc": [30.0, 50.0, 36.0, 40.0, 33.0],
    })
    out = average_results(df)
    assert "sex_decfunc_avg" not in df.columns  # input untouched
    assert out.sex_decfunc_avg.tolist() == [1.0, -2.0, 1.0, -2.0, 1.0]
    assert out.age_decfunc_avg.tolist() == [33.0, 45.0, 33.0, 45.0, 33.0]
    assert out.sex_label_avg.tolist() == ["m", "f", "m", "f", "m"] and out.age_label_avg.tolist()[1] == 45.0
    # re-smoothing after rows were filtered, from a CSV read back
    path = tmp_path / "t.csv"
    out.to_csv(path, index=False)
    again = average_results(pd.read_csv(path).query("frame < 2"))
    assert again.sex_decfunc_avg.tolist() == [0.5, -2.0, 0.5, -2.0]
    # several videos in one table: face ids restart per video
    two = pd.concat([df.assign(source="a"), df.assign(source="b", sex_decfunc=-df.sex_decfunc)])
    both = average_results(two, by=["source", "face_id"])
    assert both.sex_label_avg.tolist() == ["m", "f", "m", "f", "m", "f", "m", "f", "m", "f"]
    with pytest.raises(ValueError, match="face_id"):
        average_results(df.drop(columns="face_id"))


# --- identities on generated ground-truth videos ---

@pytest.fixture(scope="module")
def scene_videos(tmp_path_factory, astronaut):
    people = load_people(astronaut, SHARED_IMAGES if SHARED_IMAGES.is_dir() else None)
    folder = tmp_path_factory.mktemp("scenes")
    return {s.name: (s, s.write(folder / f"{s.name}.mp4")) for s in scenes(people)}


@pytest.fixture(scope="module")
def tracked(scene_videos, classifier):
    """Each scene analysed with detection every frame and every 5 frames."""
    return {
        (name, period): VideoTracking(period, face_classifier=classifier)(path)
        for name, (_, path) in scene_videos.items() for period in (1, 5)
    }


@pytest.mark.parametrize("name", ["crossing", "occlusion", "exit_reentry"])
@pytest.mark.parametrize("period", [1, 5])
def test_one_face_id_per_person(scene_videos, tracked, name, period):
    scene, _ = scene_videos[name]
    df = tracked[name, period]
    assert list(df.columns) == TRACKING_COLUMNS
    truth = scene.truth()
    scores = identity_scores(truth, df)
    assert scores.id_switches == 0
    assert scores.recall > 0.9
    assert all(share >= 0.95 for share in scores.main_share.values()), scores.main_share
    main = list(scores.main_id.values())
    assert len(main) == len(set(main)) == truth[truth.visible >= 0.5].gt_id.nunique()  # one id per person
    assert scores.idf1 > 0.95
    assert sorted(df.face_id.unique()) == list(range(df.face_id.nunique()))  # 0, 1, 2, ...
    # the leaving face comes back with a new face_id (a new ground-truth appearance)
    if name == "exit_reentry":
        assert scores.main_id["astronaut#1"] != scores.main_id["astronaut#2"]


def test_smoothed_labels_are_constant_within_a_track(scene_videos, tracked):
    for df in tracked.values():
        per_track = df.groupby("face_id")[["sex_label_avg", "age_label_avg", "sex_decfunc_avg"]].nunique()
        assert (per_track == 1).all().all()
        detected = df.detect_conf.notna()
        assert df[~detected].track_conf.notna().all() and df[detected].track_conf.isna().all()


@needs_shared
def test_smoothed_gender_matches_the_person(scene_videos, tracked):
    right = {"raw": 0, "avg": 0}
    total = 0
    for (name, _), df in tracked.items():
        scene, _ = scene_videos[name]
        truth = scene.truth()
        scores = identity_scores(truth, df)
        sex = dict(zip(truth.gt_id, truth.sex))
        for gid, fid in scores.main_id.items():
            rows = df[df.face_id == fid]
            right["raw"] += int((rows.sex_label == sex[gid]).sum())
            right["avg"] += int((rows.sex_label_avg == sex[gid]).sum())
            total += len(rows)
    assert right["avg"] >= right["raw"] and right["avg"] / total > 0.95


def test_cli_videotracking_with_fps(tmp_path, scene_videos):
    _, path = scene_videos["occlusion"]
    assert main(["--engine", "videotracking", "--detect_period", "3", "--fps", "10", "-q", "-i", str(path),
                 "-o", str(tmp_path)]) == 0
    df = read_csv(tmp_path / "occlusion.csv")
    assert list(df.columns) == TRACKING_COLUMNS
    assert df.frame.nunique() == 32  # 10 of the 25 frames per second, 3.2 s
    assert df.face_id.nunique() == 2
    sidecar = json.loads((tmp_path / "occlusion.json").read_text())
    assert sidecar["options"]["detect_period"] == 3 and sidecar["options"]["tracking"]["follow"] == "redetect"
    assert main(["--tracking", "2", "-q", "-i", str(path), "-o", str(tmp_path)]) == 0  # the original's option
    assert list(pd.read_csv(tmp_path / "occlusion.csv").columns) == TRACKING_COLUMNS


@pytest.mark.skipif(not (SHARED_VIDEOS / "intel-head-pose-face-detection-female-and-male.gif").is_file(),
                    reason=f"intel sample GIF not found in {SHARED_VIDEOS}")
def test_woman_and_man_gif(classifier):
    gif = SHARED_VIDEOS / "intel-head-pose-face-detection-female-and-male.gif"
    df = VideoTracking(3, face_classifier=classifier)(gif)
    assert df.face_id.nunique() == 2
    for fid, rows in df.groupby("face_id"):
        woman = np.mean([Rect(*b).center[0] for b in rows.bbox]) < 240  # she is on the left
        assert set(rows.sex_label_avg) == {"f" if woman else "m"}
