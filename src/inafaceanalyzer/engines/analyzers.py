"""The engines: each one picks a frame source and a detector and runs the streaming core."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from ..classification.abstention import AbstentionRule, abstain_rows, apply_abstention, unknown_reasons
from ..classification.alignment import FaceAligner
from ..classifiers import DEFAULT, FaceClassifier, create
from ..errors import MediaError
from ..detection import FaceDetector, WholeFrameDetector, YuNetDetector
from ..media.files import absolute_source
from ..media.images import ErrorHandler, image_frames
from ..media.prefetch import prefetch
from .options import check as check_option
from .leftout import CountingDetector, LeftOut
from .pipeline import Detector, iter_results
from ..results.columns import output_columns
from ..results.sidecar import sidecar_document
from ..results.table import FrameResult
from ..progress import ProgressHook
from ..tracking.smoothing import average_results
from .stream import FaceStream
from ..tracking.detector import TrackingDetector, TrackingOptions
from ..types import Frame
from ..media.video import DEFAULT_TIMEOUT_S, DecodeStats, VideoInfo, VideoReader

PathLike = str | os.PathLike[str]


@dataclass
class VideoAnalysis:
    """A video engine's output: the results table and how it was obtained.

    ``frames_analysed`` counts frames that went through detection (with or
    without faces); ``frame_interval_s`` is how long each analysed frame stands
    for (``None`` for keyframes, whose spacing is irregular). ``left_out``:
    the faces the detector's filters dropped and the ``u`` answers.
    """

    table: pd.DataFrame
    info: VideoInfo
    engine: str
    options: dict
    frames_analysed: int
    frame_interval_s: float | None
    first_time_s: float | None
    last_time_s: float | None
    decode: DecodeStats
    left_out: LeftOut | None = None

    @property
    def rejected_by_second_look(self) -> int:
        """Detections the detector's second look turned down as not faces (see :mod:`.detection.second_look`)."""
        return self.left_out.second_look if self.left_out is not None else 0

    def metadata(self) -> dict:
        """The sidecar document written next to the results (see :mod:`inafaceanalyzer.results.sidecar`)."""
        from ..models import provenance

        info = self.info
        return sidecar_document(
            source=info.source,
            source_abspath=absolute_source(info.source),
            engine=self.engine,
            options=self.options,
            video={
                "width": info.width, "height": info.height,
                "fps": float(info.fps) if info.fps else None,
                "duration_s": info.duration_s, "codec": info.codec, "has_audio": info.has_audio,
            },
            analysis={
                "frames_analysed": self.frames_analysed,
                "frame_interval_s": self.frame_interval_s,
                "first_time_s": self.first_time_s,
                "last_time_s": self.last_time_s,
                "faces": int(len(self.table)),
                "corrupt_packets": self.decode.corrupt_packets,
                **({"left_out": self.left_out.as_dict()} if self.left_out is not None else {}),
                "rejected_by_second_look": self.rejected_by_second_look,
                # rows answered 'u' because the face looks like a child (counted apart; --child_age)
                "unknown_child": _children(self.table, self.options.get("abstention", {})),
            },
            provenance=provenance(),
        )


def _children(table: pd.DataFrame, abstention: dict) -> int:
    if not len(table) or "sex_label" not in table.columns:
        return 0
    reasons = unknown_reasons(table, AbstentionRule(**abstention))
    return int(((reasons == "child") & (table["sex_label"] == "u").to_numpy()).sum())


class FaceAnalyzer:
    """Holds the models (loaded once) and runs frames through the streaming core.

    :meth:`stream` gives the results frame by frame with the engine's per-row
    rules applied, :meth:`finish` is the end-of-stream step; the file engines
    gather one into the other, live analysis consumes the stream as it goes.

    ``face_detector``: a :class:`~inafaceanalyzer.detection.FaceDetector`
    (default: YuNet with the original's options). ``face_classifier``: default
    the registry's default (:mod:`inafaceanalyzer.classifiers`).
    ``batch_len``: faces per classifier batch. ``device``: ``auto``, ``cpu`` or
    ``cuda`` for the default classifier.
    """

    engine = ""  # the name it is registered under (inafaceanalyzer.engines)
    tracked = False  # rows carry face_id and track_conf
    timed = False  # rows carry time

    def __init__(
        self,
        face_detector: FaceDetector | None = None,
        face_classifier: FaceClassifier | None = None,
        batch_len: int = 32,
        device: str = "auto",
    ) -> None:
        check_option("batch_size", batch_len, "batch_len")
        self.face_detector = face_detector if face_detector is not None else YuNetDetector()
        self.classifier = face_classifier if face_classifier is not None else create(DEFAULT, device=device)
        self.aligner = FaceAligner(self.classifier.chip_specs)
        self.batch_len = batch_len
        self.abstention = AbstentionRule()  # answers every face; see inafaceanalyzer.classification.abstention

    @property
    def columns(self) -> list[str]:
        """The columns of the rows :meth:`stream` yields."""
        return output_columns(self.classifier, self.tracked, self.timed)

    def finish(self, table: pd.DataFrame) -> pd.DataFrame:
        """The end-of-stream step: the gathered rows of :meth:`stream` as the engine's results table.

        Here the abstention rule (already applied to each row by the stream;
        applying it again changes nothing); the tracking engine first adds
        its per-track averages.
        """
        return apply_abstention(table, self.abstention)

    def frame_detector(self, counter: CountingDetector) -> Detector:
        """The detector a stream runs (``counter`` wraps the face detector); the tracking engine's tracks."""
        return counter

    def stream(
        self,
        frames: Iterable[Frame],
        *,
        progress: ProgressHook | None = None,
        total: int | None = None,
        workers: int | None = None,
        flush_every_frame: bool = False,
        read_ahead: bool = True,
    ) -> FaceStream:
        """The engine's results frame by frame, every per-row rule applied (see :class:`FaceStream`).

        ``progress(done, total)`` after each frame's faces are found.
        ``workers``, ``flush_every_frame``: see
        :func:`~inafaceanalyzer.engines.pipeline.iter_results`. ``read_ahead``:
        decode the frames in a thread of their own, a few frames ahead (off
        for a live source, which drops the frames it has no time for).
        """
        left_out = LeftOut(limits=getattr(self.face_detector, "options", None))
        detector = self.frame_detector(CountingDetector(self.face_detector, left_out))
        done = 0

        def on_frame(_: Frame) -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total)

        def results() -> Iterator[FrameResult]:
            # Closed before the stream ends, whatever happens: the decoding thread must have
            # stopped before the caller closes the source it reads (a container closed
            # under a running decoder crashes, e.g. on Ctrl-C).
            with contextlib.ExitStack() as stack:
                source = stack.enter_context(contextlib.closing(prefetch(frames))) if read_ahead else frames
                for result in iter_results(source, detector, self.aligner, self.classifier, self.batch_len,
                                           tracking=self.tracked, timed=self.timed, on_frame=on_frame,
                                           workers=workers, flush_every_frame=flush_every_frame):
                    result, unknown, children = abstain_rows(result, self.abstention)
                    left_out.gender_unknown += unknown
                    left_out.gender_unknown_child += children
                    yield result

        return FaceStream(results(), self.columns, left_out)

    def analyze_frames(self, frames: Iterable[Frame], progress: ProgressHook | None = None,
                       total: int | None = None) -> tuple[pd.DataFrame, LeftOut]:
        """The finished results table of ``frames``, and the faces left out."""
        stream = self.stream(frames, progress=progress, total=total)
        return self.finish(stream.gather()), stream.left_out


def _as_path_list(paths: PathLike | Sequence[PathLike]) -> list[PathLike]:
    return [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)


class ImageAnalyzer(FaceAnalyzer):
    """Detect and classify the faces of still images: one row per face, ``frame`` = the image path.

    ``left_out``: the faces the last call left out (:class:`~inafaceanalyzer.engines.leftout.LeftOut`).
    """

    engine = "image"
    left_out: LeftOut | None = None

    def __call__(
        self,
        img_paths: PathLike | Sequence[PathLike],
        on_error: ErrorHandler | None = None,
        progress: ProgressHook | None = None,
    ) -> pd.DataFrame:
        """Analyse one image path or a list of them.

        An unreadable image raises :class:`~inafaceanalyzer.errors.MediaError`
        unless ``on_error`` is given: then it is passed the error and the other
        images are still analysed. ``progress(completed, total)`` counts images
        (failed ones included).
        """
        paths = _as_path_list(img_paths)
        failed = 0

        def handle_error(exc: MediaError) -> None:
            nonlocal failed
            failed += 1
            assert on_error is not None
            on_error(exc)

        def hook(done: int, total: int | None) -> None:
            assert progress is not None
            progress(done + failed, total)

        frames = image_frames(paths, handle_error if on_error is not None else None)
        table, self.left_out = self.analyze_frames(frames, hook if progress is not None else None, len(paths))
        return table


class PreprocessedImageAnalyzer(ImageAnalyzer):
    """The original's ``preprocessed_image`` engine: each image is one already-cropped face.

    No detection runs: the whole image is the face box given to the landmark
    model (crop roughly where a face detector's box would be); ``detect_conf``
    is NaN.
    """

    engine = "preprocessed_image"

    def __init__(
        self, face_classifier: FaceClassifier | None = None, batch_len: int = 32, device: str = "auto"
    ) -> None:
        super().__init__(WholeFrameDetector(), face_classifier, batch_len, device)


class _FrameTally:
    """Counts the frames a stream yields, and their first and last times."""

    def __init__(self, frames: Iterable[Frame]) -> None:
        self._frames = frames
        self.count = 0
        self.first: float | None = None
        self.last: float | None = None

    def __iter__(self) -> Iterator[Frame]:
        for frame in self._frames:
            self.count += 1
            if self.first is None:
                self.first = frame.time
            self.last = frame.time
            yield frame


class VideoAnalyzer(FaceAnalyzer):
    """Detect and classify faces in every frame of a video, or ``fps`` frames per second.

    Rows carry ``frame`` (the frame's index in the video) and ``time`` (seconds).
    Sampling is exact (see :mod:`inafaceanalyzer.media.video`). ``timeout_s``
    bounds opening a network source and each read from it.
    """

    engine = "video"
    timed = True
    timeout_s: float = DEFAULT_TIMEOUT_S

    def __call__(self, video_path: PathLike, fps: float | None = None, offset: float = 0,
                 progress: ProgressHook | None = None) -> pd.DataFrame:
        """Results table for ``video_path`` (a path or http(s) URL); ``offset`` in milliseconds."""
        return self.analyze(video_path, fps=fps, offset=offset, progress=progress).table

    def analyze(self, video_path: PathLike, fps: float | None = None, offset: float = 0,
                progress: ProgressHook | None = None) -> VideoAnalysis:
        """Like calling the analyzer, with the metadata of the run."""
        if fps is not None and not fps > 0:
            raise ValueError(f"fps must be > 0, got {fps}")
        with VideoReader(video_path, timeout_s=self.timeout_s) as reader:
            tally = _FrameTally(reader.frames(fps=fps, offset_ms=offset))
            total = reader.info.expected_frames(fps, offset / 1000)
            table, left_out = self.analyze_frames(tally, progress, total)
            interval = 1 / fps if fps else (float(1 / reader.info.fps) if reader.info.fps else None)
            return VideoAnalysis(
                table, reader.info, self.engine, self.options_record(fps=fps, offset=offset), tally.count, interval,
                tally.first, tally.last, reader.stats, left_out,
            )

    def options_record(self, **options: object) -> dict:
        """The sidecar's ``options``: ``options`` (e.g. ``fps``) and the engine's own settings."""
        detector = self.face_detector
        opts = getattr(detector, "options", None)
        record = dict(options)
        record["batch_size"] = self.batch_len
        record["detector"] = getattr(detector, "name", type(detector).__name__)
        if opts is not None:
            record.update(
                face_detection_confidence=opts.minconf, min_face_size_px=opts.min_size_px,
                min_face_size_percent=opts.min_size_prct, face_detection_padding=opts.padd_prct,
                second_look=opts.second_look, second_look_threshold=opts.second_look_threshold,
                second_look_sure=opts.second_look_sure,
            )
        record["detection_max_side"] = getattr(detector, "max_side", None)
        # the classifier's name and the keys of its model files (their sha256 in "provenance")
        record["classifier"] = getattr(self.classifier, "name", type(self.classifier).__name__)
        record["classifier_models"] = sorted(self.classifier.provenance())
        if self.abstention.active:
            record["abstention"] = asdict(self.abstention)
        return record


class VideoKeyframes(VideoAnalyzer):
    """Detect and classify faces in a video's keyframes only, without decoding the other frames."""

    engine = "videokeyframes"

    def __call__(self, video_path: PathLike, progress: ProgressHook | None = None) -> pd.DataFrame:  # type: ignore[override]
        return self.analyze(video_path, progress=progress).table

    def analyze(self, video_path: PathLike, fps: float | None = None, offset: float = 0,  # type: ignore[override]
                progress: ProgressHook | None = None) -> VideoAnalysis:
        if fps is not None or offset:
            raise ValueError("keyframe analysis takes no fps or offset")
        with VideoReader(video_path, timeout_s=self.timeout_s) as reader:
            tally = _FrameTally(reader.keyframes())
            table, left_out = self.analyze_frames(tally, progress)
            return VideoAnalysis(
                table, reader.info, self.engine, self.options_record(), tally.count, None, tally.first, tally.last,
                reader.stats, left_out,
            )


class VideoTracking(VideoAnalyzer):
    """The original's ``videotracking`` engine: faces detected every ``detect_period`` analysed
    frames, tracked in between, and each face's gender and age averaged over its track.

    Rows carry ``face_id`` (unique within the video, from 0) and ``track_conf``
    (see :class:`~inafaceanalyzer.tracking.TrackingDetector`), then the
    per-track averages ``sex_decfunc_avg``, ``age_decfunc_avg``,
    ``sex_label_avg`` and ``age_label_avg``
    (:func:`~inafaceanalyzer.tracking.smoothing.average_results`). ``detect_period``
    counts analysed frames: with ``fps=5`` and ``detect_period=3`` faces are
    detected every 0.6 s. ``tracking``: the tracker's thresholds.
    """

    engine = "videotracking"
    tracked = True

    def __init__(
        self,
        detect_period: int,
        face_detector: FaceDetector | None = None,
        face_classifier: FaceClassifier | None = None,
        batch_len: int = 32,
        device: str = "auto",
        tracking: TrackingOptions | None = None,
    ) -> None:
        if detect_period < 1:
            raise ValueError(f"detect_period must be >= 1, got {detect_period}")
        super().__init__(face_detector, face_classifier, batch_len, device)
        self.detect_period = detect_period
        self.tracking = tracking or TrackingOptions()

    def frame_detector(self, counter: CountingDetector) -> Detector:
        """A new tracker (face ids from 0) detecting with ``counter``."""
        return TrackingDetector(counter, self.detect_period, self.tracking)

    def finish(self, table: pd.DataFrame) -> pd.DataFrame:
        """Per-track averages (``*_avg`` columns), then the abstention rule (weak averages answer ``u``)."""
        return super().finish(average_results(table))

    def options_record(self, **options: object) -> dict:
        record = super().options_record(**options)
        record["detect_period"] = self.detect_period
        record["tracking"] = asdict(self.tracking)
        return record
