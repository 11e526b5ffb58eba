"""The gap report from the figures, and the chain gap → problem → measures → closure with
overdue detection (time frozen), closure refused without evidence, study visits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.benchmarking import selectors, services
from gonghui.benchmarking.models import Takeaway
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.followup import services as followup
from gonghui.followup.models import ActionItem
from gonghui.orgs.models import Department

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_gap_report_sorted_by_relative_gap(olga, figures) -> None:
    report = selectors.gap_report(actor=olga, year=2026)
    assert [row.indicator.code for row in report.rows] == ["stations", "days", "rate"]
    stations, days, rate = report.rows
    assert (stations.own, stations.own_source, stations.best) == (D("150"), "manual", D("300"))
    assert (stations.best_gap.absolute, stations.best_gap.relative) == (D("150"), D("50.00"))
    assert [c.gap.relative for c in stations.cities] == [D("50.00"), D("16.67")]
    assert (days.best, days.best_gap.absolute, days.best_gap.relative) == (
        D("10"),
        D("4"),
        D("40.00"),
    )
    assert [c.gap.relative for c in days.cities] == [D("16.67"), D("40.00")]
    # live from the registry in 2026 (80, not the manual 99); 2025 has no live figure: manual 70
    assert (rate.own, rate.own_source, rate.best_gap.relative) == (D("80"), "platform", D("20.00"))
    assert rate.previous_best_gap.relative == D("22.22") and rate.relative_change == D("-2.22")
    assert all(row.state == "none" for row in report.rows)
    assert report.counts == {
        "indicators": 3,
        "behind": 3,
        "without_measures": 3,
        "overdue": 0,
        "closed": 0,
    }


def test_a_year_without_figures_has_no_gaps_not_zero(olga, figures) -> None:
    report = selectors.gap_report(actor=olga, year=2024)
    assert {row.best_gap.relative for row in report.rows} == {None}
    assert {row.own for row in report.rows if row.indicator.code != "rate"} == {None}


def test_the_chain_from_gap_to_closed_measures(olga, sam, figures, problem, monkeypatch) -> None:
    first = services.measure_create(
        by=olga,
        problem=problem,
        title="新建站点",
        owner=sam,
        deadline=date(2026, 11, 30),
        expected_effect="年底新增50个站点",
    )
    second = services.measure_create(
        by=olga,
        problem=problem,
        title="改造旧站点",
        owner=sam,
        deadline=date(2026, 12, 31),
        expected_effect="改造30个站点",
    )
    item = first.item
    assert (item.source_kind, item.source_ref) == ("benchmarking.problem", str(problem.public_id))
    assert item.department.code == "production" and item.union == problem.union

    def stations_row():
        return selectors.gap_report(actor=olga, year=2026).rows[0]

    row = stations_row()
    assert (row.problems, row.measures, row.overdue, row.closed, row.state) == (
        1,
        2,
        0,
        0,
        "in_progress",
    )

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 12, 1))  # time passes
    row = stations_row()
    assert (row.overdue, row.state) == (1, "overdue")

    followup.action_item_progress(by=sam, item=item, text="已建30个", percent=60)
    with pytest.raises(DomainError):
        followup.action_item_close(by=sam, item=item, evidence_text="已建成")  # no evidence
    assert stations_row().state == "overdue"
    followup.action_item_close(
        by=sam, item=item, evidence_text="已建成50个", evidence_link="https://example.org/stations"
    )
    row = stations_row()
    assert (row.overdue, row.closed, row.state) == (0, 1, "in_progress")
    followup.action_item_close(
        by=sam, item=second.item, evidence_text="改造完成", evidence_link="https://example.org/old"
    )
    row = stations_row()
    assert (row.measures, row.closed, row.state) == (2, 2, "closed")
    assert selectors.gap_report(actor=olga, year=2026).counts["closed"] == 1


def test_cancelled_measures_do_not_count(olga, sam, figures, problem) -> None:
    measure = services.measure_create(
        by=olga,
        problem=problem,
        title="取消的",
        owner=sam,
        deadline=date(2026, 12, 31),
        expected_effect="无",
    )
    followup.action_item_cancel(by=olga, item=measure.item, reason="方案调整")
    row = selectors.gap_report(actor=olga, year=2026).rows[0]
    assert (row.problems, row.measures, row.state) == (1, 0, "none")


def test_only_the_city_office_writes(people, sam, figures, problem) -> None:
    with pytest.raises(Forbidden):
        services.problem_create(
            by=people["carol"],
            indicator=figures["days"],
            year=2026,
            text="x",
            department=Department.objects.get(code="office"),
        )
    with pytest.raises(Forbidden):
        services.measure_create(
            by=sam,
            problem=problem,
            title="x",
            owner=sam,
            deadline=date(2026, 12, 1),
            expected_effect="x",
        )
    with pytest.raises(Forbidden):
        selectors.gap_report(actor=people["bob"], year=2026)
    assert not selectors.problem_list(actor=people["carol"]).exists()  # a city problem
    assert ActionItem.objects.count() == 0


def test_figures_need_a_source_and_are_audited(olga, figures) -> None:
    with pytest.raises(DomainError) as refused:
        services.own_value_set(
            by=olga,
            indicator=figures["days"],
            year=2026,
            value=D("9"),
            source=" ",
            source_date=date(2026, 1, 1),
        )
    assert refused.value.code == "benchmarking.source_missing"
    services.own_value_set(
        by=olga,
        indicator=figures["days"],
        year=2026,
        value=D("9"),
        source="年报",
        source_date=date(2026, 1, 1),
    )
    entry = AuditEntry.objects.filter(action="benchmarking.own_value.set").order_by("pk").last()
    assert entry.changes == {"value": ["14.0000", "9"]}
    with pytest.raises(DomainError) as unknown:
        services.indicator_save(by=olga, code="x", name="未知", registry_code="nowhere.nothing")
    assert unknown.value.code == "benchmarking.registry_code_unknown"


def test_a_study_visit_with_reflections_and_takeaways(olga, sam, people, figures, problem) -> None:
    visit = services.visit_create(
        by=olga,
        city=selectors.city_get(code="yangzhou"),
        title="赴扬州考察",
        starts_on=date(2026, 4, 14),
        ends_on=date(2026, 4, 16),
        participants=[olga, sam],
    )
    services.counterpart_add(
        by=olga,
        visit=visit,
        our_department=Department.objects.get(code="security"),
        their_department="扬州市总保障部",
        notes="线上审核",
    )
    reflection = services.reflection_submit(
        by=sam, visit=visit, text="扬州的医疗互助线上办理值得学习，我们要加快推进。"
    )
    again = services.reflection_submit(
        by=sam, visit=visit, text="修改后：扬州的医疗互助全流程线上办理，值得学习借鉴。"
    )
    assert again.pk == reflection.pk and visit.reflections.count() == 1
    with pytest.raises(Forbidden):
        services.reflection_submit(
            by=people["carol"], visit=visit, text="我没有参加这次考察但是想写二十个字以上"
        )
    with pytest.raises(DomainError):
        services.reflection_submit(by=olga, visit=visit, text="太短")

    to_measure = services.takeaway_add(by=olga, visit=visit, text="推行站点标准化建设")
    measure = services.takeaway_to_measure(
        by=olga,
        takeaway=to_measure,
        problem=problem,
        owner=sam,
        deadline=date(2026, 12, 31),
        expected_effect="站点达标率100%",
    )
    assert measure.problem == problem and Takeaway.objects.get(pk=to_measure.pk).measure == measure
    with pytest.raises(Conflict):
        services.takeaway_to_plan_item(by=olga, takeaway=to_measure, year=2027)
    to_plan = services.takeaway_add(by=olga, visit=visit, text="建立信息月通报制度")
    item = services.takeaway_to_plan_item(by=olga, takeaway=to_plan, year=2027)
    assert item.plan.year == 2027 and item.plan.title == "2027年度工作计划"
    assert selectors.visit_get(actor=sam, public_id=visit.public_id) == visit  # a participant
