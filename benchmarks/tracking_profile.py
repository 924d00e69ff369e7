#!/usr/bin/env python3
"""Where the CPU time of ``--engine video`` and ``--engine videotracking`` goes, stage by stage.

Runs both engines (built as the command line builds them, one shared
classifier) on a video (default: the first minute of the 10-minute benchmark
programme, cut into ``bench-cache/`` once) and charges each thread's CPU time
(``time.thread_time``) to the stage it is in: decoding and RGB conversion,
whole-frame detection (YuNet's first pass), window detections, the detector's
second look, the tracker's own bookkeeping (grey frames, shot changes,
matching), landmarks and chips, and classification. Stages nest (a second look
inside a window detection is charged to the second look only). The engines
alternate ``--rounds`` times; the last round is printed.

    python benchmarks/tracking_profile.py [--video PATH] [--seconds 60] [--fps 5] [--detect_period 3] [--classifier NAME]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from _shared import CACHE, tracking_fields, tracking_options
from inafaceanalyzer import TrackingOptions
from inafaceanalyzer.classifiers import DEFAULT, create, names
from inafaceanalyzer.classification.alignment import FaceAligner
from inafaceanalyzer.detection import base as detection_base
from inafaceanalyzer.detection.yunet import YuNetDetector
from inafaceanalyzer.jobs import AnalysisOptions, build_analyzer
from inafaceanalyzer.media.video import VideoReader
from inafaceanalyzer.tracking import detector as tracking_detector
from inafaceanalyzer.tracking import redetection

_local = threading.local()
_spent: defaultdict[str, float] = defaultdict(float)
_calls: defaultdict[str, int] = defaultdict(int)
_threads: defaultdict[str, float] = defaultdict(float)  # stage time by thread: main, workers, decoding
_lock = threading.Lock()


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Charge this thread's CPU time to ``name`` until the block ends (inner stages take their share)."""
    stack: list[str] = _local.__dict__.setdefault("stack", [])
    now = time.thread_time()
    if stack:
        _charge(stack[-1], now - _local.since)
    stack.append(name)
    _local.since = now
    try:
        yield
    finally:
        now = time.thread_time()
        _charge(stack.pop(), now - _local.since, call=True)
        _local.since = now


def _charge(name: str, seconds: float, call: bool = False) -> None:
    thread = threading.current_thread()
    kind = "main" if thread is threading.main_thread() else "decode" if "decode" in thread.name else "workers"
    with _lock:
        _spent[name] += seconds
        _calls[name] += call
        _threads[kind] += seconds


def timed(owner: object, attr: str, name: str | Callable[..., str]) -> None:
    """Wrap ``owner.attr`` so that its calls are charged to ``name`` (or ``name(*args)``)."""
    fn = getattr(owner, attr)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with stage(name(*args) if callable(name) else name):
            return fn(*args, **kwargs)

    setattr(owner, attr, wrapper)


def timed_generator(owner: object, attr: str, name: str) -> None:
    """Wrap a generator method: the time spent producing each item is charged to ``name``."""
    fn = getattr(owner, attr)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        iterator = fn(*args, **kwargs)
        while True:
            with stage(name):
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item

    setattr(owner, attr, wrapper)


def instrument() -> None:
    timed_generator(VideoReader, "frames", "decode + RGB")
    in_window = threading.local()

    def detection_stage(_self, image) -> str:
        return "window detections" if getattr(in_window, "on", False) else "whole-frame detection"

    timed(YuNetDetector, "_detect", detection_stage)
    timed(detection_base, "second_look", "second look")
    original = redetection.detect_in_windows

    @functools.wraps(original)
    def windows(*args, **kwargs):
        in_window.on = True
        try:
            with stage("window crops + merging"):
                return original(*args, **kwargs)
        finally:
            in_window.on = False

    tracking_detector.detect_in_windows = windows
    timed(tracking_detector.TrackingDetector, "update", "tracking bookkeeping")
    timed(tracking_detector.TrackingDetector, "prepare", "tracking bookkeeping")
    timed(FaceAligner, "chips", "landmarks + chips")


@dataclass
class Run:
    wall: float
    cpu: float
    main_cpu: float  # the main thread's, stages or not: the thread that orders frames and classifies
    frames: int
    rows: int
    spent: dict[str, float]
    calls: dict[str, int]
    threads: dict[str, float]

    def per_frame(self, seconds: float) -> float:
        return 1000 * seconds / self.frames


def first_seconds(seconds: float) -> Path:
    from _video import bench_video  # noqa: F401  (the programme is built there when absent)
    import mp4_export_cost

    return mp4_export_cost.cut(CACHE / "bench10.mp4" if (CACHE / "bench10.mp4").exists()
                               else mp4_export_cost.bench_video(None), seconds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--video", type=Path, default=None)
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the cut of bench10.mp4")
    ap.add_argument("--fps", type=float, default=5.0)
    ap.add_argument("--detect_period", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--classifier", choices=names(), default=DEFAULT, help="the classifier both engines share")
    tracking_options(ap)
    args = ap.parse_args()
    video = args.video or first_seconds(args.seconds)
    instrument()
    classifier = create(args.classifier, device="cpu")
    timed(type(classifier), "__call__", "classification")
    engines = {
        "video": build_analyzer(AnalysisOptions(engine="video", fps=args.fps, device="cpu"), classifier),
        "videotracking": build_analyzer(AnalysisOptions(engine="videotracking", fps=args.fps,
                                                        detect_period=args.detect_period, device="cpu"), classifier),
    }
    engines["videotracking"].tracking = TrackingOptions(**tracking_fields(args.set))  # type: ignore[attr-defined]
    load = os.getloadavg()[0]
    report: dict[str, Run] = {}
    for _ in range(args.rounds):
        for name, analyzer in engines.items():
            for tally in (_spent, _calls, _threads):
                tally.clear()
            wall, cpu, main_cpu = time.perf_counter(), time.process_time(), time.thread_time()
            result = analyzer.analyze(video, fps=args.fps)
            report[name] = Run(time.perf_counter() - wall, time.process_time() - cpu, time.thread_time() - main_cpu,
                               result.frames_analysed, len(result.table), dict(_spent), dict(_calls), dict(_threads))
    print(f"{video} at --fps {args.fps:g}, --detect_period {args.detect_period}; load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after ({os.cpu_count()} CPUs)")
    print(f"{'CPU ms per analysed frame (calls)':36s}" + "".join(f"{n:>16s}" for n in engines))
    for stage_name in sorted({s for run in report.values() for s in run.spent}):
        cells = [f"{run.per_frame(run.spent[stage_name]):9.2f} ({run.calls[stage_name]:5d})"
                 if stage_name in run.spent else "" for run in report.values()]
        print(f"{stage_name:36s}" + "".join(f"{c:>16s}" for c in cells))
    rows = {"stages, total": lambda r: sum(r.spent.values()), "process CPU": lambda r: r.cpu,
            "main thread CPU": lambda r: r.main_cpu, "wall": lambda r: r.wall}
    rows.update({f"stages in {kind} thread(s)": (lambda r, k=kind: r.threads.get(k, 0.0))
                 for kind in ("main", "workers", "decode")})
    for label, value in rows.items():
        print(f"{label:36s}" + "".join(f"{run.per_frame(value(run)):16.2f}" for run in report.values()))
    print(f"{'frames, face rows':36s}" + "".join(f"{f'{r.frames}, {r.rows}':>16s}" for r in report.values()))

if __name__ == "__main__":
    main()
