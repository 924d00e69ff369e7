"""Per-track smoothing: each face's decision functions averaged over its whole track.

Works on any results table with a ``face_id`` column (a tracking engine's
output, or its CSV read back), so a table can be re-smoothed after the fact,
e.g. after tracks were edited or rows filtered.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..classification.dlib import decfunc2labels
from ..results.columns import AVERAGE_COLUMNS, DECISION_FUNCTIONS

__all__ = ["AVERAGE_COLUMNS", "DECISION_FUNCTIONS", "average_results"]


def average_results(df: pd.DataFrame, by: str | Sequence[str] = "face_id") -> pd.DataFrame:
    """A copy of ``df`` with the per-track averages of the decision functions and their labels.

    Adds (or replaces) ``sex_decfunc_avg`` and ``age_decfunc_avg``, the mean of
    ``sex_decfunc`` and ``age_decfunc`` over the rows sharing the row's
    ``by`` key (default ``face_id``; e.g. ``["source", "face_id"]`` for a
    table gathering several videos, whose face ids restart at 0), and
    ``sex_label_avg``/``age_label_avg`` derived from them as the unsmoothed
    labels are (:func:`~inafaceanalyzer.classification.decfunc2labels`).
    The mean of log-odds combines the frames' gender evidence; the mean of
    expected ages is an expected age. A row whose key is missing (NaN) is
    its own track.
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [c for c in (*keys, *DECISION_FUNCTIONS) if c not in df.columns]
    if missing:
        raise ValueError(f"cannot average per track: the table has no {', '.join(missing)} column")
    out = df.drop(columns=[c for c in AVERAGE_COLUMNS if c in df.columns])
    grouped = out.groupby(keys, dropna=False, sort=False)
    for name in DECISION_FUNCTIONS:
        values = out[name].astype(float)
        mean = grouped[name].transform("mean").astype(float)
        has_key = out[keys].notna().all(axis=1)
        out[f"{name}_avg"] = mean.where(has_key, values)
    return decfunc2labels(out, "_avg")
