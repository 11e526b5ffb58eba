"""/api/v1/cards: scoped list and detail, apply and transitions, errors in one shape, and a
personal access token acting with its owner's scope."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.accounts.services import token_create
from gonghui.audit.models import AuditEntry
from gonghui.cards import services
from gonghui.cards.models import Card, CardStatus

pytestmark = pytest.mark.django_db
URL = "/api/v1/cards"
S = CardStatus


def post(client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


def test_the_list_is_scoped_and_masked(login_as, people, card_a, card_b) -> None:
    body = login_as(people["alice"]).get(URL).json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == str(card_a.public_id)
    assert item["member_no"] == card_a.member.member_no
    assert item["union"] == "UA"
    assert item["status"] == "active" and item["status_label"] == "已激活"
    assert item["citizen_card_no"] == "*" * 12 + card_a.citizen_last4
    assert card_a.citizen_card_no not in str(body)
    assert card_a.bank_card_no not in str(body)


def test_the_list_filters_and_has_no_n_plus_1(
    login_as, people, make_card, make_member, tree, django_assert_max_num_queries
) -> None:
    for status in (S.ACTIVE, S.ACTIVE, S.LOST, S.MADE, S.ACTIVE):
        make_card(make_member(tree["a"]), status)
    client = login_as(people["alice"])
    client.get(URL)
    with django_assert_max_num_queries(10):
        body = client.get(URL, {"status": "active", "page_size": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert client.get(URL, {"union": "UA"}).json()["count"] == 5
    assert_error(client.get(URL, {"union": "UB"}), 404, "not_found")
    assert_error(client.get(URL, {"status": "nope"}), 422, "request.invalid")


def test_the_detail_has_the_history(login_as, people, card_a) -> None:
    body = login_as(people["alice"]).get(f"{URL}/{card_a.public_id}").json()
    assert body["id"] == str(card_a.public_id)
    assert body["events"][0]["to_status"] == "active"
    assert body["replaced_by"] is None


def test_bob_gets_404_for_union_as_card(login_as, people, card_a) -> None:
    client = login_as(people["bob"])
    assert_error(client.get(f"{URL}/{card_a.public_id}"), 404, "not_found")
    body = {"to": "lost", "note": "x"}
    assert_error(post(client, f"{URL}/{card_a.public_id}/transition", body), 404, "not_found")
    assert_error(post(client, URL, {"member_no": card_a.member.member_no}), 404, "not_found")
    card_a.refresh_from_db()
    assert card_a.status == S.ACTIVE


def test_apply_then_refuse_a_second(login_as, people, member_a) -> None:
    client = login_as(people["alice"])
    response = post(client, URL, {"member_no": member_a.member_no.lower()})
    assert response.status_code == 201
    assert response.json()["status"] == "applied"
    body = assert_error(
        post(client, URL, {"member_no": member_a.member_no}), 409, "cards.already_has_card"
    )
    assert body["details"] == {"member_no": member_a.member_no}


def test_transitions_through_the_api(login_as, people, member_a, make_card) -> None:
    client = login_as(people["alice"])
    card = make_card(member_a, S.MADE)
    url = f"{URL}/{card.public_id}/transition"

    assert post(client, url, {"to": "active"}).json()["status"] == "active"
    assert_error(post(client, url, {"to": "lost"}), 400, "cards.reason_required")
    assert post(client, url, {"to": "lost", "note": "丢失"}).json()["status"] == "lost"
    assert post(client, url, {"to": "active"}).json()["status"] == "active"  # 解除挂失
    body = assert_error(post(client, url, {"to": "replaced"}), 400, "cards.transition_invalid")
    assert body["details"] == {"from": "active", "to": "replaced"}
    post(client, url, {"to": "lost", "note": "又丢了"})
    new = post(client, url, {"to": "replaced"}).json()
    assert new["status"] == "applied" and new["replaces"] == str(card.public_id)
    assert_error(post(client, url, {"to": "made"}), 422, "request.invalid")
    assert AuditEntry.objects.filter(object_id=str(card.public_id)).count() == 5


def test_a_token_acts_with_its_owners_scope(people, card_a, card_b) -> None:
    _token, secret = token_create(by=people["alice"], name="ci")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(URL).json()["count"] == 1
    response = post(client, f"{URL}/{card_a.public_id}/transition", {"to": "lost", "note": "丢失"})
    assert response.status_code == 200
    assert_error(
        post(client, f"{URL}/{card_b.public_id}/transition", {"to": "lost", "note": "x"}),
        404,
        "not_found",
    )


def test_anonymous_is_refused(client, card_a) -> None:
    assert_error(client.get(URL), 401, "auth.required")


def test_batches_list(login_as, people, tree, member_a, member_b) -> None:
    services.batch_create(by=people["alice"], union=tree["a"], members=[member_a])
    services.batch_create(by=people["bob"], union=tree["b"], members=[member_b])
    items = login_as(people["alice"]).get(f"{URL}/batches").json()["items"]
    assert [(i["union"], i["cards"], i["status"]) for i in items] == [("UA", 1, "open")]
    assert Card.objects.count() == 2
