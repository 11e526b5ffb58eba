"""The invited model worker answers a 疗休养 invitation on the phone: accept, decline with a
reason (the place opens for staff to refill by rotation; the decliner keeps their place in the
queue), nothing after the deadline or on a cancelled trip, and nobody answers another's
invitation. Staff cancel a trip before it starts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.audit.models import AuditEntry
from gonghui.conftest import make_user
from gonghui.core.errors import DomainError, Forbidden
from gonghui.modelworkers import services
from gonghui.modelworkers.models import Invitation, Trip
from gonghui.modelworkers.tests.conftest import register
from gonghui.mutualaid.tests.conftest import make_member
from gonghui.orgs.models import Union

pytestmark = pytest.mark.django_db


@pytest.fixture
def answering(tree: dict[str, Union], pat: User, people: dict[str, User]) -> dict[str, Any]:
    """A city trip with two places: 陈静 (national, portal account `member`) and 乙劳模
    (provincial, account `m2`) are invited; 丙劳模 of union B waits next in the queue."""
    chen = make_member(tree["a"], 1, name="陈静")
    chen.account = people["member"]
    chen.save(update_fields=["account"])
    other = make_member(tree["a"], 2, name="乙劳模")
    other.account = make_user("m2", kind="member")
    other.save(update_fields=["account"])
    workers = {
        "chen": register(pat, chen, level="national"),
        "other": register(pat, other, level="provincial"),
        "next": register(pat, make_member(tree["b"], 3, name="丙劳模"), level="city"),
    }
    today = timezone.localdate()
    trip = services.trip_create(
        by=pat,
        union=tree["city"],
        title="2026年度劳模疗休养（千岛湖）",
        destination="千岛湖劳模疗休养基地",
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=35),
        quota=2,
        answer_by=today + timedelta(days=10),
    )
    invited = services.trip_invite(by=pat, trip=trip)
    by_worker = {i.model_worker_id: i for i in invited}
    return {
        "trip": trip,
        "workers": workers,
        "mine": by_worker[workers["chen"].pk],
        "theirs": by_worker[workers["other"].pk],
        "other_account": other.account,
    }


def url(invitation: Invitation, action: str = "") -> str:
    return f"/m/model-workers/invitations/{invitation.public_id}/{action}"


# -- on the phone ---------------------------------------------------------------------------


def test_the_invitation_shows_on_the_phone_with_its_deadline(login_as, people, answering):
    client = login_as(people["member"])
    html = client.get("/m/model-workers/").content.decode()
    assert "疗休养邀请" in html and "2026年度劳模疗休养（千岛湖）" in html
    assert "千岛湖劳模疗休养基地" in html and "待答复" in html
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert f"请于 {deadline} 前答复" in html
    detail = client.get(url(answering["mine"])).content.decode()
    assert deadline in detail and "接受邀请" in detail and "婉拒邀请" in detail
    assert 'class="phone"' in detail


def test_accepting_on_the_phone_is_recorded_and_audited(login_as, people, answering):
    client = login_as(people["member"])
    response = client.post(url(answering["mine"], "answer/"), {"answer": "accept"})
    assert response.status_code == 302 and response["Location"] == "/m/model-workers/"
    answering["mine"].refresh_from_db()
    assert answering["mine"].state == "accepted" and answering["mine"].by == people["member"]
    entry = AuditEntry.objects.get(action="modelworkers.invitation.accepted")
    assert entry.actor == people["member"] and entry.changes["by_member"] is True
    html = client.get("/m/model-workers/").content.decode()
    assert "已接受" in html


def test_declining_frees_the_place_for_staff_and_keeps_the_queue_position(
    login_as, pat, people, tree, answering
):
    client = login_as(people["member"])
    client.post(url(answering["mine"], "answer/"), {"answer": "decline", "reason": "家中老人住院"})
    answering["mine"].refresh_from_db()
    assert answering["mine"].state == "declined" and answering["mine"].reason == "家中老人住院"
    entry = AuditEntry.objects.get(action="modelworkers.invitation.declined")
    assert entry.changes["reason"] == "家中老人住院" and entry.changes["by_member"] is True

    trip = answering["trip"]
    staff = login_as(pat)
    html = staff.get(f"/w/model-workers/trips/{trip.public_id}/").content.decode()
    assert "空余 1 个" in html and "本人手机答复" in html and "原因：家中老人住院" in html
    assert "按轮候顺序邀请 1 人" in html
    staff.post(f"/w/model-workers/trips/{trip.public_id}/invite/")
    # The next in the rotation takes the place, as staff refill it today.
    refill = trip.invitations.order_by("-position").first()
    assert refill.model_worker == answering["workers"]["next"] and refill.state == "invited"

    # 乙劳模 accepts; at the next trip 陈静 (declined, so never went) is still ahead of her.
    services.invitation_answer(
        by=answering["other_account"], invitation=answering["theirs"], accept=True
    )
    today = timezone.localdate()
    upcoming = services.trip_create(
        by=pat,
        union=tree["city"],
        destination="青岭山",
        starts_on=today + timedelta(days=60),
        ends_on=today + timedelta(days=62),
        quota=1,
    )
    assert (
        services.trip_invite(by=pat, trip=upcoming)[0].model_worker
        == (answering["workers"]["chen"])
    )


def test_an_answer_after_the_deadline_is_refused(login_as, people, answering):
    yesterday = timezone.localdate() - timedelta(days=1)
    Trip.objects.filter(pk=answering["trip"].pk).update(answer_by=yesterday)
    client = login_as(people["member"])
    detail = client.get(url(answering["mine"])).content.decode()
    assert "答复截止日期已过" in detail and "接受邀请" not in detail
    response = client.post(url(answering["mine"], "answer/"), {"answer": "accept"}, follow=True)
    assert f"答复截止日期 {yesterday:%Y-%m-%d} 已过" in response.content.decode()
    answering["mine"].refresh_from_db()
    assert answering["mine"].state == "invited"
    with pytest.raises(DomainError) as caught:
        services.invitation_answer(by=people["member"], invitation=answering["mine"], accept=False)
    assert caught.value.code == "modelworkers.invitation.deadline_passed"


def test_staff_may_still_record_an_answer_after_the_deadline(pat, answering):
    Trip.objects.filter(pk=answering["trip"].pk).update(
        answer_by=timezone.localdate() - timedelta(days=1)
    )
    services.invitation_move(by=pat, invitation=answering["mine"], to="accepted")
    answering["mine"].refresh_from_db()
    assert answering["mine"].state == "accepted"


def test_without_a_date_the_deadline_is_the_day_before_departure(pat, tree):
    today = timezone.localdate()
    trip = services.trip_create(
        by=pat,
        union=tree["city"],
        destination="下周",
        starts_on=today + timedelta(days=7),
        ends_on=today + timedelta(days=9),
        quota=1,
    )
    assert trip.deadline == today + timedelta(days=6) and trip.name == "下周"


def test_someone_elses_invitation_is_not_found(login_as, pat, people, answering):
    other = login_as(answering["other_account"])
    assert other.get(url(answering["mine"])).status_code == 404
    assert other.post(url(answering["mine"], "answer/"), {"answer": "decline"}).status_code == 404
    assert login_as(pat).get(url(answering["mine"])).status_code == 404
    answering["mine"].refresh_from_db()
    assert answering["mine"].state == "invited"
    with pytest.raises(Forbidden):
        services.invitation_answer(
            by=answering["other_account"], invitation=answering["mine"], accept=True
        )


def test_a_decline_is_final_and_an_acceptance_may_become_a_decline(people, answering):
    mine = answering["mine"]
    services.invitation_answer(by=people["member"], invitation=mine, accept=True)
    with pytest.raises(DomainError) as caught:
        services.invitation_answer(by=people["member"], invitation=mine, accept=True)
    assert caught.value.code == "modelworkers.invitation.already_answered"
    services.invitation_answer(
        by=people["member"], invitation=mine, accept=False, reason="临时出差"
    )
    with pytest.raises(DomainError) as caught:
        services.invitation_answer(by=people["member"], invitation=mine, accept=True)
    assert caught.value.code == "modelworkers.invitation.transition_invalid"


def test_a_full_trip_refuses_an_acceptance(people, answering):
    services.invitation_answer(
        by=answering["other_account"], invitation=answering["theirs"], accept=True
    )
    Trip.objects.filter(pk=answering["trip"].pk).update(quota=1)
    with pytest.raises(DomainError) as caught:
        services.invitation_answer(by=people["member"], invitation=answering["mine"], accept=True)
    assert caught.value.code == "modelworkers.trip.full"


# -- a trip called off ----------------------------------------------------------------------


def test_staff_cancel_a_trip_and_the_invited_see_why(login_as, pat, people, answering):
    trip = answering["trip"]
    staff = login_as(pat)
    page = staff.get(f"/w/model-workers/trips/{trip.public_id}/").content.decode()
    assert "取消本次疗休养" in page
    cancel = f"/w/model-workers/trips/{trip.public_id}/cancel/"
    staff.post(cancel, {"reason": "台风预警"})  # not confirmed
    trip.refresh_from_db()
    assert not trip.cancelled
    staff.post(cancel, {"reason": "台风预警", "confirm": "on"})
    trip.refresh_from_db()
    assert trip.cancelled and trip.cancel_reason == "台风预警"
    entry = AuditEntry.objects.get(action="modelworkers.trip.cancelled")
    assert entry.changes == {"reason": "台风预警", "invitations_holding": 2}

    client = login_as(people["member"])
    assert "疗休养已取消：台风预警" in client.get("/m/model-workers/").content.decode()
    response = client.post(url(answering["mine"], "answer/"), {"answer": "accept"}, follow=True)
    assert "该疗休养已取消：台风预警" in response.content.decode()
    answering["mine"].refresh_from_db()
    assert answering["mine"].state == "invited"
    with pytest.raises(DomainError) as caught:
        services.trip_invite(by=pat, trip=trip)
    assert caught.value.code == "modelworkers.trip.cancelled"


def test_a_cancelled_trip_counts_as_nobodys_last_trip(pat, tree, people, answering):
    services.invitation_answer(by=people["member"], invitation=answering["mine"], accept=True)
    services.trip_cancel(by=pat, trip=answering["trip"], reason="取消")
    today = timezone.localdate()
    upcoming = services.trip_create(
        by=pat,
        union=tree["city"],
        destination="青岭山",
        starts_on=today + timedelta(days=60),
        ends_on=today + timedelta(days=62),
        quota=1,
    )
    # 陈静 accepted the cancelled trip: she still never went, and national goes first.
    assert (
        services.trip_invite(by=pat, trip=upcoming)[0].model_worker
        == (answering["workers"]["chen"])
    )


def test_a_trip_that_has_started_cannot_be_cancelled_and_outsiders_cannot_try(
    login_as, pat, bea, answering
):
    trip = answering["trip"]
    assert (
        login_as(bea)
        .post(f"/w/model-workers/trips/{trip.public_id}/cancel/", {"reason": "x", "confirm": "on"})
        .status_code
        == 404
    )
    Trip.objects.filter(pk=trip.pk).update(
        answer_by=None, starts_on=timezone.localdate(), ends_on=timezone.localdate()
    )
    trip.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.trip_cancel(by=pat, trip=trip, reason="晚了")
    assert caught.value.code == "modelworkers.trip.started"
    with pytest.raises(DomainError) as caught:
        services.trip_cancel(by=pat, trip=trip, reason="  ")
    assert caught.value.code == "modelworkers.reason_required"


def test_the_trip_form_takes_a_title_and_an_answer_deadline(login_as, pat, workers):
    today = timezone.localdate()
    client = login_as(pat)
    data = {
        "title": "第二批劳模疗休养",
        "destination": "千岛湖",
        "starts_on": (today + timedelta(days=20)).isoformat(),
        "ends_on": (today + timedelta(days=25)).isoformat(),
        "answer_by": (today + timedelta(days=20)).isoformat(),
        "quota": "2",
        "union": "CITY",
    }
    html = client.post("/w/model-workers/trips/", data).content.decode()
    assert "答复截止日期须早于出发日期" in html and not Trip.objects.exists()
    data["answer_by"] = (today + timedelta(days=12)).isoformat()
    assert client.post("/w/model-workers/trips/", data).status_code == 302
    trip = Trip.objects.get()
    assert trip.name == "第二批劳模疗休养" and trip.deadline == today + timedelta(days=12)
    listing = client.get("/w/model-workers/trips/").content.decode()
    assert "第二批劳模疗休养" in listing and "有空余名额" in listing


# -- the API --------------------------------------------------------------------------------


def test_the_member_answers_through_the_api(login_as, people, answering):
    client = login_as(people["member"])
    body = client.get("/api/v1/model-workers/my-invitations").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["trip"]["name"] == "2026年度劳模疗休养（千岛湖）"
    assert item["trip"]["answer_by"] == (timezone.localdate() + timedelta(days=10)).isoformat()
    assert item["state"] == "invited" and item["can_answer"] == ["accept", "decline"]
    path = f"/api/v1/model-workers/my-invitations/{answering['mine'].public_id}/answer"
    response = client.post(
        path, {"answer": "decline", "reason": "身体不适"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "declined" and response.json()["reason"] == "身体不适"
    assert response.json()["can_answer"] == []
    again = client.post(path, {"answer": "accept"}, content_type="application/json")
    assert again.status_code == 400
    assert again.json()["code"] == "modelworkers.invitation.transition_invalid"
    wrong = client.post(path, {"answer": "maybe"}, content_type="application/json")
    assert wrong.status_code == 422


def test_the_api_hides_anothers_invitation_and_refuses_late_answers(login_as, people, answering):
    path = f"/api/v1/model-workers/my-invitations/{answering['mine'].public_id}/answer"
    other = login_as(answering["other_account"])
    response = other.post(path, {"answer": "accept"}, content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert [i["id"] for i in other.get("/api/v1/model-workers/my-invitations").json()["items"]] == [
        str(answering["theirs"].public_id)
    ]
    Trip.objects.filter(pk=answering["trip"].pk).update(
        answer_by=timezone.localdate() - timedelta(days=1)
    )
    late = login_as(people["member"]).post(
        path, {"answer": "accept"}, content_type="application/json"
    )
    assert late.status_code == 400
    assert late.json()["code"] == "modelworkers.invitation.deadline_passed"


def test_staff_cancel_a_trip_through_the_api(login_as, pat, bea, answering):
    path = f"/api/v1/model-workers/trips/{answering['trip'].public_id}/cancel"
    outsider = login_as(bea).post(path, {"reason": "x"}, content_type="application/json")
    assert outsider.status_code == 404
    client = login_as(pat)
    assert client.post(path, {"reason": ""}, content_type="application/json").status_code == 422
    body = client.post(path, {"reason": "基地检修"}, content_type="application/json").json()
    assert body["cancelled"] is True and body["cancel_reason"] == "基地检修"
    again = client.post(path, {"reason": "基地检修"}, content_type="application/json")
    assert again.status_code == 400
    assert again.json()["code"] == "modelworkers.trip.cancelled_already"
