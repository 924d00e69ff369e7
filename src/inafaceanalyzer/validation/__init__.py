"""Human validation of a sample of results, and estimates corrected for the classifier's errors.

    from inafaceanalyzer.validation import SampleOptions, draw_sample, score_sample
    draw_sample(["results/"], "validation", SampleOptions(n=400))   # then label annotate.html
    result = score_sample(["validation", "validation/labels.csv"])
    result.tables["corrected"]   # share of women, uncorrected and corrected, with intervals

Modules, one job each: ``population`` (the items: face rows or tracked people, read as the
report reads results), ``sampling`` (stratified draw, inclusion probabilities), ``thumbnails``
(face crops with context from the videos or photos), ``page`` (``annotate.html``), ``sample``
(``draw_sample``), ``labels`` (labels files, consensus), ``agreement`` (classifier vs people,
people vs people), ``correction`` (the estimator), ``score`` (``score_sample``,
``load_validation``), ``corrected`` (the report's corrected section), ``simulation``
(simulated studies).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_LAZY = {
    "SampleOptions": "sample", "SampleResult": "sample", "draw_sample": "sample",
    "ScoreResult": "score", "Validation": "score", "load_validation": "score", "score_sample": "score",
}

if TYPE_CHECKING:
    from .sample import SampleOptions, SampleResult, draw_sample
    from .score import ScoreResult, Validation, load_validation, score_sample


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SampleOptions", "SampleResult", "ScoreResult", "Validation", "draw_sample", "load_validation",
           "score_sample"]
