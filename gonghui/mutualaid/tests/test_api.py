"""/api/v1/mutual-aid/: scoped lists, the claim with its explanation, transitions."""

from __future__ import annotations

import pytest

from gonghui.mutualaid.models import ClaimStatus

pytestmark = pytest.mark.django_db

API = "/api/v1/mutual-aid"


def test_claims_are_scoped_and_explained(login_as, people, claim_a, claim_b) -> None:
    body = login_as(people["alice"]).get(f"{API}/claims?level=first").json()
    assert body["count"] == 1 and body["items"][0]["claim_no"] == claim_a.claim_no
    item = body["items"][0]
    assert item["payable_fen"] == 210000 and item["rule_version"] == 1
    assert item["explanation"][-1]["text"] == "本次应付 ¥2,100.00"
    assert "health_details" not in item
    bob = login_as(people["bob"])
    assert bob.get(f"{API}/claims/{claim_a.public_id}").status_code == 404
    assert [c["claim_no"] for c in bob.get(f"{API}/claims").json()["items"]] == [claim_b.claim_no]


def test_a_transition_through_the_api(login_as, people, claim_a) -> None:
    alice = login_as(people["alice"])
    response = alice.post(
        f"{API}/claims/{claim_a.public_id}/transitions",
        {"to": "approved"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "mutualaid.claim.transition_invalid"
    response = alice.post(
        f"{API}/claims/{claim_a.public_id}/transitions",
        {"to": "first_reviewed"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == ClaimStatus.FIRST_REVIEWED
    response = login_as(people["bob"]).post(
        f"{API}/claims/{claim_a.public_id}/transitions",
        {"to": "rechecked"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_plans_need_the_program(login_as, people, plan) -> None:
    assert login_as(people["alice"]).get(f"{API}/plans").json()[0]["code"] == plan.code
    assert login_as(people["sysadmin"]).get(f"{API}/plans").status_code == 403
