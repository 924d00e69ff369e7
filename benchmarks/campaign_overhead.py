#!/usr/bin/env python3
"""Ray campaign overhead against calling the engine directly, and throughput with 1 vs 2 workers.

The same short real-face videos (``--videos`` clips of ``--seconds`` s,
320x180, every frame analysed) are run three ways in one process:

- direct: ``build_analyzer`` once, then ``run_video_job`` on each clip;
- a local Ray campaign with 1 worker (``run_campaign(..., workers=1)``);
- the same with 2 workers.

Per-job overhead = (the campaign's job span - the direct loop) / N, where the
job span runs from the first job handed to a worker to the last result
received (so it leaves out Ray's start and the workers' model loading, reported
apart); it is split into Ray's own dispatch cost (span - the time the worker
spent inside ``run_video_job``, from the status table), measured within the
same campaign and so robust to machine noise, and the difference in analysis
time inside a 1-CPU actor. Outputs are deleted between runs; the clips are cached in
bench-cache/.

    python benchmarks/campaign_overhead.py [--videos 12] [--seconds 2] [--rounds 3]
"""

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from _shared import CACHE, ROOT

sys.path.insert(0, str(ROOT / "tests"))
from videogen import face_head, paste, write_video  # noqa: E402

from inafaceanalyzer.campaign import read_joblist, read_status, run_campaign, write_joblist  # noqa: E402
from inafaceanalyzer.examples import astronaut_path  # noqa: E402
from inafaceanalyzer.jobs import AnalysisOptions, VideoJob, build_analyzer, run_video_job  # noqa: E402
from inafaceanalyzer.media.images import load_image  # noqa: E402


def make_clips(folder: Path, count: int, seconds: float) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    head = face_head(load_image(astronaut_path()), 90)
    background = np.full((180, 320, 3), (70, 90, 120), np.uint8)
    frames = int(seconds * 25)
    clips = []
    for k in range(count):
        path = folder / f"clip{k:03d}_{frames}.mp4"
        if not path.exists():
            write_video(path, lambda i, k=k: paste(background, head, 10 + 3 * i % 200 + k, 25 + 3 * (k % 10)),
                        count=frames, rate=25)
        clips.append(path)
    return clips


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def campaign(clips: list[Path], out: Path, options: AnalysisOptions, workers: int) -> dict:
    fresh(out)
    joblist = write_joblist([VideoJob(str(c), out / f"{c.stem}.csv") for c in clips], out / "jobs.csv")
    marks: dict[str, float] = {}

    def progress(p):
        now = time.perf_counter()
        if p.running and "first" not in marks:
            marks["first"] = now
        if p.done + p.failed == p.total:
            marks.setdefault("last", now)

    start = time.perf_counter()
    summary = run_campaign(read_joblist(joblist), options, workers=workers, progress=progress)
    total = time.perf_counter() - start
    assert summary.done == len(clips), summary
    worker_time = sum(float(r["duration_s"]) for r in read_status(summary.status_path))
    return {"total": total, "startup": summary.startup_s, "first_dispatch": marks["first"] - start,
            "span": marks["last"] - marks["first"], "worker": worker_time}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=int, default=12)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3, help="medians over this many alternated rounds")
    args = ap.parse_args()
    clips = make_clips(CACHE / "campaign", args.videos, args.seconds)
    options = AnalysisOptions(engine="video", device="cpu")
    n = len(clips)

    t = time.perf_counter()
    analyzer = build_analyzer(options)
    load = time.perf_counter() - t
    runs: dict[str, list] = {"direct": [], "one": [], "two": []}
    for _ in range(args.rounds):  # alternated, so that machine noise hits all three alike
        out = fresh(CACHE / "campaign-out")
        t = time.perf_counter()
        for c in clips:
            run_video_job(analyzer, VideoJob(str(c), out / f"{c.stem}.csv"))
        runs["direct"].append(time.perf_counter() - t)
        runs["one"].append(campaign(clips, CACHE / "campaign-out", options, workers=1))
        runs["two"].append(campaign(clips, CACHE / "campaign-out", options, workers=2))
    direct = statistics.median(runs["direct"])
    one = {k: statistics.median(r[k] for r in runs["one"]) for k in runs["one"][0]}
    two = {k: statistics.median(r[k] for r in runs["two"]) for k in runs["two"][0]}

    print(f"medians of {args.rounds} rounds; {n} clips of {args.seconds:g} s (320x180, {int(args.seconds * 25)} frames each, every frame analysed)")
    print(f"direct run_video_job loop : {direct:7.2f} s  ({direct / n * 1000:6.0f} ms/job; model load {load:.2f} s apart)")
    for name, r in (("Ray campaign, 1 worker ", one), ("Ray campaign, 2 workers", two)):
        print(f"{name}   : {r['span']:7.2f} s job span ({r['span'] / n * 1000:6.0f} ms/job), "
              f"{r['total']:6.2f} s in all: Ray start {r['startup']:.2f} s, first job handed out at "
              f"{r['first_dispatch']:.2f} s (workers loading models)")
    print(f"overhead per job, 1 worker: {(one['span'] - direct) / n * 1000:+.0f} ms against the direct loop, of which "
          f"{(one['span'] - one['worker']) / n * 1000:+.0f} ms Ray dispatch and bookkeeping (job span - time "
          f"inside run_video_job on the worker) and {(one['worker'] - direct) / n * 1000:+.0f} ms of analysis time "
          "inside the 1-CPU actor against the direct loop (machine noise mostly)")
    print(f"throughput                : 1 worker {3600 * n / one['span']:.0f} jobs/h, "
          f"2 workers {3600 * n / two['span']:.0f} jobs/h (x{one['span'] / two['span']:.2f}); "
          f"counting Ray start: {3600 * n / one['total']:.0f} vs {3600 * n / two['total']:.0f} jobs/h")


if __name__ == "__main__":
    main()
