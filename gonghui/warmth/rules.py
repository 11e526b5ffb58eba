"""The rules of a 送温暖 campaign, without the database: its status machine, its target groups
as data, who falls in which group (once, in the group with the highest standard), budgets, and
proportional splits that always add up."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError

PREPARING = "preparing"
ACTIVE = "active"
CLOSED = "closed"

# The campaign's life: set up (funds, budgets, lists) → hand out → closed and frozen.
TRANSITIONS: dict[str, frozenset[str]] = {
    PREPARING: frozenset({ACTIVE}),
    ACTIVE: frozenset({CLOSED}),
    CLOSED: frozenset(),
}

# Hand-outs paid through the bank wait for its result file; cash and goods are handed over.
PAYOUT_METHODS = frozenset({"card", "bank"})

# Only members in the union (在会) or keeping their membership (保留会籍) are listed.
ELIGIBLE_STATUSES = frozenset({"active", "retained"})

NEW_FORM_CATEGORIES = (
    "migrant",
    "courier",
    "rider",
    "ride_hailing",
    "truck_driver",
    "domestic",
    "new_form",
)
KNOWN_CATEGORIES = frozenset({"employee", *NEW_FORM_CATEGORIES})
SCAN_MAX_BYTES = 10 * 1024 * 1024
MAX_GROUPS = 20


def check_transition(current: str, to: str) -> None:
    if to not in TRANSITIONS.get(current, frozenset()):
        raise DomainError(
            "warmth.campaign.transition_invalid",
            _("活动现在的状态不能进行这项操作"),
            {"from": current, "to": to},
        )


def is_open(status: str) -> bool:
    """Funds, budgets and lists change until the campaign is closed; closing freezes it."""
    return status != CLOSED


def check_groups_editable(status: str, batch_count: int) -> None:
    """The groups and standards change while the campaign is prepared, and while it runs as
    long as nobody has been handed out to: after that, people received what the standards
    said and a change would treat people of one campaign differently."""
    if status == CLOSED:
        raise DomainError("warmth.campaign_closed", _("活动已结束，不能再修改"))
    if batch_count:
        raise DomainError(
            "warmth.groups_frozen",
            _("已有 %(n)d 个发放批次，慰问对象类别和标准不能再修改") % {"n": batch_count},
            {"batches": batch_count},
        )


@dataclass(frozen=True)
class TargetGroup:
    """One group of people the campaign visits and what each is due. A condition left as None
    (or an empty category list) does not narrow the group."""

    code: str
    name: str
    cash_fen: int
    goods: str = ""
    goods_value_fen: int = 0
    hardship: bool | None = None
    model_worker: bool | None = None
    categories: tuple[str, ...] = ()
    min_age: int | None = None
    min_age_female: int | None = None

    @property
    def standard_fen(self) -> int:
        return self.cash_fen + self.goods_value_fen

    def as_data(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "cash_fen": self.cash_fen,
            "goods": self.goods,
            "goods_value_fen": self.goods_value_fen,
            "hardship": self.hardship,
            "model_worker": self.model_worker,
            "categories": list(self.categories),
            "min_age": self.min_age,
            "min_age_female": self.min_age_female,
        }


DEFAULT_GROUPS: tuple[TargetGroup, ...] = (
    TargetGroup("hardship_model", "困难劳模", 100_000, "米面油", 20_000, True, True),
    TargetGroup("hardship", "困难职工", 50_000, "米面油", 20_000, True),
    TargetGroup("model_worker", "劳模", 30_000, "慰问品", 10_000, None, True),
    TargetGroup(
        "new_form",
        "困难农民工和新就业形态劳动者",
        30_000,
        "米面油",
        20_000,
        True,
        None,
        NEW_FORM_CATEGORIES,
    ),
    TargetGroup("elderly", "达到退休年龄的会员", 0, "慰问品", 20_000, None, None, (), 60, 55),
)


def _invalid(message: str, index: int) -> DomainError:
    return DomainError("warmth.groups_invalid", message, {"group": index + 1})


def _optional_bool(value: Any, index: int) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise _invalid(_("第 %(n)d 类：条件须为“是”“否”或不限") % {"n": index + 1}, index)


def _optional_age(value: Any, index: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 16 <= value <= 100:
        raise _invalid(_("第 %(n)d 类：年龄须为 16 到 100 之间的整数") % {"n": index + 1}, index)
    return value


def _fen(value: Any, index: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
        raise _invalid(
            _("第 %(n)d 类：金额须为 0 到 100000 元之间的整数分") % {"n": index + 1}, index
        )
    return value


def parse_groups(data: Any) -> tuple[TargetGroup, ...]:
    """The campaign's groups from their JSON form, checked. The order is the tie-break order."""
    if not isinstance(data, list) or not data:
        raise DomainError("warmth.groups_invalid", _("至少要有一类慰问对象"))
    if len(data) > MAX_GROUPS:
        raise DomainError("warmth.groups_invalid", _("慰问对象最多 20 类"))
    groups: list[TargetGroup] = []
    seen: set[str] = set()
    for index, raw in enumerate(data):
        if not isinstance(raw, dict):
            raise _invalid(_("第 %(n)d 类格式不对") % {"n": index + 1}, index)
        code = str(raw.get("code") or "").strip()
        name = str(raw.get("name") or "").strip()
        if not code or not name or len(code) > 32 or len(name) > 40:
            raise _invalid(_("第 %(n)d 类须有代码和名称") % {"n": index + 1}, index)
        if code in seen:
            raise _invalid(_("类别代码“%(code)s”重复") % {"code": code}, index)
        seen.add(code)
        categories = raw.get("categories") or []
        if not isinstance(categories, list) or not set(categories) <= KNOWN_CATEGORIES:
            raise _invalid(_("第 %(n)d 类：职工类别不对") % {"n": index + 1}, index)
        group = TargetGroup(
            code=code,
            name=name,
            cash_fen=_fen(raw.get("cash_fen", 0), index),
            goods=str(raw.get("goods") or "").strip()[:100],
            goods_value_fen=_fen(raw.get("goods_value_fen", 0), index),
            hardship=_optional_bool(raw.get("hardship"), index),
            model_worker=_optional_bool(raw.get("model_worker"), index),
            categories=tuple(categories),
            min_age=_optional_age(raw.get("min_age"), index),
            min_age_female=_optional_age(raw.get("min_age_female"), index),
        )
        if group.standard_fen == 0:
            raise _invalid(_("第 %(n)d 类：慰问金和慰问品价值不能都为 0") % {"n": index + 1}, index)
        if group.min_age_female is not None and group.min_age is None:
            raise _invalid(_("第 %(n)d 类：设了女性年龄须同时设年龄") % {"n": index + 1}, index)
        if (
            group.hardship is None
            and group.model_worker is None
            and not group.categories
            and group.min_age is None
        ):
            raise _invalid(
                _("第 %(n)d 类没有任何条件，会把所有会员列入名单") % {"n": index + 1}, index
            )
        groups.append(group)
    return tuple(groups)


def group_by_code(groups: Iterable[TargetGroup], code: str) -> TargetGroup | None:
    return next((group for group in groups if group.code == code), None)


def groups_data(groups: Iterable[TargetGroup]) -> list[dict[str, Any]]:
    return [group.as_data() for group in groups]


@dataclass(frozen=True)
class Person:
    """What the rules look at in the member registry."""

    status: str
    is_hardship: bool
    is_model_worker: bool
    category: str
    gender: str
    birth_date: date


def age_on(birth: date, day: date) -> int:
    """Completed years on `day` (a 29 February birthday counts on 1 March in other years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_threshold(group: TargetGroup, gender: str) -> int | None:
    if gender == "F" and group.min_age_female is not None:
        return group.min_age_female
    return group.min_age


def matches(group: TargetGroup, person: Person, on: date) -> bool:
    """Every condition the group sets holds for the person (ages on the campaign's start)."""
    if group.hardship is not None and person.is_hardship != group.hardship:
        return False
    if group.model_worker is not None and person.is_model_worker != group.model_worker:
        return False
    if group.categories and person.category not in group.categories:
        return False
    threshold = age_threshold(group, person.gender)
    return threshold is None or age_on(person.birth_date, on) >= threshold


def choose_group(groups: Sequence[TargetGroup], person: Person, on: date) -> TargetGroup | None:
    """The one group a person is listed in: none unless 在会 or 保留会籍; among the groups they
    match, the highest standard (cash plus goods value); on a tie, the group listed first on
    the campaign."""
    if person.status not in ELIGIBLE_STATUSES:
        return None
    best: TargetGroup | None = None
    for group in groups:
        if matches(group, person, on) and (best is None or group.standard_fen > best.standard_fen):
            best = group
    return best


def regroup(
    groups: Sequence[TargetGroup], *, manual: bool, group_code: str, person: Person, on: date
) -> TargetGroup | None:
    """Where a listed person belongs after the groups changed: a person listed by the rules
    goes where the rules now put them (None: off the list); a person added by hand stays in
    the group they were added to, at its new standard (None: that group was deleted)."""
    if manual:
        return group_by_code(groups, group_code)
    return choose_group(groups, person, on)


def latest_birth_for(age: int, on: date) -> date:
    """The latest birth date of someone at least `age` years old on `on`."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # 29 February in a non-leap year
        return date(on.year - age, 2, 28)


def remaining_fen(budget_fen: int, allocated_fen: int, spent_fen: int) -> int:
    return budget_fen - allocated_fen - spent_fen


def check_allocation(
    *, new_fen: int, current_fen: int, parent_remaining_fen: int, own_committed_fen: int
) -> None:
    """A union's budget may not exceed what its parent still has, nor fall below what it has
    passed on or spent already."""
    if new_fen < 0:
        raise DomainError("warmth.allocation_negative", _("预算不能为负数"))
    if new_fen < own_committed_fen:
        raise DomainError(
            "warmth.allocation_below_committed",
            _("预算不能少于该工会已下拨和已发放的 %(fen)s") % {"fen": _yuan(own_committed_fen)},
            {"committed_fen": own_committed_fen},
        )
    if new_fen - current_fen > parent_remaining_fen:
        raise DomainError(
            "warmth.allocation_over_parent",
            _("超出上级剩余预算：上级还可分配 %(fen)s") % {"fen": _yuan(parent_remaining_fen)},
            {"parent_remaining_fen": parent_remaining_fen},
        )


def check_spending(*, amount_fen: int, remaining: int) -> None:
    if amount_fen > remaining:
        raise DomainError(
            "warmth.over_budget",
            _("本次发放 %(amount)s 超出剩余预算 %(left)s，请减少人数或申请追加预算")
            % {"amount": _yuan(amount_fen), "left": _yuan(remaining)},
            {"amount_fen": amount_fen, "remaining_fen": remaining},
        )


def _yuan(fen: int) -> str:
    from gonghui.core.money import format_fen

    return format_fen(fen)


def split_by_weights(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder; ties to the earlier part):
    the parts always add up to `total`. All-zero weights give all zeros except when total is 0."""
    whole = sum(weights)
    if whole <= 0:
        return [0 for _ in weights]
    floors = [total * weight // whole for weight in weights]
    remainders = [total * weight % whole for weight in weights]
    short = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for index in order[:short]:
        floors[index] += 1
    return floors


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent with one decimal (half up); None when there is no whole."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
