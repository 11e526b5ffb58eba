"""The audit administrator passes the TOTP step and reads the login entries in 审计日志."""

import re

import pytest
from playwright.sync_api import expect

from e2e.browser import log_in, pass_two_factor, screenshot

pytestmark = pytest.mark.e2e


def test_auditor_reads_login_entries(site, open_page):
    page = open_page(site)
    log_in(page, site, "auditor")
    pass_two_factor(page, site, "auditor")
    expect(page).to_have_url(site.url("/w/"))

    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="组织架构")).to_have_count(0)
    nav.get_by_role("link", name="审计日志").click()
    expect(page.get_by_role("heading", name="审计日志")).to_be_visible()
    table = page.locator("#audit-table table")
    own_login = table.locator("tr", has=page.locator("code", has_text=re.compile(r"^auth\.login$")))
    expect(own_login.filter(has_text="auditor").first).to_be_visible()
    expect(own_login.first).to_contain_text("127.0.0.1")

    page.get_by_label("操作代码").fill("auth.login")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"action=auth\.login"))
    actions = table.locator("tbody code")
    expect(actions.first).to_have_text(re.compile(r"^auth\.login"))
    assert all(a.startswith("auth.login") for a in actions.all_inner_texts())
    screenshot(page, "audit-log")
