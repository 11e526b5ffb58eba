"""Member cards end to end. A grassroots officer registers two workers, puts them in a
production batch, sends it, downloads the production file for the citizen-card bureau,
uploads the (fake) bureau's answer, sees the cards 待激活 and activates one. The demo member
陈静 then opens her card and her dynamic QR code on a 360 px phone."""

import random
import re
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from e2e.browser import PHONE, fits_width, log_in, screenshot
from gonghui.core import idnumbers

pytestmark = pytest.mark.e2e
PEOPLE = [("司马卡卡", "M", date(1991, 4, 9)), ("欧阳制卡", "F", date(1989, 8, 23))]
QR_TEXT = re.compile(r"^GH[A-HJ-NP-Z2-9]{6}\d{8}$")


def roster(path: Path) -> Path:
    rng = random.Random(20261128)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "性别", "身份证号", "手机号码"])
    for row, (name, gender, birth) in enumerate(PEOPLE, start=1):
        number = idnumbers.generate(rng, "419902", birth, gender)
        phone = f"137{rng.randrange(10**8):08d}"
        sheet.write_row(row, 0, [name, "男" if gender == "M" else "女", number, phone])
    workbook.close()
    return path


def read_xlsx(path: Path) -> list[list]:
    return list(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())


def test_officer_issues_cards_through_the_bureau(site, open_page, tmp_path):
    page = open_page(site)
    log_in(page, site, "officer")

    # Two new workers in the officer's union (the demo city here has no other members).
    page.goto(site.url("/w/members/import/"))
    page.get_by_label("导入到工会（代码）").fill("D01E001")
    page.get_by_label("名册文件（xlsx、xls 或 csv）").set_input_files(
        str(roster(tmp_path / "名册.xlsx"))
    )
    page.get_by_role("button", name="开始导入").click()
    expect(page.locator(".job")).to_have_attribute("data-status", "succeeded", timeout=30_000)

    page.goto(site.url("/w/cards/batches/new/"))
    candidates = page.locator("#candidate-table")
    for name, _gender, _birth in PEOPLE:
        expect(candidates).to_contain_text(name)
    expect(candidates).not_to_contain_text("陈静")  # she already holds a card
    screenshot(page, "cards-batch-new")
    page.get_by_role("button", name=re.compile(r"为全部 \d+ 人建批次")).click()

    expect(page.get_by_role("heading", name=re.compile("制卡批次 ZK"))).to_be_visible()
    batch_no = page.get_by_role("heading", name=re.compile("制卡批次 ZK")).inner_text().split()[1]
    page.get_by_role("button", name="报送制卡").click()
    expect(page.locator("#batch-status")).to_have_text("已报送制卡")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载制卡文件").click()
    production = tmp_path / "production.xlsx"
    download.value.save_as(production)
    rows = read_xlsx(production)
    assert rows[0] == ["批次号", "会员号", "姓名", "身份证号", "手机号", "工会"]
    names = {r[2] for r in rows[1:]}
    assert {name for name, _g, _b in PEOPLE} <= names
    assert all(r[0] == batch_no and len(r[3]) == 18 for r in rows[1:])  # full ID numbers

    with page.expect_download() as download:
        page.get_by_role("link", name="生成模拟回盘文件（演示）").click()
    answer = tmp_path / "回盘.xlsx"
    download.value.save_as(answer)
    page.get_by_label("回盘文件（xlsx）").set_input_files(str(answer))
    page.get_by_role("button", name="导入回盘文件").click()
    job = page.locator("#result-job")
    expect(job).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(job).to_contain_text("已写入")
    screenshot(page, "cards-batch-result")

    # The page reloads itself once the import has written: the cards are made.
    cards = page.locator("#batch-cards")
    expect(cards.locator("tbody tr")).to_have_count(len(rows) - 1)
    expect(cards).not_to_contain_text("制卡中")
    first = cards.locator("tr", has_text=PEOPLE[0][0])
    expect(first).to_contain_text("待激活")
    first.get_by_role("link").click()

    expect(page.get_by_role("heading", name=re.compile(PEOPLE[0][0]))).to_contain_text("待激活")
    page.get_by_role("button", name="激活").click()
    expect(page.locator(".messages")).to_contain_text("会员卡已改为“已激活”")
    expect(page.get_by_role("heading", name=re.compile(PEOPLE[0][0]))).to_contain_text("已激活")
    expect(page.get_by_role("cell", name="待激活 → 已激活")).to_be_visible()
    screenshot(page, "cards-detail-activated")

    page.goto(site.url("/w/cards/?q=" + PEOPLE[1][0]))
    expect(page.locator("#card-table")).to_contain_text("待激活")
    screenshot(page, "cards-list")


def test_member_shows_her_card_and_qr_code_on_a_phone(site, open_page):
    page = open_page(site, viewport=PHONE)
    log_in(page, site, "member")
    expect(page).to_have_url(site.url("/m/"))

    page.goto(site.url("/m/card/"))
    card = page.get_by_label("会员卡", exact=True)
    expect(card).to_contain_text("陈静")
    expect(card).to_contain_text("已激活")
    expect(card).to_contain_text("**** **** ****")
    expect(page.get_by_role("link", name="挂失")).to_be_visible()
    assert fits_width(page)
    screenshot(page, "card-portal-360")

    page.get_by_role("link", name="出示动态码").click()
    expect(page).to_have_url(site.url("/m/card/qr/"))
    text = page.get_by_test_id("qr-code-text")
    expect(text).to_be_visible()
    expect(page.locator("#qr-image")).to_be_visible()
    expect(page.locator("#qr-countdown")).to_contain_text("秒后更新")
    code = text.inner_text().replace(" ", "")
    assert QR_TEXT.match(code), code
    # The page keeps the codes it fetched for offline use.
    page.wait_for_function(
        "() => Object.keys(localStorage).some((k) => k.startsWith('gonghui.qr.'))"
    )
    stored = page.evaluate(
        "() => JSON.parse(localStorage.getItem(Object.keys(localStorage)"
        ".find((k) => k.startsWith('gonghui.qr.')))).codes.length"
    )
    assert stored >= 30
    assert fits_width(page)
    screenshot(page, "card-qr-360")

    # Offline, the cached codes go on showing.
    page.context.set_offline(True)
    page.evaluate("() => window.dispatchEvent(new Event('offline'))")
    page.wait_for_timeout(1500)
    expect(text).to_be_visible()
    assert QR_TEXT.match(text.inner_text().replace(" ", ""))
    expect(page.locator("#qr-offline")).to_be_hidden()
    page.context.set_offline(False)
