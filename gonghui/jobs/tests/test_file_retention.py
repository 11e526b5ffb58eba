"""Uploaded rosters and exports hold identity numbers: their files go after the retention
period, while the job record and the audit trail stay."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.jobs.models import Job, JobStatus
from gonghui.jobs.services import job_files_purge

pytestmark = pytest.mark.django_db


def finished_job(owner, days_ago: int) -> Job:
    job = Job(kind="members.import", title="导入", owner=owner, status=JobStatus.SUCCEEDED)
    job.input_file.save("roster.xlsx", ContentFile(b"PK\x03\x04 roster"), save=False)
    job.result_file.save("errors.xlsx", ContentFile(b"PK\x03\x04 report"), save=False)
    job.finished_at = timezone.now() - timedelta(days=days_ago)
    job.save()
    return job


def test_old_job_files_are_deleted_and_the_deletion_audited(people):
    old, recent = finished_job(people["alice"], 40), finished_job(people["alice"], 5)
    old_path = old.input_file.path

    assert job_files_purge(timezone.now() - timedelta(days=30), dry_run=True) == 2
    assert old.input_file.storage.exists(old.input_file.name)

    deleted = job_files_purge(timezone.now() - timedelta(days=30))

    old.refresh_from_db()
    recent.refresh_from_db()
    assert deleted == 2
    assert not old.input_file and not old.result_file
    assert recent.input_file and recent.result_file
    assert not os.path.exists(old_path)
    assert AuditEntry.objects.filter(action="jobs.files.purged", object_id=str(old.public_id))


def test_the_retention_command_purges_them(people, settings):
    settings.JOB_FILE_RETENTION_DAYS = 30
    finished_job(people["alice"], 40)
    out = StringIO()

    call_command("purge_personal_data", "--json", stdout=out)

    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["rules"]["jobs.files"]["count"] == 2
    assert summary["rules"]["jobs.files"]["days"] == 30
