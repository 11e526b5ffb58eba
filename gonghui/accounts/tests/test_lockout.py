"""Five failed logins lock the account, and separately the source address, for 15 minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt

from gonghui.accounts.tests.conftest import password_login
from gonghui.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED_TEXT = "账号已锁定"


def fail(client, username, times):
    return [password_login(client, username, "not-the-password") for _ in range(times)]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def age_failures(by: timedelta) -> None:
    """Move every recorded failure into the past (axes counts the cool-off from attempt_time)."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= by
        attempt.save(update_fields=["attempt_time"])


def test_four_failures_still_show_the_login_form(people, client_from):
    client = client_from("10.0.0.1")
    responses = fail(client, "alice", 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert "用户名或密码不正确" in responses[-1].content.decode()
    assert password_login(client, "alice", PASSWORD).status_code == 302


def test_five_failures_lock_the_account_even_for_the_right_password(people, client_from):
    client = client_from("10.0.0.1")
    fail(client, "alice", 5)

    response = password_login(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert not logged_in(client)


def test_account_lock_follows_the_username_to_another_address(people, client_from):
    fail(client_from("10.0.0.1"), "alice", 5)

    other = client_from("10.0.0.2")
    response = password_login(other, "alice", PASSWORD)

    assert response.status_code == 429
    assert not logged_in(other)


def test_lock_still_holds_after_fourteen_minutes(people, client_from):
    client = client_from("10.0.0.1")
    fail(client, "alice", 5)
    age_failures(timedelta(minutes=14))

    assert password_login(client, "alice", PASSWORD).status_code == 429


def test_lock_ends_after_fifteen_minutes(people, client_from):
    client = client_from("10.0.0.1")
    fail(client, "alice", 5)
    age_failures(timedelta(minutes=15, seconds=5))

    response = password_login(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_five_failures_from_one_address_lock_that_address_for_every_username(people, client_from):
    attacker = client_from("10.0.0.9")
    for username in ("alice", "bob", "carol", "nobody1", "nobody2"):
        fail(attacker, username, 1)

    response = password_login(attacker, "alice", PASSWORD)

    assert response.status_code == 429
    assert not logged_in(attacker)


def test_an_address_lock_does_not_lock_the_accounts_elsewhere(people, client_from):
    attacker = client_from("10.0.0.9")
    for username in ("alice", "bob", "carol", "nobody1", "nobody2"):
        fail(attacker, username, 1)

    elsewhere = client_from("10.0.0.10")
    response = password_login(elsewhere, "alice", PASSWORD)

    assert response.status_code == 302
    assert logged_in(elsewhere)


def test_security_admin_unlocks_a_locked_account(people, client_from, login_as):
    fail(client_from("10.0.0.1"), "alice", 5)
    secadmin = login_as(people["secadmin"])

    response = secadmin.post(
        f"/w/users/{people['alice'].public_id}/", {"action": "unlock"}, REMOTE_ADDR="10.0.0.3"
    )

    assert response.status_code == 302
    assert password_login(client_from("10.0.0.2"), "alice", PASSWORD).status_code == 302
