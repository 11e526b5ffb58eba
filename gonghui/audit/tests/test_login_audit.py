"""Every login, logout and failed login is in the audit log, with the address it came from."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.audit.models import AuditEntry
from gonghui.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_failed_login_is_logged_with_the_username_tried_and_the_address(people):
    login(Client(REMOTE_ADDR="192.0.2.7"), "alice", "wrong-password")

    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.ip == "192.0.2.7"
    assert entry.object_repr == "alice"
    assert entry.changes == {"username": "alice"}
    assert entry.actor_id is None
    assert "wrong-password" not in str(entry.changes) + entry.object_repr


def test_a_failed_login_for_an_unknown_username_is_logged_too(db):
    login(Client(REMOTE_ADDR="192.0.2.8"), "nobody-here", "whatever")

    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert (entry.object_repr, entry.ip) == ("nobody-here", "192.0.2.8")


def test_a_login_is_logged_with_the_user_and_the_address(people):
    login(Client(REMOTE_ADDR="192.0.2.9"), "alice", PASSWORD)

    entry = AuditEntry.objects.get(action="auth.login")
    assert entry.actor_id == people["alice"].pk
    assert entry.actor_label == "alice"
    assert entry.ip == "192.0.2.9"
    assert entry.source == "web"


def test_a_logout_is_logged_with_the_user_and_the_address(people):
    client = Client(REMOTE_ADDR="192.0.2.10")
    login(client, "alice", PASSWORD)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="auth.logout")
    assert (entry.actor_id, entry.ip) == (people["alice"].pk, "192.0.2.10")


def test_an_attempt_refused_by_the_lockout_is_logged_as_a_failure(people):
    client = Client(REMOTE_ADDR="192.0.2.11")
    for _ in range(5):
        login(client, "alice", "wrong-password")

    login(client, "alice", PASSWORD)

    assert AuditEntry.objects.filter(action="auth.login_failed", ip="192.0.2.11").count() == 6
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_logout_only_answers_post(people):
    client = Client()
    login(client, "alice", PASSWORD)

    assert client.get("/accounts/logout/").status_code == 405
    assert not AuditEntry.objects.filter(action="auth.logout").exists()
