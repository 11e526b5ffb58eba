"""TOTP for every staff account scoped above one grassroots union and for the three
administrators: after the password they reach nothing but the 2FA page until verified."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.tests.conftest import password_login, totp_code, wrong_code
from gonghui.audit.models import AuditEntry
from gonghui.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in_with_password(username: str) -> tuple[Client, object]:
    client = Client()
    response = password_login(client, username, PASSWORD)
    return client, response


def test_county_staff_is_sent_to_the_2fa_page_after_the_password(people):
    _client, response = logged_in_with_password("carol")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/")


def test_county_staff_cannot_open_the_workspace_before_verifying(people):
    client, _ = logged_in_with_password("carol")

    response = client.get("/w/")

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/"


def test_county_staff_cannot_use_the_api_before_verifying(people):
    client, _ = logged_in_with_password("carol")

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "auth.2fa_required"


def test_enrolment_shows_a_qr_code_and_the_secret(people):
    client, _ = logged_in_with_password("carol")

    response = client.get("/accounts/2fa/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body
    device = TOTPDevice.objects.get(user=people["carol"])
    assert not device.confirmed
    assert device.config_url.startswith("otpauth://totp/")
    assert device.bin_key  # the secret the QR code carries


def test_enrolment_page_keeps_the_same_secret_between_visits(people):
    client, _ = logged_in_with_password("carol")
    first = client.get("/accounts/2fa/").context["secret"]

    second = client.get("/accounts/2fa/").context["secret"]

    assert first == second
    assert TOTPDevice.objects.filter(user=people["carol"]).count() == 1


def test_a_correct_code_confirms_the_device_and_opens_the_workspace(people):
    client, _ = logged_in_with_password("carol")
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=people["carol"])

    response = client.post("/accounts/2fa/", {"token": totp_code(device)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/w/").status_code == 200
    assert client.get("/api/v1/me").json()["username"] == "carol"
    assert AuditEntry.objects.filter(action="security.2fa.enrolled", actor=people["carol"]).exists()


def test_a_wrong_code_is_refused_and_the_device_stays_unconfirmed(people):
    client, _ = logged_in_with_password("carol")
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=people["carol"])

    response = client.post("/accounts/2fa/", {"token": wrong_code(device)})

    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/w/").status_code == 302


def test_a_returning_user_verifies_with_the_enrolled_device_and_sees_no_qr(people):
    device = TOTPDevice.objects.create(user=people["carol"], name="phone", confirmed=True)
    client, _ = logged_in_with_password("carol")

    page = client.get("/accounts/2fa/")
    assert "<svg" not in page.content.decode()
    response = client.post("/accounts/2fa/", {"token": totp_code(device)})

    assert response.status_code == 302
    assert client.get("/w/").status_code == 200
    assert TOTPDevice.objects.filter(user=people["carol"]).count() == 1


def test_a_returning_user_cannot_pass_with_a_wrong_code(people):
    device = TOTPDevice.objects.create(user=people["carol"], name="phone", confirmed=True)
    client, _ = logged_in_with_password("carol")

    client.post("/accounts/2fa/", {"token": wrong_code(device)})

    assert client.get("/w/").status_code == 302


def test_the_2fa_step_keeps_the_page_the_user_asked_for(people):
    device = TOTPDevice.objects.create(user=people["carol"], name="phone", confirmed=True)
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "carol", "password": PASSWORD, "next": "/w/orgs/?q=CA&kind=county"},
    )
    follow = client.get(response.url)
    assert follow.context["next"] == "/w/orgs/?q=CA&kind=county"

    done = client.post(
        "/accounts/2fa/", {"token": totp_code(device), "next": follow.context["next"]}
    )

    assert done.url == "/w/orgs/?q=CA&kind=county"


def test_grassroots_officer_is_not_asked_for_2fa(people):
    client, response = logged_in_with_password("alice")

    assert response.status_code == 302
    assert not response.url.startswith("/accounts/2fa/")
    assert client.get("/w/").status_code == 200


@pytest.mark.parametrize("admin", ["sysadmin", "secadmin", "auditor"])
def test_the_three_administrators_are_always_asked_for_2fa(people, admin):
    client, response = logged_in_with_password(admin)

    assert response.url.startswith("/accounts/2fa/")
    assert client.get("/w/").status_code == 302


def test_security_admin_reset_sends_the_user_back_to_enrolment(people, login_as):
    TOTPDevice.objects.create(user=people["carol"], name="phone", confirmed=True)

    login_as(people["secadmin"]).post(
        f"/w/users/{people['carol'].public_id}/", {"action": "reset_2fa"}
    )

    assert not TOTPDevice.objects.filter(user=people["carol"], confirmed=True).exists()
    client, _ = logged_in_with_password("carol")
    assert client.get("/accounts/2fa/").context["enrolling"] is True
    assert AuditEntry.objects.filter(action="security.2fa.reset").exists()


def test_an_officer_who_enrolled_a_device_must_use_it(people):
    TOTPDevice.objects.create(user=people["alice"], name="phone", confirmed=True)

    client, response = logged_in_with_password("alice")

    assert response.url.startswith("/accounts/2fa/")
    assert client.get("/w/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401
