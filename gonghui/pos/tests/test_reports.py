"""Federation statistics: net figures by category, district, merchant and month, summed in the
database and scoped to the viewer's subtree; the page draws them as charts with their tables."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEntry
from gonghui.conftest import make_user
from gonghui.merchants.models import Merchant
from gonghui.pos import reports
from gonghui.pos.tests.conftest import make_member, make_merchant
from gonghui.pos.tests.test_settlement import local, record_refund, record_sale

pytestmark = pytest.mark.django_db

START, END = date(2026, 7, 1), date(2026, 9, 30)


@pytest.fixture
def city_staff(tree):
    return make_user("city", assignments=[(tree["city"], "dept_staff", "security")])


@pytest.fixture
def sales(tree, shop_a, shop_b):
    """Shop A (food, county A): two sales in July, one refunded in part in August.
    Shop B (lodging, county B): one sale in August."""
    Merchant.objects.filter(pk=shop_b.pk).update(category="lodging")
    ming, hong = make_member(tree["a"], "王小明"), make_member(tree["b"], "李小红")
    first = record_sale(
        shop_a, ming, amount_fen=10000, discount_fen=1500, at=local(date(2026, 7, 2))
    )
    record_sale(shop_a, hong, amount_fen=4000, discount_fen=600, at=local(date(2026, 7, 9)))
    record_refund(first, 8500, at=local(date(2026, 8, 1)))  # all of it back: -1500 discount
    record_sale(shop_b, ming, amount_fen=20000, discount_fen=2000, at=local(date(2026, 8, 15)))
    return {"first": first}


def figures(rows):
    return {row.key: (row.sales, row.refunds, row.amount_fen, row.discount_fen) for row in rows}


def test_totals_are_net_of_refunds(city_staff, sales):
    totals = reports.report_totals(actor=city_staff, start=START, end=END)
    assert (totals.sales, totals.refunds, totals.members) == (3, 1, 2)
    assert totals.amount_fen == 10000 + 4000 - 10000 + 20000
    assert totals.discount_fen == 1500 + 600 - 1500 + 2000
    assert totals.payable_fen == totals.amount_fen - totals.discount_fen


def test_by_category_by_district_and_top_merchants(city_staff, sales, shop_a, shop_b, tree):
    assert figures(reports.report_by_category(actor=city_staff, start=START, end=END)) == {
        "lodging": (1, 0, 20000, 2000),
        "food": (2, 1, 4000, 600),
    }
    by_district = reports.report_by_district(actor=city_staff, start=START, end=END)
    assert [row.label for row in by_district] == ["乙区总工会", "甲区总工会"]
    assert figures(by_district)["CA"] == (2, 1, 4000, 600)
    top = reports.report_top_merchants(actor=city_staff, start=START, end=END, limit=1)
    assert [(row.key, row.label) for row in top] == [(shop_b.code, "乙区会员宾馆")]


def test_a_refund_lowers_the_month_it_happened(city_staff, sales):
    months = reports.report_by_month(actor=city_staff, end=date(2026, 9, 10))
    assert len(months) == 12
    assert months[0].key == "2025-10" and months[-1].key == "2026-09"
    by_key = figures(months)
    assert by_key["2026-07"] == (2, 0, 14000, 2100)
    assert by_key["2026-08"] == (1, 1, 10000, 500)
    assert by_key["2026-09"] == (0, 0, 0, 0)


def test_the_date_range_is_inclusive_and_filters(city_staff, sales):
    july = reports.report_totals(actor=city_staff, start=date(2026, 7, 2), end=date(2026, 7, 2))
    assert (july.sales, july.amount_fen) == (1, 10000)


def test_county_staff_see_only_their_districts_merchants(people, sales, shop_b):
    carol = people["carol"]  # county staff of CA
    totals = reports.report_totals(actor=carol, start=START, end=END)
    assert (totals.sales, totals.discount_fen) == (2, 600)
    assert [row.key for row in reports.report_by_district(actor=carol, start=START, end=END)] == [
        "CA"
    ]
    assert shop_b.code not in {
        row.key for row in reports.report_top_merchants(actor=carol, start=START, end=END)
    }


def test_a_grassroots_officer_sees_no_merchant_figures(people, sales):
    """Merchants belong to a county; an officer of one grassroots union holds none of them."""
    totals = reports.report_totals(actor=people["bob"], start=START, end=END)
    assert (totals.sales, totals.amount_fen) == (0, 0)


def test_the_report_is_a_fixed_number_of_queries_however_many_sales(
    city_staff, tree, shop_a, django_assert_max_num_queries
):
    member = make_member(tree["a"])
    for day in range(1, 29):
        record_sale(shop_a, member, amount_fen=1000, discount_fen=100, at=local(date(2026, 7, day)))
    with django_assert_max_num_queries(8):
        report = reports.report_build(actor=city_staff, start=START, end=END)
    assert report.totals.sales == 28


# -- the page ---------------------------------------------------------------------------------


def test_the_stats_page_draws_charts_from_json_without_inline_scripts(city_staff, login_as, sales):
    response = login_as(city_staff).get("/w/pos/", {"start": "2026-07-01", "end": "2026-09-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in html and "/static/js/charts.js" in html
    for chart in ("chart-months", "chart-category", "chart-district", "chart-merchants"):
        assert f'<div class="chart" data-chart="{chart}"' in html
        found = re.search(rf'<script id="{chart}" type="application/json">(.*?)</script>', html)
        assert found, chart
        assert "series" in json.loads(found.group(1))
    # Every script is a file or data: the CSP allows nothing inline.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert html.count("查看数据") == 4
    assert "乙区会员宾馆" in html and "¥200.00" in html  # the tables under the charts


def test_the_stats_page_says_what_to_do_when_empty(city_staff, login_as):
    html = login_as(city_staff).get("/w/pos/").content.decode()
    assert "这段时间没有优惠交易" in html


def test_each_table_exports_to_excel_and_the_export_is_audited(
    city_staff, login_as, sales, tmp_path
):
    client = login_as(city_staff)
    response = client.get(
        "/w/pos/stats/category.xlsx", {"start": "2026-07-01", "end": "2026-09-30"}
    )
    assert response.status_code == 200
    path = tmp_path / "category.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = list(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
    assert rows[0][:2] == ["类别", "消费笔数"]
    assert rows[1][0] == "住宿" and rows[1][5] == 20.0  # ¥20.00 discount, as a number
    assert AuditEntry.objects.filter(action="pos.stats.exported", actor_id=city_staff.pk).exists()
    for table in ("district", "merchants", "months"):
        assert client.get(f"/w/pos/stats/{table}.xlsx").status_code == 200
    assert client.get("/w/pos/stats/members.xlsx").status_code == 404


def test_the_stats_page_needs_cards_view(tree, login_as, people):
    assert login_as(people["secadmin"]).get("/w/pos/").status_code == 403


def test_county_staff_see_their_districts_figures_on_the_page(
    people, login_as, sales, shop_a, shop_b
):
    html = (
        login_as(people["carol"])
        .get("/w/pos/", {"start": "2026-07-01", "end": "2026-09-30"})
        .content.decode()
    )
    assert "甲区会员餐厅" in html
    assert "乙区会员宾馆" not in html and "乙区总工会" not in html


def test_a_second_merchant_in_the_same_district_counts_there(city_staff, tree, sales):
    other = make_merchant(tree["county_a"], name="甲区会员超市")
    record_sale(
        other, make_member(tree["a"]), amount_fen=100, discount_fen=10, at=local(date(2026, 9, 1))
    )
    by_district = figures(reports.report_by_district(actor=city_staff, start=START, end=END))
    assert by_district["CA"] == (3, 1, 4100, 610)
