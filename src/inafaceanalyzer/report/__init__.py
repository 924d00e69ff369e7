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

from .build import CSV_NAMES, HTML_NAME, ReportError, ReportResult, build_report
from .inputs import InputProblem, Inputs, ResultFile, discover_inputs
from .options import AgeBrackets, ReportOptions
from .tables import ReportTables

__all__ = [
    "AgeBrackets",
    "CSV_NAMES",
    "HTML_NAME",
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
