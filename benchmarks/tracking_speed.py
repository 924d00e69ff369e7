#!/usr/bin/env python3
"""Speed of ``--engine videotracking --fps 5 --detect_period 3`` against ``--engine video --fps 5``.

The engines are built as the command line builds them (``jobs.build_analyzer``),
share one classifier, and run in this process on the 10-minute 960x540
benchmark programme (built into ``bench-cache/`` from ``../shared`` when absent;
``--video`` to read another copy in place): the video engine, the tracking
engine (faces re-detected in windows between detections, the default) and the
tracking engine with the original's correlation tracker. All are warmed up on a
short clip first; rounds alternate the engines so that machine noise hits them
alike, and the load average (1 min) is printed before and after.

    python benchmarks/tracking_speed.py [--video bench-cache/bench10.mp4] [--rounds 1] [--classifier NAME]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from _shared import CACHE, SHARED, require
from inafaceanalyzer import TrackingOptions
from inafaceanalyzer.classifiers import DEFAULT, create, names
from inafaceanalyzer.jobs import AnalysisOptions, build_analyzer


def bench10() -> Path:
    """The 10-minute benchmark video in ``bench-cache/``, built with ../shared/tools when absent."""
    path = CACHE / "bench10.mp4"
    if not path.is_file():
        tool = require(SHARED / "tools" / "make_bench_video.py", "the benchmark video tool")
        CACHE.mkdir(exist_ok=True)
        print(f"building {path} (takes a few minutes)...", flush=True)
        partial = path.with_suffix(".part.mp4")
        subprocess.run([sys.executable, str(tool), str(partial), "--minutes", "10"], check=True)
        partial.replace(path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--video", type=Path, default=None, help="benchmark video (default: bench-cache/bench10.mp4)")
    ap.add_argument("--fps", type=float, default=5.0)
    ap.add_argument("--detect_period", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--classifier", choices=names(), default=DEFAULT, help="the classifier both engines share")
    args = ap.parse_args()
    video = args.video or bench10()
    classifier = create(args.classifier, device="cpu")
    tracking = AnalysisOptions(engine="videotracking", fps=args.fps, detect_period=args.detect_period, device="cpu")
    engines = {
        "video": build_analyzer(AnalysisOptions(engine="video", fps=args.fps, device="cpu"), classifier),
        "videotracking": build_analyzer(tracking, classifier),
        "videotracking (correlation)": build_analyzer(tracking, classifier),
    }
    engines["videotracking (correlation)"].tracking = TrackingOptions(follow="correlation")  # type: ignore[attr-defined]
    load = os.getloadavg()[0]
    warmup = SHARED / "media" / "videos" / "intel-head-pose-face-detection-female-and-male.gif"
    for analyzer in engines.values():
        if warmup.is_file():
            analyzer(warmup, fps=args.fps)
    walls: dict[str, list[float]] = {name: [] for name in engines}
    cpus: dict[str, list[float]] = {name: [] for name in engines}
    results = {}
    for _ in range(args.rounds):
        for name, analyzer in engines.items():
            start, cpu = time.perf_counter(), time.process_time()
            results[name] = analyzer.analyze(video, fps=args.fps)
            walls[name].append(time.perf_counter() - start)
            cpus[name].append(time.process_time() - cpu)
    print(f"{video} at --fps {args.fps:g}: {results['video'].frames_analysed} frames analysed, "
          f"best of {args.rounds} round(s); load average {load:.1f} before, {os.getloadavg()[0]:.1f} after "
          f"({os.cpu_count()} CPUs)")
    base, base_cpu = min(walls["video"]), min(cpus["video"])
    for name, result in results.items():
        table = result.table
        best = min(walls[name])
        tracks = f", {table.face_id.nunique()} tracks" if "face_id" in table else ""
        detected = int(table.detect_conf.notna().sum())
        label = name if name == "video" else name.replace("tracking", f"tracking --detect_period {args.detect_period}", 1)
        print(f"{label:50s} {best:7.1f} s  {len(table):6d} face rows ({detected} detected{tracks})  "
              f"speed-up x{base / best:.2f}  (CPU time {min(cpus[name]):.1f} s: x{base_cpu / min(cpus[name]):.2f})")


if __name__ == "__main__":
    main()
