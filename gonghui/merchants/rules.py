"""Pure rules of the member service merchants: the discount a contract gives, the text that
says it, the checks a contract passes, the status machine and the distance between two points.
Nothing here touches the database (tests/test_rules.py)."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Protocol

from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError
from gonghui.core.money import format_fen
from gonghui.merchants.models import DiscountKind, MerchantStatus

RATE_MIN = Decimal("0.50")
RATE_MAX = Decimal("0.90")
MAX_CONTRACT_YEARS = 3
CODE_PREFIX = "SH"
CODE_DIGITS = 5
APPLICATION_PREFIX = "SQ"
APPLICATION_DIGITS = 8
KEY_ID_PREFIX = "pk_"
EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)


class Terms(Protocol):
    """The Contract fields a discount is computed from (a Contract satisfies it)."""

    @property
    def discount_kind(self) -> str: ...
    @property
    def discount_rate(self) -> Decimal | None: ...
    @property
    def fixed_off_fen(self) -> int | None: ...
    @property
    def min_amount_fen(self) -> int: ...
    @property
    def per_txn_cap_fen(self) -> int | None: ...
    @property
    def per_member_day_cap_fen(self) -> int | None: ...


@dataclass(frozen=True)
class Discount:
    discount_fen: int
    payable_fen: int  # discount_fen + payable_fen == amount_fen, always
    rule: str  # Chinese, e.g. "8.5折，单笔最多优惠¥50.00"


@dataclass(frozen=True)
class ContractTerms:
    """Terms as plain values (a form or an API payload before it is a Contract)."""

    discount_kind: str
    discount_rate: Decimal | None = None
    fixed_off_fen: int | None = None
    min_amount_fen: int = 0
    per_txn_cap_fen: int | None = None
    per_member_day_cap_fen: int | None = None


# -- the discount ---------------------------------------------------------------------------


def rate_hundredths(rate: Decimal) -> int:
    """0.85 → 85; the rate has two decimals at most (validate_terms holds contracts to it)."""
    return int((rate * 100).to_integral_value())


def rate_text(rate: Decimal) -> str:
    """0.85 → "8.5折", 0.80 → "8折": the way a shop window says it."""
    tenths = (rate * 10).normalize()
    return _("%(n)s折") % {"n": f"{tenths:f}"}


def rule_text(terms: Terms) -> str:
    """The contract's rule in one line: "8.5折，满¥20.00可用，单笔最多优惠¥50.00，每人每日最多
    优惠¥100.00"."""
    parts: list[str] = []
    if terms.discount_kind == DiscountKind.RATE and terms.discount_rate is not None:
        parts.append(rate_text(terms.discount_rate))
    elif terms.fixed_off_fen:
        parts.append(_("立减%(fen)s") % {"fen": format_fen(terms.fixed_off_fen)})
    if terms.min_amount_fen:
        parts.append(_("满%(fen)s可用") % {"fen": format_fen(terms.min_amount_fen)})
    if terms.per_txn_cap_fen is not None:
        parts.append(_("单笔最多优惠%(fen)s") % {"fen": format_fen(terms.per_txn_cap_fen)})
    if terms.per_member_day_cap_fen is not None:
        parts.append(
            _("每人每日最多优惠%(fen)s") % {"fen": format_fen(terms.per_member_day_cap_fen)}
        )
    return "，".join(parts)


def discount_for(terms: Terms, *, amount_fen: int, day_used_fen: int) -> Discount:
    """The discount on a bill of `amount_fen` for a member who already had `day_used_fen` of
    discount today at this merchant.

    Rounding (the one rule): for a rate, the member pays amount × rate rounded half-up to the
    fen, and the discount is the rest, so the two always add up to the amount. A fixed amount
    off is at most the bill. Then the discount is cut to the per-transaction cap and to what is
    left of the per-member-per-day cap, never below 0. A bill under min_amount_fen gets none."""
    if amount_fen < 0 or day_used_fen < 0:
        raise DomainError("merchant.amount_invalid", _("金额不能为负数"))
    rule = rule_text(terms)
    if amount_fen < terms.min_amount_fen:
        why = _("未满%(fen)s，本笔不享受优惠") % {"fen": format_fen(terms.min_amount_fen)}
        return Discount(0, amount_fen, f"{rule}（{why}）")
    if terms.discount_kind == DiscountKind.RATE:
        if terms.discount_rate is None:
            raise DomainError("merchant.terms_invalid", _("协议没有折扣率"))
        # Integer half-up: (amount × hundredths + 50) // 100, exact for every amount.
        payable = (amount_fen * rate_hundredths(terms.discount_rate) + 50) // 100
        discount = amount_fen - payable
    elif terms.discount_kind == DiscountKind.FIXED:
        discount = min(terms.fixed_off_fen or 0, amount_fen)
    else:
        raise DomainError("merchant.terms_invalid", _("协议的优惠方式无效"))
    notes: list[str] = []
    if terms.per_txn_cap_fen is not None and discount > terms.per_txn_cap_fen:
        discount = terms.per_txn_cap_fen
        notes.append(_("已按单笔上限优惠"))
    if terms.per_member_day_cap_fen is not None:
        left = max(0, terms.per_member_day_cap_fen - day_used_fen)
        if discount > left:
            discount = left
            notes.append(
                _("今日优惠额度已用完")
                if left == 0
                else _("今日优惠额度仅剩%(fen)s") % {"fen": format_fen(left)}
            )
    discount = max(0, discount)
    text = f"{rule}（{'，'.join(notes)}）" if notes else rule
    return Discount(discount, amount_fen - discount, text)


# -- contract checks ------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def parse_rate(text: str) -> Decimal:
    """ "0.85" → Decimal("0.85"); also "85%"; anything else is an error, never a guess."""
    cleaned = str(text).strip().replace("％", "%")
    try:
        if cleaned.endswith("%"):
            return Decimal(cleaned[:-1].strip()) / 100
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise DomainError(
            "merchant.rate_invalid", _("折扣率请填写 0.50 到 0.90 之间的小数，如 0.85")
        ) from exc


def validate_terms(terms: Terms, *, valid_from: date, valid_to: date) -> None:
    """A contract may be signed: a rate with two decimals in 0.50–0.90 (or a fixed amount off),
    a period of at most three years ending on or after its start, caps above zero."""
    if terms.discount_kind == DiscountKind.RATE:
        rate = terms.discount_rate
        if (
            rate is None
            or not rate.is_finite()
            or rate != rate.quantize(Decimal("0.01"))
            or not RATE_MIN <= rate <= RATE_MAX
        ):
            raise DomainError(
                "merchant.rate_invalid",
                _("折扣率须在 0.50 到 0.90 之间（即五折到九折），最多两位小数，如 0.85"),
                {"rate": str(rate)},
            )
        if terms.fixed_off_fen is not None:
            raise DomainError("merchant.terms_invalid", _("按折扣优惠时不能再填写立减金额"))
    elif terms.discount_kind == DiscountKind.FIXED:
        if terms.fixed_off_fen is None or terms.fixed_off_fen <= 0:
            raise DomainError("merchant.fixed_invalid", _("立减金额须大于 0"))
        if terms.discount_rate is not None:
            raise DomainError("merchant.terms_invalid", _("立减金额时不能再填写折扣率"))
    else:
        raise DomainError("merchant.terms_invalid", _("请选择优惠方式：按折扣或立减金额"))
    if terms.min_amount_fen < 0:
        raise DomainError("merchant.min_amount_invalid", _("最低消费不能为负数"))
    for cap, label in (
        (terms.per_txn_cap_fen, _("单笔优惠上限")),
        (terms.per_member_day_cap_fen, _("每人每日优惠上限")),
    ):
        if cap is not None and cap <= 0:
            raise DomainError(
                "merchant.cap_invalid", _("%(label)s须大于 0，不设上限请留空") % {"label": label}
            )
    if valid_to < valid_from:
        raise DomainError("merchant.period_invalid", _("到期日期不能早于生效日期"))
    if valid_to >= add_years(valid_from, MAX_CONTRACT_YEARS):
        raise DomainError(
            "merchant.period_too_long",
            _("协议期限最长 %(n)s 年，到期后续签") % {"n": MAX_CONTRACT_YEARS},
            {"latest": (add_years(valid_from, MAX_CONTRACT_YEARS) - timedelta(days=1)).isoformat()},
        )


# -- status ---------------------------------------------------------------------------------

# status -> statuses it may move to. Approval signs the first contract; a renewal brings an
# expired merchant back; termination is for good.
TRANSITIONS: dict[str, frozenset[str]] = {
    MerchantStatus.APPLIED: frozenset({MerchantStatus.ACTIVE, MerchantStatus.REJECTED}),
    MerchantStatus.REJECTED: frozenset(),
    MerchantStatus.ACTIVE: frozenset(
        {MerchantStatus.SUSPENDED, MerchantStatus.EXPIRED, MerchantStatus.TERMINATED}
    ),
    MerchantStatus.SUSPENDED: frozenset({MerchantStatus.ACTIVE, MerchantStatus.TERMINATED}),
    MerchantStatus.EXPIRED: frozenset({MerchantStatus.ACTIVE}),
    MerchantStatus.TERMINATED: frozenset(),
}


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise DomainError(
            "merchant.transition_invalid",
            _("该商户已是“%(from)s”，不能改为“%(to)s”")
            % {"from": MerchantStatus(current).label, "to": MerchantStatus(target).label},
            {"from": current, "to": target},
        )


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def clean_reason(text: str) -> str:
    reason = " ".join(str(text or "").split())
    if not reason:
        raise DomainError("merchant.reason_required", _("请填写原因，商户会看到这段话"))
    if len(reason) > 200:
        raise DomainError("merchant.reason_too_long", _("原因最多 200 个字"))
    return reason


# -- numbers and keys -----------------------------------------------------------------------


def code_for(number: int) -> str:
    return f"{CODE_PREFIX}{number:0{CODE_DIGITS}d}"


def code_number(code: str | None) -> int:
    """SH00042 → 42; anything else → 0."""
    if not code or not code.startswith(CODE_PREFIX) or not code[len(CODE_PREFIX) :].isdigit():
        return 0
    return int(code[len(CODE_PREFIX) :])


def normalise_code(text: str) -> str:
    return "".join(str(text).split()).upper()


def new_application_no() -> str:
    return APPLICATION_PREFIX + "".join(
        secrets.choice("0123456789") for _ in range(APPLICATION_DIGITS)
    )


def new_key_id() -> str:
    return KEY_ID_PREFIX + secrets.token_hex(8)


def new_key_secret() -> str:
    return secrets.token_urlsafe(32)


def contract_no_for(code: str, valid_from: date, sequence: int) -> str:
    return f"{code}-{valid_from:%Y}-{sequence:02d}"


# -- geography ------------------------------------------------------------------------------


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def distance_text(metres: float) -> str:
    """ "850 m" under a kilometre, "3.2 km" above."""
    if metres < 1000:
        return _("%(m)s 米") % {"m": int(round(metres, -1))}
    return _("%(km)s 公里") % {"km": f"{metres / 1000:.1f}"}


def valid_point(lat: float, lng: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lng <= 180 and math.isfinite(lat + lng)
