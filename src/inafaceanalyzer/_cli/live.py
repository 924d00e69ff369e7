"""``ina_face_analyzer_live`` (also ``ina_face_analyzer_webcam_demo.py``): live analysis with tracking."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from ..errors import MediaError
from ..engines.jobs import build_analyzer
from ..media.video import is_url
from ..engines.options import add_argument as add_option
from . import common

PROG = "ina_face_analyzer_live"

DESCRIPTION = """\
Analyse a camera, a network stream or a video file live: faces are detected
every --detect_period analysed frames and tracked in between, their gender and
age estimated, shown in a window (when a display exists) with the analysed
frames per second, and written as it goes.

  camera 0, in a window:  ina_face_analyzer_webcam_demo.py --source 0 -o out/
  RTSP camera, no window: ina_face_analyzer_live --source rtsp://host/stream --headless -o out/
  a file in real time:    ina_face_analyzer_live --source clip.mp4 --headless -o out/ --mp4_export

Sources: a camera index (Linux: /dev/videoN via v4l2; macOS: avfoundation),
FORMAT:TARGET for an FFmpeg device (v4l2:/dev/video2, avfoundation:0:none,
dshow:video=NAME on Windows, lavfi:testsrc2 for a test pattern), a URL
(rtsp://, http(s)://, udp://...) or a file. Files and URLs are played in real
time; the frames the analysis has no time for are dropped and counted.

-o OUTDIR receives <name>.csv (grown as <name>.partial.csv while running, then
completed with the per-face *_avg columns), the <name>.json sidecar (frames
received, analysed, dropped) and, with --mp4_export, <name>.mp4. Ctrl-C, the
end of the source, --duration or closing the window stop the run cleanly
(exit status 0); a source that cannot be opened or is lost gives exit status 1,
what was analysed being written.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = common.new_parser(PROG, DESCRIPTION)
    io = parser.add_argument_group("source and outputs")
    io.add_argument("--source", required=True,
                    help="camera index (0), FORMAT:TARGET FFmpeg device, URL, or video file")
    io.add_argument("--source_option", action="append", default=[], metavar="KEY=VALUE",
                    help="an FFmpeg option of the device or stream, repeatable: video_size=1280x720, "
                         "framerate=30, input_format=mjpeg (cameras), rtsp_transport=tcp (RTSP)")
    io.add_argument("-o", dest="output", metavar="OUTDIR",
                    help="directory (created if needed) receiving <name>.csv, <name>.json (and <name>.mp4); "
                         "without it nothing is written")
    io.add_argument("--name", help="base name of the output files; when not given, the source's (cameraN for "
                                   "camera N)")
    io.add_argument("--mp4_export", action="store_true",
                    help="also write <name>.mp4: the analysed frames with boxes and labels, at the times "
                         "they were shown (H.264)")
    io.add_argument("--headless", action="store_true",
                    help="no window, even when a display exists (without a display there is none anyway)")
    live = parser.add_argument_group("live analysis")
    add_option(live, "detect_period", default=5,
               help="run face detection every N analysed frames and track faces in between")
    add_option(live, "fps", help="analyse at most this many frames per second of the source; when not given, as "
                                 "many as the analysis keeps up with")
    live.add_argument("--realtime", action=argparse.BooleanOptionalAction, default=True,
                      help="play files and URLs at their own pace, dropping the frames the analysis has no time "
                           "for; --no-realtime analyses every frame as fast as possible (cameras are always live)")
    live.add_argument("--duration", type=float, default=None, metavar="SECONDS",
                      help="stop after this many seconds")
    common.add_classifier_argument(live)
    common.add_detection_arguments(parser)
    common.add_abstention_arguments(parser)
    common.add_runtime_arguments(parser)
    return parser


def source_options(parser: argparse.ArgumentParser, pairs: list[str]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            parser.error(f"--source_option {pair!r}: expected KEY=VALUE")
        options[key.strip()] = value
    return options


def validate(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[object, Path | None]:
    """Check every option, and the output directory and names, before anything is loaded."""
    from ..live.outputs import output_paths
    from ..live.sources import parse_source

    common.validate_detection_arguments(parser, args)  # abstention, --fps and --detect_period included
    if args.duration is not None and not args.duration > 0:
        parser.error(f"--duration must be > 0, got {args.duration}")
    try:
        spec = parse_source(args.source, source_options(parser, args.source_option))
    except ValueError as exc:
        parser.error(f"--source {args.source}: {exc}")
    if args.output is None:
        if args.mp4_export:
            parser.error("--mp4_export needs -o OUTDIR")
        return spec, None
    outdir = Path(args.output)
    name = args.name or spec.name
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        parser.error(f"--name {name!r}: a file name without directories is needed")
    paths = output_paths(outdir, name)
    if paths["partial"].exists():
        parser.error(f"{paths['partial']} exists, left by a run that did not finish: move it away or choose "
                     f"another --name")
    source_path = None if is_url(spec.target) or spec.input_format else Path(spec.target)
    if args.mp4_export and source_path is not None and source_path.resolve() == paths["mp4"].resolve():
        parser.error(f"--mp4_export would overwrite the input {args.source}: choose another -o or --name")
    common.output_directory(parser, outdir, "-o")
    args.name = name
    return spec, outdir


def open_window(args: argparse.Namespace, reporter: common.Reporter):
    """The window to show the frames in, or ``None`` (headless, no display, or pygame missing: said once)."""
    from ..live.display import DisplayError, Window, display_available

    if args.headless or not display_available():
        return None
    try:
        return Window(f"inaFaceAnalyzer live: {args.source}")
    except DisplayError as exc:
        reporter.warning(f"{exc}; running headless")
        return None


def run(args: argparse.Namespace, spec, outdir: Path | None, reporter: common.Reporter) -> int:
    from ..live import LiveOptions, LiveSession
    from ..live.display import status_text

    options = common.analysis_options(None, args, "videotracking", fps=None)  # live samples the frames itself
    analyzer = build_analyzer(options)
    live_options = LiveOptions(realtime=args.realtime, fps=args.fps, duration_s=args.duration, timeout_s=args.timeout,
                               mp4=args.mp4_export)
    session = LiveSession(analyzer, live_options)  # type: ignore[arg-type]
    window = open_window(args, reporter)
    interrupts = 0

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts > 1:
            raise KeyboardInterrupt
        session.stop("interrupted" if signum == signal.SIGINT else "terminated")

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with reporter.bar(None, "live", unit="frame") as bar:
            def on_frame(live) -> bool:
                bar.set_postfix_str(status_text(live), refresh=False)
                bar.update(1)
                return window(live) if window is not None else True

            try:
                result = session.run(spec, outdir, args.name, on_frame)
            except MediaError as exc:
                reporter.error(exc)
                return 1
            except KeyboardInterrupt:  # a second Ctrl-C
                partial = outdir / f"{args.name}.partial.csv" if outdir is not None else None
                left = f"; the rows analysed are in {partial}" if partial is not None and partial.exists() else \
                    ("; the outputs were finished" if outdir is not None else "")
                reporter.error(f"{spec.text}: interrupted{left}")
                return 130
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if window is not None:
            window.close()
    stats = result.stats
    written = f" -> {', '.join(str(p) for p in result.files)}" if result.files else ""
    reporter.info(
        f"{spec.text}: {stats.received} frames received, {stats.analysed} analysed ({stats.analysed_fps:.1f} fps), "
        f"{stats.dropped} dropped ({100 * stats.dropped_share:.1f} %), {stats.faces} faces"
        f"{result.analysis.left_out.summary() if result.analysis.left_out is not None else ''}; "
        f"stopped: {result.stop_reason}{written}")
    if result.error is not None:
        reporter.error(result.error)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    spec, outdir = validate(parser, args)
    common.setup_logging(args.quiet)
    reporter = common.Reporter(PROG, args.quiet)
    return common.run_guarded(reporter, lambda: run(args, spec, outdir, reporter))


if __name__ == "__main__":
    sys.exit(main())
