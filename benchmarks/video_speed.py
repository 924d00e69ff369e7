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
of ``--repeat``) and its time is also given as a ratio to the first's.

    python benchmarks/video_speed.py [--minutes 10] [--repeat 2] [--classifier dlib ensemble]
"""

import argparse
import time

import av

from _video import analyzer_command, bench_video, run_command, temp_output_dir


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
    args = ap.parse_args()
    video = bench_video(args.minutes)
    floors = {"FFmpeg threads": [], "one thread": []}
    ours = {name: [] for name in args.classifier}
    for _ in range(args.repeat):
        floors["FFmpeg threads"].append(decode_floor(video, "AUTO"))
        floors["one thread"].append(decode_floor(video, "NONE"))
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
    first = min(r.wall_s for r in ours[args.classifier[0]])
    for name, runs in ours.items():
        best = min(runs, key=lambda r: r.wall_s)
        print(f"ina_face_analyzer --engine video --fps {args.fps:g} --classifier {name:8s} {best.wall_s:6.1f} s  "
              f"(peak RSS {best.max_rss_mib:.0f} MiB; {best.wall_s / first:.2f}x {args.classifier[0]}; "
              f"{best.wall_s / floor:.2f}x the decode-only floor)")


if __name__ == "__main__":
    main()
