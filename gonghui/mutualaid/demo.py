"""Demo data for the mutual-aid plan: the 2026–2027 plan year with the default rules, the members
of a few unions enrolled (about 70% of the city when seeded at scale), and the demo member 陈静
enrolled with one claim in review. Fictitious; a second run adds nothing."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.members.models import Member
from gonghui.mutualaid import selectors, services
from gonghui.mutualaid.models import Claim, Enrolment, EnrolmentBatch, PlanYear
from gonghui.orgs.models import Union

PLAN_CODE = "2026"
FEW_UNIONS = ("D01E001", "D01E002", "D01E003", "D02E001", "D02E002")
AT_SCALE = 20_000  # from this many members on, enrol about 70% of the grassroots unions


def seed_mutualaid(rng: random.Random, *, members: int = 0) -> int:
    manager = User.objects.filter(username="baozhang").first()
    officer = User.objects.filter(username="officer").first()
    if manager is None or not Union.objects.filter(code="D01E001").exists():
        return 0
    plan = PlanYear.objects.filter(code=PLAN_CODE).first()
    if plan is None:
        plan = services.plan_year_create(
            by=manager,
            code=PLAN_CODE,
            name="2026—2027年度保障期",
            starts_on=date(2026, 7, 1),
            ends_on=date(2027, 6, 30),
            enrol_opens_on=date(2026, 6, 1),
            enrol_closes_on=date(2027, 3, 31),
            allow_individual=False,
        )
    codes = list(FEW_UNIONS)
    if members >= AT_SCALE:
        grassroots = list(
            Union.objects.filter(kind="grassroots", status="active")
            .order_by("code")
            .values_list("code", flat=True)
        )
        codes = grassroots[: max(len(FEW_UNIONS), len(grassroots) * 7 // 10)]
    enrolled = 0
    for code in codes:
        union = Union.objects.filter(code=code).first()
        if union is None or EnrolmentBatch.objects.filter(plan_year=plan, union=union).exists():
            continue
        roster = selectors.roster_to_enrol(actor=manager, union=union, plan=plan)
        if not roster.exists():
            continue
        batch = services.enrol_members(
            by=manager,
            plan=plan,
            union=union,
            members=roster.iterator(chunk_size=services.BULK_CHUNK),
            source="filter",
            today=plan.enrol_opens_on,
        )
        enrolled += batch.enrolled_count
        if code == FEW_UNIONS[0]:
            for payment in batch.payments.all():
                if payment.payer != "worker":
                    services.payment_record(
                        by=manager,
                        payment=payment,
                        paid_fen=payment.due_fen,
                        paid_on=date(2026, 6, 20),
                        reference=f"HC{rng.randrange(10**8):08d}",
                    )
    _chen_jing_claim(officer)
    return enrolled


def _chen_jing_claim(officer: Any) -> None:
    member = Member.objects.filter(account__username="member").select_related("union").first()
    if member is None or officer is None or Claim.objects.filter(member=member).exists():
        return
    if not Enrolment.objects.filter(member=member).exists():
        return
    with transaction.atomic():
        claim = services.claim_submit(
            by=member.account,
            member=member,
            data=services.ClaimData(
                item_code="inpatient",
                event_date=date(2026, 10, 15),
                hospital="鹤川市人民医院",
                hospital_level="tertiary",
                invoices=[services.InvoiceData("26419902000012345678", 1280000)],
                health_details="急性阑尾炎，住院手术治疗 7 天（演示数据）",
            ),
            consent_version=services.CONSENT_VERSION,
        )
        services.claim_transition(claim=claim, to="first_reviewed", by=officer)
