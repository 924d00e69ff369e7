"""Live analysis runs: a file played in real time, a stream over HTTP, a source lost mid-stream, the window."""

from __future__ import annotations

import json
import time
from pathlib import Path

import av
import pandas as pd
import pytest

from httpserver import RangeRequestHandler, serve_directory
from inafaceanalyzer import VideoTracking, average_results
from inafaceanalyzer.export.csv import read_csv
from inafaceanalyzer.live import LiveOptions, LiveSession
from live_clips import write_clip
from test_tracking import TRACKING_COLUMNS


@pytest.fixture(scope="module")
def tracking(classifier) -> VideoTracking:
    return VideoTracking(5, face_classifier=classifier)


@pytest.fixture(scope="module")
def clip(tmp_path_factory, astronaut) -> Path:
    return write_clip(tmp_path_factory.mktemp("live") / "two.mp4", astronaut, 3)


@pytest.fixture(scope="module")
def clip_ts(tmp_path_factory, astronaut) -> Path:
    """An MPEG-TS stream (what live HTTP streams carry)."""
    return write_clip(tmp_path_factory.mktemp("served") / "two.ts", astronaut, 2)


def slow_display(seconds: float):
    """An ``on_frame`` callback as slow as a display that takes ``seconds`` per frame."""
    shown = []

    def show(live) -> None:
        shown.append((live.frame.index, [m.text for m in live.marks]))
        time.sleep(seconds)

    show.shown = shown  # type: ignore[attr-defined]
    return show


def leftovers(outdir: Path) -> list[str]:
    """Files that are not finished outputs: temporary (hidden) or partial ones."""
    return sorted(p.name for p in outdir.iterdir() if p.name.startswith(".") or ".partial" in p.name)


def check_outputs(outdir: Path, name: str, result) -> tuple[pd.DataFrame, dict]:
    """The finished CSV and sidecar, consistent with the run's counts."""
    assert leftovers(outdir) == []
    table = read_csv(outdir / f"{name}.csv")
    sidecar = json.loads((outdir / f"{name}.json").read_text())
    live = sidecar["live"]
    assert live["frames_received"] == live["frames_analysed"] + live["frames_dropped"]
    assert (live["frames_received"], live["frames_analysed"], live["frames_dropped"]) == (
        result.stats.received, result.stats.analysed, result.stats.dropped)
    assert sidecar["analysis"]["frames_analysed"] == result.stats.analysed
    assert sidecar["analysis"]["faces"] == len(table) == result.stats.faces
    assert sidecar["engine"] == "videotracking" and sidecar["options"]["mode"] == "live"
    assert list(table.columns) == TRACKING_COLUMNS
    if len(table):
        pd.testing.assert_frame_equal(table, average_results(table))  # exact per-track averages
    return table, sidecar


def test_file_played_in_real_time(tracking, clip, tmp_path):
    show = slow_display(0.08)  # slower than the 25 fps source: frames must be dropped
    result = LiveSession(tracking, LiveOptions(mp4=True)).run(str(clip), tmp_path, on_frame=show)
    stats = result.stats
    assert result.stop_reason == "end of stream" and result.error is None
    assert stats.received == 75 and stats.dropped > 0 and stats.analysed == len(show.shown)
    table, sidecar = check_outputs(tmp_path, "two", result)
    assert sorted(table.frame.unique()) == sorted({i for i, marks in show.shown if marks})
    assert table.face_id.nunique() == 2 and set(table.sex_label_avg) <= {"f", "m"}
    assert sidecar["live"]["stop_reason"] == "end of stream"
    assert sidecar["video"]["width"] == 480 and sidecar["analysis"]["frame_interval_s"] > 0.04
    # labels shown live: running averages per face, e.g. "#0 f 34 (avg)"
    assert all(text.startswith("#") and text.endswith("(avg)") for _, marks in show.shown for text in marks)
    with av.open(str(tmp_path / "two.mp4")) as mp4:
        frames = list(mp4.decode(video=0))
    assert len(frames) == stats.analysed and (frames[0].width, frames[0].height) == (480, 270)
    assert frames[-1].time == pytest.approx(sidecar["analysis"]["last_time_s"] - sidecar["analysis"]["first_time_s"],
                                            abs=0.002)  # shown at the times they were analysed


def test_as_fast_as_possible_matches_the_tracking_engine(tracking, clip, tmp_path):
    result = LiveSession(tracking, LiveOptions(realtime=False)).run(str(clip), tmp_path)
    assert result.stats.dropped == 0 and result.stats.analysed == 75
    table, _ = check_outputs(tmp_path, "two", result)
    engine = tracking(clip)  # the same core and tracker, batches classified across frames
    pd.testing.assert_frame_equal(table, engine, check_exact=False, rtol=1e-5)


def test_stream_served_over_http(tracking, clip_ts, tmp_path):
    with serve_directory(clip_ts.parent) as base:
        url = f"{base}/{clip_ts.name}"
        result = LiveSession(tracking, LiveOptions(timeout_s=5)).run(url, tmp_path)
    assert result.stop_reason == "end of stream" and result.error is None
    assert result.stats.received == 50 and result.stats.analysed > 0
    table, sidecar = check_outputs(tmp_path, "two", result)
    assert sidecar["source"] == url and len(table) > 0


class HalfThenStall(RangeRequestHandler):
    """A live stream (no length announced) that sends the first half of the file, then holds the
    connection open without sending anything more."""

    stall_s = 10.0

    def do_GET(self) -> None:
        data = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "video/mp2t")
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        time.sleep(self.stall_s)


class HalfThenClose(HalfThenStall):
    """A live stream that sends the first half of the file, then closes the connection."""

    stall_s = 0.0


@pytest.mark.parametrize("handler, reason", [(HalfThenStall, "timed out while reading"),
                                             (HalfThenClose, "read error")])
def test_source_lost_mid_stream(tracking, clip_ts, tmp_path, handler, reason):
    with serve_directory(clip_ts.parent, handler=handler) as base:
        url = f"{base}/{clip_ts.name}"
        result = LiveSession(tracking, LiveOptions(timeout_s=1)).run(url, tmp_path)
    assert result.stop_reason == "source error"
    message = str(result.error)
    assert message.startswith(url) and reason in message and "\n" not in message
    assert 0 < result.stats.received < 50  # what came before the cut
    table, sidecar = check_outputs(tmp_path, "two", result)
    assert sidecar["live"]["error"] == message and len(table) > 0


def test_stop_duration_and_no_outputs(tracking, clip, tmp_path):
    session = LiveSession(tracking, LiveOptions(duration_s=0.8))
    result = session.run(str(clip))  # no outdir: nothing written, the table is returned
    assert result.stop_reason == "duration" and result.files == []
    assert result.stats.received < 75 and result.stats.received == result.stats.analysed + result.stats.dropped
    assert list(result.table.columns) == TRACKING_COLUMNS

    def stop_at_third(live):
        return live.stats.analysed < 3  # False stops the run, as closing the window does

    result = LiveSession(tracking, LiveOptions(workers=2)).run(str(clip), tmp_path, name="stopped",
                                                                on_frame=stop_at_third)
    # the frames already taken (up to 2 per worker) are finished
    assert result.stop_reason == "stopped" and 3 <= result.stats.analysed <= 3 + 4
    check_outputs(tmp_path, "stopped", result)


def test_window_with_sdl_dummy_driver(tracking, clip, monkeypatch):
    """The window path, rendered off screen by SDL's dummy video driver (no display here)."""
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    pytest.importorskip("pygame")
    from inafaceanalyzer.live.display import Window, display_available

    assert display_available()
    with Window("test") as window:
        result = LiveSession(tracking, LiveOptions(duration_s=1)).run(str(clip), on_frame=window)
        assert window.shown == result.stats.analysed > 0
        import pygame

        assert pygame.display.get_surface().get_size() == (480, 270)
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        result = LiveSession(tracking, LiveOptions(workers=2)).run(str(clip), on_frame=window)
    assert result.stop_reason == "stopped"
    assert result.stats.analysed <= 1 + 4  # closed at the first frame; the frames already taken are finished


def test_display_detection():
    from inafaceanalyzer.live.display import display_available

    assert not display_available({}, "linux")
    assert display_available({"DISPLAY": ":0"}, "linux") and display_available({"WAYLAND_DISPLAY": "w"}, "linux")
    assert display_available({}, "darwin") and display_available({}, "win32")


def test_keyboard_interrupt_still_finishes_the_outputs(tracking, clip, tmp_path):
    """Without a signal handler (the Python API), Ctrl-C ends the run with its outputs finished, then propagates."""

    def interrupt_at_third(live):
        if live.stats.analysed == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        LiveSession(tracking).run(str(clip), tmp_path, on_frame=interrupt_at_third)
    assert leftovers(tmp_path) == []
    sidecar = json.loads((tmp_path / "two.json").read_text())
    live = sidecar["live"]
    assert live["stop_reason"] == "interrupted" and live["frames_analysed"] == 3
    assert live["frames_received"] == live["frames_analysed"] + live["frames_dropped"]  # frames in flight: dropped
    assert len(read_csv(tmp_path / "two.csv")) == sidecar["analysis"]["faces"] > 0
