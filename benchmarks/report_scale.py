#!/usr/bin/env python3
"""Report wall time and peak memory for 1,000 generated results files.

Generates (once, cached in the git-ignored ``bench-cache/report-scale/``) ``--videos``
realistic tracked results tables with sidecars: programmes of 5 to 30 minutes analysed
at 1 frame per second, about 1.5 faces per frame (see ``_synthetic_results.py``). Then
runs ``ina_face_analyzer_report`` on the folder in a child process, ``--rounds`` times,
and prints its wall time, CPU time and peak resident memory (``ru_maxrss`` of the child,
from ``os.wait4``), with the input size.

    python benchmarks/report_scale.py [--videos 1000] [--rounds 3] [--bootstrap 1000]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _shared import CACHE
from _synthetic_results import write_programmes


def dataset(n: int, seed: int) -> Path:
    folder = CACHE / "report-scale" / f"tracked-{n}-seed{seed}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        print(f"generating {n} results files in {folder} ...", flush=True)
        write_programmes(folder, n, seed=seed)
        done.write_text("ok")
        print(f"generated in {time.perf_counter() - t:.0f} s", flush=True)
    return folder


def run_child(cmd: list[str]) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds (user + system), peak RSS in MiB, exit status of one child process."""
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            print(err.read().decode(errors="replace"), file=sys.stderr)
    # ru_maxrss is in KiB on Linux
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, proc.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    folder = dataset(args.videos, args.seed)
    files = sorted(folder.glob("*.csv"))
    size = sum(f.stat().st_size for f in files)
    rows = 0
    for f in files:
        with open(f, "rb") as fh:
            rows += sum(1 for _ in fh) - 1  # minus the header
    hours = 0.0
    for f in files:
        hours += json.loads(f.with_suffix(".json").read_text())["analysis"]["frames_analysed"] / 3600
    print(f"input: {len(files)} results CSV files, {size / 2**20:.0f} MiB, {rows:,} face rows, "
          f"{hours:.0f} h of programmes at 1 analysed frame/s; {os.cpu_count()} CPU cores")
    exe = shutil.which("ina_face_analyzer_report") or "ina_face_analyzer_report"
    for r in range(args.rounds):
        with tempfile.TemporaryDirectory() as out:
            wall, cpu, rss, code = run_child([exe, str(folder), "-o", out, "-q", "--bootstrap",
                                              str(args.bootstrap)])
            html = Path(out) / "report.html"
            kb = html.stat().st_size // 1024 if html.exists() else 0
        print(f"round {r + 1}: report in {wall:.1f} s wall ({cpu:.1f} s CPU), peak RSS {rss} MiB, exit {code}, "
              f"report.html {kb} KiB", flush=True)
    print(f"machine load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine slows the wall time)")


if __name__ == "__main__":
    main()
