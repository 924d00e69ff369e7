"""Labels of neighbouring faces do not overlap, in the annotated MP4 (and live view) and in the ASS subtitles."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pysubs2
import pytest

from conftest import SHARED_IMAGES, needs_shared
from inafaceanalyzer.annotate import Annotator, FaceStyle
from inafaceanalyzer.export.ass import export_ass, label_size
from inafaceanalyzer.label_layout import LabelRect, place_labels
from inafaceanalyzer.media.images import load_image

GROUP = SHARED_IMAGES / "1328360239_e56cc26d26_o.jpg"  # 640x480, 7 faces side by side


@pytest.fixture(scope="module")
def group_faces(image_analyzer) -> pd.DataFrame:
    """The photo's faces as a tracking engine's rows (longest labels: "#3 f 34 (avg)") on one frame."""
    df = image_analyzer(GROUP)
    assert len(df) == 7
    return df.assign(frame=0, time=0.0, face_id=range(len(df)), sex_label_avg=df.sex_label,
                     age_label_avg=df.age_label)


def overlaps(rects: list[LabelRect]) -> list[tuple[LabelRect, LabelRect]]:
    return [(a, b) for a, b in itertools.combinations(rects, 2) if a.overlap(b)]


@needs_shared
def test_mp4_labels_do_not_overlap(group_faces):
    image = load_image(GROUP)
    h, w = image.shape[:2]
    annotator = Annotator()
    marks = annotator.style.marks(group_faces)
    rects = annotator.layout(marks, w, h)
    assert overlaps(rects) == []
    assert all(0 <= r.left and r.left + r.width <= w and 0 <= r.top and r.top + r.height <= h for r in rects)
    # as drawn: each label's tag is intact (no other tag painted over it) in the annotated picture
    drawn = annotator(np.zeros_like(image), marks)
    for mark, rect in zip(marks, rects):
        alone = annotator(np.zeros_like(image), [mark])  # the label drawn alone, where it then goes
        [at] = annotator.layout([mark], w, h)
        tag = alone[at.top:at.top + at.height, at.left:at.left + at.width]
        assert (tag == mark.color).all(axis=2).mean() > 0.5  # mostly the tag's colour: the label is there
        assert np.array_equal(drawn[rect.top:rect.top + rect.height, rect.left:rect.left + rect.width], tag)


def ass_label_rects(path, text_px: int) -> dict[int, list[LabelRect]]:
    """The label tags of each start time, from each event's anchor, position and estimated size."""
    out: dict[int, list[LabelRect]] = {}
    for event in pysubs2.load(str(path)):
        if event.style != "label":
            continue
        anchor, x, y = re.search(r"\\an(\d)\\pos\((-?\d+),(-?\d+)\)", event.text).groups()
        width, height = label_size(event.plaintext, text_px)
        pad = (height - round(text_px * 1.5)) // 2
        top = int(y) - height + pad if anchor == "1" else int(y) - pad
        out.setdefault(event.start, []).append(LabelRect(int(x) - pad, top, width, height))
    return out


@needs_shared
def test_ass_labels_do_not_overlap(group_faces, tmp_path):
    document = {"source": str(GROUP), "video": {"width": 640, "height": 480, "fps": 25.0}}
    path = export_ass(group_faces, tmp_path / "group.ass", metadata=document)
    rects = ass_label_rects(path, FaceStyle.text_height(640, 480))
    assert [len(r) for r in rects.values()] == [7]
    for on_screen in rects.values():
        assert overlaps(on_screen) == []


def test_layout_above_else_below_else_inside():
    sizes = [(40, 10)] * 3
    # a face at the top of the frame has its label below; two faces side by side, close: one above, one below
    rects = place_labels([(10, 0, 50, 40), (100, 50, 140, 90), (120, 50, 160, 90)], sizes, 200, 100)
    assert [(r.left, r.top) for r in rects] == [(10, 40), (100, 40), (120, 90)]
    # no room above or below: inside, the second one lower down
    rects = place_labels([(0, 5, 40, 95), (20, 5, 60, 95)], sizes[:2], 100, 100)
    assert [(r.left, r.top) for r in rects] == [(0, 5), (20, 15)]
