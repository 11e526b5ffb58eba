from __future__ import annotations

import tempfile

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gonghui.audit import selectors, services
from gonghui.audit.forms import AuditFilterForm
from gonghui.core.excel import write_xlsx
from gonghui.core.pages import paginate, staff_page


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, object]:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_search(actor=request.user, **{k: v for k, v in filters.items() if v})
    return form, entries


@staff_page("audit.view")
def log(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    template = "audit/partials/table.html" if request.htmx else "audit/log.html"
    return render(
        request,
        template,
        {"form": form, "page": paginate(request, entries), "query": request.GET.urlencode()},
    )


@staff_page("audit.export")
def export(request: HttpRequest) -> HttpResponse:
    _form, entries = _filtered(request)
    rows = services.audit_export_rows(by=request.user, entries=entries)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(spool, services.EXPORT_HEADERS, rows, sheet_name="audit")
    spool.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return FileResponse(spool, as_attachment=True, filename=f"audit-{stamp}.xlsx")
