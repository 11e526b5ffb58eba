"""Medical mutual aid end to end: the officer 张伟 enrols his union's members in one batch, the
member 陈静 files a claim on her phone (consent and an upload), it is reviewed at the three
levels (初审 by 张伟, 复核 by the county, 审批 by the city 保障部), and the payout file the
保障部 downloads for the bank holds it."""

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.browser import LAPTOP, PHONE, fits_width, log_in, pass_two_factor, screenshot
from gonghui.core.excel import Sheet

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")
PDF = b"%PDF-1.4\n% discharge summary (journey)\n%%EOF\n"
ACCOUNT = "6217000011112222333"


def shot(page, name: str) -> None:
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def wait_for_job(page) -> None:
    expect(page.locator(".job")).to_have_attribute("data-status", "succeeded", timeout=60_000)


def move(page, site, claim_path: str, label: str) -> None:
    page.goto(site.url(claim_path))
    page.get_by_role("button", name=label).click()
    expect(page.locator(".messages")).to_contain_text("现为")


def test_enrol_claim_review_and_pay(site, open_page, tmp_path):
    officer = open_page(site, viewport=LAPTOP)
    log_in(officer, site, "officer")
    officer.goto(site.url("/w/mutual-aid/batches/new/"))
    officer.get_by_label("参保工会代码").fill("D01E001")
    officer.get_by_label("从会员名册选取（本工会全部在会会员）").check()
    officer.get_by_role("button", name="开始登记").click()
    wait_for_job(officer)
    officer.goto(site.url("/w/mutual-aid/batches/"))
    officer.locator("table.grid tbody tr").first.get_by_role("link").click()
    enrolled = officer.get_by_text(re.compile(r"参保 \d+ 人"))
    count = int(re.search(r"参保 (\d+) 人", enrolled.inner_text()).group(1))
    assert count >= 50, count
    expect(officer.locator("table.grid").first).to_contain_text("职工个人")
    shot(officer, "mutualaid-batch-1280")

    member = open_page(site, viewport=PHONE)
    log_in(member, site, "member")
    member.goto(site.url("/m/mutual-aid/"))
    expect(member.get_by_role("heading", name="职工医疗互助保障凭证")).to_be_visible()
    member.get_by_role("link", name="申请互助金").click()
    member.get_by_label("申请项目").select_option("inpatient")
    day = timezone.localdate() - timedelta(days=3)
    member.get_by_label("发生日期（入院或受伤日期）").fill(day.isoformat())
    member.get_by_label("就诊医院").fill("鹤川市第一人民医院")
    member.get_by_label("医院等级").select_option("secondary")
    member.get_by_label("发票号码 1").fill(f"E2E{timezone.now():%m%d%H%M%S}01")
    member.get_by_label("个人自付金额（元）1").fill("6800.00")
    pdf = tmp_path / "出院小结.pdf"
    pdf.write_bytes(PDF)
    member.get_by_label("出院小结或诊断证明").set_input_files(str(pdf))
    member.get_by_label("收款银行账号（选填）").fill(ACCOUNT)
    member.get_by_label("我已阅读并单独同意上述健康信息处理说明").check()
    assert fits_width(member)
    member.get_by_role("button", name="提交申请").click()
    expect(member.locator(".ma-status")).to_contain_text("待初审")
    expect(member.locator(".ma-explain")).to_contain_text("¥3,300.00")  # (6800-800) × 55%
    claim_path = member.url.replace(site.base_url, "").replace("/m/mutual-aid/", "/w/mutual-aid/")
    claim_no = re.search(r"C\d{9}", member.locator("h1").inner_text()).group(0)
    assert fits_width(member)
    shot(member, "mutualaid-claim-360")

    move(officer, site, claim_path, "初审通过")

    county = open_page(site, viewport=LAPTOP)
    log_in(county, site, "county")
    pass_two_factor(county, site, "county")
    move(county, site, claim_path, "复核通过")

    manager = open_page(site, viewport=LAPTOP)
    log_in(manager, site, "baozhang")
    pass_two_factor(manager, site, "baozhang")
    move(manager, site, claim_path, "审批同意给付")
    manager.goto(site.url("/w/mutual-aid/payouts/"))
    expect(manager.locator("table.grid").first).to_contain_text(claim_no)
    manager.get_by_label("银行转账（申请时填写的账户）").check()
    manager.get_by_role("button", name="生成支付批次").click()
    wait_for_job(manager)
    manager.goto(site.url("/w/mutual-aid/payouts/"))
    manager.locator("table.grid").nth(1).locator("tbody tr").first.get_by_role("link").click()
    expect(manager.locator("table.grid").last).to_contain_text(claim_no)
    expect(manager.locator("body")).not_to_contain_text(ACCOUNT)
    shot(manager, "mutualaid-payout-1280")
    with manager.expect_download() as download:
        manager.get_by_role("link", name="下载支付文件（交银行）").click()
    saved = tmp_path / "payout.xlsx"
    download.value.save_as(saved)
    rows = list(Sheet(saved).rows())
    ours = [row for row in rows if row[1] == claim_no]
    assert ours and ours[0][2] == "陈静" and str(ours[0][3]) == ACCOUNT
    assert ours[0][4] == "3300.00"

    manager.goto(site.url("/w/mutual-aid/plans/2026/report/"))
    expect(manager.locator("div.chart canvas")).to_have_count(2)
    shot(manager, "mutualaid-report-1280")
