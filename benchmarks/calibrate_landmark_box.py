#!/usr/bin/env python3
"""Fit the YuNet box -> dlib landmark box mapping used by ``YuNetDetector.landmark_box``.

dlib's 5-point landmark model was trained on boxes from dlib's HOG face
detector. On the sample photos and every 7th frame of the sample videos
(``../shared/media``; no labels used), faces found by both detectors are paired
(IoU > 0.3) and the median ratios printed: HOG box side / YuNet box height, and
the vertical shift of the HOG centre in YuNet heights.

    python benchmarks/calibrate_landmark_box.py
"""

import av
import cv2
import dlib
import numpy as np

from _shared import SHARED, require
from inafaceanalyzer.detection import DetectionOptions, YuNetDetector
from inafaceanalyzer.examples import astronaut_path
from inafaceanalyzer.media.images import load_image
from inafaceanalyzer.types import Rect


def sample_frames():
    media = require(SHARED / "media", "sample media")
    yield load_image(astronaut_path())
    for path in sorted((media / "images").glob("*.jpg")):
        yield load_image(path)
    for path in sorted((media / "videos").iterdir()):
        if path.suffix not in (".mp4", ".gif"):
            continue
        with av.open(str(path)) as container:
            for i, frame in enumerate(container.decode(video=0)):
                if i % 7 == 0:
                    img = frame.to_ndarray(format="rgb24")
                    if max(img.shape) > 1000:
                        img = cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2))
                    yield img


def main():
    yunet = YuNetDetector(DetectionOptions(minconf=0.6, min_size_px=0), max_side=4096)
    hog = dlib.get_frontal_face_detector()
    side, shift, dx = [], [], []
    for img in sample_frames():
        found = yunet(img)
        for d in hog(img, 1):
            h = Rect(d.left(), d.top(), d.right() + 1, d.bottom() + 1)
            best = max(found, key=lambda y: y.bbox.iou(h), default=None)
            if best is None or best.bbox.iou(h) <= 0.3:
                continue
            y = best.bbox
            side.append(h.w / y.h)
            shift.append((h.center[1] - y.center[1]) / y.h)
            dx.append((h.center[0] - y.center[0]) / y.w)
    print(f"{len(side)} faces found by both detectors")
    print(f"HOG side / YuNet height: median {np.median(side):.3f} (IQR {np.percentile(side, 25):.3f}-{np.percentile(side, 75):.3f})")
    print(f"HOG centre shift down / YuNet height: median {np.median(shift):.3f}")
    print(f"HOG centre shift right / YuNet width: median {np.median(dx):.3f}")
    print(f"in use: side {YuNetDetector.LANDMARK_BOX_SIDE}, shift {YuNetDetector.LANDMARK_BOX_SHIFT}")


if __name__ == "__main__":
    main()
