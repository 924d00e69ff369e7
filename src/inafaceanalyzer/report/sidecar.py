"""The sidecar ``X.json`` next to a results table ``X.csv`` (old import path; see :mod:`inafaceanalyzer.results.sidecar`)."""

from ..errors import SidecarError
from ..results.sidecar import ENGINES, FORMAT, Sidecar, read_sidecar, sidecar_path

__all__ = ["ENGINES", "FORMAT", "Sidecar", "SidecarError", "read_sidecar", "sidecar_path"]
