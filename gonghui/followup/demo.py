"""Demo data for 督查督办: the 2026 union–government joint meeting (联席会议) with its decisions,
followed up as action items (one in progress, one closed with evidence, one still open).
Fictitious; a second run adds nothing."""

from __future__ import annotations

import random
from datetime import date

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.followup import services
from gonghui.followup.models import Meeting, MeetingKind, Priority
from gonghui.orgs.models import Department, Union

MEETING_TITLE = "2026年鹤川市人民政府与市总工会联席会议（演示）"
DECISIONS = [
    (
        "新就业形态劳动者入会集中行动：年底前快递、外卖、网约车平台企业建会率达到90%。",
        "推进平台企业建会和新就业形态劳动者入会",
        "county",
        None,
        date(2026, 12, 20),
        Priority.HIGH,
    ),
    (
        "职工医疗互助保障扩面：将灵活就业职工纳入互助保障，市财政给予参保补助。",
        "制定灵活就业职工参加医疗互助的补助办法",
        "baozhang",
        "security",
        date(2026, 9, 30),
        Priority.NORMAL,
    ),
    (
        "户外劳动者服务站点建设：新建“工会驿站”30个，纳入全市民生实事。",
        "新建30个户外劳动者服务站点",
        "shengchan",
        "production",
        date(2027, 3, 31),
        Priority.NORMAL,
    ),
]


def seed_followup(rng: random.Random, *, members: int = 0) -> int:
    office = User.objects.filter(username="bangong").first()
    city = Union.objects.filter(kind="city", parent__isnull=True).first()
    if office is None or city is None or Meeting.objects.filter(title=MEETING_TITLE).exists():
        return 0
    with transaction.atomic():
        meeting = services.meeting_create(
            by=office,
            kind=MeetingKind.JOINT,
            title=MEETING_TITLE,
            held_on=date(2026, 3, 18),
            location="市政府第一会议室",
            agenda="\n".join(text.split("：")[0] for text, *_rest in DECISIONS),
            attendees="副市长（召集人）；市总工会主席、常务副主席；市人社局、财政局、住建局、交通局负责同志",
            minutes="会议通报了2025年联席会议议定事项落实情况，研究了职工群众关心的热点问题，"
            "议定以下事项，由市总工会办公室牵头督办。（演示数据）",
            union=city,
        )
        made = 0
        for text, title, owner_name, department_code, deadline, priority in DECISIONS:
            decision = services.decision_add(by=office, meeting=meeting, text=text)
            owner = User.objects.filter(username=owner_name).first()
            if owner is None:
                continue
            item = services.decision_item_create(
                by=office,
                decision=decision,
                title=title,
                owner=owner,
                deadline=deadline,
                department=Department.objects.filter(code=department_code).first()
                if department_code
                else None,
                priority=priority,
            )
            made += 1
            if owner_name == "baozhang":
                services.action_item_progress(
                    by=owner, item=item, text="已起草补助办法，征求财政局意见。", percent=60
                )
                services.action_item_close(
                    by=owner,
                    item=item,
                    evidence_text="补助办法已经市政府常务会议通过并印发（演示）。",
                    evidence_link="https://www.example.org/hechuan/2026/mutual-aid-subsidy",
                )
            elif owner_name == "county":
                services.action_item_progress(
                    by=owner, item=item, text="已完成12家平台企业建会。", percent=40
                )
    return made
