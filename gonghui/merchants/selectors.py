"""Reads on merchants. Staff reads start from scoped() ("cards.view" over the merchant's
district); the member directory shows only what a shop window would (active merchants with a
contract in force today); the POS reads are the ones the terminal calls on every request."""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from django.db.models import (
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import get_scoped, scoped
from gonghui.core import sql
from gonghui.core.errors import Forbidden, NotFound
from gonghui.merchants import rules
from gonghui.merchants.models import (
    Contract,
    Merchant,
    MerchantStaff,
    MerchantStatus,
    TerminalKey,
)
from gonghui.orgs.models import Union, UnionStatus

MAP_LIMIT = 3000

# -- staff ----------------------------------------------------------------------------------


def merchant_search(
    *,
    actor: Any,
    q: str = "",
    status: str = "",
    category: str = "",
    district: str = "",
    permission: str = "cards.view",
) -> QuerySet[Merchant]:
    """Merchants in the actor's scope; `q` matches the code, the application number, the name
    or the credit code; `district` is a union code."""
    qs = scoped(Merchant.objects.all(), actor, permission)
    text = " ".join(str(q or "").split())[:40]
    if text:
        upper = text.upper()
        qs = qs.filter(
            Q(code=upper) | Q(application_no=upper) | Q(uscc=upper) | Q(name__contains=text)
        )
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if district:
        qs = qs.filter(district__code=district)
    return qs.select_related("district").order_by("code", "id")


def review_queue(*, actor: Any) -> QuerySet[Merchant]:
    """Applications waiting for an answer in the actor's scope, oldest first."""
    return (
        scoped(Merchant.objects.filter(status=MerchantStatus.APPLIED), actor, "cards.view")
        .select_related("district")
        .order_by("applied_at", "id")
    )


def _lookup(key: str) -> dict[str, Any]:
    """A merchant is named by its code, or by its application number before it has one."""
    text = rules.normalise_code(key)
    if text.startswith(rules.APPLICATION_PREFIX):
        return {"application_no": text}
    return {"code": text}


def merchant_get(*, actor: Any, key: str, permission: str = "cards.view") -> Merchant:
    return get_scoped(
        Merchant.objects.select_related("district", "reviewed_by"),
        actor,
        permission,
        **_lookup(key),
    )


def merchant_contracts(merchant: Merchant) -> QuerySet[Contract]:
    return merchant.contracts.select_related("signed_by").order_by("-valid_from", "-id")


def merchant_staff(merchant: Merchant) -> QuerySet[MerchantStaff]:
    return merchant.staff.select_related("user").order_by("-is_active", "role", "id")


def merchant_keys(merchant: Merchant) -> QuerySet[TerminalKey]:
    return merchant.keys.select_related("created_by").order_by("revoked_at", "-created_at", "-id")


def merchant_events(merchant: Merchant) -> QuerySet[Any]:
    return merchant.events.select_related("by").order_by("-at", "-id")


def districts_for(actor: Any | None = None) -> QuerySet[Union]:
    """County/district unions a merchant may belong to (all of them for the public pages;
    those in the actor's scope for staff)."""
    qs = Union.objects.filter(kind="county", status=UnionStatus.ACTIVE)
    if actor is not None:
        qs = scoped(qs, actor, "cards.view")
    return qs.order_by("code")


def district_for_application(*, code: str) -> Union:
    union = districts_for().filter(code=code).first()
    if union is None:
        raise NotFound("merchant.district_not_found", _("请选择商户所在的县（市、区）"))
    return union


def application_lookup(*, application_no: str, phone: str) -> Merchant | None:
    """The applicant's view: the number and the phone given must both fit; a wrong number and
    a wrong phone look the same."""
    number = rules.normalise_code(application_no)
    merchant = (
        Merchant.objects.select_related("district").filter(application_no=number).first()
        if number
        else None
    )
    given = "".join(ch for ch in str(phone) if ch.isdigit())
    if merchant is None or not given:
        return None
    own = "".join(ch for ch in merchant.phone if ch.isdigit())
    return merchant if hmac.compare_digest(own.encode(), given.encode()) else None


# -- the member directory -------------------------------------------------------------------


def _covering(day: date) -> Q:
    return Q(valid_from__lte=day, valid_to__gte=day)


def listed(today: date | None = None) -> QuerySet[Merchant]:
    """What members may see: active merchants with a contract in force today."""
    day = today or timezone.localdate()
    in_force = Contract.objects.filter(_covering(day), merchant=OuterRef("pk"))
    return Merchant.objects.filter(Exists(in_force), status=MerchantStatus.ACTIVE)


@dataclass(frozen=True)
class Point:
    lat: float
    lng: float


def parse_point(lat: Any, lng: Any) -> Point | None:
    try:
        point = Point(float(lat), float(lng))
    except (TypeError, ValueError):
        return None
    return point if rules.valid_point(point.lat, point.lng) else None


def directory(
    *,
    category: str = "",
    district: str = "",
    near: Point | None = None,
    q: str = "",
    today: date | None = None,
) -> QuerySet[Merchant]:
    """The public list. With `near`, nearest first: the database orders by an approximate
    squared distance, Δlat² + (Δlng·cos lat₀)² in degrees (an equirectangular projection; cos
    computed here once), which ranks points within a city as the great circle does. The page's
    rows get their distance in metres from `with_distances`."""
    day = today or timezone.localdate()
    qs = listed(day).select_related("district")
    if category:
        qs = qs.filter(category=category)
    if district:
        qs = qs.filter(district__code=district)
    text = " ".join(str(q or "").split())[:40]
    if text:
        qs = qs.filter(name__contains=text)
    qs = qs.prefetch_related(
        Prefetch(
            "contracts",
            queryset=Contract.objects.filter(_covering(day)).order_by("-valid_from", "-id"),
            to_attr="contracts_in_force",
        )
    )
    if near is None:
        return qs.order_by("district__code", "code")
    cos_lat = math.cos(math.radians(near.lat))
    d_lat = Cast("latitude", FloatField()) - Value(near.lat, output_field=FloatField())
    d_lng = (Cast("longitude", FloatField()) - Value(near.lng, output_field=FloatField())) * Value(
        cos_lat, output_field=FloatField()
    )
    return (
        qs.filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(d_lat=d_lat, d_lng=d_lng)
        .annotate(distance_sq=F("d_lat") * F("d_lat") + F("d_lng") * F("d_lng"))
        .order_by("distance_sq", "code")
    )


def page_rows(rows: Any, near: Point | None) -> list[Merchant]:
    """The rows of one page, each with `rule_text` (the contract in force) and `distance_m` /
    `distance_text` (None without a point): the great circle, for these few rows only."""
    out = list(rows)
    for merchant in out:
        contract = current_contract(merchant)
        merchant.rule_text = rules.rule_text(contract) if contract else ""  # type: ignore[attr-defined]
        metres = (
            rules.distance_m(
                near.lat, near.lng, float(merchant.latitude), float(merchant.longitude)
            )
            if near is not None and merchant.latitude is not None and merchant.longitude is not None
            else None
        )
        merchant.distance_m = metres  # type: ignore[attr-defined]
        merchant.distance_text = rules.distance_text(metres) if metres is not None else ""  # type: ignore[attr-defined]
    return out


def current_contract(merchant: Merchant, today: date | None = None) -> Contract | None:
    """The contract in force: prefetched by `directory`, else one query. When two overlap (a
    changed rule signed during a running contract) the one that started last applies."""
    prefetched = getattr(merchant, "contracts_in_force", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    day = today or timezone.localdate()
    return merchant.contracts.filter(_covering(day)).order_by("-valid_from", "-id").first()


def directory_get(*, code: str, today: date | None = None) -> Merchant:
    merchant = (
        listed(today)
        .select_related("district")
        .filter(code=rules.normalise_code(code))
        .prefetch_related("photos")
        .first()
    )
    if merchant is None:
        raise NotFound("merchant.not_found", _("没有找到该商户，或它暂停了会员优惠"))
    return merchant


def map_points(*, category: str = "", district: str = "") -> list[dict[str, Any]]:
    """Every listed merchant as a point for the chart (bounded by MAP_LIMIT)."""
    qs = listed().filter(latitude__isnull=False, longitude__isnull=False)
    if category:
        qs = qs.filter(category=category)
    if district:
        qs = qs.filter(district__code=district)
    rows = qs.order_by("code").values_list("code", "name", "category", "latitude", "longitude")
    return [
        {"code": code, "name": name, "category": cat, "lat": float(lat), "lng": float(lng)}
        for code, name, cat, lat, lng in rows[:MAP_LIMIT]
        if lat is not None and lng is not None
    ]


# -- the POS --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Till:
    """What a POS request acts as: a terminal key that has not been revoked, its merchant as
    the database has it now, and the contract covering the day (None when none does)."""

    terminal: TerminalKey
    merchant: Merchant
    contract: Contract | None

    def trade_contract(self) -> Contract:
        """The contract to trade under, or Forbidden (403) as contract_for_trade says."""
        return _tradable(self.merchant, self.merchant.status, self.contract)


# Only what signing, the trade check and the ledger read: this runs on every POS request,
# so it is one hand-written statement (gonghui.core.sql), not three compiled querysets.
_TERMINAL = sql.Part(
    TerminalKey, "t", ("id", "merchant_id", "key_id", "secret", "revoked_at", "last_used_at")
)
_MERCHANT = sql.Part(Merchant, "m", ("id", "code", "name", "status", "district_id"))
_CONTRACT = sql.Part(Contract, "c", [f.attname for f in Contract._meta.concrete_fields])


@cache
def _till_sql() -> str:
    return (
        f"SELECT {_TERMINAL.columns}, {_MERCHANT.columns}, {_CONTRACT.columns} "  # noqa: S608
        "FROM merchants_terminalkey t "
        "JOIN merchants_merchant m ON m.id = t.merchant_id "
        "LEFT JOIN merchants_contract c ON c.id = ("
        "SELECT c2.id FROM merchants_contract c2 WHERE c2.merchant_id = t.merchant_id "
        "AND c2.valid_from <= %s AND c2.valid_to >= %s "
        "ORDER BY c2.valid_from DESC, c2.id DESC LIMIT 1) "
        "WHERE t.key_id = %s AND t.revoked_at IS NULL"
    )


def till_for_key(key_id: str, day: date) -> Till | None:
    """The live terminal key `key_id` with its merchant and the contract covering `day`, in
    one query; None for an unknown or revoked key. Whether the merchant may trade is
    Till.trade_contract's answer, asked after the request's signature is checked."""
    if not key_id or len(key_id) > 40:
        return None
    on = sql.prep(Contract, "valid_from", day)
    row = sql.fetch_one(_till_sql(), [on, on, key_id], _TERMINAL, _MERCHANT, _CONTRACT)
    if row is None:
        return None
    terminal, merchant, contract = row
    terminal.merchant = merchant
    return Till(terminal=terminal, merchant=merchant, contract=contract)


def _refused(code: str, message: str, merchant: Merchant, status: str) -> Forbidden:
    return Forbidden(code, message, {"merchant": merchant.code, "status": status})


def _tradable(merchant: Merchant, status: str, contract: Contract | None) -> Contract:
    if status == MerchantStatus.SUSPENDED:
        raise _refused(
            "merchant.suspended", _("该商户的会员优惠已暂停，请联系工会"), merchant, status
        )
    if status == MerchantStatus.EXPIRED:
        raise _refused("merchant.expired", _("该商户的优惠协议已到期"), merchant, status)
    if status != MerchantStatus.ACTIVE:
        raise _refused("merchant.not_active", _("该商户不是合作中的会员服务基地"), merchant, status)
    if contract is None:
        raise _refused("merchant.expired", _("该商户今天没有生效的优惠协议"), merchant, status)
    return contract


def contract_for_trade(merchant: Merchant, day: date) -> Contract:
    """The contract covering `day` for an active merchant, else Forbidden (403) with
    merchant.suspended, merchant.expired (also when no contract covers the day) or
    merchant.not_active. One query: the contract comes with its merchant's status as it is in
    the database now, so a suspension takes effect on the very next request."""
    contract = (
        Contract.objects.filter(_covering(day), merchant_id=merchant.pk)
        .annotate(merchant_status_now=F("merchant__status"))
        .order_by("-valid_from", "-id")
        .first()
    )
    status = contract.merchant_status_now if contract is not None else merchant.status  # type: ignore[attr-defined]
    return _tradable(merchant, status, contract)


def staff_merchant(user: Any) -> Merchant | None:
    """The merchant an active merchant-kind account works for (None for anyone else)."""
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not user.is_active
        or getattr(user, "kind", None) != "merchant"
    ):
        return None
    row = (
        MerchantStaff.objects.select_related("merchant", "merchant__district")
        .filter(user=user, is_active=True)
        .first()
    )
    return row.merchant if row else None


def staff_role(user: Any) -> str | None:
    row = MerchantStaff.objects.filter(user=user, is_active=True).values_list("role", flat=True)
    return row.first()
