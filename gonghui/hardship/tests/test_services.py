"""The workflows through their services: filing against the threshold, review and 公示 with
objections, aid within standards and budgets, once per period, the emergency fast track,
payout files, the ledger, retention."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.core import ledger, workdays
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.core.payouts import PayoutLine as FileLine
from gonghui.core.payouts import result_file_bytes
from gonghui.hardship import indicators, services
from gonghui.hardship.models import AidApplication, Budget, Disbursement, HardshipFile, Objection
from gonghui.hardship.retention import closed_files_purge
from gonghui.hardship.tests.conftest import (
    THRESHOLD_FEN,
    aid_data,
    file_data,
    kept_file,
    make_member,
    rechecked_aid,
    submit_file,
    to_notice,
)

pytestmark = pytest.mark.django_db


# -- files -------------------------------------------------------------------------------------


def test_a_member_files_on_the_phone_with_consent_and_encrypted_details(
    reference, people, member_a
) -> None:
    file = submit_file(people["member"], member_a, income_fen=2 * THRESHOLD_FEN - 2)
    assert file.state == "grassroots" and file.status == "temporary"
    assert (
        file.below_threshold and file.threshold_fen == THRESHOLD_FEN and file.district.code == "CA"
    )
    assert not file.consent.on_paper and file.consent.text_version == services.CONSENT_VERSION
    with connection.cursor() as cursor:
        cursor.execute("SELECT per_capita_income, health_details FROM hardship_hardshipfile")
        stored = cursor.fetchone()
    assert str(THRESHOLD_FEN - 1) not in stored[0] and "高血压" not in stored[1]
    assert file.per_capita_income == str(THRESHOLD_FEN - 1)
    entry = AuditEntry.objects.get(action="hardship.file.submitted")
    assert "高血压" not in json.dumps(entry.changes, ensure_ascii=False)


def test_income_at_the_threshold_needs_a_spending_cause(reference, people, member_a) -> None:
    with pytest.raises(DomainError) as refused:
        submit_file(people["alice"], member_a, income_fen=2 * THRESHOLD_FEN, cause="living")
    assert refused.value.code == "hardship.income_above_threshold"
    file = submit_file(people["alice"], member_a, income_fen=2 * THRESHOLD_FEN, cause="illness")
    assert not file.below_threshold and file.consent.on_paper


def test_no_threshold_no_file_and_one_open_file_per_member(tree, people, member_a, dora) -> None:
    with pytest.raises(DomainError) as missing:
        submit_file(people["alice"], member_a)
    assert missing.value.code == "hardship.threshold_missing"
    services.threshold_set(
        by=dora, district=tree["county_a"], year=timezone.localdate().year, monthly_fen=80_000
    )
    file = submit_file(people["alice"], member_a)
    assert file.threshold_fen == 80_000
    with pytest.raises(Conflict):
        submit_file(people["alice"], member_a)


def test_only_the_members_union_files_for_them(reference, people, member_a) -> None:
    with pytest.raises(Forbidden):
        submit_file(people["bob"], member_a)


def test_review_notice_and_keeping_sets_the_member_flag(reference, people, dora, member_a) -> None:
    file = submit_file(people["alice"], member_a)
    with pytest.raises(Forbidden):
        services.file_transition(file=file, to="county", by=people["bob"])
    file = services.file_transition(file=file, to="county", by=people["alice"])
    with pytest.raises(Forbidden):
        services.file_transition(file=file, to="city", by=people["alice"])
    file = services.file_transition(file=file, to="city", by=people["carol"])
    today = timezone.localdate()
    file = services.file_transition(file=file, to="notice", by=dora, today=today)
    assert file.notice_ends_on == workdays.add_working_days(today, 5)
    with pytest.raises(DomainError) as running:
        services.file_transition(file=file, to="active", by=dora)
    assert running.value.code == "hardship.file.notice_running"
    file = services.file_transition(
        file=file, to="active", by=dora, today=file.notice_ends_on + timedelta(days=1)
    )
    member_a.refresh_from_db()
    assert file.status == "active" and member_a.is_hardship
    assert [e.to_state for e in file.events.all()] == [
        "grassroots",
        "county",
        "city",
        "notice",
        "active",
    ]
    file = services.file_transition(file=file, to="relieved", by=people["carol"], reason="再就业")
    member_a.refresh_from_db()
    assert file.status == "relieved" and file.closed_on and not member_a.is_hardship


def test_an_objection_holds_the_file_until_resolved(
    reference, people, dora, erin, member_a
) -> None:
    file = to_notice(people, dora, member_a)
    objection = services.objection_record(
        by=people["alice"], file=file, received_on=timezone.localdate(), content="有房产未申报"
    )
    file.refresh_from_db()
    assert file.state == "objected"
    with pytest.raises(DomainError):
        services.file_transition(file=file, to="active", by=erin)
    with pytest.raises(Forbidden):
        services.objection_resolve(
            by=people["carol"], objection=objection, upheld=False, resolution="核实"
        )
    services.objection_resolve(
        by=erin, objection=objection, upheld=False, resolution="经核实房产已出售"
    )
    file.refresh_from_db()
    assert file.state == "notice"
    file = services.file_transition(file=file, to="active", by=erin)
    assert file.status == "active"


def test_an_upheld_objection_cancels_the_file(reference, people, dora, erin, member_a) -> None:
    file = to_notice(people, dora, member_a)
    objection = services.objection_record(
        by=people["carol"], file=file, received_on=timezone.localdate(), content="另有收入"
    )
    services.objection_resolve(
        by=erin, objection=objection, upheld=True, resolution="经核实有经营收入"
    )
    file.refresh_from_db()
    assert file.status == "cancelled" and file.reason == "经核实有经营收入"
    assert Objection.objects.get().status == "upheld"


def test_the_annual_recheck_moves_the_date(file_a, people) -> None:
    today = timezone.localdate()
    file = services.file_recheck(
        by=people["alice"], file=file_a, still_in_hardship=True, note="仍困难"
    )
    assert file.next_check_on > today
    file = services.file_recheck(by=people["carol"], file=file, still_in_hardship=False)
    assert file.status == "relieved"


def test_sensitive_details_only_for_program_staff(file_a, people) -> None:
    details = services.file_sensitive_read(by=people["carol"], file=file_a)
    assert details["per_capita_fen"] == 30_000 and details["health_details"] == "高血压"
    assert AuditEntry.objects.filter(action="hardship.file.sensitive_viewed").count() == 1
    with pytest.raises(Forbidden):
        services.file_sensitive_read(by=people["bob"], file=file_a)


def test_uploads_are_checked_by_content(reference, people, member_a) -> None:
    data = file_data()
    data.uploads = [services.Upload("income", b"MZ\x90\x00 not a pdf", "证明.pdf")]
    with pytest.raises(DomainError) as refused:
        services.file_submit(
            by=people["alice"], member=member_a, data=data, consent_version=services.CONSENT_VERSION
        )
    assert refused.value.code == "hardship.document_type"
    data.uploads = [services.Upload("income", b"%PDF-1.4 proof", "证明.pdf")]
    file = services.file_submit(
        by=people["alice"], member=member_a, data=data, consent_version=services.CONSENT_VERSION
    )
    evidence = file.evidence.get()
    assert b"%PDF" not in evidence.stored.read()
    assert services.evidence_read(by=people["carol"], evidence=evidence) == b"%PDF-1.4 proof"
    with pytest.raises(Forbidden):
        services.evidence_read(by=people["bob"], evidence=evidence)


# -- aid -----------------------------------------------------------------------------------------


def test_aid_needs_a_kept_file(reference, people, member_a) -> None:
    with pytest.raises(DomainError) as refused:
        services.aid_submit(by=people["member"], member=member_a, data=aid_data())
    assert refused.value.code == "hardship.aid.no_file"


def test_aid_through_three_levels_takes_its_budget(file_a, people, dora) -> None:
    aid = rechecked_aid(people, file_a.member)
    with pytest.raises(DomainError) as outside:
        services.aid_transition(aid=aid, to="approved", by=dora, amount_fen=400_000)
    assert outside.value.code == "hardship.aid.amount_outside_standard"
    aid = services.aid_transition(aid=aid, to="approved", by=dora, amount_fen=250_000)
    assert aid.approved_fen == 250_000 and aid.budget.union.code == "CITY"
    assert Budget.objects.get(category="living").used_fen == 250_000


def test_a_budget_is_never_exceeded(tree, people, dora, member_a) -> None:
    from gonghui.hardship.tests.conftest import setup_reference

    setup_reference(tree, dora, budget_fen=300_000)
    kept_file(people, dora, member_a)
    first = rechecked_aid(people, member_a)
    services.aid_transition(aid=first, to="approved", by=dora)
    medical = rechecked_aid(people, member_a, category="medical", requested_fen=300_000)
    services.aid_transition(aid=medical, to="approved", by=dora)
    third = rechecked_aid(
        people, member_a, category="education", stage="college", requested_fen=300_000
    )
    services.budget_set(
        by=dora, union=tree["city"], category="education", year=third.year, amount_fen=200_000
    )
    with pytest.raises(DomainError) as over:
        services.aid_transition(aid=third, to="approved", by=dora)
    assert over.value.code == "hardship.aid.over_budget"
    with pytest.raises(DomainError):
        services.budget_set(
            by=dora, union=tree["city"], category="living", year=first.year, amount_fen=100_000
        )


def test_a_county_budget_comes_before_the_citys(file_a, tree, people, dora) -> None:
    services.budget_set(
        by=people["carol"],
        union=tree["county_a"],
        category="living",
        year=timezone.localdate().year,
        amount_fen=500_000,
    )
    aid = services.aid_transition(aid=rechecked_aid(people, file_a.member), to="approved", by=dora)
    assert aid.budget.union.code == "CA"
    with pytest.raises(Forbidden):
        services.budget_set(
            by=people["alice"], union=tree["a"], category="living", year=aid.year, amount_fen=1
        )


def test_the_same_item_once_per_period(file_a, people, dora) -> None:
    first = rechecked_aid(people, file_a.member)
    second = rechecked_aid(people, file_a.member)
    services.aid_transition(aid=first, to="approved", by=dora)
    with pytest.raises(Conflict) as twice:
        services.aid_transition(aid=second, to="approved", by=dora)
    assert twice.value.code == "hardship.aid.already_received"
    with pytest.raises(Conflict):
        services.aid_submit(by=people["alice"], member=file_a.member, data=aid_data())
    other = services.aid_submit(
        by=people["alice"],
        member=file_a.member,
        data=aid_data(category="medical", requested_fen=300_000),
    )
    assert other.period == first.period


def test_a_referral_takes_no_money(file_a, people, dora) -> None:
    aid = rechecked_aid(
        people, file_a.member, category="employment", requested_fen=0, referral_to="春风行动招聘会"
    )
    aid = services.aid_transition(aid=aid, to="referred", by=dora)
    assert aid.state == "referred" and aid.approved_fen == 0 and aid.budget is None


def test_cash_payment_goes_into_the_chained_ledger(file_a, people, dora) -> None:
    aid = services.aid_transition(
        aid=rechecked_aid(people, file_a.member, channel="cash"), to="approved", by=dora
    )
    aid = services.aid_transition(aid=aid, to="paid", by=people["carol"])
    entry = Disbursement.objects.get()
    assert (
        entry.amount_fen == 200_000
        and entry.chain == str(aid.year)
        and entry.reference == f"cash:{aid.aid_no}"
    )
    assert ledger.verify(Disbursement) is None
    out = StringIO()
    call_command("ledger_verify", "hardship", "--json", stdout=out)
    assert json.loads(out.getvalue())["ledgers"] == [
        {"ledger": "hardship.disbursement", "ok": True, "entries": 1}
    ]


def test_bank_and_card_aid_are_paid_through_files(file_a, people, dora) -> None:
    aid = services.aid_transition(
        aid=rechecked_aid(
            people, file_a.member, channel="bank", bank_account="6222 0000 1111 2222"
        ),
        to="approved",
        by=dora,
    )
    with pytest.raises(DomainError) as refused:
        services.aid_transition(aid=aid, to="paid", by=people["carol"])
    assert refused.value.code == "hardship.aid.pay_through_bank"


def test_a_payout_file_and_its_results(file_a, tree, people, dora, tmp_path) -> None:
    aid = services.aid_transition(
        aid=rechecked_aid(people, file_a.member, channel="bank", bank_account="6222000011112222"),
        to="approved",
        by=dora,
    )
    with pytest.raises(Forbidden):
        services.payout_batch_create(by=people["alice"], union=tree["a"], channel="bank")
    batch = services.payout_batch_create(by=people["carol"], union=tree["county_a"], channel="bank")
    assert batch.line_count == 1 and batch.total_fen == 200_000
    content = services.payout_file(by=people["carol"], batch=batch)
    assert content[:2] == b"PK"
    line = FileLine(aid.aid_no, file_a.member.name, "6222000011112222", 200_000)
    path = tmp_path / "result.xlsx"
    path.write_bytes(result_file_bytes([(line, False, "账户已销户")]))
    assert services.payout_results_import(by=people["carol"], batch=batch, path=path) == {
        "paid": 0,
        "failed": 1,
    }
    aid.refresh_from_db()
    assert aid.state == "approved" and aid.payout_note == "账户已销户"
    again = services.payout_batch_create(by=dora, union=tree["city"], channel="bank")
    path.write_bytes(result_file_bytes([(line, True, "")]))
    assert services.payout_results_import(by=dora, batch=again, path=path) == {
        "paid": 1,
        "failed": 0,
    }
    aid.refresh_from_db()
    assert aid.state == "paid" and Disbursement.objects.get().reference.endswith(aid.aid_no)
    with pytest.raises(Conflict):
        services.payout_results_import(by=dora, batch=again, path=path)


def test_a_wrong_result_file_changes_nothing(file_a, tree, people, dora, tmp_path) -> None:
    aid = services.aid_transition(
        aid=rechecked_aid(people, file_a.member, channel="bank", bank_account="6222000011112222"),
        to="approved",
        by=dora,
    )
    batch = services.payout_batch_create(by=dora, union=tree["city"], channel="bank")
    path = tmp_path / "result.xlsx"
    path.write_bytes(result_file_bytes([(FileLine(aid.aid_no, "x", "1", 199_999), True, "")]))
    with pytest.raises(DomainError) as wrong:
        services.payout_results_import(by=dora, batch=batch, path=path)
    assert wrong.value.code == "hardship.payout.results_invalid"
    assert not Disbursement.objects.exists()


# -- emergency -------------------------------------------------------------------------------------


def emergency(people, member, **fields):
    values = {
        "category": "emergency",
        "requested_fen": 500_000,
        "reason_text": "家中失火",
        "emergency_kind": "fire",
        "event_date": timezone.localdate(),
        "channel": "cash",
    }
    return services.aid_submit(
        by=people["alice"], member=member, data=aid_data(**(values | fields)), emergency=True
    )


def test_the_emergency_fast_track(reference, people, member_a) -> None:
    aid = emergency(people, member_a)
    assert aid.file is None and aid.approve_by - aid.submitted_at == timedelta(hours=24)
    with pytest.raises(Forbidden):
        services.aid_transition(aid=aid, to="approved", by=people["alice"])
    aid = services.aid_transition(aid=aid, to="approved", by=people["carol"])
    assert aid.documents_due_on == workdays.add_working_days(timezone.localdate(), 10)
    aid = services.aid_transition(aid=aid, to="paid", by=people["carol"])
    assert aid.state == "paid" and Disbursement.objects.get().emergency
    with pytest.raises(DomainError):
        services.aid_documents_complete(by=people["alice"], aid=aid)
    services.aid_documents_add(
        by=people["member"],
        aid=aid,
        uploads=[services.Upload("disaster", b"\x89PNG\r\n\x1a\nfire", "火灾证明.png")],
    )
    aid = services.aid_documents_complete(by=people["alice"], aid=aid)
    assert aid.documents_completed_at is not None


def test_the_same_emergency_is_paid_once_and_members_cannot_self_approve(
    reference, people, member_a
) -> None:
    aid = emergency(people, member_a)
    services.aid_transition(aid=aid, to="approved", by=people["carol"])
    with pytest.raises(Conflict):
        emergency(people, member_a)
    with pytest.raises(Forbidden):
        services.aid_submit(
            by=people["member"],
            member=member_a,
            data=aid_data(
                category="emergency", emergency_kind="fire", event_date=timezone.localdate()
            ),
            emergency=True,
        )


def test_reminders_list_documents_due_rechecks_and_ended_notices(
    reference, people, dora, member_a, tree
) -> None:
    aid = services.aid_transition(
        aid=emergency(people, member_a), to="approved", by=people["carol"]
    )
    AidApplication.objects.filter(pk=aid.pk).update(
        documents_due_on=timezone.localdate() - timedelta(days=1)
    )
    other = make_member(tree["a"], 5)
    file = kept_file(people, dora, other)
    HardshipFile.objects.filter(pk=file.pk).update(next_check_on=timezone.localdate())
    waiting = to_notice(people, dora, make_member(tree["a"], 6))
    out = StringIO()
    call_command("hardship_reminders", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert [r["aid_no"] for r in summary["documents_due"]] == [aid.aid_no] and summary[
        "documents_due"
    ][0]["late"]
    assert [r["file_no"] for r in summary["recheck_due"]] == [file.file_no]
    assert [r["file_no"] for r in summary["notice_over"]] == [waiting.file_no]
    file.refresh_from_db()
    assert file.check_reminded_on == timezone.localdate()


# -- retention and figures --------------------------------------------------------------------


def test_closed_files_lose_their_details_but_keep_the_money_trail(file_a, people, dora) -> None:
    aid = services.aid_transition(
        aid=rechecked_aid(people, file_a.member, channel="cash"), to="approved", by=dora
    )
    services.aid_transition(aid=aid, to="paid", by=people["carol"])
    services.file_transition(file=file_a, to="relieved", by=people["carol"], reason="再就业")
    HardshipFile.objects.filter(pk=file_a.pk).update(
        closed_on=timezone.localdate() - timedelta(days=2000)
    )
    cutoff = timezone.now() - timedelta(days=5 * 365)
    assert closed_files_purge(cutoff, dry_run=True) == 1
    assert closed_files_purge(cutoff) == 1
    file_a.refresh_from_db()
    assert file_a.per_capita_income == "" and file_a.health_details == "" and file_a.purged_at
    assert file_a.household.first().name == "已清除"
    assert Disbursement.objects.count() == 1 and ledger.verify(Disbursement) is None
    assert AuditEntry.objects.filter(action="hardship.file.purged").count() == 1


def test_indicators(file_a, people, dora) -> None:
    from gonghui.core.indicators import Scope

    scope = Scope.year(timezone.localdate().year)
    assert indicators.aid_paid_fen(scope) is None and indicators.aid_paid_on_time(scope) is None
    aid = services.aid_transition(
        aid=rechecked_aid(people, file_a.member, channel="cash"), to="approved", by=dora
    )
    services.aid_transition(aid=aid, to="paid", by=people["carol"])
    services.aid_transition(
        aid=rechecked_aid(people, file_a.member, category="medical", requested_fen=300_000),
        to="approved",
        by=dora,
    )
    assert indicators.aid_paid_fen(scope) == 2000
    assert str(indicators.aid_paid_on_time(scope)) == "50.00"
    assert (
        indicators.aid_paid_fen(Scope.year(timezone.localdate().year, union_path="/CITY/CB/"))
        is None
    )


def test_the_ledger_refuses_changes_and_the_command_names_a_tampered_entry(
    file_a, people, dora
) -> None:
    from django.core.management.base import CommandError
    from django.db import DatabaseError, transaction

    from gonghui.audit.triggers import set_guard

    aid = services.aid_transition(
        aid=rechecked_aid(people, file_a.member, channel="cash"), to="approved", by=dora
    )
    services.aid_transition(aid=aid, to="paid", by=people["carol"])
    entry = Disbursement.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        Disbursement.objects.filter(pk=entry.pk).update(amount_fen=1)
    set_guard(connection, False)
    Disbursement.objects.filter(pk=entry.pk).update(amount_fen=1)
    set_guard(connection, True)
    with pytest.raises(CommandError, match=f"entry {entry.pk} "):
        call_command("ledger_verify", "hardship", stdout=StringIO())
