from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gonghui.accounts.twofactor import PENDING_SESSION_KEY, two_factor_required

LAST_SEEN_KEY = "gonghui_last_seen"
OPEN_PATHS = ("/static/", "/healthz", "/i18n/", "/accounts/login", "/accounts/logout")


class StaffIdleTimeoutMiddleware:
    """A staff session ends after STAFF_IDLE_TIMEOUT_SECONDS without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.kind == "staff" and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.STAFF_IDLE_TIMEOUT_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"code": "auth.session_expired", "message": _("登录已超时"), "details": {}},
                        status=401,
                    )
                # Come back to the page after logging in again; a form post cannot be replayed.
                query = {"next": request.get_full_path()} if request.method == "GET" else {}
                return redirect(f"{reverse('accounts:login')}?{urlencode(query | {'idle': 1})}")
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """Logged in but not yet verified with TOTP: only the 2FA pages are reachable. That holds
    for everyone whose scope requires it, and for anyone the login sent to the TOTP step (an
    officer who enrolled a device of their own accord must not be able to skip it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PATHS)
            and not request.path.startswith("/accounts/2fa/")
            and not user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
            and (request.session.get(PENDING_SESSION_KEY) or two_factor_required(user))
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "auth.2fa_required",
                        "message": _("请先完成双因素认证"),
                        "details": {},
                    },
                    status=401,
                )
            return redirect("accounts:2fa")
        return self.get_response(request)
