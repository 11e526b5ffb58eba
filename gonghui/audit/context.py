"""Where the current action comes from (IP, web/api/cli), set once per request or command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    source: str = "system"


_origin: ContextVar[Origin] = ContextVar("audit_origin", default=Origin())  # noqa: B039 (frozen)


def current_origin() -> Origin:
    return _origin.get()


@contextmanager
def origin(ip: str | None, source: str) -> Iterator[None]:
    token = _origin.set(Origin(ip=ip, source=source))
    try:
        yield
    finally:
        _origin.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


class AuditOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        with origin(client_ip(request), source):
            return self.get_response(request)
