"""Demo data for the hardship program: this year's thresholds for every district, the working
rules, standards and budgets; the demo member 陈静 with a kept file and living aid paid; a few
fictitious workers of D01E001/D02E001 with files at other steps (in 公示, waiting for the county,
relieved); at scale about 1% of the members with files. A second run adds nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core import idnumbers
from gonghui.hardship import services
from gonghui.hardship.models import AidApplication, Budget, HardshipFile, Standard, Threshold
from gonghui.members import services as member_services
from gonghui.members.models import Member
from gonghui.orgs.models import Union

THRESHOLD_FEN = {
    "HC": 88_000,
    "D01": 90_000,
    "D02": 88_000,
    "D03": 86_000,
    "D04": 84_000,
    "D05": 80_000,
    "D06": 78_000,
}
STANDARDS = [
    ("living", "", 100_000, 300_000, "按困难程度核定"),
    ("medical", "", 200_000, 1_000_000, "按自付医疗费用核定"),
    ("education", "high", 150_000, 150_000, "金秋助学"),
    ("education", "college", 300_000, 300_000, "金秋助学"),
    ("education", "undergraduate", 400_000, 400_000, "金秋助学"),
    ("education", "graduate", 500_000, 500_000, "金秋助学"),
    ("housing", "", 300_000, 2_000_000, "危房修缮、租房补贴"),
    ("emergency", "", 100_000, 2_000_000, "突发事故、火灾、重病"),
]
CITY_BUDGET_FEN = {
    "living": 200_000_000,
    "medical": 300_000_000,
    "education": 100_000_000,
    "housing": 50_000_000,
    "emergency": 50_000_000,
}
COUNTY_BUDGET_FEN = {"living": 20_000_000, "medical": 20_000_000}
# (name, union, birth, household [(relation, name, age, job, income_fen)], cause, where to stop)
WORKERS = [
    (
        "王建国",
        "D01E001",
        date(1972, 3, 8),
        [
            ("self", "王建国", 54, "employed", 180_000),
            ("spouse", "刘芳", 52, "none", 0),
            ("child", "王磊", 19, "student", 0),
        ],
        "illness",
        "active",
    ),
    (
        "李桂兰",
        "D01E001",
        date(1979, 9, 21),
        [("self", "李桂兰", 47, "employed", 150_000), ("child", "张悦", 12, "student", 0)],
        "living",
        "notice",
    ),
    (
        "赵强",
        "D01E001",
        date(1983, 1, 30),
        [("self", "赵强", 43, "unemployed", 60_000), ("parent", "赵德明", 76, "retired", 90_000)],
        "employment",
        "county",
    ),
    (
        "孙丽",
        "D02E001",
        date(1986, 11, 2),
        [("self", "孙丽", 40, "employed", 200_000), ("child", "周宇", 9, "student", 0)],
        "disaster",
        "grassroots",
    ),
]


def seed_hardship(rng: random.Random, *, members: int = 0) -> int:
    city_staff = User.objects.filter(username="baozhang").first()
    county = User.objects.filter(username="county").first()
    officer = User.objects.filter(username="officer").first()
    if (
        city_staff is None
        or county is None
        or officer is None
        or not Union.objects.filter(code="HC").exists()
    ):
        return 0
    today = timezone.localdate()
    _reference_data(city_staff, county, today.year)
    people = {
        "city": city_staff,
        "county": county,
        "officer": officer,
        "officer2": User.objects.filter(username="officer2").first(),
    }
    created = 0
    chen = Member.objects.filter(account__username="member").select_related("union").first()
    if chen is not None and not HardshipFile.objects.filter(member=chen).exists():
        household = [
            ("self", chen.name, 38, "employed", 160_000),
            ("spouse", "周海", 40, "none", 0),
            ("child", "周小雨", 16, "student", 0),
        ]
        file = _file(people, chen, household, "illness", "active", today)
        _living_aid_paid(people, file, today)
        created += 1
    own = random.Random("demo-hardship")  # noqa: S311 (fictitious)
    for name, code, birth, household, cause, stop in WORKERS:
        union = Union.objects.filter(code=code).first()
        if (
            union is None
            or HardshipFile.objects.filter(member__name=name, member__union=union).exists()
        ):
            continue
        member = Member.objects.filter(
            name=name, union=union
        ).first() or member_services.member_create(
            by=people["officer"] if code == "D01E001" else people["officer2"],
            union=union,
            data=member_services.MemberData(
                name=name,
                id_number=idnumbers.generate(
                    own, "419902", birth, "M" if name in ("王建国", "赵强") else "F"
                ),
                phone=f"137{own.randrange(10**8):08d}",
                join_date=date(2012, 5, 1),
            ),
        )
        file = _file(people, member, household, cause, stop, today)
        if name == "王建国":
            _emergency_paid(people, file.member, today)
        created += 1
    if members > 0:
        created += _at_scale(people, rng, members, today)
    return created


def _reference_data(city_staff: Any, county: Any, year: int) -> None:
    for code, fen in THRESHOLD_FEN.items():
        district = Union.objects.filter(code=code).first()
        if (
            district is not None
            and not Threshold.objects.filter(district=district, year=year).exists()
        ):
            services.threshold_set(by=city_staff, district=district, year=year, monthly_fen=fen)
    if not _has_policy(year):
        services.policy_set(
            by=city_staff,
            year=year,
            notice_working_days=5,
            emergency_hours=24,
            emergency_document_working_days=10,
            paid_within_working_days=10,
        )
    for category, stage, low, high, note in STANDARDS:
        if not Standard.objects.filter(year=year, category=category, stage=stage).exists():
            services.standard_set(
                by=city_staff,
                year=year,
                category=category,
                stage=stage,
                min_fen=low,
                max_fen=high,
                note=note,
            )
    city = Union.objects.get(code="HC")
    for category, fen in CITY_BUDGET_FEN.items():
        if not Budget.objects.filter(union=city, category=category, year=year).exists():
            services.budget_set(
                by=city_staff, union=city, category=category, year=year, amount_fen=fen
            )
    d01 = Union.objects.filter(code="D01").first()
    for category, fen in COUNTY_BUDGET_FEN.items():
        if (
            d01 is not None
            and not Budget.objects.filter(union=d01, category=category, year=year).exists()
        ):
            services.budget_set(by=county, union=d01, category=category, year=year, amount_fen=fen)


def _has_policy(year: int) -> bool:
    from gonghui.hardship.models import Policy

    return Policy.objects.filter(year=year).exists()


def _file(
    people: dict[str, Any],
    member: Member,
    household: list[tuple[str, str, int, str, int]],
    cause: str,
    stop: str,
    today: date,
) -> HardshipFile:
    """A file walked through the workflow up to `stop` by the demo reviewers of each level."""
    grassroots = (
        people["officer"]
        if member.union.path.startswith(Union.objects.get(code="D01").path)
        else people["officer2"]
    )
    with transaction.atomic():
        file = services.file_submit(
            by=grassroots,
            member=member,
            data=services.FileData(
                primary_cause=cause,
                causes=[cause],
                household=[services.HouseholdRow(r, n, a, j, i) for r, n, a, j, i in household],
                situation="家庭主要劳动力患病，收入不稳定（演示数据）",
                health_details="慢性病长期服药（演示数据）" if cause == "illness" else "",
            ),
            consent_version=services.CONSENT_VERSION,
        )
        if stop == "grassroots":
            return file
        file = services.file_transition(file=file, to="county", by=grassroots)
        if stop == "county":
            return file
        file = services.file_transition(file=file, to="city", by=people["county"])
        notice_from = today - timedelta(days=21) if stop in ("active", "relieved") else today
        file = services.file_transition(
            file=file, to="notice", by=people["city"], today=notice_from
        )
        if stop == "notice":
            return file
        file = services.file_transition(file=file, to="active", by=people["city"], today=today)
        if stop == "relieved":
            file = services.file_transition(
                file=file, to="relieved", by=people["county"], reason="家庭收入已稳定（演示数据）"
            )
    return file


def _living_aid_paid(people: dict[str, Any], file: HardshipFile, today: date) -> None:
    if AidApplication.objects.filter(file=file).exists():
        return
    with transaction.atomic():
        aid = services.aid_submit(
            by=people["officer"],
            member=file.member,
            data=services.AidData(
                category="living",
                requested_fen=200_000,
                reason_text="家庭生活困难（演示数据）",
                channel="cash",
            ),
        )
        aid = services.aid_transition(aid=aid, to="first_reviewed", by=people["officer"])
        aid = services.aid_transition(aid=aid, to="rechecked", by=people["county"])
        aid = services.aid_transition(aid=aid, to="approved", by=people["city"])
        services.aid_transition(aid=aid, to="paid", by=people["county"])


def _emergency_paid(people: dict[str, Any], member: Member, today: date) -> None:
    """A fire at home last week: approved by the county and paid in cash the same day, the
    documents still to come."""
    with transaction.atomic():
        aid = services.aid_submit(
            by=people["officer"],
            member=member,
            emergency=True,
            data=services.AidData(
                category="emergency",
                requested_fen=500_000,
                reason_text="家中失火，衣物家具损毁（演示数据）",
                emergency_kind="fire",
                event_date=today - timedelta(days=7),
                channel="cash",
            ),
        )
        aid = services.aid_transition(aid=aid, to="approved", by=people["county"])
        services.aid_transition(aid=aid, to="paid", by=people["county"])


def _at_scale(people: dict[str, Any], rng: random.Random, members: int, today: date) -> int:
    """About 1% of the members of D01's unions with files (the demo reviewers sit there)."""
    d01 = Union.objects.filter(code="D01").first()
    if d01 is None:
        return 0
    wanted = min(members // 100, 2000)
    have = HardshipFile.objects.filter(union__path__startswith=d01.path).count()
    if have >= wanted:
        return 0
    candidates = (
        Member.objects.filter(
            union__path__startswith=d01.path,
            status="active",
            union__code="D01E001",
            hardship_files__isnull=True,
        )
        .select_related("union")
        .order_by("id")[: wanted - have]
    )
    created = 0
    causes = [
        "living",
        "illness",
        "medical",
        "employment",
        "schooling",
        "disability",
        "disaster",
        "housing",
    ]
    for member in candidates:
        cause = rng.choice(causes)
        income = rng.randrange(20_000, 80_000)
        stop = rng.choice(["active", "active", "active", "notice", "county", "grassroots"])
        _file(people, member, [("self", member.name, 40, "employed", income)], cause, stop, today)
        created += 1
    return created
