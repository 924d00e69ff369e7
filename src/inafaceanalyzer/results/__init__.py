"""The results format, owned here: the table's columns, the JSON sidecar, and reading results back.

Every engine writes it (:mod:`.columns`, :mod:`.sidecar`), every exporter, the report,
validation, live and campaigns read it (:mod:`.load`, :func:`~.sidecar.read_sidecar`)::

    from inafaceanalyzer.results import load_results, read_sidecar
    res = load_results("out/clip.csv")          # table + sidecar document
    side = read_sidecar(Path("out/clip.csv"))   # the sidecar, checked
"""

from .columns import (
    AVERAGE_COLUMNS,
    COLUMNS,
    DECISION_FUNCTIONS,
    DEFAULT_FPS,
    Column,
    frame_rate,
    output_columns,
    parse_bbox,
)
from .load import Results, ResultsLike, load_results, read_csv, read_parquet, read_parquet_metadata
from .sidecar import ENGINES, FORMAT, Sidecar, read_metadata, read_sidecar, sidecar_path, write_metadata
from .table import FrameResult, results_table

__all__ = [
    "AVERAGE_COLUMNS", "COLUMNS", "DECISION_FUNCTIONS", "DEFAULT_FPS", "ENGINES", "FORMAT", "Column", "FrameResult",
    "Results", "ResultsLike", "Sidecar", "frame_rate", "load_results", "output_columns", "parse_bbox", "read_csv",
    "read_metadata", "read_parquet", "read_parquet_metadata", "read_sidecar", "results_table", "sidecar_path",
    "write_metadata",
]
