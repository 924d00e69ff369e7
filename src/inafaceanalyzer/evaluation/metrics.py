"""Gender accuracy, coverage and age errors of labelled faces, overall or per group.

Every function takes a table of classified faces: true ``gender`` (``m``,
``f`` or missing) and ``age`` (years or NaN), predicted ``sex_label`` (``m``,
``f``, or ``u`` where the face was abstained on) and ``age_label``. Faces
with an unknown true value are left out of that value's metrics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..classification.abstention import UNKNOWN

SCORE_COLUMNS = [
    "faces", "gender_faces", "answered", "coverage", "accuracy",
    "age_faces", "age_mae", "age_rmse", "age_mean_error",
]


def _per_face(df: pd.DataFrame) -> pd.DataFrame:
    """One row per face: indicators and errors that sum or average into the scores."""
    gender = df["gender"].astype("object")
    labelled = gender.notna().to_numpy()
    answered = labelled & df["sex_label"].isin(["m", "f"]).to_numpy()
    error = (df["age_label"] - df["age"]).astype(np.float64)
    return pd.DataFrame(
        {
            "faces": 1,
            "gender_faces": labelled.astype(int),
            "answered": answered.astype(int),
            "correct": (answered & (df["sex_label"].to_numpy() == gender.to_numpy())).astype(int),
            "age_faces": error.notna().astype(int),
            "abs_error": error.abs(),
            "sq_error": error**2,
            "error": error,
        },
        index=df.index,
    )


def score_table(df: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Scores of the faces in ``df``, one row per group of the ``by`` columns (one row if none).

    Categorical ``by`` columns give a row for every category, empty ones
    included (0 faces, NaN metrics). ``coverage``: share of gender-labelled
    faces given ``m`` or ``f``; ``accuracy``: share of those answered right;
    ``age_mean_error``: mean of predicted minus true age (positive: too old).
    """
    per_face = _per_face(df)
    if by:
        groups = per_face.groupby([df[c] for c in by], observed=False)
    else:
        groups = per_face.groupby(np.zeros(len(per_face), dtype=int))
    sums = groups[["faces", "gender_faces", "answered", "correct", "age_faces"]].sum()
    means = groups[["abs_error", "sq_error", "error"]].mean()
    out = pd.DataFrame(
        {
            "faces": sums["faces"],
            "gender_faces": sums["gender_faces"],
            "answered": sums["answered"],
            "coverage": _ratio(sums["answered"], sums["gender_faces"]),
            "accuracy": _ratio(sums["correct"], sums["answered"]),
            "age_faces": sums["age_faces"],
            "age_mae": means["abs_error"],
            "age_rmse": np.sqrt(means["sq_error"]),
            "age_mean_error": means["error"],
        }
    )
    return out.reset_index(drop=not by)[(list(by) if by else []) + SCORE_COLUMNS]


def scores(df: pd.DataFrame) -> pd.Series:
    """The scores of all faces in ``df`` (a row of :func:`score_table`)."""
    return score_table(df).iloc[0]


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(np.float64)


def confusion_table(df: pd.DataFrame) -> pd.DataFrame:
    """Counts of true gender (rows ``m``, ``f``) against the label given (``m``, ``f``, ``u``)."""
    labelled = df[df["gender"].notna()]
    table = pd.crosstab(
        pd.Categorical(labelled["gender"].astype("object"), categories=["m", "f"]),
        pd.Categorical(labelled["sex_label"], categories=["m", "f", UNKNOWN]),
        dropna=False,
    )
    table.index.name, table.columns.name = "true", "predicted"
    table["total"] = table.sum(axis=1)
    return table.reset_index()
