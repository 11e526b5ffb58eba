from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def character_classes(password: str) -> int:
    return sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )


class CharacterClassValidator:
    """At least three of: lowercase, uppercase, digits, symbols."""

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类"),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类")


# Our own words for the standard validators' refusals: Django 5.2 changed the msgid of the
# length message and its zh-hans catalogue still has the old one, so it came out in English.
REASONS: dict[str, Any] = {
    "password_too_short": gettext_lazy("密码太短，至少须有 %(min_length)d 位"),
    "password_too_similar": gettext_lazy("密码与%(verbose_name)s太相似"),
    "password_too_common": gettext_lazy("这个密码太常见，容易被猜中"),
    "password_entirely_numeric": gettext_lazy("密码不能全是数字"),
}


def reasons(error: ValidationError) -> list[str]:
    """Plain Chinese sentences, one per rule the password breaks."""
    messages = []
    for item in error.error_list:
        template = REASONS.get(item.code or "")
        if template is None:
            messages.extend(ValidationError([item]).messages)
        else:
            messages.append(str(template) % (item.params or {}))
    return messages
