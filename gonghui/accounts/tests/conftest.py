"""Helpers for the accounts tests: a password login through the real form, and TOTP codes
computed from a device's key the way an authenticator app would."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows right now for this device."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(value).zfill(device.digits)


def wrong_code(device: TOTPDevice) -> str:
    """A code that is certainly not valid now (nor in the windows either side of now)."""
    valid = {
        str(totp(device.bin_key, device.step, device.t0, device.digits, drift)).zfill(device.digits)
        for drift in range(-2, 3)
    }
    return next(c for c in (f"{n:06d}" for n in range(1000000)) if c not in valid)


def password_login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.fixture
def client_from() -> Any:
    """A fresh client whose requests come from the given address."""

    def make(ip: str) -> Client:
        return Client(REMOTE_ADDR=ip)

    return make
