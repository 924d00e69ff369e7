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

    python benchmarks/tracking_profile.py [--video PATH] [--seconds 60] [--fps 5] [--detect_period 3]
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
from pathlib import Path

from _shared import CACHE, tracking_fields, tracking_options
from inafaceanalyzer import GenderAgeClassifier, TrackingOptions
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
    with _lock:
        _spent[name] += seconds
        _calls[name] += call


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
    timed(GenderAgeClassifier, "__call__", "classification")


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
    tracking_options(ap)
    args = ap.parse_args()
    video = args.video or first_seconds(args.seconds)
    instrument()
    classifier = GenderAgeClassifier(device="cpu")
    engines = {
        "video": build_analyzer(AnalysisOptions(engine="video", fps=args.fps, device="cpu"), classifier),
        "videotracking": build_analyzer(AnalysisOptions(engine="videotracking", fps=args.fps,
                                                        detect_period=args.detect_period, device="cpu"), classifier),
    }
    engines["videotracking"].tracking = TrackingOptions(**tracking_fields(args.set))  # type: ignore[attr-defined]
    load = os.getloadavg()[0]
    report: dict[str, tuple[float, float, int, int, dict[str, float], dict[str, int]]] = {}
    for _ in range(args.rounds):
        for name, analyzer in engines.items():
            _spent.clear()
            _calls.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            result = analyzer.analyze(video, fps=args.fps)
            report[name] = (time.perf_counter() - wall, time.process_time() - cpu, result.frames_analysed,
                            len(result.table), dict(_spent), dict(_calls))
    print(f"{video} at --fps {args.fps:g}, --detect_period {args.detect_period}; load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after ({os.cpu_count()} CPUs)")
    stages = sorted({s for *_, spent, _ in report.values() for s in spent})
    print(f"{'stage (CPU ms per analysed frame)':36s}" + "".join(f"{n:>16s}" for n in engines))
    for s in stages:
        cells = []
        for _wall, _cpu, frames, _rows, spent, calls in report.values():
            cells.append(f"{1000 * spent.get(s, 0) / frames:9.2f} ({calls.get(s, 0):5d})" if s in spent else " " * 16)
        print(f"{s:36s}" + "".join(f"{c:>16s}" for c in cells))
    for label, i in (("stages, total", -1), ("process CPU", 1), ("wall", 0)):
        cells = [sum(r[4].values()) if i < 0 else r[i] for r in report.values()]
        print(f"{label + ' (ms per frame)':36s}" + "".join(f"{1000 * c / r[2]:16.2f}" for c, r in zip(cells, report.values())))
    print(f"{'frames, face rows':36s}" + "".join(f"{f'{r[2]}, {r[3]}':>16s}" for r in report.values()))


if __name__ == "__main__":
    main()
