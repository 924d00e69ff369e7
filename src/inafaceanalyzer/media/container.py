"""Opening a video (file or URL, with a timeout) and what it is: :class:`VideoInfo`, :func:`probe`."""

from __future__ import annotations

import math
import os
import urllib.parse
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import PurePath

import av

from ..errors import MediaOpenError

DEFAULT_TIMEOUT_S = 30.0


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
