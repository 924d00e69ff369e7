"""Live analysis: a camera, a network stream or a file played in real time, analysed with tracking.

::

    from inafaceanalyzer import VideoTracking
    from inafaceanalyzer.live import LiveOptions, LiveSession

    session = LiveSession(VideoTracking(detect_period=5), LiveOptions(duration_s=60))
    result = session.run("0", outdir="out/")        # camera 0; or a URL, a file, "lavfi:testsrc2"
    print(result.stats.analysed_fps, result.stats.dropped_share, len(result.table))

:mod:`.sources` (naming a source, decoding in a thread with a one-slot buffer,
pacing), :mod:`.session` (the run, through the one streaming core),
:mod:`.outputs` (files written as it goes, finished at the end),
:mod:`.display` (the optional pygame window).
"""

from .outputs import LiveOutputs, output_paths
from .session import LiveFrame, LiveOptions, LiveResult, LiveSession, LiveStats
from .sources import FrameFeed, LatestSlot, SourceSpec, open_feed, parse_source

__all__ = [
    "FrameFeed",
    "LatestSlot",
    "LiveFrame",
    "LiveOptions",
    "LiveOutputs",
    "LiveResult",
    "LiveSession",
    "LiveStats",
    "SourceSpec",
    "open_feed",
    "output_paths",
    "parse_source",
]
