"""Target assessment end to end: 办公室 (bangong) opens the 2026 plan; 鹤山区总工会's staff
(county) self-assess a manual indicator with an evidence file and submit; bangong adjusts it
with a reason and makes the score final; the ranking then places 鹤山区 among the counties."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.browser import LAPTOP, log_in, pass_two_factor, screenshot

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")
PDF = b"%PDF-1.4\n% demo ledger of hardship households\n"
HOUSEHOLDS = "困难职工帮扶建档户数"


def shot(page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def staff_login(page, site, username: str) -> None:
    log_in(page, site, username)
    pass_two_factor(page, site, username)
    expect(page).to_have_url(site.url("/w/"))


def test_county_self_assesses_office_reviews_and_finalises_ranking_shows(site, open_page):
    office = open_page(site, viewport=LAPTOP)
    staff_login(office, site, "bangong")
    office.goto(site.url("/w/assessment/"))
    office.get_by_role("link", name="2026年度目标考核方案").click()
    expect(office.get_by_role("heading", name="2026年度目标考核方案")).to_be_visible()
    bodies = office.get_by_test_id("bodies")
    expect(bodies).to_contain_text("鹤山区总工会")
    expect(bodies).to_contain_text("宣教部")
    expect(bodies.locator("tr", has_text="北湖新区总工会")).to_contain_text("已终评")
    expect(office.locator("div.chart[data-chart=chart-scores] canvas")).to_have_count(1)

    county = open_page(site, viewport=LAPTOP)
    staff_login(county, site, "county")
    county.goto(site.url("/w/assessment/2026/"))
    expect(county.get_by_test_id("bodies")).not_to_contain_text("川东区总工会")  # not final yet
    county.get_by_role("link", name="鹤山区总工会").click()
    expect(county.get_by_role("heading", name=re.compile("鹤山区总工会"))).to_be_visible()
    expect(county.get_by_test_id("state")).to_have_text("自评中")
    row = county.locator("tr[data-testid=line]", has_text=HOUSEHOLDS)
    row.get_by_label(f"{HOUSEHOLDS}自评值").fill("80")
    row.get_by_label("自评说明").fill("全年新建档 80 户，帮扶台账附后")
    row.get_by_label(re.compile("佐证材料")).set_input_files(
        {"name": "帮扶台账.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    row.get_by_role("button", name="保存").click()
    expect(county.locator(".messages")).to_contain_text(f"已保存“{HOUSEHOLDS}”的自评")
    row = county.locator("tr[data-testid=line]", has_text=HOUSEHOLDS)
    expect(row.get_by_role("link", name="帮扶台账.pdf")).to_be_visible()
    expect(row.locator(".as-actual")).to_have_text("80")
    shot(county, "assessment-scorecard-1280")
    county.get_by_role("button", name="提交自评").click()
    expect(county.get_by_test_id("state")).to_have_text("审核中")

    office.goto(site.url("/w/assessment/2026/"))
    office.get_by_role("link", name="鹤山区总工会").click()
    expect(office.get_by_test_id("state")).to_have_text("审核中")
    row = office.locator("tr[data-testid=line]", has_text=HOUSEHOLDS)
    row.get_by_text("审核调整").click()
    row.get_by_label(f"{HOUSEHOLDS}认定值").fill("75")
    row.get_by_label("调整理由").fill("5 户不符合建档条件")
    row.get_by_role("button", name="调整").click()
    row = office.locator("tr[data-testid=line]", has_text=HOUSEHOLDS)
    expect(row.locator(".as-actual")).to_contain_text("75")
    expect(row).to_contain_text("5 户不符合建档条件")
    office.get_by_role("button", name="终评定分").click()
    expect(office.get_by_test_id("state")).to_have_text("已终评")
    total = office.get_by_test_id("total").inner_text()
    expect(office.locator("div.chart[data-chart=chart-categories] canvas")).to_have_count(1)

    office.get_by_role("link", name="打印版报告").click()
    expect(office.get_by_role("heading", name=re.compile("考核得分报告"))).to_be_visible()
    expect(office.locator("main")).to_contain_text(total)

    county.goto(site.url("/w/assessment/2026/ranking/"))
    ranking = county.get_by_test_id("ranking-county")
    placed = ranking.locator("tr", has_text="鹤山区总工会")
    expect(placed).to_contain_text(total)
    expect(placed.locator("td").first).to_have_text(re.compile(r"^[12]$"))
    expect(ranking.locator("tr", has_text="北湖新区总工会").locator("td").first).to_have_text(
        re.compile(r"^[12]$")
    )
    expect(county.locator("div.chart[data-chart=chart-rank-county] canvas")).to_have_count(1)
    shot(county, "assessment-ranking-1280")
