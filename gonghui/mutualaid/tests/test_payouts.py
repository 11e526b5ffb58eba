"""Payouts: approved claims queue; a batch goes to the bank as a file; the result file pays
claims (status, paid_at and a ledger entry together) or sends them back with the bank's reason,
all or nothing, and a second import changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.core.excel import Sheet
from gonghui.core.ledger import verify
from gonghui.core.payouts import PayoutLine as FileLine
from gonghui.core.payouts import result_file_bytes
from gonghui.jobs.models import Job
from gonghui.mutualaid import selectors, services
from gonghui.mutualaid.models import (
    Claim,
    ClaimStatus,
    LedgerEntry,
    PayoutBatch,
    PayoutBatchStatus,
    PayoutLineStatus,
)
from gonghui.mutualaid.tests.conftest import file_claim

pytestmark = pytest.mark.django_db

ACCOUNT = "6222020200112233445"


def approve(claim: Claim, people, dora) -> Claim:
    for to, by in (("first_reviewed", people["alice"]), ("rechecked", people["carol"])):
        claim = services.claim_transition(claim=claim, to=to, by=by)
    return services.claim_transition(claim=claim, to="approved", by=dora)


@pytest.fixture
def approved(member_a, people, dora) -> Claim:
    claim = file_claim(people["member"], member_a, bank_account=f"{ACCOUNT[:4]} {ACCOUNT[4:]}")
    return approve(claim, people, dora)


@pytest.fixture
def without_account(member_a, people, dora) -> Claim:
    claim = file_claim(
        people["member"], member_a, invoices=[services.InvoiceData("INV0000002", 100000)]
    )
    return approve(claim, people, dora)


def result_file(tmp_path: Path, batch: PayoutBatch, outcomes: dict[str, tuple[bool, str]]) -> Path:
    path = tmp_path / f"result-{len(list(tmp_path.iterdir()))}.xlsx"
    lines = [
        FileLine(line.claim.claim_no, "x", line.account_no, line.amount_fen)
        for line in selectors.payout_lines(batch)
    ]
    path.write_bytes(
        result_file_bytes((line, *outcomes.get(line.reference, (True, ""))) for line in lines)
    )
    return path


def test_an_account_is_digits_only(member_a, people) -> None:
    with pytest.raises(DomainError) as exc:
        file_claim(people["member"], member_a, bank_account="6222-ABC")
    assert exc.value.code == "mutualaid.claim.account_invalid"


def test_approved_claims_queue_and_go_into_a_batch(approved, without_account, dora) -> None:
    assert set(selectors.payout_queue(actor=dora)) == {approved, without_account}

    batch = services.payout_batch_create(by=dora, channel="bank")

    assert batch.line_count == 1 and batch.total_fen == approved.payable_fen
    assert [c["claim_no"] for c in batch.without_account] == [without_account.claim_no]
    assert list(selectors.payout_queue(actor=dora)) == [without_account]
    assert batch.lines.get().account_no == ACCOUNT
    assert "mutualaid.payout.created" in AuditEntry.objects.values_list("action", flat=True)


def test_only_the_city_makes_payout_batches(approved, people) -> None:
    with pytest.raises(Forbidden):
        services.payout_batch_create(by=people["carol"], channel="bank")


def test_an_empty_queue_makes_no_batch(plan, dora) -> None:
    with pytest.raises(DomainError) as exc:
        services.payout_batch_create(by=dora, channel="card")
    assert exc.value.code == "mutualaid.payout.nothing"
    assert not PayoutBatch.objects.exists()


def test_the_payout_file_holds_the_claim_and_is_audited(approved, dora, tmp_path) -> None:
    batch = services.payout_batch_create(by=dora, channel="bank")
    path = tmp_path / "payout.xlsx"
    path.write_bytes(services.payout_file(by=dora, batch=batch))

    rows = Sheet(path).rows()
    header = next(rows)
    first = next(rows)
    assert header[:6] == ["序号", "业务编号", "收款人", "收款账号", "金额（元）", "用途"]
    assert [str(c) for c in first[1:5]] == [
        approved.claim_no,
        approved.member.name,
        ACCOUNT,
        "2100.00",
    ]
    exported = AuditEntry.objects.get(action="mutualaid.payout.exported")
    assert ACCOUNT not in str(exported.changes)


def test_the_result_pays_and_books_in_one_go(approved, dora, plan, tmp_path) -> None:
    batch = services.payout_batch_create(by=dora, channel="bank")

    summary = services.payout_results_import(
        by=dora, batch=batch, path=result_file(tmp_path, batch, {})
    )

    approved.refresh_from_db()
    assert summary["paid"] == 1 and summary["replayed"] is False
    assert approved.status == ClaimStatus.PAID and approved.paid_at is not None
    entry = LedgerEntry.objects.get(kind="payout")
    assert entry.amount_fen == -approved.payable_fen and entry.chain == plan.code
    assert verify(LedgerEntry) is None
    assert approved.events.last().note == batch.batch_no
    batch.refresh_from_db()
    assert batch.status == PayoutBatchStatus.SETTLED and batch.paid_fen == approved.payable_fen


def test_reimporting_the_result_changes_nothing(approved, dora, tmp_path) -> None:
    batch = services.payout_batch_create(by=dora, channel="bank")
    path = result_file(tmp_path, batch, {})
    services.payout_results_import(by=dora, batch=batch, path=path)
    entries = LedgerEntry.objects.count()

    again = services.payout_results_import(by=dora, batch=batch, path=path)

    assert again["replayed"] is True and LedgerEntry.objects.count() == entries


def test_a_failed_payout_returns_to_the_queue_with_the_reason(approved, dora, tmp_path) -> None:
    batch = services.payout_batch_create(by=dora, channel="bank")
    path = result_file(tmp_path, batch, {approved.claim_no: (False, "户名与账号不符")})

    services.payout_results_import(by=dora, batch=batch, path=path)

    approved.refresh_from_db()
    assert approved.status == ClaimStatus.APPROVED and approved.payout_note == "户名与账号不符"
    assert batch.lines.get().status == PayoutLineStatus.FAILED
    assert list(selectors.payout_queue(actor=dora)) == [approved]
    assert not LedgerEntry.objects.filter(kind="payout").exists()
    again = services.payout_batch_create(by=dora, channel="bank")
    assert again.line_count == 1


def test_a_result_that_does_not_match_changes_nothing(approved, dora, tmp_path) -> None:
    batch = services.payout_batch_create(by=dora, channel="bank")
    path = tmp_path / "wrong.xlsx"
    path.write_bytes(result_file_bytes([(FileLine("C000000000", "x", ACCOUNT, 100), True, "")]))

    with pytest.raises(DomainError) as exc:
        services.payout_results_import(by=dora, batch=batch, path=path)

    assert exc.value.code == "mutualaid.payout.result_mismatch"
    approved.refresh_from_db()
    assert approved.status == ClaimStatus.APPROVED
    batch.refresh_from_db()
    assert batch.status == PayoutBatchStatus.SENT


def test_a_claim_waiting_for_the_bank_is_not_marked_paid_by_hand(approved, dora, erin) -> None:
    services.payout_batch_create(by=dora, channel="bank")
    with pytest.raises(Conflict) as exc:
        services.claim_transition(claim=approved, to="paid", by=erin)
    assert exc.value.code == "mutualaid.claim.in_payout"


# -- pages -----------------------------------------------------------------------------------


def test_the_payout_pages_make_a_batch_and_take_the_result(
    login_as, dora, approved, tmp_path, django_capture_on_commit_callbacks
) -> None:
    client = login_as(dora)
    page = client.get("/w/mutual-aid/payouts/").content.decode()
    assert approved.claim_no in page and "6222" not in page and "*3445" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/w/mutual-aid/payouts/", {"channel": "bank"})
    job = Job.objects.get(kind="mutualaid.payout")
    assert response.status_code == 302 and job.status == "succeeded"
    batch = PayoutBatch.objects.get()
    detail = client.get(f"/w/mutual-aid/payouts/{batch.public_id}/").content.decode()
    assert batch.batch_no in detail and approved.claim_no in detail and ACCOUNT not in detail

    download = client.get(f"/w/mutual-aid/payouts/{batch.public_id}/file/")
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"

    upload = SimpleUploadedFile("result.xlsx", result_file(tmp_path, batch, {}).read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/w/mutual-aid/payouts/{batch.public_id}/", {"file": upload})
    approved.refresh_from_db()
    assert approved.status == ClaimStatus.PAID


def test_the_member_sees_when_and_what_was_paid(login_as, people, approved, dora, tmp_path) -> None:
    batch = services.payout_batch_create(by=dora, channel="bank")
    services.payout_results_import(by=dora, batch=batch, path=result_file(tmp_path, batch, {}))
    approved.refresh_from_db()

    page = login_as(people["member"]).get(f"/m/mutual-aid/claims/{approved.public_id}/")

    day = timezone.localtime(approved.paid_at).date().isoformat()
    assert f"已支付 ¥2,100.00，{day}" in page.content.decode()


def test_outsiders_see_no_payout_batch(login_as, people, approved, dora) -> None:
    batch = services.payout_batch_create(by=dora, channel="bank")
    bob = login_as(people["bob"])
    assert bob.get(f"/w/mutual-aid/payouts/{batch.public_id}/").status_code == 404
    assert bob.get(f"/w/mutual-aid/payouts/{batch.public_id}/file/").status_code == 404
    assert approved.claim_no not in bob.get("/w/mutual-aid/payouts/").content.decode()
    alice = login_as(people["alice"])
    assert alice.get(f"/w/mutual-aid/payouts/{batch.public_id}/file/").status_code == 404


def test_the_payout_list_query_count_does_not_grow(
    login_as, dora, member_a, people, django_assert_max_num_queries
) -> None:
    for n in range(6):
        claim = file_claim(
            people["member"], member_a, invoices=[services.InvoiceData(f"QUEUE0000{n}", 90000)]
        )
        approve(claim, people, dora)
    client = login_as(dora)
    with django_assert_max_num_queries(14):
        response = client.get("/w/mutual-aid/payouts/")
    assert response.content.decode().count("/w/mutual-aid/claims/") >= 6


# -- API -------------------------------------------------------------------------------------


def test_the_api_makes_a_batch_and_lists_its_lines(
    login_as, dora, people, approved, django_capture_on_commit_callbacks
) -> None:
    client = login_as(dora)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/mutual-aid/payout-batches",
            {"channel": "bank"},
            content_type="application/json",
        )
    assert response.status_code == 202
    batch = PayoutBatch.objects.get()
    lines = client.get(f"/api/v1/mutual-aid/payout-batches/{batch.public_id}/lines").json()
    assert lines["items"][0]["claim_no"] == approved.claim_no
    assert lines["items"][0]["account"].endswith("3445") and ACCOUNT not in str(lines)
    assert (
        client.get(f"/api/v1/mutual-aid/payout-batches/{batch.public_id}/file").status_code == 200
    )
    bob = login_as(people["bob"])
    assert bob.get(f"/api/v1/mutual-aid/payout-batches/{batch.public_id}").status_code == 404
    refused = login_as(people["carol"]).post(
        "/api/v1/mutual-aid/payout-batches", {"channel": "bank"}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_the_card_channel_pays_onto_the_union_card(monkeypatch, without_account, dora) -> None:
    from gonghui.cards import selectors as card_selectors

    cards = {without_account.member_id: "6231000099998888777"}
    monkeypatch.setattr(card_selectors, "payout_account_of", lambda m: cards.get(m.pk))

    batch = services.payout_batch_create(by=dora, channel="card")

    assert batch.lines.get().account_no == "6231000099998888777"
    assert batch.without_account == []
