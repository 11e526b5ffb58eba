"""Plans, enrolment, payments and claims through their services: each audited, each scoped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.conftest import make_user
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.filetypes import DOCUMENT_MAX_BYTES
from gonghui.members import services as member_services
from gonghui.mutualaid import rules, selectors, services
from gonghui.mutualaid.models import (
    Claim,
    ClaimDocument,
    ClaimStatus,
    Enrolment,
    HealthConsent,
    LedgerEntry,
)
from gonghui.mutualaid.tests.conftest import (
    claim_data,
    enrol,
    enrolment_of,
    file_claim,
    make_member,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% test document\n"


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


# -- plans and rule versions -----------------------------------------------------------------


def test_only_the_city_sets_plans_and_rules(people, plan, dora) -> None:
    with pytest.raises(Forbidden):
        services.rule_version_create(
            by=people["alice"],
            plan=plan,
            data=services.RuleData(effective_from=plan.starts_on + timedelta(days=1)),
        )
    version = services.rule_version_create(
        by=dora,
        plan=plan,
        data=services.RuleData(
            effective_from=plan.starts_on + timedelta(days=1), contribution_fen=9000
        ),
    )
    assert version.number == 2
    assert "mutualaid.rules.versioned" in actions()


def test_a_rule_change_applies_to_events_from_its_date(people, plan, dora, member_a) -> None:
    today = timezone.localdate()
    richer = [
        dict(rules.DEFAULT_BENEFITS[0], ratios={"tertiary": "0.70"}),
        *rules.DEFAULT_BENEFITS[1:],
    ]
    services.rule_version_create(
        by=dora,
        plan=plan,
        data=services.RuleData(effective_from=today - timedelta(days=5), benefits=richer),
    )
    before = file_claim(people["member"], member_a, event_date=today - timedelta(days=6))
    after = file_claim(
        people["member"],
        member_a,
        event_date=today - timedelta(days=5),
        invoices=[services.InvoiceData("INV0000002", 500000)],
    )
    assert before.rule_version.number == 1 and before.payable_fen == 210000
    assert after.rule_version.number == 2 and after.payable_fen == 294000  # 4200 * 70%


# -- enrolment -------------------------------------------------------------------------------


def test_bulk_enrolment_fixes_what_each_payer_owes(people, tree, plan) -> None:
    members = [make_member(tree["a"], seed) for seed in range(10, 15)]
    outsider = make_member(tree["b"], 20)
    left = make_member(tree["a"], 21)
    member_services.member_leave(by=people["alice"], member=left, reason="调离")
    too_old = make_member(tree["a"], 22, birth=timezone.localdate().replace(year=1950))

    batch = enrol(people["alice"], plan, tree["a"], [*members, outsider, left, too_old])

    assert batch.enrolled_count == 5 and batch.skipped_count == 3
    reasons = " ".join(s["reason"] for s in batch.skipped)
    assert "不是本工会会员" in reasons and "会籍状态" in reasons and "参保年龄" in reasons
    payments = {p.payer: p for p in batch.payments.all()}
    assert {k: p.due_fen for k, p in payments.items()} == {
        "employer": 10000,
        "union": 10000,
        "worker": 10000,
    }
    enrolment = enrolment_of(members[0])
    assert enrolment.contribution_fen == 6000
    assert (enrolment.employer_fen, enrolment.union_fen, enrolment.worker_fen) == (2000, 2000, 2000)
    assert enrolment.cover_starts_on == timezone.localdate() + timedelta(days=90)
    assert enrolment.cover_ends_on == plan.ends_on
    assert actions().count("mutualaid.enrolment.created") == 5
    assert "mutualaid.batch.created" in actions()


def test_a_member_is_enrolled_once_a_year(people, tree, plan, member_a) -> None:
    with pytest.raises(DomainError) as exc:
        enrol(people["alice"], plan, tree["a"], [member_a])
    assert exc.value.code == "mutualaid.enrol.nobody"
    assert Enrolment.objects.filter(member=member_a).count() == 1


def test_enrolment_outside_the_window_is_refused(people, tree, plan) -> None:
    member = make_member(tree["a"], 30)
    with pytest.raises(DomainError) as exc:
        enrol(people["alice"], plan, tree["a"], [member], today=plan.enrol_closes_on + timedelta(1))
    assert exc.value.code == "mutualaid.enrol.window_closed"


def test_bob_cannot_enrol_union_a(people, tree, plan) -> None:
    with pytest.raises(Forbidden):
        enrol(people["bob"], plan, tree["a"], [make_member(tree["a"], 31)])


def test_payments_reconcile_and_enter_the_ledger(people, tree, plan) -> None:
    batch = enrol(people["alice"], plan, tree["a"], [make_member(tree["a"], s) for s in (40, 41)])
    employer = batch.payments.get(payer="employer")
    services.payment_record(
        by=people["alice"], payment=employer, paid_fen=3000, paid_on=timezone.localdate()
    )
    services.payment_record(
        by=people["alice"], payment=employer, paid_fen=4000, paid_on=timezone.localdate()
    )
    summary = services.reconciliation(batch)
    assert summary["due_fen"] == 12000 and summary["paid_fen"] == 4000
    assert summary["owed_fen"] == 8000
    assert list(LedgerEntry.objects.values_list("amount_fen", flat=True)) == [3000, 1000]
    assert selectors.fund_balance(plan)["income_fen"] == 4000
    with pytest.raises(Forbidden):
        services.payment_record(
            by=people["bob"], payment=employer, paid_fen=1, paid_on=timezone.localdate()
        )


def test_leaving_the_union_keeps_cover_to_the_period_end(people, member_a) -> None:
    member_services.member_leave(by=people["alice"], member=member_a, reason="离职")
    member_a.refresh_from_db()
    claim = file_claim(people["alice"], member_a)
    assert claim.status == ClaimStatus.SUBMITTED
    with pytest.raises(DomainError) as exc:
        file_claim(
            people["alice"],
            member_a,
            event_date=enrolment_of(member_a).cover_ends_on + timedelta(days=1),
        )
    assert exc.value.code in {"mutualaid.claim.not_enrolled", "mutualaid.claim.future"}


# -- claims: filing --------------------------------------------------------------------------


def test_consent_comes_first_and_health_details_are_encrypted(people, member_a) -> None:
    with pytest.raises(DomainError) as exc:
        services.claim_submit(
            by=people["member"], member=member_a, data=claim_data(), consent_version=None
        )
    assert exc.value.code == "mutualaid.consent_required"
    assert not Claim.objects.exists() and not HealthConsent.objects.exists()

    claim = file_claim(people["member"], member_a)
    consent = claim.consent
    assert consent.text_version == services.CONSENT_VERSION and not consent.on_paper
    assert consent.consented_at <= claim.submitted_at
    with connection.cursor() as cursor:
        cursor.execute("SELECT health_details FROM mutualaid_claim WHERE id = %s", [claim.pk])
        raw = cursor.fetchone()[0]
    assert "肺炎" not in raw
    assert Claim.objects.get(pk=claim.pk).health_details == "肺炎住院 5 天"
    logged = AuditEntry.objects.filter(action="mutualaid.claim.submitted").get()
    assert "肺炎" not in str(logged.changes)
    assert [a for a in actions() if a.startswith("mutualaid.c")] == [
        "mutualaid.consent.recorded",
        "mutualaid.claim.submitted",
    ]


def test_the_union_files_on_behalf_with_a_paper_consent(people, member_a) -> None:
    claim = file_claim(people["alice"], member_a)
    assert claim.consent.on_paper and claim.consent.recorded_by == people["alice"]
    with pytest.raises(Forbidden):
        file_claim(people["bob"], member_a, invoices=[services.InvoiceData("INVX000009", 100)])


def test_the_payable_amount_is_explained_line_by_line(claim_a) -> None:
    assert claim_a.payable_fen == 210000
    texts = [rules.line_text(line) for line in claim_a.explanation]
    assert texts[0].startswith("按测试保障期第 1 版规则计算")
    assert "本次应付 ¥2,100.00" in texts


def test_a_duplicate_invoice_is_caught_across_claims(people, member_a, member_b, claim_a) -> None:
    with pytest.raises(DomainError) as exc:
        file_claim(people["bob"], member_b, invoices=[services.InvoiceData("inv 000 0001", 100)])
    assert exc.value.code == "mutualaid.claim.invoice_duplicate"
    assert exc.value.status == 409
    assert Claim.objects.count() == 1
    assert HealthConsent.objects.count() == 1  # the refused claim stored nothing


def test_a_claim_in_the_waiting_period_is_refused_with_the_cover_date(people, tree, plan) -> None:
    newcomer = make_member(tree["a"], 50)
    enrol(people["alice"], plan, tree["a"], [newcomer], today=timezone.localdate() - timedelta(20))
    starts = enrolment_of(newcomer).cover_starts_on
    with pytest.raises(DomainError) as exc:
        file_claim(people["alice"], newcomer)
    assert exc.value.code == "mutualaid.claim.waiting_period"
    assert starts.isoformat() in exc.value.message
    # an accident has no waiting period
    accident = file_claim(
        people["alice"],
        newcomer,
        item_code="accident",
        hospital_level="secondary",
        invoices=[services.InvoiceData("ACC0000001", 110000)],
    )
    assert accident.payable_fen == 80000


def test_uploads_are_checked_by_content_and_size(people, member_a) -> None:
    exe = services.Upload("invoice", b"MZ\x90\x00 not a pdf", "invoice.pdf")
    with pytest.raises(DomainError) as exc:
        file_claim(people["member"], member_a, documents=[exe])
    assert exc.value.code == "mutualaid.document_type"
    huge = services.Upload("invoice", PDF + b"0" * DOCUMENT_MAX_BYTES, "big.pdf")
    with pytest.raises(DomainError) as exc:
        file_claim(people["member"], member_a, documents=[huge])
    assert exc.value.code == "mutualaid.document_too_large"
    assert not Claim.objects.exists()

    claim = file_claim(
        people["member"], member_a, documents=[services.Upload("discharge", PDF, "出院.pdf")]
    )
    document = ClaimDocument.objects.get(claim=claim)
    assert document.content_type == "application/pdf"
    assert PDF not in document.file.read()  # encrypted at rest
    assert services.document_bytes(document) == PDF


# -- claims: the workflow --------------------------------------------------------------------


def walk(claim, *steps):
    for to, by in steps:
        claim = services.claim_transition(claim=claim, to=to, by=by)
    return claim


def test_the_three_levels_approve_and_the_payout_enters_the_ledger(
    people, claim_a, dora, erin, plan
) -> None:
    claim = walk(
        claim_a,
        ("first_reviewed", people["alice"]),
        ("rechecked", people["carol"]),
        ("approved", dora),
        ("paid", erin),
    )
    assert claim.status == ClaimStatus.PAID and claim.paid_at and claim.approved_at
    assert [e.level for e in claim.events.all()] == [
        "submitter",
        "first",
        "recheck",
        "approve",
        "approve",
    ]
    assert selectors.fund_balance(plan)["payout_fen"] == 210000
    assert "mutualaid.claim.approved" in actions() and "mutualaid.claim.paid" in actions()


def test_reviewers_act_only_at_their_own_level(people, claim_a, dora) -> None:
    with pytest.raises(Forbidden):
        services.claim_transition(claim=claim_a, to="first_reviewed", by=people["bob"])
    with pytest.raises(Forbidden):
        services.claim_transition(claim=claim_a, to="first_reviewed", by=people["carol"])
    with pytest.raises(Forbidden):
        services.claim_transition(claim=claim_a, to="first_reviewed", by=people["member"])
    walk(claim_a, ("first_reviewed", people["alice"]))
    with pytest.raises(Forbidden):
        services.claim_transition(claim=claim_a, to="rechecked", by=people["alice"])
    with pytest.raises(DomainError) as exc:
        services.claim_transition(claim=claim_a, to="approved", by=dora)
    assert exc.value.code == "mutualaid.claim.transition_invalid"


def test_one_person_cannot_sign_two_levels(people, claim_a, dora) -> None:
    walk(claim_a, ("first_reviewed", people["alice"]), ("rechecked", dora))
    with pytest.raises(DomainError) as exc:
        services.claim_transition(claim=claim_a, to="approved", by=dora)
    assert exc.value.code == "mutualaid.claim.same_reviewer"


def test_return_for_material_then_resubmit(people, claim_a) -> None:
    with pytest.raises(DomainError) as exc:
        services.claim_transition(claim=claim_a, to="returned", by=people["alice"])
    assert exc.value.code == "mutualaid.claim.reason_required"
    claim = services.claim_transition(
        claim=claim_a, to="returned", by=people["alice"], reason="请补充出院小结"
    )
    assert claim.reason == "请补充出院小结"
    services.claim_documents_add(
        by=people["member"], claim=claim, uploads=[services.Upload("discharge", PDF, "a.pdf")]
    )
    claim = services.claim_transition(claim=claim, to="submitted", by=people["member"])
    assert claim.status == ClaimStatus.SUBMITTED


def test_rejection_with_reason_then_one_appeal(people, claim_a, dora, erin) -> None:
    claim = services.claim_transition(
        claim=claim_a, to="rejected", by=people["alice"], reason="发票与病情不符"
    )
    claim = services.claim_transition(
        claim=claim, to="appealed", by=people["member"], reason="发票无误，附医院证明"
    )
    claim = services.claim_transition(claim=claim, to="rejected", by=dora, reason="维持原决定")
    with pytest.raises(DomainError) as exc:
        services.claim_transition(claim=claim, to="appealed", by=people["member"], reason="再申诉")
    assert exc.value.code == "mutualaid.claim.appeal_once"


def test_the_annual_cap_holds_across_claims(people, member_a, dora) -> None:
    erin = make_user(
        "erin2", assignments=[(dora.assignments.get().union, "dept_staff", "security")]
    )
    first = file_claim(
        people["member"], member_a, invoices=[services.InvoiceData("BIG0000001", 4_200_000)]
    )
    second = file_claim(
        people["member"], member_a, invoices=[services.InvoiceData("BIG0000002", 4_200_000)]
    )
    assert first.payable_fen == second.payable_fen == 2_060_000  # estimates, each alone
    for claim in (first, second):
        walk(
            claim,
            ("first_reviewed", people["alice"]),
            ("rechecked", people["carol"]),
            ("approved", dora if claim is first else erin),
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.payable_fen == 2_060_000
    assert second.payable_fen == 940_000  # what was left of ¥30,000
    assert selectors.used_fen(enrolment_of(member_a), "inpatient") == 3_000_000


def test_health_details_only_for_reviewers_and_each_reading_is_audited(
    people, claim_a, tree
) -> None:
    leader = make_user("lead", assignments=[(tree["city"], "leader", None)])
    assert services.health_details_read(by=people["alice"], claim=claim_a) == "肺炎住院 5 天"
    assert "mutualaid.claim.health_viewed" in actions()
    for outsider in (leader, people["bob"]):
        with pytest.raises(Forbidden):
            services.health_details_read(by=outsider, claim=claim_a)


def test_bob_sees_nothing_of_union_a(people, claim_a, claim_b) -> None:
    assert list(selectors.claim_list(actor=people["bob"])) == [claim_b]
    assert list(selectors.claim_list(actor=people["alice"])) == [claim_a]
    with pytest.raises(DomainError) as exc:
        selectors.claim_get(actor=people["bob"], public_id=claim_a.public_id)
    assert exc.value.status == 404
    assert selectors.batch_list(actor=people["bob"]).filter(union__code="UA").count() == 0
