"""The working-day calendar kept as data: the national table from the `holidays` package plus
the CalendarOverride rows a system administrator keeps (a newly announced 调休, a local holiday).
Every change is audited; deadlines read it through `gonghui.core.workdays`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import holidays
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import require_perm
from gonghui.audit.log import log_action
from gonghui.core.errors import DomainError, NotFound
from gonghui.core.models import CalendarOverride
from gonghui.core.workdays import is_national_working_day

PERMISSION = "calendar.manage"
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class NationalDay:
    day: date
    name: str
    is_workday: bool


def national_days(year: int) -> list[NationalDay]:
    """The year's public holidays and make-up working weekends, as the package knows them."""
    language = "en_US" if (get_language() or "").startswith("en") else "zh_CN"
    calendar = holidays.country_holidays("CN", years=year, language=language)
    days = [NationalDay(day, str(name), False) for day, name in calendar.items()]
    days += [
        NationalDay(day, _("调休上班"), True)
        for day in calendar.weekend_workdays
        if day.year == year
    ]
    return sorted(days, key=lambda d: d.day)


def overrides(year: int) -> list[CalendarOverride]:
    return list(CalendarOverride.objects.filter(date__year=year))


def override_set(*, by: Any, day: date, is_workday: bool, note: str) -> CalendarOverride:
    require_perm(by, PERMISSION)
    note = " ".join(str(note or "").split())
    if not note:
        raise DomainError(
            "calendar.note_required", _("请写明调整的依据，例如国务院办公厅通知的文号")
        )
    if day.year not in YEARS:
        raise DomainError("calendar.year_out_of_range", _("只能调整 2000 年至 2100 年的日期"))
    if is_national_working_day(day) == is_workday:
        raise DomainError(
            "calendar.override_redundant",
            _("%(day)s 按国家日历本来就是%(kind)s，无需调整")
            % {"day": day.isoformat(), "kind": _("工作日") if is_workday else _("休息日")},
        )
    with transaction.atomic():
        row = CalendarOverride.objects.select_for_update().filter(date=day).first()
        before = None if row is None else {"is_workday": row.is_workday, "note": row.note}
        row, _created = CalendarOverride.objects.update_or_create(
            date=day, defaults={"is_workday": is_workday, "note": note}
        )
        log_action(
            "core.calendar.override_set",
            actor=by,
            obj=row,
            changes={
                "date": day.isoformat(),
                "is_workday": [None if before is None else before["is_workday"], is_workday],
                "note": [None if before is None else before["note"], note],
            },
        )
    return row


def override_remove(*, by: Any, day: date) -> None:
    require_perm(by, PERMISSION)
    with transaction.atomic():
        row = CalendarOverride.objects.select_for_update().filter(date=day).first()
        if row is None:
            raise NotFound("calendar.override_not_found", _("这一天没有调整记录"))
        log_action(
            "core.calendar.override_removed",
            actor=by,
            obj=row,
            changes={"date": day.isoformat(), "is_workday": [row.is_workday, None]},
        )
        row.delete()
