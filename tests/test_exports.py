"""Exports people look at (ASS, MP4, XLSX) and Parquet, on a generated video of real faces.

One analysis (the real models, 5 frames per second) of a 2 s clip with sound
feeds every test: two heads cut from the astronaut photo, one crossing the
frame (frames 5 to 39), one still (frames 0 to 24).
"""

import math
from fractions import Fraction

import av
import numpy as np
import openpyxl
import pandas as pd
import pysubs2
import pytest

from inafaceanalyzer import Rect
from inafaceanalyzer.analyzers import VideoAnalyzer
from inafaceanalyzer.annotate import Annotator, FaceMark, FaceStyle, label_text, rgb_to_yuv
from inafaceanalyzer.classification import decfunc2labels
from inafaceanalyzer.cli.analyze import main
from inafaceanalyzer.errors import MediaOpenError, ResultsError
from inafaceanalyzer.export import export_ass, export_mp4, export_xlsx, read_csv, read_metadata, write_parquet
from inafaceanalyzer.export.parquet import read_parquet, read_parquet_metadata
from inafaceanalyzer.export.timing import DisplayTiming, display_spans
from inafaceanalyzer.jobs import VideoJob, run_video_job
from inafaceanalyzer.media.video import TimeSampler
from videogen import face_head, paste, write_video

W, H, COUNT, FPS = 480, 270, 50, 5
MOVING, STILL = range(5, 40), range(0, 25)


def moving_xy(i: int) -> tuple[int, int]:
    return 20 + 8 * i, 40


@pytest.fixture(scope="module")
def clip(tmp_path_factory, astronaut):
    big, small = face_head(astronaut, 120), face_head(astronaut, 95)[:, ::-1]
    background = np.full((H, W, 3), (60, 80, 110), np.uint8)

    def frame(i):
        img = background
        if i in STILL:
            img = paste(img, small, 370, 160)
        if i in MOVING:
            img = paste(img, big, *moving_xy(i))
        return img

    path = tmp_path_factory.mktemp("clip") / "two faces.mp4"
    return write_video(path, frame, count=COUNT, rate=25, gop=12, audio_seconds=2.0)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, clip, classifier):
    """Every export of one analysis, written by the job runner the command line uses."""
    out = tmp_path_factory.mktemp("out")
    job = VideoJob(str(clip), out / "two faces.csv", dest_ass=out / "two faces.ass", dest_mp4=out / "two faces.mp4",
                   dest_xlsx=out / "two faces.xlsx", dest_parquet=out / "two faces.parquet")
    result = run_video_job(VideoAnalyzer(face_classifier=classifier), job, fps=FPS)
    return job, result


def decode(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def tracked(table: pd.DataFrame) -> pd.DataFrame:
    """The table as the tracking engine lays it out: face ids (by position), per-track averages."""
    df = table.copy()
    df.insert(2, "face_id", [0 if Rect(*b).center[0] < 330 or f >= 25 else 1 for f, b in zip(df.frame, df.bbox)])
    df.insert(4, "track_conf", np.nan)
    for col in ("sex_decfunc", "age_decfunc"):
        df[f"{col}_avg"] = df.groupby("face_id")[col].transform("mean")
    return decfunc2labels(df, suffix="_avg")


def test_the_analysis_sees_both_faces(outputs):
    job, result = outputs
    df = result.table
    assert result.frames_analysed == 10 and result.frame_interval_s == pytest.approx(0.2)
    per_frame = df.groupby("frame").size().to_dict()
    assert per_frame == {0: 1, 5: 2, 10: 2, 15: 2, 20: 2, 25: 1, 30: 1, 35: 1}
    assert [p.exists() for p in job.outputs()] == [True] * 5
    assert not list(job.dest_csv.parent.glob(".*"))  # no temporary file left


def test_ass_events_follow_the_analysed_frames(outputs):
    job, result = outputs
    df = result.table
    subs = pysubs2.load(str(job.dest_ass))
    assert (subs.info["PlayResX"], subs.info["PlayResY"]) == (str(W), str(H))
    boxes = [e for e in subs.events if e.style == "box"]
    labels = [e for e in subs.events if e.style == "label"]
    assert len(boxes) == len(labels) == len(df)
    # each face from its frame until the next analysed frame (0.2 s later), to the centisecond
    expected = sorted((round(t * 1000), round(t * 1000) + 200) for t in df.time)
    assert sorted((e.start, e.end) for e in boxes) == expected
    assert sorted((e.start, e.end) for e in labels) == expected
    first = df.sort_values(["time", "bbox"]).iloc[0]
    event = next(e for e in boxes if e.start == 0)
    x1, y1, x2, y2 = first.bbox
    assert f"m {x1} {y1} l {x2} {y1} {x2} {y2} {x1} {y2}" in event.text
    assert {e.plaintext.split()[0] for e in labels} <= {"f", "m"}
    colors = {"f": "&H008CFF&", "m": "&HFF9628&"}  # FaceStyle's orange and blue, as BGR
    for e in boxes:
        assert any(c in e.text for c in colors.values())


def test_ass_from_the_saved_csv_with_tracking_columns(outputs, tmp_path):
    job, result = outputs
    saved = export_ass(job.dest_csv, tmp_path / "again.ass")  # size and sampling from the sidecar
    assert [(e.start, e.end, e.text) for e in pysubs2.load(str(saved))] == \
        [(e.start, e.end, e.text) for e in pysubs2.load(str(job.dest_ass))]
    df = tracked(read_csv(job.dest_csv))
    export_ass(df, tmp_path / "tracked.ass", job.source, metadata=read_metadata(job.dest_csv))
    labels = [e.plaintext for e in pysubs2.load(str(tmp_path / "tracked.ass")) if e.style == "label"]
    assert len(labels) == len(df)
    assert {text.split()[0] for text in labels} == {"#0", "#1"}
    assert all(text.endswith("(avg)") for text in labels)
    with pytest.raises(ResultsError, match="needs the column"):
        export_ass(df.drop(columns=["sex_label"]), tmp_path / "x.ass", job.source)
    with pytest.raises(ResultsError, match="frame size"):
        export_ass(df, tmp_path / "x.ass")
    assert not (tmp_path / "x.ass").exists()


def test_display_timing_matches_the_sampler_exactly():
    """The frame that hides a face is the next one the sampler analyses, even at 29.97 fps."""
    for rate, fps, offset in ((Fraction(30000, 1001), 1.0, 0.0), (Fraction(25), 3.0, 0.5), (Fraction(24), 24.0, 0.0)):
        period = 1 / rate
        sampler = TimeSampler(fps, Fraction(str(offset)), period)
        times = [i * period for i in range(int(90 * rate))]
        chosen = [float(t) for t, nxt in zip(times, times[1:] + [None]) if sampler.select(t, nxt)]
        timing = DisplayTiming(float(period), 1 / fps, offset)
        for t, following in zip(chosen, chosen[1:]):
            assert timing.end_of(t) == pytest.approx(following, abs=1e-6), (rate, fps, t)
    every = DisplayTiming(0.04, 0.04)
    assert every.end_of(0.4) == pytest.approx(0.44)
    table = pd.DataFrame({"frame": [0, 0, 5, 15], "time": [0.0, 0.0, 0.2, 0.6]})
    spans = display_spans(table, DisplayTiming(0.04, 0.2))
    assert [(s.start_s, s.end_s, list(s.rows)) for s in spans] == \
        [(0.0, 0.2, [0, 1]), (0.2, pytest.approx(0.4), [2]), (0.6, pytest.approx(0.8), [3])]


def test_mp4_keeps_frames_duration_and_sound_and_draws_the_boxes(outputs, clip):
    job, result = outputs
    with av.open(str(clip)) as src, av.open(str(job.dest_mp4)) as out:
        vs, vo = src.streams.video[0], out.streams.video[0]
        assert (vo.codec_context.name, vo.codec_context.width, vo.codec_context.height) == ("h264", W, H)
        assert vo.average_rate == vs.average_rate
        assert abs(float(vo.duration * vo.time_base) - float(vs.duration * vs.time_base)) <= 1 / 25
        assert out.streams.audio and out.streams.audio[0].codec_context.name == "aac"
        assert abs(out.duration - src.duration) / 1e6 <= 1 / 25
    source, annotated = decode(clip), decode(job.dest_mp4)
    assert abs(len(annotated) - len(source)) <= 1 and len(annotated) == COUNT
    df = result.table

    def edge_change(frame: int, bbox) -> float:
        x1, y1, x2, y2 = bbox
        x, y = (x1 + x2) // 2, max(y1, 0) + 1  # on the top edge, clear of the label
        a, b = annotated[frame][y, x].astype(int), source[frame][y, x].astype(int)
        return float(np.abs(a - b).max())

    still_box = df[(df.frame == 20) & (df.bbox.map(lambda b: b[0] > 300))].bbox.iloc[0]
    moving_at_35 = df[df.frame == 35].bbox.iloc[0]
    # a drawn edge differs from the source by far more than compression noise (< 25)
    assert edge_change(20, still_box) > 45  # drawn on the analysed frame
    assert edge_change(22, still_box) > 45  # and on the frames until the next analysed one
    assert edge_change(27, still_box) < 25  # gone: frame 25 was analysed without it
    assert edge_change(39, moving_at_35) > 45
    assert edge_change(42, moving_at_35) < 25  # frame 40 analysed, no face: boxes disappear
    assert np.abs(annotated[47].astype(int) - source[47]).mean() < 3  # untouched frames stay close


def test_mp4_from_a_csv_reencodes_foreign_audio_and_rotated_video(tmp_path, astronaut):
    head = face_head(astronaut, 60)
    background = np.full((96, 160, 3), 90, np.uint8)
    src = write_video(tmp_path / "pcm.mkv", lambda i: paste(background, head, 40 + i, 10), count=12, rate=25,
                      audio_seconds=0.5, audio_codec="pcm_s16le")
    table = pd.DataFrame({"frame": [0, 6], "bbox": [(40, 10, 100, 70), (46, 10, 106, 70)], "sex_label": ["f", "m"],
                          "age_label": [30.0, 40.0], "time": [0.0, 0.24]})
    export_mp4(table, tmp_path / "pcm.mp4", src, interval_s=0.24)
    with av.open(str(tmp_path / "pcm.mp4")) as out:
        assert out.streams.audio[0].codec_context.name == "aac"
        assert len(list(out.decode(video=0))) == 12
    # a phone-style rotated source comes out upright, boxes in upright coordinates
    rot = tmp_path / "rot.mp4"
    with av.open(str(rot), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        stream.set_display_rotation(-90)
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(background, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    upright = pd.DataFrame({"frame": [0], "bbox": [(10, 20, 80, 90)], "sex_label": ["m"], "age_label": [50.0],
                            "time": [0.0]})
    export_mp4(upright, tmp_path / "rot_out.mp4", rot)
    frames = decode(tmp_path / "rot_out.mp4")
    assert frames[0].shape[:2] == (160, 96) and len(frames) == 5
    assert np.abs(frames[0][55, 10].astype(int) - FaceStyle().male).max() < 40  # the box's left edge
    assert np.abs(frames[0][55, 50].astype(int) - 90).max() < 8  # inside the box: untouched


def test_failed_mp4_export_leaves_nothing(tmp_path, outputs):
    job, result = outputs
    with pytest.raises(MediaOpenError, match="missing.mp4: no such file"):
        export_mp4(result.table, tmp_path / "out.mp4", tmp_path / "missing.mp4")
    with pytest.raises(Exception, match="overwrite"):
        export_mp4(result.table, job.source, job.source)
    assert list(tmp_path.iterdir()) == []


def test_xlsx_has_one_row_and_one_thumbnail_per_face(outputs):
    job, result = outputs
    df = result.table
    ws = openpyxl.load_workbook(job.dest_xlsx)["faces"]
    assert [c.value for c in ws[1]] == ["face"] + list(df.columns)
    assert ws.max_row == len(df) + 1
    assert sorted(img.anchor._from.row for img in ws._images) == list(range(1, len(df) + 1))
    assert all(img.anchor._from.col == 0 for img in ws._images)
    assert all(ws.row_dimensions[r].height > 50 for r in range(2, len(df) + 2))
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == df.frame.tolist()
    assert rows[0][2] == str(df.bbox.iloc[0]) and rows[0][6] in ("f", "m")
    # the thumbnail shows the face: mostly skin and hair, not the flat background
    from PIL import Image

    img = np.asarray(Image.open(ws._images[0].ref).convert("RGB"), dtype=float)
    assert max(img.shape[:2]) == 80 and np.abs(img - (60, 80, 110)).mean() > 30


def test_xlsx_for_images_and_the_cli(tmp_path, astronaut_path):
    out = tmp_path / "faces.csv"
    assert main(["--engine", "image", "-i", str(astronaut_path), "-o", str(out), "--xlsx_export", "--parquet_export",
                 "--quiet"]) == 0
    ws = openpyxl.load_workbook(out.with_suffix(".xlsx"))["faces"]
    assert ws.max_row == 2 and [img.anchor._from.row for img in ws._images] == [1]
    assert ws.cell(2, 2).value == str(astronaut_path)
    back = read_parquet(out.with_suffix(".parquet"))
    pd.testing.assert_frame_equal(back, read_csv(out), check_dtype=False)
    assert read_parquet_metadata(out.with_suffix(".parquet"))["engine"] == "image"


def test_parquet_round_trips(outputs, tmp_path):
    job, result = outputs
    back = read_parquet(job.dest_parquet)
    pd.testing.assert_frame_equal(back, result.table)
    assert read_parquet_metadata(job.dest_parquet)["analysis"] == read_metadata(job.dest_csv)["analysis"]
    df = tracked(result.table)
    write_parquet(df, tmp_path / "tracked.parquet")
    pd.testing.assert_frame_equal(read_parquet(tmp_path / "tracked.parquet"), df)
    import pyarrow as pa
    import pyarrow.parquet as pq

    bbox = pq.read_schema(tmp_path / "tracked.parquet").field("bbox").type
    assert pa.types.is_fixed_size_list(bbox) and bbox.list_size == 4 and bbox.value_type == pa.int32()
    empty = result.table.iloc[:0]
    write_parquet(empty, tmp_path / "empty.parquet")
    assert read_parquet(tmp_path / "empty.parquet").empty


def test_cli_writes_every_export_next_to_the_csv(tmp_path, clip):
    out = tmp_path / "out"
    out.mkdir()
    args = ["--engine", "video", "--fps", "5", "-i", str(clip), "-o", str(out), "--quiet",
            "--ass_subtitle_export", "--mp4_export", "--xlsx_export", "--parquet_export"]
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"two faces.{ext}" for ext in ("csv", "json", "ass", "mp4", "xlsx", "parquet"))
    with pytest.raises(SystemExit) as exc:  # the MP4 would replace the input video
        main(["-i", str(clip), "-o", str(clip.parent), "--mp4_export", "--quiet"])
    assert exc.value.code == 2


def test_labels_colours_and_the_yuv_drawing_agree():
    style = FaceStyle()
    assert label_text("f", 34.4) == "f 34"
    assert label_text("m", 61.6, 3, smoothed=True) == "#3 m 62 (avg)"
    assert label_text("u", math.nan) == "u ?"
    assert style.color_of("f") == style.female and style.color_of("u") == style.unknown
    mark = FaceMark((40, 60, 140, 160), "f 34", style.female)
    grey = np.full((200, 240, 3), 128, np.uint8)
    rgb = Annotator(style)(grey, [mark])
    assert (grey == 128).all()  # the input is not modified
    assert tuple(rgb[110, 40]) == style.female  # left edge of the box
    # the same drawing on Y, U, V planes, converted back, gives the same colour
    y = np.full((200, 240), rgb_to_yuv((128, 128, 128), "bt601")[0], np.uint8)
    u = np.full((100, 120), 128, np.uint8)
    v = u.copy()
    Annotator(style).draw_yuv420((y, u, v), [mark], "bt601")
    frame = av.VideoFrame(240, 200, "yuv420p")
    for plane, data in zip(frame.planes, (y, u, v)):
        plane.update(np.ascontiguousarray(np.pad(data, ((0, 0), (0, plane.line_size - data.shape[1])))))
    back = frame.to_ndarray(format="rgb24")
    assert np.abs(back[110, 40].astype(int) - style.female).max() < 30
