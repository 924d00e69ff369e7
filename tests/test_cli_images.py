"""``ina_face_analyzer`` on images: the original's command lines, errors, exit status."""

import shutil
import subprocess
import sys

import pandas as pd
import pytest
from PIL import Image

from inafaceanalyzer.cli.analyze import main


@pytest.fixture
def photos(tmp_path, astronaut):
    d = tmp_path / "media dir é"  # spaces and non-ASCII in paths
    d.mkdir()
    Image.fromarray(astronaut).save(d / "astronaut.png")
    Image.fromarray(astronaut).convert("L").save(d / "gray 'quoted'.jpg")
    (d / "notes.txt").write_text("not an image")
    return d


def test_original_command_line_verbatim(photos, tmp_path, capsys):
    out = tmp_path / "myresults.csv"
    status = main(["--engine", "image", "-i", *map(str, sorted(photos.iterdir())), "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 1  # notes.txt failed
    assert f"{photos / 'notes.txt'}: not a readable image" in err
    df = pd.read_csv(out)
    assert list(df.columns) == ["frame", "bbox", "detect_conf", "sex_decfunc", "age_decfunc", "sex_label", "age_label"]
    assert len(df) == 2 and set(df.sex_label) == {"f"}
    assert df.bbox.str.match(r"^\(-?\d+, -?\d+, -?\d+, -?\d+\)$").all()


def test_all_good_inputs_exit_zero_and_legacy_type_option(photos, tmp_path):
    out = tmp_path / "r.csv"
    assert main(["--type", "image", "-q", "-i", str(photos / "astronaut.png"), "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) == 1


def test_input_list_file_and_preprocessed_engine(photos, tmp_path, astronaut):
    crop = tmp_path / "face.png"
    Image.fromarray(astronaut[40:200, 150:280]).save(crop)
    listing = tmp_path / "list.txt"
    listing.write_text(f"# faces\n{crop}\n\n{crop}\n")
    out = tmp_path / "pre.csv"
    assert main(["--engine", "preprocessed_image", "-q", "-l", str(listing), "-o", str(out)]) == 0
    df = pd.read_csv(out)
    assert len(df) == 2 and df.detect_conf.isna().all()


def test_bad_arguments_are_refused_with_a_clear_message(photos, tmp_path, capsys):
    for args, message in [
        (["--engine", "image", "-i", "x.jpg", "-o", str(tmp_path / "r.txt")], "must end in .csv"),
        (["--engine", "image", "-i", "x.jpg", "-o", "/dev/null/nodir/r.csv"], "cannot create the directory"),
        (["--engine", "image", "-o", str(tmp_path / "r.csv")], "no input"),
        (["--engine", "image", "-i", "x.jpg", "-o", "r.csv", "--face_detection_confidence", "2"],
         "--face_detection_confidence must be between 0 and 1"),
        (["--engine", "image", "-i", "x.jpg", "-o", "r.csv", "--batch_size", "0"], "batch_size"),
    ]:
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 2
        assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("*.csv"))


def test_every_input_failing_writes_an_empty_table(tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert main(["--engine", "image", "-q", "-i", str(tmp_path / "missing.jpg"), "-o", str(out)]) == 1
    assert "missing.jpg: no such file" in capsys.readouterr().err
    assert len(pd.read_csv(out)) == 0


def test_installed_scripts_answer_help_and_version():
    for name in ("ina_face_analyzer", "ina_face_analyzer.py"):
        exe = shutil.which(name) or str(__import__("pathlib").Path(sys.executable).parent / name)
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout
        assert out.startswith("inaFaceAnalyzer ")
        helptext = subprocess.run([exe, "-h"], capture_output=True, text=True, check=True).stdout
        assert "--engine" in helptext and "--min_face_size_px" in helptext and "--batch_size" in helptext


def test_abstention_rule_answers_unknown(photos, tmp_path, capsys):
    out = tmp_path / "r.csv"
    image = str(photos / "astronaut.png")
    assert main(["--engine", "image", "-q", "-i", image, "-o", str(out)]) == 0
    answered = pd.read_csv(out)
    assert answered.sex_label.tolist() == ["f"]
    assert main(["--engine", "image", "-q", "--min_face_size", "2000", "-i", image, "-o", str(out)]) == 0
    withheld = pd.read_csv(out)
    assert withheld.sex_label.tolist() == ["u"]  # the face is kept, its gender withheld
    assert withheld.age_label.tolist() == answered.age_label.tolist()
    assert main(["--engine", "image", "-q", "--min_gender_confidence", "0.9999999", "-i", image, "-o", str(out)]) == 0
    assert pd.read_csv(out).sex_label.tolist() == ["u"]
    with pytest.raises(SystemExit):
        main(["--engine", "image", "-i", image, "-o", str(out), "--min_gender_confidence", "0.2"])
    assert "min_gender_confidence must be between 0.5 and 1" in capsys.readouterr().err
