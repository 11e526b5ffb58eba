from __future__ import annotations

import pytest

from gonghui.assessment.models import BodyState
from gonghui.assessment.tests.conftest import leaf

pytestmark = pytest.mark.django_db


def test_the_registry_lists_the_programs_indicators(login_as, carol) -> None:
    rows = login_as(carol).get("/api/v1/assessment/indicators").json()
    codes = {row["code"]: row for row in rows}
    assert {"members.registered", "members.joined", "members.new_form_workers"} <= set(codes)
    assert codes["mutualaid.enrolment_rate"]["unit"] == "%"
    assert codes["mutualaid.payout_days_avg"]["higher_is_better"] is False
    assert "professors.sessions_held" not in codes


def test_plans_tree_and_bodies(
    login_as, olga, carol, bodies, django_assert_max_num_queries
) -> None:
    year = bodies["a"].plan.year
    client = login_as(carol)
    assert client.get("/api/v1/assessment/plans").json()[0]["year"] == year
    tree = client.get(f"/api/v1/assessment/plans/{year}/tree").json()
    assert tree[0]["kind"] == "county" and tree[0]["problems"] == []
    assert [c["weight"] for c in tree[0]["categories"]] == ["60.00", "40.00"]
    with django_assert_max_num_queries(12):
        listed = client.get(f"/api/v1/assessment/plans/{year}/bodies").json()
    assert [b["name"] for b in listed["items"]] == ["甲区总工会"]
    office = login_as(olga)
    assert office.get(f"/api/v1/assessment/plans/{year}/bodies").json()["count"] == 2
    response = office.post(
        f"/api/v1/assessment/plans/{year}/indicators",
        {"body_kind": "department", "name": "部门工作", "weight": "100"},
        content_type="application/json",
    )
    assert response.status_code == 201
    refused = client.post(
        "/api/v1/assessment/plans", {"year": 2040, "name": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_the_workflow_through_the_api(login_as, olga, carol, dave, bodies) -> None:
    body = bodies["a"]
    node = leaf(body.plan, "帮扶户数")
    client = login_as(carol)
    base = f"/api/v1/assessment/bodies/{body.public_id}"
    card = client.get(f"{base}/scorecard").json()
    professors = next(
        line
        for g in card["groups"]
        for line in g["lines"]
        if line["indicator_code"] == "professors.sessions_held"
    )
    assert professors["actual"] is None and professors["points"] is None
    missing = client.put(
        f"{base}/values/{node.public_id}", {"value": "9"}, content_type="application/json"
    )
    assert missing.status_code == 400 and missing.json()["code"] == "assessment.evidence_missing"
    line = client.put(
        f"{base}/values/{node.public_id}",
        {"value": "9", "evidence_link": "https://example.org/a"},
        content_type="application/json",
    ).json()
    assert line["actual"] == "9.00" and line["points"] == "90.00"
    illegal = client.post(f"{base}/transitions", {"to": "final"}, content_type="application/json")
    assert illegal.status_code == 400 and illegal.json()["code"] == "assessment.transition_invalid"
    assert (
        client.post(
            f"{base}/transitions", {"to": "review"}, content_type="application/json"
        ).json()["state"]
        == BodyState.REVIEW
    )
    office = login_as(olga)
    adjusted = office.put(
        f"{base}/values/{node.public_id}/review",
        {"value": "8", "reason": "一户不符合"},
        content_type="application/json",
    ).json()
    assert adjusted["adjusted"] is True and adjusted["actual"] == "8.00"
    final = office.post(
        f"{base}/transitions", {"to": "final"}, content_type="application/json"
    ).json()
    assert final["state"] == "final" and final["total_score"] is not None
    ranking = (
        login_as(dave).get(f"/api/v1/assessment/plans/{body.plan.year}/rankings?kind=county").json()
    )
    assert [(p["rank"], p["body"]["name"]) for p in ranking] == [
        (1, "甲区总工会"),
        (None, "乙区总工会"),
    ]


def test_another_county_gets_404_before_final(login_as, dave, bodies) -> None:
    base = f"/api/v1/assessment/bodies/{bodies['a'].public_id}"
    client = login_as(dave)
    assert client.get(f"{base}/scorecard").status_code == 404
    node = leaf(bodies["a"].plan, "帮扶户数")
    response = client.put(
        f"{base}/values/{node.public_id}",
        {"value": "9", "evidence_link": "https://example.org/a"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert (
        client.post(
            f"{base}/transitions", {"to": "review"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_outsiders_of_the_program_get_403(login_as, people, bodies) -> None:
    assert login_as(people["alice"]).get("/api/v1/assessment/indicators").status_code == 403
