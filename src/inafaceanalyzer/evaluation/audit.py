"""The whole evaluation of a labelled data set: predictions, then every table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ..classification.abstention import UNKNOWN, AbstentionRule, apply_abstention, face_size, gender_confidence, unknown_reasons
from ..classifiers import DEFAULT, FaceClassifier, create
from ..detection import DetectionOptions, FaceDetector, YuNetDetector
from ..media.images import ErrorHandler
from ..engines.options import check as check_option
from ..progress import ProgressHook
from .bias import category_table, factors_for, paper_table
from .calibration import expected_calibration_error, fit_temperature, reliability_table
from .choice import FACE_CHOICES, LARGEST
from .datasets import LabeledDataset
from .groups import group_table, with_groups
from .metrics import confusion_table
from .predict import AUTO, FACE_MODES, NO_FACE, OK, PHOTOS, WHOLE_IMAGE, predict
from .resolution import RESOLUTION_COLUMNS, face_regions, resolution_table
from .tradeoff import abstention_tradeoff

StageProgress = Callable[[str, int, "int | None"], None]
"""Called as ``progress(stage, completed, total)``; stages: ``faces``, ``resolution``."""

# Black padding around images before detection: already-cropped faces fill the
# frame, and YuNet misses faces touching its borders.
DETECTION_PADDING = {AUTO: 0.25, PHOTOS: 0.0}


@dataclass(frozen=True)
class EvaluationConfig:
    """What to evaluate: ``faces`` (``auto``, ``cropped``, ``photos``; see
    :mod:`.predict`), the ``face_choice`` among several detected faces (see
    :mod:`.choice`), the ``abstention`` rule, the face ``resolutions`` of the
    resolution table (default none: it classifies every face once per
    resolution, e.g. :data:`PAPER_RESOLUTIONS`), the calibration ``bins`` and
    the classifier ``batch_len``."""

    faces: str = AUTO
    abstention: AbstentionRule = field(default_factory=AbstentionRule)
    resolutions: tuple[int, ...] = ()
    calibration_bins: int = 10
    batch_len: int = 32
    face_choice: str = LARGEST

    def __post_init__(self) -> None:
        if self.faces not in FACE_MODES:
            raise ValueError(f"faces must be one of {', '.join(FACE_MODES)}, got {self.faces!r}")
        if self.face_choice not in FACE_CHOICES:
            raise ValueError(f"face_choice must be one of {', '.join(FACE_CHOICES)}, got {self.face_choice!r}")
        if any(r < 1 for r in self.resolutions):
            raise ValueError(f"resolutions must be positive pixel counts, got {self.resolutions}")
        if self.calibration_bins < 1:
            raise ValueError(f"calibration_bins must be >= 1, got {self.calibration_bins}")
        check_option("batch_size", self.batch_len, "batch_len")


@dataclass(frozen=True)
class Evaluation:
    """Every table of an evaluation (see :func:`evaluate`)."""

    config: EvaluationConfig
    source: str
    predictions: pd.DataFrame
    paper: pd.DataFrame
    categories: pd.DataFrame
    groups: pd.DataFrame
    confusion: pd.DataFrame
    calibration: pd.DataFrame
    calibration_error: float
    temperature: float
    calibrated_error: float
    tradeoff: pd.DataFrame
    resolution: pd.DataFrame
    counts: dict[str, int]
    problems: list[str]
    unrecognized_races: dict[str, int]
    classifier: dict = field(default_factory=dict)  # its name and model files (provenance.json)

    @property
    def faces(self) -> pd.DataFrame:
        """The classified faces (status ``ok``), labels after abstention."""
        return self.predictions[self.predictions["status"] == OK]

    @property
    def has_age(self) -> bool:
        """Whether some classified face has a known age (else the age factor is left out)."""
        return bool(self.faces["age"].notna().any())


def default_detector(faces: str) -> YuNetDetector:
    """YuNet with the evaluation's padding for ``faces`` (photos: none; auto: 25 %)."""
    return YuNetDetector(DetectionOptions(padd_prct=DETECTION_PADDING.get(faces, 0.0)))


def evaluate(
    dataset: LabeledDataset,
    config: EvaluationConfig | None = None,
    classifier: FaceClassifier | None = None,
    detector: FaceDetector | None = None,
    on_error: ErrorHandler | None = None,
    progress: StageProgress | None = None,
) -> Evaluation:
    """Analyse every labelled face and compute the paper-style, per-category,
    per-group, confusion, calibration, abstention and resolution tables.

    Unreadable images go to ``on_error`` (default: raise) and the others are
    still evaluated; faces not found are counted and listed in ``predictions``.
    """
    config = config or EvaluationConfig()
    classifier = classifier or create(DEFAULT)
    detector = detector or default_detector(config.faces)
    predictions = predict(
        dataset, classifier, config.faces, detector, config.batch_len, on_error, _stage(progress, "faces"),
        config.face_choice,
    )
    predictions = with_groups(predictions)
    ok = (predictions["status"] == OK).to_numpy()
    raw = predictions[ok]
    predictions["face_size"] = face_size(predictions["bbox"])
    predictions["gender_confidence"] = gender_confidence(predictions["sex_decfunc"])
    predictions.loc[raw.index, "sex_label"] = apply_abstention(raw, config.abstention)["sex_label"]
    predictions["unknown_reason"] = ""
    predictions.loc[raw.index, "unknown_reason"] = unknown_reasons(raw, config.abstention)
    predictions.loc[predictions["sex_label"] != UNKNOWN, "unknown_reason"] = ""
    predictions["age_error"] = predictions["age_label"] - predictions["age"]
    faces = predictions[ok]
    factors = factors_for(faces)
    calibration = reliability_table(raw, config.calibration_bins)
    temperature = fit_temperature(raw)
    rescaled = raw.assign(sex_decfunc=raw["sex_decfunc"] / temperature)
    resolution = pd.DataFrame(columns=RESOLUTION_COLUMNS)
    if config.resolutions:
        regions = face_regions(predictions, detector, classifier)
        resolution = resolution_table(
            predictions, regions, classifier, config.resolutions, config.batch_len, _stage(progress, "resolution")
        )
    return Evaluation(
        config=config,
        source=str(dataset.source),
        predictions=predictions,
        paper=paper_table(faces),
        categories=category_table(faces, factors),
        groups=group_table(faces),
        confusion=confusion_table(faces),
        calibration=calibration,
        calibration_error=expected_calibration_error(calibration),
        temperature=temperature,
        calibrated_error=expected_calibration_error(reliability_table(rescaled, config.calibration_bins)),
        tradeoff=abstention_tradeoff(raw),
        resolution=resolution,
        counts=_counts(dataset, predictions, config),
        problems=list(dataset.problems),
        unrecognized_races=dataset.unrecognized_races,
        classifier={"name": getattr(classifier, "name", type(classifier).__name__),
                    "models": sorted(classifier.provenance())},
    )


def _stage(progress: StageProgress | None, stage: str) -> ProgressHook | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def _counts(dataset: LabeledDataset, predictions: pd.DataFrame, config: EvaluationConfig) -> dict[str, int]:
    status = predictions["status"]
    ok = status == OK
    faces_found = predictions.groupby("path")["faces_found"].max()  # per photo
    missed = status == NO_FACE
    several = f"photos with several faces ({config.face_choice} kept)"
    return {
        "labelled faces": len(dataset),
        "label entries skipped": len(dataset.problems),
        "unreadable images": int((status == "unreadable").sum()),
        "faces not found": int((status == "no face").sum()),
        "analysed as whole-image faces after detection found none": int(
            (ok & (predictions["face_source"] == WHOLE_IMAGE)).sum() if config.faces == AUTO else 0
        ),
        several: int((faces_found > 1).sum()),
        "photos with no face found": int((faces_found[predictions.loc[missed, "path"].unique()] == 0).sum()),
        "labelled boxes overlapping no detected face": int((missed & (predictions["faces_found"] > 0)).sum()),
        "classified faces": int(ok.sum()),
        "gender abstentions (u)": int((ok & (predictions["sex_label"] == UNKNOWN)).sum()),
        "of which: looks like a child (u)": int((ok & (predictions["unknown_reason"] == "child")).sum()),
        "children (<13)": int((ok & (predictions["age"] < 13)).sum()),
        "teenagers (13-19)": int((ok & predictions["age"].between(13, 20, inclusive="left")).sum()),
        "faces without a known age": int((ok & predictions["age"].isna()).sum()),
        "faces with an unrecognised race label": int((ok & predictions["race"].notna()
                                                        & predictions["race_group"].isna()).sum()),
    }

