"""Tables for the core tests' own test-only models."""

from __future__ import annotations

from django.db import connection, models


def create_table(model: type[models.Model]) -> None:
    """The CREATE TABLE a migration would run for a test-only model. SQLite's schema editor
    refuses to open inside the test's transaction, but its statement runs fine there."""
    statement, params = connection.schema_editor().table_sql(model)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
