"""Model fields: sensitive data stored encrypted and read back as plain text; exact-match keys
compared byte by byte."""

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


class KeyField(models.CharField[Any, Any]):
    """An exact-match key (a blind index, a member number, last digits): compared byte by byte.

    On PostgreSQL the column is declared COLLATE "C": the database's linguistic collation
    costs every comparison in the key's B-tree, which a million-row roster import updates a
    million times, and buys nothing for digits and hex, which sort the same either way. SQLite
    compares bytes already."""

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql" and self.db_collation is None:
            params["collation"] = "C"
        return params
