"""Which detected face of a photo is the labelled one, when the detector finds several.

As in the original inaFaceAnalyzer: ``largest`` (largest ``bbox``),
``central`` (``bbox`` centre nearest the image centre) or ``box`` (largest
overlap, intersection over union, with the face box given in the labels;
rows without a box fall back to the largest face, and a box that no detected
face overlaps leaves the row without a face, its results empty).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image

LARGEST, CENTRAL, BOX = "largest", "central", "box"
FACE_CHOICES = (LARGEST, CENTRAL, BOX)
ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
EXIF_ORIENTATION = 0x0112


def displayed_size(path: str) -> tuple[int, int]:
    """``(width, height)`` of an image as decoded (EXIF orientation applied), from its header."""
    with Image.open(path) as img:
        width, height = img.size
        if img.getexif().get(EXIF_ORIENTATION) in ROTATED:
            return height, width
        return width, height


def iou(a: tuple, b: tuple) -> float:
    """Intersection over union of two ``(x1, y1, x2, y2)`` boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(w, 0) * max(h, 0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _score(faces: pd.DataFrame, choice: str, box: tuple | None) -> np.ndarray:
    """Higher is better: each face's area, closeness to the image centre, or overlap with ``box``."""
    b = np.array([tuple(x) for x in faces["bbox"]], dtype=np.float64).reshape(-1, 4)
    if choice == BOX and box is not None:
        return np.array([iou(tuple(x), box) for x in b])
    if choice == CENTRAL and len(faces) > 1:
        width, height = displayed_size(faces["frame"].iloc[0])
        centres = (b[:, :2] + b[:, 2:]) / 2
        return -np.hypot(centres[:, 0] - width / 2, centres[:, 1] - height / 2)
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def choose_faces(table: pd.DataFrame, detected: pd.DataFrame, choice: str = LARGEST) -> pd.DataFrame:
    """The detected face chosen for each labelled row of ``table`` (columns ``path`` and ``box``).

    ``detected`` has a row per face (``frame``: the image path, ``bbox`` ...).
    Returns a row per labelled row whose image has faces: ``row`` (its position
    in ``table``), ``faces_found`` (faces in its image) and ``detected``'s columns.
    """
    if choice not in FACE_CHOICES:
        raise ValueError(f"face choice must be one of {', '.join(FACE_CHOICES)}, got {choice!r}")
    by_image = {path: faces for path, faces in detected.groupby("frame", sort=False)}
    chosen = []
    for row, (path, box) in enumerate(zip(table["path"], table["box"], strict=True)):
        faces = by_image.get(path)
        if faces is None:
            continue
        box = tuple(box) if isinstance(box, (tuple, list)) else None
        score = _score(faces, choice, box)
        if choice == BOX and box is not None and score.max() <= 0:  # no face there: results left empty
            chosen.append(faces.iloc[[0]][["frame"]].assign(row=row, faces_found=len(faces)))
            continue
        chosen.append(faces.iloc[[int(np.argmax(score))]].assign(row=row, faces_found=len(faces)))
    if not chosen:
        return detected.iloc[:0].assign(row=pd.Series(dtype="int64"), faces_found=pd.Series(dtype="int64"))
    return pd.concat(chosen, ignore_index=True)
