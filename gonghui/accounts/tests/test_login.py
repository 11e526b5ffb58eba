"""The password step: where it sends each kind of account, and never off the site."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.accounts.tests.conftest import password_login
from gonghui.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_login_page_is_in_chinese(db):
    body = Client().get("/accounts/login/").content.decode()

    assert "用户名" in body
    assert "密码" in body


def test_a_wrong_password_says_so_without_telling_which_part_was_wrong(people):
    response = password_login(Client(), "alice", "wrong-password")
    unknown = password_login(Client(REMOTE_ADDR="10.0.0.2"), "nobody", "wrong-password")

    assert "用户名或密码不正确" in response.content.decode()
    assert "用户名或密码不正确" in unknown.content.decode()


def test_staff_land_on_the_workspace(people):
    client = Client()
    response = password_login(client, "alice", PASSWORD)

    assert response.url == "/"
    assert client.get("/").url == "/w/"


def test_members_land_on_the_portal(people):
    client = Client()
    password_login(client, "member", PASSWORD)

    assert client.get("/").url == "/m/"


def test_login_goes_back_to_the_page_asked_for(people):
    response = Client().post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "/w/orgs/UA/"}
    )

    assert response.url == "/w/orgs/UA/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_login_never_redirects_off_the_site(people, target):
    response = Client().post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": target}
    )

    assert response.url == "/"


def test_a_deactivated_account_cannot_log_in(people):
    alice = people["alice"]
    alice.is_active = False
    alice.save()

    client = Client()
    response = password_login(client, "alice", PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
