"""Run a frame iterator ahead in its own thread, through a bounded queue."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from typing import TypeVar

T = TypeVar("T")
_END = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(items: Iterable[T], maxsize: int = 8) -> Generator[T, None, None]:
    """Yield ``items`` produced by a background thread at most ``maxsize`` ahead.

    Decoding (PyAV, Pillow) releases the GIL, so it overlaps with detection and
    classification. An exception in the producer is re-raised in the consumer.
    Closing the returned generator stops the producer and waits for it to end
    (between two items; network reads are bounded by their own timeouts), so
    the source can be closed safely afterwards.
    """
    q: queue.Queue = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not put(item):
                    break
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
            put(_Failure(exc))
            return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
        put(_END)

    thread = threading.Thread(target=produce, name="inafaceanalyzer-decode", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()
