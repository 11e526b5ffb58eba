"""Pages for 入会申请: the public, phone-first form and status lookup (no login), and the staff
pages that answer applications in the officer's scope."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.pages import paginate, staff_page, xlsx_download
from gonghui.joining import rules, selectors, services
from gonghui.joining.forms import JoinForm, RejectForm, StatusFilterForm, StatusForm
from gonghui.joining.models import ApplicationStatus, JoinApplication

SUBMITTED_SESSION_KEY = "joining_submitted"
PER_PAGE = 30

# Which form field a service error belongs to, by the start of its code.
ERROR_FIELDS = (
    ("idnumber.", "id_number"),
    ("member.gender", "id_number"),
    ("member.name", "name"),
    ("member.phone", "phone"),
    ("joining.phone", "phone"),
    ("member.category", "category"),
    ("joining.union", "union"),
    ("joining.employer", "employer_name"),
    ("joining.consent", "consent"),
)


def _field_of(code: str) -> str | None:
    return next((name for prefix, name in ERROR_FIELDS if code.startswith(prefix)), None)


def _union_choices(code: str) -> list[dict[str, str]]:
    """The union picked before the page came back (with an error, or after a search without
    JavaScript), so the choice stays on screen and checked."""
    if not code:
        return []
    try:
        union = selectors.union_for_application(code=code)
    except DomainError:
        return []
    return [{"code": union.code, "name": union.name}]


def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None)
    search = request.POST.get("q", "")
    unions: list[dict[str, str]] = []
    if request.method == "POST" and "find" in request.POST:
        # The search button, for phones without JavaScript: show the matches, judge nothing yet.
        form = JoinForm(initial={k: v for k, v in request.POST.items() if k != "consent"})
        unions = selectors.unions_open_to_applicants(
            query=search, category=request.POST.get("category", "")
        )
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            union = selectors.union_for_application(code=data["union"])
            application = services.application_submit(
                data=services.ApplicationData(
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    category=data["category"],
                    employer_name=data["employer_name"],
                ),
                union=union,
                applicant=request.user if request.user.is_authenticated else None,
                consent_version=data["consent_version"],
            )
        except DomainError as exc:
            form.add_error(_field_of(exc.code), exc.message)
        else:
            request.session[SUBMITTED_SESSION_KEY] = str(application.public_id)
            return redirect("join:done")
    picked = str(form["union"].value() or "")
    if not unions:
        unions = _union_choices(picked)
    return render(
        request,
        "joining/join.html",
        {
            "form": form,
            "search": search,
            "unions": unions,
            "picked": picked,
            "searched": "find" in request.POST,
            "consent_text": rules.consent_text(),
        },
    )


@require_GET
def union_options(request: HttpRequest) -> HttpResponse:
    """HTMX: the open unions matching the typed name, as radio options."""
    query = request.GET.get("q", "")
    return render(
        request,
        "joining/partials/union_options.html",
        {
            "unions": selectors.unions_open_to_applicants(
                query=query, category=request.GET.get("category", "")
            ),
            "search": query,
            "searched": True,
            "picked": request.GET.get("union", ""),
        },
    )


def done(request: HttpRequest) -> HttpResponse:
    public_id = request.session.get(SUBMITTED_SESSION_KEY)
    application = (
        JoinApplication.objects.select_related("union").filter(public_id=public_id).first()
        if public_id
        else None
    )
    if application is None:
        return redirect("join:form")
    return render(request, "joining/done.html", {"application": application})


def status(request: HttpRequest) -> HttpResponse:
    """By application number and the last four of the ID number; POST, so neither lands in a
    URL or an access log."""
    form = StatusForm(request.POST or None)
    application = None
    if request.method == "POST" and form.is_valid():
        application = selectors.application_lookup(
            application_no=form.cleaned_data["application_no"],
            id_last4=form.cleaned_data["id_last4"],
        )
        if application is None:
            form.add_error(None, _("没有找到该申请，请核对申请编号和身份证号后四位"))
    return render(request, "joining/status.html", {"form": form, "application": application})


@require_POST
def withdraw(request: HttpRequest) -> HttpResponse:
    form = StatusForm(request.POST)
    application = None
    if form.is_valid():
        application = selectors.application_lookup(
            application_no=form.cleaned_data["application_no"],
            id_last4=form.cleaned_data["id_last4"],
        )
    if application is None:
        form.add_error(None, _("没有找到该申请，请核对申请编号和身份证号后四位"))
    else:
        try:
            application = services.application_withdraw(
                application=application, id_last4=form.cleaned_data["id_last4"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("申请已撤回"))
    return render(request, "joining/status.html", {"form": form, "application": application})


# -- staff ---------------------------------------------------------------------------------


def _status_filter(request: HttpRequest) -> tuple[StatusFilterForm, str, str]:
    """The form, what was asked for, and the status to filter on (pending unless "all")."""
    form = StatusFilterForm(request.GET or None)
    wanted = form.cleaned_data["status"] if form.is_valid() else ""
    return form, wanted, "" if wanted == "all" else wanted or ApplicationStatus.PENDING


@staff_page("members.view")
def application_list(request: HttpRequest) -> HttpResponse:
    form, wanted, status_filter = _status_filter(request)
    applications = selectors.application_list(actor=request.user, status=status_filter)
    return render(
        request,
        "joining/list.html",
        {
            "form": form,
            "page": paginate(request, applications, per_page=PER_PAGE),
            "query": urlencode({"status": wanted}) if wanted else "",
            "status_filter": status_filter,
        },
    )


@staff_page("members.view")
def application_export(request: HttpRequest) -> FileResponse:
    _form, _wanted, status_filter = _status_filter(request)
    applications = selectors.application_list(actor=request.user, status=status_filter)
    rows = services.applications_export_rows(
        by=request.user, applications=applications, status=status_filter
    )
    return xlsx_download("applications", services.EXPORT_HEADERS, rows, sheet_name="入会申请")


@staff_page("members.view")
def application_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    application = selectors.application_get(actor=request.user, public_id=public_id)
    can_change = has_perm(request.user, "members.change", application.union.path)
    return render(
        request,
        "joining/detail.html",
        {
            "application": application,
            "can_decide": can_change and application.status == ApplicationStatus.PENDING,
            "reject_form": RejectForm(),
            "consent_text": rules.CONSENT_TEXTS.get(application.consent_version, ""),
        },
    )


@staff_page("members.change")
@require_POST
def application_decide(request: HttpRequest, public_id: str, decision: str) -> HttpResponse:
    if decision not in {"accept", "reject"}:
        raise Http404
    application = selectors.application_get(
        actor=request.user, public_id=public_id, permission="members.change"
    )
    try:
        if decision == "accept":
            application = services.application_accept(by=request.user, application=application)
            assert application.member is not None
            messages.success(
                request,
                _("已同意 %(name)s 入会，会员号 %(no)s")
                % {"name": application.name, "no": application.member.member_no},
            )
        else:
            form = RejectForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.application_reject(by=request.user, application=application, reason=reason)
            messages.success(request, _("已答复 %(name)s：不同意入会") % {"name": application.name})
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("joining:detail", public_id=application.public_id)
