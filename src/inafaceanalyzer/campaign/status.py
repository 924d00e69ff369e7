"""The campaign status table: one row per job, rewritten atomically as jobs change state.

Columns (see :data:`STATUS_COLUMNS`): the job (``source_path``, ``dest_csv``,
``dest_ass``, ``dest_mp4``), its ``state`` (:data:`STATES`), ``attempts`` (over
every run of the campaign), the ``worker`` (``hostname:pid``) and ``node`` (Ray
node IP) of the last attempt, ``started``/``finished`` (UTC, ISO 8601),
``duration_s``, ``faces`` and ``frames_analysed``, the last ``error`` and its
``error_kind`` (``permanent``: the input itself is unusable, not retried;
``transient``: the worker died or the system failed, retried), and the
provenance of the attempt: ``inafaceanalyzer_version``, ``models_sha256``
(``file=sha256`` pairs of the models the worker loaded) and ``options`` (JSON).

The file is written under a temporary name then renamed, so a killed driver
always leaves a complete table. It is only bookkeeping: the outputs on disk
decide what a rerun does (a job whose files all exist is never run again).
"""

from __future__ import annotations

import csv
import os
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ..atomic import atomic_output
from ..engines.jobs import VideoJob
from .joblist import JobListError

PENDING, RUNNING, RETRYING, DONE, FAILED, SKIPPED = "pending", "running", "retrying", "done", "failed", "skipped"
STATES = (PENDING, RUNNING, RETRYING, DONE, FAILED, SKIPPED)
"""``pending`` (not started), ``running``, ``retrying`` (an attempt failed, another is queued),
``done`` (outputs written by this campaign), ``failed`` (gave up; see ``error``),
``skipped`` (every output already existed)."""
FINISHED = (DONE, FAILED, SKIPPED)

JOB_COLUMNS = ("source_path", "dest_csv", "dest_ass", "dest_mp4")
STATUS_COLUMNS = JOB_COLUMNS + (
    "state", "attempts", "worker", "node", "started", "finished", "duration_s", "faces", "frames_analysed",
    "error", "error_kind", "inafaceanalyzer_version", "models_sha256", "options",
)


def default_status_path(joblist: str | os.PathLike[str]) -> Path:
    """``<joblist stem>.status.csv`` next to the job list."""
    joblist = Path(joblist)
    return joblist.with_name(f"{joblist.stem}.status.csv")


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def job_row(job: VideoJob) -> dict[str, str]:
    return {
        "source_path": job.source, "dest_csv": str(job.dest_csv),
        "dest_ass": str(job.dest_ass or ""), "dest_mp4": str(job.dest_mp4 or ""),
    }


def read_status(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """The rows of a status table (every column as text)."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise JobListError(f"{path}: cannot read the status table: {exc}") from exc


class StatusTable:
    """The status rows of a campaign's jobs, kept in memory and flushed to ``path``.

    Rows of a previous run (same file, same ``dest_csv``) are taken over, so
    ``attempts`` accumulate and finished jobs keep their details. Every change
    is written at once, unless the last write was slow: the table is then
    written at most every ``slow_factor`` times its own writing time (a very
    long list never spends more than ~1/slow_factor of the driver's time
    rewriting itself), and always by :meth:`flush`.
    """

    def __init__(self, path: str | os.PathLike[str], jobs: Iterable[VideoJob], slow_factor: float = 20.0) -> None:
        self.path = Path(path)
        self.slow_factor = slow_factor
        previous: dict[str, dict[str, str]] = {}
        if self.path.is_file():
            previous = {row.get("dest_csv", ""): row for row in read_status(self.path)}
        self.rows: dict[VideoJob, dict[str, str]] = {}
        for job in jobs:
            row = dict.fromkeys(STATUS_COLUMNS, "")
            old = previous.get(str(job.dest_csv))
            if old and old.get("source_path") == job.source:
                row.update({k: v for k, v in old.items() if k in row and v is not None})
            row.update(job_row(job))
            row["state"] = row["state"] or PENDING
            row["attempts"] = row["attempts"] or "0"
            self.rows[job] = row
        self._next_write = 0.0
        self._dirty = True

    def __getitem__(self, job: VideoJob) -> dict[str, str]:
        return self.rows[job]

    def state(self, job: VideoJob) -> str:
        return self.rows[job]["state"]

    def attempts(self, job: VideoJob) -> int:
        return int(self.rows[job]["attempts"] or 0)

    def update(self, job: VideoJob, **fields: object) -> None:
        """Set some columns of a job's row (``None`` clears a cell) and write the table."""
        row = self.rows[job]
        for key, value in fields.items():
            if key not in row:
                raise KeyError(f"no status column {key!r}")
            row[key] = "" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))
        self._dirty = True
        self.flush(force=False)

    def counts(self) -> Counter[str]:
        return Counter(row["state"] for row in self.rows.values())

    def flush(self, force: bool = True) -> None:
        """Write the table (atomically) if it changed; when not forced, respect the slow-write pacing."""
        if not self._dirty or (not force and time.monotonic() < self._next_write):
            return
        start = time.monotonic()
        with atomic_output(self.path) as tmp, tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=STATUS_COLUMNS)
            writer.writeheader()
            writer.writerows(self.rows.values())
        end = time.monotonic()
        self._next_write = end + self.slow_factor * (end - start) if (end - start) > 0.005 else 0.0
        self._dirty = False
