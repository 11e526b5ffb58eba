"""Demo data for the mutual-aid plan: the 2026–2027 plan year with the default rules; the members
of a few unions enrolled (about 70% of the city's grassroots unions when seeded at scale); the
demo member 陈静 enrolled with a paid claim, an approved one waiting for payment and one in
review; a settled payout batch; and 50 fictitious members of her union D01E001 not yet enrolled,
for the officer 张伟 to enrol. Fictitious; a second run adds nothing."""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core.bulk import BulkInserter
from gonghui.core.payouts import PayoutLine as FileLine
from gonghui.core.payouts import result_file_bytes
from gonghui.members import services as member_services
from gonghui.members.demo import people
from gonghui.members.importer import MEMBER_COLUMNS
from gonghui.members.models import Member
from gonghui.mutualaid import selectors, services
from gonghui.mutualaid.models import Claim, Enrolment, EnrolmentBatch, PlanYear
from gonghui.orgs.models import Union

PLAN_CODE = "2026"
HOME_UNION = "D01E001"  # 陈静's union: only she is enrolled, the rest wait for the officer
FEW_UNIONS = ("D01E002", "D01E003", "D02E001", "D02E002")
AT_SCALE = 20_000  # from this many members on, enrol about 70% of the grassroots unions
TO_ENROL_IN_HOME = 50


def seed_mutualaid(rng: random.Random, *, members: int = 0) -> int:
    manager = User.objects.filter(username="baozhang").first()
    if manager is None or not Union.objects.filter(code=HOME_UNION).exists():
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
            .exclude(code=HOME_UNION)
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
        _pay(rng, manager, batch, payers=("employer", "union", "worker"))
    enrolled += _chen_jing(rng, manager, plan)
    _home_roster()
    return enrolled


def _pay(rng: random.Random, manager: User, batch: EnrolmentBatch, payers: tuple[str, ...]) -> None:
    for payment in batch.payments.all():
        if payment.payer in payers:
            services.payment_record(
                by=manager,
                payment=payment,
                paid_fen=payment.due_fen,
                paid_on=date(2026, 6, 20),
                reference=f"HC{rng.randrange(10**8):08d}",
            )


def _chen_jing(rng: random.Random, manager: User, plan: PlanYear) -> int:
    member = Member.objects.filter(account__username="member").select_related("union").first()
    if member is None or Enrolment.objects.filter(member=member, plan_year=plan).exists():
        return 0
    batch = services.enrol_members(
        by=manager,
        plan=plan,
        union=member.union,
        members=Member.objects.filter(pk=member.pk).select_related("union"),
        source="filter",
        today=plan.enrol_opens_on,
    )
    _pay(rng, manager, batch, payers=("employer", "union", "worker"))
    _chen_jing_claims(member)
    return 1


def _claim(member: Member, **fields: Any) -> Claim:
    data = {
        "hospital": "鹤川市人民医院",
        "hospital_level": "tertiary",
        "bank_account": "6222020200112233445",
        "bank_name": "工商银行鹤川分行",
    } | fields
    return services.claim_submit(
        by=member.account,
        member=member,
        data=services.ClaimData(**data),
        consent_version=services.CONSENT_VERSION,
    )


def _walk(claim: Claim, *steps: tuple[str, User]) -> Claim:
    for to, by in steps:
        claim = services.claim_transition(claim=claim, to=to, by=by)
    return claim


def _chen_jing_claims(member: Member) -> None:
    """One paid through a settled payout batch, one approved and waiting, one in review."""
    officer = User.objects.get(username="officer")
    county = User.objects.get(username="county")
    manager = User.objects.get(username="baozhang")
    review = (("first_reviewed", officer), ("rechecked", county), ("approved", manager))
    with transaction.atomic():
        paid = _claim(
            member,
            item_code="accident",
            event_date=date(2026, 8, 10),
            hospital_level="secondary",
            invoices=[services.InvoiceData("26419902000011110001", 86000)],
            health_details="下班途中摔伤右腕，门诊复位固定（演示数据）",
        )
        _walk(paid, *review)
        batch = services.payout_batch_create(by=manager, channel="bank")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "result.xlsx"
            path.write_bytes(
                result_file_bytes(
                    (
                        FileLine(
                            line.claim.claim_no,
                            line.claim.member.name,
                            line.account_no,
                            line.amount_fen,
                        ),
                        True,
                        "",
                    )
                    for line in selectors.payout_lines(batch)
                )
            )
            services.payout_results_import(by=manager, batch=batch, path=path)
        waiting = _claim(
            member,
            item_code="inpatient",
            event_date=date(2026, 10, 15),
            invoices=[services.InvoiceData("26419902000012345678", 1280000)],
            health_details="急性阑尾炎，住院手术治疗 7 天（演示数据）",
        )
        _walk(waiting, *review)
        in_review = _claim(
            member,
            item_code="inpatient",
            event_date=date(2026, 11, 2),
            hospital_level="secondary",
            invoices=[services.InvoiceData("26419902000012349999", 350000)],
            health_details="肺炎住院治疗 5 天（演示数据）",
        )
        _walk(in_review, ("first_reviewed", officer))


def _home_roster() -> None:
    """Members of D01E001 of working age, not enrolled, for the officer to enrol (the
    Playwright journey enrols 50 of them); written like the registry's own demo rows."""
    union = Union.objects.get(code=HOME_UNION)
    missing = TO_ENROL_IN_HOME + 1 - Member.objects.filter(union=union).count()
    if missing <= 0:
        return
    today = date(2026, 11, 1)
    own = random.Random(f"mutualaid-{HOME_UNION}")  # noqa: S311 (fictitious demo data)
    rows: list[dict[str, Any]] = []
    for person in people(own, missing * 3):
        if len(rows) == missing or not 20 <= today.year - person["birth_date"].year <= 60:
            continue
        data = member_services.validate(
            member_services.MemberData(
                name=person["name"],
                id_number=person["id_number"],
                phone=person["phone"],
                category=person["category"],
                join_date=min(person["join_date"], today - timedelta(days=30)),
            )
        )
        rows.append(member_services.member_row(data, union.pk, ""))
    taken = set(
        Member.objects.filter(id_index__in=[r["id_index"] for r in rows]).values_list(
            "id_index", flat=True
        )
    )
    rows = [row for row in rows if row["id_index"] not in taken]
    numbers = member_services.allocate_numbers(len(rows))
    with transaction.atomic():
        BulkInserter(Member, MEMBER_COLUMNS).insert(
            [row | {"member_no": number} for row, number in zip(rows, numbers, strict=True)]
        )
