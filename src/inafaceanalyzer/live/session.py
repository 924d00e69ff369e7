"""A live analysis: a source read in real time through the streaming core, with tracking.

:class:`LiveSession` opens a source (:mod:`.sources`), runs the frames the
analysis has time for through the tracking engine's own frame-by-frame stream
(:meth:`~inafaceanalyzer.engines.analyzers.FaceAnalyzer.stream`, classifying at every
frame: its tracker, abstention rule and counts of faces left out), finished
by the engine's :meth:`~inafaceanalyzer.engines.analyzers.VideoTracking.finish`,
and for each analysed frame: appends its rows to the outputs (:mod:`.outputs`),
records its annotated picture when asked, and hands a :class:`LiveFrame`
(faces labelled with running per-face averages, counts, current rate) to an
``on_frame`` callback (the window, a progress line). It stops at the end of
the source, on :meth:`LiveSession.stop` (thread- and signal-safe), after
``duration_s``, when ``on_frame`` returns ``False``, or when the source fails
(after its network timeout); in every case the outputs are finished.
"""

from __future__ import annotations

import datetime
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..classification.abstention import UNKNOWN, AbstentionRule
from ..engines.analyzers import VideoAnalysis, VideoTracking
from ..export.annotate import Annotator, FaceMark, FaceStyle, int_box, label_text
from ..classification.dlib import sex_labels
from ..errors import InaFaceAnalyzerError
from ..media.video import VideoInfo
from ..engines.options import check as check_option
from ..engines.leftout import LeftOut
from ..results.columns import DEFAULT_FPS
from ..results.table import FrameResult, results_table
from ..engines.stream import FaceStream
from ..types import Frame
from .outputs import LiveOutputs
from .sources import FeedCounts, FrameFeed, SourceSpec, open_feed, parse_source

RATE_WINDOW_S = 2.0  # the current analysed rate is measured over this many seconds


@dataclass(frozen=True)
class LiveOptions:
    """How a live run reads its source and what it records.

    ``realtime``: files, URLs and generators are played at their own pace
    (each frame released when the wall clock reaches its timestamp) and the
    frames the analysis has no time for are dropped; ``False`` analyses every
    frame as fast as possible (capture devices always run in real time).
    ``fps``: at most this many frames per second of the source are delivered
    (the video engine's exact sampling). ``duration_s``: stop after this long
    (wall clock). ``timeout_s``: network sources give up when opening or a
    read takes longer. ``mp4``: also record the annotated frames.
    ``workers``: detection threads (default: one per CPU core).
    ``source_options``: options for FFmpeg's device or demuxer.
    """

    realtime: bool = True
    fps: float | None = None
    duration_s: float | None = None
    timeout_s: float = 30.0
    mp4: bool = False
    workers: int | None = None
    source_options: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_option("fps", self.fps)  # the analysis options' checks
        if self.duration_s is not None and not self.duration_s > 0:
            raise ValueError(f"duration_s must be > 0, got {self.duration_s}")
        check_option("timeout_s", self.timeout_s)
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")


@dataclass(frozen=True)
class LiveStats:
    """Counts of a live run: ``received`` = ``analysed`` + ``dropped`` once it has ended.

    ``wall_s``: seconds from the first frame taken to the last analysed;
    ``rate_fps``: the analysed rate over the last seconds (``analysed_fps``
    is the whole run's).
    """

    received: int = 0
    analysed: int = 0
    dropped: int = 0
    faces: int = 0
    wall_s: float = 0.0
    rate_fps: float = 0.0

    @property
    def analysed_fps(self) -> float:
        return self.analysed / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def dropped_share(self) -> float:
        return self.dropped / self.received if self.received else 0.0


@dataclass
class LiveFrame:
    """An analysed frame as shown live: its rows, its faces drawn with running per-face averages."""

    frame: Frame
    result: FrameResult
    marks: list[FaceMark]
    stats: LiveStats
    annotator: Annotator

    @cached_property
    def annotated(self) -> np.ndarray:
        """A copy of the frame with the face boxes and labels drawn (computed once)."""
        return self.annotator(self.frame.image, self.marks)


@dataclass
class LiveResult:
    """How a live run went: its counts, why it stopped, the error that stopped it, what it wrote.

    ``stop_reason``: ``end of stream``, ``stopped``, ``duration``,
    ``interrupted`` or ``source error``; ``analysis``: the final table (with
    the ``*_avg`` columns) and its metadata.
    """

    source: str
    stats: LiveStats
    stop_reason: str
    error: InaFaceAnalyzerError | None  # a MediaError, or another library error from the source
    analysis: VideoAnalysis
    files: list[Path]

    @property
    def table(self) -> pd.DataFrame:
        return self.analysis.table


class RunningAverages:
    """Each face's decision functions averaged over its rows so far: the labels shown live.

    The final table gets the exact per-track averages over whole tracks
    (the engine's ``finish``) when the run ends. A running average too weak
    for the ``abstention`` rule (or young-looking: ``--child_age``, ``--young_age``) is shown
    ``u``, as the final ``sex_label_avg``.
    """

    def __init__(self, style: FaceStyle | None = None, abstention: AbstentionRule | None = None) -> None:
        self.style = style or FaceStyle()
        self.abstention = abstention or AbstentionRule()
        self._sums: dict[int, list[float]] = {}  # face_id -> [sex sum, age sum, rows]

    def marks(self, result: FrameResult) -> list[FaceMark]:
        """Update the averages with ``result``'s rows and return its faces as drawn."""
        cols = result.columns
        ids, boxes = cols.index("face_id"), cols.index("bbox")
        sex, age = cols.index("sex_decfunc"), cols.index("age_decfunc")
        marks = []
        for row in result.rows:
            face_id = int(row[ids])
            acc = self._sums.setdefault(face_id, [0.0, 0.0, 0])
            acc[0] += float(row[sex])
            acc[1] += float(row[age])
            acc[2] += 1
            mean_sex, mean_age = acc[0] / acc[2], acc[1] / acc[2]
            confident = bool(self.abstention.confident([mean_sex])[0]
                             and not self.abstention.looks_like_a_child([mean_age], [mean_sex])[0])
            sex_label = str(sex_labels(np.array([mean_sex]))[0]) if confident else UNKNOWN
            marks.append(FaceMark(int_box(row[boxes]), label_text(sex_label, mean_age, face_id, True),
                                  self.style.color_of(sex_label)))
        return marks


class _Meter:
    """Counts analysed frames and faces, and measures the analysed rate (overall and current)."""

    def __init__(self) -> None:
        self.analysed = self.faces = 0
        self.first_time: float | None = None  # the source's time of the first and last analysed frames
        self.last_time: float | None = None
        self.first_taken = self.last_done = 0.0  # wall clock
        self._recent: deque[float] = deque()

    def add(self, result: FrameResult, now: float, first_taken: float | None, counts: FeedCounts) -> LiveStats:
        if self.analysed == 0:
            self.first_taken = first_taken if first_taken is not None else now
            self.first_time = result.time
        self.analysed += 1
        self.faces += len(result.rows)
        self.last_time, self.last_done = result.time, now
        recent = self._recent
        recent.append(now)
        while recent[0] < now - RATE_WINDOW_S:
            recent.popleft()
        span = recent[-1] - recent[0]
        rate = (len(recent) - 1) / span if span > 0 else 0.0
        return LiveStats(counts.received, self.analysed, counts.dropped, self.faces, now - self.first_taken, rate)

    def final(self, counts: FeedCounts) -> LiveStats:
        """The run's counts; frames taken but never analysed (an interrupted run) count as dropped."""
        wall = max(self.last_done - self.first_taken, 0.0) if self.analysed else 0.0
        unfinished = max(counts.taken - self.analysed, 0)
        return LiveStats(counts.received, self.analysed, counts.dropped + unfinished, self.faces, wall)


class LiveSession:
    """Runs live analyses with the models of a tracking engine (loaded once; reuse it).

    ``analyzer``: a :class:`~inafaceanalyzer.engines.analyzers.VideoTracking` (its
    detector, classifier, ``detect_period`` and tracking thresholds are
    used). ``annotator``: the look of the boxes and labels.
    """

    def __init__(self, analyzer: VideoTracking, options: LiveOptions | None = None,
                 annotator: Annotator | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.analyzer = analyzer
        self.options = options or LiveOptions()
        self.annotator = annotator or Annotator()
        self._clock = clock
        self._lock = threading.Lock()
        self._feed: FrameFeed | None = None
        self._stop_reason: str | None = None
        self._first_taken: float | None = None

    def stop(self, reason: str = "stopped") -> None:
        """Stop the run in progress (thread-safe, callable from a signal handler); its outputs are finished."""
        self._stop_reason = self._stop_reason or reason
        feed = self._feed
        if feed is not None:
            feed.stop()

    def run(
        self,
        source: str | SourceSpec,
        outdir: str | os.PathLike[str] | None = None,
        name: str | None = None,
        on_frame: Callable[[LiveFrame], bool | None] | None = None,
    ) -> LiveResult:
        """Analyse ``source`` live until it ends or is stopped.

        ``outdir``: where ``<name>.csv`` (grown as ``<name>.partial.csv``),
        ``<name>.json`` and, with ``mp4``, ``<name>.mp4`` go (``None``:
        nothing written; the table is still returned); ``name`` defaults to
        the source's. ``on_frame(live_frame)`` is called after each analysed
        frame; returning ``False`` stops the run. Raises
        :class:`~inafaceanalyzer.errors.MediaOpenError` when the source cannot
        be opened (nothing written); a source lost later ends the run with
        ``stop_reason`` ``source error`` and the ``error``.
        """
        opts = self.options
        spec = source if isinstance(source, SourceSpec) else parse_source(source, opts.source_options)
        self._stop_reason = None
        feed = open_feed(spec, realtime=opts.realtime, fps=opts.fps, timeout_s=opts.timeout_s, clock=self._clock)
        analyzer = self.analyzer
        try:
            outputs = (LiveOutputs(outdir, name or spec.name, analyzer.columns, opts.mp4, _nominal_rate(feed.info))
                       if outdir is not None else None)
        except BaseException:
            feed.close()
            raise
        self._feed = feed
        started_at = datetime.datetime.now(datetime.UTC)
        averages = RunningAverages(self.annotator.style, analyzer.abstention)
        meter = _Meter()
        kept: list[tuple] = []  # rows, when no outputs are written
        interrupted: BaseException | None = None
        stream: FaceStream | None = None
        try:
            feed.start()
            if self._stop_reason is not None:  # stopped while it was being opened
                feed.stop()
            workers = opts.workers or os.cpu_count() or 1
            # The engine's own stream: its tracker, per-row rules and counts. Up to 2 x workers frames
            # are in flight (taken, not yet shown); one worker's worth gave 14 % fewer frames per
            # second on 2 cores, for one frame less of latency.
            stream = analyzer.stream(self._frames(feed, self._clock()), workers=workers, flush_every_frame=True,
                                     read_ahead=False)
            for result in stream:
                assert result.frame is not None  # kept: flush_every_frame
                stats = meter.add(result, self._clock(), self._first_taken, feed.counts)
                live = LiveFrame(result.frame, result, averages.marks(result), stats, self.annotator)
                if outputs is not None:
                    outputs.add(result, live.annotated if outputs.recorder is not None else None)
                else:
                    kept.extend(result.rows)
                if on_frame is not None and on_frame(live) is False:
                    self.stop("stopped")
        except KeyboardInterrupt as exc:  # no handler stopped the run first: finish, then re-raise
            interrupted = exc
            self._stop_reason = self._stop_reason or "interrupted"
        except BaseException:
            feed.close()
            self._feed = None
            if outputs is not None:
                _finish_quietly(outputs)
            raise
        feed.close()
        self._feed = None
        stats = meter.final(feed.counts)
        error = feed.error
        reason = "source error" if error is not None else (self._stop_reason or "end of stream")

        left_out = stream.left_out if stream is not None else None

        def analysis_of(table: pd.DataFrame) -> VideoAnalysis:
            return self._analysis(spec, feed, table, stats, meter.first_time, meter.last_time, left_out)

        def document(table: pd.DataFrame) -> dict:
            return analysis_of(table).metadata() | {"live": _live_section(stats, reason, error, started_at)}

        if outputs is not None:
            table = outputs.finish(document, analyzer.finish)
            files = outputs.finished_files()
        else:
            table = analyzer.finish(results_table(kept, analyzer.columns))
            files = []
        analysis = analysis_of(table)
        if interrupted is not None:
            raise interrupted
        return LiveResult(spec.text, stats, reason, error, analysis, files)

    def _frames(self, feed: FrameFeed, start: float) -> Iterator[Frame]:
        """The feed's frames until ``duration_s`` has passed; notes when the first was taken."""
        duration = self.options.duration_s
        self._first_taken = None
        for frame in feed.frames():
            if self._first_taken is None:
                self._first_taken = self._clock()
            yield frame  # a frame taken is analysed, even when the run stops meanwhile
            if duration is not None and self._clock() - start >= duration:
                self.stop("duration")

    def _analysis(self, spec: SourceSpec, feed: FrameFeed, table: pd.DataFrame, stats: LiveStats,
                  first: float | None, last: float | None, left_out: LeftOut | None) -> VideoAnalysis:
        """The run as a tracking engine's result: its table and sidecar (mean interval between analysed frames)."""
        opts = self.options
        record = self.analyzer.options_record(fps=opts.fps)
        record.update(mode="live", realtime=opts.realtime and not spec.device, duration_s=opts.duration_s,
                      timeout_s=opts.timeout_s, source_options=dict(spec.options))
        interval = ((last - first) / (stats.analysed - 1)
                    if stats.analysed > 1 and first is not None and last is not None else None)
        info = replace(feed.info, source=spec.text)
        return VideoAnalysis(table, info, self.analyzer.engine, record, stats.analysed,
                             interval if interval and interval > 0 else None, first, last, feed.reader.stats,
                             left_out)


def _live_section(stats: LiveStats, reason: str, error: InaFaceAnalyzerError | None, started_at: datetime.datetime) -> dict:
    """The sidecar's ``live`` section: frames received, analysed and dropped, rate, why it stopped."""
    return {
        "frames_received": stats.received,
        "frames_analysed": stats.analysed,
        "frames_dropped": stats.dropped,
        "dropped_share": round(stats.dropped_share, 6),
        "analysed_fps": round(stats.analysed_fps, 3),
        "wall_s": round(stats.wall_s, 3),
        "started_at": started_at.isoformat(timespec="seconds"),
        "stop_reason": reason,
        "error": str(error) if error is not None else None,
    }


def _nominal_rate(info: VideoInfo) -> float:
    return float(info.fps) if info.fps and math.isfinite(float(info.fps)) and 1 <= float(info.fps) <= 240 else DEFAULT_FPS


def _finish_quietly(outputs: LiveOutputs) -> None:
    """Finish the outputs after an unexpected error, keeping that error the one reported."""
    try:
        outputs.finish()
    except Exception:  # noqa: BLE001 - the partial CSV stays; the original error is raised
        pass


__all__ = ["LiveFrame", "LiveOptions", "LiveResult", "LiveSession", "LiveStats", "RunningAverages"]
