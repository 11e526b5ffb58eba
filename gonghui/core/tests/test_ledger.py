"""The generic hash-chained ledger (gonghui.core.ledger), exercised on the mutual-aid fund's
book: entries chain per plan year from the genesis hash, the table refuses changes at the
database level, and `verify` (and `ledger_verify`) names the first entry that was
changed, removed or cut off once the guard is switched off, as an attacker with the database
would."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gonghui.audit.triggers import set_guard
from gonghui.core import ledger
from gonghui.core.models import LedgerHead
from gonghui.mutualaid import selectors, services
from gonghui.mutualaid.models import LedgerEntry, LedgerKind, PlanYear
from gonghui.mutualaid.tests.conftest import (  # noqa: F401 (fixtures)
    dora,
    enrol,
    file_claim,
    make_member,
    plan,
)

pytestmark = pytest.mark.django_db


@contextmanager
def guard_off() -> Iterator[None]:
    set_guard(connection, False)
    try:
        yield
    finally:
        set_guard(connection, True)


def raw(sql: str, params: list) -> None:
    with guard_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_command(*args: str) -> str:
    out = io.StringIO()
    call_command("ledger_verify", "mutualaid", *args, stdout=out)
    return out.getvalue()


def year(code: str, starts: date) -> PlanYear:
    return PlanYear.objects.create(
        code=code,
        name=f"{code}年度",
        starts_on=starts,
        ends_on=starts + timedelta(days=364),
        enrol_opens_on=starts,
        enrol_closes_on=starts + timedelta(days=30),
    )


def book(year_: PlanYear, union, amount_fen: int, kind: str = LedgerKind.CONTRIBUTION):
    return ledger.append(
        LedgerEntry,
        chain=year_.code,
        plan_year=year_,
        kind=kind,
        payer="employer" if kind == LedgerKind.CONTRIBUTION else "",
        amount_fen=amount_fen,
        union=union,
        reference=f"test:{amount_fen}",
        at=timezone.now(),
        by=None,
    )


@pytest.fixture
def entries(tree) -> list[LedgerEntry]:
    first, second = year("Y1", date(2026, 1, 1)), year("Y2", date(2027, 1, 1))
    book(first, tree["a"], 6000)
    book(first, tree["b"], 4000)
    book(second, tree["a"], 2000)
    book(first, tree["a"], -2500, LedgerKind.PAYOUT)
    return list(LedgerEntry.objects.order_by("id"))


def test_each_plan_year_chains_from_the_genesis_hash(entries) -> None:
    first = [e for e in entries if e.chain == "Y1"]

    assert [e.seq for e in first] == [1, 2, 3]
    assert first[0].prev_hash == ledger.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(first))
    head = LedgerHead.objects.get(ledger="mutualaid.ledgerentry", chain="Y1")
    assert (head.seq, head.hash) == (3, first[-1].hash)
    assert LedgerEntry.objects.get(chain="Y2").seq == 1


def test_an_intact_ledger_verifies(entries) -> None:
    assert ledger.verify(LedgerEntry) is None
    assert "mutualaid.ledgerentry: intact, 4 entries" in verify_command()
    assert json.loads(verify_command("--json")) == {
        "ok": True,
        "ledgers": [{"ledger": "mutualaid.ledgerentry", "ok": True, "entries": 4}],
    }
    assert "intact, 1 entries" in verify_command("--chain", "Y2")
    every = io.StringIO()
    call_command("ledger_verify", "--json", stdout=every)
    assert {line["ledger"] for line in json.loads(every.getvalue())["ledgers"]} >= {
        "mutualaid.ledgerentry",
        "hardship.disbursement",
        "modelworkers.allowancepaid",
    }


def test_an_empty_ledger_verifies(db) -> None:
    assert ledger.verify(LedgerEntry) is None


def test_the_ledger_refuses_an_update(entries) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entries[0].pk).update(amount_fen=1)


def test_the_ledger_refuses_a_delete(entries) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entries[-1].pk).delete()


def test_a_changed_amount_is_named(entries) -> None:
    target = entries[1]
    raw("UPDATE mutualaid_ledgerentry SET amount_fen = %s WHERE id = %s", [400000, target.pk])

    broken = ledger.verify(LedgerEntry)

    assert broken is not None and broken.entry_id == target.pk
    assert broken.reason == "content does not match its hash"
    with pytest.raises(CommandError, match=rf"entry {target.pk}\b"):
        verify_command()


def test_a_changed_entry_is_named_in_json(entries) -> None:
    target = entries[0]
    raw("UPDATE mutualaid_ledgerentry SET reference = %s WHERE id = %s", ["x", target.pk])
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("ledger_verify", "mutualaid", "--json", stdout=out)

    body = json.loads(out.getvalue())
    assert body["ok"] is False
    line = body["ledgers"][0]
    assert line["broken_id"] == target.pk and line["chain"] == "Y1" and line["ok"] is False


def test_a_rehashed_entry_breaks_the_link_to_the_next(entries) -> None:
    target, following = entries[0], entries[1]
    forged = LedgerEntry.objects.get(pk=target.pk)
    forged.amount_fen = 1
    raw(
        "UPDATE mutualaid_ledgerentry SET amount_fen = 1, hash = %s WHERE id = %s",
        [ledger.entry_hash(forged), target.pk],
    )

    broken = ledger.verify(LedgerEntry)

    assert broken is not None and broken.entry_id == following.pk


def test_a_deleted_entry_in_the_middle_is_found_at_the_next_one(entries) -> None:
    raw("DELETE FROM mutualaid_ledgerentry WHERE id = %s", [entries[1].pk])

    broken = ledger.verify(LedgerEntry)

    assert broken is not None and broken.entry_id == entries[3].pk


def test_removing_the_last_entry_is_found(entries) -> None:
    last = entries[-1]
    raw("DELETE FROM mutualaid_ledgerentry WHERE id = %s", [last.pk])

    broken = ledger.verify(LedgerEntry)

    assert broken is not None and broken.seq == last.seq and broken.entry_id is None
    with pytest.raises(CommandError, match="removed"):
        verify_command()


def test_removing_a_whole_chain_is_found(entries) -> None:
    raw("DELETE FROM mutualaid_ledgerentry WHERE chain = %s", ["Y2"])

    broken = ledger.verify(LedgerEntry)

    assert broken is not None and broken.chain == "Y2"


def test_a_head_that_does_not_match_the_last_entry_is_found(entries) -> None:
    LedgerHead.objects.filter(ledger="mutualaid.ledgerentry", chain="Y1").update(hash="f" * 64)

    broken = ledger.verify(LedgerEntry, "Y1")

    assert broken is not None and broken.reason == "the chain head does not match the last entry"
    assert ledger.verify(LedgerEntry, "Y2") is None


def test_an_unknown_chain_or_ledger_is_refused(db) -> None:
    with pytest.raises(CommandError, match="no chain 'NOPE'"):
        verify_command("--chain", "NOPE")
    with pytest.raises(CommandError, match=r"no ledger nope; the ledgers are: .*mutualaid"):
        call_command("ledger_verify", "nope", stdout=io.StringIO())


def test_the_balance_is_contributions_minus_payouts(tree, people, plan, dora) -> None:  # noqa: F811
    alice = people["alice"]
    members = [make_member(tree["a"], seed) for seed in (11, 12)]
    batch = enrol(alice, plan, tree["a"], members, today=plan.enrol_opens_on)
    for payment in batch.payments.all():
        services.payment_record(
            by=alice, payment=payment, paid_fen=payment.due_fen, paid_on=plan.enrol_opens_on
        )
    members[0].account = people["member"]
    members[0].save(update_fields=["account"])
    claim = file_claim(people["member"], members[0])
    carol = people["carol"]
    for to, by in (("first_reviewed", alice), ("rechecked", carol), ("approved", dora)):
        claim = services.claim_transition(claim=claim, to=to, by=by)
    services.claim_transition(claim=claim, to="paid", by=dora)

    balance = selectors.fund_balance(plan)

    contributions = sum(p.paid_fen for p in batch.payments.all())
    assert balance["income_fen"] == contributions == 12000
    assert balance["payout_fen"] == claim.payable_fen
    assert balance["balance_fen"] == contributions - claim.payable_fen
    assert sum(LedgerEntry.objects.values_list("amount_fen", flat=True)) == balance["balance_fen"]
    assert ledger.verify(LedgerEntry) is None
