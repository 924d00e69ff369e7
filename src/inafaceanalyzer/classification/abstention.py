"""Abstention: answer ``u`` (unknown) instead of a gender guess for faces too small or too uncertain.

A results table's ``sex_label`` is replaced by :data:`UNKNOWN` (``"u"``) for
every face that fails the rule; every other column, ``age_label`` included,
is left as it was. The rule looks at two things per face:

* the face size: the largest side, in pixels, of the ``bbox`` column (the
  detector's box squared and scaled by 1.1, as written in the CSV; for the
  ``preprocessed_image`` engine, the whole image scaled the same way);
* the gender confidence: the probability of the label given,
  ``max(p_m, p_f) = sigmoid(|sex_decfunc|)``, from 0.5 (a coin toss) to
  almost 1.

* the estimated age (``age_decfunc``): the networks are confidently wrong on
  children (dlib answers ``f`` for most boys under 13), and no confidence
  threshold makes their answers reliable, so a face estimated younger than
  ``child_age`` years is answered ``u``; a face estimated younger than
  ``young_age`` (children and teenagers, whom the networks also see older or
  younger than they are) needs a gender confidence of ``young_confidence``.
  :func:`unknown_reasons` tells both apart (``child``: the face looks young)
  from the others.

A face is kept when ``size >= min_face_size``, ``confidence >=
min_gender_confidence``, ``age >= child_age`` and, where ``age < young_age``,
``confidence >= young_confidence``; the defaults (0 px, 0.5, 0 years, 0 years,
0.5) keep every face. The commands' defaults are :data:`DEFAULT_CHILD_AGE`,
:data:`DEFAULT_YOUNG_AGE` and :data:`DEFAULT_YOUNG_CONFIDENCE` (fitted on one
half of the UTKFace dev set, checked on the other: docs/classifiers.md). Face size
matters because the gender model sees 32 px chips: below about 30 px its
accuracy drops fast (see the resolution table of ``ina_face_analyzer_evaluate``,
which also shows the accuracy/coverage trade-off of both thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..results.table import FrameResult

UNKNOWN = "u"
DEFAULT_CHILD_AGE = 13.0  # the commands' default --child_age (docs/classifiers.md)
# The commands' --young_age and --young_confidence: faces estimated 13-21 answered only at a gender
# probability of 0.7 or more (benchmarks/child_rule_fit.py; docs/classifiers.md).
DEFAULT_YOUNG_AGE = 22.0
DEFAULT_YOUNG_CONFIDENCE = 0.7


@dataclass(frozen=True)
class AbstentionRule:
    """Faces below ``min_face_size`` px (``bbox`` largest side), whose gender
    confidence is below ``min_gender_confidence`` (0.5 to 1), whose estimated
    age is below ``child_age`` years, or below ``young_age`` years with a gender
    confidence below ``young_confidence``, get ``sex_label`` ``u``."""

    min_face_size: float = 0.0
    min_gender_confidence: float = 0.5
    child_age: float = 0.0
    young_age: float = 0.0
    young_confidence: float = 0.5

    def __post_init__(self) -> None:
        if not self.min_face_size >= 0:
            raise ValueError(f"min_face_size must be >= 0 pixels, got {self.min_face_size}")
        if not 0.5 <= self.min_gender_confidence <= 1:
            raise ValueError(f"min_gender_confidence must be between 0.5 and 1, got {self.min_gender_confidence}")
        if not 0 <= self.child_age <= 30:
            raise ValueError(f"child_age must be between 0 and 30 years, got {self.child_age}")
        if not 0 <= self.young_age <= 30:
            raise ValueError(f"young_age must be between 0 and 30 years, got {self.young_age}")
        if not 0.5 <= self.young_confidence <= 1:
            raise ValueError(f"young_confidence must be between 0.5 and 1, got {self.young_confidence}")

    @property
    def active(self) -> bool:
        """Whether the rule can reject any face at all."""
        return (self.min_face_size > 0 or self.min_gender_confidence > 0.5 or self.child_age > 0
                or (self.young_age > 0 and self.young_confidence > 0.5))

    def keeps(self, df: pd.DataFrame) -> np.ndarray:
        """Boolean mask of the rows of a results table that keep their gender label."""
        return self.keeps_faces(df["bbox"], df["sex_decfunc"], estimated_age(df))

    def keeps_faces(self, bboxes: pd.Series | list, sex_decfunc: np.ndarray | pd.Series | list,
                    ages: np.ndarray | pd.Series | list | None = None) -> np.ndarray:
        """Boolean mask of the faces (their ``bbox``, ``sex_decfunc`` and estimated age) that keep their
        gender label; without ``ages`` the age rules do not apply."""
        return self.judge(bboxes, sex_decfunc, ages)[0]

    def judge(self, bboxes: pd.Series | list, sex_decfunc: np.ndarray | pd.Series | list,
              ages: np.ndarray | pd.Series | list | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Two boolean masks of the faces: those that keep their gender label (:meth:`keeps_faces`),
        and those that look like a child (:meth:`looks_like_a_child`; none without ``ages``)."""
        keep = (face_size(bboxes) >= self.min_face_size) & self.confident(sex_decfunc)
        child = np.zeros(len(keep), dtype=bool) if ages is None else self.looks_like_a_child(ages, sex_decfunc)
        return keep & ~child, child

    def confident(self, sex_decfunc: np.ndarray | pd.Series | list) -> np.ndarray:
        """Whether each gender decision function (or per-track average) is confident enough to answer."""
        return gender_confidence(sex_decfunc) >= self.min_gender_confidence

    def looks_like_a_child(self, age: np.ndarray | pd.Series | list,
                           sex_decfunc: np.ndarray | pd.Series | list | None = None) -> np.ndarray:
        """Where the estimated age (years) is below ``child_age``, or (given the gender decision
        functions) below ``young_age`` with a gender confidence below ``young_confidence``."""
        age = np.asarray(age, dtype=np.float64)
        child = age < self.child_age
        if sex_decfunc is not None:
            child |= (age < self.young_age) & (gender_confidence(sex_decfunc) < self.young_confidence)
        return child


def estimated_age(df: pd.DataFrame) -> pd.Series:
    """A results table's estimated age: ``age_decfunc``, else ``age_label``, else unknown (NaN)."""
    for column in ("age_decfunc", "age_label"):
        if column in df.columns:
            return df[column]
    return pd.Series(np.nan, index=df.index)


def gender_confidence(sex_decfunc: np.ndarray | pd.Series) -> np.ndarray:
    """``max(p_m, p_f)`` from the log-odds ``sex_decfunc``: ``sigmoid(|sex_decfunc|)``."""
    return 1.0 / (1.0 + np.exp(-np.abs(np.asarray(sex_decfunc, dtype=np.float64))))


def face_size(bboxes: pd.Series | list) -> np.ndarray:
    """Largest side in pixels of each ``(x1, y1, x2, y2)`` box, or its CSV text (NaN where there is no box)."""
    from ..results.columns import parse_bbox

    def side(b: object) -> float:
        if isinstance(b, str):  # a CSV read back as written: "(x1, y1, x2, y2)"
            b = parse_bbox(b)
        return max(b[2] - b[0], b[3] - b[1]) if isinstance(b, (tuple, list, np.ndarray)) else np.nan

    return np.array([side(b) for b in bboxes], dtype=np.float64)


def apply_abstention(df: pd.DataFrame, rule: AbstentionRule) -> pd.DataFrame:
    """A copy of the results table ``df`` where faces failing ``rule`` have ``sex_label`` ``u``.

    Tracked tables also get ``sex_label_avg`` ``u`` where the track's averaged
    evidence (``sex_decfunc_avg``) is below the confidence threshold; the face
    size, which varies along a track, applies to single rows only.
    """
    out = df.copy()
    if rule.active and len(out):
        out.loc[~rule.keeps(out), "sex_label"] = UNKNOWN
        if "sex_decfunc_avg" in out.columns and "sex_label_avg" in out.columns:
            weak = ~rule.confident(out["sex_decfunc_avg"])
            if "age_decfunc_avg" in out.columns:
                weak |= rule.looks_like_a_child(out["age_decfunc_avg"], out["sex_decfunc_avg"])
            out.loc[weak, "sex_label_avg"] = UNKNOWN
    return out


def abstain_rows(result: FrameResult, rule: AbstentionRule) -> tuple[FrameResult, int, int]:
    """``result`` with ``sex_label`` ``u`` in the rows failing ``rule``, how many rows that is,
    and how many of those look like a child (see :meth:`AbstentionRule.looks_like_a_child`).

    The per-frame form of :func:`apply_abstention`, applied inside an
    engine's stream (see :meth:`~inafaceanalyzer.engines.analyzers.FaceAnalyzer.stream`).
    """
    if not rule.active or not result.rows:
        return result, 0, 0
    cols = result.columns
    box, sex, label = cols.index("bbox"), cols.index("sex_decfunc"), cols.index("sex_label")
    age = next((cols.index(c) for c in ("age_decfunc", "age_label") if c in cols), None)
    ages = None if age is None else [row[age] for row in result.rows]
    keeps, child = rule.judge([row[box] for row in result.rows], [row[sex] for row in result.rows], ages)
    if keeps.all():
        return result, 0, 0
    rows = [row if keep else (*row[:label], UNKNOWN, *row[label + 1:]) for row, keep in zip(result.rows, keeps)]
    return replace(result, rows=rows), int((~keeps).sum()), int(child.sum())


def unknown_reasons(df: pd.DataFrame, rule: AbstentionRule) -> np.ndarray:
    """Why each row's ``sex_label`` is ``u`` under ``rule``: ``child`` (the face looks
    young: estimated younger than ``child_age``, or than ``young_age`` with too
    little confidence; counted apart in reports), ``small``, ``uncertain``, or
    ``""`` where the rule answers."""
    if not len(df):
        return np.array([], dtype=object)
    reasons = np.full(len(df), "", dtype=object)
    reasons[~rule.confident(df["sex_decfunc"])] = "uncertain"
    reasons[face_size(df["bbox"]) < rule.min_face_size] = "small"
    reasons[rule.looks_like_a_child(estimated_age(df), df["sex_decfunc"])] = "child"
    return reasons
