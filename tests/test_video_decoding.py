"""Video decoding: exact frame indices and times, sampling, keyframes, rotation, URLs, damaged files."""

import fractions
import math

import av
import numpy as np
import pytest

from httpserver import serve_directory
from inafaceanalyzer.errors import MediaDecodeError, MediaOpenError
from inafaceanalyzer.media.video import PresentationCounter, TimeSampler, VideoReader, probe
from videogen import numbered_frame, read_number, write_video

NTSC = fractions.Fraction(30000, 1001)


@pytest.fixture(scope="module")
def video25(tmp_path_factory):
    path = tmp_path_factory.mktemp("v") / "numbered25.mp4"
    return write_video(path, numbered_frame, count=260, rate=25, gop=12, bframes=3)


@pytest.fixture(scope="module")
def video_ntsc(tmp_path_factory):
    path = tmp_path_factory.mktemp("v") / "numbered2997.mp4"
    return write_video(path, numbered_frame, count=3050, rate=NTSC, gop=30, bframes=2)


def frames_of(path, **kwargs):
    with VideoReader(path) as reader:
        return list(reader.frames(**kwargs)), reader.stats


def check_identity(frames):
    """Each frame's index is the number drawn in it: the index names the right picture."""
    assert [read_number(f.image) for f in frames] == [f.index for f in frames]


def test_every_frame_in_order(video25):
    frames, stats = frames_of(video25)
    assert [f.index for f in frames] == list(range(260))
    assert [f.time for f in frames] == pytest.approx([i / 25 for i in range(260)])
    check_identity(frames)
    assert stats.decoded == 260 and stats.corrupt_packets == 0


def test_fps_sampling_25(video25):
    frames, stats = frames_of(video25, fps=1)
    assert [f.index for f in frames] == list(range(0, 260, 25))
    assert [f.time for f in frames] == pytest.approx(list(range(11)))
    check_identity(frames)
    assert stats.decoded < 260  # unneeded non-reference frames were not decoded


def test_fps_sampling_ntsc_does_not_drift(video_ntsc):
    frames, _ = frames_of(video_ntsc, fps=1)
    indices = [f.index for f in frames]
    assert indices[:4] == [0, 30, 60, 90]
    assert indices[100] == 2997  # 100 s = frame 2997.0: nearest frames, no drift
    assert indices == [round(k * NTSC) for k in range(len(indices))]
    assert frames[100].time == pytest.approx(2997 * 1001 / 30000)
    check_identity(frames)


def test_fps_above_the_video_rate_gives_each_frame_once(video25):
    frames, _ = frames_of(video25, fps=60)
    assert [f.index for f in frames] == list(range(260))


def test_fractional_fps_and_ties(video25):
    assert [f.index for f in frames_of(video25, fps=0.5)[0]] == list(range(0, 260, 50))
    # 2 fps on 25 fps: instant 0.5 s lies exactly between frames 12 and 13: the earlier wins
    assert [f.index for f in frames_of(video25, fps=2)[0]][:4] == [0, 12, 25, 37]


def test_offset_in_milliseconds(video25):
    frames, _ = frames_of(video25, fps=1, offset_ms=2000)
    assert [f.index for f in frames] == list(range(50, 260, 25))
    everything, _ = frames_of(video25, offset_ms=9000)
    assert [f.index for f in everything] == list(range(225, 260))
    check_identity(everything)


def test_keyframes_match_pyav_flags(video25):
    with av.open(str(video25)) as container:
        keys = sorted(p.pts for p in container.demux(video=0) if p.is_keyframe and p.pts is not None)
        tb = container.streams.video[0].time_base
    expected = [round(p * tb * 25) for p in keys]
    with VideoReader(video25) as reader:
        frames = list(reader.keyframes())
        assert reader.stats.decoded == len(expected)  # nothing but keyframes decoded
    assert [f.index for f in frames] == expected
    assert expected[:3] == [0, 12, 24]
    check_identity(frames)


def test_variable_frame_rate(tmp_path):
    # timestamps in milliseconds with irregular gaps
    pts = [0, 40, 80, 200, 240, 400, 410, 420, 1000, 1040]
    path = write_video(tmp_path / "vfr.mkv", numbered_frame, count=len(pts), rate=25, bframes=0,
                       pts=pts, time_base=fractions.Fraction(1, 1000))
    frames, _ = frames_of(path)
    assert [f.index for f in frames] == list(range(len(pts)))
    assert [f.time for f in frames] == pytest.approx([p / 1000 for p in pts])
    check_identity(frames)
    # instants 0, .2, .4, .6, .8, 1.0 s -> nearest frames 0, .2, .4, .42 (for .6), 1.0 (for .8 and 1.0)
    sampled, _ = frames_of(path, fps=5)
    assert [f.time for f in sampled] == pytest.approx([0.0, 0.2, 0.4, 0.42, 1.0])


def test_rotation_metadata_is_applied(tmp_path):
    img = np.zeros((48, 96, 3), np.uint8)
    img[:, :48] = 255  # left half white
    # shown turned 90 degrees clockwise, as phones record
    write_video(tmp_path / "rot.mp4", [img] * 3, rate=25, display_rotation=-90)
    frames, _ = frames_of(tmp_path / "rot.mp4")
    upright = frames[0].image
    assert upright.shape[:2] == (96, 48)
    assert upright[:40].mean() > 200 and upright[56:].mean() < 60  # the white half is on top
    info = probe(tmp_path / "rot.mp4")
    assert (info.width, info.height, info.rotation) == (48, 96, 270)


def test_url_served_locally(video25, tmp_path):
    with serve_directory(video25.parent) as base:
        url = f"{base}/{video25.name}"
        remote, _ = frames_of(url, fps=1)
        assert [f.index for f in remote] == list(range(0, 260, 25))
        check_identity(remote)
        with pytest.raises(MediaOpenError, match="missing.mp4: cannot open"):
            VideoReader(url.replace(video25.name, "missing.mp4"))


def test_unreadable_inputs(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "text.mp4").write_text("hello, not a video\n" * 50)
    cases = {"missing.mp4": "no such file", "empty.mp4": "empty file", "text.mp4": "cannot open"}
    for name, reason in cases.items():
        with pytest.raises(MediaOpenError) as info:
            VideoReader(tmp_path / name)
        assert str(tmp_path / name) in str(info.value) and reason in str(info.value)


def test_audio_only_file_is_refused(tmp_path):
    out = av.open(str(tmp_path / "sound.m4a"), "w")
    stream = out.add_stream("aac", rate=48000)
    frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
    frame.sample_rate = 48000
    frame.pts = 0
    for packet in list(stream.encode(frame)) + list(stream.encode()):
        out.mux(packet)
    out.close()
    with pytest.raises(MediaOpenError, match="no video stream"):
        VideoReader(tmp_path / "sound.m4a")


def test_truncated_file_gives_the_frames_before_the_cut(tmp_path):
    path = write_video(tmp_path / "whole.mp4", numbered_frame, count=200, rate=25,
                       container_options={"movflags": "faststart"})
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 6 // 10])
    frames, _ = frames_of(cut)
    assert 60 < len(frames) < 200
    assert [f.index for f in frames] == list(range(len(frames)))
    check_identity(frames)
    # without 'faststart' the index sits at the end: the cut file cannot be opened
    plain = write_video(tmp_path / "plain.mp4", numbered_frame, count=200, rate=25)
    (tmp_path / "plain_cut.mp4").write_bytes(plain.read_bytes()[: plain.stat().st_size // 2])
    with pytest.raises(MediaOpenError, match="plain_cut.mp4"):
        VideoReader(tmp_path / "plain_cut.mp4")


def flip_packet_payloads(path, out, every=10, start=20):
    """Copy ``path`` with bytes flipped inside the payload of every ``every``-th video packet."""
    data = bytearray(path.read_bytes())
    with av.open(str(path)) as container:
        spots = [(p.pos, p.size) for p in container.demux(video=0) if p.size and p.pos is not None and p.pos >= 0]
    for pos, size in spots[start::every]:
        for offset in range(size // 3, size, 5):
            data[pos + offset] ^= 0x5A
    out.write_bytes(bytes(data))
    return out


def test_corrupt_packets_are_counted_and_skipped(tmp_path):
    path = write_video(tmp_path / "v.mp4", numbered_frame, count=150, rate=25, gop=25)
    bad = flip_packet_payloads(path, tmp_path / "flipped.mp4")
    with VideoReader(bad) as reader:
        frames = list(reader.frames())
    indices = [f.index for f in frames]
    assert indices == sorted(set(indices)) and len(frames) > 100
    assert frames[0].index == 0 and frames[-1].index == 149  # decoding went on after the damage
    clean = [f for f in frames if f.index < 20]  # before the first damaged packet
    check_identity(clean)


def test_damaged_container_does_not_crash(tmp_path):
    path = write_video(tmp_path / "v.mkv", numbered_frame, count=150, rate=25, gop=25)
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(1)
    for pos in rng.integers(len(data) // 3, len(data) * 2 // 3, 300):
        data[pos] ^= 0xFF
    bad = tmp_path / "flipped.mkv"
    bad.write_bytes(bytes(data))
    try:
        with VideoReader(bad) as reader:
            frames = list(reader.frames())
    except MediaDecodeError as exc:
        assert "flipped.mkv" in str(exc)
    else:
        indices = [f.index for f in frames]
        assert indices == sorted(set(indices)) and indices[0] == 0


def test_too_many_consecutive_errors_stop_with_a_clear_error(tmp_path):
    path = write_video(tmp_path / "v.mkv", numbered_frame, count=60, rate=25, gop=60)
    data = bytearray(path.read_bytes())
    for pos in range(len(data) // 4, len(data) - 200, 7):
        data[pos] ^= 0x55
    bad = tmp_path / "ruined.mkv"
    bad.write_bytes(bytes(data))
    try:
        with VideoReader(bad, max_consecutive_errors=3) as reader:
            list(reader.frames())
            errors = reader.stats.corrupt_packets
    except MediaDecodeError as exc:
        assert "ruined.mkv" in str(exc) and "corrupt" in str(exc)
    else:
        assert errors < 3


def test_time_sampler_rules():
    s = TimeSampler(1, fractions.Fraction(0), fractions.Fraction(1, 25))
    times = [fractions.Fraction(i, 25) for i in range(60)]
    chosen = [t for t, nxt in zip(times, times[1:] + [None]) if s.select(t, nxt)]
    assert chosen == [0, 1, 2]
    prefilter = TimeSampler(1, fractions.Fraction(0), fractions.Fraction(1, 25))
    assert all(prefilter.might_select(t) for t in chosen)
    assert not prefilter.might_select(fractions.Fraction(12, 25))


def test_presentation_counter_with_reordering():
    counter = PresentationCounter()
    decode_order = [0, 3, 1, 2, 6, 4, 5]
    for pts in decode_order[:2]:
        counter.add(pts)
    assert counter.index_of(0) == 0
    for pts in decode_order[2:4]:
        counter.add(pts)
    assert [counter.index_of(p) for p in (1, 2, 3)] == [1, 2, 3]
    for pts in decode_order[4:]:
        counter.add(pts)
    assert [counter.index_of(p) for p in (4, 5, 6)] == [4, 5, 6]


@pytest.mark.parametrize(
    "codec, options",
    [
        ("libx264", {"x264-params": "open-gop=1:keyint=20:min-keyint=20:bframes=3:b-pyramid=normal"}),
        ("libx264", {"x264-params": "keyint=20:min-keyint=20:bframes=3:b-pyramid=strict"}),
        ("mpeg2video", {"g": "15", "bf": "2"}),  # broadcast-style, open GOPs
    ],
)
def test_skipping_never_returns_a_wrong_picture(tmp_path, codec, options):
    """Whatever the GOP structure, sampled frames are the right, cleanly decoded pictures."""
    ext = "ts" if codec == "mpeg2video" else "mp4"
    path = write_video(tmp_path / f"v.{ext}", numbered_frame, count=240, rate=25, codec=codec, options=options)
    for fps in (1, 2, 3, 7, 12.5):
        with VideoReader(path) as reader:
            frames = list(reader.frames(fps=fps))
            assert reader.stats.corrupt_packets == 0
        expected = sorted({min(range(240), key=lambda n: (abs(n / 25 - k / fps), n)) for k in range(math.ceil(9.6 * fps))})  # instants before the end
        assert [f.index for f in frames] == expected, fps
        check_identity(frames)
