"""Ordered, bounded parallelism: frames detected in parallel, batches classified beside them; order kept."""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

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


class BackgroundCalls(Generic[T, R]):
    """``fn`` called on each submitted item in one background thread, in order; results in order.

    The streaming core classifies batches of faces here while its own thread
    goes on tracking and gathering the next frames' faces. At most ``limit``
    calls wait unread: :meth:`results` blocks beyond that, so memory stays
    bounded. An exception raised by ``fn`` is re-raised when its result is
    read. Use :meth:`close` (or ``with``) to stop the thread.
    """

    def __init__(self, fn: Callable[[T], R], limit: int = 2, name: str = "inafaceanalyzer-classify") -> None:
        self._fn = fn
        self.limit = limit
        self._pool = ThreadPoolExecutor(1, thread_name_prefix=name)
        self._calls: deque[Future[R]] = deque()

    def __enter__(self) -> BackgroundCalls[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, item: T) -> None:
        self._calls.append(self._pool.submit(self._fn, item))

    def results(self, wait: bool = False) -> Iterator[R]:
        """The results ready, in order; with ``wait``, every result (blocking until all are ready)."""
        calls = self._calls
        while calls and (wait or calls[0].done() or len(calls) > self.limit):
            yield calls.popleft().result()

    def close(self) -> None:
        self._calls.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
