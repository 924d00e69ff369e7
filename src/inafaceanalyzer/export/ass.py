"""ASS subtitles drawing each face's box and label, to play over the untouched video.

Written with pysubs2. The play resolution is the video's frame size, so the
table's pixel boxes are used as they are. Each face of each analysed frame
gives two events, timed by :mod:`~inafaceanalyzer.export.timing`:

* style ``box``: the box as a vector drawing (``\\p1``), an outline in the
  face's colour and a transparent fill;
* style ``label``: its label (``"f 34"``, ``"#3 f 34 (avg)"`` when tracked) on
  a tag of the same colour, above the box, else below or inside it, where it
  does not overlap the labels of the other faces on screen
  (:func:`~inafaceanalyzer.export.label_layout.place_labels`, with the tag's size
  estimated from the font size).

Label text, colours and sizes come from :class:`~inafaceanalyzer.export.annotate.FaceStyle`,
as in the annotated MP4. Event times are floored to ASS's centiseconds, so an
event starts at or before its frame and ends at or before the next analysed
frame (never overlapping it).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pysubs2

from .annotate import FaceStyle, text_color
from ..atomic import atomic_output
from ..errors import ResultsError
from .label_layout import place_labels
from ..media.video import is_url, probe
from ..results.load import ResultsLike, load_results
from .timing import DisplayTiming, display_spans

COLUMNS = ("frame", "bbox", "sex_label", "age_label")
"""Columns the ASS export needs; ``time`` (else ``frame`` / fps), ``face_id`` and the ``*_avg``
labels are used when present."""


def export_ass(
    results: ResultsLike,
    dest: str | os.PathLike[str],
    video: str | os.PathLike[str] | None = None,
    *,
    metadata: dict | None = None,
    style: FaceStyle | None = None,
    interval_s: float | None = None,
) -> Path:
    """Write ``results`` (a DataFrame, or a saved CSV/Parquet) as ASS subtitles to ``dest``.

    The frame size and rate come from ``video`` when given (probed, rotation
    applied), else from the sidecar (``metadata``, or the file's ``.json``).
    ``interval_s`` overrides the sampling step the sidecar records.
    """
    res = load_results(results, metadata)
    res.require(COLUMNS, "ASS")
    width, height, fps = _frame_geometry(res, video)
    style = style or FaceStyle()
    timing = DisplayTiming.of(res, fps, interval_s)
    subs = _document(width, height, style, res.metadata)
    marks = style.marks(res.table) if len(res.table) else []
    names = [f"face {i}" for i in res.table["face_id"]] if "face_id" in res.table else [""] * len(marks)
    line, label_px = style.line_width(width, height), style.text_height(width, height)
    pad = label_padding(label_px)
    for span in display_spans(res.table, timing):
        start, end = _centiseconds(span.start_s), _centiseconds(span.end_s)
        rows = list(span.rows)
        rects = place_labels([marks[row].bbox for row in rows], [label_size(marks[row].text, label_px) for row in rows],
                             width, height, line)
        for row, rect in zip(rows, rects):
            mark, name = marks[row], names[row]
            x1, y1, x2, y2 = mark.bbox
            color = _ass_color(mark.color)
            subs.append(pysubs2.SSAEvent(
                start=start, end=end, style="box", name=name, layer=0,
                text=f"{{\\pos(0,0)\\3c{color}\\p1}}m {x1} {y1} l {x2} {y1} {x2} {y2} {x1} {y2}{{\\p0}}",
            ))
            subs.append(pysubs2.SSAEvent(  # the text's top-left corner, inside the tag's padding
                start=start, end=end, style="label", name=name, layer=1,
                text=f"{{\\an7\\pos({rect.left + pad},{rect.top + pad})\\3c{color}"
                     f"\\1c{_ass_color(text_color(mark.color))}}}{mark.text}",
            ))
    with atomic_output(dest) as tmp:
        subs.save(str(tmp), format_="ass")
    return Path(dest)


def _frame_geometry(res, video) -> tuple[int, int, float | None]:
    """Width, height (as displayed) and frame rate: from the video when given or when the sidecar's
    source is at hand (rotation applied), else as the sidecar records them."""
    source = (res.metadata or {}).get("source")
    if video is None and source and not is_url(source) and os.path.isfile(source):
        video = source
    if video is not None:
        info = probe(video)
        return info.width, info.height, float(info.fps) if info.fps else None
    width, height = res.video("width"), res.video("height")
    if width and height:
        return int(width), int(height), res.video("fps")
    raise ResultsError(res.name, "the ASS export needs the frame size: give the video or keep the sidecar .json")


def _document(width: int, height: int, style: FaceStyle, metadata: dict | None) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    source = (metadata or {}).get("source")
    subs.info.update({
        "Title": f"inaFaceAnalyzer faces: {Path(source).name}" if source else "inaFaceAnalyzer faces",
        "PlayResX": str(width),
        "PlayResY": str(height),
        "ScaledBorderAndShadow": "yes",
        "WrapStyle": "2",
        "YCbCr Matrix": "None",  # colours as written, whatever the video's matrix
    })
    line = style.line_width(width, height)
    text_px = style.text_height(width, height)
    subs.styles = {
        "box": pysubs2.SSAStyle(
            primarycolor=pysubs2.Color(0, 0, 0, 255), outlinecolor=pysubs2.Color(*style.unknown),
            outline=line, shadow=0, borderstyle=1, alignment=pysubs2.Alignment.TOP_LEFT,
            marginl=0, marginr=0, marginv=0,
        ),
        "label": pysubs2.SSAStyle(
            fontname="DejaVu Sans", fontsize=text_px * FONT_SCALE, primarycolor=pysubs2.Color(0, 0, 0),
            outlinecolor=pysubs2.Color(*style.unknown), backcolor=pysubs2.Color(0, 0, 0, 255),
            outline=label_padding(text_px), shadow=0, borderstyle=3, alignment=pysubs2.Alignment.BOTTOM_LEFT,
            marginl=0, marginr=0, marginv=0,
        ),
    }
    return subs


# A label's font size is 1.5 x the style's text height; DejaVu Sans glyphs are at most about
# 0.6 x the font size wide on average (digits 0.55, '#' 0.72): a generous estimate of the tag.
FONT_SCALE = 1.5
CHAR_WIDTH = 0.6


def label_padding(text_px: int) -> int:
    """The opaque box drawn around a label's text (ASS ``outline`` with ``borderstyle`` 3), in pixels."""
    return max(2, text_px // 5)


def label_size(text: str, text_px: int) -> tuple[int, int]:
    """Width and height in pixels of a label's tag as a player draws it (estimated from the font size)."""
    font = text_px * FONT_SCALE
    pad = label_padding(text_px)
    return math.ceil(CHAR_WIDTH * font * len(text)) + 2 * pad, math.ceil(font) + 2 * pad


def _ass_color(rgb: tuple[int, int, int]) -> str:
    r, g, b = rgb
    return f"&H{b:02X}{g:02X}{r:02X}&"


def _centiseconds(seconds: float) -> int:
    """``seconds`` floored to ASS's 10 ms resolution, in milliseconds."""
    return int(math.floor(seconds * 100 + 1e-6)) * 10
