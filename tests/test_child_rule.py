"""The rule for young-looking faces (--child_age, --young_age, --young_confidence) on real dev faces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from inafaceanalyzer.classification.abstention import (DEFAULT_YOUNG_AGE, DEFAULT_YOUNG_CONFIDENCE, AbstentionRule,
                                                       apply_abstention, unknown_reasons)
from inafaceanalyzer.cli.analyze import main as analyze_main


def _dev_faces(tmp_path, lo: int, hi: int, n: int | None = None) -> tuple[pd.DataFrame, str]:
    from conftest import UTKFACE

    if not (UTKFACE / "labels.csv").is_file():
        pytest.skip(f"UTKFace dev set not found at {UTKFACE}")
    labels = pd.read_csv(UTKFACE / "labels.csv")
    labels = labels[labels.age.between(lo, hi)].iloc[:n]
    listing = tmp_path / f"faces{lo}-{hi}.txt"
    listing.write_text("\n".join(str(UTKFACE / p) for p in labels.path))
    return labels.assign(frame=[str(UTKFACE / p) for p in labels.path]), str(listing)


@pytest.mark.parametrize("classifier", ["dlib", "ensemble"])
def test_teenagers_answered_right_adults_answered(tmp_path, classifier):
    """Default command line on every UTKFace dev face aged 13-19 and 150 aged 20-29: the
    teenagers answered are >= 95 % right (dlib with --child_age alone: 84/89 = 0.944),
    most are answered, and young adults keep their answers."""
    faces, listing = _dev_faces(tmp_path, 13, 29)
    faces = pd.concat([faces[faces.age <= 19], faces[faces.age >= 20].iloc[:150]])
    (tmp_path / "faces.txt").write_text("\n".join(faces.frame))
    out = tmp_path / "out.csv"
    assert analyze_main(["--engine", "preprocessed_image", "-q", "--classifier", classifier,
                         "-l", str(tmp_path / "faces.txt"), "-o", str(out)]) == 0
    rows = faces.merge(pd.read_csv(out), on="frame")
    assert len(rows) == len(faces)
    teen, answered = rows.age <= 19, rows.sex_label != "u"
    assert (rows.sex_label == rows.gender)[teen & answered].mean() >= 0.95
    assert answered[teen].mean() >= 0.75
    assert answered[~teen].mean() >= 0.98


def test_young_faces_need_a_confident_answer():
    rule = AbstentionRule(child_age=13, young_age=22, young_confidence=0.7)
    table = pd.DataFrame({
        "bbox": [(0, 0, 100, 100)] * 5,
        "sex_decfunc": [3.0, 0.5, -0.5, 0.5, -3.0],      # p = 0.95, 0.62, 0.62, 0.62, 0.95
        "age_decfunc": [16.0, 16.0, 21.5, 30.0, 8.0],
        "sex_label": ["m", "m", "f", "m", "f"],
    })
    out = apply_abstention(table, rule)
    assert out.sex_label.tolist() == ["m", "u", "u", "m", "u"]
    assert unknown_reasons(table, rule).tolist() == ["", "child", "child", "", "child"]
    # the library's default rule answers every face; the commands' defaults are the fitted ones
    assert not AbstentionRule().active and AbstentionRule(young_age=22).active is False
    assert (DEFAULT_YOUNG_AGE, DEFAULT_YOUNG_CONFIDENCE) == (22.0, 0.7)
    tracks = table.assign(sex_decfunc_avg=table.sex_decfunc, age_decfunc_avg=table.age_decfunc,
                          sex_label_avg=table.sex_label)
    assert apply_abstention(tracks, rule).sex_label_avg.tolist() == ["m", "u", "u", "m", "u"]
    for bad in ({"young_age": -1}, {"young_age": 31}, {"young_confidence": 0.4}, {"young_confidence": 1.1}):
        with pytest.raises(ValueError):
            AbstentionRule(**bad)


def test_young_rule_of_the_command_line(tmp_path):
    """--young_age / --young_confidence reach the rule (the sidecar's count: test_classifiers.py's family video)."""
    faces, listing = _dev_faces(tmp_path, 13, 19)
    out = tmp_path / "out.csv"
    assert analyze_main(["--engine", "preprocessed_image", "-q", "--classifier", "dlib", "--child_age", "0",
                         "--young_age", "30", "--young_confidence", "0.99", "-l", listing, "-o", str(out)]) == 0
    rows = pd.read_csv(out)
    p = 1 / (1 + np.exp(-np.abs(rows.sex_decfunc)))
    expected = (rows.age_decfunc < 30) & (p < 0.99)
    assert expected.any() and (~expected).any()
    assert ((rows.sex_label == "u") == expected).all()


def test_report_counts_children_apart_on_real_runs(tmp_path, capsys):
    """Two real runs of the family video (dev faces): the default rule, and one that withholds
    uncertain answers but no child. The report's face-time of 'u' that look like a child is the
    sidecar's count (1 s per row at --fps 1) in the first, 0 in the second, and the HTML says it;
    so does the command's summary line."""
    from conftest import UTKFACE
    from family_video import write_family_video

    from inafaceanalyzer.cli.report import main as report_main
    from inafaceanalyzer.results.sidecar import read_metadata

    if not (UTKFACE / "labels.csv").is_file():
        pytest.skip(f"UTKFace dev set not found at {UTKFACE}")
    video = tmp_path / "family.mp4"
    write_family_video(video, UTKFACE, scenes=2)
    runs = {"default": [], "uncertain": ["--child_age", "0", "--young_age", "0", "--min_gender_confidence", "0.999"]}
    said = {}
    for name, extra in runs.items():
        (tmp_path / name).mkdir()
        assert analyze_main(["--engine", "video", "--fps", "1", "--classifier", "dlib", *extra,
                             "-i", str(video), "-o", str(tmp_path / name)]) == 0
        said[name] = capsys.readouterr().err
    child_rows = read_metadata(tmp_path / "default" / "family.csv")["analysis"]["unknown_child"]
    assert child_rows > 0
    assert f"; {child_rows} of them look like children)" in said["default"]
    assert "answered sex_label 'u'" in said["uncertain"] and "look like children" not in said["uncertain"]
    out = tmp_path / "report"
    assert report_main([str(tmp_path / "default" / "family.csv"), str(tmp_path / "uncertain" / "family.csv"),
                        "-o", str(out), "-q", "--bootstrap", "0"]) == 0
    videos = pd.read_csv(out / "videos.csv").set_index("results_file")
    default, uncertain = (videos.loc[str(tmp_path / n / "family.csv")] for n in runs)
    assert default["facetime_unknown_child_s"] == pytest.approx(child_rows)
    assert uncertain["facetime_unknown_s"] > 0 and uncertain["facetime_unknown_child_s"] == 0
    summary = pd.read_csv(out / "summary.csv").iloc[0]
    assert summary["facetime_unknown_child_s"] == pytest.approx(child_rows)
    age = pd.read_csv(out / "age_brackets.csv")
    assert age[age.scope == "ALL"]["facetime_unknown_child_s"].sum() == pytest.approx(child_rows)
    html = (out / "report.html").read_text()
    assert html.count("of which looks like a child") == 2  # the unknown card and the age table's column


def test_live_labels_withhold_young_faces(tmp_path):
    """The labels drawn live (running averages) follow the age rules as the final
    ``sex_label_avg`` does: a real child's face (the dev set's first face aged 4) is shown ``u``."""

    from inafaceanalyzer.live.session import RunningAverages
    from inafaceanalyzer.results.table import FrameResult

    faces, listing = _dev_faces(tmp_path, 4, 4, 1)
    out = tmp_path / "out.csv"
    assert analyze_main(["--engine", "preprocessed_image", "-q", "--child_age", "0", "--young_age", "0",
                         "-l", listing, "-o", str(out)]) == 0
    row = pd.read_csv(out).iloc[0]
    assert row.age_decfunc < 13 and row.sex_label in ("m", "f")  # answered without the rules
    result = FrameResult(0, 0.0, [(7, (0, 0, 100, 100), row.sex_decfunc, row.age_decfunc)],
                         ["face_id", "bbox", "sex_decfunc", "age_decfunc"])
    shown = RunningAverages(abstention=AbstentionRule(child_age=13)).marks(result)[0].text
    assert shown.startswith("#7 u ")
    assert RunningAverages().marks(result)[0].text.startswith(f"#7 {row.sex_label} ")
