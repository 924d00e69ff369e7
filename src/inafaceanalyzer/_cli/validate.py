"""``ina_face_analyzer_validate``: measure the classifier's errors on your own material and correct for them."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from ..report.options import DEFAULT_AGE_BOUNDS
from . import common
from .report import _Bars, _brackets, _positive

PROG = "ina_face_analyzer_validate"

DESCRIPTION = """\
Draw a validation sample of the faces (or people) of results tables, label it
in a browser, and measure the classifier's errors and correct the estimates.

  ina_face_analyzer_validate sample results/ -o validation/ --n 400
  (open validation/annotate.html, label, save labels.csv into validation/)
  ina_face_analyzer_validate score validation/ validation/labels.csv
  ina_face_analyzer_report results/ -o report/ --validation validation/

sample: a random sample stratified by predicted gender (f, m, u) and age
bracket, with known inclusion probabilities; writes sample.csv, strata.csv,
population.csv, sample.json and annotate.html (one self-contained page: keys
f, m, u = can't tell, x = not a face, digits = age bracket; predictions hidden).
score: agreement of the classifier with people (and between people) and the
share of women and age distribution corrected with the measured confusion,
with intervals for the uncertainty of the validation sample.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = common.new_parser(PROG, DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{sample,score}")
    sp = sub.add_parser("sample", help="draw a validation sample and write its annotation page",
                        formatter_class=common.Formatter, description="Draw a stratified validation sample.")
    sp.add_argument("results", nargs="+", metavar="RESULTS",
                    help="results tables (.csv/.parquet, image results too), folders of them, or campaign job lists")
    sp.add_argument("-o", dest="outdir", required=True, metavar="DIR", help="sample folder (created if needed)")
    sp.add_argument("--n", type=_positive(int, "--n"), default=400, help="items to draw")
    sp.add_argument("--unit", choices=("face", "person"), default="face",
                    help="sample face rows, or people (tracks of tracked results)")
    sp.add_argument("--seed", type=int, default=0, help="random seed of the draw")
    sp.add_argument("--age_brackets", "--age-brackets", type=_brackets,
                    default=",".join(str(b) for b in DEFAULT_AGE_BOUNDS), metavar="LOWER_BOUNDS",
                    help="age brackets as comma-separated lower bounds starting at 0 (as in the report)")
    sp.add_argument("--fps", type=_positive(float, "--fps"), default=None,
                    help="analysed frames per second, for results without a sidecar JSON")
    sp.add_argument("--thumbnail_px", "--thumbnail-px", type=int, default=200, help="thumbnail height in pixels")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bars or information messages")
    sc = sub.add_parser("score", help="agreement and corrected estimates from labels",
                        formatter_class=common.Formatter, description="Score a labelled validation sample.")
    sc.add_argument("sample", metavar="DIR", help="the sample folder (its labels*.csv files are read too)")
    sc.add_argument("labels", nargs="*", metavar="LABELS.csv", help="labels files (one per annotator)")
    sc.add_argument("-o", dest="outdir", default=None, metavar="OUTDIR",
                    help="folder receiving the score tables (default: the sample folder)")
    sc.add_argument("--replicates", type=int, default=2000, help="replicates of the validation sample")
    sc.add_argument("--seed", type=int, default=0, help="random seed of the replicates")
    sc.add_argument("--confidence", type=float, default=0.95, help="confidence level of the intervals")
    sc.add_argument("-q", "--quiet", action="store_true", help="no information messages")
    return parser


def _problem(reporter: common.Reporter):
    """Unreadable inputs are errors (exit status 1); missing campaign jobs, skipped rows are warnings."""
    return lambda p: reporter.error(p) if p.kind == "error" else reporter.warning(p)


def run_sample(args: argparse.Namespace, reporter: common.Reporter) -> int:
    from ..validation import SampleOptions, draw_sample

    try:
        options = SampleOptions(n=args.n, unit=args.unit, seed=args.seed, age_brackets=args.age_brackets,
                                fps=args.fps, thumbnail_px=args.thumbnail_px)
    except ValueError as exc:
        reporter.error(exc)
        return 2
    bars = _Bars(reporter)
    try:
        result = draw_sample(args.results, args.outdir, options, progress=bars, on_problem=_problem(reporter))
    finally:
        bars.close()
    for w in result.warnings:
        reporter.warning(w)
    missing = int((~result.sample["thumbnail"]).sum())
    reporter.info(f"{len(result.sample)} {'faces' if args.unit == 'face' else 'people'} drawn from {len(result.strata)} strata"
                  + (f" ({missing} without thumbnail)" if missing else "")
                  + f"; open {Path(args.outdir) / 'annotate.html'} to label them")
    return 1 if reporter.failures else 0


def run_score(args: argparse.Namespace, reporter: common.Reporter) -> int:
    from ..validation import score_sample

    if not 0.5 <= args.confidence < 1:
        reporter.error("--confidence must be in [0.5, 1)")
        return 2
    if args.replicates < 100:
        reporter.error("--replicates must be at least 100")
        return 2
    result = score_sample([args.sample, *args.labels], args.outdir, n_replicates=args.replicates, seed=args.seed,
                          confidence=args.confidence, on_problem=_problem(reporter))
    for w in result.warnings:
        reporter.warning(w)
    acc = result.tables["agreement"].set_index("metric").loc["accuracy"]
    row = result.tables["corrected"].iloc[0]

    def pct(x: float) -> str:
        return "n/a" if math.isnan(x) else f"{x:.1%}"

    reporter.info(f"{result.validation.labels.answers['sample_id'].nunique()} items labelled by "
                  f"{len(result.validation.labels.annotators)} annotator(s); accuracy {pct(acc['value'])}; "
                  f"share of women {pct(row['uncorrected'])} uncorrected, {pct(row['corrected'])} corrected "
                  f"[{pct(row['ci_low'])}-{pct(row['ci_high'])}]; tables in {result.files[0].parent}")
    return 1 if reporter.failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    common.setup_logging(args.quiet)
    reporter = common.Reporter(PROG, args.quiet)
    runner = run_sample if args.command == "sample" else run_score
    return common.run_guarded(reporter, lambda: runner(args, reporter))


if __name__ == "__main__":
    sys.exit(main())
