"""Passwords: at least 10 characters, three of upper/lower/digit/symbol, not like the username,
hashed with Argon2; a refusal says in plain Chinese what to change."""

from __future__ import annotations

import importlib

import pytest

from gonghui.accounts import services
from gonghui.accounts.models import User
from gonghui.core.errors import DomainError

pytestmark = pytest.mark.django_db


def refusal(password: str, username: str = "wangfang") -> DomainError:
    with pytest.raises(DomainError) as caught:
        services.user_create(by=None, username=username, password=password)
    assert caught.value.code == "account.password_weak"
    assert not User.objects.filter(username=username).exists()
    return caught.value


def test_a_password_shorter_than_ten_characters_is_refused():
    error = refusal("Ab1!Ab1!x")

    assert "密码太短，至少须有 10 位" in error.message


def test_a_password_with_only_one_character_class_is_refused():
    error = refusal("onlylowercaseletters")

    assert "至少三类" in error.message


def test_a_password_with_two_character_classes_is_refused():
    error = refusal("lowercase123456")

    assert "至少三类" in error.message


def test_a_password_like_the_username_is_refused():
    error = refusal("Wangfang2026!", username="wangfang2026")

    assert "密码与用户名太相似" in error.message


def test_a_common_password_is_refused():
    error = refusal("Password123")

    assert "太常见" in error.message


def test_every_reason_is_listed_in_the_details():
    error = refusal("short")

    assert len(error.details["reasons"]) >= 2
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in error.details["reasons"])


def test_a_strong_password_is_accepted():
    user = services.user_create(by=None, username="wangfang", password="Qing-Shan-42x")

    assert user.check_password("Qing-Shan-42x")


def test_changing_ones_own_password_follows_the_same_rules(people, login_as):
    client = login_as(people["alice"])

    response = client.post("/w/profile/", {"password": "abc12345"})

    assert response.status_code == 200
    assert "密码太短" in response.content.decode()
    people["alice"].refresh_from_db()
    assert not people["alice"].check_password("abc12345")


def test_argon2_is_the_first_hasher_in_the_real_settings():
    # The test conftest swaps in MD5 for speed, so read the settings module itself.
    real = importlib.import_module("gonghui.settings")

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_real_settings_require_ten_characters():
    real = importlib.import_module("gonghui.settings")
    lengths = [
        v.get("OPTIONS", {}).get("min_length")
        for v in real.AUTH_PASSWORD_VALIDATORS
        if v["NAME"].endswith("MinimumLengthValidator")
    ]

    assert lengths == [10]
