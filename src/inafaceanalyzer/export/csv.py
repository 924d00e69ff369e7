"""CSV results, as the original wrote them: ``bbox`` as ``"(x1, y1, x2, y2)"``."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..atomic import atomic_output


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a results table to ``path`` atomically (temporary file, then rename)."""
    with atomic_output(path) as tmp:
        df.to_csv(tmp, index=False)
    return Path(path)


def parse_bbox(value: object) -> tuple[int, int, int, int]:
    """``"(x1, y1, x2, y2)"`` (or a tuple) as a tuple of 4 integers."""
    if isinstance(value, tuple):
        return value  # type: ignore[return-value]
    parts = str(value).strip().strip("()[]").split(",")
    if len(parts) != 4:
        raise ValueError(f"a bbox needs 4 numbers, got {value!r}")
    return tuple(int(round(float(p))) for p in parts)  # type: ignore[return-value]


def read_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a results CSV back, with ``bbox`` as tuples of integers."""
    df = pd.read_csv(path)
    if "bbox" in df.columns:
        df["bbox"] = [parse_bbox(v) for v in df["bbox"]]
    return df
