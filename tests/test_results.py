"""The results contract (``inafaceanalyzer.results``): columns, sidecar, loading, frame-rate fallback."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pandas as pd
import pytest

from inafaceanalyzer import results
from inafaceanalyzer import analyzers
from inafaceanalyzer.classification import GenderAgeClassifier
from inafaceanalyzer.errors import ResultsError, SidecarError
from inafaceanalyzer.export.ass import export_ass
from inafaceanalyzer.export.csv import write_csv
from inafaceanalyzer.export.parquet import write_parquet
from inafaceanalyzer.leftout import LeftOut
from inafaceanalyzer.media.video import DecodeStats, VideoInfo
from inafaceanalyzer.results.columns import COLUMNS, engine_columns

ENGINES = {"image": analyzers.ImageAnalyzer, "preprocessed_image": analyzers.PreprocessedImageAnalyzer,
           "video": analyzers.VideoAnalyzer, "videokeyframes": analyzers.VideoKeyframes,
           "videotracking": analyzers.VideoTracking}


def _analysis(table: pd.DataFrame | None = None) -> analyzers.VideoAnalysis:
    info = VideoInfo(source="clip.mp4", width=640, height=360, fps=Fraction(30000, 1001), duration_s=10.0,
                     codec="h264", has_audio=False, frame_count=300, rotation=0)
    return analyzers.VideoAnalysis(table if table is not None else pd.DataFrame(), info, "video", {"fps": 2.0},
                         frames_analysed=20, frame_interval_s=0.5, first_time_s=0.0, last_time_s=9.5,
                         decode=DecodeStats(), left_out=LeftOut())


def _table() -> pd.DataFrame:
    rows = [(i * 15, (10, 20, 110, 120), 0.9, 2.5, 33.0, "m", 33.0, i * 0.5) for i in range(4)]
    return results.results_table(rows, results.output_columns(GenderAgeClassifier, timed=True))


def test_every_column_an_engine_writes_is_described():
    for name, cls in ENGINES.items():
        cols = engine_columns(GenderAgeClassifier, cls.tracked, cls.timed)
        assert cols[:2] == ["frame", "bbox"], name
        assert [c for c in cols if c not in COLUMNS] == [], name
    assert set(COLUMNS) == {c for cls in ENGINES.values()
                            for c in engine_columns(GenderAgeClassifier, cls.tracked, cls.timed)}


def test_an_empty_table_has_the_columns_types():
    cols = engine_columns(GenderAgeClassifier, tracking=True, timed=True)[:-4]
    empty = results.results_table([], cols)
    assert list(empty.columns) == cols
    assert {c: str(t) for c, t in empty.dtypes.items()} == {c: COLUMNS[c].dtype for c in cols}


@pytest.mark.parametrize("fps, expected", [
    (None, 25.0), (0, 25.0), (-3, 25.0), (float("nan"), 25.0), (float("inf"), 25.0), ("abc", 25.0),
    (Fraction(30000, 1001), 30000 / 1001), (50, 50.0), ("24", 24.0)])
def test_frame_rate_falls_back_to_one_constant(fps, expected):
    assert math.isclose(results.frame_rate(fps), expected)
    assert results.DEFAULT_FPS == 25.0


def test_sidecar_written_by_an_engine_reads_back_checked(tmp_path):
    csv = tmp_path / "clip.csv"
    analysis = _analysis(_table())
    results.write_metadata(analysis.metadata(), results.sidecar_path(csv))
    write_csv(analysis.table, csv)
    side = results.read_sidecar(csv)
    assert side is not None and side.engine == "video" and side.frames_analysed == 20
    assert side.frame_interval_s == 0.5 and side.video_fps == pytest.approx(30000 / 1001)
    assert json.loads(side.options) == {"fps": 2.0}
    loaded = results.load_results(csv)
    assert loaded.metadata["format"] == results.FORMAT and loaded.video("fps") == pytest.approx(30000 / 1001)
    assert list(loaded.table["bbox"]) == [(10, 20, 110, 120)] * 4


@pytest.mark.parametrize("change, reason", [
    ({"format": "inaFaceAnalyzer-results/2"}, "format is"),
    ({"video": {"fps": -25}}, "'fps' must be positive"),
    ({"analysis": {"frames_analysed": 2.5}}, "'frames_analysed' must be a whole number"),
    ({"engine": "nonsense"}, "unknown engine"),
])
def test_an_exporter_refuses_an_unusable_sidecar(tmp_path, change, reason):
    """Defect: the exporters read the sidecar unchecked (a negative fps reached the timing code)."""
    csv = tmp_path / "clip.csv"
    write_csv(_table(), csv)
    results.write_metadata(_analysis().metadata() | change, results.sidecar_path(csv))
    with pytest.raises(ResultsError, match=f"clip.csv: unusable sidecar: .*clip.json: {reason}"):
        export_ass(csv, tmp_path / "clip.ass")
    with pytest.raises(SidecarError, match=reason):
        results.read_sidecar(csv)


def test_parquet_keeps_the_checked_sidecar(tmp_path):
    doc = _analysis().metadata()
    dest = write_parquet(_table(), tmp_path / "clip.parquet", doc)
    loaded = results.load_results(dest)
    assert loaded.metadata == json.loads(json.dumps(doc, default=str))
    assert list(loaded.table["bbox"]) == [(10, 20, 110, 120)] * 4
    write_parquet(_table(), dest, doc | {"video": {"fps": 0}})
    with pytest.raises(ResultsError, match="'fps' must be positive"):
        results.load_results(dest)


def test_old_import_paths_are_aliases():
    from inafaceanalyzer import export, pipeline, smoothing
    from inafaceanalyzer.export import csv, metadata, parquet
    from inafaceanalyzer.export import results as export_results
    from inafaceanalyzer.report import sidecar

    assert export_results.load_results is results.load_results is export.load_results
    assert csv.read_csv is results.read_csv is export.read_csv and csv.parse_bbox is results.parse_bbox
    assert parquet.read_parquet is results.read_parquet is export.read_parquet
    assert metadata.write_metadata is results.write_metadata and metadata.sidecar_path is results.sidecar_path
    assert sidecar.read_sidecar is results.read_sidecar and sidecar.FORMAT == results.FORMAT
    assert pipeline.output_columns is results.output_columns and pipeline.FrameResult is results.FrameResult
    assert smoothing.AVERAGE_COLUMNS is results.AVERAGE_COLUMNS


def test_the_photo_cli_parquet_document_is_a_checked_sidecar(tmp_path, astronaut_path):
    """The image engines' Parquet embeds a document with the format, so that loading checks it."""
    from inafaceanalyzer.cli.analyze import main

    out = tmp_path / "photos.csv"
    main(["-i", str(astronaut_path), "-o", str(out), "--parquet_export", "-q"])
    loaded = results.load_results(out.with_suffix(".parquet"))
    assert loaded.metadata["format"] == results.FORMAT and loaded.metadata["engine"] == "image"
    assert list(loaded.table.columns) == list(pd.read_csv(out).columns) and len(loaded.table) >= 1
