"""Labels other data sets use: race spellings, unknown cells, no ages at all (issue 13, items 15 and 17)."""

import pandas as pd
import pytest

from _eval_sets import needs_utkface, utkface_faces
from inafaceanalyzer.cli.evaluate import main
from inafaceanalyzer.evaluation import load_dataset
from inafaceanalyzer.evaluation.groups import race_groups
from inafaceanalyzer.evaluation.races import RACES, race_name

# UTKFace and FairFace labels, as other data sets spell them
SPELLINGS = {"white": "Caucasian", "black": "African American", "asian": "East Asian", "indian": "South_Asian",
             "others": "Martian"}


def test_race_spellings_are_mapped_and_unknown_ones_listed(tmp_path):
    (tmp_path / "labels.csv").write_text(
        "path,gender,age,race\n"
        "a.jpg,m,30,Caucasian\n"
        "b.jpg,f,40,european\n"
        "c.jpg,f,NA,African American\n"
        "d.jpg,unknown,25,Latino_Hispanic\n"
        "e.jpg,m,n/a,latino/hispanic\n"
        "f.jpg,f,33,Middle Eastern\n"
        "g.jpg,m,50,Southeast Asian\n"
        "h.jpg,m,50,south asian\n"
        "i.jpg,f,20,Martian\n"
        "j.jpg,f,20,unknown\n"
    )
    ds = load_dataset(tmp_path)
    assert ds.problems == []  # NA, n/a and unknown are not known, not bad rows
    t = ds.table
    assert t["race"].tolist()[:8] == ["white", "white", "black", "latino hispanic", "latino hispanic",
                                      "middle eastern", "southeast asian", "indian"]
    assert t["race"].iloc[8] == "martian" and t["race"].isna().iloc[9]
    assert t["age"].isna().tolist() == [False, False, True, False, True, False, False, False, False, False]
    assert t["gender"].isna().tolist() == [False, False, False, True] + [False] * 6
    groups = race_groups(t["race"]).astype(object).fillna("?").tolist()
    assert groups == ["white", "white"] + ["non-white"] * 6 + ["?", "?"]
    assert ds.unrecognized_races == {"martian": 1}
    assert {race_name(r) for r in ["White", "Black", "Latino_Hispanic", "East Asian", "Southeast Asian", "Indian",
                                   "Middle Eastern", "asian", "others"]} <= set(RACES)


@needs_utkface
def test_data_set_without_ages_and_with_odd_race_spellings(tmp_path, capsys):
    folder = tmp_path / "faces"
    labels = utkface_faces(folder)
    labels["age"] = ["", "NA", "unknown"] * (len(labels) // 3) + [""] * (len(labels) % 3)
    labels["race"] = labels["race"].map(SPELLINGS)
    labels.to_csv(folder / "labels.csv", index=False)
    out = tmp_path / "out"
    assert main([str(folder), "-o", str(out), "--faces", "cropped"]) == 0
    err = capsys.readouterr().err
    assert "no age labels: the age factor is left out" in err
    assert "race labels not recognised, left out of the racial factor: 'martian' (" in err
    last = err.strip().splitlines()[-1]
    assert "age not measured (no age labels)" in last and "nan" not in last

    categories = pd.read_csv(out / "categories.csv")
    assert "age_group" not in categories.columns
    assert categories[["gender", "race_group"]].values.tolist() == [
        ["m", "white"], ["m", "non-white"], ["f", "white"], ["f", "non-white"]]
    martians = int((labels["race"] == "Martian").sum())
    assert categories["faces"].sum() == len(labels) - martians  # unknown race: out of the racial categories
    white = int((labels["race"] == "Caucasian").sum())
    assert categories.loc[categories.race_group == "white", "faces"].sum() == white  # caucasian is white
    summary = pd.read_csv(out / "summary.csv").set_index("metric")
    assert summary["age_bias"].isna().all() and summary["adults_20plus"].isna().all()
    assert summary.loc["gender accuracy (%)", ["gender_bias", "racial_bias"]].notna().all()
    counts = pd.read_csv(out / "counts.csv").set_index("what")["count"]
    assert counts["faces without a known age"] == len(labels)
    assert counts["faces with an unrecognised race label"] == martians

    assert not (out / "age.png").exists()
    assert (out / "categories.png").is_file()
    report = (out / "report.md").read_text()
    assert "No age labels: the age factor is left out." in report
    assert "## The bias categories: gender x race (all ages: no age labels)" in report
    assert "adults 20+)" not in report.split("## The bias categories")[1].split("\n")[0]
    assert "## Race labels not recognised" in report and "| martian |" in report


@needs_utkface
def test_some_ages_unknown_keep_the_age_factor(tmp_path, capsys):
    folder = tmp_path / "faces"
    labels = utkface_faces(folder, adults_per_category=1, children=1)
    adults = int((labels["age"] >= 20).sum())
    assert (labels["age"].iloc[:3] >= 20).all()
    labels["age"] = labels["age"].astype(object)
    labels.iloc[:3, labels.columns.get_loc("age")] = "NA"
    labels.to_csv(folder / "labels.csv", index=False)
    out = tmp_path / "out"
    assert main([str(folder), "-o", str(out), "--faces", "cropped", "--no_plots"]) == 0
    assert "age factor" not in capsys.readouterr().err
    categories = pd.read_csv(out / "categories.csv")
    assert len(categories) == 8 and categories["faces"].sum() == adults - 3  # unknown ages are left out
    counts = pd.read_csv(out / "counts.csv").set_index("what")["count"]
    assert counts["faces without a known age"] == 3
    assert pytest.approx(pd.read_csv(out / "summary.csv").set_index("metric").loc["age MAE (years)", "all_faces"]) \
        == pd.read_csv(out / "predictions.csv")["age_error"].abs().mean()


def test_face_boxes_in_the_labels(tmp_path):
    (tmp_path / "labels.csv").write_text(
        "path,gender,age,x1,y1,x2,y2\n"
        "a.jpg,m,30,10,20,50,70.5\n"
        "b.jpg,f,40,,,,\n"
        "c.jpg,f,40,NA,NA,NA,NA\n"
        "d.jpg,f,40,10,20,5,70\n"
        "e.jpg,f,40,10,,50,70\n"
    )
    ds = load_dataset(tmp_path)
    assert ds.table["box"].tolist()[0] == (10.0, 20.0, 50.0, 70.5)
    assert ds.table["box"].isna().tolist() == [False, True, True]
    assert [p.split(": ", 1)[1] for p in ds.problems] == [
        "line 5: face box '10,20,5,70' is empty (x2 <= x1 or y2 <= y1)",
        "line 6: face box '10,,50,70' is not four numbers x1,y1,x2,y2",
    ]
