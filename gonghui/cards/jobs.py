"""Background jobs of the cards app: importing the bureau's result file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile

from gonghui.cards import services
from gonghui.cards.models import IssueBatch
from gonghui.jobs.models import Job
from gonghui.jobs.registry import Progress, job_handler


@job_handler("cards.result_import")
def result_import_job(job: Job, progress: Progress) -> dict[str, Any]:
    batch = IssueBatch.objects.select_related("union").get(public_id=job.params["batch"])
    summary = services.batch_result_apply(
        by=job.owner, batch=batch, path=Path(job.input_file.path), progress=progress
    )
    if summary.errors:
        report = Path(job.input_file.path).with_suffix(".errors.xlsx")
        services.write_error_report(summary.errors, report)
        job.result_file.save(
            f"errors-{batch.batch_no}.xlsx", ContentFile(report.read_bytes()), save=False
        )
        report.unlink()
    return summary.as_json() | {"batch": batch.batch_no}
