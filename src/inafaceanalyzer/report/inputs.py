"""Find the results tables a report covers: files, folders of them, campaign job lists.

Each argument is one of:

- a results table (``.csv`` or ``.parquet`` with a ``frame`` column), with its sidecar
  ``X.json`` when there is one;
- a folder: every results table below it (hidden files and folders skipped; other CSV
  files, such as job lists or earlier reports, are ignored with a warning);
- a campaign job list (CSV with ``source_path`` and ``dest_csv`` columns) or status table
  (the same plus ``state``): the ``dest_csv`` of jobs that are ``done`` or ``skipped``.
  Other jobs are reported as missing. A job list's states come from its status table
  ``<stem>.status.csv`` next to it when present.

Nothing here reads more than a file's header; the rows are read by DuckDB (``load.py``).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .sidecar import Sidecar, SidecarError, read_sidecar

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
    """An input that is not in the report: ``kind`` is ``error`` (unreadable or malformed)
    or ``missing`` (a campaign job without results)."""

    path: str
    reason: str
    kind: str = "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


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


def check_results_columns(columns: Iterable[str], sidecar: Sidecar | None, untimed_ok: bool = False) -> None:
    """Raise ``ValueError`` saying what is missing when ``columns`` cannot make a report
    (``untimed_ok``: accept image results, whose frames have no time; validation samples do)."""
    columns = list(columns)
    cols = set(columns)
    if len(cols) != len(columns):
        dup = sorted({c for c in columns if columns.count(c) > 1})
        raise ValueError(f"duplicate column names: {', '.join(repr(c) for c in dup)}")
    if "frame" not in cols:
        raise _NotResults("not a results table: no 'frame' column")
    if "sex_label" not in cols and "sex_label_avg" not in cols:
        raise ValueError("no 'sex_label' column")
    if "time" not in cols and (sidecar is None or sidecar.video_fps is None) and not untimed_ok:
        raise ValueError(
            "no 'time' column and no sidecar giving the video's fps: cannot place the frames in time "
            "(results of image engines cannot make a representation report)"
        )


def scan_results_file(path: Path, source: str | None = None, untimed_ok: bool = False) -> ResultFile:
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
    check_results_columns(columns, sidecar, untimed_ok)
    return ResultFile(path, fmt, tuple(columns), sidecar, (sidecar.source if sidecar and sidecar.source else source))


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _folder_files(folder: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.suffix.lower() in RESULT_SUFFIXES and not _is_hidden(p, folder):
                found.append(p)
    return found


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
    states: dict[str, str] = {}
    if status.is_file():
        for r in _read_table(status):
            if r.get("dest_csv"):
                states[r["dest_csv"]] = r.get("state", "").lower()
    return [(r.get("source_path", ""), r["dest_csv"], states.get(r["dest_csv"])) for r in rows]


def discover_inputs(paths: Iterable[str | os.PathLike[str]], progress: StageHook | None = None,
                    untimed_ok: bool = False) -> Inputs:
    """Expand files, folders and campaign tables into the results tables to report on
    (``untimed_ok``: image results too, see ``check_results_columns``)."""
    out = Inputs()
    candidates: list[tuple[Path, str | None, bool]] = []  # (path, source, named explicitly)
    ignored: list[str] = []

    def add_problem(p: object, reason: str, kind: str = "error") -> None:
        out.problems.append(InputProblem(os.fspath(p), reason, kind))

    for arg in paths:
        p = Path(arg).expanduser()
        if p.is_dir():
            candidates.extend((f, None, False) for f in _folder_files(p))
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
                for source, dest, state in jobs:
                    if not dest:
                        add_problem(p, f"job {source or '?'} has an empty dest_csv")
                        continue
                    target = _resolve_dest(dest, p)
                    if state is None and not target.exists():
                        add_problem(target, f"no results yet (job {source or dest}, not in any status table)",
                                    "missing")
                    elif state is not None and state not in DONE_STATES:
                        add_problem(target, f"job state is '{state}' (job {source or dest})", "missing")
                    else:
                        candidates.append((target, source or None, True))
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
            out.files.append(scan_results_file(key, source, untimed_ok))
        except _NotResults as exc:
            if named:
                add_problem(shown, f"{exc} (nor a campaign job list: no 'dest_csv' column)")
            else:
                ignored.append(os.fspath(shown))
        except ValueError as exc:
            add_problem(shown, str(exc))
        if progress is not None:
            progress("inputs", i + 1, total)
    if ignored:
        listed = ", ".join(ignored[:3]) + (f" and {len(ignored) - 3} more" if len(ignored) > 3 else "")
        out.warnings.append(f"ignored {len(ignored)} CSV file(s) in folders that are not results tables: {listed}")
    return out
