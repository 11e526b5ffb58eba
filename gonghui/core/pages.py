"""Helpers the page views share: one place turns a DomainError into a message or a 403/404."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from gonghui.accounts.scoping import has_perm
from gonghui.core.errors import DomainError, Forbidden, NotFound
from gonghui.core.excel import write_xlsx
from gonghui.core.http import AuthedRequest
from gonghui.core.paging import CappedPaginator

PAGE_SIZE = 50


def staff_page(permission: str | None = None) -> Callable[..., Any]:
    """Login required; with a permission, a 403 page unless the user holds it somewhere;
    NotFound from selectors becomes 404 and Forbidden 403."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.user.kind != "staff" or (
                permission and not has_perm(request.user, permission)
            ):
                return forbidden(request)
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except Forbidden:
                return forbidden(request)

        return wrapper

    return decorate


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "core/forbidden.html", status=403)


def paginate(
    request: HttpRequest, queryset: Any, per_page: int = PAGE_SIZE, *, capped: bool = False
) -> Any:
    """A page of the list; `capped` for a search over up to a million rows (core.paging)."""
    paginator = (CappedPaginator if capped else Paginator)(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def form_error(form: Any, exc: DomainError) -> None:
    form.add_error(None, exc.message)


def xlsx_download(
    stem: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet_name: str = "Sheet1"
) -> FileResponse:
    """A staff table as an .xlsx download, written in constant memory to a spooled file (the
    cells neutralised against formulas by `write_xlsx`); the name carries the local time."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(spool, headers, rows, sheet_name=sheet_name)
    spool.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return FileResponse(spool, as_attachment=True, filename=f"{stem}-{stamp}.xlsx")
