"""Block bootstrap: known answers, seeding, and intervals in the report."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _report_data import rows, sidecar, write

from inafaceanalyzer.report import ReportOptions, build_report
from inafaceanalyzer.report.bootstrap import block_bootstrap, percentile_interval, share, stats_matrix


def test_stats_matrix_stacks_videos_blocks():
    m = stats_matrix(np.array([2, 3]), video=np.array([0, 1, 1]), block=np.array([1, 0, 2]),
                     column=np.array([0, 1, 1]), value=np.array([5.0, 2.0, 3.0]), n_columns=2)
    assert m.tolist() == [[0, 0], [5, 0], [0, 2], [0, 0], [0, 3]]


def test_two_blocks_known_distribution():
    # one video, block A: 1 s of a woman, block B: 1 s of a man. Replicates draw AA, AB, BA, BB:
    # women's share 1, 0.5, 0.5, 0 with probabilities 1/4, 1/2, 1/4.
    stats = np.array([[1.0, 0.0], [0.0, 1.0]])
    rep = block_bootstrap(stats, np.array([2]), np.eye(2), 4000, seed=1)
    s = share(rep.overall[:, 0], rep.overall[:, 1])
    assert set(np.unique(s)) == {0.0, 0.5, 1.0}
    assert np.mean(s == 0.5) == pytest.approx(0.5, abs=0.03)
    assert np.mean(s == 1.0) == pytest.approx(0.25, abs=0.03)
    low, high = percentile_interval(s, 0.95)
    assert (low, high) == (0.0, 1.0)
    np.testing.assert_array_equal(rep.per_video[:, 0, :], rep.overall)  # one video: same totals


def test_identical_blocks_give_a_zero_width_interval_and_totals_are_preserved():
    stats = np.tile([[3.0, 1.0]], (6, 1))
    rep = block_bootstrap(stats, np.array([6]), np.eye(2), 300, seed=0)
    assert np.all(rep.overall == [18.0, 6.0])
    low, high = percentile_interval(share(rep.overall[:, 0], rep.overall[:, 1]), 0.95)
    assert low == high == 0.75


def test_resampling_stays_within_each_video():
    # video 0 has only women, video 1 only men: every replicate keeps 2 s of each
    stats = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    rep = block_bootstrap(stats, np.array([2, 2]), np.eye(2), 200, seed=3)
    assert np.all(rep.overall == [2.0, 2.0])
    assert np.all(rep.per_video[:, 0, :] == [2.0, 0.0]) and np.all(rep.per_video[:, 1, :] == [0.0, 2.0])


def test_seeded_and_chunking_does_not_change_the_replicates():
    rng = np.random.default_rng(0)
    stats = rng.random((50, 4))
    n_blocks = np.array([10, 25, 15])
    a = block_bootstrap(stats, n_blocks, np.eye(4), 500, seed=7)
    b = block_bootstrap(stats, n_blocks, np.eye(4), 500, seed=7, max_cells=60)  # many small chunks
    c = block_bootstrap(stats, n_blocks, np.eye(4), 500, seed=8)
    np.testing.assert_allclose(a.overall, b.overall, rtol=1e-12)  # same draws; BLAS may sum in another order
    assert not np.array_equal(a.overall, c.overall)


def _blocky_video(tmp_path):
    # 10 blocks of 60 s: women's share varies from block to block
    spec = []
    for t in range(600):
        block = t // 60
        spec.append((float(t), "f" if (t % 10) < block else "m", 40.0))
    return write(tmp_path / "v.csv", rows(spec), sidecar(frames=600))


def test_report_intervals_contain_the_estimate_and_are_reproducible(tmp_path):
    path = _blocky_video(tmp_path)
    opts = ReportOptions(n_bootstrap=500, block_s=60, seed=5, html=False)
    r1 = build_report([path], tmp_path / "o1", opts)
    r2 = build_report([path], tmp_path / "o2", opts)
    s1, s2 = r1.tables.summary.iloc[0], r2.tables.summary.iloc[0]
    assert s1["share_women_facetime"] == pytest.approx(0.45)
    assert s1["share_women_facetime_ci_low"] < 0.45 < s1["share_women_facetime_ci_high"]
    assert s1["share_women_facetime_ci_low"] == s2["share_women_facetime_ci_low"]
    v = r1.tables.videos.iloc[0]
    assert v["bootstrap_blocks"] == 10
    assert v["share_women_facetime_ci_low"] == pytest.approx(s1["share_women_facetime_ci_low"])
    # whole blocks are resampled: a wider interval than resampling single frames would give
    frame_sd = math.sqrt(0.45 * 0.55 / 600)
    assert s1["share_women_facetime_ci_high"] - s1["share_women_facetime_ci_low"] > 4 * 1.96 * frame_sd


def test_a_single_block_video_gets_no_interval(tmp_path):
    path = write(tmp_path / "short.csv", rows([(0.0, "f", 30.0), (1.0, "m", 30.0)]), sidecar(frames=2))
    r = build_report([path], tmp_path / "o", ReportOptions(n_bootstrap=200, block_s=60, html=False))
    v = r.tables.videos.iloc[0]
    assert v["bootstrap_blocks"] == 1 and math.isnan(v["share_women_facetime_ci_low"])
