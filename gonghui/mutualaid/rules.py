"""Pure rules of the mutual-aid plan: the contribution split, the benefit items as data and how a
claim is computed from them, the waiting period and age limits, the claim's one state machine and
who may move it at which review level. Nothing here touches the database (tests/test_rules.py).

Rounding, stated once:
- Contribution split: each payer's part is the whole times its share, rounded down to the fen;
  the fen left over go one each, in the fixed order employer (行政), union (工会), worker (个人),
  to the parts that lost a fraction of a fen in the rounding (there are always more such parts
  than fen left over). So the parts add up to the whole exactly and each is less than one fen
  from its exact share.
- Benefits: a reimbursement is (personally-paid amount − deductible) × ratio rounded down to the
  fen, then limited by what is left of the item's annual cap; the fund never pays a fraction of
  a fen more than the rule gives.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.errors import DomainError
from gonghui.core.money import format_fen

T = TypeVar("T")

# -- contributions ---------------------------------------------------------------------------

PAYERS = ("employer", "union", "worker")  # also the order in which leftover fen are given


def split_contribution(total_fen: int, weights: Sequence[int]) -> tuple[int, ...]:
    """Split `total_fen` by `weights` (integers, e.g. 1:1:1 for a third each); see the module
    docstring for the rounding rule. A zero weight always gets zero."""
    if total_fen < 0:
        raise ValueError("total_fen must not be negative")
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("weights must be non-negative and not all zero")
    whole = sum(weights)
    parts = [total_fen * w // whole for w in weights]
    left = total_fen - sum(parts)
    for index, weight in enumerate(weights):
        if left == 0:
            break
        if total_fen * weight % whole:
            parts[index] += 1
            left -= 1
    assert left == 0  # fewer leftover fen than parts with a fraction cut off, by construction
    return tuple(parts)


def check_contribution(contribution_fen: int, weights: Sequence[int]) -> None:
    if contribution_fen <= 0:
        raise DomainError("mutualaid.contribution_invalid", _("每人每期缴费须大于零"))
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise DomainError(
            "mutualaid.weights_invalid", _("行政、工会、个人负担份额不能为负，且不能全部为零")
        )


# -- benefit items ----------------------------------------------------------------------------

REIMBURSEMENT = "reimbursement"  # 住院、意外伤害医疗: above a deductible, at a ratio, to a cap
LUMP_SUM = "lump_sum"  # 特重大疾病: a fixed sum per listed condition, once a year
ITEM_KINDS = (REIMBURSEMENT, LUMP_SUM)
HOSPITAL_LEVELS = ("primary", "secondary", "tertiary")
DEFAULT_RATIO_KEY = "default"
MAX_CAP_FEN = 100_000_000  # ¥1,000,000: anything above is a typing error


@dataclass(frozen=True)
class Condition:
    code: str
    name: str
    amount_fen: int


@dataclass(frozen=True)
class BenefitItem:
    code: str
    name: str
    kind: str
    annual_cap_fen: int
    waiting_period: bool = True
    deductible_fen: int = 0
    ratios: Mapping[str, Decimal] = field(default_factory=dict)
    conditions: tuple[Condition, ...] = ()

    def ratio_for(self, hospital_level: str) -> Decimal | None:
        return self.ratios.get(hospital_level, self.ratios.get(DEFAULT_RATIO_KEY))

    def condition(self, code: str) -> Condition | None:
        return next((c for c in self.conditions if c.code == code), None)


def _bad(message: str, **details: Any) -> DomainError:
    return DomainError("mutualaid.benefits_invalid", message, details)


def _fen(value: Any, label: str, code: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CAP_FEN:
        raise _bad(
            _("保障项目“%(item)s”的%(label)s须是 0 到 100000000 之间的整数（单位：分）")
            % {"item": code, "label": label},
            item=code,
        )
    return value


def _ratio(value: Any, code: str) -> Decimal:
    try:
        ratio = Decimal(str(value))
    except InvalidOperation:
        ratio = Decimal(-1)
    if not ratio.is_finite() or not Decimal(0) <= ratio <= Decimal(1):
        raise _bad(
            _("保障项目“%(item)s”的报销比例须在 0 到 1 之间，例如 0.6") % {"item": code},
            item=code,
        )
    return ratio


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def parse_benefits(data: Any) -> tuple[BenefitItem, ...]:
    """The benefit items of a rule version from their JSON form (see DEFAULT_BENEFITS), checked
    so that a federation can change them as data and get a plain message when a value is wrong."""
    if not isinstance(data, list) or not data:
        raise _bad(_("保障项目须是一个非空的列表"))
    items: list[BenefitItem] = []
    for raw in data:
        if not isinstance(raw, dict):
            raise _bad(_("每个保障项目须是一个对象"))
        code = _text(raw.get("code"), 32)
        name = _text(raw.get("name"), 60)
        kind = raw.get("kind")
        if not code or not name:
            raise _bad(_("每个保障项目都须有代码（code）和名称（name）"))
        if any(item.code == code for item in items):
            raise _bad(_("保障项目代码“%(item)s”重复") % {"item": code}, item=code)
        if kind not in ITEM_KINDS:
            raise _bad(
                _("保障项目“%(item)s”的类型须是 reimbursement（按比例报销）或 lump_sum（定额给付）")
                % {"item": code},
                item=code,
            )
        cap = _fen(raw.get("annual_cap_fen"), _("年度封顶金额"), code)
        waiting = bool(raw.get("waiting_period", True))
        if kind == REIMBURSEMENT:
            raw_ratios = raw.get("ratios")
            if not isinstance(raw_ratios, dict) or not raw_ratios:
                raise _bad(_("保障项目“%(item)s”须列出报销比例") % {"item": code}, item=code)
            unknown = set(raw_ratios) - {*HOSPITAL_LEVELS, DEFAULT_RATIO_KEY}
            if unknown:
                raise _bad(
                    _(
                        "保障项目“%(item)s”的报销比例只能按 primary、secondary、tertiary "
                        "或 default 列出"
                    )
                    % {"item": code},
                    item=code,
                )
            items.append(
                BenefitItem(
                    code=code,
                    name=name,
                    kind=kind,
                    annual_cap_fen=cap,
                    waiting_period=waiting,
                    deductible_fen=_fen(raw.get("deductible_fen", 0), _("起付线"), code),
                    ratios={k: _ratio(v, code) for k, v in sorted(raw_ratios.items())},
                )
            )
        else:
            raw_conditions = raw.get("conditions")
            if not isinstance(raw_conditions, list) or not raw_conditions:
                raise _bad(_("保障项目“%(item)s”须列出疾病及给付金额") % {"item": code}, item=code)
            conditions: list[Condition] = []
            for entry in raw_conditions:
                if not isinstance(entry, dict) or not _text(entry.get("code"), 32):
                    raise _bad(
                        _("保障项目“%(item)s”的每种疾病都须有代码和名称") % {"item": code},
                        item=code,
                    )
                conditions.append(
                    Condition(
                        code=_text(entry.get("code"), 32),
                        name=_text(entry.get("name"), 60) or _text(entry.get("code"), 32),
                        amount_fen=_fen(entry.get("amount_fen"), _("给付金额"), code),
                    )
                )
            items.append(
                BenefitItem(
                    code=code,
                    name=name,
                    kind=kind,
                    annual_cap_fen=cap,
                    waiting_period=waiting,
                    conditions=tuple(conditions),
                )
            )
    return tuple(items)


def find_item(items: Iterable[BenefitItem], code: str) -> BenefitItem:
    for item in items:
        if item.code == code:
            return item
    raise DomainError("mutualaid.item_unknown", _("该保障期没有这个保障项目，请重新选择"))


# The plan a federation starts from; a rule version copies and changes it.
DEFAULT_BENEFITS: list[dict[str, Any]] = [
    {
        "code": "inpatient",
        "name": "住院医疗互助",
        "kind": REIMBURSEMENT,
        "deductible_fen": 80000,
        "ratios": {"primary": "0.60", "secondary": "0.55", "tertiary": "0.50"},
        "annual_cap_fen": 3000000,
        "waiting_period": True,
    },
    {
        "code": "critical",
        "name": "特重大疾病互助",
        "kind": LUMP_SUM,
        "conditions": [
            {"code": "cancer", "name": "恶性肿瘤", "amount_fen": 1000000},
            {"code": "uremia", "name": "尿毒症（终末期肾病）", "amount_fen": 1000000},
            {"code": "transplant", "name": "重大器官移植术", "amount_fen": 1000000},
            {"code": "stroke", "name": "脑中风后遗症", "amount_fen": 500000},
            {"code": "heart", "name": "急性心肌梗塞", "amount_fen": 500000},
        ],
        "annual_cap_fen": 1000000,
        "waiting_period": True,
    },
    {
        "code": "accident",
        "name": "意外伤害医疗互助",
        "kind": REIMBURSEMENT,
        "deductible_fen": 10000,
        "ratios": {"default": "0.80"},
        "annual_cap_fen": 500000,
        "waiting_period": False,
    },
]
DEFAULT_CONTRIBUTION_FEN = 6000  # ¥60 a person a year, ¥20 from each payer
DEFAULT_WAITING_DAYS = 90


# -- computing a claim ------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of the explanation: a code with its figures, worded when shown (so it follows
    the reader's language)."""

    code: str
    params: Mapping[str, Any]
    amount_fen: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params), "amount_fen": self.amount_fen}


@dataclass(frozen=True)
class Computation:
    payable_fen: int
    lines: tuple[Line, ...]

    def as_json(self) -> list[dict[str, Any]]:
        return [line.as_json() for line in self.lines]


def floor_fen(amount_fen: int, ratio: Decimal) -> int:
    return int((Decimal(amount_fen) * ratio).to_integral_value(rounding=ROUND_FLOOR))


def compute_claim(
    item: BenefitItem,
    *,
    total_fen: int,
    hospital_level: str = "",
    condition_code: str = "",
    used_fen: int = 0,
    version_label: str = "",
) -> Computation:
    """What the plan pays for one claim under `item`, given what the member has already been
    paid under it this plan year (`used_fen`), with every step explained."""
    lines: list[Line] = [Line("version", {"version": version_label, "item": item.name})]
    left_of_cap = max(0, item.annual_cap_fen - used_fen)
    if item.kind == LUMP_SUM:
        condition = item.condition(condition_code)
        if condition is None:
            raise DomainError(
                "mutualaid.condition_unknown", _("所患疾病不在本项目的给付范围内，请重新选择")
            )
        lines.append(Line("lump_sum", {"condition": condition.name}, condition.amount_fen))
        gross = condition.amount_fen
    else:
        ratio = item.ratio_for(hospital_level)
        if ratio is None:
            raise DomainError("mutualaid.hospital_level_required", _("请选择医院等级"))
        lines.append(Line("total", {}, total_fen))
        above = max(0, total_fen - item.deductible_fen)
        lines.append(Line("deductible", {"deductible_fen": item.deductible_fen}, above))
        gross = floor_fen(above, ratio)
        lines.append(
            Line("ratio", {"level": hospital_level, "percent": percent_text(ratio)}, gross)
        )
    payable = min(gross, left_of_cap)
    lines.append(
        Line(
            "cap",
            {"cap_fen": item.annual_cap_fen, "used_fen": used_fen, "left_fen": left_of_cap},
            payable,
        )
    )
    lines.append(Line("payable", {}, payable))
    return Computation(payable_fen=payable, lines=tuple(lines))


LEVEL_NAMES: dict[str, Promise] = {
    "primary": gettext_lazy("一级及以下医院"),
    "secondary": gettext_lazy("二级医院"),
    "tertiary": gettext_lazy("三级医院"),
    DEFAULT_RATIO_KEY: gettext_lazy("各级医院"),
    "": gettext_lazy("各级医院"),
}


def line_text(line: Mapping[str, Any]) -> str:
    """A stored explanation line in words, in the active language."""
    code = line.get("code")
    p: Mapping[str, Any] = line.get("params") or {}
    amount = format_fen(int(line.get("amount_fen") or 0))
    if code == "version":
        return _("按%(version)s计算“%(item)s”") % {
            "version": p.get("version", ""),
            "item": p.get("item", ""),
        }
    if code == "lump_sum":
        return _("%(condition)s定额给付 %(amount)s") % {
            "condition": p.get("condition", ""),
            "amount": amount,
        }
    if code == "total":
        return _("发票所列个人自付合计 %(amount)s") % {"amount": amount}
    if code == "deductible":
        return _("减去起付线 %(deductible)s，可报销部分 %(amount)s") % {
            "deductible": format_fen(int(p.get("deductible_fen", 0))),
            "amount": amount,
        }
    if code == "ratio":
        return _("按%(level)s报销比例 %(percent)s 计 %(amount)s（不足一分的部分舍去）") % {
            "level": str(LEVEL_NAMES.get(str(p.get("level", "")), p.get("level", ""))),
            "percent": p.get("percent", ""),
            "amount": amount,
        }
    if code == "cap":
        return _("本项目年度封顶 %(cap)s，本年度已给付 %(used)s，尚可给付 %(left)s") % {
            "cap": format_fen(int(p.get("cap_fen", 0))),
            "used": format_fen(int(p.get("used_fen", 0))),
            "left": format_fen(int(p.get("left_fen", 0))),
        }
    if code == "payable":
        return _("本次应付 %(amount)s") % {"amount": amount}
    return str(code)


def percent_text(ratio: Decimal) -> str:
    text = format(ratio * 100, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def item_summary(item: BenefitItem) -> str:
    """The item in one line, as the certificate and the plan page show it."""
    cap = _("年度封顶 %(cap)s") % {"cap": format_fen(item.annual_cap_fen)}
    if item.kind == LUMP_SUM:
        sums = "；".join(f"{c.name} {format_fen(c.amount_fen)}" for c in item.conditions)
        parts = [sums, cap]
    else:
        ratios = "、".join(
            f"{LEVEL_NAMES.get(level, level)} {percent_text(ratio)}"
            for level, ratio in item.ratios.items()
        )
        parts = [_("起付线 %(d)s") % {"d": format_fen(item.deductible_fen)}, ratios, cap]
    if not item.waiting_period:
        parts.append(_("无等待期"))
    return "，".join(parts)


# -- rule versions, cover, age ----------------------------------------------------------------


def version_in_force(versions: Iterable[tuple[date, T]], day: date) -> T:
    """The version whose `effective_from` is the latest on or before `day`."""
    best: tuple[date, T] | None = None
    for effective_from, version in versions:
        if effective_from <= day and (best is None or effective_from > best[0]):
            best = (effective_from, version)
    if best is None:
        raise DomainError(
            "mutualaid.no_rules",
            _("%(day)s 没有生效的保障规则") % {"day": day.isoformat()},
            {"day": day.isoformat()},
        )
    return best[1]


def cover_starts(*, plan_starts: date, enrolled_on: date, waiting_days: int, renewed: bool) -> date:
    """The first day items with a waiting period cover: a renewal (covered the day before the
    plan year began) has none; a new enrolment waits `waiting_days` from its enrolment date."""
    if renewed:
        return plan_starts
    return max(plan_starts, enrolled_on + timedelta(days=waiting_days))


def check_covered(
    *,
    event_date: date,
    plan_starts: date,
    enrolled_on: date,
    cover_starts_on: date,
    cover_ends_on: date,
    waiting_period: bool,
) -> None:
    first_day = cover_starts_on if waiting_period else max(plan_starts, enrolled_on)
    if event_date > cover_ends_on:
        raise DomainError(
            "mutualaid.claim.after_cover",
            _("发生日期在保障截止日期 %(end)s 之后，不在保障范围内")
            % {"end": cover_ends_on.isoformat()},
            {"cover_ends_on": cover_ends_on.isoformat()},
        )
    if event_date < first_day:
        if waiting_period and event_date >= max(plan_starts, enrolled_on):
            raise DomainError(
                "mutualaid.claim.waiting_period",
                _("发生日期在新参保等待期内，不能申请。该项目自 %(start)s 起才有保障")
                % {"start": first_day.isoformat()},
                {"cover_starts_on": first_day.isoformat()},
            )
        raise DomainError(
            "mutualaid.claim.before_cover",
            _("发生日期早于保障开始日期 %(start)s，不在保障范围内")
            % {"start": first_day.isoformat()},
            {"cover_starts_on": first_day.isoformat()},
        )


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_age(*, birth: date, day: date, min_age: int, max_age: int) -> None:
    age = age_on(birth, day)
    if not min_age <= age <= max_age:
        raise DomainError(
            "mutualaid.enrol.age",
            _("参保年龄须在 %(min)s 至 %(max)s 周岁之间（%(day)s 时 %(age)s 周岁）")
            % {"min": min_age, "max": max_age, "day": day.isoformat(), "age": age},
            {"age": age},
        )


def check_window(*, opens: date, closes: date, today: date) -> None:
    if not opens <= today <= closes:
        raise DomainError(
            "mutualaid.enrol.window_closed",
            _("参保登记时间为 %(opens)s 至 %(closes)s，现在不能登记")
            % {"opens": opens.isoformat(), "closes": closes.isoformat()},
        )


# -- invoices and documents -------------------------------------------------------------------

INVOICE_MIN, INVOICE_MAX = 6, 40


def normalise_invoice_no(text: str) -> str:
    """Full-width digits, spaces, hyphens and case do not make a different invoice."""
    cleaned = unicodedata.normalize("NFKC", str(text)).upper()
    cleaned = "".join(ch for ch in cleaned if ch.isalnum())
    if not INVOICE_MIN <= len(cleaned) <= INVOICE_MAX or not cleaned.isascii():
        raise DomainError(
            "mutualaid.invoice_invalid",
            _("发票号码“%(no)s”不正确：须为 6 到 40 位数字或字母") % {"no": text},
            {"number": text},
        )
    return cleaned


# -- the claim's state machine and review levels ----------------------------------------------

SUBMITTER = "submitter"  # the member, or their union's officer on their behalf
FIRST = "first"  # 初审: the grassroots union
RECHECK = "recheck"  # 复核: county/district, industry or city federation
APPROVE = "approve"  # 审批: the city federation (保障部)
REVIEW_LEVELS = (FIRST, RECHECK, APPROVE)

# (from, to) -> the level that may make the move. The one table of the claim's life.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "first_reviewed"): FIRST,
    ("submitted", "returned"): FIRST,
    ("submitted", "rejected"): FIRST,
    ("first_reviewed", "rechecked"): RECHECK,
    ("first_reviewed", "returned"): RECHECK,
    ("first_reviewed", "rejected"): RECHECK,
    ("rechecked", "approved"): APPROVE,
    ("rechecked", "returned"): APPROVE,
    ("rechecked", "rejected"): APPROVE,
    ("returned", "submitted"): SUBMITTER,
    ("rejected", "appealed"): SUBMITTER,
    ("appealed", "approved"): APPROVE,
    ("appealed", "rejected"): APPROVE,
    ("approved", "paid"): APPROVE,
}
NEEDS_REASON = frozenset({"returned", "rejected", "appealed"})
FINAL_REVIEW = frozenset({"approved"})

LEVEL_LABELS: dict[str, Promise] = {
    SUBMITTER: gettext_lazy("申请人"),
    FIRST: gettext_lazy("初审"),
    RECHECK: gettext_lazy("复核"),
    APPROVE: gettext_lazy("审批"),
}


def transition_level(current: str, target: str) -> str:
    """The level that may move a claim from `current` to `target`; refused when none may."""
    level = TRANSITIONS.get((current, target))
    if level is None:
        raise DomainError(
            "mutualaid.claim.transition_invalid",
            _("该申请当前为“%(from)s”，不能改为“%(to)s”")
            % {"from": status_label(current), "to": status_label(target)},
            {"from": current, "to": target},
        )
    return level


def moves_from(current: str) -> list[tuple[str, str]]:
    """(target, level) pairs allowed from `current`, in table order."""
    return [(to, level) for (frm, to), level in TRANSITIONS.items() if frm == current]


def status_label(status: str) -> str:
    from gonghui.mutualaid.models import ClaimStatus

    try:
        return str(ClaimStatus(status).label)
    except ValueError:
        return status


def check_appeal(already_appealed: bool) -> None:
    if already_appealed:
        raise DomainError("mutualaid.claim.appeal_once", _("每件申请只能申诉一次"))


def check_reason(target: str, reason: str) -> str:
    cleaned = " ".join(str(reason or "").split())
    if target in NEEDS_REASON and not cleaned:
        raise DomainError(
            "mutualaid.claim.reason_required",
            _("请写明原因：申请人会看到它，并据此补充材料或申诉"),
        )
    if len(cleaned) > 300:
        raise DomainError("mutualaid.claim.reason_too_long", _("原因最多 300 个字"))
    return cleaned


@dataclass(frozen=True)
class ReviewerGrant:
    """Where a user holds `mutualaid.change`: the node's path and kind."""

    union_path: str
    union_kind: str


def reviewer_levels(grants: Iterable[ReviewerGrant], claim_union_path: str) -> frozenset[str]:
    """The review levels a user may act at on a claim of the union at `claim_union_path`:
    初审 from the grassroots union (or the member's own union, when it is a county or industry
    union that takes members directly), 复核 from a county, industry or city union above it,
    审批 only from the city federation (the 保障部 department narrows staff to the program)."""
    levels: set[str] = set()
    for grant in grants:
        if not claim_union_path.startswith(grant.union_path):
            continue
        if grant.union_kind in {"grassroots", "branch"} or grant.union_path == claim_union_path:
            levels.add(FIRST)
        if grant.union_kind in {"county", "industry", "city"}:
            levels.add(RECHECK)
        if grant.union_kind == "city":
            levels.add(APPROVE)
    return frozenset(levels)


def check_separation(level: str, earlier_levels_by_actor: Iterable[str]) -> None:
    """Four eyes: one person acts at one review level of a claim, never two."""
    earlier = set(earlier_levels_by_actor) & set(REVIEW_LEVELS)
    if level in REVIEW_LEVELS and earlier - {level}:
        raise DomainError(
            "mutualaid.claim.same_reviewer",
            _("您已在本申请的其他审核环节签署过意见，请由另一位工作人员办理"),
        )


# -- the transparency report ------------------------------------------------------------------


def payout_ratio(paid_fen: int, income_fen: int) -> Decimal | None:
    """Paid out as a percentage of income, to one decimal (half up); None without income."""
    if income_fen <= 0:
        return None
    return (Decimal(paid_fen) * 100 / Decimal(income_fen)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def average_days(total_seconds: int, count: int) -> Decimal | None:
    """The mean of `count` durations summing to `total_seconds`, in days to one decimal; None
    when there is none."""
    if count <= 0:
        return None
    return (Decimal(total_seconds) / count / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# -- numbers ----------------------------------------------------------------------------------


def certificate_no(plan_code: str, member_no: str) -> str:
    return f"{plan_code}-{member_no}"[:20]
