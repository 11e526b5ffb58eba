"""Where the current action comes from (IP, web/api/cli), set once per request or command."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
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
    """The client's address in canonical form, or None when it is not an address.

    With PROXY_COUNT (AXES_IPWARE_PROXY_COUNT) trusted proxies in front, it is the address the
    outermost proxy saw: the PROXY_COUNT-th entry from the right of X-Forwarded-For. Entries
    further left were written by the client and are ignored. Usable as AXES_CLIENT_IP_CALLABLE
    so that the lockout and the audit log agree on who was knocking."""
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


class AuditOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        with origin(client_ip(request), source):
            return self.get_response(request)
