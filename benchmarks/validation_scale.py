#!/usr/bin/env python3
"""Drawing a validation sample with thumbnails from a 1,000-video campaign's results.

Generates (once, cached in the git-ignored ``bench-cache/validation-scale/``) ``--videos``
realistic tracked results tables with sidecars, as ``report_scale.py`` does (programmes of 5
to 30 minutes at 1 analysed frame per second), and one real 30-minute 960x540 H.264 video
(5 frames/s, a keyframe every 5 s, so that a seek decodes up to 25 frames, as a 25 fps
broadcast with 1 s GOPs does) that every programme's sidecar names under its own file name
(symbolic links): each source is opened and seeked on its own, as in a real campaign. Then
runs ``ina_face_analyzer_validate sample`` in a child process and prints its wall time.

    python benchmarks/validation_scale.py [--videos 1000] [--n 400] [--unit face]
"""

import argparse
import fractions
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

from _shared import CACHE
from _synthetic_results import write_programmes
from inafaceanalyzer.examples import astronaut_path
from inafaceanalyzer.media.images import load_image
from report_scale import run_child


def make_video(path: Path, minutes: float = 30, fps: int = 5) -> None:
    base = load_image(astronaut_path())
    canvas = np.zeros((540, 960, 3), np.uint8)
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        stream = out.add_stream("libx264", rate=fractions.Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = 960, 540, "yuv420p"
        stream.options = {"preset": "ultrafast", "g": str(5 * fps), "keyint_min": str(5 * fps), "sc_threshold": "0"}
        for i in range(int(minutes * 60 * fps)):
            x = (7 * i) % (960 - base.shape[1] // 2)
            canvas[:] = (i * 3) % 255
            small = base[::2, ::2]
            canvas[:small.shape[0], x:x + small.shape[1]] = small
            frame = av.VideoFrame.from_ndarray(canvas, format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    tmp.replace(path)


def dataset(n: int, seed: int) -> Path:
    folder = CACHE / "validation-scale" / f"tracked-{n}-seed{seed}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        video = CACHE / "validation-scale" / "video30.mp4"
        if not video.exists():
            t = time.perf_counter()
            print("encoding the 30-minute video ...", flush=True)
            video.parent.mkdir(parents=True, exist_ok=True)
            make_video(video)
            print(f"encoded in {time.perf_counter() - t:.0f} s", flush=True)
        t = time.perf_counter()
        print(f"generating {n} results files in {folder} ...", flush=True)
        results = folder / "results"
        sources = folder / "sources"
        sources.mkdir(parents=True)
        for path in write_programmes(results, n, seed=seed):
            src = sources / f"{path.stem}.mp4"
            src.symlink_to(video)
            side = json.loads(path.with_suffix(".json").read_text())
            side["source"] = str(src)
            path.with_suffix(".json").write_text(json.dumps(side))
        (folder / ".complete").write_text("ok")
        print(f"generated in {time.perf_counter() - t:.0f} s", flush=True)
    return folder / "results"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=int, default=1000)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--unit", choices=("face", "person"), default="face")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    results = dataset(args.videos, args.seed)
    rows = sum(sum(1 for _ in open(f, "rb")) - 1 for f in results.glob("*.csv"))
    print(f"input: {args.videos} results files, {rows:,} face rows; {os.cpu_count()} CPU cores")
    for r in range(args.rounds):
        with tempfile.TemporaryDirectory() as out:
            wall, cpu, rss, code = run_child([sys.executable, "-m", "inafaceanalyzer.cli.validate", "sample",
                                              str(results), "-o", out, "--n", str(args.n), "--unit", args.unit, "-q"])
            sample = Path(out) / "sample.csv"
            n_items = sum(1 for _ in open(sample)) - 1 if sample.exists() else 0
            page = Path(out) / "annotate.html"
            mib = page.stat().st_size / 2**20 if page.exists() else 0
        print(f"round {r + 1}: {n_items} {args.unit}s with thumbnails in {wall:.1f} s wall ({cpu:.1f} s CPU), "
              f"peak RSS {rss} MiB, exit {code}, annotate.html {mib:.1f} MiB", flush=True)
    print(f"machine load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
