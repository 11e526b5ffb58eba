"""Staff pages of discount transactions (transactions, settlement) in the viewer's scope, and
the member's savings page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEntry
from gonghui.conftest import make_user
from gonghui.members.models import Member
from gonghui.pos.models import Settlement
from gonghui.pos.settlement import settlement_generate
from gonghui.pos.tests.conftest import make_member, make_merchant
from gonghui.pos.tests.test_settlement import local, record_refund, record_sale

pytestmark = pytest.mark.django_db

TRANSACTIONS = "/w/pos/transactions/"
SETTLEMENTS = "/w/pos/settlements/"
JULY = date(2026, 7, 1)


@pytest.fixture
def city_staff(tree):
    return make_user("city", assignments=[(tree["city"], "dept_staff", "security")])


@pytest.fixture
def sales(tree, shop_a, shop_b) -> dict[str, Any]:
    ming = make_member(tree["a"], "王小明")
    a_sale = record_sale(
        shop_a, ming, amount_fen=10000, discount_fen=1500, at=local(date(2026, 7, 2))
    )
    record_refund(a_sale, 4250, at=local(date(2026, 7, 5)))
    b_sale = record_sale(
        shop_b, ming, amount_fen=5000, discount_fen=500, at=local(date(2026, 7, 9))
    )
    return {"member": ming, "a": a_sale, "b": b_sale}


def download(response: Any, tmp_path: Any) -> list[list[Any]]:
    assert response.status_code == 200, response
    path = tmp_path / "download.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return list(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())


# -- transactions ----------------------------------------------------------------------------------


def test_the_transactions_list_masks_names_and_shows_member_numbers(city_staff, login_as, sales):
    html = login_as(city_staff).get(TRANSACTIONS).content.decode()
    member = sales["member"]
    assert "王*明" in html and "王小明" not in html and member.member_no in html
    assert "甲区会员餐厅" in html and "乙区会员宾馆" in html
    assert "¥42.50" in html  # refunded


def test_the_transactions_list_filters(city_staff, login_as, sales, shop_a):
    client = login_as(city_staff)
    by_merchant = client.get(TRANSACTIONS, {"merchant": shop_a.code.lower()}).content.decode()
    assert "甲区会员餐厅" in by_merchant and "乙区会员宾馆" not in by_merchant
    by_date = client.get(
        TRANSACTIONS, {"start": "2026-07-09", "end": "2026-07-09"}
    ).content.decode()
    assert "乙区会员宾馆" in by_date and "甲区会员餐厅" not in by_date
    by_category = client.get(TRANSACTIONS, {"category": "lodging"}).content.decode()
    assert "没有符合条件的优惠交易" in by_category
    by_member = client.get(TRANSACTIONS, {"member_no": sales["member"].member_no}).content.decode()
    assert by_member.count("王*明") == 2


def test_county_staff_see_only_their_districts_transactions(people, login_as, sales):
    html = login_as(people["carol"]).get(TRANSACTIONS).content.decode()
    assert "甲区会员餐厅" in html and "乙区会员宾馆" not in html
    html = login_as(people["bob"]).get(TRANSACTIONS).content.decode()
    assert "甲区会员餐厅" not in html and "乙区会员宾馆" not in html


def test_the_transactions_list_is_a_fixed_number_of_queries(
    city_staff, login_as, tree, shop_a, shop_b, django_assert_max_num_queries
):
    for day in range(1, 21):
        member = make_member(tree["a"])
        record_sale(
            shop_a if day % 2 else shop_b,
            member,
            amount_fen=1000,
            discount_fen=100,
            at=local(date(2026, 7, day)),
        )
    client = login_as(city_staff)
    with django_assert_max_num_queries(12):
        response = client.get(TRANSACTIONS)
    assert response.content.decode().count("¥10.00") == 20


def test_the_transactions_export_is_masked_scoped_and_audited(people, login_as, sales, tmp_path):
    client = login_as(people["carol"])
    rows = download(client.get("/w/pos/transactions/export.xlsx"), tmp_path)
    assert rows[0][:4] == ["交易编号", "交易时间", "商户编号", "商户名称"]
    assert len(rows) == 2  # the header and shop A's one sale
    assert rows[1][3] == "甲区会员餐厅" and rows[1][6] == "王*明"
    assert rows[1][8:12] == [100.0, 15.0, 85.0, 42.5]
    entry = AuditEntry.objects.get(action="pos.transactions.exported")
    assert entry.actor_id == people["carol"].pk


def test_the_pages_need_cards_view_and_staff(people, login_as, tree):
    for path in (TRANSACTIONS, SETTLEMENTS, "/w/pos/anomalies/", "/w/pos/"):
        assert login_as(people["auditor"]).get(path).status_code == 403
        assert login_as(people["member"]).get(path).status_code == 403


# -- settlements -----------------------------------------------------------------------------------


@pytest.fixture
def statements(sales) -> dict[str, Settlement]:
    settlement_generate(by=None, month=JULY)
    return {
        s.merchant.district.code: s for s in Settlement.objects.select_related("merchant__district")
    }


def test_the_settlements_list_shows_the_months_statements_in_scope(people, login_as, statements):
    html = login_as(people["carol"]).get(SETTLEMENTS, {"month": "2026-07"}).content.decode()
    assert "甲区会员餐厅" in html and "乙区会员宾馆" not in html
    assert "待确认" in html and "¥42.50" in html  # paid ¥85.00, half of it refunded
    assert "生成或刷新结算单" in html  # county staff hold cards.change


def test_a_statement_outside_the_scope_is_not_found(people, login_as, statements):
    theirs = statements["CB"]
    client = login_as(people["carol"])
    assert client.get(f"{SETTLEMENTS}{theirs.public_id}/").status_code == 404
    assert client.get(f"{SETTLEMENTS}{theirs.public_id}/statement.xlsx").status_code == 404
    assert client.post(f"{SETTLEMENTS}{theirs.public_id}/confirm/").status_code == 404
    assert client.get(f"{SETTLEMENTS}not-a-uuid/").status_code == 404


def test_a_leader_sees_but_cannot_confirm(tree, login_as, statements):
    leader = make_user("leader", assignments=[(tree["county_a"], "leader", None)])
    own = statements["CA"]
    client = login_as(leader)
    html = client.get(f"{SETTLEMENTS}{own.public_id}/").content.decode()
    assert "与台账明细核对一致" in html
    assert "/confirm/" not in html and "需要“确认结算”权限" in html
    assert client.post(f"{SETTLEMENTS}{own.public_id}/confirm/").status_code == 403
    assert "生成或刷新结算单" not in client.get(SETTLEMENTS).content.decode()


def test_the_detail_lists_the_ledger_lines_and_confirms(people, login_as, statements, sales):
    own = statements["CA"]
    client = login_as(people["carol"])
    html = client.get(f"{SETTLEMENTS}{own.public_id}/").content.decode()
    assert "✓ 与台账明细核对一致" in html
    assert html.count('class="refund"') == 1 and "王*明" in html
    assert f'action="{SETTLEMENTS}{own.public_id}/confirm/"' in html

    response = client.post(f"{SETTLEMENTS}{own.public_id}/confirm/", follow=True)
    assert "已确认 甲区会员餐厅 2026-07 的结算单" in response.content.decode()
    own.refresh_from_db()
    assert own.status == Settlement.Status.CONFIRMED and own.confirmed_by == people["carol"]
    again = client.post(f"{SETTLEMENTS}{own.public_id}/confirm/", follow=True)
    assert "该结算单已确认，不能重复确认" in again.content.decode()


def test_the_statement_xlsx_has_the_header_and_every_line(
    city_staff, login_as, statements, sales, tmp_path
):
    own = statements["CA"]
    rows = download(
        login_as(city_staff).get(f"{SETTLEMENTS}{own.public_id}/statement.xlsx"), tmp_path
    )
    assert rows[0][:3] == ["月度结算单", f"甲区会员餐厅 ({own.merchant.code})", "2026-07"]
    facts = {row[0]: row[1] for row in rows[1:12] if row and row[0]}
    assert facts["消费笔数"] == 1 and facts["退款笔数"] == 1 and facts["实收金额（元）"] == 42.5
    lines = [row for row in rows if row and row[1] in ("消费", "退款")]
    assert [line[4] for line in lines] == [sales["member"].member_no] * 2
    assert sum(line[-1] for line in lines) == 42.5
    assert rows[-1][0] == "合计" and rows[-1][-1] == 42.5
    assert AuditEntry.objects.filter(action="pos.settlement.exported").exists()


def test_the_months_summary_exports_the_statements_in_scope(people, login_as, statements, tmp_path):
    rows = download(
        login_as(people["carol"]).get("/w/pos/settlements/export.xlsx", {"month": "2026-07"}),
        tmp_path,
    )
    assert rows[0][:3] == ["结算月份", "商户编号", "商户名称"]
    assert [row[2] for row in rows[1:]] == ["甲区会员餐厅"]
    assert rows[1][10] == 42.5


def test_the_settlements_list_is_a_fixed_number_of_queries(
    city_staff, login_as, tree, django_assert_max_num_queries
):
    member = make_member(tree["a"])
    for index in range(8):
        shop = make_merchant(tree["county_a" if index % 2 else "county_b"], name=f"商户{index}")
        record_sale(shop, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, 2)))
    settlement_generate(by=None, month=JULY)
    client = login_as(city_staff)
    with django_assert_max_num_queries(12):
        html = client.get(SETTLEMENTS).content.decode()
    assert html.count("/w/pos/settlements/") >= 8


def test_an_empty_settlements_list_says_what_to_do(city_staff, login_as):
    assert (
        "选择月份，点“生成或刷新结算单”" in login_as(city_staff).get(SETTLEMENTS).content.decode()
    )


# -- the member's savings -------------------------------------------------------------------------


def member_client(member: Member) -> Client:
    account = make_user(f"m{member.member_no}", kind="member")
    Member.objects.filter(pk=member.pk).update(account=account)
    client = Client()
    client.force_login(account)
    return client


def test_the_member_sees_the_total_saved_and_the_history(sales):
    html = member_client(sales["member"]).get("/m/savings/").content.decode()
    # ¥15.00 + ¥5.00 saved, ¥7.50 taken back by the half refund.
    assert "已为您节省" in html and "¥12.50" in html
    assert "甲区会员餐厅" in html and "乙区会员宾馆" in html
    assert "-¥7.50" in html  # the refund, negative
    assert 'class="phone"' in html and "<table" not in html


def test_the_savings_page_shows_only_the_members_own_records(tree, sales, shop_a):
    other = make_member(tree["b"], "李小红")
    record_sale(shop_a, other, amount_fen=2000, discount_fen=300, at=local(date(2026, 7, 3)))
    html = member_client(other).get("/m/savings/").content.decode()
    assert "¥3.00" in html and "乙区会员宾馆" not in html


def test_the_savings_history_is_paginated_in_a_fixed_number_of_queries(
    tree, shop_a, django_assert_max_num_queries
):
    member = make_member(tree["a"])
    for day in range(1, 26):
        record_sale(shop_a, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, day)))
    client = member_client(member)
    with django_assert_max_num_queries(10):
        html = client.get("/m/savings/").content.decode()
    assert html.count("甲区会员餐厅") == 20 and "¥25.00" in html
    assert "第 1 / 2 页" in html


def test_an_account_without_a_member_record_is_told_why(people, login_as):
    response = login_as(people["member"]).get("/m/savings/")
    assert response.status_code == 200
    assert "还没有关联会员信息" in response.content.decode()


def test_a_new_member_is_told_how_to_save(tree):
    html = member_client(make_member(tree["a"])).get("/m/savings/").content.decode()
    assert "¥0.00" in html and "还没有优惠记录" in html
