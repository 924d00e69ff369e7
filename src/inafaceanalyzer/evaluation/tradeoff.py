"""The accuracy / coverage trade-off of the abstention thresholds, one threshold at a time."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..classification.abstention import AbstentionRule, apply_abstention
from .metrics import scores

CONFIDENCE_STEPS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
SIZE_STEPS = (0, 20, 30, 40, 50, 75, 100, 150, 200)
TRADEOFF_COLUMNS = ["criterion", "threshold", "coverage", "accuracy", "answered", "errors"]


def abstention_tradeoff(
    faces: pd.DataFrame,
    confidences: Sequence[float] = CONFIDENCE_STEPS,
    sizes: Sequence[float] = SIZE_STEPS,
) -> pd.DataFrame:
    """Coverage and accuracy of the answered faces for each threshold of each rule.

    ``faces`` holds the labels given without abstention; each row applies
    one :class:`~inafaceanalyzer.classification.abstention.AbstentionRule` threshold, the
    other left neutral. ``errors``: wrong answers among the answered faces.
    """
    rules = [("min_gender_confidence", c, AbstentionRule(min_gender_confidence=c)) for c in confidences]
    rules += [("min_face_size", s, AbstentionRule(min_face_size=s)) for s in sizes]
    rows = []
    for criterion, threshold, rule in rules:
        s = scores(apply_abstention(faces, rule))
        errors = int(round(s["answered"] * (1 - s["accuracy"]))) if s["answered"] else 0
        rows.append((criterion, threshold, s["coverage"], s["accuracy"], int(s["answered"]), errors))
    return pd.DataFrame(rows, columns=TRADEOFF_COLUMNS)
