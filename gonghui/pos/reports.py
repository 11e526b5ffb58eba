"""Federation statistics of discount use, summed in the database from the ledger.

Every figure is net: the ledger holds sales as positive and refunds as negative entries, so a
refund lowers the month (and the category, district, merchant) it happened in. Staff see the
merchants of their own subtree only: `merchants_in_scope` is the one path to them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.scoping import scoped
from gonghui.audit.log import log_action
from gonghui.core.masking import mask_name
from gonghui.members.models import Member
from gonghui.merchants.models import Category, Merchant
from gonghui.pos.models import EntryKind, LedgerEntry, Transaction
from gonghui.pos.selectors import MEMBER_SECRETS

TOP_MERCHANTS = 10
MONTHS_SHOWN = 12


def merchants_in_scope(actor: Any, permission: str = "cards.view") -> QuerySet[Merchant]:
    """Merchants whose district lies in the actor's subtree (`Merchant.scope_path`)."""
    return scoped(Merchant.objects.all(), actor, permission)


def yuan(fen: int) -> Decimal:
    """Fen as a yuan number for spreadsheets and charts (exact: a Decimal, never a float)."""
    return Decimal(int(fen)) / 100


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_back(month: date, count: int) -> date:
    """The first day of the month `count` months before `month`."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


# -- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One row of a statistics table: a category, a district, a merchant or a month."""

    key: str
    label: str
    sales: int = 0
    refunds: int = 0
    members: int = 0
    amount_fen: int = 0
    discount_fen: int = 0
    payable_fen: int = 0


FIGURE_AGGREGATES: dict[str, Any] = {
    "sales": Count("pk", filter=Q(kind=EntryKind.SALE)),
    "refunds": Count("pk", filter=Q(kind=EntryKind.REFUND)),
    "members": Count("member", distinct=True),
    "amount_fen": Coalesce(Sum("amount_fen"), 0),
    "discount_fen": Coalesce(Sum("discount_fen"), 0),
    "payable_fen": Coalesce(Sum("payable_fen"), 0),
}
FIGURE_FIELDS = tuple(FIGURE_AGGREGATES)


def ledger_in_scope(*, actor: Any, start: date, end: date) -> QuerySet[LedgerEntry]:
    """Entries of the actor's merchants dated `start`..`end` (both included)."""
    return LedgerEntry.objects.filter(
        local_date__gte=start,
        local_date__lte=end,
        merchant_id__in=merchants_in_scope(actor).values("pk"),
    )


def _figures(key: str, label: str, row: Mapping[str, Any]) -> Figures:
    return Figures(key=key, label=label, **{name: int(row[name] or 0) for name in FIGURE_FIELDS})


def report_totals(*, actor: Any, start: date, end: date) -> Figures:
    row = ledger_in_scope(actor=actor, start=start, end=end).aggregate(**FIGURE_AGGREGATES)
    return _figures("total", _("合计"), row)


def report_by_category(*, actor: Any, start: date, end: date) -> list[Figures]:
    rows = (
        ledger_in_scope(actor=actor, start=start, end=end)
        .values("merchant__category")
        .annotate(**FIGURE_AGGREGATES)
        .order_by("-discount_fen", "merchant__category")
    )
    labels = dict(Category.choices)
    return [
        _figures(row["merchant__category"], str(labels.get(row["merchant__category"], "")), row)
        for row in rows
    ]


def report_by_district(*, actor: Any, start: date, end: date) -> list[Figures]:
    rows = (
        ledger_in_scope(actor=actor, start=start, end=end)
        .values("merchant__district__code", "merchant__district__name")
        .annotate(**FIGURE_AGGREGATES)
        .order_by("-discount_fen", "merchant__district__code")
    )
    return [
        _figures(row["merchant__district__code"], row["merchant__district__name"], row)
        for row in rows
    ]


def report_top_merchants(
    *, actor: Any, start: date, end: date, limit: int = TOP_MERCHANTS
) -> list[Figures]:
    """The merchants that gave the most discount (ties by code)."""
    rows = (
        ledger_in_scope(actor=actor, start=start, end=end)
        .values("merchant__code", "merchant__name")
        .annotate(**FIGURE_AGGREGATES)
        .order_by("-discount_fen", "merchant__code")[:limit]
    )
    return [_figures(str(row["merchant__code"]), row["merchant__name"], row) for row in rows]


def report_by_month(*, actor: Any, end: date, months: int = MONTHS_SHOWN) -> list[Figures]:
    """The `months` months up to `end`'s month, oldest first; a month without entries is 0."""
    last = month_start(end)
    first = months_back(last, months - 1)
    rows = (
        ledger_in_scope(actor=actor, start=first, end=next_month(last) - timedelta(days=1))
        .annotate(month=TruncMonth("local_date"))
        .values("month")
        .annotate(**FIGURE_AGGREGATES)
        .order_by("month")
    )
    found = {_as_date(row["month"]): row for row in rows}
    result = []
    month = first
    while month <= last:
        row = found.get(month)
        label = f"{month:%Y-%m}"
        result.append(_figures(label, label, row) if row else Figures(key=label, label=label))
        month = next_month(month)
    return result


def _as_date(value: Any) -> date:
    # TruncMonth of a DateField is a date; some backends hand back a datetime.
    return value.date() if hasattr(value, "date") and callable(value.date) else value


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    totals: Figures
    by_category: list[Figures]
    by_district: list[Figures]
    top_merchants: list[Figures]
    by_month: list[Figures]


def report_build(*, actor: Any, start: date, end: date) -> Report:
    return Report(
        start=start,
        end=end,
        totals=report_totals(actor=actor, start=start, end=end),
        by_category=report_by_category(actor=actor, start=start, end=end),
        by_district=report_by_district(actor=actor, start=start, end=end),
        top_merchants=report_top_merchants(actor=actor, start=start, end=end),
        by_month=report_by_month(actor=actor, end=end),
    )


REPORT_TABLES = ("category", "district", "merchants", "months")


def report_table(*, actor: Any, table: str, start: date, end: date) -> list[Figures]:
    if table == "category":
        return report_by_category(actor=actor, start=start, end=end)
    if table == "district":
        return report_by_district(actor=actor, start=start, end=end)
    if table == "merchants":
        return report_top_merchants(actor=actor, start=start, end=end)
    if table == "months":
        return report_by_month(actor=actor, end=end)
    raise ValueError(table)


def table_headers(first: str) -> list[str]:
    return [
        first,
        _("消费笔数"),
        _("退款笔数"),
        _("服务会员人数"),
        _("消费金额（元）"),
        _("优惠金额（元）"),
        _("实收金额（元）"),
    ]


def table_rows(rows: Sequence[Figures]) -> Iterator[list[Any]]:
    for row in rows:
        yield [
            row.label,
            row.sales,
            row.refunds,
            row.members,
            yuan(row.amount_fen),
            yuan(row.discount_fen),
            yuan(row.payable_fen),
        ]


def table_first_header(table: str) -> str:
    return {
        "category": _("类别"),
        "district": _("县区"),
        "merchants": _("商户"),
        "months": _("月份"),
    }[table]


# -- charts --------------------------------------------------------------------------------

# ECharts options are plain JSON: formatters that are functions cannot travel through
# `json_script`, so the numbers are yuan with two decimals and the axis names say so.


def _money(rows: Sequence[Figures], field: str) -> list[float]:
    # A chart's number (never stored or summed again), two decimals of yuan.
    return [float(yuan(getattr(row, field))) for row in rows]


def chart_pie(rows: Sequence[Figures], title: str) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [
            {
                "name": title,
                "type": "pie",
                "radius": ["35%", "65%"],
                "data": [
                    {"name": row.label, "value": value}
                    for row, value in zip(rows, _money(rows, "discount_fen"), strict=True)
                ],
            }
        ],
    }


def chart_bars(rows: Sequence[Figures], *, horizontal: bool = False) -> dict[str, Any]:
    labels = [row.label for row in rows]
    category_axis: dict[str, Any] = {
        "type": "category",
        "data": labels,
        "axisLabel": {"interval": 0},
    }
    value_axis = {"type": "value", "name": _("元")}
    if horizontal:
        labels.reverse()
        category_axis["inverse"] = True
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": [
            {"name": _("优惠金额"), "type": "bar", "data": _money(rows, "discount_fen")},
            {"name": _("实收金额"), "type": "bar", "data": _money(rows, "payable_fen")},
        ],
    }


def chart_months(rows: Sequence[Figures]) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "category", "data": [row.label for row in rows]},
        "yAxis": [{"type": "value", "name": _("元")}, {"type": "value", "name": _("笔")}],
        "series": [
            {"name": _("优惠金额"), "type": "line", "data": _money(rows, "discount_fen")},
            {
                "name": _("消费笔数"),
                "type": "bar",
                "yAxisIndex": 1,
                "data": [row.sales for row in rows],
            },
        ],
    }


# -- the staff transactions table ------------------------------------------------------------


@dataclass(frozen=True)
class TransactionFilter:
    merchant: str = ""
    category: str = ""
    member_no: str = ""
    start: date | None = None
    end: date | None = None


def transaction_list(*, actor: Any, filters: TransactionFilter) -> QuerySet[Transaction]:
    """Confirmed sales of the actor's merchants, newest first (the primary key follows time)."""
    qs = Transaction.objects.filter(merchant_id__in=merchants_in_scope(actor).values("pk"))
    if filters.merchant:
        qs = qs.filter(merchant__code=filters.merchant.strip().upper())
    if filters.category:
        qs = qs.filter(merchant__category=filters.category)
    if filters.member_no:
        qs = qs.filter(member__member_no=filters.member_no.strip().upper())
    if filters.start:
        qs = qs.filter(local_date__gte=filters.start)
    if filters.end:
        qs = qs.filter(local_date__lte=filters.end)
    return qs.select_related("merchant", "member").defer(*MEMBER_SECRETS).order_by("-id")


TRANSACTION_HEADERS = (
    gettext_lazy("交易编号"),
    gettext_lazy("交易时间"),
    gettext_lazy("商户编号"),
    gettext_lazy("商户名称"),
    gettext_lazy("类别"),
    gettext_lazy("会员号"),
    gettext_lazy("会员姓名"),
    gettext_lazy("凭证"),
    gettext_lazy("消费金额（元）"),
    gettext_lazy("优惠金额（元）"),
    gettext_lazy("实付金额（元）"),
    gettext_lazy("已退款（元）"),
    gettext_lazy("优惠规则"),
)


def transaction_headers() -> list[str]:
    return [str(header) for header in TRANSACTION_HEADERS]


def transactions_export_rows(
    *, by: Any, transactions: QuerySet[Transaction], filters: TransactionFilter
) -> Iterator[list[Any]]:
    """The staff table as spreadsheet rows, names masked; the export is on record."""
    log_action(
        "pos.transactions.exported",
        actor=by,
        object_repr=_("优惠交易导出"),
        changes={
            key: str(value) for key, value in filters.__dict__.items() if value not in ("", None)
        },
    )
    categories = dict(Category.choices)
    for txn in transactions.iterator(chunk_size=1000):
        yield [
            str(txn.public_id),
            timezone.localtime(txn.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            txn.merchant.code,
            txn.merchant.name,
            str(categories.get(txn.merchant.category, "")),
            txn.member.member_no,
            mask_name(txn.member.name),
            txn.get_credential_kind_display(),
            yuan(txn.amount_fen),
            yuan(txn.discount_fen),
            yuan(txn.payable_fen),
            yuan(txn.refunded_fen),
            txn.rule,
        ]


def member_label(member: Member) -> str:
    return f"{mask_name(member.name)} ({member.member_no})"
