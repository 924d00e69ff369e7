"""A random sample stratified by predicted gender and age bracket, with known inclusion
probabilities.

Stratum = predicted label (``f``, ``m``, ``u``) x predicted age bracket (``unknown``
included). Every non-empty stratum gets at least ``floor`` items (all of them when it has
fewer), where ``floor = clip(n // (2 x strata), 2, 10)``; the rest of the ``n`` items are
shared in proportion to the strata's weight (face-time), largest remainders first. Within a
stratum items are drawn by simple random sampling without replacement, so an item of
stratum ``h`` is included with probability ``n_h / N_h`` (its inclusion weight is
``N_h / n_h``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..report.options import AgeBrackets


def stratum_name(sex: str, bracket: str) -> str:
    return f"{sex}|{bracket}"


def stratum_keys(units: pd.DataFrame, brackets: AgeBrackets) -> pd.Series:
    labels = np.asarray(brackets.all_labels, dtype=object)
    return pd.Series(units["sex"].to_numpy(object) + "|" + labels[units["bracket"].to_numpy(np.int64)],
                     index=units.index, dtype=object)


def allocate(sizes: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Items to draw per stratum (see the module docstring); never more than a stratum has."""
    sizes = np.asarray(sizes, dtype=np.int64)
    weights = np.asarray(weights, dtype=float)
    n = int(min(n, sizes.sum()))
    nonempty = sizes > 0
    floor = int(np.clip(n // max(2 * nonempty.sum(), 1), 2, 10))
    take = np.minimum(sizes, floor)
    while take.sum() > n:  # tiny n: fewer than floor in the smallest strata
        take[np.argmax(take)] -= 1
    for _ in range(len(sizes) + 1):  # share the rest by weight, re-sharing what full strata cannot take
        left = n - int(take.sum())
        room = sizes - take
        if left <= 0 or not room.any():
            break
        w = np.where(room > 0, np.maximum(weights, 1e-12), 0.0)
        quota = left * w / w.sum()
        add = np.minimum(np.floor(quota).astype(np.int64), room)
        rest = left - int(add.sum())
        if rest > 0:
            order = np.argsort(-(quota - np.floor(quota)) - (room - add > 0) * 1.0, kind="stable")
            for i in order[:rest]:
                if room[i] - add[i] > 0:
                    add[i] += 1
        take += add
    return take


@dataclass
class Draw:
    """Positions of the drawn items in ``units`` and the strata table."""

    picked: np.ndarray
    strata: pd.DataFrame  # stratum, sex, age_bracket, population_items, population_weight, sampled, inclusion_prob


def draw(units: pd.DataFrame, brackets: AgeBrackets, n: int, seed: int) -> Draw:
    """Stratified random sample of ``n`` items of ``units`` (columns ``sex``, ``bracket``, ``weight``)."""
    keys = stratum_keys(units, brackets)
    grouped = pd.DataFrame({"key": keys.to_numpy(), "weight": units["weight"].to_numpy(float)}).groupby("key")
    table = grouped["weight"].agg(["size", "sum"])
    take = allocate(table["size"].to_numpy(), table["sum"].to_numpy(), n)
    rng = np.random.default_rng(seed)
    picked = []
    positions = grouped.indices
    for key, k in zip(table.index, take):
        pos = positions[key]
        if k:
            picked.append(np.sort(rng.choice(pos, size=int(k), replace=False)))
    picked_all = np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)
    sex, bracket = zip(*(k.split("|", 1) for k in table.index)) if len(table) else ((), ())
    strata = pd.DataFrame({
        "stratum": table.index, "sex": list(sex), "age_bracket": list(bracket),
        "population_items": table["size"].to_numpy(), "population_weight": table["sum"].to_numpy(),
        "sampled": take, "inclusion_prob": take / table["size"].to_numpy()})
    return Draw(picked_all, strata.reset_index(drop=True))


def population_strata(units: pd.DataFrame, brackets: AgeBrackets) -> pd.DataFrame:
    """Items and weight per scope (``ALL`` and each video) x stratum: the totals a correction scales."""
    from ..report.options import ALL

    df = pd.DataFrame({"scope": units["video"].to_numpy(), "stratum": stratum_keys(units, brackets).to_numpy(),
                       "weight": units["weight"].to_numpy(float)})
    per = df.groupby(["scope", "stratum"], sort=True)["weight"].agg(items="size", weight="sum").reset_index()
    whole = df.groupby("stratum", sort=True)["weight"].agg(items="size", weight="sum").reset_index()
    whole.insert(0, "scope", ALL)
    return pd.concat([whole, per], ignore_index=True)
