"""送温暖 end to end: the city's 保障部 opens the 2027 元旦春节 campaign (funds from three
sources, budgets down the tree); the officer of D01E001 hands out to 陈静, who is on the
union's list, by bank transfer onto her union card, prints the signed receipt list, sends the
payout file to the bank and imports the bank's result; only then does the union's completion
rise; the city sees it in the report's charts."""

import re
import shutil

import pytest
from playwright.sync_api import expect

from e2e.browser import LAPTOP, log_in, pass_two_factor, screenshot
from gonghui.core.excel import Sheet
from gonghui.core.money import parse_yuan
from gonghui.core.payouts import PayoutLine, result_file_bytes

pytestmark = pytest.mark.e2e


def shot(page, name: str) -> None:
    path = screenshot(page, name)
    shutil.copy(path, f"/tmp/shots/{name}.png")


def test_officer_hands_out_prints_the_receipt_list_and_completion_rises(site, open_page, tmp_path):
    staff = open_page(site, viewport=LAPTOP)
    log_in(staff, site, "baozhang")
    pass_two_factor(staff, site, "baozhang")
    staff.goto(site.url("/w/warmth/"))
    expect(staff.get_by_role("heading", name="送温暖")).to_be_visible()
    staff.get_by_role("link", name="2027年元旦春节送温暖").click()
    expect(staff.get_by_role("heading", name=re.compile("2027年元旦春节送温暖"))).to_contain_text(
        "进行中"
    )
    funds = staff.get_by_role("region", name="资金来源")
    expect(funds.locator("tbody tr")).to_have_count(3)
    expect(funds).to_contain_text("企业捐助")
    expect(staff.get_by_role("region", name="预算分配")).to_contain_text("鹤山区总工会")
    shot(staff, "warmth-campaign-1280")

    officer = open_page(site, viewport=LAPTOP)
    log_in(officer, site, "officer")
    officer.goto(site.url("/w/warmth/2027CJ/targets/"))
    expect(officer.get_by_role("heading", name=re.compile("慰问名单"))).to_contain_text(
        "鹤川永安建材"
    )
    delivered = int(officer.get_by_test_id("delivered-count").inner_text())
    listed = int(officer.get_by_test_id("targets-count").inner_text())
    rate_before = float(officer.get_by_test_id("completion-rate").inner_text().rstrip("%"))
    assert delivered < listed, (delivered, listed)
    row = officer.locator("table.grid tbody tr", has_text="陈静")
    expect(row).to_contain_text("待发放")
    row.get_by_role("checkbox", name="发放给陈静").check()
    officer.get_by_label("发放方式").select_option(label="银行转账")
    shot(officer, "warmth-targets-1280")
    officer.get_by_role("button", name="登记发放并生成签收表").click()

    expect(officer.get_by_role("heading", name=re.compile("发放批次"))).to_be_visible()
    expect(officer.locator(".messages")).to_contain_text("已登记发放 1 人")
    expect(officer.get_by_test_id("payout-status")).to_have_text("待银行回盘")
    batch_url = officer.url
    with officer.expect_download() as download:
        officer.get_by_role("link", name="银行代发文件").click()
    sent = tmp_path / "payout.xlsx"
    download.value.save_as(sent)
    rows = list(Sheet(sent).rows())[1:]
    assert len(rows) == 1 and rows[0][2] == "陈静", rows
    returned = tmp_path / "result.xlsx"
    line = PayoutLine(str(rows[0][1]), "陈静", str(rows[0][3]), parse_yuan(str(rows[0][4])))
    returned.write_bytes(result_file_bytes([(line, True, "")]))

    officer.get_by_role("link", name="打印签收表").click()
    receipt = officer.locator("article.receipt")
    expect(receipt.get_by_role("heading")).to_contain_text("签收表")
    expect(receipt).to_contain_text("陈静")
    expect(receipt.get_by_role("columnheader", name="领取人签字")).to_be_visible()
    expect(receipt).to_contain_text("合计 1 人")
    expect(officer.get_by_role("button", name="打印")).to_be_visible()
    shot(officer, "warmth-receipt-1280")

    # Not handed out until the bank says it paid.
    officer.goto(site.url("/w/warmth/2027CJ/targets/"))
    expect(officer.get_by_test_id("delivered-count")).to_have_text(str(delivered))
    expect(officer.locator("table.grid tbody tr", has_text="陈静")).to_contain_text("待银行回盘")
    officer.goto(batch_url)
    officer.get_by_label("银行回盘文件（xlsx）").set_input_files(returned)
    officer.get_by_role("button", name="导入回盘").click()
    expect(officer.locator(".messages")).to_contain_text("1 笔全部支付成功")
    expect(officer.get_by_test_id("payout-status")).to_have_text("已回盘")
    expect(officer.locator("table.grid")).to_contain_text("银行已支付")
    shot(officer, "warmth-batch-settled-1280")

    officer.goto(site.url("/w/warmth/2027CJ/targets/"))
    expect(officer.get_by_test_id("delivered-count")).to_have_text(str(delivered + 1))
    rate_after = float(officer.get_by_test_id("completion-rate").inner_text().rstrip("%"))
    assert rate_after > rate_before, (rate_before, rate_after)
    expect(officer.locator("table.grid tbody tr", has_text="陈静")).to_contain_text("已发放")

    staff.goto(site.url("/w/warmth/2027CJ/report/"))
    expect(staff.get_by_role("heading", level=1)).to_contain_text("完成情况")
    expect(staff.locator("div.chart canvas")).to_have_count(3)
    expect(staff.get_by_role("region", name="各工会完成情况")).to_contain_text("鹤山区总工会")
    shot(staff, "warmth-report-1280")
