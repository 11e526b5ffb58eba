"""Usage that deserves a second look, found by database queries over a window.

Two flags, each returned with the evidence a reviewer needs (counts, rates, times):

- a burst: one member (card or dynamic QR alike) used at `BURST_MERCHANTS` or more different
  merchants within `BURST_MINUTES` minutes (nobody eats at three restaurants in ten minutes: a
  copied card number or a shared code is likelier);
- a refund outlier: a merchant whose refund rate (refunded ÷ paid over the last
  `REFUND_DAYS` days, at least `REFUND_MIN_TRANSACTIONS` sales) is above `REFUND_FACTOR` times
  the median rate of the other merchants, and at least `REFUND_RATE_FLOOR` (three times a
  median of almost nothing is still almost nothing). Refunds move money back to the member
  but leave the discount a merchant is reimbursed for in doubt.

A burst is shown to staff whose scope holds the member's union (the union that issued the
card); a refund outlier to staff whose scope holds the merchant's district. The median compares
a merchant with every other merchant in the city, whoever looks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from gonghui.accounts.scoping import scoped
from gonghui.core.masking import mask_name
from gonghui.members.models import Member
from gonghui.pos.models import Transaction
from gonghui.pos.reports import merchants_in_scope
from gonghui.pos.selectors import MEMBER_SECRETS

BURST_MERCHANTS = 3  # N: different merchants ...
BURST_MINUTES = 10  # ... within M minutes
BURST_LOOKBACK_DAYS = 7  # the page's default window
BURST_LIMIT = 200  # bursts listed at most, newest first

REFUND_DAYS = 30
REFUND_MIN_TRANSACTIONS = 20
REFUND_FACTOR = Decimal(3)
REFUND_RATE_FLOOR = Decimal("0.02")
REFUND_MIN_PEERS = 3  # fewer other merchants than this: no median worth comparing with


# -- bursts --------------------------------------------------------------------------------


@dataclass
class BurstTransaction:
    at: datetime
    merchant_code: str
    merchant_name: str
    amount_fen: int
    discount_fen: int
    public_id: str


@dataclass
class Burst:
    member_no: str
    member_name: str  # masked
    start: datetime
    end: datetime
    merchants: int
    transactions: list[BurstTransaction] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return max(1, round((self.end - self.start).total_seconds() / 60))


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def card_bursts(
    *,
    actor: Any,
    start: date,
    end: date,
    merchants: int = BURST_MERCHANTS,
    minutes: int = BURST_MINUTES,
    limit: int = BURST_LIMIT,
) -> list[Burst]:
    """Members used at `merchants`+ different merchants within `minutes`, between `start` and
    `end` (local days, both included). Overlapping windows of one member are one burst."""
    since, until = _day_bounds(start, end)
    window = timedelta(minutes=minutes)
    members = scoped(Member.objects.all(), actor, "cards.view").values("pk")
    # For each sale: how many different merchants the same member used from it to M minutes
    # on (the (member, created_at) index serves the correlated count).
    merchants_in_window = (
        Transaction.objects.filter(
            member_id=OuterRef("member_id"),
            created_at__gte=OuterRef("created_at"),
            created_at__lte=ExpressionWrapper(
                OuterRef("created_at") + window, output_field=DateTimeField()
            ),
        )
        .order_by()
        .values("member_id")
        .annotate(n=Count("merchant_id", distinct=True))
        .values("n")
    )
    starts = list(
        Transaction.objects.filter(
            created_at__gte=since, created_at__lt=until, member_id__in=members
        )
        .annotate(n=Coalesce(Subquery(merchants_in_window, output_field=IntegerField()), 0))
        .filter(n__gte=merchants)
        .order_by("member_id", "created_at")
        .values_list("member_id", "created_at", "n")[: limit * 10]
    )
    # Merge the windows of one member that overlap (a burst of 5 merchants starts 3 windows).
    spans: list[tuple[int, datetime, datetime, int]] = []
    for member_id, at, count in starts:
        if spans and spans[-1][0] == member_id and at <= spans[-1][2]:
            previous = spans[-1]
            spans[-1] = (member_id, previous[1], at + window, max(previous[3], count))
        else:
            spans.append((member_id, at, at + window, count))
    spans.sort(key=lambda span: span[1], reverse=True)
    spans = spans[:limit]
    if not spans:
        return []
    # The evidence: the members' sales around their bursts, in one query.
    member_ids = {span[0] for span in spans}
    evidence = (
        Transaction.objects.filter(
            member_id__in=member_ids,
            created_at__gte=min(span[1] for span in spans),
            created_at__lte=max(span[2] for span in spans),
        )
        .select_related("merchant", "member")
        .defer(*MEMBER_SECRETS)
        .order_by("created_at")
    )
    by_member: dict[int, list[Transaction]] = defaultdict(list)
    for txn in evidence:
        by_member[txn.member_id].append(txn)
    bursts = []
    for member_id, first, last, count in spans:
        inside = [t for t in by_member[member_id] if first <= t.created_at <= last]
        if not inside:
            continue
        member = inside[0].member
        bursts.append(
            Burst(
                member_no=member.member_no,
                member_name=mask_name(member.name),
                start=timezone.localtime(inside[0].created_at),
                end=timezone.localtime(inside[-1].created_at),
                merchants=max(count, len({t.merchant_id for t in inside})),
                transactions=[
                    BurstTransaction(
                        at=timezone.localtime(t.created_at),
                        merchant_code=str(t.merchant.code),
                        merchant_name=t.merchant.name,
                        amount_fen=t.amount_fen,
                        discount_fen=t.discount_fen,
                        public_id=str(t.public_id),
                    )
                    for t in inside
                ],
            )
        )
    return bursts


# -- refund outliers -------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundOutlier:
    merchant_code: str
    merchant_name: str
    district_name: str
    start: date
    end: date
    transactions: int
    refunded_transactions: int
    payable_fen: int
    refunded_fen: int
    rate: Decimal  # 0.1234 = 12.34 %
    median_of_others: Decimal
    peers: int

    @property
    def rate_text(self) -> str:
        return percent(self.rate)

    @property
    def median_text(self) -> str:
        return percent(self.median_of_others)

    @property
    def times_median(self) -> Decimal | None:
        if not self.median_of_others:
            return None
        return (self.rate / self.median_of_others).quantize(Decimal("0.1"), ROUND_HALF_UP)


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


def _rate(refunded: int, payable: int) -> Decimal:
    return Decimal(refunded) / Decimal(payable) if payable else Decimal(0)


def _median_without(rates: list[Decimal], index: int) -> Decimal:
    """The median of sorted `rates` once the one at `index` is left out, in constant time."""
    size = len(rates) - 1

    def at(position: int) -> Decimal:
        return rates[position if position < index else position + 1]

    middle = size // 2
    if size % 2:
        return at(middle)
    return (at(middle - 1) + at(middle)) / 2


def refund_outliers(
    *,
    actor: Any,
    today: date | None = None,
    days: int = REFUND_DAYS,
    min_transactions: int = REFUND_MIN_TRANSACTIONS,
    factor: Decimal = REFUND_FACTOR,
    floor: Decimal = REFUND_RATE_FLOOR,
) -> list[RefundOutlier]:
    """Merchants of the actor's scope refunding far more than the others, highest rate first.

    One grouped query gives every merchant's sales, paid and refunded amounts over the window
    (the sales of those days, with what has been refunded of them since); the comparison runs
    over those few thousand rows, not over transactions."""
    end = today or timezone.localdate()
    start = end - timedelta(days=days - 1)
    rows = list(
        Transaction.objects.filter(local_date__gte=start, local_date__lte=end)
        .values("merchant_id")
        .annotate(
            transactions=Count("pk"),
            refunded_transactions=Count("pk", filter=Q(refunded_fen__gt=0)),
            payable=Coalesce(Sum("payable_fen"), 0),
            refunded=Coalesce(Sum("refunded_fen"), 0),
        )
        .filter(transactions__gte=min_transactions)
        .order_by("merchant_id")
    )
    if len(rows) <= REFUND_MIN_PEERS:
        return []
    rated = sorted(
        ((_rate(row["refunded"], row["payable"]), row) for row in rows), key=lambda pair: pair[0]
    )
    rates = [rate for rate, _row in rated]
    suspects: dict[int, tuple[Decimal, Any, Decimal]] = {}
    for index, (rate, row) in enumerate(rated):
        median = _median_without(rates, index)
        if rate >= floor and rate > factor * median:
            suspects[row["merchant_id"]] = (rate, row, median)
    if not suspects:
        return []
    visible = merchants_in_scope(actor).filter(pk__in=suspects).select_related("district")
    result = [
        RefundOutlier(
            merchant_code=str(merchant.code),
            merchant_name=merchant.name,
            district_name=merchant.district.name,
            start=start,
            end=end,
            transactions=row["transactions"],
            refunded_transactions=row["refunded_transactions"],
            payable_fen=int(row["payable"]),
            refunded_fen=int(row["refunded"]),
            rate=rate,
            median_of_others=median,
            peers=len(rows) - 1,
        )
        for merchant in visible
        for rate, row, median in [suspects[merchant.pk]]
    ]
    result.sort(key=lambda outlier: (-outlier.rate, outlier.merchant_code))
    return result
