"""对标找差距 end to end: the office (bangong, 办公室) opens the cockpit, takes the biggest gap,
lists the problem behind it, sets a measure (a 督办 action item), closes it with evidence, and
the cockpit then shows that gap's measures closed."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.browser import log_in, pass_two_factor, screenshot

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_office_closes_a_measure_on_the_biggest_gap(site, open_page):
    page = open_page(site)
    log_in(page, site, "bangong")
    pass_two_factor(page, site, "bangong")
    expect(page).to_have_url(site.url("/w/"))

    page.goto(site.url("/w/benchmarking/"))
    expect(page.get_by_role("heading", name="对标管理驾驶舱")).to_be_visible()
    expect(page.locator('div.chart[data-chart="gap-chart"] canvas')).to_have_count(1)
    expect(page.get_by_test_id("overdue-by-department")).to_contain_text("生产保护部")
    shot(page, "benchmarking-cockpit-1280")

    biggest = page.get_by_test_id("gap-table").locator("tbody tr").first
    code = biggest.get_attribute("data-indicator")
    expect(biggest.get_by_test_id("gap-state")).to_have_text("未定措施")
    biggest.get_by_role("link", name="摆问题、定措施").click()
    expect(page).to_have_url(re.compile(rf"/w/benchmarking/indicators/{code}/"))
    expect(page.locator('div.chart[data-chart="trend-chart"] canvas')).to_have_count(1)

    page.get_by_label("问题", exact=True).fill("与最优城市差距最大，工作推进慢，基层力量不足。")
    page.get_by_label("牵头部门").select_option(label="办公室")
    page.get_by_role("button", name="列出问题").click()
    expect(page.get_by_role("heading", name=re.compile("问题与措施"))).to_be_visible()

    page.get_by_label("措施", exact=True).fill("制定专项提升方案并按月调度")
    page.get_by_label("预期效果").fill("年底差距缩小一半")
    page.get_by_label("责任人账号").fill("bangong")
    page.get_by_label("完成时限").fill("2026-12-31")
    page.get_by_role("button", name="交办措施").click()
    expect(page.get_by_role("heading", name=re.compile("制定专项提升方案"))).to_be_visible()

    page.get_by_label("进展情况").fill("方案已起草，征求各部门意见")
    page.get_by_label("完成进度（%）").fill("60")
    page.get_by_role("button", name="记录进展").click()
    expect(page.locator("progress")).to_have_attribute("value", "60")

    item_path = page.url.removeprefix(site.base_url)
    open_page.expect_status(page, 400, item_path + "close/")  # refused without evidence
    page.get_by_label("办结情况").fill("方案已印发，按月调度")
    page.get_by_role("button", name="办结", exact=True).click()
    expect(page.locator(".errors")).to_contain_text("办结须有佐证")
    page.get_by_label("佐证链接").fill("https://www.example.org/hechuan/2026/plan")
    page.get_by_role("button", name="办结", exact=True).click()
    expect(page.get_by_text("事项已办结")).to_be_visible()
    expect(page.get_by_test_id("evidence")).to_contain_text("方案已印发")

    page.goto(site.url("/w/benchmarking/"))
    row = page.locator(f'tr[data-indicator="{code}"]')
    expect(row.get_by_test_id("gap-measures")).to_have_text("措施 1 · 逾期 0 · 已办结 1")
    expect(row.get_by_test_id("gap-state")).to_have_text("已整改")
    shot(page, "benchmarking-cockpit-closed-1280")
