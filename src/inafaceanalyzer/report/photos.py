"""Photo collections: the report of results of the image engines (``frame`` = image path, no time).

A results table without a ``time`` column (and no sidecar giving a video's fps) is a photo
collection. Its figures are counts, not screen time: faces by gender and age bracket (each
face is one person in one photo: people-in-photos, the same person in two photos counts
twice), photos showing at least one woman or man, and faces per photo. Intervals come from
a bootstrap over photos: each collection's photos are resampled with replacement (a photo
is one block of :mod:`.bootstrap`), so faces of one photo stay together. Photos in which no
face was detected have no row in the results: they are not counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from .aggregate import video_names
from .bootstrap import block_bootstrap, percentile_interval, share, stats_matrix
from .inputs import InputProblem, ResultFile
from .load import _sex_sql, duckdb_reason
from .options import ALL, ReportOptions
from .tables import SEX_INDEX

CSV_NAMES = {
    "summary": "summary.csv",
    "collections": "collections.csv",
    "age": "age_brackets.csv",
    "faces_per_photo": "faces_per_photo.csv",
}
FACES = ["faces_women", "faces_men", "faces_unknown"]
NOT_PHOTOS = ("no 'time' column and no sidecar giving the video's fps: cannot place the frames in time (its "
              "'frame' column holds frame numbers, not the image paths of a photo collection)")


def is_photo_collection(f: ResultFile) -> bool:
    """Whether ``f`` holds image-engine results: no ``time`` column and no sidecar video fps."""
    return "time" not in f.columns and (f.sidecar is None or f.sidecar.video_fps is None)


@dataclass
class PhotoTables:
    """Everything a photo-collection report says (also written as CSV, see :data:`CSV_NAMES`)."""

    summary: pd.DataFrame  # one row: the whole set
    collections: pd.DataFrame  # one row per results file
    age: pd.DataFrame  # scope (ALL or a collection) x age bracket
    faces_per_photo: pd.DataFrame  # scope x number of faces in a photo
    brackets: list[str]

    def frames(self) -> dict[str, pd.DataFrame]:
        return {key: getattr(self, key) for key in CSV_NAMES}


def load_photo_faces(con: duckdb.DuckDBPyConnection, files: Sequence[ResultFile]) -> list[InputProblem]:
    """Create ``photo_faces(vid, photo, sex, age)``, one row per face; return the files left out."""
    con.execute("CREATE OR REPLACE TABLE photo_faces (vid INTEGER, photo VARCHAR, sex VARCHAR, age DOUBLE)")
    problems = []
    for vid, f in enumerate(files):
        cols = set(f.columns)
        sex = "coalesce(nullif(trim(CAST(r.sex_label_avg AS VARCHAR)), ''), CAST(r.sex_label AS VARCHAR))" \
            if "sex_label_avg" in cols else "CAST(r.sex_label AS VARCHAR)"
        age = " , ".join(f"TRY_CAST(r.{c} AS DOUBLE)" for c in ("age_label_avg", "age_label") if c in cols)
        reader = ("read_parquet($file)" if f.fmt == "parquet" else
                  "read_csv($file, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')")
        try:
            con.execute(f"INSERT INTO photo_faces SELECT {vid}, CAST(r.frame AS VARCHAR), {_sex_sql(sex)}, "
                        f"{f'coalesce({age})' if age else 'NULL'} FROM {reader} AS r", {"file": str(f.path)})
        except duckdb.Error as exc:
            problems.append(InputProblem(str(f.path), duckdb_reason(exc)))
            continue
        numbers = con.execute("SELECT count(*) > 0 AND bool_and(TRY_CAST(photo AS BIGINT) IS NOT NULL) "
                              "FROM photo_faces WHERE vid = $vid", {"vid": vid}).fetchall()[0][0]
        if numbers:
            con.execute("DELETE FROM photo_faces WHERE vid = $vid", {"vid": vid})
            problems.append(InputProblem(str(f.path), NOT_PHOTOS))
    return problems


def _grouped(con: duckdb.DuckDBPyConnection, options: ReportOptions) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Faces per collection x photo x sex x bracket, and per photo: faces, with women, with men."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE pf AS SELECT vid, sex, {options.age_brackets.sql_index('age')} AS bracket,
        CAST(dense_rank() OVER (PARTITION BY vid ORDER BY photo) - 1 AS INTEGER) AS blk FROM photo_faces""")
    cells = con.execute("SELECT vid, blk, sex, bracket, count(*) AS faces FROM pf GROUP BY ALL ORDER BY ALL").df()
    photos = con.execute("SELECT vid, blk, count(*) AS n_faces, bool_or(sex = 'f') AS with_women, "
                         "bool_or(sex = 'm') AS with_men FROM pf GROUP BY vid, blk ORDER BY vid, blk").df()
    return cells, photos


def _shares(df: pd.DataFrame) -> pd.DataFrame:
    df["share_women_faces"] = share(df["faces_women"].to_numpy(float), df["faces_men"].to_numpy(float))
    return df


def photo_tables(con: duckdb.DuckDBPyConnection, files: Sequence[ResultFile], options: ReportOptions,
                 skip: frozenset[int] = frozenset(),
                 progress: Callable[[int, int], None] | None = None) -> PhotoTables:
    """The tables of the collections in ``photo_faces`` (``files`` by ``vid``; those in ``skip`` left out)."""
    labels = options.age_brackets.all_labels
    nb, conf = len(labels), options.confidence
    cells, photos = _grouped(con, options)
    keep = [vid for vid in range(len(files)) if vid not in skip]
    names = dict(zip(keep, video_names([files[vid].path for vid in keep])))
    n_photos = photos.groupby("vid").size().reindex(range(len(files)), fill_value=0).to_numpy()
    col = cells["sex"].map(SEX_INDEX).to_numpy() * nb + cells["bracket"].to_numpy()
    grid = np.zeros((len(files), 3 * nb))
    np.add.at(grid, (cells["vid"].to_numpy(int), col.astype(int)), cells["faces"].to_numpy(float))
    by_sex = grid.reshape(len(files), 3, nb)

    per = pd.DataFrame({"collection": [names.get(v, "") for v in range(len(files))],
                        "results_file": [str(f.path) for f in files], "photos": n_photos,
                        "faces": grid.sum(axis=1).astype(int)})
    for s, c in enumerate(FACES):
        per[c] = by_sex[:, s, :].sum(axis=1).astype(int)
    per = _shares(per)
    per["share_women_faces_ci_low"] = per["share_women_faces_ci_high"] = np.nan
    with_w = photos.groupby("vid")["with_women"].sum().reindex(range(len(files)), fill_value=0)
    with_m = photos.groupby("vid")["with_men"].sum().reindex(range(len(files)), fill_value=0)
    per["photos_with_women"], per["photos_with_men"] = with_w.to_numpy(int), with_m.to_numpy(int)
    per["mean_faces_per_photo"] = per["faces"] / per["photos"].where(per["photos"] > 0)
    per = per.iloc[keep].reset_index(drop=True)

    summary = {"collections": len(per), "photos": int(per["photos"].sum()), "faces": int(per["faces"].sum())}
    for c in (*FACES, "photos_with_women", "photos_with_men"):
        summary[c] = int(per[c].sum())
    summary_df = _shares(pd.DataFrame([summary]))
    summary_df["share_women_faces_ci_low"] = summary_df["share_women_faces_ci_high"] = np.nan
    summary_df["share_photos_with_women"] = summary["photos_with_women"] / summary["photos"] if summary["photos"] \
        else np.nan
    summary_df["mean_faces_per_photo"] = summary["faces"] / summary["photos"] if summary["photos"] else np.nan

    head = pd.DataFrame({"scope": ALL, "age_bracket": labels,
                         **{c: by_sex[:, s, :].sum(axis=0).astype(int) for s, c in enumerate(FACES)}})
    rest = [pd.DataFrame({"scope": names[v], "age_bracket": labels,
                          **{c: by_sex[v, s, :].astype(int) for s, c in enumerate(FACES)}}) for v in keep]
    age = _shares(pd.concat([head, *rest], ignore_index=True))
    age["share_women_faces_ci_low"] = age["share_women_faces_ci_high"] = np.nan

    varies = (n_photos >= 2) & np.isin(np.arange(len(files)), keep)  # a single photo: nothing to resample
    if options.n_bootstrap and varies.any():
        blocks = np.maximum(n_photos, 1)
        stats = stats_matrix(blocks, cells["vid"].to_numpy(), cells["blk"].to_numpy(), col,
                             cells["faces"].to_numpy(float), 3 * nb)
        selector = np.zeros((3 * nb, 2))
        selector[:nb, 0], selector[nb:2 * nb, 1] = 1, 1  # women's and men's faces, all brackets
        rep = block_bootstrap(stats, blocks, selector, options.n_bootstrap, options.seed, progress)
        lo, hi = percentile_interval(share(rep.per_video[:, :, 0], rep.per_video[:, :, 1]), conf)
        per["share_women_faces_ci_low"] = np.where(varies, lo, np.nan)[keep]
        per["share_women_faces_ci_high"] = np.where(varies, hi, np.nan)[keep]
        o = rep.overall
        lo, hi = percentile_interval(share(o[:, :nb].sum(axis=1), o[:, nb:2 * nb].sum(axis=1)), conf)
        summary_df["share_women_faces_ci_low"], summary_df["share_women_faces_ci_high"] = float(lo), float(hi)
        lo, hi = percentile_interval(share(o[:, :nb], o[:, nb:2 * nb]), conf)
        age.loc[:nb - 1, "share_women_faces_ci_low"], age.loc[:nb - 1, "share_women_faces_ci_high"] = lo, hi

    counts = photos.groupby(["vid", "n_faces"]).size().rename("photos").reset_index()
    pooled = counts.groupby("n_faces", as_index=False)["photos"].sum().assign(scope=ALL)
    fp = pd.concat([pooled, counts.assign(scope=counts["vid"].map(names))], ignore_index=True)
    fp = fp[["scope", "n_faces", "photos"]]
    totals = fp.groupby("scope", sort=False)["photos"].transform("sum").astype(float)
    fp["share_of_photos"] = fp["photos"] / totals.where(totals > 0)
    return PhotoTables(summary_df, per, age, fp, labels)
