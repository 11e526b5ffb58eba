"""Pure rules of the model-worker program (no database; tests/test_rules.py).

Stated once:
- Level: a person may hold several honours; the highest level among those not revoked counts,
  and of several at that level the earliest award year.
- Allowance: the policy of the batch month's year gives a monthly amount per level and status;
  a model worker flagged 困难职工 gets the hardship row of their level and status when the
  policy has one, otherwise the ordinary row. No row (or zero) means not entitled. Deceased
  model workers are not entitled: a death stops the allowance from the next batch on.
- 疗休养 rotation: candidates are ordered by the date of their last trip, longest ago first,
  and those who never went before everyone else. Ties: higher level first, then earlier award
  year, then member number. Declining an invitation does not count as a trip, so whoever
  declines keeps their place at the head of the queue for the next trip. A cancelled trip
  counts for nobody.
- Answers: the invited model worker accepts or declines on the phone until the trip's answer
  deadline (the date staff set, else the day before departure); a cancelled trip takes no
  answers. Staff may still record an answer by hand after the deadline.
- Cancelling a trip or a 劳模大讲堂 session needs a reason and is refused once it has begun.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError

NATIONAL, PROVINCIAL, CITY = "national", "provincial", "city"
LEVELS = (NATIONAL, PROVINCIAL, CITY)  # highest first
LEVEL_RANK = {NATIONAL: 3, PROVINCIAL: 2, CITY: 1}
WORKING, RETIRED, DECEASED = "working", "retired", "deceased"
STATUSES = (WORKING, RETIRED, DECEASED)
PAYABLE_STATUSES = (WORKING, RETIRED)

# -- honours --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HonourFact:
    level: str
    year: int
    revoked: bool = False


def highest_honour(honours: Iterable[HonourFact]) -> HonourFact | None:
    """The honour that counts: highest level, then earliest year; None when all are revoked."""
    standing = [h for h in honours if not h.revoked]
    if not standing:
        return None
    return min(standing, key=lambda h: (-LEVEL_RANK[h.level], h.year))


def check_award_year(year: int, today: date) -> None:
    if not 1950 <= year <= today.year:
        raise DomainError(
            "modelworkers.year_invalid",
            _("授予年份须在 1950 年至 %(year)d 年之间") % {"year": today.year},
        )


def check_level(level: str) -> None:
    if level not in LEVELS:
        raise DomainError("modelworkers.level_invalid", _("级别须为全国、省级或市级"))


# -- months ---------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def previous_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def line_reference(month: date, number: int) -> str:
    """The line's business number on the payout file: `MW202610-000123`."""
    return f"MW{month:%Y%m}-{number:06d}"


# -- allowances -----------------------------------------------------------------------------

RateKey = tuple[str, str, bool]


def monthly_allowance(
    rates: Mapping[RateKey, int], *, level: str, status: str, hardship: bool
) -> int:
    """The month's allowance in fen, 0 when not entitled."""
    if status not in PAYABLE_STATUSES:
        return 0
    if hardship and (level, status, True) in rates:
        return rates[(level, status, True)]
    return rates.get((level, status, False), 0)


def check_rate(monthly_fen: int) -> None:
    if not 0 <= monthly_fen <= 10_000_00:
        raise DomainError("modelworkers.rate_invalid", _("每月津贴须在 0 至 10000 元之间"))


def batch_total(amounts: Iterable[int]) -> int:
    return sum(amounts)


# The allowance batch's one state machine: draft → approved → sent (payout file made) → closed
# (the bank's result read).
BATCH_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("approved",),
    "approved": ("sent",),
    "sent": ("closed",),
    "closed": (),
}


def check_batch_move(current: str, to: str) -> None:
    if to not in BATCH_TRANSITIONS.get(current, ()):
        raise DomainError(
            "modelworkers.batch.transition_invalid",
            _("批次当前状态不能办理此操作，请刷新页面后查看"),
            {"from": current, "to": to},
        )


# -- health checks --------------------------------------------------------------------------


def checks_due(entitlements: Mapping[str, int], *, level: str, status: str) -> int:
    """Health checks a year for the level; nobody deceased is due."""
    if status not in PAYABLE_STATUSES:
        return 0
    return entitlements.get(level, 0)


# -- 疗休养 rotation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    key: int
    last_trip: date | None
    level: str
    award_year: int
    member_no: str


def rotation_key(candidate: Candidate) -> tuple[int, date, int, int, str]:
    """Never went first, then longest since the last trip; ties as the module docstring says."""
    return (
        0 if candidate.last_trip is None else 1,
        candidate.last_trip or date.min,
        -LEVEL_RANK[candidate.level],
        candidate.award_year,
        candidate.member_no,
    )


def rotation_order(candidates: Iterable[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=rotation_key)


def places_free(quota: int, holding: int) -> int:
    return max(quota - holding, 0)


def to_invite(candidates: Sequence[Candidate], *, quota: int, holding: int) -> list[Candidate]:
    """The head of the queue, as many as there are places left on the trip."""
    return rotation_order(candidates)[: places_free(quota, holding)]


# Invitation states: who answers moves an invitation along these edges only.
INVITATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "invited": ("accepted", "declined"),
    "accepted": ("attended", "absent", "declined"),
    "declined": (),
    "attended": (),
    "absent": (),
}

# A trip taken: what moves a person to the back of the queue.
WENT = ("accepted", "attended")


def check_invitation_move(current: str, to: str) -> None:
    if to not in INVITATION_TRANSITIONS.get(current, ()):
        raise DomainError(
            "modelworkers.invitation.transition_invalid",
            _("邀请当前状态不能改为所选状态，请刷新页面后查看"),
            {"from": current, "to": to},
        )


# What the invited model worker may do themselves (attendance is staff's to record).
MEMBER_ANSWERS = ("accepted", "declined")


def reply_deadline(*, answer_by: date | None, starts_on: date) -> date:
    """The last day to answer an invitation: the trip's own date, else the day before it starts."""
    return answer_by or starts_on - timedelta(days=1)


def check_answer_by(answer_by: date | None, *, starts_on: date, today: date) -> None:
    if answer_by is None:
        return
    if answer_by >= starts_on:
        raise DomainError("modelworkers.trip.answer_by", _("答复截止日期须早于出发日期"))
    if answer_by < today:
        raise DomainError("modelworkers.trip.answer_by_past", _("答复截止日期不能早于今天"))


def check_member_answer(
    *, current: str, to: str, deadline: date, today: date, cancelled: bool, cancel_reason: str = ""
) -> None:
    """Whether the invited model worker may give this answer now."""
    if cancelled:
        raise DomainError(
            "modelworkers.trip.cancelled",
            _("该疗休养已取消：%(r)s") % {"r": cancel_reason or _("未说明原因")},
        )
    if to not in MEMBER_ANSWERS:
        raise DomainError(
            "modelworkers.invitation.transition_invalid",
            _("只能接受或婉拒邀请"),
            {"from": current, "to": to},
        )
    if today > deadline:
        raise DomainError(
            "modelworkers.invitation.deadline_passed",
            _("答复截止日期 %(d)s 已过，不能再在手机上答复；如有变化请联系组织单位")
            % {"d": f"{deadline:%Y-%m-%d}"},
        )
    if current == to:
        raise DomainError(
            "modelworkers.invitation.already_answered",
            _("您已答复过这份邀请"),
            {"from": current, "to": to},
        )
    check_invitation_move(current, to)


def member_answers(*, state: str, deadline: date, today: date, cancelled: bool) -> list[str]:
    """The answers the invited may still give on the phone (what the page offers)."""
    if cancelled or today > deadline:
        return []
    return [to for to in INVITATION_TRANSITIONS.get(state, ()) if to in MEMBER_ANSWERS]


def check_trip_accepts(*, quota: int, holding_others: int) -> None:
    """Accepting needs a place: the trip's places held by everyone else leave one free."""
    if places_free(quota, holding_others) == 0:
        raise DomainError("modelworkers.trip.full", _("名额已满，不能再接受邀请"))


def check_trip_cancel(*, cancelled: bool, starts_on: date, today: date) -> None:
    if cancelled:
        raise DomainError("modelworkers.trip.cancelled_already", _("该疗休养已经取消"))
    if starts_on <= today:
        raise DomainError("modelworkers.trip.started", _("疗休养已经开始，不能取消"))


# -- 劳模大讲堂 -----------------------------------------------------------------------------


def check_lecture_cancel(*, cancelled: bool, starts_at: datetime, now: datetime) -> None:
    if cancelled:
        raise DomainError("modelworkers.lecture.cancelled_already", _("该讲座已经取消"))
    if starts_at <= now:
        raise DomainError("modelworkers.lecture.took_place", _("讲座已经举行，不能取消"))


def check_reason(reason: str) -> None:
    if not reason:
        raise DomainError("modelworkers.reason_required", _("请填写取消原因"))


def check_places(*, signed_up: int, capacity: int) -> None:
    if signed_up >= capacity:
        raise DomainError("modelworkers.lecture.full", _("名额已满，欢迎报名下一场"))
