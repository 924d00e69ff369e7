"""Results tables handed to the exports: a DataFrame, or a saved CSV or Parquet file with its sidecar."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

from ..errors import ResultsError

ResultsLike: TypeAlias = pd.DataFrame | str | os.PathLike[str]


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


def load_results(results: ResultsLike, metadata: dict | None = None) -> Results:
    """``results`` as a :class:`Results`: a DataFrame as is, or a ``.csv``/``.parquet`` file read back.

    For a file, ``metadata`` defaults to its JSON sidecar (``<name>.json``),
    or for Parquet to the document embedded in the file.
    """
    if isinstance(results, pd.DataFrame):
        return Results(results, metadata, "results table")
    path = Path(results)
    if not path.is_file():
        raise ResultsError(path, "no such results file")
    from .csv import read_csv
    from .metadata import read_metadata

    try:
        if path.suffix.lower() == ".parquet":
            from .parquet import read_parquet, read_parquet_metadata

            table = read_parquet(path)
            metadata = metadata if metadata is not None else read_parquet_metadata(path)
        else:
            table = read_csv(path)
        if metadata is None:
            metadata = read_metadata(path)
    except ResultsError:
        raise
    except (OSError, ValueError) as exc:
        raise ResultsError(path, f"cannot read results: {exc}") from exc
    return Results(table, metadata, str(path))
