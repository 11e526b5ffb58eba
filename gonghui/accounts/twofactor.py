"""Who must use TOTP, and the device helpers the login and enrolment pages use."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.permissions import ADMIN_ROLES
from gonghui.accounts.scoping import grants_of
from gonghui.orgs.rules import STAFF_LEVEL_KINDS

# Set at password login for anyone who must pass the TOTP step (required by scope, or because
# they enrolled a device of their own accord); cleared when they pass it.
PENDING_SESSION_KEY = "gonghui_2fa_pending"


def two_factor_required(user: Any) -> bool:
    """Staff whose scope is above one grassroots union, and the three administrators."""
    if user.is_superuser:
        return True
    return any(
        g.union_kind in STAFF_LEVEL_KINDS or g.role_code in ADMIN_ROLES for g in grants_of(user)
    )


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: Any) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="default", confirmed=False)


def provisioning_qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()
