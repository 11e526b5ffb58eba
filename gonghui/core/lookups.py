"""`__prefix`: an index-friendly "starts with" on both databases.

Django's `startswith` becomes `LIKE … ESCAPE` which SQLite cannot serve from an ordinary index
(its LIKE is case-insensitive), so a million-row prefix search would scan. Here SQLite uses
GLOB (case-sensitive, index-served) and PostgreSQL uses LIKE against a varchar_pattern_ops
index. The value is always a parameter, with its wildcards escaped."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Lookup

GLOB_SPECIAL = {"*": "[*]", "?": "[?]", "[": "[[]"}


@models.CharField.register_lookup
class Prefix(Lookup):
    lookup_name = "prefix"
    prepare_rhs = False

    # Django 5.2's own lookups return the parameters as a list; the stubs (6.x) say tuple.
    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        value = str(self.rhs)
        if connection.vendor == "sqlite":
            escaped = "".join(GLOB_SPECIAL.get(c, c) for c in value)
            return f"{lhs} GLOB %s", [*lhs_params, escaped + "*"]
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{lhs} LIKE %s", [*lhs_params, escaped + "%"]
