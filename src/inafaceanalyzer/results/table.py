"""A results table built from rows: one analysed frame (:class:`FrameResult`) or many (:func:`results_table`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..types import Frame
from .columns import empty_dtype


@dataclass(frozen=True, slots=True)
class FrameResult:
    """One analysed frame and the rows of its faces, once they are classified.

    ``rows`` are tuples in the order of ``columns`` (the table's columns, see
    :func:`~inafaceanalyzer.results.columns.output_columns`); a frame without faces has none.
    ``frame`` is the frame itself (pixels included) when the stream was asked to keep frames
    (``flush_every_frame``), ``None`` otherwise.
    """

    index: int | str
    time: float | None
    rows: list[tuple]
    columns: list[str]
    frame: Frame | None = None

    def table(self) -> pd.DataFrame:
        """The rows as a results table (see :func:`results_table`)."""
        return results_table(self.rows, self.columns)


def results_table(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """Rows of :class:`FrameResult` s gathered into a results table with ``columns``."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=empty_dtype(c)) for c in columns})
    df = pd.DataFrame(rows, columns=columns)
    if "face_id" in df.columns:
        df["face_id"] = df["face_id"].astype("int64")
    return df
