"""Hardship aid end to end: 陈静, whose 困难职工档案 is kept (在档), applies for 医疗救助 on her
phone; it is reviewed at the three levels (基层 by the officer 张伟, 县区 by the county, 市总 by
the city 保障部 who approves it within the budget); the 保障部 puts it in a payout file onto her
union card, imports the bank's result, and 陈静 sees the money paid. The report page draws its
charts."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.browser import LAPTOP, PHONE, fits_width, log_in, pass_two_factor, screenshot
from gonghui.core.excel import Sheet
from gonghui.core.payouts import PayoutLine, result_file_bytes

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def move(page, site, aid_path: str, label: str) -> None:
    page.goto(site.url(aid_path))
    page.get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".messages")).to_contain_text("现为")


def test_a_worker_applies_for_aid_on_the_phone_and_is_paid(site, open_page, tmp_path):
    member = open_page(site, viewport=PHONE)
    log_in(member, site, "member")
    member.goto(site.url("/m/hardship/"))
    expect(member.get_by_role("heading", name="我的困难职工档案")).to_be_visible()
    expect(member.locator("body")).to_contain_text("在档")
    member.get_by_role("link", name="申请帮扶救助").click()
    expect(member.get_by_role("heading", name="申请帮扶救助")).to_be_visible()
    member.get_by_label("救助类别").select_option(label="医疗救助")
    member.get_by_label("申请金额（元）").fill("3000")
    member.get_by_label("申请理由").fill("爱人住院手术，自付医疗费较多")
    member.get_by_label("打卡发放（工会会员卡）").check()
    assert fits_width(member)
    shot(member, "hardship-member-apply-360")
    member.get_by_role("button", name="提交申请").click()
    expect(member.get_by_test_id("aid-state")).to_have_text("待基层审核")
    aid_no = re.search(r"A\d{9}", member.locator("h1").inner_text()).group(0)
    aid_path = "/w/hardship/aid/" + member.url.rstrip("/").rsplit("/", 1)[1] + "/"

    officer = open_page(site, viewport=LAPTOP)
    log_in(officer, site, "officer")
    officer.goto(site.url("/w/hardship/aid/?level=grassroots"))
    expect(officer.locator("table.grid")).to_contain_text(aid_no)
    move(officer, site, aid_path, "基层审核通过")

    county = open_page(site, viewport=LAPTOP)
    log_in(county, site, "county")
    pass_two_factor(county, site, "county")
    move(county, site, aid_path, "县区审核通过")

    manager = open_page(site, viewport=LAPTOP)
    log_in(manager, site, "baozhang")
    pass_two_factor(manager, site, "baozhang")
    manager.goto(site.url(aid_path))
    expect(manager.get_by_label("批准金额（元）")).to_have_value("3000.00")
    move(manager, site, aid_path, "批准")
    expect(manager.locator("body")).to_contain_text("已批准待发放")

    manager.goto(site.url("/w/hardship/payouts/"))
    expect(manager.locator("table.grid").first).to_contain_text(aid_no)
    manager.get_by_label("发放方式").select_option(label="打卡发放（工会会员卡）")
    manager.get_by_role("button", name="生成发放批次").click()
    expect(manager.locator(".messages")).to_contain_text("已生成发放批次")
    expect(manager.locator("table.grid")).to_contain_text(aid_no)
    shot(manager, "hardship-payout-1280")
    with manager.expect_download() as download:
        manager.get_by_role("link", name="下载发放文件（交银行）").click()
    sent = tmp_path / "payout.xlsx"
    download.value.save_as(sent)
    rows = [row for row in Sheet(sent).rows() if row[1] == aid_no]
    assert rows and rows[0][2] == "陈静" and rows[0][4] == "3000.00", rows
    returned = tmp_path / "result.xlsx"
    returned.write_bytes(
        result_file_bytes([(PayoutLine(aid_no, "陈静", str(rows[0][3]), 300_000), True, "")])
    )
    manager.get_by_label("银行回盘文件（xlsx）").set_input_files(returned)
    manager.get_by_role("button", name="导入").click()
    expect(manager.locator(".messages")).to_contain_text("成功 1 笔")

    member.goto(site.url("/m/hardship/"))
    expect(member.get_by_test_id("my-paid")).to_contain_text("¥3,000.00")
    member.get_by_test_id("my-aid").get_by_role("link", name="医疗救助").click()
    expect(member.get_by_test_id("aid-state")).to_have_text("已发放")
    expect(member.get_by_test_id("aid-paid")).to_contain_text("已发放 ¥3,000.00")
    assert fits_width(member)
    shot(member, "hardship-member-paid-360")

    manager.goto(site.url("/w/hardship/reports/"))
    expect(manager.locator("div.chart canvas").first).to_be_visible()
    shot(manager, "hardship-reports-1280")
    manager.goto(site.url("/w/hardship/files/"))
    expect(manager.locator("table.grid")).to_contain_text("陈静")
    shot(manager, "hardship-files-1280")
