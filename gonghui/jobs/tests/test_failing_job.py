"""A job whose handler refuses (a DomainError) ends failed with that message on its page; one
that crashes ends failed with a plain message and the details in the log only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.errors import DomainError
from gonghui.jobs.models import Job, JobStatus
from gonghui.jobs.registry import HANDLERS
from gonghui.jobs.services import job_start

pytestmark = pytest.mark.django_db


def test_an_import_of_a_file_without_a_header_ends_failed_with_the_reason(
    people, login_as, django_capture_on_commit_callbacks
):
    client = login_as(people["carol"])
    csv = SimpleUploadedFile("tree.csv", "编号,单位\nD9,九区\n".encode(), content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/w/orgs/import/", {"file": csv})

    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.summary["code"] == "file.no_header"
    assert job.finished_at is not None
    partial = client.get(f"/w/jobs/{job.public_id}/progress/").content.decode()
    assert "没有找到表头" in partial
    assert 'role="alert"' in partial
    assert "hx-trigger" not in partial


@pytest.fixture
def handler():
    """A throwaway job kind whose behaviour each test sets."""

    def install(func):
        HANDLERS["test.kind"] = func

    yield install
    HANDLERS.pop("test.kind", None)


def test_a_domain_error_in_a_handler_fails_the_job_with_its_message(
    people, handler, django_capture_on_commit_callbacks
):
    def refuse(job, progress):
        progress.set_total(5)
        progress.advance()
        raise DomainError("test.refused", "余额不足，不能发放", {"short_fen": 100})

    handler(refuse)

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(by=people["carol"], kind="test.kind", title="测试", params={})

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.summary == {
        "code": "test.refused",
        "message": "余额不足，不能发放",
        "short_fen": 100,
    }
    assert (job.done, job.total) == (1, 5)


def test_a_crash_in_a_handler_fails_the_job_without_leaking_details(
    people, handler, django_capture_on_commit_callbacks, caplog
):
    def crash(job, progress):
        raise RuntimeError("secret internals")

    handler(crash)

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(by=people["carol"], kind="test.kind", title="测试", params={})

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.summary == {"code": "job.crashed", "message": "内部错误，请联系系统管理员"}
    assert "secret" not in str(job.summary)
    assert "secret internals" in caplog.text


def test_a_job_runs_once_even_if_enqueued_twice(
    people, handler, django_capture_on_commit_callbacks
):
    from gonghui.jobs.tasks import run_job

    runs = []
    handler(lambda job, progress: runs.append(job.pk) or {})

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(by=people["carol"], kind="test.kind", title="测试", params={})
    run_job.call(str(job.public_id))

    assert runs == [job.pk]


def test_an_unknown_job_kind_is_a_programming_error(people):
    with pytest.raises(ValueError, match="no handler"):
        job_start(by=people["carol"], kind="no.such.kind", title="测试", params={})
