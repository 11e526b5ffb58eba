"""Claims closed longer than MUTUALAID_CLAIM_RETENTION_DAYS lose their health details, documents
and bank account; amounts, invoices, history, the ledger and the audit trail stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.core.retention import purge_all
from gonghui.mutualaid import services
from gonghui.mutualaid.models import Claim, ClaimDocument, LedgerEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% test\n"


def test_old_closed_claims_are_purged_and_open_ones_kept(
    settings, people, claim_a, claim_b, dora, erin
) -> None:
    services.claim_documents_add(
        by=people["alice"], claim=claim_a, uploads=[services.Upload("invoice", PDF, "a.pdf")]
    )
    for to, by in (
        ("first_reviewed", people["alice"]),
        ("rechecked", people["carol"]),
        ("approved", dora),
        ("paid", erin),
    ):
        claim_a = services.claim_transition(claim=claim_a, to=to, by=by)
    later = timezone.now() + timedelta(days=settings.MUTUALAID_CLAIM_RETENTION_DAYS + 1)

    due = [o.count for o in purge_all(dry_run=True, now=later) if o.rule.code == "mutualaid.claims"]
    assert due == [1]
    purge_all(now=later)

    claim_a = Claim.objects.get(pk=claim_a.pk)
    assert claim_a.health_details == "" and claim_a.purged_at is not None
    assert claim_a.payable_fen == 210000 and claim_a.invoices.count() == 1
    assert not ClaimDocument.objects.filter(claim=claim_a).exists()
    assert claim_a.events.count() == 5 and LedgerEntry.objects.filter(kind="payout").exists()
    assert Claim.objects.get(pk=claim_b.pk).health_details == "肺炎住院 5 天"
    assert AuditEntry.objects.filter(action="mutualaid.claim.purged").count() == 1
    assert [o.count for o in purge_all(now=later) if o.rule.code == "mutualaid.claims"] == [0]
