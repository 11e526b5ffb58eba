"""/api/v1/warmth/: campaigns, funds, budgets, the list (paged, filtered, scoped), hand-outs and
the report."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.warmth.models import Target
from gonghui.warmth.tests.conftest import bank_batch, result_file

pytestmark = pytest.mark.django_db

API = "/api/v1/warmth"


def test_campaigns_and_funds(login_as, people, dora, running) -> None:
    alice = login_as(people["alice"])
    body = alice.get(f"{API}/campaigns").json()
    assert body["count"] == 1 and body["items"][0]["code"] == "W1"
    assert body["items"][0]["groups"][0]["code"] == "hardship_model"
    assert alice.get(f"{API}/campaigns/W1/funds").json()["items"][0]["amount_fen"] == 1_000_000
    refused = alice.post(
        f"{API}/campaigns/W1/funds",
        {"source": "donation", "donor": "某人", "amount_fen": 100, "received_on": "2026-12-01"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    created = login_as(dora).post(
        f"{API}/campaigns/W1/funds",
        {"source": "donation", "donor": "某人", "amount_fen": 100, "received_on": "2026-12-01"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["amount_fen"] == 100
    assert login_as(people["member"]).get(f"{API}/campaigns").status_code in (401, 403)


def test_allocations_are_scoped_and_checked(login_as, people, dora, running) -> None:
    codes = [
        a["union"]
        for a in login_as(people["bob"]).get(f"{API}/campaigns/W1/allocations").json()["items"]
    ]
    assert codes == []  # union B holds no budget of its own; county B's is not bob's to see
    carol = login_as(people["carol"])
    assert [a["union"] for a in carol.get(f"{API}/campaigns/W1/allocations").json()["items"]] == [
        "CA",
        "UA",
    ]
    over = carol.post(
        f"{API}/campaigns/W1/allocations",
        {"union": "UA", "amount_fen": 500_001},
        content_type="application/json",
    )
    assert over.status_code == 400 and over.json()["code"] == "warmth.allocation_over_parent"
    ok = carol.post(
        f"{API}/campaigns/W1/allocations",
        {"union": "UA", "amount_fen": 500_000},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["amount_fen"] == 500_000


def test_targets_are_paged_filtered_and_scoped(login_as, people, dora, listed) -> None:
    city = login_as(dora)
    body = city.get(f"{API}/campaigns/W1/targets?page_size=2").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert city.get(f"{API}/campaigns/W1/targets?group=hardship_model").json()["count"] == 1
    assert (
        city.get(f"{API}/campaigns/W1/targets?union=CB").json()["items"][0]["member_name"] == "乙一"
    )
    bob = login_as(people["bob"])
    assert [t["member_name"] for t in bob.get(f"{API}/campaigns/W1/targets").json()["items"]] == [
        "乙一"
    ]
    assert bob.get(f"{API}/campaigns/W1/targets?union=UA").status_code == 404
    assert bob.get(f"{API}/campaigns/W1/targets?status=delivered").json()["count"] == 0


def test_hand_out_and_report_through_the_api(login_as, people, listed) -> None:
    alice = login_as(people["alice"])
    a1 = Target.objects.get(member=listed["a1"])
    response = alice.post(
        f"{API}/campaigns/W1/distributions",
        {
            "union": "UA",
            "targets": [str(a1.public_id)],
            "method": "goods",
            "distributed_on": "2026-12-20",
        },
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["total_fen"] == 70_000
    again = alice.post(
        f"{API}/campaigns/W1/distributions",
        {
            "union": "UA",
            "targets": [str(a1.public_id)],
            "method": "goods",
            "distributed_on": "2026-12-20",
        },
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "warmth.targets_changed"
    lines = alice.get(f"{API}/campaigns/W1/distributions").json()
    assert lines["count"] == 1 and lines["items"][0]["member_name"] == "甲一"
    assert login_as(people["bob"]).get(f"{API}/campaigns/W1/distributions").json()["count"] == 0
    report = alice.get(f"{API}/campaigns/W1/report").json()
    assert report["total"]["union"] == "UA" and report["total"]["rate"] == "50.0"
    assert report["by_source"] == [
        {"source": "federation", "raised_fen": 1_000_000, "spent_share_fen": 70_000}
    ]
    assert login_as(people["bob"]).get(f"{API}/campaigns/W1/report?union=UA").status_code == 404


@pytest.mark.usefixtures("card_accounts")
def test_the_bank_result_through_the_api(login_as, people, running, listed, tree, tmp_path) -> None:
    a1, a2 = (Target.objects.get(member=listed[k]) for k in ("a1", "a2"))
    batch = bank_batch(running, tree["a"], people["alice"], a1, a2)
    alice = login_as(people["alice"])
    url = f"{API}/batches/{batch.public_id}"
    assert alice.get(url).json()["payout_status"] == "waiting"

    wrong = result_file(tmp_path, batch, people["alice"], {}, **{"甲二": 5})
    refused = alice.post(
        f"{url}/results", {"file": SimpleUploadedFile("r.xlsx", wrong.read_bytes())}
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "warmth.payout.results_invalid"
    assert refused.json()["details"]["problems"]

    bob = login_as(people["bob"])
    path = result_file(tmp_path, batch, people["alice"], {"甲一": "账号不存在"})
    upload = path.read_bytes()
    assert (
        bob.post(f"{url}/results", {"file": SimpleUploadedFile("r.xlsx", upload)}).status_code
        == 404
    )
    assert bob.get(f"{url}/lines").status_code == 404

    response = alice.post(f"{url}/results", {"file": SimpleUploadedFile("r.xlsx", upload)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["paid"], body["paid_fen"], body["failed"], body["failed_fen"]) == (
        1,
        100_000,
        1,
        50_000,
    )
    lines = alice.get(f"{url}/lines").json()
    assert [(x["reference"], x["status"], x["reason"]) for x in lines] == [
        (f"{batch.batch_no}-0001", "failed", "账号不存在"),
        (f"{batch.batch_no}-0002", "paid", ""),
    ]
    again = alice.post(f"{url}/results", {"file": SimpleUploadedFile("r.xlsx", upload)})
    assert again.status_code == 409 and again.json()["code"] == "warmth.payout.settled"
    report = alice.get(f"{API}/campaigns/W1/report").json()
    assert (report["total"]["delivered"], report["total"]["spent_fen"]) == (1, 120_000)
    assert report["total"]["pending_fen"] == 0


def test_groups_are_replaced_through_the_api(login_as, people, dora, listed, tree) -> None:
    city = login_as(dora)
    groups = city.get(f"{API}/campaigns/W1").json()["groups"]
    groups[1]["cash_fen"] = 60_000
    payload = {"groups": [groups[1], groups[0], *groups[2:]]}
    alice = login_as(people["alice"])
    assert (
        alice.put(
            f"{API}/campaigns/W1/groups", payload, content_type="application/json"
        ).status_code
        == 403
    )
    response = city.put(f"{API}/campaigns/W1/groups", payload, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["targets_stale"] is True and body["rebuild_job"]
    assert [g["code"] for g in body["groups"]][:2] == ["hardship", "hardship_model"]
    hand_out = alice.post(
        f"{API}/campaigns/W1/distributions",
        {
            "union": "UA",
            "targets": [str(Target.objects.get(member=listed["a1"]).public_id)],
            "method": "cash",
            "distributed_on": "2026-12-20",
        },
        content_type="application/json",
    )
    assert hand_out.status_code == 400 and hand_out.json()["code"] == "warmth.targets_stale"

    duplicate = city.put(
        f"{API}/campaigns/W1/groups",
        {"groups": [groups[0], groups[0]]},
        content_type="application/json",
    )
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "warmth.groups_invalid"
    assert city.put(
        f"{API}/campaigns/W1/groups", {"groups": []}, content_type="application/json"
    ).status_code in (400, 422)
