#!/usr/bin/env python3
"""Frames per second of ``--engine video`` (every frame) and of ``--engine videokeyframes``.

Every frame is measured on the 2-minute benchmark programme (3,000 frames; the
same content as the first 2 minutes of the 10-minute one); keyframes on the
10-minute programme. Models are loaded once, outside the timings.

    python benchmarks/video_throughput.py
"""

import time

from _video import bench_video
from inafaceanalyzer.analyzers import VideoAnalyzer, VideoKeyframes


def main():
    every_video, key_video = bench_video(2), bench_video(10)
    analyzer = VideoAnalyzer(device="cpu")
    keyframes = VideoKeyframes(analyzer.face_detector, analyzer.classifier)
    start = time.perf_counter()
    every = analyzer.analyze(every_video)
    every_s = time.perf_counter() - start
    start = time.perf_counter()
    keys = keyframes.analyze(key_video)
    keys_s = time.perf_counter() - start
    print(f"--engine video, every frame ({every_video.name}): {every.frames_analysed} frames in {every_s:.1f} s "
          f"= {every.frames_analysed / every_s:.1f} frames/s ({len(every.table)} faces)")
    print(f"--engine videokeyframes ({key_video.name}): {keys.frames_analysed} keyframes in {keys_s:.1f} s "
          f"= {keys.frames_analysed / keys_s:.1f} keyframes/s, {600 / keys_s:.0f}x real time ({len(keys.table)} faces)")


if __name__ == "__main__":
    main()
