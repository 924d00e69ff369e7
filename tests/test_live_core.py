"""The streaming core delivering results frame by frame (what live analysis runs on)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inafaceanalyzer import FaceAnalyzer, TrackingDetector
from inafaceanalyzer.pipeline import analyze_stream, iter_results, output_columns
from inafaceanalyzer.types import Frame


def astronaut_frames(astronaut: np.ndarray, n: int) -> list[Frame]:
    """``n`` frames, a face on every other one (the others are black)."""
    black = np.zeros_like(astronaut)
    return [Frame(i, i / 25, astronaut if i % 2 == 0 else black) for i in range(n)]


def test_frames_come_out_in_order_with_their_rows(astronaut, classifier):
    analyzer = FaceAnalyzer(face_classifier=classifier, batch_len=3)
    frames = astronaut_frames(astronaut, 7)
    detected = []
    flushed = list(iter_results(frames, analyzer.face_detector, analyzer.aligner, classifier, batch_len=3, timed=True,
                                on_frame=lambda f: detected.append(f.index), flush_every_frame=True))
    batched = list(iter_results(frames, analyzer.face_detector, analyzer.aligner, classifier, batch_len=3, timed=True))
    assert [r.index for r in flushed] == [r.index for r in batched] == detected == list(range(7))
    assert [len(r.rows) for r in flushed] == [1, 0, 1, 0, 1, 0, 1]
    assert all(r.frame is frames[r.index] for r in flushed)  # kept when flushing: live display
    assert all(r.frame is None for r in batched)  # not kept otherwise: bounded memory
    for a, b in zip(flushed, batched):
        assert a.columns == output_columns(classifier, timed=True)
        pd.testing.assert_frame_equal(a.table(), b.table())
    table = analyze_stream(frames, analyzer.face_detector, analyzer.aligner, classifier, batch_len=3, timed=True)
    pd.testing.assert_frame_equal(table, pd.concat([r.table() for r in batched if r.rows], ignore_index=True))
    assert table.frame.tolist() == [0, 2, 4, 6]


def test_flushing_yields_each_frame_before_the_next_is_read(astronaut, classifier):
    analyzer = FaceAnalyzer(face_classifier=classifier)
    tracker = TrackingDetector(analyzer.face_detector, 2)
    read = []

    def source():
        for frame in astronaut_frames(astronaut, 4):
            read.append(frame.index)
            yield frame

    results = iter_results(source(), tracker, analyzer.aligner, classifier, tracking=True, timed=True, workers=1,
                           flush_every_frame=True)
    for result in results:
        assert read[-1] == result.index  # with one worker nothing is read ahead
        faces = [row[result.columns.index("face_id")] for row in result.rows]
        assert faces == ([] if result.index % 2 else [result.index // 2])  # black frames between: shot changes


def test_empty_stream(classifier):
    analyzer = FaceAnalyzer(face_classifier=classifier)
    assert list(iter_results([], analyzer.face_detector, analyzer.aligner, classifier)) == []
    table = analyze_stream([], analyzer.face_detector, analyzer.aligner, classifier, tracking=True, timed=True)
    assert table.empty and list(table.columns) == output_columns(classifier, tracking=True, timed=True)
