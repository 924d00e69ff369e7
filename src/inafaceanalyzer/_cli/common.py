"""Pieces shared by the command lines: parser setup, detector options, messages, progress bars."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from tqdm import tqdm

from .._version import __version__
from ..engines import options
from ..classification.abstention import AbstentionRule
from ..atomic import writable_directory_problem
from ..detection import DetectionOptions
from ..errors import InaFaceAnalyzerError

if TYPE_CHECKING:
    from ..engines.jobs import AnalysisOptions

EPILOG = (
    "Options may be written with '_' or '-' between words (--min_face_size or --min-face-size). "
    f"inaFaceAnalyzer {__version__}. If you use it in research, cite the version and: "
    "David Doukhan and Thomas Petit (2022), inaFaceAnalyzer: a Python toolbox for "
    "large-scale face-based description of gender representation in media with limited "
    "gender, racial and age biases, JOSS."
)

DETECTOR_ALIASES = options.DETECTOR_ALIASES

# Option-value dataclass fields that their checks name in messages -> the option users type
# (the analysis options' from their table; the report's here).
FIELD_OPTIONS = {
    **options.FIELD_FLAGS, "max_side": "--detection_max_side", "batch_len": "--batch_size",
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
    """The original's face detection options (defined in :mod:`inafaceanalyzer.engines.options`)."""
    options.add_arguments(parser, "detection")


def add_abstention_arguments(parser: argparse.ArgumentParser) -> None:
    """The abstention rule's options (see :mod:`inafaceanalyzer.classification.abstention`)."""
    options.add_arguments(parser, "abstention")


def abstention_rule(parser: argparse.ArgumentParser | None, args: argparse.Namespace) -> AbstentionRule:
    """The rule the parsed options describe; an invalid one is a one-line argument error."""
    try:
        return options.from_namespace(args)["abstention"]
    except ValueError as exc:
        if parser is None:
            raise
        parser.error(str(exc))


def add_classifier_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--classifier NAME``: a name of the classifier registry (see docs/classifiers.md)."""
    options.add_argument(parser, "classifier")


def classifier_name(args: argparse.Namespace) -> str:
    """The registry name ``--classifier`` chose (an original's name means ``dlib``)."""
    return options.from_namespace(args)["classifier"]


def detector_name(args: argparse.Namespace) -> str:
    """The registry name ``--face_detector`` chose (an original's name means ``yunet``)."""
    return options.from_namespace(args)["face_detector"]


def add_runtime_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group(options.GROUPS["runtime"])
    options.add_arguments(parser, "runtime", into=g)
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def detection_options(args: argparse.Namespace) -> DetectionOptions:
    """The detection filters described by the parsed options."""
    return options.from_namespace(args)["detection"]


def validate_detection_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Every analysis option the parser declares checked, as :class:`~inafaceanalyzer.engines.jobs.AnalysisOptions` does."""
    for problem in options.namespace_problems(args):
        parser.error(problem)
    try:
        options.from_namespace(args)
    except ValueError as exc:
        parser.error(str(exc))


def analysis_options(parser: argparse.ArgumentParser | None, args: argparse.Namespace, engine: str,
                     **fields: Any) -> AnalysisOptions:
    """The analysis the parsed options describe (``fields``: a command's own, e.g. its engine's
    ``detections``); a refused value is a one-line argument error (``ValueError`` without ``parser``)."""
    from ..engines.jobs import AnalysisOptions

    try:
        return AnalysisOptions(engine=engine, **{**options.from_namespace(args), **fields})
    except ValueError as exc:
        if parser is None:
            raise
        parser.error(str(exc))


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
