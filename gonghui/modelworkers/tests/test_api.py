"""The API: registry, batches, trips and sign-up; B sees nothing of A."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.modelworkers import services
from gonghui.modelworkers.tests.conftest import policy, register
from gonghui.mutualaid.tests.conftest import make_member

pytestmark = pytest.mark.django_db


def test_the_registry_is_scoped(login_as, pat, bea, workers):
    body = login_as(pat).get("/api/v1/model-workers/registry?level=national").json()
    assert body["count"] == 1 and body["items"][0]["name"] == "甲劳模"
    assert body["items"][0]["union"] == "UA"
    outsider = login_as(bea)
    assert [w["name"] for w in outsider.get("/api/v1/model-workers/registry").json()["items"]] == [
        "丙劳模"
    ]
    response = outsider.get(f"/api/v1/model-workers/registry/{workers['a1'].public_id}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    detail = login_as(pat).get(f"/api/v1/model-workers/registry/{workers['a1'].public_id}").json()
    assert detail["honours"][0]["title"] == "全国劳动模范"


def test_batches_and_their_lines(login_as, pat, people, workers):
    policy(pat, 2026)
    batch = services.batch_generate(
        by=pat, month=timezone.localdate().replace(year=2026, month=10, day=1)
    )
    body = login_as(pat).get("/api/v1/model-workers/allowance-batches").json()
    assert body["items"][0]["month"] == "2026-10-01"
    lines = login_as(people["carol"]).get(
        f"/api/v1/model-workers/allowance-batches/{batch.public_id}/lines"
    )
    # County A staff cannot see the city's batch at all.
    assert lines.status_code == 404
    lines = (
        login_as(pat).get(f"/api/v1/model-workers/allowance-batches/{batch.public_id}/lines").json()
    )
    assert {line["name"]: line["amount_fen"] for line in lines["items"]} == {
        "甲劳模": 80000,
        "乙劳模": 50000,
        "丙劳模": 20000,
    }


def test_trips_invite_through_the_api(login_as, pat, workers, tree):
    today = timezone.localdate()
    trip = services.trip_create(
        by=pat,
        union=tree["city"],
        destination="千岛湖",
        starts_on=today + timedelta(days=9),
        ends_on=today + timedelta(days=12),
        quota=2,
    )
    client = login_as(pat)
    invited = client.post(f"/api/v1/model-workers/trips/{trip.public_id}/invitations").json()
    assert [i["name"] for i in invited] == ["甲劳模", "乙劳模"]  # national before provincial
    again = client.post(f"/api/v1/model-workers/trips/{trip.public_id}/invitations")
    assert again.status_code == 400 and again.json()["code"] == "modelworkers.trip.full"


def test_a_member_signs_up_through_the_api(login_as, pat, people, tree):
    member = make_member(tree["a"], 70)
    member.account = people["member"]
    member.save(update_fields=["account"])
    speaker = register(pat, make_member(tree["b"], 71))
    lecture = services.lecture_create(
        by=pat,
        union=tree["city"],
        title="讲堂",
        speaker=speaker,
        starts_at=timezone.now() + timedelta(days=5),
        place="文化宫",
        capacity=1,
    )
    client = login_as(people["member"])
    assert [x["title"] for x in client.get("/api/v1/model-workers/lectures").json()["items"]] == [
        "讲堂"
    ]
    response = client.post(f"/api/v1/model-workers/lectures/{lecture.public_id}/sign-up")
    assert response.status_code == 201 and response.json()["active"] is True
    again = client.post(f"/api/v1/model-workers/lectures/{lecture.public_id}/sign-up")
    assert again.status_code == 409 and again.json()["code"] == "modelworkers.lecture.signed"
    assert (
        client.delete(f"/api/v1/model-workers/lectures/{lecture.public_id}/sign-up").json()[
            "active"
        ]
        is False
    )
