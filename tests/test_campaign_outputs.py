"""Campaign outputs: folders created on the fly, unusable paths refused up front and never retried."""

from __future__ import annotations

import numpy as np
import pytest
from videogen import face_head, paste, write_video

from inafaceanalyzer.campaign.joblist import job_problem
from inafaceanalyzer.campaign.worker import PERMANENT, CampaignWorker, job_to_dict
from inafaceanalyzer.export import read_csv
from inafaceanalyzer.jobs import AnalysisOptions, VideoJob


@pytest.fixture(scope="module")
def clip(tmp_path_factory, astronaut):
    """A real face moving over 2 s of video (25 fps)."""
    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    head = face_head(astronaut, 90)
    background = np.full((180, 320, 3), (70, 90, 120), np.uint8)
    write_video(path, lambda i: paste(background, head, 10 + 3 * i, 25), count=50, rate=25)
    return path


def test_job_problem_creates_missing_folders_and_names_unusable_paths(clip, tmp_path):
    deep = VideoJob(str(clip), tmp_path / "csv" / "a" / "b" / "clip.csv", dest_ass=tmp_path / "ass" / "x" / "clip.ass",
                    dest_mp4=tmp_path / "mp4" / "clip.mp4")
    assert job_problem(deep) is None
    assert all(p.parent.is_dir() for p in deep.outputs())
    assert list((tmp_path / "csv" / "a" / "b").iterdir()) == []  # the write test leaves nothing behind

    (tmp_path / "blocker").write_text("a file where a folder is wanted")
    blocked = VideoJob(str(clip), tmp_path / "ok.csv", dest_ass=tmp_path / "blocker" / "sub" / "clip.ass")
    problem = job_problem(blocked)
    assert problem.startswith(f"{tmp_path / 'blocker' / 'sub' / 'clip.ass'}: cannot create the output folder")
    assert "a file is in the way" in problem and "\n" not in problem

    missing = VideoJob(str(tmp_path / "nowhere.mp4"), tmp_path / "out" / "n.csv")
    assert job_problem(missing) == f"{tmp_path / 'nowhere.mp4'}: no such file"
    assert job_problem(VideoJob("https://example.org/v.mp4", tmp_path / "u.csv")) is None  # URLs: not checked here
    over = VideoJob(str(clip), tmp_path / "o.csv", dest_mp4=clip)
    assert job_problem(over) == f"{clip}: the annotated MP4 would overwrite its source video"


def test_worker_creates_output_folders_and_reports_unwritable_paths_as_permanent(clip, tmp_path):
    worker = CampaignWorker(AnalysisOptions(engine="video", fps=5, device="cpu").as_dict())
    job = VideoJob(str(clip), tmp_path / "new" / "deep" / "clip.csv", dest_ass=tmp_path / "subs" / "clip.ass")
    outcome = worker.run(job_to_dict(job))
    assert outcome["ok"], outcome
    assert len(read_csv(job.dest_csv)) == outcome["faces"] > 0
    assert job.dest_csv.with_suffix(".json").is_file() and job.dest_ass.is_file()

    (tmp_path / "blocker").write_text("")
    bad = VideoJob(str(clip), tmp_path / "blocker" / "clip.csv")
    outcome = worker.run(job_to_dict(bad))
    assert not outcome["ok"] and outcome["error_kind"] == PERMANENT, outcome
    assert str(bad.dest_csv) in outcome["error"] and "in the way" in outcome["error"]
