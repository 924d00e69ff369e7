"""Report aggregates on hand-made results tables whose answers are worked out by hand."""

from __future__ import annotations

import math
import os
import stat

import numpy as np
import pandas as pd
import pytest
from _report_data import rows, sidecar, write

from inafaceanalyzer.report import AgeBrackets, ReportOptions, build_report

FAST = ReportOptions(n_bootstrap=0, html=False)  # tables only: no figures to draw


def opts(**kw) -> ReportOptions:
    return ReportOptions(n_bootstrap=0, html=False, **kw)


def summary(result) -> pd.Series:
    return result.tables.summary.iloc[0]


def video(result, name: str) -> pd.Series:
    v = result.tables.videos
    return v[v["video"] == name].iloc[0]


def age_row(result, scope: str, bracket: str) -> pd.Series:
    a = result.tables.age
    return a[(a["scope"] == scope) & (a["age_bracket"] == bracket)].iloc[0]


def test_fps_sampled_facetime_shares_brackets_and_faces_per_frame(tmp_path):
    # 2 analysed frames per second: each face row stands for 0.5 s; 20 frames analysed, 5 with faces
    df = rows([(0.0, "f", 25.0), (0.0, "m", 40.0), (0.5, "f", 25.0), (1.0, "m", 70.0), (1.5, "u", 30.0),
               (2.0, "f", float("nan"))])
    write(tmp_path / "a.csv", df, sidecar(interval=0.5, frames=20))
    r = build_report([tmp_path / "a.csv"], tmp_path / "out", FAST)
    assert r.errors == [] and r.warnings == []
    v = video(r, "a")
    assert v["facetime_women_s"] == pytest.approx(1.5)
    assert v["facetime_men_s"] == pytest.approx(1.0)
    assert v["facetime_unknown_s"] == pytest.approx(0.5)
    assert v["share_women_facetime"] == pytest.approx(0.6)  # unknowns not in the denominator
    assert v["analysed_s"] == pytest.approx(10.0)
    assert v["frames_analysed"] == 20 and v["faces"] == 6 and v["frames_with_faces"] == 5
    assert v["mean_faces_per_frame"] == pytest.approx(0.3)
    assert math.isnan(v["people"]) and math.isnan(v["share_women_people"])  # untracked: no people
    assert "per-face labels" in v["counting"]
    assert age_row(r, "a", "20-34")["facetime_women_s"] == pytest.approx(1.0)
    assert age_row(r, "a", "unknown")["facetime_women_s"] == pytest.approx(0.5)  # no age estimate
    assert age_row(r, "a", "35-49")["facetime_men_s"] == pytest.approx(0.5)
    assert age_row(r, "a", "65+")["facetime_men_s"] == pytest.approx(0.5)
    assert age_row(r, "a", "20-34")["facetime_unknown_s"] == pytest.approx(0.5)
    assert age_row(r, "ALL", "20-34")["share_women_facetime"] == pytest.approx(1.0)
    fp = r.tables.faces_per_frame
    got = dict(zip(fp[fp.scope == "a"].n_faces, fp[fp.scope == "a"].frames))
    assert got == {0: 15, 1: 4, 2: 1}
    s = summary(r)
    assert s["share_women_facetime"] == pytest.approx(0.6) and s["videos_tracked"] == 0
    assert math.isnan(s["share_women_people"])


def test_tracked_people_use_smoothed_labels(tmp_path):
    # person 1: per-face m, f, m but smoothed f, 33 y; person 2: m, 68 y; person 3: unknown gender, 10 y
    spec = [(0.0, 1, "m", 30.0, "f", 33.0), (1.0, 1, "f", 50.0, "f", 33.0), (2.0, 1, "m", 30.0, "f", 33.0)]
    spec += [(float(t), 2, "m", 60.0, "m", 68.0) for t in range(5)]
    spec += [(5.0, 3, "f", 12.0, "u", 10.0)]
    write(tmp_path / "b.csv", rows(spec, tracked=True), sidecar("videotracking", interval=1.0, frames=10))
    r = build_report([tmp_path / "b.csv"], tmp_path / "out", FAST)
    v = video(r, "b")
    assert (v["facetime_women_s"], v["facetime_men_s"], v["facetime_unknown_s"]) == pytest.approx((3, 5, 1))
    assert v["share_women_facetime"] == pytest.approx(3 / 8)
    assert (v["people"], v["people_women"], v["people_men"], v["people_unknown"]) == (3, 1, 1, 1)
    assert v["share_women_people"] == pytest.approx(0.5)
    assert "smoothed" in v["counting"]
    assert age_row(r, "ALL", "20-34")["people_women"] == 1
    assert age_row(r, "ALL", "65+")["people_men"] == 1
    assert age_row(r, "ALL", "0-19")["people_unknown"] == 1
    assert age_row(r, "ALL", "0-19")["facetime_unknown_s"] == pytest.approx(1.0)
    people = r.tables.people.set_index("face_id")
    assert people.loc[1, "sex"] == "f" and people.loc[1, "facetime_s"] == pytest.approx(3.0)
    assert people.loc[2, "age_bracket"] == "65+" and people.loc[2, "last_s"] == pytest.approx(4.0)
    s = summary(r)
    assert s["people"] == 3 and s["share_women_people"] == pytest.approx(0.5)


def test_mixed_set_counts_people_in_tracked_videos_only(tmp_path):
    write(tmp_path / "t.csv", rows([(0.0, 7, "f", 30.0, "f", 30.0), (1.0, 8, "m", 30.0, "m", 30.0)], tracked=True),
          sidecar("videotracking", frames=2))
    write(tmp_path / "u.csv", rows([(0.0, "f", 30.0), (1.0, "f", 30.0)]), sidecar(frames=2))
    r = build_report([tmp_path], tmp_path / "out", FAST)
    s = summary(r)
    assert s["videos"] == 2 and s["videos_tracked"] == 1
    assert s["facetime_women_s"] == pytest.approx(3.0) and s["share_women_facetime"] == pytest.approx(0.75)
    assert s["people"] == 2 and s["share_women_people"] == pytest.approx(0.5)
    assert math.isnan(video(r, "u")["people"])


def test_keyframes_stand_until_the_next_analysed_keyframe_capped(tmp_path):
    df = rows([(0.0, "f", 30.0), (2.0, "m", 30.0), (20.0, "f", 30.0), (28.0, "m", 30.0)])
    write(tmp_path / "k.csv", df, sidecar("videokeyframes", interval=None, frames=10, last=28.0, duration=30.0))
    r = build_report([tmp_path / "k.csv"], tmp_path / "out", FAST)  # keyframe_max_s = 10
    v = video(r, "k")
    # weights: 2 (to 2 s), 10 (18 s gap capped), 8 (to 28 s), 2 (to the end at 30 s)
    assert v["facetime_women_s"] == pytest.approx(10.0)
    assert v["facetime_men_s"] == pytest.approx(12.0)
    assert v["analysed_s"] == pytest.approx(30.0)
    assert "keyframes" in v["sampling"]
    r2 = build_report([tmp_path / "k.csv"], tmp_path / "out2", opts(keyframe_max_s=5))
    assert video(r2, "k")["facetime_men_s"] == pytest.approx(5 + 2)


def test_without_sidecar_sampling_is_inferred_with_a_warning_or_taken_from_fps(tmp_path):
    df = rows([(0.0, "f", 30.0), (0.5, "m", 30.0), (1.0, "f", 30.0), (2.0, "f", 30.0)])
    write(tmp_path / "n.csv", df)
    r = build_report([tmp_path / "n.csv"], tmp_path / "out", FAST)
    assert video(r, "n")["facetime_women_s"] == pytest.approx(1.5)  # median gap 0.5 s
    assert video(r, "n")["frames_analysed"] == 5 and bool(video(r, "n")["frames_estimated"])
    assert any("median gap" in w and "n.csv" in w for w in r.warnings)
    r = build_report([tmp_path / "n.csv"], tmp_path / "out", opts(fps=4))
    assert video(r, "n")["facetime_women_s"] == pytest.approx(0.75)
    assert r.warnings == []
    # a sidecar wins over --fps, with a warning naming the file
    write(tmp_path / "s.csv", df, sidecar(interval=0.5, frames=5))
    r = build_report([tmp_path / "s.csv"], tmp_path / "out", opts(fps=4))
    assert video(r, "s")["facetime_women_s"] == pytest.approx(1.5)
    assert any("s.csv" in w and "--fps 4 ignored" in w for w in r.warnings)


def test_time_from_frame_and_sidecar_fps_when_no_time_column(tmp_path):
    df = rows([(0.0, "f", 30.0), (1.0, "m", 30.0), (2.0, "m", 30.0)]).drop(columns="time")
    write(tmp_path / "orig.csv", df, sidecar(interval=1.0, frames=3, video_fps=25.0))
    r = build_report([tmp_path / "orig.csv"], tmp_path / "out", FAST)
    tl = r.tables.timeline
    assert video(r, "orig")["share_women_facetime"] == pytest.approx(1 / 3)
    assert tl[tl.scope == "orig"]["t_start_s"].min() == 0


def test_csv_and_parquet_give_the_same_figures(tmp_path):
    spec = [(float(t), t % 3, "f" if t % 3 else "m", 20.0 + t, "f" if t % 3 else "m", 25.0) for t in range(30)]
    df = rows(spec, tracked=True)
    write(tmp_path / "csv" / "v.csv", df, sidecar("videotracking", frames=40))
    write(tmp_path / "pq" / "v.parquet", df, sidecar("videotracking", frames=40))
    opts = ReportOptions(n_bootstrap=200, block_s=10, html=False)
    a = build_report([tmp_path / "csv"], tmp_path / "o1", opts).tables
    b = build_report([tmp_path / "pq"], tmp_path / "o2", opts).tables
    cols = [c for c in a.summary.columns]
    pd.testing.assert_frame_equal(a.summary[cols], b.summary[cols])
    pd.testing.assert_frame_equal(a.age, b.age)


def test_unreadable_or_malformed_files_are_reported_and_the_others_aggregated(tmp_path):
    good = write(tmp_path / "good.csv", rows([(0.0, "f", 30.0), (1.0, "m", 30.0)]), sidecar(frames=2))
    bad_time = tmp_path / "bad_time.csv"
    bad_time.write_text("frame,bbox,sex_label,age_label,time\n0,\"(1, 2, 3, 4)\",f,30,abc\n")
    no_sex = tmp_path / "no_sex.csv"
    no_sex.write_text("frame,bbox,time\n0,\"(1, 2, 3, 4)\",0.0\n")
    images = tmp_path / "images.csv"
    images.write_text("frame,bbox,detect_conf,sex_decfunc,age_decfunc,sex_label,age_label\n"
                      "photo.jpg,\"(1, 2, 3, 4)\",0.9,1.0,30,m,30\n")
    bad_sidecar = write(tmp_path / "bad_sidecar.csv", rows([(0.0, "f", 30.0)]))
    bad_sidecar.with_suffix(".json").write_text("{not json")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage\x00" * 10)
    (tmp_path / "short_row.csv").write_text("frame,bbox,sex_label,time\n0,\"(1,2,3,4)\",f,0\n1,\"(1,2,3,4)\",m\n")
    (tmp_path / "dup.csv").write_text("frame,bbox,sex_label,time,time\n0,\"(1,2,3,4)\",f,0,0\n")
    r = build_report([tmp_path], tmp_path / "out", FAST)
    reasons = {p.path.split("/")[-1]: p.reason for p in r.errors}
    assert set(reasons) == {"bad_time.csv", "no_sex.csv", "images.csv", "bad_sidecar.csv", "binary.csv",
                            "short_row.csv", "dup.csv"}
    assert reasons["bad_time.csv"].startswith("line 2: ") and "abc" in reasons["bad_time.csv"]  # DuckDB's reason
    assert reasons["short_row.csv"] == "line 3: Expected Number of Columns: 4 Found: 3"
    assert "duplicate" in reasons["dup.csv"]
    assert "sex_label" in reasons["no_sex.csv"]
    assert "time" in reasons["images.csv"]
    assert "sidecar" in reasons["bad_sidecar.csv"]
    assert all("\n" not in reason for reason in reasons.values())
    assert list(r.tables.videos["results_file"]) == [str(good.resolve())]
    assert summary(r)["share_women_facetime"] == pytest.approx(0.5)
    inputs = pd.read_csv(tmp_path / "out" / "inputs.csv")
    assert (inputs.status == "error").sum() == 7 and (inputs.status == "included").sum() == 1


def test_csv_dialects_crlf_bom_index_column_and_header_variants(tmp_path):
    body = '0,"(1, 2, 3, 4)",f,0.0{nl}1,"(1, 2, 3, 4)",m,1.0{nl}'
    (tmp_path / "crlf.csv").write_text("frame,bbox,sex_label,time\r\n" + body.format(nl="\r\n"), newline="")
    (tmp_path / "bom.csv").write_bytes(("\ufeffframe,bbox,sex_label,time\n" + body.format(nl="\n")).encode())
    (tmp_path / "index.csv").write_text(",frame,bbox,sex_label,time\n" + "".join(
        f"{i},{line}\n" for i, line in enumerate(body.format(nl="\n").splitlines())))
    (tmp_path / "reordered.csv").write_text("time,sex_label,frame,bbox\n0.0,f,0,\"(1, 2, 3, 4)\"\n1.0,m,1,x\n")
    r = build_report([tmp_path], tmp_path / "out", opts(fps=1))
    assert r.errors == []
    v = r.tables.videos.set_index("video")
    assert sorted(v.index) == ["bom", "crlf", "index", "reordered"]
    assert (v["facetime_women_s"] == 1).all() and (v["facetime_men_s"] == 1).all()


def test_campaign_status_table_and_job_list(tmp_path):
    res = tmp_path / "results"
    write(res / "a.csv", rows([(0.0, "f", 30.0)]), sidecar(frames=1))
    write(res / "b.csv", rows([(0.0, "m", 30.0)]), sidecar(frames=1))
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("source_path,dest_csv,dest_ass\n/v/a.mp4,results/a.csv,\n/v/b.mp4,results/b.csv,\n"
                    "/v/c.mp4,results/c.csv,\n")
    status = tmp_path / "jobs.status.csv"
    status.write_text("source_path,dest_csv,state,error\n/v/a.mp4,results/a.csv,done,\n"
                      "/v/b.mp4,results/b.csv,skipped,\n/v/c.mp4,results/c.csv,failed,decode error\n")
    for arg in (status, jobs):  # the status table, or the job list with its status table beside it
        r = build_report([arg], tmp_path / "out", FAST)
        assert sorted(r.tables.videos["video"]) == ["a", "b"]
        assert [p.kind for p in r.problems] == ["missing"] and "failed" in r.problems[0].reason
        assert r.errors == []
    status.unlink()  # no states: results present are used, absent ones are missing
    r = build_report([jobs], tmp_path / "out", FAST)
    assert sorted(r.tables.videos["video"]) == ["a", "b"] and len(r.missing) == 1


def test_timeline_bins(tmp_path):
    spec = [(float(t), "f", 30.0) for t in range(60)] + [(float(t), "m", 30.0) for t in range(60, 120)]
    spec += [(float(t), "m", 30.0) for t in range(0, 60, 2)]
    write(tmp_path / "tl.csv", rows(spec), sidecar(frames=120))
    r = build_report([tmp_path / "tl.csv"], tmp_path / "out", opts(timeline_bin_s=60))
    tl = r.tables.timeline
    tl = tl[tl.scope == "tl"].reset_index(drop=True)
    assert list(tl.t_start_s) == [0, 60]
    assert list(tl.share_women_facetime) == pytest.approx([60 / 90, 0.0])
    assert list(tl.faces_on_screen) == pytest.approx([90 / 60, 1.0])
    assert list(tl.analysed_s) == pytest.approx([60, 60])


def test_age_brackets():
    assert AgeBrackets().labels == ["0-19", "20-34", "35-49", "50-64", "65+"]
    assert AgeBrackets.parse("0,18,60").all_labels == ["0-17", "18-59", "60+", "unknown"]
    for bad in ("10,20", "0,30,20", "0,a"):
        with pytest.raises(ValueError):
            AgeBrackets.parse(bad)


def test_custom_brackets_and_boundaries(tmp_path):
    write(tmp_path / "x.csv", rows([(0.0, "f", 17.99), (1.0, "f", 18.0), (2.0, "m", 59.9), (3.0, "m", 60.0)]),
          sidecar(frames=4))
    r = build_report([tmp_path / "x.csv"], tmp_path / "out",
                     opts(age_brackets=AgeBrackets.parse("0,18,60")))
    a = r.tables.age[r.tables.age.scope == "ALL"].set_index("age_bracket")
    assert a.loc["0-17", "facetime_women_s"] == 1 and a.loc["18-59", "facetime_women_s"] == 1
    assert a.loc["18-59", "facetime_men_s"] == 1 and a.loc["60+", "facetime_men_s"] == 1


def test_outputs_are_complete_and_no_temporary_file_is_left(tmp_path):
    write(tmp_path / "in" / "a.csv", rows([(0.0, "f", 30.0)]), sidecar(frames=1))
    r = build_report([tmp_path / "in"], tmp_path / "out", ReportOptions(n_bootstrap=0))
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(["report.html", "summary.csv", "videos.csv", "age_brackets.csv", "timeline.csv",
                            "faces_per_frame.csv", "people.csv", "inputs.csv"])
    assert r.html.read_text(encoding="utf-8").rstrip().endswith("</html>")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "out" / "report.html").stat().st_mode) == 0o666 & ~umask  # not 0600
    s = pd.read_csv(tmp_path / "out" / "summary.csv").iloc[0]
    assert s["facetime_women_s"] == 1.0 and np.isnan(s["share_women_facetime_ci_low"])


def test_videos_without_faces_or_without_known_gender(tmp_path):
    write(tmp_path / "empty.csv", rows([]), sidecar(frames=120))
    write(tmp_path / "unknown.csv", rows([(float(t), "u", 30.0) for t in range(50)]), sidecar(frames=60))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from empty or all-NaN data, in tables or plots
        r = build_report([tmp_path], tmp_path / "out", ReportOptions(n_bootstrap=200))
    v = r.tables.videos.set_index("video")
    assert v.loc["empty", "facetime_s"] == 0 and v.loc["empty", "analysed_s"] == 120
    assert v.loc["empty", "mean_faces_per_frame"] == 0
    assert math.isnan(v.loc["unknown", "share_women_facetime"]) and v.loc["unknown", "facetime_unknown_s"] == 50
    assert math.isnan(summary(r)["share_women_facetime"]) and math.isnan(summary(r)["share_women_facetime_ci_low"])
    fp = r.tables.faces_per_frame
    assert fp[(fp.scope == "empty") & (fp.n_faces == 0)].frames.item() == 120
    assert r.html.is_file()


def test_video_names_are_short_and_unique():
    from pathlib import Path

    from inafaceanalyzer.report.aggregate import video_names

    assert video_names([Path("/r/a.csv"), Path("/r/b.csv")]) == ["a", "b"]
    assert video_names([Path("/r/ch1/news.csv"), Path("/r/ch2/news.csv")]) == ["ch1/news", "ch2/news"]
    assert video_names([Path("/r/x.csv"), Path("/r/x.parquet")]) == ["x.csv", "x.parquet"]
    assert video_names([Path("/r/ALL.csv")]) == ["ALL.csv"]  # ALL is the whole set's scope
