"""Staff pages of 送温暖: campaigns with funds and budgets, the list per union, hand-outs with
their receipt lists, and the completion report."""

from __future__ import annotations

import tempfile
from typing import Any, cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.audit.log import log_action
from gonghui.core.errors import Conflict, DomainError, Forbidden, NotFound
from gonghui.core.http import AuthedRequest
from gonghui.core.money import format_fen
from gonghui.core.pages import form_error, paginate, staff_page, xlsx_download
from gonghui.members.selectors import member_get
from gonghui.orgs.models import Union
from gonghui.warmth import rules, selectors, services
from gonghui.warmth.forms import (
    AllocationForm,
    BaseGroupFormSet,
    BuildForm,
    CampaignForm,
    DistributeForm,
    FundForm,
    GroupForm,
    GroupFormSet,
    RemoveForm,
    ResultForm,
    ScanForm,
    TargetAddForm,
    TargetFilterForm,
)
from gonghui.warmth.models import Campaign, CampaignStatus, FundSource, PayoutStatus

VIEW = selectors.VIEW
CHANGE = selectors.CHANGE
PER_PAGE = 50
MOVE_LABELS: dict[str, Any] = {
    CampaignStatus.ACTIVE: gettext_lazy("开始发放"),
    CampaignStatus.CLOSED: gettext_lazy("结束活动（结束后不能再修改）"),
}


def _union_in_view(user: Any, code: str, permission: str = VIEW) -> Union:
    union = Union.objects.filter(code=(code or "").strip().upper()).first()
    if union is None or not has_perm(user, permission, union.path):
        raise NotFound("not_found", _("没有找到该工会，或不在您的管辖范围内"))
    return union


def _default_union(user: Any) -> Union | None:
    homes = list(selectors.home_unions(user)[:2])
    return homes[0] if len(homes) == 1 else None


# -- campaigns -------------------------------------------------------------------------------


@staff_page(VIEW)
def home(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "warmth/home.html",
        {
            "page": paginate(request, selectors.campaign_list(actor=request.user), per_page=20),
            "manager": selectors.is_manager(request.user),
        },
    )


@staff_page(CHANGE)
def campaign_new(request: AuthedRequest) -> HttpResponseBase:
    if not selectors.is_manager(request.user):
        raise Forbidden("auth.forbidden", _("送温暖活动由市总工会保障部设立"))
    form = CampaignForm(request.POST or None, initial={"groups": CampaignForm.default_groups()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        city = selectors.home_unions(request.user, CHANGE).filter(kind="city").first()
        try:
            if city is None:
                raise NotFound("not_found", _("没有找到市总工会"))
            campaign = services.campaign_create(
                by=request.user,
                union=city,
                code=data["code"],
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                groups=data["groups"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("活动已设立，请登记资金并分配预算"))
            return redirect("warmth:campaign", code=campaign.code)
    return render(request, "warmth/campaign_new.html", {"form": form})


@staff_page(VIEW)
def campaign_detail(request: AuthedRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    user = request.user
    manager = selectors.is_manager(user)
    homes = list(selectors.home_unions(user)[:20])
    budgets = [(u, selectors.budget_state(campaign, u)) for u in homes]
    groups = rules.parse_groups(campaign.groups)
    is_open = rules.is_open(campaign.status)
    return render(
        request,
        "warmth/campaign.html",
        {
            "campaign": campaign,
            "groups": groups,
            "funds": selectors.funds_of(campaign),
            "funds_total": selectors.funds_total(campaign),
            "budgets": budgets,
            "allocations": selectors.allocation_list(actor=user, campaign=campaign)[:200],
            "manager": manager,
            "moves": [(to, MOVE_LABELS[to]) for to in sorted(rules.TRANSITIONS[campaign.status])]
            if manager
            else [],
            "fund_form": FundForm(auto_id="fund_%s") if manager and is_open else None,
            "allocation_form": AllocationForm(auto_id="alloc_%s")
            if is_open and has_perm(user, CHANGE)
            else None,
            # While the list is stale the page offers the whole rebuild instead.
            "build_form": BuildForm(
                initial={"union": homes[0].code if homes else ""}, auto_id="build_%s"
            )
            if is_open and has_perm(user, CHANGE) and not campaign.targets_stale
            else None,
            "events": campaign.events.select_related("by"),
            "groups_editable": manager and selectors.groups_editable(campaign),
        },
    )


@staff_page(CHANGE)
def groups_edit(request: AuthedRequest, code: str) -> HttpResponseBase:
    """Add, change, delete and reorder the campaign's groups until the first hand-out."""
    campaign = selectors.campaign_get(actor=request.user, code=code)
    if not selectors.is_manager(request.user):
        raise Forbidden("auth.forbidden", _("慰问对象类别和标准由市总工会保障部设定"))
    initial = [
        GroupForm.initial_for(group, order)
        for order, group in enumerate(rules.parse_groups(campaign.groups), start=1)
    ]
    formset = cast(
        BaseGroupFormSet, GroupFormSet(request.POST or None, initial=initial, prefix="groups")
    )
    if request.method == "POST" and formset.is_valid():
        try:
            campaign = services.campaign_groups_set(
                by=request.user, campaign=campaign, groups=formset.groups()
            )
            job = (
                services.targets_rebuild_start(by=request.user, campaign=campaign)
                if campaign.targets_stale
                else None
            )
        except Forbidden:
            raise
        except DomainError as exc:
            formset.non_form_errors().append(exc.message)
        else:
            if job is not None:
                messages.success(
                    request,
                    _("类别和标准已保存。对象名单正在按新的类别和标准重新生成，完成前不能发放。"),
                )
                return redirect("jobs:detail", public_id=job.public_id)
            messages.success(request, _("类别和标准已保存"))
            return redirect("warmth:campaign", code=campaign.code)
    frozen = ""
    try:
        rules.check_groups_editable(campaign.status, campaign.batches.count())
    except DomainError as exc:
        frozen = exc.message
    return render(
        request,
        "warmth/groups.html",
        {"campaign": campaign, "formset": formset, "frozen": frozen},
    )


@staff_page(CHANGE)
@require_POST
def rebuild(request: AuthedRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    try:
        job = services.targets_rebuild_start(by=request.user, campaign=campaign)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("warmth:campaign", code=campaign.code)
    return redirect("jobs:detail", public_id=job.public_id)


@staff_page(CHANGE)
@require_POST
def campaign_move(request: AuthedRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    to = request.POST.get("to", "")
    try:
        campaign = services.campaign_transition(by=request.user, campaign=campaign, to=to)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("活动现为“%(status)s”") % {"status": campaign.get_status_display()}
        )
    return redirect("warmth:campaign", code=campaign.code)


@staff_page(CHANGE)
@require_POST
def fund_add(request: AuthedRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    form = FundForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.fund_record(
                by=request.user,
                campaign=campaign,
                source=data["source"],
                donor=data["donor"],
                amount_fen=data["amount"],
                received_on=data["received_on"],
                reference=data["reference"],
            )
        except Forbidden:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记资金 %(fen)s") % {"fen": format_fen(data["amount"])})
    else:
        messages.error(request, _form_errors(form))
    return redirect("warmth:campaign", code=campaign.code)


def _form_errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@staff_page(CHANGE)
@require_POST
def allocation_add(request: AuthedRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    form = AllocationForm(request.POST)
    if form.is_valid():
        try:
            union = _union_in_view(request.user, form.cleaned_data["union"])
            services.allocation_set(
                by=request.user,
                campaign=campaign,
                union=union,
                amount_fen=form.cleaned_data["amount"],
            )
        except Forbidden:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(union)s 的预算现为 %(fen)s")
                % {"union": union.name, "fen": format_fen(form.cleaned_data["amount"])},
            )
    else:
        messages.error(request, _form_errors(form))
    return redirect("warmth:campaign", code=campaign.code)


@staff_page(CHANGE)
@require_POST
def build(request: AuthedRequest, code: str) -> HttpResponse:
    from gonghui.jobs.services import job_start

    campaign = selectors.campaign_get(actor=request.user, code=code)
    form = BuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("warmth:campaign", code=campaign.code)
    try:
        union = _union_in_view(request.user, form.cleaned_data["union"], CHANGE)
    except NotFound as exc:
        messages.error(request, exc.message)
        return redirect("warmth:campaign", code=campaign.code)
    if not rules.is_open(campaign.status):
        messages.error(request, _("活动已结束，不能再修改"))
        return redirect("warmth:campaign", code=campaign.code)
    job = job_start(
        by=request.user,
        kind="warmth.build",
        title=_("生成送温暖名单：%(union)s") % {"union": union.name},
        params={"campaign": campaign.code, "union": union.code},
    )
    return redirect("jobs:detail", public_id=job.public_id)


# -- the list --------------------------------------------------------------------------------


TARGET_HEADERS = [
    "会员号",
    "姓名",
    "工会代码",
    "工会",
    "慰问类别",
    "慰问金（元）",
    "慰问品",
    "慰问品价值（元）",
    "状态",
    "来源",
    "理由",
]


@staff_page(VIEW)
def target_list(request: AuthedRequest, code: str) -> HttpResponseBase:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    groups = rules.parse_groups(campaign.groups)
    form = TargetFilterForm(request.GET or None, groups=groups)
    filters = form.cleaned_data if form.is_valid() else {}
    union: Union | None = None
    if filters.get("union"):
        union = _union_in_view(request.user, filters["union"])
    elif not request.GET.get("union") and (home := _default_union(request.user)) is not None:
        union = home if home.kind in {"grassroots", "branch"} else None
    targets = selectors.target_list(
        actor=request.user,
        campaign=campaign,
        union=union,
        exact=union is not None and union.kind in {"grassroots", "branch"},
        group=filters.get("group", ""),
        status=filters.get("status", ""),
        query=filters.get("q", "").strip(),
    )
    if request.GET.get("export") == "xlsx":
        return _targets_export(request, campaign, targets)
    can_hand_out = (
        union is not None
        and union.kind in {"grassroots", "branch"}
        and campaign.status == CampaignStatus.ACTIVE
        and not campaign.targets_stale
        and selectors.can_change(request.user, union)
    )
    query: dict[str, str] = {
        k: str(v) for k, v in request.GET.items() if k not in {"page", "export"} and v
    }
    if union is not None:
        query["union"] = union.code
    return render(
        request,
        "warmth/targets.html",
        {
            "campaign": campaign,
            "form": form,
            "union": union,
            "page": paginate(request, selectors.with_last_failure(targets), per_page=PER_PAGE),
            "query": urlencode(query),
            "can_hand_out": can_hand_out,
            "can_edit": union is not None
            and rules.is_open(campaign.status)
            and selectors.can_change(request.user, union),
            "distribute_form": DistributeForm(),
            "add_form": TargetAddForm(groups=groups, auto_id="add_%s"),
            "budget": _budget_for(campaign, union),
            "report": selectors.completion_report(
                actor=request.user, campaign=campaign, union=union
            )
            if union is not None
            else None,
        },
    )


def _budget_for(campaign: Campaign, union: Union | None) -> selectors.Budget | None:
    if union is None:
        return None
    holder = selectors.budget_holder(campaign, union)
    return selectors.budget_state(campaign, holder) if holder is not None else None


def _targets_export(request: AuthedRequest, campaign: Campaign, targets: Any) -> FileResponse:
    log_action(
        "warmth.targets.exported",
        actor=request.user,
        obj=campaign,
        object_repr=campaign.name,
        changes={"filters": dict(request.GET.items())},
    )
    rows = (
        [
            t.member.member_no,
            t.member.name,
            t.union.code,
            t.union.name,
            t.group_name,
            format_fen(t.cash_fen, symbol=False),
            t.goods,
            format_fen(t.goods_value_fen, symbol=False),
            t.get_status_display(),
            t.get_source_display(),
            t.note,
        ]
        for t in targets.iterator(chunk_size=2000)
    )
    return xlsx_download(f"warmth-{campaign.code}-targets", TARGET_HEADERS, rows, "名单")


@staff_page(CHANGE)
@require_POST
def target_add(request: AuthedRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    form = TargetAddForm(request.POST, groups=rules.parse_groups(campaign.groups))
    back = request.POST.get("union", "")
    if form.is_valid():
        try:
            member = member_get(actor=request.user, member_no=form.cleaned_data["member_no"])
            services.target_add(
                by=request.user,
                campaign=campaign,
                member=member,
                group_code=form.cleaned_data["group"],
                reason=form.cleaned_data["reason"],
            )
        except (NotFound, Forbidden):
            messages.error(request, _("没有找到该会员，或不在您的管辖范围内"))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已将 %(name)s 列入名单") % {"name": member.name})
    else:
        messages.error(request, _form_errors(form))
    return redirect(_targets_url(campaign, back))


def _targets_url(campaign: Campaign, union_code: str) -> str:
    from django.urls import reverse

    url = reverse("warmth:targets", kwargs={"code": campaign.code})
    return f"{url}?{urlencode({'union': union_code})}" if union_code else url


@staff_page(CHANGE)
@require_POST
def target_remove(request: AuthedRequest, code: str, public_id: str) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    target = selectors.target_get(actor=request.user, public_id=public_id, permission=CHANGE)
    if target.campaign_id != campaign.pk:
        raise Http404
    form = RemoveForm(request.POST)
    if form.is_valid():
        try:
            services.target_remove(
                by=request.user, target=target, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已将 %(name)s 移出名单") % {"name": target.member.name})
    else:
        messages.error(request, _("请写明移出理由"))
    return redirect(_targets_url(campaign, target.union.code))


@staff_page(CHANGE)
@require_POST
def distribute(request: AuthedRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    union = _union_in_view(request.user, request.POST.get("union", ""), CHANGE)
    form = DistributeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_targets_url(campaign, union.code))
    try:
        batch = services.distribute(
            by=request.user,
            campaign=campaign,
            union=union,
            target_ids=form.cleaned_data["targets"],
            method=form.cleaned_data["method"],
            distributed_on=form.cleaned_data["distributed_on"],
        )
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_targets_url(campaign, union.code))
    messages.success(
        request,
        _("已登记发放 %(n)d 人，共 %(fen)s。请打印签收表，请领取人签字。")
        % {"n": batch.line_count, "fen": format_fen(batch.total_fen)},
    )
    return redirect("warmth:batch", public_id=batch.public_id)


# -- batches ---------------------------------------------------------------------------------


@staff_page(VIEW)
def batch_list(request: AuthedRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    return render(
        request,
        "warmth/batches.html",
        {
            "campaign": campaign,
            "page": paginate(
                request, selectors.batch_list(actor=request.user, campaign=campaign), PER_PAGE
            ),
        },
    )


@staff_page(VIEW)
def batch_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, public_id=public_id)
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        batch = selectors.batch_get(actor=request.user, public_id=public_id, permission=CHANGE)
        if form.is_valid():
            upload = form.cleaned_data["scan"]
            try:
                services.batch_mark_signed(
                    by=request.user,
                    batch=batch,
                    data=upload.read(rules.SCAN_MAX_BYTES + 1),
                    filename=upload.name,
                )
            except DomainError as exc:
                form.add_error("scan", exc.message)
            else:
                messages.success(request, _("已确认签收"))
                return redirect("warmth:batch", public_id=batch.public_id)
    return _batch_page(request, batch, form, ResultForm(auto_id="result_%s"))


def _batch_page(
    request: AuthedRequest, batch: Any, scan_form: ScanForm, result_form: ResultForm
) -> HttpResponse:
    return render(
        request,
        "warmth/batch.html",
        {
            "batch": batch,
            "lines": selectors.batch_lines(batch),
            "form": scan_form,
            "result_form": result_form,
            "can_change": selectors.can_change(request.user, batch.union),
            "payout": batch.method in rules.PAYOUT_METHODS,
            "waiting": batch.payout_status == PayoutStatus.WAITING,
        },
    )


@staff_page(CHANGE)
@require_POST
def batch_results(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The bank's result file for a card or bank batch, applied all or nothing."""
    batch = selectors.batch_get(actor=request.user, public_id=public_id, permission=CHANGE)
    form = ResultForm(request.POST, request.FILES, auto_id="result_%s")
    if form.is_valid():
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as spool:
            for chunk in form.cleaned_data["file"].chunks():
                spool.write(chunk)
                if spool.tell() > services.RESULT_MAX_BYTES:
                    break
            spool.flush()
            try:
                outcome = services.payout_results_import(
                    by=request.user, batch=batch, path=spool.name
                )
            except Forbidden:
                raise
            except Conflict as exc:  # settled meanwhile: the page no longer offers the form
                messages.error(request, exc.message)
                return redirect("warmth:batch", public_id=batch.public_id)
            except DomainError as exc:
                form_error(form, exc)
                for problem in _problems(exc):
                    form.add_error(None, problem)
            else:
                messages.success(
                    request,
                    (
                        _(
                            "已导入银行回盘：成功 %(paid)d 笔，失败 %(failed)d 笔。"
                            "失败的人已退回名单，可重新发放。"
                        )
                        if outcome["failed"]
                        else _("已导入银行回盘：%(paid)d 笔全部支付成功。")
                    )
                    % outcome,
                )
                return redirect("warmth:batch", public_id=batch.public_id)
    return _batch_page(request, batch, ScanForm(), form)


def _problems(exc: DomainError) -> list[str]:
    """The first rows of a refused result file that could not be read (a file that does not
    match the batch names its problems in the message already)."""
    return [
        _("第 %(row)s 行 %(column)s：%(reason)s")
        % {"row": e.get("row"), "column": e.get("column", ""), "reason": e.get("reason", "")}
        for e in (exc.details or {}).get("errors", [])[:10]
    ]


@staff_page(VIEW)
def batch_print(request: AuthedRequest, public_id: str) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, public_id=public_id)
    log_action(
        "warmth.batch.printed",
        actor=request.user,
        obj=batch,
        object_repr=batch.batch_no,
        union_path=batch.union.path,
    )
    return render(
        request,
        "warmth/receipt.html",
        {"batch": batch, "lines": selectors.batch_lines(batch)},
    )


RECEIPT_HEADERS = [
    "序号",
    "会员号",
    "姓名",
    "慰问类别",
    "慰问金（元）",
    "慰问品",
    "合计（元）",
    "领取人签字",
    "签收日期",
]


def receipt_rows(batch: Any) -> list[list[Any]]:
    return [
        [
            index,
            line.target.member.member_no,
            line.target.member.name,
            line.target.group_name,
            format_fen(line.cash_fen, symbol=False),
            line.target.goods,
            format_fen(line.amount_fen, symbol=False),
            "",
            "",
        ]
        for index, line in enumerate(selectors.batch_lines(batch), start=1)
    ]


@staff_page(VIEW)
def batch_xlsx(request: AuthedRequest, public_id: str) -> FileResponse:
    batch = selectors.batch_get(actor=request.user, public_id=public_id)
    log_action(
        "warmth.batch.exported",
        actor=request.user,
        obj=batch,
        object_repr=batch.batch_no,
        union_path=batch.union.path,
    )
    return xlsx_download(
        f"warmth-receipt-{batch.batch_no}", RECEIPT_HEADERS, receipt_rows(batch), "签收表"
    )


@staff_page(CHANGE)
def batch_payout(request: AuthedRequest, public_id: str) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, public_id=public_id, permission=CHANGE)
    try:
        data = services.payout_file(by=request.user, batch=batch)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("warmth:batch", public_id=batch.public_id)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="payout-{batch.batch_no}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@staff_page(CHANGE)
def batch_scan(request: AuthedRequest, public_id: str) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, public_id=public_id, permission=CHANGE)
    if not batch.signed_scan:
        raise Http404
    data = services.scan_bytes(by=request.user, batch=batch)
    response = HttpResponse(data, content_type=batch.scan_content_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        batch.scan_content_type, "bin"
    )
    response["Content-Disposition"] = f'attachment; filename="signed-{batch.batch_no}.{extension}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- the report ------------------------------------------------------------------------------


def _report_union(request: AuthedRequest, campaign: Campaign) -> Union:
    code = request.GET.get("union", "")
    if code:
        return _union_in_view(request.user, code)
    homes = list(selectors.home_unions(request.user)[:2])
    if len(homes) == 1:
        return homes[0]
    return campaign.union if has_perm(request.user, VIEW, campaign.union.path) else homes[0]


def _yuan_value(fen: int) -> str:
    return format_fen(fen, symbol=False).replace(",", "")


def _charts(report: selectors.Report) -> list[dict[str, Any]]:
    sources = dict(FundSource.choices)
    completion = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [r.union.name for r in report.rows],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": [{"type": "value", "name": _("人")}, {"type": "value", "name": "%", "max": 100}],
        "series": [
            {"name": _("名单人数"), "type": "bar", "data": [r.targets for r in report.rows]},
            {"name": _("已发放"), "type": "bar", "data": [r.delivered for r in report.rows]},
            {
                "name": _("完成率"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [str(r.rate) if r.rate is not None else None for r in report.rows],
            },
        ],
    }

    def pie(title: str, data: list[tuple[str, int]]) -> dict[str, Any]:
        return {
            "tooltip": {"trigger": "item"},
            "legend": {"bottom": 0, "type": "scroll"},
            "series": [
                {
                    "name": title,
                    "type": "pie",
                    "radius": ["35%", "65%"],
                    "data": [{"name": n, "value": _yuan_value(v)} for n, v in data],
                }
            ],
        }

    return [
        {
            "id": "chart-unions",
            "title": _("各工会名单人数和发放人数"),
            "option": completion,
            "has_data": bool(report.rows),
        },
        {
            "id": "chart-groups",
            "title": _("按慰问类别的支出（元）"),
            "option": pie(_("支出"), [(g[0], g[3]) for g in report.by_group]),
            "has_data": any(g[3] for g in report.by_group),
        },
        {
            "id": "chart-sources",
            "title": _("按资金来源的支出（元，按筹资比例分摊）"),
            "option": pie(
                _("支出"), [(str(sources.get(s, s)), share) for s, _a, share in report.by_source]
            ),
            "has_data": any(share for _s, _a, share in report.by_source),
        },
    ]


REPORT_HEADERS = [
    "工会代码",
    "工会",
    "名单人数",
    "已发放人数",
    "完成率（%）",
    "应发金额（元）",
    "已发金额（元）",
    "预算（元）",
    "预算使用率（%）",
]


@staff_page(VIEW)
def report(request: AuthedRequest, code: str) -> HttpResponseBase:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    union = _report_union(request, campaign)
    figures = selectors.completion_report(actor=request.user, campaign=campaign, union=union)
    if request.GET.get("export") == "xlsx":
        log_action(
            "warmth.report.exported",
            actor=request.user,
            obj=campaign,
            object_repr=campaign.name,
            union_path=union.path,
            changes={"union": union.code},
        )
        return xlsx_download(
            f"warmth-{campaign.code}-completion",
            REPORT_HEADERS,
            (_report_row(row) for row in [figures.root, *figures.rows]),
            "完成情况",
        )
    return render(
        request,
        "warmth/report.html",
        {
            "campaign": campaign,
            "union": union,
            "report": figures,
            "charts": _charts(figures),
            "sources": dict(FundSource.choices),
        },
    )


def _report_row(row: selectors.Completion) -> list[Any]:
    return [
        row.union.code,
        row.union.name,
        row.targets,
        row.delivered,
        row.rate,
        format_fen(row.due_fen, symbol=False),
        format_fen(row.spent_fen, symbol=False),
        "" if row.budget_fen is None else format_fen(row.budget_fen, symbol=False),
        row.budget_used,
    ]
