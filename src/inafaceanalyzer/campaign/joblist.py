"""Campaign job lists: the original's CSV of videos and the files to write for each.

Columns (header row required, as in the original's distributed server):

- ``source_path`` (required): a video path or an http(s) URL;
- ``dest_csv`` (required): the results table to write (its JSON sidecar goes
  next to it, ``<stem>.json``);
- ``dest_ass``, ``dest_mp4`` (optional, may be left empty): subtitle and
  annotated-video exports.

Relative paths (sources and destinations) are resolved against the folder of
the job list, not the current directory, so that a list keeps its meaning
wherever the command is started. Unknown columns are reported as warnings and
ignored; rows identical after resolution are kept once. Two different jobs
writing the same file is an error.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from ..atomic import make_output_folder
from ..errors import JobListError, OutputError, OutputPathError
from ..results.sidecar import sidecar_path
from ..engines.jobs import VideoJob
from ..media.video import is_url

REQUIRED_COLUMNS = ("source_path", "dest_csv")
OPTIONAL_COLUMNS = ("dest_ass", "dest_mp4")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


@dataclass(frozen=True)
class JobList:
    """The jobs of a list, in file order, with what was noticed while reading it."""

    path: Path
    jobs: tuple[VideoJob, ...]
    warnings: tuple[str, ...] = ()
    duplicates: int = 0

    def __len__(self) -> int:
        return len(self.jobs)


def _resolve(value: str, base: Path) -> Path:
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else base / path


def _source(value: str, base: Path) -> str:
    return value if is_url(value) else str(_resolve(value, base))


def read_joblist(path: str | os.PathLike[str]) -> JobList:
    """Read and validate a job list CSV (see the module docstring for its format).

    Raises :class:`JobListError` for an unreadable file, a missing required
    column or value, or two jobs writing the same output.
    """
    path = Path(path)
    base = path.resolve().parent
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise JobListError(f"{path}: cannot read the job list: {reason}") from exc
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise JobListError(f"{path}: the job list is empty (expected a header: {', '.join(COLUMNS)})")
    header = [cell.strip() for cell in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise JobListError(f"{path}: missing required column(s) {', '.join(missing)} "
                           f"(header: {', '.join(header) or 'empty'})")
    warnings = []
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        warnings.append(f"{path}: ignoring unknown column(s) {', '.join(unknown)}")
    index = {name: header.index(name) for name in COLUMNS if name in header}

    jobs: dict[VideoJob, int] = {}
    writers: dict[Path, tuple[int, VideoJob]] = {}
    duplicates = 0
    for line, row in enumerate(rows[1:], start=2):
        cells = {name: row[i].strip() if i < len(row) else "" for name, i in index.items()}
        for name in REQUIRED_COLUMNS:
            if not cells[name]:
                raise JobListError(f"{path}:{line}: empty {name}")
        dest_csv = _resolve(cells["dest_csv"], base)
        if dest_csv.suffix.lower() == ".json":
            raise JobListError(f"{path}:{line}: dest_csv {cells['dest_csv']} ends in .json, "
                               "the name of its own metadata sidecar")
        job = VideoJob(
            source=_source(cells["source_path"], base),
            dest_csv=dest_csv,
            dest_ass=_resolve(cells["dest_ass"], base) if cells.get("dest_ass") else None,
            dest_mp4=_resolve(cells["dest_mp4"], base) if cells.get("dest_mp4") else None,
        )
        if job in jobs:
            duplicates += 1
            continue
        for output in job_files(job):
            if output in writers:
                other_line, _ = writers[output]
                raise JobListError(f"{path}:{line}: {output} is also written by the job on line {other_line}")
            writers[output] = (line, job)
        jobs[job] = line
    if duplicates:
        warnings.append(f"{path}: dropped {duplicates} duplicate row(s)")
    return JobList(path=path, jobs=tuple(jobs), warnings=tuple(warnings), duplicates=duplicates)


def job_files(job: VideoJob) -> list[Path]:
    """Every file a job writes: its requested outputs and the CSV's JSON sidecar."""
    return [sidecar_path(job.dest_csv), *job.outputs()]


def make_output_folders(job: VideoJob, checked: set[Path] | None = None) -> None:
    """Create the folders of every file ``job`` writes; ``OutputPathError`` when one cannot be created or written.

    ``checked``: folders already found usable (skipped, and those of ``job`` added to it)."""
    for folder, output in {p.parent: p for p in job_files(job)}.items():  # one check per folder
        if checked is None or folder not in checked:
            make_output_folder(output)
            if checked is not None:
                checked.add(folder)


def job_problem(job: VideoJob, checked: set[Path] | None = None) -> str | None:
    """Why ``job`` cannot succeed, found before any analysis (``None`` when nothing is wrong up front):
    a local source that does not exist, an output folder that cannot be created or written,
    an annotated MP4 that would overwrite its source.
    The output folders are created on the way (``checked``: see :func:`make_output_folders`)."""
    if not is_url(job.source):
        if not Path(job.source).exists():
            return f"{job.source}: no such file"
        if job.dest_mp4 is not None and job.dest_mp4.resolve() == Path(job.source).resolve():
            return f"{job.dest_mp4}: the annotated MP4 would overwrite its source video"
    try:
        make_output_folders(job, checked)
    except OutputPathError as exc:
        return str(exc)
    except OutputError:  # perhaps passing (full disk, share not mounted yet): the worker tries, and retries
        pass
    return None


def write_joblist(jobs: list[VideoJob], path: str | os.PathLike[str]) -> Path:
    """Write ``jobs`` as a job list CSV (absolute paths), e.g. to generate one from a folder."""
    from ..atomic import atomic_output

    with atomic_output(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for job in jobs:
            writer.writerow([job.source, job.dest_csv, job.dest_ass or "", job.dest_mp4 or ""])
    return Path(path)
