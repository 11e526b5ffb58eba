"""GET /api/v1/pos/transactions: the merchant's reconciliation list, by local day, paginated,
in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.pos.models import Transaction
from gonghui.pos.tests.conftest import assert_error, make_card, make_member

pytestmark = pytest.mark.django_db

LIST = "/api/v1/pos/transactions"


def test_the_list_is_newest_first_and_paginated(terminal_a, card):
    ids = [terminal_a.sale(card, 1000 + i)["id"] for i in range(3)]

    body = terminal_a.request("GET", f"{LIST}?page=1&page_size=2").json()

    assert (body["count"], body["page"], body["page_size"]) == (3, 1, 2)
    assert [row["id"] for row in body["items"]] == ids[::-1][:2]
    page2 = terminal_a.request("GET", f"{LIST}?page=2&page_size=2").json()
    assert [row["id"] for row in page2["items"]] == ids[:1]


def test_the_list_filters_by_local_day(terminal_a, card):
    old, new = terminal_a.sale(card, 1000), terminal_a.sale(card, 2000)
    yesterday = timezone.localdate() - timedelta(days=1)
    Transaction.objects.filter(public_id=old["id"]).update(local_date=yesterday)

    body = terminal_a.request("GET", f"{LIST}?date={yesterday.isoformat()}").json()

    assert [row["id"] for row in body["items"]] == [old["id"]]
    today = terminal_a.request("GET", f"{LIST}?date={timezone.localdate().isoformat()}").json()
    assert [row["id"] for row in today["items"]] == [new["id"]]


def test_a_bad_date_is_refused(terminal_a):
    assert_error(terminal_a.request("GET", f"{LIST}?date=yesterday"), 422, "request.invalid")


def test_page_size_is_at_most_200(terminal_a):
    assert_error(terminal_a.request("GET", f"{LIST}?page_size=201"), 422, "request.invalid")


def test_the_list_takes_a_fixed_number_of_queries(terminal_a, tree, django_assert_max_num_queries):
    for i in range(6):
        terminal_a.sale(make_card(make_member(tree["a"], f"王{'一二三四五六'[i]}明")), 1000)

    # key, nonce (in a savepoint here: the test runs in a transaction), contract, page, count;
    # last_used_at is written at most once a minute
    with django_assert_max_num_queries(7):
        body = terminal_a.request("GET", f"{LIST}?page_size=50").json()

    assert body["count"] == 6
    assert {row["member"] for row in body["items"]} == {"王*明"}
