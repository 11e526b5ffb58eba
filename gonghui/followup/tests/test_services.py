"""Meetings, decisions and action items through the services: who may do what, closure only
with evidence, overdue detection and reminders."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.core.errors import DomainError, Forbidden
from gonghui.followup import selectors, services
from gonghui.followup.models import ActionItem, Reminder
from gonghui.followup.tests.conftest import PDF, TODAY, make_item

pytestmark = pytest.mark.django_db


def test_a_meeting_decision_becomes_an_item(tree, olga, sam, today) -> None:
    meeting = services.meeting_create(
        by=olga,
        kind="joint",
        title="联席会议",
        held_on=date(2026, 3, 18),
        agenda="议题一\n议题二\n",
    )
    first = services.decision_add(by=olga, meeting=meeting, text="建设户外劳动者服务站点")
    second = services.decision_add(by=olga, meeting=meeting, text="扩大互助保障")
    assert (first.number, second.number) == (1, 2)
    assert meeting.union == tree["city"] and meeting.agenda_items == ["议题一", "议题二"]

    item = services.decision_item_create(
        by=olga, decision=second, title="制定补助办法", owner=sam, deadline=date(2026, 12, 31)
    )
    assert item.decision == second and item.union == tree["city"]
    assert (item.source_kind, item.source_ref) == ("followup.decision", str(second.public_id))
    assert item.description == "扩大互助保障"
    assert list(selectors.items_of_decisions(meeting)) == [item]
    assert AuditEntry.objects.filter(action="followup.item.created").count() == 1


def test_any_program_creates_items_within_its_scope(tree, people, olga, sam, today) -> None:
    carol = people["carol"]
    item = services.action_item_create(
        by=carol,
        title="甲区自查",
        owner=carol,
        deadline=date(2026, 12, 10),
        source_kind="hardship.case",
        source_ref="K-1",
    )
    assert item.union == tree["county_a"]  # the top of her scope
    with pytest.raises(Forbidden):
        services.action_item_create(
            by=carol, title="越权", owner=carol, deadline=TODAY, union=tree["county_b"]
        )
    with pytest.raises(Forbidden):
        services.action_item_create(by=people["bob"], title="无权", owner=sam, deadline=TODAY)
    with pytest.raises(DomainError) as refused:
        services.action_item_create(by=olga, title="给会员", owner=people["member"], deadline=TODAY)
    assert refused.value.code == "followup.owner_invalid"


def test_progress_moves_an_open_item_in_progress(city_item, sam) -> None:
    item = services.action_item_progress(by=sam, item=city_item, text="已起草", percent=40)
    assert (item.status, item.progress_percent) == ("in_progress", 40)
    with pytest.raises(DomainError) as refused:
        services.action_item_progress(by=sam, item=item, text="完成", percent=100)
    assert refused.value.code == "followup.progress_percent"
    assert [e.kind for e in selectors.item_events(item)] == ["created", "progress"]


def test_closure_is_refused_without_evidence(city_item, sam) -> None:
    for text, link, upload, code in [
        ("", "https://example.org/x", None, "followup.evidence_text"),
        ("已完成", "", None, "followup.evidence_missing"),
        ("已完成", "not a link", None, "followup.evidence_link_invalid"),
        ("已完成", "", services.Upload("a.exe", b"MZ\x90\x00"), "followup.evidence_type"),
    ]:
        with pytest.raises(DomainError) as refused:
            services.action_item_close(
                by=sam, item=city_item, evidence_text=text, evidence_link=link, evidence_file=upload
            )
        assert refused.value.code == code
    city_item.refresh_from_db()
    assert city_item.status == "open" and not city_item.closed_at


def test_closure_with_a_checked_file_and_reopening(city_item, sam, olga) -> None:
    item = services.action_item_close(
        by=sam,
        item=city_item,
        evidence_text="办法已印发",
        evidence_file=services.Upload("a.pdf", PDF),
    )
    assert (item.status, item.progress_percent, item.evidence_type) == (
        "closed",
        100,
        "application/pdf",
    )
    assert services.evidence_read(by=olga, item=item) == PDF
    with pytest.raises(DomainError) as refused:
        services.action_item_close(
            by=sam, item=item, evidence_text="再办结", evidence_link="https://e.org"
        )
    assert refused.value.code == "followup.item.transition_invalid"
    with pytest.raises(Forbidden):
        services.action_item_reopen(by=sam, item=item, reason="佐证不足")  # owner, not 督办
    item = services.action_item_reopen(by=olga, item=item, reason="佐证不足")
    assert (item.status, item.progress_percent, item.closed_at) == ("in_progress", 99, None)


def test_cancelling_needs_the_program_and_a_reason(city_item, sam, olga) -> None:
    with pytest.raises(Forbidden):
        services.action_item_cancel(by=sam, item=city_item, reason="不需要了")
    with pytest.raises(DomainError):
        services.action_item_cancel(by=olga, item=city_item, reason=" ")
    item = services.action_item_cancel(by=olga, item=city_item, reason="并入其他事项")
    assert item.status == "cancelled"
    with pytest.raises(DomainError):
        services.action_item_progress(by=sam, item=item, text="继续", percent=10)


def test_overdue_items_per_department_and_scope(
    tree, people, olga, city_item, item_a, item_b
) -> None:
    old = make_item(olga, olga, tree["city"], date(2026, 11, 1), title="早已逾期", department=None)
    late = {i.title for i in selectors.item_list(actor=olga, overdue=True)}
    assert late == {"甲区事项", "早已逾期"}
    by_department = sorted(selectors.overdue_by_department(actor=olga), key=lambda r: r["code"])
    assert by_department == [
        {"code": "", "name": "", "count": 1},
        {"code": "security", "name": "保障部", "count": 1},
    ]
    carol = people["carol"]
    assert [i.title for i in selectors.item_list(actor=carol)] == ["甲区事项"]
    assert selectors.item_counts(actor=carol) == {"total": 1, "open": 1, "overdue": 1, "closed": 0}
    assert not selectors.item_list(actor=people["bob"]).exists()
    assert old.is_overdue


def test_an_owner_sees_their_items_without_the_program(sam, city_item, item_b, item_a) -> None:
    assert {i.title for i in selectors.item_list(actor=sam)} == {"市级事项", "乙区事项"}
    assert selectors.item_get(actor=sam, public_id=item_b.public_id) == item_b


def test_reminders_are_recorded_once_a_day(tree, olga, sam, today) -> None:
    make_item(olga, sam, tree["city"], date(2026, 11, 20), title="逾期")
    make_item(olga, sam, tree["city"], TODAY, title="今天")
    make_item(olga, sam, tree["city"], date(2026, 12, 2), title="三个工作日后")
    make_item(olga, sam, tree["city"], date(2026, 12, 3), title="还早")
    closed = make_item(olga, sam, tree["city"], date(2026, 11, 1), title="已办结")
    services.action_item_close(
        by=sam, item=closed, evidence_text="好", evidence_link="https://e.org"
    )

    first = services.reminders_run(today=TODAY)
    assert {(row["title"], row["kind"]) for row in first.due} == {
        ("逾期", "overdue"),
        ("今天", "due_today"),
        ("三个工作日后", "due_soon"),
    }
    assert first.new == 3 and first.summary()["overdue"] == 1
    again = services.reminders_run(today=TODAY)
    assert again.new == 0 and len(again.due) == 3
    assert Reminder.objects.count() == 3
    # A new day: the same three again, and the one due three working days after Monday.
    assert services.reminders_run(today=date(2026, 11, 30)).new == 4
    assert ActionItem.objects.count() == 5
