"""A grassroots union officer sees their own union and its branches, and nothing of anyone
else's: not in the tree, not in search, not by typing another union's address."""

import re

import pytest
from playwright.sync_api import expect

from e2e.browser import log_in, screenshot, search_unions

pytestmark = pytest.mark.e2e


def test_officer_sees_only_their_own_union(site, open_page):
    page = open_page(site)
    log_in(page, site, "officer")

    expect(page).to_have_url(site.url("/w/"))
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    expect(page.get_by_role("link", name="鹤川永安建材股份有限公司工会委员会")).to_be_visible()
    screenshot(page, "workspace-officer")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="组织架构").click()
    tree = page.get_by_role("tree", name="组织架构")
    expect(tree.get_by_role("treeitem")).to_have_count(1)
    own = tree.locator("li[data-code='D01E001']")
    expect(own).to_be_visible()

    own.get_by_role("button", name=re.compile("^展开")).click()
    branches = own.locator(".kids > li[role=treeitem]")
    expect(branches).to_have_count(2)
    assert [b.get_attribute("data-code") for b in branches.all()] == ["D01E001-B1", "D01E001-B2"]
    expect(own.get_by_role("button", name=re.compile("^展开"))).to_have_attribute(
        "aria-expanded", "true"
    )
    screenshot(page, "orgs-tree-officer")

    search_unions(page, "D01E001")
    expect(page.get_by_text("找到 3 个工会")).to_be_visible()

    for other_county in ("D02E001", "嘉禾物流"):
        search_unions(page, other_county)
        expect(page.get_by_text("找到 0 个工会")).to_be_visible()
        expect(page.get_by_text("没有匹配的工会，换个关键词试试。")).to_be_visible()
    screenshot(page, "orgs-search-nothing-officer")

    open_page.expect_status(page, 404, "/w/orgs/D02E001/")
    response = page.goto(site.url("/w/orgs/D02E001/"))
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("嘉禾")
    screenshot(page, "not-found-officer")
