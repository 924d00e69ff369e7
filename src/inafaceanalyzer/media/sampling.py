"""Which frames to analyse and which to decode: fps sampling (:class:`TimeSampler`), presentation order
(:class:`PresentationCounter`) and per-GOP decoding plans (:func:`plan_decoding`)."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction

import av

# GOP planning (see plan_decoding): packets read past a keyframe before the
# GOP before it is planned, and the longest GOP planned as a whole.
GOP_LOOKAHEAD_PACKETS = 16
MAX_PLANNED_PACKETS = 2000


class TimeSampler:
    """Chooses the frames that ``fps`` sampling analyses, from their times alone.

    ``select`` is the exact rule, applied in presentation order with one frame
    of look-ahead: the frame nearest to each instant ``offset + k/fps`` (ties
    to the earlier). ``might_select`` is a cheap superset used before decoding,
    to skip frames that cannot be chosen.
    """

    def __init__(self, fps: float | None, offset_s: Fraction, frame_period: Fraction | None) -> None:
        if fps is not None and not fps > 0:
            raise ValueError(f"fps must be > 0, got {fps}")
        self.step = None if fps is None else Fraction(str(fps)).limit_denominator(1_000_000) ** -1
        self.offset = offset_s
        self.period = frame_period
        self._next = offset_s  # next sampling instant

    def might_select(self, t: Fraction) -> bool:
        if self.step is None:
            return self.period is None or t >= self.offset - self.period
        if self.period is None:
            return True
        margin = self.period  # twice the half period: a safe superset for mildly variable rates
        if t < self.offset - margin:
            return False
        k = math.ceil((t - margin - self.offset) / self.step)
        return self.offset + max(k, 0) * self.step <= t + margin

    def select(self, t: Fraction, t_next: Fraction | None) -> bool:
        """Whether the frame at ``t`` is analysed, ``t_next`` being the next decoded frame's time."""
        if self.step is None:
            return t >= self.offset
        limit = (t + t_next) / 2 if t_next is not None else t + (self.period or self.step) / 2
        if self._next > limit:
            return False
        chosen = False
        while self._next <= limit:  # every instant nearer to t than to t_next (ties to t)
            chosen = True
            self._next += self.step
        return chosen and t >= self.offset - (self.period or 0)


class PresentationCounter:
    """Presentation index of frames from the timestamps of all packets read so far.

    When the decoder outputs the frame with timestamp ``p`` it has received
    every packet presented before it, so its index is the number of packets
    read with a smaller timestamp. Memory is bounded by the decoder's reorder
    depth.
    """

    def __init__(self) -> None:
        self._pending: list[int] = []
        self._before = 0

    def add(self, pts: int) -> None:
        heapq.heappush(self._pending, pts)

    def index_of(self, pts: int) -> int:
        """Index of the frame with ``pts``; call in presentation order."""
        while self._pending and self._pending[0] < pts:
            heapq.heappop(self._pending)
            self._before += 1
        index = self._before
        if self._pending and self._pending[0] == pts:
            heapq.heappop(self._pending)
            self._before += 1
        return index


def plan_decoding(
    packets: Iterable[av.Packet], wanted: Callable[[int], bool]
) -> Iterator[tuple[av.Packet, str]]:
    """Pair each packet with the ``skip_frame`` mode to decode it with.

    Packets are grouped by GOP (keyframe to keyframe, in decode order). Within
    a GOP, a packet that comes after the GOP's last wanted frame in decode
    order cannot be a reference of any wanted frame, so it is not decoded at
    all (``ALL``); before it, unwanted frames skip only if nothing refers to
    them (``NONREF``). A few packets past the next keyframe are read first: if
    the next GOP opens with frames presented before its keyframe (an open
    GOP, whose leading frames refer to this one), nothing of the current GOP is
    skipped beyond ``NONREF``. A GOP longer than
    ``MAX_PLANNED_PACKETS`` is passed on without tail skipping, so memory stays
    bounded. ``wanted(pts)`` must be a superset of the frames finally chosen.
    """
    pending: list[av.Packet] = []
    next_key: int | None = None
    for packet in packets:
        pending.append(packet)
        if packet.is_keyframe and len(pending) > 1 and next_key is None:
            next_key = len(pending) - 1
        if next_key is not None and len(pending) - next_key > GOP_LOOKAHEAD_PACKETS:
            yield from _plan_gop(pending[:next_key], pending[next_key:], wanted)
            pending = pending[next_key:]
            later = [i for i, p in enumerate(pending) if i and p.is_keyframe]
            next_key = later[0] if later else None
        elif next_key is None and len(pending) > MAX_PLANNED_PACKETS:
            for early in pending[:-GOP_LOOKAHEAD_PACKETS]:
                yield early, _conservative(early, wanted)
            pending = pending[-GOP_LOOKAHEAD_PACKETS:]
    if next_key is not None:
        yield from _plan_gop(pending[:next_key], pending[next_key:], wanted)
        pending = pending[next_key:]
    yield from _plan_gop(pending, [], wanted)


def _conservative(packet: av.Packet, wanted: Callable[[int], bool]) -> str:
    return "DEFAULT" if packet.pts is None or wanted(packet.pts) else "NONREF"


def _plan_gop(
    gop: list[av.Packet], lookahead: list[av.Packet], wanted: Callable[[int], bool]
) -> Iterator[tuple[av.Packet, str]]:
    flags = [packet.pts is None or wanted(packet.pts) for packet in gop]
    key_pts = lookahead[0].pts if lookahead else None
    # An open GOP follows: its leading pictures refer to this GOP, and decoders
    # mishandle their missing references, so keep this GOP decodable.
    open_gop_follows = key_pts is not None and any(p.pts is not None and p.pts < key_pts for p in lookahead[1:])
    last_needed = len(gop) - 1 if open_gop_follows else max((i for i, f in enumerate(flags) if f), default=-1)
    for i, (packet, flag) in enumerate(zip(gop, flags)):
        if not packet.size:  # the final flush packet
            yield packet, "DEFAULT"
        elif i > last_needed:
            yield packet, "ALL"
        else:
            yield packet, "DEFAULT" if flag else "NONREF"
