"""A grassroots officer uploads a roster with a mistake in it, reads the report, fixes the row
and imports again; the background worker does the work while the page shows its progress."""

import random
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter
from playwright.sync_api import expect

from e2e.browser import log_in, screenshot
from gonghui.core import idnumbers

pytestmark = pytest.mark.e2e
PEOPLE = [
    ("欧阳晓燕", "F", date(1990, 5, 17)),
    ("单志强", "M", date(1986, 11, 2)),
    ("曾丽", "F", date(1995, 2, 28)),
]


def roster(path: Path, *, broken: bool) -> Path:
    rng = random.Random(20261127)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.merge_range(0, 0, 0, 4, "鹤川永安建材股份有限公司工会会员名册")
    sheet.write_row(1, 0, ["姓名", "性别", "身份证号", "手机号码", "入会日期"])
    for row, (name, gender, birth) in enumerate(PEOPLE, start=2):
        number = idnumbers.generate(rng, "419902", birth, gender)
        if broken and row == 3:
            number = number[:17] + ("0" if number[17] != "0" else "1")  # a wrong check digit
        phone = f"139{rng.randrange(10**8):08d}"
        sheet.write_row(row, 0, [name, "男" if gender == "M" else "女", number, phone, "2020/3/1"])
    workbook.close()
    return path


def upload(page, site, path: Path) -> None:
    page.goto(site.url("/w/members/import/"))
    page.get_by_label("导入到工会（代码）").fill("D01E001")
    page.get_by_label("名册文件（xlsx、xls 或 csv）").set_input_files(str(path))
    page.get_by_role("button", name="开始导入").click()
    expect(page.locator(".job")).to_have_attribute("data-status", "succeeded", timeout=30_000)


def test_officer_fixes_a_roster_row_and_imports_again(site, open_page, tmp_path):
    page = open_page(site)
    log_in(page, site, "officer")

    upload(page, site, roster(tmp_path / "名册.xlsx", broken=True))
    job = page.locator(".job")
    expect(job).to_contain_text("未写入")
    errors = job.locator("table.grid tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("4")  # the sheet's row number, title row included
    expect(errors.first).to_contain_text("校验位")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载结果文件").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    screenshot(page, "roster-import-errors")

    upload(page, site, roster(tmp_path / "名册-改.xlsx", broken=False))
    expect(page.locator(".job")).to_contain_text("已写入")
    expect(page.locator(".job dl")).to_contain_text("3")
    screenshot(page, "roster-import-written")

    page.goto(site.url("/w/members/?q=oyxy"))
    expect(page.locator("#member-table")).to_contain_text("欧阳晓燕")
    expect(page.locator("#member-table")).not_to_contain_text("419902")  # ID numbers masked
    screenshot(page, "members-search-pinyin")
