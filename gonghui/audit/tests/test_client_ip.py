"""The address an entry records is the client's: behind PROXY_COUNT trusted proxies it is read
from X-Forwarded-For, and it is stored in the same form it was hashed in."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from gonghui.audit.context import client_ip
from gonghui.audit.models import AuditEntry
from gonghui.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_address_is_the_peer(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0

    assert client_ip(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


def test_behind_one_proxy_the_address_is_the_one_the_proxy_saw(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1

    request = request_from("10.0.0.1", "198.51.100.99, 203.0.113.5")

    assert client_ip(request) == "203.0.113.5"


def test_behind_two_proxies_the_address_is_second_from_the_right(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 2

    request = request_from("10.0.0.2", "198.51.100.99, 203.0.113.5, 10.0.0.1")

    assert client_ip(request) == "203.0.113.5"


def test_a_request_that_bypassed_the_proxy_falls_back_to_the_peer(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1

    assert client_ip(request_from("192.0.2.1")) == "192.0.2.1"


def test_a_forged_non_address_is_not_recorded(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1

    assert client_ip(request_from("10.0.0.1", "<script>")) is None


def test_a_failed_login_behind_a_proxy_records_the_client(people, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")

    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert AuditEntry.objects.get(action="auth.login_failed").ip == "203.0.113.5"


def test_an_ipv6_address_is_stored_as_it_was_hashed(people):
    client = Client(REMOTE_ADDR="2001:0db8:0000:0000:0000:0000:0000:0001")

    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert AuditEntry.objects.get(action="auth.login_failed").ip == "2001:db8::1"
    assert verify_chain().ok
