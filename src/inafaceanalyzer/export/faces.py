"""Face crops: one JPEG per face row of a results table (the original's ``extract_faces``).

Files are named by source, frame and face: ``<source stem>_<frame>_<face>.jpg`` for videos
(``<face>`` = the ``face_id`` of tracked results, else the face's rank in its frame), and
``<image stem>_<face>.jpg`` for images. Video frames are decoded again from the source, in
time order (one pass with seeks over long gaps); each crop is written atomically.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from ..atomic import atomic_output
from ..errors import MediaError
from ..media.images import load_image
from ..media.video import frames_shown_at, source_stem
from ..results.columns import parse_bbox


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "face"


def _crop(image: np.ndarray, bbox: tuple[int, int, int, int]) -> np.ndarray | None:
    x1, y1, x2, y2 = bbox
    h, w = image.shape[:2]
    x1, y1, x2, y2 = max(x1, 0), max(y1, 0), min(x2, w), min(y2, h)
    return image[y1:y2, x1:x2] if x2 > x1 and y2 > y1 else None


def jpeg(image: np.ndarray, quality: int = 82) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def _write(crop: np.ndarray, path: Path) -> None:
    with atomic_output(path) as tmp:
        tmp.write_bytes(jpeg(np.ascontiguousarray(crop), quality=90))


def export_faces(table: pd.DataFrame, outdir: str | os.PathLike[str], source: str | None = None,
                 on_error: Callable[[MediaError], None] | None = None) -> list[Path]:
    """Write a crop of every face row of ``table`` into ``outdir``; return the files written.

    ``source``: the video the table comes from; ``None`` for image results (the ``frame``
    column is each image's path). A source that cannot be read is reported to ``on_error``
    (raised when it is ``None``)."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if table.empty:
        return written
    rank = table.groupby("frame", sort=False).cumcount()
    face = table["face_id"].astype("Int64").astype(str) if "face_id" in table else rank.astype(str)
    try:
        if source is None:
            for path, rows in table.groupby("frame", sort=False):
                image = load_image(str(path))
                for i in rows.index:
                    crop = _crop(image, parse_bbox(table.at[i, "bbox"]))
                    if crop is not None:
                        written.append(out / f"{_safe(Path(str(path)).stem)}_{face[i]}.jpg")
                        _write(crop, written[-1])
            return written
        stem = _safe(source_stem(source))
        times = table["time"].astype(float)
        by_time = {t: rows for t, rows in table.groupby(times, sort=True)}
        for t, image in frames_shown_at(source, list(by_time)):
            rows = by_time[t]
            for i in rows.index:
                crop = _crop(image, parse_bbox(table.at[i, "bbox"]))
                if crop is not None:
                    written.append(out / f"{stem}_{int(table.at[i, 'frame']):06d}_{face[i]}.jpg")
                    _write(crop, written[-1])
    except MediaError as exc:
        if on_error is None:
            raise
        on_error(exc)
    return written
