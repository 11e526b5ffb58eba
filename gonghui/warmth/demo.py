"""Demo data for 送温暖: the current 2027 元旦春节 campaign with funds from three sources, budgets
for three counties and a few grassroots unions, the list built from the registry by the
campaign's rules, the demo member 陈静 added by hand, and part handed out (never to 陈静: the
browser journey hands out to her). Fictitious; a second run adds nothing."""

from __future__ import annotations

import random
from datetime import date

from gonghui.accounts.models import User
from gonghui.members.models import Member
from gonghui.orgs.models import Union
from gonghui.warmth import selectors, services
from gonghui.warmth.models import Campaign, CampaignStatus, Target, TargetStatus

CODE = "2027CJ"
FUNDS = [
    (
        "federation",
        "鹤川市总工会（本级工会经费）",
        50_000_000,
        date(2026, 11, 10),
        "HC-JF-2026-118",
    ),
    ("enterprise", "鹤川恒达机械制造有限公司", 10_000_000, date(2026, 11, 18), "QY-2026-0031"),
    ("donation", "鹤川市慈善总会转社会捐赠", 3_000_000, date(2026, 11, 22), "JZ-2026-0457"),
]
ALLOCATIONS = [
    ("D01", 20_000_000),
    ("D02", 15_000_000),
    ("D03", 8_000_000),
    ("D01E001", 2_000_000),
    ("D01E002", 1_000_000),
    ("D02E001", 1_000_000),
]
HANDED_OUT_COUNTIES = ("D01", "D02", "D03")


def seed_warmth(rng: random.Random, *, members: int = 0) -> int:
    manager = User.objects.filter(username="baozhang").first()
    city = Union.objects.filter(code="HC").first()
    if manager is None or city is None or not Union.objects.filter(code="D01E001").exists():
        return 0
    campaign = Campaign.objects.filter(code=CODE).first()
    if campaign is None:
        campaign = services.campaign_create(
            by=manager,
            union=city,
            code=CODE,
            name="2027年元旦春节送温暖",
            starts_on=date(2026, 11, 20),
            ends_on=date(2027, 2, 28),
        )
        for source, donor, amount, day, reference in FUNDS:
            services.fund_record(
                by=manager,
                campaign=campaign,
                source=source,
                donor=donor,
                amount_fen=amount,
                received_on=day,
                reference=reference,
            )
        for code, amount in ALLOCATIONS:
            union = Union.objects.filter(code=code).first()
            if union is not None:
                services.allocation_set(
                    by=manager, campaign=campaign, union=union, amount_fen=amount
                )
        campaign = services.campaign_transition(
            by=manager, campaign=campaign, to=CampaignStatus.ACTIVE
        )
    if campaign.status == CampaignStatus.CLOSED:
        return 0
    added = 0
    if not campaign.targets.exists():
        added = sum(services.targets_build(by=manager, campaign=campaign, union=city).values())
    chen = Member.objects.filter(account__username="member").select_related("union").first()
    if chen is not None and not Target.objects.filter(campaign=campaign, member=chen).exists():
        services.target_add(
            by=manager,
            campaign=campaign,
            member=chen,
            group_code="hardship",
            reason="家属患重病，工会走访核实后列入（演示数据）",
        )
        added += 1
    _hand_out(manager, campaign, chen)
    return added


def _hand_out(manager: User, campaign: Campaign, chen: Member | None) -> None:
    """About half of the list in the first few unions of the budgeted counties, as far as the
    budget reaches."""
    if campaign.batches.exists():
        return
    listed = Target.objects.filter(
        campaign=campaign,
        status=TargetStatus.LISTED,
        union__kind="grassroots",
        union__parent__code__in=HANDED_OUT_COUNTIES,
    )
    if chen is not None:
        listed = listed.exclude(member=chen)
    codes = list(
        listed.order_by("union__code").values_list("union__code", flat=True).distinct()[:6]
    )
    for union in Union.objects.filter(code__in=codes).order_by("code"):
        mine = list(listed.filter(union=union).order_by("id"))
        holder = selectors.budget_holder(campaign, union)
        state = selectors.budget_state(campaign, holder) if holder is not None else None
        if state is None:
            continue
        left = state.remaining_fen
        chosen = []
        for target in mine[: (len(mine) + 1) // 2]:
            if target.amount_fen > left:
                break
            left -= target.amount_fen
            chosen.append(target.public_id)
        if chosen:
            services.distribute(
                by=manager,
                campaign=campaign,
                union=union,
                target_ids=chosen[: services.MAX_BATCH],
                method="cash",
                distributed_on=date(2026, 11, 26),
            )
