"""Race labels: the spellings of UTKFace, FairFace and common variants, mapped to one name each.

UTKFace codes race as white, black, asian, indian, others; FairFace labels are
White, Black, Latino_Hispanic, East Asian, Southeast Asian, Indian, Middle
Eastern. Each known spelling (``Caucasian``, ``African American``,
``latino/hispanic`` ...) is mapped to a name of :data:`RACES`; the racial bias
factor is then ``white`` against every other known name. Labels not known
here are kept as written but left out of the racial factor, and listed.
"""

from __future__ import annotations

import re

import pandas as pd

WHITE = "white"
RACES = (WHITE, "black", "asian", "east asian", "southeast asian", "indian", "latino hispanic", "middle eastern",
         "others")
"""The names race labels are mapped to."""

SPELLINGS = {
    "caucasian": WHITE, "european": WHITE,
    "african": "black", "african american": "black", "afro american": "black",
    "south east asian": "southeast asian",
    "south asian": "indian",
    "latino": "latino hispanic", "hispanic": "latino hispanic", "latina": "latino hispanic",
    "latinx": "latino hispanic", "hispanic latino": "latino hispanic",
    "middle east": "middle eastern", "arab": "middle eastern",
    "other": "others", "mixed": "others", "multiracial": "others",
}
"""Known spellings (after :func:`normalize`) other than the names themselves."""

UNKNOWN_VALUES = frozenset({"", "na", "n a", "nan", "none", "null", "unknown"})
"""Cell values read as "not known" (after :func:`normalize`), in any labels column."""


def normalize(text: str) -> str:
    """Lower case, ``_``, ``/`` and ``-`` between words as spaces, spaces collapsed."""
    return " ".join(re.sub(r"(?<=\w)[_/-](?=\w)", " ", text.strip().lower()).split())


def is_unknown(text: str) -> bool:
    """Whether a labels cell means "not known" (empty, ``NA``, ``unknown`` ...)."""
    return normalize(text) in UNKNOWN_VALUES


def race_name(text: str) -> str | None:
    """The name of a race label (``None`` when unknown); labels not known here come back normalised."""
    label = normalize(text)
    if label in UNKNOWN_VALUES:
        return None
    return SPELLINGS.get(label, label)


def unrecognized_races(race: pd.Series) -> dict[str, int]:
    """Labels of ``race`` that are not in :data:`RACES`, with their counts (most frequent first)."""
    known = race.dropna()
    return {str(k): int(v) for k, v in known[~known.isin(RACES)].value_counts().items()}
