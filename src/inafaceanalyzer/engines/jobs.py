"""One input to its output files: what the command line and campaign workers both run.

:class:`AnalysisOptions` is the serialisable description of an analysis (it
travels to campaign workers and into provenance); :func:`build_analyzer` turns
it into an engine with its models loaded; :func:`run_video_job` analyses one
video and writes its requested outputs, each atomically.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol, cast

from .. import detection as detectors
from .. import engines
from . import options as analysis_options
from ..classification.abstention import AbstentionRule
from .analyzers import FaceAnalyzer, VideoAnalysis
from ..classifiers import DEFAULT, FaceClassifier, create, names
from ..detection import DetectionOptions
from ..export.csv import write_csv
from ..results.sidecar import sidecar_path, write_metadata
from ..media.video import DEFAULT_TIMEOUT_S
from ..progress import ProgressHook

IMAGE_ENGINES = engines.names("image")
VIDEO_ENGINES = engines.names("video")
ENGINES = engines.names()


class VideoEngine(Protocol):
    """What a video job needs of an engine whose registry entry says ``media="video"``."""

    def analyze(self, video_path: str, fps: float | None = None, offset: float = 0,
                progress: ProgressHook | None = None) -> VideoAnalysis: ...


@dataclass(frozen=True)
class AnalysisOptions:
    """Everything that defines an analysis, apart from its inputs and outputs."""

    engine: str = "video"
    fps: float | None = None
    detect_period: int | None = None
    batch_size: int = analysis_options.BY_NAME["batch_size"].default
    device: str = analysis_options.BY_NAME["device"].default
    detection: DetectionOptions = field(default_factory=DetectionOptions)
    detection_max_side: int = analysis_options.BY_NAME["detection_max_side"].default
    timeout_s: float = DEFAULT_TIMEOUT_S
    abstention: AbstentionRule = field(default_factory=AbstentionRule)
    classifier: str = DEFAULT  # a name of the registry (inafaceanalyzer.classifiers)
    face_detector: str = detectors.DEFAULT  # a name of the registry (inafaceanalyzer.detection)
    detections: str | None = None  # the boxes of the videoprecomputed engine (a CSV or a folder of them)

    def __post_init__(self) -> None:
        spec = engines.spec(self.engine)  # ValueError naming the engines for an unknown one
        analysis_options.check_fields(self)  # the checks of the options' table
        problem = spec.problem(self.engine, self.fps, self.detect_period, self.detections)
        if problem:
            raise ValueError(problem)
        detectors.canonical(self.face_detector)  # ValueError naming the detectors for an unknown one
        if self.classifier not in names():
            raise ValueError(f"unknown classifier {self.classifier!r}: choose from {', '.join(names())}")

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> AnalysisOptions:
        data = dict(data)
        data["detection"] = DetectionOptions(**data.get("detection", {}))
        data["abstention"] = AbstentionRule(**data.get("abstention", {}))
        return cls(**data)


def build_analyzer(options: AnalysisOptions, classifier: FaceClassifier | None = None) -> FaceAnalyzer:
    """The engine ``options`` describe, with its models loaded (once; reuse it for many inputs)."""
    spec = engines.spec(options.engine)
    classifier = classifier or create(options.classifier, device=options.device)
    detector = detectors.create(spec.detector or options.face_detector, options.detection,
                                max_side=options.detection_max_side)
    analyzer = spec.build(detector, classifier, options)
    analyzer.abstention = options.abstention
    return analyzer


@dataclass(frozen=True)
class VideoJob:
    """One video and the files to write for it (``None``: not requested)."""

    source: str
    dest_csv: Path
    dest_ass: Path | None = None
    dest_mp4: Path | None = None
    dest_xlsx: Path | None = None
    dest_parquet: Path | None = None

    def exports(self) -> list[Path]:
        """The requested exports, beyond the CSV and its sidecar."""
        return [p for p in (self.dest_ass, self.dest_mp4, self.dest_xlsx, self.dest_parquet) if p is not None]

    def outputs(self) -> list[Path]:
        return [self.dest_csv, *self.exports()]


def run_video_job(
    analyzer: FaceAnalyzer, job: VideoJob, fps: float | None = None, progress: ProgressHook | None = None
) -> VideoAnalysis:
    """Analyse ``job.source`` and write its outputs: the sidecar, the CSV, then the exports.

    Each file is written under a temporary name and renamed when complete.
    Raises :class:`~inafaceanalyzer.errors.MediaError` for an unusable input, ``ValueError``
    when ``analyzer`` is not a video engine.
    """
    engine = getattr(analyzer, "engine", "")
    if engine not in VIDEO_ENGINES:
        raise ValueError(f"a video job needs a video engine ({', '.join(VIDEO_ENGINES)}), "
                         f"not {type(analyzer).__name__}")
    result = cast(VideoEngine, analyzer).analyze(job.source, fps=fps, progress=progress)
    metadata = result.metadata()
    write_metadata(metadata, sidecar_path(job.dest_csv))
    write_csv(result.table, job.dest_csv)
    if job.exports():
        export_video(result, job, metadata, progress)
    return result


def export_video(result: VideoAnalysis, job: VideoJob, metadata: dict | None = None,
                 progress: ProgressHook | None = None) -> None:
    """Write the exports a job asks for: Parquet, ASS subtitles, XLSX, then the annotated MP4.

    ``metadata``: the sidecar document (default: ``result.metadata()``);
    ``progress`` follows the MP4's frames.
    """
    from ..export.ass import export_ass
    from ..export.mp4 import export_mp4
    from ..export.parquet import write_parquet
    from ..export.xlsx import export_xlsx

    metadata = metadata if metadata is not None else result.metadata()
    if job.dest_parquet is not None:
        write_parquet(result.table, job.dest_parquet, metadata)
    if job.dest_ass is not None:
        export_ass(result.table, job.dest_ass, job.source, metadata=metadata)
    if job.dest_xlsx is not None:
        export_xlsx(result.table, job.dest_xlsx, job.source, metadata=metadata)
    if job.dest_mp4 is not None:
        export_mp4(result.table, job.dest_mp4, job.source, metadata=metadata, progress=progress)
