"""Pages of 困难职工帮扶: the member's applications on the phone, and the staff pages (files
and their review, aid and its approval, reference data, payouts, reports)."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.core.errors import DomainError, Forbidden, NotFound
from gonghui.core.filetypes import Upload
from gonghui.core.http import AuthedRequest
from gonghui.core.money import format_fen
from gonghui.core.pages import form_error, paginate, staff_page, xlsx_download
from gonghui.core.payouts import yuan_text
from gonghui.hardship import reports, rules, selectors, services
from gonghui.hardship.forms import (
    AidFilterForm,
    AidForm,
    BudgetForm,
    FileFilterForm,
    FileForm,
    MoveForm,
    ObjectionForm,
    OnBehalfFileForm,
    PayoutForm,
    PolicyForm,
    RecheckForm,
    ResolveForm,
    ResultForm,
    StaffAidForm,
    StandardForm,
    ThresholdForm,
    UploadForm,
)
from gonghui.hardship.models import Evidence, FileState, Objection
from gonghui.members.selectors import member_get, member_of_account
from gonghui.orgs.models import Union

PER_PAGE = 30
VIEW, CHANGE = selectors.VIEW, selectors.CHANGE

FILE_MOVE_LABELS: dict[str, Any] = {
    FileState.COUNTY: gettext_lazy("基层审核通过，报县区"),
    FileState.CITY: gettext_lazy("县区审核通过，报市总"),
    FileState.NOTICE: gettext_lazy("市总审批通过，开始公示"),
    FileState.ACTIVE: gettext_lazy("公示期满无异议，确认建档"),
    FileState.RETURNED: gettext_lazy("退回补充材料"),
    FileState.CANCELLED: gettext_lazy("不予建档或注销"),
    FileState.RELIEVED: gettext_lazy("已脱困"),
    FileState.GRASSROOTS: gettext_lazy("重新提交"),
}
AID_MOVE_LABELS: dict[str, Any] = {
    "first_reviewed": gettext_lazy("基层审核通过"),
    "rechecked": gettext_lazy("县区审核通过"),
    "approved": gettext_lazy("批准"),
    "referred": gettext_lazy("转介到招聘会或培训"),
    "returned": gettext_lazy("退回补充材料"),
    "rejected": gettext_lazy("不予救助"),
    "paid": gettext_lazy("确认现金已发放"),
    "submitted": gettext_lazy("重新提交"),
}


def _move_labels(labels: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in labels.items()}


def _field_error(form: Any, exc: DomainError, fields: dict[str, str]) -> None:
    for prefix, name in fields.items():
        if exc.code.startswith(prefix) and name in form.fields:
            form.add_error(name, exc.message)
            return
    form.add_error(None, exc.message)


FILE_ERROR_FIELDS = {
    "hardship.consent": "consent",
    "hardship.document": "evidence_file",
    "hardship.file.cause": "primary_cause",
    "hardship.file.household": "name_1",
    "hardship.household": "name_1",
    "hardship.income": "income_1",
}
AID_ERROR_FIELDS = {
    "hardship.aid.category": "category",
    "hardship.aid.stage": "stage",
    "hardship.aid.amount": "amount",
    "hardship.aid.bank": "bank_account",
    "hardship.aid.reason_text": "reason_text",
    "hardship.aid.emergency_kind": "emergency_kind",
    "hardship.aid.event_date": "event_date",
    "hardship.document": "evidence_file",
}


def _evidence_response(data: bytes, evidence: Evidence) -> HttpResponse:
    response = HttpResponse(data, content_type=evidence.content_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        evidence.content_type, "bin"
    )
    response["Content-Disposition"] = f'attachment; filename="{evidence.kind}.{extension}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- the member's pages (phone) -------------------------------------------------------------------
@login_required
def my_home(request: AuthedRequest) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        return render(request, "portal/not_member.html", status=404)
    open_file = selectors.open_file_of(member)
    return render(
        request,
        "hardship/my_home.html",
        {
            "member": member,
            "open_file": open_file,
            "files": selectors.files_of_member(member)[:10],
            "aid": selectors.aid_of_member(member)[:20],
            "paid": selectors.paid_of_member(member)[:20],
        },
    )


@login_required
def my_file_new(request: AuthedRequest) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        return render(request, "portal/not_member.html", status=404)
    form = FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            file = services.file_submit(
                by=request.user,
                member=member,
                data=form.file_data(request.FILES),
                consent_version=form.cleaned_data["consent_version"],
            )
        except DomainError as exc:
            _field_error(form, exc, FILE_ERROR_FIELDS)
        else:
            messages.success(
                request,
                _("已提交建档申请，编号 %(no)s。审核进度会显示在这里") % {"no": file.file_no},
            )
            return redirect("hardship_portal:file", public_id=file.public_id)
    return render(
        request,
        "hardship/my_file_new.html",
        {"form": form, "consent_text": services.consent_text()},
    )


@login_required
def my_file(request: AuthedRequest, public_id: str) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        raise Http404
    try:
        file = selectors.member_file_get(member=member, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    moves = [to for to, level in rules.file_moves_from(file.state) if level == rules.APPLICANT]
    return render(
        request,
        "hardship/my_file.html",
        {
            "file": file,
            "events": selectors.file_events(file),
            "moves": moves,
            "labels": _move_labels(FILE_MOVE_LABELS),
        },
    )


@login_required
@require_POST
def my_file_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        raise Http404
    try:
        file = selectors.member_file_get(member=member, public_id=public_id)
        services.file_transition(file=file, to=request.POST.get("to", ""), by=request.user)
    except (NotFound, Forbidden) as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新提交"))
    return redirect("hardship_portal:file", public_id=public_id)


@login_required
def my_aid_new(request: AuthedRequest) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        return render(request, "portal/not_member.html", status=404)
    open_file = selectors.open_file_of(member)
    form = AidForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            aid = services.aid_submit(
                by=request.user, member=member, data=form.aid_data(request.FILES)
            )
        except DomainError as exc:
            _field_error(form, exc, AID_ERROR_FIELDS)
        else:
            messages.success(request, _("已提交救助申请，编号 %(no)s") % {"no": aid.aid_no})
            return redirect("hardship_portal:aid", public_id=aid.public_id)
    return render(
        request,
        "hardship/my_aid_new.html",
        {
            "form": form,
            "open_file": open_file,
            "standards": selectors.standards(year=timezone.localdate().year),
        },
    )


@login_required
def my_aid(request: AuthedRequest, public_id: str) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        raise Http404
    try:
        aid = selectors.member_aid_get(member=member, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.aid_documents_add(
                by=request.user,
                aid=aid,
                uploads=[Upload.of(upload, form.cleaned_data["kind"])],
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("材料已上传"))
            return redirect("hardship_portal:aid", public_id=aid.public_id)
    return render(
        request,
        "hardship/my_aid.html",
        {
            "aid": aid,
            "events": selectors.aid_events(aid),
            "evidence": aid.evidence.all(),
            "paid": selectors.paid_of_member(member).filter(aid=aid),
            "upload_form": form,
            "can_move": aid.state == "returned",
            "can_upload": aid.state in ("submitted", "returned")
            or (aid.emergency and aid.documents_completed_at is None and aid.state != "rejected"),
        },
    )


@login_required
@require_POST
def my_aid_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        raise Http404
    try:
        aid = selectors.member_aid_get(member=member, public_id=public_id)
        services.aid_transition(aid=aid, to="submitted", by=request.user)
    except (NotFound, Forbidden) as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新提交"))
    return redirect("hardship_portal:aid", public_id=public_id)


@login_required
def my_evidence(request: AuthedRequest, public_id: str) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        raise Http404
    evidence = (
        Evidence.objects.filter(public_id=public_id)
        .filter(file__member=member)
        .select_related("file__member", "file__union")
        .first()
        or Evidence.objects.filter(public_id=public_id, aid__member=member)
        .select_related("aid__member", "aid__union")
        .first()
    )
    if evidence is None:
        raise Http404
    return _evidence_response(services.evidence_read(by=request.user, evidence=evidence), evidence)


# -- staff: home, files ---------------------------------------------------------------------------


def _queue_levels(user: Any) -> list[tuple[str, Promise]]:
    """The review levels the user works at, with their labels (the queue's tabs)."""
    return [(level, rules.LEVEL_LABELS[level]) for level in selectors.queue_levels(user)]


@staff_page(VIEW)
def home(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "hardship/home.html",
        {
            "counts": selectors.home_counts(actor=request.user),
            "levels": _queue_levels(request.user),
            "emergencies": selectors.emergency_waiting(actor=request.user)[:10],
            "can_change": has_perm(request.user, CHANGE),
            "now": timezone.now(),
        },
    )


def _filters(request: AuthedRequest, form: Any, keys: tuple[str, ...]) -> dict[str, str]:
    """A list page's filters: the form's fields (empty when it is invalid) and the review
    level of the queue tab, each "" when not given."""
    filters = {k: "" for k in keys}
    if form.is_valid():
        filters = {k: form.cleaned_data.get(k) or "" for k in keys}
    level = request.GET.get("level", "")
    filters["level"] = level if level in rules.REVIEW_LEVELS else ""
    return filters


def _file_search(request: AuthedRequest) -> tuple[FileFilterForm, Any, dict[str, str]]:
    form = FileFilterForm(request.GET or None)
    filters = _filters(request, form, ("q", "status", "state", "cause", "flag"))
    files = selectors.file_list(
        actor=request.user,
        status=filters["status"],
        state=filters["state"],
        cause=filters["cause"],
        flag=filters["flag"],
        level=filters["level"],
        query=filters["q"].strip(),
    )
    return form, files, filters


@staff_page(VIEW)
def file_list(request: AuthedRequest) -> HttpResponse:
    form, files, filters = _file_search(request)
    return render(
        request,
        "hardship/files.html",
        {
            "form": form,
            "page": paginate(request, files, per_page=PER_PAGE),
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "level": filters["level"],
            "levels": _queue_levels(request.user),
            "can_change": has_perm(request.user, CHANGE),
            "stale_before": timezone.now() - timedelta(days=rules.UNTOUCHED_DAYS),
        },
    )


FILE_HEADERS = [
    gettext_lazy("档案编号"),
    gettext_lazy("姓名"),
    gettext_lazy("会员号"),
    gettext_lazy("所在工会"),
    gettext_lazy("县（市、区）"),
    gettext_lazy("主要致困原因"),
    gettext_lazy("档案状态"),
    gettext_lazy("办理环节"),
    gettext_lazy("家庭人口"),
    gettext_lazy("低于低保标准"),
    gettext_lazy("建档日期"),
    gettext_lazy("下次复核"),
    gettext_lazy("获得过救助"),
    gettext_lazy("最近办理"),
]


@staff_page(VIEW)
def file_export(request: AuthedRequest) -> FileResponse:
    _form, files, filters = _file_search(request)
    services.export_logged(by=request.user, what="files", filters=filters)
    rows = (
        [
            f.file_no,
            f.member.name,
            f.member.member_no,
            f.union.name,
            f.district.name,
            f.get_primary_cause_display(),
            f.get_status_display(),
            f.get_state_display(),
            f.household_size,
            _("是") if f.below_threshold else _("否"),
            f.established_on.isoformat() if f.established_on else "",
            f.next_check_on.isoformat() if f.next_check_on else "",
            _("是") if f.helped else _("否"),
            timezone.localtime(f.last_activity_at).strftime("%Y-%m-%d"),
        ]
        for f in files.iterator(chunk_size=2000)
    )
    return xlsx_download(
        "hardship-files", [str(h) for h in FILE_HEADERS], rows, sheet_name=_("困难职工档案")
    )


@staff_page(CHANGE)
def file_new(request: AuthedRequest) -> HttpResponse:
    form = OnBehalfFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = member_get(
                actor=request.user, member_no=form.cleaned_data["member_no"].strip().upper()
            )
            file = services.file_submit(
                by=request.user,
                member=member,
                data=form.file_data(request.FILES),
                consent_version=form.cleaned_data["consent_version"],
            )
        except NotFound:
            form.add_error("member_no", _("没有找到该会员，或不在您的管辖范围内"))
        except Forbidden:
            form.add_error("member_no", _("您不能为该会员代办"))
        except DomainError as exc:
            _field_error(form, exc, FILE_ERROR_FIELDS)
        else:
            messages.success(request, _("已代为提交建档申请，编号 %(no)s") % {"no": file.file_no})
            return redirect("hardship:file", public_id=file.public_id)
    return render(
        request, "hardship/file_new.html", {"form": form, "consent_text": services.consent_text()}
    )


@staff_page(VIEW)
def file_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    file = selectors.file_get(actor=request.user, public_id=public_id)
    levels = selectors.levels_on(request.user, file.union)
    moves = [
        (to, FILE_MOVE_LABELS[to], rules.LEVEL_LABELS[level])
        for to, level in rules.file_moves_from(file.state)
        if level in levels and level != rules.STAFF and (level != rules.APPLICANT)
    ]
    sensitive_staff = services.can_see_sensitive(request.user, file.union)
    sensitive = None
    if sensitive_staff and request.GET.get("details") == "1" and file.purged_at is None:
        sensitive = services.file_sensitive_read(by=request.user, file=file)
    return render(
        request,
        "hardship/file.html",
        {
            "file": file,
            "moves": moves,
            "events": selectors.file_events(file),
            "objections": file.objections.select_related("recorded_by", "resolved_by"),
            "household": file.household.all(),
            "evidence": file.evidence.all() if sensitive_staff else None,
            "aid": file.aid.order_by("-submitted_at")[:20],
            "sensitive_staff": sensitive_staff,
            "sensitive": sensitive,
            "can_object": rules.STAFF in levels
            and file.state in (FileState.NOTICE, FileState.OBJECTED),
            "can_resolve": rules.CITY in levels,
            "can_recheck": file.state == FileState.ACTIVE
            and bool(levels & {rules.GRASSROOTS, rules.COUNTY}),
            "objection_form": ObjectionForm(),
            "resolve_form": ResolveForm(),
            "recheck_form": RecheckForm(),
            "consent_text": services.CONSENT_TEXTS.get(file.consent.text_version, ""),
            "untouched": rules.untouched(file.last_activity_at, timezone.now()),
            "today": timezone.localdate(),
        },
    )


@staff_page(CHANGE)
@require_POST
def file_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    file = selectors.file_get(actor=request.user, public_id=public_id, permission=CHANGE)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要办理的操作"))
    else:
        try:
            file = services.file_transition(
                file=file,
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
                _("档案 %(no)s 现为“%(state)s”")
                % {"no": file.file_no, "state": file.get_state_display()},
            )
    return redirect("hardship:file", public_id=file.public_id)


@staff_page(CHANGE)
@require_POST
def file_objection(request: AuthedRequest, public_id: str) -> HttpResponse:
    file = selectors.file_get(actor=request.user, public_id=public_id, permission=CHANGE)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.objection_record(by=request.user, file=file, **form.cleaned_data)
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记异议，档案暂缓建立，待核查处理"))
    else:
        messages.error(request, _("请填写收到日期和异议内容"))
    return redirect("hardship:file", public_id=file.public_id)


@staff_page(CHANGE)
@require_POST
def objection_resolve(request: AuthedRequest, public_id: str) -> HttpResponse:
    objection = Objection.objects.filter(public_id=public_id).select_related("file").first()
    if objection is None:
        raise Http404
    file = selectors.file_get(
        actor=request.user, public_id=objection.file.public_id, permission=CHANGE
    )
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.objection_resolve(by=request.user, objection=objection, **form.cleaned_data)
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, _("异议已处理"))
    else:
        messages.error(request, _("请选择核查结论并填写核查情况"))
    return redirect("hardship:file", public_id=file.public_id)


@staff_page(CHANGE)
@require_POST
def file_recheck(request: AuthedRequest, public_id: str) -> HttpResponse:
    file = selectors.file_get(actor=request.user, public_id=public_id, permission=CHANGE)
    form = RecheckForm(request.POST)
    if form.is_valid():
        try:
            services.file_recheck(
                by=request.user,
                file=file,
                still_in_hardship=form.cleaned_data["still"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, _("年度复核已记录"))
    return redirect("hardship:file", public_id=file.public_id)


@staff_page(VIEW)
def evidence(request: AuthedRequest, public_id: str) -> HttpResponse:
    found = Evidence.objects.filter(public_id=public_id).select_related("file", "aid").first()
    if found is None:
        raise Http404
    if found.file is not None:
        selectors.file_get(actor=request.user, public_id=found.file.public_id)
    elif found.aid is not None:
        selectors.aid_get(actor=request.user, public_id=found.aid.public_id)
    return _evidence_response(services.evidence_read(by=request.user, evidence=found), found)


# -- staff: aid -----------------------------------------------------------------------------------
def _aid_search(request: AuthedRequest) -> tuple[AidFilterForm, Any, dict[str, str]]:
    form = AidFilterForm(request.GET or None)
    filters = _filters(request, form, ("q", "state", "category", "emergency"))
    aid = selectors.aid_list(
        actor=request.user,
        state=filters["state"],
        category=filters["category"],
        emergency=filters["emergency"],
        level=filters["level"],
        query=filters["q"].strip(),
    )
    return form, aid, filters


@staff_page(VIEW)
def aid_list(request: AuthedRequest) -> HttpResponse:
    form, aid, filters = _aid_search(request)
    return render(
        request,
        "hardship/aid_list.html",
        {
            "form": form,
            "page": paginate(request, aid, per_page=PER_PAGE),
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "level": filters["level"],
            "levels": _queue_levels(request.user),
            "can_change": has_perm(request.user, CHANGE),
        },
    )


AID_HEADERS = [
    gettext_lazy("申请编号"),
    gettext_lazy("姓名"),
    gettext_lazy("会员号"),
    gettext_lazy("所在工会"),
    gettext_lazy("救助类别"),
    gettext_lazy("学段"),
    gettext_lazy("应急救援"),
    gettext_lazy("申请金额（元）"),
    gettext_lazy("批准金额（元）"),
    gettext_lazy("状态"),
    gettext_lazy("申请时间"),
    gettext_lazy("批准时间"),
    gettext_lazy("发放时间"),
]


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@staff_page(VIEW)
def aid_export(request: AuthedRequest) -> FileResponse:
    _form, aid, filters = _aid_search(request)
    services.export_logged(by=request.user, what="aid", filters=filters)
    rows = (
        [
            a.aid_no,
            a.member.name,
            a.member.member_no,
            a.union.name,
            a.get_category_display(),
            a.get_stage_display() if a.stage else "",
            _("是") if a.emergency else "",
            format_fen(a.requested_fen, symbol=False),
            format_fen(a.approved_fen, symbol=False),
            a.get_state_display(),
            _when(a.submitted_at),
            _when(a.approved_at),
            _when(a.paid_at),
        ]
        for a in aid.iterator(chunk_size=2000)
    )
    return xlsx_download(
        "hardship-aid", [str(h) for h in AID_HEADERS], rows, sheet_name=_("帮扶救助")
    )


@staff_page(CHANGE)
def aid_new(request: AuthedRequest) -> HttpResponse:
    initial = {
        "emergency": request.GET.get("emergency") == "1",
        "member_no": request.GET.get("member", ""),
    }
    form = StaffAidForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = member_get(
                actor=request.user, member_no=form.cleaned_data["member_no"].strip().upper()
            )
            aid = services.aid_submit(
                by=request.user,
                member=member,
                data=form.aid_data(request.FILES),
                emergency=bool(form.cleaned_data.get("emergency")),
            )
        except NotFound:
            form.add_error("member_no", _("没有找到该会员，或不在您的管辖范围内"))
        except Forbidden as exc:
            form.add_error(None, exc.message)
        except DomainError as exc:
            _field_error(form, exc, AID_ERROR_FIELDS)
        else:
            messages.success(request, _("已登记救助申请，编号 %(no)s") % {"no": aid.aid_no})
            return redirect("hardship:aid", public_id=aid.public_id)
    return render(request, "hardship/aid_new.html", {"form": form})


@staff_page(VIEW)
def aid_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    aid = selectors.aid_get(actor=request.user, public_id=public_id)
    levels = selectors.levels_on(request.user, aid.union)
    moves = []
    for to, level in rules.aid_moves_from(
        aid.state, emergency=aid.emergency, category=aid.category
    ):
        needed = rules.COUNTY if level == rules.PAYMENT else level
        if level == rules.PAYMENT and aid.channel != "cash":
            continue
        if needed in levels:
            moves.append((to, AID_MOVE_LABELS[to], rules.LEVEL_LABELS.get(needed, "")))
    standard = selectors.standard_for(year=aid.year, category=aid.category, stage=aid.stage)
    budget = selectors.budget_for(aid.union, category=aid.category, year=aid.year)
    sensitive_staff = services.can_see_sensitive(request.user, aid.union)
    return render(
        request,
        "hardship/aid.html",
        {
            "aid": aid,
            "moves": moves,
            "events": selectors.aid_events(aid),
            "evidence": aid.evidence.all() if sensitive_staff else None,
            "standard": standard,
            "budget": budget,
            "lines": aid.lines.select_related("batch").order_by("-id"),
            "overdue": aid.emergency
            and rules.emergency_overdue(aid.approve_by, aid.approved_at, timezone.now()),
            "upload_form": UploadForm(),
            "can_upload": sensitive_staff and aid.state != "rejected",
            "can_complete": sensitive_staff
            and aid.emergency
            and aid.approved_at
            and not aid.documents_completed_at,
            "today": timezone.localdate(),
            "requested_yuan": yuan_text(aid.requested_fen),
        },
    )


@staff_page(CHANGE)
@require_POST
def aid_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    aid = selectors.aid_get(actor=request.user, public_id=public_id, permission=CHANGE)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        try:
            aid = services.aid_transition(
                aid=aid,
                to=form.cleaned_data["to"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                amount_fen=form.cleaned_data.get("amount"),
            )
        except Forbidden:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("申请 %(no)s 现为“%(state)s”")
                % {"no": aid.aid_no, "state": aid.get_state_display()},
            )
    return redirect("hardship:aid", public_id=aid.public_id)


@staff_page(CHANGE)
@require_POST
def aid_documents(request: AuthedRequest, public_id: str) -> HttpResponse:
    aid = selectors.aid_get(actor=request.user, public_id=public_id, permission=CHANGE)
    try:
        if request.POST.get("complete") == "1":
            services.aid_documents_complete(by=request.user, aid=aid)
            messages.success(request, _("已确认材料补齐"))
        else:
            form = UploadForm(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, _("请选择材料类型和文件"))
            else:
                upload = form.cleaned_data["file"]
                services.aid_documents_add(
                    by=request.user,
                    aid=aid,
                    uploads=[Upload.of(upload, form.cleaned_data["kind"])],
                )
                messages.success(request, _("材料已上传"))
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("hardship:aid", public_id=aid.public_id)


# -- staff: reference data ------------------------------------------------------------------------
def _year(request: AuthedRequest) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


@staff_page(VIEW)
def threshold_list(request: AuthedRequest) -> HttpResponse:
    form = ThresholdForm(request.POST or None)
    if request.method == "POST":
        if not has_perm(request.user, CHANGE):
            raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
        if form.is_valid():
            district = Union.objects.filter(
                code=form.cleaned_data["district"].strip().upper()
            ).first()
            if district is None:
                form.add_error("district", _("没有找到该工会"))
            else:
                try:
                    services.threshold_set(
                        by=request.user,
                        district=district,
                        year=form.cleaned_data["year"],
                        monthly_fen=form.cleaned_data["monthly"],
                    )
                except Forbidden:
                    form.add_error("district", _("您只能设定本县（市、区）的低保标准"))
                except DomainError as exc:
                    form_error(form, exc)
                else:
                    messages.success(request, _("已保存低保标准"))
                    return redirect("hardship:thresholds")
    return render(
        request,
        "hardship/thresholds.html",
        {
            "form": form,
            "page": paginate(request, selectors.thresholds(year=_year(request)), per_page=50),
            "can_change": has_perm(request.user, CHANGE),
        },
    )


@staff_page(VIEW)
def threshold_export(request: AuthedRequest) -> FileResponse:
    services.export_logged(by=request.user, what="thresholds", filters={"year": _year(request)})
    rows = (
        [t.year, t.district.code, t.district.name, format_fen(t.monthly_fen, symbol=False)]
        for t in selectors.thresholds(year=_year(request)).iterator()
    )
    return xlsx_download(
        "hardship-thresholds",
        [_("年度"), _("代码"), _("县（市、区）"), _("低保标准（元/人/月）")],
        rows,
        sheet_name=_("低保标准"),
    )


@staff_page(VIEW)
def standard_list(request: AuthedRequest) -> HttpResponse:
    city = selectors.is_city_staff(request.user)
    year = _year(request) or timezone.localdate().year
    policy = selectors.policy_for(year)
    standard_form = StandardForm(request.POST if request.POST.get("form") == "standard" else None)
    policy_form = PolicyForm(
        request.POST if request.POST.get("form") == "policy" else None,
        initial={
            "year": year,
            "notice_working_days": policy.notice_working_days,
            "emergency_hours": policy.emergency_hours,
            "emergency_document_working_days": policy.emergency_document_working_days,
            "paid_within_working_days": policy.paid_within_working_days,
        },
    )
    if request.method == "POST":
        if not city:
            raise Forbidden("auth.forbidden", _("救助标准和工作规则由市总工会保障部设定"))
        form: Any = standard_form if request.POST.get("form") == "standard" else policy_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is standard_form:
                    services.standard_set(
                        by=request.user,
                        year=data["year"],
                        category=data["category"],
                        stage=data.get("stage") or "",
                        min_fen=data["min_amount"],
                        max_fen=data["max_amount"],
                        note=data.get("note") or "",
                    )
                else:
                    services.policy_set(by=request.user, **data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect(f"{request.path}?year={data['year']}")
    return render(
        request,
        "hardship/standards.html",
        {
            "year": year,
            "policy": policy,
            "standards": selectors.standards(year=year),
            "standard_form": standard_form if city else None,
            "policy_form": policy_form if city else None,
        },
    )


@staff_page(VIEW)
def standard_export(request: AuthedRequest) -> FileResponse:
    services.export_logged(by=request.user, what="standards", filters={"year": _year(request)})
    rows = (
        [
            s.year,
            s.get_category_display(),
            s.get_stage_display() if s.stage else "",
            format_fen(s.min_fen, symbol=False),
            format_fen(s.max_fen, symbol=False),
            s.note,
        ]
        for s in selectors.standards(year=_year(request)).iterator()
    )
    return xlsx_download(
        "hardship-standards",
        [_("年度"), _("救助类别"), _("学段"), _("最低金额（元）"), _("最高金额（元）"), _("说明")],
        rows,
        sheet_name=_("救助标准"),
    )


@staff_page(VIEW)
def budget_list(request: AuthedRequest) -> HttpResponse:
    form = BudgetForm(request.POST or None)
    if request.method == "POST":
        if not has_perm(request.user, CHANGE):
            raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
        if form.is_valid():
            union = Union.objects.filter(code=form.cleaned_data["union"].strip().upper()).first()
            if union is None or not has_perm(request.user, VIEW, union.path):
                form.add_error("union", _("没有找到该工会，或不在您的管辖范围内"))
            else:
                try:
                    services.budget_set(
                        by=request.user,
                        union=union,
                        category=form.cleaned_data["category"],
                        year=form.cleaned_data["year"],
                        amount_fen=form.cleaned_data["amount"],
                    )
                except Forbidden as exc:
                    form.add_error("union", exc.message)
                except DomainError as exc:
                    form_error(form, exc)
                else:
                    messages.success(request, _("已保存预算"))
                    return redirect("hardship:budgets")
    return render(
        request,
        "hardship/budgets.html",
        {
            "form": form,
            "page": paginate(
                request, selectors.budgets(actor=request.user, year=_year(request)), per_page=50
            ),
            "can_change": has_perm(request.user, CHANGE),
        },
    )


@staff_page(VIEW)
def budget_export(request: AuthedRequest) -> FileResponse:
    services.export_logged(by=request.user, what="budgets", filters={"year": _year(request)})
    rows = (
        [
            b.year,
            b.union.code,
            b.union.name,
            b.get_category_display(),
            format_fen(b.amount_fen, symbol=False),
            format_fen(b.used_fen, symbol=False),
            format_fen(b.left_fen, symbol=False),
        ]
        for b in selectors.budgets(actor=request.user, year=_year(request)).iterator()
    )
    return xlsx_download(
        "hardship-budgets",
        [
            _("年度"),
            _("代码"),
            _("工会"),
            _("救助类别"),
            _("预算（元）"),
            _("已批准（元）"),
            _("余额（元）"),
        ],
        rows,
        sheet_name=_("帮扶预算"),
    )


# -- staff: payouts and the ledger ----------------------------------------------------------------
@staff_page(VIEW)
def payout_list(request: AuthedRequest) -> HttpResponse:
    unions = list(selectors.payout_unions(actor=request.user))
    form = PayoutForm(request.POST or None, unions=unions)
    if request.method == "POST":
        if not has_perm(request.user, CHANGE):
            raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
        if form.is_valid():
            union = next(u for u in unions if u.code == form.cleaned_data["union"])
            try:
                batch = services.payout_batch_create(
                    by=request.user, union=union, channel=form.cleaned_data["channel"]
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已生成发放批次 %(no)s：%(n)d 笔，%(total)s")
                    % {
                        "no": batch.batch_no,
                        "n": batch.line_count,
                        "total": format_fen(batch.total_fen),
                    },
                )
                return redirect("hardship:payout", public_id=batch.public_id)
    waiting = (
        selectors.aid_list(actor=request.user, state="approved")
        .filter(approved_fen__gt=0)
        .exclude(channel="cash")
    )
    return render(
        request,
        "hardship/payouts.html",
        {
            "form": form if unions else None,
            "page": paginate(
                request, selectors.payout_batches(actor=request.user), per_page=PER_PAGE
            ),
            "waiting": waiting[:50],
            "waiting_count": waiting.count(),
        },
    )


@staff_page(VIEW)
def payout_export(request: AuthedRequest) -> FileResponse:
    services.export_logged(by=request.user, what="payouts", filters={})
    rows = (
        [
            b.batch_no,
            b.union.name,
            b.get_channel_display(),
            b.get_status_display(),
            b.line_count,
            format_fen(b.total_fen, symbol=False),
            b.paid_count,
            b.failed_count,
            _when(b.created_at),
            _when(b.settled_at),
        ]
        for b in selectors.payout_batches(actor=request.user).iterator()
    )
    return xlsx_download(
        "hardship-payouts",
        [
            _("批次号"),
            _("发放单位"),
            _("发放方式"),
            _("状态"),
            _("笔数"),
            _("金额（元）"),
            _("成功"),
            _("失败"),
            _("生成时间"),
            _("回盘时间"),
        ],
        rows,
        sheet_name=_("发放批次"),
    )


@staff_page(VIEW)
def payout_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    batch = selectors.payout_batch_get(actor=request.user, public_id=public_id)
    form = ResultForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        batch = selectors.payout_batch_get(
            actor=request.user, public_id=public_id, permission=CHANGE
        )
        if form.is_valid():
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as spool:
                for chunk in form.cleaned_data["file"].chunks():
                    spool.write(chunk)
                spool.flush()
                try:
                    outcome = services.payout_results_import(
                        by=request.user, batch=batch, path=spool.name
                    )
                except Forbidden:
                    raise
                except DomainError as exc:
                    form_error(form, exc)
                    for problem in (exc.details or {}).get("errors", [])[:10]:
                        form.add_error(None, f"{problem.get('row')}: {problem.get('message', '')}")
                else:
                    messages.success(
                        request,
                        _("已导入银行回盘：成功 %(paid)d 笔，失败 %(failed)d 笔（已退回待发放）")
                        % outcome,
                    )
                    return redirect("hardship:payout", public_id=batch.public_id)
    return render(
        request,
        "hardship/payout.html",
        {
            "batch": batch,
            "lines": batch.lines.select_related("aid__member", "aid__union").order_by("id"),
            "form": form
            if batch.status == "sent" and has_perm(request.user, CHANGE, batch.union.path)
            else None,
        },
    )


@staff_page(CHANGE)
def payout_file(request: AuthedRequest, public_id: str) -> HttpResponse:
    batch = selectors.payout_batch_get(actor=request.user, public_id=public_id, permission=CHANGE)
    data = services.payout_file(by=request.user, batch=batch)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{batch.batch_no}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@staff_page(VIEW)
def ledger_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "hardship/ledger.html",
        {"page": paginate(request, selectors.disbursements(actor=request.user), per_page=50)},
    )


@staff_page(VIEW)
def ledger_export(request: AuthedRequest) -> FileResponse:
    services.export_logged(by=request.user, what="ledger", filters={})
    rows = (
        [
            d.seq,
            d.chain,
            _when(d.at),
            d.aid.aid_no,
            d.member.name,
            d.member.member_no,
            d.union.name,
            d.get_category_display(),
            _("是") if d.emergency else "",
            d.get_channel_display(),
            format_fen(d.amount_fen, symbol=False),
            d.reference,
            d.hash,
        ]
        for d in selectors.disbursements(actor=request.user).iterator(chunk_size=2000)
    )
    return xlsx_download(
        "hardship-ledger",
        [
            _("序号"),
            _("年度"),
            _("发放时间"),
            _("申请编号"),
            _("姓名"),
            _("会员号"),
            _("工会"),
            _("救助类别"),
            _("应急救援"),
            _("发放方式"),
            _("金额（元）"),
            _("发放凭证"),
            _("校验值"),
        ],
        rows,
        sheet_name=_("发放记录"),
    )


# -- staff: reports -------------------------------------------------------------------------------
@staff_page(VIEW)
def report(request: AuthedRequest) -> HttpResponse:
    year = _year(request) or timezone.localdate().year
    return render(
        request,
        "hardship/reports.html",
        {
            "year": year,
            "charts": reports.charts(actor=request.user, year=year),
            "emergency": selectors.emergency_summary(actor=request.user, year=year),
        },
    )


@staff_page(VIEW)
def report_export(request: AuthedRequest, table: str) -> FileResponse:
    year = _year(request) or timezone.localdate().year
    found = reports.table(actor=request.user, year=year, name=table)
    if found is None:
        raise Http404
    headers, rows, title = found
    services.export_logged(by=request.user, what=f"report_{table}", filters={"year": year})
    return xlsx_download(f"hardship-{table}-{year}", headers, rows, sheet_name=title)
