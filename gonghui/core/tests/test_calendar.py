"""The working-day calendar page: the system administrator adds and removes overrides, each
audited, and deadlines follow them at once; nobody else may touch it."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.core import holiday_calendar
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.models import CalendarOverride
from gonghui.core.workdays import add_working_days, is_working_day

pytestmark = pytest.mark.django_db

PAGE = "/w/calendar/"
SATURDAY = date(2027, 3, 6)
MONDAY = date(2027, 3, 8)


def test_an_override_makes_a_saturday_a_working_day_and_is_audited(people) -> None:
    holiday_calendar.override_set(
        by=people["sysadmin"], day=SATURDAY, is_workday=True, note="国办发明电〔2026〕1号"
    )
    assert is_working_day(SATURDAY)
    assert add_working_days(date(2027, 3, 5), 1) == SATURDAY
    entry = AuditEntry.objects.get(action="core.calendar.override_set")
    assert entry.changes["is_workday"] == [None, True]


def test_removing_it_restores_the_national_calendar(people) -> None:
    holiday_calendar.override_set(
        by=people["sysadmin"], day=MONDAY, is_workday=False, note="地方节日"
    )
    holiday_calendar.override_remove(by=people["sysadmin"], day=MONDAY)
    assert is_working_day(MONDAY)
    assert AuditEntry.objects.filter(action="core.calendar.override_removed").count() == 1


def test_an_override_that_changes_nothing_is_refused(people) -> None:
    with pytest.raises(DomainError) as caught:
        holiday_calendar.override_set(by=people["sysadmin"], day=MONDAY, is_workday=True, note="x")
    assert caught.value.code == "calendar.override_redundant"


def test_a_reason_is_required(people) -> None:
    with pytest.raises(DomainError) as caught:
        holiday_calendar.override_set(
            by=people["sysadmin"], day=SATURDAY, is_workday=True, note=" "
        )
    assert caught.value.code == "calendar.note_required"


@pytest.mark.parametrize("who", ["alice", "carol", "secadmin", "auditor"])
def test_nobody_but_the_system_administrator_may_change_it(people, who) -> None:
    with pytest.raises(Forbidden):
        holiday_calendar.override_set(by=people[who], day=SATURDAY, is_workday=True, note="x")
    assert not CalendarOverride.objects.exists()


def test_the_page_lists_the_national_holidays_and_saves_an_override(people, login_as) -> None:
    client = login_as(people["sysadmin"])
    page = client.get(PAGE, {"year": 2026})
    assert page.status_code == 200
    text = page.content.decode()
    assert "春节" in text and "2026-02-14" in text  # a holiday and a make-up working Saturday
    answer = client.post(
        PAGE + "?year=2027", {"day": "2027-03-06", "is_workday": "1", "note": "调休通知"}
    )
    assert answer.status_code == 302
    assert CalendarOverride.objects.get(date=SATURDAY).is_workday
    assert "调休通知" in client.get(PAGE, {"year": 2027}).content.decode()
    client.post(PAGE + "2027-03-06/remove/")
    assert not CalendarOverride.objects.exists()


def test_the_page_explains_a_refusal_in_the_form(people, login_as) -> None:
    client = login_as(people["sysadmin"])
    page = client.post(PAGE, {"day": "2027-03-08", "is_workday": "1", "note": "x"})
    assert page.status_code == 200
    assert "无需调整" in page.content.decode()


def test_other_staff_get_403(people, login_as) -> None:
    assert login_as(people["alice"]).get(PAGE).status_code == 403
    assert login_as(people["carol"]).post(PAGE + "2027-03-06/remove/").status_code == 403
