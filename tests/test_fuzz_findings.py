"""Inputs found by fuzzing (benchmarks/fuzz_media.py) that once broke an entry point: each must now
give a clear MediaError (or decode cleanly), never another exception."""

from pathlib import Path

import pytest

from inafaceanalyzer.errors import MediaError
from inafaceanalyzer.media.images import load_image
from inafaceanalyzer.media.video import VideoReader

FINDINGS = sorted((Path(__file__).parent / "fuzz_findings").iterdir())


@pytest.mark.parametrize("path", FINDINGS, ids=[p.name for p in FINDINGS])
def test_fuzz_finding_is_handled(path):
    if path.name.startswith("video"):
        try:
            with VideoReader(path) as reader:
                for _ in reader.frames():
                    pass
        except MediaError as exc:
            assert str(path) in str(exc)
    else:
        try:
            load_image(path)
        except MediaError as exc:
            assert str(path) in str(exc)


def test_a_video_without_a_codec_is_a_clear_error():
    path = Path(__file__).parent / "fuzz_findings" / "video-nocodec.mp4"
    with pytest.raises(MediaError, match="unknown or unsupported video codec"):
        VideoReader(path)


def test_a_tiny_png_cannot_exhaust_memory():
    """A 50-byte PNG once made the (since removed) OpenCV fallback allocate 4 GiB."""
    import subprocess
    import sys

    path = Path(__file__).parent / "fuzz_findings" / "image-png-4gib-allocation.png"
    code = (
        "import resource, sys\n"
        "from inafaceanalyzer.media.images import load_image\n"
        "from inafaceanalyzer.errors import MediaError\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n    load_image(sys.argv[1])\nexcept MediaError:\n    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    grown_kib = int(subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                                   check=True).stdout)
    assert grown_kib < 200 * 1024
