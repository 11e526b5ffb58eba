"""Demo data for 对标找差距: Yangzhou and Xuchang with eight indicators over 2025 and 2026
(fictitious figures, every source says so), the own city's figures live from the platform where
it computes them and entered by hand otherwise, two problems with measures (one overdue, one
closed with evidence) on small gaps, and a study visit to Yangzhou with reflections. A second
run adds nothing."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.benchmarking import services
from gonghui.benchmarking.models import BenchmarkCity, BenchmarkIndicator, StudyVisit
from gonghui.followup import services as followup
from gonghui.orgs.models import Department

SOURCE = "演示数据（虚构，非真实统计）"
CITIES = [
    ("yangzhou", "扬州", "江苏", "全国工会工作先进城市（演示）"),
    ("xuchang", "许昌", "河南", "省内对标城市（演示）"),
]
# code, name, unit, higher is better, registry code, own 2025/2026, Yangzhou, Xuchang
INDICATORS = [
    (
        "members",
        "在会会员人数",
        "人",
        True,
        "members.registered",
        (860000, 905000),
        (1050000, 1120000),
        (720000, 760000),
    ),
    (
        "mutualaid_rate",
        "职工医疗互助参保率",
        "%",
        True,
        "mutualaid.enrolment_rate",
        (58, 63),
        (68, 72),
        (55, 61),
    ),
    ("new_form_rate", "新就业形态劳动者入会率", "%", True, "", (62, 71), (80, 86), (70, 78)),
    ("union_rate", "非公企业建会率", "%", True, "", (88, 90), (92, 94), (90, 93)),
    ("aid_days", "困难帮扶平均办结天数", "天", False, "", (18, 15), (10, 9), (12, 10)),
    ("info_items", "省级以上信息采用篇数", "篇", True, "", (36, 42), (60, 66), (40, 45)),
    ("model_services", "劳模服务活动场次", "场", True, "", (20, 26), (24, 28), (18, 22)),
    ("stations", "户外劳动者服务站点", "个", True, "", (120, 150), (260, 300), (150, 180)),
]
YEARS = (2025, 2026)


def seed_benchmarking(rng: random.Random, *, members: int = 0) -> int:
    office = User.objects.filter(username="bangong").first()
    if office is None or BenchmarkCity.objects.filter(code="yangzhou").exists():
        return 0
    with transaction.atomic():
        cities = {
            code: services.city_save(
                by=office, code=code, name=name, province=province, note=note, sort_order=order
            )
            for order, (code, name, province, note) in enumerate(CITIES)
        }
        indicators = {}
        for order, (code, name, unit, higher, registry, own, yz, xc) in enumerate(INDICATORS):
            indicator = services.indicator_save(
                by=office,
                code=code,
                name=name,
                unit=unit,
                higher_is_better=higher,
                registry_code=registry if _known(registry) else "",
                note="口径为演示用途",
                sort_order=order,
            )
            indicators[code] = indicator
            for index, year in enumerate(YEARS):
                published = date(year + (1 if year < 2026 else 0), 3 if year < 2026 else 10, 15)
                services.own_value_set(
                    by=office,
                    indicator=indicator,
                    year=year,
                    value=Decimal(own[index]),
                    source=SOURCE,
                    source_date=published,
                )
                for city_code, figures in (("yangzhou", yz), ("xuchang", xc)):
                    services.city_value_set(
                        by=office,
                        city=cities[city_code],
                        indicator=indicator,
                        year=year,
                        value=Decimal(figures[index]),
                        source=f"{cities[city_code].name}市总工会工作报告 · {SOURCE}",
                        source_date=published,
                    )
        made = _problems(office, indicators)
        _visit(office, cities["yangzhou"])
    return made


def _known(registry_code: str) -> bool:
    from gonghui.core import indicators

    return bool(registry_code) and indicators.get(registry_code) is not None


def _problems(office: User, indicators: dict[str, BenchmarkIndicator]) -> int:
    production = Department.objects.get(code="production")
    office_dept = Department.objects.get(code="office")
    shengchan = User.objects.filter(username="shengchan").first() or office
    closed = services.problem_create(
        by=office,
        indicator=indicators["union_rate"],
        year=2026,
        text="部分园区小微企业未建会，联合建会覆盖不够。",
        department=office_dept,
    )
    measure = services.measure_create(
        by=office,
        problem=closed,
        title="在三个工业园区推行区域性联合工会",
        owner=office,
        deadline=date(2026, 9, 30),
        expected_effect="园区小微企业建会率提高到95%",
    )
    followup.action_item_close(
        by=office,
        item=measure.item,
        evidence_text="三个园区联合工会已挂牌成立，覆盖小微企业186家（演示）。",
        evidence_link="https://www.example.org/hechuan/2026/park-unions",
    )
    overdue = services.problem_create(
        by=office,
        indicator=indicators["model_services"],
        year=2026,
        text="劳模服务活动形式单一，基层参与少。",
        department=production,
    )
    services.measure_create(
        by=office,
        problem=overdue,
        title="开展“劳模进企业”系列活动",
        owner=shengchan,
        deadline=date(2026, 10, 31),
        expected_effect="全年劳模服务活动达到30场",
    )
    return 2


def _visit(office: User, yangzhou: BenchmarkCity) -> None:
    if StudyVisit.objects.exists():
        return
    people = list(User.objects.filter(username__in=["bangong", "baozhang", "shengchan"]))
    visit = services.visit_create(
        by=office,
        city=yangzhou,
        title="赴扬州学习“互联网+工会”和服务职工经验",
        starts_on=date(2026, 4, 14),
        ends_on=date(2026, 4, 16),
        participants=people,
    )
    for ours, theirs, notes in [
        ("office", "扬州市总工会办公室", "信息工作目标管理办法按刊发层级计分，每月通报。"),
        ("security", "扬州市总工会保障部", "医疗互助线上申请、线上审核，平均7天支付。"),
    ]:
        services.counterpart_add(
            by=office,
            visit=visit,
            our_department=Department.objects.get(code=ours),
            their_department=theirs,
            notes=notes,
        )
    texts = {
        "bangong": "扬州把信息工作目标管理办法落到每个部门和基层工会，按月通报、年终兑现，"
        "值得我们在信息工作考核中借鉴。（演示）",
        "baozhang": "扬州医疗互助实现全流程线上办理，职工少跑腿，"
        "我们应加快线上审核和支付。（演示）",
    }
    for person in people:
        if person.username in texts:
            services.reflection_submit(by=person, visit=visit, text=texts[person.username])
    services.takeaway_add(by=office, visit=visit, text="建立信息工作月通报制度，纳入部门年度考核。")
    takeaway = services.takeaway_add(
        by=office, visit=visit, text="推行医疗互助线上审核，压缩支付时间到10个工作日以内。"
    )
    services.takeaway_to_plan_item(
        by=office, takeaway=takeaway, year=2027, department=Department.objects.get(code="security")
    )
