"""Read the face rows of many results tables into one compact DuckDB table.

Files are read by DuckDB itself (``read_csv`` over lists of CSV files sharing a header, with
the columns declared; ``read_parquet`` with ``union_by_name``), a chunk of files per query,
keeping only the columns the report needs::

    faces_raw(vid INTEGER, t DOUBLE, face_id BIGINT, sex VARCHAR, age DOUBLE, child BOOLEAN)

``sex`` and ``age`` are the per-person smoothed labels (``sex_label_avg``,
``age_label_avg``) where a tracked table has them, else the per-face labels; ``sex`` is
``m``, ``f`` or ``u`` (anything else, empty included, counts as ``u``). ``t`` is the
``time`` column, or ``frame / video fps`` from the sidecar when a table has no ``time``.
``child`` is true for the ``u`` answered because the face looks like a child: the abstention
rule of the sidecar's options (``--child_age``, ``--young_age``, ``--young_confidence``; see
:func:`inafaceanalyzer.classification.abstention.unknown_reasons`) applied to the row's age and
``sex_decfunc`` (their ``_avg`` where the labels are); false without a sidecar naming the rule.

A chunk that fails (a malformed file in it) is read again file by file, so that each bad
file is reported with DuckDB's reason and the others still load.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

import duckdb
import pandas as pd

from ..classification.abstention import AbstentionRule
from .inputs import InputProblem, ResultFile

TYPES = {
    "frame": "BIGINT",
    "time": "DOUBLE",
    "face_id": "BIGINT",
    "sex_label": "VARCHAR",
    "age_label": "DOUBLE",
    "sex_label_avg": "VARCHAR",
    "age_label_avg": "DOUBLE",
    "sex_decfunc": "DOUBLE",
    "sex_decfunc_avg": "DOUBLE",
}
RULE = ("child_age", "young_age", "young_confidence")  # the sidecar's abstention options that say 'child'
CHUNK = 200


def duckdb_reason(exc: Exception) -> str:
    """DuckDB's error as one short line: ``line N: <what was wrong>`` for CSV errors."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return exc.__class__.__name__
    skip = ("Original Line", "Possible fixes", "*", "Column ", "This type")
    detail = next((line for line in lines[1:] if not line.startswith(skip) and " = " not in line), "")
    m = re.search(r"CSV Error on Line: (\d+)", lines[0])
    head = f"line {m.group(1)}" if m else lines[0]
    return " ".join(f"{head}: {detail}".split())[:300] if detail else " ".join(head.split())[:300]


def _sex_sql(col: str) -> str:
    return f"CASE WHEN lower(trim({col})) IN ('m', 'f') THEN lower(trim({col})) ELSE 'u' END"


def _select(columns: set[str], source_sql: str) -> str:
    def col(name: str) -> str:
        return f"CAST(r.{name} AS {TYPES[name]})" if name in columns else f"CAST(NULL AS {TYPES[name]})"

    sex = f"coalesce(nullif(trim({col('sex_label_avg')}), ''), {col('sex_label')})"
    age = f"coalesce({col('age_label_avg')}, {col('age_label')})"
    t = f"coalesce({col('time')}, {col('frame')} / m.video_fps)"
    averaged = f"nullif(trim({col('sex_label_avg')}), '') IS NOT NULL"
    decfunc = f"CASE WHEN {averaged} THEN {col('sex_decfunc_avg')} ELSE {col('sex_decfunc')} END"
    # AbstentionRule.looks_like_a_child, in SQL over whole files (gender_confidence of the decision function)
    confidence = f"1.0 / (1.0 + exp(-abs({decfunc})))"
    child = (f"coalesce({_sex_sql(sex)} = 'u' AND ({age} < m.child_age OR "
             f"({age} < m.young_age AND {confidence} < m.young_confidence)), false)")
    return (
        f"SELECT m.vid, {t} AS t, {col('face_id')} AS face_id, {_sex_sql(sex)} AS sex, {age} AS age, "
        f"{child} AS child FROM {source_sql} AS r JOIN files AS m ON r.filename = m.path"
    )


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _reader(fmt: str, header: tuple[str, ...]) -> str:
    if fmt == "parquet":
        return "read_parquet($files, union_by_name = true, filename = true)"
    # Every file of the group has exactly this header (checked beforehand), so the columns and
    # their types are given and nothing is sniffed: about 5x faster than auto-detection.
    names = [c or f"_unnamed_{i}" for i, c in enumerate(header)]  # e.g. a pandas index column
    columns = ", ".join(f"{_sql_string(c)}: '{TYPES.get(c, 'VARCHAR')}'" for c in names)
    return (
        "read_csv($files, filename = true, header = true, auto_detect = false, delim = ',', quote = '\"', "
        f"escape = '\"', columns = {{{columns}}})"
    )


def _insert(con: duckdb.DuckDBPyConnection, fmt: str, files: Sequence[ResultFile]) -> None:
    header = files[0].columns
    columns = set().union(*(set(f.columns) for f in files)) & set(TYPES)
    sql = f"INSERT INTO faces_raw {_select(columns, _reader(fmt, header))}"
    con.execute(sql, {"files": [str(f.path) for f in files]})


def abstention_rule(f: ResultFile) -> AbstentionRule | None:
    """The abstention rule of the sidecar's options (its ``child_age``, ``young_age`` and
    ``young_confidence``; :class:`AbstentionRule`'s defaults for those absent), or ``None``."""
    if f.sidecar is None or not f.sidecar.options:
        return None
    rule = json.loads(f.sidecar.options).get("abstention")
    if not isinstance(rule, dict):
        return None
    try:
        return AbstentionRule(**{key: float(rule[key]) for key in RULE if key in rule})
    except (TypeError, ValueError):
        return None


def load_faces(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[ResultFile],
    video_fps: Sequence[float | None],
    progress: Callable[[int, int], None] | None = None,
) -> list[InputProblem]:
    """Create and fill ``faces_raw`` (``vid`` = index in ``files``); return the files that failed."""
    con.execute("CREATE OR REPLACE TABLE faces_raw (vid INTEGER, t DOUBLE, face_id BIGINT, sex VARCHAR, age DOUBLE, "
                "child BOOLEAN)")
    meta = pd.DataFrame({"path": [str(f.path) for f in files], "vid": range(len(files)),
                         "video_fps": pd.array(list(video_fps), dtype="Float64")})
    rules = [abstention_rule(f) for f in files]
    for key in RULE:
        meta[key] = pd.array([getattr(r, key) if r else None for r in rules], dtype="Float64")
    con.register("files_df", meta)
    con.execute("CREATE OR REPLACE TEMP TABLE files AS SELECT path, CAST(vid AS INTEGER) AS vid, "
                "CAST(video_fps AS DOUBLE) AS video_fps, " + ", ".join(f"CAST({k} AS DOUBLE) AS {k}" for k in RULE)
                + " FROM files_df")
    con.unregister("files_df")
    problems: list[InputProblem] = []
    done = 0
    groups: dict[tuple[str, tuple[str, ...]], list[ResultFile]] = {}
    for f in files:  # CSV files by identical header; Parquet files all together (union_by_name)
        groups.setdefault((f.fmt, f.columns if f.fmt == "csv" else ()), []).append(f)
    for (fmt, _), group in groups.items():
        for start in range(0, len(group), CHUNK):
            chunk = group[start:start + CHUNK]
            try:
                con.execute("BEGIN TRANSACTION")
                _insert(con, fmt, chunk)
                con.execute("COMMIT")
            except duckdb.Error:
                con.execute("ROLLBACK")
                for f in chunk:
                    try:
                        _insert(con, fmt, [f])
                    except duckdb.Error as exc:
                        problems.append(InputProblem(str(f.path), duckdb_reason(exc)))
            done += len(chunk)
            if progress is not None:
                progress(done, len(files))
    return problems
