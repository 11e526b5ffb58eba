"""Writes of 对标找差距: reference data and figures, the problem → measure chain (measures are
督办 action items made through `followup.services.action_item_create`), study visits with their
reflections and takeaways, and the work plan. Each one user action, in one transaction, audited.
Benchmarking is the city federation's: writes need assessment.change at the city."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.models import User
from gonghui.accounts.scoping import require_perm
from gonghui.audit.log import log_action
from gonghui.benchmarking.models import (
    BenchmarkCity,
    BenchmarkIndicator,
    CityValue,
    CounterpartMeeting,
    Measure,
    OwnValue,
    Problem,
    Reflection,
    StudyVisit,
    Takeaway,
    WorkPlan,
    WorkPlanItem,
)
from gonghui.benchmarking.selectors import GapReport
from gonghui.core import indicators
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.followup import services as followup
from gonghui.followup.models import Priority
from gonghui.orgs.models import Department, Union

CHANGE = "assessment.change"
SOURCE_KIND = "benchmarking.problem"
YEARS = range(2000, 2100)


def _city_union(by: Any) -> Union:
    union = followup.city_union()
    require_perm(by, CHANGE, union.path)
    return union


def _year(year: int) -> int:
    if year not in YEARS:
        raise DomainError("benchmarking.year_invalid", _("年度须在 2000 到 2099 之间"))
    return year


# -- reference data and figures --------------------------------------------------------------


def city_save(
    *, by: Any, code: str, name: str, province: str = "", note: str = "", sort_order: int = 0
) -> BenchmarkCity:
    """A benchmark city, new or changed (by its code)."""
    union = _city_union(by)
    if not name.strip():
        raise DomainError("benchmarking.city_name", _("请填写城市名称"))
    with transaction.atomic():
        city, created = BenchmarkCity.objects.update_or_create(
            code=code,
            defaults={
                "name": name.strip(),
                "province": province.strip(),
                "note": note.strip(),
                "sort_order": sort_order,
            },
        )
        log_action(
            "benchmarking.city.created" if created else "benchmarking.city.updated",
            actor=by,
            obj=city,
            object_repr=city.name,
            union_path=union.path,
        )
    return city


def indicator_save(
    *,
    by: Any,
    code: str,
    name: str,
    unit: str = "",
    higher_is_better: bool = True,
    registry_code: str = "",
    note: str = "",
    sort_order: int = 0,
) -> BenchmarkIndicator:
    union = _city_union(by)
    if not name.strip():
        raise DomainError("benchmarking.indicator_name", _("请填写指标名称"))
    if registry_code and indicators.get(registry_code) is None:
        raise DomainError(
            "benchmarking.registry_code_unknown",
            _("平台没有代码为 %(code)s 的指标；不确定时留空，手工填报本市数值")
            % {"code": registry_code},
        )
    with transaction.atomic():
        indicator, created = BenchmarkIndicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name.strip(),
                "unit": unit.strip(),
                "higher_is_better": higher_is_better,
                "registry_code": registry_code.strip(),
                "note": note.strip(),
                "sort_order": sort_order,
            },
        )
        log_action(
            "benchmarking.indicator.created" if created else "benchmarking.indicator.updated",
            actor=by,
            obj=indicator,
            object_repr=indicator.name,
            union_path=union.path,
            changes={"registry_code": indicator.registry_code, "higher": higher_is_better},
        )
    return indicator


def _figure_check(value: Decimal, source: str) -> None:
    if not source.strip():
        raise DomainError("benchmarking.source_missing", _("请填写数据来源（文件、报告或网址）"))
    if not value.is_finite() or abs(value) >= Decimal(10) ** 14:
        raise DomainError("benchmarking.value_invalid", _("数值不正确"))


def city_value_set(
    *,
    by: Any,
    city: BenchmarkCity,
    indicator: BenchmarkIndicator,
    year: int,
    value: Decimal,
    source: str,
    source_date: date,
) -> CityValue:
    """A benchmark city's figure for a year; entering it again replaces it (on record)."""
    union = _city_union(by)
    _figure_check(value, source)
    with transaction.atomic():
        before = (
            CityValue.objects.filter(city=city, indicator=indicator, year=_year(year))
            .values_list("value", flat=True)
            .first()
        )
        row, _created = CityValue.objects.update_or_create(
            city=city,
            indicator=indicator,
            year=year,
            defaults={
                "value": value,
                "source": source.strip(),
                "source_date": source_date,
                "entered_by": by,
            },
        )
        log_action(
            "benchmarking.value.set",
            actor=by,
            object_repr=f"{city.name} {indicator.name} {year}",
            union_path=union.path,
            changes={"value": [str(before) if before is not None else None, str(value)]},
        )
    return row


def own_value_set(
    *,
    by: Any,
    indicator: BenchmarkIndicator,
    year: int,
    value: Decimal,
    source: str,
    source_date: date,
) -> OwnValue:
    """The own city's figure by hand (the platform's live figure wins where it has one)."""
    union = _city_union(by)
    _figure_check(value, source)
    with transaction.atomic():
        before = (
            OwnValue.objects.filter(indicator=indicator, year=_year(year))
            .values_list("value", flat=True)
            .first()
        )
        row, _created = OwnValue.objects.update_or_create(
            indicator=indicator,
            year=year,
            defaults={
                "value": value,
                "source": source.strip(),
                "source_date": source_date,
                "entered_by": by,
            },
        )
        log_action(
            "benchmarking.own_value.set",
            actor=by,
            object_repr=f"{indicator.name} {year}",
            union_path=union.path,
            changes={"value": [str(before) if before is not None else None, str(value)]},
        )
    return row


# -- the chain: problem → measures -----------------------------------------------------------


def problem_create(
    *, by: Any, indicator: BenchmarkIndicator, year: int, text: str, department: Department
) -> Problem:
    union = _city_union(by)
    if not text.strip():
        raise DomainError("benchmarking.problem_text", _("请写明问题"))
    with transaction.atomic():
        problem = Problem.objects.create(
            union=union,
            indicator=indicator,
            year=_year(year),
            text=text.strip(),
            department=department,
            created_by=by,
        )
        log_action(
            "benchmarking.problem.created",
            actor=by,
            obj=problem,
            object_repr=problem.text[:60],
            union_path=union.path,
            changes={"indicator": indicator.code, "year": year, "department": department.code},
        )
    return problem


def measure_create(
    *,
    by: Any,
    problem: Problem,
    title: str,
    owner: User,
    deadline: date,
    expected_effect: str,
    department: Department | None = None,
    priority: str = Priority.NORMAL,
    description: str = "",
) -> Measure:
    """定措施: an action item of 督查督办 that follows the problem up, with its expected effect."""
    if not expected_effect.strip():
        raise DomainError("benchmarking.expected_effect", _("请写明预期效果"))
    with transaction.atomic():
        item = followup.action_item_create(
            by=by,
            title=title,
            owner=owner,
            deadline=deadline,
            department=department or problem.department,
            union=problem.union,
            priority=priority,
            source_kind=SOURCE_KIND,
            source_ref=str(problem.public_id),
            description=description,
        )
        measure = Measure.objects.create(
            problem=problem, item=item, expected_effect=expected_effect.strip()
        )
        log_action(
            "benchmarking.measure.created",
            actor=by,
            obj=measure,
            object_repr=item.title,
            union_path=problem.union.path,
            changes={"problem": str(problem.public_id), "item": str(item.public_id)},
        )
    return measure


# -- study visits ----------------------------------------------------------------------------


def visit_create(
    *,
    by: Any,
    city: BenchmarkCity,
    title: str,
    starts_on: date,
    ends_on: date,
    participants: Sequence[User],
) -> StudyVisit:
    union = _city_union(by)
    if ends_on < starts_on:
        raise DomainError("benchmarking.visit_dates", _("结束日期不能早于开始日期"))
    if not title.strip():
        raise DomainError("benchmarking.visit_title", _("请填写考察主题"))
    with transaction.atomic():
        visit = StudyVisit.objects.create(
            union=union,
            city=city,
            title=title.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=by,
        )
        visit.participants.set(participants)
        log_action(
            "benchmarking.visit.created",
            actor=by,
            obj=visit,
            object_repr=visit.title,
            union_path=union.path,
            changes={"city": city.code, "participants": [u.username for u in participants]},
        )
    return visit


def counterpart_add(
    *, by: Any, visit: StudyVisit, our_department: Department, their_department: str, notes: str
) -> CounterpartMeeting:
    union = _city_union(by)
    if not their_department.strip():
        raise DomainError("benchmarking.their_department", _("请填写对方部门"))
    with transaction.atomic():
        row = CounterpartMeeting.objects.create(
            visit=visit,
            our_department=our_department,
            their_department=their_department.strip(),
            notes=notes.strip(),
        )
        log_action(
            "benchmarking.visit.counterpart_added",
            actor=by,
            obj=visit,
            object_repr=visit.title,
            union_path=union.path,
            changes={"ours": our_department.code, "theirs": row.their_department},
        )
    return row


def reflection_submit(*, by: Any, visit: StudyVisit, text: str) -> Reflection:
    """心得体会: each participant writes their own, once (a second submission replaces it)."""
    if not getattr(by, "pk", None) or not visit.participants.filter(pk=by.pk).exists():
        raise Forbidden("benchmarking.not_participant", _("只有参加考察的人员可以提交心得体会"))
    if len(text.strip()) < 20:
        raise DomainError("benchmarking.reflection_short", _("心得体会至少写 20 个字"))
    with transaction.atomic():
        reflection, created = Reflection.objects.update_or_create(
            visit=visit, author=by, defaults={"text": text.strip()}
        )
        log_action(
            "benchmarking.reflection.submitted" if created else "benchmarking.reflection.revised",
            actor=by,
            obj=visit,
            object_repr=visit.title,
            union_path=visit.union.path,
        )
    return reflection


def takeaway_add(*, by: Any, visit: StudyVisit, text: str) -> Takeaway:
    union = _city_union(by)
    if not text.strip():
        raise DomainError("benchmarking.takeaway_text", _("请写明启示"))
    with transaction.atomic():
        takeaway = Takeaway.objects.create(visit=visit, text=text.strip(), created_by=by)
        log_action(
            "benchmarking.takeaway.added",
            actor=by,
            obj=visit,
            object_repr=visit.title,
            union_path=union.path,
        )
    return takeaway


def _unused(takeaway: Takeaway) -> None:
    if takeaway.measure_id or takeaway.plan_item_id:
        raise Conflict("benchmarking.takeaway_used", _("这条启示已经转为措施或计划任务"))


def takeaway_to_measure(
    *,
    by: Any,
    takeaway: Takeaway,
    problem: Problem,
    owner: User,
    deadline: date,
    expected_effect: str,
    title: str = "",
) -> Measure:
    with transaction.atomic():
        # Lock the takeaway: turning it into two things at once must not both succeed.
        takeaway = Takeaway.objects.select_for_update().get(pk=takeaway.pk)
        _unused(takeaway)
        measure = measure_create(
            by=by,
            problem=problem,
            title=title or takeaway.text[:200],
            owner=owner,
            deadline=deadline,
            expected_effect=expected_effect,
            description=takeaway.text,
        )
        takeaway.measure = measure
        takeaway.save(update_fields=["measure"])
    return measure


def plan_item_add(
    *, by: Any, year: int, text: str, department: Department | None = None
) -> WorkPlanItem:
    union = _city_union(by)
    if not text.strip():
        raise DomainError("benchmarking.plan_text", _("请写明工作任务"))
    with transaction.atomic():
        plan, _created = WorkPlan.objects.get_or_create(
            year=_year(year), defaults={"title": _("%(year)s年度工作计划") % {"year": year}}
        )
        item = WorkPlanItem.objects.create(
            plan=plan, text=text.strip(), department=department, created_by=by
        )
        log_action(
            "benchmarking.plan_item.added",
            actor=by,
            obj=item,
            object_repr=item.text[:60],
            union_path=union.path,
            changes={"year": year},
        )
    return item


def takeaway_to_plan_item(
    *, by: Any, takeaway: Takeaway, year: int, department: Department | None = None
) -> WorkPlanItem:
    with transaction.atomic():
        takeaway = Takeaway.objects.select_for_update().get(pk=takeaway.pk)
        _unused(takeaway)
        item = plan_item_add(by=by, year=year, text=takeaway.text, department=department)
        takeaway.plan_item = item
        takeaway.save(update_fields=["plan_item"])
    return item


# -- exports ---------------------------------------------------------------------------------

STATE_LABELS = {
    "none": gettext_lazy("未定措施"),
    "in_progress": gettext_lazy("整改中"),
    "overdue": gettext_lazy("有逾期"),
    "closed": gettext_lazy("已整改"),
    "ahead": gettext_lazy("无差距"),
}


def gap_export(*, by: Any, report: GapReport) -> tuple[list[str], Iterator[list[Any]]]:
    """The gap report as a sheet: one row per indicator, each city's value and gap."""
    log_action(
        "benchmarking.gaps.exported",
        actor=by,
        object_repr=_("对标差距导出"),
        changes={"year": report.year},
    )
    headers = ["指标", "单位", "方向", "本市", "本市来源"]
    for city in report.cities:
        headers += [city.name, f"与{city.name}差距", f"与{city.name}相对差距(%)"]
    headers += ["最优值", "与最优差距", "与最优相对差距(%)", "措施", "逾期", "已办结", "状态"]

    def number(value: Decimal | None) -> Any:
        return "" if value is None else value

    def rows() -> Iterator[list[Any]]:
        for row in report.rows:
            line: list[Any] = [
                row.indicator.name,
                row.indicator.unit,
                "越高越好" if row.indicator.higher_is_better else "越低越好",
                number(row.own),
                {"platform": "平台实时", "manual": "手工填报"}.get(row.own_source, "无数据"),
            ]
            for city_gap in row.cities:
                line += [
                    number(city_gap.value),
                    number(city_gap.gap.absolute),
                    number(city_gap.gap.relative),
                ]
            line += [
                number(row.best),
                number(row.best_gap.absolute),
                number(row.best_gap.relative),
                row.measures,
                row.overdue,
                row.closed,
                str(STATE_LABELS[row.state]),
            ]
            yield line

    return headers, rows()
