"""Anomaly flags from crafted data: a member used at many merchants within minutes, and a
merchant refunding far more than the others, each with its evidence."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEntry
from gonghui.conftest import make_user
from gonghui.pos import anomalies
from gonghui.pos.tests.conftest import make_member, make_merchant
from gonghui.pos.tests.test_settlement import local, record_refund, record_sale

pytestmark = pytest.mark.django_db

DAY = date(2026, 7, 15)


@pytest.fixture
def city_staff(tree):
    return make_user("city", assignments=[(tree["city"], "dept_staff", "security")])


@pytest.fixture
def shops(tree):
    return [make_merchant(tree["county_a"], name=f"甲区商户{i}") for i in range(4)]


def buy(shop, member, minute, second=0, amount=1000):
    return record_sale(
        shop,
        member,
        amount_fen=amount,
        discount_fen=amount // 10,
        at=local(DAY, 12, minute, second),
    )


# -- bursts ------------------------------------------------------------------------------------


def test_three_merchants_within_ten_minutes_is_a_burst_with_its_evidence(tree, shops, city_staff):
    member = make_member(tree["a"], "王小明")
    buy(shops[0], member, 0)
    buy(shops[1], member, 4)
    buy(shops[2], member, 9, 59)

    [burst] = anomalies.card_bursts(actor=city_staff, start=DAY, end=DAY)

    assert (burst.member_no, burst.member_name, burst.merchants) == (member.member_no, "王*明", 3)
    assert [t.merchant_name for t in burst.transactions] == ["甲区商户0", "甲区商户1", "甲区商户2"]
    assert (burst.start.hour, burst.start.minute) == (12, 0)
    assert (burst.end.minute, burst.end.second) == (9, 59)
    assert burst.minutes == 10


def test_the_same_three_merchants_over_more_than_ten_minutes_is_not(tree, shops, city_staff):
    member = make_member(tree["a"])
    buy(shops[0], member, 0)
    buy(shops[1], member, 6)
    buy(shops[2], member, 10, 1)
    assert anomalies.card_bursts(actor=city_staff, start=DAY, end=DAY) == []


def test_many_sales_at_two_merchants_are_not_a_burst(tree, shops, city_staff):
    member = make_member(tree["a"])
    for minute in range(6):
        buy(shops[minute % 2], member, minute)
    assert anomalies.card_bursts(actor=city_staff, start=DAY, end=DAY) == []


def test_different_members_at_many_merchants_are_not_a_burst(tree, shops, city_staff):
    for index, shop in enumerate(shops):
        buy(shop, make_member(tree["a"]), index)
    assert anomalies.card_bursts(actor=city_staff, start=DAY, end=DAY) == []


def test_overlapping_windows_of_one_member_are_one_burst(tree, shops, city_staff):
    member = make_member(tree["a"])
    for minute, shop in enumerate(shops):  # four merchants in four minutes: two windows match
        buy(shop, member, minute)
    [burst] = anomalies.card_bursts(actor=city_staff, start=DAY, end=DAY)
    assert burst.merchants == 4 and len(burst.transactions) == 4


def test_the_thresholds_are_parameters(tree, shops, city_staff):
    member = make_member(tree["a"])
    buy(shops[0], member, 0)
    buy(shops[1], member, 15)
    assert anomalies.card_bursts(actor=city_staff, start=DAY, end=DAY) == []
    [burst] = anomalies.card_bursts(actor=city_staff, start=DAY, end=DAY, merchants=2, minutes=20)
    assert burst.merchants == 2


def test_a_burst_is_shown_to_staff_of_the_members_union_only(tree, shops, people):
    member_b = make_member(tree["b"])
    for minute in range(3):
        buy(shops[minute], member_b, minute)
    assert anomalies.card_bursts(actor=people["carol"], start=DAY, end=DAY) == []  # county A
    assert len(anomalies.card_bursts(actor=people["bob"], start=DAY, end=DAY)) == 1  # union B


def test_the_window_outside_the_dates_is_not_searched(tree, shops, city_staff):
    member = make_member(tree["a"])
    for minute in range(3):
        buy(shops[minute], member, minute)
    later = DAY + timedelta(days=1)
    assert anomalies.card_bursts(actor=city_staff, start=later, end=later) == []


# -- refund outliers ------------------------------------------------------------------------------


def trade(shop, member, *, sales, refunds, day=DAY, amount=10000):
    """`sales` sales of `amount` (10 % off), the first `refunds` of them refunded in full."""
    for index in range(sales):
        sale = record_sale(
            shop,
            member,
            amount_fen=amount,
            discount_fen=amount // 10,
            at=local(day, 10, index % 60),
        )
        if index < refunds:
            record_refund(sale, sale.payable_fen, at=local(day, 18, index % 60))


@pytest.fixture
def five_shops(tree):
    return [
        make_merchant(tree["county_a" if i % 2 else "county_b"], name=f"商户{i}") for i in range(5)
    ]


def test_a_merchant_refunding_far_more_than_the_others_is_flagged(tree, five_shops, city_staff):
    member = make_member(tree["a"])
    for shop, refunds in zip(five_shops, (1, 1, 0, 2, 8), strict=True):
        trade(shop, member, sales=20, refunds=refunds)

    [flag] = anomalies.refund_outliers(actor=city_staff, today=DAY)

    assert flag.merchant_name == "商户4"
    assert (flag.transactions, flag.refunded_transactions) == (20, 8)
    assert (flag.payable_fen, flag.refunded_fen) == (20 * 9000, 8 * 9000)
    assert flag.rate == Decimal("0.4")
    # The others refund 5 %, 5 %, 0 % and 10 %: their median is 5 %, the flag is 8 times it.
    assert flag.median_of_others == Decimal("0.05")
    assert flag.times_median == Decimal("8.0")
    assert (flag.rate_text, flag.median_text) == ("40.00%", "5.00%")
    assert flag.peers == 4 and flag.end == DAY and flag.start == DAY - timedelta(days=29)


def test_merchants_with_fewer_than_twenty_sales_are_not_judged(tree, five_shops, city_staff):
    member = make_member(tree["a"])
    for shop in five_shops[:4]:
        trade(shop, member, sales=20, refunds=1)
    trade(five_shops[4], member, sales=19, refunds=19)
    assert anomalies.refund_outliers(actor=city_staff, today=DAY) == []


def test_refunds_below_the_floor_are_not_flagged_even_against_a_zero_median(
    tree, five_shops, city_staff
):
    member = make_member(tree["a"])
    for shop in five_shops[:4]:
        trade(shop, member, sales=20, refunds=0)
    # 1 of 60 sales refunded: 1.7 %, infinitely above a median of 0 but under the 2 % floor.
    trade(five_shops[4], member, sales=60, refunds=1)
    assert anomalies.refund_outliers(actor=city_staff, today=DAY) == []


def test_sales_older_than_thirty_days_do_not_count(tree, five_shops, city_staff):
    member = make_member(tree["a"])
    for shop in five_shops[:4]:
        trade(shop, member, sales=20, refunds=1, day=DAY - timedelta(days=15))
    trade(five_shops[4], member, sales=20, refunds=10, day=DAY - timedelta(days=30))
    assert anomalies.refund_outliers(actor=city_staff, today=DAY) == []
    assert len(anomalies.refund_outliers(actor=city_staff, today=DAY - timedelta(days=1))) == 1


def test_too_few_merchants_to_compare_flags_nothing(tree, five_shops, city_staff):
    member = make_member(tree["a"])
    trade(five_shops[0], member, sales=20, refunds=0)
    trade(five_shops[1], member, sales=20, refunds=0)
    trade(five_shops[2], member, sales=20, refunds=15)
    assert anomalies.refund_outliers(actor=city_staff, today=DAY) == []


def test_county_staff_see_outliers_of_their_district_only(tree, five_shops, people):
    member = make_member(tree["a"])
    for shop, refunds in zip(five_shops, (1, 1, 0, 2, 8), strict=True):
        trade(shop, member, sales=20, refunds=refunds)
    # 商户4 lies in county B (even index): carol of county A does not see it.
    assert anomalies.refund_outliers(actor=people["carol"], today=DAY) == []


def test_the_median_without_one_is_right_for_odd_and_even_counts():
    rates = [Decimal(n) for n in (1, 2, 3, 4, 100)]
    assert anomalies._median_without(rates, 4) == Decimal("2.5")
    assert anomalies._median_without(rates, 0) == Decimal("3.5")
    assert anomalies._median_without(rates[:4], 3) == Decimal(2)
    assert anomalies._median_without(rates[:4], 1) == Decimal(3)


# -- the page -------------------------------------------------------------------------------------


def test_the_page_lists_both_flags_with_links_and_exports_them(
    tree, shops, five_shops, city_staff, login_as, tmp_path
):
    member = make_member(tree["a"], "王小明")
    for minute in range(3):
        buy(shops[minute], member, minute)
    for shop, refunds in zip(five_shops, (1, 1, 0, 2, 8), strict=True):
        trade(shop, make_member(tree["a"]), sales=20, refunds=refunds)
    client = login_as(city_staff)
    query = {"start": DAY.isoformat(), "end": DAY.isoformat()}

    html = client.get("/w/pos/anomalies/", query).content.decode()

    assert "王*明" in html and f"?member_no={member.member_no}&amp;start=2026-07-15" in html
    assert "商户4" in html and "40.00%" in html and "中位数的 8.0 倍" in html
    assert f"?merchant={five_shops[4].code}&amp;start=2026-06-16&amp;end=2026-07-15" in html
    assert "3 家以上商户" in html and "10 分钟" in html  # the thresholds are stated

    response = client.get("/w/pos/anomalies/bursts.xlsx", query)
    path = tmp_path / "bursts.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = list(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
    assert rows[1][:2] == [member.member_no, "王*明"] and rows[1][4] == 3
    response = client.get("/w/pos/anomalies/refunds.xlsx", query)
    path.write_bytes(b"".join(response.streaming_content))
    rows = list(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
    assert rows[1][1] == "商户4" and rows[1][8] == "40.00%"
    assert AuditEntry.objects.filter(action="pos.anomalies.exported").count() == 2
    assert client.get("/w/pos/anomalies/members.xlsx").status_code == 404


def test_the_page_says_when_there_is_nothing(city_staff, login_as):
    html = login_as(city_staff).get("/w/pos/anomalies/").content.decode()
    assert "这段时间没有发现这种情况" in html and "没有发现退款率异常的商户" in html
