"""A staff session ends after STAFF_IDLE_TIMEOUT_SECONDS without a request."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from gonghui.accounts.middleware import LAST_SEEN_KEY
from gonghui.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def last_seen_ago(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_the_limit_is_fifteen_minutes_by_default():
    assert settings.STAFF_IDLE_TIMEOUT_SECONDS == 15 * 60


def test_a_request_within_the_limit_keeps_the_session(people, login_as):
    client = login_as(people["carol"])
    last_seen_ago(client, settings.STAFF_IDLE_TIMEOUT_SECONDS - 30)

    assert client.get("/w/").status_code == 200
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5


def test_an_idle_staff_session_is_logged_out_and_sent_to_login(people, login_as):
    client = login_as(people["carol"])
    last_seen_ago(client, settings.STAFF_IDLE_TIMEOUT_SECONDS + 1)

    response = client.get("/w/orgs/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?")
    assert "idle=1" in response.url
    assert "next=%2Fw%2Forgs%2F" in response.url
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.logout", actor=people["carol"]).exists()


def test_the_login_page_says_why_after_an_idle_logout(people, login_as):
    client = login_as(people["carol"])
    last_seen_ago(client, settings.STAFF_IDLE_TIMEOUT_SECONDS + 1)

    response = client.get("/w/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "您已超过15分钟未操作" in response.content.decode()


def test_an_idle_session_gets_401_session_expired_from_the_api(people, login_as):
    client = login_as(people["carol"])
    last_seen_ago(client, settings.STAFF_IDLE_TIMEOUT_SECONDS + 1)

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "auth.session_expired"
    assert client.get("/api/v1/me").json()["code"] == "auth.required"


def test_a_shorter_configured_limit_is_honoured(people, login_as, settings):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 60
    client = login_as(people["alice"])
    last_seen_ago(client, 61)

    assert client.get("/w/").status_code == 302


def test_member_sessions_are_not_ended_by_the_staff_idle_limit(people, login_as):
    client = login_as(people["member"])
    last_seen_ago(client, settings.STAFF_IDLE_TIMEOUT_SECONDS + 1)

    response = client.get("/m/")

    assert response.status_code == 200
    assert "_auth_user_id" in client.session
