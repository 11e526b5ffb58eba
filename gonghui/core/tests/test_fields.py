"""Exact-match keys (core.fields.KeyField) compare byte by byte on both databases."""

from __future__ import annotations

import pytest
from django.db import connection

from gonghui.members.models import Member


@pytest.mark.django_db
def test_key_columns_are_declared_bytewise_on_postgresql() -> None:
    expected = "C" if connection.vendor == "postgresql" else None  # SQLite: BINARY anyway
    for name in ("id_index", "member_no"):
        assert Member._meta.get_field(name).db_parameters(connection)["collation"] == expected
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT column_name, collation_name FROM information_schema.columns"
                " WHERE table_name = %s AND column_name IN ('id_index', 'member_no')",
                [Member._meta.db_table],
            )
            assert dict(cursor.fetchall()) == {"id_index": "C", "member_no": "C"}
