"""Demo data for the model-worker program: about 40 model workers across the levels among the
demo members of 鹤山区 (created when the registry has too few) and the portal's demo member 陈静
(a 省劳动模范, so the phone journey has a model worker to log in as), this year's policy, last
month's allowance batch paid through the fake bank, one past trip taken and one planned with
the head of the rotation invited (陈静 among them, her answer still open), and two upcoming
劳模大讲堂 sessions open to the whole city. Fictitious; a second run adds nothing."""

from __future__ import annotations

import random
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.cards.selectors import payout_account_of
from gonghui.core.errors import DomainError
from gonghui.core.payouts import PayoutLine, result_file_bytes
from gonghui.members import services as member_services
from gonghui.members.demo import fake_person
from gonghui.members.models import Member, MemberStatus
from gonghui.modelworkers import rules, services
from gonghui.modelworkers.models import (
    AllowanceBatch,
    Lecture,
    LineState,
    ModelWorker,
    Policy,
    Trip,
)
from gonghui.orgs.models import Union

WANTED = 40
COUNTY = "D01"
# (title, level) by share of the registry: few national, some provincial, most city level.
TITLES = [
    ("全国劳动模范", rules.NATIONAL, 3),
    ("全国五一劳动奖章", rules.NATIONAL, 2),
    ("省劳动模范", rules.PROVINCIAL, 9),
    ("市劳动模范", rules.CITY, 26),
]
RATES = {
    (rules.NATIONAL, rules.WORKING, False): 50000,
    (rules.NATIONAL, rules.RETIRED, False): 80000,
    (rules.NATIONAL, rules.RETIRED, True): 120000,
    (rules.PROVINCIAL, rules.WORKING, False): 30000,
    (rules.PROVINCIAL, rules.RETIRED, False): 50000,
    (rules.PROVINCIAL, rules.RETIRED, True): 80000,
    (rules.CITY, rules.RETIRED, False): 20000,
    (rules.CITY, rules.RETIRED, True): 40000,
}
HEALTH = {rules.NATIONAL: 1, rules.PROVINCIAL: 1, rules.CITY: 1}
PAST_TRIP = "鹤川市劳模疗休养基地（青岭山）"
PLANNED_TRIP = "千岛湖劳模疗休养基地"
CHEN_JING_HONOUR = ("省劳动模范", rules.PROVINCIAL, 2008)
LECTURES = [
    ("匠心筑梦：三十年一线技术攻关", 7, "鹤川市工人文化宫报告厅", 80),
    ("从学徒到大国工匠：技能成才之路", 14, "鹤山区职工服务中心多功能厅", 50),
]


def seed_modelworkers(rng: random.Random, *, members: int = 0) -> int:
    staff = User.objects.filter(username="shengchan").first()
    registrar = User.objects.filter(username="county").first()
    city = Union.objects.filter(code="HC").first()
    if staff is None or registrar is None or city is None:
        return 0
    own = random.Random("demo-modelworkers")  # noqa: S311 (fictitious; independent of others)
    today = timezone.localdate()
    created = _registry(own, staff, registrar, today)
    created += _chen_jing(staff)
    last_month = rules.previous_month(rules.month_start(today))
    for year in sorted({last_month.year, today.year}):
        if not Policy.objects.filter(year=year).exists():
            services.policy_save(
                by=staff,
                year=year,
                rates=RATES,
                health=HEALTH,
                note=f"鹤工发〔{year}〕8号（演示）",
            )
    _paid_batch(staff, last_month)
    _trips(staff, city, today)
    _lectures(staff, city, today)
    return created


def _registry(own: random.Random, staff: User, registrar: User, today: date) -> int:
    if ModelWorker.objects.exists():
        return 0
    county = Union.objects.get(code=COUNTY)
    unions = list(
        Union.objects.filter(
            path__startswith=county.path, kind="grassroots", status="active"
        ).order_by("code")[:10]
    )
    people = list(
        Member.objects.filter(union__in=unions, status=MemberStatus.ACTIVE)
        .exclude(account__isnull=False)
        .select_related("union")
        .order_by("id")[:WANTED]
    )
    with transaction.atomic():
        while len(people) < WANTED:
            person = fake_person(own)
            data = member_services.MemberData(
                name=person["name"],
                id_number=person["id_number"],
                phone=person["phone"],
                category="employee",
                join_date=person["join_date"],
            )
            try:
                people.append(
                    member_services.member_create(
                        by=registrar, union=unions[len(people) % len(unions)], data=data
                    )
                )
            except DomainError:  # the generator repeated an existing person
                continue
        slots = [(title, level) for title, level, n in TITLES for _i in range(n)]
        for index, (member, (title, level)) in enumerate(zip(people, slots, strict=False)):
            retired = member.birth_date.year < 1966 or index % 3 == 0
            status = rules.RETIRED if retired else rules.WORKING
            if index == len(slots) - 1:
                status = rules.DECEASED
            services.model_worker_register(
                by=staff,
                member=member,
                honour=services.HonourData(
                    title,
                    level,
                    1995 + (index * 7) % 30,
                    member.union.name.removesuffix("工会委员会"),
                ),
                status=status,
                status_since=date(2020, 1, 1) if status != rules.WORKING else None,
            )
            if index % 9 == 4:
                services.model_worker_register(
                    by=staff,
                    member=member,
                    honour=services.HonourData(
                        "市五一劳动奖章", rules.CITY, 1990 + index % 5, member.union.name
                    ),
                )
        _demo_cards([m for i, m in enumerate(people) if i % 10 != 9])
    return len(people)


def _chen_jing(staff: User) -> int:
    member = (
        Member.objects.filter(account__username="member", status=MemberStatus.ACTIVE)
        .select_related("union")
        .first()
    )
    if member is None or ModelWorker.objects.filter(member=member).exists():
        return 0
    title, level, year = CHEN_JING_HONOUR
    services.model_worker_register(
        by=staff,
        member=member,
        honour=services.HonourData(
            title, level, year, member.union.name.removesuffix("工会委员会")
        ),
    )
    return 1


def _demo_cards(people: list[Member]) -> None:
    """The cards seeder ran before these members existed: give most of them an active
    co-branded card as the card bureau would have, so their allowance can be paid onto it."""
    from gonghui.cards.citizen_card import fictitious_bank_no, fictitious_citizen_no
    from gonghui.cards.models import Card, CardEvent, CardStatus
    from gonghui.cards.services import citizen_index

    now = timezone.now()
    cards = []
    for member in people:
        if member.cards.exists():
            continue
        seed = f"demo-mw:{member.member_no}"
        citizen_no, bank_no = fictitious_citizen_no(seed), fictitious_bank_no(seed)
        cards.append(
            Card(
                member=member,
                status=CardStatus.ACTIVE,
                activated_at=now,
                citizen_card_no=citizen_no,
                citizen_index=citizen_index(citizen_no),
                citizen_last4=citizen_no[-4:],
                bank_card_no=bank_no,
                bank_last4=bank_no[-4:],
            )
        )
    Card.objects.bulk_create(cards)
    CardEvent.objects.bulk_create(
        CardEvent(card=c, to_status=CardStatus.ACTIVE, note="演示数据") for c in cards
    )


def _paid_batch(staff: User, month: date) -> None:
    if AllowanceBatch.objects.filter(month=month).exists():
        return
    with transaction.atomic():
        batch = services.batch_generate(by=staff, month=month)
        if not batch.lines.filter(state=LineState.PENDING).exists():
            return
        batch = services.batch_approve(by=staff, batch=batch)
        services.batch_payout_file(by=staff, batch=batch)
        outcomes = []
        for number, line in enumerate(
            batch.lines.filter(state=LineState.PENDING).select_related("model_worker__member")
        ):
            payout = PayoutLine(
                line.reference,
                line.model_worker.member.name,
                payout_account_of(line.model_worker.member) or "",
                line.amount_fen,
            )
            outcomes.append((payout, number != 1, "" if number != 1 else "账户状态异常"))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "result.xlsx"
            path.write_bytes(result_file_bytes(outcomes))
            services.batch_results_import(
                by=staff, batch=batch, path=path, paid_on=month + timedelta(days=40)
            )


def _trips(staff: User, city: Union, today: date) -> None:
    if not Trip.objects.filter(destination=PAST_TRIP).exists():
        past = services.trip_create(
            by=staff,
            union=city,
            destination=PAST_TRIP,
            starts_on=today - timedelta(days=200),
            ends_on=today - timedelta(days=195),
            quota=6,
        )
        invitations = services.trip_invite(by=staff, trip=past)
        for number, invitation in enumerate(invitations):
            if number == 2:
                services.invitation_move(by=staff, invitation=invitation, to="declined")
                continue
            services.invitation_move(by=staff, invitation=invitation, to="accepted")
            services.invitation_move(by=staff, invitation=invitation, to="attended")
    if not Trip.objects.filter(destination=PLANNED_TRIP).exists():
        planned = services.trip_create(
            by=staff,
            union=city,
            title=f"{today.year}年度劳模疗休养（千岛湖）",
            destination=PLANNED_TRIP,
            starts_on=today + timedelta(days=30),
            ends_on=today + timedelta(days=35),
            quota=8,
            answer_by=today + timedelta(days=20),
        )
        invited = services.trip_invite(by=staff, trip=planned)
        # The head of the queue has said yes (staff recorded it); the rest, 陈静 among them,
        # have still to answer.
        first = invited[0]
        if first.model_worker.member.account_id is None:
            services.invitation_move(by=staff, invitation=first, to="accepted")


def _lectures(staff: User, city: Union, today: date) -> None:
    speakers = list(
        ModelWorker.objects.filter(registered=True, level=rules.NATIONAL)
        .exclude(status=rules.DECEASED)
        .select_related("member")
        .order_by("id")[:2]
    )
    for (title, days, place, capacity), speaker in zip(LECTURES, speakers, strict=False):
        if Lecture.objects.filter(title=title).exists():
            continue
        starts = datetime.combine(today + timedelta(days=days), time(14, 30))
        services.lecture_create(
            by=staff,
            union=city,
            title=title,
            speaker=speaker,
            starts_at=timezone.make_aware(starts),
            place=place,
            capacity=capacity,
        )
