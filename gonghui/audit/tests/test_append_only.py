"""The application cannot edit or delete the audit log: the model refuses, and below it the
database triggers refuse raw SQL too."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from gonghui.audit.log import log_action
from gonghui.audit.models import AppendOnlyError, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db) -> AuditEntry:
    return log_action("test.something", actor=None, changes={"field": ["old", "new"]})


def stored(entry: AuditEntry) -> tuple:
    return AuditEntry.objects.filter(pk=entry.pk).values_list("action", "changes").get()


def test_saving_an_existing_entry_is_refused(entry):
    entry.changes = {"field": ["old", "forged"]}

    with pytest.raises(AppendOnlyError):
        entry.save()
    assert stored(entry) == ("test.something", {"field": ["old", "new"]})


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.forged")
    assert stored(entry)[0] == "test.something"


def test_queryset_delete_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_update_is_refused(entry):
    entry.action = "test.forged"

    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert stored(entry)[0] == "test.something"


def test_raw_sql_update_is_refused_by_the_database(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET action = %s WHERE id = %s", ["test.forged", entry.pk]
        )

    assert stored(entry)[0] == "test.something"


def test_raw_sql_delete_is_refused_by_the_database(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL")
def test_truncate_is_refused_by_the_database(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditentry")

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_new_entries_can_still_be_appended(entry):
    log_action("test.another", actor=None)

    assert AuditEntry.objects.count() == 2
