"""Live frame sources: cameras, network streams and files played in real time.

A source is named by one string (:func:`parse_source`):

* ``0``, ``1``, ...: a camera by index. Linux: ``/dev/videoN`` through
  FFmpeg's ``v4l2`` device; macOS: ``avfoundation`` device ``N``. Windows
  cameras go by name: ``dshow:video=Integrated Camera``.
* ``FORMAT:TARGET`` with an FFmpeg capture format or ``lavfi``:
  ``v4l2:/dev/video2``, ``avfoundation:0:none``, ``dshow:video=NAME``,
  ``x11grab::0.0``, ``lavfi:testsrc2=size=640x360:rate=25``.
* a URL (``rtsp://``, ``http(s)://``, ``udp://``...) or a file path: read by
  PyAV with the network timeouts of :func:`~inafaceanalyzer.media.video.open_container`.

:class:`FrameFeed` decodes the source in its own thread and hands the
analysis only the newest frame (a one-slot buffer, :class:`LatestSlot`):
a frame replaced before the analysis took it is *dropped*, and counted, so
the analysis keeps up with real time instead of falling behind. Files and
streams are *played in real time* (``pace``): each frame is released when
the wall clock reaches its timestamp. Without pacing and dropping a file is
analysed frame by frame, as fast as the analysis goes, none dropped.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ..errors import InaFaceAnalyzerError, MediaError, MediaOpenError
from ..media.video import DecodedFrame, VideoInfo, VideoReader, is_url, source_stem
from ..types import Frame

T = TypeVar("T")

CAPTURE_FORMATS = frozenset({"v4l2", "video4linux2", "avfoundation", "dshow", "x11grab", "gdigrab", "kmsgrab"})
"""FFmpeg input devices that deliver frames at their own rate (never paced)."""
GENERATOR_FORMATS = frozenset({"lavfi"})
"""FFmpeg sources that produce frames on demand (paced like files)."""
REANCHOR_S = 10.0  # a timestamp jump larger than this restarts the pacing clock instead of waiting


@dataclass(frozen=True)
class SourceSpec:
    """A live source: what to open and how.

    ``target`` is the path, URL, device or filter graph handed to FFmpeg,
    ``input_format`` the FFmpeg device or demuxer (``None``: guessed),
    ``options`` its options; ``device`` is true for capture devices (they set
    their own pace); ``name`` is a short name for file names.
    """

    text: str
    target: str
    input_format: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    device: bool = False
    name: str = "live"


def camera(index: int, platform: str = sys.platform, options: dict[str, str] | None = None) -> SourceSpec:
    """Camera number ``index`` on this ``platform``'s capture device."""
    if platform.startswith("linux"):
        return SourceSpec(str(index), f"/dev/video{index}", "v4l2", dict(options or {}), True, f"camera{index}")
    if platform == "darwin":
        return SourceSpec(str(index), f"{index}:none", "avfoundation", dict(options or {}), True, f"camera{index}")
    raise ValueError(f"camera {index}: cameras are opened by index on Linux and macOS only; on Windows give its "
                     f"name: dshow:video=NAME (list them with: ffmpeg -list_devices true -f dshow -i dummy)")


def parse_source(text: str, options: dict[str, str] | None = None, platform: str = sys.platform) -> SourceSpec:
    """The :class:`SourceSpec` a ``--source`` string names (see the module's docstring).

    ``options`` go to FFmpeg's device or demuxer (``framerate``,
    ``video_size``, ``rtsp_transport``...). Raises ``ValueError`` for an
    empty string or a camera index on Windows.
    """
    text = text.strip()
    if not text:
        raise ValueError("empty source")
    opts = dict(options or {})
    if text.isdigit():
        return camera(int(text), platform, opts)
    match = re.fullmatch(r"([a-z0-9]+):(.*)", text, re.DOTALL)
    if match and match.group(1) in CAPTURE_FORMATS | GENERATOR_FORMATS and not is_url(text):
        fmt, target = match.groups()
        device = fmt in CAPTURE_FORMATS
        slug = re.sub(r"[^A-Za-z0-9]+", "-", target.split("=")[0] if fmt == "lavfi" else target).strip("-")
        return SourceSpec(text, target, fmt, opts, device, f"{fmt}-{slug}" if slug else fmt)
    return SourceSpec(text, text, None, opts, False, source_stem(text) or "stream")


@dataclass
class FeedCounts:
    """Frames the source delivered (``received``), the analysis took, and dropped: received = taken + dropped."""

    received: int = 0
    taken: int = 0
    dropped: int = 0


class LatestSlot(Generic[T]):
    """A one-slot buffer between a producer thread and a consumer: the newest item wins.

    :meth:`put` replaces an item not taken yet and counts it in ``dropped``;
    :meth:`put_wait` waits for the slot to be free instead (nothing dropped).
    :meth:`close` ends the stream: :meth:`take` still returns the item left,
    then ``None``; :meth:`discard` counts an item left untaken as dropped.
    The counters change under one lock, so that ``received == taken +
    dropped`` whenever the slot is empty.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._full = False
        self._closed = False
        self.received = 0
        self.dropped = 0
        self.taken = 0

    def _fill(self, item: T) -> None:
        if self._full:
            self.dropped += 1
        self._item, self._full = item, True
        self.received += 1
        self._cond.notify_all()

    def put(self, item: T) -> bool:
        """Fill the slot, replacing what it holds; ``False`` (nothing put) once closed."""
        with self._cond:
            if self._closed:
                return False
            self._fill(item)
            return True

    def put_wait(self, item: T, stop: threading.Event) -> bool:
        """Wait until the slot is free, then fill it; ``False`` (nothing put) once ``stop`` is set or closed."""
        with self._cond:
            while self._full and not self._closed and not stop.is_set():
                self._cond.wait(0.05)
            if self._closed or stop.is_set():
                return False
            self._fill(item)
            return True

    def take(self, stop: threading.Event | None = None, poll_s: float = 0.05) -> T | None:
        """The newest item, waiting for one; ``None`` at the end (closed and empty) or once ``stop`` is set."""
        with self._cond:
            while not self._full:
                if self._closed or (stop is not None and stop.is_set()):
                    return None
                self._cond.wait(poll_s)
            item, self._item, self._full = self._item, None, False
            self.taken += 1
            self._cond.notify_all()
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def discard(self) -> None:
        """Count an item still in the slot as dropped (the analysis stopped before taking it)."""
        with self._cond:
            if self._full:
                self.dropped += 1
                self._item, self._full = None, False
            self._cond.notify_all()

    def counts(self) -> FeedCounts:
        with self._cond:
            return FeedCounts(self.received, self.taken, self.dropped)


class FrameFeed:
    """A source decoded in its own thread, handed to the analysis frame by frame.

    ``pace``: release each frame when the wall clock reaches its timestamp
    (files, streams; capture devices set their own pace). ``drop``: keep only
    the newest frame (:class:`LatestSlot`); otherwise the decoder waits for
    the analysis. ``fps``: deliver at most that many frames per second of
    the source's time (the exact sampling of :meth:`VideoReader.frames`).
    ``clock`` and ``sleep(seconds) -> stopped`` pace the frames (defaults:
    the monotonic clock, and a wait that a stop interrupts).
    Use :meth:`start`, iterate :meth:`frames` (it ends at the end of
    the source, on :meth:`stop`, or on an error, kept in ``error``), then
    :meth:`close`.
    """

    def __init__(
        self,
        reader: VideoReader,
        *,
        pace: bool,
        drop: bool,
        fps: float | None = None,
        skip_unneeded: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], bool] | None = None,
    ) -> None:
        self.reader = reader
        self.pace, self.drop, self.fps = pace, drop, fps
        self.skip_unneeded = skip_unneeded
        self.error: InaFaceAnalyzerError | None = None
        self.ended = False  # the source reached its end (or failed)
        self._stop = threading.Event()
        self._clock = clock
        self._sleep = sleep or self._stop.wait  # returns True when stopped meanwhile
        self._slot: LatestSlot[DecodedFrame] = LatestSlot()
        self._thread = threading.Thread(target=self._run, name="inafaceanalyzer-live-decode", daemon=True)

    @property
    def info(self) -> VideoInfo:
        return self.reader.info

    @property
    def counts(self) -> FeedCounts:
        return self._slot.counts()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop delivering frames (thread-safe; the frame in the slot counts as dropped)."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def frames(self) -> Iterator[Frame]:
        """The frames to analyse, newest first when dropping, converted to RGB when taken."""
        try:
            while not self._stop.is_set():
                decoded = self._slot.take(self._stop)
                if decoded is None:
                    break
                yield decoded.to_frame()
        finally:
            self._slot.discard()

    def close(self, wait_s: float = 2.0) -> None:
        """Stop the decoding thread and close the source.

        A thread stuck in a network read past ``wait_s`` is left to end on
        its own (its read times out), with the source open.
        """
        self._stop.set()
        self._slot.close()
        if self._thread.is_alive():
            self._thread.join(wait_s)
        self._slot.discard()
        if not self._thread.is_alive():
            self.reader.close()

    def _run(self) -> None:
        anchor: tuple[float, float] | None = None  # (wall clock, frame time) pacing starts from
        try:
            frames = self.reader.decoded_frames(self.fps, skip_unneeded=self.skip_unneeded)
            for decoded in frames:
                if self._stop.is_set():
                    break
                if self.pace:
                    now = self._clock()
                    if anchor is not None:
                        delay = anchor[0] + decoded.time - anchor[1] - now
                        if delay > REANCHOR_S or decoded.time < anchor[1]:
                            anchor = None  # a jump in the timestamps: start the clock again
                        elif delay > 0 and self._sleep(delay):
                            break
                    if anchor is None:
                        anchor = (now, decoded.time)
                handed = self._slot.put(decoded) if self.drop else self._slot.put_wait(decoded, self._stop)
                if not handed:
                    break
        except MediaError as exc:
            self.error = exc
        except InaFaceAnalyzerError as exc:  # pragma: no cover - other library errors
            self.error = exc
        except Exception as exc:  # noqa: BLE001 - a decoder failure ends the stream with its reason
            self.error = MediaError(self.reader.source, f"decoding failed: {exc}")
        finally:
            self.ended = not self._stop.is_set() or self.error is not None
            self._slot.close()


def open_feed(
    spec: SourceSpec,
    *,
    realtime: bool = True,
    fps: float | None = None,
    timeout_s: float = 30.0,
    clock: Callable[[], float] = time.monotonic,
) -> FrameFeed:
    """Open ``spec`` and return its (not yet started) :class:`FrameFeed`.

    Capture devices are never paced and always drop frames the analysis had
    no time for; files, URLs and generators are played in real time with
    dropping when ``realtime``, else analysed frame by frame as fast as
    possible. Raises :class:`~inafaceanalyzer.errors.MediaOpenError`.
    """
    try:
        reader = VideoReader(spec.target, timeout_s=timeout_s, input_format=spec.input_format,
                             input_options=spec.options)
    except MediaOpenError as exc:
        label = spec.text if spec.text in (spec.target, f"{spec.input_format}:{spec.target}") else \
            f"{spec.text} ({spec.target})"
        raise MediaOpenError(label, exc.reason) from exc
    live = spec.device or reader.info.duration_s is None  # no look-ahead planning on endless streams
    return FrameFeed(reader, pace=realtime and not spec.device, drop=realtime or spec.device, fps=fps,
                     skip_unneeded=not live, clock=clock)
