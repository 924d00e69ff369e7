#!/usr/bin/env python3
"""Cost of ``--mp4_export`` against a plain PyAV re-encode of the same video, in the same run.

The video is the first ``--seconds`` of the 10-minute 960x540 benchmark
programme (H.264 + AAC; built into ``bench-cache/`` with
``../shared/tools/make_bench_video.py`` when absent, or ``--video``). Its
faces come from a real analysis (``VideoAnalyzer`` at ``--fps``, cached in
``bench-cache/``, not timed), so boxes are drawn wherever faces are.

Contenders, alternated round by round so that machine noise hits all alike:

* baseline: decode, re-encode with the same libx264 settings
  (``EncoderSettings()``), same decoder threading, audio packets copied; no
  drawing;
* ours: ``export_mp4`` (boxes and labels drawn on the decoded frames' planes);
* for comparison, the same drawing through an RGB round trip per frame with
  faces (what drawing on an RGB image would cost).

    python benchmarks/mp4_export_cost.py [--seconds 120] [--rounds 3] [--fps 5] [--programme bench10.mp4]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import av

from _shared import CACHE, SHARED, require
from inafaceanalyzer.analyzers import VideoAnalyzer
from inafaceanalyzer.annotate import Annotator
from inafaceanalyzer.export import read_csv, read_metadata, sidecar_path, write_csv, write_metadata
from inafaceanalyzer.export.mp4 import EncoderSettings, Transcoder, _OnScreen, export_mp4
from inafaceanalyzer.export.results import load_results
from inafaceanalyzer.export.timing import DisplayTiming, display_spans
from inafaceanalyzer.media.video import open_container, probe


def bench_video(path: Path | None) -> Path:
    """The 10-minute programme: ``path`` when given, else ``bench-cache/bench10.mp4``, built if absent."""
    if path is not None:
        return require(path, "the benchmark programme")
    video = CACHE / "bench10.mp4"
    if not video.exists():
        tool = require(SHARED / "tools" / "make_bench_video.py", "make_bench_video.py")
        CACHE.mkdir(exist_ok=True)
        print(f"building {video} (a few minutes)...", flush=True)
        subprocess.run([sys.executable, str(tool), str(video), "--minutes", "10"], check=True)
    return video


def cut(video: Path, seconds: float) -> Path:
    """The first ``seconds`` of ``video`` (up to a keyframe), packets copied."""
    out_path = CACHE / f"{video.stem}_first{seconds:g}s.mp4"
    if out_path.exists():
        return out_path
    CACHE.mkdir(exist_ok=True)
    tmp = out_path.with_suffix(".part.mp4")
    with av.open(str(video)) as src, av.open(str(tmp), "w") as dst:
        vin = src.streams.video[0]
        ain = src.streams.audio[0] if src.streams.audio else None
        vout = dst.add_stream_from_template(vin)
        aout = dst.add_stream_from_template(ain) if ain is not None else None
        video_done = False
        for packet in src.demux(*[s for s in (vin, ain) if s is not None]):
            if packet.dts is None:
                continue
            t = float(packet.pts * packet.time_base)
            if packet.stream is vin:
                if packet.is_keyframe and t >= seconds:
                    video_done = True
                if not video_done:
                    packet.stream = vout
                    dst.mux(packet)
            elif t < seconds:
                packet.stream = aout
                dst.mux(packet)
            elif video_done:
                break
    tmp.rename(out_path)
    return out_path


def analysis(video: Path, fps: float) -> Path:
    csv = CACHE / f"{video.stem}_fps{fps:g}.csv"
    if not csv.exists():
        print(f"analysing {video.name} at {fps:g} fps (cached for later runs)...", flush=True)
        result = VideoAnalyzer(device="cpu").analyze(video, fps=fps)
        write_metadata(result.metadata(), sidecar_path(csv))
        write_csv(result.table, csv)
    return csv


def plain_reencode(video: Path, dest: Path, settings: EncoderSettings) -> None:
    """The baseline: decode and re-encode with the export's encoder settings, audio copied, no drawing."""
    with av.open(str(video)) as src, av.open(str(dest), "w", format="mp4") as dst:
        vin = src.streams.video[0]
        vin.thread_type = "AUTO"
        ain = src.streams.audio[0] if src.streams.audio else None
        vout = dst.add_stream("libx264", rate=vin.average_rate)
        vout.width, vout.height, vout.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        vout.options = {"crf": str(settings.crf), "preset": settings.preset}
        vout.codec_context.time_base = vin.time_base
        vout.codec_context.thread_count = settings.threads
        aout = dst.add_stream_from_template(ain) if ain is not None else None
        for packet in src.demux(*[s for s in (vin, ain) if s is not None]):
            if packet.stream is vin:
                for frame in packet.decode():
                    frame.pict_type = av.video.frame.PictureType.NONE
                    dst.mux(vout.encode(frame))
            elif packet.size:
                packet.stream = aout
                dst.mux(packet)
        dst.mux(vout.encode())


def rgb_roundtrip_export(video: Path, csv: Path, dest: Path, settings: EncoderSettings) -> None:
    """For comparison: the same drawing on RGB images (one conversion each way per frame with faces)."""
    res = load_results(csv)
    info = probe(video)
    timing = DisplayTiming.of(res, float(info.fps))
    annotator = Annotator()
    marks = annotator.style.marks(res.table)
    on_screen = _OnScreen(display_spans(res.table, timing), timing.frame_period_s)
    with open_container(video) as container, Transcoder(container, dest, info, settings, str(dest)) as out:
        for frame, t in out.frames():
            span = on_screen.at(t)
            if span is not None:
                image = frame.to_ndarray(format="rgb24")
                annotator.draw_rgb(image, [marks[i] for i in span.rows])
                drawn = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
                drawn.pts = frame.pts
                frame = drawn
            out.encode(frame, (), annotator)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--programme", type=Path, help="the 10-minute programme to cut from "
                    "(default: bench-cache/bench10.mp4, built when absent)")
    ap.add_argument("--video", type=Path, help="another video to use whole, instead of a cut of the programme")
    ap.add_argument("--seconds", type=float, default=120.0, help="length of the cut of bench10.mp4")
    ap.add_argument("--fps", type=float, default=5.0, help="analysis frame rate for the faces drawn")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-rgb", action="store_true", help="skip the RGB round-trip comparison")
    args = ap.parse_args()
    video = require(args.video, "the video") if args.video else cut(bench_video(args.programme), args.seconds)
    csv = analysis(video, args.fps)
    table = read_csv(csv)
    meta = read_metadata(csv)
    info = probe(video)
    settings = EncoderSettings()
    res = load_results(csv)
    spans = display_spans(table, DisplayTiming.of(res, float(info.fps)))
    shown = sum(round((s.end_s - s.start_s) * float(info.fps)) for s in spans)
    print(f"{video.name}: {info.width}x{info.height}, {info.duration_s:.0f} s, {info.frame_count} frames; "
          f"{len(table)} faces in {meta['analysis']['frames_analysed']} analysed frames, boxes on {shown} frames; "
          f"libx264 preset={settings.preset} crf={settings.crf}")
    contenders = {
        "plain PyAV re-encode (baseline)": lambda d: plain_reencode(video, d, settings),
        "export_mp4 (ours)": lambda d: export_mp4(csv, d, video, settings=settings),
    }
    if not args.no_rgb:
        contenders["drawing via RGB round trip"] = lambda d: rgb_roundtrip_export(video, csv, d, settings)
    times = {name: [] for name in contenders}
    cpu = {name: [] for name in contenders}
    for r in range(args.rounds):
        for i, (name, run) in enumerate(contenders.items()):
            dest = CACHE / f"bench_out_{i}.mp4"
            t, c = time.perf_counter(), time.process_time()
            run(dest)
            times[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)  # all threads of this process (FFmpeg's included)
            dest.unlink()
        print(f"round {r + 1}: " + ", ".join(f"{ts[-1]:.1f} s" for ts in times.values()), flush=True)
    baseline = "plain PyAV re-encode (baseline)"
    print(f"best of {args.rounds} rounds, wall time (median) and CPU time (median), ratios to the baseline:")
    for name in contenders:
        wall, used = times[name], cpu[name]
        print(f"  {name:34s} wall {min(wall):6.1f} s x{min(wall) / min(times[baseline]):.2f} "
              f"({statistics.median(wall):.1f} s x{statistics.median(wall) / statistics.median(times[baseline]):.2f})  "
              f"CPU {min(used):6.1f} s x{min(used) / min(cpu[baseline]):.2f} "
              f"({statistics.median(used):.1f} s x{statistics.median(used) / statistics.median(cpu[baseline]):.2f})")


if __name__ == "__main__":
    main()
