"""Pages for the mutual-aid plan: the member's certificate and claims on the phone, and the staff
pages (plans and rules, enrolment batches, the claims queue per review level)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.core.errors import DomainError, Forbidden, NotFound
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import form_error, paginate, staff_page
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
    RuleVersionForm,
)
from gonghui.mutualaid.models import Claim, ClaimStatus, Payer
from gonghui.orgs.models import Union

PER_PAGE = 30

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
                uploads=[
                    services.Upload(
                        form.cleaned_data["kind"],
                        upload.read(rules.DOCUMENT_MAX_BYTES + 1),
                        upload.name,
                    )
                ],
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


@staff_page("mutualaid.view")
def home(request: AuthedRequest) -> HttpResponse:
    plans = [(plan, services.plan_totals(plan)) for plan in selectors.plan_years()[:10]]
    return render(
        request,
        "mutualaid/home.html",
        {
            "plans": plans,
            "levels": [
                (lvl, rules.LEVEL_LABELS[lvl]) for lvl in selectors.queue_levels(request.user)
            ],
            "can_change": has_perm(request.user, "mutualaid.change"),
        },
    )


@staff_page("mutualaid.view")
def plan_detail(request: AuthedRequest, code: str) -> HttpResponse:
    plan = selectors.plan_get(code=code)
    versions = selectors.versions_of(plan)
    manager = selectors.is_plan_manager(request.user)
    latest = versions[-1] if versions else None
    initial = {}
    if latest is not None:
        initial = {
            "contribution": f"{latest.contribution_fen / 100:.2f}",
            "employer_weight": latest.employer_weight,
            "union_weight": latest.union_weight,
            "worker_weight": latest.worker_weight,
            "waiting_days": latest.waiting_days,
            "min_age": latest.min_age,
            "max_age": latest.max_age,
            "benefits": json.dumps(latest.benefits, ensure_ascii=False, indent=2),
        }
    form = RuleVersionForm(request.POST or None, initial=initial)
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
def batch_list(request: AuthedRequest) -> HttpResponse:
    batches = selectors.batch_list(actor=request.user)
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
def claim_list(request: AuthedRequest) -> HttpResponse:
    level = request.GET.get("level", "")
    if level not in rules.REVIEW_LEVELS:
        level = ""
    form = ClaimFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    claims = selectors.claim_list(actor=request.user, status=status, level=level)
    query = urlencode({k: v for k, v in {"level": level, "status": status}.items() if v})
    return render(
        request,
        "mutualaid/claims.html",
        {
            "form": form,
            "page": paginate(request, claims, per_page=PER_PAGE),
            "level": level,
            "levels": [
                (lvl, rules.LEVEL_LABELS[lvl]) for lvl in selectors.queue_levels(request.user)
            ],
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
