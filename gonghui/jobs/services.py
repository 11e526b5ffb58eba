from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import translation

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


def job_files_purge(cutoff: datetime, dry_run: bool = False) -> int:
    """Delete the uploaded and generated files of jobs finished before `cutoff` (a retention
    rule, see apps.py). Rosters and exports carry identity numbers; the job record and its
    summary stay (the audit trail is untouched), only the files go. Returns the file count."""
    jobs = Job.objects.filter(finished_at__lt=cutoff).exclude(input_file="", result_file="")
    deleted = 0
    for job in jobs.iterator(chunk_size=500):
        fields = [f for f in (job.input_file, job.result_file) if f]
        deleted += len(fields)
        if dry_run:
            continue
        names = [f.name for f in fields]
        for stored in fields:
            stored.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="", result_file="")
        log_action(
            "jobs.files.purged",
            actor=None,
            obj=job,
            object_repr=job.title,
            changes={"files": names, "cutoff": cutoff.isoformat()},
        )
    return deleted
