from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone, translation

from gonghui.audit.context import current_origin
from gonghui.audit.log import log_action
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


def job_files_purge(*, older_than_days: int, now: datetime | None = None) -> int:
    """Delete the uploaded and generated files of jobs finished more than `older_than_days` ago.

    Rosters and exports carry identity numbers; the job record and its summary stay (the audit
    trail is untouched), only the files go. Returns the number of files deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    deleted = 0
    jobs = Job.objects.filter(finished_at__lt=cutoff).exclude(input_file="", result_file="")
    for job in jobs.iterator(chunk_size=500):
        names = [f.name for f in (job.input_file, job.result_file) if f]
        for field in (job.input_file, job.result_file):
            if field:
                field.delete(save=False)
                deleted += 1
        Job.objects.filter(pk=job.pk).update(input_file="", result_file="")
        log_action(
            "jobs.files.purged",
            actor=None,
            obj=job,
            object_repr=job.title,
            changes={"files": names, "older_than_days": older_than_days},
        )
    return deleted
