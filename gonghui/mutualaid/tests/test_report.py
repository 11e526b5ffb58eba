"""The transparency report: figures from the ledger and the claims, a staff page with charts and
an xlsx, a public page and API with nothing personal and nothing below county level."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.mutualaid import rules, selectors, services
from gonghui.mutualaid.models import Claim
from gonghui.mutualaid.tests.conftest import file_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_year(member_a, member_b, people, dora, erin, plan) -> Claim:
    """Both batches fully paid in (¥60 each), one claim of A paid ¥2,100 twelve days after
    it was filed."""
    for batch in plan.batches.all():
        for payment in batch.payments.all():
            services.payment_record(
                by=dora, payment=payment, paid_fen=payment.due_fen, paid_on=plan.starts_on
            )
    claim = file_claim(people["member"], member_a)
    Claim.objects.filter(pk=claim.pk).update(submitted_at=timezone.now() - timedelta(days=12))
    for to, by in (
        ("first_reviewed", people["alice"]),
        ("rechecked", people["carol"]),
        ("approved", dora),
        ("paid", erin),
    ):
        claim = services.claim_transition(claim=claim, to=to, by=by)
    return claim


def test_the_payout_ratio_and_average_days_round_half_up() -> None:
    assert rules.payout_ratio(210000, 12000) == Decimal("1750.0")
    assert rules.payout_ratio(1, 3) == Decimal("33.3")
    assert rules.payout_ratio(2, 3) == Decimal("66.7")
    assert rules.payout_ratio(5, 0) is None
    assert rules.average_days(86400 * 3 + 43200, 1) == Decimal("3.5")
    assert rules.average_days(0, 0) is None


def test_the_report_adds_up(paid_year, plan, tree) -> None:
    report = selectors.transparency_report(plan)

    assert report.participants == 2
    assert report.income_by_payer == {"employer": 4000, "union": 4000, "worker": 4000}
    assert report.income_fen == 12000 and report.payout_fen == 210000
    assert report.balance_fen == 12000 - 210000
    assert report.payout_ratio == Decimal("1750.0")
    assert report.average_days_to_pay == Decimal("12.0")
    inpatient = next(i for i in report.items if i.code == "inpatient")
    assert (inpatient.claims, inpatient.paid_claims, inpatient.paid_fen) == (1, 1, 210000)
    assert {a.code: a.participants for a in report.areas} == {"CA": 1, "CB": 1}


def test_an_empty_year_says_no_data_not_zero(plan) -> None:
    report = selectors.transparency_report(plan)
    assert report.payout_ratio is None and report.average_days_to_pay is None


def test_the_public_page_needs_no_login_and_shows_nothing_personal(
    client, paid_year, plan, member_a, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(12):
        response = client.get(f"/m/mutual-aid/report/{plan.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "¥2,100.00" in html and "1750.0%" in html and "甲区总工会" in html
    assert member_a.name not in html and paid_year.claim_no not in html
    assert "甲厂工会" not in html  # nothing below county level
    assert 'data-chart="ma-income"' in html and "<script>" not in html
    assert client.get("/m/mutual-aid/report/NOPE/").status_code == 404


def test_the_public_api_report(client, paid_year, plan) -> None:
    body = client.get(f"/api/v1/mutual-aid/reports/{plan.code}").json()
    assert body["payout_fen"] == 210000 and body["payout_ratio"] == "1750.0"
    assert body["income_by_payer"]["worker"] == 4000
    assert [a["code"] for a in body["areas"]] == ["CA", "CB"]
    assert client.get("/api/v1/mutual-aid/reports/NOPE").status_code == 404


def test_the_staff_report_exports_xlsx_on_record(login_as, people, paid_year, plan) -> None:
    client = login_as(people["carol"])
    page = client.get(f"/w/mutual-aid/plans/{plan.code}/report/").content.decode()
    assert "echarts.min.js" in page and "导出 Excel" in page
    response = client.get(f"/w/mutual-aid/plans/{plan.code}/report/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="mutualaid-report-')
    assert AuditEntry.objects.filter(action="mutualaid.report.exported").exists()
