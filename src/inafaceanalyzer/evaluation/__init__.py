"""Evaluation and bias audit on labelled faces: accuracy, age error, and their biases.

    from inafaceanalyzer.evaluation import EvaluationConfig, evaluate, load_dataset, write_report
    ev = evaluate(load_dataset("faces/"), EvaluationConfig(faces="cropped"))
    write_report(ev, "audit/")

Modules, one job each: :mod:`.datasets` (labelled data), :mod:`.predict`
(running the engines), :mod:`.choice` (which of several faces), :mod:`.races`
(race label spellings), :mod:`.groups` (demographic groups), :mod:`.metrics`,
:mod:`.bias` (the paper's bias measures), :mod:`.calibration`,
:mod:`.tradeoff` (abstention), :mod:`.resolution`, :mod:`.audit` (all of it),
:mod:`.markdown`, :mod:`.plots` and :mod:`.report` (writing it out).
"""

from .audit import Evaluation, EvaluationConfig, evaluate
from .choice import FACE_CHOICES
from .datasets import LabeledDataset, load_dataset
from .predict import FACE_MODES
from .report import write_report
from .resolution import PAPER_RESOLUTIONS

__all__ = [
    "FACE_CHOICES",
    "FACE_MODES",
    "PAPER_RESOLUTIONS",
    "Evaluation",
    "EvaluationConfig",
    "LabeledDataset",
    "evaluate",
    "load_dataset",
    "write_report",
]
