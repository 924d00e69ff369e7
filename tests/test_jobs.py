"""``run_video_job``: the job runner of the command line and of campaign workers."""

from __future__ import annotations

import pytest
from conftest import SHARED_VIDEOS, needs_shared

from inafaceanalyzer.jobs import VideoJob, run_video_job


@needs_shared
def test_an_image_engine_is_refused_with_a_clear_error_and_nothing_is_written(image_analyzer, tmp_path):
    # Found by mypy: run_video_job took any engine and failed with AttributeError ('analyze').
    job = VideoJob(str(SHARED_VIDEOS / "facenet-pytorch_video.mp4"), tmp_path / "out.csv")
    with pytest.raises(ValueError, match="needs a video engine .* not ImageAnalyzer"):
        run_video_job(image_analyzer, job, fps=1)
    assert list(tmp_path.iterdir()) == []
