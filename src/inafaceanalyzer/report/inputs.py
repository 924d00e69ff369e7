"""Find the results tables a report covers: files, folders of them, campaign job lists.

Each argument is one of:

- a results table (``.csv`` or ``.parquet`` with a ``frame`` column), with its sidecar
  ``X.json`` when there is one; without a ``time`` column nor a sidecar giving the video's
  fps, a photo collection (image-engine results, see ``photos.py``);
- a folder: every results table below it (hidden files and folders skipped; other CSV
  files, such as job lists or earlier reports, are ignored with a warning);
- a campaign job list (CSV with ``source_path`` and ``dest_csv`` columns) or status table
  (the same plus ``state``): the ``dest_csv`` of jobs that are ``done`` or ``skipped``.
  Other jobs are reported as missing. A job list's states come from its status table
  ``<stem>.status.csv`` next to it when present.

Two results files of the same analysis (a ``.parquet`` export next to its ``.csv``, or two
runs: the same sidecar ``source``, engine and options; without a sidecar, the same file
name) are counted once: the CSV, else the first given, is used, and the other is listed as a
``duplicate`` problem saying which file was used.

Nothing here reads more than a file's header; the rows are read by DuckDB (``load.py``).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..media.files import find_files
from ..errors import SidecarError
from ..results.sidecar import Sidecar, read_sidecar

RESULT_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
DONE_STATES = ("done", "skipped")

StageHook = Callable[[str, int, "int | None"], None]
"""``hook(stage, completed, total)``: progress of a named stage of the report."""


@dataclass(frozen=True)
class ResultFile:
    """One results table (one video) and what its header and sidecar say."""

    path: Path
    fmt: str  # "csv" or "parquet"
    columns: tuple[str, ...]
    sidecar: Sidecar | None = None
    source: str | None = None  # the analysed video, from the sidecar or the job list

    @property
    def tracked(self) -> bool:
        return "face_id" in self.columns


@dataclass(frozen=True)
class InputProblem:
    """An input that is not in the report: ``kind`` is ``error`` (unreadable or malformed),
    ``missing`` (a campaign job without results) or ``duplicate`` (the same analysis as a
    file in the report)."""

    path: str
    reason: str
    kind: str = "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def analysis_key(f: ResultFile) -> tuple[str, ...]:
    """What identifies the analysis ``f`` holds: its sidecar's source, engine and options; else its file name."""
    if f.sidecar is not None and f.sidecar.source:
        return ("source", f.sidecar.source, f.sidecar.engine or "", f.sidecar.options)
    return ("name", f.path.stem)


def _describe(key: tuple[str, ...]) -> str:
    return f"same source {key[1]}, engine and options" if key[0] == "source" else f"same name {key[1]}, no sidecar"


def drop_duplicates(files: list[ResultFile]) -> tuple[list[ResultFile], list[InputProblem]]:
    """Keep one file per analysis (:func:`analysis_key`): the CSV, else the first; the others as problems."""
    groups: dict[tuple[str, ...], list[ResultFile]] = {}
    for f in files:
        groups.setdefault(analysis_key(f), []).append(f)
    kept, problems = [], []
    for key, group in groups.items():
        used = min(group, key=lambda f: f.fmt != "csv")  # stable: the first CSV, else the first file
        kept.append(used)
        problems += [InputProblem(str(f.path), f"counted once, from {used.path} ({_describe(key)})", "duplicate")
                     for f in group if f is not used]
    order = {id(f): i for i, f in enumerate(files)}
    return sorted(kept, key=lambda f: order[id(f)]), problems


class HasProblems:
    """``errors`` and ``missing`` views of a ``problems`` list."""

    problems: list[InputProblem]

    @property
    def errors(self) -> list[InputProblem]:
        """Results files that were unreadable or malformed and are left out."""
        return [p for p in self.problems if p.kind == "error"]

    @property
    def missing(self) -> list[InputProblem]:
        """Campaign jobs without results."""
        return [p for p in self.problems if p.kind == "missing"]

    @property
    def duplicates(self) -> list[InputProblem]:
        """Results files of an analysis already in the report (counted once)."""
        return [p for p in self.problems if p.kind == "duplicate"]


@dataclass
class Inputs(HasProblems):
    files: list[ResultFile] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _NotResults(ValueError):
    """A CSV that is not a results table (in a folder: ignored)."""


def _csv_header(path: Path) -> list[str]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            header = next(csv.reader(f), None)
    except OSError as exc:
        raise ValueError(f"cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"not a CSV text file ({exc.__class__.__name__})") from exc
    if not header:
        raise ValueError("empty file (no header line)")
    return [h.strip() for h in header]


def _parquet_columns(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except OSError as exc:
        raise ValueError(f"cannot read: {exc.strerror or exc}") from exc
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends
        raise ValueError(f"not a readable Parquet file ({' '.join(str(exc).split())[:200]})") from exc


def check_results_columns(columns: Iterable[str], sidecar: Sidecar | None) -> None:
    """Raise ``ValueError`` saying what is missing when ``columns`` cannot make a report"""
    columns = list(columns)
    cols = set(columns)
    if len(cols) != len(columns):
        dup = sorted({c for c in columns if columns.count(c) > 1})
        raise ValueError(f"duplicate column names: {', '.join(repr(c) for c in dup)}")
    if "frame" not in cols:
        raise _NotResults("not a results table: no 'frame' column")
    if "sex_label" not in cols and "sex_label_avg" not in cols:
        raise ValueError("no 'sex_label' column")


def scan_results_file(path: Path, source: str | None = None) -> ResultFile:
    """Header and sidecar of one results table; ``ValueError`` with the reason when unusable."""
    fmt = RESULT_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"unsupported file type '{path.suffix}' (expected .csv or .parquet)")
    if not path.is_file():
        raise ValueError("no such file")
    columns = _csv_header(path) if fmt == "csv" else _parquet_columns(path)
    try:
        sidecar = read_sidecar(path)
    except SidecarError as exc:
        raise ValueError(f"unusable sidecar: {exc}") from exc
    check_results_columns(columns, sidecar)
    return ResultFile(path, fmt, tuple(columns), sidecar, (sidecar.source if sidecar and sidecar.source else source))


def _read_table(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]
    except OSError as exc:
        raise ValueError(f"cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"not a CSV text file ({exc.__class__.__name__})") from exc


def _resolve_dest(dest: str, joblist: Path) -> Path:
    p = Path(dest).expanduser()
    if p.is_absolute():
        return p
    beside = joblist.parent / p
    return beside if beside.exists() or not p.exists() else p


def _campaign_jobs(path: Path, header: list[str]) -> list[tuple[str, str, str | None]]:
    """``(source_path, dest_csv, state or None)`` for each job of a job list or status table."""
    rows = _read_table(path)
    if "state" in header:
        return [(r.get("source_path", ""), r["dest_csv"], r.get("state", "").lower() or None) for r in rows]
    status = path.with_name(f"{path.stem}.status.csv")
    states: dict[Path, str] = {}
    if status.is_file():  # its paths may be absolute where the list's are relative: compare resolved paths
        for r in _read_table(status):
            if r.get("dest_csv"):
                states[_resolve_dest(r["dest_csv"], status).resolve()] = r.get("state", "").lower()
    return [(r.get("source_path", ""), r["dest_csv"], states.get(_resolve_dest(r["dest_csv"], path).resolve()))
            for r in rows]


def discover_inputs(paths: Iterable[str | os.PathLike[str]], progress: StageHook | None = None) -> Inputs:
    """Expand files, folders and campaign tables into the results tables to report on"""
    out = Inputs()
    candidates: list[tuple[Path, str | None, bool]] = []  # (path, source, named explicitly)
    ignored: list[str] = []

    def add_problem(p: str | os.PathLike[str], reason: str, kind: str = "error") -> None:
        out.problems.append(InputProblem(os.fspath(p), reason, kind))

    for arg in paths:
        p = Path(arg).expanduser()
        if p.is_dir():
            candidates.extend((f, None, False) for f in find_files(p, RESULT_SUFFIXES))
            continue
        if not p.exists():
            add_problem(p, "no such file or folder")
            continue
        if p.suffix.lower() == ".csv":
            try:
                header = _csv_header(p)
            except ValueError as exc:
                add_problem(p, str(exc))
                continue
            if "dest_csv" in header:
                try:
                    jobs = _campaign_jobs(p, header)
                except (ValueError, KeyError) as exc:
                    add_problem(p, f"unreadable campaign table: {exc}")
                    continue
                for job_source, dest, state in jobs:
                    if not dest:
                        add_problem(p, f"job {job_source or '?'} has an empty dest_csv")
                        continue
                    target = _resolve_dest(dest, p)
                    if state is None and not target.exists():
                        add_problem(target, f"no results yet (job {job_source or dest}, not in any status table)",
                                    "missing")
                    elif state is not None and state not in DONE_STATES:
                        add_problem(target, f"job state is '{state}' (job {job_source or dest})", "missing")
                    else:
                        candidates.append((target, job_source or None, True))
                continue
        candidates.append((p, None, True))

    unique: dict[Path, tuple[Path, str | None, bool, Path]] = {}
    for path, source, named in candidates:
        key = path.resolve()
        if key in unique:  # named explicitly anywhere counts as named
            k, src, was_named, shown = unique[key]
            unique[key] = (k, src or source, was_named or named, shown)
        else:
            unique[key] = (key, source, named, path)
    total = len(unique)
    for i, (key, source, named, shown) in enumerate(unique.values()):
        try:
            out.files.append(scan_results_file(key, source))
        except _NotResults as exc:
            if named:
                add_problem(shown, f"{exc} (nor a campaign job list: no 'dest_csv' column)")
            else:
                ignored.append(os.fspath(shown))
        except ValueError as exc:
            add_problem(shown, str(exc))
        if progress is not None:
            progress("inputs", i + 1, total)
    out.files, duplicates = drop_duplicates(out.files)
    out.problems += duplicates
    if ignored:
        listed = ", ".join(ignored[:3]) + (f" and {len(ignored) - 3} more" if len(ignored) > 3 else "")
        out.warnings.append(f"ignored {len(ignored)} CSV file(s) in folders that are not results tables: {listed}")
    return out
