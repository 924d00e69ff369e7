"""The source video re-encoded as H.264 MP4 with face boxes and labels drawn, its sound kept.

PyAV only (no ffmpeg process). In one pass over the source:

* video frames are decoded; the faces on screen at each frame (the rule of
  :mod:`~inafaceanalyzer.export.timing`) are drawn by
  :class:`~inafaceanalyzer.export.annotate.Annotator` straight on the decoded
  frame's Y, U and V planes (no RGB round trip; frames without faces go to
  the encoder untouched); frames are encoded with libx264 (yuv420p) keeping
  their timestamps, so frame rate and duration are the source's;
* the first audio stream's packets are copied (remuxed) when MP4 can hold its
  codec (AAC, MP3, AC-3, E-AC-3, ALAC, Opus, FLAC), else decoded and
  re-encoded as AAC. Other audio streams, subtitles and data are dropped.

Rotated sources (a display matrix) come out upright (their frames go through
RGB). The file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from .annotate import Annotator, FaceMark, FaceStyle
from ..atomic import atomic_output
from ..errors import MediaDecodeError, OutputError, OutputPathError
from ..media.video import MAX_CONSECUTIVE_ERRORS, VideoInfo, _rgb, is_url, open_container, probe
from ..progress import ProgressHook
from ..results.columns import DEFAULT_FPS
from .h264 import BT470BG as _BT470BG
from .h264 import BT709 as _BT709
from .h264 import SMPTE170M as _SMPTE170M
from .h264 import EncoderSettings, FrameRecorder, encode, mux
from ..results.load import ResultsLike, load_results
from .timing import DisplayTiming, Span, display_spans

COLUMNS = ("frame", "bbox", "sex_label", "age_label")
"""Columns the MP4 export needs; ``time``, ``face_id`` and the ``*_avg`` labels are used when present."""

MP4_AUDIO_CODECS = frozenset({"aac", "mp3", "ac3", "eac3", "alac", "opus", "flac"})
_JPEG_RANGE = 2  # AVColorRange: full range
_AAC_LAYOUTS = {1: "mono", 2: "stereo", 3: "3.0", 4: "quad", 5: "5.0", 6: "5.1", 8: "7.1"}

__all__ = ["COLUMNS", "MP4_AUDIO_CODECS", "EncoderSettings", "FrameRecorder", "Transcoder", "export_mp4"]


def export_mp4(
    results: ResultsLike,
    dest: str | os.PathLike[str],
    video: str | os.PathLike[str] | None = None,
    *,
    metadata: dict | None = None,
    annotator: Annotator | None = None,
    style: FaceStyle | None = None,
    settings: EncoderSettings | None = None,
    interval_s: float | None = None,
    progress: ProgressHook | None = None,
) -> Path:
    """Write ``video`` (default: the sidecar's ``source``) with the faces of ``results`` drawn, to ``dest``.

    ``results``: a DataFrame, or a saved CSV/Parquet whose sidecar gives the
    sampling (``interval_s`` overrides it). ``annotator`` (or just ``style``)
    sets the look. ``progress(frames_done, frames_total)`` is called per
    frame. Raises :class:`~inafaceanalyzer.errors.MediaError` when the source
    cannot be read, :class:`~inafaceanalyzer.errors.OutputError` when ``dest``
    cannot be written.
    """
    res = load_results(results, metadata)
    res.require(COLUMNS, "MP4")
    source = res.source(video, "MP4")
    if not is_url(source) and Path(source).resolve() == Path(dest).resolve():
        raise OutputPathError(f"{dest}: the annotated MP4 would overwrite its source video")
    annotator = annotator or Annotator(style)
    info = probe(source)
    timing = DisplayTiming.of(res, float(info.fps) if info.fps else None, interval_s)
    spans = display_spans(res.table, timing)
    marks = annotator.style.marks(res.table) if spans else []
    on_screen = _OnScreen(spans, timing.frame_period_s)
    total = info.expected_frames()
    with open_container(source) as container, atomic_output(dest) as tmp:
        with Transcoder(container, tmp, info, settings or EncoderSettings(), os.fspath(dest)) as out:
            for done, (frame, t) in enumerate(out.frames(), 1):
                span = on_screen.at(t)
                out.encode(frame, [marks[i] for i in span.rows] if span is not None else (), annotator)
                if progress is not None:
                    progress(done, total)
    return Path(dest)


class _OnScreen:
    """The span shown at each time, for times that only increase."""

    def __init__(self, spans: list[Span], frame_period_s: float) -> None:
        self._spans = spans
        self._half = frame_period_s / 2
        self._next = 0
        self._current: Span | None = None

    def at(self, t: float) -> Span | None:
        while self._next < len(self._spans) and self._spans[self._next].start_s - self._half < t:
            self._current = self._spans[self._next]
            self._next += 1
        if self._current is not None and t < self._current.end_s - self._half:
            return self._current
        return None


class Transcoder:
    """One pass from a source container to an MP4: decoded video frames out, H.264 in; audio carried.

    ``frames()`` yields each decoded video frame with its time in seconds from
    the first frame (as the analysis counted it), copying or re-encoding audio
    packets as they come; ``encode(frame, marks, annotator)`` draws and
    encodes one. Use as a context manager: leaving it normally flushes the
    encoders; the output is closed either way.
    """

    def __init__(self, source, path: str | os.PathLike[str], info: VideoInfo, settings: EncoderSettings,
                 name: str) -> None:
        self.name = name
        self.source = source
        self.vin = source.streams.video[0]
        self.vin.thread_type = "AUTO"
        self.time_base = Fraction(self.vin.time_base) if self.vin.time_base else Fraction(1, 90000)
        self.rotation = info.rotation
        self.corrupt_packets = 0
        self._errors_in_row = 0
        self._start = self.vin.start_time
        self._last_pts: int | None = None
        try:
            self.out: Any = av.open(os.fspath(path), "w", format="mp4")
            self.video = self._add_video(info, settings)
            self.ain: Any = source.streams.audio[0] if source.streams.audio else None
            self.aout = self._add_audio(settings) if self.ain is not None else None
        except (av.error.FFmpegError, ValueError) as exc:
            self.close()
            raise OutputError(f"{name}: cannot set up the MP4 encoder: {exc}") from exc

    def _add_video(self, info: VideoInfo, settings: EncoderSettings):
        rate = self.vin.average_rate or self.vin.guessed_rate or Fraction(DEFAULT_FPS)
        stream = self.out.add_stream("libx264", rate=Fraction(rate))
        stream.width, stream.height = info.width // 2 * 2, info.height // 2 * 2
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(settings.crf), "preset": settings.preset}
        stream.codec_context.time_base = self.time_base
        stream.codec_context.thread_count = settings.threads
        cin = self.vin.codec_context  # keep the colour tags, so that players show the source's colours
        tags = ("colorspace", "color_primaries", "color_trc") + (("color_range",) if cin.pix_fmt == "yuv420p" else ())
        for tag in tags:
            setattr(stream.codec_context, tag, getattr(cin, tag))
        return stream

    def _add_audio(self, settings: EncoderSettings):
        if self.ain.codec_context.name in MP4_AUDIO_CODECS:
            return self.out.add_stream_from_template(self.ain)
        cc = self.ain.codec_context
        stream = self.out.add_stream("aac", rate=cc.sample_rate or 48000)
        stream.layout = _AAC_LAYOUTS.get(cc.channels, "stereo")  # others are downmixed
        stream.format = "fltp"  # what FFmpeg's AAC encoder takes; PyAV converts the decoded samples
        stream.bit_rate = settings.audio_bitrate
        return stream

    @property
    def audio_copied(self) -> bool:
        return self.aout is not None and self.ain.codec_context.name in MP4_AUDIO_CODECS

    def __enter__(self) -> Transcoder:
        return self

    def __exit__(self, exc_type, *exc: object) -> None:
        try:
            if exc_type is None:
                self._flush()
        finally:
            self.close()

    def close(self) -> None:
        out = getattr(self, "out", None)
        if out is not None:
            self.out = None
            try:
                out.close()
            except av.error.FFmpegError as exc:
                raise OutputError(f"{self.name}: cannot finish the MP4: {exc}") from exc

    def frames(self) -> Iterator[tuple[av.VideoFrame, float]]:
        streams = [self.vin] + ([self.ain] if self.ain is not None else [])
        try:
            for packet in self.source.demux(*streams):
                if packet.stream is self.vin:
                    yield from self._decode_video(packet)
                elif packet.size:
                    self._audio(packet)
        except av.error.ExitError as exc:
            raise MediaDecodeError(self.source.name, "timed out while reading") from exc
        except av.error.FFmpegError as exc:
            raise MediaDecodeError(self.source.name, f"read error: {exc}") from exc

    def _decode_video(self, packet: av.Packet) -> Iterator[tuple[av.VideoFrame, float]]:
        try:
            frames = self.vin.codec_context.decode(packet)
        except av.error.EOFError:
            return
        except av.error.FFmpegError as exc:  # corrupt data: skip the packet, as the analysis did
            self.corrupt_packets += 1
            self._errors_in_row += 1
            if self._errors_in_row >= MAX_CONSECUTIVE_ERRORS:
                raise MediaDecodeError(self.source.name, f"{self._errors_in_row} corrupt packets in a row") from exc
            return
        self._errors_in_row = 0
        for frame in frames:
            pts = frame.pts
            if pts is None:
                step = int(1 / (self.time_base * (self.vin.average_rate or Fraction(DEFAULT_FPS))))
                pts = self._last_pts + step if self._last_pts is not None else 0
            elif self._last_pts is not None and pts <= self._last_pts:
                continue  # a damaged stream's late frame: the analysis dropped it too
            if self._start is None:
                self._start = pts
            frame.pts, self._last_pts = pts, pts
            yield frame, float((pts - self._start) * self.time_base)

    def _audio(self, packet: av.Packet) -> None:
        if self.aout is None:
            return
        if self.audio_copied:
            packet.stream = self.aout
            self._mux(packet)
            return
        try:
            frames = self.ain.codec_context.decode(packet)
        except av.error.FFmpegError:
            return  # a corrupt audio packet: a short silence rather than a failed export
        for frame in frames:
            self._mux(self._encode(self.aout, frame))

    def encode(self, frame: av.VideoFrame, marks: Sequence[FaceMark], annotator: Annotator) -> None:
        """Draw ``marks`` on ``frame`` (in place when possible) and encode it."""
        pts = frame.pts
        if self.rotation:
            image = _rgb(frame)
            annotator.draw_rgb(image, marks)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(
                format="yuv420p", dst_colorspace="ITU709" if _matrix(frame) == "bt709" else "ITU601")
        elif frame.format.name != "yuv420p" or frame.width % 2 or frame.height % 2:
            frame = frame.reformat(width=frame.width // 2 * 2, height=frame.height // 2 * 2, format="yuv420p")
        if marks and not self.rotation:
            frame.make_writable()  # the decoder may still reference these pixels
            annotator.draw_yuv420(_planes(frame), marks, _matrix(frame), frame.color_range == _JPEG_RANGE)
        frame.pts, frame.time_base = pts, self.time_base
        frame.pict_type = av.video.frame.PictureType.NONE  # let x264 choose frame types
        self._mux(self._encode(self.video, frame))

    def _flush(self) -> None:
        self._mux(self._encode(self.video, None))
        if self.aout is not None and not self.audio_copied:
            self._mux(self._encode(self.aout, None))

    def _encode(self, stream, frame) -> list[av.Packet]:
        return encode(stream, frame, self.name)

    def _mux(self, packets) -> None:
        mux(self.out, packets, self.name)



def _planes(frame: av.VideoFrame) -> list[np.ndarray]:
    """Writable views of a yuv420p frame's planes, cropped to the picture."""
    views = []
    for plane in frame.planes:
        rows = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)  # type: ignore[call-overload]  # a buffer
        views.append(rows[: plane.height, : plane.width])
    return views


def _matrix(frame: av.VideoFrame) -> str:
    """The YCbCr matrix of ``frame``: its tag, else what players assume (BT.709 from 720 lines up)."""
    if frame.colorspace == _BT709:
        return "bt709"
    if frame.colorspace in (_BT470BG, _SMPTE170M):
        return "bt601"
    return "bt709" if frame.height >= 720 else "bt601"
