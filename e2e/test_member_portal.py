"""The login page and the member portal on a laptop and on a 360 px wide phone."""

import pytest
from playwright.sync_api import expect

from e2e.browser import LAPTOP, PHONE, fits_width, log_in, screenshot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_login_page_fits_the_screen(site, open_page, viewport):
    page = open_page(site, viewport=viewport)
    page.goto(site.url("/"))
    expect(page).to_have_url(site.url("/accounts/login/?next=/"))
    expect(page.get_by_label("用户名")).to_be_focused()
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    assert fits_width(page)
    screenshot(page, f"login-{viewport['width']}")


def test_member_uses_the_portal_on_a_phone(site, open_page):
    page = open_page(site, viewport=PHONE)
    log_in(page, site, "member")
    expect(page).to_have_url(site.url("/m/"))
    expect(page.get_by_role("heading", name="陈静，您好")).to_be_visible()
    tiles = page.get_by_role("navigation", name="会员服务")
    for service in ("会员卡", "优惠商户", "互助保障", "困难帮扶", "维权服务", "我的资料"):
        expect(tiles.get_by_text(service)).to_be_visible()
    assert fits_width(page)
    screenshot(page, "member-portal-360")

    page.set_viewport_size(LAPTOP)
    screenshot(page, "member-portal-1280")
