"""`Idempotency-Key` for the POS writes (confirm, refund).

- The key is required (1–100 printable ASCII characters), scoped to the merchant.
- The request is fingerprinted as SHA-256 over method, signed path (with the query string) and
  the raw body; the same key with another fingerprint is refused with 409
  `pos.idempotency_key_reused`.
- The key is claimed first, by inserting its record inside the transaction that does the
  write, and the answer (status and JSON body) is stored in that row before the commit. A
  concurrent duplicate's insert waits on the unique (merchant, key) index until the first
  commits, then fails and replays the stored answer instead of doing the work again; if the
  first rolls back, nothing was stored and the duplicate is the first.
- Domain errors (4xx with a code: quote expired, cap exceeded, refund over what was paid…) are
  answers too and are stored, as Stripe does: a retry gets the same refusal. Anything that does
  not reach the service (a bad signature, an invalid payload) and unexpected 500s store
  nothing, so the retry is tried afresh.
- A replay carries `Idempotent-Replayed: true`. Records are kept at least 24 h
  (`manage.py pos_purge`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import sql
from gonghui.core.api import error_body
from gonghui.core.errors import DomainError
from gonghui.pos.auth import signed_path
from gonghui.pos.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 100


def request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update((request.method or "").encode() + b"\n")
    digest.update(signed_path(request).encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def json_response(status: int, body: Any, *, replayed: bool = False) -> HttpResponse:
    """The first answer and every replay are rendered by this one function: same bytes (keys
    sorted, since PostgreSQL's jsonb gives them back in its own order)."""
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    if replayed:
        response[REPLAYED_HEADER] = "true"
    return response


def _key_of(request: HttpRequest) -> str:
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise DomainError(
            "pos.idempotency_key_required",
            _("请在请求头 Idempotency-Key 中提供本次操作的唯一编号（1–100 个字符），重试时沿用"),
        )
    return key


def _replay(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.request_hash != fingerprint:
        return json_response(
            409,
            error_body(
                "pos.idempotency_key_reused",
                _("该 Idempotency-Key 已用于另一笔不同内容的请求，请换用新的编号"),
            ),
        )
    return json_response(record.status_code, record.response, replayed=True)


def idempotent(
    request: HttpRequest, merchant: Any, produce: Callable[[], tuple[int, Any]]
) -> HttpResponse:
    """Run `produce` (returning status and a JSON-ready body) at most once per key."""
    key = _key_of(request)
    fingerprint = request_hash(request)
    try:
        with transaction.atomic():
            record_id = _claim(merchant.pk, key, fingerprint)
            if record_id is None:
                raise _AlreadyClaimed
            try:
                status, body = produce()
            except DomainError as exc:
                status, body = exc.status, error_body(exc.code, exc.message, exc.details)
            body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            sql.execute(
                "UPDATE pos_idempotencyrecord SET status_code = %s, response = %s WHERE id = %s",
                [status, sql.prep(IdempotencyRecord, "response", body), record_id],
            )
    except _AlreadyClaimed:
        stored = IdempotencyRecord.objects.get(merchant=merchant, key=key)
        return _replay(stored, fingerprint)
    return json_response(status, body)


def _claim(merchant_id: int, key: str, fingerprint: str) -> int | None:
    """Insert the key's record, answered later in the same transaction; None when the key is
    taken. A concurrent duplicate's insert waits on the unique (merchant, key) index until the
    first commits (then inserts nothing) or rolls back (then it is the first)."""
    row = sql.first(
        'INSERT INTO pos_idempotencyrecord (merchant_id, "key", request_hash, status_code, '
        "response, created_at) VALUES (%s, %s, %s, 0, %s, %s) "
        'ON CONFLICT (merchant_id, "key") DO NOTHING RETURNING id',
        [
            merchant_id,
            key,
            fingerprint,
            sql.prep(IdempotencyRecord, "response", {}),
            sql.prep(IdempotencyRecord, "created_at", timezone.now()),
        ],
    )
    return int(row[0]) if row else None


class _AlreadyClaimed(Exception):
    pass
