"""Two everyday journeys around a member record: a transfer between two grassroots unions, and a
member correcting their own data from the phone with their officer's approval."""

import random
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from e2e.browser import PHONE, log_in, screenshot
from gonghui.core import idnumbers

pytestmark = pytest.mark.e2e


def test_officer_registers_a_worker_and_transfers_them_to_another_union(site, open_page):
    id_number = idnumbers.generate(random.Random(8128), "419902", date(1991, 4, 2), "M")
    sender = open_page(site)
    log_in(sender, site, "officer")
    sender.goto(site.url("/w/members/new/"))
    sender.get_by_label("所在工会（代码）").fill("D01E001")
    sender.get_by_label("姓名").fill("周转会")
    sender.get_by_label("身份证号").fill(id_number)
    sender.get_by_label("手机号码").fill("13911112222")
    sender.get_by_role("button", name="登记").click()
    expect(sender.get_by_role("heading", name=re.compile("^周转会"))).to_be_visible()

    sender.get_by_label("转入工会代码").fill("D02E001")
    sender.get_by_label("原因").first.fill("调动工作")
    sender.get_by_role("button", name="发起转会").click()
    expect(sender.get_by_text("转出中")).to_be_visible()
    screenshot(sender, "transfer-requested")

    receiver = open_page(site)
    log_in(receiver, site, "officer2")
    receiver.goto(site.url("/w/members/transfers/"))
    row = receiver.get_by_role("row").filter(has_text="周转会")
    row.get_by_role("button", name="接收").click()
    expect(receiver.get_by_text("已处理 周转会 的转会申请")).to_be_visible()
    screenshot(receiver, "transfer-accepted")

    receiver.goto(site.url("/w/members/?q=周转会"))
    expect(receiver.get_by_role("row").filter(has_text="周转会")).to_have_count(1)
    sender.goto(site.url("/w/members/?q=周转会"))
    expect(sender.get_by_role("row").filter(has_text="周转会")).to_have_count(0)


def test_member_asks_for_a_correction_and_the_officer_makes_it(site, open_page):
    phone = open_page(site, viewport=PHONE)
    log_in(phone, site, "member")
    phone.get_by_role("link", name="我的资料").click()
    expect(phone.get_by_role("heading", name="我的资料")).to_be_visible()
    phone.get_by_label("要更正的项目").select_option(label="民族")
    phone.get_by_label("正确的内容").fill("回族")
    phone.get_by_role("button", name="提交更正申请").click()
    expect(phone.get_by_text("已提交，您所在的工会会尽快核实处理")).to_be_visible()
    screenshot(phone, "correction-requested-phone")

    officer = open_page(site)
    log_in(officer, site, "officer")
    officer.goto(site.url("/w/members/corrections/"))
    row = officer.get_by_role("row").filter(has_text="陈静")
    expect(row).to_contain_text("回族")
    row.get_by_role("button", name="更正", exact=True).click()
    expect(officer.get_by_text("已处理 陈静 的更正申请")).to_be_visible()

    phone.reload()
    expect(phone.get_by_text("已更正")).to_be_visible()
    expect(phone.locator("dl.facts")).to_contain_text("回族")
    screenshot(phone, "correction-done-phone")
