"""Benchmark helpers for videos: the generated benchmark programmes and timed child commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _shared import CACHE, SHARED, require


def bench_video(minutes: float) -> Path:
    """The ``minutes``-long 960x540 benchmark programme, built once into ``bench-cache/``."""
    name = f"bench{minutes:g}.mp4"
    path = CACHE / name
    if not path.is_file():
        tool = require(SHARED / "tools" / "make_bench_video.py", "the benchmark video tool")
        CACHE.mkdir(exist_ok=True)
        print(f"building {path} ({minutes:g} min, takes a while)...", flush=True)
        partial = path.with_suffix(".part.mp4")
        subprocess.run([sys.executable, str(tool), str(partial), "--minutes", f"{minutes:g}"], check=True)
        partial.replace(path)
    return path


@dataclass
class Run:
    wall_s: float
    max_rss_mib: float
    returncode: int


def run_command(args: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a command (argument list, no shell; ``env``: its environment); its wall time and peak resident memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(proc.stderr.read().decode(errors="replace"))
    proc.stderr.close()
    return Run(wall, usage.ru_maxrss / 1024, proc.returncode)


def analyzer_command() -> list[str]:
    exe = shutil.which("ina_face_analyzer") or str(Path(sys.executable).parent / "ina_face_analyzer")
    return [exe]


def baseline_command(src: Path) -> tuple[list[str], dict[str, str]]:
    """The analysis command of another checkout's ``src`` folder (e.g. an older commit), and its environment."""
    env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()))
    return [sys.executable, "-m", "inafaceanalyzer.cli.analyze"], env


def temp_output_dir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="ifa-bench-")
