"""Pages of information work: the officer's 我的投稿, 宣教部's inbox with edit/adopt/return,
publication recording and verification, the points table versions, quotas, rankings with charts,
information officers and errors; rankings and publications export to Excel."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.accounts.models import User
from gonghui.accounts.scoping import has_perm
from gonghui.audit.log import log_action
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import forbidden, form_error, paginate, staff_page, xlsx_download
from gonghui.infowork import rules, selectors, services
from gonghui.infowork.forms import (
    CorrectionForm,
    EditForm,
    InstructionForm,
    MoveForm,
    OfficerForm,
    PeriodForm,
    PointsTableForm,
    PublicationForm,
    QuotaForm,
    SubmissionFilterForm,
    SubmissionForm,
    VerifyForm,
)
from gonghui.infowork.models import (
    Level,
    OutletKind,
    Placement,
    PublicationStatus,
    SubmissionStatus,
)
from gonghui.orgs.models import Department

PER_PAGE = 30
TOP_UNIONS = 10

MOVE_LABELS: dict[str, Any] = {
    SubmissionStatus.ADOPTED: gettext_lazy("采用"),
    SubmissionStatus.RETURNED: gettext_lazy("退回修改"),
    SubmissionStatus.SUBMITTED: gettext_lazy("重新报送"),
    SubmissionStatus.WITHDRAWN: gettext_lazy("撤回"),
}


def _uploads(files: Any) -> list[services.Upload]:
    return [services.Upload(name=f.name, data=f.read()) for f in files or []]


def _departments() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in Department.objects.order_by("sort_order")]


def _page(request: AuthedRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Every page: the tabs shown follow what the user may do."""
    context |= {
        "perms_view": selectors.can_view(request.user),
        "perms_submit": has_perm(request.user, "infowork.submit"),
    }
    return render(request, template, context)


def _query(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@staff_page()
def home(request: AuthedRequest) -> HttpResponseBase:
    if selectors.can_view(request.user):
        return redirect("infowork:rankings")
    if selectors.officer_roles(request.user):
        return redirect("infowork:mine")
    return forbidden(request)


# -- the officer -----------------------------------------------------------------------------


@staff_page("infowork.submit")
def mine(request: AuthedRequest) -> HttpResponse:
    submissions = selectors.my_submissions(user=request.user)
    return _page(
        request,
        "infowork/mine.html",
        {
            "page": paginate(request, submissions, per_page=PER_PAGE),
            "posts": selectors.officer_roles(request.user),
        },
    )


@staff_page("infowork.submit")
def submit(request: AuthedRequest) -> HttpResponseBase:
    posts = selectors.officer_roles(request.user)
    if not posts:
        messages.error(request, _("您还不是信息员。请联系市总工会宣教部登记为信息员后再报送。"))
        return redirect("infowork:mine")
    form = SubmissionForm(request.POST or None, request.FILES or None, officers=posts)
    if request.method == "POST" and form.is_valid():
        officer = next(p for p in posts if str(p.public_id) == form.cleaned_data["officer"])
        try:
            submission = services.submission_submit(
                by=request.user,
                officer=officer,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                category=form.cleaned_data["category"],
                photos=_uploads(form.cleaned_data["photos"]),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已报送，宣教部审核后会在这里显示结果"))
            return redirect("infowork:submission", public_id=submission.public_id)
    return _page(request, "infowork/submit.html", {"form": form})


# -- 宣教部: the inbox ------------------------------------------------------------------------


@staff_page("infowork.view")
def submission_list(request: AuthedRequest) -> HttpResponse:
    form = SubmissionFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status", "") if form.is_bound else SubmissionStatus.SUBMITTED
    if not form.is_bound:
        form = SubmissionFilterForm(initial={"status": status})
    submissions = selectors.submission_list(
        actor=request.user,
        status=status,
        category=data.get("category", ""),
        query=data.get("q", ""),
    )
    return _page(
        request,
        "infowork/submissions.html",
        {
            "form": form,
            "page": paginate(request, submissions, per_page=PER_PAGE),
            "query": _query(request),
        },
    )


@staff_page()
def submission_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    submission = selectors.submission_get(actor=request.user, public_id=public_id)
    editor = selectors.is_editor(request.user)
    owner = selectors.is_owner(request.user, submission)
    moves: list[tuple[str, Any]] = []
    for actor, allowed in ((rules.EDITOR, editor), (rules.OFFICER, owner)):
        if allowed:
            moves += [(to, MOVE_LABELS[to]) for to in rules.moves_from(submission.status, actor)]
    adopted = submission.status == SubmissionStatus.ADOPTED
    return _page(
        request,
        "infowork/submission.html",
        {
            "submission": submission,
            "photos": list(submission.photos.all()),
            "history": selectors.submission_history(submission),
            "publications": selectors.publications_of(submission),
            "instructions": selectors.instructions_of(submission),
            "editor": editor,
            "owner": owner,
            "moves": moves,
            "can_edit": services.can_edit(request.user, submission),
            "publication_form": PublicationForm(initial={"published_on": timezone.localdate()})
            if adopted and (editor or owner)
            else None,
            "instruction_form": InstructionForm(initial={"instructed_on": timezone.localdate()})
            if adopted and editor
            else None,
        },
    )


@staff_page()
def submission_edit(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    submission = selectors.submission_get(actor=request.user, public_id=public_id)
    if not services.can_edit(request.user, submission):
        raise Forbidden("auth.forbidden", _("这篇投稿现在不能由您修改"))
    form = EditForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "title": submission.title,
            "body": submission.body,
            "category": submission.category,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_edit(
                by=request.user,
                submission=submission,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                category=form.cleaned_data["category"],
                photos=_uploads(form.cleaned_data["photos"]),
            )
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            form_error(form, exc)
        else:
            messages.success(request, _("已保存修改"))
            return redirect("infowork:submission", public_id=submission.public_id)
    return _page(request, "infowork/edit.html", {"form": form, "submission": submission})


@require_POST
@staff_page()
def submission_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    submission = selectors.submission_get(actor=request.user, public_id=public_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要办理的操作"))
        return redirect("infowork:submission", public_id=submission.public_id)
    try:
        submission = services.submission_transition(
            by=request.user,
            submission=submission,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
        )
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("投稿“%(title)s”现为“%(status)s”")
            % {"title": submission.title, "status": submission.get_status_display()},
        )
    return redirect("infowork:submission", public_id=submission.public_id)


def _file_response(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_page()
def photo(request: AuthedRequest, public_id: str, photo_id: str) -> HttpResponse:
    submission = selectors.submission_get(actor=request.user, public_id=public_id)
    row = submission.photos.filter(public_id=photo_id).first()
    if row is None:
        raise selectors.not_found()
    extension = str(row.file.name).rsplit(".", 1)[-1]
    return _file_response(services.photo_bytes(row), row.content_type, f"photo.{extension}")


# -- publications ----------------------------------------------------------------------------


@require_POST
@staff_page()
def publication_new(request: AuthedRequest, public_id: str) -> HttpResponse:
    submission = selectors.submission_get(actor=request.user, public_id=public_id)
    form = PublicationForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return redirect("infowork:submission", public_id=submission.public_id)
    data = form.cleaned_data
    scan = data.get("scan")
    try:
        services.publication_record(
            by=request.user,
            submission=submission,
            data=services.PublicationData(
                level=data["level"],
                outlet_kind=data["outlet_kind"],
                outlet_name=data["outlet_name"],
                published_on=data["published_on"],
                placement=data["placement"],
                link=data["link"],
            ),
            scan=services.Upload(name=scan.name, data=scan.read()) if scan else None,
        )
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记刊用，宣教部核实后计分"))
    return redirect("infowork:submission", public_id=submission.public_id)


@require_POST
@staff_page("infowork.change")
def publication_verify(request: AuthedRequest, public_id: str) -> HttpResponse:
    publication = selectors.publication_get(actor=request.user, public_id=public_id)
    form = VerifyForm(request.POST)
    back = request.POST.get("next") == "list"
    if form.is_valid():
        try:
            publication = services.publication_verify(
                by=request.user,
                publication=publication,
                approve=form.cleaned_data["approve"] == "1",
                reason=form.cleaned_data["reason"],
            )
        except Forbidden:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("刊用记录“%(outlet)s”现为“%(status)s”，积分 %(points)s")
                % {
                    "outlet": publication.outlet_name,
                    "status": publication.get_status_display(),
                    "points": publication.points,
                },
            )
    if back:
        return redirect("infowork:publications")
    return redirect("infowork:submission", public_id=publication.submission.public_id)


@staff_page()
def publication_scan(request: AuthedRequest, public_id: str) -> HttpResponse:
    publication = selectors.publication_get(actor=request.user, public_id=public_id)
    if not publication.scan:
        raise selectors.not_found()
    extension = str(publication.scan.name).rsplit(".", 1)[-1]
    return _file_response(
        services.scan_bytes(publication), publication.scan_type, f"scan.{extension}"
    )


def _publication_filters(request: AuthedRequest) -> tuple[str, int]:
    status = request.GET.get("status", "")
    if status not in PublicationStatus.values:
        status = ""
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return status, year


@staff_page("infowork.view")
def publication_list(request: AuthedRequest) -> HttpResponse:
    status, year = _publication_filters(request)
    publications = selectors.publication_list(actor=request.user, status=status, year=year)
    return _page(
        request,
        "infowork/publications.html",
        {
            "page": paginate(request, publications, per_page=PER_PAGE),
            "status": status,
            "year": year,
            "statuses": PublicationStatus.choices,
            "editor": selectors.is_editor(request.user),
            "query": _query(request),
        },
    )


PUBLICATION_HEADERS = [
    gettext_lazy("稿件标题"),
    gettext_lazy("报送单位"),
    gettext_lazy("部门"),
    gettext_lazy("信息员"),
    gettext_lazy("刊用级别"),
    gettext_lazy("媒体类型"),
    gettext_lazy("媒体名称"),
    gettext_lazy("刊用日期"),
    gettext_lazy("版面位置"),
    gettext_lazy("链接"),
    gettext_lazy("状态"),
    gettext_lazy("积分"),
    gettext_lazy("积分标准版本"),
]


@staff_page("infowork.view")
def publication_export(request: AuthedRequest) -> FileResponse:
    status, year = _publication_filters(request)
    publications = selectors.publication_list(actor=request.user, status=status, year=year)
    log_action(
        "infowork.publications.exported",
        actor=request.user,
        object_repr=_("刊用记录导出"),
        changes={"status": status, "year": year},
    )
    rows = (
        [
            p.submission.title,
            p.union.name,
            p.department.name if p.department else "",
            str(p.officer.user),
            p.get_level_display(),
            p.get_outlet_kind_display(),
            p.outlet_name,
            p.published_on.isoformat(),
            p.get_placement_display(),
            p.link,
            p.get_status_display(),
            p.points,
            p.points_table.number if p.points_table else "",
        ]
        for p in publications.iterator(chunk_size=500)
    )
    return xlsx_download(
        "infowork-publications", [str(h) for h in PUBLICATION_HEADERS], rows, sheet_name="刊用记录"
    )


@require_POST
@staff_page("infowork.change")
def instruction_new(request: AuthedRequest, public_id: str) -> HttpResponse:
    submission = selectors.submission_get(actor=request.user, public_id=public_id)
    form = InstructionForm(request.POST)
    if form.is_valid():
        try:
            services.instruction_record(
                by=request.user,
                submission=submission,
                level=form.cleaned_data["level"],
                leader=form.cleaned_data["leader"],
                instructed_on=form.cleaned_data["instructed_on"],
            )
        except Forbidden:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记领导批示"))
    else:
        messages.error(request, _("请填写批示级别、领导和日期"))
    return redirect("infowork:submission", public_id=submission.public_id)


# -- errors, officers, quotas ----------------------------------------------------------------


@staff_page("infowork.view")
def correction_list(request: AuthedRequest) -> HttpResponse:
    editor = selectors.is_editor(request.user)
    form = CorrectionForm(request.POST or None, departments=_departments())
    if request.method == "POST":
        if not editor:
            return forbidden(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.correction_record(
                    by=request.user,
                    union=selectors.union_by_code(actor=request.user, code=data["union"]),
                    department=selectors.department_by_code(data["department"]),
                    occurred_on=data["occurred_on"],
                    description=data["description"],
                )
            except Forbidden:
                raise
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("已登记差错"))
                return redirect("infowork:corrections")
    year = timezone.localdate().year
    return _page(
        request,
        "infowork/corrections.html",
        {
            "page": paginate(request, selectors.correction_list(actor=request.user, year=year)),
            "form": form if editor else None,
            "year": year,
        },
    )


@staff_page("infowork.view")
def officer_list(request: AuthedRequest) -> HttpResponse:
    form = OfficerForm(request.POST or None, departments=_departments())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = User.objects.filter(username=data["username"]).first()
            if user is None:
                raise DomainError("infowork.user_unknown", _("没有这个账号"))
            services.officer_appoint(
                by=request.user,
                user=user,
                union=selectors.union_by_code(actor=request.user, code=data["union"]),
                department=selectors.department_by_code(data["department"]),
            )
        except Forbidden:
            return forbidden(request)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已登记信息员"))
            return redirect("infowork:officers")
    return _page(
        request,
        "infowork/officers.html",
        {
            "page": paginate(request, selectors.officer_list(actor=request.user)),
            "form": form,
        },
    )


@require_POST
@staff_page("infowork.change")
def officer_toggle(request: AuthedRequest, public_id: str) -> HttpResponse:
    officer = selectors.officer_get(actor=request.user, public_id=public_id)
    services.officer_set_active(by=request.user, officer=officer, active=not officer.active)
    messages.success(request, _("已更新信息员状态"))
    return redirect("infowork:officers")


def _year(request: AuthedRequest) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@staff_page("infowork.view")
def quota_list(request: AuthedRequest) -> HttpResponse:
    year = _year(request)
    editor = selectors.is_editor(request.user)
    form = QuotaForm(request.POST or None, departments=_departments())
    if request.method == "POST":
        if not editor:
            return forbidden(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.quota_set(
                    by=request.user,
                    year=year,
                    union=selectors.union_by_code(actor=request.user, code=data["union"]),
                    department=selectors.department_by_code(data["department"]),
                    pieces=data["pieces"],
                    points=data["points"],
                )
            except Forbidden:
                raise
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("已设定年度任务"))
                return redirect(f"{request.path}?year={year}")
    rows = selectors.quota_rows(actor=request.user, year=year)
    return _page(
        request,
        "infowork/quotas.html",
        {
            "rows": rows,
            "year": year,
            "form": form if editor else None,
            "penalty": selectors.shortfall_penalty(year),
            "met": sum(1 for r in rows if r.outcome.met),
        },
    )


# -- points tables ---------------------------------------------------------------------------


@staff_page("infowork.view")
def points_tables(request: AuthedRequest) -> HttpResponse:
    tables = list(selectors.points_tables()[:50])
    shown = tables[0] if tables else None
    wanted = request.GET.get("v")
    if wanted:
        shown = next((t for t in tables if str(t.number) == wanted), shown)
    grid = []
    if shown is not None:
        for level in rules.LEVELS:
            for kind in rules.KINDS:
                grid.append(
                    {
                        "level": Level(level).label,
                        "kind": OutletKind(kind).label,
                        "cells": [
                            shown.publication_points.get(level, {}).get(kind, {}).get(p, "")
                            for p in rules.PLACEMENTS
                        ],
                    }
                )
    today = timezone.localdate()
    in_force = next((t for t in tables if t.effective_from <= today), None)
    return _page(
        request,
        "infowork/points.html",
        {
            "tables": tables,
            "shown": shown,
            "in_force": in_force,
            "grid": grid,
            "placements": [Placement(p).label for p in rules.PLACEMENTS],
            "bonuses": [
                (Level(level).label, shown.instruction_points.get(level, ""))
                for level in rules.LEVELS
            ]
            if shown
            else [],
            "editor": selectors.is_editor(request.user),
        },
    )


@staff_page("infowork.change")
def points_table_new(request: AuthedRequest) -> HttpResponseBase:
    selectors.require_editor(request.user)
    current = selectors.points_tables().first()
    initial: dict[str, Any] = {"effective_from": date(timezone.localdate().year + 1, 1, 1)}
    if current is not None:
        initial |= PointsTableForm.initial_from(
            current.publication_points,
            current.instruction_points,
            current.shortfall_penalty,
            current.error_penalty,
        )
    else:
        initial |= PointsTableForm.initial_from(
            rules.DEFAULT_PUBLICATION_POINTS,
            rules.DEFAULT_INSTRUCTION_POINTS,
            rules.DEFAULT_SHORTFALL_PENALTY,
            rules.DEFAULT_ERROR_PENALTY,
        )
    form = PointsTableForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            table = services.points_table_create(
                by=request.user,
                effective_from=form.cleaned_data["effective_from"],
                publication_points=form.grid(),
                instruction_points=form.bonuses(),
                shortfall_penalty=form.cleaned_data["shortfall_penalty"],
                error_penalty=form.cleaned_data["error_penalty"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("已新增积分标准第 %(n)s 版，自 %(day)s 起生效")
                % {"n": table.number, "day": table.effective_from.isoformat()},
            )
            return redirect("infowork:points")
    return _page(
        request,
        "infowork/points_new.html",
        {"form": form, "placements": [Placement(p).label for p in rules.PLACEMENTS]},
    )


# -- rankings --------------------------------------------------------------------------------


def _bar_option(
    labels: list[str], values: list[Decimal], name: str, *, horizontal: bool = False
) -> dict[str, Any]:
    """ECharts wants numbers: the Decimals go as JSON numbers (one decimal place, exact)."""
    category: dict[str, Any] = {"type": "category", "data": labels, "axisLabel": {"interval": 0}}
    value_axis = {"type": "value", "name": _("分")}
    if horizontal:
        category["inverse"] = True
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": value_axis if horizontal else category,
        "yAxis": category if horizontal else value_axis,
        "series": [{"name": name, "type": "bar", "data": [float(v) for v in values]}],
    }


@staff_page("infowork.view")
def rankings(request: AuthedRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    year, month, kind = form.period()
    if not form.is_bound:
        form = PeriodForm(initial={"year": year, "kind": kind})
    ranked = selectors.standings(actor=request.user, year=year, month=month, kind=kind)
    top = selectors.standings(actor=request.user, year=year, month=month, kind="union")[:TOP_UNIONS]
    monthly = selectors.monthly_points(actor=request.user, year=year)
    charts = [
        {
            "id": "chart-monthly",
            "title": _("%(year)s 年各月刊用积分") % {"year": year},
            "option": _bar_option(
                [_("%(m)s月") % {"m": m} for m in range(1, 13)], monthly, _("刊用积分")
            ),
            "rows": [(_("%(m)s月") % {"m": m}, v) for m, v in enumerate(monthly, start=1)],
            "has_data": any(monthly),
        },
        {
            "id": "chart-top",
            "title": _("工会积分前 %(n)s 名") % {"n": TOP_UNIONS},
            "option": _bar_option(
                [s.label for _r, s in top],
                [s.total for _r, s in top],
                _("总积分"),
                horizontal=True,
            ),
            "rows": [(s.label, s.total) for _r, s in top],
            "has_data": bool(top),
        },
    ]
    return _page(
        request,
        "infowork/rankings.html",
        {
            "form": form,
            "year": year,
            "month": month,
            "kind": kind,
            "page": paginate(request, ranked, per_page=100),
            "charts": charts,
            "query": _query(request),
        },
    )


RANKING_HEADERS = [
    gettext_lazy("名次"),
    gettext_lazy("代码"),
    gettext_lazy("名称"),
    gettext_lazy("刊用积分"),
    gettext_lazy("批示加分"),
    gettext_lazy("差错扣分"),
    gettext_lazy("总积分"),
    gettext_lazy("采用篇数"),
]


@staff_page("infowork.view")
def rankings_export(request: AuthedRequest) -> FileResponse:
    year, month, kind = PeriodForm(request.GET or None).period()
    ranked = selectors.standings(actor=request.user, year=year, month=month, kind=kind)
    log_action(
        "infowork.rankings.exported",
        actor=request.user,
        object_repr=_("信息工作排名导出"),
        changes={"year": year, "month": month, "kind": kind, "rows": len(ranked)},
    )
    rows = (
        [rank, s.key, s.label, s.points, s.bonus, s.penalty, s.total, s.pieces]
        for rank, s in ranked
    )
    stem = f"infowork-rankings-{kind}-{year}" + (f"-{month:02d}" if month else "")
    return xlsx_download(stem, [str(h) for h in RANKING_HEADERS], rows, sheet_name="排名")


QUOTA_HEADERS = [
    gettext_lazy("年度"),
    gettext_lazy("工会代码"),
    gettext_lazy("单位"),
    gettext_lazy("采用篇数任务"),
    gettext_lazy("采用篇数"),
    gettext_lazy("积分任务"),
    gettext_lazy("积分"),
    gettext_lazy("结果"),
    gettext_lazy("少采用篇数"),
    gettext_lazy("扣分"),
]


@staff_page("infowork.view")
def quota_export(request: AuthedRequest) -> FileResponse:
    year = _year(request)
    rows = selectors.quota_rows(actor=request.user, year=year)
    log_action(
        "infowork.quotas.exported",
        actor=request.user,
        object_repr=_("年度任务导出"),
        changes={"year": year, "rows": len(rows)},
    )
    met, not_met = _("达标"), _("未达标")
    return xlsx_download(
        f"infowork-quotas-{year}",
        [str(h) for h in QUOTA_HEADERS],
        (
            [
                year,
                r.quota.union.code,
                r.quota.department.name if r.quota.department else r.quota.union.name,
                r.quota.pieces,
                r.pieces_done,
                r.quota.points,
                r.points_done,
                met if r.outcome.met else not_met,
                r.outcome.missing_pieces,
                r.outcome.penalty,
            ]
            for r in rows
        ),
        sheet_name="年度任务",
    )


SUBMISSION_HEADERS = [
    gettext_lazy("标题"),
    gettext_lazy("类别"),
    gettext_lazy("报送单位"),
    gettext_lazy("信息员"),
    gettext_lazy("报送时间"),
    gettext_lazy("状态"),
    gettext_lazy("采用时间"),
]


@staff_page("infowork.view")
def submission_export(request: AuthedRequest) -> FileResponse:
    form = SubmissionFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    submissions = selectors.submission_list(
        actor=request.user,
        status=data.get("status", ""),
        category=data.get("category", ""),
        query=data.get("q", ""),
    )
    log_action(
        "infowork.submissions.exported",
        actor=request.user,
        object_repr=_("投稿导出"),
        changes={k: data.get(k, "") for k in ("status", "category", "q")},
    )

    def local(moment: Any) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    return xlsx_download(
        "infowork-submissions",
        [str(h) for h in SUBMISSION_HEADERS],
        (
            [
                s.title,
                s.get_category_display(),
                s.department.name if s.department else s.union.name,
                str(s.officer.user),
                local(s.submitted_at),
                s.get_status_display(),
                local(s.adopted_at),
            ]
            for s in submissions.iterator(chunk_size=500)
        ),
        sheet_name="投稿",
    )
