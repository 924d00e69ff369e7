"""Demographic groups: age groups (children and teenagers apart) and white / non-white.

The age groups follow the original paper's bias definition, "adults from 20
to 50 vs adults over 50", cut where FairFace's age bins allow it: 20-49 and
50+. Children (under 13) and teenagers (13-19) are reported on their own,
never mixed into the bias categories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .metrics import SCORE_COLUMNS, score_table
from .races import RACES, WHITE, race_name

CHILD, TEEN, ADULT, SENIOR = "<13", "13-19", "20-49", "50+"
AGE_GROUPS = (CHILD, TEEN, ADULT, SENIOR)
AGE_EDGES = (0, 13, 20, 50, np.inf)  # left-closed: [0, 13), [13, 20), [20, 50), [50, inf)
NON_WHITE = "non-white"
GENDERS = ("m", "f")


def age_groups(age: pd.Series) -> pd.Series:
    """The age group of each age in years (missing where the age is)."""
    return pd.cut(age, bins=list(AGE_EDGES), right=False, labels=list(AGE_GROUPS))


def race_groups(race: pd.Series) -> pd.Series:
    """``white`` or ``non-white`` for each race label of a known spelling (see
    :func:`~.races.race_name`); missing where the label is missing or not known."""
    labels = race.map(lambda r: race_name(r) if isinstance(r, str) else None)
    grouped = np.where(labels == WHITE, WHITE, NON_WHITE)
    known = labels.isin(RACES).to_numpy()
    return pd.Series(pd.Categorical(grouped, categories=[WHITE, NON_WHITE]), index=race.index).where(known)


def with_groups(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with categorical ``gender``, ``age_group`` and ``race_group`` columns."""
    return df.assign(
        gender=pd.Categorical(df["gender"], categories=list(GENDERS)),
        age_group=age_groups(df["age"]),
        race_group=race_groups(df["race"]),
    )


GROUPINGS = (
    ("gender", ["gender"]),
    ("race", ["race"]),
    ("race group", ["race_group"]),
    ("age group", ["age_group"]),
    ("age group x gender", ["age_group", "gender"]),
)


def group_table(faces: pd.DataFrame) -> pd.DataFrame:
    """Scores per group of each :data:`GROUPINGS` entry (children and teenagers included).

    Columns ``grouping`` (e.g. ``age group x gender``), ``group`` (e.g. ``<13 / f``), then the scores.
    """
    parts = []
    for name, columns in GROUPINGS:
        if faces[columns].isna().all().any():
            continue
        table = score_table(faces, columns)
        label = table[columns].astype(str).agg(" / ".join, axis=1)
        parts.append(table.drop(columns=columns).assign(grouping=name, group=label.to_numpy()))
    out = pd.concat(parts, ignore_index=True)
    return out[["grouping", "group", *SCORE_COLUMNS]]
