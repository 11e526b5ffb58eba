"""Races only a real database shows: two reviewers approving two claims of one member at once
(the annual cap), two reviewers moving one claim, two claims with the same invoice, two payout
batches taking the same claim, one bank result imported twice at once. PostgreSQL
only, real threads, each with its own connection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.conftest import ensure_reference_data, make_user, race
from gonghui.core.errors import DomainError
from gonghui.core.ledger import verify
from gonghui.core.payouts import PayoutLine as FileLine
from gonghui.core.payouts import result_file_bytes
from gonghui.mutualaid import selectors, services
from gonghui.mutualaid.models import (
    Claim,
    ClaimInvoice,
    ClaimStatus,
    LedgerEntry,
    PayoutBatch,
    PayoutLine,
)
from gonghui.mutualaid.tests.conftest import (
    enrol,
    enrolment_of,
    file_claim,
    make_member,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
]


@pytest.fixture
def setting(transactional_db: Any, tree) -> dict[str, Any]:
    ensure_reference_data()
    city = tree["city"]
    people = {
        "alice": make_user("alice", assignments=[(tree["a"], "union_officer", None)]),
        "carol": make_user("carol", assignments=[(tree["county_a"], "county_staff", None)]),
        "dora": make_user("dora", assignments=[(city, "dept_staff", "security")]),
        "erin": make_user("erin", assignments=[(city, "dept_staff", "security")]),
    }
    today = timezone.localdate()
    starts = today - timedelta(days=200)
    plan = services.plan_year_create(
        by=people["dora"],
        code="P1",
        name="测试保障期",
        starts_on=starts,
        ends_on=starts + timedelta(days=364),
        enrol_opens_on=starts - timedelta(days=30),
        enrol_closes_on=today + timedelta(days=30),
    )
    member = make_member(tree["a"], 1)
    enrol(people["alice"], plan, tree["a"], [member], today=plan.enrol_opens_on)
    return people | {"member": member, "plan": plan}


def rechecked(setting: dict[str, Any], number: str, amount_fen: int) -> Claim:
    claim = file_claim(
        setting["alice"], setting["member"], invoices=[services.InvoiceData(number, amount_fen)]
    )
    claim = services.claim_transition(claim=claim, to="first_reviewed", by=setting["alice"])
    return services.claim_transition(claim=claim, to="rechecked", by=setting["carol"])


def test_two_approvals_at_once_never_exceed_the_annual_cap(setting) -> None:
    # Each alone would be granted ¥20,600 of the ¥30,000 inpatient cap.
    first = rechecked(setting, "CAP0000001", 4_200_000)
    second = rechecked(setting, "CAP0000002", 4_200_000)

    results = race(
        lambda: services.claim_transition(claim=first, to="approved", by=setting["dora"]),
        lambda: services.claim_transition(claim=second, to="approved", by=setting["erin"]),
    )

    assert all(isinstance(r, Claim) for r in results), results
    granted = sorted(c.payable_fen for c in Claim.objects.all())
    assert granted == [940_000, 2_060_000]
    assert selectors.used_fen(enrolment_of(setting["member"]), "inpatient") == 3_000_000


def test_two_reviewers_moving_one_claim_have_one_outcome(setting) -> None:
    claim = rechecked(setting, "ONE0000001", 500_000)

    results = race(
        lambda: services.claim_transition(claim=claim, to="approved", by=setting["dora"]),
        lambda: services.claim_transition(
            claim=claim, to="rejected", by=setting["erin"], reason="不符合条件"
        ),
    )

    winners = [r for r in results if isinstance(r, Claim)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and [e.code for e in refused] == ["mutualaid.claim.transition_invalid"]
    claim.refresh_from_db()
    assert claim.status == winners[0].status
    assert claim.events.count() == 4  # submitted, first, recheck, and one decision


def test_the_same_invoice_filed_twice_at_once_is_claimed_once(setting) -> None:
    other = make_member(setting["member"].union, 2)
    enrol(
        setting["alice"],
        setting["plan"],
        other.union,
        [other],
        today=setting["plan"].enrol_opens_on,
    )

    results = race(
        lambda: file_claim(
            setting["alice"],
            setting["member"],
            invoices=[services.InvoiceData("DUP0000001", 100_000)],
        ),
        lambda: file_claim(
            setting["alice"], other, invoices=[services.InvoiceData("dup-0000001", 100_000)]
        ),
    )

    filed = [r for r in results if isinstance(r, Claim)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(filed) == 1, results
    assert [e.code for e in refused] == ["mutualaid.claim.invoice_duplicate"]
    assert ClaimInvoice.objects.count() == 1
    assert Claim.objects.filter(status=ClaimStatus.SUBMITTED).count() == 1


def approved_with_account(setting: dict[str, Any], number: str) -> Claim:
    claim = file_claim(
        setting["alice"],
        setting["member"],
        invoices=[services.InvoiceData(number, 300_000)],
        bank_account="6222020200112233445",
    )
    claim = services.claim_transition(claim=claim, to="first_reviewed", by=setting["alice"])
    claim = services.claim_transition(claim=claim, to="rechecked", by=setting["carol"])
    return services.claim_transition(claim=claim, to="approved", by=setting["dora"])


def test_two_payout_batches_at_once_take_each_claim_once(setting) -> None:
    claim = approved_with_account(setting, "PAY0000001")

    results = race(
        lambda: services.payout_batch_create(by=setting["dora"], channel="bank"),
        lambda: services.payout_batch_create(by=setting["erin"], channel="bank"),
    )

    batches = [r for r in results if isinstance(r, PayoutBatch)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(batches) == 1, results
    assert len(refused) == 1
    assert refused[0].code in {"mutualaid.payout.concurrent", "mutualaid.payout.nothing"}
    assert PayoutLine.objects.filter(claim=claim).count() == 1


def test_the_same_result_imported_twice_at_once_pays_once(setting, tmp_path) -> None:
    claim = approved_with_account(setting, "PAY0000002")
    batch = services.payout_batch_create(by=setting["dora"], channel="bank")
    path = tmp_path / "result.xlsx"
    path.write_bytes(
        result_file_bytes(
            [(FileLine(claim.claim_no, "x", "6222020200112233445", claim.payable_fen), True, "")]
        )
    )

    results = race(
        lambda: services.payout_results_import(by=setting["dora"], batch=batch, path=path),
        lambda: services.payout_results_import(by=setting["dora"], batch=batch, path=path),
    )

    assert sorted(r["replayed"] for r in results) == [False, True], results
    assert LedgerEntry.objects.filter(kind="payout").count() == 1
    assert verify(LedgerEntry) is None
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
