"""Report inputs and intervals on results of the real analysis of real videos (../shared/media/videos).

Both videos are shorter than a bootstrap block (4.2 s and 11.3 s), the case where a report
must give no interval; the analysis writes a CSV, its sidecar and a Parquet export.
"""

from __future__ import annotations

import math
import re
import shutil

import pandas as pd
import pytest
from conftest import SHARED_VIDEOS, needs_shared

from inafaceanalyzer.analyzers import VideoAnalyzer
from inafaceanalyzer.cli.report import main as report_main
from inafaceanalyzer.jobs import VideoJob, run_video_job
from inafaceanalyzer.report import ReportOptions, build_report

pytestmark = needs_shared
VIDEOS = ("facenet-pytorch_video", "pexels-ron-lach-7817602")
TABLES = ReportOptions(n_bootstrap=300, html=False)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory, classifier):
    """``<name>.csv``, ``<name>.json`` and ``<name>.parquet`` of each video, analysed at 2 fps."""
    out = tmp_path_factory.mktemp("analysed")
    analyzer = VideoAnalyzer(face_classifier=classifier)
    for name in VIDEOS:
        job = VideoJob(str(SHARED_VIDEOS / f"{name}.mp4"), out / f"{name}.csv", dest_parquet=out / f"{name}.parquet")
        assert len(run_video_job(analyzer, job, fps=2).table) > 0
    return out


def test_a_parquet_export_next_to_its_csv_is_counted_once_and_says_which_was_used(analysed, tmp_path, capsys):
    csv_only = tmp_path / "csv_only"
    csv_only.mkdir()
    for name in VIDEOS:
        for suffix in (".csv", ".json"):
            shutil.copy(analysed / f"{name}{suffix}", csv_only)
    reference = build_report([csv_only], tmp_path / "ref", TABLES).tables.summary.iloc[0]
    assert reference["videos"] == 2

    r = build_report([analysed], tmp_path / "both", TABLES)
    s = r.tables.summary.iloc[0]
    assert s["videos"] == 2  # not 4
    for column in ("faces", "frames_analysed", "facetime_s", "analysed_s", "facetime_women_s"):
        assert s[column] == pytest.approx(reference[column]), column
    assert sorted(p.path for p in r.duplicates) == sorted(str(analysed / f"{n}.parquet") for n in VIDEOS)
    for p in r.duplicates:
        assert p.reason == (f"counted once, from {p.path[:-len('.parquet')]}.csv (same source "
                            f"{SHARED_VIDEOS}/{p.path.split('/')[-1][:-len('.parquet')]}.mp4, engine and options)")
    assert r.errors == []
    inputs = pd.read_csv(tmp_path / "both" / "inputs.csv")
    assert sorted(inputs.status) == ["duplicate", "duplicate", "included", "included"]

    # the same results given twice, from two runs in two folders: counted once too; the HTML says which
    rerun = tmp_path / "rerun"
    shutil.copytree(csv_only, rerun)
    out = tmp_path / "html"
    assert report_main([str(csv_only), str(rerun), "-o", str(out), "--bootstrap", "0"]) == 0
    err = capsys.readouterr().err
    assert err.count("(duplicate)") == 2 and f"counted once, from {csv_only}/" in err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "2 duplicates of a file in the report (counted once)" in html and "Counted once" in html
    assert pd.read_csv(out / "summary.csv").iloc[0]["videos"] == 2


def test_without_sidecars_the_same_name_in_two_runs_is_counted_once(analysed, tmp_path):
    for run in ("run1", "run2"):
        (tmp_path / run).mkdir()
        shutil.copy(analysed / f"{VIDEOS[1]}.csv", tmp_path / run)
    r = build_report([tmp_path / "run1", tmp_path / "run2"], tmp_path / "o", ReportOptions(n_bootstrap=0, html=False,
                                                                                           fps=2))
    assert r.tables.summary.iloc[0]["videos"] == 1
    assert [p.path for p in r.duplicates] == [str(tmp_path / "run2" / f"{VIDEOS[1]}.csv")]
    assert "same name" in r.duplicates[0].reason


def test_videos_shorter_than_a_block_get_no_interval_not_a_zero_width_one(analysed, tmp_path):
    r = build_report([analysed / f"{n}.csv" for n in VIDEOS], tmp_path / "o", ReportOptions(n_bootstrap=300))
    t = r.tables
    assert (t.videos["bootstrap_blocks"] == 1).all()
    s = t.summary.iloc[0]
    assert 0 < s["share_women_facetime"] < 1  # a share that an interval could be given for
    for c in ("share_women_facetime", "facetime_women_s", "facetime_men_s"):
        assert math.isnan(s[f"{c}_ci_low"]) and math.isnan(s[f"{c}_ci_high"]), c
    assert t.age[["share_women_facetime_ci_low", "share_women_facetime_ci_high"]].isna().all().all()
    html = r.html.read_text(encoding="utf-8")
    assert "bootstrap intervals (blocks of" not in html
    intervals = re.findall(r"\[(\d+\.\d)\u2013(\d+\.\d)\]", html)
    assert [(low, high) for low, high in intervals if low == high] == []  # no [x-x] anywhere

    # a video of more than one block next to them: the whole set gets an interval again
    longer = build_report([analysed / f"{n}.csv" for n in VIDEOS], tmp_path / "o2",
                          ReportOptions(n_bootstrap=300, block_s=2, html=False)).tables.summary.iloc[0]
    assert longer["share_women_facetime_ci_low"] < longer["share_women_facetime_ci_high"]


def test_a_failed_job_with_absolute_paths_in_the_status_table_is_reported_as_failed(analysed, tmp_path, capsys):
    """The campaign writes absolute paths in jobs.status.csv; the job list may hold relative ones."""
    (tmp_path / "out").mkdir()
    for suffix in (".csv", ".json"):
        shutil.copy(analysed / f"{VIDEOS[0]}{suffix}", tmp_path / "out")
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(f"source_path,dest_csv\n/v/{VIDEOS[0]}.mp4,out/{VIDEOS[0]}.csv\n/v/broken.mp4,out/broken.csv\n")
    (tmp_path / "jobs.status.csv").write_text(
        "source_path,dest_csv,state,error\n"
        f"/v/{VIDEOS[0]}.mp4,{tmp_path}/out/{VIDEOS[0]}.csv,done,\n"
        f"/v/broken.mp4,{tmp_path}/out/../out/broken.csv,failed,/v/broken.mp4: cannot open\n")
    r = build_report([jobs], tmp_path / "o", ReportOptions(n_bootstrap=0, html=False))
    assert r.tables.summary.iloc[0]["videos"] == 1
    assert [p.reason for p in r.missing] == ["job state is 'failed' (job /v/broken.mp4)"]
