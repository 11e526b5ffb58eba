"""Job kinds and their handlers. A handler takes the job and a Progress and returns a summary."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from gonghui.jobs.models import Job

Handler = Callable[[Job, "Progress"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


class ProgressReporter(Protocol):
    """What a handler reports to: the job's Progress, or a bar on a terminal."""

    def set_total(self, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...

    def message(self, text: str) -> None: ...


class Progress:
    """Saves done/total at most every `interval` seconds so polling sees it move cheaply."""

    def __init__(self, job: Job, interval: float = 0.5) -> None:
        self.job = job
        self.interval = interval
        self._saved_at = 0.0

    def set_total(self, total: int) -> None:
        self.job.total = total
        self._save(force=True)

    def advance(self, count: int = 1) -> None:
        self.job.done += count
        self._save()

    def message(self, text: str) -> None:
        self.job.messages = [*self.job.messages, text][-50:]
        self._save(force=True)

    def _save(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._saved_at >= self.interval:
            Job.objects.filter(pk=self.job.pk).update(
                total=self.job.total, done=self.job.done, messages=self.job.messages
            )
            self._saved_at = now
