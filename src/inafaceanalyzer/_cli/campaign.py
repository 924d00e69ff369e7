"""``ina_face_analyzer_campaign``: run a job list of videos on this machine or on a Ray cluster."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from ..campaign import CampaignError, CampaignProgress, JobListError, read_joblist, run_campaign
from ..campaign.status import default_status_path
from .. import engines
from ..errors import InaFaceAnalyzerError
from ..engines.jobs import VIDEO_ENGINES, AnalysisOptions
from ..engines.options import add_argument as add_option
from . import common

PROG = "ina_face_analyzer_campaign"

DESCRIPTION = """\
Analyse every video of a job list, on this machine or on a Ray cluster, and
keep a status table; rerunning the same command only runs what is missing.

  ina_face_analyzer_campaign jobs.csv --engine video --fps 1
  ina_face_analyzer_campaign jobs.csv --engine video --fps 1 --ray-address 10.0.0.1:6379

The job list is a CSV with a header: source_path and dest_csv (required),
dest_ass and dest_mp4 (optional); relative paths are relative to the job
list's folder. Each worker loads the models once and processes many videos.
Missing output folders are created. A failed job is retried (--retries) unless
retrying cannot help: an unusable input (missing or corrupt file) or an output
that cannot be written (a file in the way, no permission). Jobs whose source is
missing or whose output folder cannot be created are refused before anything
runs, one line each; the other jobs run. The status table (--status, default <joblist>.status.csv)
records each job's state, attempts, worker, duration, error and provenance.
Exit status: 0 when every job is done or skipped, 1 when some failed, 2 for
invalid arguments or when the campaign could not run.
"""


def add_campaign_arguments(parser: argparse.ArgumentParser) -> None:
    """Everything but the job list and the cluster address (shared with the distributed server)."""
    ana = parser.add_argument_group("analysis")
    ana.add_argument("--engine", choices=VIDEO_ENGINES, default="video",
                     help="; ".join(engines.spec(name).help for name in VIDEO_ENGINES))
    add_option(ana, "fps", help="frames analysed per second of video; default: every frame")
    add_option(ana, "detect_period", help="videotracking: run face detection every N analysed frames")
    ana.add_argument("--detections", metavar="BOXES", default=None,
                     help="videoprecomputed: a folder holding <basename>.csv (columns frame, bbox) for each video")
    run = parser.add_argument_group("campaign")
    run.add_argument("--workers", type=int, default=None, metavar="N",
                     help="number of workers (Ray actors, each loading the models once); default: one per "
                          "core (or per GPU) here, or as many as the cluster's nodes can hold")
    run.add_argument("--cpus-per-worker", type=float, default=1.0, metavar="C",
                     help="CPUs reserved by each worker")
    run.add_argument("--gpus-per-worker", type=float, default=0.0, metavar="G",
                     help="GPUs reserved by each worker (e.g. 1, or 0.5 for two workers per GPU); its "
                          "classifiers then run on CUDA")
    run.add_argument("--retries", type=int, default=2, metavar="N",
                     help="times a failed job is tried again (worker died, I/O error...); unusable "
                          "inputs and unwritable outputs are not retried")
    run.add_argument("--job-timeout", type=float, default=None, metavar="SECONDS",
                     help="kill a job's worker after this long and retry the job elsewhere")
    run.add_argument("--status", default=None, metavar="PATH",
                     help="status table to write (default: <joblist stem>.status.csv next to the job list)")
    common.add_detection_arguments(parser)
    common.add_abstention_arguments(parser)
    common.add_classifier_argument(parser)
    common.add_runtime_arguments(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = common.new_parser(PROG, DESCRIPTION)
    parser.add_argument("joblist", metavar="JOBLIST", help="CSV job list (source_path, dest_csv[, dest_ass, dest_mp4])")
    parser.add_argument("--ray-address", default=None, metavar="HOST:PORT",
                        help="join this Ray cluster (its nodes started with `ray start` or "
                             "ina_face_analyzer_distributed_worker.py); default: a local Ray instance")
    add_campaign_arguments(parser)
    return parser


def validate(parser: argparse.ArgumentParser, args: argparse.Namespace):
    """Check every argument and read the job list; returns (job list, options, status path)."""
    common.validate_detection_arguments(parser, args)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.cpus_per_worker <= 0 and not args.gpus_per_worker:
        parser.error("--cpus-per-worker must be > 0")
    if args.gpus_per_worker < 0 or args.cpus_per_worker < 0:
        parser.error("--cpus-per-worker and --gpus-per-worker cannot be negative")
    if args.retries < 0:
        parser.error("--retries cannot be negative")
    if args.job_timeout is not None and args.job_timeout <= 0:
        parser.error("--job-timeout must be > 0")
    options = common.analysis_options(parser, args, args.engine, detections=args.detections)
    try:
        joblist = read_joblist(args.joblist)
    except JobListError as exc:
        parser.error(str(exc))
    status = Path(args.status) if args.status else default_status_path(joblist.path)
    common.output_directory(parser, status.parent, "--status")
    return joblist, options, status


def run(args: argparse.Namespace, joblist, options: AnalysisOptions, status: Path, address: str | None,
        reporter: common.Reporter) -> int:
    """Run the campaign with progress bar and one-line errors; the exit status."""
    for warning in joblist.warnings:
        reporter.warning(warning)
    bar = reporter.bar(len(joblist), "jobs", unit="job", lines=True)
    shown: set[tuple[int, int]] = set()
    state = {"failed": 0}

    def progress(p: CampaignProgress) -> None:
        bar.set_postfix_str(f"done={p.done} failed={p.failed} skipped={p.skipped} running={p.running} "
                            f"left={p.remaining} {p.jobs_per_hour:.0f} jobs/h", refresh=False)
        if p.failed > state["failed"] and p.message:
            reporter.error(p.message)  # one line per failed job: "<source>: <reason>"
        elif p.message.startswith("waiting") and (p.done, p.failed) not in shown:
            shown.add((p.done, p.failed))
            reporter.info(p.message)
        state["failed"] = p.failed
        bar.update(p.done + p.failed + p.skipped - bar.n)
        bar.refresh()

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            summary = run_campaign(joblist, options, address=address, workers=args.workers,
                                   cpus_per_worker=args.cpus_per_worker, gpus_per_worker=args.gpus_per_worker,
                                   retries=args.retries, job_timeout_s=args.job_timeout, status_path=status,
                                   progress=progress)
    except KeyboardInterrupt:
        bar.close()
        reporter.error(f"interrupted; finished results are kept, rerun the same command to resume ({status})")
        return 130
    except (CampaignError, InaFaceAnalyzerError) as exc:
        bar.close()
        reporter.error(exc)
        return 2
    bar.close()
    reporter.info(f"{summary.done} done, {summary.failed} failed, {summary.skipped} skipped "
                  f"({summary.retried} retried) of {summary.total} jobs in {summary.elapsed_s:.1f} s; "
                  f"status: {summary.status_path}")
    return 1 if summary.failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    joblist, options, status = validate(parser, args)
    common.setup_logging(args.quiet)
    reporter = common.Reporter(PROG, args.quiet)
    return run(args, joblist, options, status, args.ray_address, reporter)


if __name__ == "__main__":
    sys.exit(main())
