#!/usr/bin/env python3
"""Detection precision and recall, without and with the second look (docs/detection.md).

* dlib's example photos (``../shared/media/detection``) against their ground-truth
  boxes (``testing.xml``, ``training.xml``): a detection matches a true face when
  the box dlib's landmark model is given for it (``landmark_box``, fitted to
  dlib's own boxes) has IoU >= 0.5 with it (greedy, best pairs first). Recall
  overall and for true faces >= 30 px; precision over the boxed photos.
* False faces on images with no human face: ``dogs.jpg`` and the scikit-image
  images of :data:`NEGATIVES`.
* Faces found in the frames of ``../shared/media/videos`` (``--fps`` per second);
  ``--sheet PNG`` writes the crops the second look rejected, to judge by eye.
* ``--utkface``: real faces kept among the 2,000 UTKFace dev crops, detected with
  25 % black padding as ``ina_face_analyzer_evaluate --faces auto`` does, by age
  group (slow: three detectors on 2,000 images).

Both detectors are YuNet with the default options except ``min_size_px=0`` (so
the overall recall counts small faces too); "before" has ``second_look=False``.

    python benchmarks/detection_precision.py [--fps 2] [--sheet rejected.png]
"""

from __future__ import annotations

import argparse
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import numpy as np

from _shared import SHARED, require
from inafaceanalyzer.detection import DetectionOptions, YuNetDetector
from inafaceanalyzer.media.images import load_image
from inafaceanalyzer.media.video import VideoReader
from inafaceanalyzer.types import Detection, Rect

# scikit-image's images without a human face that load without a download
NEGATIVES = ("brick", "cat", "checkerboard", "clock", "coffee", "coins", "colorwheel", "grass", "gravel", "horse",
             "hubble_deep_field", "immunohistochemistry", "logo", "microaneurysms", "moon", "page", "retina",
             "rocket", "stereo_motorcycle", "text")
MIN_IOU = 0.5
SMALL_PX = 30


def truth_boxes(folder: Path) -> dict[str, list[Rect]]:
    """``file name -> true face boxes`` from dlib's XML files."""
    boxes: dict[str, list[Rect]] = {}
    for xml in ("testing.xml", "training.xml"):
        for image in ET.parse(folder / xml).getroot().iter("image"):
            boxes[image.get("file")] = [
                Rect.from_xywh(*(float(b.get(k)) for k in ("left", "top", "width", "height")))
                for b in image.iter("box")
            ]
    return boxes


def match(found: list[Rect], truth: list[Rect]) -> set[int]:
    """Indices of the true boxes matched one-to-one by ``found`` (IoU >= MIN_IOU, best pairs first)."""
    pairs = sorted(((f.iou(t), i, j) for i, f in enumerate(found) for j, t in enumerate(truth)), reverse=True)
    used_f: set[int] = set()
    used_t: set[int] = set()
    for score, i, j in pairs:
        if score >= MIN_IOU and i not in used_f and j not in used_t:
            used_f.add(i)
            used_t.add(j)
    return used_t


def skimage_image(name: str) -> np.ndarray:
    """A scikit-image sample as RGB uint8."""
    import skimage.data

    image = getattr(skimage.data, name)()
    image = image[0] if isinstance(image, tuple) else image
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return np.ascontiguousarray(image[..., :3])


def photo_table(detectors: dict[str, YuNetDetector], folder: Path) -> None:
    truth = truth_boxes(folder)
    n_true = sum(len(t) for t in truth.values())
    n_big = sum(t.max_dim_len >= SMALL_PX for boxes in truth.values() for t in boxes)
    print(f"dlib's boxed photos: {len(truth)} photos, {n_true} true faces ({n_big} >= {SMALL_PX} px); "
          f"IoU >= {MIN_IOU} with the landmark box")
    print(f"{'':8}{'detections':>11}{'matched':>9}{'precision':>10}{'recall':>8}{f'recall >={SMALL_PX}px':>14}"
          f"{'ms/photo':>10}")
    images = {name: load_image(folder / name) for name in truth}
    for label, det in detectors.items():
        found_n = matched = matched_big = 0
        start = time.perf_counter()
        for name, image in images.items():
            boxes = [det.landmark_box(d.bbox) for d in det(image)]
            hits = match(boxes, truth[name])
            found_n += len(boxes)
            matched += len(hits)
            matched_big += sum(truth[name][j].max_dim_len >= SMALL_PX for j in hits)
        ms = (time.perf_counter() - start) / len(images) * 1000
        print(f"{label:8}{found_n:>11}{matched:>9}{matched / max(1, found_n):>10.3f}{matched / n_true:>8.3f}"
              f"{matched_big / n_big:>14.3f}{ms:>10.0f}")


def negatives_table(detectors: dict[str, YuNetDetector], folder: Path) -> None:
    images = {"dogs.jpg": load_image(folder / "dogs.jpg")}
    images.update({name: skimage_image(name) for name in NEGATIVES})
    counts = {label: {name: len(det(image)) for name, image in images.items()} for label, det in detectors.items()}
    print(f"\nfalse faces on images with no human face (dogs.jpg + skimage.data: {', '.join(NEGATIVES)})")
    for label, per_image in counts.items():
        where = ", ".join(f"{n} {c}" for n, c in per_image.items() if c)
        print(f"{label:8}{sum(per_image.values()):>4}   {where}")


def video_table(detectors: dict[str, YuNetDetector], folder: Path, fps: float, sheet: Path | None) -> None:
    before, after = detectors["before"], detectors["after"]
    print(f"\nfaces in the frames of {folder} at {fps} fps: before -> after; detection time after / before")
    tiles = []
    spent = {"before": 0.0, "after": 0.0}
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".mp4", ".gif")):
        n_before = n_after = frames = 0
        with VideoReader(path) as reader:
            for frame in reader.frames(fps=fps):
                frames += 1
                start = time.perf_counter()
                found = before(frame.image)
                middle = time.perf_counter()
                kept = after(frame.image)
                spent["before"] += middle - start
                spent["after"] += time.perf_counter() - middle
                n_before, n_after = n_before + len(found), n_after + len(kept)
                for d in found:
                    if not any(d.bbox.iou(k.bbox) > 0.9 for k in kept):
                        tiles.append(tile(frame.image, d, f"{path.stem[:12]} {frame.index}"))
        print(f"  {path.name:55}{frames:>4} frames {n_before:>5} -> {n_after:<5}")
    print(f"  detection time with the second look: {spent['after'] / spent['before']:.2f}x without it")
    if sheet is not None and tiles:
        print(f"  the {len(tiles)} crops rejected are in {sheet}")
        tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % 8)
        rows = [np.hstack(tiles[i : i + 8]) for i in range(0, len(tiles), 8)]
        cv2.imwrite(str(sheet), cv2.cvtColor(np.vstack(rows), cv2.COLOR_RGB2BGR))


def utkface_table(folder: Path) -> None:
    import pandas as pd

    labels = pd.read_csv(folder / "labels.csv")
    detectors = {
        "before": YuNetDetector(DetectionOptions(padd_prct=0.25, second_look=False)),
        "after": YuNetDetector(DetectionOptions(padd_prct=0.25)),
        "all looked": YuNetDetector(DetectionOptions(padd_prct=0.25, second_look_sure=1.0)),
    }
    found = {label: [] for label in detectors}
    for path in labels.path:
        image = load_image(folder / path)
        for label, det in detectors.items():
            found[label].append(len(det(image)) > 0)
    table = pd.DataFrame(found)
    table["age"] = pd.cut(labels.age, [0, 12, 19, 49, 200], labels=["0-12", "13-19", "20-49", "50+"])
    table["gender"] = labels.gender
    print(f"\nUTKFace dev: share of the {len(table)} faces found (padding 0.25)")
    print(table.groupby(["age", "gender"], observed=True)[list(detectors)].mean().round(4).to_string())
    print("all".ljust(12), "  ".join(f"{label} {sum(v)}" for label, v in found.items()))


def tile(image: np.ndarray, det: Detection, label: str, size: int = 160) -> np.ndarray:
    """A crop twice the detection's size around it, box drawn, labelled."""
    from inafaceanalyzer.detection.second_look import look_window

    window, box = look_window(image, det.bbox)
    f = size / window.shape[0]
    out = cv2.resize(window, (size, size))
    x1, y1, x2, y2 = box.mult(f, f).to_int()
    cv2.rectangle(out, (x1, y1), (x2, y2), (0, 255, 0), 1)
    cv2.putText(out, f"{label} {det.detect_conf:.2f}", (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (255, 0, 0), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fps", type=float, default=2.0, help="video frames analysed per second")
    ap.add_argument("--sheet", type=Path, help="write the video crops the second look rejected to this PNG")
    ap.add_argument("--utkface", action="store_true", help="also count the UTKFace dev faces kept (slow)")
    args = ap.parse_args()
    media = require(SHARED / "media", "sample media")
    detectors = {
        "before": YuNetDetector(DetectionOptions(min_size_px=0, second_look=False)),
        "after": YuNetDetector(DetectionOptions(min_size_px=0)),
    }
    photo_table(detectors, media / "detection")
    negatives_table(detectors, media / "detection")
    video_table(detectors, media / "videos", args.fps, args.sheet)
    if args.utkface:
        utkface_table(require(SHARED / "datasets" / "utkface-dev", "UTKFace dev set"))


if __name__ == "__main__":
    main()
