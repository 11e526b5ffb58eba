"""/api/v1/merchants: the public directory without login, the staff list and review actions
scoped like the pages, errors in one shape."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.merchants.models import MerchantStatus
from gonghui.merchants.tests.conftest import year_from

pytestmark = pytest.mark.django_db

URL = "/api/v1/merchants"


def post(client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code and body["message"]
    return body


def contract(**fields):
    today = timezone.localdate()
    return {
        "discount_kind": "rate",
        "discount_rate": "0.80",
        "per_member_day_cap_fen": 10000,
        "valid_from": today.isoformat(),
        "valid_to": year_from(today).isoformat(),
    } | fields


# -- public ---------------------------------------------------------------------------------


def test_the_directory_needs_no_login_and_shows_only_public_fields(
    make_merchant, django_assert_max_num_queries
) -> None:
    far = make_merchant(lat="32.500000")
    near = make_merchant(lat="32.392000")
    make_merchant(status=MerchantStatus.SUSPENDED)
    with django_assert_max_num_queries(4):
        response = Client().get(f"{URL}/directory", {"lat": 32.39, "lng": 119.42})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [i["code"] for i in body["items"]] == [near.code, far.code]
    item = body["items"][0]
    assert item["rule"] == "8.5折，单笔最多优惠¥50.00"
    assert item["distance_m"] == pytest.approx(222, abs=3)
    assert "uscc" not in item and "status" not in item and "contact_name" not in item


def test_the_directory_detail_and_its_errors(merchant_a, make_merchant) -> None:
    client = Client()
    body = client.get(f"{URL}/directory/{merchant_a.code}").json()
    assert body["code"] == merchant_a.code and body["photos"] == []
    assert body["valid_to"] is not None and body["distance_m"] is None
    suspended = make_merchant(status=MerchantStatus.SUSPENDED)
    assert_error(client.get(f"{URL}/directory/{suspended.code}"), 404, "merchant.not_found")
    assert_error(client.get(f"{URL}/directory", {"lat": 100, "lng": 0}), 422, "request.invalid")
    assert_error(client.get(f"{URL}/directory", {"category": "bars"}), 422, "request.invalid")


# -- staff ----------------------------------------------------------------------------------


def test_the_staff_list_needs_login_and_is_scoped(
    login_as, people, merchant_a, merchant_b, django_assert_max_num_queries
) -> None:
    assert_error(Client().get(URL), 401, "auth.required")
    client = login_as(people["carol"])
    with django_assert_max_num_queries(10):  # session, user, 2FA, grants, rows, count
        body = client.get(URL).json()
    assert [i["id"] for i in body["items"]] == [merchant_a.code]
    assert body["items"][0]["uscc"] == merchant_a.uscc
    assert login_as(people["bob"]).get(URL).json()["count"] == 0
    assert_error(login_as(people["bob"]).get(f"{URL}/{merchant_a.code}"), 404, "not_found")


def test_approve_through_the_api(login_as, reviewer, apply) -> None:
    application = apply()
    client = login_as(reviewer)
    body = post(client, f"{URL}/{application.application_no}/approve", contract()).json()
    assert body["status"] == "active" and body["code"].startswith("SH")
    assert body["contracts"][0]["rule"] == "8折，每人每日最多优惠¥100.00"
    again = post(client, f"{URL}/{body['code']}/approve", contract())
    assert_error(again, 400, "merchant.transition_invalid")


def test_a_bad_contract_is_a_clear_error(login_as, reviewer, apply) -> None:
    application = apply()
    client = login_as(reviewer)
    bad = post(client, f"{URL}/{application.application_no}/approve", contract(discount_rate="0.3"))
    assert_error(bad, 400, "merchant.rate_invalid")
    too_long = contract(valid_to="2099-01-01")
    assert_error(
        post(client, f"{URL}/{application.application_no}/approve", too_long),
        400,
        "merchant.period_too_long",
    )


def test_reject_suspend_resume_terminate(login_as, reviewer, apply, merchant_a) -> None:
    client = login_as(reviewer)
    application = apply()
    rejected = post(client, f"{URL}/{application.application_no}/reject", {"reason": "不符合"})
    assert rejected.json()["status"] == "rejected"
    assert_error(post(client, f"{URL}/{merchant_a.code}/suspend"), 422, "request.invalid")
    for action, status in [
        ("suspend", "suspended"),
        ("resume", "active"),
        ("terminate", "terminated"),
    ]:
        response = post(client, f"{URL}/{merchant_a.code}/{action}", {"reason": "测试"})
        assert response.json()["status"] == status


def test_a_renewal_through_the_api(login_as, reviewer, merchant_a) -> None:
    response = post(
        login_as(reviewer),
        f"{URL}/{merchant_a.code}/contracts",
        contract(discount_kind="fixed", discount_rate=None, fixed_off_fen=500),
    )
    assert response.status_code == 201
    assert response.json()["rule"] == "立减¥5.00，每人每日最多优惠¥100.00"


def test_a_viewer_cannot_act(login_as, tree, merchant_a) -> None:
    from gonghui.conftest import make_user

    leader = make_user("leader", assignments=[(tree["city"], "leader", None)])
    client = login_as(leader)
    assert client.get(f"{URL}/{merchant_a.code}").status_code == 200
    assert_error(
        post(client, f"{URL}/{merchant_a.code}/suspend", {"reason": "x"}), 403, "auth.forbidden"
    )
