#!/usr/bin/env python3
"""Live analysis on a 960x540 25 fps programme: sustained analysed frames per second and the share of
frames dropped when it is played in real time, headless, with tracking.

Runs in one process with one set of models, in this order per round:

1. baseline: the ``videotracking`` file engine on every frame of the same video (same
   ``--detect_period``), the fastest the one streaming core goes through it;
2. live, as fast as possible (``--no-realtime``): every frame, none dropped;
3. live, in real time (the default for files): frames paced by their timestamps, the newest
   frame taken whenever the analysis is ready, the others dropped;
4. with ``--mp4``, the same in real time with the annotated MP4 recorded.

The video is the 1-minute benchmark programme, built into ``bench-cache/`` from
``../shared`` when absent (``--video`` to read another, e.g. a 2-minute one, in place).
Figures vary with the machine's load: compare the rows of one run.

    python benchmarks/live_throughput.py [--video bench-cache/bench1.mp4] [--detect_period 5] [--rounds 1] [--mp4]
                                         [--classifier NAME]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _video import bench_video
from _shared import SHARED
from inafaceanalyzer.classifiers import DEFAULT, create, names
from inafaceanalyzer.jobs import AnalysisOptions, build_analyzer
from inafaceanalyzer.live import LiveOptions, LiveSession


@dataclass
class Row:
    name: str
    wall_s: float
    cpu_s: float
    received: int
    analysed: int
    dropped: int
    faces: int

    @property
    def fps(self) -> float:
        return self.analysed / self.wall_s


def timed(name: str, work) -> Row:
    wall, cpu = time.perf_counter(), time.process_time()
    received, analysed, dropped, faces = work()
    return Row(name, time.perf_counter() - wall, time.process_time() - cpu, received, analysed, dropped, faces)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--video", type=Path, default=None, help="960x540 video (default: bench-cache/bench1.mp4)")
    ap.add_argument("--detect_period", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--mp4", action="store_true", help="also a real-time round recording the annotated MP4")
    ap.add_argument("--classifier", choices=names(), default=DEFAULT, help="default: the commands' default")
    args = ap.parse_args()
    video = args.video or bench_video(1)
    classifier = create(args.classifier, device="cpu")
    engine = build_analyzer(AnalysisOptions(engine="videotracking", detect_period=args.detect_period, device="cpu"),
                            classifier)
    warmup = SHARED / "media" / "videos" / "intel-head-pose-face-detection-female-and-male.gif"
    if warmup.is_file():
        engine(warmup)

    def file_engine():
        result = engine.analyze(video)
        return result.frames_analysed, result.frames_analysed, 0, len(result.table)

    def live(realtime: bool, mp4: bool = False):
        def work():
            with tempfile.TemporaryDirectory(prefix="ifa-live-") as out:
                session = LiveSession(engine, LiveOptions(realtime=realtime, mp4=mp4))  # type: ignore[arg-type]
                stats = session.run(str(video), out).stats
            return stats.received, stats.analysed, stats.dropped, stats.faces
        return work

    runs = {"videotracking file engine (baseline)": file_engine, "live --no-realtime": live(False),
            "live, real time": live(True)}
    if args.mp4:
        runs["live, real time, --mp4_export"] = live(True, True)
    best: dict[str, Row] = {}
    for _ in range(args.rounds):
        for name, work in runs.items():
            row = timed(name, work)
            if name not in best or row.fps > best[name].fps:
                best[name] = row
    print(f"{video}: detect_period {args.detect_period}, best of {args.rounds} round(s)")
    print(f"{'run':40s} {'wall s':>7s} {'CPU s':>7s} {'received':>9s} {'analysed':>9s} {'dropped':>14s} "
          f"{'analysed fps':>13s} {'faces':>6s}")
    for row in best.values():
        share = f"{row.dropped} ({100 * row.dropped / row.received:.1f}%)" if row.received else "0"
        print(f"{row.name:40s} {row.wall_s:7.1f} {row.cpu_s:7.1f} {row.received:9d} {row.analysed:9d} {share:>14s} "
              f"{row.fps:13.1f} {row.faces:6d}")


if __name__ == "__main__":
    main()
