from __future__ import annotations

import tempfile

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.http import AuthedRequest
from gonghui.core.masking import mask_phone
from gonghui.core.pages import paginate, staff_page
from gonghui.jobs.services import job_start
from gonghui.members import corrections, selectors, services
from gonghui.members import quality as member_quality
from gonghui.members.forms import (
    DecisionForm,
    ExportForm,
    ImportForm,
    MemberEditForm,
    MemberForm,
    ReasonForm,
    SearchForm,
    TransferForm,
)
from gonghui.members.template import write_template
from gonghui.orgs import selectors as org_selectors


@staff_page("members.view")
def member_list(request: AuthedRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    union = None
    if data.get("union"):
        try:
            union = org_selectors.union_get(actor=request.user, code=data["union"].upper())
        except DomainError as exc:
            form.add_error("union", exc.message)
            data = {}
    members = selectors.member_search(
        actor=request.user,
        query=data.get("q", ""),
        union=union,
        status=data.get("status", ""),
        category=data.get("category", ""),
    )
    context = {
        "form": form,
        "page": paginate(request, members, per_page=30, capped=True),
        "query": request.GET.urlencode().replace("page=", "_p="),
        "can_change": has_perm(request.user, "members.change"),
        "can_import": has_perm(request.user, "members.import"),
        "can_export": has_perm(request.user, "members.export"),
    }
    template = "members/partials/table.html" if request.htmx else "members/list.html"
    return render(request, template, context)


@staff_page("members.view")
def member_detail(request: HttpRequest, member_no: str) -> HttpResponse:
    member = selectors.member_get(actor=request.user, member_no=member_no)
    path = member.union.path
    can_change = has_perm(request.user, "members.change", path)
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "events": selectors.member_events(member=member),
            "can_change": can_change,
            "can_reveal": has_perm(request.user, "members.reveal", path),
            # The phone is not put in the form: the page would carry it in full, unaudited.
            "edit_form": MemberEditForm(
                initial={
                    "name": member.name,
                    "ethnicity": member.ethnicity,
                    "education": member.education,
                    "category": member.category,
                },
                masked_phone=mask_phone(member.phone),
            )
            if can_change
            else None,
            "transfer_form": TransferForm(),
            "reason_form": ReasonForm(),
        },
    )


@staff_page("members.reveal")
@require_POST
def reveal(request: HttpRequest, member_no: str, field: str) -> HttpResponse:
    member = selectors.member_get(actor=request.user, member_no=member_no)
    value = services.member_reveal(by=request.user, member=member, field_name=field)
    return render(request, "members/partials/revealed.html", {"value": value})


@staff_page("members.change")
@require_POST
def act(request: HttpRequest, member_no: str, action: str) -> HttpResponse:
    actor = request.user
    member = selectors.member_get(actor=actor, member_no=member_no, permission="members.change")
    try:
        if action == "edit":
            form = MemberEditForm(request.POST)
            if not form.is_valid():
                raise DomainError("form.invalid", _("请检查填写的内容"))
            values = dict(form.cleaned_data)
            if not values["phone"]:
                values.pop("phone")  # blank keeps the stored number (the form never shows it)
            services.member_update(by=actor, member=member, values=values)
            messages.success(request, _("已保存"))
        elif action == "transfer":
            transfer_form = TransferForm(request.POST)
            if not transfer_form.is_valid():
                raise DomainError("form.invalid", _("请填写转入工会代码"))
            target = org_selectors.union_by_code(code=transfer_form.cleaned_data["to_union"])
            services.transfer_request(
                by=actor,
                member=member,
                to_union=target,
                reason=transfer_form.cleaned_data["reason"],
            )
            messages.success(request, _("转会申请已发送给 %(name)s") % {"name": target.name})
        elif action in {"leave", "retain"}:
            reason_form = ReasonForm(request.POST)
            if not reason_form.is_valid():
                raise DomainError("form.invalid", _("请填写原因"))
            service = services.member_leave if action == "leave" else services.member_retain
            service(by=actor, member=member, reason=reason_form.cleaned_data["reason"])
            messages.success(request, _("会籍状态已更新"))
        elif action == "reactivate":
            services.member_reactivate(by=actor, member=member)
            messages.success(request, _("会籍已恢复"))
        else:
            raise DomainError("form.invalid", _("未知操作"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("members:detail", member_no=member.member_no)


@staff_page("members.change")
def member_create(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST or None)
    union_code = request.POST.get("union", request.GET.get("union", ""))
    if request.method == "POST" and form.is_valid():
        try:
            union = org_selectors.union_get(
                actor=request.user, code=union_code.strip().upper(), permission="members.change"
            )
            member = services.member_create(
                by=request.user, union=union, data=services.MemberData(**form.cleaned_data)
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已登记会员 %(name)s") % {"name": member.name})
            return redirect("members:detail", member_no=member.member_no)
    return render(request, "members/create.html", {"form": form, "union_code": union_code})


@staff_page("members.import")
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            union = org_selectors.union_get(
                actor=request.user, code=data["union"].strip().upper(), permission="members.import"
            )
        except DomainError as exc:
            # Outside the officer's tree: 404 as everywhere, with the form to correct the code.
            form.add_error("union", exc.message)
            status = exc.status
        else:
            job = job_start(
                by=request.user,
                kind="members.import",
                title=_("导入会员名册：%(name)s") % {"name": union.name},
                params={
                    "union": union.code,
                    "dry_run": data["dry_run"],
                    "skip_invalid": data["skip_invalid"],
                    "no_transfers": data["no_transfers"],
                },
                input_file=data["file"],
            )
            return redirect("jobs:detail", public_id=job.public_id)
    return render(request, "members/import.html", {"form": form}, status=status)


@staff_page("members.view")
def template_download(request: HttpRequest) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_template(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename="会员名册模板.xlsx")


@staff_page("members.export")
def export_page(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST or None, initial={"union": request.GET.get("union", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            union = org_selectors.union_get(
                actor=request.user, code=data["union"].strip().upper(), permission="members.export"
            )
            if data["reveal"] and not has_perm(request.user, "members.reveal", union.path):
                raise Forbidden("auth.forbidden", _("您没有导出完整身份证号和手机号的权限"))
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            job = job_start(
                by=request.user,
                kind="members.export",
                title=_("导出会员名册：%(name)s") % {"name": union.name},
                params={"union": union.code, "format": data["format"], "reveal": data["reveal"]},
            )
            return redirect("jobs:detail", public_id=job.public_id)
    return render(request, "members/export.html", {"form": form}, status=status)


@staff_page("members.change")
def transfers(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "members/transfers.html",
        {
            "page": paginate(request, selectors.transfers_to_decide(actor=request.user)),
            "requested": selectors.transfers_requested(actor=request.user)[:200],
            "form": DecisionForm(),
        },
    )


@staff_page("members.change")
@require_POST
def transfer_decide(request: HttpRequest, public_id: str, decision: str) -> HttpResponse:
    if decision not in {"accept", "reject", "cancel"}:
        raise Http404
    transfer = selectors.transfer_get(actor=request.user, public_id=public_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if decision == "cancel":
            services.transfer_cancel(by=request.user, transfer=transfer)
        else:
            services.transfer_decide(
                by=request.user, transfer=transfer, accept=decision == "accept", note=note
            )
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理 %(name)s 的转会申请") % {"name": transfer.member.name})
    return redirect("members:transfers")


@staff_page("members.view")
def quality(request: HttpRequest) -> HttpResponse:
    """Suspicious records in a union's subtree (the caller's own top node by default)."""
    code = (request.GET.get("union") or request.POST.get("union") or "").strip().upper()
    union = (
        org_selectors.union_get(actor=request.user, code=code)
        if code
        else org_selectors.union_roots(actor=request.user).first()
    )
    if union is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "retain_retired":
                moved = member_quality.retain_retired(by=request.user, union=union)
                messages.success(request, _("已将 %(n)d 名会员转为保留会籍") % {"n": moved})
            elif action == "scan":
                job = job_start(
                    by=request.user,
                    kind="members.quality_scan",
                    title=_("检查身份证号：%(name)s") % {"name": union.name},
                    params={"union": union.code},
                )
                return redirect("jobs:detail", public_id=job.public_id)
        except Forbidden:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(f"{request.path}?union={union.code}")
    findings = member_quality.quality_report(actor=request.user, union=union)
    return render(
        request,
        "members/quality.html",
        {
            "union": union,
            "findings": findings,
            "can_change": has_perm(request.user, "members.change", union.path),
        },
    )


@staff_page("members.change")
def correction_list(request: HttpRequest) -> HttpResponse:
    """Members' requests to correct their data, oldest first; the proposed ID or phone masked."""
    page = paginate(request, corrections.corrections_pending(actor=request.user))
    rows = [(c, corrections.shown(c)) for c in page]
    return render(
        request, "members/corrections.html", {"page": page, "rows": rows, "form": DecisionForm()}
    )


@staff_page("members.change")
@require_POST
def correction_decide(request: HttpRequest, public_id: str, decision: str) -> HttpResponse:
    if decision not in {"accept", "reject"}:
        raise Http404
    correction = corrections.correction_get(actor=request.user, public_id=public_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        corrections.correction_decide(
            by=request.user, correction=correction, accept=decision == "accept", note=note
        )
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已处理 %(name)s 的更正申请") % {"name": correction.member.name}
        )
    return redirect("members:corrections")
