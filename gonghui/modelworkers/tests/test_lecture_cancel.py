"""Staff call a whole 劳模大讲堂 session off: every sign-up goes with it, the members read the
reason on their phone, nobody can sign up after, and a session that took place stays."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.audit.models import AuditEntry
from gonghui.conftest import make_user
from gonghui.core.errors import DomainError
from gonghui.modelworkers import services
from gonghui.modelworkers.models import Lecture, SignUp
from gonghui.modelworkers.tests.conftest import register
from gonghui.mutualaid.tests.conftest import make_member
from gonghui.orgs.models import Union

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture_full(tree: dict[str, Union], pat: User, people: dict[str, User]) -> dict[str, Any]:
    """A city lecture with two sign-ups (陈静 of union A, a member of union B) and one member
    who signed up and cancelled herself before."""
    speaker = register(pat, make_member(tree["a"], 10, name="王师傅"))
    lecture = services.lecture_create(
        by=pat,
        union=tree["city"],
        title="工匠精神",
        speaker=speaker,
        starts_at=timezone.now() + timedelta(days=5),
        place="文化宫",
        capacity=30,
    )
    members = []
    for seed, union, account in [
        (11, "a", people["member"]),
        (12, "b", make_user("m12", kind="member")),
        (13, "a", make_user("m13", kind="member")),
    ]:
        names = {"name": "陈静"} if seed == 11 else {}
        member = make_member(tree[union], seed, **names)
        member.account = account
        member.save(update_fields=["account"])
        services.lecture_sign_up(by=account, lecture=lecture, member=member)
        members.append(member)
    services.lecture_sign_up_cancel(by=members[2].account, lecture=lecture, member=members[2])
    return {"lecture": lecture, "members": members}


def test_cancelling_ends_every_sign_up_and_is_audited(pat, lecture_full):
    lecture = lecture_full["lecture"]
    assert services.lecture_cancel(by=pat, lecture=lecture, reason="主讲人临时出差") == 2
    lecture.refresh_from_db()
    assert lecture.cancelled and lecture.cancel_reason == "主讲人临时出差"
    assert lecture.signed_up == 0 and not SignUp.objects.filter(active=True).exists()
    entry = AuditEntry.objects.get(action="modelworkers.lecture.cancelled")
    assert entry.changes == {"reason": "主讲人临时出差", "signups_cancelled": 2}
    assert entry.actor == pat


def test_nobody_signs_up_after_the_cancellation(pat, lecture_full):
    lecture = lecture_full["lecture"]
    services.lecture_cancel(by=pat, lecture=lecture, reason="场地维修")
    late = lecture_full["members"][2]
    with pytest.raises(DomainError) as caught:
        services.lecture_sign_up(by=late.account, lecture=lecture, member=late)
    assert caught.value.code == "modelworkers.lecture.closed"
    assert "讲座已取消：场地维修" in caught.value.message


def test_a_lecture_that_took_place_cannot_be_cancelled(pat, lecture_full):
    lecture = lecture_full["lecture"]
    Lecture.objects.filter(pk=lecture.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    lecture.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.lecture_cancel(by=pat, lecture=lecture, reason="太晚")
    assert caught.value.code == "modelworkers.lecture.took_place"
    assert SignUp.objects.filter(active=True).count() == 2


def test_a_reason_is_required_and_twice_is_refused(pat, lecture_full):
    lecture = lecture_full["lecture"]
    with pytest.raises(DomainError) as caught:
        services.lecture_cancel(by=pat, lecture=lecture, reason="   ")
    assert caught.value.code == "modelworkers.reason_required"
    services.lecture_cancel(by=pat, lecture=lecture, reason="停电")
    with pytest.raises(DomainError) as caught:
        services.lecture_cancel(by=pat, lecture=lecture, reason="停电")
    assert caught.value.code == "modelworkers.lecture.cancelled_already"


def test_the_member_reads_the_reason_on_the_phone(login_as, pat, people, lecture_full):
    services.lecture_cancel(by=pat, lecture=lecture_full["lecture"], reason="主讲人临时出差")
    html = login_as(people["member"]).get("/m/model-workers/").content.decode()
    assert "讲座已取消：主讲人临时出差" in html
    assert 'action="/m/model-workers/lectures/' not in html  # no button to sign up again
    # Who had cancelled her own sign-up before is not told the lecture was called off.
    other = login_as(lecture_full["members"][2].account).get("/m/model-workers/")
    assert "讲座已取消" not in other.content.decode()


def test_staff_cancel_on_the_page_only_when_they_confirm(login_as, pat, lecture_full):
    lecture = lecture_full["lecture"]
    client = login_as(pat)
    page = client.get(f"/w/model-workers/lectures/{lecture.public_id}/").content.decode()
    assert "取消本场讲座" in page and "已报名的 2 人的报名将一并取消" in page
    cancel = f"/w/model-workers/lectures/{lecture.public_id}/cancel/"
    response = client.post(cancel, {"reason": "主讲人临时出差"}, follow=True)
    assert "请填写取消原因，并勾选确认后再取消" in response.content.decode()
    lecture.refresh_from_db()
    assert not lecture.cancelled
    response = client.post(cancel, {"reason": "主讲人临时出差", "confirm": "on"}, follow=True)
    html = response.content.decode()
    assert "讲座已取消，2 人的报名已一并取消" in html
    assert "取消：主讲人临时出差" in html and "随讲座取消的报名" in html
    assert "陈静" in html and "取消本场讲座" not in html
    listing = client.get("/w/model-workers/lectures/").content.decode()
    assert "已取消" in listing


def test_outsiders_and_officers_cannot_cancel(login_as, bea, people, lecture_full):
    lecture = lecture_full["lecture"]
    cancel = f"/w/model-workers/lectures/{lecture.public_id}/cancel/"
    data = {"reason": "x", "confirm": "on"}
    assert login_as(bea).post(cancel, data).status_code == 404
    assert login_as(people["alice"]).post(cancel, data).status_code == 403
    assert login_as(people["member"]).post(cancel, data).status_code == 403
    lecture.refresh_from_db()
    assert not lecture.cancelled


def test_staff_cancel_through_the_api(login_as, pat, bea, lecture_full):
    path = f"/api/v1/model-workers/lectures/{lecture_full['lecture'].public_id}/cancel"
    assert (
        login_as(bea).post(path, {"reason": "x"}, content_type="application/json").status_code
        == 404
    )
    client = login_as(pat)
    assert client.post(path, {"reason": ""}, content_type="application/json").status_code == 422
    body = client.post(path, {"reason": "暴雨"}, content_type="application/json").json()
    assert body["signups_cancelled"] == 2
    assert body["lecture"]["cancelled"] is True and body["lecture"]["cancel_reason"] == "暴雨"
    again = client.post(path, {"reason": "暴雨"}, content_type="application/json")
    assert again.status_code == 400
    assert again.json()["code"] == "modelworkers.lecture.cancelled_already"
