"""Write an evaluation to a folder: one CSV per table, ``report.md``, PNG figures, provenance.

Every file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pandas as pd

from ..atomic import atomic_output
from ..errors import OutputError
from ..export import write_csv
from ..models import provenance
from . import plots
from .audit import Evaluation
from .markdown import render_report

TABLES = {
    "summary.csv": lambda ev: ev.paper,
    "categories.csv": lambda ev: ev.categories,
    "groups.csv": lambda ev: ev.groups,
    "confusion.csv": lambda ev: ev.confusion,
    "calibration.csv": lambda ev: ev.calibration,
    "abstention.csv": lambda ev: ev.tradeoff,
    "resolution.csv": lambda ev: ev.resolution,
    "counts.csv": lambda ev: pd.DataFrame(list(ev.counts.items()), columns=["what", "count"]),
    "predictions.csv": lambda ev: ev.predictions,
}
FIGURES = {
    "categories": lambda ev: plots.categories_figure(ev.categories),
    "age": lambda ev: plots.age_figure(ev.faces),
    "calibration": lambda ev: plots.reliability_figure(ev.calibration),
    "abstention": lambda ev: plots.tradeoff_figure(ev.tradeoff),
    "resolution": lambda ev: plots.resolution_figure(ev.resolution),
}


def write_report(ev: Evaluation, outdir: str | os.PathLike[str], figures: bool = True) -> list[Path]:
    """Write every table (CSV), the figures (PNG, unless ``figures`` is false), ``report.md``
    and ``provenance.json`` into ``outdir`` (created if needed); returns the paths written."""
    outdir = Path(outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{outdir}: cannot create the output directory: {exc.strerror or exc}") from exc
    written = [write_csv(table(ev), outdir / name) for name, table in TABLES.items()]
    drawn = {}
    if figures and not ev.faces.empty:
        for name, draw in FIGURES.items():
            if (name == "resolution" and ev.resolution.empty) or (name == "age" and not ev.has_age):
                continue
            plots.save_png(draw(ev), outdir / f"{name}.png")
            drawn[name] = f"{name}.png"
            written.append(outdir / drawn[name])
    written.append(_write_text(outdir / "report.md", render_report(ev, drawn)))
    record = {
        **provenance(),
        "dataset": ev.source,
        "config": dataclasses.asdict(ev.config),
        "counts": ev.counts,
        "classifier": ev.classifier,
    }
    written.append(_write_text(outdir / "provenance.json", json.dumps(record, indent=2, default=str) + "\n"))
    return written


def _write_text(path: Path, text: str) -> Path:
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
