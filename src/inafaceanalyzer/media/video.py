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

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from ..errors import MediaDecodeError
from ..results.columns import DEFAULT_FPS, frame_rate
from ..types import Frame

from .container import DEFAULT_TIMEOUT_S, DecodeStats, VideoInfo, is_url, open_container, probe, source_stem
from .container import _ffmpeg_reason, _info
from .sampling import GOP_LOOKAHEAD_PACKETS, MAX_PLANNED_PACKETS, PresentationCounter, TimeSampler, plan_decoding

__all__ = [
    "DEFAULT_TIMEOUT_S", "GOP_LOOKAHEAD_PACKETS", "KEYFRAME_REORDER_PACKETS", "MAX_CONSECUTIVE_ERRORS",
    "MAX_PLANNED_PACKETS", "DecodeStats", "DecodedFrame", "PresentationCounter", "TimeSampler", "VideoInfo",
    "VideoReader", "frames_shown_at", "is_url", "open_container", "plan_decoding", "probe", "source_stem",
]

MAX_CONSECUTIVE_ERRORS = 100
# Keyframes are emitted once this many later packets were read, so that every
# frame presented before them (open GOPs) has been counted for their index.
KEYFRAME_REORDER_PACKETS = 32


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
