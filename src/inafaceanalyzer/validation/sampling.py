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


SEXES = ("f", "m", "u")


def stratum_codes(units: pd.DataFrame, brackets: AgeBrackets) -> np.ndarray:
    """Stratum of each item as an integer: ``sex index x brackets + bracket`` (report order)."""
    sex = np.searchsorted(np.array(SEXES), units["sex"].to_numpy(str))
    return sex * len(brackets.all_labels) + units["bracket"].to_numpy(np.int64)


def stratum_names(brackets: AgeBrackets) -> np.ndarray:
    """Name of each stratum code: ``f|20-34``, ..."""
    return np.array([f"{s}|{b}" for s in SEXES for b in brackets.all_labels], dtype=object)


def stratum_keys(units: pd.DataFrame, brackets: AgeBrackets) -> pd.Series:
    return pd.Series(stratum_names(brackets)[stratum_codes(units, brackets)], index=units.index, dtype=object)


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
    codes = stratum_codes(units, brackets)
    names = stratum_names(brackets)
    n_codes = len(names)
    sizes_all = np.bincount(codes, minlength=n_codes)
    weights_all = np.bincount(codes, weights=units["weight"].to_numpy(float), minlength=n_codes)
    present = np.flatnonzero(sizes_all)
    sizes = sizes_all[present]
    take = allocate(sizes, weights_all[present], n)
    rng = np.random.default_rng(seed)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes_all)[:-1]])
    picked = [np.sort(order[starts[c] + rng.choice(int(sizes_all[c]), size=int(k), replace=False)])
              for c, k in zip(present, take) if k]
    picked_all = np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)
    labels = brackets.all_labels
    strata = pd.DataFrame({
        "stratum": names[present], "sex": [SEXES[c // len(labels)] for c in present],
        "age_bracket": [labels[c % len(labels)] for c in present],
        "population_items": sizes, "population_weight": weights_all[present],
        "sampled": take, "inclusion_prob": take / sizes})
    return Draw(picked_all, strata)


def population_strata(units: pd.DataFrame, names: dict[int, str], brackets: AgeBrackets) -> pd.DataFrame:
    """Items and weight per scope (``ALL`` and each video, ``names``: ``vid`` -> name) x stratum:
    the totals a correction scales."""
    from ..report.options import ALL

    df = pd.DataFrame({"vid": units["vid"].to_numpy(), "code": stratum_codes(units, brackets),
                       "weight": units["weight"].to_numpy(float)})
    strata = stratum_names(brackets)
    per = df.groupby(["vid", "code"], sort=True)["weight"].agg(items="size", weight="sum").reset_index()
    per.insert(0, "scope", per.pop("vid").map(names))
    whole = df.groupby("code", sort=True)["weight"].agg(items="size", weight="sum").reset_index()
    whole.insert(0, "scope", ALL)
    per["stratum"], whole["stratum"] = strata[per.pop("code")], strata[whole.pop("code")]
    per, whole = per[["scope", "stratum", "items", "weight"]], whole[["scope", "stratum", "items", "weight"]]
    return pd.concat([whole, per], ignore_index=True)
