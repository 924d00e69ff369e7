"""The JSON sidecar written next to a video's results (old import path; see :mod:`inafaceanalyzer.results.sidecar`)."""

from ..results.sidecar import read_metadata, sidecar_path, write_metadata

__all__ = ["read_metadata", "sidecar_path", "write_metadata"]
