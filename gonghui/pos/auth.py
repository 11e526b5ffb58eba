"""HMAC-signed requests from merchants' POS terminals (the scheme is in `signing.py`).

Checks run cheapest first and write nothing until the signature is good: headers present →
nonce well formed → timestamp within ±300 s → key known and not revoked (read in one query
with its merchant and today's contract) → signature → nonce never seen (a unique row per key
and nonce, so even two copies racing are told apart) → the merchant may trade today. Every
refusal is a 401 with a stable code, except a merchant that may not trade (suspended,
expired), which is a 403 with the merchant's own code."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader

from gonghui.core import sql
from gonghui.core.errors import DomainError
from gonghui.merchants import selectors as merchant_selectors
from gonghui.pos import signing
from gonghui.pos.models import Nonce

LAST_USED_RESOLUTION = timedelta(minutes=1)


class Unauthenticated(DomainError):
    status = 401


@dataclass(frozen=True)
class PosCaller:
    """What a verified request acts as: `request.auth`, also set as `request.terminal`,
    `request.merchant` and `request.contract`."""

    terminal: Any
    merchant: Any
    contract: Any


def signed_path(request: HttpRequest) -> str:
    """The request target the client signed: the path and, when present, `?` and the raw
    query string as sent."""
    query = request.META.get("QUERY_STRING", "")
    path = request.path
    return f"{path}?{query}" if query else path


class PosSignatureAuth(APIKeyHeader):
    """The POS router's `auth=`: the four `X-…` headers described in the README (section POS
    API). OpenAPI shows it as an API key in `X-Signature`; the other three headers travel with
    it."""

    param_name = signing.HEADER_SIGNATURE

    def __call__(self, request: HttpRequest) -> PosCaller:
        return self.authenticate(request, None)

    def authenticate(self, request: HttpRequest, key: str | None) -> PosCaller:
        headers = request.headers
        values = {name: headers.get(name, "").strip() for name in signing.SIGNED_HEADERS}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise Unauthenticated(
                "pos.signature_missing",
                _("请求缺少签名信息：%(headers)s") % {"headers": ", ".join(missing)},
                {"missing": missing},
            )
        key_id = values[signing.HEADER_KEY]
        stamp = values[signing.HEADER_TIMESTAMP]
        nonce = values[signing.HEADER_NONCE]
        signature = values[signing.HEADER_SIGNATURE]
        if not signing.NONCE_RE.fullmatch(nonce):
            raise Unauthenticated(
                "pos.nonce_invalid",
                _("X-Nonce 须为 16–100 位字母、数字、“-”或“_”，且每次请求不同"),
            )
        if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
            raise Unauthenticated("pos.timestamp_stale", _("X-Timestamp 须为 Unix 秒数"))
        skew = int(stamp) - int(time.time())
        if abs(skew) > signing.TIMESTAMP_WINDOW_SECONDS:
            raise Unauthenticated(
                "pos.timestamp_stale",
                _("请求时间与服务器相差超过 5 分钟，请校准终端时钟后重试"),
                {"skew_seconds": skew},
            )
        till = merchant_selectors.till_for_key(key_id, timezone.localdate())
        if till is None:
            raise Unauthenticated("pos.key_unknown", _("终端密钥不存在或已吊销"))
        terminal = till.terminal
        expected = signing.sign(
            terminal.secret, request.method or "", signed_path(request), stamp, nonce, request.body
        )
        given = signature.lower().encode("ascii", "replace")
        if not hmac.compare_digest(expected.encode("ascii"), given):
            raise Unauthenticated(
                "pos.signature_invalid",
                _("签名不正确：请核对密钥和签名串（方法、路径、时间戳、随机串、请求体哈希）"),
            )
        _record_nonce(key_id, nonce)
        # Suspended, expired or not active: DomainError with status 403 and the merchant's code.
        contract = till.trade_contract()
        _touch(terminal)
        caller = PosCaller(terminal=terminal, merchant=till.merchant, contract=contract)
        request.terminal = terminal  # type: ignore[attr-defined]
        request.merchant = till.merchant  # type: ignore[attr-defined]
        request.contract = contract  # type: ignore[attr-defined]
        return caller


def _record_nonce(key_id: str, nonce: str) -> None:
    """The unique (key_id, nonce) constraint refuses a replay, even two copies at once: the
    second insert waits for the first to commit, then inserts nothing. Outside a transaction
    (a request) it commits on its own: one round trip."""
    inserted = sql.execute(
        "INSERT INTO pos_nonce (key_id, nonce, seen_at) VALUES (%s, %s, %s) "
        "ON CONFLICT (key_id, nonce) DO NOTHING",
        [key_id, nonce, sql.prep(Nonce, "seen_at", timezone.now())],
    )
    if inserted != 1:
        raise Unauthenticated(
            "pos.nonce_replayed", _("该请求已处理过（X-Nonce 重复），请用新的随机串重新签名")
        )


def _touch(terminal: Any) -> None:
    now = timezone.now()
    if terminal.last_used_at is None or now - terminal.last_used_at > LAST_USED_RESOLUTION:
        type(terminal).objects.filter(pk=terminal.pk).update(last_used_at=now)
