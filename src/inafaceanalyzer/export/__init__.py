"""Exporters: plain functions taking a results table (or a saved results file) and a path.

CSV and the JSON sidecar load eagerly; the ASS, MP4, XLSX and Parquet exports
(and their libraries) load on first use::

    from inafaceanalyzer.export import export_ass, export_mp4, export_xlsx, write_parquet
    export_ass("out/clip.csv", "out/clip.ass")   # sidecar out/clip.json gives size and sampling
"""

from importlib import import_module

from ..results.load import read_csv
from ..results.sidecar import read_metadata, sidecar_path, write_metadata
from .csv import write_csv

_LAZY = {
    "export_ass": "ass",
    "export_mp4": "mp4",
    "export_xlsx": "xlsx",
    "write_parquet": "parquet",
    "read_parquet": "parquet",
    "read_parquet_metadata": "parquet",
    "load_results": "results",
}

__all__ = ["read_csv", "read_metadata", "sidecar_path", "write_csv", "write_metadata", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
