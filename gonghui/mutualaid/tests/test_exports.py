"""Every staff table of the program exports to xlsx, scoped like the page and on record."""

from __future__ import annotations

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.core.excel import Sheet
from gonghui.mutualaid import services

pytestmark = pytest.mark.django_db


def sheet(response, folder) -> list[list]:
    path = folder / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return list(Sheet(path).rows())


@pytest.mark.parametrize(
    ("url", "table"),
    [
        ("/w/mutual-aid/batches/?export=xlsx", "batches"),
        ("/w/mutual-aid/claims/?export=xlsx", "claims"),
        ("/w/mutual-aid/plans/P1/enrolments/?export=xlsx", "enrolments"),
        ("/w/mutual-aid/plans/P1/ledger/?export=xlsx", "ledger"),
        ("/w/mutual-aid/payouts/?export=xlsx", "payout_queue"),
    ],
)
def test_each_table_exports_only_what_the_user_sees(
    login_as, people, claim_a, claim_b, dora, url, table, tmp_path
) -> None:
    for batch in claim_a.enrolment.plan_year.batches.all():
        payment = batch.payments.get(payer="employer")
        services.payment_record(
            by=dora, payment=payment, paid_fen=2000, paid_on=payment.batch.plan_year.starts_on
        )

    rows = sheet(login_as(people["alice"]).get(url), tmp_path)

    text = str(rows)
    assert "乙会员" not in text and "乙厂工会" not in text
    if table in {"claims", "enrolments"}:
        assert "甲会员" in text
    if table == "ledger":
        assert "甲厂工会" in text and "20.00" in text
    entry = AuditEntry.objects.get(action=f"mutualaid.{table}.exported")
    assert entry.actor_id == people["alice"].pk


def test_the_plan_tables_are_paged_with_few_queries(
    login_as, people, claim_a, django_assert_max_num_queries
) -> None:
    client = login_as(people["alice"])
    with django_assert_max_num_queries(12):
        enrolments = client.get("/w/mutual-aid/plans/P1/enrolments/")
    with django_assert_max_num_queries(12):
        ledger = client.get("/w/mutual-aid/plans/P1/ledger/")
    assert "甲会员" in enrolments.content.decode()
    assert ledger.status_code == 200
