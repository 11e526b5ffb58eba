"""System checks on the keys: a malformed field key would otherwise only fail at the first
encryption, in the middle of someone's import."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from gonghui.core import crypto


@register(Tags.security)
def check_field_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []))
    if not keys:
        problems.append(
            Error("FIELD_ENCRYPTION_KEYS is empty", id="gonghui.E001", hint="see the README")
        )
    for position, key in enumerate(keys, start=1):
        try:
            crypto.decode_key(key)
        except ImproperlyConfigured as exc:
            problems.append(
                Error(
                    f"FIELD_ENCRYPTION_KEYS entry {position}: {exc}",
                    id="gonghui.E002",
                    hint="generate a key with the command in the README",
                )
            )
    return problems
