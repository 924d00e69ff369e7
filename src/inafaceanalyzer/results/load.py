"""Results read back: a DataFrame, or a saved CSV or Parquet file with its sidecar document.

CSV holds ``bbox`` as ``"(x1, y1, x2, y2)"``; Parquet as ``fixed_size_list<int32>[4]`` with the
sidecar document embedded under the schema metadata key ``inafaceanalyzer``
(:data:`PARQUET_METADATA_KEY`). Both are read back with ``bbox`` as tuples of ints.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

from ..errors import ResultsError, SidecarError
from .columns import parse_bbox
from .sidecar import read_metadata, sidecar_path, validate

ResultsLike: TypeAlias = pd.DataFrame | str | os.PathLike[str]
PARQUET_METADATA_KEY = b"inafaceanalyzer"


@dataclass
class Results:
    """A results table, its sidecar document (``None`` when unknown) and what to call it in errors."""

    table: pd.DataFrame
    metadata: dict | None
    name: str

    def require(self, columns: Iterable[str], export: str) -> None:
        """Raise :class:`ResultsError` naming the columns ``export`` needs and the table lacks."""
        missing = [c for c in columns if c not in self.table.columns]
        if missing:
            raise ResultsError(self.name, f"the {export} export needs the column(s) {', '.join(missing)}")

    def source(self, given: str | os.PathLike[str] | None, export: str) -> str:
        """The analysed file: ``given``, else the sidecar's ``source``."""
        if given is not None:
            return os.fspath(given)
        source = (self.metadata or {}).get("source")
        if not source:
            raise ResultsError(self.name, f"the {export} export needs the source video (no sidecar names it)")
        return str(source)

    def option(self, key: str, default: Any = None) -> Any:
        """An analysis option recorded in the sidecar (``fps``, ``offset``...)."""
        return ((self.metadata or {}).get("options") or {}).get(key, default)

    def video(self, key: str, default: Any = None) -> Any:
        """A property of the analysed video recorded in the sidecar (``fps``, ``width``...)."""
        return ((self.metadata or {}).get("video") or {}).get(key, default)

    def analysis(self, key: str, default: Any = None) -> Any:
        """A figure of the analysis recorded in the sidecar (``frame_interval_s``, ``frames_analysed``...)."""
        return ((self.metadata or {}).get("analysis") or {}).get(key, default)

    @property
    def engine(self) -> str | None:
        """The engine the sidecar names, ``None`` when unknown."""
        return (self.metadata or {}).get("engine")


def read_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a results CSV back, with ``bbox`` as tuples of integers."""
    df = pd.read_csv(path)
    if "bbox" in df.columns:
        df["bbox"] = [parse_bbox(v) for v in df["bbox"]]
    return df


def read_parquet(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A results table written by :func:`~inafaceanalyzer.export.parquet.write_parquet`, ``bbox`` as tuples."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        df = pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise ResultsError(path, f"cannot read Parquet: {exc}") from exc
    if "bbox" in df.columns:
        df["bbox"] = pd.Series([tuple(int(v) for v in b) for b in df["bbox"]], index=df.index, dtype=object)
    return df


def read_parquet_metadata(path: str | os.PathLike[str]) -> dict | None:
    """The sidecar document embedded in a results Parquet file, or ``None``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException) as exc:
        raise ResultsError(path, f"cannot read Parquet: {exc}") from exc
    raw = meta.get(PARQUET_METADATA_KEY)
    return json.loads(raw) if raw else None


def load_results(results: ResultsLike, metadata: dict | None = None) -> Results:
    """``results`` as a :class:`Results`: a DataFrame as is, or a ``.csv``/``.parquet`` file read back.

    For a file, ``metadata`` defaults to its JSON sidecar (``<name>.json``),
    or for Parquet to the document embedded in the file. A sidecar read from a file is checked
    (:func:`~.sidecar.validate`; a Parquet file's embedded document when it names its format):
    an unusable one raises :class:`ResultsError`.
    """
    if isinstance(results, pd.DataFrame):
        return Results(results, metadata, "results table")
    path = Path(results)
    if not path.is_file():
        raise ResultsError(path, "no such results file")
    try:
        given = metadata is not None
        if path.suffix.lower() == ".parquet":
            table = read_parquet(path)
            if not given:
                metadata = read_parquet_metadata(path)
                if metadata is not None and "format" in metadata:  # photo collections embedded one without it until now
                    validate(metadata, path)
        else:
            table = read_csv(path)
        if metadata is None and not given:
            metadata = read_metadata(path)
            if metadata is not None:
                validate(metadata, sidecar_path(path))
    except SidecarError as exc:
        raise ResultsError(path, f"unusable sidecar: {exc}") from exc
    except ResultsError:
        raise
    except (OSError, ValueError) as exc:
        raise ResultsError(path, f"cannot read results: {exc}") from exc
    return Results(table, metadata, str(path))
