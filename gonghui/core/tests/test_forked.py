"""A producer run in a forked process: what it yields arrives in order, its failures are raised
here, and a consumer that stops early leaves no process behind."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator

import pytest

from gonghui.core import forked
from gonghui.core.errors import DomainError

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="needs the fork start method")


def test_chunks_arrive_in_order_from_another_process() -> None:
    def produce() -> Iterator[tuple[int, list[int]]]:
        for start in range(0, 5000, 100):
            yield os.getpid(), list(range(start, start + 100))

    received = list(forked.forked(produce))

    assert [n for _pid, chunk in received for n in chunk] == list(range(5000))
    assert {pid for pid, _chunk in received} - {os.getpid()} == {received[0][0]}


def test_more_than_the_pipe_holds_still_arrives_whole() -> None:
    big = ["x" * 1000] * 3000  # several times PIPE_BYTES

    assert list(forked.forked(lambda: iter([big, big]))) == [big, big]


def test_an_error_in_the_producer_is_raised_here_after_what_came_before() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise ValueError("cell 7 is not a number")

    results = forked.forked(produce)

    assert next(results) == 1
    with pytest.raises(ValueError, match="cell 7 is not a number"):
        next(results)


def test_an_error_that_cannot_be_pickled_arrives_as_its_traceback() -> None:
    def produce() -> Iterator[int]:
        raise DomainError("member.some_code", "人看得懂的说明")
        yield 0  # a generator, like every producer

    with pytest.raises(RuntimeError, match="人看得懂的说明"):
        list(forked.forked(produce))


def test_a_consumer_that_stops_early_leaves_no_child() -> None:
    def endless() -> Iterator[int]:
        n = 0
        while True:
            n += 1
            yield n

    results = forked.forked(endless)
    assert [next(results) for _ in range(3)] == [1, 2, 3]
    results.close()

    assert multiprocessing.active_children() == []


def test_a_process_running_other_threads_does_not_fork() -> None:
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait()

    other = threading.Thread(target=hold)
    other.start()
    started.wait()
    try:
        assert not forked.can_fork()
    finally:
        release.set()
        other.join()
    assert forked.can_fork()
