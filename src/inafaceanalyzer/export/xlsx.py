"""Excel workbook of results, one row per face with a thumbnail of the face (the original's Excel export).

Sheet ``faces``: column A holds each face's thumbnail (cut from the image or
video frame along ``bbox``, clipped to the picture, longest side
``thumb_px``), anchored in its row so that it moves and sorts with it; the
next columns are the table's, in order (``bbox`` as ``"(x1, y1, x2, y2)"``,
missing values as empty cells). The header row is frozen and filterable.

Thumbnails come from the image files (image engines: ``frame`` is the path)
or from one pass over the video, decoding only as far as the last face and
converting only the frames the analysis sampled (from the sidecar).
"""

from __future__ import annotations

import io
import math
import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from PIL import Image

from ..atomic import atomic_output
from ..errors import ResultsError
from ..media.images import load_image
from ..media.video import VideoReader
from ..types import Frame
from ..results.load import Results, ResultsLike, load_results

COLUMNS = ("frame", "bbox")
"""Columns the XLSX export needs; every column of the table is written."""

MAX_ROWS = 1_048_575  # Excel's limit, less the header


def export_xlsx(
    results: ResultsLike,
    dest: str | os.PathLike[str],
    video: str | os.PathLike[str] | None = None,
    *,
    metadata: dict | None = None,
    thumb_px: int = 80,
) -> Path:
    """Write ``results`` (a DataFrame, or a saved CSV/Parquet) as an Excel workbook to ``dest``.

    For video results the frames come from ``video``, else the sidecar's
    ``source``; image results read the image paths of the ``frame`` column.
    """
    if thumb_px < 8:
        raise ValueError(f"thumb_px must be >= 8, got {thumb_px}")
    res = load_results(results, metadata)
    res.require(COLUMNS, "XLSX")
    if len(res.table) > MAX_ROWS:
        raise ResultsError(res.name, f"{len(res.table)} faces do not fit in an Excel sheet: export Parquet instead")
    thumbs: list[bytes | None] = [None] * len(res.table)
    for row, crop in _face_crops(res, video):
        thumbs[row] = _jpeg(crop, thumb_px)
    with atomic_output(dest) as tmp:
        _write_workbook(tmp, res.table, thumbs, thumb_px)
    return Path(dest)


def _is_video(res: Results) -> bool:
    return pd.api.types.is_integer_dtype(res.table["frame"]) or "time" in res.table.columns


def _face_crops(res: Results, video) -> Iterator[tuple[int, np.ndarray]]:
    """``(row position, face crop)`` for each row whose box lies at least partly in its picture."""
    if res.table.empty:
        return
    wanted: dict[object, list[int]] = defaultdict(list)
    for pos, frame in enumerate(res.table["frame"].tolist()):
        wanted[frame].append(pos)
    boxes = res.table["bbox"].tolist()
    for picture in _pictures(res, video, wanted):
        for pos in wanted.pop(picture.index, ()):
            crop = _crop(picture.image, boxes[pos])
            if crop is not None:
                yield pos, crop


def _pictures(res: Results, video, wanted: dict) -> Iterator[Frame]:
    """The images, or the video frames, that the rows need (frames in one pass, stopping after the last)."""
    if not _is_video(res):
        for path in list(wanted):
            yield Frame(path, None, load_image(path))
        return
    last = max(int(f) for f in wanted)
    fps = res.option("fps")
    with VideoReader(res.source(video, "XLSX")) as reader:
        if res.engine == "videokeyframes":
            frames = reader.keyframes()
        else:
            frames = reader.frames(fps=float(fps) if fps else None, offset_ms=float(res.option("offset", 0) or 0))
        for frame in frames:
            if frame.index in wanted:
                yield frame
            if int(frame.index) >= last:  # a video frame: an int index
                return


def _crop(image: np.ndarray, bbox) -> np.ndarray | None:
    x1, y1, x2, y2 = (int(v) for v in bbox)
    h, w = image.shape[:2]
    x1, y1, x2, y2 = max(x1, 0), max(y1, 0), min(x2, w), min(y2, h)
    if x2 <= x1 or y2 <= y1:
        return None
    return image[y1:y2, x1:x2]


def _jpeg(crop: np.ndarray, size: int) -> bytes:
    img = Image.fromarray(crop)
    scale = size / max(img.size)
    img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def _write_workbook(path: Path, table: pd.DataFrame, thumbs: list[bytes | None], thumb_px: int) -> None:
    workbook = xlsxwriter.Workbook(str(path), {
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    sheet = workbook.add_worksheet("faces")
    header = workbook.add_format({"bold": True, "bottom": 1})
    columns = list(table.columns)
    sheet.write_row(0, 0, ["face"] + columns, header)
    sheet.set_column(0, 0, (thumb_px + 10) / 7)  # width in characters of the default font, ~7 px each
    sheet.set_column(1, len(columns), 12)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(table), 1), len(columns))
    row_height = (thumb_px + 6) * 0.75  # points
    for r, values in enumerate(table.itertuples(index=False, name=None), start=1):
        sheet.set_row(r, row_height)
        for c, value in enumerate(values, start=1):
            _write_cell(sheet, r, c, value)
        data = thumbs[r - 1]
        if data is not None:
            sheet.insert_image(r, 0, f"face{r}.jpg", {
                "image_data": io.BytesIO(data), "x_offset": 3, "y_offset": 3, "object_position": 1,
            })
    workbook.close()


def _write_cell(sheet, row: int, col: int, value: object) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return
    if isinstance(value, tuple):
        sheet.write_string(row, col, str(tuple(int(v) for v in value)))
    elif isinstance(value, (bool, np.bool_)):
        sheet.write_boolean(row, col, bool(value))
    elif isinstance(value, (int, float, np.integer, np.floating)):
        sheet.write_number(row, col, float(value))
    else:
        sheet.write_string(row, col, str(value))
