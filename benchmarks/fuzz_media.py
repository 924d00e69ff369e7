#!/usr/bin/env python3
"""Coverage-guided fuzzing (atheris / libFuzzer) of the image and video entry points.

Each target feeds mutated bytes, starting from small valid seed files, through
the same code users run on a file: ``load_image(path)`` for images, and
``VideoReader(path)`` + ``frames(fps=...)`` / ``keyframes()`` for videos. The
only accepted failure is :class:`~inafaceanalyzer.errors.MediaError` (a clear
one-line error); anything else (another exception, a hang past the time limit,
a crash of native code) is a finding, saved by libFuzzer as ``crash-*`` /
``timeout-*`` under ``--artifacts``.

    pip install atheris
    python benchmarks/fuzz_media.py image --seconds 120
    python benchmarks/fuzz_media.py video --seconds 120
    python benchmarks/fuzz_media.py all --seconds 120   # both, one after the other, with a summary

Coverage is libFuzzer's count of Python code edges reached in the instrumented
``inafaceanalyzer`` modules (native decoders are not instrumented).
"""

from __future__ import annotations

import argparse
import fractions
import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SCRATCH = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())


def image_seeds() -> list[bytes]:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8))
    seeds = []
    for fmt, mode in [("PNG", "RGB"), ("JPEG", "RGB"), ("GIF", "P"), ("BMP", "RGB"), ("TIFF", "CMYK"),
                      ("WEBP", "RGB"), ("PNG", "LA"), ("PNG", "I;16")]:
        buf = io.BytesIO()
        if mode == "I;16":
            converted = Image.fromarray(np.asarray(img.convert("L"), dtype=np.uint16) * 257)
        else:
            converted = img.convert(mode)
        converted.save(buf, fmt)
        seeds.append(buf.getvalue())
    return seeds


def video_seeds() -> list[bytes]:
    import av
    import numpy as np

    seeds = []
    for fmt, codec, opts in [("mp4", "libx264", {"g": "4", "bf": "2"}), ("matroska", "mpeg4", {}),
                             ("mpegts", "mpeg2video", {"g": "4", "bf": "1"}), ("gif", "gif", {})]:
        buf = io.BytesIO()
        out = av.open(buf, "w", format=fmt)
        stream = out.add_stream(codec, rate=10)
        stream.width, stream.height = 32, 24
        stream.pix_fmt = "rgb8" if codec == "gif" else "yuv420p"
        stream.options = opts
        for i in range(8):
            frame = av.VideoFrame.from_ndarray(np.full((24, 32, 3), i * 30, np.uint8), format="rgb24")
            frame.pts = i
            frame.time_base = fractions.Fraction(1, 10)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
        out.close()
        seeds.append(buf.getvalue())
    return seeds


def run_target(target: str, seconds: int, artifacts: Path) -> None:
    """Run one target in this process (called in a child by ``main``)."""
    import atheris

    with atheris.instrument_imports(include=["inafaceanalyzer"]):
        from inafaceanalyzer.errors import MediaError
        from inafaceanalyzer.media.images import load_image
        from inafaceanalyzer.media.video import VideoReader

    path = SCRATCH / f"ifa-fuzz-{os.getpid()}.{'bin'}"

    def image_one(data: bytes) -> None:
        path.write_bytes(data)
        try:
            img = load_image(path)
            assert img.ndim == 3 and img.shape[2] == 3 and img.dtype.name == "uint8"
        except MediaError:
            pass

    def video_one(data: bytes) -> None:
        path.write_bytes(data)
        fdp = atheris.FuzzedDataProvider(data[-2:]) if len(data) >= 2 else None
        fps = None if fdp is None else [None, 1.0, 3.0, 7.5][fdp.ConsumeIntInRange(0, 3)]
        try:
            with VideoReader(path, max_consecutive_errors=20) as reader:
                frames = reader.keyframes() if fps == 7.5 else reader.frames(fps=fps)
                for n, frame in enumerate(frames):
                    assert frame.image.ndim == 3 and frame.image.shape[2] == 3
                    if n >= 50:
                        break
        except MediaError:
            pass

    corpus = artifacts / f"corpus-{target}"
    corpus.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(image_seeds() if target == "image" else video_seeds()):
        (corpus / f"seed-{i}").write_bytes(seed)
    args = [sys.argv[0], str(corpus), f"-max_total_time={seconds}", "-timeout=20", "-rss_limit_mb=4096",
            f"-artifact_prefix={artifacts}/{target}-", "-print_final_stats=1", "-max_len=200000"]
    atheris.Setup(args, image_one if target == "image" else video_one)
    try:
        atheris.Fuzz()
    finally:
        path.unlink(missing_ok=True)


def summarise(output: str) -> dict:
    stats = {}
    for key in ("stat::number_of_executed_units", "stat::peak_rss_mb"):
        m = re.search(rf"{key}:\s*(\d+)", output)
        if m:
            stats[key.split("::")[1]] = int(m.group(1))
    covs = re.findall(r"cov: (\d+) ft: (\d+)", output)
    if covs:
        stats["coverage_edges"], stats["features"] = map(int, covs[-1])
    stats["findings"] = re.findall(r"(?:crash|timeout|oom|leak)-[0-9a-f]+", output)
    return stats


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("target", choices=["image", "video", "all"])
    ap.add_argument("--seconds", type=int, default=120, help="fuzzing time per target")
    ap.add_argument("--artifacts", type=Path, default=Path(__file__).resolve().parents[1] / "bench-cache" / "fuzz")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.artifacts.mkdir(parents=True, exist_ok=True)
    if args.child:
        run_target(args.target, args.seconds, args.artifacts)
        return 0
    targets = ["image", "video"] if args.target == "all" else [args.target]
    status = 0
    for target in targets:
        proc = subprocess.run([sys.executable, __file__, target, "--child", "--seconds", str(args.seconds),
                               "--artifacts", str(args.artifacts)], capture_output=True, text=True)
        output = proc.stdout + proc.stderr
        (args.artifacts / f"{target}.log").write_text(output)
        s = summarise(output)
        ok = proc.returncode == 0 and not s["findings"]
        status |= 0 if ok else 1
        print(f"{target}: {s.get('number_of_executed_units', '?')} executions in {args.seconds} s, "
              f"coverage {s.get('coverage_edges', '?')} edges / {s.get('features', '?')} features, "
              f"findings: {', '.join(s['findings']) or 'none'} (exit {proc.returncode}; log {args.artifacts / (target + '.log')})")
    return status


if __name__ == "__main__":
    sys.exit(main())
