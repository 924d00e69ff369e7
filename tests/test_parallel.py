"""The streaming core's parallel helpers: frames detected in parallel, batches classified beside them."""

from __future__ import annotations

import threading
import time

import pytest

from inafaceanalyzer.engines.parallel import BackgroundCalls, ordered_map


def test_ordered_map_keeps_the_order_of_its_items():
    def slow_for_even(i: int) -> int:
        time.sleep(0.01 if i % 2 == 0 else 0)
        return i * i

    assert list(ordered_map(slow_for_even, range(20), workers=3)) == [i * i for i in range(20)]


def test_background_calls_run_in_another_thread_in_order():
    threads = set()

    def square(i: int) -> int:
        threads.add(threading.current_thread().name)
        time.sleep(0.005 * (5 - i % 5))  # later calls would finish first if they ran in parallel
        return i * i

    out = []
    with BackgroundCalls(square) as calls:
        for i in range(10):
            calls.submit(i)
            out += calls.results()
        out += calls.results(wait=True)
    assert out == [i * i for i in range(10)]
    assert threads and threading.current_thread().name not in threads


def test_background_calls_wait_beyond_their_limit_and_reraise():
    release = threading.Event()

    def blocked(i: int) -> int:
        release.wait(5)
        if i == 3:
            raise ValueError("bad batch")
        return i

    calls = BackgroundCalls(blocked, limit=2)
    for i in range(3):
        calls.submit(i)
    threading.Timer(0.05, release.set).start()
    got = list(calls.results())  # 3 unread > limit 2: waits for the oldest (then takes any ready)
    assert release.is_set() and got == [0, 1, 2][:len(got)] and got
    calls.submit(3)
    with pytest.raises(ValueError, match="bad batch"):
        list(calls.results(wait=True))
    calls.close()
