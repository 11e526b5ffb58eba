"""A shop applies to become a member service merchant on the public page; 保障部 staff approve it
with a contract; a member finds it in the directory on a phone, nearest first, and on the map."""

import random
import re

import pytest
from playwright.sync_api import expect
from stdnum.cn import uscc as stdnum_uscc

from e2e.browser import LAPTOP, PHONE, fits_width, log_in, pass_two_factor, screenshot

pytestmark = pytest.mark.e2e

SHOP = "鹤川e2e惠民面馆"
# Where no demo merchant is within 2 km, about 100 m from where the member stands.
SHOP_AT = ("32.430200", "119.383100")
MEMBER_AT = {"latitude": 32.4311, "longitude": 119.3836}


def credit_code() -> str:
    rng = random.Random()  # fictitious; fresh per run so reruns do not clash
    body = "92419902" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)


def apply(page, site) -> str:
    page.goto(site.url("/merchant/apply/"))
    expect(page.get_by_role("heading", name="申请成为会员服务基地")).to_be_visible()
    page.get_by_label("商户名称").fill(SHOP)
    page.get_by_label("统一社会信用代码").fill(credit_code())
    page.get_by_label("类别").select_option(label="餐饮")
    page.get_by_label("所在县（市、区）").select_option(label="鹤山区总工会")
    page.get_by_label("地址").fill("鹤川市鹤山区鹤鸣路 18 号")
    page.get_by_label("纬度").fill(SHOP_AT[0])
    page.get_by_label("经度").fill(SHOP_AT[1])
    page.get_by_label("营业时间").fill("每天 06:30–20:00")
    page.get_by_label("联系人").fill("周老板")
    page.get_by_label("联系电话").fill("13955556666")
    page.get_by_label("拟给予会员的优惠").fill("全场八折，单笔最多优惠 30 元")
    assert fits_width(page)
    screenshot(page, "merchant-apply-360")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", name="申请已提交")).to_be_visible()
    number = page.locator("#application-no").inner_text()
    assert re.fullmatch(r"SQ\d{8}", number)
    screenshot(page, "merchant-apply-done-360")

    page.get_by_role("link", name="查询审核进度").click()
    page.get_by_label("申请编号").fill(number)
    page.get_by_label("申请时填写的联系电话").fill("13955556666")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("审核中")).to_be_visible()
    return number


def approve(page, site, number: str) -> str:
    log_in(page, site, "baozhang")
    pass_two_factor(page, site, "baozhang")
    page.goto(site.url("/w/merchants/review/"))
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name=re.compile(SHOP))).to_be_visible()
    expect(page.get_by_text("全场八折，单笔最多优惠 30 元")).to_be_visible()
    page.get_by_label("折扣率").fill("0.95")
    page.get_by_role("button", name="通过并签订协议").click()
    expect(page.get_by_text("折扣率须在 0.50 到 0.90 之间").first).to_be_visible()
    page.get_by_label("折扣率").fill("0.80")
    page.get_by_label("单笔优惠上限（元）").fill("30")
    screenshot(page, "merchant-review-1280")
    page.get_by_role("button", name="通过并签订协议").click()
    message = page.locator(".msg").filter(has_text="已通过")
    expect(message).to_be_visible()
    code = re.search(r"SH\d{5}", message.inner_text()).group(0)
    expect(page.get_by_role("cell", name="8折，单笔最多优惠¥30.00", exact=True)).to_be_visible()
    expect(page.get_by_text("今天适用")).to_be_visible()

    page.get_by_label("终端名称").fill("一号收银台")
    page.get_by_role("button", name="签发终端密钥").click()
    expect(page.get_by_role("heading", name="已签发终端密钥")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^pk_[0-9a-f]{16}$"))).to_be_visible()
    screenshot(page, "merchant-key-once-1280")
    page.get_by_role("link", name="我已记下，返回商户").click()
    screenshot(page, "merchant-detail-1280")
    return code


def test_a_shop_applies_is_approved_and_members_find_it(site, open_page):
    shop = open_page(site, viewport=PHONE)
    number = apply(shop, site)

    staff = open_page(site, viewport=LAPTOP)
    code = approve(staff, site, number)

    member = open_page(site, viewport=PHONE)
    log_in(member, site, "member")
    member.context.grant_permissions(["geolocation"], origin=site.base_url)
    member.context.set_geolocation(MEMBER_AT)
    member.goto(site.url("/m/merchants/"))
    expect(member.get_by_role("heading", name="优惠商户")).to_be_visible()
    assert member.locator(".merchant").count() == 15
    member.get_by_role("button", name="离我最近").click()
    expect(member.get_by_text("按离您的距离从近到远排列")).to_be_visible()
    first = member.locator(".merchant").first
    expect(first).to_contain_text(SHOP)
    expect(first).to_contain_text("8折，单笔最多优惠¥30.00")
    expect(first.locator(".m-dist")).to_have_text(re.compile(r"^\d+ 米$"))
    assert fits_width(member)
    screenshot(member, "directory-nearest-360")

    member.get_by_role("link", name="加载更多").click()
    expect(member.locator(".merchant")).to_have_count(30)

    member.get_by_role("group", name="类别").get_by_text("餐饮").click()
    expect(member).to_have_url(re.compile(r"category=food"))
    expect(member.locator(".merchant").first).to_contain_text(SHOP)
    member.locator(".merchant").first.get_by_role("link").click()
    expect(member.get_by_role("heading", name=SHOP)).to_be_visible()
    expect(member.locator(".rule")).to_have_text("8折，单笔最多优惠¥30.00")
    expect(member.get_by_text("每天 06:30–20:00")).to_be_visible()
    expect(member.get_by_text(code)).to_be_visible()
    assert fits_width(member)
    screenshot(member, "directory-detail-360")

    member.get_by_role("link", name="在地图上看同类商户").click()
    chart = member.locator("#merchant-map canvas")
    expect(chart.first).to_be_visible()
    assert fits_width(member)
    screenshot(member, "directory-map-360")


def test_without_location_the_member_picks_a_district(site, open_page):
    page = open_page(site, viewport=PHONE)
    page.goto(site.url("/m/merchants/"))
    page.get_by_role("button", name="离我最近").click()  # no permission granted: denied
    expect(page.get_by_text("无法获取您的位置，请在上面选择所在县区")).to_be_visible()
    page.get_by_label("县区").select_option(label="临河县总工会")
    expect(page).to_have_url(re.compile(r"district=D05"))
    for row in page.locator(".merchant .m-meta").all()[:5]:
        expect(row).to_contain_text("临河县总工会")
    screenshot(page, "directory-district-360")
