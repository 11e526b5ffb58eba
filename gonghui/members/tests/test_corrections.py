"""PIPL on the portal: a member sees and downloads their own data and asks for corrections; the
union's officer corrects (through the normal edit, with history and audit) or declines."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.core import idnumbers
from gonghui.core.errors import DomainError, NotFound
from gonghui.members import corrections
from gonghui.members.models import CorrectionRequest, CorrectionStatus, Member

pytestmark = pytest.mark.django_db

ME = "/m/me/"
QUEUE = "/w/members/corrections/"


@pytest.fixture
def mine(tree, people, make_member) -> Member:
    member = make_member(tree["a"], name="陈静")
    member.account = people["member"]
    member.save(update_fields=["account"])
    return member


def test_the_member_sees_their_data_masked_and_asks_for_a_correction(
    client, mine, login_as, people
):
    client = login_as(people["member"])
    page = client.get(ME).content.decode()
    assert mine.member_no in page and "陈静" in page
    assert mine.id_number not in page and mine.id_number[-4:] in page

    answer = client.post(ME, {"field": "education", "proposed": "本科", "reason": "登记错了"})

    assert answer.status_code == 302
    correction = CorrectionRequest.objects.get(member=mine)
    assert correction.proposed == "bachelor"
    assert "待处理" in client.get(ME).content.decode()
    assert AuditEntry.objects.filter(action="members.correction.submitted").exists()


def test_a_bad_value_is_refused_on_the_form(mine, login_as, people) -> None:
    page = login_as(people["member"]).post(ME, {"field": "phone", "proposed": "12345"})
    assert page.status_code == 200
    assert not CorrectionRequest.objects.exists()


def test_one_open_request_per_item(mine) -> None:
    corrections.correction_submit(member=mine, field="name", proposed="陈晶")
    with pytest.raises(DomainError) as caught:
        corrections.correction_submit(member=mine, field="name", proposed="陈精")
    assert caught.value.code == "members.correction_pending"


def test_the_download_holds_everything_in_full_and_is_audited(mine, login_as, people) -> None:
    answer = login_as(people["member"]).post(ME + "export.json")
    data = json.loads(answer.content)
    assert answer["Content-Disposition"].startswith("attachment")
    assert data["id_number"] == mine.id_number and data["phone"] == mine.phone
    assert data["history"][0]["kind"] == "members.member.created"
    assert AuditEntry.objects.filter(action="members.member.self_exported").exists()


def test_an_account_without_a_member_record_is_told_how_to_join(login_as, people, tree) -> None:
    page = login_as(people["member"]).get(ME)
    assert page.status_code == 404
    assert "申请入会" in page.content.decode()


def test_the_officer_accepts_and_the_edit_is_in_the_history(mine, people, login_as) -> None:
    correction = corrections.correction_submit(member=mine, field="education", proposed="本科")
    client = login_as(people["alice"])
    assert "陈静" in client.get(QUEUE).content.decode()

    client.post(f"{QUEUE}{correction.public_id}/accept/")

    mine.refresh_from_db()
    assert mine.education == "bachelor"
    assert mine.events.filter(kind="members.member.updated").exists()
    assert CorrectionRequest.objects.get().status == CorrectionStatus.DONE


def test_an_id_number_correction_rederives_birth_date_gender_and_index(mine, people) -> None:
    fixed = idnumbers.generate(random.Random(5), "410102", date(1990, 5, 6), "F")
    correction = corrections.correction_submit(member=mine, field="id_number", proposed=fixed)
    assert corrections.shown(correction) != fixed  # masked for the officer's list

    corrections.correction_decide(by=people["alice"], correction=correction, accept=True)

    mine.refresh_from_db()
    assert mine.id_number == fixed and mine.birth_date == date(1990, 5, 6)
    assert mine.gender == "F" and mine.id_last4 == fixed[-4:]
    assert Member.objects.filter(id_index=mine.id_index).count() == 1
    event = mine.events.get(kind="members.member.id_corrected")
    assert fixed not in json.dumps(event.changes)  # the history keeps it masked


def test_declining_needs_a_reason_the_member_sees(mine, people, login_as) -> None:
    correction = corrections.correction_submit(member=mine, field="name", proposed="陈晶")
    with pytest.raises(DomainError):
        corrections.correction_decide(by=people["alice"], correction=correction, accept=False)
    corrections.correction_decide(
        by=people["alice"], correction=correction, accept=False, note="与身份证不符"
    )
    assert "与身份证不符" in login_as(people["member"]).get(ME).content.decode()


def test_another_union_cannot_see_or_decide(mine, people, login_as) -> None:
    correction = corrections.correction_submit(member=mine, field="name", proposed="陈晶")
    client = login_as(people["bob"])
    assert "陈静" not in client.get(QUEUE).content.decode()
    assert client.post(f"{QUEUE}{correction.public_id}/accept/").status_code == 404
    with pytest.raises(NotFound):
        corrections.correction_get(actor=people["bob"], public_id=str(correction.public_id))
    assert CorrectionRequest.objects.get().status == CorrectionStatus.PENDING


def test_the_queue_does_not_grow_queries_with_rows(
    mine, people, login_as, tree, make_member, django_assert_max_num_queries
) -> None:
    for _ in range(5):
        other = make_member(tree["a"])
        corrections.correction_submit(member=other, field="name", proposed="王五")
    client = login_as(people["alice"])
    with django_assert_max_num_queries(12):
        assert client.get(QUEUE).status_code == 200
