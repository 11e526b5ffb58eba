"""The hardship program's rules as pure functions: the household income test, the two state
machines (file and aid), who may act at which review level, and the aid amount checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.errors import DomainError
from gonghui.core.money import format_fen

# -- the household income test -----------------------------------------------------------------

# Causes that make a household poor through what it must spend (支出型困难): a file may be kept
# for them even when the per-capita income is not below the threshold.
SPENDING_CAUSES = frozenset({"medical", "illness", "disaster", "disability", "accident"})
MAX_HOUSEHOLD = 12
MAX_MONTHLY_INCOME_FEN = 100_000_000  # ¥1,000,000 a month: anything above is a typing error


def per_capita_fen(incomes_fen: Sequence[int], household_size: int) -> int:
    """The household's monthly income per person, rounded down to the fen (never overstated
    against the threshold by rounding)."""
    if not 1 <= household_size <= MAX_HOUSEHOLD:
        raise DomainError(
            "hardship.household_size",
            _("家庭人口须为 1 至 %(n)d 人") % {"n": MAX_HOUSEHOLD},
        )
    for income in incomes_fen:
        if not 0 <= income <= MAX_MONTHLY_INCOME_FEN:
            raise DomainError("hardship.income_invalid", _("月收入须为 0 至 100 万元"))
    return sum(incomes_fen) // household_size


def below_threshold(per_capita: int, threshold_fen: int) -> bool:
    """低于当地低保标准: strictly below; equal to the threshold is not below it."""
    return per_capita < threshold_fen


def check_eligible(*, per_capita: int, threshold_fen: int, causes: Iterable[str]) -> bool:
    """Whether the income is below the threshold; a household at or above it is refused unless
    one of its causes is a spending cause (illness, disaster, disability, accident, medical)."""
    below = below_threshold(per_capita, threshold_fen)
    if not below and not SPENDING_CAUSES & set(causes):
        raise DomainError(
            "hardship.income_above_threshold",
            _(
                "家庭人均月收入 %(income)s 不低于当地低保标准 %(threshold)s，且致困原因中没有"
                "因病、因灾、因残、医疗负担重或意外致困，不能建立困难职工档案"
            )
            % {"income": format_fen(per_capita), "threshold": format_fen(threshold_fen)},
            {"per_capita_fen": per_capita, "threshold_fen": threshold_fen},
        )
    return below


# -- who acts ----------------------------------------------------------------------------------

APPLICANT = "applicant"  # the member, or their union on their behalf
GRASSROOTS = "grassroots"  # 基层: the member's union
COUNTY = "county"  # 县区: the county (district) or industry union above, or the city
CITY = "city"  # 市总: the city federation's 保障部
STAFF = "staff"  # anyone running the program over the file (records an objection)
REVIEW_LEVELS = (GRASSROOTS, COUNTY, CITY)

LEVEL_LABELS: dict[str, Promise] = {
    APPLICANT: gettext_lazy("申请人"),
    GRASSROOTS: gettext_lazy("基层工会审核"),
    COUNTY: gettext_lazy("县区总工会审核"),
    CITY: gettext_lazy("市总工会审批"),
    STAFF: gettext_lazy("工会工作人员"),
}


@dataclass(frozen=True)
class ReviewerGrant:
    """Where a user holds `hardship.change`: the node's path and kind."""

    union_path: str
    union_kind: str


def reviewer_levels(grants: Iterable[ReviewerGrant], union_path: str) -> frozenset[str]:
    """The levels a user may act at on a file or aid of the union at `union_path`: 基层 from
    the member's union (or a grassroots union above it), 县区 from a county, industry or city
    union above it, 市总 only from the city federation."""
    levels: set[str] = set()
    for grant in grants:
        if not union_path.startswith(grant.union_path):
            continue
        levels.add(STAFF)
        if grant.union_kind in {"grassroots", "branch"} or grant.union_path == union_path:
            levels.add(GRASSROOTS)
        if grant.union_kind in {"county", "industry", "city"}:
            levels.add(COUNTY)
        if grant.union_kind == "city":
            levels.add(CITY)
    return frozenset(levels)


def check_separation(level: str, earlier_levels_by_actor: Iterable[str]) -> None:
    """Four eyes: one person signs at one review level of a file or aid, never two."""
    earlier = set(earlier_levels_by_actor) & set(REVIEW_LEVELS)
    if level in REVIEW_LEVELS and earlier - {level}:
        raise DomainError(
            "hardship.same_reviewer",
            _("您已在其他审核环节签署过意见，请由另一位工作人员办理"),
        )


def check_reason(target: str, reason: str, needs_reason: frozenset[str]) -> str:
    cleaned = " ".join(str(reason or "").split())
    if target in needs_reason and not cleaned:
        raise DomainError("hardship.reason_required", _("请写明原因，申请人会看到它"))
    if len(cleaned) > 300:
        raise DomainError("hardship.reason_too_long", _("原因最多 300 个字"))
    return cleaned


# -- the file's state machine ------------------------------------------------------------------

FILE_TRANSITIONS: dict[tuple[str, str], str] = {
    ("grassroots", "county"): GRASSROOTS,
    ("grassroots", "returned"): GRASSROOTS,
    ("grassroots", "cancelled"): GRASSROOTS,
    ("county", "city"): COUNTY,
    ("county", "returned"): COUNTY,
    ("county", "cancelled"): COUNTY,
    ("city", "notice"): CITY,
    ("city", "returned"): CITY,
    ("city", "cancelled"): CITY,
    ("notice", "objected"): STAFF,
    ("notice", "active"): CITY,
    ("objected", "notice"): CITY,
    ("objected", "cancelled"): CITY,
    ("returned", "grassroots"): APPLICANT,
    ("active", "relieved"): COUNTY,
    ("active", "cancelled"): COUNTY,
}
FILE_NEEDS_REASON = frozenset({"returned", "cancelled", "relieved", "objected"})

# The standing each workflow step gives the file.
STATUS_OF: dict[str, str] = {
    "grassroots": "temporary",
    "county": "temporary",
    "city": "temporary",
    "notice": "temporary",
    "objected": "temporary",
    "returned": "temporary",
    "active": "active",
    "relieved": "relieved",
    "cancelled": "cancelled",
}
CLOSED_STATES = frozenset({"relieved", "cancelled"})


def file_transition_level(current: str, target: str) -> str:
    level = FILE_TRANSITIONS.get((current, target))
    if level is None:
        raise DomainError(
            "hardship.file.transition_invalid",
            _("档案当前为“%(from)s”，不能改为“%(to)s”")
            % {"from": file_state_label(current), "to": file_state_label(target)},
            {"from": current, "to": target},
        )
    return level


def file_moves_from(current: str) -> list[tuple[str, str]]:
    return [(to, level) for (frm, to), level in FILE_TRANSITIONS.items() if frm == current]


def file_state_label(state: str) -> str:
    from gonghui.hardship.models import FileState

    try:
        return str(FileState(state).label)
    except ValueError:
        return state


def check_notice_over(*, notice_ends_on: date | None, today: date, open_objections: int) -> None:
    """A file is kept only after its 公示 has run its course with no objection open."""
    if open_objections:
        raise DomainError(
            "hardship.file.objection_open", _("公示期间收到的异议尚未处理完毕，档案暂缓建立")
        )
    if notice_ends_on is None or today <= notice_ends_on:
        raise DomainError(
            "hardship.file.notice_running",
            _("公示期至 %(day)s 结束，期满后才能确认建档")
            % {"day": notice_ends_on.isoformat() if notice_ends_on else "—"},
        )


def next_check(established_or_checked: date) -> date:
    """The annual re-check falls a year later (28 February for a 29 February)."""
    try:
        return established_or_checked.replace(year=established_or_checked.year + 1)
    except ValueError:
        return established_or_checked.replace(year=established_or_checked.year + 1, day=28)


UNTOUCHED_DAYS = 365


def untouched(last_activity_at: datetime, now: datetime) -> bool:
    """No action on the file for a year."""
    return now - last_activity_at > timedelta(days=UNTOUCHED_DAYS)


# -- aid ---------------------------------------------------------------------------------------

PAYMENT = "payment"  # recording a cash payment: county or city staff
AID_TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "first_reviewed"): GRASSROOTS,
    ("submitted", "returned"): GRASSROOTS,
    ("submitted", "rejected"): GRASSROOTS,
    ("first_reviewed", "rechecked"): COUNTY,
    ("first_reviewed", "returned"): COUNTY,
    ("first_reviewed", "rejected"): COUNTY,
    ("rechecked", "approved"): CITY,
    ("rechecked", "referred"): CITY,
    ("rechecked", "returned"): CITY,
    ("rechecked", "rejected"): CITY,
    ("returned", "submitted"): APPLICANT,
    ("approved", "paid"): PAYMENT,
}
# The fast track: one authorised person (county or city) approves, payment comes first.
EMERGENCY_TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "approved"): COUNTY,
    ("submitted", "rejected"): COUNTY,
    ("approved", "paid"): PAYMENT,
}
AID_NEEDS_REASON = frozenset({"returned", "rejected"})
COUNTED_STATES = ("approved", "paid", "referred")


def aid_table(emergency: bool) -> dict[tuple[str, str], str]:
    return EMERGENCY_TRANSITIONS if emergency else AID_TRANSITIONS


def aid_transition_level(current: str, target: str, *, emergency: bool) -> str:
    level = aid_table(emergency).get((current, target))
    if level is None:
        raise DomainError(
            "hardship.aid.transition_invalid",
            _("该申请当前为“%(from)s”，不能改为“%(to)s”")
            % {"from": aid_state_label(current), "to": aid_state_label(target)},
            {"from": current, "to": target},
        )
    return level


def aid_moves_from(current: str, *, emergency: bool, category: str) -> list[tuple[str, str]]:
    """(target, level) pairs allowed from `current`; a referral (就业帮扶) is referred, never
    approved for money, and money aid is never referred."""
    moves = []
    for (frm, to), level in aid_table(emergency).items():
        if frm != current:
            continue
        if to == "referred" and category != "employment":
            continue
        if to == "approved" and category == "employment":
            continue
        moves.append((to, level))
    return moves


def aid_state_label(state: str) -> str:
    from gonghui.hardship.models import AidState

    try:
        return str(AidState(state).label)
    except ValueError:
        return state


def aid_period(*, category: str, year: int, event_date: date | None) -> str:
    """The period an aid item is given once in: the year, or for an emergency its event date
    (two sudden events are two items; the same event is one)."""
    if category == "emergency":
        if event_date is None:
            raise DomainError("hardship.aid.event_date_required", _("请填写突发事件的发生日期"))
        return event_date.isoformat()
    return str(year)


def check_amount(amount_fen: int, *, min_fen: int, max_fen: int) -> None:
    if not min_fen <= amount_fen <= max_fen:
        if min_fen == max_fen:
            message = _("该项救助标准为 %(amount)s") % {"amount": format_fen(min_fen)}
        else:
            message = _("该项救助标准为 %(low)s 至 %(high)s") % {
                "low": format_fen(min_fen),
                "high": format_fen(max_fen),
            }
        raise DomainError(
            "hardship.aid.amount_outside_standard",
            message,
            {"min_fen": min_fen, "max_fen": max_fen, "amount_fen": amount_fen},
        )


def check_budget(*, amount_fen: int, amount_total_fen: int, used_fen: int) -> None:
    left = amount_total_fen - used_fen
    if amount_fen > left:
        raise DomainError(
            "hardship.aid.over_budget",
            _("预算余额 %(left)s，不足以批准 %(amount)s。请调整金额或先追加预算")
            % {"left": format_fen(max(left, 0)), "amount": format_fen(amount_fen)},
            {"left_fen": left, "amount_fen": amount_fen},
        )


def ancestor_paths(path: str) -> list[str]:
    """The node's own path and every ancestor's, deepest first: /HC/D01/E1/ → [/HC/D01/E1/,
    /HC/D01/, /HC/]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(len(parts), 0, -1)]


def emergency_overdue(
    approve_by: datetime | None, decided_at: datetime | None, now: datetime
) -> bool:
    """An emergency not decided within its time limit (decided late, or still waiting)."""
    if approve_by is None:
        return False
    return (decided_at or now) > approve_by
