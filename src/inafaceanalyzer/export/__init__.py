"""Exporters: plain functions taking a results table and a path."""

from .csv import read_csv, write_csv
from .metadata import read_metadata, sidecar_path, write_metadata

__all__ = ["read_csv", "read_metadata", "sidecar_path", "write_csv", "write_metadata"]
