"""Monthly statements are the ledger summed: exactly, month by month, refunds in the month
they happened; confirmed statements are frozen.

The builders here write sales and refunds of any day straight into the models and the real
hash-chained ledger (`ledger.append`), as the services would have on that day; the other page
and report tests use them too."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.audit.models import AuditEntry
from gonghui.conftest import ensure_reference_data, make_user, race
from gonghui.core.errors import DomainError
from gonghui.members.models import Member
from gonghui.merchants.models import Merchant
from gonghui.pos import ledger, rules
from gonghui.pos import settlement as settle
from gonghui.pos.models import EntryKind, LedgerEntry, Quote, Refund, Settlement, Transaction
from gonghui.pos.tests.conftest import make_member

pytestmark = pytest.mark.django_db


# -- builders ---------------------------------------------------------------------------------


def local(day: date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=timezone.get_current_timezone())


def record_sale(
    merchant: Merchant,
    member: Member,
    *,
    amount_fen: int,
    discount_fen: int,
    at: datetime,
    kind: str = "card",
) -> Transaction:
    """A confirmed sale on `at`'s day, with its ledger entry, as transaction_confirm writes."""
    day = timezone.localdate(at)
    contract = merchant.contracts.order_by("-valid_from").first()
    payable = amount_fen - discount_fen
    quote = Quote.objects.create(
        merchant=merchant,
        contract=contract,
        member=member,
        credential_kind=kind,
        amount_fen=amount_fen,
        discount_fen=discount_fen,
        payable_fen=payable,
        rule="8.5折",
        expires_at=at + rules.QUOTE_TTL,
    )
    sale = Transaction.objects.create(
        merchant=merchant,
        member=member,
        quote=quote,
        credential_kind=kind,
        amount_fen=amount_fen,
        discount_fen=discount_fen,
        payable_fen=payable,
        rule=quote.rule,
        local_date=day,
    )
    Transaction.objects.filter(pk=sale.pk).update(created_at=at)
    sale.created_at = at
    ledger.append(
        merchant_id=merchant.pk,
        kind=EntryKind.SALE,
        member_id=member.pk,
        transaction_id=sale.pk,
        refund_id=None,
        amount_fen=amount_fen,
        discount_fen=discount_fen,
        payable_fen=payable,
        at=at,
        local_date=day,
    )
    return sale


def record_refund(sale: Transaction, amount_fen: int, *, at: datetime) -> Refund:
    """A refund on `at`'s day, the discount reversed in proportion, as transaction_refund does."""
    reversed_fen = rules.discount_reversal(
        discount_fen=sale.discount_fen,
        payable_fen=sale.payable_fen,
        refunded_before_fen=sale.refunded_fen,
        reversed_before_fen=sale.discount_reversed_fen,
        refund_fen=amount_fen,
    )
    day = timezone.localdate(at)
    refund = Refund.objects.create(
        transaction=sale,
        amount_fen=amount_fen,
        discount_reversed_fen=reversed_fen,
        local_date=day,
    )
    Refund.objects.filter(pk=refund.pk).update(created_at=at)
    sale.refunded_fen += amount_fen
    sale.discount_reversed_fen += reversed_fen
    sale.save(update_fields=["refunded_fen", "discount_reversed_fen"])
    ledger.append(
        merchant_id=sale.merchant_id,
        kind=EntryKind.REFUND,
        member_id=sale.member_id,
        transaction_id=sale.pk,
        refund_id=refund.pk,
        amount_fen=-(amount_fen + reversed_fen),
        discount_fen=-reversed_fen,
        payable_fen=-amount_fen,
        at=at,
        local_date=day,
    )
    return refund


def ledger_sums(merchant: Merchant, month: date) -> dict[str, int]:
    """The month's entries added up in Python, one by one: what a statement must equal."""
    entries = list(
        LedgerEntry.objects.filter(merchant=merchant, local_date__year=month.year).filter(
            local_date__month=month.month
        )
    )
    return {
        "sales": sum(1 for e in entries if e.kind == EntryKind.SALE),
        "refunds": sum(1 for e in entries if e.kind == EntryKind.REFUND),
        "amount_fen": sum(e.amount_fen for e in entries),
        "discount_fen": sum(e.discount_fen for e in entries),
        "payable_fen": sum(e.payable_fen for e in entries),
        "last_seq": max((e.seq for e in entries), default=0),
    }


def totals_of(statement: Settlement) -> dict[str, int]:
    return {name: getattr(statement, name) for name in settle.TOTAL_FIELDS}


@pytest.fixture
def settler(tree: dict[str, Any]) -> Any:
    """Federation staff of the 保障部 at the city root: may generate and confirm anywhere."""
    return make_user("settler", assignments=[(tree["city"], "dept_staff", "security")])


JULY = date(2026, 7, 1)
AUGUST = date(2026, 8, 1)
SEPTEMBER = date(2026, 9, 1)


# -- the sums -----------------------------------------------------------------------------------


sale_plan = st.lists(
    st.tuples(
        st.integers(0, 1),  # merchant
        st.integers(0, 2),  # month after JULY
        st.integers(1, 28),  # day
        st.integers(1, 2_000_000),  # amount in fen
        st.integers(0, 50),  # discount, percent of the amount
        st.lists(st.tuples(st.integers(0, 2), st.integers(1, 100)), max_size=3),  # refunds
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=sale_plan)
def test_statements_equal_the_ledger_for_any_sales_and_refunds(tree, shop_a, shop_b, plan):
    shops = [shop_a, shop_b]
    with transaction.atomic():
        member = make_member(tree["a"])
        for shop_index, month_offset, day, amount, percent, refunds in plan:
            sold_on = date(2026, 7 + month_offset, day)
            sale = record_sale(
                shops[shop_index],
                member,
                amount_fen=amount,
                discount_fen=amount * percent // 100,
                at=local(sold_on),
            )
            for delay_months, share in refunds:
                left = sale.payable_fen - sale.refunded_fen
                refund_fen = min(left, max(1, sale.payable_fen * share // 100))
                refunded_on = date(2026, min(9, sold_on.month + delay_months), day)
                if left and refunded_on >= sold_on:
                    record_refund(sale, refund_fen, at=local(refunded_on, 15))

        for month in (JULY, AUGUST, SEPTEMBER):
            settle.settlement_generate(by=None, month=month)

        for shop in shops:
            for month in (JULY, AUGUST, SEPTEMBER):
                expected = ledger_sums(shop, month)
                statement = Settlement.objects.filter(merchant=shop, month=month).first()
                if expected["sales"] + expected["refunds"] == 0:
                    assert statement is None
                    continue
                assert statement is not None
                assert totals_of(statement) == expected
                assert settle.statement_line_totals(statement) == expected
                assert statement.amount_fen == statement.discount_fen + statement.payable_fen
        # Over all months, the statements are the whole ledger.
        whole = Settlement.objects.all()
        for field in ("amount_fen", "discount_fen", "payable_fen"):
            assert sum(getattr(s, field) for s in whole) == sum(
                LedgerEntry.objects.values_list(field, flat=True)
            )
        assert ledger.verify() is None
        transaction.set_rollback(True)


def test_a_refund_in_a_later_month_counts_in_the_month_it_happened(tree, shop_a):
    member = make_member(tree["a"])
    sale = record_sale(
        shop_a, member, amount_fen=10000, discount_fen=1500, at=local(date(2026, 7, 30))
    )
    record_refund(sale, 4250, at=local(date(2026, 8, 2)))  # half of ¥85.00 paid

    settle.settlement_generate(by=None, month=JULY)
    settle.settlement_generate(by=None, month=AUGUST)

    july = Settlement.objects.get(merchant=shop_a, month=JULY)
    august = Settlement.objects.get(merchant=shop_a, month=AUGUST)
    assert (july.sales, july.refunds, july.amount_fen, july.discount_fen, july.payable_fen) == (
        1,
        0,
        10000,
        1500,
        8500,
    )
    assert (august.sales, august.refunds) == (0, 1)
    assert (august.amount_fen, august.discount_fen, august.payable_fen) == (-5000, -750, -4250)


def test_a_refund_just_after_midnight_local_time_is_the_new_month(tree, shop_a):
    member = make_member(tree["a"])
    sale = record_sale(
        shop_a, member, amount_fen=2000, discount_fen=300, at=local(date(2026, 7, 31), 23, 59)
    )
    # 00:05 on 1 August in Shanghai is still 31 July in UTC.
    record_refund(sale, 1700, at=local(date(2026, 8, 1), 0, 5))
    settle.settlement_generate(by=None, month=AUGUST)
    assert Settlement.objects.get(merchant=shop_a, month=AUGUST).refunds == 1
    settle.settlement_generate(by=None, month=JULY)
    assert Settlement.objects.get(merchant=shop_a, month=JULY).refunds == 0


def test_regenerating_refreshes_drafts_and_leaves_confirmed_statements_alone(
    tree, shop_a, shop_b, settler
):
    member = make_member(tree["a"])
    record_sale(shop_a, member, amount_fen=10000, discount_fen=1000, at=local(date(2026, 7, 3)))
    record_sale(shop_b, member, amount_fen=5000, discount_fen=500, at=local(date(2026, 7, 3)))
    assert settle.settlement_generate(by=settler, month=JULY) == 2
    confirmed = settle.settlement_confirm(
        by=settler, settlement=Settlement.objects.get(merchant=shop_a, month=JULY)
    )
    frozen = totals_of(confirmed)

    # Entries arriving for July afterwards (say, a clock set wrong at a till).
    record_sale(shop_a, member, amount_fen=7777, discount_fen=777, at=local(date(2026, 7, 20)))
    record_sale(shop_b, member, amount_fen=3000, discount_fen=300, at=local(date(2026, 7, 20)))
    assert settle.settlement_generate(by=settler, month=JULY) == 1

    confirmed.refresh_from_db()
    assert confirmed.status == Settlement.Status.CONFIRMED
    assert totals_of(confirmed) == frozen
    # Its lines stop at the entry it was confirmed with, so they still add up to it.
    assert settle.statement_line_totals(confirmed) == frozen
    draft = Settlement.objects.get(merchant=shop_b, month=JULY)
    assert (draft.sales, draft.amount_fen) == (2, 8000)


def test_generating_for_one_merchant_touches_no_other(tree, shop_a, shop_b):
    member = make_member(tree["a"])
    record_sale(shop_a, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, 3)))
    record_sale(shop_b, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, 3)))
    assert settle.settlement_generate(by=None, month=JULY, merchant=shop_b) == 1
    assert list(Settlement.objects.values_list("merchant__code", flat=True)) == [shop_b.code]


def test_county_staff_generate_only_their_districts_statements(tree, shop_a, shop_b, people):
    member = make_member(tree["a"])
    record_sale(shop_a, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, 3)))
    record_sale(shop_b, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, 3)))
    assert settle.settlement_generate(by=people["carol"], month=JULY) == 1
    assert list(Settlement.objects.values_list("merchant_id", flat=True)) == [shop_a.pk]


def test_confirming_freezes_and_is_audited(tree, shop_a, settler):
    member = make_member(tree["a"])
    record_sale(shop_a, member, amount_fen=10000, discount_fen=1000, at=local(date(2026, 7, 3)))
    settle.settlement_generate(by=settler, month=JULY)
    statement = Settlement.objects.get()

    confirmed = settle.settlement_confirm(by=settler, settlement=statement)

    assert confirmed.status == Settlement.Status.CONFIRMED
    assert confirmed.confirmed_by == settler and confirmed.confirmed_at is not None
    entry = AuditEntry.objects.get(action="pos.settlement.confirmed")
    assert entry.actor_id == settler.pk and entry.union_path == shop_a.district.path
    assert entry.changes["discount_fen"] == 1000
    assert AuditEntry.objects.filter(action="pos.settlement.generated").exists()
    with pytest.raises(DomainError) as again:
        settle.settlement_confirm(by=settler, settlement=statement)
    assert again.value.code == "pos.settlement_confirmed"


def test_a_month_that_has_not_ended_cannot_be_confirmed(tree, shop_a, settler):
    member = make_member(tree["a"])
    now = timezone.now()
    record_sale(shop_a, member, amount_fen=1000, discount_fen=100, at=now)
    settle.settlement_generate(by=settler, month=timezone.localdate())
    with pytest.raises(DomainError) as refused:
        settle.settlement_confirm(by=settler, settlement=Settlement.objects.get())
    assert refused.value.code == "pos.settlement_month_open"
    assert Settlement.objects.get().status == Settlement.Status.DRAFT


def test_only_staff_holding_cards_change_there_may_confirm(tree, shop_b, people):
    member = make_member(tree["b"])
    record_sale(shop_b, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, 3)))
    settle.settlement_generate(by=None, month=JULY)
    with pytest.raises(DomainError) as refused:
        settle.settlement_confirm(by=people["carol"], settlement=Settlement.objects.get())
    assert refused.value.status == 403


def test_the_month_is_parsed_strictly():
    assert settle.parse_month("2026-11") == date(2026, 11, 1)
    assert settle.parse_month(" 2026-02-17 ") == date(2026, 2, 1)
    for bad in ("2026", "2026-13", "11/2026", ""):
        with pytest.raises(DomainError) as refused:
            settle.parse_month(bad)
        assert refused.value.code == "pos.month_invalid"


# -- the command and the job ---------------------------------------------------------------------


def test_the_command_writes_drafts_and_prints_a_json_summary(tree, shop_a, shop_b):
    member = make_member(tree["a"])
    record_sale(shop_a, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, 3)))
    record_sale(shop_b, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, 9)))
    out = StringIO()
    call_command("pos_settle", "--month", "2026-07", "--json", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary == {"month": "2026-07", "drafts": 2, "confirmed": 0}
    assert Settlement.objects.filter(month=JULY, status="draft").count() == 2


def test_the_command_refuses_a_bad_month_and_an_unknown_merchant(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"pos\.month_invalid"):
        call_command("pos_settle", "--month", "July")
    with pytest.raises(CommandError, match="SH99999"):
        call_command("pos_settle", "--month", "2026-07", "--merchant", "sh99999")


def test_the_staff_button_runs_the_generation_as_a_job(
    tree, shop_a, settler, login_as, django_capture_on_commit_callbacks
):
    member = make_member(tree["a"])
    record_sale(shop_a, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, 3)))
    client = login_as(settler)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/w/pos/settlements/generate/", {"month": "2026-07"})

    assert response.status_code == 302
    from gonghui.jobs.models import Job

    job = Job.objects.get(kind="pos.settle")
    assert response["Location"] == f"/w/jobs/{job.public_id}/"
    assert job.status == "succeeded", job.summary
    assert (job.total, job.done) == (1, 1)
    assert job.summary["updated"] == 1
    assert Settlement.objects.filter(merchant=shop_a, month=JULY).exists()
    page = client.get(response["Location"]).content.decode()
    assert "生成 2026-07 月度结算单" in page


def test_a_bad_month_on_the_button_says_so(settler, login_as):
    client = login_as(settler)
    response = client.post("/w/pos/settlements/generate/", {"month": "nonsense"}, follow=True)
    assert "月份格式应为" in response.content.decode()


# -- races (PostgreSQL) ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL")
def test_two_staff_confirming_at_once_confirm_once(tree, shop_a):
    ensure_reference_data()
    first = make_user("first", assignments=[(tree["city"], "dept_staff", "security")])
    second = make_user("second", assignments=[(tree["city"], "dept_staff", "security")])
    member = make_member(tree["a"])
    record_sale(shop_a, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, 3)))
    settle.settlement_generate(by=None, month=JULY)
    statement = Settlement.objects.select_related("merchant__district").get()

    results = race(
        lambda: settle.settlement_confirm(by=first, settlement=statement),
        lambda: settle.settlement_confirm(by=second, settlement=statement),
    )

    confirmed = [r for r in results if isinstance(r, Settlement)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(confirmed) == 1, results
    assert [e.code for e in refused] == ["pos.settlement_confirmed"]
    assert AuditEntry.objects.filter(action="pos.settlement.confirmed").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL")
def test_regenerating_while_confirming_never_changes_a_confirmed_statement(tree, shop_a):
    ensure_reference_data()
    staff = make_user("staff", assignments=[(tree["city"], "dept_staff", "security")])
    member = make_member(tree["a"])
    record_sale(shop_a, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, 3)))
    settle.settlement_generate(by=None, month=JULY)
    statement = Settlement.objects.select_related("merchant__district").get()
    frozen = totals_of(statement)

    race(
        lambda: settle.settlement_confirm(by=staff, settlement=statement),
        lambda: settle.settlement_generate(by=None, month=JULY),
    )

    statement.refresh_from_db()
    assert statement.status == Settlement.Status.CONFIRMED
    assert totals_of(statement) == frozen
    assert Settlement.objects.count() == 1


def test_partial_refunds_adding_up_to_everything_reverse_the_whole_discount(tree, shop_a):
    member = make_member(tree["a"])
    sale = record_sale(shop_a, member, amount_fen=999, discount_fen=149, at=local(date(2026, 7, 3)))
    for amount in (333, 333, 184):
        record_refund(sale, amount, at=local(date(2026, 7, 4)))
    settle.settlement_generate(by=None, month=JULY)
    statement = Settlement.objects.get()
    assert (statement.amount_fen, statement.discount_fen, statement.payable_fen) == (0, 0, 0)
    assert (statement.sales, statement.refunds) == (1, 3)


def test_a_month_without_entries_writes_nothing(db):
    assert settle.settlement_generate(by=None, month=date(2026, 10, 1)) == 0
    assert not Settlement.objects.exists()
