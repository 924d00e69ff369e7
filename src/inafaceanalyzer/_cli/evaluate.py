"""``ina_face_analyzer_evaluate``: gender accuracy, age error and their biases on labelled faces."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ..classifiers import create
from .. import detection
from ..evaluation import FACE_MODES, PAPER_RESOLUTIONS, EvaluationConfig, evaluate, load_dataset, write_report
from ..evaluation.audit import DETECTION_PADDING, Evaluation
from ..evaluation.choice import FACE_CHOICES, LARGEST
from . import common

PROG = "ina_face_analyzer_evaluate"
MAX_LISTED = 10

DESCRIPTION = f"""\
Measure gender accuracy and age error on faces whose gender and age are known,
with their gender, racial and age biases as the original inaFaceAnalyzer paper
reports them, before trusting the analysis of a campaign.

  {PROG} my_faces/ -o audit/                 # my_faces/labels.csv
  {PROG} photos/ --labels truth.csv -o audit/ --faces photos
  {PROG} UTKFace/ -o audit/ --faces cropped  # labels in the file names

DATASET is a folder of images with a CSV of columns path,gender,age[,race]
[,x1,y1,x2,y2] (paths relative to the folder; gender m/f; age in years; race
optional, UTKFace and FairFace spellings and variants such as caucasian or
african american, used as white / non-white, unknown labels listed; empty,
NA or unknown cells: not known; x1..y2 the labelled face's box in pixels,
for --face_choice box): the folder's labels.csv, the CSV given by --labels,
or the CSV itself. A folder without a CSV is read as UTKFace
([age]_[gender 0=m/1=f]_[race 0-4]_[date].jpg). Without ages the age
factor is left out.

Faces: 'cropped' (each image is one face), 'photos' (faces are detected;
--face_choice says which of several is the labelled one: the largest, the
most central, or the one overlapping the labelled box; images without a
face are reported and left out) or 'auto' (detected, with 25 % black
padding; images where none is found are analysed as cropped faces and
reported).

OUTDIR receives report.md (every table explained, with the figures),
summary.csv (the paper-style table: accuracy, age RMSE and MAE, each with its
gender (m - f), racial (white - non-white) and age (20-49 - 50+) bias over the
categories gender x race x age of adults), categories.csv, groups.csv
(children under 13 and teenagers apart), confusion.csv, calibration.csv,
abstention.csv (accuracy against coverage), resolution.csv (only with
--resolution_table: faces degraded to {", ".join(map(str, PAPER_RESOLUTIONS))}
px; it classifies every face once more per resolution: 3 to 15 times
slower), counts.csv (faces, photos with several faces or none, ages and race
labels missing), predictions.csv (one row per face), PNG figures and
provenance.json. The exit status is 1 when some label entries or images
could not be used (each reported on one line), 2 when nothing could be
evaluated.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = common.new_parser(PROG, DESCRIPTION)
    io = parser.add_argument_group("input and output")
    io.add_argument("dataset", metavar="DATASET", help="folder of labelled images (or its labels CSV)")
    io.add_argument("-o", dest="outdir", required=True, metavar="OUTDIR",
                    help="folder receiving the tables, report and figures (created if missing)")
    io.add_argument("--labels", metavar="CSV",
                    help="labels CSV (path,gender,age[,race][,x1,y1,x2,y2]); paths relative to DATASET")
    io.add_argument("--faces", choices=FACE_MODES, default="auto",
                    help="cropped: each image is a face; photos: detect faces; auto: detect, else whole image")
    io.add_argument("--face_choice", choices=FACE_CHOICES, default=LARGEST,
                    help="which of several detected faces is the labelled one: the largest, the nearest the "
                         "image centre, or the one overlapping the labels' x1,y1,x2,y2 box")
    io.add_argument("--no_plots", action="store_true", help="write no PNG figures")
    common.add_abstention_arguments(parser)
    ev = parser.add_argument_group("measures")
    ev.add_argument("--resolution_table", action="store_true",
                    help="also measure accuracy with faces degraded to N px (classifies every face once more per "
                         "resolution: 3 to 15 times slower)")
    ev.add_argument("--resolutions", type=int, nargs="+", metavar="N",
                    help=f"face sizes in pixels of the resolution table (implies --resolution_table; default "
                         f"{' '.join(map(str, PAPER_RESOLUTIONS))})")
    ev.add_argument("--no_resolution", action="store_true", help="no resolution table (the default)")
    common.add_classifier_argument(ev)
    ev.add_argument("--age_flip", action="store_true",
                    help="average the age of each face and of its mirror image (slightly better, slower)")
    common.add_detection_arguments(parser)
    parser.set_defaults(face_detection_padding=None)
    common.add_runtime_arguments(parser)
    return parser


def parse_config(parser: argparse.ArgumentParser, args: argparse.Namespace) -> EvaluationConfig:
    """Validate every option; the evaluation's configuration."""
    if args.face_detection_padding is None:
        args.face_detection_padding = DETECTION_PADDING.get(args.faces, 0.0)
    common.validate_detection_arguments(parser, args)
    if not Path(args.dataset).exists():
        parser.error(f"{args.dataset}: no such file or directory")
    if args.labels is not None and not Path(args.labels).is_file():
        parser.error(f"--labels {args.labels}: no such file")
    outdir = Path(args.outdir)
    if outdir.exists() and not outdir.is_dir():
        parser.error(f"-o {args.outdir}: exists and is not a directory")
    try:
        return EvaluationConfig(
            faces=args.faces,
            abstention=common.abstention_rule(parser, args),
            resolutions=resolutions(parser, args),
            batch_len=args.batch_size,
            face_choice=args.face_choice,
        )
    except ValueError as exc:
        parser.error(str(exc))


def resolutions(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[int, ...]:
    """The resolution table's sizes: none unless asked for (``--resolution_table`` or ``--resolutions``)."""
    if args.no_resolution:
        if args.resolution_table or args.resolutions:
            parser.error("--no_resolution contradicts --resolution_table / --resolutions")
        return ()
    if args.resolutions:
        return tuple(args.resolutions)
    return PAPER_RESOLUTIONS if args.resolution_table else ()


class StageBars:
    """A progress bar per stage of the evaluation, each closed when the next starts."""

    def __init__(self, reporter: common.Reporter) -> None:
        self.reporter = reporter
        self.stage: str | None = None
        self.bar: Any = None  # a tqdm bar while a stage runs

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = self.reporter.bar(total, stage, unit="face")
            self.update = common.progress_updater(self.bar)
        self.update(done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def report_missing(reporter: common.Reporter, predictions: pd.DataFrame, outdir: str, auto: bool) -> None:
    """One warning for faces not found, one for labelled boxes matching no face, one for whole-image
    fallbacks (``auto``), naming a few files."""
    status, found = predictions["status"], predictions["faces_found"]
    for rows, message in [
        (status.eq("no face") & found.eq(0), "no face found, left out"),
        (status.eq("no face") & found.gt(0), "the labelled box (x1,y1,x2,y2) overlaps no detected face, left out"),
        (status.eq("ok") & predictions["face_source"].eq("whole image") & auto,
         "no face detected, analysed as cropped faces"),
    ]:
        paths = predictions.loc[rows, "path"]
        if len(paths):
            names = ", ".join(paths.iloc[:MAX_LISTED])
            more = f" and {len(paths) - MAX_LISTED} more" if len(paths) > MAX_LISTED else ""
            reporter.warning(f"{len(paths)} image(s): {message} (see {outdir}/predictions.csv): {names}{more}")


def run(args: argparse.Namespace, config: EvaluationConfig, reporter: common.Reporter) -> int:
    dataset = load_dataset(args.dataset, args.labels)
    for problem in dataset.problems:
        reporter.error(problem)
    classifier = create(common.classifier_name(args), device=args.device, age_flip=args.age_flip)
    bars = StageBars(reporter)
    try:
        detector = detection.create(common.detector_name(args), common.detection_options(args),
                                    max_side=args.detection_max_side)
        ev = evaluate(dataset, config, classifier, detector, reporter.error, bars)
    finally:
        bars.close()
    if ev.faces.empty:
        reporter.error(f"{dataset.source}: no face could be evaluated")
        return 2
    report_missing(reporter, ev.predictions, args.outdir, auto=config.faces == "auto")
    report_labels(reporter, ev)
    write_report(ev, args.outdir, figures=not args.no_plots)
    row = ev.paper.set_index("metric")
    mae, rmse = row.loc["age MAE (years)", "all_faces"], row.loc["age RMSE (years)", "all_faces"]
    age = f"age MAE {mae:.2f}, RMSE {rmse:.2f} years" if ev.has_age else "age not measured (no age labels)"
    reporter.info(
        f"{ev.counts['classified faces']} faces: gender accuracy {row.loc['gender accuracy (%)', 'all_faces']:.1f} %, "
        f"{age}; report in {Path(args.outdir) / 'report.md'}"
    )
    return 0


def report_labels(reporter: common.Reporter, ev: Evaluation) -> None:
    """Warnings on what the labels did not allow: ages, race labels, photos with several faces."""
    if not ev.has_age:
        reporter.warning(f"{ev.source}: no age labels: the age factor is left out")
    if ev.unrecognized_races:
        races = list(ev.unrecognized_races.items())
        listed = ", ".join(f"{race!r} ({n})" for race, n in races[:MAX_LISTED])
        more = f" and {len(races) - MAX_LISTED} more" if len(races) > MAX_LISTED else ""
        reporter.warning(f"{ev.source}: race labels not recognised, left out of the racial factor: {listed}{more}")
    several = f"photos with several faces ({ev.config.face_choice} kept)"
    if ev.counts.get(several):
        reporter.warning(f"{ev.counts[several]} {several}; see --face_choice and the faces_found column")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = parse_config(parser, args)
    common.setup_logging(args.quiet)
    reporter = common.Reporter(PROG, args.quiet)
    return common.run_guarded(reporter, lambda: run(args, config, reporter))

if __name__ == "__main__":
    sys.exit(main())
