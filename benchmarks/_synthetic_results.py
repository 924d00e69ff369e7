"""Realistic generated results tables (with sidecars), for report benchmarks and screenshots.

A programme is a cast of people (a presenter who is on screen often, guests, passers-by),
each with a true gender and age, and a sequence of shots (mean 6 s) each showing a few of
them. Every analysed frame (``fps`` per second) of a shot has a row per visible person
detected (90 %), with noisy per-face decision functions: gender log-odds around +/-6, an
abstention band (|log-odds| < 1 gives ``u``), age with a 6-year error. With ``tracked``, a
person's appearance in a shot is one track (new ``face_id`` at each cut, as a tracker
loses people at cuts) and the ``*_avg`` columns are the track averages.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

TRACK_COLUMNS = ["frame", "bbox", "face_id", "detect_conf", "track_conf", "sex_decfunc", "age_decfunc", "sex_label",
                 "age_label", "time", "sex_decfunc_avg", "age_decfunc_avg", "sex_label_avg", "age_label_avg"]
PLAIN_COLUMNS = ["frame", "bbox", "detect_conf", "sex_decfunc", "age_decfunc", "sex_label", "age_label", "time"]


def _labels(dec: np.ndarray) -> np.ndarray:
    return np.where(np.abs(dec) < 1.0, "u", np.where(dec > 0, "m", "f"))


def programme(rng: np.random.Generator, minutes: float, fps: float = 1.0, video_fps: float = 25.0,
              women_share: float = 0.4, tracked: bool = True) -> tuple[pd.DataFrame, dict]:
    """One programme's results table and sidecar."""
    duration = minutes * 60.0
    cast_n = int(rng.integers(4, 16))
    is_woman = rng.random(cast_n) < women_share
    ages = np.clip(rng.normal(42, 15, cast_n), 4, 90)
    weight = rng.pareto(1.2, cast_n) + 0.2  # a few people (presenters) appear most
    weight /= weight.sum()
    cuts = np.concatenate([[0.0], np.cumsum(rng.exponential(6.0, int(duration / 3) + 10))])
    cuts = cuts[cuts < duration]
    cuts = np.append(cuts, duration)
    times = np.arange(0, duration, 1.0 / fps)
    shot_of = np.searchsorted(cuts, times, side="right") - 1
    rows = []
    n_shots = len(cuts) - 1
    visible_n = rng.choice([0, 1, 1, 1, 2, 2, 3, 4], size=n_shots)
    track = 0
    for s in range(n_shots):
        frames = times[shot_of == s]
        if not len(frames) or not visible_n[s]:
            continue
        people = rng.choice(cast_n, size=min(int(visible_n[s]), cast_n), replace=False, p=weight)
        for k, p in enumerate(people):
            seen = rng.random(len(frames)) < 0.9
            t = frames[seen]
            if not len(t):
                continue
            dec = rng.normal(-6.0 if is_woman[p] else 6.0, 3.0) + rng.normal(0, 2.5, len(t))
            age = np.clip(ages[p] + rng.normal(0, 4) + rng.normal(0, 3, len(t)), 1, 95)
            x = 60 + 260 * k + rng.integers(-10, 10)
            side = int(rng.integers(60, 220))
            rows.append(pd.DataFrame({
                "t": t, "face_id": track, "sex_decfunc": dec, "age_decfunc": age,
                "detect_conf": rng.uniform(0.6, 1.0, len(t)), "x": x, "side": side}))
            track += 1
    if rows:
        df = pd.concat(rows, ignore_index=True).sort_values(["t", "x"], kind="stable")
    else:
        df = pd.DataFrame({c: pd.Series(dtype=float) for c in ["t", "face_id", "sex_decfunc", "age_decfunc",
                                                                "detect_conf", "x", "side"]})
    out = pd.DataFrame({
        "frame": np.round(df["t"].to_numpy() * video_fps).astype(int),
        "bbox": [f"({x}, 80, {x + s}, {80 + s})" for x, s in zip(df["x"].astype(int), df["side"].astype(int))],
        "face_id": df["face_id"].astype(int).to_numpy(),
        "detect_conf": df["detect_conf"].round(4).to_numpy(),
        "track_conf": np.nan,
        "sex_decfunc": df["sex_decfunc"].round(4).to_numpy(),
        "age_decfunc": df["age_decfunc"].round(3).to_numpy(),
        "sex_label": _labels(df["sex_decfunc"].to_numpy()),
        "age_label": df["age_decfunc"].round(3).to_numpy(),
        "time": df["t"].round(6).to_numpy(),
    })
    if tracked:
        g = out.groupby("face_id")
        out["sex_decfunc_avg"] = g["sex_decfunc"].transform("mean").round(4)
        out["age_decfunc_avg"] = g["age_decfunc"].transform("mean").round(3)
        out["sex_label_avg"] = _labels(out["sex_decfunc_avg"].to_numpy())
        out["age_label_avg"] = out["age_decfunc_avg"]
        out = out[TRACK_COLUMNS]
    else:
        out = out[PLAIN_COLUMNS]
    sidecar = {
        "format": "inaFaceAnalyzer-results/1",
        "source": "",
        "engine": "videotracking" if tracked else "video",
        "options": {"fps": fps, "offset": 0, "detect_period": None},
        "video": {"width": 960, "height": 540, "fps": video_fps, "duration_s": duration},
        "analysis": {"frames_analysed": len(times), "frame_interval_s": 1.0 / fps,
                     "first_time_s": 0.0, "last_time_s": float(times[-1])},
        "provenance": {"generator": "benchmarks/_synthetic_results.py"},
    }
    return out, sidecar


def write_programmes(folder: Path, n: int, seed: int = 0, minutes: tuple[float, float] = (5, 30),
                     tracked: bool = True, fmt: str = "csv") -> list[Path]:
    """``n`` generated programmes in ``folder`` (``prog0000.csv`` + ``prog0000.json``, ...)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        length = float(rng.uniform(*minutes))
        df, sidecar = programme(rng, length, women_share=float(rng.uniform(0.2, 0.6)), tracked=tracked)
        path = folder / f"prog{i:04d}.{fmt}"
        sidecar["source"] = f"/archive/channel{i % 7}/prog{i:04d}.mp4"
        if fmt == "csv":
            df.to_csv(path, index=False)
        else:
            df.to_parquet(path, index=False)
        path.with_suffix(".json").write_text(json.dumps(sidecar, indent=1))
        paths.append(path)
    return paths
