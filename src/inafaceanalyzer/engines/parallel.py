"""Ordered, bounded parallel map: frame-level parallelism that keeps frame order."""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


@contextlib.contextmanager
def opencv_threads(count: int) -> Iterator[None]:
    """Limit OpenCV's own thread pool while frames are processed in parallel.

    One OpenCV thread per frame-level worker wastes far less CPU than several
    workers each splitting their detection over every core.
    """
    import cv2

    previous = cv2.getNumThreads()
    cv2.setNumThreads(count)
    try:
        yield
    finally:
        cv2.setNumThreads(previous)


def ordered_map(fn: Callable[[T], R], items: Iterable[T], workers: int, ahead: int | None = None) -> Iterator[R]:
    """``map(fn, items)`` computed by ``workers`` threads, results in input order.

    At most ``ahead`` items (default ``2 * workers``) are in flight, so memory
    stays bounded on endless streams. With ``workers <= 1`` it is a plain map.
    An exception raised by ``fn`` is re-raised when its result is reached.
    """
    if workers <= 1:
        yield from map(fn, items)
        return
    ahead = ahead or 2 * workers
    with opencv_threads(1), ThreadPoolExecutor(workers, thread_name_prefix="inafaceanalyzer-detect") as pool:
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
