#!/usr/bin/env python3
"""Peak memory (RSS) of ``ina_face_analyzer --engine video --fps 1`` on 10- and 60-minute videos.

Goal: under 1 GiB, and not growing with the video's duration. Each run is a
child process; its peak resident set size comes from ``wait4``.

    python benchmarks/video_memory.py [--minutes 10 60]
"""

import argparse

from _video import analyzer_command, bench_video, run_command, temp_output_dir


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, nargs="+", default=[10, 60])
    ap.add_argument("--fps", type=float, default=1)
    args = ap.parse_args()
    rows = []
    for minutes in args.minutes:
        video = bench_video(minutes)
        with temp_output_dir() as out:
            run = run_command(analyzer_command() + ["--engine", "video", "--fps", f"{args.fps:g}", "-q",
                                                     "-i", str(video), "-o", out])
        assert run.returncode == 0
        rows.append((minutes, run))
    print(f"{'video':>10s} {'peak RSS':>10s} {'wall':>8s}")
    for minutes, run in rows:
        print(f"{minutes:8g} min {run.max_rss_mib:7.0f} MiB {run.wall_s:7.1f} s")
    if len(rows) > 1:
        growth = rows[-1][1].max_rss_mib - rows[0][1].max_rss_mib
        print(f"growth from {rows[0][0]:g} to {rows[-1][0]:g} min: {growth:+.0f} MiB")


if __name__ == "__main__":
    main()
