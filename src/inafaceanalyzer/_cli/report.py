"""``ina_face_analyzer_report``: screen time and people by gender and age, as tables and an HTML report."""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
from pathlib import Path
from typing import ClassVar

from ..errors import InaFaceAnalyzerError
from ..report.options import CSV_NAMES, DEFAULT_AGE_BOUNDS, HTML_NAME, AgeBrackets, ReportOptions
from . import common

PROG = "ina_face_analyzer_report"

DESCRIPTION = f"""\
Aggregate results tables into how much women and men, by age bracket, are seen:
face-time, distinct people (tracked results), share of women, faces per frame,
timelines; with bootstrap confidence intervals. Writes to OUTDIR one
self-contained {HTML_NAME} (figures embedded) and the tables as CSV:
{textwrap.fill(', '.join(CSV_NAMES.values()), 80)}.

  ina_face_analyzer_report results/ -o report/
  ina_face_analyzer_report a.csv b.parquet campaign.status.csv -o report/ --fps 1

RESULTS are results tables (.csv or .parquet, one per video), folders of them
(searched recursively), or campaign job lists / status tables (the dest_csv of
jobs that are done or skipped; others are reported as missing).

Face-time: each face row counts for the time its analysed frame stands for,
from the sidecar X.json written next to X.csv by the analysis (1/fps with --fps
sampling; for keyframes, up to the next analysed keyframe). Without a sidecar,
give --fps, or the median gap between analysed times is used (with a warning).
Share of women = women / (women + men): faces of unknown gender (label u) are
counted apart, never in the denominator. Tracked results (face_id) count
distinct people with their smoothed labels (sex_label_avg, age_label_avg);
untracked results use per-face labels and have no people counts.

Results of the image engines (no time column: 'frame' holds image paths) make
a photo collection report: faces by gender and age bracket, photos showing
women or men, with intervals from bootstrapping photos; no timelines.

Unreadable or malformed results files are reported on one line each and left
out; the exit status is then 1 (2 for invalid arguments or when no report can
be made).
"""


def _positive(kind: type, what: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{what} must be positive, got {text!r}")
        return value
    return parse


def _brackets(text: str) -> AgeBrackets:
    try:
        return AgeBrackets.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = common.new_parser(PROG, DESCRIPTION)
    io = parser.add_argument_group("input and output")
    io.add_argument("results", nargs="+", metavar="RESULTS",
                    help="results tables (.csv/.parquet), folders of them, or campaign job lists / status tables")
    io.add_argument("-o", dest="outdir", required=True, metavar="OUTDIR",
                    help=f"folder receiving {HTML_NAME} and the CSV tables (created if needed; files of the same "
                         "names are replaced)")
    io.add_argument("--title", default=ReportOptions.title, help="title of the HTML report")
    io.add_argument("--tables_only", action="store_true",
                    help=f"write the CSV tables only, no {HTML_NAME} (no figures drawn)")
    agg = parser.add_argument_group("aggregation")
    agg.add_argument("--fps", type=_positive(float, "--fps"), default=None,
                     help="analysed frames per second, for results without a sidecar JSON (each analysed frame "
                          "then stands for 1/fps s); default: read from the sidecar, else inferred")
    agg.add_argument("--age_brackets", type=_brackets,
                     default=",".join(str(b) for b in DEFAULT_AGE_BOUNDS), metavar="LOWER_BOUNDS",
                     help="age brackets as comma-separated lower bounds starting at 0, e.g. 0,20,35,50,65 gives "
                          "0-19, 20-34, 35-49, 50-64, 65+")
    agg.add_argument("--keyframe_max_s", type=_positive(float, "--keyframe_max_s"),
                     default=ReportOptions.keyframe_max_s,
                     help="keyframe results: a keyframe stands until the next analysed keyframe with faces, for at "
                          "most this many seconds")
    agg.add_argument("--timeline_bin", type=_positive(float, "--timeline_bin"), default=None,
                     metavar="SECONDS", help="width of the timeline bins (default: about 40 bins over the longest "
                                             "video, rounded)")
    agg.add_argument("--validation", nargs="+", default=None, metavar="LABELS",
                     help="a labelled validation sample (ina_face_analyzer_validate): its folder and/or labels.csv "
                          "files; adds the shares of women and age distribution corrected for the classifier's "
                          "errors (corrected.csv, corrected_age.csv and a report section)")
    ci = parser.add_argument_group("confidence intervals (block bootstrap)")
    ci.add_argument("--block_s", type=_positive(float, "--block_s"), default=ReportOptions.block_s,
                    help="length in seconds of the contiguous time blocks resampled within each video")
    ci.add_argument("--bootstrap", type=int, default=ReportOptions.n_bootstrap, metavar="N",
                    help="bootstrap replicates (0: no intervals; else at least 100)")
    ci.add_argument("--seed", type=int, default=ReportOptions.seed, help="random seed of the bootstrap")
    ci.add_argument("--confidence", type=float, default=ReportOptions.confidence,
                    help="confidence level of the intervals")
    rt = parser.add_argument_group("runtime")
    rt.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")
    rt.add_argument("-q", "--quiet", action="store_true", help="no progress bars or information messages")
    return parser


class _Bars:
    """One tqdm bar per stage of the report."""

    NAMES: ClassVar[dict[str, tuple[str, str]]] = {"inputs": ("checking inputs", "file"), "read": ("reading rows", "file"),
             "bootstrap": ("bootstrap", "rep")}
    NO_RATE: ClassVar[set[str]] = {"bootstrap"}  # replicates are drawn in vectorised blocks: a rate means nothing

    def __init__(self, reporter: common.Reporter) -> None:
        self.reporter = reporter
        self.bars: dict = {}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        bar = self.bars.get(stage)
        if bar is None:
            desc, unit = self.NAMES.get(stage, (stage, "it"))
            bar = self.bars[stage] = self.reporter.bar(total, desc, unit=unit, rate=stage not in self.NO_RATE)
        common.progress_updater(bar)(done, total)
        if total is not None and done >= total:
            bar.close()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        options = ReportOptions(
            age_brackets=args.age_brackets, fps=args.fps, block_s=args.block_s, n_bootstrap=args.bootstrap,
            seed=args.seed, confidence=args.confidence, keyframe_max_s=args.keyframe_max_s,
            timeline_bin_s=args.timeline_bin, title=args.title, html=not args.tables_only,
        )
    except ValueError as exc:
        parser.error(str(exc))
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1")
    outdir = Path(args.outdir)
    if outdir.exists() and not outdir.is_dir():
        parser.error(f"-o {outdir}: exists and is not a folder")
    common.setup_logging(args.quiet)
    reporter = common.Reporter(PROG, args.quiet)
    from ..report.build import build_report  # DuckDB, pandas, matplotlib: after the arguments are checked

    bars = _Bars(reporter)
    try:
        validation = None
        if args.validation:
            from ..validation import load_validation

            validation = load_validation(args.validation, on_problem=lambda p: reporter.error(p)
                                         if p.kind == "error" else reporter.warning(p))
        result = build_report(args.results, outdir, options, progress=bars, threads=args.threads,
                              validation=validation,
                              on_problem=lambda p: reporter.error(p) if p.kind == "error" else
                              reporter.warning(f"{p} ({p.kind})"),
                              on_warning=reporter.warning)
    except KeyboardInterrupt:
        bars.close()
        reporter.error("interrupted; no partial report was left")
        return 130
    except InaFaceAnalyzerError as exc:
        bars.close()
        reporter.error(exc)
        return 2
    bars.close()
    s = result.tables.summary.iloc[0]
    photos = "photos" in s  # a photo collection
    share = s["share_women_faces" if photos else "share_women_facetime"]
    share_txt = "n/a" if math.isnan(share) else f"{share:.1%}"
    counted = (f"{int(s['photos'])} photos, women's share of faces" if photos else
               f"{int(s['videos'])} videos, women's share of face-time")
    reporter.info(f"{counted} {share_txt}; report written to {result.html or result.outdir}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
