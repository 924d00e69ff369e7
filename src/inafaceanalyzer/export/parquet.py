"""Results as Parquet, for large campaigns: typed, compressed, columnar, with the sidecar inside.

Layout: one row per face, the table's columns with their types (``frame``
int64 for videos, string for images; the scores float; labels string), and
``bbox`` as a fixed-size list of 4 int32 ``[x1, y1, x2, y2]``
(``fixed_size_list<int32>[4]``). The sidecar document (the JSON written next
to a CSV: source, options, sampling, provenance) is stored as JSON under the
schema metadata key ``inafaceanalyzer``. ``read_parquet`` (:mod:`inafaceanalyzer.results.load`) gives back a
DataFrame equal to the one written (``bbox`` as tuples of ints).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..atomic import atomic_output
from ..errors import ResultsError
from ..results.load import PARQUET_METADATA_KEY as METADATA_KEY
from ..results.load import ResultsLike, load_results, read_parquet, read_parquet_metadata

__all__ = ["COLUMNS", "METADATA_KEY", "read_parquet", "read_parquet_metadata", "write_parquet"]

COLUMNS = ("frame", "bbox")
"""Columns the Parquet export needs; every other column is written as it is."""


def write_parquet(results: ResultsLike, dest: str | os.PathLike[str], metadata: dict | None = None) -> Path:
    """Write ``results`` (a DataFrame, or a saved CSV and its sidecar) to ``dest`` atomically.

    ``metadata`` (default: the sidecar of a results file) is embedded in the
    file's schema metadata.
    """
    res = load_results(results, metadata)
    res.require(COLUMNS, "Parquet")
    df = res.table
    try:
        boxes = np.array([tuple(b) for b in df["bbox"]], dtype=np.int32).reshape(len(df), 4)
    except (TypeError, ValueError) as exc:
        raise ResultsError(res.name, f"bbox must hold 4 integers per row: {exc}") from exc
    bbox = pa.FixedSizeListArray.from_arrays(pa.array(boxes.ravel(), pa.int32()), 4)
    table = pa.Table.from_pandas(df.drop(columns=["bbox"]), preserve_index=False)
    table = table.add_column(list(df.columns).index("bbox"), pa.field("bbox", bbox.type), bbox)
    schema_metadata = dict(table.schema.metadata or {})
    if res.metadata is not None:
        schema_metadata[METADATA_KEY] = json.dumps(res.metadata, default=str).encode("utf-8")
    table = table.replace_schema_metadata(schema_metadata)
    with atomic_output(dest) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return Path(dest)
