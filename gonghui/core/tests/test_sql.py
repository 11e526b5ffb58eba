"""gonghui.core.sql: hand-written statements must write and read exactly what the ORM does
(aware datetimes, dates, decimals, UUIDs, JSON, encrypted text), on SQLite and PostgreSQL,
and show up in the query log like the ORM's own."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, models
from django.db.models.query_utils import DeferredAttribute
from django.test.utils import isolate_apps
from django.utils import timezone

from gonghui.core import sql
from gonghui.core.fields import EncryptedTextField
from gonghui.core.tests.tables import create_table

pytestmark = pytest.mark.django_db
TABLE = "core_test_sql_row"


@pytest.fixture
def row_model(db):
    with isolate_apps("gonghui.core"):

        class SqlRow(models.Model):
            public_id = models.UUIDField(default=uuid.uuid4, unique=True)
            name = models.CharField(max_length=20)
            secret = EncryptedTextField(blank=True)
            rate = models.DecimalField(max_digits=4, decimal_places=2, null=True)
            day = models.DateField()
            tags = models.JSONField(default=list)
            created_at = models.DateTimeField(auto_now_add=True)

            class Meta:
                app_label = "core"
                db_table = TABLE

        create_table(SqlRow)
        yield SqlRow


def _row(model, **values):
    return model(name="甲", secret="s3cret", rate=Decimal("0.85"), day=date(2026, 2, 28), **values)


def test_insert_stores_what_save_would_and_sets_the_key(row_model) -> None:
    made = sql.insert(_row(row_model, tags=["a", 1]))
    assert made.pk is not None and not made._state.adding
    assert timezone.is_aware(made.created_at)
    stored = row_model.objects.get(pk=made.pk)
    assert (stored.public_id, stored.name, stored.secret) == (made.public_id, "甲", "s3cret")
    assert (stored.rate, stored.day, stored.tags) == (Decimal("0.85"), date(2026, 2, 28), ["a", 1])
    assert stored.created_at == made.created_at
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {TABLE} WHERE id = %s", [made.pk])
        assert "s3cret" not in cursor.fetchone()[0]  # encrypted at rest, as the ORM writes it


def test_fetch_one_reads_what_the_orm_reads_and_defers_the_rest(row_model) -> None:
    saved = row_model.objects.create(name="乙", secret="k", rate=None, day=date(2026, 1, 2))
    part = sql.Part(row_model, "r", ("id", "public_id", "secret", "rate", "day", "created_at"))
    query = f"SELECT {part.columns} FROM {TABLE} r WHERE r.public_id = %s"
    (found,) = sql.fetch_one(query, [sql.prep(row_model, "public_id", saved.public_id)], part)
    assert found.pk == saved.pk and found.public_id == saved.public_id
    assert (found.secret, found.rate, found.day) == ("k", None, date(2026, 1, 2))
    assert found.created_at == saved.created_at
    assert isinstance(type(found).__dict__["name"], DeferredAttribute)
    assert "name" in found.get_deferred_fields()
    missing = [sql.prep(row_model, "public_id", uuid.uuid4())]
    assert sql.fetch_one(query, missing, part) is None


def test_a_part_of_an_outer_join_that_found_nothing_is_none(row_model) -> None:
    saved = sql.insert(_row(row_model))
    left = sql.Part(row_model, "a", ("id", "name"))
    right = sql.Part(row_model, "b", ("id", "rate"))
    query = (
        f"SELECT {left.columns}, {right.columns} FROM {TABLE} a "
        f"LEFT JOIN {TABLE} b ON b.id = a.id + 1000 WHERE a.id = %s"
    )
    first, second = sql.fetch_one(query, [saved.pk], left, right)
    assert first.name == "甲" and second is None


def test_first_and_execute_answer_rows_and_counts(row_model) -> None:
    saved = sql.insert(_row(row_model))
    touched = sql.execute(f"UPDATE {TABLE} SET name = %s WHERE id = %s", ["丙", saved.pk])
    assert touched == 1
    assert sql.first(f"SELECT name FROM {TABLE} WHERE id = %s", [saved.pk]) == ("丙",)
    assert sql.first(f"SELECT name FROM {TABLE} WHERE id = %s", [-1]) is None


def test_statements_are_logged_like_the_orms(row_model, django_assert_num_queries) -> None:
    with django_assert_num_queries(2) as captured:
        saved = sql.insert(_row(row_model))
        sql.first(f"SELECT name FROM {TABLE} WHERE id = %s", [saved.pk])
    assert str(saved.pk) in captured.captured_queries[1]["sql"]


def test_row_locks_only_where_the_database_has_them() -> None:
    expected = " FOR UPDATE OF q" if connection.vendor == "postgresql" else ""
    assert sql.for_update("q") == expected


def test_a_part_naming_an_unknown_column_is_refused(row_model) -> None:
    with pytest.raises(ValueError, match="nope"):
        sql.Part(row_model, "r", ("id", "nope"))
