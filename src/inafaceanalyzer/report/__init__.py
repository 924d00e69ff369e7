"""Representation report: screen time and people by gender and age, with uncertainty.

    from inafaceanalyzer.report import ReportOptions, build_report
    result = build_report(["results/"], "report-out", ReportOptions(fps=1))
    result.html            # report-out/report.html, one self-contained file
    result.tables.summary  # the whole-set figures (pandas)

Modules, one job each: ``inputs`` (find results tables, campaign job lists), ``sidecar``
(the analysis' ``X.json``), ``sampling`` (seconds each analysed frame stands for),
``load`` (DuckDB reads the files), ``aggregate`` (SQL), ``bootstrap`` (block bootstrap),
``tables`` (final tables), ``plots`` (PNG figures), ``html`` (rendering), ``build``
(``build_report``), ``browser`` (open a report in headless Chromium: console errors,
figures, screenshot).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .options import CSV_NAMES, HTML_NAME, AgeBrackets, ReportOptions

# The rest is imported on first use (PEP 562): DuckDB, matplotlib and pandas take a second to
# import, which `ina_face_analyzer_report -h` and argument errors should not wait for.
_LAZY = {
    "ReportError": "build", "ReportResult": "build",
    "build_report": "build", "InputProblem": "inputs", "Inputs": "inputs", "ResultFile": "inputs",
    "discover_inputs": "inputs", "ReportTables": "tables",
}

if TYPE_CHECKING:
    from .build import ReportError, ReportResult, build_report
    from .inputs import InputProblem, Inputs, ResultFile, discover_inputs
    from .tables import ReportTables


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CSV_NAMES",
    "HTML_NAME",
    "AgeBrackets",
    "InputProblem",
    "Inputs",
    "ReportError",
    "ReportOptions",
    "ReportResult",
    "ReportTables",
    "ResultFile",
    "build_report",
    "discover_inputs",
]
