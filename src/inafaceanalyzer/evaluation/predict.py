"""Run the analysis engines over a labelled data set: one prediction per labelled face.

Faces are either already cropped (the ``preprocessed_image`` engine: the whole
image is the face) or found by the face detector (the ``image`` engine; when
an image holds several faces, the largest is taken as the labelled one).
``auto`` detects first and falls back to the whole image where no face is
found, saying so in the ``face_source`` column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engines.analyzers import ImageAnalyzer, PreprocessedImageAnalyzer
from ..classifiers import FaceClassifier
from ..detection import FaceDetector
from ..errors import MediaError
from ..media.images import ErrorHandler
from ..progress import ProgressHook
from .choice import LARGEST, choose_faces, per_row
from .datasets import LabeledDataset

CROPPED, PHOTOS, AUTO = "cropped", "photos", "auto"
FACE_MODES = (AUTO, CROPPED, PHOTOS)
OK, NO_FACE, UNREADABLE = "ok", "no face", "unreadable"
WHOLE_IMAGE, DETECTED = "whole image", "detected"
RESULT_COLUMNS = ["bbox", "detect_conf", "sex_decfunc", "age_decfunc", "sex_label", "age_label"]


def predict(
    dataset: LabeledDataset,
    classifier: FaceClassifier,
    faces: str = AUTO,
    detector: FaceDetector | None = None,
    batch_len: int = 32,
    on_error: ErrorHandler | None = None,
    progress: ProgressHook | None = None,
    choice: str = LARGEST,
) -> pd.DataFrame:
    """The data set's table with, per face, the analysis results of its image.

    Added columns: ``status`` (``ok``, ``no face``, ``unreadable``),
    ``face_source`` (``whole image`` or ``detected``), ``faces_found`` (faces
    the detector found in the image; 0 for whole-image faces), then the
    results columns (``bbox`` ... ``age_label``; missing unless ``ok``).
    ``faces``: ``cropped``, ``photos`` or ``auto`` (see the module).
    ``detector`` is used by ``photos`` and ``auto``, ``choice`` (see
    :mod:`.choice`) picks a face among several. Unreadable images are
    passed to ``on_error`` and the others are still analysed; ``progress``
    counts images.
    """
    if faces not in FACE_MODES:
        raise ValueError(f"faces must be one of {', '.join(FACE_MODES)}, got {faces!r}")
    paths = list(dict.fromkeys(dataset.table["path"]))
    unreadable: set[str] = set()

    def failed(exc: MediaError) -> None:
        unreadable.add(exc.source)
        if on_error is not None:
            on_error(exc)

    def whole_images(image_paths: list[str], hook: ProgressHook | None) -> pd.DataFrame:
        rows = PreprocessedImageAnalyzer(classifier, batch_len)(image_paths, failed, hook)
        return rows.assign(face_source=WHOLE_IMAGE, faces_found=0)

    labels = dataset.table.reset_index(drop=True)
    if faces == CROPPED:
        found = per_row(labels, whole_images(paths, progress))
    else:
        detected = ImageAnalyzer(detector, classifier, batch_len)(paths, failed, progress)
        found = choose_faces(labels, detected, choice).assign(face_source=DETECTED)
        if faces == AUTO:
            missing = [p for p in paths if p not in set(detected["frame"]) and p not in unreadable]
            if missing:
                found = pd.concat([found, per_row(labels, whole_images(missing, None))], ignore_index=True)
    found = found.set_index("row")[["face_source", "faces_found", *RESULT_COLUMNS]]
    table = labels.join(found, how="left")
    table.insert(
        len(dataset.table.columns),
        "status",
        np.where(table["path"].isin(unreadable), UNREADABLE, np.where(table["sex_decfunc"].notna(), OK, NO_FACE)),
    )
    table["faces_found"] = table["faces_found"].fillna(0).astype(int)
    return table
