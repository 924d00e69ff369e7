"""Pieces shared by the command lines: parser setup, detector options, messages, progress bars."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from tqdm import tqdm

from .._version import __version__
from ..abstention import DEFAULT_CHILD_AGE, AbstentionRule
from ..atomic import writable_directory_problem
from .. import detection
from ..detection import DetectionOptions
from ..errors import InaFaceAnalyzerError

EPILOG = (
    "Options may be written with '_' or '-' between words (--min_face_size or --min-face-size). "
    f"inaFaceAnalyzer {__version__}. If you use it in research, cite the version and: "
    "David Doukhan and Thomas Petit (2022), inaFaceAnalyzer: a Python toolbox for "
    "large-scale face-based description of gender representation in media with limited "
    "gender, racial and age biases, JOSS."
)

# --face_detector: the registered detectors and the original's names (LibFaceDetection was an earlier YuNet)
DETECTOR_ALIASES = {**{name: name for name in detection.names()}, **detection.ALIASES}


# Option-value dataclass fields that their checks name in messages -> the option users type.
FIELD_OPTIONS = {
    "minconf": "--face_detection_confidence", "min_size_px": "--min_face_size_px",
    "min_size_prct": "--min_face_size_percent", "padd_prct": "--face_detection_padding",
    "max_side": "--detection_max_side", "timeout_s": "--timeout", "batch_len": "--batch_size",
    "n_bootstrap": "--bootstrap", "timeline_bin_s": "--timeline_bin",
}


class Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Each option's default shown once: not when its help already says it, nor when there is none."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if "default" in text or default is None or default is False or default == [] or default == argparse.SUPPRESS:
            return text
        return super()._get_help_string(action)


def _spelling(option: str) -> str:
    return "--" + option[2:].replace("_", "-")


class Parser(argparse.ArgumentParser):
    """Options spelled with ``_`` or ``-``; argument errors on one line, exit status 2, without the usage dump."""

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        return super().parse_known_args(self.respell(sys.argv[1:] if args is None else list(args)), namespace)

    def respell(self, args: list[str]) -> list[str]:
        """``args`` with each long option in the spelling this parser declares (``--a-b`` <-> ``--a_b``)."""
        declared = {_spelling(o): o for o in self._option_string_actions if o.startswith("--")}
        out: list[str] = []
        for i, arg in enumerate(args):
            if arg == "--":
                return out + args[i:]
            name, eq, value = arg.partition("=")
            if name.startswith("--") and len(name) > 2 and name not in self._option_string_actions:
                wanted = _spelling(name)
                match = declared.get(wanted)
                if match is None:  # an abbreviation: the option it starts, when only one
                    actions = {self._option_string_actions[o] for s, o in declared.items() if s.startswith(wanted)}
                    if len(actions) == 1:
                        match = next(o for s, o in declared.items() if s.startswith(wanted))
                if match is not None:
                    arg = match + eq + value
            out.append(arg)
        return out

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {self.option_names(message)} (see {self.prog} -h)\n")

    def option_names(self, message: str) -> str:
        """``message`` naming the option rather than the internal field its first word may be."""
        word = message.split(" ", 1)[0]
        option = FIELD_OPTIONS.get(word, "--" + word)
        if option in self._option_string_actions:
            return option + message[len(word):]
        return message


def new_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = Parser(prog=prog, description=description, epilog=EPILOG, formatter_class=Formatter)
    parser.add_argument("--version", action="version", version=f"inaFaceAnalyzer {__version__}")
    return parser


def output_directory(parser: argparse.ArgumentParser, directory: str | os.PathLike[str], option: str) -> Path:
    """``directory``, created with its parents when missing; a one-line error when it cannot be written to."""
    path = Path(directory)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"{option} {directory}: cannot create the directory {path}: {exc.strerror or exc}")
    problem = writable_directory_problem(path)
    if problem:
        parser.error(f"{option} {directory}: the output directory {problem}")
    return path


def add_detection_arguments(parser: argparse.ArgumentParser) -> None:
    """The original's face detection options."""
    g = parser.add_argument_group("face detection")
    g.add_argument("--face_detector", default=detection.DEFAULT, choices=sorted(DETECTOR_ALIASES),
                   help="face detector: yunet (YuNet 2023mar) or whole_frame (no detection: each frame or image "
                        "is one face); the original's LibFaceDetection and OcvCnnFacedetector names use YuNet")
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
    g.add_argument("--no_second_look", action="store_false", dest="second_look",
                   help="keep every detection as the detector gives it, without the second look that "
                        "rejects look-alikes (animals, emblems, backs of heads); see docs/detection.md"
                        "%(default).0s")  # (an empty format: no misleading "default: True")
    g.add_argument("--second_look_threshold", type=float, default=DetectionOptions.second_look_threshold,
                   metavar="S", help="keep a detection when its score averaged over the second look's views "
                                     "reaches S (0 to 1)")
    g.add_argument("--second_look_sure", type=float, default=DetectionOptions.second_look_sure, metavar="S",
                   help="detections the detector scores S or more skip the second look (1: every one is looked at)")
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


def detector_name(args: argparse.Namespace) -> str:
    """The registry name ``--face_detector`` chose (an original's name means ``yunet``)."""
    return detection.canonical(args.face_detector)


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
        second_look=args.second_look,
        second_look_threshold=args.second_look_threshold,
        second_look_sure=args.second_look_sure,
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


def write_line(text: str) -> None:
    """``text`` and its newline to stderr in one write: lines from other threads (decoding) never cut it."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


class LineProgress:
    """A progress bar's stand-in off a terminal (log files, pipes): one line per completed item."""

    def __init__(self, prog: str, desc: str, total: int | None) -> None:
        self.prog, self.desc, self.total, self.n = prog, desc, total, 0
        self.postfix = ""

    def update(self, n: int = 1) -> None:
        for _ in range(max(0, n)):
            self.n += 1
            tail = f" ({self.postfix})" if self.postfix else ""
            write_line(f"{self.prog}: {self.desc} {self.n}/{self.total if self.total is not None else '?'}{tail}")

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        self.postfix = s

    def refresh(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Reporter:
    """Prints one-line errors and warnings to stderr without breaking progress bars.

    Progress bars are drawn only when stderr is a terminal (``interactive``);
    elsewhere bars asked for with ``lines=True`` print one line per item and
    the others print nothing.
    """

    def __init__(self, prog: str, quiet: bool = False, interactive: bool | None = None) -> None:
        self.prog = prog
        self.quiet = quiet
        self.interactive = sys.stderr.isatty() if interactive is None else interactive
        self.failures = 0

    def error(self, message: object) -> None:
        self.failures += 1
        self.write(f"{self.prog}: error: {message}")

    def warning(self, message: object) -> None:
        self.write(f"{self.prog}: warning: {message}")

    def info(self, message: object) -> None:
        if not self.quiet:
            self.write(f"{self.prog}: {message}")

    def write(self, line: str) -> None:
        """One line to stderr, above the progress bars on a terminal."""
        if self.interactive and not self.quiet:
            tqdm.write(line, file=sys.stderr)
        else:
            write_line(line)

    def bar(self, total: int | None, desc: str, unit: str = "it", position: int = 0, leave: bool = True,
            *, rate: bool = True, lines: bool = False) -> tqdm | LineProgress:
        """A progress bar; ``rate=False`` leaves out the items per second, ``lines`` see the class."""
        if lines and not self.quiet and not self.interactive:
            return LineProgress(self.prog, desc, total)
        fmt = None if rate else "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]"
        return tqdm(total=total, desc=desc, unit=unit, disable=self.quiet or not self.interactive, position=position,
                    leave=leave, file=sys.stderr, dynamic_ncols=True, bar_format=fmt)


def progress_updater(bar: tqdm | LineProgress) -> Callable[[int, int | None], None]:
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
