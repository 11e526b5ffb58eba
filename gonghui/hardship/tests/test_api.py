"""/api/v1/hardship/: scoped lists, creation, transitions, the ledger and the report."""

from __future__ import annotations

import pytest

from gonghui.hardship import services
from gonghui.hardship.tests.conftest import rechecked_aid

pytestmark = pytest.mark.django_db

API = "/api/v1/hardship"


def test_a_file_is_created_and_moved_through_the_api(login_as, people, reference, member_a) -> None:
    alice = login_as(people["alice"])
    response = alice.post(
        f"{API}/files",
        {
            "member_no": member_a.member_no,
            "primary_cause": "illness",
            "household": [
                {
                    "relation": "self",
                    "name": "甲会员",
                    "age": 45,
                    "job_status": "employed",
                    "income_fen": 50_000,
                }
            ],
            "consent_version": services.CONSENT_VERSION,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["state"] == "grassroots"
        and body["below_threshold"]
        and "per_capita_income" not in body
    )
    moved = alice.post(
        f"{API}/files/{body['id']}/transitions", {"to": "active"}, content_type="application/json"
    )
    assert moved.status_code == 400 and moved.json()["code"] == "hardship.file.transition_invalid"
    moved = alice.post(
        f"{API}/files/{body['id']}/transitions", {"to": "county"}, content_type="application/json"
    )
    assert moved.json()["state"] == "county"
    bob = login_as(people["bob"])
    assert bob.get(f"{API}/files/{body['id']}").status_code == 404
    assert bob.get(f"{API}/files").json()["count"] == 0


def test_aid_through_the_api_and_the_ledger(login_as, people, dora, file_a) -> None:
    aid = rechecked_aid(people, file_a.member, channel="cash")
    client = login_as(dora)
    assert client.get(f"{API}/aid?state=rechecked").json()["items"][0]["aid_no"] == aid.aid_no
    response = client.post(
        f"{API}/aid/{aid.public_id}/transitions",
        {"to": "approved", "amount_fen": 150_000},
        content_type="application/json",
    )
    assert response.json()["approved_fen"] == 150_000
    login_as(people["carol"]).post(
        f"{API}/aid/{aid.public_id}/transitions", {"to": "paid"}, content_type="application/json"
    )
    ledger = client.get(f"{API}/disbursements").json()
    assert ledger["count"] == 1 and ledger["items"][0]["amount_fen"] == 150_000
    again = login_as(people["alice"]).post(
        f"{API}/aid",
        {
            "member_no": file_a.member.member_no,
            "category": "living",
            "requested_fen": 100_000,
            "reason_text": "再次申请",
        },
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "hardship.aid.already_received"
    report = client.get(f"{API}/reports").json()
    assert report["files_by_cause"] == [{"label": "living", "count": 1}]
    assert report["paid_by_category_month"][0]["paid_fen"] == 150_000
    assert login_as(people["bob"]).get(f"{API}/disbursements").json()["count"] == 0
    assert login_as(people["sysadmin"]).get(f"{API}/reports").status_code == 403
