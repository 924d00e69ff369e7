"""Drive a campaign: skip what is already done, run the rest on Ray, keep the status table.

Resume semantics: a job is *skipped* when every file it asks for (its CSV and
the CSV's JSON sidecar, plus ``dest_ass``/``dest_mp4`` when given) exists, so a
rerun of the same job list only runs what is missing: jobs that failed, never
started, or were running when a driver or worker was killed. Outputs are
written under hidden temporary names (``.<stem>.<random>.part.<ext>``) then
renamed, so a killed worker leaves no file under a final name; the temporary
files of a job are removed before the job is run again and at the end of the
campaign.

Before anything is dispatched, each job to run is checked: a local source that does not
exist, or an output folder that cannot be created or written (output folders are created
on the fly), fails the job at once as a *permanent* error (no attempt, never retried); the
other jobs run.
"""

from __future__ import annotations

import glob
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..engines.jobs import AnalysisOptions, VideoJob
from .joblist import JobList, job_files, job_problem, read_joblist
from .status import DONE, FAILED, FINISHED, RETRYING, RUNNING, SKIPPED, StatusTable, default_status_path, utc_now
from .worker import PERMANENT, Outcome


@dataclass
class CampaignProgress:
    """What the progress hook receives after every change."""

    total: int
    done: int
    failed: int
    skipped: int
    running: int
    elapsed_s: float
    message: str = ""

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.failed - self.skipped

    @property
    def jobs_per_hour(self) -> float:
        return 3600.0 * (self.done + self.failed) / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass
class CampaignSummary:
    """What a campaign did in this run (``done``/``failed``: jobs finished now; ``skipped``: already there)."""

    total: int
    done: int = 0
    failed: int = 0
    skipped: int = 0
    attempts: int = 0
    retried: int = 0
    elapsed_s: float = 0.0
    startup_s: float = 0.0
    status_path: Path | None = None
    errors: dict[str, str] = field(default_factory=dict)  # source -> last error of failed jobs

    @property
    def ok(self) -> bool:
        return self.failed == 0


ProgressCallback = Callable[[CampaignProgress], None]


def is_complete(job: VideoJob) -> bool:
    """Whether every file the job writes already exists."""
    return all(p.is_file() for p in job_files(job))


def stale_parts(job: VideoJob) -> list[Path]:
    """Temporary files left by interrupted writes of the job's outputs."""
    found = []
    for final in job_files(job):
        pattern = str(final.parent / f".{glob.escape(final.stem)}.*.part{glob.escape(final.suffix)}")
        found += [Path(p) for p in glob.glob(pattern)]
    return found


def remove_stale_parts(job: VideoJob) -> int:
    count = 0
    for part in stale_parts(job):
        try:
            part.unlink()
            count += 1
        except FileNotFoundError:
            pass
    return count


def refuse_unusable(jobs: list[VideoJob], status: StatusTable, summary: CampaignSummary, counts: dict[str, int],
                    report: Callable[[str], None]) -> list[VideoJob]:
    """Fail the jobs that cannot succeed (:func:`~.joblist.job_problem`) without running them; the others."""
    runnable: list[VideoJob] = []
    usable_folders: set[Path] = set()  # each folder checked once, however many jobs write there
    for job in jobs:
        problem = job_problem(job, usable_folders)
        if problem is None:
            runnable.append(job)
            continue
        status.update(job, state=FAILED, finished=utc_now(), error=problem, error_kind=PERMANENT, duration_s=None,
                      worker=None, node=None)
        counts["failed"] += 1
        summary.errors[job.source] = problem
        report(problem)
    return runnable


def run_campaign(
    joblist: JobList | str | os.PathLike[str],
    options: AnalysisOptions,
    *,
    address: str | None = None,
    workers: int | None = None,
    cpus_per_worker: float = 1,
    gpus_per_worker: float = 0,
    retries: int = 2,
    job_timeout_s: float | None = None,
    status_path: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
    temp_dir: str | None = None,
) -> CampaignSummary:
    """Run every unfinished job of ``joblist`` with ``options``; return what happened.

    ``address=None`` starts an embedded local Ray instance with ``workers``
    actors (default: one per core, or one per GPU with ``gpus_per_worker``);
    an address (``host:port``) joins that cluster and, without ``workers``,
    keeps as many actors as its nodes can hold (nodes may join while it runs).
    Failed attempts are retried up to ``retries`` times (not for unusable
    inputs). ``progress`` receives a :class:`CampaignProgress` after each change.
    """
    from . import ray_backend

    if not isinstance(joblist, JobList):
        joblist = read_joblist(joblist)
    if retries < 0:
        raise ValueError(f"retries must be >= 0, got {retries}")
    status = StatusTable(status_path or default_status_path(joblist.path), joblist.jobs)
    summary = CampaignSummary(total=len(joblist.jobs), status_path=status.path)
    start = time.monotonic()
    counts = {"done": 0, "failed": 0, "skipped": 0, "running": 0}

    def report(message: str = "") -> None:
        if progress is not None:
            progress(CampaignProgress(total=summary.total, elapsed_s=time.monotonic() - start,
                                      message=message, **counts))

    todo: list[VideoJob] = []
    for job in joblist.jobs:
        if is_complete(job):
            if status.state(job) != DONE:
                status.update(job, state=SKIPPED, error=None, error_kind=None)
            counts["skipped"] += 1
        else:
            remove_stale_parts(job)
            if status.state(job) in FINISHED or status.state(job) == RUNNING:
                status.update(job, state="pending")
            todo.append(job)
    summary.skipped = counts["skipped"]
    status.flush()
    report()
    todo = refuse_unusable(todo, status, summary, counts, report)
    if not todo:
        summary.failed = counts["failed"]
        summary.elapsed_s = time.monotonic() - start
        return summary

    if address is None:
        # One worker per core by default; with GPUs, Ray counts them and the pool sizes itself.
        num_cpus = max(1, math.ceil(workers * cpus_per_worker)) if workers else (os.cpu_count() or 1)
        if os.environ.get("RAY_AUTH_MODE", "token") == "token" and not ray_backend.token_available():
            from .cluster import ensure_token

            ensure_token()  # Ray would create ~/.ray/auth_token itself, but readable by all (mode 644)
        ray_backend.connect(None, num_cpus=num_cpus, temp_dir=temp_dir)
    else:
        ray_backend.connect(address)
    try:
        pool = ray_backend.RayPool(options, workers=workers, cpus_per_worker=cpus_per_worker,
                                   gpus_per_worker=gpus_per_worker, retries=retries, job_timeout_s=job_timeout_s)
        if address is None and pool.capacity() < 1:
            raise ray_backend.CampaignError(
                f"this machine cannot hold one worker ({cpus_per_worker:g} CPU"
                + (f", {gpus_per_worker:g} GPU: Ray finds no GPU here)" if gpus_per_worker else ")"))
        summary.startup_s = time.monotonic() - start

        def started(job: VideoJob, identity: dict) -> None:
            counts["running"] += 1
            summary.attempts += 1
            status.update(job, state=RUNNING, attempts=status.attempts(job) + 1, started=utc_now(),
                          finished=None, worker=identity.get("worker"), node=identity.get("node"))
            report()

        def finished(job: VideoJob, outcome: Outcome, final: bool) -> None:
            counts["running"] -= 1
            if outcome.ok:
                state = DONE
            elif final:
                state = FAILED
            else:
                state = RETRYING
                summary.retried += 1
                remove_stale_parts(job)
            fields = dict(state=state, finished=utc_now(), duration_s=round(outcome.duration_s, 3),
                          worker=outcome.worker, node=outcome.node, error=outcome.error,
                          error_kind=outcome.error_kind, faces=outcome.faces,
                          frames_analysed=outcome.frames_analysed, **outcome.provenance)
            status.update(job, **fields)
            if state == DONE:
                counts["done"] += 1
            elif state == FAILED:
                counts["failed"] += 1
                summary.errors[job.source] = outcome.error or ""
            report("" if outcome.ok else outcome.error or "")

        pool.run(todo, started, finished, idle=report)
    finally:
        status.flush()
        for job in todo:
            remove_stale_parts(job)
        ray_backend.shutdown()
    summary.done, summary.failed = counts["done"], counts["failed"]
    summary.elapsed_s = time.monotonic() - start
    return summary
