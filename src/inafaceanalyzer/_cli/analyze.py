"""``ina_face_analyzer`` (also ``ina_face_analyzer.py``): analyse images or videos into CSV tables."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..engines.analyzers import ImageAnalyzer
from ..errors import MediaError
from ..export import write_csv
from .. import engines
from ..engines.jobs import IMAGE_ENGINES, VIDEO_ENGINES, AnalysisOptions, VideoJob, build_analyzer, run_video_job
from ..engines.options import add_argument as add_option
from ..media.files import IMAGE_SUFFIXES, VIDEO_SUFFIXES, find_files, media_kind
from ..media.video import is_url
from ..media.video import source_stem as output_stem
from . import common

PROG = "ina_face_analyzer"

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
                    help="images, or videos (paths or http(s) URLs), to analyse; a folder stands for the images "
                         "(image engines) or videos (video engines) found in it and its subfolders, in path order")
    io.add_argument("-l", dest="input_list", metavar="INPUT_LIST",
                    help="text file listing inputs, one per line (added to -i)")
    io.add_argument("-o", dest="output", required=True, metavar="OUTPUT",
                    help="image engines: the CSV file to write; video engines: a directory receiving one "
                         "<basename>.csv per input (folders are created if needed)")
    io.add_argument("--engine", choices=engines.names(), default=None,
                    help="; ".join(engines.spec(name).help for name in engines.names())
                         + " (default: chosen from the inputs' extensions, image for images, video for videos)")
    io.add_argument("--type", choices=["image", "video"], help=argparse.SUPPRESS)  # original < 0.3
    io.add_argument("--preprocessed_faces", action="store_true", help=argparse.SUPPRESS)
    cls = parser.add_argument_group("classification")
    common.add_classifier_argument(cls)
    vid = parser.add_argument_group("video")
    add_option(vid, "fps")
    add_option(vid, "detect_period")  # and the original's --tracking
    vid.add_argument("--detections", metavar="BOXES", default=None,
                     help="videoprecomputed: the face boxes to classify, a CSV with columns frame and bbox "
                          "(\"(x1, y1, x2, y2)\", as the results' bbox column), or a folder holding "
                          "<basename>.csv for each video (e.g. the -o folder of an earlier run); give the --fps "
                          "the boxes were found at")
    vid.add_argument("--keyframes", action="store_true", help=argparse.SUPPRESS)  # original alias
    vid.add_argument("--ass_subtitle_export", action="store_true",
                     help="also write <basename>.ass: subtitles drawing each face box with its gender and "
                          "age, to play over the video in VLC, Aegisub or ELAN")
    vid.add_argument("--mp4_export", action="store_true",
                     help="also write <basename>.mp4: the video with face boxes and labels drawn, sound kept")
    common.add_abstention_arguments(parser)
    exp = parser.add_argument_group("other exports (every engine)")
    exp.add_argument("--xlsx_export", action="store_true",
                     help="also write an Excel workbook, one row per face with a thumbnail of it: <basename>.xlsx "
                          "next to each video's CSV, or next to the -o CSV for image engines")
    exp.add_argument("--parquet_export", action="store_true",
                     help="also write the results as Parquet (typed, compressed, with the analysis metadata): "
                          "<basename>.parquet next to each video's CSV, or next to the -o CSV for image engines")
    exp.add_argument("--faces_export", metavar="DIR", default=None,
                     help="also write one JPEG crop per face row into DIR, named <source>_<frame>_<face>.jpg "
                          "(<image>_<face>.jpg for images); the original's extract_faces")
    common.add_detection_arguments(parser)
    common.add_runtime_arguments(parser)
    return parser


def engine_from_inputs(parser: argparse.ArgumentParser, args: argparse.Namespace, inputs: list[str]) -> str:
    """``image`` or ``video`` from the inputs' extensions (URLs are videos); refuses a mix."""
    found: dict[str, str] = {}
    for source in inputs:
        if is_url(source):
            found.setdefault("video", source)
        elif os.path.isdir(source):
            for path in find_files(source, IMAGE_SUFFIXES | VIDEO_SUFFIXES):
                found.setdefault(media_kind(path) or "", source)
        elif media_kind(source):
            found.setdefault(media_kind(source) or "", source)
    if len(found) > 1:
        parser.error(f"the inputs mix images ({found['image']}) and videos ({found['video']}): analyse them in "
                     "separate runs, with --engine image for the images and --engine video (or videotracking, "
                     "videokeyframes) for the videos")
    if found:
        return next(iter(found))
    if Path(args.output).suffix.lower() == ".csv":
        parser.error("cannot tell from the inputs' names whether they are images or videos: "
                     "give --engine image (or preprocessed_image) or --engine video")
    return "video"  # the original's default


def resolve_engine(parser: argparse.ArgumentParser, args: argparse.Namespace, inputs: list[str]) -> str:
    """The engine to run, from --engine, the original's older options or the inputs; refuses contradictions."""
    engine = args.engine
    legacy = None
    if args.preprocessed_faces:
        legacy = "preprocessed_image"
    elif args.type == "image":
        legacy = "image"
    elif args.keyframes:
        legacy = "videokeyframes"
    elif args.engine is None and args.detect_period is not None:
        legacy = "videotracking"
    elif args.type == "video":
        legacy = "video"
    if engine and legacy and engine != legacy and not (legacy == "video" and engine in VIDEO_ENGINES):
        parser.error(f"--engine {engine} contradicts the older option selecting {legacy}")
    chosen = "" if engine or legacy else " (chosen from the inputs: give --engine to choose another)"
    engine = engine or legacy or engine_from_inputs(parser, args, inputs)
    video_only = [name for name, given in (("--fps", args.fps is not None), ("--detect_period", args.detect_period is not None),
                  ("--ass_subtitle_export", args.ass_subtitle_export), ("--mp4_export", args.mp4_export)) if given]
    if engine in IMAGE_ENGINES and video_only:
        parser.error(f"{video_only[0]} applies to video engines, not --engine {engine}{chosen}")
    if engine == "videokeyframes":
        for name in video_only:
            parser.error(f"{name} cannot be used with keyframe analysis")
    if engine == "videotracking" and args.detect_period is None:
        parser.error("--engine videotracking needs --detect_period N")
    if engine == "video" and args.detect_period is not None:
        parser.error("--detect_period applies to --engine videotracking")
    if args.fps is not None and not args.fps > 0:
        parser.error(f"--fps must be > 0, got {args.fps}")
    if args.detect_period is not None and args.detect_period < 1:
        parser.error(f"--detect_period must be >= 1, got {args.detect_period}")
    problem = engines.spec(engine).problem(engine, args.fps, args.detect_period, args.detections)
    if problem:
        parser.error(problem)
    return engine


def read_inputs(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    inputs = list(args.input)
    if args.input_list:
        try:
            lines = Path(args.input_list).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            parser.error(f"-l {args.input_list}: cannot read the input list ({exc.strerror or exc}): give a "
                         "readable UTF-8 text file naming one image, video or folder per line, or list the "
                         "inputs after -i")
        except UnicodeDecodeError:
            parser.error(f"-l {args.input_list}: the input list is not UTF-8 text: give a text file naming one "
                         "image, video or folder per line, or list the inputs after -i")
        inputs += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not inputs:
        parser.error("no input: give -i INPUT... or -l INPUT_LIST")
    return inputs


def expand_folders(inputs: list[str], engine: str, reporter: common.Reporter) -> list[str]:
    """Each folder of ``inputs`` replaced by the images or videos (as ``engine`` takes) found in it, sorted."""
    image = engine in IMAGE_ENGINES
    expanded: list[str] = []
    for source in inputs:
        if is_url(source) or not os.path.isdir(source):
            expanded.append(source)
            continue
        found = find_files(source, IMAGE_SUFFIXES if image else VIDEO_SUFFIXES)
        if not found:
            kind = "image" if image else "video"
            reporter.error(f"{source}: no {kind} found in this folder or its subfolders (looked for "
                           f"{', '.join(sorted(IMAGE_SUFFIXES if image else VIDEO_SUFFIXES))})")
        expanded.extend(map(str, found))
    return expanded


def analysis_options(parser: argparse.ArgumentParser, args: argparse.Namespace, engine: str,
                     reporter: common.Reporter) -> AnalysisOptions:
    """The analysis the parsed arguments describe."""
    if args.classifier in ("Resnet50FairFaceGRA", "Vggface_LSVM_YTF"):
        reporter.warning(f"classifier {args.classifier} is not shipped; using dlib's gender and age networks")
    return common.analysis_options(parser, args, engine, detections=args.detections)


def run_images(args: argparse.Namespace, options: AnalysisOptions, inputs: list[str], reporter: common.Reporter) -> int:
    analyzer = build_analyzer(options)
    assert isinstance(analyzer, ImageAnalyzer)  # options.engine is an image engine
    earlier = reporter.failures  # empty folders given as inputs
    with reporter.bar(len(inputs), "images", unit="img", lines=True) as bar:
        df = analyzer(inputs, on_error=reporter.error, progress=common.progress_updater(bar))
    write_csv(df, args.output)
    if args.faces_export:
        from ..export.faces import export_faces

        export_faces(df, args.faces_export, on_error=reporter.error)
    if args.parquet_export:
        from ..export.parquet import write_parquet
        from ..models import provenance
        from ..results.sidecar import collection_document

        document = collection_document(engine=options.engine, options=options.as_dict(), provenance=provenance())
        write_parquet(df, Path(args.output).with_suffix(".parquet"), document)
    if args.xlsx_export:
        from ..export.xlsx import export_xlsx

        export_xlsx(df, Path(args.output).with_suffix(".xlsx"))
    left_out = analyzer.left_out.summary() if analyzer.left_out is not None else ""
    reporter.info(f"{len(df)} faces in {len(inputs) - reporter.failures + earlier} images{left_out} "
                  f"written to {args.output}")
    return 0


def video_outputs(parser: argparse.ArgumentParser, args: argparse.Namespace, inputs: list[str]) -> dict[str, Path]:
    """The CSV path of each input, refusing colliding names; the directory is created if needed."""
    outdir = Path(args.output)
    if outdir.suffix.lower() == ".csv" and not outdir.is_dir():
        parser.error(f"-o {args.output}: video engines write one CSV per input into a directory: give a directory "
                     "(created if needed), or --engine image for images")
    outputs: dict[str, Path] = {}
    seen: dict[str, str] = {}
    for source in inputs:
        stem = output_stem(source)
        if stem in seen and seen[stem] != source:
            parser.error(f"inputs {seen[stem]} and {source} would both write {stem}.csv in {outdir}")
        seen[stem] = source
        outputs[source] = outdir / f"{stem}.csv"
        if args.mp4_export and not is_url(source) and Path(source).resolve() == (outdir / f"{stem}.mp4").resolve():
            parser.error(f"--mp4_export would overwrite the input {source}: choose another -o directory")
    common.output_directory(parser, outdir, "-o")
    return outputs


def run_videos(args: argparse.Namespace, options: AnalysisOptions, inputs: list[str], reporter: common.Reporter,
               outputs: dict[str, Path]) -> int:
    analyzer = build_analyzer(options)
    with reporter.bar(len(inputs), "videos", unit="video") as overall:
        for source in dict.fromkeys(inputs):
            csv_path = outputs[source]
            job = VideoJob(
                source, csv_path,
                dest_ass=csv_path.with_suffix(".ass") if args.ass_subtitle_export else None,
                dest_mp4=csv_path.with_suffix(".mp4") if args.mp4_export else None,
                dest_xlsx=csv_path.with_suffix(".xlsx") if args.xlsx_export else None,
                dest_parquet=csv_path.with_suffix(".parquet") if args.parquet_export else None,
            )
            with reporter.bar(None, output_stem(source)[:30], unit="frame", position=1, leave=False) as bar:
                try:
                    result = run_video_job(analyzer, job, options.fps, progress=common.progress_updater(bar))
                except MediaError as exc:
                    reporter.error(exc)
                    continue
                finally:
                    overall.update(1)
            if args.faces_export:
                from ..export.faces import export_faces

                export_faces(result.table, args.faces_export, source, on_error=reporter.error)
            extra = f", {result.decode.corrupt_packets} corrupt packets skipped" if result.decode.corrupt_packets else ""
            left_out = result.left_out.summary() if result.left_out is not None else ""
            reporter.info(f"{source}: {len(result.table)} faces in {result.frames_analysed} frames{left_out} "
                          f"-> {csv_path}{extra}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    inputs = read_inputs(parser, args)
    engine = resolve_engine(parser, args, inputs)
    common.validate_detection_arguments(parser, args)
    common.setup_logging(args.quiet)
    reporter = common.Reporter(PROG, args.quiet)
    inputs = expand_folders(inputs, engine, reporter)
    if not inputs:
        parser.error("no input left: the folders given hold no file to analyse")
    if engine in IMAGE_ENGINES:
        if Path(args.output).suffix.lower() != ".csv":
            parser.error(f"-o {args.output}: with --engine {engine}, OUTPUT is a CSV file and must end in .csv")
        common.output_directory(parser, Path(args.output).parent, "-o")
        runner = run_images
    else:
        outputs = video_outputs(parser, args, inputs)

        def runner(args, options, inputs, reporter):
            return run_videos(args, options, inputs, reporter, outputs)
    options = analysis_options(parser, args, engine, reporter)
    return common.run_guarded(reporter, lambda: runner(args, options, inputs, reporter))

if __name__ == "__main__":
    sys.exit(main())
