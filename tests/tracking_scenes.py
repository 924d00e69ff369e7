"""Ground-truth tracking videos: real faces moving along known paths, and identity metrics.

Shared by ``tests/test_tracking.py`` and ``benchmarks/tracking_identity.py``.

Each :class:`Scene` pastes head crops of real face photos on a plain
background along piecewise-linear paths, with optional grey bars passing in
front of them, and knows, for every frame, where each face is and how much of
it is visible. Ground-truth identities are *appearances*: a person who leaves
the frame and comes back later is a new ground-truth track (``name#2``), since
a tracker without re-identification is expected to give a new ``face_id``
then; being hidden for a few frames inside the frame (a bar, another head)
does not start a new appearance.

Scoring (:func:`identity_scores`) follows the MOT conventions: a predicted
box and a ground-truth face correspond when their IoU is at least 0.5; faces
with less than half of their box visible are "don't care" (predictions on them
are neither rewarded nor penalised). IDF1 is Ristani et al.'s (ECCV 2016
workshops): ground-truth tracks and predicted ``face_id`` s are matched one to
one, over the whole video, so as to maximise the frames on which they
correspond (IDTP); ``IDF1 = 2 IDTP / (ground-truth boxes + predicted boxes)``.
Identity switches are counted per frame as in MOTA: a ground-truth track
matched (optimally, per frame) to a different ``face_id`` than the last time it
was matched.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image
from scipy.optimize import linear_sum_assignment

from inafaceanalyzer.types import Rect
from videogen import face_head, paste, write_video

W, H = 480, 270
RATE = 25
HEAD = 100  # pasted head crops are 100 px tall: faces of about 65 px
BACKGROUND = (70, 90, 120)
BAR_GREY = (128, 128, 128)
MIN_IOU = 0.5
MIN_VISIBLE = 0.5

# (file in ../shared/media/images, sex): four different people
SHARED_PEOPLE = [("dknuth.jpg", "m"), ("Europa21_-_2.jpg", "f"), ("1546923312_7cc94957e8_o.jpg", "m")]


@dataclass(frozen=True)
class Person:
    """A head crop to paste and the face detector's box of its face, in crop coordinates."""

    name: str
    sex: str
    head: np.ndarray
    face: Rect


def _face_in(head: np.ndarray) -> Rect:
    from inafaceanalyzer.detection import YuNetDetector

    pad = HEAD // 2
    canvas = np.zeros((head.shape[0] + 2 * pad, head.shape[1] + 2 * pad, 3), np.uint8)
    canvas[:] = BACKGROUND
    canvas[pad : pad + head.shape[0], pad : pad + head.shape[1]] = head
    det = max(YuNetDetector()(canvas), key=lambda d: d.detect_conf)
    return det.bbox.transpose(-pad, -pad)


def load_people(astronaut: np.ndarray, shared_images: Path | None) -> list[Person]:
    """Four people: the astronaut (a woman) and three from ``shared_images`` when present.

    Without ``../shared``, the others are altered copies of the astronaut
    (mirrored and tinted, zoomed, grey), which trackers see as different faces.
    """
    heads: list[tuple[str, str, np.ndarray]] = [("astronaut", "f", face_head(astronaut, HEAD))]
    if shared_images is not None and shared_images.is_dir():
        from inafaceanalyzer.media.images import load_image

        for file, sex in SHARED_PEOPLE:
            heads.append((Path(file).stem, sex, face_head(load_image(shared_images / file), HEAD)))
    else:
        base = heads[0][2].astype(np.float32)
        blue = np.clip(base[:, ::-1] * np.array([0.75, 0.9, 1.25], np.float32), 0, 255).astype(np.uint8)
        h, w = base.shape[:2]
        zoom = np.asarray(Image.fromarray(heads[0][2][h // 10 : h - h // 10, w // 10 : w - w // 10]).resize((w, h)))
        red = np.clip(zoom.astype(np.float32) * np.array([1.25, 0.9, 0.8], np.float32), 0, 255).astype(np.uint8)
        grey = np.repeat(base.mean(axis=2, keepdims=True), 3, axis=2).astype(np.uint8)[:, ::-1]
        heads += [("astronaut-blue", "f", blue), ("astronaut-red", "f", red), ("astronaut-grey", "f", grey)]
    return [Person(name, sex, head, _face_in(head)) for name, sex, head in heads]


Path2D = Callable[[int], "tuple[float, float] | None"]


def linear_path(*keys: tuple[int, float, float]) -> Path2D:
    """Top-left corner moving linearly between ``(frame, x, y)`` keys; absent outside them."""
    frames = [k[0] for k in keys]

    def at(i: int) -> tuple[float, float] | None:
        if i < frames[0] or i > frames[-1]:
            return None
        return float(np.interp(i, frames, [k[1] for k in keys])), float(np.interp(i, frames, [k[2] for k in keys]))

    return at


@dataclass(frozen=True)
class Actor:
    person: Person
    path: Path2D


@dataclass(frozen=True)
class Bar:
    """A full-height grey bar whose left edge is at ``x(frame)`` (None: absent)."""

    x: Callable[[int], float | None]
    width: int


@dataclass
class Scene:
    """Actors drawn in order (later ones in front), then bars in front of everything."""

    name: str
    count: int
    actors: list[Actor]
    bars: list[Bar] = field(default_factory=list)

    def _placed(self, i: int) -> list[tuple[Actor, int, int]]:
        out = []
        for actor in self.actors:
            pos = actor.path(i)
            if pos is not None:
                out.append((actor, int(round(pos[0])), int(round(pos[1]))))
        return out

    def frame(self, i: int) -> np.ndarray:
        img = np.empty((H, W, 3), np.uint8)
        img[:] = BACKGROUND
        for actor, x, y in self._placed(i):
            img = paste(img, actor.person.head, x, y)
        for bar in self.bars:
            x = bar.x(i)
            if x is not None:
                x0, x1 = max(int(round(x)), 0), min(int(round(x)) + bar.width, W)
                if x1 > x0:
                    img[:, x0:x1] = BAR_GREY
        return img

    def truth(self) -> pd.DataFrame:
        """One row per face and frame: ``frame, gt_id, person, sex, box`` (the ``bbox`` convention:
        the detector's box squared and scaled by 1.1), ``visible`` (share of the face box in the
        frame and not hidden)."""
        rows = []
        appearance: dict[str, int] = defaultdict(int)
        was_in: dict[str, bool] = defaultdict(bool)
        for i in range(self.count):
            placed = self._placed(i)
            covers = [(x, y, x + a.person.head.shape[1], y + a.person.head.shape[0]) for a, x, y in placed]
            bars = [(b.x(i), b.width) for b in self.bars if b.x(i) is not None]
            present = set()
            for k, (actor, x, y) in enumerate(placed):
                face = actor.person.face.transpose(x, y)
                fx1, fy1, fx2, fy2 = face.to_int()
                mask = np.zeros((fy2 - fy1, fx2 - fx1), bool)
                inside = face.clip(W, H).to_int()
                mask[inside[1] - fy1 : inside[3] - fy1, inside[0] - fx1 : inside[2] - fx1] = True
                in_frame = mask.mean()
                for cx1, cy1, cx2, cy2 in covers[k + 1 :]:
                    mask[max(cy1 - fy1, 0) : max(cy2 - fy1, 0), max(cx1 - fx1, 0) : max(cx2 - fx1, 0)] = False
                for bx, bw in bars:
                    bx = int(round(bx))
                    mask[:, max(bx - fx1, 0) : max(bx + bw - fx1, 0)] = False
                name = actor.person.name
                if in_frame >= MIN_VISIBLE:
                    if not was_in[name]:
                        appearance[name] += 1
                    present.add(name)
                    rows.append((i, f"{name}#{appearance[name]}", name, actor.person.sex,
                                 face.square.scale(1.1), float(mask.mean())))
                elif mask.any():
                    rows.append((i, f"{name}#{max(appearance[name], 1)}~", name, actor.person.sex,
                                 face.square.scale(1.1), float(mask.mean())))
            for actor in self.actors:
                was_in[actor.person.name] = actor.person.name in present
        return pd.DataFrame(rows, columns=["frame", "gt_id", "person", "sex", "box", "visible"])

    def sampled(self, fps: float | None) -> list[int]:
        """The frames a video engine analyses at ``fps`` (all of them for ``None``)."""
        if fps is None:
            return list(range(self.count))
        from fractions import Fraction

        from inafaceanalyzer.media.video import TimeSampler

        sampler = TimeSampler(fps, Fraction(0), Fraction(1, RATE))
        times = [Fraction(i, RATE) for i in range(self.count)] + [None]
        return [i for i in range(self.count) if sampler.select(times[i], times[i + 1])]

    def write(self, path: Path) -> Path:
        return write_video(path, self.frame, count=self.count, rate=RATE, gop=25)


def scenes(people: Sequence[Person]) -> list[Scene]:
    """The three test scenes: two faces crossing, a bar hiding faces, a face leaving and coming back."""
    a, b, c, d = people[:4]
    crossing = Scene("crossing", 90, [
        Actor(a, linear_path((0, 20, 45), (89, 360, 45))),
        Actor(b, linear_path((0, 360, 90), (89, 20, 90))),  # in front, 45 px lower
    ])
    occlusion = Scene("occlusion", 80, [
        Actor(d, linear_path((0, 90, 80), (79, 250, 80))),
        Actor(c, linear_path((0, 340, 40), (79, 320, 60))),
    ], bars=[Bar(lambda i: 480 - 12 * (i - 15) if i >= 15 else None, 90)])
    exit_reentry = Scene("exit_reentry", 100, [
        Actor(a, linear_path((0, 250, 60), (40, 490, 60), (60, 490, 75), (99, 260, 75))),
        Actor(b, linear_path((0, 30, 110), (99, 90, 95))),
    ])
    return [crossing, occlusion, exit_reentry]


@dataclass
class IdentityScores:
    """Identity figures of a tracking result against a scene's ground truth."""

    idf1: float
    id_switches: int
    ids_per_track: dict[str, int]  # distinct face_ids matched to each ground-truth track
    main_id: dict[str, int]  # each ground-truth track's most frequent face_id
    main_share: dict[str, float]  # share of its matched frames carrying that face_id
    recall: float  # share of ground-truth boxes matched
    face_ids: int  # face_ids in the result

    @property
    def fragmentation(self) -> float:
        """Mean number of face_ids per ground-truth track (1 is perfect)."""
        return float(np.mean(list(self.ids_per_track.values()))) if self.ids_per_track else 0.0


def _iou_matrix(a: Sequence[Rect], b: Sequence[Rect]) -> np.ndarray:
    return np.array([[x.iou(y) for y in b] for x in a]).reshape(len(a), len(b))


def identity_scores(truth: pd.DataFrame, result: pd.DataFrame, frames: Sequence[int] | None = None) -> IdentityScores:
    """Score ``result`` (a tracking table: ``frame``, ``bbox``, ``face_id``) against ``truth``.

    ``frames``: the frames that were analysed (default: all), e.g. with fps sampling.
    """
    if frames is not None:
        truth = truth[truth.frame.isin(list(frames))]
    pred = result.assign(box=[Rect(*b) for b in result["bbox"]])
    scored = truth[truth.visible >= MIN_VISIBLE]
    dontcare = truth[truth.visible < MIN_VISIBLE]
    pair_frames: Counter[tuple[str, int]] = Counter()
    matched: dict[str, list[int]] = defaultdict(list)
    n_gt = n_pred = n_matched = switches = 0
    last: dict[str, int] = {}
    frames = sorted(set(truth.frame) | set(pred.frame))
    for i in frames:
        g = scored[scored.frame == i]
        p = pred[pred.frame == i]
        gboxes, pboxes = list(g.box), list(p.box)
        iou = _iou_matrix(gboxes, pboxes)
        rows, cols = linear_sum_assignment(-iou) if iou.size else ([], [])
        pairs = [(r, c) for r, c in zip(rows, cols) if iou[r, c] >= MIN_IOU]
        used = {c for _, c in pairs}
        ignored = set()
        dc = list(dontcare[dontcare.frame == i].box)
        if dc:
            dci = _iou_matrix(pboxes, dc)
            ignored = {c for c in range(len(pboxes)) if c not in used and dci[c].max() >= MIN_IOU}
        n_gt += len(gboxes)
        n_pred += len(pboxes) - len(ignored)
        n_matched += len(pairs)
        gids, fids = list(g.gt_id), [int(f) for f in p.face_id]
        for r in range(len(gboxes)):
            for c in range(len(pboxes)):
                if iou[r, c] >= MIN_IOU:
                    pair_frames[gids[r], fids[c]] += 1
        for r, c in pairs:
            gid, fid = gids[r], fids[c]
            if gid in last and last[gid] != fid:
                switches += 1
            last[gid] = fid
            matched[gid].append(fid)
    gt_ids = sorted(set(scored.gt_id))
    face_ids = sorted({int(f) for f in pred.face_id})
    idtp = 0
    if gt_ids and face_ids:
        gain = np.array([[pair_frames[g, f] for f in face_ids] for g in gt_ids], float)
        rows, cols = linear_sum_assignment(-gain)
        idtp = int(gain[rows, cols].sum())
    idf1 = 2 * idtp / (n_gt + n_pred) if n_gt + n_pred else 1.0
    main_id, main_share, ids_per_track = {}, {}, {}
    for gid in gt_ids:
        counts = Counter(matched.get(gid, []))
        ids_per_track[gid] = len(counts)
        if counts:
            fid, n = counts.most_common(1)[0]
            main_id[gid], main_share[gid] = fid, n / sum(counts.values())
    return IdentityScores(idf1, switches, ids_per_track, main_id, main_share,
                          n_matched / n_gt if n_gt else 1.0, len(face_ids))
