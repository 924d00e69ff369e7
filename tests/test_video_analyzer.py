"""Video engines end to end: real faces moving in generated videos, the CLI, the shared clips."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import SHARED_VIDEOS
from httpserver import serve_directory
from inafaceanalyzer import Rect
from inafaceanalyzer.analyzers import VideoAnalyzer, VideoKeyframes
from inafaceanalyzer.cli.analyze import main
from videogen import face_head, paste, write_video

VIDEO_COLUMNS = ["frame", "bbox", "detect_conf", "sex_decfunc", "age_decfunc", "sex_label", "age_label", "time"]
W, H = 480, 270
APPEAR, LEAVE, COUNT = 10, 40, 50


def head_position(i: int) -> tuple[int, int]:
    return 40 + 6 * i, 60 + i


@pytest.fixture(scope="module")
def moving_face_video(tmp_path_factory, astronaut):
    """The astronaut's head crossing the frame from frame 10 to 39, absent before and after."""
    head = face_head(astronaut, 130)
    background = np.full((H, W, 3), (70, 90, 120), np.uint8)

    def frame(i):
        if APPEAR <= i < LEAVE:
            return paste(background, head, *head_position(i))
        return background

    path = tmp_path_factory.mktemp("vid") / "moving face.mp4"
    return write_video(path, frame, count=COUNT, rate=25, gop=10, audio_seconds=2.0)


@pytest.fixture(scope="module")
def video_analyzer(classifier):
    return VideoAnalyzer(face_classifier=classifier)


def test_every_frame_follows_the_face(video_analyzer, moving_face_video):
    result = video_analyzer.analyze(moving_face_video)
    df = result.table
    assert list(df.columns) == VIDEO_COLUMNS
    assert result.frames_analysed == COUNT and result.frame_interval_s == pytest.approx(0.04)
    assert set(df.frame) == set(range(APPEAR, LEAVE))  # appears, then disappears
    assert df.groupby("frame").size().max() == 1
    assert df.time.tolist() == pytest.approx((df.frame / 25).tolist())
    xs = [Rect(*b).center[0] for b in df.bbox]
    assert all(b > a for a, b in zip(xs, xs[1:]))  # moving right
    assert (df.sex_label == "f").mean() > 0.8


def test_fps_sampling_and_keyframes(video_analyzer, classifier, moving_face_video):
    sampled = video_analyzer(moving_face_video, fps=5)
    assert sorted(sampled.frame.unique()) == [10, 15, 20, 25, 30, 35]
    every = video_analyzer(moving_face_video)
    merged = sampled.merge(every, on="frame", suffixes=("", "_all"))
    assert np.allclose(merged.sex_decfunc, merged.sex_decfunc_all)  # same frames, same results
    keys = VideoKeyframes(face_classifier=classifier).analyze(moving_face_video)
    assert keys.frames_analysed == 5 and keys.frame_interval_s is None  # gop 10
    assert sorted(keys.table.frame.unique()) == [10, 20, 30]


def test_offset_in_milliseconds(video_analyzer, moving_face_video):
    df = video_analyzer(moving_face_video, fps=5, offset=1000)
    assert sorted(df.frame.unique()) == [25, 30, 35]


def test_cli_many_inputs_with_a_failure_and_a_url(tmp_path, moving_face_video, capsys):
    other = tmp_path / "copy.mkv"
    other.write_bytes(moving_face_video.read_bytes())  # mp4 bytes named .mkv: FFmpeg probes content
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(moving_face_video.read_bytes()[:3000])
    out = tmp_path / "out"
    out.mkdir()
    with serve_directory(moving_face_video.parent) as base:
        url = f"{base}/moving%20face.mp4"
        status = main(["--engine", "video", "--fps", "5", "-i", str(moving_face_video), str(broken), str(other),
                       url.replace("moving%20face", "remote"), "-o", str(out)])
        assert status == 1
        err = capsys.readouterr().err
        assert f"{broken}: cannot open" in err and "remote.mp4: cannot open" in err
        assert main(["--engine", "video", "--fps", "5", "-q", "-i", url, "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["copy.csv", "copy.json", "moving face.csv", "moving face.json"]
    local = pd.read_csv(out / "moving face.csv")
    assert list(local.columns) == VIDEO_COLUMNS
    pd.testing.assert_frame_equal(local, pd.read_csv(out / "copy.csv"))
    pd.testing.assert_frame_equal(local, pd.read_csv(tmp_path / "moving face.csv"))  # URL input
    meta = json.loads((out / "moving face.json").read_text())
    assert meta["analysis"]["frames_analysed"] == 10 and meta["analysis"]["frame_interval_s"] == 0.2
    assert meta["options"]["fps"] == 5 and meta["video"]["has_audio"] is True
    assert meta["provenance"]["models"]["yunet"]["sha256"]


def test_cli_refuses_bad_video_arguments(tmp_path, moving_face_video, capsys):
    v = str(moving_face_video)
    cases = [
        (["--engine", "video", "-i", v, "-o", "/dev/null/out"], "cannot create the directory"),
        (["--engine", "videokeyframes", "--fps", "1", "-i", v, "-o", str(tmp_path)], "--fps cannot"),
        (["--engine", "video", "--fps", "0", "-i", v, "-o", str(tmp_path)], "--fps must be > 0"),
        (["--engine", "image", "--fps", "1", "-i", v, "-o", str(tmp_path / "x.csv")], "applies to video"),
        (["--engine", "video", "-i", v, str(tmp_path / "other" / "moving face.mkv"), "-o", str(tmp_path)],
         "would both write"),
    ]
    for args, message in cases:
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 2
        assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("*.csv"))


def test_cli_original_keyframes_option(tmp_path, moving_face_video):
    assert main(["--keyframes", "-q", "-i", str(moving_face_video), "-o", str(tmp_path)]) == 0
    df = pd.read_csv(tmp_path / "moving face.csv")
    assert sorted(df.frame.unique()) == [10, 20, 30]
    assert json.loads((tmp_path / "moving face.json").read_text())["engine"] == "videokeyframes"


@pytest.mark.skipif(not SHARED_VIDEOS.is_dir(), reason="../shared sample videos not found")
def test_shared_clips(video_analyzer):
    woman = video_analyzer.analyze(SHARED_VIDEOS / "pexels-ron-lach-7817602.mp4", fps=2)
    df = woman.table
    assert woman.frames_analysed == 23
    assert df.groupby("frame").size().eq(1).mean() > 0.9  # one face in (nearly) every frame
    assert (df.sex_label == "f").mean() > 0.9
    crowd = video_analyzer(SHARED_VIDEOS / "facenet-pytorch_video.mp4", fps=5)
    assert crowd.groupby("frame").size().mean() >= 4  # a crowd walking towards the camera
    gif = video_analyzer(SHARED_VIDEOS / "intel-head-pose-face-detection-female-and-male.gif", fps=2)
    assert set(gif.sex_label) == {"m", "f"}
