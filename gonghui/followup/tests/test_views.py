"""The pages of 督查督办 with the outsider at hand: bob (officer of union B) sees nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.audit.models import AuditEntry
from gonghui.followup.models import ActionItem, Meeting
from gonghui.followup.tests.conftest import PDF, make_item

pytestmark = pytest.mark.django_db


def xlsx_rows(content: bytes) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_the_list_shows_items_and_overdue_per_department(
    tree, login_as, olga, city_item, item_a, item_b, django_assert_max_num_queries
) -> None:
    for n in range(5):
        make_item(olga, olga, tree["city"], date(2026, 11, 1 + n), title=f"逾期{n}")
    client = login_as(olga)
    with django_assert_max_num_queries(16):
        html = client.get("/w/followup/").content.decode()
    assert "市级事项" in html and "甲区事项" in html and "乙区事项" in html
    assert 'data-testid="overdue-by-department"' in html and "逾期0" in html
    filtered = client.get("/w/followup/?overdue=on&department=security").content.decode()
    assert "甲区事项" in filtered and "市级事项" not in filtered and "逾期0" in filtered


def test_a_county_sees_its_subtree_and_an_officer_nothing(
    login_as, people, city_item, item_a, item_b
) -> None:
    html = login_as(people["carol"]).get("/w/followup/").content.decode()
    assert "甲区事项" in html and "乙区事项" not in html and "市级事项" not in html
    assert (
        login_as(people["carol"]).get(f"/w/followup/items/{item_b.public_id}/").status_code == 404
    )
    bob = login_as(people["bob"])
    assert bob.get("/w/followup/").status_code == 403
    assert bob.get(f"/w/followup/items/{item_a.public_id}/").status_code == 404
    assert (
        bob.post(
            f"/w/followup/items/{item_a.public_id}/progress/", {"text": "x", "percent": "5"}
        ).status_code
        == 404
    )


def test_the_owner_reports_progress_and_closes_with_a_file(login_as, sam, city_item) -> None:
    client = login_as(sam)
    assert "市级事项" in client.get("/w/followup/mine/").content.decode()
    assert client.get("/w/followup/").status_code == 403  # no 督办 permission: only their own
    url = f"/w/followup/items/{city_item.public_id}/"
    response = client.post(url + "progress/", {"text": "已起草", "percent": "50"})
    assert response.status_code == 302
    refused = client.post(url + "close/", {"evidence_text": "办完了", "evidence_link": ""})
    assert refused.status_code == 400 and "办结须有佐证" in refused.content.decode()
    bad = client.post(
        url + "close/",
        {"evidence_text": "办完了", "evidence_file": SimpleUploadedFile("a.pdf", b"not a pdf")},
    )
    assert bad.status_code == 400 and "不是 PDF" in bad.content.decode()
    done = client.post(
        url + "close/",
        {"evidence_text": "办完了", "evidence_file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert done.status_code == 302
    city_item.refresh_from_db()
    assert city_item.status == "closed" and city_item.evidence_type == "application/pdf"
    download = client.get(url + "evidence/")
    assert download.status_code == 200 and download.content == PDF
    assert "重新打开" not in client.get(url).content.decode()  # the owner cannot reopen


def test_cancel_and_reopen_by_the_office(login_as, olga, city_item) -> None:
    client = login_as(olga)
    url = f"/w/followup/items/{city_item.public_id}/"
    assert client.post(url + "cancel/", {"reason": ""}).status_code == 400
    assert client.post(url + "cancel/", {"reason": "并入其他事项"}).status_code == 302
    city_item.refresh_from_db()
    assert city_item.status == "cancelled"


def test_new_item_counts_working_days(login_as, olga, sam, today) -> None:
    response = login_as(olga).post(
        "/w/followup/items/new/",
        {"title": "春节前慰问", "owner": "sam", "working_days": "3", "priority": "high"},
    )
    assert response.status_code == 302
    item = ActionItem.objects.get(title="春节前慰问")
    assert item.deadline == date(2026, 12, 2) and item.priority == "high"  # Fri + 3 working days
    unknown = login_as(olga).post(
        "/w/followup/items/new/",
        {"title": "x", "owner": "nobody", "deadline": "2026-12-01", "priority": "normal"},
    )
    assert unknown.status_code == 200 and "没有这个工作人员账号" in unknown.content.decode()


def test_meeting_decisions_become_items_on_the_page(login_as, olga, sam, people) -> None:
    client = login_as(olga)
    response = client.post(
        "/w/followup/meetings/new/",
        {"kind": "joint", "title": "2026年联席会议", "held_on": "2026-03-18", "agenda": "议题一"},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    url = f"/w/followup/meetings/{meeting.public_id}/"
    client.post(url + "decisions/", {"text": "新建服务站点30个"})
    decision = meeting.decisions.get()
    response = client.post(
        f"/w/followup/decisions/{decision.public_id}/items/",
        {
            "d1-title": "新建服务站点",
            "d1-owner": "sam",
            "d1-deadline": "2027-03-31",
            "d1-priority": "normal",
        },
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "新建服务站点30个" in html and "新建服务站点" in html
    assert client.get("/w/followup/meetings/").status_code == 200
    assert login_as(people["carol"]).get(url).status_code == 404  # a city meeting


def test_exports_are_audited(login_as, olga, city_item, item_a) -> None:
    client = login_as(olga)
    response = client.get("/w/followup/export/")
    rows = xlsx_rows(b"".join(response.streaming_content))
    assert rows[0][0] == "事项" and {r[0] for r in rows[1:]} == {"市级事项", "甲区事项"}
    overdue = xlsx_rows(b"".join(client.get("/w/followup/overdue/export/").streaming_content))
    assert [r[0] for r in overdue[1:]] == ["甲区事项"]
    assert AuditEntry.objects.filter(action="followup.items.exported").count() == 2
