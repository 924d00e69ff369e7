"""The heavy aggregation, in DuckDB SQL over the loaded face rows.

``faces_raw`` (``load.py``) + a small ``videos`` table -> ``faces``: each face row with its
weight ``w`` (seconds of screen time it stands for), age bracket, bootstrap block and
timeline bin. Everything the report shows is a GROUP BY over ``faces`` (and ``persons``,
one row per tracked person); only these small grouped results come back to pandas.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import duckdb
import pandas as pd

from .inputs import InputProblem, ResultFile
from .options import ALL, ReportOptions
from .sampling import Sampling, inferred

SEXES = ("f", "m", "u")


def video_names(paths: Sequence[Path]) -> list[str]:
    """Short unique names: the file stem; else the path below the common folder, without and then
    with its suffix. ``ALL`` is kept for the whole set."""

    def usable(names: list[str]) -> bool:
        return len(set(names)) == len(names) and ALL not in names

    names = [p.stem for p in paths]
    if usable(names):
        return names
    try:
        root: Path | None = Path(os.path.commonpath([str(p.parent) for p in paths]))
    except ValueError:  # different drives
        root = None
    relative = [PurePath(p).relative_to(root) if root is not None else PurePath(p) for p in paths]
    names = [str(r.with_suffix("")) for r in relative]
    return names if usable(names) else [str(r) for r in relative]


@dataclass
class Prepared:
    videos: pd.DataFrame  # one row per video kept (see prepare_videos)
    problems: list[InputProblem]
    warnings: list[str]


def prepare_videos(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[ResultFile],
    samplings: Sequence[Sampling],
    options: ReportOptions,
    skip: frozenset[int] = frozenset(),
) -> Prepared:
    """Per video: sampling, analysed span, frames analysed, bootstrap blocks.

    Reads from ``faces_raw``; creates the ``videos`` table. Videos whose sampling cannot
    be told are returned as problems and left out, as are the indices in ``skip`` (files
    that failed to load).
    """
    stats = con.execute(
        """
        WITH d AS (SELECT DISTINCT vid, t FROM faces_raw WHERE t IS NOT NULL),
        g AS (SELECT vid, t - lag(t) OVER (PARTITION BY vid ORDER BY t) AS dt FROM d)
        SELECT s.vid, s.n_rows, s.n_timed, s.t_min, s.t_max, s.n_times, gg.median_gap
        FROM (SELECT vid, count(*) AS n_rows, count(t) AS n_timed, min(t) AS t_min, max(t) AS t_max,
                     count(DISTINCT t) AS n_times FROM faces_raw GROUP BY vid) AS s
        LEFT JOIN (SELECT vid, median(dt) AS median_gap FROM g WHERE dt > 0 GROUP BY vid) AS gg USING (vid)
        """
    ).df().set_index("vid")
    problems: list[InputProblem] = []
    warnings: list[str] = []
    names = video_names([f.path for f in files])
    guessed: list[tuple[Path, float]] = []  # sampling inferred from the time column
    rows = []
    for vid, (f, sampling) in enumerate(zip(files, samplings)):
        if vid in skip:
            continue
        st: Any = stats.loc[vid] if vid in stats.index else None
        n_rows = int(st.n_rows) if st is not None else 0
        n_timed = int(st.n_timed) if st is not None else 0
        n_times = int(st.n_times) if st is not None else 0
        gap = float(st.median_gap) if st is not None and pd.notna(st.median_gap) else None
        if n_rows > n_timed:
            warnings.append(f"{f.path}: {n_rows - n_timed} face row(s) without a time were ignored")
        sc = f.sidecar
        if sampling.inferred:
            if gap is None:
                if n_timed == 0 and sc is None:
                    warnings.append(f"{f.path}: no face rows and no sidecar: its analysed duration is unknown "
                                    "(counted as 0 s)")
                    sampling = Sampling(False, None, "unknown (no faces, no sidecar)")
                else:
                    problems.append(InputProblem(str(f.path), "cannot tell how the video was sampled (no sidecar and "
                                                 "faces at fewer than two times): give the report --fps"))
                    continue
            else:
                sampling = inferred(gap)
                guessed.append((f.path, gap))
        first = sc.first_time_s if sc is not None and sc.first_time_s is not None else (
            float(st.t_min) if n_timed else 0.0)
        last = sc.last_time_s if sc is not None and sc.last_time_s is not None else (
            float(st.t_max) if n_timed else first)
        if n_timed:
            first, last = min(first, float(st.t_min)), max(last, float(st.t_max))
        duration = sc.duration_s if sc is not None else None
        frames = sc.frames_analysed if sc is not None else None
        estimated = frames is None
        if sampling.keyframes:
            tail = min(gap if gap is not None else options.keyframe_max_s, options.keyframe_max_s)
            end = duration if duration is not None and duration > last else last + tail
            analysed = max(end - first, 0.0)
            if frames is None:
                frames = n_times
        elif sampling.interval_s is None:  # no faces, no sidecar, no --fps
            end, analysed, frames = first, 0.0, 0
        else:
            if frames is None:
                frames = (round((last - first) / sampling.interval_s) + 1) if n_timed else 0
            analysed = frames * sampling.interval_s
            end = first + analysed
        if frames < n_times:
            warnings.append(f"{f.path}: faces at {n_times} distinct times but {frames} frames analysed; "
                            f"using {n_times}")
            frames = n_times
            if not sampling.keyframes and sampling.interval_s is not None:
                analysed = max(analysed, frames * sampling.interval_s)
                end = first + analysed
        rows.append({
            "vid": vid,
            "video": names[vid],
            "results_file": str(f.path),
            "source": f.source or "",
            "engine": (sc.engine if sc is not None and sc.engine else ("videotracking" if f.tracked else "")),
            "tracked": f.tracked,
            "labels": "smoothed per person" if "sex_label_avg" in f.columns else "per face",
            "keyframes": sampling.keyframes,
            "interval_s": sampling.interval_s,
            "sampling": sampling.how,
            "first_s": float(first),
            "last_s": float(last),
            "end_s": float(end),
            "frames_analysed": int(frames),
            "frames_estimated": estimated,
            "analysed_s": float(analysed),
            "n_blocks": math.floor(max(last - first, 0.0) / options.block_s) + 1,
        })
    if len(guessed) <= 3:
        for path, gap in guessed:
            warnings.append(f"{path}: no sidecar {path.with_suffix('.json').name}: each analysed frame taken to "
                            f"stand for {gap:g} s, the median gap between analysed times (give --fps to set it)")
    elif guessed:
        gaps = sorted({gap for _, gap in guessed})
        listed = ", ".join(str(p) for p, _ in guessed[:3])
        warnings.append(f"{len(guessed)} results files have no sidecar ({listed}, ...): each analysed frame taken to "
                        f"stand for the median gap between its analysed times ({gaps[0]:g} to {gaps[-1]:g} s; give "
                        "--fps to set it)")
    videos = pd.DataFrame(rows, columns=[
        "vid", "video", "results_file", "source", "engine", "tracked", "labels", "keyframes", "interval_s",
        "sampling", "first_s", "last_s", "end_s", "frames_analysed", "frames_estimated", "analysed_s", "n_blocks"])
    videos["interval_s"] = videos["interval_s"].astype("float64")
    con.register("videos_df", videos[["vid", "tracked", "keyframes", "interval_s", "first_s", "end_s", "n_blocks",
                                      "frames_analysed"]])
    con.execute(
        "CREATE OR REPLACE TEMP TABLE videos AS SELECT CAST(vid AS INTEGER) AS vid, tracked, keyframes, "
        "CAST(interval_s AS DOUBLE) AS interval_s, first_s, end_s, CAST(n_blocks AS INTEGER) AS n_blocks, "
        "CAST(frames_analysed AS BIGINT) AS frames_analysed FROM videos_df"
    )
    con.unregister("videos_df")
    return Prepared(videos, problems, warnings)


def build_faces(con: duckdb.DuckDBPyConnection, options: ReportOptions, bin_s: float) -> None:
    """Create ``faces`` (weighted face rows) and ``persons`` (one row per tracked person)."""
    bracket = options.age_brackets.sql_index
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE faces AS
        WITH times AS (
            SELECT DISTINCT r.vid, r.t FROM faces_raw r JOIN videos v USING (vid)
            WHERE r.t IS NOT NULL AND v.keyframes),
        nxt AS (SELECT vid, t, lead(t) OVER (PARTITION BY vid ORDER BY t) AS next_t FROM times)
        SELECT r.vid, r.t, r.face_id, r.sex, r.age, r.child, {bracket('r.age')} AS bracket,
            CASE WHEN v.keyframes
                 THEN greatest(least(coalesce(n.next_t, v.end_s) - r.t, $cap), 0.0)
                 ELSE v.interval_s END AS w,
            CAST(least(greatest(floor((r.t - v.first_s) / $block), 0), v.n_blocks - 1) AS INTEGER) AS blk,
            CAST(floor(greatest(r.t, 0) / $bin) AS INTEGER) AS bin
        FROM faces_raw r JOIN videos v USING (vid)
        LEFT JOIN nxt n ON n.vid = r.vid AND n.t = r.t
        WHERE r.t IS NOT NULL AND (v.keyframes OR v.interval_s IS NOT NULL)
        """,
        {"cap": options.keyframe_max_s, "block": options.block_s, "bin": bin_s},
    )
    con.execute("DROP TABLE faces_raw")  # everything else reads `faces`
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE persons AS
        SELECT p.*, {bracket('p.age')} AS bracket FROM (
            SELECT f.vid, f.face_id, mode(f.sex) AS sex, median(f.age) AS age, sum(f.w) AS facetime_s,
                   count(*) AS faces, min(f.t) AS first_t, max(f.t) AS last_t, min(f.blk) AS blk
            FROM faces f JOIN videos v USING (vid)
            WHERE v.tracked AND f.face_id IS NOT NULL
            GROUP BY f.vid, f.face_id) AS p
        """
    )


def _by_sex(value: str, sex_column: str = "sex") -> str:
    return ", ".join(f"coalesce({value} FILTER (WHERE {sex_column} = '{x}'), 0) AS {name}"
                     for x, name in (("f", "women"), ("m", "men"), ("u", "unknown")))


def age_grid(con: duckdb.DuckDBPyConnection, n_brackets: int) -> pd.DataFrame:
    """Every video x age bracket (``n_brackets`` includes 'unknown'): face-time and face rows by
    gender (and the face-time of the ``u`` that look like a child, part of the unknown), and for
    tracked videos people by gender (NULL for untracked videos)."""
    return con.execute(
        f"""
        WITH ft AS (SELECT vid, bracket, {_by_sex("sum(w)")}, count(*) AS faces,
                    sum(w) FILTER (WHERE sex = 'u' AND child) AS child FROM faces GROUP BY vid, bracket),
        pp AS (SELECT vid, bracket, {_by_sex("count(*)")} FROM persons GROUP BY vid, bracket)
        SELECT v.vid, b.bracket,
            coalesce(ft.women, 0) AS facetime_women_s, coalesce(ft.men, 0) AS facetime_men_s,
            coalesce(ft.unknown, 0) AS facetime_unknown_s, coalesce(ft.child, 0) AS facetime_unknown_child_s,
            coalesce(ft.faces, 0) AS faces,
            CASE WHEN v.tracked THEN coalesce(pp.women, 0) END AS people_women,
            CASE WHEN v.tracked THEN coalesce(pp.men, 0) END AS people_men,
            CASE WHEN v.tracked THEN coalesce(pp.unknown, 0) END AS people_unknown
        FROM videos v CROSS JOIN (SELECT CAST(unnest(range({int(n_brackets)})) AS INTEGER) AS bracket) b
        LEFT JOIN ft ON ft.vid = v.vid AND ft.bracket = b.bracket
        LEFT JOIN pp ON pp.vid = v.vid AND pp.bracket = b.bracket
        ORDER BY v.vid, b.bracket
        """
    ).df()


def persons(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per tracked person: smoothed label, face-time, first and last time seen."""
    return con.execute(
        "SELECT vid, face_id, sex, age, bracket, facetime_s, faces, first_t, last_t, blk FROM persons "
        "ORDER BY vid, face_id"
    ).df()


def faces_per_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Analysed frames with 0, 1, 2, ... faces per video. Frames with no face have no row in
    the results: their number is the frames analysed minus the frames with faces."""
    return con.execute(
        """
        WITH per AS (
            SELECT vid, n_faces, count(*) AS frames
            FROM (SELECT vid, t, count(*) AS n_faces FROM faces GROUP BY vid, t) GROUP BY vid, n_faces),
        zero AS (
            SELECT v.vid, 0 AS n_faces, greatest(v.frames_analysed - coalesce(sum(p.frames), 0), 0) AS frames
            FROM videos v LEFT JOIN per p USING (vid) GROUP BY v.vid, v.frames_analysed)
        SELECT vid, CAST(n_faces AS INTEGER) AS n_faces, CAST(frames AS BIGINT) AS frames FROM zero
        UNION ALL SELECT vid, CAST(n_faces AS INTEGER), CAST(frames AS BIGINT) FROM per
        ORDER BY vid, n_faces
        """
    ).df()


def timeline(con: duckdb.DuckDBPyConnection, bin_s: float) -> pd.DataFrame:
    """Every video x time bin it covers: analysed seconds in the bin, face-time by gender."""
    return con.execute(
        f"""
        WITH bins AS (
            SELECT vid, first_s, end_s,
                   unnest(range(CAST(floor(first_s / $bin) AS BIGINT), CAST(ceil(end_s / $bin) AS BIGINT))) AS bin
            FROM videos WHERE end_s > first_s),
        ft AS (SELECT vid, bin, {_by_sex("sum(w)")} FROM faces GROUP BY vid, bin)
        SELECT b.vid, CAST(b.bin AS INTEGER) AS bin, b.bin * $bin AS t_start_s, (b.bin + 1) * $bin AS t_end_s,
            least((b.bin + 1) * $bin, b.end_s) - greatest(b.bin * $bin, b.first_s) AS analysed_s,
            coalesce(ft.women, 0) AS facetime_women_s, coalesce(ft.men, 0) AS facetime_men_s,
            coalesce(ft.unknown, 0) AS facetime_unknown_s
        FROM bins b LEFT JOIN ft ON ft.vid = b.vid AND ft.bin = b.bin
        ORDER BY b.vid, b.bin
        """,
        {"bin": bin_s},
    ).df()


def block_facetime(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Face-time (s) per video x bootstrap block x sex x age bracket."""
    return con.execute("SELECT vid, blk, sex, bracket, sum(w) AS facetime_s FROM faces GROUP BY ALL ORDER BY ALL").df()
