"""The original's precomputed-detections engine: face boxes given per frame, aligned and classified.

The boxes come as a CSV with columns ``frame`` (the frame's index in the
video) and ``bbox`` (``"(x1, y1, x2, y2)"``, the results' ``bbox`` column
format; decimals are kept), e.g. a previous analysis's results, another detector's boxes or a
person's corrections; a ``detect_conf`` column, when present, is carried
over. No face detection runs. Each box is read as the ``bbox`` column the
classifier reports (the detector's box squared and scaled by the
classifier's ``bbox_scale``), so an analysis's results fed back give the same
faces; the face is then aligned as the chosen ``--face_detector``'s boxes are.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd

from .analyzers import VideoAnalysis, VideoAnalyzer
from ..classifiers import FaceClassifier
from ..detection import FaceDetector
from ..errors import MediaError
from .leftout import CountingDetector
from ..media.video import source_stem
from .pipeline import Detector
from ..progress import ProgressHook
from ..types import Detection, Frame, Rect

PathLike = str | os.PathLike[str]


def read_boxes(path: Path, bbox_scale: float = 1.0) -> dict[int, list[Detection]]:
    """The faces of each frame listed in the boxes CSV ``path``; raises :class:`MediaError` when unusable.

    Each ``bbox`` is scaled by ``1 / bbox_scale`` around its centre (undoing the classifier's scaling).
    """
    try:
        table = pd.read_csv(path)
    except FileNotFoundError:
        raise MediaError(path, "no such boxes file (--detections)") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise MediaError(path, f"cannot read the boxes CSV: {exc}") from exc
    missing = [c for c in ("frame", "bbox") if c not in table.columns]
    if missing:
        raise MediaError(path, f"the boxes CSV needs columns frame and bbox (missing: {', '.join(missing)})")
    confs = table["detect_conf"] if "detect_conf" in table.columns else [math.nan] * len(table)
    boxes: dict[int, list[Detection]] = {}
    for line, (frame, bbox, conf) in enumerate(zip(table["frame"], table["bbox"], confs, strict=True), start=2):
        try:
            index = int(frame)
            if index != frame or index < 0:
                raise ValueError(f"frame must be a whole number >= 0, got {frame!r}")
            rect = Rect.parse(str(bbox))
            if not (rect.w > 0 and rect.h > 0):
                raise ValueError(f"empty box {bbox!r}")
        except (TypeError, ValueError) as exc:
            raise MediaError(path, f"line {line}: {exc}") from None
        boxes.setdefault(index, []).append(Detection(bbox=rect.scale(1 / bbox_scale), detect_conf=float(conf)))
    return boxes


class GivenBoxes:
    """A staged detector giving each frame the boxes listed for its index.

    See :class:`~inafaceanalyzer.engines.pipeline.StagedDetector`; ``aligned_as``: the
    detector whose :meth:`landmark_box` the boxes are aligned with.
    """

    stateless = False

    def __init__(self, boxes: dict[int, list[Detection]], aligned_as: Detector) -> None:
        self.boxes = boxes
        self.aligned_as = aligned_as
        self.used: set[int] = set()

    def prepare(self, position: int, frame: Frame) -> object:
        return None

    def update(self, frame: Frame, prepared: object) -> list[Detection]:
        assert isinstance(frame.index, int)
        self.used.add(frame.index)
        return self.boxes.get(frame.index, [])

    def __call__(self, frame: object, /) -> list[Detection]:
        raise TypeError("given boxes need the frame's index: run them as a staged detector")

    def landmark_box(self, bbox: Rect) -> Rect:
        return self.aligned_as.landmark_box(bbox)

    def unused(self) -> list[int]:
        """The frames that have boxes but were not analysed, in order."""
        return sorted(set(self.boxes) - self.used)


class VideoPrecomputed(VideoAnalyzer):
    """The ``videoprecomputed`` engine (the original's ``VideoPrecomputedDetection``).

    ``detections``: the boxes CSV, or a folder holding ``<video name>.csv``
    for each video (e.g. an earlier run's ``-o`` folder). The analysed frames
    are sampled as by the ``video`` engine (every frame, or ``fps``); give the
    ``fps`` of the analysis the boxes come from: boxes listed for a frame that
    is not analysed raise :class:`~inafaceanalyzer.errors.MediaError`.
    ``face_detector``: the detector whose boxes these are (alignment).
    """

    engine = "videoprecomputed"

    def __init__(
        self,
        detections: PathLike,
        face_detector: FaceDetector | None = None,
        face_classifier: FaceClassifier | None = None,
        batch_len: int = 32,
        device: str = "auto",
    ) -> None:
        super().__init__(face_detector, face_classifier, batch_len, device)
        self.detections = Path(detections)
        self._given: GivenBoxes | None = None
        self._file: Path | None = None

    def boxes_file(self, video_path: PathLike) -> Path:
        """The boxes CSV for ``video_path``."""
        if self.detections.is_dir():
            return self.detections / f"{source_stem(str(video_path))}.csv"
        return self.detections

    def frame_detector(self, counter: CountingDetector) -> Detector:
        assert self._given is not None, "call analyze()"
        return self._given

    def analyze(self, video_path: PathLike, fps: float | None = None, offset: float = 0,
                progress: ProgressHook | None = None) -> VideoAnalysis:
        self._file = self.boxes_file(video_path)
        self._given = GivenBoxes(read_boxes(self._file, self.classifier.bbox_scale), self.face_detector)
        result = super().analyze(video_path, fps=fps, offset=offset, progress=progress)
        unused = self._given.unused()
        if unused:
            raise MediaError(self._file, f"{len(unused)} frames have boxes but were not analysed (first: "
                             f"frame {unused[0]}): give the --fps the boxes were found at")
        return result

    def options_record(self, **options: object) -> dict:
        record = super().options_record(**options)
        record["boxes_aligned_as"] = record["detector"]
        record["detector"] = "precomputed"
        record["detections"] = str(self._file) if self._file is not None else str(self.detections)
        return record
