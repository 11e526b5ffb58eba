"""Typed requests for views. The middleware adds attributes Django's HttpRequest does not declare:
`request.htmx` (django-htmx) and, behind login, a `request.user` that is our User. Annotating a
view's request with these types is for the type checker only; at runtime it is the same request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from gonghui.accounts.models import User


class HtmxRequest(HttpRequest):
    """Any request once HtmxMiddleware has run."""

    htmx: HtmxDetails


class AuthedRequest(HtmxRequest):
    """A request behind login (login_required, staff_page, an authenticated API route)."""

    user: User
