"""Background jobs of the member registry: roster import and export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from gonghui.jobs.models import Job
from gonghui.jobs.registry import Progress, job_handler
from gonghui.members.exporter import export_members
from gonghui.members.importer import RosterImport, write_error_report
from gonghui.orgs.models import Union


@job_handler("members.import")
def import_job(job: Job, progress: Progress) -> dict[str, Any]:
    union = Union.objects.get(code=job.params["union"])
    summary = RosterImport(
        by=job.owner,
        path=Path(job.input_file.path),
        union=union,
        dry_run=bool(job.params.get("dry_run")),
        skip_invalid=bool(job.params.get("skip_invalid")),
        allow_transfers=not job.params.get("no_transfers"),
        progress=progress,
    ).run()
    if summary.errors:
        report = Path(job.input_file.path).with_suffix(".errors.xlsx")
        write_error_report(summary, report)
        job.result_file.save(
            f"errors-{job.public_id}.xlsx", ContentFile(report.read_bytes()), save=False
        )
        report.unlink()
    return summary.as_json() | {
        "error_count": summary.errors,
        "errors": [e.__dict__ for e in summary.error_rows[:200]],
        "error_report": None,
        "unchanged": summary.unchanged,
        "dry_run": summary.dry_run,
    }


@job_handler("members.export")
def export_job(job: Job, progress: Progress) -> dict[str, Any]:
    import tempfile

    union = Union.objects.get(code=job.params["union"])
    suffix = job.params.get("format", "xlsx")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{suffix}"
        rows = export_members(
            by=job.owner,
            union=union,
            path=path,
            reveal=bool(job.params.get("reveal")),
            progress=progress,
        )
        name = f"members-{union.code}-{timezone.localtime():%Y%m%d-%H%M%S}.{suffix}"
        job.result_file.save(name, ContentFile(path.read_bytes()), save=False)
    return {"rows": rows, "revealed": bool(job.params.get("reveal"))}
