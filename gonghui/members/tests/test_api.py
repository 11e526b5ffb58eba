"""The member API's writes: create, update, transfer, leave and reveal, and the error shape
`{"code", "message", "details"}` every failure carries."""

from __future__ import annotations

import random
from datetime import date

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.core import idnumbers
from gonghui.members.models import Member, MemberEvent, MemberStatus, Transfer

pytestmark = pytest.mark.django_db

URL = "/api/v1/members"
ID_NUMBER = idnumbers.generate(random.Random(11), "410102", date(1992, 4, 5), "F")


def post(client, url: str, body: dict) -> object:
    return client.post(url, body, content_type="application/json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


# -- create --------------------------------------------------------------------------------


def test_create(login_as, people, tree) -> None:
    client = login_as(people["alice"])
    response = post(
        client,
        URL,
        {
            "name": "李 娜",
            "id_number": ID_NUMBER,
            "union": "ua",
            "phone": "+86 138 0000 1234",
            "ethnicity": "汉族",
            "education": "bachelor",
            "category": "rider",
            "join_date": "2019-03-01",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "李娜"
    assert (body["gender"], body["birth_date"]) == ("F", "1992-04-05")
    assert body["id_number"] == ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]
    assert body["phone"] == "138****1234"
    assert (body["union"], body["status"], body["category"]) == ("UA", "active", "rider")
    assert body["member_no"].startswith("M")
    assert AuditEntry.objects.filter(action="members.member.created", actor=people["alice"])


def test_create_with_a_wrong_check_digit(login_as, people, tree) -> None:
    wrong = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    response = post(
        login_as(people["alice"]), URL, {"name": "李娜", "id_number": wrong, "union": "UA"}
    )
    body = assert_error(response, 400, "idnumber.check_digit")
    assert body["details"] == {}
    assert not Member.objects.exists()


def test_create_someone_already_registered(login_as, people, tree, member_b) -> None:
    body = {"name": "张三丰", "id_number": member_b.id_number.lower(), "union": "UA"}
    response = post(login_as(people["alice"]), URL, body)
    error = assert_error(response, 400, "member.already_registered")
    assert error["details"] == {"member_no": member_b.member_no}


def test_create_with_a_missing_field_is_a_schema_error(login_as, people, tree) -> None:
    response = post(login_as(people["alice"]), URL, {"id_number": ID_NUMBER, "union": "UA"})
    body = assert_error(response, 422, "request.invalid")
    assert body["details"]["errors"]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("phone", "010-12345678", "member.phone_invalid"),
        ("ethnicity", "火星族", "member.ethnicity_invalid"),
        ("join_date", "2999-01-01", "member.join_date_future"),
    ],
)
def test_create_with_a_bad_value(login_as, people, tree, field, value, code) -> None:
    body = {"name": "李娜", "id_number": ID_NUMBER, "union": "UA", field: value}
    assert_error(post(login_as(people["alice"]), URL, body), 400, code)


def test_create_in_another_union_is_not_found(login_as, people, tree) -> None:
    body = {"name": "李娜", "id_number": ID_NUMBER, "union": "UB"}
    assert_error(post(login_as(people["alice"]), URL, body), 404, "not_found")
    assert not Member.objects.exists()


def test_create_needs_members_change(login_as, people, tree, leader) -> None:
    body = {"name": "李娜", "id_number": ID_NUMBER, "union": "UA"}
    assert_error(post(login_as(leader), URL, body), 403, "auth.forbidden")


# -- update --------------------------------------------------------------------------------


def test_update_changes_only_what_was_sent(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).patch(
        f"{URL}/{member_a.member_no}",
        {"phone": "13900001111", "join_date": "2019-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phone"] == "139****1111"
    assert (body["name"], body["category"]) == ("张三", "courier")
    event = MemberEvent.objects.get(member=member_a, kind="members.member.updated")
    assert event.changes["phone"] == ["138****5678", "139****1111"]
    assert event.changes["join_date"][1] == "2019-03-01"


def test_update_ignores_the_id_number(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).patch(
        f"{URL}/{member_a.member_no.lower()}",
        {"id_number": ID_NUMBER, "name": "张三"},
        content_type="application/json",
    )
    assert response.status_code == 200
    member_a.refresh_from_db()
    assert member_a.id_number != ID_NUMBER


def test_update_with_a_null_category_is_refused(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).patch(
        f"{URL}/{member_a.member_no}", {"category": None}, content_type="application/json"
    )
    assert_error(response, 400, "member.category_invalid")


def test_update_by_a_viewer_is_forbidden(login_as, leader, member_a) -> None:
    response = login_as(leader).patch(
        f"{URL}/{member_a.member_no}", {"name": "李四"}, content_type="application/json"
    )
    assert_error(response, 403, "auth.forbidden")


# -- transfer and leave --------------------------------------------------------------------


def test_transfer_request(login_as, people, tree, member_a) -> None:
    response = post(
        login_as(people["alice"]), f"{URL}/{member_a.member_no}/transfer", {"to_union": "ub"}
    )
    assert response.status_code == 201, response.content
    transfer = Transfer.objects.get()
    assert response.json() == {"id": str(transfer.public_id), "status": "pending"}
    assert transfer.to_union == tree["b"]
    member_a.refresh_from_db()
    assert member_a.status == MemberStatus.TRANSFERRING


@pytest.mark.parametrize(
    ("to_union", "status", "code"),
    [
        ("NOPE", 404, "org.not_found"),
        ("UA", 400, "member.transfer_same_union"),
        ("CITY", 400, "member.union_invalid"),
    ],
)
def test_transfer_refusals(login_as, people, tree, member_a, to_union, status, code) -> None:
    response = post(
        login_as(people["alice"]), f"{URL}/{member_a.member_no}/transfer", {"to_union": to_union}
    )
    assert_error(response, status, code)
    assert not Transfer.objects.exists()


def test_leave(login_as, people, member_a) -> None:
    client = login_as(people["alice"])
    response = post(client, f"{URL}/{member_a.member_no}/leave", {"reason": "调离本单位"})
    assert response.status_code == 200
    assert response.json()["status"] == "left"
    again = post(client, f"{URL}/{member_a.member_no}/leave", {"reason": "调离本单位"})
    body = assert_error(again, 400, "member.transition_invalid")
    assert body["details"] == {"from": "left", "to": "left"}


def test_leave_needs_a_reason(login_as, people, member_a) -> None:
    response = post(login_as(people["alice"]), f"{URL}/{member_a.member_no}/leave", {"reason": ""})
    assert_error(response, 422, "request.invalid")


# -- reveal --------------------------------------------------------------------------------


def test_reveal_returns_the_full_value_and_audits(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).post(f"{URL}/{member_a.member_no}/reveal/id_number")
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": member_a.id_number}
    entry = AuditEntry.objects.get(action="members.member.revealed")
    assert (entry.actor, entry.changes) == (people["alice"], {"field": "id_number"})


def test_reveal_by_a_viewer_is_forbidden(login_as, leader, member_a) -> None:
    response = login_as(leader).post(f"{URL}/{member_a.member_no}/reveal/phone")
    assert_error(response, 403, "auth.forbidden")
    assert not AuditEntry.objects.filter(action="members.member.revealed").exists()


def test_reveal_of_another_field_is_refused(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).post(f"{URL}/{member_a.member_no}/reveal/name")
    assert_error(response, 400, "member.field_invalid")


def test_the_api_is_in_the_openapi_schema(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/members" in paths
    assert "/api/v1/members/{member_no}/transfer" in paths
