"""An engine's frame-by-frame results: what the file engines gather and live analysis consumes.

:meth:`~inafaceanalyzer.engines.analyzers.FaceAnalyzer.stream` returns a
:class:`FaceStream`: the frames' :class:`~inafaceanalyzer.engines.pipeline.FrameResult`
s, in order, with every per-row rule of the engine already applied (the
abstention rule's ``u``), and the counts of the faces left out so far
(:class:`~inafaceanalyzer.engines.leftout.LeftOut`). The end-of-stream step (the
tracking engine's per-track averages, abstention on them) is the engine's
:meth:`~inafaceanalyzer.engines.analyzers.FaceAnalyzer.finish`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from .leftout import LeftOut
from ..results.table import FrameResult, results_table


@dataclass
class FaceStream:
    """Iterate it for the frames' results; ``left_out`` grows as it goes. Close it (or use ``with``)
    when stopping early, so that the frames read ahead are released before the source is closed."""

    results: Iterator[FrameResult]
    columns: list[str]
    left_out: LeftOut

    def __iter__(self) -> Iterator[FrameResult]:
        return self.results

    def close(self) -> None:
        close = getattr(self.results, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> FaceStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def gather(self) -> pd.DataFrame:
        """Every remaining frame's rows as one results table (not finished: see ``finish``)."""
        with self:
            rows = [row for result in self.results for row in result.rows]
        return results_table(rows, self.columns)
