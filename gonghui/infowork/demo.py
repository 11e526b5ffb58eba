"""Demo data for information work: a points table in force since January of last year,
information officers in a few unions and two federation departments (张伟 of D01E001 among
them), about 60 submissions over this year, their publications at mixed levels (most verified),
two 批示, one 差错 and the year's quotas. Fictitious; a second run adds nothing. Rows are
written in bulk (demo data, not user actions), so seeding stays well under a second."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from gonghui.accounts import services as account_services
from gonghui.accounts.models import Assignment, Role, User
from gonghui.infowork import rules, services
from gonghui.infowork.models import (
    Category,
    Correction,
    InfoOfficer,
    Instruction,
    Level,
    OutletKind,
    Placement,
    PointsTable,
    Publication,
    PublicationStatus,
    Quota,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from gonghui.orgs.models import Department, Union

DEMO_PASSWORD = "Gonghui@2026"
# (username, name, union code, department code): existing logins first, then officers of their own.
OFFICERS = [
    ("officer", "张伟", "D01E001", None),
    ("officer2", "刘洋", "D02E001", None),
    ("xinxi_d03", "黄丽", "D03", None),
    ("xinxi_i02", "马超", "I02", None),
    ("xinxi_bz", "何静", "HC", "security"),
    ("xinxi_xj", "林峰", "HC", "publicity"),
]
OUTLETS = {
    ("national", "newspaper"): "工人日报",
    ("national", "website"): "中工网",
    ("national", "new_media"): "全总微信公众号",
    ("national", "magazine"): "中国工运",
    ("provincial", "newspaper"): "河南工人日报",
    ("provincial", "website"): "河南省总工会网站",
    ("provincial", "new_media"): "豫工惠公众号",
    ("provincial", "magazine"): "工人之友",
    ("city", "newspaper"): "鹤川日报",
    ("city", "website"): "鹤川市总工会网站",
    ("city", "new_media"): "鹤川工会公众号",
    ("city", "magazine"): "鹤川工运",
}
TOPICS = [
    ("工作动态", "news", "开展“送清凉”活动，慰问一线高温作业职工"),
    ("工作动态", "news", "举办职工技能大赛，百余名职工同台竞技"),
    ("经验做法", "practice", "以“职工之家”建设带动基层工会规范化"),
    ("经验做法", "practice", "推行“会员服务卡”，打通服务职工最后一公里"),
    ("信息专报", "special", "关于新就业形态劳动者入会情况的调研"),
    ("调研报告", "research", "职工医疗互助参保情况分析"),
    ("工作动态", "news", "开展女职工“两癌”免费筛查"),
    ("经验做法", "practice", "劳模创新工作室带徒传技的做法"),
]


def _account(username: str, name: str, union: Union) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.user_create(
            by=None, username=username, password=DEMO_PASSWORD, display_name=name, kind="staff"
        )
        Assignment.objects.get_or_create(
            user=user, union=union, role=Role.objects.get(code="info_officer"), department=None
        )
    return user


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed_infowork(rng: random.Random, *, members: int = 0) -> int:
    editor = User.objects.filter(username="xuanjiao").first()
    if editor is None or not Union.objects.filter(code="D01E001").exists():
        return 0
    if Submission.objects.exists():
        return 0
    today = timezone.localdate()
    with transaction.atomic():
        table = PointsTable.objects.order_by("effective_from").first() or (
            services.points_table_create(
                by=editor,
                effective_from=date(today.year - 1, 1, 1),
                publication_points=rules.DEFAULT_PUBLICATION_POINTS,
                instruction_points=rules.DEFAULT_INSTRUCTION_POINTS,
                shortfall_penalty=rules.DEFAULT_SHORTFALL_PENALTY,
                error_penalty=rules.DEFAULT_ERROR_PENALTY,
                note="《信息工作目标管理办法》积分标准",
            )
        )
        officers = _officers()
        created = _submissions(rng, officers, editor, table, today)
        _quotas(editor, officers, today.year)
    return created


def _officers() -> list[InfoOfficer]:
    result = []
    for username, name, code, department_code in OFFICERS:
        union = Union.objects.get(code=code)
        user = _account(username, name, union)
        department = Department.objects.get(code=department_code) if department_code else None
        officer, _created = InfoOfficer.objects.get_or_create(
            user=user, union=union, department=department
        )
        result.append(officer)
    return result


def _submissions(
    rng: random.Random, officers: list[InfoOfficer], editor: User, table: PointsTable, today: date
) -> int:
    start = date(today.year, 1, 5)
    span = max(1, (today - start).days - 3)
    submissions: list[Submission] = []
    for index in range(60):
        officer = officers[index % len(officers)]
        _label, category, topic = TOPICS[rng.randrange(len(TOPICS))]
        day = start + timedelta(days=span * index // 60 + rng.randrange(3))
        if index >= 56:
            status = SubmissionStatus.SUBMITTED
        elif index % 11 == 5:
            status = SubmissionStatus.RETURNED
        else:
            status = SubmissionStatus.ADOPTED
        unit = officer.department.name if officer.department else officer.union.name
        submissions.append(
            Submission(
                officer=officer,
                union=officer.union,
                department=officer.department,
                title=f"{unit}{topic}",
                body=f"{unit}{topic}。（演示稿件，内容为虚构。）",
                category=category if category in Category.values else Category.NEWS,
                status=status,
                reason="请补充具体数据和照片" if status == SubmissionStatus.RETURNED else "",
                submitted_at=_at(day, 9),
                adopted_at=_at(day + timedelta(days=1), 15)
                if status == SubmissionStatus.ADOPTED
                else None,
            )
        )
    Submission.objects.bulk_create(submissions)
    saved = list(Submission.objects.select_related("officer").order_by("id"))
    events: list[SubmissionEvent] = []
    publications: list[Publication] = []
    for index, submission in enumerate(saved):
        events.append(
            SubmissionEvent(
                submission=submission,
                by_id=submission.officer.user_id,
                at=submission.submitted_at,
                to_status=SubmissionStatus.SUBMITTED,
            )
        )
        if submission.status == SubmissionStatus.SUBMITTED:
            continue
        events.append(
            SubmissionEvent(
                submission=submission,
                by=editor,
                at=submission.submitted_at + timedelta(days=1),
                from_status=SubmissionStatus.SUBMITTED,
                to_status=submission.status,
                note=submission.reason,
            )
        )
        if submission.status != SubmissionStatus.ADOPTED or submission.adopted_at is None:
            continue
        publications.append(_publication(rng, index, submission, editor, table, today))
    SubmissionEvent.objects.bulk_create(events)
    Publication.objects.bulk_create(publications)
    _instructions_and_error(saved, editor, table, today)
    return len(saved)


def _publication(
    rng: random.Random,
    index: int,
    submission: Submission,
    editor: User,
    table: PointsTable,
    today: date,
) -> Publication:
    level = (Level.CITY, Level.CITY, Level.PROVINCIAL, Level.CITY, Level.NATIONAL)[index % 5]
    kind = list(OutletKind.values)[rng.randrange(4)]
    placement = (Placement.GENERAL, Placement.GENERAL, Placement.HEADLINE, Placement.FRONT)[
        index % 4
    ]
    assert submission.adopted_at is not None
    published_on = min(today, timezone.localdate(submission.adopted_at) + timedelta(days=3))
    verified = index % 7 != 3
    return Publication(
        submission=submission,
        union_id=submission.union_id,
        department_id=submission.department_id,
        officer_id=submission.officer_id,
        level=level,
        outlet_kind=kind,
        outlet_name=OUTLETS[(level, kind)],
        published_on=published_on,
        placement=placement,
        link=f"https://news.example.cn/hc/{published_on:%Y%m%d}/{index:03d}.html",
        status=PublicationStatus.VERIFIED if verified else PublicationStatus.CLAIMED,
        points_table=table if verified else None,
        points=rules.publication_points(
            table.publication_points, level=level, kind=kind, placement=placement
        )
        if verified
        else 0,
        recorded_by=editor,
        recorded_at=_at(published_on, 10),
        verified_by=editor if verified else None,
        verified_at=_at(published_on, 16) if verified else None,
    )


def _instructions_and_error(
    saved: list[Submission], editor: User, table: PointsTable, today: date
) -> None:
    special = [s for s in saved if s.status == SubmissionStatus.ADOPTED][:2]
    rows: list[Any] = []
    for submission, level, leader in zip(
        special,
        (Level.CITY, Level.PROVINCIAL),
        ("市委副书记 王某", "省总工会副主席 李某"),
        strict=False,
    ):
        assert submission.adopted_at is not None
        day = min(today, timezone.localdate(submission.adopted_at) + timedelta(days=10))
        rows.append(
            Instruction(
                submission=submission,
                union_id=submission.union_id,
                department_id=submission.department_id,
                officer_id=submission.officer_id,
                level=level,
                leader=leader,
                instructed_on=day,
                points_table=table,
                points=rules.instruction_points(table.instruction_points, level=level),
                recorded_by=editor,
            )
        )
    Instruction.objects.bulk_create(rows)
    d02 = Union.objects.get(code="D02E001")
    Correction.objects.create(
        union=d02,
        occurred_on=date(today.year, 3, 18),
        description="稿件中职工人数与统计报表不一致，已更正",
        points_table=table,
        points=table.error_penalty,
        recorded_by=editor,
    )


def _quotas(editor: User, officers: list[InfoOfficer], year: int) -> None:
    for officer in officers:
        if Quota.objects.filter(
            year=year, union=officer.union, department=officer.department
        ).exists():
            continue
        services.quota_set(
            by=editor,
            year=year,
            union=officer.union,
            department=officer.department,
            pieces=12 if officer.union.kind == "grassroots" else 8,
            points="60",
        )
