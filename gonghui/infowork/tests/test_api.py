"""The API under /api/v1/assessment/infowork/: the whole path, and B sees nothing of A."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.infowork import rules
from gonghui.infowork.tests.conftest import adopted, submit

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assessment/infowork"


def test_submit_adopt_publish_verify_rank(login_as, officer_a, xena, table) -> None:
    alice, editor = login_as(officer_a.user), login_as(xena)
    created = alice.post(
        f"{BASE}/submissions",
        {"title": "甲厂职工书屋开放", "body": "正文", "category": "news"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    piece = created.json()["id"]
    assert alice.get(f"{BASE}/submissions?mine=true").json()["count"] == 1
    moved = editor.post(
        f"{BASE}/submissions/{piece}/transitions",
        {"to": "adopted"},
        content_type="application/json",
    )
    assert moved.json()["status"] == "adopted"
    again = editor.post(
        f"{BASE}/submissions/{piece}/transitions",
        {"to": "returned", "reason": "x"},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["code"] == "infowork.transition_invalid"
    day = timezone.localdate() - timedelta(days=1)
    recorded = alice.post(
        f"{BASE}/publications",
        {
            "submission": piece,
            "level": "provincial",
            "outlet_kind": "newspaper",
            "outlet_name": "河南工人日报",
            "published_on": day.isoformat(),
            "placement": "headline",
            "link": "https://news.example.cn/a.html",
        },
        content_type="application/json",
    )
    assert recorded.status_code == 201 and recorded.json()["status"] == "claimed"
    publication = recorded.json()["id"]
    ranking = editor.get(f"{BASE}/rankings?year={day.year}").json()
    assert ranking[0]["total"] == "0.0" or float(ranking[0]["total"]) == 0
    assert (
        alice.post(
            f"{BASE}/publications/{publication}/verify",
            {"approve": True},
            content_type="application/json",
        ).status_code
        == 403
    )
    verified = editor.post(
        f"{BASE}/publications/{publication}/verify",
        {"approve": True},
        content_type="application/json",
    ).json()
    assert verified["status"] == "verified" and float(verified["points"]) == 10
    ranking = editor.get(f"{BASE}/rankings?year={day.year}&kind=union").json()
    assert (
        ranking[0]["key"] == "UA" and ranking[0]["rank"] == 1 and float(ranking[0]["total"]) == 10
    )
    month = editor.get(f"{BASE}/rankings?year={day.year}&month={day.month}&kind=officer").json()
    assert month[0]["key"] == str(officer_a.public_id)
    listed = editor.get(f"{BASE}/publications?status=verified").json()
    assert listed["count"] == 1


def test_points_tables_and_quotas(login_as, xena, table, officer_a) -> None:
    editor = login_as(xena)
    tables = editor.get(f"{BASE}/points-tables").json()
    assert [t["number"] for t in tables] == [1]
    year = timezone.localdate().year
    created = editor.post(
        f"{BASE}/points-tables",
        {
            "effective_from": f"{year + 1}-01-01",
            "publication_points": rules.DEFAULT_PUBLICATION_POINTS,
            "instruction_points": rules.DEFAULT_INSTRUCTION_POINTS,
            "shortfall_penalty": "3",
            "error_penalty": "5",
            "note": "明年",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["number"] == 2
    bad = editor.post(
        f"{BASE}/points-tables",
        {
            "effective_from": f"{year + 2}-01-01",
            "publication_points": {"national": {}},
            "instruction_points": rules.DEFAULT_INSTRUCTION_POINTS,
            "shortfall_penalty": "3",
            "error_penalty": "5",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "infowork.points_missing"
    quota = editor.put(
        f"{BASE}/quotas",
        {"year": year, "union": "UA", "pieces": 3, "points": "20"},
        content_type="application/json",
    )
    assert quota.status_code == 200 and quota.json()["missing_pieces"] == 3
    assert quota.json()["penalty"] in ("6.0", "6", 6)
    assert len(editor.get(f"{BASE}/quotas?year={year}").json()) == 1


def test_b_sees_nothing_of_a(login_as, officer_a, officer_b, xena, table, people) -> None:
    piece = adopted(officer_a, xena)
    bob = login_as(people["bob"])
    assert bob.get(f"{BASE}/submissions/{piece.public_id}").status_code == 404
    assert (
        bob.post(
            f"{BASE}/submissions/{piece.public_id}/transitions",
            {"to": "withdrawn"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert bob.get(f"{BASE}/submissions?mine=true").json()["count"] == 0
    assert bob.get(f"{BASE}/submissions").status_code == 403
    assert bob.get(f"{BASE}/rankings").status_code == 403
    carol = login_as(people["carol"])
    assert carol.get(f"{BASE}/submissions").json()["count"] == 1
    submit(officer_b)
    assert carol.get(f"{BASE}/submissions").json()["count"] == 1
    assert carol.get(f"{BASE}/officers").json()["count"] == 1


def test_officers_are_appointed_by_staff(login_as, xena, people, tree) -> None:
    editor = login_as(xena)
    made = editor.post(
        f"{BASE}/officers", {"username": "alice", "union": "UA"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["union"] == "UA"
    carol = login_as(people["carol"])
    refused = carol.post(
        f"{BASE}/officers", {"username": "bob", "union": "UB"}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "infowork.union_unknown"
