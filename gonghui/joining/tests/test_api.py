"""/api/v1/applications: scoped list and detail, accept and reject, errors in one shape."""

from __future__ import annotations

import pytest

from gonghui.joining.models import ApplicationStatus
from gonghui.members.models import Member

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications"


def post(client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


def test_the_list_is_scoped_and_masked(login_as, people, application_a, application_b) -> None:
    response = login_as(people["alice"]).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["application_no"] == application_a.application_no
    assert item["id"] == str(application_a.public_id)
    assert item["union"] == "UA"
    assert (
        item["id_number"] == application_a.id_number[:3] + "*" * 11 + application_a.id_number[-4:]
    )
    assert item["phone"] == application_a.phone[:3] + "****" + application_a.phone[-4:]
    assert item["deadline"] == application_a.deadline.isoformat()
    assert item["status"] == "pending" and item["member_no"] is None


def test_the_county_sees_its_subtree_only(login_as, people, application_a, application_b) -> None:
    items = login_as(people["carol"]).get(URL).json()["items"]
    assert [i["application_no"] for i in items] == [application_a.application_no]


def test_the_list_filters_by_status(login_as, people, application_a, submit, tree) -> None:
    other = submit(tree["a"])
    client = login_as(people["alice"])
    post(client, f"{URL}/{other.public_id}/reject", {"reason": "重复"})
    pending = client.get(URL, {"status": "pending"}).json()["items"]
    assert [i["application_no"] for i in pending] == [application_a.application_no]
    assert client.get(URL).json()["count"] == 2
    assert_error(client.get(URL, {"status": "nope"}), 422, "request.invalid")


def test_the_list_has_no_n_plus_1(
    login_as, people, tree, submit, django_assert_max_num_queries
) -> None:
    for _ in range(30):
        submit(tree["a"])
    client = login_as(people["alice"])
    client.get(URL)
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"page_size": 50})
    assert len(response.json()["items"]) == 30


def test_another_unions_application_is_404(login_as, people, application_a) -> None:
    bob = login_as(people["bob"])
    assert_error(bob.get(f"{URL}/{application_a.public_id}"), 404, "not_found")
    assert_error(post(bob, f"{URL}/{application_a.public_id}/accept"), 404, "not_found")
    assert_error(
        post(bob, f"{URL}/{application_a.public_id}/reject", {"reason": "x"}), 404, "not_found"
    )
    application_a.refresh_from_db()
    assert application_a.status == ApplicationStatus.PENDING


def test_accept_makes_the_member(login_as, people, application_a) -> None:
    client = login_as(people["alice"])
    response = post(client, f"{URL}/{application_a.public_id}/accept")
    assert response.status_code == 200, response.content
    body = response.json()
    member = Member.objects.get()
    assert body["status"] == "accepted" and body["member_no"] == member.member_no
    assert client.get(f"{URL}/{application_a.public_id}").json()["member_no"] == member.member_no
    again = post(client, f"{URL}/{application_a.public_id}/accept")
    assert_error(again, 400, "joining.transition_invalid")


def test_reject_needs_a_reason(login_as, people, application_a) -> None:
    client = login_as(people["alice"])
    assert_error(
        post(client, f"{URL}/{application_a.public_id}/reject", {"reason": " "}),
        400,
        "joining.reason_required",
    )
    response = post(client, f"{URL}/{application_a.public_id}/reject", {"reason": "非本单位职工"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("rejected", "非本单位职工")


def test_a_viewer_cannot_decide(tree, login_as, application_a) -> None:
    from gonghui.conftest import make_user

    leader = login_as(make_user("leader", assignments=[(tree["a"], "leader", None)]))
    assert leader.get(f"{URL}/{application_a.public_id}").status_code == 200
    assert_error(post(leader, f"{URL}/{application_a.public_id}/accept"), 403, "auth.forbidden")


def test_a_bad_id_is_a_clean_error(login_as, people, tree) -> None:
    assert_error(login_as(people["alice"]).get(f"{URL}/not-a-uuid"), 422, "request.invalid")


def test_the_api_needs_a_login(client, application_a) -> None:
    assert_error(client.get(URL), 401, "auth.required")


def test_the_router_is_in_the_openapi_document(client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/applications" in paths
    assert "/api/v1/applications/{public_id}/accept" in paths
