"""A job is its owner's: it may carry a roster or an export only they asked for. Anyone else
gets 404 on its page, its progress, its result and the API."""

from __future__ import annotations

import pytest

from gonghui.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def carols_job(people) -> Job:
    return Job.objects.create(
        kind="orgs.import",
        title="导入组织架构",
        owner=people["carol"],
        status=JobStatus.SUCCEEDED,
        summary={"rows": 3, "created": 3},
    )


@pytest.mark.parametrize("suffix", ["", "progress/", "result/"])
def test_another_user_gets_404_on_the_job_pages(people, login_as, carols_job, suffix):
    response = login_as(people["bob"]).get(f"/w/jobs/{carols_job.public_id}/{suffix}")

    assert response.status_code == 404


def test_another_user_gets_404_from_the_api(people, login_as, carols_job):
    response = login_as(people["bob"]).get(f"/api/v1/jobs/{carols_job.public_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_owner_reads_the_job_from_the_api(people, login_as, carols_job):
    response = login_as(people["carol"]).get(f"/api/v1/jobs/{carols_job.public_id}")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["percent"]) == (
        str(carols_job.public_id),
        "succeeded",
        100,
    )
    assert body["summary"] == {"rows": 3, "created": 3}


@pytest.mark.parametrize("job_id", ["0b9a4f53-6a8e-4d0c-9a51-0d8f1b2c3d4e", "not-a-uuid"])
def test_an_unknown_job_id_is_404(people, login_as, job_id):
    response = login_as(people["carol"]).get(f"/api/v1/jobs/{job_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_job_list_shows_only_the_users_own_jobs(people, login_as, carols_job):
    assert carols_job.title in login_as(people["carol"]).get("/w/jobs/").content.decode()
    page = login_as(people["bob"]).get("/w/jobs/").content.decode()
    assert str(carols_job.public_id) not in page
    assert "还没有后台任务" in page
