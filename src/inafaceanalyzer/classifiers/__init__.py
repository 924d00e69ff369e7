"""The gender and age classifiers, by name (``--classifier NAME``).

* ``dlib``: dlib's gender (32 px) and age (64 px) networks
  (:class:`~inafaceanalyzer.classification.GenderAgeClassifier`), the default;
* ``faceres``: HSE's MobileNet (224 px), converted by the project
  (:class:`~inafaceanalyzer.classifiers.faceres.FaceresClassifier`);
* ``ensemble``: both, weighted by predicted age
  (:class:`~inafaceanalyzer.classifiers.ensemble.EnsembleClassifier`);
* ``ensemble_int8``: the same with faceres quantized to int8, cheaper on the CPU
  (:class:`~inafaceanalyzer.classifiers.ensemble.EnsembleInt8Classifier`);
* ``ensemble_gated``: dlib, and the ensemble's answer only where dlib's gender is unsure
  (:class:`~inafaceanalyzer.classifiers.ensemble.GatedEnsembleClassifier`).

See docs/classifiers.md for their measured accuracy, biases and cost.
"""

from ..classification.dlib import GenderAgeClassifier
from .base import DecisionClassifier, FaceClassifier
from .ensemble import EnsembleClassifier, EnsembleInt8Classifier, GatedEnsembleClassifier
from .faceres import FaceresClassifier
from .registry import DEFAULT, create, names, register

register("dlib", GenderAgeClassifier)
register("faceres", FaceresClassifier)
register("ensemble", EnsembleClassifier)
register("ensemble_int8", EnsembleInt8Classifier)
register("ensemble_gated", GatedEnsembleClassifier)

__all__ = ["DEFAULT", "DecisionClassifier", "FaceClassifier", "create", "names", "register"]
