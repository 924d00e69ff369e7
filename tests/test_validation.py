"""Validation samples: stratified draw, thumbnails cut from real decoding, scoring and the corrected
estimates (the estimator's coverage on simulated studies), the command line and the report's section."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from _report_data import TRACKED, sidecar, write
from videogen import numbered_frame, read_number, write_video

from inafaceanalyzer.report.options import AgeBrackets
from inafaceanalyzer.validation import SampleOptions, draw_sample, load_validation, score_sample
from inafaceanalyzer.validation.agreement import cohen_kappa, krippendorff_alpha
from inafaceanalyzer.validation.sampling import allocate
from inafaceanalyzer.validation.simulation import simulate, worse_corpus_model
from inafaceanalyzer.media.video import frames_shown_at

FPS, FRAMES = 25, 250  # a 10 s numbered video


@pytest.fixture(scope="module")
def numbered_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "numbered.mp4"
    return write_video(path, lambda n: numbered_frame(n, 320, 240), FRAMES, rate=FPS, gop=12)


def _programme(video, rng: np.random.Generator, people: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """Tracked rows at 5 fps: ``people`` = (true sex, predicted sex, true age, predicted age), each on
    screen for a random span; the truth goes in a ``true_sex``/``true_age`` column (not read by the tools)."""
    rows = []
    for fid, (true, pred, age, page) in enumerate(people):
        start = int(rng.integers(0, 40))
        for k in range(start, min(start + int(rng.integers(5, 30)), 49)):
            t = k / 5
            x = 20 + 70 * (fid % 4)
            rows.append({"frame": round(t * FPS), "bbox": f"({x}, 80, {x + 40}, 120)", "face_id": fid,
                         "detect_conf": 0.9, "track_conf": None, "sex_decfunc": 0.0, "age_decfunc": page,
                         "sex_label": pred, "age_label": page, "time": t, "sex_decfunc_avg": 0.0,
                         "age_decfunc_avg": page, "sex_label_avg": pred, "age_label_avg": page,
                         "true_sex": true, "true_age": age})
    return pd.DataFrame(rows, columns=[*TRACKED, "true_sex", "true_age"])


@pytest.fixture(scope="module")
def results(tmp_path_factory, numbered_video):
    """Two tracked 'programmes' of the numbered video, with known truth and a biased classifier:
    boys called girls, older women called younger."""
    root = tmp_path_factory.mktemp("results")
    rng = np.random.default_rng(3)
    casts = [
        [("f", "f", 30, 28), ("m", "f", 8, 9), ("m", "m", 40, 41), ("f", "f", 60, 45), ("m", "f", 10, 12),
         ("m", "m", 25, 27)],
        [("f", "m", 70, 55), ("m", "m", 33, 36), ("m", "f", 6, 7), ("f", "f", 22, 24), ("m", "m", 50, 52)],
    ]
    for i, cast in enumerate(casts):
        df = _programme(numbered_video, rng, cast)
        side = sidecar("videotracking", 0.2, 50, 0.0, 9.8, 10.0)
        video = root / f"programme{i}.mp4"  # two programmes: two sources (one source twice is counted once)
        shutil.copyfile(numbered_video, video)
        side["source"] = str(video)
        write(root / f"prog{i}.csv", df, side)
    return root


def _truth_labels(sample: pd.DataFrame, results_dir, brackets: AgeBrackets, annotator: str = "truth") -> pd.DataFrame:
    """Labels as a person who knows the truth would save them."""
    frames = []
    for f in sorted(results_dir.glob("*.csv")):
        df = pd.read_csv(f)
        df["results_file"] = str(f)
        frames.append(df)
    allrows = pd.concat(frames)
    truth = allrows.drop_duplicates(["results_file", "face_id"]).set_index(["results_file", "face_id"])
    idx = list(zip(sample["results_file"], sample["face_id"].astype(int)))
    labels = brackets.labels
    ages = truth.loc[idx, "true_age"].to_numpy()
    b = np.searchsorted(np.asarray(brackets.bounds), ages, side="right") - 1
    return pd.DataFrame({"sample_id": sample["sample_id"], "gender": truth.loc[idx, "true_sex"].to_numpy(),
                         "age_bracket": [labels[i] for i in b], "annotator": annotator})


def _true_share(results_dir) -> float:
    df = pd.concat([pd.read_csv(f) for f in results_dir.glob("*.csv")])
    return float((df["true_sex"] == "f").mean() / df["true_sex"].isin(["f", "m"]).mean())


def test_video_frames_are_the_frames_asked_for(numbered_video):
    times = [7.2, 0.0, 3.04, 3.08, 9.96, 1.0, 5.52]  # out of order: seeks back and forth
    got = {t: read_number(img) for t, img in frames_shown_at(str(numbered_video), times)}
    assert got == {t: round(t * FPS) for t in times}


def test_allocation_keeps_every_stratum_and_the_total():
    sizes = np.array([500, 3, 0, 40, 1200, 12])
    weights = sizes * np.array([1.0, 1.0, 1.0, 2.0, 1.0, 0.5])
    take = allocate(sizes, weights, 100)
    assert take.sum() == 100 and np.all(take <= sizes)
    assert np.all(take[sizes > 0] >= np.minimum(sizes[sizes > 0], 8))  # floor: 100 // (2 x 5) = 10, or all
    assert take[4] > take[0] > take[3]  # the rest by weight
    assert np.array_equal(allocate(sizes, weights, 10_000), sizes)  # a census when n is large


def test_sample_is_stratified_with_known_inclusion_probabilities(results, tmp_path):
    out = tmp_path / "val"
    res = draw_sample([results], out, SampleOptions(n=60, seed=1))
    s, strata = res.sample, res.strata
    assert {p.name for p in res.files} == {"sample.csv", "strata.csv", "population.csv", "sample.json",
                                           "annotate.html"}
    assert len(s) == 60 and s["sample_id"].is_unique and s["thumbnail"].all()
    counts = s["stratum"].value_counts()
    for _, r in strata.iterrows():
        assert counts.get(r["stratum"], 0) == r["sampled"]
        assert r["inclusion_prob"] == pytest.approx(r["sampled"] / r["population_items"])
    assert set(strata["stratum"]) >= {"f|0-19", "f|35-49", "m|35-49"}  # boys called girls, women aged down
    assert (s["inclusion_weight"] * 1).groupby(s["stratum"]).sum().round(6).to_dict() == \
        strata.set_index("stratum")["population_items"].astype(float).to_dict()
    again = draw_sample([results], tmp_path / "again", SampleOptions(n=60, seed=1)).sample
    assert again.drop(columns="thumbnail").equals(s.drop(columns="thumbnail"))  # seeded
    assert not draw_sample([results], tmp_path / "other", SampleOptions(n=60, seed=2)).sample["frame"].equals(
        s["frame"])


def test_person_sample_shows_frames_along_the_track(results, tmp_path):
    res = draw_sample([results], tmp_path / "p", SampleOptions(n=100, unit="person", thumbnail_px=64))
    assert len(res.sample) == 11  # every person (a census)
    html = (tmp_path / "p" / "annotate.html").read_text()
    data = json.loads(html.split('id="data">')[1].split("</script>")[0])
    import base64
    import io

    from PIL import Image

    widths = [Image.open(io.BytesIO(base64.b64decode(it["img"].split(",")[1]))).size for it in data["items"]]
    assert all(h == 64 for _, h in widths)
    assert max(w for w, _ in widths) > 3 * 64  # 5 frames side by side for long tracks


def test_census_with_true_labels_gives_the_true_share(results, tmp_path):
    out = tmp_path / "census"
    res = draw_sample([results], out, SampleOptions(n=10_000, thumbnails=False))
    brackets = AgeBrackets()
    _truth_labels(res.sample, results, brackets).to_csv(out / "labels.csv", index=False)
    scored = score_sample([out])
    row = scored.tables["corrected"].set_index(["scope", "measure"]).loc[("ALL", "share_women_facetime")]
    truth = _true_share(results)
    assert row["corrected"] == pytest.approx(truth)
    assert row["ci_low"] <= truth <= row["ci_high"]
    assert abs(row["uncorrected"] - truth) > 0.15  # the biased classifier is far off
    acc = scored.tables["agreement"].set_index("metric")
    assert acc.loc["recall_men", "value"] < 0.8 and acc.loc["recall_women", "value"] > 0.6


def test_corrected_report_section(results, tmp_path):
    from inafaceanalyzer.report import ReportOptions, build_report

    out = tmp_path / "val"
    res = draw_sample([results], out, SampleOptions(n=40, seed=0, thumbnails=False))
    brackets = AgeBrackets()
    _truth_labels(res.sample, results, brackets, "a").to_csv(out / "labels-a.csv", index=False)
    v = load_validation([out])
    rep = build_report([results], tmp_path / "rep", ReportOptions(block_s=2.0, n_bootstrap=200), validation=v)
    corrected = pd.read_csv(tmp_path / "rep" / "corrected.csv")
    assert set(corrected["scope"]) == {"ALL", "prog0", "prog1"}
    whole = corrected[(corrected["scope"] == "ALL") & (corrected["measure"] == "share_women_facetime")].iloc[0]
    assert whole["ci_low"] <= _true_share(results) <= whole["ci_high"]
    assert whole["uncorrected"] == pytest.approx(rep.tables.summary["share_women_facetime"].iloc[0])
    html = rep.html.read_text()
    assert "Corrected for the classifier" in html and "corrected_age.csv" in html
    age = pd.read_csv(tmp_path / "rep" / "corrected_age.csv")
    assert age["corrected"].sum() == pytest.approx(1.0)
    with pytest.raises(Exception, match="age brackets"):
        build_report([results], tmp_path / "rep2", ReportOptions(age_brackets=AgeBrackets((0, 30)), n_bootstrap=0),
                     validation=v)


def test_annotators_agreement_and_bad_labels(results, tmp_path, capsys):
    from inafaceanalyzer.cli.validate import main

    out = tmp_path / "val"
    assert main(["sample", str(results), "-o", str(out), "--n", "30", "-q"]) == 0
    sample = pd.read_csv(out / "sample.csv", dtype={"sample_id": str})
    a = _truth_labels(sample, results, AgeBrackets(), "ann")
    b = a.assign(annotator="bob")
    b.loc[:4, "gender"] = np.where(b.loc[:4, "gender"] == "f", "m", "f")
    a.to_csv(tmp_path / "a.csv", index=False)
    b.to_csv(tmp_path / "b.csv", index=False)
    (tmp_path / "bad.csv").write_text("id,label\n1,f\n")
    code = main(["score", str(out), str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), str(tmp_path / "bad.csv"),
                 "--replicates", "200"])
    err = capsys.readouterr().err
    assert code == 1  # the bad file is reported, the others scored
    assert f"error: {tmp_path / 'bad.csv'}: not a labels file" in err
    assert "share of women" in err
    annot = pd.read_csv(out / "annotators.csv")
    kappa = annot[(annot["measure"] == "cohen_kappa") & (annot["labels"] == "gender")].iloc[0]
    assert kappa["items"] == 30 and kappa["agreement"] == pytest.approx(25 / 30)
    assert len(pd.read_csv(out / "disagreements.csv")) == 5


def test_kappa_and_alpha_known_values():
    assert cohen_kappa(list("ffmm"), list("fmmm")) == pytest.approx(0.5)
    units = pd.DataFrame({"a": list("ffmm"), "b": list("fmmm")})
    assert krippendorff_alpha(units) == pytest.approx(1 - 14 / 30)


def test_estimator_coverage_on_simulated_studies():
    """A corpus much worse than UTKFace (boys called girls half of the time, non-faces): the
    corrected interval covers the true share about 95 % of the time, the uncorrected one never."""
    model = worse_corpus_model()
    s = simulate(lambda rng: model.corpus(rng, 2000, 0.3), n_sample=200, n_studies=300, seed=11, n_replicates=400)
    assert s.coverage >= 0.90
    assert s.uncorrected_coverage < 0.2
    assert s.mae < s.uncorrected_mae / 3


def test_faces_export_of_images_and_videos(tmp_path, astronaut_path, numbered_video):
    """--faces_export: one crop per face row, named by source, frame and face, cut from real decoding."""
    from PIL import Image

    from inafaceanalyzer.cli.analyze import main

    out = tmp_path / "faces"
    assert main(["--engine", "image", "-i", str(astronaut_path), "-o", str(tmp_path / "r.csv"), "--faces_export",
                 str(out), "-q"]) == 0
    rows = pd.read_csv(tmp_path / "r.csv")
    files = sorted(out.glob("*.jpg"))
    assert [f.name for f in files] == [f"{astronaut_path.stem}_{k}.jpg" for k in range(len(rows))]
    x1, y1, x2, y2 = (int(v) for v in rows["bbox"][0].strip("()").split(","))
    assert Image.open(files[0]).size == (x2 - x1, y2 - y1)
    from inafaceanalyzer.export.faces import export_faces

    table = pd.DataFrame({"frame": [25, 100, 100], "time": [1.0, 4.0, 4.0], "face_id": [3, 3, 7],
                          "bbox": ["(8, 8, 136, 16)"] * 3})  # the cells spelling the frame number
    written = export_faces(table, tmp_path / "v", str(numbered_video))
    assert [p.name for p in written] == ["numbered_000025_3.jpg", "numbered_000100_3.jpg", "numbered_000100_7.jpg"]
    crop = np.asarray(Image.open(written[1]).convert("RGB"))
    full = np.zeros((240, 320, 3), np.uint8)
    full[8:16, 8:136] = crop  # put the crop back where it was cut: it spells frame 100
    assert read_number(full) == 100


def test_person_sample_beside_untracked_results(results, tmp_path):
    """People come from the tracked files only, each with its own track's rows."""
    import shutil

    from _report_data import rows

    mixed = tmp_path / "mixed"
    shutil.copytree(results, mixed)
    side = sidecar("video", 1.0, 10)
    write(mixed / "a_plain.csv", rows([(float(t), "f", 30.0) for t in range(10)]), side)
    res = draw_sample([mixed], tmp_path / "p", SampleOptions(n=100, unit="person", thumbnails=False))
    assert len(res.sample) == 11 and res.sample["face_id"].notna().all()
    for r in res.sample.itertuples():
        track = pd.read_csv(r.results_file)
        track = track[track["face_id"] == r.face_id]
        assert r.time == pytest.approx(track["time"].min())
        assert r.bbox == track["bbox"].iloc[0]


def test_report_command_with_validation(results, tmp_path, capsys):
    from inafaceanalyzer.cli.report import main

    out = tmp_path / "val"
    res = draw_sample([results], out, SampleOptions(n=30, thumbnails=False))
    labels = tmp_path / "labels-a.csv"  # kept outside the sample folder: given beside it
    _truth_labels(res.sample, results, AgeBrackets(), "a").to_csv(labels, index=False)
    assert main([str(results), "-o", str(tmp_path / "rep"), "-q", "--bootstrap", "200", "--validation", str(out),
                 str(labels)]) == 0
    assert (tmp_path / "rep" / "corrected.csv").is_file() and (tmp_path / "rep" / "corrected_age.csv").is_file()
    capsys.readouterr()
    assert main([str(results), "-o", str(tmp_path / "rep2"), "-q", "--validation", str(labels)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["ina_face_analyzer_report: error: no sample folder: give the folder written by "
                   "'ina_face_analyzer_validate sample' (with sample.csv) or keep the labels files in it"]
    assert not (tmp_path / "rep2").exists()


def test_missing_source_leaves_items_without_picture(results, tmp_path, capsys):
    import shutil

    from inafaceanalyzer.cli.validate import main

    moved = tmp_path / "moved"
    shutil.copytree(results, moved)
    side = json.loads((moved / "prog1.json").read_text())
    side["source"] = str(tmp_path / "gone.mp4")
    (moved / "prog1.json").write_text(json.dumps(side))
    assert main(["sample", str(moved), "-o", str(tmp_path / "val"), "--n", "40", "-q"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"ina_face_analyzer_validate: error: {tmp_path / 'gone.mp4'}: no such file"]
    s = pd.read_csv(tmp_path / "val" / "sample.csv")
    assert (~s["thumbnail"] == (s["video"] == "prog1")).all() and (s["video"] == "prog1").any()
