"""``ina_face_analyzer_evaluate`` end to end on a few real faces."""

import shutil

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from conftest import UTKFACE
from inafaceanalyzer.cli.evaluate import main

needs_utkface = pytest.mark.skipif(
    not (UTKFACE / "labels.csv").is_file(), reason=f"UTKFace dev set not found at {UTKFACE} (set INAFACE_SHARED)"
)
TABLES = ["summary", "categories", "groups", "confusion", "calibration", "abstention", "resolution", "counts",
          "predictions"]


@pytest.fixture
def utk_sample(tmp_path):
    """Two faces of each bias category and two children, copied with their labels, plus bad entries."""
    labels = pd.read_csv(UTKFACE / "labels.csv")
    labels["cat"] = (labels.gender + (labels.race == "white").astype(str)
                     + pd.cut(labels.age, [0, 12, 19, 49, 200]).astype(str))
    picked = labels[labels.age >= 20].groupby("cat").head(2)
    picked = pd.concat([picked, labels[labels.age < 13].head(2)])
    folder = tmp_path / "faces"
    folder.mkdir()
    for p in picked.path:
        shutil.copy(UTKFACE / p, folder / p.split("/")[-1])
    rows = picked.assign(path=picked.path.str.split("/").str[-1])[["path", "gender", "age", "race"]]
    (folder / "broken.jpg").write_text("not an image")
    extra = pd.DataFrame([("broken.jpg", "f", 30, "white"), ("missing.jpg", "m", 40, "black"),
                          ("x.jpg", "unsure", 40, "black")], columns=rows.columns)
    pd.concat([rows, extra]).to_csv(folder / "labels.csv", index=False)
    return folder, len(picked)


@needs_utkface
def test_utkface_faces_end_to_end(utk_sample, tmp_path, capsys):
    folder, n = utk_sample
    out = tmp_path / "audit"
    status = main([str(folder), "-o", str(out), "--faces", "cropped", "--resolutions", "20", "200", "-q",
                   "--min_gender_confidence", "0.9"])
    err = capsys.readouterr().err
    assert status == 1
    assert f"{folder / 'labels.csv'}: line {n + 4}: gender 'unsure' is not one of" in err
    assert f"{folder / 'broken.jpg'}: not a readable image" in err
    assert f"{folder / 'missing.jpg'}: no such file" in err
    for name in TABLES:
        assert (out / f"{name}.csv").is_file()
    for name in ("categories", "age", "calibration", "abstention", "resolution"):
        assert (out / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert not list(out.glob(".*"))  # no temporary file left
    predictions = pd.read_csv(out / "predictions.csv")
    assert predictions.status.value_counts().to_dict() == {"ok": n, "unreadable": 2}
    ok = predictions[predictions.status == "ok"]
    assert set(ok.sex_label) <= {"m", "f", "u"} and (ok.sex_label == "u").any() == (ok.gender_confidence < 0.9).any()
    summary = pd.read_csv(out / "summary.csv").set_index("metric")
    assert list(summary.columns) == ["all_faces", "adults_20plus", "category_mean", "gender_bias", "racial_bias",
                                     "age_bias"]
    assert summary.loc["gender accuracy (%)", "adults_20plus"] >= 75
    assert summary.loc["gender coverage (%)", "all_faces"] < 100
    assert 2 < summary.loc["age MAE (years)", "all_faces"] < 15
    biases = summary.loc[["gender accuracy (%)", "age RMSE (years)"], ["gender_bias", "racial_bias", "age_bias"]]
    assert biases.notna().all().all()
    assert len(pd.read_csv(out / "categories.csv")) == 8
    resolution = pd.read_csv(out / "resolution.csv").set_index("resolution")
    tradeoff = pd.read_csv(out / "abstention.csv").set_index(["criterion", "threshold"])
    assert resolution.loc[200, "degraded"] == 0  # UTKFace faces are 200 px: as they are
    assert resolution.loc[200, "accuracy"] == pytest.approx(tradeoff.loc[("min_gender_confidence", 0.5), "accuracy"])
    assert resolution.loc[20, "degraded"] == n
    report = (out / "report.md").read_text()
    for heading in ("## Summary, as in the original paper", "## Children and teenagers", "## Resolution",
                    "## Label entries skipped", "![calibration](calibration.png)"):
        assert heading in report


@pytest.fixture
def astronaut_set(tmp_path, astronaut):
    folder = tmp_path / "astro"
    folder.mkdir()
    Image.fromarray(astronaut).save(folder / "photo.png")
    Image.fromarray(astronaut[20:220, 120:300]).save(folder / "head.png")
    Image.fromarray(np.full((120, 120, 3), 128, np.uint8)).save(folder / "gray.png")
    (folder / "labels.csv").write_text("path,gender,age\nphoto.png,f,39\nhead.png,f,39\ngray.png,m,30\n")
    return folder


@pytest.mark.parametrize("faces", ["photos", "auto"])
def test_detected_faces_and_faces_not_found(astronaut_set, tmp_path, capsys, faces):
    out = tmp_path / f"out-{faces}"
    assert main([str(astronaut_set), "-o", str(out), "--faces", faces, "--resolutions", "30", "5000", "-q",
                 "--no_plots"]) == 0
    err = capsys.readouterr().err
    predictions = pd.read_csv(out / "predictions.csv").set_index("path")
    gray = str(astronaut_set / "gray.png")
    photo = predictions.loc[str(astronaut_set / "photo.png")]
    assert photo.status == "ok" and photo.face_source == "detected" and photo.sex_label == "f"
    if faces == "photos":
        assert predictions.loc[gray, "status"] == "no face"
        assert f"1 image(s): no face found, left out (see {out}/predictions.csv): {gray}" in err
        assert "## Faces not evaluated" in (out / "report.md").read_text()
    else:
        assert predictions.loc[gray, "status"] == "ok" and predictions.loc[gray, "face_source"] == "whole image"
        assert "no face detected, analysed as cropped faces" in err
    resolution = pd.read_csv(out / "resolution.csv").set_index("resolution")
    assert resolution.loc[30, "degraded"] >= 2  # both astronaut faces are larger than 30 px
    assert resolution.loc[5000, "degraded"] == 0  # at full resolution, the same results as the evaluation
    ok = predictions[predictions.status == "ok"]
    assert resolution.loc[5000, "age_mae"] == pytest.approx(ok.age_error.abs().mean())
    assert not list(out.glob("*.png"))
    summary = pd.read_csv(out / "summary.csv").set_index("metric")
    assert summary["racial_bias"].isna().all()  # no race labels


def test_bad_inputs_are_refused_with_one_line(astronaut_set, tmp_path, capsys):
    (astronaut_set / "labels.csv").write_text("path,sex\nphoto.png,f\n")
    assert main([str(astronaut_set), "-o", str(tmp_path / "o"), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"ina_face_analyzer_evaluate: error: {astronaut_set / 'labels.csv'}: missing column(s) "
                   "gender, age (found: path, sex; expected path,gender,age[,race])")
    (tmp_path / "file").write_text("")
    for args, message in [
        (["--min_gender_confidence", "0.3"], "min_gender_confidence must be between 0.5 and 1"),
        (["--resolutions", "0"], "resolutions must be positive"),
        (["--faces", "video"], "invalid choice"),
        (["--labels", str(tmp_path / "nope.csv")], "nope.csv: no such file"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            main([str(astronaut_set), "-o", str(tmp_path / "o"), *args])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(astronaut_set), "-o", str(tmp_path / "file")])
    assert "exists and is not a directory" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
