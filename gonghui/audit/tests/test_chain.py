"""Each entry's hash covers the one before it: `audit_verify` passes on an intact log and names
the first entry that was changed, or the end of the log that was cut off."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gonghui.audit.context import origin
from gonghui.audit.log import GENESIS_HASH, Event, entry_hash, log_action, log_many
from gonghui.audit.models import AuditChainHead, AuditEntry
from gonghui.audit.triggers import set_guard
from gonghui.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


@contextmanager
def guard_off() -> Iterator[None]:
    """What an attacker with database access would do; the test transaction undoes it."""
    set_guard(connection, False)
    try:
        yield
    finally:
        set_guard(connection, True)


def raw(sql: str, params: list) -> None:
    with guard_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def entries(people) -> list[AuditEntry]:
    """A few entries on top of the ones the tree and people fixtures wrote."""
    with origin("198.51.100.4", "web"):
        written = [
            log_action("test.one", actor=people["alice"], changes={"name": ["甲", "乙"]}),
            log_action("test.two", actor=people["bob"], obj=people["bob"]),
            log_action("test.three", actor=None, changes={"n": 3, "ok": True, "none": None}),
        ]
    return [AuditEntry.objects.get(pk=e.pk) for e in written]


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def test_an_intact_log_verifies(entries):
    output = verify()

    assert f"audit chain intact: {AuditEntry.objects.count()} entries" in output


def test_an_intact_log_verifies_as_json(entries):
    report = json.loads(verify("--json"))

    assert report["ok"] is True
    assert report["checked"] == AuditEntry.objects.count()
    assert report["broken_id"] is None


def test_an_empty_log_verifies(db):
    assert verify_chain().ok


def test_entries_chain_from_the_genesis_hash(entries):
    ordered = list(AuditEntry.objects.order_by("id"))

    assert ordered[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(ordered))
    head = AuditChainHead.objects.get()
    assert (head.last_id, head.last_hash) == (ordered[-1].id, ordered[-1].hash)


def test_entries_written_together_chain_in_order(entries):
    written = log_many(None, [Event("test.batch.a"), Event("test.batch.b")])

    assert written[1].prev_hash == written[0].hash
    assert verify_chain().ok


def test_a_changed_entry_is_named(entries):
    target = entries[1]
    raw(
        "UPDATE audit_auditentry SET changes = %s WHERE id = %s",
        [json.dumps({"forged": True}), target.pk],
    )

    with pytest.raises(CommandError, match=rf"entry {target.pk}\b"):
        verify()


def test_a_changed_address_is_named(entries):
    target = entries[0]
    raw("UPDATE audit_auditentry SET ip = %s WHERE id = %s", ["203.0.113.66", target.pk])

    with pytest.raises(CommandError, match=rf"entry {target.pk}\b"):
        verify()


def test_a_changed_entry_is_named_in_json(entries):
    target = entries[0]
    raw("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["test.forged", target.pk])
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("audit_verify", "--json", stdout=out)

    assert json.loads(out.getvalue())["broken_id"] == target.pk


def test_a_rehashed_entry_breaks_the_link_to_the_next(entries):
    """Recomputing a forged entry's own hash still leaves the next entry pointing at the old one."""
    target = entries[1]
    forged = AuditEntry.objects.get(pk=target.pk)
    forged.changes = {"forged": True}
    raw(
        "UPDATE audit_auditentry SET changes = %s, hash = %s WHERE id = %s",
        [json.dumps(forged.changes), entry_hash(forged), target.pk],
    )

    with pytest.raises(CommandError, match=rf"entry {entries[2].pk}\b"):
        verify()


def test_a_deleted_entry_in_the_middle_is_detected_at_the_next_one(entries):
    raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])

    with pytest.raises(CommandError, match=rf"entry {entries[2].pk}\b"):
        verify()


def test_deleting_the_last_entry_is_detected(entries):
    last = entries[-1]
    raw("DELETE FROM audit_auditentry WHERE id = %s", [last.pk])

    report = verify_chain()
    assert not report.ok
    with pytest.raises(CommandError, match=rf"\b{last.pk}\b"):
        verify()


def test_a_log_whose_chain_head_is_gone_is_detected(entries):
    AuditChainHead.objects.all().delete()

    assert not verify_chain().ok


def test_an_address_written_in_long_form_still_verifies(db):
    with origin("2001:0db8:0000:0000:0000:0000:0000:0001", "cli"):
        log_action("test.ipv6", actor=None)

    assert AuditEntry.objects.get().ip == "2001:db8::1"
    assert verify_chain().ok
