"""Pages for the mutual-aid plan: the member's certificate and claims on the phone, and the staff
pages (plans and rules, enrolment batches, the claims queue per review level)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.audit.log import log_action
from gonghui.core.errors import DomainError, Forbidden, NotFound
from gonghui.core.filetypes import Upload
from gonghui.core.http import AuthedRequest
from gonghui.core.money import format_fen
from gonghui.core.pages import form_error, paginate, staff_page, xlsx_download
from gonghui.members.selectors import member_get, member_of_account
from gonghui.mutualaid import rules, selectors, services
from gonghui.mutualaid.forms import (
    BatchForm,
    ClaimFilterForm,
    ClaimForm,
    MoreMaterialForm,
    MoveForm,
    OnBehalfForm,
    PaymentForm,
    PayoutForm,
    PayoutResultForm,
    PlanYearForm,
    RuleVersionForm,
)
from gonghui.mutualaid.models import Claim, ClaimStatus, Payer, RuleVersion
from gonghui.orgs.models import Union

PER_PAGE = 30
XLSX = "xlsx"

# What the action buttons say, by target status.
MOVE_LABELS: dict[str, Any] = {
    ClaimStatus.FIRST_REVIEWED: gettext_lazy("初审通过"),
    ClaimStatus.RECHECKED: gettext_lazy("复核通过"),
    ClaimStatus.APPROVED: gettext_lazy("审批同意给付"),
    ClaimStatus.PAID: gettext_lazy("确认已支付"),
    ClaimStatus.RETURNED: gettext_lazy("退回补充材料"),
    ClaimStatus.REJECTED: gettext_lazy("不予给付"),
    ClaimStatus.SUBMITTED: gettext_lazy("重新提交"),
    ClaimStatus.APPEALED: gettext_lazy("提出申诉"),
}


def _items_today(day: date | None = None) -> tuple[rules.BenefitItem, ...]:
    plan = selectors.plan_for_day(day or timezone.localdate())
    if plan is None:
        return ()
    try:
        version = selectors.version_in_force(plan, day or timezone.localdate())
    except DomainError:
        return ()
    return rules.parse_benefits(version.benefits)


def _explained(claim: Claim) -> list[dict[str, Any]]:
    return [{"text": rules.line_text(line), **line} for line in claim.explanation]


def _field_of(code: str) -> str | None:
    for prefix, name in (
        ("mutualaid.claim.invoice", "invoice_no_1"),
        ("mutualaid.invoice", "invoice_no_1"),
        ("mutualaid.claim.hospital", "hospital"),
        ("mutualaid.hospital_level", "hospital_level"),
        ("mutualaid.condition", "condition_code"),
        ("mutualaid.consent", "consent"),
        ("mutualaid.document", "invoice_file"),
        ("mutualaid.item", "item_code"),
    ):
        if code.startswith(prefix):
            return name
    return None


def _claim_error(form: Any, exc: DomainError) -> None:
    field = _field_of(exc.code)
    form.add_error(field if field in form.fields else None, exc.message)


# -- the member's pages (phone) --------------------------------------------------------------


@login_required
def certificate(request: AuthedRequest) -> HttpResponse:
    """保障凭证: the member's plan year, cover dates and items, and their claims."""
    member = member_of_account(request.user)
    if member is None:
        return render(request, "portal/not_member.html", status=404)
    enrolment = selectors.enrolment_of_member(member)
    items: tuple[tuple[rules.BenefitItem, str], ...] = ()
    if enrolment is not None:
        try:
            version = selectors.version_in_force(
                enrolment.plan_year,
                min(
                    max(timezone.localdate(), enrolment.plan_year.starts_on),
                    enrolment.cover_ends_on,
                ),
            )
            items = tuple(
                (item, rules.item_summary(item)) for item in rules.parse_benefits(version.benefits)
            )
        except DomainError:
            items = ()
    return render(
        request,
        "mutualaid/certificate.html",
        {
            "member": member,
            "enrolment": enrolment,
            "items": items,
            "claims": selectors.claims_of_member(member)[:20],
            "left_union": member.status != "active",
            "offer": services.individual_offer(member),
        },
    )


@login_required
def claim_new(request: AuthedRequest) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        return render(request, "portal/not_member.html", status=404)
    form = ClaimForm(request.POST or None, request.FILES or None, items=_items_today())
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_submit(
                by=request.user,
                member=member,
                data=form.claim_data(request.FILES),
                consent_version=form.cleaned_data["consent_version"],
            )
        except DomainError as exc:
            _claim_error(form, exc)
        else:
            messages.success(
                request,
                _("已提交，申请编号 %(no)s。工会审核后会在这里告诉您结果") % {"no": claim.claim_no},
            )
            return redirect("mutualaid_portal:claim", public_id=claim.public_id)
    return render(
        request,
        "mutualaid/claim_new.html",
        {"form": form, "consent_text": services.consent_text(), "member": member},
    )


@login_required
def my_claim(request: AuthedRequest, public_id: str) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        raise Http404
    try:
        claim = selectors.member_claim_get(member=member, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    form = MoreMaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.claim_documents_add(
                by=request.user,
                claim=claim,
                uploads=[Upload.of(upload, form.cleaned_data["kind"])],
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("材料已上传"))
            return redirect("mutualaid_portal:claim", public_id=claim.public_id)
    moves = [
        (to, MOVE_LABELS[to])
        for to, level in rules.moves_from(claim.status)
        if level == rules.SUBMITTER and not (to == ClaimStatus.APPEALED and claim.appealed)
    ]
    return render(
        request,
        "mutualaid/my_claim.html",
        {
            "claim": claim,
            "lines": _explained(claim),
            "documents": claim.documents.all(),
            "events": selectors.claim_events(claim),
            "moves": moves,
            "upload_form": form,
            "can_upload": claim.status in {ClaimStatus.RETURNED, ClaimStatus.SUBMITTED},
        },
    )


@login_required
@require_POST
def my_claim_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        raise Http404
    try:
        claim = selectors.member_claim_get(member=member, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        services.claim_transition(
            claim=claim,
            to=form.cleaned_data["to"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except Forbidden:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提交"))
    return redirect("mutualaid_portal:claim", public_id=claim.public_id)


# -- staff: plans and rules ------------------------------------------------------------------


def _queue_levels(user: Any) -> list[tuple[str, Promise]]:
    """The review levels the user works at, with their labels (the queue's tabs)."""
    return [(level, rules.LEVEL_LABELS[level]) for level in selectors.queue_levels(user)]


@staff_page("mutualaid.view")
def home(request: AuthedRequest) -> HttpResponse:
    plans = [(plan, services.plan_totals(plan)) for plan in selectors.plan_years()[:10]]
    return render(
        request,
        "mutualaid/home.html",
        {
            "plans": plans,
            "levels": _queue_levels(request.user),
            "can_change": has_perm(request.user, "mutualaid.change"),
            "plan_manager": selectors.is_plan_manager(request.user),
        },
    )


def _rule_initial(version: RuleVersion | None) -> dict[str, Any]:
    """A rule version's figures as form values: the next version starts from the last one."""
    if version is None:
        return {
            "contribution": f"{rules.DEFAULT_CONTRIBUTION_FEN / 100:.2f}",
            "employer_weight": 1,
            "union_weight": 1,
            "worker_weight": 1,
            "waiting_days": rules.DEFAULT_WAITING_DAYS,
            "min_age": 16,
            "max_age": 65,
            "benefits": json.dumps(list(rules.DEFAULT_BENEFITS), ensure_ascii=False, indent=2),
        }
    return {
        "contribution": f"{version.contribution_fen / 100:.2f}",
        "employer_weight": version.employer_weight,
        "union_weight": version.union_weight,
        "worker_weight": version.worker_weight,
        "waiting_days": version.waiting_days,
        "min_age": version.min_age,
        "max_age": version.max_age,
        "benefits": json.dumps(version.benefits, ensure_ascii=False, indent=2),
    }


def _next_plan_initial() -> dict[str, Any]:
    """The plan year after the newest one (or one starting next month), with its rules."""
    newest = selectors.plan_years().first()
    if newest is not None:
        starts = newest.ends_on + timedelta(days=1)
        versions = selectors.versions_of(newest)
        latest = versions[-1] if versions else None
    else:
        today = timezone.localdate()
        starts = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        latest = None
    ends = starts.replace(year=starts.year + 1) - timedelta(days=1)
    return _rule_initial(latest) | {
        "code": str(starts.year),
        "name": _("%(a)s—%(b)s年度保障期") % {"a": starts.year, "b": starts.year + 1},
        "starts_on": starts,
        "ends_on": ends,
        "enrol_opens_on": starts - timedelta(days=30),
        "enrol_closes_on": min(ends, starts + timedelta(days=273)),
        "allow_individual": newest.allow_individual if newest is not None else False,
    }


@staff_page("mutualaid.view")
def plan_new(request: AuthedRequest) -> HttpResponse:
    """The city 保障部 opens a new 保障期 with its first rules."""
    if not selectors.is_plan_manager(request.user):
        raise Forbidden("auth.forbidden", _("保障期和保障规则只能由市总工会保障部设定"))
    form = PlanYearForm(request.POST or None, initial=_next_plan_initial())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_year_create(
                by=request.user,
                code=data["code"],
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                enrol_opens_on=data["enrol_opens_on"],
                enrol_closes_on=data["enrol_closes_on"],
                allow_individual=data["allow_individual"],
                first_rules=form.rule_data(),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已设立保障期“%(name)s”") % {"name": plan.name})
            return redirect("mutualaid:plan", code=plan.code)
    return render(request, "mutualaid/plan_new.html", {"form": form})


@staff_page("mutualaid.view")
def plan_detail(request: AuthedRequest, code: str) -> HttpResponse:
    plan = selectors.plan_get(code=code)
    versions = selectors.versions_of(plan)
    manager = selectors.is_plan_manager(request.user)
    form = RuleVersionForm(
        request.POST or None, initial=_rule_initial(versions[-1] if versions else None)
    )
    if request.method == "POST":
        if not manager:
            raise Forbidden("auth.forbidden", _("保障期和保障规则只能由市总工会保障部设定"))
        if form.is_valid():
            try:
                version = services.rule_version_create(
                    by=request.user, plan=plan, data=form.rule_data()
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已发布第 %(n)s 版规则，自 %(day)s 起发生的事项按新规则计算")
                    % {"n": version.number, "day": version.effective_from.isoformat()},
                )
                return redirect("mutualaid:plan", code=plan.code)
    described = [
        (
            version,
            rules.split_contribution(version.contribution_fen, version.weights),
            _describe_items(version.benefits),
        )
        for version in versions
    ]
    return render(
        request,
        "mutualaid/plan.html",
        {
            "plan": plan,
            "versions": described,
            "totals": services.plan_totals(plan),
            "form": form if manager else None,
        },
    )


def _describe_items(benefits: Any) -> list[tuple[rules.BenefitItem, str]]:
    try:
        return [(item, rules.item_summary(item)) for item in rules.parse_benefits(benefits)]
    except DomainError:
        return []


# -- staff: enrolment ------------------------------------------------------------------------


@staff_page("mutualaid.view")
def batch_list(request: AuthedRequest) -> HttpResponseBase:
    batches = selectors.batch_list(actor=request.user)
    if request.GET.get("export") == XLSX:
        return _export(
            request,
            "batches",
            [
                _("登记时间"),
                _("保障期"),
                _("参保工会"),
                _("工会代码"),
                _("参保人数"),
                _("未参保人数"),
            ],
            (
                [
                    _local(b.created_at),
                    b.plan_year.name,
                    b.union.name,
                    b.union.code,
                    b.enrolled_count,
                    b.skipped_count,
                ]
                for b in batches.iterator(chunk_size=2000)
            ),
        )
    return render(
        request,
        "mutualaid/batches.html",
        {
            "page": paginate(request, batches, per_page=PER_PAGE),
            "can_change": has_perm(request.user, "mutualaid.change"),
        },
    )


@staff_page("mutualaid.change")
def batch_new(request: AuthedRequest) -> HttpResponseBase:
    from gonghui.jobs.services import job_start

    plans = list(selectors.plan_open_for_enrolment())
    form = BatchForm(request.POST or None, request.FILES or None, plans=plans)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        union = Union.objects.filter(code=data["union"].strip().upper()).first()
        if union is None or not has_perm(request.user, "mutualaid.change", union.path):
            form.add_error("union", _("没有找到该工会，或不在您的管辖范围内"))
        else:
            job = job_start(
                by=request.user,
                kind="mutualaid.enrol",
                title=_("批量参保：%(union)s") % {"union": union.name},
                params={
                    "plan": data["plan"],
                    "union": union.code,
                    "source": data["source"],
                    "category": data.get("category") or "",
                },
                input_file=data.get("file") if data["source"] == "file" else None,
            )
            return redirect("jobs:detail", public_id=job.public_id)
    if not plans:
        messages.warning(request, _("现在没有处于参保登记期的保障期"))
    return render(request, "mutualaid/batch_new.html", {"form": form})


@staff_page("mutualaid.view")
def batch_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, public_id=public_id)
    can_change = has_perm(request.user, "mutualaid.change", batch.union.path)
    return render(
        request,
        "mutualaid/batch.html",
        {
            "batch": batch,
            "summary": services.reconciliation(batch),
            "page": paginate(request, selectors.batch_enrolments(batch), per_page=50),
            "can_change": can_change,
            "payment_form": PaymentForm(initial={"paid_on": timezone.localdate()}),
        },
    )


@staff_page("mutualaid.change")
@require_POST
def payment_record(request: AuthedRequest, public_id: str, payer: str) -> HttpResponse:
    if payer not in Payer.values:
        raise Http404
    batch = selectors.batch_get(
        actor=request.user, public_id=public_id, permission="mutualaid.change"
    )
    payment = batch.payments.get(payer=payer)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.payment_record(
                by=request.user,
                payment=payment,
                paid_fen=form.cleaned_data["paid"] or 0,
                paid_on=form.cleaned_data["paid_on"],
                reference=form.cleaned_data["reference"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("已登记 %(payer)s 缴费") % {"payer": payment.get_payer_display()}
            )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("mutualaid:batch", public_id=batch.public_id)


# -- staff: claims ---------------------------------------------------------------------------


@staff_page("mutualaid.view")
def claim_list(request: AuthedRequest) -> HttpResponseBase:
    level = request.GET.get("level", "")
    if level not in rules.REVIEW_LEVELS:
        level = ""
    form = ClaimFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    claims = selectors.claim_list(actor=request.user, status=status, level=level)
    if request.GET.get("export") == XLSX:
        return _export(
            request,
            "claims",
            [
                _("申请编号"),
                _("会员"),
                _("会员号"),
                _("初审工会"),
                _("项目"),
                _("发生日期"),
                _("个人自付合计（元）"),
                _("应付金额（元）"),
                _("提交时间"),
                _("状态"),
                _("支付时间"),
            ],
            (
                [
                    c.claim_no,
                    c.member.name,
                    c.member.member_no,
                    c.union.name,
                    c.item_name,
                    c.event_date.isoformat(),
                    _yuan(c.total_fen),
                    _yuan(c.payable_fen),
                    _local(c.submitted_at),
                    c.get_status_display(),
                    _local(c.paid_at),
                ]
                for c in claims.iterator(chunk_size=2000)
            ),
            status=status,
            level=level,
        )
    query = urlencode({k: v for k, v in {"level": level, "status": status}.items() if v})
    return render(
        request,
        "mutualaid/claims.html",
        {
            "form": form,
            "page": paginate(request, claims, per_page=PER_PAGE),
            "level": level,
            "levels": _queue_levels(request.user),
            "query": query,
        },
    )


@staff_page("mutualaid.change")
def claim_on_behalf(request: AuthedRequest) -> HttpResponse:
    form = OnBehalfForm(request.POST or None, request.FILES or None, items=_items_today())
    if request.method == "POST" and form.is_valid():
        try:
            member = member_get(
                actor=request.user,
                member_no=form.cleaned_data["member_no"],
                permission="members.view",
            )
            claim = services.claim_submit(
                by=request.user,
                member=member,
                data=form.claim_data(request.FILES),
                consent_version=form.cleaned_data["consent_version"],
            )
        except NotFound:
            form.add_error("member_no", _("没有找到该会员，或不在您的管辖范围内"))
        except Forbidden:
            form.add_error("member_no", _("您不能为该会员代办互助金申请"))
        except DomainError as exc:
            _claim_error(form, exc)
        else:
            messages.success(request, _("已代为提交，申请编号 %(no)s") % {"no": claim.claim_no})
            return redirect("mutualaid:claim", public_id=claim.public_id)
    return render(
        request,
        "mutualaid/claim_on_behalf.html",
        {"form": form, "consent_text": services.consent_text()},
    )


@staff_page("mutualaid.view")
def claim_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    claim = selectors.claim_get(actor=request.user, public_id=public_id)
    levels = selectors.levels_on(request.user, claim)
    moves = [
        (to, MOVE_LABELS[to], rules.LEVEL_LABELS[level])
        for to, level in rules.moves_from(claim.status)
        if level in levels
    ]
    reviewer = services.can_see_health(request.user, claim)
    return render(
        request,
        "mutualaid/claim.html",
        {
            "claim": claim,
            "lines": _explained(claim),
            "invoices": claim.invoices.all(),
            "documents": claim.documents.all() if reviewer else None,
            "events": selectors.claim_events(claim),
            "moves": moves,
            "reviewer": reviewer,
            "health": services.health_details_read(by=request.user, claim=claim)
            if reviewer and request.GET.get("health") == "1"
            else None,
            "consent_text": services.CONSENT_TEXTS.get(claim.consent.text_version, ""),
            "move_form": MoveForm(),
        },
    )


@staff_page("mutualaid.change")
@require_POST
def claim_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    claim = selectors.claim_get(
        actor=request.user, public_id=public_id, permission="mutualaid.change"
    )
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要办理的操作"))
        return redirect("mutualaid:claim", public_id=claim.public_id)
    try:
        claim = services.claim_transition(
            claim=claim,
            to=form.cleaned_data["to"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("申请 %(no)s 现为“%(status)s”")
            % {"no": claim.claim_no, "status": claim.get_status_display()},
        )
    return redirect("mutualaid:claim", public_id=claim.public_id)


def _document_response(data: bytes, document: Any) -> HttpResponse:
    response = HttpResponse(data, content_type=document.content_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        document.content_type, "bin"
    )
    response["Content-Disposition"] = f'attachment; filename="{document.kind}.{extension}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_page("mutualaid.change")
def claim_document(request: AuthedRequest, public_id: str, document_id: str) -> HttpResponse:
    claim = selectors.claim_get(
        actor=request.user, public_id=public_id, permission="mutualaid.change"
    )
    document = selectors.document_get(claim=claim, public_id=document_id)
    data = services.document_read(by=request.user, claim=claim, document=document)
    return _document_response(data, document)


@login_required
def my_document(request: AuthedRequest, public_id: str, document_id: str) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        raise Http404
    try:
        claim = selectors.member_claim_get(member=member, public_id=public_id)
        document = selectors.document_get(claim=claim, public_id=document_id)
    except NotFound as exc:
        raise Http404 from exc
    data = services.document_read(by=request.user, claim=claim, document=document)
    return _document_response(data, document)


# -- exports ---------------------------------------------------------------------------------


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _yuan(fen: int) -> str:
    """Exact yuan text for a spreadsheet cell ("-1234.50"): no float."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _export(
    request: AuthedRequest, table: str, headers: list[Any], rows: Any, **filters: Any
) -> HttpResponseBase:
    """A staff table as xlsx; every export is on record."""
    log_action(
        f"mutualaid.{table}.exported",
        actor=request.user,
        object_repr=_("职工医疗互助导出"),
        changes={"table": table, **{k: v for k, v in filters.items() if v}},
    )
    return xlsx_download(f"mutualaid-{table}", [str(h) for h in headers], rows, sheet_name=table)


# -- staff: enrolments and the ledger of a plan year -----------------------------------------


@staff_page("mutualaid.view")
def enrolment_list(request: AuthedRequest, code: str) -> HttpResponseBase:
    plan = selectors.plan_get(code=code)
    enrolments = selectors.enrolment_list(actor=request.user, plan=plan)
    if request.GET.get("export") == XLSX:
        return _export(
            request,
            "enrolments",
            [
                _("凭证编号"),
                _("姓名"),
                _("会员号"),
                _("参保工会"),
                _("缴费（元）"),
                _("行政负担（元）"),
                _("工会负担（元）"),
                _("个人负担（元）"),
                _("参保日期"),
                _("等待期满日期"),
                _("保障截止日期"),
                _("状态"),
            ],
            (
                [
                    e.certificate_no,
                    e.member.name,
                    e.member.member_no,
                    e.union.name,
                    _yuan(e.contribution_fen),
                    _yuan(e.employer_fen),
                    _yuan(e.union_fen),
                    _yuan(e.worker_fen),
                    e.enrolled_on.isoformat(),
                    e.cover_starts_on.isoformat(),
                    e.cover_ends_on.isoformat(),
                    e.get_status_display(),
                ]
                for e in enrolments.iterator(chunk_size=2000)
            ),
            plan=plan.code,
        )
    return render(
        request,
        "mutualaid/enrolments.html",
        {"plan": plan, "page": paginate(request, enrolments, per_page=50)},
    )


@staff_page("mutualaid.view")
def ledger_list(request: AuthedRequest, code: str) -> HttpResponseBase:
    plan = selectors.plan_get(code=code)
    entries = selectors.ledger_list(actor=request.user, plan=plan)
    if request.GET.get("export") == XLSX:
        return _export(
            request,
            "ledger",
            [
                _("序号"),
                _("记账时间"),
                _("类别"),
                _("缴费方"),
                _("工会"),
                _("金额（元）"),
                _("关联单据"),
                _("哈希"),
            ],
            (
                [
                    e.seq,
                    _local(e.at),
                    e.get_kind_display(),
                    e.get_payer_display(),
                    e.union.name,
                    _yuan(e.amount_fen),
                    e.reference,
                    e.hash,
                ]
                for e in entries.iterator(chunk_size=2000)
            ),
            plan=plan.code,
        )
    return render(
        request,
        "mutualaid/ledger.html",
        {
            "plan": plan,
            "page": paginate(request, entries, per_page=50),
            "totals": selectors.fund_balance(plan),
        },
    )


# -- staff: payouts --------------------------------------------------------------------------


def _payout_rows(lines: Any) -> Any:
    for line in lines:
        claim = line.claim
        yield [
            claim.claim_no,
            claim.member.name,
            claim.union.name,
            line.account_masked,
            _yuan(line.amount_fen),
            line.get_status_display(),
            line.reason,
        ]


PAYOUT_HEADERS = [
    gettext_lazy("申请编号"),
    gettext_lazy("收款人"),
    gettext_lazy("工会"),
    gettext_lazy("收款账号"),
    gettext_lazy("金额（元）"),
    gettext_lazy("状态"),
    gettext_lazy("失败原因"),
]


@staff_page("mutualaid.view")
def payouts(request: AuthedRequest) -> HttpResponseBase:
    """The payout queue (approved, not yet sent or sent back by the bank) and the batches."""
    from gonghui.jobs.services import job_start

    can_pay = selectors.is_plan_manager(request.user)
    queue = selectors.payout_queue(actor=request.user)
    form = PayoutForm(request.POST or None)
    if request.method == "POST":
        if not can_pay:
            raise Forbidden("auth.forbidden", _("互助金支付只能由市总工会保障部办理"))
        if form.is_valid():
            job = job_start(
                by=request.user,
                kind="mutualaid.payout",
                title=_("生成互助金支付批次"),
                params={"channel": form.cleaned_data["channel"]},
            )
            return redirect("jobs:detail", public_id=job.public_id)
    if request.GET.get("export") == XLSX:
        return _export(
            request,
            "payout_queue",
            [
                _("申请编号"),
                _("收款人"),
                _("工会"),
                _("应付金额（元）"),
                _("审批时间"),
                _("银行账号"),
                _("上次支付失败原因"),
            ],
            (
                [
                    c.claim_no,
                    c.member.name,
                    c.union.name,
                    _yuan(c.payable_fen),
                    _local(c.approved_at),
                    c.bank_account_masked,
                    c.payout_note,
                ]
                for c in queue.iterator(chunk_size=2000)
            ),
        )
    return render(
        request,
        "mutualaid/payouts.html",
        {
            "queue": paginate(request, queue, per_page=PER_PAGE),
            "batches": selectors.payout_batch_list(actor=request.user)[:20],
            "form": form if can_pay else None,
        },
    )


@staff_page("mutualaid.view")
def payout_batch(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    from gonghui.jobs.services import job_start

    batch = selectors.payout_batch_get(actor=request.user, public_id=public_id)
    can_pay = selectors.is_plan_manager(request.user) and has_perm(
        request.user, "mutualaid.change", batch.union.path
    )
    lines = selectors.payout_lines(batch)
    if request.GET.get("export") == XLSX:
        return _export(
            request,
            "payouts",
            list(PAYOUT_HEADERS),
            _payout_rows(lines.iterator(chunk_size=2000)),
            batch=batch.batch_no,
        )
    form = PayoutResultForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_pay:
            raise Forbidden("auth.forbidden", _("互助金支付只能由市总工会保障部办理"))
        if form.is_valid():
            job = job_start(
                by=request.user,
                kind="mutualaid.payout_result",
                title=_("导入银行回盘：%(no)s") % {"no": batch.batch_no},
                params={"batch": str(batch.public_id)},
                input_file=form.cleaned_data["file"],
            )
            return redirect("jobs:detail", public_id=job.public_id)
    return render(
        request,
        "mutualaid/payout_batch.html",
        {
            "batch": batch,
            "page": paginate(request, lines, per_page=50),
            "can_pay": can_pay,
            "form": form,
        },
    )


@staff_page("mutualaid.change")
def payout_file(request: AuthedRequest, public_id: str) -> HttpResponse:
    batch = selectors.payout_batch_get(
        actor=request.user, public_id=public_id, permission="mutualaid.change"
    )
    data = services.payout_file(by=request.user, batch=batch)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="payout-{batch.batch_no}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


# -- the transparency report -----------------------------------------------------------------


def _report_charts(report: selectors.Report) -> list[dict[str, Any]]:
    """ECharts options (data only: the page's script draws them)."""
    payers = [(str(Payer(p).label), fen) for p, fen in report.income_by_payer.items()]
    items = [(i.name, i.paid_fen, i.claims) for i in report.items]
    return [
        {
            "id": "ma-income",
            "title": _("基金收入（按缴费方）"),
            "option": {
                "tooltip": {"trigger": "item"},
                "series": [
                    {
                        "type": "pie",
                        "radius": ["40%", "70%"],
                        "data": [{"name": n, "value": fen / 100} for n, fen in payers],
                    }
                ],
            },
        },
        {
            "id": "ma-items",
            "title": _("各项目已支付金额（元）"),
            "option": {
                "tooltip": {"trigger": "axis"},
                "xAxis": {"type": "category", "data": [n for n, _f, _c in items]},
                "yAxis": {"type": "value"},
                "series": [{"type": "bar", "data": [fen / 100 for _n, fen, _c in items]}],
            },
        },
    ]


def _report_context(report: selectors.Report) -> dict[str, Any]:
    return {
        "report": report,
        "charts": _report_charts(report),
        "payers": [(Payer(p).label, fen) for p, fen in report.income_by_payer.items()],
    }


def _report_rows(report: selectors.Report) -> list[list[Any]]:
    overall, items, areas = _("全市"), _("保障项目"), _("地区")
    rows: list[list[Any]] = [
        [overall, _("参保人数"), report.participants],
        [overall, _("基金收入（元）"), _yuan(report.income_fen)],
        *(
            [overall, _("%(payer)s缴费（元）") % {"payer": Payer(p).label}, _yuan(fen)]
            for p, fen in report.income_by_payer.items()
        ),
        [overall, _("已支付互助金（元）"), _yuan(report.payout_fen)],
        [overall, _("基金结余（元）"), _yuan(report.balance_fen)],
        [overall, _("申请件数"), report.claims],
        [overall, _("已支付件数"), report.paid_claims],
        [overall, _("支付率（支出/收入，%）"), str(report.payout_ratio or "")],
        [overall, _("从申请到支付的平均天数"), str(report.average_days_to_pay or "")],
    ]
    for item in report.items:
        rows += [
            [items, _("%(item)s申请件数") % {"item": item.name}, item.claims],
            [items, _("%(item)s已支付件数") % {"item": item.name}, item.paid_claims],
            [items, _("%(item)s已支付金额（元）") % {"item": item.name}, _yuan(item.paid_fen)],
        ]
    for area in report.areas:
        rows += [
            [areas, _("%(area)s参保人数") % {"area": area.name}, area.participants],
            [areas, _("%(area)s已支付件数") % {"area": area.name}, area.paid_claims],
            [areas, _("%(area)s已支付金额（元）") % {"area": area.name}, _yuan(area.paid_fen)],
        ]
    return rows


@staff_page("mutualaid.view")
def report(request: AuthedRequest, code: str) -> HttpResponseBase:
    plan = selectors.plan_get(code=code)
    figures = selectors.transparency_report(plan)
    if request.GET.get("export") == XLSX:
        return _export(
            request,
            "report",
            [_("范围"), _("指标"), _("数值")],
            _report_rows(figures),
            plan=plan.code,
        )
    return render(
        request,
        "mutualaid/report.html",
        _report_context(figures) | {"public": False},
    )


def public_report(request: HttpRequest, code: str) -> HttpResponse:
    """The report as the federation publishes it: no login, figures only, county level at the
    finest."""
    try:
        plan = selectors.plan_get(code=code)
    except NotFound as exc:
        raise Http404 from exc
    figures = selectors.transparency_report(plan)
    return render(
        request,
        "mutualaid/report.html",
        _report_context(figures) | {"public": True},
    )


# -- the member enrols on the phone ----------------------------------------------------------


@login_required
def enrol_self(request: AuthedRequest) -> HttpResponse:
    """Individual enrolment where the plan allows it: the member sees their share and
    confirms."""
    member = member_of_account(request.user)
    if member is None:
        return render(request, "portal/not_member.html", status=404)
    offer = services.individual_offer(member)
    if request.method == "POST" and offer is not None:
        try:
            enrolment = services.enrol_self(by=request.user, member=member, plan=offer.plan)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已参保，凭证编号 %(no)s。个人缴费 %(fen)s 请交所在工会")
                % {"no": enrolment.certificate_no, "fen": format_fen(enrolment.worker_fen)},
            )
            return redirect("mutualaid_portal:certificate")
    return render(request, "mutualaid/enrol_self.html", {"member": member, "offer": offer})
