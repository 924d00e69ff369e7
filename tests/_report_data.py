"""Hand-made results tables (and sidecars) for the report tests."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

PLAIN = ["frame", "bbox", "detect_conf", "sex_decfunc", "age_decfunc", "sex_label", "age_label", "time"]
TRACKED = ["frame", "bbox", "face_id", "detect_conf", "track_conf", "sex_decfunc", "age_decfunc", "sex_label",
           "age_label", "time", "sex_decfunc_avg", "age_decfunc_avg", "sex_label_avg", "age_label_avg"]


def rows(spec: list[tuple], tracked: bool = False, video_fps: float = 25.0) -> pd.DataFrame:
    """``spec``: (time, sex, age) or, tracked, (time, face_id, sex, age, sex_avg, age_avg)."""
    out = []
    for r in spec:
        if tracked:
            t, fid, sex, age, sex_avg, age_avg = r
        else:
            (t, sex, age), fid, sex_avg, age_avg = r, None, None, None
        dec = {"m": 5.0, "f": -5.0, "u": 0.2}[sex]
        row = {"frame": round(t * video_fps), "bbox": "(10, 20, 110, 120)", "detect_conf": 0.9,
               "sex_decfunc": dec, "age_decfunc": age, "sex_label": sex, "age_label": age, "time": t}
        if tracked:
            row.update(face_id=fid, track_conf=None, sex_decfunc_avg={"m": 5.0, "f": -5.0, "u": 0.2}[sex_avg],
                       age_decfunc_avg=age_avg, sex_label_avg=sex_avg, age_label_avg=age_avg)
        out.append(row)
    return pd.DataFrame(out, columns=TRACKED if tracked else PLAIN)


def sidecar(engine: str = "video", interval: float | None = 1.0, frames: int = 10, first: float = 0.0,
            last: float | None = None, duration: float | None = None, video_fps: float = 25.0) -> dict:
    if last is None:
        last = first + (frames - 1) * (interval or 1.0)
    return {
        "format": "inaFaceAnalyzer-results/1", "source": f"/media/{engine}.mp4", "engine": engine,
        "options": {"fps": (1 / interval) if interval else None, "offset": 0, "detect_period": None},
        "video": {"width": 960, "height": 540, "fps": video_fps,
                  "duration_s": duration if duration is not None else last + (interval or 1.0)},
        "analysis": {"frames_analysed": frames, "frame_interval_s": interval, "first_time_s": first,
                     "last_time_s": last},
        "provenance": {"test": True},
    }


def write(path: Path, df: pd.DataFrame, side: dict | None = None) -> Path:
    """Write ``df`` at ``path`` and ``side`` as its sidecar, whose placeholder source (``sidecar()``'s) is then
    named after ``path``: a real sidecar names its own video, and two sidecars naming the same one are one
    analysis. A source set by the caller (a real video) is kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if side is not None and side.get("source") == f"/media/{side.get('engine')}.mp4":
        side = {**side, "source": f"/media/{path.parent.name}/{path.stem}.mp4"}
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
    if side is not None:
        path.with_suffix(".json").write_text(json.dumps(side))
    return path
