"""The POS request signature, shared by the server (`auth.py`) and the reference client.

Deliberately free of Django so a terminal vendor can copy this file alone. The string signed is

    METHOD "\\n" PATH "\\n" TIMESTAMP "\\n" NONCE "\\n" hex(SHA-256(body))

- METHOD upper case (`POST`);
- PATH the request target as sent on the request line: the path, and when there is a query
  string, `?` and the query string exactly as sent (`/api/v1/pos/transactions?date=2026-11-27`).
  Signing the query keeps a filter or a page number from being changed in transit;
- TIMESTAMP unix seconds as decimal digits, within ±300 s of the server's clock;
- NONCE 16–100 characters of `A–Z a–z 0–9 - _`, never sent twice by one key;
- the body hash over the raw bytes sent (`e3b0c442…` for an empty body).

`X-Signature` is the lower-case hex HMAC-SHA256 of that string under the terminal's secret."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

TIMESTAMP_WINDOW_SECONDS = 300
NONCE_RE = re.compile(r"[A-Za-z0-9_-]{16,100}")

HEADER_KEY = "X-Merchant-Key"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"
SIGNED_HEADERS = (HEADER_KEY, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical(method: str, path: str, timestamp: str | int, nonce: str, body: bytes) -> bytes:
    """The exact bytes the HMAC covers."""
    lines = [method.upper(), path, str(timestamp), nonce, body_digest(body)]
    return "\n".join(lines).encode("utf-8")


def sign(secret: str, method: str, path: str, timestamp: str | int, nonce: str, body: bytes) -> str:
    message = canonical(method, path, timestamp, nonce, body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def new_nonce() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 random bits


def signed_headers(
    key_id: str,
    secret: str,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four headers for one request (a fresh nonce and the current time by default)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = nonce or new_nonce()
    return {
        HEADER_KEY: key_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: sign(secret, method, path, timestamp, nonce, body),
    }
