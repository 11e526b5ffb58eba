"""County staff (鹤山区总工会) pass the TOTP step and browse their own subtree only."""

import re

import pytest
from playwright.sync_api import expect

from e2e.browser import log_in, pass_two_factor, screenshot, search_unions

pytestmark = pytest.mark.e2e


def test_county_staff_browse_their_county_after_two_factor(site, open_page):
    page = open_page(site)
    log_in(page, site, "county")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/"))
    expect(page.get_by_role("navigation", name="主导航")).to_have_count(0)
    screenshot(page, "two-factor")
    pass_two_factor(page, site, "county")

    expect(page).to_have_url(site.url("/w/"))
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    screenshot(page, "workspace-county")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="组织架构").click()
    tree = page.get_by_role("tree", name="组织架构")
    expect(tree.get_by_role("treeitem")).to_have_count(1)
    county = tree.locator("li[data-code='D01']")
    expect(county.get_by_role("link", name="鹤山区总工会")).to_be_visible()

    county.get_by_role("button", name="展开 鹤山区总工会").click()
    unions = county.locator(":scope > .kids > li[role=treeitem]")
    expect(unions).to_have_count(30)
    codes = sorted(u.get_attribute("data-code") for u in unions.all())
    assert codes == [f"D01E{i:03d}" for i in range(1, 31)]
    expect(page.locator("main")).not_to_contain_text("川东区")
    expect(tree.locator("li[data-code^='D02']")).to_have_count(0)
    screenshot(page, "orgs-tree-county")

    search_unions(page, "D02")
    expect(page.get_by_text("找到 0 个工会")).to_be_visible()
    search_unions(page, "川东区")
    expect(page.get_by_text("找到 0 个工会")).to_be_visible()

    page.goto(site.url("/w/orgs/"))
    tree.locator("li[data-code='D01']").get_by_role("button", name="展开 鹤山区总工会").click()
    first = tree.locator("li[data-code='D01E001'] > a")
    name = first.inner_text()
    first.click()
    expect(page).to_have_url(site.url("/w/orgs/D01E001/"))
    create = page.locator("section", has=page.get_by_role("heading", name="新建下级工会"))
    kinds = create.get_by_label("类型")
    expect(kinds.locator("option")).to_have_text(["分会"])
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    crumbs = page.get_by_role("navigation", name="层级")
    expect(crumbs.get_by_role("link", name="鹤山区总工会")).to_be_visible()
    branches = page.locator("section.card ul.tree > li[role=treeitem]")
    expect(branches).to_have_count(2)
    screenshot(page, "union-detail-county")
