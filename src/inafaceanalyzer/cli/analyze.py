"""``ina_face_analyzer`` (also ``ina_face_analyzer.py``): analyse images or videos into CSV tables."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from ..analyzers import ImageAnalyzer, PreprocessedImageAnalyzer
from ..classification import GenderAgeClassifier
from ..errors import InaFaceAnalyzerError, MediaError
from ..export import write_csv
from . import common

PROG = "ina_face_analyzer"
IMAGE_ENGINES = ("image", "preprocessed_image")
VIDEO_ENGINES = ("video", "videotracking", "videokeyframes")
CLASSIFIERS = ("DlibGenderAge", "Resnet50FairFaceGRA", "Vggface_LSVM_YTF")

DESCRIPTION = """\
Detect faces in images or videos, estimate each face's gender and age, and write
the results as CSV: one row per face.

  images:  ina_face_analyzer.py --engine image -i photos/*.jpg -o results.csv
  video:   ina_face_analyzer.py --engine video --fps 1 -i a.mp4 b.mkv -o outdir/

Images give one CSV (-o FILE.csv) whose 'frame' column is the image path;
videos give one CSV per input in the -o directory (<basename>.csv). Inputs that
cannot be read are reported on one line each and the others are still
processed; the exit status is 1 when any input failed.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = common.new_parser(PROG, DESCRIPTION)
    io = parser.add_argument_group("input and output")
    io.add_argument("-i", nargs="+", dest="input", default=[], metavar="INPUT",
                    help="images, or videos (paths or http(s) URLs), to analyse")
    io.add_argument("-l", dest="input_list", metavar="INPUT_LIST",
                    help="text file listing inputs, one per line (added to -i)")
    io.add_argument("-o", dest="output", required=True, metavar="OUTPUT",
                    help="image engines: the CSV file to write; video engines: an existing "
                         "directory receiving one <basename>.csv per input")
    io.add_argument("--engine", choices=IMAGE_ENGINES + VIDEO_ENGINES, default=None,
                    help="image: photos; preprocessed_image: already-cropped faces (no detection); "
                         "video: every frame or --fps frames per second; videotracking: video with "
                         "face tracking and per-face averaging; videokeyframes: keyframes only "
                         "(default: video)")
    io.add_argument("--type", choices=["image", "video"], help=argparse.SUPPRESS)  # original < 0.3
    io.add_argument("--preprocessed_faces", action="store_true", help=argparse.SUPPRESS)
    cls = parser.add_argument_group("classification")
    cls.add_argument("--classifier", choices=CLASSIFIERS, default="DlibGenderAge",
                     help="gender and age classifier: dlib's gender and age networks (the original's "
                          "classifier names are accepted and use it)")
    common.add_detection_arguments(parser)
    common.add_runtime_arguments(parser)
    return parser


def resolve_engine(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    """The engine to run, from --engine or the original's older options."""
    engine = args.engine
    legacy = None
    if args.preprocessed_faces:
        legacy = "preprocessed_image"
    elif args.type == "image":
        legacy = "image"
    elif args.type == "video":
        legacy = "video"
    if engine and legacy and engine != legacy and not (legacy == "video" and engine in VIDEO_ENGINES):
        parser.error(f"--engine {engine} contradicts the older option selecting {legacy}")
    return engine or legacy or "video"


def read_inputs(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    inputs = list(args.input)
    if args.input_list:
        try:
            lines = Path(args.input_list).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            parser.error(f"-l {args.input_list}: cannot read the input list: {exc.strerror or exc}")
        inputs += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not inputs:
        parser.error("no input: give -i INPUT... or -l INPUT_LIST")
    return inputs


def make_classifier(args: argparse.Namespace, reporter: common.Reporter) -> GenderAgeClassifier:
    if args.classifier != "DlibGenderAge":
        reporter.warning(f"classifier {args.classifier} is not shipped; using dlib's gender and age networks")
    if args.face_detector != "yunet":
        reporter.warning(f"face detector {args.face_detector} is not shipped; using YuNet 2023mar")
    return GenderAgeClassifier(device=args.device)


def run_images(args: argparse.Namespace, engine: str, inputs: list[str], reporter: common.Reporter) -> int:
    classifier = make_classifier(args, reporter)
    if engine == "preprocessed_image":
        analyzer: ImageAnalyzer = PreprocessedImageAnalyzer(classifier, batch_len=args.batch_size)
    else:
        analyzer = ImageAnalyzer(common.make_detector(args), classifier, batch_len=args.batch_size)
    with reporter.bar(len(inputs), "images", unit="img") as bar:
        df = analyzer(inputs, on_error=reporter.error, progress=common.progress_updater(bar))
    write_csv(df, args.output)
    reporter.info(f"{len(df)} faces in {len(inputs) - reporter.failures} images written to {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    engine = resolve_engine(parser, args)
    inputs = read_inputs(parser, args)
    common.validate_detection_arguments(parser, args)
    common.setup_logging(args.quiet)
    reporter = common.Reporter(PROG, args.quiet)
    if engine in IMAGE_ENGINES:
        if Path(args.output).suffix.lower() != ".csv":
            parser.error(f"-o {args.output}: with --engine {engine}, OUTPUT is a CSV file and must end in .csv")
        if not Path(args.output).resolve().parent.is_dir():
            parser.error(f"-o {args.output}: the directory {Path(args.output).parent} does not exist")
        runner = run_images
    else:
        parser.error(f"--engine {engine} is not available yet")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            status = runner(args, engine, inputs, reporter)
    except KeyboardInterrupt:
        reporter.error("interrupted; no partial output was left")
        return 130
    except (InaFaceAnalyzerError, MediaError) as exc:
        reporter.error(exc)
        return 2
    return 1 if reporter.failures else status


if __name__ == "__main__":
    sys.exit(main())
