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


def test_enrolments_are_listed_scoped_and_filtered(login_as, people, member_a, member_b) -> None:
    alice = login_as(people["alice"])
    body = alice.get(f"{API}/enrolments?plan=P1").json()
    assert body["count"] == 1 and body["items"][0]["member_no"] == member_a.member_no
    assert body["items"][0]["worker_fen"] == 2000
    assert alice.get(f"{API}/enrolments?member_no={member_b.member_no}").json()["count"] == 0
    assert alice.get(f"{API}/enrolments?union=UB").status_code == 404


def test_bulk_enrolment_by_member_numbers_runs_as_a_job(
    login_as, people, tree, plan, django_capture_on_commit_callbacks
) -> None:
    from gonghui.mutualaid.models import Enrolment
    from gonghui.mutualaid.tests.conftest import make_member

    members = [make_member(tree["a"], seed) for seed in (31, 32)]
    alice = login_as(people["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(
            f"{API}/enrolments/bulk",
            {"plan": "P1", "union": "UA", "member_nos": [m.member_no for m in members] + ["X1"]},
            content_type="application/json",
        )
    assert response.status_code == 202
    job = alice.get(f"/api/v1/jobs/{response.json()['id']}").json()
    assert job["status"] == "succeeded" and job["summary"]["enrolled"] == 2
    assert job["summary"]["skipped"] == 1
    assert Enrolment.objects.filter(member__in=members).count() == 2
    refused = login_as(people["bob"]).post(
        f"{API}/enrolments/bulk", {"plan": "P1", "union": "UA"}, content_type="application/json"
    )
    assert refused.status_code == 404


def test_payments_are_listed_and_recorded(login_as, people, member_a) -> None:
    from gonghui.mutualaid.models import EnrolmentBatch

    batch = EnrolmentBatch.objects.get(union__code="UA")
    alice = login_as(people["alice"])
    response = alice.put(
        f"{API}/batches/{batch.public_id}/payments/employer",
        {"paid_fen": 2000, "paid_on": "2026-07-01", "reference": "YH1"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["owed_fen"] == 0
    payments = alice.get(f"{API}/batches/{batch.public_id}/payments").json()
    assert [p["payer"] for p in payments] == ["employer", "union", "worker"]
    bob = login_as(people["bob"])
    assert bob.get(f"{API}/batches/{batch.public_id}/payments").status_code == 404


def test_rule_versions_through_the_api(login_as, people, dora, plan) -> None:
    from datetime import timedelta

    from gonghui.mutualaid import rules

    body = {
        "effective_from": (plan.starts_on + timedelta(days=10)).isoformat(),
        "contribution_fen": 9000,
        "weights": [2, 1, 0],
        "benefits": rules.DEFAULT_BENEFITS,
        "note": "单位多负担",
    }
    refused = login_as(people["alice"]).post(
        f"{API}/plans/P1/versions", body, content_type="application/json"
    )
    assert refused.status_code == 403
    response = login_as(dora).post(
        f"{API}/plans/P1/versions", body, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["parts_fen"] == [6000, 3000, 0]
    versions = login_as(people["alice"]).get(f"{API}/plans/P1/versions").json()
    assert [v["number"] for v in versions] == [1, 2]


def test_a_plan_year_through_the_api(login_as, people, dora, plan) -> None:
    from gonghui.mutualaid import rules

    body = {
        "code": "2030",
        "name": "2030年度",
        "starts_on": "2030-07-01",
        "ends_on": "2031-06-30",
        "enrol_opens_on": "2030-06-01",
        "enrol_closes_on": "2031-03-31",
        "rules": {"contribution_fen": 9000, "benefits": rules.DEFAULT_BENEFITS},
    }
    refused = login_as(people["alice"]).post(f"{API}/plans", body, content_type="application/json")
    assert refused.status_code == 403
    client = login_as(dora)
    response = client.post(f"{API}/plans", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["code"] == "2030"
    versions = client.get(f"{API}/plans/2030/versions").json()
    assert [(v["number"], v["effective_from"]) for v in versions] == [(1, "2030-07-01")]
    bad = client.post(
        f"{API}/plans",
        body | {"code": "2031", "ends_on": "2030-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "mutualaid.plan_dates_invalid"
