"""Tracking by re-detection in windows: the windows themselves on a real face, identities and face rows
at ``--fps 5 --detect_period 3`` on the generated videos, and face rows on the real clips of ../shared."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SHARED_VIDEOS
from inafaceanalyzer import Rect, TrackingDetector, TrackingOptions, VideoAnalyzer, VideoTracking
from inafaceanalyzer.detection import DetectionOptions, YuNetDetector
from inafaceanalyzer.engines.leftout import CountingDetector, LeftOut
from inafaceanalyzer.redetection import crop_window, detect_in_windows
from inafaceanalyzer.tracking.tracks import Track, match_lost
from test_tracking import scene_videos  # noqa: F401  (the generated videos, a fixture)
from tracking_scenes import identity_scores

FPS, PERIOD = 5.0, 3
MIN_ROWS_RATIO = 0.97  # the tracking engine's face rows against the video engine's, at the same fps
# Below it before (benchmarks/tracking_rows.py): the crowd walking past at 1080p (facenet-pytorch_video.mp4,
# 0.959: people hidden behind others for 2 s, forgotten after 1 s) and a face coming back into the frame
# between two full detections (exit_reentry, 32 rows of 33: where a face left the frame was not watched).


def test_crop_window_is_black_outside_the_frame_and_scaled():
    image = np.random.default_rng(1).integers(1, 255, (200, 300, 3), np.uint8)
    crop, scale = crop_window(image, Rect(-50, -50, 150, 150), side=100)
    assert crop.shape == (100, 100, 3) and scale == 0.5
    assert not crop[:25].any() and not crop[:, :25].any()  # the part above and left of the frame
    assert np.array_equal(crop[25:, 25:], image[:150:2, :150:2])  # every other pixel of the frame's part
    assert not crop_window(image, Rect(400, 0, 500, 100), side=64)[0].any()  # wholly outside


def test_window_finds_the_face_where_the_full_frame_detector_does(astronaut):
    detector = YuNetDetector()
    [face] = detector(astronaut)
    size = face.bbox.max_dim_len
    found, whole = detect_in_windows(detector, astronaut, [face.bbox.transpose(0.4 * size, -0.3 * size)])
    assert len(found) == 1 and whole == [True]
    assert found[0].bbox.iou(face.bbox) > 0.8
    assert np.abs(found[0].landmarks - face.landmarks).max() < 0.08 * size  # mapped back to the frame
    # a window whose edge cuts the face: whatever is found there is not whole (it may not start a track)
    _, whole = detect_in_windows(detector, astronaut, [face.bbox.transpose(1.6 * size, 0)])
    assert not any(whole)


def test_whole_frame_scan_downscaled_to_the_smallest_face_kept():
    """The tracking engine's whole-frame detections see the smallest face kept (--min_face_size_px,
    30 px) at scan_face_px (15 px): half size on a 960x540 frame; a 1080p frame, which the detector
    already works on at 960 px, and a detector keeping every size are left as they are."""
    detector = YuNetDetector()
    tracker = TrackingDetector(detector, PERIOD)
    scanner = tracker.scanner((540, 960, 3))
    assert isinstance(scanner, YuNetDetector) and scanner.max_side == 480 and detector.max_side == 960
    assert tracker.scanner((540, 960, 3)) is scanner  # one per frame size
    assert tracker.scanner((1080, 1920, 3)) is detector
    assert TrackingDetector(detector, PERIOD, TrackingOptions(scan_face_px=None)).scanner((540, 960, 3)) is detector
    keeping_all = YuNetDetector(DetectionOptions(min_size_px=0))
    assert TrackingDetector(keeping_all, PERIOD).scanner((540, 960, 3)) is keeping_all
    with pytest.raises(ValueError, match="scan_face_px"):
        TrackingOptions(scan_face_px=0)


def test_drops_of_the_downscaled_scan_are_counted_with_the_others(astronaut):
    left_out = LeftOut()
    counting = CountingDetector(YuNetDetector(DetectionOptions(min_size_px=400)), left_out)
    scanner = counting.at_side(256)
    assert isinstance(scanner, CountingDetector) and scanner.left_out is left_out
    assert scanner.unconfirmed(astronaut) == [] and left_out.min_face_size_px == 1  # the face, under 400 px


def test_a_partly_hidden_sighting_is_not_where_the_track_is_taken_back():
    """A face boxed short as a bar covers it keeps, to be taken back by, its last whole box."""
    whole = Rect(100, 100, 170, 170)
    track = Track.new(0, None, whole, 0)  # type: ignore[arg-type]
    sliver = Rect(100, 110, 130, 150)  # 40 px: the rest behind the bar
    track.detected(sliver, None, 1, whole=False)  # type: ignore[arg-type]
    assert track.box == sliver and track.followed_motion.box == sliver  # its row, and where the window goes
    assert track.detected_motion.box == whole
    back = Rect(112, 100, 182, 170)  # out from behind the bar, 12 px further: within 0.5 face sizes of the whole box
    assert match_lost([track], [back], 8, 0.5) == [(0, 0)]


@pytest.fixture(scope="module")
def at_fps5(scene_videos, classifier):  # noqa: F811
    """Each generated scene through the video engine and the tracking engine at --fps 5 --detect_period 3."""
    video = VideoAnalyzer(face_classifier=classifier)
    tracking = VideoTracking(PERIOD, face_classifier=classifier)
    return {name: (video(path, fps=FPS), tracking(path, fps=FPS)) for name, (_, path) in scene_videos.items()}


@pytest.mark.parametrize("name", ["crossing", "occlusion", "exit_reentry"])
def test_faces_kept_between_detections_with_their_identity(scene_videos, at_fps5, name):  # noqa: F811
    # with dlib's correlation tracker, faces moving half a face a frame were lost between detections
    # and came back with a new face_id: 0.64 of the video engine's rows and 1 switch on "crossing",
    # 0.76 and 2 switches on "exit_reentry"
    scene, _ = scene_videos[name]
    video, tracked = at_fps5[name]
    assert len(tracked) >= MIN_ROWS_RATIO * len(video)
    scores = identity_scores(scene.truth(), tracked, scene.sampled(FPS))
    assert scores.id_switches == 0 and scores.idf1 > 0.95 and scores.fragmentation == 1.0
    assert tracked.face_id.nunique() == len(scores.ids_per_track)  # no face_id beyond the people's


def test_generated_videos_rows_together(at_fps5):
    assert sum(len(t) for _, t in at_fps5.values()) >= MIN_ROWS_RATIO * sum(len(v) for v, _ in at_fps5.values())


@pytest.mark.parametrize("follow", ["redetect", "correlation"])
def test_second_look_only_at_faces_that_start_tracks(scene_videos, classifier, follow):  # noqa: F811
    """A face continuing a track was looked at again when its track started: only new tracks cost a second
    look (it was spent on every detection, in every window too: more than half the tracking engine's CPU)."""
    _, path = scene_videos["crossing"]
    detector = YuNetDetector(DetectionOptions(second_look_sure=1.0))  # every face looked at, however sure
    df = VideoTracking(PERIOD, detector, classifier, tracking=TrackingOptions(follow=follow))(path, fps=FPS)
    tracks = df.face_id.nunique()
    assert df.detect_conf.notna().sum() >= 4 * tracks  # before: a second look per detected row, windows too
    assert detector.second_look_tally.looked == tracks and detector.second_look_tally.rejected == 0


def test_correlation_follower_stays_available(scene_videos, classifier):  # noqa: F811
    _, path = scene_videos["occlusion"]
    options = TrackingOptions(follow="correlation")
    df = VideoTracking(PERIOD, face_classifier=classifier, tracking=options)(path, fps=FPS)
    tracked = df.detect_conf.isna()
    assert tracked.any() and df[tracked].track_conf.gt(0).all()  # correlation PSRs on tracked rows
    with pytest.raises(ValueError, match="follow"):
        TrackingOptions(follow="optical flow")


CLIPS = sorted(p.name for p in SHARED_VIDEOS.glob("*") if p.suffix in {".mp4", ".gif"})


@pytest.mark.skipif(not CLIPS, reason=f"../shared sample videos not found at {SHARED_VIDEOS} (set INAFACE_SHARED)")
@pytest.mark.parametrize("clip", CLIPS)
def test_face_rows_on_real_clips(classifier, clip):
    path = SHARED_VIDEOS / clip
    video = VideoAnalyzer(face_classifier=classifier)(path, fps=FPS)
    tracked = VideoTracking(PERIOD, face_classifier=classifier)(path, fps=FPS)
    assert len(tracked) >= MIN_ROWS_RATIO * len(video), (len(tracked), len(video))
    assert (tracked.groupby("frame").face_id.nunique() == tracked.groupby("frame").size()).all()
