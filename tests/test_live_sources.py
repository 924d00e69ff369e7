"""Live sources: naming them, the one-slot buffer, pacing and dropping (no models)."""

from __future__ import annotations

import threading
import time

import pytest

from inafaceanalyzer.errors import MediaOpenError
from inafaceanalyzer.live.sources import FrameFeed, LatestSlot, open_feed, parse_source
from inafaceanalyzer.media.video import VideoReader
from videogen import numbered_frame, read_number, write_video


def test_parse_source():
    cam = parse_source("0", platform="linux")
    assert (cam.target, cam.input_format, cam.device, cam.name) == ("/dev/video0", "v4l2", True, "camera0")
    mac = parse_source("1", {"framerate": "30"}, platform="darwin")
    assert (mac.target, mac.input_format, mac.options) == ("1:none", "avfoundation", {"framerate": "30"})
    with pytest.raises(ValueError, match="dshow:video=NAME"):
        parse_source("0", platform="win32")
    dshow = parse_source("dshow:video=Integrated Camera")
    assert (dshow.target, dshow.input_format, dshow.device) == ("video=Integrated Camera", "dshow", True)
    gen = parse_source("lavfi:testsrc2=size=320x240:rate=25")
    assert (gen.target, gen.input_format, gen.device, gen.name) == ("testsrc2=size=320x240:rate=25", "lavfi", False,
                                                                     "lavfi-testsrc2")
    url = parse_source("rtsp://cam.local:554/stream1", {"rtsp_transport": "tcp"})
    assert (url.target, url.input_format, url.device, url.name) == ("rtsp://cam.local:554/stream1", None, False,
                                                                     "stream1")
    assert parse_source("http://h/live/news.ts?token=1").name == "news"
    assert parse_source("dir/clip.mp4").name == "clip"
    with pytest.raises(ValueError):
        parse_source("  ")


def test_latest_slot_keeps_the_newest_and_counts_the_rest():
    slot: LatestSlot[int] = LatestSlot()
    for i in range(3):
        assert slot.put(i)
    assert slot.take() == 2 and (slot.received, slot.taken, slot.dropped) == (3, 1, 2)
    slot.put(3)
    slot.close()
    assert not slot.put(4)  # closed: nothing more comes in
    assert slot.take() == 3 and slot.take() is None  # what was left, then the end
    slot2: LatestSlot[int] = LatestSlot()
    slot2.put(1)
    slot2.discard()  # stopped before it was taken
    assert (slot2.received, slot2.taken, slot2.dropped) == (1, 0, 1)


def test_put_wait_blocks_until_taken():
    slot: LatestSlot[int] = LatestSlot()
    stop = threading.Event()
    got = []

    def consume():
        for _ in range(5):
            got.append(slot.take())

    consumer = threading.Thread(target=consume)
    consumer.start()
    for i in range(5):
        assert slot.put_wait(i, stop)
    consumer.join(5)
    assert got == list(range(5)) and slot.dropped == 0
    slot.put(9)
    stop.set()
    assert not slot.put_wait(10, stop)  # stopped while full: gives up


@pytest.fixture(scope="module")
def numbered(tmp_path_factory):
    """2 s at 25 fps of frames carrying their own number."""
    path = tmp_path_factory.mktemp("live") / "numbered.mp4"
    return write_video(path, lambda i: numbered_frame(i, 320, 96), count=50)


def test_real_time_playback_drops_what_a_slow_analysis_misses(numbered):
    feed = open_feed(parse_source(str(numbered)))
    assert feed.pace and feed.drop
    feed.start()
    taken = []
    for frame in feed.frames():
        taken.append(read_number(frame.image))
        assert frame.index == taken[-1]  # exact indices from the reader
        time.sleep(0.1)  # an analysis slower than the 25 fps source
    feed.close()
    counts = feed.counts
    assert feed.error is None and feed.ended
    assert counts.received == 50 and counts.taken == len(taken)
    assert counts.received == counts.taken + counts.dropped and counts.dropped > 0
    assert taken == sorted(taken) and len(set(taken)) == len(taken)


def test_without_real_time_every_frame_is_analysed(numbered):
    feed = open_feed(parse_source(str(numbered)), realtime=False)
    assert not feed.pace and not feed.drop
    feed.start()
    taken = [read_number(frame.image) for frame in feed.frames()]
    feed.close()
    assert taken == list(range(50)) and feed.counts.dropped == 0


def test_fps_sampling_and_stop(numbered):
    feed = open_feed(parse_source(str(numbered)), realtime=False, fps=5)
    feed.start()
    taken = []
    for frame in feed.frames():
        taken.append(frame.index)
        if len(taken) == 5:
            feed.stop()
    feed.close()
    assert taken == [0, 5, 10, 15, 20]
    counts = feed.counts
    assert counts.received == counts.taken + counts.dropped
    assert not feed.ended  # stopped, not the end of the source


def test_frames_are_released_at_their_timestamps(numbered):
    now = [100.0]
    waits = []

    def sleep(seconds: float) -> bool:  # a clock that moves only when the feed waits
        waits.append(seconds)
        now[0] += seconds
        return False

    feed = FrameFeed(VideoReader(numbered), pace=True, drop=False, clock=lambda: now[0], sleep=sleep)
    feed.start()
    times = [frame.time for frame in feed.frames()]
    feed.close()
    assert len(times) == 50 and len(waits) == 49  # every frame after the first waited for its time
    assert now[0] - 100.0 == pytest.approx(times[-1]) == pytest.approx(49 / 25)


def test_generator_source():
    feed = open_feed(parse_source("lavfi:testsrc2=size=160x120:rate=25:duration=0.4"))
    assert feed.pace and feed.drop and not feed.skip_unneeded  # no duration known: read as a live stream
    feed.start()
    frames = list(feed.frames())
    feed.close()
    assert frames[0].image.shape == (120, 160, 3) and feed.error is None
    assert feed.counts.received == 10 == feed.counts.taken + feed.counts.dropped


def test_missing_camera_and_file_fail_on_one_line(tmp_path):
    with pytest.raises(MediaOpenError, match=r"^97 \(/dev/video97\): cannot open") as err:
        open_feed(parse_source("97", platform="linux"))
    assert "\n" not in str(err.value)
    with pytest.raises(MediaOpenError, match="no such file"):
        open_feed(parse_source(str(tmp_path / "absent.mp4")))
