"""Results tables handed to the exports (old import path; see :mod:`inafaceanalyzer.results.load`)."""

from ..results.load import Results, ResultsLike, load_results

__all__ = ["Results", "ResultsLike", "load_results"]
