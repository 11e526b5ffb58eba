from __future__ import annotations

import logging

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.audit.context import origin
from gonghui.core.errors import DomainError
from gonghui.jobs.models import Job, JobStatus
from gonghui.jobs.registry import HANDLERS, Progress

logger = logging.getLogger(__name__)


@task()
def run_job(job_public_id: str) -> None:
    """Claim the job (one worker only), run its handler, record the outcome."""
    claimed = Job.objects.filter(public_id=job_public_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.select_related("owner").get(public_id=job_public_id)
    progress = Progress(job)
    try:
        with (
            translation.override(job.params.get("language", "zh-hans")),
            origin(job.params.get("ip"), "job"),
        ):
            summary = HANDLERS[job.kind](job, progress)
    except DomainError as exc:
        job.status = JobStatus.FAILED
        job.summary = {"code": exc.code, "message": exc.message, **exc.details}
    except Exception:
        logger.exception("job %s (%s) failed", job.public_id, job.kind)
        job.status = JobStatus.FAILED
        with translation.override(job.params.get("language", "zh-hans")):
            message = _("内部错误，请联系系统管理员")
        job.summary = {"code": "job.crashed", "message": message}
    else:
        job.status = JobStatus.SUCCEEDED
        job.summary = summary
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "summary",
            "finished_at",
            "total",
            "done",
            "messages",
            "result_file",
        ]
    )
