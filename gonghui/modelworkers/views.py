"""Pages of the model-worker program: the staff pages under /w/model-workers/ (registry,
policies, allowance batches, health checks, 疗休养, 劳模大讲堂) and the member's 劳模大讲堂 page
on the phone (/m/model-workers/)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.audit.log import log_action
from gonghui.core.errors import DomainError, NotFound
from gonghui.core.http import AuthedRequest
from gonghui.core.money import format_fen
from gonghui.core.pages import form_error, paginate, staff_page, xlsx_download
from gonghui.members.selectors import member_get, member_of_account
from gonghui.modelworkers import rules, selectors, services
from gonghui.modelworkers.forms import (
    AnswerForm,
    AttendanceForm,
    CancelForm,
    GenerateForm,
    HealthCheckForm,
    HonourForm,
    ImportForm,
    InvitationMoveForm,
    LectureForm,
    PolicyForm,
    RegisterForm,
    RegistryFilterForm,
    ResultForm,
    RevokeForm,
    StatusForm,
    TripForm,
    policy_initial,
)
from gonghui.modelworkers.models import (
    BatchStatus,
    InvitationState,
    Level,
    LineState,
    WorkerStatus,
)
from gonghui.orgs.models import Union

VIEW, CHANGE = selectors.VIEW, selectors.CHANGE
PER_PAGE = 50
UPLOAD_MAX = 10 * 1024 * 1024

# What the buttons on an invitation say, by target state.
MOVE_LABELS: dict[str, Any] = {
    InvitationState.ACCEPTED: gettext_lazy("接受"),
    InvitationState.DECLINED: gettext_lazy("婉拒"),
    InvitationState.ATTENDED: gettext_lazy("已参加"),
    InvitationState.ABSENT: gettext_lazy("未参加"),
}


def _union_of(code: str) -> Union | None:
    return Union.objects.filter(code=code.strip().upper()).first() if code.strip() else None


def _export(request: AuthedRequest, what: str) -> None:
    log_action(
        "modelworkers.exported",
        actor=request.user,
        object_repr=what,
        changes={"table": what, "query": request.GET.urlencode()},
    )


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# -- home and charts ------------------------------------------------------------------------


def _chart_pie(title: str, pairs: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0},
        "series": [
            {
                "name": title,
                "type": "pie",
                "radius": ["28%", "52%"],
                "label": {"formatter": "{b} {c}", "overflow": "none"},
                "data": [{"name": name, "value": value} for name, value in pairs],
            }
        ],
    }


def _chart_months(pairs: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "category", "data": [name for name, _fen in pairs]},
        "yAxis": {"type": "value", "name": _("元")},
        "series": [
            {"name": _("已发放津贴"), "type": "bar", "data": [_yuan(fen) for _n, fen in pairs]}
        ],
    }


def _figures(actor: Any) -> dict[str, Any]:
    by_level = selectors.counts_by(actor, "level")
    by_status = selectors.counts_by(actor, "status")
    months = selectors.paid_by_month(actor)
    return {
        "level": [(str(label), by_level.get(code, 0)) for code, label in Level.choices],
        "status": [(str(label), by_status.get(code, 0)) for code, label in WorkerStatus.choices],
        "months": [(f"{month:%Y-%m}", fen) for month, fen in months],
    }


@staff_page(VIEW)
def home(request: AuthedRequest) -> HttpResponse:
    figures = _figures(request.user)
    charts = [
        {
            "id": "mw-chart-level",
            "table": "level",
            "title": _("按级别"),
            "option": _chart_pie(_("人数"), figures["level"]),
            "rows": [(n, v) for n, v in figures["level"]],
            "unit": _("人数"),
        },
        {
            "id": "mw-chart-status",
            "table": "status",
            "title": _("按状态"),
            "option": _chart_pie(_("人数"), figures["status"]),
            "rows": [(n, v) for n, v in figures["status"]],
            "unit": _("人数"),
        },
        {
            "id": "mw-chart-months",
            "table": "months",
            "title": _("近 12 个月已发放津贴"),
            "option": _chart_months(figures["months"]),
            "rows": [(n, format_fen(v)) for n, v in figures["months"]],
            "unit": _("金额"),
        },
    ]
    return render(
        request,
        "modelworkers/home.html",
        {
            "charts": charts,
            "total": sum(v for _n, v in figures["level"]),
            "can_change": has_perm(request.user, CHANGE),
            "manager": selectors.is_city_manager(request.user),
        },
    )


@staff_page(VIEW)
def chart_export(request: AuthedRequest, table: str) -> HttpResponseBase:
    figures = _figures(request.user)
    if table not in figures:
        raise Http404
    _export(request, f"chart:{table}")
    if table == "months":
        return xlsx_download(
            "model-workers-allowance-months",
            [_("月份"), _("已发放津贴（元）")],
            ((n, _yuan(v)) for n, v in figures["months"]),
        )
    first = _("级别") if table == "level" else _("状态")
    return xlsx_download(f"model-workers-{table}", [first, _("人数")], figures[table])


# -- registry -------------------------------------------------------------------------------


def _registry_filters(request: AuthedRequest) -> tuple[RegistryFilterForm, dict[str, Any]]:
    form = RegistryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    union = _union_of(data.get("union", ""))
    return form, {
        "level": data.get("level", ""),
        "status": data.get("status", ""),
        "union": union,
        "query": data.get("q", ""),
    }


@staff_page(VIEW)
def registry(request: AuthedRequest) -> HttpResponseBase:
    form, filters = _registry_filters(request)
    workers = selectors.registry(actor=request.user, **filters)
    if request.GET.get("export") == "xlsx":
        _export(request, "registry")
        return xlsx_download(
            "model-workers",
            [
                _("会员号"),
                _("姓名"),
                _("所在工会"),
                _("最高荣誉级别"),
                _("授予年份"),
                _("状态"),
                _("困难劳模"),
            ],
            (
                (
                    w.member.member_no,
                    w.member.name,
                    w.member.union.name,
                    w.get_level_display(),
                    w.award_year,
                    w.get_status_display(),
                    _("是") if w.member.is_hardship else "",
                )
                for w in workers.iterator(chunk_size=1000)
            ),
            sheet_name="劳模名册",
        )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "modelworkers/registry.html",
        {
            "form": form,
            "page": paginate(request, workers, per_page=PER_PAGE),
            "query": params.urlencode(),
            "can_change": has_perm(request.user, CHANGE),
        },
    )


@staff_page(CHANGE)
def register(request: AuthedRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = member_get(actor=request.user, member_no=data["member_no"], permission=VIEW)
            worker = services.model_worker_register(
                by=request.user,
                member=member,
                honour=services.HonourData(
                    data["title"], data["level"], data["year"], data["unit"]
                ),
                status=data["status"],
                status_since=timezone.localdate()
                if data["status"] != WorkerStatus.WORKING
                else None,
            )
        except NotFound:
            form.add_error("member_no", _("没有找到该会员，或不在您的管辖范围内"))
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已登记 %(name)s") % {"name": member.name})
            return redirect("modelworkers:worker", public_id=worker.public_id)
    return render(request, "modelworkers/register.html", {"form": form})


@staff_page(CHANGE)
def registry_import(request: AuthedRequest) -> HttpResponse:
    from gonghui.jobs.services import job_start

    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > UPLOAD_MAX:
            form.add_error("file", _("文件超过 10 MB，请分批导入"))
        else:
            job = job_start(
                by=request.user,
                kind="modelworkers.import",
                title=_("导入劳模名册：%(name)s") % {"name": upload.name[:60]},
                params={},
                input_file=upload,
            )
            return redirect("jobs:detail", public_id=job.public_id)
    return render(request, "modelworkers/import.html", {"form": form})


@staff_page(VIEW)
def worker(request: AuthedRequest, public_id: str) -> HttpResponse:
    model_worker = selectors.model_worker_get(actor=request.user, public_id=public_id)
    member = model_worker.member
    can_change = has_perm(request.user, CHANGE, member.union.path)
    year = timezone.localdate().year
    aid = selectors.aid_summary(member) if member.is_hardship else []
    return render(
        request,
        "modelworkers/worker.html",
        {
            "worker": model_worker,
            "member": member,
            "honours": selectors.honours_of(model_worker),
            "lines": selectors.lines_of(model_worker)[:24],
            "payments": selectors.payments_of(model_worker)[:24],
            "checks": model_worker.checks.order_by("-year")[:10],
            "invitations": model_worker.invitations.select_related("trip").order_by(
                "-trip__starts_on"
            )[:10],
            "can_change": can_change,
            "hardship": member.is_hardship,
            "aid": aid,
            "year": year,
            "checked_this_year": model_worker.checks.filter(year=year).exists(),
            "honour_form": HonourForm(),
            "status_form": StatusForm(
                initial={"status": model_worker.status, "since": timezone.localdate()}
            ),
            "check_form": HealthCheckForm(initial={"done_on": timezone.localdate()}),
            "revoke_form": RevokeForm(),
        },
    )


def _worker_action(request: AuthedRequest, public_id: str) -> Any:
    return selectors.model_worker_get(actor=request.user, public_id=public_id, permission=CHANGE)


@staff_page(CHANGE)
@require_POST
def worker_honour(request: AuthedRequest, public_id: str) -> HttpResponse:
    model_worker = _worker_action(request, public_id)
    form = HonourForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写荣誉称号、级别、授予年份和获奖单位"))
    else:
        data = form.cleaned_data
        try:
            services.model_worker_register(
                by=request.user,
                member=model_worker.member,
                honour=services.HonourData(
                    data["title"], data["level"], data["year"], data["unit"]
                ),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记荣誉“%(t)s”") % {"t": data["title"]})
    return redirect("modelworkers:worker", public_id=model_worker.public_id)


@staff_page(CHANGE)
@require_POST
def worker_revoke(request: AuthedRequest, public_id: str, honour_id: str) -> HttpResponse:
    model_worker = _worker_action(request, public_id)
    honour = model_worker.honours.filter(public_id=honour_id).first()
    if honour is None:
        raise Http404
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("modelworkers.reason_required", _("请填写撤销原因"))
        services.honour_revoke(by=request.user, honour=honour, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销荣誉“%(t)s”") % {"t": honour.title})
    return redirect("modelworkers:worker", public_id=model_worker.public_id)


@staff_page(CHANGE)
@require_POST
def worker_status(request: AuthedRequest, public_id: str) -> HttpResponse:
    model_worker = _worker_action(request, public_id)
    form = StatusForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("modelworkers.status_invalid", _("请选择状态并填写变更日期"))
        services.status_set(
            by=request.user,
            model_worker=model_worker,
            status=form.cleaned_data["status"],
            since=form.cleaned_data["since"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("状态已更新"))
    return redirect("modelworkers:worker", public_id=model_worker.public_id)


@staff_page(CHANGE)
@require_POST
def worker_check(request: AuthedRequest, public_id: str) -> HttpResponse:
    model_worker = _worker_action(request, public_id)
    form = HealthCheckForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("modelworkers.check_date", _("请填写体检日期和体检机构"))
        done_on = form.cleaned_data["done_on"]
        services.health_check_record(
            by=request.user,
            model_worker=model_worker,
            year=done_on.year,
            done_on=done_on,
            institution=form.cleaned_data["institution"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记体检"))
    if request.POST.get("next") == "health":
        return redirect("modelworkers:health")
    return redirect("modelworkers:worker", public_id=model_worker.public_id)


# -- policies -------------------------------------------------------------------------------


@staff_page(VIEW)
def policies(request: AuthedRequest) -> HttpResponse:
    manager = selectors.is_city_manager(request.user)
    rows = list(selectors.policies()[:10])
    initial = policy_initial(rows[0]) if rows else {}
    initial["year"] = timezone.localdate().year
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not manager:
            return render(request, "core/forbidden.html", status=403)
        if form.is_valid():
            try:
                policy = services.policy_save(
                    by=request.user,
                    year=form.cleaned_data["year"],
                    rates=form.rates(),
                    health=form.health(),
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("%(year)d 年度政策已保存") % {"year": policy.year})
                return redirect("modelworkers:policies")
    described = [
        (
            policy,
            [
                (
                    label,
                    [
                        selectors.rates_of(policy).get((level, status, hardship), 0)
                        for status in rules.PAYABLE_STATUSES
                        for hardship in (False, True)
                    ],
                    selectors.health_of(policy).get(level, 0),
                )
                for level, label in Level.choices
            ],
        )
        for policy in rows
    ]
    return render(
        request,
        "modelworkers/policies.html",
        {"policies": described, "form": form if manager else None},
    )


# -- allowance batches ----------------------------------------------------------------------


@staff_page(VIEW)
def batches(request: AuthedRequest) -> HttpResponse:
    manager = selectors.is_city_manager(request.user)
    form = GenerateForm(
        request.POST or None,
        initial={"month": f"{timezone.localdate():%Y-%m}"},
    )
    if request.method == "POST":
        if not manager:
            return render(request, "core/forbidden.html", status=403)
        if form.is_valid() and form.cleaned_data["month"]:
            try:
                batch = services.batch_generate(by=request.user, month=form.cleaned_data["month"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("%(m)s 津贴批次已生成") % {"m": f"{batch.month:%Y-%m}"})
                return redirect("modelworkers:batch", public_id=batch.public_id)
    return render(
        request,
        "modelworkers/batches.html",
        {
            "page": paginate(request, selectors.batch_list(actor=request.user), per_page=24),
            "form": form if manager else None,
        },
    )


@staff_page(VIEW)
def batch(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    allowance_batch = selectors.batch_get(actor=request.user, public_id=public_id)
    state = request.GET.get("state", "")
    if state not in LineState.values:
        state = ""
    lines = selectors.batch_lines(actor=request.user, batch=allowance_batch, state=state)
    if request.GET.get("export") == "xlsx":
        _export(request, f"batch:{allowance_batch.month:%Y-%m}")
        return xlsx_download(
            f"model-workers-allowance-{allowance_batch.month:%Y%m}",
            [
                _("业务编号"),
                _("会员号"),
                _("姓名"),
                _("所在工会"),
                _("津贴月份"),
                _("级别"),
                _("状态"),
                _("困难劳模"),
                _("金额（元）"),
                _("发放状态"),
                _("失败原因"),
            ],
            (
                (
                    line.reference,
                    line.model_worker.member.member_no,
                    line.model_worker.member.name,
                    line.union.name,
                    f"{line.for_month:%Y-%m}",
                    line.get_level_display(),
                    line.get_status_display(),
                    _("是") if line.hardship else "",
                    _yuan(line.amount_fen),
                    line.get_state_display(),
                    line.reason,
                )
                for line in lines.iterator(chunk_size=1000)
            ),
            sheet_name="津贴明细",
        )
    summary = selectors.batch_summary(allowance_batch)
    return render(
        request,
        "modelworkers/batch.html",
        {
            "batch": allowance_batch,
            "summary": [
                (code, label, summary.get(code, {"count": 0, "fen": 0}))
                for code, label in LineState.choices
            ],
            "state": state,
            "query": f"state={state}" if state else "",
            "page": paginate(request, lines, per_page=PER_PAGE),
            "manager": selectors.is_city_manager(request.user),
            "result_form": ResultForm(),
            "statuses": BatchStatus,
        },
    )


def _manager_batch(request: AuthedRequest, public_id: str) -> Any:
    allowance_batch = selectors.batch_get(
        actor=request.user, public_id=public_id, permission=CHANGE
    )
    if not selectors.is_city_manager(request.user):
        raise NotFound("not_found", _("没有找到该记录，或您无权查看"))
    return allowance_batch


@staff_page(CHANGE)
@require_POST
def batch_approve(request: AuthedRequest, public_id: str) -> HttpResponse:
    allowance_batch = _manager_batch(request, public_id)
    try:
        services.batch_approve(by=request.user, batch=allowance_batch)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("批次已审批，可以生成发放文件"))
    return redirect("modelworkers:batch", public_id=allowance_batch.public_id)


@staff_page(CHANGE)
@require_POST
def batch_file(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    allowance_batch = _manager_batch(request, public_id)
    try:
        data = services.batch_payout_file(by=request.user, batch=allowance_batch)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("modelworkers:batch", public_id=allowance_batch.public_id)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"model-workers-payout-{allowance_batch.month:%Y%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_page(CHANGE)
@require_POST
def batch_results(request: AuthedRequest, public_id: str) -> HttpResponse:
    allowance_batch = _manager_batch(request, public_id)
    form = ResultForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择银行回盘文件并填写到账日期"))
        return redirect("modelworkers:batch", public_id=allowance_batch.public_id)
    upload = form.cleaned_data["file"]
    if upload.size > UPLOAD_MAX:
        messages.error(request, _("文件超过 10 MB"))
        return redirect("modelworkers:batch", public_id=allowance_batch.public_id)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result"
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            outcome = services.batch_results_import(
                by=request.user,
                batch=allowance_batch,
                path=path,
                paid_on=form.cleaned_data["paid_on"],
            )
        except DomainError as exc:
            problems = exc.details.get("errors") or exc.details.get("problems") or []
            messages.error(request, exc.message)
            for problem in problems[:5]:
                messages.error(
                    request,
                    problem
                    if isinstance(problem, str)
                    else _("第 %(row)s 行：%(reason)s") % problem,
                )
        else:
            messages.success(
                request,
                _("回盘已导入：成功 %(paid)d 笔，失败 %(failed)d 笔（失败的将转入下一批次）")
                % outcome,
            )
    return redirect("modelworkers:batch", public_id=allowance_batch.public_id)


# -- health checks --------------------------------------------------------------------------


@staff_page(VIEW)
def health(request: AuthedRequest) -> HttpResponseBase:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    due = selectors.health_due(actor=request.user, year=year)
    if request.GET.get("export") == "xlsx":
        _export(request, f"health:{year}")
        return xlsx_download(
            f"model-workers-health-{year}",
            [_("会员号"), _("姓名"), _("所在工会"), _("级别"), _("状态")],
            (
                (
                    w.member.member_no,
                    w.member.name,
                    w.member.union.name,
                    w.get_level_display(),
                    w.get_status_display(),
                )
                for w in due.iterator(chunk_size=1000)
            ),
        )
    return render(
        request,
        "modelworkers/health.html",
        {
            "year": year,
            "page": paginate(request, due, per_page=PER_PAGE),
            "done": selectors.health_done(actor=request.user, year=year)[:50],
            "has_policy": selectors.policy_for_year(year) is not None,
            "can_change": has_perm(request.user, CHANGE),
            "check_form": HealthCheckForm(initial={"done_on": timezone.localdate()}),
        },
    )


# -- 疗休养 ---------------------------------------------------------------------------------


@staff_page(VIEW)
def trips(request: AuthedRequest) -> HttpResponseBase:
    can_change = has_perm(request.user, CHANGE)
    home_union = selectors.city_union() if selectors.is_city_manager(request.user) else None
    form = TripForm(request.POST or None, initial={"union": home_union.code if home_union else ""})
    if request.method == "POST":
        if not can_change:
            return render(request, "core/forbidden.html", status=403)
        if form.is_valid():
            data = form.cleaned_data
            union = _union_of(data["union"])
            if union is None or not has_perm(request.user, CHANGE, union.path):
                form.add_error("union", _("没有找到该工会，或不在您的管辖范围内"))
            else:
                try:
                    trip = services.trip_create(
                        by=request.user,
                        union=union,
                        title=data["title"],
                        destination=data["destination"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        quota=data["quota"],
                        answer_by=data["answer_by"],
                    )
                except DomainError as exc:
                    form_error(form, exc)
                else:
                    messages.success(request, _("疗休养已创建，可以按轮候顺序邀请"))
                    return redirect("modelworkers:trip", public_id=trip.public_id)
    listed = selectors.trip_list(actor=request.user)
    if request.GET.get("export") == "xlsx":
        _export(request, "trips")
        return xlsx_download(
            "model-workers-trips",
            [
                _("名称"),
                _("目的地"),
                _("出发日期"),
                _("返回日期"),
                _("答复截止日期"),
                _("名额"),
                _("已占名额"),
                _("组织单位"),
                _("状态"),
            ],
            (
                (
                    t.name,
                    t.destination,
                    t.starts_on,
                    t.ends_on,
                    t.deadline,
                    t.quota,
                    getattr(t, "holding", 0),
                    t.union.name,
                    _("已取消") if t.cancelled else "",
                )
                for t in listed.iterator(chunk_size=1000)
            ),
        )
    return render(
        request,
        "modelworkers/trips.html",
        {
            "page": paginate(request, listed, per_page=PER_PAGE),
            "today": timezone.localdate(),
            "form": form if can_change else None,
        },
    )


@staff_page(VIEW)
def trip(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    the_trip = selectors.trip_get(actor=request.user, public_id=public_id)
    invitations = selectors.invitations_of(the_trip)
    if request.GET.get("export") == "xlsx":
        _export(request, f"trip:{the_trip.public_id}")
        return xlsx_download(
            "model-workers-trip",
            [_("轮候序号"), _("会员号"), _("姓名"), _("所在工会"), _("级别"), _("状态")],
            (
                (
                    i.position,
                    i.model_worker.member.member_no,
                    i.model_worker.member.name,
                    i.model_worker.member.union.name,
                    i.model_worker.get_level_display(),
                    i.get_state_display(),
                )
                for i in invitations
            ),
        )
    can_change = has_perm(request.user, CHANGE, the_trip.union.path)
    holding = sum(1 for i in invitations if i.state in (*rules.WENT, InvitationState.INVITED))
    rows = [
        (
            invitation,
            [(to, MOVE_LABELS[to]) for to in rules.INVITATION_TRANSITIONS[invitation.state]]
            if can_change and not the_trip.cancelled
            else [],
            # Answered by the model worker on their phone (not recorded by staff).
            invitation.by_id is not None
            and invitation.by_id == invitation.model_worker.member.account_id,
        )
        for invitation in invitations
    ]
    today = timezone.localdate()
    return render(
        request,
        "modelworkers/trip.html",
        {
            "trip": the_trip,
            "rows": rows,
            "holding": holding,
            "free": 0 if the_trip.cancelled else rules.places_free(the_trip.quota, holding),
            "deadline_passed": today > the_trip.deadline,
            "declined": sum(1 for i in invitations if i.state == InvitationState.DECLINED),
            "queue": selectors.rotation_queue(the_trip, limit=20),
            "can_change": can_change,
            "can_cancel": can_change and not the_trip.cancelled and the_trip.starts_on > today,
            "cancel_form": CancelForm(),
        },
    )


@staff_page(CHANGE)
@require_POST
def trip_cancel(request: AuthedRequest, public_id: str) -> HttpResponse:
    the_trip = selectors.trip_get(actor=request.user, public_id=public_id, permission=CHANGE)
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(
                "modelworkers.reason_required", _("请填写取消原因，并勾选确认后再取消")
            )
        services.trip_cancel(by=request.user, trip=the_trip, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("疗休养已取消：%(t)s") % {"t": the_trip.name})
    return redirect("modelworkers:trip", public_id=the_trip.public_id)


@staff_page(CHANGE)
@require_POST
def trip_invite(request: AuthedRequest, public_id: str) -> HttpResponse:
    the_trip = selectors.trip_get(actor=request.user, public_id=public_id, permission=CHANGE)
    try:
        invited = services.trip_invite(by=request.user, trip=the_trip)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已按轮候顺序邀请 %(n)d 人") % {"n": len(invited)})
    return redirect("modelworkers:trip", public_id=the_trip.public_id)


@staff_page(CHANGE)
@require_POST
def invitation_move(request: AuthedRequest, public_id: str, invitation_id: str) -> HttpResponse:
    the_trip = selectors.trip_get(actor=request.user, public_id=public_id, permission=CHANGE)
    invitation = (
        the_trip.invitations.select_related("model_worker__member")
        .filter(public_id=invitation_id)
        .first()
    )
    form = InvitationMoveForm(request.POST)
    if invitation is None or not form.is_valid():
        raise Http404
    try:
        services.invitation_move(by=request.user, invitation=invitation, to=form.cleaned_data["to"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s：%(state)s")
            % {
                "name": invitation.model_worker.member.name,
                "state": InvitationState(form.cleaned_data["to"]).label,
            },
        )
    return redirect("modelworkers:trip", public_id=the_trip.public_id)


# -- 劳模大讲堂 -----------------------------------------------------------------------------


@staff_page(VIEW)
def lectures(request: AuthedRequest) -> HttpResponseBase:
    can_change = has_perm(request.user, CHANGE)
    home_union = selectors.city_union() if selectors.is_city_manager(request.user) else None
    form = LectureForm(
        request.POST or None, initial={"union": home_union.code if home_union else ""}
    )
    if request.method == "POST":
        if not can_change:
            return render(request, "core/forbidden.html", status=403)
        if form.is_valid():
            data = form.cleaned_data
            union = _union_of(data["union"])
            speaker = (
                selectors.registry(actor=request.user)
                .filter(member__member_no=data["speaker"].strip().upper())
                .first()
            )
            if union is None or not has_perm(request.user, CHANGE, union.path):
                form.add_error("union", _("没有找到该工会，或不在您的管辖范围内"))
            elif speaker is None:
                form.add_error("speaker", _("没有找到该在册劳模，或不在您的管辖范围内"))
            else:
                try:
                    lecture = services.lecture_create(
                        by=request.user,
                        union=union,
                        title=data["title"],
                        speaker=speaker,
                        starts_at=data["starts_at"],
                        place=data["place"],
                        capacity=data["capacity"],
                    )
                except DomainError as exc:
                    form_error(form, exc)
                else:
                    messages.success(request, _("劳模大讲堂已发布，会员可以在手机上报名"))
                    return redirect("modelworkers:lecture", public_id=lecture.public_id)
    listed = selectors.lecture_list(actor=request.user)
    if request.GET.get("export") == "xlsx":
        _export(request, "lectures")
        return xlsx_download(
            "model-workers-lectures",
            [_("主题"), _("主讲劳模"), _("开始时间"), _("地点"), _("名额"), _("已报名")],
            (
                (
                    item.title,
                    item.speaker.member.name,
                    timezone.localtime(item.starts_at).strftime("%Y-%m-%d %H:%M"),
                    item.place,
                    item.capacity,
                    item.signed_up,
                )
                for item in listed
            ),
        )
    return render(
        request,
        "modelworkers/lectures.html",
        {
            "page": paginate(request, listed, per_page=PER_PAGE),
            "form": form if can_change else None,
        },
    )


@staff_page(VIEW)
def lecture(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    the_lecture = selectors.lecture_get(actor=request.user, public_id=public_id)
    signups = selectors.signups_of(actor=request.user, lecture=the_lecture)
    if request.GET.get("export") == "xlsx":
        _export(request, f"lecture:{the_lecture.public_id}")
        return xlsx_download(
            "model-workers-lecture-signups",
            [_("会员号"), _("姓名"), _("所在工会"), _("报名时间"), _("出席")],
            (
                (
                    s.member.member_no,
                    s.member.name,
                    s.member.union.name,
                    timezone.localtime(s.signed_at).strftime("%Y-%m-%d %H:%M"),
                    _("是") if s.attended else "",
                )
                for s in signups.iterator(chunk_size=1000)
            ),
        )
    started = the_lecture.starts_at <= timezone.now()
    can_change = has_perm(request.user, CHANGE, the_lecture.union.path)
    return render(
        request,
        "modelworkers/lecture.html",
        {
            "lecture": the_lecture,
            "page": paginate(request, signups, per_page=PER_PAGE),
            "started": started,
            "can_change": has_perm(request.user, CHANGE),
            "can_cancel": can_change and not the_lecture.cancelled and not started,
            "cancel_form": CancelForm(),
            "cancelled_signups": selectors.signups_cancelled_with(
                actor=request.user, lecture=the_lecture
            )[:200]
            if the_lecture.cancelled
            else [],
        },
    )


@staff_page(CHANGE)
@require_POST
def lecture_cancel(request: AuthedRequest, public_id: str) -> HttpResponse:
    the_lecture = selectors.lecture_get(actor=request.user, public_id=public_id, permission=CHANGE)
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(
                "modelworkers.reason_required", _("请填写取消原因，并勾选确认后再取消")
            )
        count = services.lecture_cancel(
            by=request.user, lecture=the_lecture, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("讲座已取消，%(n)d 人的报名已一并取消") % {"n": count},
        )
    return redirect("modelworkers:lecture", public_id=the_lecture.public_id)


@staff_page(CHANGE)
@require_POST
def signup_attendance(request: AuthedRequest, public_id: str, signup_id: str) -> HttpResponse:
    the_lecture = selectors.lecture_get(actor=request.user, public_id=public_id)
    signup = (
        selectors.signups_of(actor=request.user, lecture=the_lecture)
        .filter(public_id=signup_id)
        .first()
    )
    if signup is None:
        raise Http404
    form = AttendanceForm(request.POST)
    form.is_valid()
    try:
        services.signup_attendance(
            by=request.user, signup=signup, attended=bool(form.cleaned_data.get("attended"))
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("modelworkers:lecture", public_id=the_lecture.public_id)


# -- the member's page (phone) --------------------------------------------------------------


@login_required
def portal(request: AuthedRequest) -> HttpResponse:
    member = member_of_account(request.user)
    if member is None:
        return render(request, "portal/not_member.html", status=404)
    signups = list(selectors.signups_of_member(member))
    mine = {s.lecture_id for s in signups}
    today = timezone.localdate()
    invitations = [
        (invitation, _answerable(invitation, today))
        for invitation in selectors.invitations_of_member(member, today=today)[:20]
    ]
    return render(
        request,
        "modelworkers/portal.html",
        {
            "member": member,
            "is_model_worker": selectors.model_worker_of(member) is not None,
            "invitations": invitations,
            "lectures": [(x, x.pk in mine) for x in selectors.lectures_for_member(member)[:30]],
            "signups": signups,
            "called_off": selectors.cancelled_lectures_of_member(member)[:20],
        },
    )


def _answerable(invitation: Any, today: Any) -> list[str]:
    """The answers the member may still give on the phone: accept and/or decline."""
    return rules.member_answers(
        state=invitation.state,
        deadline=invitation.trip.deadline,
        today=today,
        cancelled=invitation.trip.cancelled,
    )


def _portal_invitation(request: AuthedRequest, public_id: str) -> Any:
    member = member_of_account(request.user)
    invitation = selectors.invitation_for_member(member, public_id) if member is not None else None
    if invitation is None:  # someone else's invitation: as if it did not exist
        raise Http404
    return invitation


@login_required
def portal_invitation(request: AuthedRequest, public_id: str) -> HttpResponse:
    invitation = _portal_invitation(request, public_id)
    return render(
        request,
        "modelworkers/portal_invitation.html",
        {
            "invitation": invitation,
            "trip": invitation.trip,
            "answers": _answerable(invitation, timezone.localdate()),
            "form": AnswerForm(),
        },
    )


@login_required
@require_POST
def portal_answer(request: AuthedRequest, public_id: str) -> HttpResponse:
    invitation = _portal_invitation(request, public_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择接受或婉拒；婉拒原因不超过 200 字"))
        return redirect("modelworkers_portal:invitation", public_id=invitation.public_id)
    accept = form.cleaned_data["answer"] == "accept"
    try:
        services.invitation_answer(
            by=request.user,
            invitation=invitation,
            accept=accept,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("modelworkers_portal:invitation", public_id=invitation.public_id)
    if accept:
        messages.success(
            request,
            _("已接受邀请：%(t)s，请按时出发") % {"t": invitation.trip.name},
        )
    else:
        messages.success(
            request,
            _("已婉拒邀请：%(t)s。您在轮候名单中的位置保留，下次优先安排")
            % {"t": invitation.trip.name},
        )
    return redirect("modelworkers_portal:home")


def _portal_lecture(request: AuthedRequest, public_id: str) -> tuple[Any, Any]:
    member = member_of_account(request.user)
    if member is None:
        raise Http404
    the_lecture = selectors.lecture_for_member(member, public_id)
    if the_lecture is None:
        raise Http404
    return member, the_lecture


@login_required
@require_POST
def portal_sign_up(request: AuthedRequest, public_id: str) -> HttpResponse:
    member, the_lecture = _portal_lecture(request, public_id)
    try:
        services.lecture_sign_up(by=request.user, lecture=the_lecture, member=member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("报名成功：%(t)s") % {"t": the_lecture.title})
    return redirect("modelworkers_portal:home")


@login_required
@require_POST
def portal_cancel(request: AuthedRequest, public_id: str) -> HttpResponse:
    member, the_lecture = _portal_lecture(request, public_id)
    try:
        services.lecture_sign_up_cancel(by=request.user, lecture=the_lecture, member=member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消报名：%(t)s") % {"t": the_lecture.title})
    return redirect("modelworkers_portal:home")
