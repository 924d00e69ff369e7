"""Where each face's label goes so that labels of neighbouring faces do not overlap.

Used by every visual export that draws labels (the annotated MP4 and live
view through :class:`~inafaceanalyzer.export.annotate.Annotator`, the ASS
subtitles). Faces are placed in order; each label takes the first of these
positions that stays in the frame and does not intersect a label already
placed: above the box, below it, inside it (top), then farther above,
below or down inside, one label height at a time; the first of the
first three positions that hides no other face is preferred. When every position collides, the
one overlapping the placed labels least is taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class LabelRect:
    """A label's rectangle in pixels: top-left corner and size."""

    left: int
    top: int
    width: int
    height: int

    def overlap(self, other: LabelRect) -> int:
        """Area shared with ``other`` (0 when they do not intersect)."""
        w = min(self.left + self.width, other.left + other.width) - max(self.left, other.left)
        h = min(self.top + self.height, other.top + other.height) - max(self.top, other.top)
        return w * h if w > 0 and h > 0 else 0


def place_labels(boxes: Sequence[Box], sizes: Sequence[tuple[int, int]], frame_width: int, frame_height: int,
                 line: int = 0, even: bool = False) -> list[LabelRect]:
    """The rectangle of each face's label (``sizes``: ``(width, height)``) next to its ``boxes``.

    ``line``: the box line width (labels sit beyond its outer half).
    ``even``: corners on even pixels (4:2:0 chroma lines up).
    """
    placed: list[LabelRect] = []
    faces = [LabelRect(x1, y1, x2 - x1, y2 - y1) for x1, y1, x2, y2 in boxes]

    def rects(left: int, tops: list[int], w: int, h: int) -> list[LabelRect]:
        return [LabelRect(left, t, w, h) for t in (_even(t, even) for t in tops) if t >= 0 and t + h <= frame_height]

    def free(rect: LabelRect) -> bool:
        return not any(rect.overlap(p) for p in placed)

    for i, ((x1, y1, _, y2), (w, h)) in enumerate(zip(boxes, sizes)):
        half = line // 2
        left = _even(min(max(x1 - half, 0), max(frame_width - w, 0)), even)
        basic = rects(left, [y1 - half - h, y2 + half, y1 + half], w, h)  # above, below, inside
        free_basic = [rect for rect in basic if free(rect)]
        if free_basic:  # the first that hides no other face, else the first
            others = faces[:i] + faces[i + 1:]
            placed.append(next((r for r in free_basic if not any(r.overlap(f) for f in others)), free_basic[0]))
            continue
        tops = []
        for step in range(1, len(placed) + 1):
            tops += [y1 - half - h - step * h, y2 + half + step * h, y1 + half + step * h]
        farther = rects(left, tops, w, h)
        chosen = next((rect for rect in farther if free(rect)), None)
        if chosen is None:
            chosen = min(basic + farther or [LabelRect(left, 0, w, h)],
                         key=lambda rect: sum(rect.overlap(p) for p in placed))
        placed.append(chosen)
    return placed


def _even(value: int, even: bool) -> int:
    return value & ~1 if even else value
