"""Information work end to end: the information officer 张伟 (D01E001) submits an article;
宣教部 (xuanjiao) adopts it, records its publication on the front page of a provincial paper
with the link as evidence and verifies it; the union's points and its ranking change on the
rankings page, drawn as charts (ECharts under the CSP)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from e2e.browser import LAPTOP, log_in, pass_two_factor, screenshot

pytestmark = pytest.mark.e2e

TITLE = "鹤川恒达机械工会开展职工技能比武"


def standing(page, code: str) -> tuple[int, Decimal]:
    """(rank, total) of a union on the rankings page; (0, 0) when it is not ranked yet."""
    row = page.locator(f'[data-testid="rankings"] tr[data-key="{code}"]')
    if row.count() == 0:
        return 0, Decimal(0)
    cells = row.locator("td").all_inner_texts()
    return int(cells[0]), Decimal(cells[5])


def test_officer_submits_xuanjiao_adopts_publishes_verifies_and_the_ranking_moves(site, open_page):
    officer = open_page(site, viewport=LAPTOP)
    log_in(officer, site, "officer")
    officer.goto(site.url("/w/infowork/"))
    expect(officer).to_have_url(site.url("/w/infowork/mine/"))
    officer.get_by_role("link", name="报送新稿件").click()
    officer.get_by_label("标题").fill(TITLE)
    officer.get_by_label("类别").select_option(label="工作动态")
    officer.get_by_label("正文").fill("11 月，公司工会组织 120 名一线职工开展车工、焊工技能比武。")
    officer.get_by_role("button", name="报送").click()
    expect(officer.get_by_role("heading", name=re.compile(TITLE))).to_be_visible()
    expect(officer.get_by_test_id("submission-status")).to_have_text("待审核")

    staff = open_page(site, viewport=LAPTOP)
    log_in(staff, site, "xuanjiao")
    pass_two_factor(staff, site, "xuanjiao")
    staff.goto(site.url("/w/infowork/rankings/"))
    rank_before, total_before = standing(staff, "D01E001")

    staff.get_by_role("link", name="投稿审核").click()
    staff.get_by_role("link", name=TITLE).click()
    staff.get_by_role("button", name="采用").click()
    expect(staff.get_by_test_id("submission-status")).to_have_text("已采用")

    staff.get_by_label("刊用级别").select_option(label="省/省总")
    staff.get_by_label("媒体类型").select_option(label="报纸")
    staff.get_by_label("媒体名称").fill("河南工人日报")
    staff.get_by_label("版面位置").select_option(label="头版")
    staff.get_by_label("链接").fill("https://news.example.cn/hngrrb/2026/1127/001.html")
    staff.locator("form", has=staff.get_by_label("媒体名称")).get_by_role(
        "button", name="登记刊用"
    ).click()
    expect(staff.get_by_text("已登记刊用，宣教部核实后计分")).to_be_visible()
    staff.get_by_role("button", name="核实通过").click()
    expect(staff.get_by_text(re.compile("现为“已核实”，积分 15.0"))).to_be_visible()

    staff.goto(site.url("/w/infowork/rankings/"))
    rank_after, total_after = standing(staff, "D01E001")
    assert total_after == total_before + Decimal(15)
    assert rank_after >= 1 and (rank_before == 0 or rank_after <= rank_before)
    expect(staff.locator('div.chart[data-chart="chart-top"] canvas')).to_be_visible()
    expect(staff.locator('div.chart[data-chart="chart-monthly"] canvas')).to_be_visible()
    screenshot(staff, "infowork-rankings")

    officer.goto(site.url("/w/infowork/mine/"))
    expect(officer.get_by_role("row", name=re.compile(TITLE))).to_contain_text("已采用")
