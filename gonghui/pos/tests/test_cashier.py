"""The web cashier at /merchant/: a merchant's staff quote and confirm a member's discount,
refund (managers only) and read their own statements; nobody else gets in, and no merchant
sees another's rows."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from python_calamine import CalamineWorkbook

from gonghui.conftest import ensure_reference_data, make_user, race
from gonghui.merchants.models import Merchant, MerchantStaff
from gonghui.pos.models import LedgerEntry, Quote, Refund, Settlement, Transaction
from gonghui.pos.settlement import settlement_generate
from gonghui.pos.tests.conftest import make_card, make_member, make_qr, qr_code_now
from gonghui.pos.tests.test_settlement import local, record_refund, record_sale

pytestmark = pytest.mark.django_db

HOME = "/merchant/"
QUOTE = "/merchant/quote/"
CONFIRM = "/merchant/confirm/"
HTMX = {"HX-Request": "true"}


def staff_of(merchant: Merchant, username: str, role: str = "cashier") -> Client:
    user = make_user(username, kind="merchant")
    MerchantStaff.objects.create(merchant=merchant, user=user, role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cashier(shop_a) -> Client:
    return staff_of(shop_a, "cashier_a")


@pytest.fixture
def manager(shop_a) -> Client:
    return staff_of(shop_a, "manager_a", role="manager")


def quote_id_in(html: str) -> str:
    found = re.search(r'name="quote_id" value="([0-9a-f-]{36})"', html)
    assert found, html
    return found.group(1)


# -- who gets in --------------------------------------------------------------------------------


def test_the_till_asks_for_a_login_first(client, tree):
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_only_a_merchants_active_staff_get_in(tree, shop_a, people, login_as):
    assert login_as(people["alice"]).get(HOME).status_code == 403
    assert login_as(people["member"]).get(HOME).status_code == 403
    stranger = make_user("stranger", kind="merchant")  # a merchant account of no merchant
    client = Client()
    client.force_login(stranger)
    assert client.get(HOME).status_code == 403
    former = staff_of(shop_a, "former")
    MerchantStaff.objects.filter(user__username="former").update(is_active=False)
    assert former.get(HOME).status_code == 403


def test_the_till_page_asks_for_the_amount_then_the_code(cashier, shop_a):
    response = cashier.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert shop_a.name in html
    assert html.index('name="amount"') < html.index('name="credential"')
    assert 'inputmode="decimal"' in html and "autofocus" in html
    assert f'hx-post="{QUOTE}"' in html and 'action="/merchant/quote/"' in html


# -- quote and confirm ------------------------------------------------------------------------


def test_a_card_number_and_an_amount_give_a_quote_with_the_member_masked(cashier, card, member):
    response = cashier.post(QUOTE, {"credential": card, "amount": "100.00"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section id="till"')  # the partial, for htmx to swap in
    assert "张*明" in html and "张小明" not in html
    assert "¥15.00" in html and "¥85.00" in html and "8.5" in html
    assert "确认收款 ¥85.00" in html
    assert Quote.objects.get(public_id=quote_id_in(html)).amount_fen == 10000
    assert not Transaction.objects.exists()


def test_confirming_makes_the_sale_and_shows_the_receipt(cashier, card, member, shop_a):
    quote = quote_id_in(cashier.post(QUOTE, {"credential": card, "amount": "100"}).content.decode())
    response = cashier.post(CONFIRM, {"quote_id": quote}, headers=HTMX)
    html = response.content.decode()
    assert "收款小票" in html and "¥85.00" in html and "下一笔" in html
    assert 'id="today" aria-labelledby="today-title" hx-swap-oob="true"' in html
    assert "共 1 笔会员优惠交易" in html
    sale = Transaction.objects.get()
    assert (sale.merchant, sale.member, sale.terminal) == (shop_a, member, None)
    assert str(sale.public_id) in html
    assert LedgerEntry.objects.filter(transaction=sale, kind="sale").count() == 1


def test_the_till_shows_todays_count_and_last_sales_beside_it(cashier, card):
    assert "今天还没有会员优惠交易" in cashier.get(HOME).content.decode()
    sale = sell(cashier, card)
    html = cashier.get(HOME).content.decode()
    assert "共 1 笔会员优惠交易，实收 ¥85.00" in html
    assert f"/merchant/receipt/{sale.public_id}/" in html and "张*明" in html


def test_a_double_click_makes_one_sale_and_shows_the_same_receipt(cashier, card):
    quote = quote_id_in(cashier.post(QUOTE, {"credential": card, "amount": "100"}).content.decode())
    first = cashier.post(CONFIRM, {"quote_id": quote}, headers=HTMX).content.decode()
    second = cashier.post(CONFIRM, {"quote_id": quote}, headers=HTMX).content.decode()
    sale = Transaction.objects.get()
    assert str(sale.public_id) in first and str(sale.public_id) in second
    assert "已经确认过" in second and "没有重复收款" in second
    assert LedgerEntry.objects.count() == 1


def test_without_javascript_confirming_redirects_to_the_receipt(cashier, card):
    quote = quote_id_in(cashier.post(QUOTE, {"credential": card, "amount": "100"}).content.decode())
    response = cashier.post(CONFIRM, {"quote_id": quote})
    sale = Transaction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/merchant/receipt/{sale.public_id}/"
    again = cashier.post(CONFIRM, {"quote_id": quote})
    assert again["Location"] == response["Location"]
    assert "收款小票" in cashier.get(response["Location"]).content.decode()


def test_a_qr_code_typed_by_a_scanner_works_once(cashier, member):
    code = qr_code_now(make_qr(member))
    first = cashier.post(QUOTE, {"credential": code, "amount": "20.00"}, headers=HTMX)
    assert "优惠报价" in first.content.decode()
    again = cashier.post(QUOTE, {"credential": code, "amount": "20.00"}, headers=HTMX)
    html = again.content.decode()
    assert "这个会员码已经用过一次" in html and "刷新" in html
    assert 'value="20.00"' in html  # what was typed stays


@pytest.mark.parametrize(
    ("credential", "amount", "message"),
    [
        ("3101999999999999", "10", "无法识别该会员码或卡号"),
        ("GHZZZZZZ12345678", "10", "无法识别该会员码或卡号"),
        ("", "10", "这个字段是必填项"),
        ("3101000000001234", "abc", "请输入金额（元），最多两位小数"),
        ("3101000000001234", "1.234", "请输入金额（元），最多两位小数"),
        ("3101000000001234", "0", "金额须大于 0"),
    ],
)
def test_bad_input_is_explained_in_the_form(cashier, card, credential, amount, message):
    response = cashier.post(QUOTE, {"credential": credential, "amount": amount}, headers=HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Quote.objects.exists()


def test_a_lost_card_is_named_as_lost(cashier, member):
    number = make_card(member, status="lost")
    html = cashier.post(
        QUOTE, {"credential": number, "amount": "10"}, headers=HTMX
    ).content.decode()
    assert "已挂失" in html


def test_a_suspended_merchant_is_told_what_to_do(cashier, card, shop_a):
    Merchant.objects.filter(pk=shop_a.pk).update(status="suspended")
    html = cashier.post(QUOTE, {"credential": card, "amount": "10"}, headers=HTMX).content.decode()
    assert "本店的会员优惠已暂停" in html and "联系所在县区总工会" in html


def test_an_expired_quote_is_refused_with_a_clear_message(cashier, card):
    quote = quote_id_in(cashier.post(QUOTE, {"credential": card, "amount": "10"}).content.decode())
    from datetime import timedelta

    from django.utils import timezone

    Quote.objects.filter(public_id=quote).update(expires_at=timezone.now() - timedelta(seconds=1))
    html = cashier.post(CONFIRM, {"quote_id": quote}, headers=HTMX).content.decode()
    assert "报价已超过" in html and 'name="credential"' in html
    assert not Transaction.objects.exists()


def test_a_quote_of_another_merchant_cannot_be_confirmed(cashier, tree, shop_b, card):
    other = staff_of(shop_b, "cashier_b")
    quote = quote_id_in(other.post(QUOTE, {"credential": card, "amount": "10"}).content.decode())
    html = cashier.post(CONFIRM, {"quote_id": quote}, headers=HTMX).content.decode()
    assert "没有找到这笔报价" in html
    assert not Transaction.objects.exists()


# -- today's transactions and refunds ------------------------------------------------------------


def sell(client: Client, card: str, amount: str = "100") -> Transaction:
    quote = quote_id_in(client.post(QUOTE, {"credential": card, "amount": amount}).content.decode())
    client.post(CONFIRM, {"quote_id": quote})
    return Transaction.objects.get(quote__public_id=quote)


def test_todays_transactions_are_listed_with_refund_for_managers_only(cashier, manager, card):
    sale = sell(cashier, card)
    as_cashier = cashier.get("/merchant/transactions/").content.decode()
    as_manager = manager.get("/merchant/transactions/").content.decode()
    refund_url = f"/merchant/transactions/{sale.public_id}/refund/"
    assert "今日交易" in as_cashier and "张*明" in as_cashier and "¥85.00" in as_cashier
    assert refund_url not in as_cashier and "退款须由店长办理" in as_cashier
    assert refund_url in as_manager
    assert cashier.get(refund_url).status_code == 403


def test_a_manager_refunds_up_to_what_is_refundable(manager, card):
    sale = sell(manager, card)
    url = f"/merchant/transactions/{sale.public_id}/refund/"
    assert "可退金额" in manager.get(url).content.decode()

    too_much = manager.post(url, {"amount": "85.01"})
    assert "退款金额不能超过可退金额 ¥85.00" in too_much.content.decode()
    assert not Refund.objects.exists()

    done = manager.post(url, {"amount": "40.00"})
    assert done.status_code == 302
    sale.refresh_from_db()
    assert sale.refunded_fen == 4000
    refund_entry = LedgerEntry.objects.get(kind="refund")
    assert refund_entry.payable_fen == -4000
    assert "已退款 ¥40.00" in manager.get(done["Location"]).content.decode()
    assert "¥45.00" in manager.get(url).content.decode()


def test_the_list_is_a_fixed_number_of_queries(
    cashier, tree, shop_a, django_assert_max_num_queries
):
    from django.utils import timezone

    for _ in range(12):
        record_sale(
            shop_a, make_member(tree["a"]), amount_fen=1000, discount_fen=150, at=timezone.now()
        )
    with django_assert_max_num_queries(10):
        response = cashier.get("/merchant/transactions/")
    assert response.content.decode().count("/merchant/receipt/") == 12


def test_another_merchants_rows_are_not_found(cashier, manager, tree, shop_b, card):
    other = staff_of(shop_b, "manager_b", role="manager")
    theirs = sell(other, card)
    assert manager.get(f"/merchant/transactions/{theirs.public_id}/refund/").status_code == 404
    assert (
        manager.post(
            f"/merchant/transactions/{theirs.public_id}/refund/", {"amount": "1"}
        ).status_code
        == 404
    )
    assert cashier.get(f"/merchant/receipt/{theirs.public_id}/").status_code == 404
    assert str(theirs.public_id)[:8] not in cashier.get("/merchant/transactions/").content.decode()
    assert manager.get(f"/merchant/transactions/{uuid.uuid4()}/refund/").status_code == 404


# -- statements ------------------------------------------------------------------------------------


def test_the_merchant_sees_and_downloads_its_own_statements_only(
    manager, cashier, tree, shop_a, shop_b, tmp_path
):
    member = make_member(tree["a"], "王小明")
    sale = record_sale(
        shop_a, member, amount_fen=10000, discount_fen=1500, at=local(date(2026, 7, 3))
    )
    record_refund(sale, 1000, at=local(date(2026, 7, 4)))
    record_sale(shop_b, member, amount_fen=5000, discount_fen=500, at=local(date(2026, 7, 3)))
    settlement_generate(by=None, month=date(2026, 7, 1))
    own = Settlement.objects.get(merchant=shop_a)
    theirs = Settlement.objects.get(merchant=shop_b)

    html = cashier.get("/merchant/statements/").content.decode()
    assert "2026-07" in html and "待确认" in html
    assert f"/merchant/statements/{own.public_id}.xlsx" in html
    assert f"/merchant/statements/{theirs.public_id}.xlsx" not in html
    assert cashier.get(f"/merchant/statements/{theirs.public_id}.xlsx").status_code == 404

    response = cashier.get(f"/merchant/statements/{own.public_id}.xlsx")
    path = tmp_path / "statement.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = list(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
    cells = [cell for row in rows for cell in row]
    assert member.member_no not in cells  # the merchant's copy leaves member numbers out
    assert "王*明" in cells
    lines = [row for row in rows if row and row[1] in ("消费", "退款")]
    assert len(lines) == 2
    assert rows[-1][0] == "合计" and rows[-1][-1] == own.payable_fen / 100


def test_the_statements_page_says_what_comes_when_empty(cashier):
    assert "每月初工会按上月台账生成结算单" in cashier.get("/merchant/statements/").content.decode()


# -- races (PostgreSQL) ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL")
def test_two_clicks_at_once_make_one_sale_and_both_see_its_receipt(tree, shop_a):
    ensure_reference_data()
    member = make_member(tree["a"])
    card = make_card(member)
    first, second = staff_of(shop_a, "till1"), staff_of(shop_a, "till2")
    quote = quote_id_in(first.post(QUOTE, {"credential": card, "amount": "100"}).content.decode())

    pages = race(
        lambda: first.post(CONFIRM, {"quote_id": quote}, headers=HTMX).content.decode(),
        lambda: second.post(CONFIRM, {"quote_id": quote}, headers=HTMX).content.decode(),
    )

    sale = Transaction.objects.get()
    assert all(isinstance(page, str) and str(sale.public_id) in page for page in pages), pages
    assert LedgerEntry.objects.count() == 1
