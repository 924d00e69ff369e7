"""Reliability of the gender confidence: is a face given 90 % confidence right 90 % of the time?

The confidence of a face's gender label is ``max(p_m, p_f) =
sigmoid(|sex_decfunc|)`` (see :mod:`inafaceanalyzer.classification.abstention`). Faces are
binned by confidence between 0.5 and 1; a well calibrated model has, in each
bin, an accuracy equal to the bin's mean confidence. The expected calibration
error (ECE) is the faces-weighted mean of ``|accuracy - confidence|``.
:func:`fit_temperature` finds the divisor of ``sex_decfunc`` that would make
the confidence calibrated on the faces evaluated (labels are unchanged).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..classification.abstention import gender_confidence
from ..classification.dlib import sex_labels

RELIABILITY_COLUMNS = ["bin_low", "bin_high", "faces", "mean_confidence", "accuracy", "gap"]


def reliability_table(faces: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Faces with a known gender, binned by the confidence of their (not abstained) label.

    ``gap`` is accuracy minus mean confidence: negative means over-confident.
    """
    if bins < 1:
        raise ValueError(f"bins must be >= 1, got {bins}")
    labelled = faces[faces["gender"].notna() & faces["sex_decfunc"].notna()]
    confidence = gender_confidence(labelled["sex_decfunc"])
    correct = sex_labels(labelled["sex_decfunc"]) == labelled["gender"].astype("object").to_numpy()
    edges = np.linspace(0.5, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, bins - 1)
    rows = []
    for b in range(bins):
        members = index == b
        n = int(members.sum())
        conf = float(confidence[members].mean()) if n else np.nan
        acc = float(correct[members].mean()) if n else np.nan
        rows.append((edges[b], edges[b + 1], n, conf, acc, acc - conf))
    return pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)


def expected_calibration_error(table: pd.DataFrame) -> float:
    """Faces-weighted mean of ``|gap|`` over the bins of a :func:`reliability_table`."""
    used = table[table["faces"] > 0]
    if used.empty:
        return np.nan
    return float(np.average(used["gap"].abs(), weights=used["faces"]))


def fit_temperature(faces: pd.DataFrame) -> float:
    """The temperature ``T`` that best calibrates these faces: ``sigmoid(sex_decfunc / T)``
    maximises the likelihood of their true genders (log-spaced grid, 0.25 to 20)."""
    labelled = faces[faces["gender"].notna() & faces["sex_decfunc"].notna()]
    if labelled.empty:
        return np.nan
    sign = np.where(labelled["gender"].astype("object").to_numpy() == "m", 1.0, -1.0)
    margin = sign * labelled["sex_decfunc"].to_numpy(dtype=np.float64)
    temperatures = np.geomspace(0.25, 20, 400)
    nll = np.logaddexp(0, -margin[None, :] / temperatures[:, None]).mean(axis=1)
    return float(temperatures[np.argmin(nll)])
