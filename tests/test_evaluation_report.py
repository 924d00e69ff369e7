"""What the evaluation report says and draws (issue 13, items 14, 16 and 19)."""

import re

import pandas as pd
import pytest

from _eval_sets import needs_utkface, utkface_faces
from conftest import ROOT
from inafaceanalyzer.cli.evaluate import main
from inafaceanalyzer.evaluation import EvaluationConfig, evaluate, load_dataset
from inafaceanalyzer.evaluation.datasets import LabeledDataset
from inafaceanalyzer.evaluation.plots import categories_figure

DOCS = ROOT / "docs" / "evaluation.md"


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The evaluation CLI with its default options on UTKFace dev faces (children included)."""
    tmp = tmp_path_factory.mktemp("eval")
    folder = tmp / "faces"
    utkface_faces(folder).to_csv(folder / "labels.csv", index=False)
    out = tmp / "out"
    assert main([str(folder), "-o", str(out), "--faces", "cropped", "-q"]) == 0
    return folder, out


@needs_utkface
def test_report_states_what_was_measured_and_names_references(default_run):
    _, out = default_run
    report = (out / "report.md").read_text()
    assert "51.5" not in report and "80 %" not in report  # the UTKFace dev set's children, whatever the data
    groups = pd.read_csv(out / "groups.csv").set_index("group")
    said = {}
    for g, name in (("m", "boys"), ("f", "girls")):
        row = groups.loc[f"<13 / {g}"]  # children may all be answered 'u' (the commands' child rule)
        said[g] = (f"{row.accuracy:.1%} of {name} ({row.answered} answered)" if row.answered
                   else f"no {name} (all {row.faces} answered u)")
    assert f"Measured here, under 13, gender labels were right for {said['m']} and {said['f']}." in report
    paper_table = report.index("| gender accuracy (%) | 94.8 |")
    assert "Reference: the original paper's UTKFace figures" in report[paper_table - 300:paper_table]


@needs_utkface
def test_resolution_table_is_opt_in(default_run, tmp_path):
    folder, out = default_run
    assert pd.read_csv(out / "resolution.csv").empty
    assert not (out / "resolution.png").exists()
    assert "## Resolution" not in (out / "report.md").read_text()
    labels = pd.read_csv(folder / "labels.csv").head(2)
    labels.to_csv(folder / "two.csv", index=False)
    out2 = tmp_path / "out"
    assert main([str(folder / "two.csv"), "-o", str(out2), "--faces", "cropped", "-q", "--resolution_table",
                 "--no_plots"]) == 0
    resolution = pd.read_csv(out2 / "resolution.csv")
    assert resolution["resolution"].tolist() == [10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 224]
    assert (resolution["faces"] == 2).all()
    assert "## Resolution" in (out2 / "report.md").read_text()
    with pytest.raises(SystemExit):
        main([str(folder / "two.csv"), "-o", str(out2), "--no_resolution", "--resolution_table"])


@needs_utkface
def test_categories_figure_starts_at_zero_with_a_legend(default_run):
    _, out = default_run
    categories = pd.read_csv(out / "categories.csv")
    assert categories["accuracy"].min() > 0.3  # a fixed floor would hide nothing here: the axis must start at 0
    top = categories_figure(categories).axes[0]
    assert top.get_ylim()[0] == 0
    legend = top.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["men", "women"]


@needs_utkface
def test_documented_bbox_to_crop_ratio_is_the_measured_one(default_run):
    """docs/evaluation.md gives the ``bbox`` side of UTKFace crops as a multiple of the crop side per mode."""
    folder, out = default_run
    text = DOCS.read_text()
    cropped = float(re.search(r"`--faces cropped`[^.]*?`bbox` is ([\d.]+) x the crop side", text).group(1))
    auto = float(re.search(r"`--faces auto`[^.]*?`bbox` is about ([\d.]+) x the crop side", text).group(1))
    predictions = pd.read_csv(out / "predictions.csv")
    assert (predictions["face_size"] / 200).round(3).unique().tolist() == [cropped]
    dataset = load_dataset(folder)
    ev = evaluate(LabeledDataset(dataset.source, dataset.table.head(12)), EvaluationConfig(faces="auto"))
    detected = ev.faces[ev.faces["face_source"] == "detected"]
    assert len(detected) >= 10
    assert (detected["face_size"] / 200).median() == pytest.approx(auto, abs=0.03)
