"""Video frames with PyAV: exact indices and times, fps sampling, keyframes, URLs, rotation.

Invariants of every frame source here:

* ``Frame.index`` is the frame's position in presentation order, counted from
  the packets' timestamps (so it stays exact when frames are not decoded);
  ``Frame.time`` is its presentation time in seconds from the first frame,
  computed exactly from ``pts x time_base``.
* ``--fps F`` sampling analyses, for each instant ``offset + k/F``, the frame
  nearest to it (ties go to the earlier frame), each frame at most once: a
  25 fps video at ``F = 1`` gives frames 0, 25, 50, ...; a 30000/1001 fps
  video gives 0, 30, 60, ..., 2997 at 100 s, without drift.
* Frames that sampling does not need are not converted, and are not even
  decoded when no wanted frame refers to them: non-reference frames, and the
  rest of a GOP after its last wanted frame (FFmpeg's ``skip_frame``, planned
  per GOP by :func:`plan_decoding`).
* Rotation metadata (display matrix) is applied: frames come upright.
* A corrupt packet is counted and skipped, and frames a damaged stream
  delivers out of presentation order are dropped; decoding gives up only
  after ``max_consecutive_errors`` failures in a row. The last frames buffered in the
  decoder are flushed at end of file.
"""

from __future__ import annotations

import heapq
import math
import os
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import PurePath

import av
import numpy as np

from ..errors import MediaDecodeError, MediaOpenError
from ..results.columns import DEFAULT_FPS, frame_rate
from ..types import Frame

DEFAULT_TIMEOUT_S = 30.0
MAX_CONSECUTIVE_ERRORS = 100
# Keyframes are emitted once this many later packets were read, so that every
# frame presented before them (open GOPs) has been counted for their index.
KEYFRAME_REORDER_PACKETS = 32
# GOP planning (see plan_decoding): packets read past a keyframe before the
# GOP before it is planned, and the longest GOP planned as a whole.
GOP_LOOKAHEAD_PACKETS = 16
MAX_PLANNED_PACKETS = 2000


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video.

    ``width``/``height`` are as displayed (after rotation) when the rotation was
    read (:func:`probe`); a :class:`VideoReader` does not decode ahead to read
    it, so its ``info`` has the coded size and ``rotation`` 0, while its frames
    always come upright.
    """

    source: str
    width: int
    height: int
    fps: Fraction | None
    duration_s: float | None
    frame_count: int | None
    rotation: int
    codec: str
    has_audio: bool

    def expected_frames(self, fps: float | None = None, offset_s: float = 0.0) -> int | None:
        """About how many frames a pass with this ``fps`` sampling will give (for progress bars)."""
        if self.duration_s is None:
            return self.frame_count
        span = max(0.0, self.duration_s - offset_s)
        if fps is None:
            if self.fps:
                return max(1, round(span * float(self.fps)))
            return self.frame_count
        return max(1, math.floor(span * fps) + 1)


@dataclass
class DecodeStats:
    """Counters filled while a video is read."""

    packets: int = 0
    decoded: int = 0
    yielded: int = 0
    corrupt_packets: int = 0
    out_of_order: int = 0  # frames a damaged stream delivered late, dropped
    errors: list[str] = field(default_factory=list)


def is_url(source: str | os.PathLike[str]) -> bool:
    return isinstance(source, str) and "://" in source[:16]


def source_stem(source: str) -> str:
    """``<basename>`` of an input path or URL, without its extension (the original's output naming)."""
    if is_url(source):
        source = urllib.parse.unquote(urllib.parse.urlparse(source).path.rstrip("/")) or "stream"
    name = PurePath(source).name
    return PurePath(name).stem or name


def open_container(source: str | os.PathLike[str], timeout_s: float = DEFAULT_TIMEOUT_S,
                   input_format: str | None = None, input_options: dict[str, str] | None = None):
    """Open a media file or URL with PyAV; :class:`MediaOpenError` (one line) on failure.

    ``timeout_s`` bounds opening and each later read of a network source.
    ``input_format`` forces FFmpeg's demuxer or capture device (``v4l2``,
    ``avfoundation``, ``dshow``, ``lavfi``...); ``input_options`` are its
    options (e.g. ``{"framerate": "30", "video_size": "1280x720"}``), added to
    the network ones.
    """
    name = os.fspath(source)
    if not is_url(name) and input_format is None:
        if not os.path.exists(name):
            raise MediaOpenError(name, "no such file")
        if os.path.isdir(name):
            raise MediaOpenError(name, "is a directory, not a video")
        if os.path.getsize(name) == 0:
            raise MediaOpenError(name, "empty file")
    options = {}
    if is_url(name):
        options = {"reconnect": "0", "rw_timeout": str(int(timeout_s * 1e6))}
    options.update(input_options or {})
    try:
        container = av.open(name, mode="r", format=input_format, options=options, timeout=(timeout_s, timeout_s),
                            metadata_errors="replace")
    except av.error.ExitError as exc:
        raise MediaOpenError(name, f"timed out after {timeout_s:g} s") from exc
    except av.error.FFmpegError as exc:
        raise MediaOpenError(name, f"cannot open: {_ffmpeg_reason(exc)}") from exc
    except OSError as exc:
        raise MediaOpenError(name, f"cannot open: {exc.strerror or exc}") from exc
    except ValueError as exc:  # PyAV: an unknown input_format
        raise MediaOpenError(name, f"cannot open: {exc}") from exc
    if not container.streams.video:
        container.close()
        raise MediaOpenError(name, "no video stream (audio-only or not a video)")
    stream = container.streams.video[0]
    if stream.codec_context is None:
        container.close()
        raise MediaOpenError(name, "unknown or unsupported video codec")
    if not stream.codec_context.width or not stream.codec_context.height:
        container.close()
        raise MediaOpenError(name, "video stream without picture dimensions")
    return container


def _ffmpeg_reason(exc: av.error.FFmpegError) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def probe(source: str | os.PathLike[str], timeout_s: float = DEFAULT_TIMEOUT_S) -> VideoInfo:
    """Read a video's properties, decoding only its first frame (for the rotation)."""
    with open_container(source, timeout_s) as container:
        return _info(os.fspath(source), container, peek_rotation=True)


def _first_frame_rotation(container, stream) -> int:
    """The display rotation, read from the first decodable frame (PyAV exposes it on frames)."""
    try:
        for frame in container.decode(stream):
            return int(frame.rotation or 0) % 360
    except av.error.FFmpegError:
        return 0
    return 0


def _info(name: str, container, peek_rotation: bool = False) -> VideoInfo:
    stream = container.streams.video[0]
    cc = stream.codec_context
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    fps = Fraction(rate) if rate else None
    duration = None
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / av.time_base
    frames = stream.frames or (round(duration * float(fps)) if duration and fps else None)
    width, height = cc.width, cc.height
    rotation = 0
    if peek_rotation:
        rotation = _first_frame_rotation(container, stream)
        if rotation % 180:
            width, height = height, width
    return VideoInfo(
        source=name, width=width, height=height, fps=fps, duration_s=duration, frame_count=frames or None,
        rotation=rotation, codec=cc.name, has_audio=bool(container.streams.audio),
    )


class TimeSampler:
    """Chooses the frames that ``fps`` sampling analyses, from their times alone.

    ``select`` is the exact rule, applied in presentation order with one frame
    of look-ahead: the frame nearest to each instant ``offset + k/fps`` (ties
    to the earlier). ``might_select`` is a cheap superset used before decoding,
    to skip frames that cannot be chosen.
    """

    def __init__(self, fps: float | None, offset_s: Fraction, frame_period: Fraction | None) -> None:
        if fps is not None and not fps > 0:
            raise ValueError(f"fps must be > 0, got {fps}")
        self.step = None if fps is None else Fraction(str(fps)).limit_denominator(1_000_000) ** -1
        self.offset = offset_s
        self.period = frame_period
        self._next = offset_s  # next sampling instant

    def might_select(self, t: Fraction) -> bool:
        if self.step is None:
            return self.period is None or t >= self.offset - self.period
        if self.period is None:
            return True
        margin = self.period  # twice the half period: a safe superset for mildly variable rates
        if t < self.offset - margin:
            return False
        k = math.ceil((t - margin - self.offset) / self.step)
        return self.offset + max(k, 0) * self.step <= t + margin

    def select(self, t: Fraction, t_next: Fraction | None) -> bool:
        """Whether the frame at ``t`` is analysed, ``t_next`` being the next decoded frame's time."""
        if self.step is None:
            return t >= self.offset
        limit = (t + t_next) / 2 if t_next is not None else t + (self.period or self.step) / 2
        if self._next > limit:
            return False
        chosen = False
        while self._next <= limit:  # every instant nearer to t than to t_next (ties to t)
            chosen = True
            self._next += self.step
        return chosen and t >= self.offset - (self.period or 0)


class PresentationCounter:
    """Presentation index of frames from the timestamps of all packets read so far.

    When the decoder outputs the frame with timestamp ``p`` it has received
    every packet presented before it, so its index is the number of packets
    read with a smaller timestamp. Memory is bounded by the decoder's reorder
    depth.
    """

    def __init__(self) -> None:
        self._pending: list[int] = []
        self._before = 0

    def add(self, pts: int) -> None:
        heapq.heappush(self._pending, pts)

    def index_of(self, pts: int) -> int:
        """Index of the frame with ``pts``; call in presentation order."""
        while self._pending and self._pending[0] < pts:
            heapq.heappop(self._pending)
            self._before += 1
        index = self._before
        if self._pending and self._pending[0] == pts:
            heapq.heappop(self._pending)
            self._before += 1
        return index


def plan_decoding(
    packets: Iterable[av.Packet], wanted: Callable[[int], bool]
) -> Iterator[tuple[av.Packet, str]]:
    """Pair each packet with the ``skip_frame`` mode to decode it with.

    Packets are grouped by GOP (keyframe to keyframe, in decode order). Within
    a GOP, a packet that comes after the GOP's last wanted frame in decode
    order cannot be a reference of any wanted frame, so it is not decoded at
    all (``ALL``); before it, unwanted frames skip only if nothing refers to
    them (``NONREF``). A few packets past the next keyframe are read first: if
    the next GOP opens with frames presented before its keyframe (an open
    GOP, whose leading frames refer to this one), nothing of the current GOP is
    skipped beyond ``NONREF``. A GOP longer than
    ``MAX_PLANNED_PACKETS`` is passed on without tail skipping, so memory stays
    bounded. ``wanted(pts)`` must be a superset of the frames finally chosen.
    """
    pending: list[av.Packet] = []
    next_key: int | None = None
    for packet in packets:
        pending.append(packet)
        if packet.is_keyframe and len(pending) > 1 and next_key is None:
            next_key = len(pending) - 1
        if next_key is not None and len(pending) - next_key > GOP_LOOKAHEAD_PACKETS:
            yield from _plan_gop(pending[:next_key], pending[next_key:], wanted)
            pending = pending[next_key:]
            later = [i for i, p in enumerate(pending) if i and p.is_keyframe]
            next_key = later[0] if later else None
        elif next_key is None and len(pending) > MAX_PLANNED_PACKETS:
            for early in pending[:-GOP_LOOKAHEAD_PACKETS]:
                yield early, _conservative(early, wanted)
            pending = pending[-GOP_LOOKAHEAD_PACKETS:]
    if next_key is not None:
        yield from _plan_gop(pending[:next_key], pending[next_key:], wanted)
        pending = pending[next_key:]
    yield from _plan_gop(pending, [], wanted)


def _conservative(packet: av.Packet, wanted: Callable[[int], bool]) -> str:
    return "DEFAULT" if packet.pts is None or wanted(packet.pts) else "NONREF"


def _plan_gop(
    gop: list[av.Packet], lookahead: list[av.Packet], wanted: Callable[[int], bool]
) -> Iterator[tuple[av.Packet, str]]:
    flags = [packet.pts is None or wanted(packet.pts) for packet in gop]
    key_pts = lookahead[0].pts if lookahead else None
    # An open GOP follows: its leading pictures refer to this GOP, and decoders
    # mishandle their missing references, so keep this GOP decodable.
    open_gop_follows = key_pts is not None and any(p.pts is not None and p.pts < key_pts for p in lookahead[1:])
    last_needed = len(gop) - 1 if open_gop_follows else max((i for i, f in enumerate(flags) if f), default=-1)
    for i, (packet, flag) in enumerate(zip(gop, flags)):
        if not packet.size:  # the final flush packet
            yield packet, "DEFAULT"
        elif i > last_needed:
            yield packet, "ALL"
        else:
            yield packet, "DEFAULT" if flag else "NONREF"


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    """A frame as :class:`Frame` will carry it, still in the decoder's format.

    Converting to RGB costs as much as decoding; a live reader that may drop
    the frame before it is analysed converts it only when it is taken
    (:meth:`to_frame`).
    """

    index: int
    time: float
    picture: av.VideoFrame

    def to_frame(self) -> Frame:
        return Frame(index=self.index, time=self.time, image=_rgb(self.picture))


def _rgb(frame: av.VideoFrame) -> np.ndarray:
    """The frame as a C-contiguous RGB array, upright.

    PyAV returns a strided view when a row's size is not a multiple of its
    alignment (odd widths); native code (dlib) needs contiguous pixels.
    """
    img = frame.to_ndarray(format="rgb24")
    rotation = getattr(frame, "rotation", 0) or 0
    if rotation % 360:
        img = np.rot90(img, k=round(rotation / 90) % 4)
    return np.ascontiguousarray(img)


class VideoReader:
    """One video (path or http(s) URL) and its frames.

    Use as a context manager or call :meth:`close`. ``info`` is available once
    opened. ``frames()`` and ``keyframes()`` are single-pass generators.
    ``decode_threads``: FFmpeg decoding threads. One by default: decoding runs
    beside detection, which needs the cores more (measured on 2 cores: a
    single decoding thread made the whole analysis faster than FFmpeg's
    frame threading, which burns more CPU for the same frames).
    ``input_format``/``input_options``: see :func:`open_container` (capture
    devices).
    """

    def __init__(
        self,
        source: str | os.PathLike[str],
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_consecutive_errors: int = MAX_CONSECUTIVE_ERRORS,
        decode_threads: int = 1,
        input_format: str | None = None,
        input_options: dict[str, str] | None = None,
    ) -> None:
        self.source = os.fspath(source)
        self.max_consecutive_errors = max_consecutive_errors
        self.stats = DecodeStats()
        self._container = open_container(self.source, timeout_s, input_format, input_options)
        try:
            self.info = _info(self.source, self._container)
        except Exception:
            self._container.close()
            raise
        self._stream = self._container.streams.video[0]
        if decode_threads != 1:  # 0: FFmpeg's choice (one per core); >1: that many
            self._stream.thread_type = "AUTO"
            self._stream.codec_context.thread_count = decode_threads
        tb = self._stream.time_base
        self._time_base = Fraction(tb) if tb else Fraction(1, 90000)
        self._start = self._stream.start_time
        self._last_pts: int | None = None
        self._consecutive_errors = 0

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    def _time(self, pts: int | None, fallback_index: int) -> Fraction:
        if pts is None:
            return Fraction(fallback_index) / (self.info.fps or Fraction(DEFAULT_FPS))
        if self._start is None:
            self._start = pts
        return (pts - self._start) * self._time_base

    def _packets(self) -> Iterator[av.Packet]:
        try:
            yield from self._container.demux(self._stream)
        except av.error.ExitError as exc:
            raise MediaDecodeError(self.source, "timed out while reading") from exc
        except av.error.FFmpegError as exc:
            raise MediaDecodeError(self.source, f"read error: {_ffmpeg_reason(exc)}") from exc

    def _decode(self, packet: av.Packet) -> list[av.VideoFrame]:
        stats = self.stats
        try:
            frames = self._stream.codec_context.decode(packet)
        except av.error.EOFError:
            return []
        except av.error.FFmpegError as exc:  # corrupt data: count it, skip the packet
            stats.corrupt_packets += 1
            self._consecutive_errors += 1
            if len(stats.errors) < 20:
                stats.errors.append(_ffmpeg_reason(exc))
            if self._consecutive_errors >= self.max_consecutive_errors:
                raise MediaDecodeError(
                    self.source, f"{self._consecutive_errors} corrupt packets in a row ({_ffmpeg_reason(exc)})"
                ) from exc
            return []
        self._consecutive_errors = 0
        stats.decoded += len(frames)
        in_order = []
        for frame in frames:  # after damage a decoder may deliver a stale frame late: drop it
            if frame.pts is not None and self._last_pts is not None and frame.pts <= self._last_pts:
                stats.out_of_order += 1
                continue
            self._last_pts = frame.pts if frame.pts is not None else self._last_pts
            in_order.append(frame)
        return in_order

    def frames(self, fps: float | None = None, offset_ms: float = 0.0) -> Iterator[Frame]:
        """Every frame, or ``fps`` frames per second, from ``offset_ms`` milliseconds on."""
        for decoded in self.decoded_frames(fps, offset_ms):
            yield decoded.to_frame()

    def decoded_frames(self, fps: float | None = None, offset_ms: float = 0.0,
                       skip_unneeded: bool = True) -> Iterator[DecodedFrame]:
        """The frames of :meth:`frames`, decoded but not yet converted to RGB.

        ``skip_unneeded=False`` decodes every packet as it comes, without
        reading ahead to plan which ones ``fps`` sampling can skip: for live
        streams, where that look-ahead (up to a GOP) would delay every frame.
        """
        period = 1 / self.info.fps if self.info.fps else None
        sampler = TimeSampler(fps, Fraction(str(max(0.0, offset_ms))) / 1000, period)
        counter = PresentationCounter()
        cc = self._stream.codec_context
        self._consecutive_errors = 0
        held: tuple[av.VideoFrame, Fraction, int] | None = None
        decoded_count = 0
        timestamps_ok = True

        def wanted(pts: int) -> bool:
            return sampler.might_select(self._time(pts, 0))

        packets = self._packets()
        planned = (plan_decoding(packets, wanted) if fps is not None and skip_unneeded
                   else ((p, "DEFAULT") for p in packets))
        for packet, mode in planned:
            if packet.size:
                self.stats.packets += 1
                if packet.pts is None:
                    timestamps_ok = False  # count decoded frames instead of timestamps
                elif timestamps_ok:
                    counter.add(packet.pts)
            cc.skip_frame = mode if timestamps_ok else "DEFAULT"
            for frame in self._decode(packet):
                index = counter.index_of(frame.pts) if timestamps_ok and frame.pts is not None else decoded_count
                decoded_count += 1
                t = self._time(frame.pts, index)
                if held is not None:
                    yield from self._emit(held, sampler.select(held[1], t))
                held = (frame, t, index)
        if held is not None:
            yield from self._emit(held, sampler.select(held[1], None))

    def _emit(self, held: tuple[av.VideoFrame, Fraction, int], chosen: bool) -> Iterator[DecodedFrame]:
        if chosen:
            frame, t, index = held
            self.stats.yielded += 1
            yield DecodedFrame(index, float(t), frame)

    def keyframes(self) -> Iterator[Frame]:
        """Keyframes only; the other frames are not decoded.

        Once the container has flagged a keyframe packet, unflagged packets are
        not even handed to the decoder; before that (containers that flag
        nothing), the decoder itself drops non-keyframes (``NONKEY``).
        """
        counter = PresentationCounter()
        cc = self._stream.codec_context
        cc.skip_frame = "NONKEY"
        self._consecutive_errors = 0
        flags_seen = False
        waiting: list[tuple[av.VideoFrame, int]] = []  # (frame, packets read when decoded)
        for packet in self._packets():
            if packet.size:
                self.stats.packets += 1
                flags_seen = flags_seen or packet.is_keyframe
            if packet.pts is not None:
                counter.add(packet.pts)
            skip = flags_seen and packet.size and not packet.is_keyframe
            for frame in () if skip else self._decode(packet):
                waiting.append((frame, self.stats.packets))
            while waiting and (self.stats.packets - waiting[0][1] >= KEYFRAME_REORDER_PACKETS or not packet.size):
                yield self._keyframe(waiting.pop(0)[0], counter)
        for frame, _ in waiting:
            yield self._keyframe(frame, counter)

    def _keyframe(self, frame: av.VideoFrame, counter: PresentationCounter) -> Frame:
        index = counter.index_of(frame.pts) if frame.pts is not None else self.stats.yielded
        self.stats.yielded += 1
        return Frame(index=index, time=float(self._time(frame.pts, index)), image=_rgb(frame))


def frames_shown_at(source: str, times: Sequence[float]) -> Iterator[tuple[float, np.ndarray]]:
    """``(wanted time, RGB frame)`` for each of ``times`` (seconds), in increasing time order: the
    frame shown at that time (the first whose time is at least ``time`` minus half a frame).
    Seeks to the keyframe before a time when going back or more than 5 s ahead, else decodes on."""
    with open_container(source) as container:
        stream = container.streams.video[0]
        tb = Fraction(stream.time_base) if stream.time_base else Fraction(1, 90000)
        start = stream.start_time or 0
        fps = frame_rate(stream.average_rate)
        decoder: Iterator[av.VideoFrame] | None = None
        last_t = float("inf")
        for want in sorted(times):
            # seek when going back, or when the wanted time is more than 5 s ahead
            if decoder is None or want < last_t or want - last_t > 5.0:
                container.seek(int(start + want / tb) if want > 0 else start, stream=stream, backward=True)
                decoder = container.decode(stream)
            found = None  # the latest frame decoded: the last one of the file when none is late enough
            try:
                for frame in decoder:
                    found = frame
                    last_t = float(((frame.pts or 0) - start) * tb)
                    if last_t >= want - 0.5 / fps:
                        break
            except av.error.FFmpegError as exc:
                raise MediaDecodeError(source, f"cannot decode at {want:.3f} s: {exc}") from exc
            if found is None:
                raise MediaDecodeError(source, f"no frame at {want:.3f} s")
            yield want, _rgb(found)
