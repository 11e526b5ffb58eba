"""Logins, logouts and failed logins go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from gonghui.audit.context import client_ip, origin
from gonghui.audit.log import log_action


def _origin_of(request: Any) -> tuple[str | None, str]:
    if request is None:
        return None, "system"
    return client_ip(request), "api" if request.path.startswith("/api/") else "web"


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with origin(*_origin_of(request)):
        log_action("auth.login", actor=user, obj=user)


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with origin(*_origin_of(request)):
            log_action("auth.logout", actor=user, obj=user)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    with origin(*_origin_of(request)):
        log_action(
            "auth.login_failed", actor=None, object_repr=username, changes={"username": username}
        )
