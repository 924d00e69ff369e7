"""Drawing face boxes and their gender/age labels on pictures.

Two parts, kept apart so that every visual export says the same thing:

* :class:`FaceStyle` holds the rules: the label text of a face (``"f 34"``,
  or ``"#3 f 34 (avg)"`` for a tracked face shown with its per-track
  averages), its colour (by gender), and the line and text sizes for a frame
  size. The ASS subtitles, the annotated MP4 and the live webcam view all use
  it.
* :class:`Annotator` draws: it takes an RGB image and face rows (a results
  table, or :class:`FaceMark` values) and returns the annotated image. The MP4
  export calls :meth:`Annotator.draw_yuv420` instead, which draws the same
  picture straight on a decoded frame's Y, U and V planes (no colour
  conversion).

Text is drawn with OpenCV's Hershey font (ASCII only; labels are ASCII).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import pandas as pd

from .label_layout import LabelRect, place_labels

RGB = tuple[int, int, int]

FONT = cv2.FONT_HERSHEY_SIMPLEX
_FONT_PX = 22  # cap height + descent of FONT at scale 1, in pixels
_LABEL_CACHE = 512  # rendered label tags kept per annotator


@dataclass(frozen=True, slots=True)
class FaceMark:
    """One face as drawn: its box ``(x1, y1, x2, y2)`` in pixels, its label and its colour."""

    bbox: tuple[int, int, int, int]
    text: str
    color: RGB


@dataclass(frozen=True)
class FaceStyle:
    """What a face's box and label look like.

    ``smoothed``: label with the per-track averages (``sex_label_avg``,
    ``age_label_avg``) and colour by ``sex_label_avg``; ``None`` (default):
    whenever the table has them (tracking engine). ``show_id``: prefix the
    label with ``#<face_id>``; ``None``: whenever the table has ``face_id``.
    Colours are RGB, chosen to stay apart for colour-blind viewers (blue /
    orange); ``unknown`` is for ``u`` or missing labels.
    """

    female: RGB = (255, 140, 0)
    male: RGB = (40, 150, 255)
    unknown: RGB = (200, 200, 200)
    smoothed: bool | None = None
    show_id: bool | None = None

    def uses_smoothed(self, columns: Iterable[str]) -> bool:
        has = {"sex_label_avg", "age_label_avg"} <= set(columns)
        return has if self.smoothed is None else self.smoothed and has

    def shows_id(self, columns: Iterable[str]) -> bool:
        has = "face_id" in set(columns)
        return has if self.show_id is None else self.show_id and has

    def color_of(self, sex_label: object) -> RGB:
        return {"f": self.female, "m": self.male}.get(str(sex_label), self.unknown)

    def marks(self, faces: pd.DataFrame) -> list[FaceMark]:
        """One :class:`FaceMark` per row of a results table (needs ``bbox``, ``sex_label``, ``age_label``)."""
        smoothed = self.uses_smoothed(faces.columns)
        suffix = "_avg" if smoothed else ""
        sexes = faces[f"sex_label{suffix}"].tolist()
        ages = faces[f"age_label{suffix}"].tolist()
        ids = faces["face_id"].tolist() if self.shows_id(faces.columns) else [None] * len(faces)
        return [
            FaceMark(int_box(bbox), label_text(sex, age, face_id, smoothed), self.color_of(sex))
            for bbox, sex, age, face_id in zip(faces["bbox"].tolist(), sexes, ages, ids)
        ]

    @staticmethod
    def line_width(width: int, height: int) -> int:
        """Box line width in pixels for a ``width`` x ``height`` frame (2 px at 540p, 4 px at 1080p)."""
        return max(2, round(min(width, height) / 250))

    @staticmethod
    def text_height(width: int, height: int) -> int:
        """Label text height in pixels (about 19 px at 540p)."""
        return max(10, round(min(width, height) / 28))


def int_box(bbox: Iterable[Any]) -> tuple[int, int, int, int]:
    """``(x1, y1, x2, y2)`` as integers (from floats, NumPy scalars...)."""
    x1, y1, x2, y2 = (int(v) for v in bbox)
    return x1, y1, x2, y2


def label_text(sex: object, age: Any, face_id: Any = None, smoothed: bool = False) -> str:
    """``"f 34"``; ``"#3 f 34"`` with a face id; ``"#3 f 34 (avg)"`` for per-track averages."""
    sex_text = str(sex) if isinstance(sex, str) and sex else "?"
    try:
        age_text = str(int(round(float(age))))
    except (TypeError, ValueError, OverflowError):
        age_text = "?"
    text = f"{sex_text} {age_text}"
    if face_id is not None and not (isinstance(face_id, float) and math.isnan(face_id)):
        text = f"#{int(face_id)} {text}"
    return f"{text} (avg)" if smoothed else text


def text_color(background: RGB) -> RGB:
    """Black or white, whichever reads better on ``background``."""
    r, g, b = background
    return (0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b > 110 else (255, 255, 255)


def rgb_to_yuv(color: RGB, matrix: str = "bt709", full_range: bool = False) -> tuple[int, int, int]:
    """``color`` as Y'CbCr values (``matrix``: ``bt601`` or ``bt709``; limited or full range)."""
    kr, kb = (0.2126, 0.0722) if matrix == "bt709" else (0.299, 0.114)
    r, g, b = (c / 255 for c in color)
    y = kr * r + (1 - kr - kb) * g + kb * b
    cb, cr = (b - y) / (2 * (1 - kb)), (r - y) / (2 * (1 - kr))
    if full_range:
        vals = (255 * y, 128 + 255 * cb, 128 + 255 * cr)
    else:
        vals = (16 + 219 * y, 128 + 224 * cb, 128 + 224 * cr)
    return tuple(int(min(255, max(0, round(v)))) for v in vals)  # type: ignore[return-value]


@dataclass(frozen=True)
class _Layer:
    """One image plane to draw on, at ``scale`` times the frame's resolution, with a colour mapping."""

    array: np.ndarray
    scale: int  # 1: full resolution; 2: half (4:2:0 chroma)
    channel: int | None  # index into the colour tuple; None: the whole (R, G, B) colour


class Annotator:
    """Draws face boxes and labels.

    ``style``: the text and colour rules (:class:`FaceStyle`). ``line_width``
    and ``text_height`` (pixels) default to the style's sizes for each
    frame's size. Labels sit on a filled tag above the box, else below or
    inside it, where they do not overlap another face's label
    (:func:`~inafaceanalyzer.export.label_layout.place_labels`).
    """

    def __init__(self, style: FaceStyle | None = None, line_width: int | None = None,
                 text_height: int | None = None) -> None:
        self.style = style or FaceStyle()
        self._line_width = line_width
        self._text_height = text_height
        self._yuv: dict[tuple[RGB, str, bool], tuple[int, int, int]] = {}
        self._labels: dict[tuple, list[np.ndarray]] = {}
        self._layout: tuple[tuple, list[LabelRect]] | None = None  # the last one

    def __call__(self, image: np.ndarray, faces: pd.DataFrame | Sequence[FaceMark]) -> np.ndarray:
        """A copy of the RGB ``image`` (``[H, W, 3]`` uint8) with ``faces`` drawn on it."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an [H, W, 3] uint8 RGB image, got {image.shape} {image.dtype}")
        out = np.array(image, copy=True, order="C")
        self.draw_rgb(out, self.style.marks(faces) if isinstance(faces, pd.DataFrame) else list(faces))
        return out

    def draw_rgb(self, image: np.ndarray, marks: Sequence[FaceMark]) -> None:
        """Draw ``marks`` in place on a C-contiguous ``[H, W, 3]`` uint8 RGB ``image``."""
        self._draw([_Layer(image, 1, None)], marks, image.shape[1], image.shape[0], lambda c: c)

    def draw_yuv420(self, planes: Sequence[np.ndarray], marks: Sequence[FaceMark], matrix: str = "bt709",
                    full_range: bool = False) -> None:
        """Draw ``marks`` in place on the ``(Y, U, V)`` planes of a 4:2:0 frame (cropped to the picture)."""
        y, u, v = planes
        layers = [_Layer(y, 1, 0), _Layer(u, 2, 1), _Layer(v, 2, 2)]

        def convert(color: RGB) -> tuple[int, int, int]:
            key = (color, matrix, full_range)
            if key not in self._yuv:
                self._yuv[key] = rgb_to_yuv(color, matrix, full_range)
            return self._yuv[key]

        self._draw(layers, marks, y.shape[1], y.shape[0], convert)

    def _sizes(self, width: int, height: int) -> tuple[int, int, float, int]:
        """Line width, text height, font scale and font thickness for a ``width`` x ``height`` frame."""
        line = self._line_width or self.style.line_width(width, height)
        text_px = self._text_height or self.style.text_height(width, height)
        return line, text_px, text_px / _FONT_PX, max(1, round(text_px / 12))

    def layout(self, marks: Sequence[FaceMark], width: int, height: int) -> list[LabelRect]:
        """Where the label of each mark goes on a ``width`` x ``height`` frame (labels never overlap
        while there is room: see :func:`~inafaceanalyzer.export.label_layout.place_labels`)."""
        key = (tuple(marks), width, height)
        if self._layout is not None and self._layout[0] == key:  # the MP4 shows a frame's faces until the next
            return self._layout[1]
        line, _, scale, thickness = self._sizes(width, height)
        sizes = [_tag_size(mark.text, scale, thickness) for mark in marks]
        rects = place_labels([mark.bbox for mark in marks], sizes, width, height, line, even=True)
        self._layout = (key, rects)
        return rects

    def _draw(self, layers: list[_Layer], marks: Sequence[FaceMark], width: int, height: int, convert) -> None:
        line, _, scale, font_thickness = self._sizes(width, height)
        colors = [convert(mark.color) for mark in marks]
        for mark, color in zip(marks, colors):
            x1, y1, x2, y2 = mark.bbox
            for layer in layers:
                s = layer.scale
                value = color if layer.channel is None else color[layer.channel]
                cv2.rectangle(layer.array, (x1 // s, y1 // s), (x2 // s, y2 // s), value,
                              max(1, round(line / s)), cv2.LINE_8)
        for mark, color, rect in zip(marks, colors, self.layout(marks, width, height)):  # labels over every box
            label = self._label_patches(layers, mark.text, color, convert(text_color(mark.color)), scale,
                                        font_thickness)
            for layer, patch in zip(layers, label):
                _paste(layer.array, patch, rect.left // layer.scale, rect.top // layer.scale)

    def _label_patches(self, layers: list[_Layer], text: str, color, ink, scale: float,
                       font_thickness: int) -> list[np.ndarray]:
        """The label tag rendered for each layer (cached: the same labels recur frame after frame)."""
        key = (text, color, ink, scale, font_thickness, tuple((layer.scale, layer.channel) for layer in layers))
        cached = self._labels.get(key)
        if cached is not None:
            return cached
        (_, th), _ = cv2.getTextSize(text, FONT, scale, font_thickness)
        pad = max(2, th // 4)
        w, h = _tag_size(text, scale, font_thickness)
        alpha = np.zeros((h, w), np.uint8)
        cv2.putText(alpha, text, (pad, pad + th), FONT, scale, 255, font_thickness, cv2.LINE_AA)
        patches = []
        for layer in layers:
            s = layer.scale
            a = alpha if s == 1 else cv2.resize(alpha, (w // s, h // s), interpolation=cv2.INTER_AREA)
            a = a.astype(np.float32)[..., None] / 255 if layer.channel is None else a.astype(np.float32) / 255
            bg = np.float32(color if layer.channel is None else color[layer.channel])
            fg = np.float32(ink if layer.channel is None else ink[layer.channel])
            patches.append((bg + (fg - bg) * a + 0.5).astype(np.uint8))
        if len(self._labels) >= _LABEL_CACHE:
            self._labels.clear()
        self._labels[key] = patches
        return patches


@functools.lru_cache(maxsize=_LABEL_CACHE)
def _tag_size(text: str, scale: float, font_thickness: int) -> tuple[int, int]:
    """Width and height (even) of a label's tag: the text and its padding."""
    (tw, th), baseline = cv2.getTextSize(text, FONT, scale, font_thickness)
    pad = max(2, th // 4)
    w, h = tw + 2 * pad, th + baseline + 2 * pad
    return w + w % 2, h + h % 2


def _paste(target: np.ndarray, patch: np.ndarray, x: int, y: int) -> None:
    """Copy ``patch`` into ``target`` with its top-left at ``(x, y)``, clipped to ``target``."""
    h, w = patch.shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, target.shape[1]), min(y + h, target.shape[0])
    if x1 > x0 and y1 > y0:
        target[y0:y1, x0:x1] = patch[y0 - y : y1 - y, x0 - x : x1 - x]

