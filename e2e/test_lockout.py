"""Five wrong passwords lock the account (and the address) for 15 minutes. The journey runs on
a server of its own: the locked address would otherwise shut every later journey out."""

import pytest
from playwright.sync_api import expect

from e2e.browser import DEMO_PASSWORD, log_in, screenshot

pytestmark = pytest.mark.e2e


def test_five_wrong_passwords_lock_the_account(fresh_site, open_page):
    page = open_page(fresh_site)
    open_page.expect_status(page, 429, "/accounts/login/")

    for attempt in range(1, 5):
        log_in(page, fresh_site, "officer2", f"Wrong-Passw0rd-{attempt}")
        expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确")
    screenshot(page, "login-wrong-password")

    log_in(page, fresh_site, "officer2", "Wrong-Passw0rd-5")
    expect(page.get_by_role("heading", name="账号已锁定")).to_be_visible()
    screenshot(page, "locked")

    log_in(page, fresh_site, "officer2", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="账号已锁定")).to_be_visible()
    expect(page).not_to_have_url(fresh_site.url("/w/"))
