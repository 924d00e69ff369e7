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

from ..types import Rect

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


def _boxes(faces: pd.DataFrame) -> np.ndarray:
    return np.array([tuple(b) for b in faces["bbox"]], dtype=np.float64).reshape(-1, 4)


def _scores(detected: pd.DataFrame, choice: str) -> np.ndarray:
    """Higher is better: each face's area, or (``central``) minus its distance to its image's centre."""
    b = _boxes(detected)
    if choice != CENTRAL:
        return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    scores = np.zeros(len(detected))
    counts = detected.groupby("frame", sort=False)["frame"].transform("size").to_numpy()
    for path in detected["frame"][counts > 1].unique():  # only images with several faces are read
        at = (detected["frame"] == path).to_numpy()
        width, height = displayed_size(path)
        centres = (b[at, :2] + b[at, 2:]) / 2
        scores[at] = -np.hypot(centres[:, 0] - width / 2, centres[:, 1] - height / 2)
    return scores


def per_row(table: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """``found`` (a row per image, ``frame``: its path) for each labelled row of ``table`` with that
    ``path`` (``row``: the row's position)."""
    rows = pd.DataFrame({"row": np.arange(len(table)), "frame": table["path"].to_numpy()})
    return rows.merge(found, on="frame")


def choose_faces(table: pd.DataFrame, detected: pd.DataFrame, choice: str = LARGEST) -> pd.DataFrame:
    """The detected face chosen for each labelled row of ``table`` (columns ``path``, and ``box`` for ``box``).

    ``detected`` has a row per face (``frame``: the image path, ``bbox`` ...).
    Returns a row per labelled row whose image has faces: ``row`` (its position
    in ``table``), ``faces_found`` (faces in its image) and ``detected``'s columns.
    """
    if choice not in FACE_CHOICES:
        raise ValueError(f"face choice must be one of {', '.join(FACE_CHOICES)}, got {choice!r}")
    if detected.empty:
        return detected.assign(row=pd.Series(dtype="int64"), faces_found=pd.Series(dtype="int64"))
    detected = detected.reset_index(drop=True)
    counts = detected.groupby("frame", sort=False)["frame"].transform("size")
    best = pd.Series(_scores(detected, choice)).groupby(detected["frame"], sort=False).idxmax()
    chosen = per_row(table, detected.loc[best].assign(faces_found=counts[best].to_numpy()))
    if choice == BOX and "box" in table.columns:
        chosen = _by_box(chosen, table, detected)
    return chosen.sort_values("row", kind="stable").reset_index(drop=True)


def _by_box(chosen: pd.DataFrame, table: pd.DataFrame, detected: pd.DataFrame) -> pd.DataFrame:
    """``chosen`` where each row with a labelled box gets the face overlapping it most (none: empty results)."""
    boxes = table["box"].to_numpy()
    boxed = np.array([isinstance(boxes[r], (tuple, list)) for r in chosen["row"]], dtype=bool)
    faces_of = detected.groupby("frame", sort=False).indices  # path -> positions of its faces
    b = _boxes(detected)
    picked, missed = [], []
    for row, path in zip(chosen["row"][boxed], chosen["frame"][boxed], strict=True):
        faces = faces_of[path]
        labelled = Rect(*boxes[row])
        overlap = np.array([Rect(*b[f]).iou(labelled) for f in faces])
        if overlap.max() > 0:
            picked.append((row, faces[int(np.argmax(overlap))]))
        else:  # no face there: results left empty
            missed.append(row)
    rows = [r for r, _ in picked]
    faces_found = chosen.set_index("row")["faces_found"]
    return pd.concat([
        chosen[~boxed],
        detected.iloc[[f for _, f in picked]].assign(row=rows, faces_found=faces_found[rows].to_numpy()),
        chosen[chosen["row"].isin(missed)][["row", "frame", "faces_found"]],
    ], ignore_index=True)
