"""Pages of discount transactions, by audience: the federation's staff (statistics,
transactions, settlement, anomalies), the merchant's cashier (quote, confirm, refund, own
statements) and the member (how much the card has saved)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.core.errors import DomainError, Forbidden, NotFound
from gonghui.core.http import AuthedRequest
from gonghui.core.masking import mask_name
from gonghui.core.pages import forbidden, paginate, staff_page, xlsx_download
from gonghui.jobs.services import job_start
from gonghui.members.selectors import member_of_account
from gonghui.merchants.models import Merchant
from gonghui.merchants.selectors import staff_merchant
from gonghui.pos import anomalies, reports, settlement
from gonghui.pos import jobs as _jobs  # noqa: F401  (registers the pos.settle job kind)
from gonghui.pos.forms import (
    AnomalyForm,
    ConfirmForm,
    GenerateForm,
    QuoteForm,
    RefundForm,
    SettlementFilterForm,
    StatsForm,
    TransactionFilterForm,
)
from gonghui.pos.models import Settlement, Transaction
from gonghui.pos.selectors import member_ledger, member_savings_fen, merchant_transactions
from gonghui.pos.selectors import transaction_get as merchant_transaction_get
from gonghui.pos.services import quote_create, transaction_confirm, transaction_refund

PER_PAGE = 50


def _masked(page: Any) -> Any:
    """Each row of the page (50 at most) gets `member_masked`: the name as staff may see it."""
    for row in page:
        row.member_masked = mask_name(row.member.name)
    return page


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# -- staff: statistics ------------------------------------------------------------------------


@staff_page("cards.view")
def stats(request: AuthedRequest) -> HttpResponse:
    form = StatsForm(request.GET or None)
    start, end = form.period()
    if not form.is_bound:
        form = StatsForm(initial={"start": start, "end": end})
    report = reports.report_build(actor=request.user, start=start, end=end)
    charts = [
        {
            "id": "chart-months",
            "table": "months",
            "title": _("近 12 个月"),
            "first": _("月份"),
            "option": reports.chart_months(report.by_month),
            "rows": report.by_month,
        },
        {
            "id": "chart-category",
            "table": "category",
            "title": _("按类别（优惠金额）"),
            "first": _("类别"),
            "option": reports.chart_pie(report.by_category, _("优惠金额")),
            "rows": report.by_category,
        },
        {
            "id": "chart-district",
            "table": "district",
            "title": _("按县区"),
            "first": _("县区"),
            "option": reports.chart_bars(report.by_district),
            "rows": report.by_district,
        },
        {
            "id": "chart-merchants",
            "table": "merchants",
            "title": _("优惠金额前 %(n)d 名商户") % {"n": reports.TOP_MERCHANTS},
            "first": _("商户"),
            "option": reports.chart_bars(report.top_merchants, horizontal=True),
            "rows": report.top_merchants,
        },
    ]
    return render(
        request,
        "pos/stats.html",
        {
            "form": form,
            "report": report,
            "charts": charts,
            "period": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
        },
    )


@staff_page("cards.view")
def stats_export(request: AuthedRequest, table: str) -> FileResponse:
    if table not in reports.REPORT_TABLES:
        raise Http404
    start, end = StatsForm(request.GET or None).period()
    rows = reports.report_table(actor=request.user, table=table, start=start, end=end)
    from gonghui.audit.log import log_action

    log_action(
        "pos.stats.exported",
        actor=request.user,
        object_repr=_("优惠交易统计导出"),
        changes={"table": table, "start": start.isoformat(), "end": end.isoformat()},
    )
    return xlsx_download(
        f"pos-stats-{table}",
        reports.table_headers(reports.table_first_header(table)),
        reports.table_rows(rows),
        sheet_name=table,
    )


# -- staff: transactions ------------------------------------------------------------------------


def _transaction_filters(
    request: HttpRequest,
) -> tuple[TransactionFilterForm, reports.TransactionFilter]:
    form = TransactionFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, reports.TransactionFilter(
        merchant=data.get("merchant", ""),
        category=data.get("category", ""),
        member_no=data.get("member_no", ""),
        start=data.get("start"),
        end=data.get("end"),
    )


@staff_page("cards.view")
def transaction_list(request: AuthedRequest) -> HttpResponse:
    form, filters = _transaction_filters(request)
    transactions = reports.transaction_list(actor=request.user, filters=filters)
    return render(
        request,
        "pos/transactions.html",
        {
            "form": form,
            "page": _masked(paginate(request, transactions, per_page=PER_PAGE)),
            "query": _query_without_page(request),
        },
    )


@staff_page("cards.view")
def transaction_export(request: AuthedRequest) -> FileResponse:
    _form, filters = _transaction_filters(request)
    transactions = reports.transaction_list(actor=request.user, filters=filters)
    rows = reports.transactions_export_rows(
        by=request.user, transactions=transactions, filters=filters
    )
    return xlsx_download(
        "pos-transactions", reports.transaction_headers(), rows, sheet_name="优惠交易"
    )


# -- staff: settlement ---------------------------------------------------------------------------


def _last_month() -> date:
    return reports.months_back(reports.month_start(timezone.localdate()), 1)


def _settlement_filters(request: HttpRequest) -> tuple[SettlementFilterForm, date | None, str]:
    form = SettlementFilterForm(request.GET or None)
    month, status = None, ""
    if form.is_valid():
        status = form.cleaned_data["status"]
        if form.cleaned_data["month"]:
            try:
                month = settlement.parse_month(form.cleaned_data["month"])
            except DomainError as exc:
                form.add_error("month", exc.message)
    return form, month, status


@staff_page("cards.view")
def settlement_list(request: AuthedRequest) -> HttpResponse:
    form, month, status = _settlement_filters(request)
    statements = settlement.settlement_list(actor=request.user, month=month, status=status)
    return render(
        request,
        "pos/settlements.html",
        {
            "form": form,
            "page": paginate(request, statements, per_page=PER_PAGE),
            "query": _query_without_page(request),
            "can_change": has_perm(request.user, "cards.change"),
            "generate_form": GenerateForm(initial={"month": f"{_last_month():%Y-%m}"}),
        },
    )


@staff_page("cards.view")
def settlement_export(request: AuthedRequest) -> FileResponse:
    _form, month, status = _settlement_filters(request)
    statements = settlement.settlement_list(actor=request.user, month=month, status=status)
    rows = settlement.summary_rows(by=request.user, settlements=statements, month=month)
    stem = f"pos-settlements-{month:%Y-%m}" if month else "pos-settlements"
    return xlsx_download(stem, settlement.summary_headers(), rows, sheet_name="月度结算")


@staff_page("cards.change")
@require_POST
def settlement_generate(request: AuthedRequest) -> HttpResponse:
    try:
        month = settlement.parse_month(request.POST.get("month", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("pos:settlements")
    job = job_start(
        by=request.user,
        kind="pos.settle",
        title=_("生成 %(month)s 月度结算单") % {"month": f"{month:%Y-%m}"},
        params={"month": f"{month:%Y-%m}"},
    )
    return redirect("jobs:detail", public_id=job.public_id)


@staff_page("cards.view")
def settlement_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    statement = settlement.settlement_get(actor=request.user, public_id=public_id)
    month_over = reports.next_month(statement.month) <= timezone.localdate()
    can_confirm = (
        statement.status == Settlement.Status.DRAFT
        and month_over
        and has_perm(request.user, "cards.change", statement.merchant.district.path)
    )
    return render(
        request,
        "pos/settlement_detail.html",
        {
            "statement": statement,
            "lines": _masked(
                paginate(request, settlement.statement_lines(statement), per_page=PER_PAGE)
            ),
            "check": settlement.statement_line_totals(statement),
            "can_confirm": can_confirm,
            "month_over": month_over,
        },
    )


@staff_page("cards.change")
@require_POST
def settlement_confirm(request: AuthedRequest, public_id: str) -> HttpResponse:
    statement = settlement.settlement_get(
        actor=request.user, public_id=public_id, permission="cards.change"
    )
    try:
        settlement.settlement_confirm(by=request.user, settlement=statement)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已确认 %(merchant)s %(month)s 的结算单")
            % {"merchant": statement.merchant.name, "month": f"{statement.month:%Y-%m}"},
        )
    return redirect("pos:settlement_detail", public_id=statement.public_id)


@staff_page("cards.view")
def settlement_xlsx(request: AuthedRequest, public_id: str) -> FileResponse:
    statement = settlement.settlement_get(actor=request.user, public_id=public_id)
    return _statement_download(request, statement, with_member_no=True)


def _statement_download(
    request: AuthedRequest, statement: Settlement, *, with_member_no: bool
) -> FileResponse:
    return xlsx_download(
        f"statement-{statement.merchant.code}-{statement.month:%Y-%m}",
        settlement.statement_headers(statement),
        settlement.statement_rows(
            by=request.user, settlement=statement, with_member_no=with_member_no
        ),
        sheet_name=f"{statement.month:%Y-%m}",
    )


# -- staff: anomalies ----------------------------------------------------------------------------


def _anomalies(request: AuthedRequest) -> tuple[AnomalyForm, date, date, Any, Any]:
    form = AnomalyForm(request.GET or None)
    start, end = form.period()
    if not form.is_bound:
        form = AnomalyForm(initial={"start": start, "end": end})
    bursts = anomalies.card_bursts(actor=request.user, start=start, end=end)
    outliers = anomalies.refund_outliers(actor=request.user, today=end)
    return form, start, end, bursts, outliers


@staff_page("cards.view")
def anomaly_list(request: AuthedRequest) -> HttpResponse:
    form, start, end, bursts, outliers = _anomalies(request)
    return render(
        request,
        "pos/anomalies.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "bursts": bursts,
            "outliers": outliers,
            "refund_start": end - timedelta(days=anomalies.REFUND_DAYS - 1),
            "params": {
                "burst_merchants": anomalies.BURST_MERCHANTS,
                "burst_minutes": anomalies.BURST_MINUTES,
                "refund_days": anomalies.REFUND_DAYS,
                "refund_min": anomalies.REFUND_MIN_TRANSACTIONS,
                "refund_factor": anomalies.REFUND_FACTOR,
                "refund_floor": anomalies.percent(anomalies.REFUND_RATE_FLOOR),
            },
            "period": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
        },
    )


@staff_page("cards.view")
def anomaly_export(request: AuthedRequest, kind: str) -> FileResponse:
    if kind not in {"bursts", "refunds"}:
        raise Http404
    _form, start, end, bursts, outliers = _anomalies(request)
    from gonghui.audit.log import log_action

    log_action(
        "pos.anomalies.exported",
        actor=request.user,
        object_repr=_("异常交易导出"),
        changes={"kind": kind, "start": start.isoformat(), "end": end.isoformat()},
    )
    if kind == "bursts":
        headers = [
            _("会员号"),
            _("会员"),
            _("开始时间"),
            _("结束时间"),
            _("商户数"),
            _("交易笔数"),
            _("商户"),
        ]
        rows: list[list[Any]] = [
            [
                b.member_no,
                b.member_name,
                b.start.strftime("%Y-%m-%d %H:%M:%S"),
                b.end.strftime("%Y-%m-%d %H:%M:%S"),
                b.merchants,
                len(b.transactions),
                "\n".join(
                    f"{t.at:%H:%M:%S} {t.merchant_name} ({t.merchant_code})" for t in b.transactions
                ),
            ]
            for b in bursts
        ]
    else:
        headers = [
            _("商户编号"),
            _("商户名称"),
            _("所在县区"),
            _("统计期间"),
            _("交易笔数"),
            _("有退款的笔数"),
            _("实付金额（元）"),
            _("已退款（元）"),
            _("退款率"),
            _("其他商户中位数"),
            _("倍数"),
        ]
        rows = [
            [
                o.merchant_code,
                o.merchant_name,
                o.district_name,
                f"{o.start:%Y-%m-%d} – {o.end:%Y-%m-%d}",
                o.transactions,
                o.refunded_transactions,
                reports.yuan(o.payable_fen),
                reports.yuan(o.refunded_fen),
                anomalies.percent(o.rate),
                anomalies.percent(o.median_of_others),
                o.times_median if o.times_median is not None else "",
            ]
            for o in outliers
        ]
    return xlsx_download(f"pos-anomalies-{kind}", headers, rows, sheet_name=kind)


# -- the merchant's cashier ------------------------------------------------------------------

# What a cashier reads when a service says no: what happened and what to do next.
CASHIER_MESSAGES = {
    "cards.credential_unknown": _(
        "无法识别该会员码或卡号。请让会员刷新手机上的会员码后重新扫描，或核对卡号后重新输入。"
    ),
    "cards.card_no_invalid": _("卡号只能是数字，请核对后重新输入。"),
    "cards.qr_expired": _("会员码已过期。请让会员刷新手机上的会员码后重新扫描。"),
    "cards.qr_used": _("这个会员码已经用过一次。请让会员刷新会员码后重新扫描。"),
    "merchant.suspended": _("本店的会员优惠已暂停，暂时不能办理。请联系所在县区总工会。"),
    "merchant.expired": _("本店的优惠协议不在有效期内，暂时不能办理。请联系所在县区总工会续签。"),
    "merchant.not_active": _("本店尚未开通会员优惠，暂时不能办理。"),
    "pos.quote_not_found": _("没有找到这笔报价。请重新扫描会员码报价。"),
}
# Errors about the amount rather than the card: shown under the amount field.
AMOUNT_CODES = ("pos.amount", "pos.cap", "pos.min")


def _cashier_message(exc: DomainError) -> str:
    message = CASHIER_MESSAGES.get(exc.code)
    if message is None:
        return exc.message
    if exc.code == "cards.card_not_active":
        return exc.message
    return str(message)


def cashier_page(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Login required; only an active merchant account working for a merchant gets in (others
    get 403). The view receives that merchant; rows of other merchants are 404."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        merchant = staff_merchant(request.user) if request.user.kind == "merchant" else None
        if merchant is None:
            return forbidden(request)
        try:
            return view(request, merchant, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden:
            return forbidden(request)

    return wrapper


def _is_manager(request: AuthedRequest) -> bool:
    staff = getattr(request.user, "merchant_staff", None)
    return bool(staff and staff.is_active and staff.role == "manager")


def _till(
    request: AuthedRequest,
    merchant: Merchant,
    *,
    form: QuoteForm | None = None,
    quote: Any = None,
    receipt: Transaction | None = None,
    replayed: bool = False,
    error: str = "",
) -> HttpResponse:
    """The till: the partial for HTMX, the whole page otherwise."""
    shown = receipt or quote
    context = {
        "merchant": merchant,
        "form": form or QuoteForm(),
        "quote": quote,
        "confirm_form": ConfirmForm(initial={"quote_id": quote.public_id}) if quote else None,
        "receipt": receipt,
        "replayed": replayed,
        "error": error,
        "member_masked": mask_name(shown.member.name) if shown else "",
        "section": "home",
    }
    if request.htmx:
        if receipt is not None:  # the sale changes today's figures beside the till too
            context |= {"today": _today(merchant), "today_oob": True}
        return render(request, "pos/cashier/partials/till.html", context)
    return render(request, "pos/cashier/home.html", context | {"today": _today(merchant)})


TODAY_SHOWN = 5


@cashier_page
def cashier_home(request: AuthedRequest, merchant: Merchant) -> HttpResponse:
    return _till(request, merchant)


def _today(merchant: Merchant) -> dict[str, Any]:
    """Beside the till: today's count and takings, and the last few sales."""
    today = merchant_transactions(merchant, day=timezone.localdate())
    totals = today.order_by().aggregate(count=Count("pk"), payable=Coalesce(Sum("payable_fen"), 0))
    latest: list[Any] = list(today[:TODAY_SHOWN])
    for sale in latest:
        sale.member_masked = mask_name(sale.member.name)
    return {"count": totals["count"], "payable_fen": totals["payable"], "latest": latest}


@cashier_page
@require_POST
def cashier_quote(request: AuthedRequest, merchant: Merchant) -> HttpResponse:
    form = QuoteForm(request.POST)
    if not form.is_valid():
        return _till(request, merchant, form=form)
    try:
        quote = quote_create(
            merchant=merchant,
            terminal=None,
            credential=form.cleaned_data["credential"],
            amount_fen=form.cleaned_data["amount"],
        )
    except DomainError as exc:
        field = "amount" if exc.code.startswith(AMOUNT_CODES) else None
        if exc.code.startswith("cards."):
            field = "credential"
        form.add_error(field, _cashier_message(exc))
        return _till(request, merchant, form=form)
    return _till(request, merchant, quote=quote)


def _transaction_for_quote(merchant: Merchant, quote_id: Any) -> Transaction | None:
    return merchant_transactions(merchant).filter(quote__public_id=quote_id).order_by().first()


@cashier_page
@require_POST
def cashier_confirm(request: AuthedRequest, merchant: Merchant) -> HttpResponse:
    """The quote is one-to-one with its transaction: a second submit of the same quote (a
    double click, a resent form) shows the receipt of the first and makes nothing new."""
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _till(request, merchant)
    quote_id = form.cleaned_data["quote_id"]
    existing = _transaction_for_quote(merchant, quote_id)
    if existing is None:
        try:
            txn = transaction_confirm(merchant=merchant, terminal=None, quote_id=quote_id)
        except DomainError as exc:
            # Lost a race with the other click of a double click: that one made the sale.
            existing = _transaction_for_quote(merchant, quote_id)
            if existing is None:
                return _till(request, merchant, error=_cashier_message(exc))
        else:
            if not request.htmx:
                return redirect("cashier:receipt", public_id=txn.public_id)
            return _till(request, merchant, receipt=_transaction_for_quote(merchant, quote_id))
    assert existing is not None
    if not request.htmx:
        return redirect("cashier:receipt", public_id=existing.public_id)
    return _till(request, merchant, receipt=existing, replayed=True)


def _merchant_transaction(merchant: Merchant, public_id: Any) -> Transaction:
    return merchant_transaction_get(merchant, public_id)


@cashier_page
def cashier_receipt(request: AuthedRequest, merchant: Merchant, public_id: str) -> HttpResponse:
    return _till(request, merchant, receipt=_merchant_transaction(merchant, public_id))


@cashier_page
def cashier_transactions(request: AuthedRequest, merchant: Merchant) -> HttpResponse:
    today = timezone.localdate()
    day = today
    if request.GET.get("day"):
        try:
            day = date.fromisoformat(request.GET["day"])
        except ValueError:
            day = today
    transactions = merchant_transactions(merchant, day=day)
    return render(
        request,
        "pos/cashier/transactions.html",
        {
            "merchant": merchant,
            "day": day,
            "is_today": day == today,
            "page": _masked(paginate(request, transactions, per_page=PER_PAGE)),
            "query": urlencode({"day": day.isoformat()}),
            "is_manager": _is_manager(request),
            "section": "transactions",
        },
    )


@cashier_page
def cashier_refund(request: AuthedRequest, merchant: Merchant, public_id: str) -> HttpResponse:
    txn = _merchant_transaction(merchant, public_id)
    if not _is_manager(request):
        raise Forbidden("auth.forbidden", _("只有店长可以办理退款"))
    refundable = txn.payable_fen - txn.refunded_fen
    form = RefundForm(request.POST or None, refundable_fen=refundable)
    if request.method == "POST" and form.is_valid():
        try:
            refund = transaction_refund(
                merchant=merchant,
                terminal=None,
                transaction_id=txn.public_id,
                amount_fen=form.cleaned_data["amount"],
            )
        except DomainError as exc:
            form.add_error("amount", exc.message)
        else:
            from gonghui.core.money import format_fen

            messages.success(
                request,
                _("已退款 %(amount)s（交易 %(no)s）")
                % {"amount": format_fen(refund.amount_fen), "no": str(txn.public_id)[:8]},
            )
            return redirect(f"{_url('cashier:transactions')}?day={txn.local_date.isoformat()}")
    return render(
        request,
        "pos/cashier/refund.html",
        {
            "merchant": merchant,
            "txn": txn,
            "refundable": refundable,
            "form": form,
            "section": "transactions",
        },
    )


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


@cashier_page
def cashier_statements(request: AuthedRequest, merchant: Merchant) -> HttpResponse:
    return render(
        request,
        "pos/cashier/statements.html",
        {
            "merchant": merchant,
            "page": paginate(request, settlement.merchant_settlements(merchant), per_page=24),
            "section": "statements",
        },
    )


@cashier_page
def cashier_statement_xlsx(
    request: AuthedRequest, merchant: Merchant, public_id: str
) -> FileResponse:
    statement = settlement.merchant_settlement_get(merchant, public_id)
    return _statement_download(request, statement, with_member_no=False)


# -- the member's savings ----------------------------------------------------------------------


@login_required
def savings_home(request: AuthedRequest) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        return render(request, "pos/savings.html", {"member": None})
    return render(
        request,
        "pos/savings.html",
        {
            "member": member,
            "saved_fen": member_savings_fen(member),
            "page": paginate(request, member_ledger(member), per_page=20),
        },
    )
