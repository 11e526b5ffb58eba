"""Staff pages of 对标找差距: the cockpit (对标管理驾驶舱), an indicator's trend and its problems,
a problem with its measures, the figures, study visits and the work plan."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.benchmarking import charts, selectors, services
from gonghui.benchmarking.forms import (
    CityForm,
    CityValueForm,
    CounterpartForm,
    FigureForm,
    IndicatorForm,
    MeasureForm,
    PlanItemForm,
    ProblemForm,
    ReflectionForm,
    TakeawayForm,
    TakeawayMeasureForm,
    TakeawayPlanForm,
    VisitForm,
    YearForm,
)
from gonghui.benchmarking.models import Takeaway
from gonghui.core.errors import DomainError, NotFound
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import form_error, paginate, staff_page, xlsx_download
from gonghui.followup import selectors as followup_selectors
from gonghui.followup import services as followup_services

VIEW, CHANGE = "assessment.view", "assessment.change"
PER_PAGE = 30


def _year(request: AuthedRequest) -> int:
    form = YearForm(request.GET or None)
    return form.cleaned_data["year"] if form.is_valid() else selectors.default_year()


def _can_change(request: AuthedRequest) -> bool:
    return has_perm(request.user, CHANGE, followup_services.city_union().path)


@staff_page(VIEW)
def home(request: AuthedRequest) -> HttpResponse:
    """对标管理驾驶舱: the gap report with its chart, overdue items per department, counts."""
    year = _year(request)
    report = selectors.gap_report(actor=request.user, year=year)
    overdue = followup_selectors.overdue_by_department(actor=request.user)
    return render(
        request,
        "benchmarking/home.html",
        {
            "report": report,
            "year": year,
            "years": selectors.years() or [year],
            "gap_chart": charts.gap_bars(report),
            "overdue": overdue,
            "overdue_chart": charts.overdue_bars(overdue),
            "items": followup_selectors.item_counts(actor=request.user),
            "state_colours": charts.STATE_COLOURS,
            "state_labels": services.STATE_LABELS,
            "can_change": _can_change(request),
        },
    )


@staff_page(VIEW)
def export_gaps(request: AuthedRequest) -> FileResponse:
    report = selectors.gap_report(actor=request.user, year=_year(request))
    headers, rows = services.gap_export(by=request.user, report=report)
    return xlsx_download(f"benchmarking-gaps-{report.year}", headers, rows, sheet_name="对标差距")


@staff_page(VIEW)
def indicator_detail(request: AuthedRequest, code: str) -> HttpResponse:
    indicator = selectors.indicator_get(code=code)
    return _indicator_page(request, indicator)


def _indicator_page(
    request: AuthedRequest, indicator: Any, problem_form: ProblemForm | None = None
) -> HttpResponse:
    year = _year(request)
    report = selectors.gap_report(actor=request.user, year=year)
    row = next((r for r in report.rows if r.indicator.pk == indicator.pk), None)
    trend = selectors.indicator_trend(actor=request.user, indicator=indicator)
    problems = list(selectors.problem_list(actor=request.user, indicator=indicator, year=year))
    measures = selectors.measures_of(problems)
    return render(
        request,
        "benchmarking/indicator.html",
        {
            "indicator": indicator,
            "year": year,
            "row": row,
            "trend": trend,
            "trend_rows": list(
                zip(trend.years, trend.own, *[values for _c, values in trend.cities], strict=True)
            ),
            "trend_chart": charts.trend_lines(trend, _("本市")),
            "problems": [(p, measures.get(p.pk, [])) for p in problems],
            "problem_form": problem_form or ProblemForm(),
            "can_change": _can_change(request),
            "state_labels": services.STATE_LABELS,
            "today": timezone.localdate(),
        },
        status=400 if problem_form is not None else 200,
    )


@staff_page(CHANGE)
@require_POST
def problem_new(request: AuthedRequest, code: str) -> HttpResponse:
    indicator = selectors.indicator_get(code=code)
    form = ProblemForm(request.POST)
    if form.is_valid():
        try:
            problem = services.problem_create(
                by=request.user, indicator=indicator, year=_year(request), **form.cleaned_data
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("问题已列出，请针对问题制定措施"))
            return redirect("benchmarking:problem", public_id=problem.public_id)
    return _indicator_page(request, indicator, problem_form=form)


@staff_page(VIEW)
def problem_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    problem = selectors.problem_get(actor=request.user, public_id=public_id)
    return _problem_page(request, problem)


def _problem_page(
    request: AuthedRequest, problem: Any, measure_form: MeasureForm | None = None
) -> HttpResponse:
    return render(
        request,
        "benchmarking/problem.html",
        {
            "problem": problem,
            "measures": selectors.measures_of([problem]).get(problem.pk, []),
            "measure_form": measure_form or MeasureForm(),
            "can_change": has_perm(request.user, CHANGE, problem.union.path),
            "today": timezone.localdate(),
        },
        status=400 if measure_form is not None else 200,
    )


@staff_page(CHANGE)
@require_POST
def measure_new(request: AuthedRequest, public_id: str) -> HttpResponse:
    problem = selectors.problem_get(actor=request.user, public_id=public_id, permission=CHANGE)
    form = MeasureForm(request.POST)
    if form.is_valid():
        try:
            measure = services.measure_create(by=request.user, problem=problem, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("措施已交办，责任人可在“我的督办”中报告进展、办结"))
            return redirect("followup:item", public_id=measure.item.public_id)
    return _problem_page(request, problem, measure_form=form)


# -- figures ---------------------------------------------------------------------------------


@staff_page(VIEW)
def data(request: AuthedRequest) -> HttpResponse:
    return _data_page(request)


def _data_page(request: AuthedRequest, **forms: Any) -> HttpResponse:
    selectors.require_view(request.user)
    year = _year(request)
    return render(
        request,
        "benchmarking/data.html",
        {
            "year": year,
            "years": selectors.years() or [year],
            "values": selectors.city_values(year=year),
            "own_values": selectors.own_values(year=year),
            "cities": selectors.cities(active_only=False),
            "indicators": selectors.indicator_list(active_only=False),
            "value_form": forms.get("value_form")
            or CityValueForm(initial={"year": year, "source_date": timezone.localdate()}),
            "own_form": forms.get("own_form")
            or FigureForm(
                prefix="own", initial={"year": year, "source_date": timezone.localdate()}
            ),
            "city_form": forms.get("city_form") or CityForm(prefix="city"),
            "indicator_form": forms.get("indicator_form") or IndicatorForm(prefix="ind"),
            "can_change": _can_change(request),
        },
        status=400 if forms else 200,
    )


@staff_page(CHANGE)
@require_POST
def data_save(request: AuthedRequest, kind: str) -> HttpResponse:
    forms: dict[str, tuple[Any, Any]] = {
        "value": (CityValueForm(request.POST), services.city_value_set),
        "own": (FigureForm(request.POST, prefix="own"), services.own_value_set),
        "city": (CityForm(request.POST, prefix="city"), services.city_save),
        "indicator": (IndicatorForm(request.POST, prefix="ind"), services.indicator_save),
    }
    if kind not in forms:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看"))
    form, service = forms[kind]
    if form.is_valid():
        try:
            service(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("benchmarking:data")
    return _data_page(request, **{f"{kind}_form": form})


# -- study visits ----------------------------------------------------------------------------


@staff_page(VIEW)
def visit_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "benchmarking/visits.html",
        {
            "page": paginate(request, selectors.visit_list(actor=request.user), per_page=PER_PAGE),
            "can_change": _can_change(request),
        },
    )


@staff_page(CHANGE)
def visit_new(request: AuthedRequest) -> HttpResponse:
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("学习考察已登记，参加人员可以提交心得体会"))
            return redirect("benchmarking:visit", public_id=visit.public_id)
    return render(request, "benchmarking/visit_new.html", {"form": form})


@staff_page()
def visit_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    visit = selectors.visit_get(actor=request.user, public_id=public_id)
    return _visit_page(request, visit)


def _visit_page(request: AuthedRequest, visit: Any, **forms: Any) -> HttpResponse:
    reflections = list(selectors.reflections_of(visit))
    mine = next((r for r in reflections if r.author_id == request.user.pk), None)
    participant = visit.participants.filter(pk=request.user.pk).exists()
    can_change = has_perm(request.user, CHANGE, visit.union.path)
    problems = list(selectors.problem_list(actor=request.user)[:50]) if can_change else []
    takeaways = list(
        visit.takeaways.select_related("measure__item", "plan_item__plan").order_by("id")
    )
    return render(
        request,
        "benchmarking/visit.html",
        {
            "visit": visit,
            "participants": visit.participants.order_by("username"),
            "counterparts": visit.counterparts.select_related("our_department"),
            "reflections": reflections,
            "participant": participant,
            "reflection_form": forms.get("reflection_form")
            or ReflectionForm(initial={"text": mine.text if mine else ""}),
            "counterpart_form": forms.get("counterpart_form") or CounterpartForm(prefix="cp"),
            "takeaway_form": forms.get("takeaway_form") or TakeawayForm(prefix="tk"),
            "takeaways": [
                (
                    t,
                    TakeawayMeasureForm(prefix=f"m{t.pk}", problems=problems),
                    TakeawayPlanForm(prefix=f"p{t.pk}", initial={"year": visit.starts_on.year + 1}),
                )
                for t in takeaways
            ],
            "has_problems": bool(problems),
            "failed": forms.get("failed"),
            "can_change": can_change,
        },
        status=400 if forms else 200,
    )


@staff_page()
@require_POST
def reflection_submit(request: AuthedRequest, public_id: str) -> HttpResponse:
    visit = selectors.visit_get(actor=request.user, public_id=public_id)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.reflection_submit(by=request.user, visit=visit, text=form.cleaned_data["text"])
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("心得体会已提交"))
            return redirect("benchmarking:visit", public_id=visit.public_id)
    return _visit_page(request, visit, reflection_form=form)


@staff_page(CHANGE)
@require_POST
def visit_add(request: AuthedRequest, public_id: str, kind: str) -> HttpResponse:
    """A counterpart meeting (对口交流) or a takeaway (启示)."""
    visit = selectors.visit_get(actor=request.user, public_id=public_id, permission=CHANGE)
    if kind == "counterpart":
        form: Any = CounterpartForm(request.POST, prefix="cp")
        key = "counterpart_form"
    elif kind == "takeaway":
        form = TakeawayForm(request.POST, prefix="tk")
        key = "takeaway_form"
    else:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看"))
    if form.is_valid():
        try:
            if kind == "counterpart":
                services.counterpart_add(by=request.user, visit=visit, **form.cleaned_data)
            else:
                services.takeaway_add(by=request.user, visit=visit, text=form.cleaned_data["text"])
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("benchmarking:visit", public_id=visit.public_id)
    return _visit_page(request, visit, **{key: form})


@staff_page(CHANGE)
@require_POST
def takeaway_use(request: AuthedRequest, public_id: str, kind: str) -> HttpResponse:
    """A takeaway becomes a measure of a problem, or an item of next year's work plan."""
    takeaway = Takeaway.objects.select_related("visit").filter(public_id=public_id).first()
    if takeaway is None or kind not in {"measure", "plan"}:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看"))
    visit = selectors.visit_get(
        actor=request.user, public_id=takeaway.visit.public_id, permission=CHANGE
    )
    try:
        if kind == "measure":
            problems = selectors.problem_list(actor=request.user)
            form: Any = TakeawayMeasureForm(
                request.POST, prefix=f"m{takeaway.pk}", problems=problems[:50]
            )
            if form.is_valid():
                problem = selectors.problem_get(
                    actor=request.user, public_id=form.cleaned_data["problem"], permission=CHANGE
                )
                services.takeaway_to_measure(
                    by=request.user,
                    takeaway=takeaway,
                    problem=problem,
                    owner=form.cleaned_data["owner"],
                    deadline=form.cleaned_data["deadline"],
                    expected_effect=form.cleaned_data["expected_effect"],
                )
        else:
            form = TakeawayPlanForm(request.POST, prefix=f"p{takeaway.pk}")
            if form.is_valid():
                services.takeaway_to_plan_item(
                    by=request.user, takeaway=takeaway, **form.cleaned_data
                )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if form.is_valid():
            messages.success(
                request, _("启示已转为措施") if kind == "measure" else _("启示已列入工作计划")
            )
        else:
            messages.error(
                request, " ".join(str(e) for errors in form.errors.values() for e in errors)
            )
    return redirect("benchmarking:visit", public_id=visit.public_id)


# -- work plan -------------------------------------------------------------------------------


@staff_page(VIEW)
def plans(request: AuthedRequest) -> HttpResponse:
    selectors.require_view(request.user)
    form = PlanItemForm(request.POST or None, initial={"year": timezone.localdate().year + 1})
    if request.method == "POST":
        if not _can_change(request):
            return render(request, "core/forbidden.html", status=403)
        if form.is_valid():
            try:
                services.plan_item_add(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("已列入工作计划"))
                return redirect("benchmarking:plans")
    plan_rows = [
        (plan, plan.items.select_related("department", "takeaway__visit").order_by("id"))
        for plan in selectors.plan_list()[:5]
    ]
    return render(
        request,
        "benchmarking/plans.html",
        {"plans": plan_rows, "form": form, "can_change": _can_change(request)},
        status=400 if request.method == "POST" else 200,
    )
