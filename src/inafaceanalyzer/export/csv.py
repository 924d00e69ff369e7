"""CSV results, as the original wrote them: ``bbox`` as ``"(x1, y1, x2, y2)"``.

Reading them back is :func:`inafaceanalyzer.results.load.read_csv` (also importable from here).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..atomic import atomic_output
from ..results.columns import parse_bbox
from ..results.load import read_csv

__all__ = ["parse_bbox", "read_csv", "write_csv"]


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a results table to ``path`` atomically (temporary file, then rename)."""
    with atomic_output(path) as tmp:
        df.to_csv(tmp, index=False)
    return Path(path)
