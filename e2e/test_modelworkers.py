"""劳模工作 end to end: the city's 生产保护部 (shengchan) looks at the registry's charts, plans a
疗休养 trip and invites model workers in rotation order; the member 陈静 signs up on her phone
for a 劳模大讲堂 session and sees it among her sign-ups; 陈静, a 省劳动模范 invited to the
planned 千岛湖 trip, declines it on her phone with a reason before the deadline."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.browser import LAPTOP, PHONE, fits_width, log_in, pass_two_factor, screenshot

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_shengchan_plans_a_trip_and_invites_by_rotation(site, open_page):
    page = open_page(site, viewport=LAPTOP)
    log_in(page, site, "shengchan")
    pass_two_factor(page, site, "shengchan")
    expect(page).to_have_url(site.url("/w/"))

    page.goto(site.url("/w/model-workers/"))
    expect(page.get_by_role("heading", name="劳模工作", exact=True)).to_be_visible()
    expect(page.locator("div.chart[data-chart='mw-chart-level'] canvas")).to_have_count(1)
    expect(page.get_by_text(re.compile(r"在册劳模 \d+ 人"))).to_be_visible()
    shot(page, "modelworkers-home-1280")

    page.get_by_role("navigation", name="劳模工作").get_by_role("link", name="疗休养").click()
    expect(page.get_by_role("heading", name="劳模疗休养")).to_be_visible()
    today = timezone.localdate()
    page.get_by_label("目的地").fill("青岭山森林疗休养基地")
    page.get_by_label("出发日期").fill((today + timedelta(days=40)).isoformat())
    page.get_by_label("返回日期").fill((today + timedelta(days=44)).isoformat())
    page.get_by_label("名额").fill("5")
    expect(page.get_by_label("组织单位代码")).to_have_value("HC")
    page.get_by_role("button", name="创建").click()

    expect(page.get_by_role("heading", name="青岭山森林疗休养基地")).to_be_visible()
    expect(page.get_by_test_id("trip-places")).to_contain_text("空余 5 个")
    queue = page.get_by_test_id("queue").locator("li")
    expect(queue.first).to_be_visible()
    head = [text.split(" ")[0] for text in queue.all_inner_texts()[:5]]

    page.get_by_role("button", name="按轮候顺序邀请 5 人").click()
    expect(page.get_by_text("已按轮候顺序邀请 5 人")).to_be_visible()
    rows = page.get_by_test_id("invitations").locator("tbody tr")
    expect(rows).to_have_count(5)
    invited = [row.locator("td").nth(1).inner_text() for row in rows.all()]
    assert invited == head  # the head of the queue, in its order
    expect(page.get_by_test_id("trip-places")).to_contain_text("空余 0 个")

    first = invited[0]
    page.get_by_role("button", name=f"{first} 婉拒").click()
    expect(page.get_by_text(f"{first}：已婉拒")).to_be_visible()
    expect(page.get_by_test_id("trip-places")).to_contain_text("空余 1 个")
    shot(page, "modelworkers-trip-1280")


def test_chen_jing_signs_up_for_a_lecture_on_her_phone(site, open_page):
    page = open_page(site, viewport=PHONE)
    log_in(page, site, "member")
    expect(page).to_have_url(site.url("/m/"))
    page.goto(site.url("/m/model-workers/"))
    expect(page.get_by_role("heading", name="劳模大讲堂")).to_be_visible()
    lecture = page.get_by_test_id("lecture").first
    title = lecture.get_by_role("heading").inner_text()
    expect(lecture).to_contain_text("劳模）")
    lecture.get_by_role("button", name="报名").click()

    expect(page.get_by_text(f"报名成功：{title}")).to_be_visible()
    expect(page.get_by_test_id("lecture").first.get_by_text("已报名")).to_be_visible()
    expect(page.get_by_test_id("my-signups")).to_contain_text(title)
    assert fits_width(page)
    shot(page, "modelworkers-portal-360")


def test_chen_jing_declines_a_trip_invitation_on_her_phone(site, open_page):
    page = open_page(site, viewport=PHONE)
    log_in(page, site, "member")
    expect(page).to_have_url(site.url("/m/"))
    page.goto(site.url("/m/model-workers/"))
    expect(page.get_by_role("heading", name="疗休养邀请")).to_be_visible()
    card = page.get_by_test_id("invitation").filter(has_text="千岛湖劳模疗休养基地")
    expect(card).to_contain_text("待答复")
    expect(card).to_contain_text(re.compile(r"请于 \d{4}-\d{2}-\d{2} 前答复"))
    name = card.get_by_role("heading").inner_text()
    assert fits_width(page)
    shot(page, "modelworkers-invitations-360")

    card.get_by_role("link", name="查看并答复").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_test_id("deadline")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    expect(page.get_by_role("button", name="接受邀请")).to_be_visible()
    page.get_by_label("婉拒原因（选填）").fill("家中老人住院，需要照顾")
    assert fits_width(page)
    shot(page, "modelworkers-invitation-360")
    page.get_by_role("button", name="婉拒邀请").click()

    expect(page).to_have_url(site.url("/m/model-workers/"))
    expect(page.get_by_text(f"已婉拒邀请：{name}")).to_be_visible()
    card = page.get_by_test_id("invitation").filter(has_text="千岛湖劳模疗休养基地")
    expect(card).to_contain_text("已婉拒")
    card.get_by_role("link", name="查看详情").click()
    expect(page.get_by_test_id("invitation-state")).to_have_text("已婉拒")
    expect(page.get_by_text("家中老人住院，需要照顾")).to_be_visible()
    expect(page.get_by_role("button", name="接受邀请")).to_have_count(0)
