"""Pieces shared by the command lines: parser setup, detector options, messages, progress bars."""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Callable
from typing import NoReturn

from tqdm import tqdm

from .._version import __version__
from ..abstention import DEFAULT_CHILD_AGE, AbstentionRule
from ..detection import DetectionOptions
from ..errors import InaFaceAnalyzerError

EPILOG = (
    f"inaFaceAnalyzer {__version__}. If you use it in research, cite the version and: "
    "David Doukhan and Thomas Petit (2022), inaFaceAnalyzer: a Python toolbox for "
    "large-scale face-based description of gender representation in media with limited "
    "gender, racial and age biases, JOSS."
)

# The original's detector names: LibFaceDetection was an earlier YuNet; both map to YuNet 2023mar.
DETECTOR_ALIASES = {"yunet": "yunet", "LibFaceDetection": "yunet", "OcvCnnFacedetector": "yunet"}


class Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


class Parser(argparse.ArgumentParser):
    """Argument errors on one line (``prog: error: ...``), exit status 2, without the usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} -h)\n")


def new_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = Parser(prog=prog, description=description, epilog=EPILOG, formatter_class=Formatter)
    parser.add_argument("--version", action="version", version=f"inaFaceAnalyzer {__version__}")
    return parser


def add_detection_arguments(parser: argparse.ArgumentParser) -> None:
    """The original's face detection options."""
    g = parser.add_argument_group("face detection")
    g.add_argument("--face_detector", default="yunet", choices=sorted(DETECTOR_ALIASES),
                   help="face detector: YuNet 2023mar (the original's LibFaceDetection and "
                        "OcvCnnFacedetector names are accepted and use YuNet)")
    g.add_argument("--face_detection_confidence", type=float, default=DetectionOptions.minconf,
                   help="minimal face detection confidence (0 to 1)")
    g.add_argument("--min_face_size_px", type=float, default=DetectionOptions.min_size_px, dest="size_px",
                   help="minimal size in pixels of a face's largest side; classification is most "
                        "reliable above 75 px")
    g.add_argument("--min_face_size_percent", type=float, default=DetectionOptions.min_size_prct,
                   dest="size_prct",
                   help="minimal face size as a share (0 to 1) of the frame's smallest side")
    g.add_argument("--face_detection_padding", type=float, default=DetectionOptions.padd_prct,
                   help="black padding added around frames before detection, as a share of their "
                        "size (e.g. 0.15 helps with faces filling the whole frame)")
    g.add_argument("--detection_max_side", type=int, default=960,
                   help="frames larger than this (in pixels, largest side) are downscaled for "
                        "detection; boxes are mapped back to full resolution")


def add_abstention_arguments(parser: argparse.ArgumentParser) -> None:
    """The abstention rule's options (see :mod:`inafaceanalyzer.abstention`)."""
    g = parser.add_argument_group(
        "abstention (the face is kept, its gender answered 'u' for unknown; ina_face_analyzer_evaluate shows "
        "the accuracy/coverage trade-off)")
    g.add_argument("--min_face_size", type=float, default=0.0, metavar="PX",
                   help="answer sex_label 'u' for faces whose bbox is smaller than this (largest side, pixels); "
                        "unlike --min_face_size_px, the face is not dropped")
    g.add_argument("--min_gender_confidence", type=float, default=0.5, metavar="P",
                   help="answer sex_label 'u' (and sex_label_avg 'u' for weak tracks) when the gender "
                        "model's probability for its answer is below P (0.5 to 1)")
    g.add_argument("--child_age", type=float, default=DEFAULT_CHILD_AGE, metavar="YEARS",
                   help="answer sex_label 'u' for faces estimated younger than this: the classifiers' gender "
                        f"answers on children are unreliable (default: {DEFAULT_CHILD_AGE:g}; 0: answer every "
                        "age; docs/classifiers.md)")


def abstention_rule(parser: argparse.ArgumentParser | None, args: argparse.Namespace) -> AbstentionRule:
    """The rule the parsed options describe; an invalid one is a one-line argument error."""
    try:
        return AbstentionRule(args.min_face_size, args.min_gender_confidence, args.child_age)
    except ValueError as exc:
        if parser is None:
            raise
        parser.error(str(exc))


def add_classifier_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--classifier NAME``: a name of the classifier registry (see docs/classifiers.md)."""
    from ..classifiers import DEFAULT, names
    from ..classifiers.registry import ALIASES

    parser.add_argument("--classifier", choices=names() + list(ALIASES), default=DEFAULT, metavar="NAME",
                        help=f"gender and age classifier: {', '.join(names())} (default: {DEFAULT}; "
                             "see docs/classifiers.md; the original's classifier names mean dlib)")


def classifier_name(args: argparse.Namespace) -> str:
    """The registry name ``--classifier`` chose (an original's name means ``dlib``)."""
    from ..classifiers.registry import ALIASES

    return ALIASES.get(args.classifier, args.classifier)


def add_runtime_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("runtime")
    g.add_argument("--batch_size", type=int, default=32,
                   help="faces per classifier batch; larger values are faster on a GPU")
    g.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"],
                   help="where the classifiers run: auto uses ONNX Runtime's CUDA provider when "
                        "present, the CPU otherwise")
    g.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="network sources (URLs): give up when opening or a read takes longer")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def detection_options(args: argparse.Namespace) -> DetectionOptions:
    """The detection filters described by the parsed options."""
    return DetectionOptions(
        minconf=args.face_detection_confidence,
        min_size_px=args.size_px,
        min_size_prct=args.size_prct,
        padd_prct=args.face_detection_padding,
    )


def validate_detection_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    try:
        detection_options(args)
    except ValueError as exc:
        parser.error(str(exc))
    if args.detection_max_side < 32:
        parser.error("--detection_max_side must be at least 32")
    if args.batch_size < 1:
        parser.error("--batch_size must be at least 1")
    if not args.timeout > 0:
        parser.error("--timeout must be > 0")


class Reporter:
    """Prints one-line errors and warnings to stderr without breaking progress bars."""

    def __init__(self, prog: str, quiet: bool = False) -> None:
        self.prog = prog
        self.quiet = quiet
        self.failures = 0

    def error(self, message: object) -> None:
        self.failures += 1
        tqdm.write(f"{self.prog}: error: {message}", file=sys.stderr)

    def warning(self, message: object) -> None:
        tqdm.write(f"{self.prog}: warning: {message}", file=sys.stderr)

    def info(self, message: object) -> None:
        if not self.quiet:
            tqdm.write(f"{self.prog}: {message}", file=sys.stderr)

    def bar(self, total: int | None, desc: str, unit: str = "it", position: int = 0, leave: bool = True) -> tqdm:
        return tqdm(total=total, desc=desc, unit=unit, disable=self.quiet, position=position, leave=leave,
                    file=sys.stderr, dynamic_ncols=True)


def progress_updater(bar: tqdm) -> Callable[[int, int | None], None]:
    """A progress hook ``(completed, total)`` that moves ``bar``."""

    def update(done: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    return update


def setup_logging(quiet: bool) -> None:
    logging.basicConfig(level=logging.ERROR if quiet else logging.WARNING, format="%(name)s: %(message)s")


def run_guarded(reporter: Reporter, work: Callable[[], int | None]) -> int:
    """Run a command's work and turn its outcome into an exit status.

    130 when interrupted (outputs are atomic, so nothing partial is left), 2
    on a fatal error (reported on one line), 1 when some input failed, else
    the work's own status.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            status = work()
    except KeyboardInterrupt:
        reporter.error("interrupted; no partially written output was left")
        return 130
    except InaFaceAnalyzerError as exc:
        reporter.error(exc)
        return 2
    return status or (1 if reporter.failures else 0)
