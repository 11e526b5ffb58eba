"""Produce in a forked child process what this process consumes, so two cores work at once.

A roster import parses and validates cells (pure Python, a core's worth of work) while it also
encrypts and writes; the GIL keeps threads from sharing that work, a second process does not.
The child is forked, so it starts with everything the parent holds (the file already read, the
settings and keys) and nothing is pickled on the way in; only the produced chunks travel back,
in order, through a pipe that holds PIPE_BYTES: the child runs at most that far ahead, so
memory stays flat however long the file.

The child must touch nothing shared with the parent: no database connection (it would talk on
the parent's socket), no random state it hands back. It ends with `os._exit` (multiprocessing's
fork start method), so no finaliser or `atexit` hook closes the parent's connections."""

from __future__ import annotations

import contextlib
import fcntl
import gc
import multiprocessing
import pickle
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")
# About 5000 rows of a roster import in flight: two of its write batches and a half.
PIPE_BYTES = 1 << 20


def can_fork() -> bool:
    """Fork is there (not on Windows), this process may have children (a daemonic
    multiprocessing worker may not), and it runs one thread: a lock another thread held at the
    fork (gettext's, logging's) would stay locked in the child forever. The CLI and the job
    worker run one thread; a threaded web server runs the producer in-process instead."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
        and threading.active_count() == 1
    )


def forked(produce: Callable[[], Iterable[T]]) -> Iterator[T]:
    """Yield what `produce()` yields, in order, computed in a forked child process.

    An exception in the child is raised here (as a RuntimeError carrying its traceback when it
    cannot be pickled). Closing this iterator early stops the child."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    _widen(sender)
    child = context.Process(target=_send_all, args=(produce, sender), daemon=True)
    child.start()
    sender.close()
    finished = False
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise RuntimeError(
                    f"the forked producer died (exit code {child.exitcode})"
                ) from None
            if kind == "done":
                finished = True
                return
            if kind == "failed":
                finished = True
                raise payload
            yield payload
    finally:
        if not finished:
            child.kill()  # before closing the pipe, so it never sees the pipe break
        receiver.close()
        child.join()


def _widen(pipe: Connection) -> None:
    """Let the pipe hold PIPE_BYTES: the consumer works in bursts (a roster import writes a
    batch of 2000 rows at a time) and the producer should go on meanwhile, not wait for room in
    the default 64 KiB. Linux only; elsewhere, or over the system's limit, the pipe stays as
    it is and the two only overlap less."""
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _send_all(produce: Callable[[], Iterable[object]], sender: Connection) -> None:
    # What the parent held is not garbage here, and a collection walking it would write to
    # every object's header, copying all of the parent's memory page by page.
    gc.freeze()
    try:
        for chunk in produce():
            sender.send(("chunk", chunk))
    except BaseException as exc:  # every failure goes to the parent, which raises it
        sender.send(("failed", _portable(exc)))
    else:
        sender.send(("done", None))
    finally:
        sender.close()


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else its traceback as a RuntimeError
    (an exception whose __init__ takes other arguments than its `args` does not)."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, this very moment
    except Exception:  # any pickling failure has the same remedy
        text = "".join(traceback.format_exception(exc))
        return RuntimeError(f"in the forked producer:\n{text}")
    return exc
