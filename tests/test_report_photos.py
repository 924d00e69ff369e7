"""Photo collections: the report of image-engine results (real analysis of the photos in ../shared/media/images)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from _report_data import rows, sidecar, write
from conftest import SHARED_IMAGES, needs_shared

from inafaceanalyzer.cli.report import main as report_main
from inafaceanalyzer.export import write_csv
from inafaceanalyzer.report import AgeBrackets, ReportOptions, build_report

pytestmark = needs_shared


@pytest.fixture(scope="module")
def photos(tmp_path_factory, image_analyzer, astronaut_path):
    """Two results tables of ``--engine image`` (no sidecar): the shared photos, and the astronaut."""
    out = tmp_path_factory.mktemp("photos")
    shared = sorted(str(p) for p in SHARED_IMAGES.glob("*.jpg"))
    write_csv(image_analyzer(shared), out / "press.csv")
    write_csv(image_analyzer([str(astronaut_path)]), out / "nasa.csv")
    return out


def expected(csv) -> pd.DataFrame:
    """Faces by sex and age bracket, counted here with pandas from the results table itself."""
    df = pd.read_csv(csv)
    brackets = AgeBrackets()
    df["bracket"] = pd.cut(df["age_label"], [*brackets.bounds, float("inf")], right=False,
                           labels=brackets.labels).astype(str)
    return df


def test_a_photo_collection_gets_counts_by_gender_and_age_with_intervals_and_no_timeline(photos, tmp_path, capsys):
    out = tmp_path / "report"
    assert report_main([str(photos), "-o", str(out), "--bootstrap", "500"]) == 0
    assert "photos, women's share of faces" in capsys.readouterr().err
    press, nasa = expected(photos / "press.csv"), expected(photos / "nasa.csv")
    both = pd.concat([press, nasa])
    assert len(press) >= 10 and press["sex_label"].nunique() == 2  # a real mixed collection

    s = pd.read_csv(out / "summary.csv").iloc[0]
    assert s["collections"] == 2 and s["faces"] == len(both)
    assert s["photos"] == both["frame"].nunique()
    assert s["faces_women"] == (both.sex_label == "f").sum() and s["faces_men"] == (both.sex_label == "m").sum()
    assert s["share_women_faces"] == pytest.approx(s["faces_women"] / (s["faces_women"] + s["faces_men"]), abs=1e-6)
    assert s["share_women_faces_ci_low"] < s["share_women_faces"] < s["share_women_faces_ci_high"]
    assert s["photos_with_women"] == both[both.sex_label == "f"]["frame"].nunique()
    assert s["mean_faces_per_photo"] == pytest.approx(len(both) / both["frame"].nunique(), abs=1e-6)

    age = pd.read_csv(out / "age_brackets.csv")
    whole = age[age.scope == "ALL"].set_index("age_bracket")
    for (bracket, sex), n in both.groupby(["bracket", "sex_label"]).size().items():
        assert whole.loc[bracket, {"f": "faces_women", "m": "faces_men"}[sex]] == n, (bracket, sex)
    assert whole[["faces_women", "faces_men", "faces_unknown"]].to_numpy().sum() == len(both)

    c = pd.read_csv(out / "collections.csv").set_index("collection")
    assert c.loc["press", "photos"] == press["frame"].nunique() and c.loc["nasa", "photos"] == 1
    assert pd.isna(c.loc["nasa", "share_women_faces_ci_low"])  # one photo: nothing to resample
    fpp = pd.read_csv(out / "faces_per_photo.csv")
    assert fpp[fpp.scope == "ALL"]["photos"].sum() == s["photos"]

    assert sorted(p.name for p in out.iterdir()) == ["age_brackets.csv", "collections.csv", "faces_per_photo.csv",
                                                     "inputs.csv", "report.html", "summary.csv"]  # no timeline
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "This is a <strong>photo collection</strong>" in html and "there is no timeline" in html
    assert "over time" not in html and "face-time" not in html
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) == 1  # the age pyramid


def test_photo_results_next_to_videos_or_with_frame_numbers_are_refused_with_a_reason(photos, tmp_path):
    write(tmp_path / "video.csv", rows([(0.0, "f", 30.0), (1.0, "m", 30.0)]), sidecar(frames=2))
    r = build_report([tmp_path / "video.csv", photos / "press.csv"], tmp_path / "o", ReportOptions(n_bootstrap=0,
                                                                                                    html=False))
    assert r.tables.summary.iloc[0]["videos"] == 1
    assert [p.path for p in r.errors] == [str(photos / "press.csv")] and "photo collection" in r.errors[0].reason

    side = tmp_path / "side"  # a photo collection with a sidecar (engine image, no video fps)
    side.mkdir()
    (side / "nasa.csv").write_bytes((photos / "nasa.csv").read_bytes())
    (side / "nasa.json").write_text('{"format": "inaFaceAnalyzer-results/1", "source": "photos/", "engine": "image"}')
    r = build_report([side], tmp_path / "o1", ReportOptions(n_bootstrap=0, html=False))
    assert r.problems == [] and r.tables.summary.iloc[0]["photos"] == 1

    numbers = tmp_path / "frames.csv"  # video results without time nor sidecar: not photos either
    numbers.write_text("frame,bbox,sex_label,age_label\n0,\"(1, 2, 3, 4)\",f,30\n25,\"(1, 2, 3, 4)\",m,40\n")
    r = build_report([numbers, photos / "nasa.csv"], tmp_path / "o2", ReportOptions(n_bootstrap=0, html=False))
    assert r.tables.summary.iloc[0]["photos"] == 1
    assert [p.path for p in r.errors] == [str(numbers)] and "frame numbers" in r.errors[0].reason
