"""Each analysis option defined once: name, type, default, check, help, group and the original's spellings.

:data:`OPTIONS` is the table the command lines (:func:`add_arguments`),
:class:`~inafaceanalyzer.engines.jobs.AnalysisOptions` (:func:`check`), campaigns and
live (:func:`from_namespace`) derive from. An option's ``name`` is its place
in ``AnalysisOptions``: a field (``batch_size``) or a field of its detection
or abstention rule (``detection.minconf``), whose own dataclass checks it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .. import detection
from ..classification.abstention import (DEFAULT_CHILD_AGE, DEFAULT_YOUNG_AGE, DEFAULT_YOUNG_CONFIDENCE,
                                         AbstentionRule)
from ..detection import DetectionOptions
from ..media.container import DEFAULT_TIMEOUT_S

# --face_detector: the registered detectors and the original's names (LibFaceDetection was an earlier YuNet)
DETECTOR_ALIASES = {**{name: name for name in detection.names()}, **detection.ALIASES}

GROUPS = {
    "detection": "face detection",
    "abstention": "abstention (the face is kept, its gender answered 'u' for unknown; ina_face_analyzer_evaluate "
                  "shows the accuracy/coverage trade-off)",
    "classification": "classification",
    "video": "video",
    "runtime": "runtime",
}


def at_least(low: float) -> Callable[[Any], str | None]:
    """A check: ``None`` (not given) or at least ``low``."""
    return lambda value: None if value is None or value >= low else f"must be >= {low:g}"


def positive(value: Any) -> str | None:
    """A check: ``None`` (not given) or more than 0."""
    return None if value is None or value > 0 else "must be > 0"


def _classifier_choices() -> list[str]:
    from ..classifiers import names
    from ..classifiers.registry import ALIASES

    return names() + list(ALIASES)


def _classifier_help() -> str:
    from ..classifiers import DEFAULT, names

    return (f"gender and age classifier: {', '.join(names())} (default: {DEFAULT}; see docs/classifiers.md; "
            "the original's classifier names mean dlib)")


def _classifier_default() -> str:
    from ..classifiers import DEFAULT

    return DEFAULT


@dataclass(frozen=True)
class Option:
    """One analysis option; ``help``, ``default`` and ``choices`` may be computed when the parser is built."""

    name: str  # its place in AnalysisOptions: "batch_size", "detection.minconf"
    flag: str  # the command lines' spelling
    help: str | Callable[[], str]
    group: str  # a key of GROUPS
    type: Callable[[str], Any] | None = None
    default: Any = None
    check: Callable[[Any], str | None] | None = None  # the reason a value is refused, or None
    metavar: str | None = None
    dest: str | None = None  # the argparse destination (default: the flag without its dashes)
    choices: Callable[[], list[str]] | None = None
    action: str | None = None
    aliases: tuple[str, ...] = ()  # the original's spellings, accepted and not shown

    @property
    def field(self) -> str:
        """The dataclass field holding it (``minconf`` for ``detection.minconf``)."""
        return self.name.rpartition(".")[2]

    @property
    def destination(self) -> str:
        return self.dest or self.flag.lstrip("-")

    def value_default(self) -> Any:
        return self.default() if callable(self.default) else self.default

    def problem(self, value: Any, label: str | None = None) -> str | None:
        """Why ``value`` is refused, naming the option as ``label`` (default: its field), or ``None``."""
        reason = self.check(value) if self.check else None
        return None if reason is None else f"{label or self.field} {reason}, got {value}"


_D = DetectionOptions
OPTIONS: tuple[Option, ...] = (
    Option("face_detector", "--face_detector", group="detection", default=detection.DEFAULT,
           choices=lambda: sorted(DETECTOR_ALIASES),
           help="face detector: yunet (YuNet 2023mar) or whole_frame (no detection: each frame or image is one "
                "face); the original's LibFaceDetection and OcvCnnFacedetector names use YuNet"),
    Option("detection.minconf", "--face_detection_confidence", group="detection", type=float, default=_D.minconf,
           help="minimal face detection confidence (0 to 1)"),
    Option("detection.min_size_px", "--min_face_size_px", group="detection", type=float, default=_D.min_size_px,
           dest="size_px",
           help="minimal size in pixels of a face's largest side; classification is most reliable above 75 px"),
    Option("detection.min_size_prct", "--min_face_size_percent", group="detection", type=float,
           default=_D.min_size_prct, dest="size_prct",
           help="minimal face size as a share (0 to 1) of the frame's smallest side"),
    Option("detection.padd_prct", "--face_detection_padding", group="detection", type=float, default=_D.padd_prct,
           help="black padding added around frames before detection, as a share of their size (e.g. 0.15 helps "
                "with faces filling the whole frame)"),
    Option("detection.second_look", "--no_second_look", group="detection", action="store_false", dest="second_look",
           help="keep every detection as the detector gives it, without the second look that rejects look-alikes "
                "(animals, emblems, backs of heads); see docs/detection.md"
                "%(default).0s"),  # (an empty format: no misleading "default: True")
    Option("detection.second_look_threshold", "--second_look_threshold", group="detection", type=float,
           default=_D.second_look_threshold, metavar="S",
           help="keep a detection when its score averaged over the second look's views reaches S (0 to 1)"),
    Option("detection.second_look_sure", "--second_look_sure", group="detection", type=float,
           default=_D.second_look_sure, metavar="S",
           help="detections the detector scores S or more skip the second look (1: every one is looked at)"),
    Option("detection_max_side", "--detection_max_side", group="detection", type=int, default=960,
           check=at_least(32),
           help="frames larger than this (in pixels, largest side) are downscaled for detection; boxes are mapped "
                "back to full resolution"),
    Option("abstention.min_face_size", "--min_face_size", group="abstention", type=float,
           default=AbstentionRule.min_face_size, metavar="PX",
           help="answer sex_label 'u' for faces whose bbox is smaller than this (largest side, pixels); unlike "
                "--min_face_size_px, the face is not dropped"),
    Option("abstention.min_gender_confidence", "--min_gender_confidence", group="abstention", type=float,
           default=AbstentionRule.min_gender_confidence, metavar="P",
           help="answer sex_label 'u' (and sex_label_avg 'u' for weak tracks) when the gender model's probability "
                "for its answer is below P (0.5 to 1)"),
    Option("abstention.child_age", "--child_age", group="abstention", type=float, default=DEFAULT_CHILD_AGE,
           metavar="YEARS",
           help="answer sex_label 'u' for faces estimated younger than this: the classifiers' gender answers on "
                f"children are unreliable (default: {DEFAULT_CHILD_AGE:g}; 0: answer every age; "
                "docs/classifiers.md)"),
    Option("abstention.young_age", "--young_age", group="abstention", type=float, default=DEFAULT_YOUNG_AGE,
           metavar="YEARS",
           help="faces estimated younger than this (children and teenagers) are answered only when the gender "
                f"probability reaches --young_confidence, else sex_label 'u' (default: {DEFAULT_YOUNG_AGE:g}; 0: off)"),
    Option("abstention.young_confidence", "--young_confidence", group="abstention", type=float,
           default=DEFAULT_YOUNG_CONFIDENCE, metavar="P",
           help="gender probability (0.5 to 1) needed to answer a face estimated younger than --young_age "
                f"(default: {DEFAULT_YOUNG_CONFIDENCE:g}; docs/classifiers.md)"),
    Option("classifier", "--classifier", group="classification", default=_classifier_default,
           choices=_classifier_choices, metavar="NAME", help=_classifier_help),
    Option("fps", "--fps", group="video", type=float, check=positive,
           help="frames analysed per second of video (the frame nearest each instant 0, 1/fps, 2/fps, ... s); "
                "default: every frame. Lower values are faster"),
    Option("detect_period", "--detect_period", group="video", type=int, check=at_least(1), metavar="N",
           aliases=("--tracking",),
           help="videotracking: run face detection every N analysed frames and track faces in between "
                "(1 = detect on every frame and track to link faces)"),
    Option("batch_size", "--batch_size", group="runtime", type=int, default=32, check=at_least(1),
           help="faces per classifier batch; larger values are faster on a GPU"),
    Option("device", "--device", group="runtime", default="auto", choices=lambda: ["auto", "cpu", "cuda"],
           help="where the classifiers run: auto uses ONNX Runtime's CUDA provider when present, the CPU "
                "otherwise"),
    Option("timeout_s", "--timeout", group="runtime", type=float, default=DEFAULT_TIMEOUT_S, check=positive,
           metavar="SECONDS", help="network sources (URLs): give up when opening or a read takes longer"),
)
BY_NAME = {option.name: option for option in OPTIONS}
BY_FIELD = {option.field: option for option in OPTIONS}

# dataclass fields that checks name in messages -> the option users type
FIELD_FLAGS = {option.field: option.flag for option in OPTIONS if option.flag != "--" + option.field}


def check(name: str, value: Any, label: str | None = None) -> None:
    """``ValueError`` naming option ``name``'s field (or ``label``: a caller's parameter) when ``value`` is refused."""
    problem = BY_NAME[name].problem(value, label)
    if problem:
        raise ValueError(problem)


def check_fields(values: object) -> None:
    """``ValueError`` for the first refused value among ``values``' fields (an ``AnalysisOptions``)."""
    for option in OPTIONS:
        if option.check and "." not in option.name:
            check(option.name, getattr(values, option.name))


def add_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup, name: str, **override: Any) -> None:
    """Option ``name``'s argument (``override``: a command's own default or help) and its hidden aliases."""
    option = BY_NAME[name]
    kwargs: dict[str, Any] = {"dest": option.destination,
                              "help": option.help() if callable(option.help) else option.help}
    if option.action:
        kwargs["action"] = option.action
    else:
        kwargs.update(type=option.type, default=option.value_default(), metavar=option.metavar)
        if option.choices:
            kwargs["choices"] = option.choices()
    kwargs.update(override)
    parser.add_argument(option.flag, **{k: v for k, v in kwargs.items() if v is not None or k == "default"})
    for alias in option.aliases:
        typed: dict[str, Any] = {"type": option.type} if option.type else {}
        parser.add_argument(alias, dest=option.destination, help=argparse.SUPPRESS, **typed)


def add_arguments(parser: argparse.ArgumentParser, group: str,
                  into: argparse.ArgumentParser | argparse._ArgumentGroup | None = None) -> None:
    """Every option of ``group``, in a new argument group (or ``into`` one given)."""
    target = into if into is not None else parser.add_argument_group(GROUPS[group])
    for option in OPTIONS:
        if option.group == group:
            add_argument(target, option.name)


def namespace_problems(args: argparse.Namespace) -> Iterable[str]:
    """Why the parsed options are refused, each naming the option as typed."""
    for option in OPTIONS:
        if option.check and hasattr(args, option.destination):
            problem = option.problem(getattr(args, option.destination), option.flag)
            if problem:
                yield problem


def from_namespace(args: argparse.Namespace) -> dict[str, Any]:
    """The ``AnalysisOptions`` keywords the parsed options describe (those the parser declares).

    ``ValueError`` (naming a field) for a refused detection or abstention value.
    """
    from ..classifiers.registry import ALIASES

    nested: dict[str, dict[str, Any]] = {"detection": {}, "abstention": {}}
    out: dict[str, Any] = {}
    for option in OPTIONS:
        if not hasattr(args, option.destination):
            continue
        value = getattr(args, option.destination)
        parent, dot, field = option.name.partition(".")
        if dot:
            nested[parent][field] = value
        else:
            out[option.name] = value
    out["detection"] = DetectionOptions(**nested["detection"])
    out["abstention"] = AbstentionRule(**nested["abstention"])
    if "classifier" in out:
        out["classifier"] = ALIASES.get(out["classifier"], out["classifier"])
    if "face_detector" in out:
        out["face_detector"] = detection.canonical(out["face_detector"])
    return out
