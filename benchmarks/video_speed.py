#!/usr/bin/env python3
"""The original's published speed: a 10-minute 960x540 video at ``--fps 1``, without tracking.

Prints, measured in the same run on the same file:

* the decode-only floor: PyAV decoding every frame (FFmpeg's own threading,
  and single-threaded; the faster one is the floor);
* our full command, ``ina_face_analyzer --engine video --fps 1`` (a child
  process: start-up, model loading, decoding, detection, classification and
  writing the CSV included), its wall time and peak memory;
* the ratio of the two (goal: at most 1.5) against the original's 26 s on an
  RTX 2080 Ti GPU (goal: 26 s or less).

With ``--classifier A B ...`` each classifier runs in turn (interleaved, best
of ``--repeat``) and its time is also given as a ratio to the first's. With
``--baseline_src DIR`` the ``src`` folder of another checkout (e.g. an older
commit: ``git archive 4dcd361 src | tar -x -C /tmp/base``) runs first in each
round, with its default classifier, and every time is also given as a ratio
to it. The load average is printed before and after.

    python benchmarks/video_speed.py [--minutes 10] [--repeat 2] [--classifier dlib ensemble] \
        [--baseline_src /tmp/base/src]
"""

import argparse
import os
import time

import av

from _video import analyzer_command, baseline_command, bench_video, run_command, temp_output_dir


def decode_floor(path, threads: str) -> float:
    start = time.perf_counter()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = threads
        for _ in container.decode(stream):
            pass
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--repeat", type=int, default=2, help="best of this many runs of each")
    ap.add_argument("--fps", type=float, default=1)
    ap.add_argument("--classifier", nargs="+", default=["dlib"], metavar="NAME",
                    help="classifiers to time in the same run; ratios are to the first")
    ap.add_argument("--baseline_src", metavar="DIR",
                    help="also time the analysis command of this src folder (its default classifier)")
    args = ap.parse_args()
    video = bench_video(args.minutes)
    floors = {"FFmpeg threads": [], "one thread": []}
    ours = {name: [] for name in args.classifier}
    baseline = []
    load_before = os.getloadavg()
    for _ in range(args.repeat):
        floors["FFmpeg threads"].append(decode_floor(video, "AUTO"))
        floors["one thread"].append(decode_floor(video, "NONE"))
        if args.baseline_src:
            command, env = baseline_command(args.baseline_src)
            with temp_output_dir() as out:
                run = run_command(command + ["--engine", "video", "--fps", f"{args.fps:g}", "-q",
                                             "-i", str(video), "-o", out], env)
                assert run.returncode == 0
                baseline.append(run)
        for name in args.classifier:
            with temp_output_dir() as out:
                run = run_command(analyzer_command() + ["--engine", "video", "--fps", f"{args.fps:g}", "-q",
                                                         "--classifier", name, "-i", str(video), "-o", out])
                assert run.returncode == 0
                ours[name].append(run)
    floor = min(min(v) for v in floors.values())
    print(f"video: {video} ({args.minutes:g} min, 960x540, 25 fps), best of {args.repeat}")
    for name, values in floors.items():
        print(f"decode every frame, PyAV, {name:15s} {min(values):6.1f} s")
    print("load average (1, 5, 15 min) before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(
        *load_before, *os.getloadavg()))
    first = min(r.wall_s for r in ours[args.classifier[0]])
    base = min(r.wall_s for r in baseline) if baseline else None
    if base is not None:
        print(f"baseline {args.baseline_src}, its default classifier {base:6.1f} s  "
              f"(each: {', '.join(f'{r.wall_s:.1f}' for r in baseline)})")
    for name, runs in ours.items():
        best = min(runs, key=lambda r: r.wall_s)
        versus = f"; {best.wall_s / base:.2f}x the baseline" if base is not None else ""
        print(f"ina_face_analyzer --engine video --fps {args.fps:g} --classifier {name:8s} {best.wall_s:6.1f} s  "
              f"(each: {', '.join(f'{r.wall_s:.1f}' for r in runs)}; peak RSS {best.max_rss_mib:.0f} MiB; "
              f"{best.wall_s / first:.2f}x {args.classifier[0]}{versus}; {best.wall_s / floor:.2f}x the decode-only floor)")


if __name__ == "__main__":
    main()
