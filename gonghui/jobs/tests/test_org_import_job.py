"""An org import started from its page runs as a background job: the job page shows a progress
bar that polls itself while the job is queued or running and stops polling once it is done."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.jobs.models import Job, JobStatus
from gonghui.orgs.models import Union
from gonghui.orgs.tests.conftest import write_sheet

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS = [
    ["D9E1", "九区一厂工会", "基层工会", "CA", "", ""],
    ["D9E2", "九区二厂工会", "基层工会", "CA", "", ""],
]


def upload(path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type=XLSX)


def start_import(client, path, capture, **extra) -> Job:
    with capture(execute=True):
        response = client.post("/w/orgs/import/", {"file": upload(path), **extra})
    assert response.status_code == 302, response.content.decode()
    job = Job.objects.get()
    assert response["Location"] == f"/w/jobs/{job.public_id}/"
    return job


def test_an_import_from_the_page_runs_and_succeeds(
    people, login_as, tmp_path, django_capture_on_commit_callbacks
):
    client = login_as(people["carol"])
    path = write_sheet(tmp_path / "tree.xlsx", ROWS)

    job = start_import(client, path, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.status, job.kind, job.owner) == (
        JobStatus.SUCCEEDED,
        "orgs.import",
        people["carol"],
    )
    assert (job.done, job.total) == (2, 2)
    assert job.summary["created"] == 2 and job.summary["written"] is True
    assert Union.objects.get(code="D9E2").path == "/CITY/CA/D9E2/"


def test_the_finished_progress_partial_shows_done_of_total_and_stops_polling(
    people, login_as, tmp_path, django_capture_on_commit_callbacks
):
    client = login_as(people["carol"])
    job = start_import(
        client, write_sheet(tmp_path / "tree.xlsx", ROWS), django_capture_on_commit_callbacks
    )

    partial = client.get(f"/w/jobs/{job.public_id}/progress/").content.decode()

    assert "2 / 2" in partial
    assert 'data-status="succeeded"' in partial
    assert "hx-trigger" not in partial
    assert "已写入" in partial


def test_a_dry_run_from_the_page_writes_nothing(
    people, login_as, tmp_path, django_capture_on_commit_callbacks
):
    client = login_as(people["carol"])
    path = write_sheet(tmp_path / "tree.xlsx", ROWS)

    job = start_import(client, path, django_capture_on_commit_callbacks, dry_run="on")

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.summary["created"], job.summary["written"]) == (2, False)
    assert not Union.objects.filter(code="D9E1").exists()


def test_row_errors_are_listed_on_the_job_page(
    people, login_as, tmp_path, django_capture_on_commit_callbacks
):
    client = login_as(people["carol"])
    rows = [*ROWS, ["D9E3", "九区三厂工会", "基层工会", "CB", "", ""]]
    job = start_import(
        client, write_sheet(tmp_path / "tree.xlsx", rows), django_capture_on_commit_callbacks
    )

    page = client.get(f"/w/jobs/{job.public_id}/").content.decode()

    assert "<td>4</td><td>上级代码</td><td>CB</td><td>上级工会不存在</td>" in page
    assert "未写入" in page
    assert not Union.objects.filter(code="D9E1").exists()


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING])
def test_an_unfinished_job_keeps_polling(people, login_as, status):
    job = Job.objects.create(
        kind="orgs.import",
        title="导入组织架构",
        owner=people["carol"],
        status=status,
        total=10,
        done=3,
    )

    partial = login_as(people["carol"]).get(f"/w/jobs/{job.public_id}/progress/").content.decode()

    assert 'hx-trigger="every 1s"' in partial
    assert f'hx-get="/w/jobs/{job.public_id}/progress/"' in partial
    assert "3 / 10" in partial


def test_a_file_that_is_no_spreadsheet_is_refused_before_any_job(people, login_as):
    photo = SimpleUploadedFile("tree.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(100))

    response = login_as(people["carol"]).post("/w/orgs/import/", {"file": photo})

    assert response.status_code == 200
    assert "文件不是 xlsx、xls 或 csv 表格" in response.content.decode()
    assert not Job.objects.exists()
