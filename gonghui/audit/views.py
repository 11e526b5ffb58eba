from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.audit import selectors, services
from gonghui.audit.forms import AuditFilterForm
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import paginate, staff_page, xlsx_download


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any], Any]:
    form = AuditFilterForm(request.GET or None)
    form.is_valid()
    # A field that does not parse (a bad date) is shown as an error; the valid ones still apply.
    filters = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}
    entries = selectors.audit_search(actor=request.user, **filters)
    return form, filters, entries


@staff_page("audit.view")
def log(request: AuthedRequest) -> HttpResponse:
    form, _filters, entries = _filtered(request)
    template = "audit/partials/table.html" if request.htmx else "audit/log.html"
    return render(
        request,
        template,
        {"form": form, "page": paginate(request, entries), "query": request.GET.urlencode()},
    )


@staff_page("audit.export")
def export(request: HttpRequest) -> FileResponse:
    _form, filters, entries = _filtered(request)
    rows = services.audit_export_rows(by=request.user, entries=entries, filters=filters)
    return xlsx_download("audit", services.EXPORT_HEADERS, rows, sheet_name="audit")
