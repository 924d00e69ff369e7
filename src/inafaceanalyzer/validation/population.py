"""The items a validation sample is drawn from: face rows or tracked people, with their
predicted labels, age bracket and weight.

Results are found as the report finds them (``report.inputs.discover_inputs``: files,
folders, campaign job lists), image results included. Labels follow the report's rules
(``report.load``): the per-person smoothed ``sex_label_avg``/``age_label_avg`` where a
tracked table has them, else the per-face labels; anything but ``f``/``m`` is ``u``. A face
row weighs the seconds of screen time its analysed frame stands for (``report.sampling``:
``1/fps``, keyframes up to the next analysed one); a face in a photo weighs 1.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..report.aggregate import video_names
from ..report.inputs import InputProblem, ResultFile, discover_inputs
from ..report.options import AgeBrackets, ReportOptions
from ..report.sampling import decide_sampling

COLUMNS = ["frame", "time", "bbox", "face_id", "sex_label", "age_label", "sex_label_avg", "age_label_avg"]
SEXES = ("f", "m", "u")
TEXT = "string[pyarrow]"  # 1.6 million bbox strings as Python objects took 1.8 GB


@dataclass
class Population:
    """``faces``: one row per face row of the results; ``videos``: one row per results file."""

    faces: pd.DataFrame
    videos: pd.DataFrame
    brackets: AgeBrackets
    problems: list[InputProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def units(self, unit: str) -> pd.DataFrame:
        """The items to sample: ``faces``, or for ``person`` one row per track (mode of the
        label, median age, summed face-time; ``rows``: the track's face rows)."""
        if unit == "face":
            return self.faces
        tracked = self.faces[self.faces["face_id"].notna()]
        if tracked.empty:
            raise ValueError("--unit person needs tracked results (a face_id column): none among the inputs")
        g = tracked.groupby(["vid", "face_id"], sort=True)
        people = g.agg(age=("age", "median"), weight=("weight", "sum"), time=("time", "min"),
                       faces=("sex", "size")).reset_index()
        votes = tracked.groupby(["vid", "face_id", "sex"]).size().unstack(fill_value=0)  # the most frequent label
        people["sex"] = votes.idxmax(axis=1).reindex(pd.MultiIndex.from_frame(people[["vid", "face_id"]])).to_numpy()
        positions = np.flatnonzero(self.faces["face_id"].notna().to_numpy())
        index = g.indices
        people["rows"] = [positions[index[(v, f)]] for v, f in zip(people["vid"], people["face_id"])]  # in self.faces
        people["bracket"] = bracket_index(people["age"].to_numpy(float), self.brackets)
        first = self.faces.iloc[[r[0] for r in people["rows"]]]
        for c in ("frame", "bbox"):
            people[c] = first[c].to_numpy()
        return people

    def with_files(self, items: pd.DataFrame) -> pd.DataFrame:
        """``items`` (rows of ``faces`` or ``units``) with their ``video``, ``results_file`` and ``source``."""
        files = self.videos.set_index("vid")
        vid = items["vid"].to_numpy()
        return items.assign(**{c: files[c].reindex(vid).to_numpy() for c in ("video", "results_file", "source")})


def bracket_index(ages: np.ndarray, brackets: AgeBrackets) -> np.ndarray:
    """Bracket index of each age (0 = youngest; ``len(bounds)`` = unknown), as ``sql_index``."""
    ages = np.asarray(ages, dtype=float)
    idx = np.searchsorted(np.asarray(brackets.bounds), np.nan_to_num(ages, nan=0.0), side="right") - 1
    return np.where(np.isnan(ages), len(brackets.bounds), np.maximum(idx, 0)).astype(np.int64)


def _labels(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    sex = pd.Series("", index=df.index, dtype=object)
    if "sex_label_avg" in df:
        sex = df["sex_label_avg"].fillna("").astype(str).str.strip()
    if "sex_label" in df:
        sex = sex.where(sex != "", df["sex_label"].fillna("").astype(str).str.strip())
    sex = sex.str.lower()
    age = pd.to_numeric(df["age_label_avg"], errors="coerce") if "age_label_avg" in df else pd.Series(np.nan, df.index)
    if "age_label" in df:
        age = age.fillna(pd.to_numeric(df["age_label"], errors="coerce"))
    return np.where(sex.isin(["f", "m"]), sex, "u"), age.to_numpy(float)


def _read(f: ResultFile) -> pd.DataFrame:
    cols = [c for c in COLUMNS if c in f.columns]
    if f.fmt == "parquet":
        return pd.read_parquet(f.path, columns=cols)
    return pd.read_csv(f.path, usecols=cols, dtype={c: TEXT for c in ("frame", "bbox") if c in cols}, engine="pyarrow")


def _weights(t: np.ndarray, f: ResultFile, options: ReportOptions) -> tuple[np.ndarray, str | None]:
    """Seconds each face row stands for (as ``report.aggregate.build_faces``); 1 for photos."""
    if np.all(np.isnan(t)):
        return np.ones(len(t)), None
    sampling, warning = decide_sampling(f, options.fps)
    times = np.unique(t[~np.isnan(t)])
    if sampling.keyframes:
        sc = f.sidecar
        end = sc.duration_s if sc is not None and sc.duration_s is not None else times[-1] + options.keyframe_max_s
        nxt = np.append(times[1:], max(end, times[-1]))
        dur = np.minimum(nxt - times, options.keyframe_max_s).clip(min=0)
        return dur[np.searchsorted(times, t)], warning
    interval = sampling.interval_s
    if interval is None:
        gaps = np.diff(times)
        gaps = gaps[gaps > 0]
        interval = float(np.median(gaps)) if len(gaps) else 1.0
        warning = f"{f.path}: no sidecar: each analysed frame taken to stand for {interval:g} s (median gap)"
    return np.full(len(t), float(interval)), warning


def load_population(inputs: Iterable[str | os.PathLike[str]], brackets: AgeBrackets | None = None,
                    fps: float | None = None, progress: Callable[[int, int], None] | None = None) -> Population:
    """Every face row of the results, with ``vid``, ``frame``, ``time``, ``bbox``, ``face_id``,
    ``sex``, ``age``, ``bracket`` and ``weight`` (the files' names: ``with_files``)."""
    brackets = brackets or AgeBrackets()
    options = ReportOptions(age_brackets=brackets, fps=fps)
    found = discover_inputs(inputs)  # photo collections too
    problems, warnings = list(found.problems), list(found.warnings)
    names = video_names([f.path for f in found.files]) if found.files else []
    parts, videos = [], []
    for vid, f in enumerate(found.files):
        try:
            df = _read(f)
        except Exception as exc:  # noqa: BLE001 - pandas/pyarrow parse errors of a malformed file: one line, go on
            problems.append(InputProblem(str(f.path), " ".join(str(exc).split())[:300]))
            continue
        sex, age = _labels(df)
        t = pd.to_numeric(df["time"], errors="coerce").to_numpy(float) if "time" in df else np.full(len(df), np.nan)
        if "time" not in df and f.sidecar is not None and f.sidecar.video_fps:
            t = pd.to_numeric(df["frame"], errors="coerce").to_numpy(float) / f.sidecar.video_fps
        weight, warning = _weights(t, f, options)
        if warning:
            warnings.append(warning)
        source = f.source or ""
        if np.all(np.isnan(t)):  # photos: the frame column is the image path
            source = ""
        parts.append(pd.DataFrame({
            "vid": np.full(len(df), vid, np.int32), "frame": df["frame"].astype(TEXT), "time": t,
            "bbox": df["bbox"].astype(TEXT) if "bbox" in df else pd.Series("", index=df.index, dtype=TEXT),
            "face_id": pd.to_numeric(df["face_id"], errors="coerce").to_numpy(float) if "face_id" in df else np.nan,
            "sex": sex, "age": age, "bracket": bracket_index(age, brackets), "weight": weight}))
        videos.append({"vid": vid, "video": names[vid], "results_file": str(f.path), "source": source,
                       "photos": bool(np.all(np.isnan(t)))})
        if progress is not None:
            progress(vid + 1, len(found.files))
    faces = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["vid", "frame", "time", "bbox", "face_id", "sex", "age", "bracket", "weight"])
    return Population(faces, pd.DataFrame(videos, columns=["vid", "video", "results_file", "source", "photos"]),
                      brackets, problems, warnings)
