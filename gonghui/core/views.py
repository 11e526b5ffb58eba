from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gonghui.core import holiday_calendar
from gonghui.core.errors import DomainError
from gonghui.core.forms import CalendarOverrideForm
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import form_error, staff_page


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 after a database round trip; 503 when the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


@staff_page(holiday_calendar.PERMISSION)
def calendar(request: AuthedRequest) -> HttpResponse:
    """The year's national holidays next to the overrides; adding or removing one is a POST."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if year not in holiday_calendar.YEARS:
        year = today.year
    form = CalendarOverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = holiday_calendar.override_set(
                by=request.user,
                day=form.cleaned_data["day"],
                is_workday=form.cleaned_data["is_workday"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已保存 %(day)s 的调整") % {"day": row.date.isoformat()})
            return redirect(f"{reverse('core:calendar')}?year={row.date.year}")
    context = {
        "year": year,
        "years": [year - 1, year, year + 1],
        "national": holiday_calendar.national_days(year),
        "overrides": holiday_calendar.overrides(year),
        "form": form,
    }
    return render(request, "core/calendar.html", context)


@require_POST
@staff_page(holiday_calendar.PERMISSION)
def calendar_remove(request: AuthedRequest, day: str) -> HttpResponse:
    try:
        parsed = date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    holiday_calendar.override_remove(by=request.user, day=parsed)
    messages.success(request, _("已删除 %(day)s 的调整") % {"day": day})
    return redirect(f"{reverse('core:calendar')}?year={parsed.year}")
