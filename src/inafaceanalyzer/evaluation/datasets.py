"""Labelled face data sets: a folder of images with a CSV, or UTKFace-style file names.

Either form gives a :class:`LabeledDataset`: one row per face with ``path``
(absolute), ``gender`` (``m``/``f``, or missing), ``age`` (years, or NaN),
``race`` (a name of :data:`~.races.RACES`, another label as written, or
missing) and ``box`` (the face's ``(x1, y1, x2, y2)`` in the image when the
CSV has columns ``x1,y1,x2,y2``, else missing). Empty cells, ``NA`` and
``unknown`` mean not known.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DatasetError
from ..media.files import IMAGE_SUFFIXES
from .races import is_unknown, race_name, unrecognized_races

PathLike = str | os.PathLike[str]

REQUIRED_COLUMNS = ("path", "gender", "age")
BOX_COLUMNS = ("x1", "y1", "x2", "y2")
COLUMNS = ["path", "gender", "age", "race", "box"]
LABELS_CSV = "labels.csv"
GENDERS = {"m": "m", "male": "m", "man": "m", "f": "f", "female": "f", "woman": "f"}
UTKFACE_GENDERS = {"0": "m", "1": "f"}
UTKFACE_RACES = {"0": "white", "1": "black", "2": "asian", "3": "indian", "4": "others"}
UTKFACE_NAME = re.compile(r"^(\d+)_([01])_([0-4])_")


@dataclass(frozen=True)
class LabeledDataset:
    """Labelled faces: ``table`` columns ``path``, ``gender``, ``age``, ``race``, ``box``.

    ``source`` is the CSV or folder the labels were read from; ``problems``
    holds one line per entry that was skipped (file and reason).
    """

    source: Path
    table: pd.DataFrame
    problems: list[str] = field(default_factory=list)

    @property
    def has_race(self) -> bool:
        return bool(self.table["race"].notna().any())

    @property
    def has_age(self) -> bool:
        return bool(self.table["age"].notna().any())

    @property
    def unrecognized_races(self) -> dict[str, int]:
        """Race labels that are not a known spelling, with their counts."""
        return unrecognized_races(self.table["race"])

    def __len__(self) -> int:
        return len(self.table)


def load_dataset(dataset: PathLike, labels: PathLike | None = None) -> LabeledDataset:
    """Read a labelled data set.

    ``dataset`` is a labels CSV (image paths relative to its folder), or a
    folder: with ``labels`` given, that CSV is read with paths relative to the
    folder; else the folder's ``labels.csv`` if there is one; else the labels
    are read from UTKFace-style file names in the folder and its subfolders.
    Raises :class:`DatasetError` when nothing usable can be read.
    """
    dataset = Path(dataset)
    if not dataset.exists():
        raise DatasetError(f"{dataset}: no such file or directory")
    if dataset.is_file():
        if labels is not None:
            raise DatasetError(f"{dataset}: give a folder, not a file, together with a labels CSV")
        return read_labels_csv(dataset, dataset.parent)
    if labels is not None:
        return read_labels_csv(Path(labels), dataset)
    if (dataset / LABELS_CSV).is_file():
        return read_labels_csv(dataset / LABELS_CSV, dataset)
    return read_utkface_folder(dataset)


def read_labels_csv(csv_path: Path, root: Path) -> LabeledDataset:
    """A CSV with columns ``path,gender,age[,race][,x1,y1,x2,y2]``; relative paths are taken from ``root``.

    Empty, ``NA`` or ``unknown`` cells mean unknown; a face box needs its four columns. Rows with an unusable value are
    skipped and reported in ``problems``; missing columns raise :class:`DatasetError`.
    """
    try:
        raw = pd.read_csv(csv_path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError as exc:
        raise DatasetError(f"{csv_path}: no such file") from exc
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DatasetError(f"{csv_path}: cannot read the labels CSV: {' '.join(str(exc).split())}") from exc
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise DatasetError(
            f"{csv_path}: missing column(s) {', '.join(missing)} (found: {', '.join(raw.columns) or 'none'}; "
            f"expected path,gender,age[,race])"
        )
    rows, problems = [], []
    for line, rec in enumerate(raw.to_dict("records"), start=2):
        try:
            rows.append(_parse_row(rec, root))
        except ValueError as exc:
            problems.append(f"{csv_path}: line {line}: {exc}")
    return _dataset(csv_path, rows, problems)


def _parse_row(rec: dict[str, str], root: Path) -> tuple[str, object, float, object, object]:
    path = rec["path"].strip()
    if not path:
        raise ValueError("empty path")
    gender = "" if is_unknown(rec["gender"]) else rec["gender"].strip().lower()
    if gender and gender not in GENDERS:
        raise ValueError(f"gender {rec['gender']!r} is not one of m, f, male, female (or empty, NA, unknown)")
    age_text = "" if is_unknown(rec["age"]) else rec["age"].strip()
    try:
        age = float(age_text) if age_text else np.nan
    except ValueError:
        raise ValueError(f"age {age_text!r} is not a number of years") from None
    if not (np.isnan(age) or 0 <= age < 150):
        raise ValueError(f"age {age_text!r} is out of range")
    return str(root / path), GENDERS.get(gender), age, race_name(rec.get("race", "")), _parse_box(rec)


def _parse_box(rec: dict[str, str]) -> tuple[float, float, float, float] | None:
    cells = ["" if is_unknown(rec.get(c, "")) else rec[c].strip() for c in BOX_COLUMNS]
    if not any(cells):
        return None
    try:
        x1, y1, x2, y2 = (float(c) for c in cells)
    except ValueError:
        raise ValueError(f"face box {','.join(cells)!r} is not four numbers x1,y1,x2,y2") from None
    if not (x2 > x1 and y2 > y1):
        raise ValueError(f"face box {','.join(cells)!r} is empty (x2 <= x1 or y2 <= y1)")
    return x1, y1, x2, y2


def parse_utkface_name(name: str) -> tuple[float, str, str]:
    """``(age, gender, race)`` from a UTKFace file name ``[age]_[gender]_[race]_[datetime].jpg``.

    UTKFace codes gender 0 = male, 1 = female, and race 0 to 4 = white, black,
    asian, indian, others. Raises :class:`ValueError` for other names.
    """
    match = UTKFACE_NAME.match(name)
    if match is None:
        raise ValueError("file name is not [age]_[gender 0/1]_[race 0-4]_[date].jpg")
    age, gender, race = match.groups()
    return float(age), UTKFACE_GENDERS[gender], UTKFACE_RACES[race]


def read_utkface_folder(folder: Path) -> LabeledDataset:
    """Every image under ``folder`` whose name carries UTKFace labels; others are reported."""
    rows, problems = [], []
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()):
        try:
            age, gender, race = parse_utkface_name(path.name)
        except ValueError as exc:
            problems.append(f"{path}: {exc}")
            continue
        rows.append((str(path), gender, age, race, None))
    if not rows and not problems:
        raise DatasetError(f"{folder}: no {LABELS_CSV} and no images with UTKFace-style names")
    return _dataset(folder, rows, problems)


def _dataset(source: Path, rows: list[tuple], problems: list[str]) -> LabeledDataset:
    if not rows:
        first = f"; first: {problems[0]}" if problems else ""
        raise DatasetError(f"{source}: no usable labelled face ({len(problems)} entries skipped{first})")
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["age"] = table["age"].astype(np.float64)
    return LabeledDataset(source, table, problems)
