"""Fictitious members for the demo city and the benchmarks (valid check digits, invented people)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core import idnumbers
from gonghui.core.bulk import BulkInserter
from gonghui.members import services
from gonghui.members.importer import MEMBER_COLUMNS
from gonghui.members.models import Member
from gonghui.orgs.models import Union

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅海燕鹏飞晓东文博子涵宇轩欣怡佳琪俊杰浩然思远雨萱"
)
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "176",
    "177",
    "180",
    "181",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
]
CATEGORIES = (
    ["employee"] * 14
    + ["migrant"] * 3
    + ["courier", "rider", "ride_hailing", "truck_driver", "domestic"]
)
EDUCATION = ["junior", "senior", "senior", "college", "bachelor", "bachelor", "master", ""]
REGIONS = ["419902", "419903", "419904", "419905", "419921", "419922", "410102", "410802"]


def fake_person(rng: random.Random) -> dict[str, Any]:
    gender = rng.choice("MF")
    birth = date(1962, 1, 1) + timedelta(days=rng.randrange(0, 365 * 42))
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return {
        "name": name,
        "id_number": idnumbers.generate(rng, rng.choice(REGIONS), birth, gender),
        "gender": gender,
        "birth_date": birth,
        "phone": rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}",
        "category": rng.choice(CATEGORIES),
        "education": rng.choice(EDUCATION),
        "ethnicity": "汉族"
        if rng.random() < 0.94
        else rng.choice(["回族", "满族", "蒙古族", "壮族"]),
        "join_date": _join_date(rng, birth),
    }


def _join_date(rng: random.Random, birth: date) -> date:
    start = birth + timedelta(days=365 * 18)
    span = (date(2026, 1, 1) - start).days
    return start + timedelta(days=rng.randrange(0, max(span, 1)))


def people(rng: random.Random, count: int) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    while count:
        person = fake_person(rng)
        if person["id_number"] in seen:
            continue
        seen.add(person["id_number"])
        count -= 1
        yield person


def seed_members(rng: random.Random, *, members: int = 0) -> int:
    """Bring the registry up to `members` people spread over the grassroots unions, and give
    the demo portal account (`member`, 陈静) her member record."""
    _link_demo_account(rng)
    missing = members - Member.objects.count()
    if missing <= 0:
        return 0
    unions = list(Union.objects.filter(kind="grassroots", status="active").order_by("code"))
    if not unions:
        return 0
    existing = (
        set(Member.objects.values_list("id_index", flat=True)) if missing < members else set()
    )
    inserter = BulkInserter(Member, MEMBER_COLUMNS)
    created = 0
    batch: list[dict[str, Any]] = []
    numbers = iter(services.allocate_numbers(missing))
    fields = (
        "name",
        "id_number",
        "phone",
        "category",
        "education",
        "ethnicity",
        "gender",
        "birth_date",
        "join_date",
    )
    for person in people(rng, missing):
        data = services.MemberData(**{k: person[k] for k in fields})
        row = services.member_row(data, rng.choice(unions).pk, next(numbers))
        if row["id_index"] in existing:
            continue
        batch.append(row)
        if len(batch) >= 5000:
            created += _write(inserter, batch)
            batch = []
    return created + _write(inserter, batch)


def _write(inserter: BulkInserter, batch: list[dict[str, Any]]) -> int:
    with transaction.atomic():
        return inserter.insert(batch)


def _link_demo_account(rng: random.Random) -> None:
    account = User.objects.filter(username="member", kind="member").first()
    union = Union.objects.filter(code="D01E001").first()
    if account is None or union is None or Member.objects.filter(account=account).exists():
        return
    own = random.Random("demo-member-chen-jing")  # noqa: S311 (fictitious)
    data = services.validate(
        services.MemberData(
            name="陈静",
            id_number=idnumbers.generate(own, "419902", date(1988, 6, 16), "F"),
            phone="139" + f"{own.randrange(0, 10**8):08d}",
            category="employee",
            join_date=date(2015, 3, 1),
        )
    )
    member = Member(**services.member_row(data, union.pk, services.allocate_numbers(1)[0]))
    member.account = account
    member.save()
