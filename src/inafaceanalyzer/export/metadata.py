"""The JSON sidecar written next to a video's results: source, options, sampling, provenance.

``<name>.json`` beside ``<name>.csv`` tells readers (the report, campaigns)
how many frames were analysed and how long each stands for, which the table
alone cannot say (frames without faces have no row).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..atomic import atomic_output


def sidecar_path(results_path: str | os.PathLike[str]) -> Path:
    """``x/name.json`` for ``x/name.csv`` (or ``.parquet``)."""
    return Path(results_path).with_suffix(".json")


def write_metadata(document: dict, path: str | os.PathLike[str]) -> Path:
    """Write ``document`` as indented JSON, atomically."""
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    return Path(path)


def read_metadata(results_path: str | os.PathLike[str]) -> dict | None:
    """The sidecar of a results file, or ``None`` when there is none."""
    path = sidecar_path(results_path)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
