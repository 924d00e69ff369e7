import math

import pytest

from inafaceanalyzer.types import Rect


def test_square_scale_and_int():
    r = Rect(10, 20, 30, 60)
    assert r.square == Rect(0, 20, 40, 60)
    assert r.square.scale(1.1).to_int() == (-2, 18, 42, 62)
    assert r.max_dim_len == 40
    assert (20, 40) in r and (5, 40) not in r


def test_iou():
    a = Rect(0, 0, 10, 10)
    assert a.iou(a) == 1.0
    assert a.iou(Rect(5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert a.iou(Rect(20, 20, 30, 30)) == 0.0


def test_parse_roundtrip():
    r = Rect(-3, 4, 100, 200)
    assert Rect.parse(str(r.to_int())) == r
    with pytest.raises(ValueError):
        Rect.parse("(1, 2, 3)")


def test_clip_and_transpose():
    r = Rect(-5, -5, 50, 50).clip(20, 30)
    assert r == Rect(0, 0, 20, 30)
    assert Rect(0, 0, 1, 1).transpose(2, 3) == Rect(2, 3, 3, 4)
    assert math.isclose(Rect.from_xywh(1, 2, 3, 4).area, 12)
