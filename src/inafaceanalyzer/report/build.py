"""``build_report``: results tables in, tables (CSV) and one HTML report out."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from ..atomic import atomic_output
from ..errors import OutputError, ReportError
from . import aggregate, plots
from .html import Figures, render
from .inputs import HasProblems, InputProblem, Inputs, ResultFile, StageHook, discover_inputs
from .load import load_faces
from .options import CSV_NAMES, HTML_NAME, ReportOptions
from .photos import PhotoTables, is_photo_collection
from .sampling import decide_sampling, timeline_bin
from .tables import ReportTables, run_bootstrap, summarise

if TYPE_CHECKING:
    from ..validation.score import Validation


@dataclass
class ReportResult(HasProblems):
    """What ``build_report`` wrote and found; ``errors`` and ``missing`` list the inputs left out."""

    outdir: Path
    html: Path | None  # None when options.html is False
    files: list[Path]
    tables: ReportTables | PhotoTables  # PhotoTables for a photo collection (image-engine results)
    problems: list[InputProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _inputs_table(videos: pd.DataFrame, problems: list[InputProblem]) -> pd.DataFrame:
    ok = pd.DataFrame({"path": videos["results_file"], "status": "included", "video": videos["video"], "reason": ""})
    bad = pd.DataFrame({"path": [p.path for p in problems], "status": [p.kind for p in problems], "video": "",
                        "reason": [p.reason for p in problems]})
    return pd.concat([ok, bad], ignore_index=True) if len(bad) else ok


def _round(df: pd.DataFrame) -> pd.DataFrame:
    return df.round(6)


def _file_mode() -> int:
    """Permissions of a newly created file under the current umask (``atomic_output``'s
    temporary files are created 0600; a report is meant to be read by others)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


MIXED = ("no 'time' column: a photo collection (results of an image engine), left out of a report on videos: "
         "report it on its own")


def _connect(threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")  # the library never prints; progress goes to the hook
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _write(out: Path, names: dict[str, str], frames: dict[str, pd.DataFrame], html: str | None) -> list[Path]:
    """Write the tables ``frames[key]`` as ``out/names[key]``, then the HTML; each atomically."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder: {exc.strerror or exc}") from exc
    written = []
    mode = _file_mode()
    for key, name in names.items():
        with atomic_output(out / name) as tmp:
            _round(frames[key]).to_csv(tmp, index=False)
            tmp.chmod(mode)
        written.append(out / name)
    if html is not None:  # last: a report.html is never older than the tables beside it
        with atomic_output(out / HTML_NAME) as tmp:
            tmp.write_text(html, encoding="utf-8")
            tmp.chmod(mode)
        written.append(out / HTML_NAME)
    return written


def _photo_report(files: list[ResultFile], out: Path, options: ReportOptions, problems: list[InputProblem],
                  warnings: list[str], emit: Callable[[], None], progress: Callable[[int, int], None] | None,
                  threads: int | None) -> ReportResult:
    """The report of photo collections (see ``photos.py``): counts of faces, no timelines."""
    from . import photos
    from .photos_html import render_photos

    con = _connect(threads)
    try:
        failed = photos.load_photo_faces(con, files)
        problems += failed
        emit()
        bad = {p.path for p in failed}
        skip = frozenset(i for i, f in enumerate(files) if str(f.path) in bad)
        if len(skip) == len(files):
            raise ReportError(f"no usable results file: nothing to report ({len(problems)} input(s) left out, "
                              "see the messages above)")
        tables = photos.photo_tables(con, files, options, skip, progress)
    finally:
        con.close()
    names = {**photos.CSV_NAMES, "inputs": CSV_NAMES["inputs"]}
    frames = {**tables.frames(),
              "inputs": _inputs_table(tables.collections.rename(columns={"collection": "video"}), problems)}
    html = render_photos(tables, options, problems, warnings, list(names.values())) if options.html else None
    written = _write(out, names, frames, html)
    return ReportResult(out, out / HTML_NAME if html is not None else None, written, tables, problems, warnings)


def build_report(
    inputs: Iterable[str | os.PathLike[str]] | Inputs,
    outdir: str | os.PathLike[str],
    options: ReportOptions | None = None,
    *,
    progress: StageHook | None = None,
    on_problem: Callable[[InputProblem], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    threads: int | None = None,
    validation: Validation | None = None,
) -> ReportResult:
    """Aggregate results tables into ``outdir``: ``report.html`` and the tables as CSV.

    ``inputs``: results files, folders, campaign job lists or status tables (see
    ``discover_inputs``), or an ``Inputs`` already discovered. Unusable inputs are reported
    to ``on_problem`` (and in the result) and left out; ``on_warning`` receives notes such
    as sampling inferred without a sidecar. ``progress(stage, completed, total)`` follows
    the long stages (``inputs``, ``read``, ``bootstrap``). Each output is written
    atomically, and only once everything has been computed. Raises ``ReportError`` when no
    results file can be used (nothing is written then). ``validation`` (a labelled validation
    sample, ``validation.load_validation``) adds the corrected section and its tables.
    """
    options = options or ReportOptions()
    out = Path(outdir)

    def hook(stage: str) -> Callable[[int, int | None], None] | None:
        return None if progress is None else (lambda done, total: progress(stage, done, total))

    found = inputs if isinstance(inputs, Inputs) else discover_inputs(inputs, progress)
    problems, warnings = list(found.problems), list(found.warnings)
    emitted_p, emitted_w = 0, 0

    def emit() -> None:
        nonlocal emitted_p, emitted_w
        if on_problem is not None:
            for p in problems[emitted_p:]:
                on_problem(p)
        if on_warning is not None:
            for w in warnings[emitted_w:]:
                on_warning(w)
        emitted_p, emitted_w = len(problems), len(warnings)

    emit()
    files = found.files
    photo_files = [f for f in files if is_photo_collection(f)]
    if photo_files and len(photo_files) == len(files):
        if validation is not None:
            warnings.append("--validation: the corrected section is made for video results only; for a photo "
                            "collection, 'ina_face_analyzer_validate score' gives the corrected figures")
            emit()
        return _photo_report(files, out, options, problems, warnings, emit, hook("bootstrap"), threads)
    if photo_files:  # videos and photos: the videos are reported
        problems += [InputProblem(str(f.path), MIXED) for f in photo_files]
        files = [f for f in files if not is_photo_collection(f)]
        emit()
    samplings, overridden = [], []
    for f in files:
        sampling, warning = decide_sampling(f, options.fps)
        samplings.append(sampling)
        if warning:
            overridden.append(warning)
    if len(overridden) > 3:  # one line, not a thousand
        overridden = [(f"{len(overridden)} results files have a sidecar giving another sampling than --fps "
                       f"{options.fps:g}; their sidecars were used (first: {overridden[0]})")]
    warnings += overridden
    emit()

    con = _connect(threads)
    try:
        video_fps = [f.sidecar.video_fps if f.sidecar is not None else None for f in files]
        failed = load_faces(con, files, video_fps, hook("read"))
        problems += failed
        bad_paths = {p.path for p in failed}
        skip = frozenset(i for i, f in enumerate(files) if str(f.path) in bad_paths)
        prepared = aggregate.prepare_videos(con, files, samplings, options, skip)
        problems += prepared.problems
        warnings += prepared.warnings
        emit()
        videos = prepared.videos
        if videos.empty:
            raise ReportError("no usable results file: nothing to report" + (
                f" ({len(problems)} input(s) left out, see the messages above)" if problems else ""))
        bin_s = options.timeline_bin_s or timeline_bin(float(videos["end_s"].max()))
        aggregate.build_faces(con, options, bin_s)
        grid = aggregate.age_grid(con, len(options.age_brackets.all_labels))
        persons = aggregate.persons(con)
        fpf = aggregate.faces_per_frame(con)
        tl = aggregate.timeline(con, bin_s)
        blocks = aggregate.block_facetime(con)
    finally:
        con.close()

    correction = None
    if validation is not None:  # the validation sample's corrected section
        from ..validation.corrected import ReportCorrection

        correction = ReportCorrection(validation, options)
    replicates = run_bootstrap(videos, blocks, persons, options, hook("bootstrap"),
                               correction.selector if correction is not None else None)
    tables = summarise(videos, grid, persons, fpf, tl, replicates, options, bin_s)
    frames = {
        "summary": tables.summary,
        "videos": tables.videos,
        "age": tables.age,
        "timeline": tables.timeline,
        "faces_per_frame": tables.faces_per_frame,
        "people": tables.people,
        "inputs": _inputs_table(videos, problems),
    }
    csv_names = dict(CSV_NAMES)
    sections = []
    if correction is not None:
        from ..validation.corrected import CSV_NAMES as CORRECTED_NAMES

        corrected = correction.tables(grid, videos, tables.summary, tables.videos, replicates)
        frames.update(corrected)
        csv_names.update(CORRECTED_NAMES)
        warnings += correction.warnings
        emit()
        if options.html:
            sections.append(correction.html(corrected, options.max_videos_in_html))
    html = None
    if options.html:
        n_tracked = int(tables.summary["videos_tracked"].iloc[0])
        figures = Figures(
            timeline=plots.timeline(tables, len(videos)),
            age_pyramid=plots.age_pyramid(tables, people=n_tracked > 0),
            per_video=plots.per_video(tables),
            faces_per_frame=plots.faces_per_frame(tables),
        )
        html = render(tables, figures, options, problems, warnings, list(csv_names.values()),
                      extra_sections=sections)

    written = _write(out, csv_names, frames, html)
    return ReportResult(out, out / HTML_NAME if html is not None else None, written, tables, problems, warnings)
