"""Staff pages of 督查督办: the item list with the overdue list per department, an item with its
progress and closure, meetings with their decisions. Owners reach their own items from 我的督办
even without the program's permission."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.core.errors import DomainError
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import form_error, paginate, staff_page, xlsx_download
from gonghui.followup import rules, selectors, services
from gonghui.followup.forms import (
    CloseForm,
    DecisionForm,
    ItemFilterForm,
    ItemForm,
    MeetingForm,
    MinutesForm,
    ProgressForm,
    ReasonForm,
)
from gonghui.followup.models import ActionItem, Decision

PER_PAGE = 30
VIEW, CHANGE = "assessment.view", "assessment.change"


def _filters(request: AuthedRequest) -> tuple[ItemFilterForm, dict[str, Any]]:
    form = ItemFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    department = data.get("department")
    return form, {
        "status": data.get("status") or "",
        "department": department.code if department else "",
        "overdue": bool(data.get("overdue")),
    }


@staff_page(VIEW)
def home(request: AuthedRequest) -> HttpResponse:
    form, filters = _filters(request)
    items = selectors.item_list(actor=request.user, **filters)
    query = urlencode({k: ("1" if v is True else v) for k, v in filters.items() if v})
    return render(
        request,
        "followup/home.html",
        {
            "form": form,
            "page": paginate(request, items, per_page=PER_PAGE),
            "query": query,
            "overdue": selectors.overdue_by_department(actor=request.user),
            "counts": selectors.item_counts(actor=request.user),
            "can_change": has_perm(request.user, CHANGE),
            "today": timezone.localdate(),
        },
    )


@staff_page(VIEW)
def export(request: AuthedRequest) -> FileResponse:
    _form, filters = _filters(request)
    items = selectors.item_list(actor=request.user, **filters)
    rows = services.items_export_rows(
        by=request.user, items=items, filters={k: str(v) for k, v in filters.items()}
    )
    return xlsx_download("followup-items", services.EXPORT_HEADERS, rows, sheet_name="督办事项")


@staff_page(VIEW)
def export_overdue(request: AuthedRequest) -> FileResponse:
    items = selectors.item_list(actor=request.user, overdue=True).order_by(
        "department__sort_order", "deadline", "id"
    )
    rows = services.items_export_rows(by=request.user, items=items, filters={"overdue": "1"})
    return xlsx_download("followup-overdue", services.EXPORT_HEADERS, rows, sheet_name="逾期事项")


@staff_page()
def mine(request: AuthedRequest) -> HttpResponse:
    items = selectors.item_list(actor=request.user, mine=True).exclude(status__in=[rules.CANCELLED])
    return render(
        request,
        "followup/mine.html",
        {"page": paginate(request, items, per_page=PER_PAGE), "today": timezone.localdate()},
    )


@staff_page(CHANGE)
def item_new(request: AuthedRequest) -> HttpResponse:
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.action_item_create(by=request.user, **_item_fields(form))
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已交办：%(title)s") % {"title": item.title})
            return redirect("followup:item", public_id=item.public_id)
    return render(request, "followup/item_new.html", {"form": form})


def _item_fields(form: ItemForm, start: Any = None) -> dict[str, Any]:
    data = form.cleaned_data
    deadline = data.get("deadline") or services.deadline_after_working_days(
        start or timezone.localdate(), data["working_days"]
    )
    return {
        "title": data["title"],
        "description": data.get("description") or "",
        "owner": data["owner"],
        "department": data.get("department"),
        "deadline": deadline,
        "priority": data["priority"],
    }


@staff_page()
def item_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    item = selectors.item_get(actor=request.user, public_id=public_id)
    return _item_page(request, item)


def _item_page(request: AuthedRequest, item: ActionItem, **forms: Any) -> HttpResponse:
    may_work = item.owner_id == request.user.pk or has_perm(request.user, CHANGE, item.union.path)
    may_manage = has_perm(request.user, CHANGE, item.union.path)
    return render(
        request,
        "followup/item.html",
        {
            "item": item,
            "events": selectors.item_events(item),
            "live": item.status in rules.LIVE,
            "may_work": may_work,
            "may_manage": may_manage,
            "progress_form": forms.get("progress_form") or ProgressForm(),
            "close_form": forms.get("close_form") or CloseForm(),
            "reason_form": forms.get("reason_form") or ReasonForm(),
            "today": timezone.localdate(),
        },
        status=400 if forms else 200,
    )


@staff_page()
@require_POST
def item_progress(request: AuthedRequest, public_id: str) -> HttpResponse:
    item = selectors.item_get(actor=request.user, public_id=public_id)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.action_item_progress(
                by=request.user,
                item=item,
                text=form.cleaned_data["text"],
                percent=form.cleaned_data["percent"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("进展已记录"))
            return redirect("followup:item", public_id=item.public_id)
    return _item_page(request, item, progress_form=form)


@staff_page()
@require_POST
def item_close(request: AuthedRequest, public_id: str) -> HttpResponse:
    item = selectors.item_get(actor=request.user, public_id=public_id)
    form = CloseForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.action_item_close(
                by=request.user,
                item=item,
                evidence_text=form.cleaned_data["evidence_text"],
                evidence_link=form.cleaned_data["evidence_link"],
                evidence_file=form.upload(),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("事项已办结"))
            return redirect("followup:item", public_id=item.public_id)
    return _item_page(request, item, close_form=form)


@staff_page(CHANGE)
@require_POST
def item_cancel(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _with_reason(request, public_id, services.action_item_cancel, _("事项已撤销"))


@staff_page(CHANGE)
@require_POST
def item_reopen(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _with_reason(request, public_id, services.action_item_reopen, _("事项已重新打开"))


def _with_reason(request: AuthedRequest, public_id: str, service: Any, done: str) -> HttpResponse:
    item = selectors.item_get(actor=request.user, public_id=public_id, permission=CHANGE)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            service(by=request.user, item=item, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("followup:item", public_id=item.public_id)
    return _item_page(request, item, reason_form=form)


@staff_page()
def evidence(request: AuthedRequest, public_id: str) -> HttpResponse:
    item = selectors.item_get(actor=request.user, public_id=public_id)
    data = services.evidence_read(by=request.user, item=item)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        item.evidence_type, "bin"
    )
    response = HttpResponse(data, content_type=item.evidence_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="evidence.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- meetings --------------------------------------------------------------------------------


@staff_page(VIEW)
def meeting_list(request: AuthedRequest) -> HttpResponse:
    meetings = selectors.meeting_list(actor=request.user)
    return render(
        request,
        "followup/meetings.html",
        {
            "page": paginate(request, meetings, per_page=PER_PAGE),
            "can_change": has_perm(request.user, CHANGE),
        },
    )


@staff_page(CHANGE)
def meeting_new(request: AuthedRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("会议已登记，请逐条录入议定事项"))
            return redirect("followup:meeting", public_id=meeting.public_id)
    return render(request, "followup/meeting_new.html", {"form": form})


@staff_page(VIEW)
def meeting_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, public_id=public_id)
    return _meeting_page(request, meeting)


def _meeting_page(request: AuthedRequest, meeting: Any, **forms: Any) -> HttpResponse:
    items: dict[int, list[ActionItem]] = {}
    for item in selectors.items_of_decisions(meeting):
        items.setdefault(item.decision_id or 0, []).append(item)
    failed = forms.get("item_decision")
    decisions = [
        (
            d,
            items.get(d.pk, []),
            forms["item_form"] if failed == d else ItemForm(prefix=f"d{d.number}"),
            failed == d,
        )
        for d in selectors.decisions_of(meeting)
    ]
    return render(
        request,
        "followup/meeting.html",
        {
            "meeting": meeting,
            "decisions": decisions,
            "can_change": has_perm(request.user, CHANGE, meeting.union.path),
            "minutes_form": forms.get("minutes_form")
            or MinutesForm(initial={"minutes": meeting.minutes, "attendees": meeting.attendees}),
            "decision_form": forms.get("decision_form") or DecisionForm(),
            "today": timezone.localdate(),
        },
        status=400 if forms else 200,
    )


@staff_page(CHANGE)
@require_POST
def meeting_minutes(request: AuthedRequest, public_id: str) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, public_id=public_id, permission=CHANGE)
    form = MinutesForm(request.POST)
    if form.is_valid():
        services.meeting_update(by=request.user, meeting=meeting, **form.cleaned_data)
        messages.success(request, _("会议纪要已保存"))
        return redirect("followup:meeting", public_id=meeting.public_id)
    return _meeting_page(request, meeting, minutes_form=form)


@staff_page(CHANGE)
@require_POST
def decision_add(request: AuthedRequest, public_id: str) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, public_id=public_id, permission=CHANGE)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decision_add(by=request.user, meeting=meeting, text=form.cleaned_data["text"])
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("议定事项已添加"))
            return redirect("followup:meeting", public_id=meeting.public_id)
    return _meeting_page(request, meeting, decision_form=form)


@staff_page(CHANGE)
@require_POST
def decision_item(request: AuthedRequest, public_id: str) -> HttpResponse:
    decision: Decision = selectors.decision_get(
        actor=request.user, public_id=public_id, permission=CHANGE
    )
    meeting = decision.meeting
    form = ItemForm(request.POST, prefix=f"d{decision.number}")
    if form.is_valid():
        try:
            services.decision_item_create(
                by=request.user, decision=decision, **_item_fields(form, start=meeting.held_on)
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已把议定事项交办为督办事项"))
            return redirect("followup:meeting", public_id=meeting.public_id)
    return _meeting_page(request, meeting, item_form=form, item_decision=decision)
