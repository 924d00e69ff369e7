"""Campaign job lists, the status table and resume helpers (fast, no Ray)."""

from pathlib import Path

import pytest

from inafaceanalyzer.campaign import (
    STATUS_COLUMNS,
    JobListError,
    StatusTable,
    default_status_path,
    is_complete,
    read_joblist,
    read_status,
    stale_parts,
    write_joblist,
)
from inafaceanalyzer.campaign.runner import remove_stale_parts
from inafaceanalyzer.cli.campaign import main as campaign_main
from inafaceanalyzer.jobs import VideoJob


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_columns_relative_paths_urls_duplicates_and_unknown_columns(tmp_path):
    lists = tmp_path / "lists"
    lists.mkdir()
    jl = read_joblist(write(lists / "jobs.csv",
                            "source_path,dest_csv,dest_ass,dest_mp4,note\n"
                            "videos/a.mp4,out/a.csv,,,first\n"
                            "/abs/b.mkv,/res/b.csv,/res/b.ass,/res/b.mp4,\n"
                            "https://example.org/c.mp4?x=1,out/c.csv,,,\n"
                            "\n"
                            "videos/a.mp4,out/a.csv,,,again\n"))
    assert len(jl) == 3 and jl.duplicates == 1
    a, b, c = jl.jobs
    assert a == VideoJob(str(lists / "videos/a.mp4"), lists / "out/a.csv")  # relative to the list's folder
    assert b.dest_ass == Path("/res/b.ass") and b.dest_mp4 == Path("/res/b.mp4")
    assert c.source == "https://example.org/c.mp4?x=1" and c.dest_ass is None
    assert any("unknown column(s) note" in w for w in jl.warnings)
    assert any("dropped 1 duplicate" in w for w in jl.warnings)


def test_optional_columns_may_be_absent(tmp_path):
    jl = read_joblist(write(tmp_path / "j.csv", "dest_csv,source_path\nr.csv,v.mp4\n"))
    assert jl.jobs == (VideoJob(str(tmp_path / "v.mp4"), tmp_path / "r.csv"),) and not jl.warnings


@pytest.mark.parametrize("text, reason", [
    ("", "empty"),
    ("source_path,dest_ass\nv.mp4,a.ass\n", "missing required column(s) dest_csv"),
    ("source_path,dest_csv\nv.mp4,\n", ":2: empty dest_csv"),
    ("source_path,dest_csv\nv.mp4,r.json\n", "sidecar"),
    ("source_path,dest_csv\nv.mp4,r.csv\nw.mp4,r.csv\n", "also written by the job on line 2"),
    ("source_path,dest_csv\nv.mp4,r.csv\nw.mp4,s.csv,x.mp4\n", None),  # extra cells: ignored
])
def test_invalid_lists_name_the_file_and_reason(tmp_path, text, reason):
    path = write(tmp_path / "jobs.csv", text)
    if reason is None:
        assert len(read_joblist(path)) == 2
        return
    with pytest.raises(JobListError) as err:
        read_joblist(path)
    assert str(path) in str(err.value) and reason in str(err.value) and "\n" not in str(err.value)


def test_unreadable_list(tmp_path):
    with pytest.raises(JobListError, match="cannot read the job list"):
        read_joblist(tmp_path / "absent.csv")


def test_write_joblist_round_trip(tmp_path):
    jobs = [VideoJob(str(tmp_path / "a.mp4"), tmp_path / "a.csv", dest_mp4=tmp_path / "a.mp4.out.mp4")]
    assert read_joblist(write_joblist(jobs, tmp_path / "l.csv")).jobs == tuple(jobs)


def test_status_table_written_atomically_and_taken_over(tmp_path):
    jobs = [VideoJob(f"v{i}.mp4", tmp_path / f"r{i}.csv") for i in range(3)]
    path = default_status_path(tmp_path / "jobs.csv")
    assert path == tmp_path / "jobs.status.csv"
    table = StatusTable(path, jobs, slow_factor=0)  # no pacing: a loaded machine's slow writes would defer some
    table.flush()
    rows = read_status(path)
    assert list(rows[0]) == list(STATUS_COLUMNS)
    assert [r["state"] for r in rows] == ["pending"] * 3 and rows[0]["attempts"] == "0"
    table.update(jobs[0], state="running", attempts=1, worker="host:1", node="10.0.0.1")
    table.update(jobs[0], state="done", duration_s=1.23456, faces=4)
    table.update(jobs[1], state="failed", attempts=3, error="v1.mp4: no such file", error_kind="permanent")
    table.flush()  # writes are paced when the disk is slow (a loaded machine): force the last one
    rows = {r["source_path"]: r for r in read_status(path)}
    assert rows["v0.mp4"]["state"] == "done" and rows["v0.mp4"]["duration_s"] == "1.235"
    assert rows["v1.mp4"]["error"] == "v1.mp4: no such file"
    assert [p.name for p in tmp_path.iterdir()] == ["jobs.status.csv"]  # no temporary file left
    again = StatusTable(path, jobs[:2] + [VideoJob("other.mp4", tmp_path / "r2.csv")])  # a new run
    assert again.state(jobs[0]) == "done" and again.attempts(jobs[1]) == 3
    assert again.state(VideoJob("other.mp4", tmp_path / "r2.csv")) == "pending"  # another source: not taken over
    with pytest.raises(KeyError):
        again.update(jobs[0], colour="red")


def test_complete_jobs_and_stale_parts(tmp_path):
    job = VideoJob("v.mp4", tmp_path / "a b[1].csv", dest_ass=tmp_path / "a b[1].ass")
    assert not is_complete(job)
    (tmp_path / "a b[1].csv").write_text("x")
    (tmp_path / "a b[1].json").write_text("{}")
    assert not is_complete(job)  # the subtitles are missing
    (tmp_path / "a b[1].ass").write_text("x")
    assert is_complete(job)
    parts = [tmp_path / ".a b[1].k2j3.part.csv", tmp_path / ".a b[1].zz.part.json", tmp_path / ".a b[1].q.part.ass"]
    for p in parts:
        p.write_text("partial")
    (tmp_path / ".other.k.part.csv").write_text("someone else's")
    assert sorted(stale_parts(job)) == sorted(parts)
    assert remove_stale_parts(job) == 3 and not stale_parts(job)
    assert (tmp_path / ".other.k.part.csv").exists()


def test_cli_validates_before_running(tmp_path, capsys):
    bad = write(tmp_path / "jobs.csv", "source,dest\nv.mp4,r.csv\n")
    with pytest.raises(SystemExit) as exit_:
        campaign_main([str(bad), "--engine", "video"])
    assert exit_.value.code == 2
    assert "missing required column(s) source_path, dest_csv" in capsys.readouterr().err
    good = write(tmp_path / "ok.csv", "source_path,dest_csv\nv.mp4,r.csv\n")
    for args, message in [(["--workers", "0"], "--workers"), (["--fps", "-1"], "fps"),
                          (["--status", "/dev/null/no/s.csv"], "cannot create the directory"),
                          (["--engine", "videokeyframes", "--fps", "1"], "keyframe")]:
        with pytest.raises(SystemExit) as exit_:
            campaign_main([str(good), *args])
        assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_nothing_to_do_needs_no_ray(tmp_path, capsys):
    """A rerun where every output exists only marks jobs skipped (no Ray started)."""
    (tmp_path / "r.csv").write_text("frame\n")
    (tmp_path / "r.json").write_text("{}")
    jobs = write(tmp_path / "jobs.csv", "source_path,dest_csv\nv.mp4,r.csv\n")
    assert campaign_main([str(jobs), "-q"]) == 0
    rows = read_status(tmp_path / "jobs.status.csv")
    assert rows[0]["state"] == "skipped" and rows[0]["attempts"] == "0"
