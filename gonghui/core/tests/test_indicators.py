"""The indicator providers of the members and mutual-aid programs, read through the registry as
target assessment and benchmarking read them; a program that is absent gives no data."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.conftest import make_user
from gonghui.core import indicators
from gonghui.core.indicators import Scope
from gonghui.members.models import Member
from gonghui.mutualaid import services as mutualaid_services
from gonghui.mutualaid.models import Claim
from gonghui.mutualaid.tests.conftest import enrol, file_claim, make_member

pytestmark = pytest.mark.django_db


def test_providers_register_their_indicators() -> None:
    codes = {i.code for i in indicators.all_indicators()}
    assert {
        "members.registered",
        "members.joined",
        "members.new_form_workers",
        "mutualaid.enrolment_rate",
        "mutualaid.claims_paid_fen",
        "mutualaid.payout_days_avg",
    } <= codes
    assert indicators.get("mutualaid.payout_days_avg").higher_is_better is False


def test_an_absent_program_gives_no_data_never_zero(tree) -> None:
    assert indicators.get("professors.sessions_held") is None
    assert indicators.value("professors.sessions_held", Scope.year(2026)) is None


def test_members_figures_by_subtree_and_period(tree) -> None:
    year = timezone.localdate().year
    make_member(tree["a"], 1)  # joined 2010
    fresh = make_member(tree["a"], 2, category="rider")
    Member.objects.filter(pk=fresh.pk).update(join_date=date(year, 3, 1))
    left = make_member(tree["a"], 3)
    Member.objects.filter(pk=left.pk).update(status="left")
    make_member(tree["b"], 4, category="courier")
    whole = Scope.year(year)
    county_a = Scope.year(year, union_path=tree["county_a"].path)
    assert indicators.value("members.registered", whole) == Decimal(3)
    assert indicators.value("members.registered", county_a) == Decimal(2)
    assert indicators.value("members.joined", county_a) == Decimal(1)
    assert indicators.value("members.new_form_workers", county_a) == Decimal(1)
    assert indicators.value("members.new_form_workers", whole) == Decimal(2)
    # Before the rider joined, she was not a registered member.
    earlier = Scope.year(year - 1, union_path=tree["county_a"].path)
    assert indicators.value("members.registered", earlier) == Decimal(1)
    assert indicators.value("members.registered", Scope.year(year, department="office")) is None


@pytest.fixture
def plan_year(tree):
    manager = make_user("dora", assignments=[(tree["city"], "dept_staff", "security")])
    today = timezone.localdate()
    starts = today - timedelta(days=200)
    return mutualaid_services.plan_year_create(
        by=manager,
        code="P1",
        name="测试保障期",
        starts_on=starts,
        ends_on=starts + timedelta(days=364),
        enrol_opens_on=starts - timedelta(days=30),
        enrol_closes_on=today + timedelta(days=30),
    )


def test_enrolment_rate_of_the_plan_year_covering_the_end(tree, people, plan_year) -> None:
    members = [make_member(tree["a"], i) for i in range(1, 5)]
    enrol(people["alice"], plan_year, tree["a"], members[:3], today=plan_year.enrol_opens_on)
    today = timezone.localdate()
    scope = Scope(plan_year.starts_on, today, tree["county_a"].path)
    assert indicators.value("mutualaid.enrolment_rate", scope) == Decimal("75.00")
    assert indicators.value("mutualaid.enrolment_rate", Scope(today, today, tree["b"].path)) is None
    before = Scope(
        plan_year.starts_on - timedelta(days=60), plan_year.starts_on - timedelta(days=1)
    )
    assert indicators.value("mutualaid.enrolment_rate", before) is None  # no plan year then
    city = Scope(plan_year.starts_on, today, department="security")
    assert indicators.value("mutualaid.enrolment_rate", city) == Decimal("75.00")
    assert (
        indicators.value("mutualaid.enrolment_rate", Scope(today, today, department="office"))
        is None
    )


def test_claims_paid_and_days_to_pay(tree, people, plan_year) -> None:
    today = timezone.localdate()
    scope = Scope(plan_year.starts_on, today, tree["county_a"].path)
    assert indicators.value("mutualaid.claims_paid_fen", scope) == Decimal(0)
    assert indicators.value("mutualaid.payout_days_avg", scope) is None  # nothing paid yet
    member = make_member(tree["a"], 1)
    member.account = people["member"]
    member.save(update_fields=["account"])
    enrol(people["alice"], plan_year, tree["a"], [member], today=plan_year.enrol_opens_on)
    first = file_claim(people["member"], member)
    second = file_claim(
        people["member"], member, invoices=[mutualaid_services.InvoiceData("INV0000002", 10000)]
    )
    for claim, days, payable in ((first, 4, 120000), (second, 10, 30000)):
        Claim.objects.filter(pk=claim.pk).update(
            status="paid", payable_fen=payable, paid_at=claim.submitted_at + timedelta(days=days)
        )
    later = Scope(plan_year.starts_on, today + timedelta(days=20), tree["county_a"].path)
    assert indicators.value("mutualaid.claims_paid_fen", later) == Decimal(150000)
    assert indicators.value("mutualaid.payout_days_avg", later) == Decimal("7.0")
    county_b = Scope(plan_year.starts_on, today + timedelta(days=20), tree["county_b"].path)
    assert indicators.value("mutualaid.claims_paid_fen", county_b) == Decimal(0)
    assert indicators.value("mutualaid.payout_days_avg", county_b) is None
