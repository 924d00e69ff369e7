"""The original paper's bias measures, over the categories gender x race x age.

inaFaceAnalyzer's paper (Doukhan and Petit, JOSS 2022) computes each metric
"for each of the 8 (2*2*2) categories separately (ie: accuracy for non white
females over 50 years old) and report[s] their averaged difference (ex:
positive accuracy age bias means the system is more accurate for people
under 50)". Here, for a factor with two sides (gender: ``m`` vs ``f``; racial:
white vs non-white; age: 20-49 vs 50+), the bias of a metric is

    mean over the 4 pairs of categories equal in the other two factors of
    (metric on the first side) - (metric on the second side)

so a positive gender bias means a higher value for men, a positive racial
bias a higher value for white people, a positive age bias a higher value for
adults under 50 (for accuracy: more accurate; for RMSE or MAE: larger
errors). Only faces aged 20 or more with known gender (and race) enter the
categories; children and teenagers are reported apart. A pair with an empty
category is left out of the mean; without race labels the categories are
gender x age and there is no racial bias; without age labels they are gender
x race over faces of every (unknown) age, and there is no age bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .groups import ADULT, NON_WHITE, SENIOR, WHITE
from .metrics import score_table, scores


@dataclass(frozen=True)
class BiasFactor:
    """A two-sided factor: bias = metric on ``first`` - metric on ``second``."""

    name: str
    column: str
    first: str
    second: str


GENDER = BiasFactor("gender", "gender", "m", "f")
RACE = BiasFactor("racial", "race_group", WHITE, NON_WHITE)
AGE = BiasFactor("age", "age_group", ADULT, SENIOR)
BIAS_FACTORS = (GENDER, RACE, AGE)


@dataclass(frozen=True)
class PaperMetric:
    """A row of the paper-style table: a :func:`~.metrics.score_table` column, shown x ``scale``."""

    label: str
    column: str
    scale: float = 1.0


PAPER_METRICS = (
    PaperMetric("gender accuracy (%)", "accuracy", 100.0),
    PaperMetric("gender coverage (%)", "coverage", 100.0),
    PaperMetric("age RMSE (years)", "age_rmse"),
    PaperMetric("age MAE (years)", "age_mae"),
    PaperMetric("age mean error (years)", "age_mean_error"),
)


def factors_for(faces: pd.DataFrame) -> tuple[BiasFactor, ...]:
    """The bias factors the data set allows (no racial factor without race labels)."""
    return tuple(f for f in BIAS_FACTORS if faces[f.column].notna().any())


def in_categories(faces: pd.DataFrame, factors: tuple[BiasFactor, ...]) -> pd.DataFrame:
    """The faces that belong to one of the categories (a known side of every factor)."""
    keep = np.ones(len(faces), dtype=bool)
    for f in factors:
        keep &= faces[f.column].isin([f.first, f.second]).to_numpy()
    return faces[keep]


def category_table(faces: pd.DataFrame, factors: tuple[BiasFactor, ...]) -> pd.DataFrame:
    """Scores of each category (every combination of the factors' sides, empty ones included)."""
    selected = in_categories(faces, factors).copy()
    for f in factors:
        selected[f.column] = pd.Categorical(selected[f.column].astype("object"), categories=[f.first, f.second])
    return score_table(selected, [f.column for f in factors])


def bias(categories: pd.DataFrame, factor: BiasFactor, factors: tuple[BiasFactor, ...], metric: str) -> float:
    """Mean over matched category pairs of ``metric`` on ``factor.first`` minus on ``factor.second``."""
    if factor not in factors:
        return np.nan
    others = [f.column for f in factors if f is not factor]
    first = categories[categories[factor.column] == factor.first]
    second = categories[categories[factor.column] == factor.second]
    if others:
        first, second = first.set_index(others), second.set_index(others)
        diff = first[metric] - second[metric].reindex(first.index)
    else:
        diff = pd.Series(first[metric].to_numpy() - second[metric].to_numpy())
    diff = diff.dropna()
    return float(diff.mean()) if len(diff) else np.nan


def paper_table(faces: pd.DataFrame) -> pd.DataFrame:
    """The paper-style summary: each metric on all faces, on faces in the categories
    (adults 20+; missing without age labels), its mean over the categories, and its
    gender, racial and age biases."""
    factors = factors_for(faces)
    categories = category_table(faces, factors)
    everyone, adults = scores(faces), scores(in_categories(faces, factors))
    if AGE not in factors:
        adults = adults * np.nan  # no age labels: adults cannot be told apart
    rows = []
    for m in PAPER_METRICS:
        rows.append(
            {
                "metric": m.label,
                "all_faces": everyone[m.column] * m.scale,
                "adults_20plus": adults[m.column] * m.scale,
                "category_mean": categories[m.column].mean() * m.scale,
                **{f"{f.name}_bias": bias(categories, f, factors, m.column) * m.scale for f in BIAS_FACTORS},
            }
        )
    return pd.DataFrame(rows)
