from __future__ import annotations

from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import translation

from gonghui.audit.context import current_origin
from gonghui.jobs.models import Job
from gonghui.jobs.registry import HANDLERS


def job_start(
    *, by: Any, kind: str, title: str, params: dict[str, Any], input_file: File | None = None
) -> Job:
    """Record the job and hand it to the worker once the transaction commits."""
    from gonghui.jobs.tasks import run_job

    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    params = params | {
        "language": translation.get_language() or "zh-hans",
        "ip": current_origin().ip,
    }
    job = Job(kind=kind, title=title, owner=by, params=params)
    if input_file is not None:
        job.input_file.save(input_file.name or "upload", input_file, save=False)
    job.save()
    transaction.on_commit(lambda: run_job.enqueue(str(job.public_id)))
    return job
