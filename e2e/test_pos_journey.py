"""A discount sale end to end: the member shows the dynamic QR code on a phone, the demo
cashier of SH00001 types it at the web till with the amount, sees the quote and confirms; the
member then sees the saving. The federation's staff see the sale in their statistics, drawn
as charts (ECharts under the CSP, with the numbers as tables)."""

import re

import pytest
from playwright.sync_api import expect

from e2e.browser import LAPTOP, PHONE, fits_width, log_in, pass_two_factor, screenshot

pytestmark = pytest.mark.e2e

TABLET = {"width": 820, "height": 1180}


def yuan_in(text: str) -> str:
    found = re.search(r"¥[\d,]+\.\d\d", text)
    assert found, text
    return found.group(0)


def test_member_shows_the_code_cashier_confirms_member_sees_the_saving(site, open_page):
    member = open_page(site, viewport=PHONE)
    log_in(member, site, "member")
    expect(member).to_have_url(site.url("/m/"))
    member.goto(site.url("/m/savings/"))
    before = member.get_by_test_id("saved-total").inner_text()

    member.goto(site.url("/m/card/qr/"))
    code = member.get_by_test_id("qr-code-text").inner_text().strip()
    assert re.fullmatch(r"GH[0-9A-Z]+( ?\d{4}){2}", code), code  # shown in groups of four
    screenshot(member, "pos-member-qr-360")

    till = open_page(site, viewport=LAPTOP)
    till.goto(site.url("/merchant/"))
    expect(till).to_have_url(re.compile(r"/accounts/login/\?next=/merchant/"))
    till.get_by_label("用户名").fill("cashier")
    till.get_by_label("密码", exact=True).fill("Gonghui@2026")
    till.get_by_role("button", name="登录").click()
    expect(till).to_have_url(site.url("/merchant/"))
    expect(till.get_by_role("heading", name="会员优惠收款")).to_be_visible()
    expect(till.get_by_label("消费金额（元）")).to_be_focused()
    screenshot(till, "pos-till-1280")

    till.get_by_label("消费金额（元）").fill("100.00")
    till.get_by_label("会员码或卡号").fill(code)
    till.get_by_label("会员码或卡号").press("Enter")  # a keyboard-wedge scanner ends with Enter

    quote = till.get_by_test_id("quote")
    expect(quote).to_be_visible()
    expect(quote).to_contain_text("陈*")
    expect(quote).to_contain_text("¥100.00")
    expect(quote).not_to_contain_text("陈静")
    payable = yuan_in(till.get_by_test_id("quote-payable").inner_text())
    screenshot(till, "pos-till-quote-1280")

    till.get_by_role("button", name=re.compile("确认收款")).click()
    receipt = till.get_by_test_id("receipt")
    expect(receipt).to_be_visible()
    expect(till.get_by_role("heading", name="收款小票")).to_be_visible()
    expect(till.get_by_test_id("receipt-payable")).to_contain_text(payable)
    saving = yuan_in(receipt.locator("dt:has-text('会员优惠') + dd").inner_text())
    assert saving != "¥0.00"
    expect(till.get_by_role("link", name="下一笔")).to_be_focused()
    expect(till.locator("#today")).not_to_contain_text("共 0 笔")  # updated beside the till
    screenshot(till, "pos-till-receipt-1280")

    till.set_viewport_size(TABLET)
    till.get_by_role("navigation", name="收银").get_by_role("link", name="交易记录").click()
    expect(till.get_by_role("heading", name="今日交易")).to_be_visible()
    expect(till.locator("table.grid tbody")).to_contain_text(payable)
    assert fits_width(till)
    screenshot(till, "pos-till-transactions-820")

    member.goto(site.url("/m/savings/"))
    expect(member.get_by_role("heading", name="我的优惠")).to_be_visible()
    after = member.get_by_test_id("saved-total").inner_text()
    assert _fen(after) - _fen(before) == _fen(saving), (before, saving, after)
    history = member.get_by_test_id("savings-history")
    expect(history.locator("li").first).to_contain_text(saving)
    assert fits_width(member)
    screenshot(member, "pos-member-savings-360")

    staff = open_page(site, viewport=LAPTOP)
    log_in(staff, site, "baozhang")
    pass_two_factor(staff, site, "baozhang")
    staff.goto(site.url("/w/pos/"))
    expect(staff.get_by_role("heading", name="优惠交易统计")).to_be_visible()
    months = staff.locator("div.chart[data-chart='chart-months']")
    expect(months.locator("canvas")).to_have_count(1)
    expect(staff.locator("div.chart canvas")).to_have_count(4)
    staff.locator("#chart-category-title").scroll_into_view_if_needed()
    staff.locator("details.chart-data summary").first.click()
    expect(staff.locator("details.chart-data table").first).to_be_visible()
    screenshot(staff, "pos-stats-1280")

    staff.get_by_role("link", name="交易明细").click()
    expect(staff.locator("table.grid tbody tr").first).to_contain_text("陈*")
    screenshot(staff, "pos-transactions-1280")


def _fen(text: str) -> int:
    return int(yuan_in(text).lstrip("¥").replace(",", "").replace(".", ""))
