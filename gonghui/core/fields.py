"""Model fields for sensitive data: stored encrypted, read back as plain text."""

from __future__ import annotations

from typing import Any

from django.db import models

from gonghui.core import crypto


class EncryptedTextField(models.TextField[Any, Any]):
    """Encrypted at rest with the current field key; not searchable (pair it with a blind index)."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)
