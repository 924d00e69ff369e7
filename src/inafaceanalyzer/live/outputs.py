"""What a live analysis writes as it goes, and how it is finished.

* ``<name>.partial.csv``: the results CSV grown as frames are analysed (the
  rows of each frame appended and flushed at once), so that a crash keeps
  every row analysed until then. It is the only file written in place, and
  its name says it is unfinished.
* When the run ends (end of stream, stop, Ctrl-C, lost source), ``<name>.csv``
  is written from it, finished by the engine (its per-track ``*_avg``
  columns and abstention rule: ``VideoTracking.finish``), atomically,
  and the partial file is removed; the sidecar ``<name>.json`` and, when
  asked, the annotated ``<name>.mp4`` are finished the same way. A finished
  name therefore always holds a complete file; after a hard crash only the
  partial CSV is left, with the same columns less the averages
  (``average_results(read_csv(path))`` adds them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import OutputError
from ..export.csv import write_csv
from ..results.columns import DEFAULT_FPS
from ..results.sidecar import sidecar_path, write_metadata
from ..results.table import FrameResult, results_table
from ..tracking.smoothing import average_results

PARTIAL_SUFFIX = ".partial.csv"
# floats read back exactly as written (pandas >= 3 does it by default and deprecates the option)
_EXACT_FLOATS = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


def output_paths(outdir: str | os.PathLike[str], name: str) -> dict[str, Path]:
    """The files of a live run named ``name`` in ``outdir``: ``csv``, ``partial``, ``json``, ``mp4``."""
    base = Path(outdir) / name
    return {"csv": base.with_name(f"{name}.csv"), "partial": base.with_name(f"{name}{PARTIAL_SUFFIX}"),
            "json": sidecar_path(base.with_name(f"{name}.csv")), "mp4": base.with_name(f"{name}.mp4")}


class LiveOutputs:
    """The files of one live run in ``outdir``: the growing CSV, then the finished outputs.

    Refuses to start over a partial CSV left by an unfinished run (its rows
    would be lost). ``mp4``: also record the annotated frames (see
    :class:`~inafaceanalyzer.export.mp4.FrameRecorder`), at the nominal
    ``rate``.
    """

    def __init__(self, outdir: str | os.PathLike[str], name: str, columns: list[str], mp4: bool = False,
                 rate: float = DEFAULT_FPS) -> None:
        self.paths = output_paths(outdir, name)
        self.columns = columns
        self.rows = 0
        partial = self.paths["partial"]
        try:
            self._csv = open(partial, "x", encoding="utf-8", newline="")
        except FileExistsError:
            raise OutputError(f"{partial}: exists, left by a run that did not finish: move it away "
                              f"(its rows are a results CSV without the *_avg columns)") from None
        except OSError as exc:
            raise OutputError(f"{partial}: cannot write: {exc.strerror or exc}") from exc
        pd.DataFrame(columns=columns).to_csv(self._csv, index=False)
        self._csv.flush()
        self.recorder = None
        if mp4:
            from ..export.mp4 import FrameRecorder

            try:
                self.recorder = FrameRecorder(self.paths["mp4"], rate=rate)
            except BaseException:
                self._csv.close()
                partial.unlink(missing_ok=True)
                raise

    def add(self, result: FrameResult, annotated: np.ndarray | None = None) -> None:
        """Append a frame's rows (flushed at once) and record its annotated picture."""
        if result.rows:
            try:
                result.table().to_csv(self._csv, header=False, index=False)
                self._csv.flush()
            except OSError as exc:
                raise OutputError(f"{self.paths['partial']}: cannot write: {exc.strerror or exc}") from exc
            self.rows += len(result.rows)
        if self.recorder is not None and annotated is not None and result.time is not None:
            self.recorder.write(annotated, result.time)

    def finish(self, metadata: Callable[[pd.DataFrame], dict] | None = None,
               finish_table: Callable[[pd.DataFrame], pd.DataFrame] = average_results) -> pd.DataFrame:
        """Write the finished outputs and remove the partial CSV; return the final table.

        ``finish_table``: the engine's end-of-stream step applied to the rows
        written (a live session passes its engine's ``finish``). The MP4 is
        finished first (a recorder that got no frame writes none), then the
        sidecar (``metadata(table)``), then the CSV, so that a CSV never
        lacks its sidecar.
        """
        self._csv.close()
        try:
            if self.recorder is not None:
                self.recorder.close()
        finally:
            table = finish_table(read_partial(self.paths["partial"], self.columns))
            if metadata is not None:
                write_metadata(metadata(table), self.paths["json"])
            write_csv(table, self.paths["csv"])
            self.paths["partial"].unlink(missing_ok=True)
        return table

    def finished_files(self) -> list[Path]:
        return [p for key, p in self.paths.items() if key != "partial" and p.is_file()]


def read_partial(path: Path, columns: list[str]) -> pd.DataFrame:
    """A partial live CSV read back exactly (``bbox`` kept as written), as it was written."""
    try:
        table = pd.read_csv(path, **_EXACT_FLOATS)
    except pd.errors.EmptyDataError:
        table = pd.DataFrame()
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: cannot read back the rows written: {exc}") from exc
    if table.empty:
        table = results_table([], columns)
    return table
