"""The staff pages (list, detail, transitions, reveal, export) and the member's portal pages
(card, 挂失, apply, the QR page and its codes)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gonghui.audit.models import AuditEntry
from gonghui.cards import rules
from gonghui.cards.models import Card, CardStatus
from gonghui.members.tests.conftest import read_xlsx_bytes

pytestmark = pytest.mark.django_db
S = CardStatus
LIST = "/w/cards/"


def test_the_url_names_exist() -> None:
    assert reverse("cards:list") == LIST
    assert reverse("cards:batches") == "/w/cards/batches/"
    assert reverse("card:home") == "/m/card/"
    assert reverse("card:qr") == "/m/card/qr/"
    assert reverse("card:qr_codes") == "/m/card/qr/codes/"


# -- staff list ------------------------------------------------------------------------------


def test_the_list_shows_masked_cards_in_scope(login_as, people, card_a, card_b) -> None:
    html = login_as(people["alice"]).get(LIST).content.decode()
    assert card_a.member.name in html
    assert f"****{card_a.citizen_last4}" in html
    assert card_a.citizen_card_no not in html
    assert card_a.bank_card_no not in html
    assert card_b.member.name not in html


def test_the_list_finds_a_card_by_its_number_or_the_member(
    login_as, people, card_a, make_card, make_member, tree
):
    other = make_card(make_member(tree["a"], name="王五"), S.ACTIVE)
    client = login_as(people["alice"])
    html = client.get(LIST, {"q": card_a.citizen_card_no}).content.decode()
    assert card_a.member.member_no in html and other.member.member_no not in html
    html = client.get(LIST, {"q": "王五"}).content.decode()
    assert other.member.member_no in html and card_a.member.member_no not in html
    html = client.get(LIST, {"status": "lost"}).content.decode()
    assert "没有找到会员卡" in html


def test_the_list_stays_cheap(
    login_as, people, make_card, make_member, tree, django_assert_max_num_queries
):
    for _ in range(12):
        make_card(make_member(tree["a"]), S.ACTIVE)
    client = login_as(people["alice"])
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.content.decode().count("/w/cards/") >= 12


def test_the_batch_list_stays_cheap(
    login_as, people, make_member, tree, django_assert_max_num_queries
):
    from gonghui.cards import services

    for _ in range(5):
        services.batch_create(by=people["alice"], union=tree["a"], members=[make_member(tree["a"])])
    client = login_as(people["alice"])
    client.get("/w/cards/batches/")
    with django_assert_max_num_queries(12):
        response = client.get("/w/cards/batches/")
    assert response.content.decode().count("ZK") >= 5


def test_the_list_is_for_staff_with_cards_view(login_as, people, tree) -> None:
    assert login_as(people["auditor"]).get(LIST).status_code == 403
    assert login_as(people["member"]).get(LIST).status_code == 403


def test_the_export_is_masked_scoped_and_audited(login_as, people, card_a, card_b, tmp_path):
    response = login_as(people["alice"]).get(LIST + "export.xlsx")
    rows = read_xlsx_bytes(response.getvalue(), tmp_path)
    assert rows[0][0] == "会员号"
    assert [r[0] for r in rows[1:]] == [card_a.member.member_no]
    assert rows[1][4].endswith(card_a.citizen_last4) and card_a.citizen_card_no not in rows[1][4]
    assert AuditEntry.objects.filter(action="cards.cards.exported").count() == 1


# -- staff detail ----------------------------------------------------------------------------


def test_the_detail_page_offers_the_moves_of_the_state(login_as, people, card_a) -> None:
    html = login_as(people["alice"]).get(f"{LIST}{card_a.public_id}/").content.decode()
    assert f"/{card_a.public_id}/lost/" in html
    assert f"/{card_a.public_id}/cancel/" in html
    assert f"/{card_a.public_id}/activate/" not in html
    assert f"/{card_a.public_id}/replace/" not in html
    assert card_a.citizen_card_no not in html
    assert f"{card_a.public_id}/reveal/citizen_card_no/" in html


def test_the_leader_sees_but_cannot_act(people, tree, card_a, login_as) -> None:
    from gonghui.conftest import make_user

    leader = make_user("leader", assignments=[(tree["a"], "leader", None)])
    client = login_as(leader)
    html = client.get(f"{LIST}{card_a.public_id}/").content.decode()
    assert card_a.member.name in html and "/lost/" not in html and "/reveal/" not in html
    response = client.post(f"{LIST}{card_a.public_id}/lost/", {"reason": "x"})
    assert response.status_code == 403
    card_a.refresh_from_db()
    assert card_a.status == S.ACTIVE


def test_reporting_lost_through_the_page(login_as, people, card_a) -> None:
    client = login_as(people["alice"])
    response = client.post(f"{LIST}{card_a.public_id}/lost/", {"reason": ""})
    card_a.refresh_from_db()
    assert card_a.status == S.ACTIVE  # a reason is required
    assert "请填写挂失的原因" in client.get(response["Location"]).content.decode()

    client.post(f"{LIST}{card_a.public_id}/lost/", {"reason": "会员来电挂失"})
    card_a.refresh_from_db()
    assert card_a.status == S.LOST
    response = client.post(f"{LIST}{card_a.public_id}/replace/", {"reason": ""})
    new = Card.objects.get(replaces=card_a)
    assert response["Location"] == f"{LIST}{new.public_id}/"
    html = client.get(f"{LIST}{card_a.public_id}/").content.decode()
    assert "已补卡作废" in html and "会员来电挂失" in html


def test_the_reveal_shows_the_number_and_is_audited(login_as, people, card_a) -> None:
    response = login_as(people["alice"]).post(f"{LIST}{card_a.public_id}/reveal/bank_card_no/")
    assert card_a.bank_card_no in response.content.decode()
    assert AuditEntry.objects.filter(action="cards.card.revealed").count() == 1


def test_bob_gets_404_everywhere_on_union_as_card(login_as, people, card_a) -> None:
    client = login_as(people["bob"])
    base = f"{LIST}{card_a.public_id}/"
    assert client.get(base).status_code == 404
    assert client.post(base + "lost/", {"reason": "x"}).status_code == 404
    assert client.post(base + "reveal/citizen_card_no/").status_code == 404
    assert client.post(LIST + "apply/", {"member_no": card_a.member.member_no}).status_code == 404
    card_a.refresh_from_db()
    assert card_a.status == S.ACTIVE
    assert not AuditEntry.objects.filter(action__startswith="cards.").exists()


def test_staff_apply_for_a_member(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).post(LIST + "apply/", {"member_no": member_a.member_no})
    card = Card.objects.get(member=member_a)
    assert response["Location"] == f"{LIST}{card.public_id}/"


# -- the member portal --------------------------------------------------------------------


def test_the_portal_shows_the_members_card_masked(login_as, people, portal_member, make_card):
    card = make_card(portal_member, S.ACTIVE)
    html = login_as(people["member"]).get("/m/card/").content.decode()
    assert f"**** **** **** {card.citizen_last4}" in html
    assert card.citizen_card_no not in html
    assert "已激活" in html
    assert "/m/card/lost/" in html
    assert "/m/card/qr/" in html


def test_a_member_without_a_card_may_apply(login_as, people, portal_member) -> None:
    client = login_as(people["member"])
    assert "申领会员卡" in client.get("/m/card/").content.decode()
    client.post("/m/card/apply/")
    card = Card.objects.get(member=portal_member)
    assert card.status == S.APPLIED
    html = client.get("/m/card/").content.decode()
    assert "已申领" in html and "申领会员卡</button>" not in html


def test_reporting_lost_on_the_portal_needs_confirmation(
    login_as, people, portal_member, make_card
):
    card = make_card(portal_member, S.ACTIVE)
    client = login_as(people["member"])
    assert "确认挂失" in client.get("/m/card/lost/").content.decode()
    response = client.post("/m/card/lost/", {"reason": "卡片丢失"})
    assert response.status_code == 200 and "请勾选确认" in response.content.decode()
    card.refresh_from_db()
    assert card.status == S.ACTIVE
    client.post("/m/card/lost/", {"reason": "卡片丢失", "confirm": "on"})
    card.refresh_from_db()
    assert card.status == S.LOST
    assert AuditEntry.objects.get(action="cards.card.lost").actor_label == "member"


def test_an_unlinked_account_is_told_what_to_do(login_as, people) -> None:
    html = login_as(people["member"]).get("/m/card/").content.decode()
    assert "还没有关联会员信息" in html


def test_staff_on_the_portal_go_to_their_workspace(login_as, people) -> None:
    assert login_as(people["alice"]).get("/m/card/").status_code == 302


def test_the_qr_page_renders_the_current_code(login_as, people, portal_member) -> None:
    response = login_as(people["member"]).get("/m/card/qr/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="qr-code-text"' in html
    assert "data:image/svg+xml" in html
    assert "js/cards.js" in html
    assert "<script>" not in html  # the CSP allows no inline script
    assert "no-store" in response["Cache-Control"]


def test_the_codes_endpoint_gives_41_steps_and_no_store(login_as, people, portal_member) -> None:
    response = login_as(people["member"]).get("/m/card/qr/codes/")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["step_seconds"] == 30
    steps = [c["step"] for c in data["codes"]]
    assert len(steps) == 41 and steps == list(range(steps[0], steps[0] + 41))
    assert steps[0] == data["now"] // 30000
    first = data["codes"][0]
    assert rules.parse_qr(first["code"]) is not None
    assert first["svg"].startswith("data:image/svg+xml")


def test_the_codes_are_for_members_only(login_as, people, client) -> None:
    assert client.get("/m/card/qr/codes/").status_code == 302  # to the login page
    assert login_as(people["alice"]).get("/m/card/qr/codes/").status_code == 302
