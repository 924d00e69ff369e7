"""The results table's columns: their order per engine, their types and what they mean.

The original's columns come first (``frame, bbox[, face_id], detect_conf[, track_conf]``,
then the classifier's), new ones are appended (``time``, then the per-track ``*_avg``).
:data:`COLUMNS` describes each one; the documentation's schema page is generated from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

DEFAULT_FPS = 25.0
"""Frames per second assumed where a video (or a sidecar) does not say."""


def frame_rate(fps: Any) -> float:
    """``fps`` as a float when it is a usable frame rate (finite, > 0), else :data:`DEFAULT_FPS`."""
    try:
        value = float(fps) if fps else 0.0
    except (TypeError, ValueError):
        return DEFAULT_FPS
    return value if math.isfinite(value) and value > 0 else DEFAULT_FPS


@dataclass(frozen=True)
class Column:
    """A column of the results table: its pandas type and its meaning (Markdown)."""

    name: str
    dtype: str
    meaning: str


_COLUMNS = [
    Column("frame", "object", "image path (image engines), or the frame's index in the video, in presentation "
           "order (video engines)"),
    Column("bbox", "object", "face box `(x1, y1, x2, y2)` in pixels, as the original reports it: the detector's "
           "box squared and scaled by 1.1 around its centre; integers, possibly outside the frame"),
    Column("face_id", "int64", "tracking: the face's track, an integer unique within the video, from 0. A face "
           "that leaves the frame and comes back later gets a new one"),
    Column("detect_conf", "float64", "detector confidence, 0 to 1 (empty for `preprocessed_image`; with "
           "tracking, empty on frames where the face was tracked)"),
    Column("track_conf", "float64", "tracking: on tracked frames, the correlation tracker's peak-to-side-lobe "
           "ratio (PSR), about 10 to 30 on a followed face, falling as the face turns or gets hidden; empty on "
           "frames where the face was detected"),
    Column("sex_decfunc", "float64", "gender decision function: the gender model's log-odds "
           "`ln(p_male / p_female)`, about -16 to +16; positive means male. Averaging it over the frames of a "
           "track combines their evidence"),
    Column("age_decfunc", "float64", "age decision function: the age model's expected age in years (sum over "
           "its 81 classes of probability x class age); averages of it are expected ages too"),
    Column("sex_label", "object", "`m` if `sex_decfunc` > 0, else `f`; `u` (unknown) where an abstention rule "
           "withheld the answer"),
    Column("age_label", "float64", "estimated age in years (float) = `age_decfunc`"),
    Column("time", "float64", "video engines: the frame's presentation time in seconds, exactly "
           "`pts x time_base`"),
    Column("sex_decfunc_avg", "float64", "tracking: the mean of `sex_decfunc` (log-odds: the frames' evidence "
           "combined) over all the rows of the `face_id`"),
    Column("age_decfunc_avg", "float64", "tracking: the mean of `age_decfunc` (expected age) over all the rows "
           "of the `face_id`"),
    Column("sex_label_avg", "object", "tracking: the label of `sex_decfunc_avg`, as for `sex_label`: constant "
           "within a track"),
    Column("age_label_avg", "float64", "tracking: the label of `age_decfunc_avg`: constant within a track"),
]
COLUMNS: dict[str, Column] = {c.name: c for c in _COLUMNS}
"""Every column an engine writes, by name."""

DECISION_FUNCTIONS = ("sex_decfunc", "age_decfunc")
"""The classifier's scores that tracking averages per track."""
AVERAGE_COLUMNS = ["sex_decfunc_avg", "age_decfunc_avg", "sex_label_avg", "age_label_avg"]
"""The per-track averages a tracking engine appends (see :func:`~inafaceanalyzer.tracking.smoothing.average_results`)."""
META_COLUMNS = ("frame", "bbox", "face_id", "detect_conf", "track_conf", "time")
"""The columns the engine fills, the others come from the classifier."""


def output_columns(classifier: Any, tracking: bool = False, timed: bool = False) -> list[str]:
    """Column order of the results table, the original's first, new ones appended.

    ``classifier``: anything with ``output_cols`` (a :class:`~inafaceanalyzer.classifiers.base.FaceClassifier`).
    """
    cols = ["frame", "bbox", "face_id", "detect_conf", "track_conf"] if tracking else ["frame", "bbox", "detect_conf"]
    cols += list(classifier.output_cols)
    if timed:
        cols.append("time")
    return cols


def engine_columns(classifier: Any, tracking: bool, timed: bool) -> list[str]:
    """All the columns of a finished table: :func:`output_columns`, plus :data:`AVERAGE_COLUMNS` with tracking."""
    return output_columns(classifier, tracking, timed) + (AVERAGE_COLUMNS if tracking else [])


def empty_dtype(column: str) -> str:
    """The type of ``column`` in an empty table (``float64`` for a column not in :data:`COLUMNS`)."""
    return COLUMNS[column].dtype if column in COLUMNS else "float64"


def parse_bbox(value: object) -> tuple[int, int, int, int]:
    """``"(x1, y1, x2, y2)"`` (as a CSV holds it, or a tuple or list) as a tuple of 4 integers."""
    if isinstance(value, tuple):
        return value  # type: ignore[return-value]
    parts = str(value).strip().strip("()[]").split(",")
    if len(parts) != 4:
        raise ValueError(f"a bbox needs 4 numbers, got {value!r}")
    return tuple(int(round(float(p))) for p in parts)  # type: ignore[return-value]
