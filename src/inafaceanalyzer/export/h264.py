"""H.264 MP4 writing shared by the exports: encoder settings, encoding and muxing with errors that name the
file, and :class:`FrameRecorder`, which encodes RGB pictures as they come (a live analysis's annotated frames).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from ..atomic import atomic_output
from ..errors import OutputError
from ..results.columns import DEFAULT_FPS

BT709, BT470BG, SMPTE170M = 1, 5, 6  # AVColorSpace values


@dataclass(frozen=True)
class EncoderSettings:
    """libx264 settings: ``crf`` (quality, lower is better), ``preset`` (speed), ``threads`` (0: auto);
    ``audio_bitrate`` when the sound must be re-encoded as AAC."""

    crf: int = 20
    preset: str = "veryfast"
    threads: int = 0
    audio_bitrate: int = 160_000



def encode(stream, frame: av.VideoFrame | av.AudioFrame | None, name: str) -> list[av.Packet]:
    """``stream.encode(frame)`` (``None`` flushes), an encoder failure as an :class:`OutputError` naming ``name``."""
    try:
        return stream.encode(frame)
    except av.error.FFmpegError as exc:
        raise OutputError(f"{name}: cannot encode {stream.type}: {exc}") from exc


def mux(out, packets, name: str) -> None:
    """``out.mux(packets)``, a write failure as an :class:`OutputError` naming ``name``."""
    try:
        out.mux(packets)
    except av.error.FFmpegError as exc:
        raise OutputError(f"{name}: cannot write: {exc}") from exc



class FrameRecorder:
    """RGB pictures with their times in seconds, encoded as they come into an H.264 MP4.

    For pictures that exist only as arrays (a live analysis's annotated
    frames): each is shown from its time until the next one's (variable frame
    rate, millisecond timestamps), so the file plays at the pace they were
    recorded. The picture size is the first picture's, rounded down to even
    numbers. The file is written under a temporary name and renamed by
    :meth:`close`; :meth:`abort` removes it instead. ``rate`` is the nominal
    frame rate given to the encoder.
    """

    TIME_BASE = Fraction(1, 1000)

    def __init__(self, dest: str | os.PathLike[str], settings: EncoderSettings | None = None,
                 rate: float = DEFAULT_FPS) -> None:
        self.dest = Path(dest)
        self.settings = settings or EncoderSettings()
        self.rate = Fraction(rate).limit_denominator(1001) if rate and rate > 0 else Fraction(DEFAULT_FPS)
        self.frames = 0
        self._stack = contextlib.ExitStack()
        self._tmp: Path = self._stack.enter_context(atomic_output(self.dest))
        self._out: Any = None  # av OutputContainer and its video stream, from the first frame
        self._stream: Any = None
        self._last_pts: int | None = None
        self._start: float | None = None

    def _open(self, width: int, height: int) -> None:
        try:
            self._out = av.open(os.fspath(self._tmp), "w", format="mp4")
            stream = self._out.add_stream("libx264", rate=self.rate)
            stream.width, stream.height = width // 2 * 2, height // 2 * 2
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": str(self.settings.crf), "preset": self.settings.preset}
            stream.codec_context.time_base = self.TIME_BASE
            stream.codec_context.thread_count = self.settings.threads
            stream.codec_context.colorspace = BT709 if stream.height >= 720 else SMPTE170M
            self._stream = stream
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            raise OutputError(f"{self.dest}: cannot set up the MP4 encoder: {exc}") from exc

    def write(self, image: np.ndarray, time_s: float) -> None:
        """Encode ``image`` (``[H, W, 3]`` uint8 RGB) shown from ``time_s`` (seconds, increasing)."""
        if self._stream is None:
            self._open(image.shape[1], image.shape[0])
        stream: Any = self._stream
        if self._start is None:
            self._start = time_s
        pts = round((time_s - self._start) / self.TIME_BASE)
        if self._last_pts is not None and pts <= self._last_pts:
            pts = self._last_pts + 1
        self._last_pts = pts
        frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(
            width=stream.width, height=stream.height, format="yuv420p",
            dst_colorspace="ITU709" if stream.height >= 720 else "ITU601")
        frame.pts, frame.time_base = pts, self.TIME_BASE
        self._mux(self._encode(frame))
        self.frames += 1

    def close(self) -> Path | None:
        """Finish the file and give it its name; ``None`` (nothing written) when no picture came."""
        if self._out is None:
            self.abort()
            return None
        try:
            self._mux(self._encode(None))
            self._finish()
        except BaseException:
            self.abort()
            raise
        self._stack.close()
        return self.dest

    def abort(self) -> None:
        """Close and remove the unfinished file."""
        try:
            self._finish()
        except OutputError:
            pass  # the file is removed anyway
        finally:
            self._stack.__exit__(_Aborted, _Aborted(), None)

    def _finish(self) -> None:
        out, self._out = self._out, None
        if out is not None:
            try:
                out.close()
            except av.error.FFmpegError as exc:
                raise OutputError(f"{self.dest}: cannot finish the MP4: {exc}") from exc

    def _encode(self, frame: av.VideoFrame | None) -> list[av.Packet]:
        return encode(self._stream, frame, str(self.dest))

    def _mux(self, packets) -> None:
        mux(self._out, packets, str(self.dest))


class _Aborted(Exception):
    """Internal: tells the temporary MP4 of an aborted :class:`FrameRecorder` to go."""
