"""/api/v1/assessment/actions/: items with filters, create, progress, close, cancel; meetings
and decisions. The outsider gets 404."""

from __future__ import annotations

import pytest

from gonghui.followup.models import ActionItem

pytestmark = pytest.mark.django_db

API = "/api/v1/assessment/actions"


def post(client, url: str, body: dict) -> object:
    return client.post(url, body, content_type="application/json")


def test_items_are_listed_with_filters_and_scoped(
    login_as, olga, people, city_item, item_a, item_b
) -> None:
    client = login_as(olga)
    body = client.get(f"{API}/items").json()
    assert body["count"] == 3
    overdue = client.get(f"{API}/items?overdue=true").json()
    assert [i["title"] for i in overdue["items"]] == ["甲区事项"] and overdue["items"][0]["overdue"]
    security = client.get(f"{API}/items?department=security&status=open").json()
    assert security["count"] == 3
    carol = login_as(people["carol"]).get(f"{API}/items").json()
    assert [i["title"] for i in carol["items"]] == ["甲区事项"]
    bob = login_as(people["bob"])
    assert bob.get(f"{API}/items").status_code == 403
    assert bob.get(f"{API}/items/{item_a.public_id}").status_code == 404
    assert client.get(f"{API}/overdue-by-department").json() == [
        {"code": "security", "name": "保障部", "count": 1}
    ]


def test_create_progress_close_and_cancel(login_as, olga, sam, today) -> None:
    client = login_as(olga)
    created = post(
        client,
        f"{API}/items",
        {
            "title": "走访困难职工",
            "owner": "sam",
            "deadline": "2026-12-20",
            "department": "security",
        },
    )
    assert created.status_code == 201, created.content
    item_id = created.json()["id"]
    assert created.json()["union"] == "CITY" and created.json()["status"] == "open"
    owner = login_as(sam)
    progressed = post(owner, f"{API}/items/{item_id}/progress", {"text": "走访一半", "percent": 50})
    assert progressed.json()["status"] == "in_progress"
    refused = post(owner, f"{API}/items/{item_id}/close", {"evidence_text": "完成"})
    assert refused.status_code == 400 and refused.json()["code"] == "followup.evidence_missing"
    closed = post(
        owner,
        f"{API}/items/{item_id}/close",
        {"evidence_text": "完成", "evidence_link": "https://example.org/visit"},
    )
    assert closed.json()["status"] == "closed" and closed.json()["progress_percent"] == 100
    assert post(owner, f"{API}/items/{item_id}/cancel", {"reason": "x"}).status_code == 403
    other = ActionItem.objects.create(
        union=closed_union(), owner=sam, title="另一件", deadline=today, created_by=olga
    )
    cancelled = post(client, f"{API}/items/{other.public_id}/cancel", {"reason": "重复"})
    assert cancelled.json()["status"] == "cancelled"
    mine = owner.get(f"{API}/items?mine=true").json()
    assert {i["title"] for i in mine["items"]} == {"走访困难职工", "另一件"}


def closed_union():
    from gonghui.orgs.models import Union

    return Union.objects.get(code="CITY")


def test_meetings_decisions_and_their_items(login_as, olga, people) -> None:
    client = login_as(olga)
    meeting = post(
        client,
        f"{API}/meetings",
        {"kind": "joint", "title": "联席会议", "held_on": "2026-03-18", "agenda": "一\n二"},
    )
    assert meeting.status_code == 201 and meeting.json()["agenda"] == ["一", "二"]
    meeting_id = meeting.json()["id"]
    decision = post(client, f"{API}/meetings/{meeting_id}/decisions", {"text": "建站点"})
    assert decision.json()["number"] == 1
    item = post(
        client,
        f"{API}/decisions/{decision.json()['id']}/items",
        {"title": "建站点", "owner": "olga", "deadline": "2027-03-31"},
    )
    assert item.status_code == 201 and item.json()["decision"] == decision.json()["id"]
    assert client.get(f"{API}/meetings/{meeting_id}").json()["decisions"][0]["text"] == "建站点"
    assert client.get(f"{API}/meetings").json()["count"] == 1
    assert login_as(people["carol"]).get(f"{API}/meetings/{meeting_id}").status_code == 404
