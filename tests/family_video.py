"""A generated "family" video: UTKFace dev faces of known gender and age, adults, elders,
teenagers and children together, for women's share of face-time against the truth.

Each scene shows six people of one family for a few seconds on a 960x540 frame:
a man and a woman (25-59), an elder (60+), a teenager (13-19) and two children
(3-12), genders alternating from scene to scene, boys in every scene. People are
drawn from the dev set's labels with a fixed seed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from videogen import paste, write_video

RATE = 25
SCENE_S = 4
FACE = 150  # pasted UTKFace crops: faces of about 100 px
CELLS = [(60 + 300 * c, 60 + 250 * r) for r in range(2) for c in range(3)]


@dataclass(frozen=True)
class Member:
    path: Path
    gender: str
    age: int


def roles(scene: int) -> list[tuple[str, int, int]]:
    """(gender, min age, max age) of each of the six members of ``scene``."""
    even = scene % 2 == 0
    return [("m", 25, 59), ("f", 25, 59), ("f" if even else "m", 60, 99), ("m" if even else "f", 13, 19),
            ("m", 3, 12), ("m" if even else "f", 3, 12)]


def families(dataset: Path, scenes: int = 8, seed: int = 0) -> list[list[Member]]:
    """``scenes`` families of six, distinct people, from the labels of ``dataset`` (UTKFace dev)."""
    labels = pd.read_csv(dataset / "labels.csv")
    rng = np.random.default_rng(seed)
    used: set[str] = set()
    out = []
    for scene in range(scenes):
        family = []
        for gender, lo, hi in roles(scene):
            pool = labels[(labels.gender == gender) & labels.age.between(lo, hi) & ~labels.path.isin(used)]
            row = pool.iloc[int(rng.integers(len(pool)))]
            used.add(row.path)
            family.append(Member(dataset / row.path, gender, int(row.age)))
        out.append(family)
    return out


def write_family_video(path: Path, dataset: Path, scenes: int = 8, seed: int = 0) -> pd.DataFrame:
    """Write the video (its people drawn with ``seed``); returns its truth: one row per scene member
    (scene, cell, start_s, end_s, gender, age, path)."""
    canvas = np.full((540, 960, 3), (70, 90, 120), np.uint8)
    frames, truth = [], []
    for scene, family in enumerate(families(dataset, scenes, seed)):
        frame = canvas
        for cell, ((x, y), member) in enumerate(zip(CELLS, family)):
            face = np.asarray(Image.open(member.path).convert("RGB").resize((FACE, FACE), Image.LANCZOS))
            frame = paste(frame, face, x, y)
            truth.append({"scene": scene, "cell": cell, "start_s": scene * SCENE_S, "end_s": (scene + 1) * SCENE_S,
                          "gender": member.gender, "age": member.age, "path": member.path.name})
        frames += [frame] * (SCENE_S * RATE)
    write_video(path, frames, rate=RATE)
    return pd.DataFrame(truth)


def women_share(truth: pd.DataFrame, min_age: int = 0) -> float:
    """Women's (female) share of face-time in the truth, people of ``min_age`` and over."""
    people = truth[truth.age >= min_age]
    return float((people.gender == "f").mean())


def answered_share(results: pd.DataFrame) -> float:
    """Women's share of the face rows answered ``m`` or ``f`` (``u`` left out, as the report does)."""
    answered = results[results.sex_label.isin(["m", "f"])]
    return float((answered.sex_label == "f").mean())


def with_truth(results: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """``results`` (face rows of the video) with the true ``gender`` and ``age`` of the person each box
    shows (scene from the ``time`` column, cell from the box centre), and their ``path``."""
    boxes = np.array([ast.literal_eval(b) if isinstance(b, str) else b for b in results.bbox], dtype=float)
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2 if len(boxes) else np.zeros((0, 2))
    cells = np.asarray(CELLS, dtype=float) + FACE / 2
    cell = np.argmin(((centres[:, None, :] - cells[None]) ** 2).sum(-1), axis=1) if len(boxes) else []
    keys = results.assign(scene=(results.time // SCENE_S).astype(int).to_numpy(), cell=cell)
    return keys.merge(truth[["scene", "cell", "gender", "age", "path"]], on=["scene", "cell"], how="left")
