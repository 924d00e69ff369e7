"""People's labels of a validation sample: ``labels.csv`` files, one per annotator, and their
consensus.

A labels file has the columns ``sample_id,gender,age_bracket,annotator`` (as saved by
``annotate.html``): ``gender`` is ``f``, ``m``, ``u`` (can't tell) or ``x`` (not a face);
``age_bracket`` one of the sample's bracket names, or empty (can't tell). Where several
annotators labelled an item, each of their answers counts for ``1/k`` of it (the consensus is
a distribution, not a vote that would hide disagreement).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..report.inputs import InputProblem

GENDERS = ("f", "m", "u", "x")
NO_AGE = "unknown"  # age can't be told (or not a face)


@dataclass
class Labels:
    """All answers (``sample_id``, ``gender``, ``age_bracket``, ``annotator``) and the files' problems."""

    answers: pd.DataFrame
    problems: list[InputProblem] = field(default_factory=list)

    @property
    def annotators(self) -> list[str]:
        return sorted(self.answers["annotator"].unique())

    def consensus(self, sample_ids: Sequence[str], categories: Sequence[str], column: str) -> np.ndarray:
        """(items x categories) share of each item's answers in each category; rows of items
        nobody labelled are all 0."""
        index = {s: i for i, s in enumerate(sample_ids)}
        cat = {c: j for j, c in enumerate(categories)}
        out = np.zeros((len(sample_ids), len(categories)))
        a = self.answers
        rows = a["sample_id"].map(index).to_numpy()
        cols = a[column].map(cat).to_numpy()
        k = a.groupby("sample_id")["sample_id"].transform("size").to_numpy(float)
        ok = ~(pd.isna(rows) | pd.isna(cols))
        np.add.at(out, (rows[ok].astype(int), cols[ok].astype(int)), 1.0 / k[ok])
        return out


def read_labels(paths: Iterable[str | os.PathLike[str]], sample_ids: Sequence[str],
                brackets: Sequence[str]) -> Labels:
    """Read labels files; a file that cannot be used is a problem (one line), the others are read.

    Rows of sample ids that are not in the sample are refused (a labels file of another sample);
    the same annotator labelling an item twice keeps the last answer."""
    known = set(sample_ids)
    allowed_age = set(brackets) | {""}
    parts, problems = [], []
    for p in paths:
        path = Path(p)
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            problems.append(InputProblem(str(path), f"cannot read labels: {' '.join(str(exc).split())[:200]}"))
            continue
        df.columns = [c.strip() for c in df.columns]
        missing = [c for c in ("sample_id", "gender") if c not in df.columns]
        if missing:
            problems.append(InputProblem(str(path), f"not a labels file: no {', '.join(missing)} column"))
            continue
        df = df.assign(
            sample_id=df["sample_id"].str.strip(), gender=df["gender"].str.strip().str.lower(),
            age_bracket=(df["age_bracket"].str.strip() if "age_bracket" in df else ""),
            annotator=(df["annotator"].str.strip() if "annotator" in df else ""))
        df["annotator"] = df["annotator"].where(df["annotator"] != "", path.stem)
        bad_g = ~df["gender"].isin(GENDERS)
        bad_a = ~df["age_bracket"].isin(allowed_age)
        foreign = ~df["sample_id"].isin(known)
        if foreign.all() and len(df):
            problems.append(InputProblem(str(path), "none of its sample ids is in this sample (labels of another "
                                                    "sample?)"))
            continue
        for mask, what in ((bad_g, "gender not one of f, m, u, x"), (bad_a, "unknown age bracket"),
                           (foreign, "sample id not in the sample")):
            if mask.any():
                line = int(np.flatnonzero(mask.to_numpy())[0]) + 2
                problems.append(InputProblem(str(path), f"{int(mask.sum())} row(s) ignored, {what} "
                                                        f"(first: line {line})", "warning"))
        df = df[~(bad_g | bad_a | foreign)]
        df.loc[df["gender"] == "x", "age_bracket"] = ""
        parts.append(df[["sample_id", "gender", "age_bracket", "annotator"]])
    answers = (pd.concat(parts, ignore_index=True) if parts
               else pd.DataFrame(columns=["sample_id", "gender", "age_bracket", "annotator"]))
    answers = answers.drop_duplicates(["sample_id", "annotator"], keep="last")
    answers["age_bracket"] = answers["age_bracket"].where(answers["age_bracket"] != "", NO_AGE)
    answers.loc[answers["gender"] == "x", "age_bracket"] = "x"
    return Labels(answers.reset_index(drop=True), problems)
