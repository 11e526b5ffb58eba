"""BulkInserter: the fast path imports use. What it stores must be what `Model.save()` would
store: defaults for the fields left out, timestamps, fresh UUIDs, encrypted sensitive fields."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import isolate_apps

from gonghui.core import crypto
from gonghui.core.bulk import BulkInserter, constraints_checked_per_statement
from gonghui.core.fields import EncryptedTextField
from gonghui.core.tests.tables import create_table

pytestmark = pytest.mark.django_db
TABLE = "core_test_bulk_row"


@pytest.fixture
def row_model(db):
    with isolate_apps("gonghui.core"):

        class BulkRow(models.Model):
            public_id = models.UUIDField(default=uuid.uuid4, unique=True)
            name = models.CharField(max_length=20)
            secret = EncryptedTextField(blank=True)
            status = models.CharField(max_length=10, default="active")
            tags = models.JSONField(default=list)
            created_at = models.DateTimeField(auto_now_add=True)

            class Meta:
                app_label = "core"
                db_table = TABLE

        create_table(BulkRow)
        yield BulkRow


def test_rows_get_defaults_timestamps_uuids_and_encrypted_secrets(row_model):
    inserter = BulkInserter(row_model, ["name", "secret"])

    count = inserter.insert([{"name": "甲", "secret": "13812345678"}, {"name": "乙", "secret": ""}])

    assert count == 2
    first, second = row_model.objects.order_by("id")
    assert (first.status, first.tags, first.secret) == ("active", [], "13812345678")
    assert (second.status, second.secret) == ("active", "")
    assert first.public_id != second.public_id
    assert first.created_at is not None and first.created_at == second.created_at
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {TABLE} WHERE name = %s", ["甲"])
        token = cursor.fetchone()[0]
    assert "13812345678" not in token
    assert crypto.decrypt(token) == "13812345678"


def test_an_unknown_column_is_refused(row_model):
    with pytest.raises(ValueError, match="no fields"):
        BulkInserter(row_model, ["name", "nickname"])


def test_an_empty_batch_inserts_nothing(row_model):
    assert BulkInserter(row_model, ["name"]).insert([]) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite checks at the commit")
def test_deferred_checks_run_per_statement_in_the_block_and_are_deferred_after(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE core_test_parent (id integer PRIMARY KEY)")
        cursor.execute(
            "CREATE TABLE core_test_child (id integer PRIMARY KEY, parent_id integer"
            " REFERENCES core_test_parent (id) DEFERRABLE INITIALLY DEFERRED)"
        )

    def orphan(pk: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO core_test_child VALUES (%s, 999)", [pk])

    with (
        constraints_checked_per_statement(),
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):
        orphan(1)  # refused by the statement itself
    inserted = False
    with pytest.raises(IntegrityError), transaction.atomic():
        orphan(2)
        inserted = True  # deferred again: refused only when checked
        connection.check_constraints()
    assert inserted
