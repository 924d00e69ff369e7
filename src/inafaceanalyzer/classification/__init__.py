"""Face classification: face alignment (:mod:`.alignment`), the dlib gender/age classifier
(:mod:`.dlib`, re-exported here: ``inafaceanalyzer.classification`` was that module) and the
abstention rule (:mod:`.abstention`). The other classifiers, by name, are in
:mod:`inafaceanalyzer.classifiers`.
"""

from __future__ import annotations

from .dlib import OUTPUT_COLUMNS, PROBABILITY_FLOOR, GenderAgeClassifier, decfunc2labels, sex_labels

__all__ = ["OUTPUT_COLUMNS", "PROBABILITY_FLOOR", "GenderAgeClassifier", "decfunc2labels", "sex_labels"]
