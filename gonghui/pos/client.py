"""Reference client for the POS API: signs every request, sends an Idempotency-Key with every
write, keeps one HTTP connection open. Standard library only (with `signing.py`), so a
terminal vendor can read it as the specification in code.

    python -m gonghui.pos.client --url http://127.0.0.1:8000 --key-id K --secret S \\
        quote 3101123456789012 12800
    python -m gonghui.pos.client … confirm QUOTE_ID [--external-ref R] [--idempotency-key I]
    python -m gonghui.pos.client … refund TRANSACTION_ID AMOUNT_FEN [--idempotency-key I]
    python -m gonghui.pos.client … transactions [--date 2026-11-27] [--page 1]

`--secret` may be left out and given as POS_SECRET in the environment instead (it then stays
out of the shell history). Prints the JSON answer; exits 1 on an error answer, 2 when the
server cannot be reached.

A PosClient is not thread-safe: give each thread its own."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from gonghui.pos import signing

API_PREFIX = "/api/v1/pos"
# A server that closed an idle keep-alive connection: the request never reached the app.
RECONNECT_ERRORS = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass
class PosResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def replayed(self) -> bool:
        return self.headers.get("idempotent-replayed") == "true"


class PosError(Exception):
    """An error answer: `status` and the API's `code`, `message`, `details`."""

    def __init__(self, response: PosResponse) -> None:
        body = response.body if isinstance(response.body, dict) else {}
        self.response = response
        self.status = response.status
        self.code = str(body.get("code", f"http.{response.status}"))
        self.message = str(body.get("message", ""))
        self.details = body.get("details", {})
        super().__init__(f"{self.status} {self.code}: {self.message}")


class PosClient:
    def __init__(self, base_url: str, key_id: str, secret: str, *, timeout: float = 30) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.key_id = key_id
        self.secret = secret
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    # -- transport -------------------------------------------------------------------------

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            factory = (
                http.client.HTTPSConnection
                if self.scheme == "https"
                else http.client.HTTPConnection
            )
            self._connection = factory(self.host, self.port, timeout=self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> PosResponse:
        """One signed request. `path` is below the server root (`/api/v1/pos/quote`); the
        query string is part of what is signed."""
        target = self.prefix + path
        params = {k: v for k, v in (query or {}).items() if v is not None}
        if params:
            target += "?" + urlencode(params)
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        idempotent = method == "GET" or "Idempotency-Key" in (headers or {})
        for attempt in (1, 2):
            # A fresh nonce and timestamp per attempt: the server refuses a nonce seen before.
            sent = {
                **signing.signed_headers(self.key_id, self.secret, method, target, body),
                **(headers or {}),
                "Accept": "application/json",
            }
            if payload is not None:
                sent["Content-Type"] = "application/json"
            connection = self._connect()
            try:
                connection.request(method, target, body=body or None, headers=sent)
                answer = connection.getresponse()
                raw = answer.read()
            except RECONNECT_ERRORS:
                self.close()
                # Only a request that is safe to repeat is sent again (a GET, or a write
                # with its Idempotency-Key); a quote is left to the caller.
                if attempt == 2 or not idempotent:
                    raise
                continue
            if answer.getheader("Connection", "").lower() == "close":
                self.close()
            try:
                decoded = json.loads(raw) if raw else None
            except ValueError:
                decoded = raw.decode("utf-8", "replace")
            return PosResponse(
                status=answer.status,
                body=decoded,
                headers={k.lower(): v for k, v in answer.getheaders()},
            )
        raise AssertionError("unreachable")

    def _ok(self, response: PosResponse) -> Any:
        if response.status >= 400:
            raise PosError(response)
        return response.body

    # -- the API ---------------------------------------------------------------------------

    def quote(self, credential: str, amount_fen: int) -> dict[str, Any]:
        return self._ok(
            self.request(
                "POST",
                f"{API_PREFIX}/quote",
                {"credential": credential, "amount_fen": int(amount_fen)},
            )
        )

    def confirm_response(
        self, quote_id: str, *, external_ref: str = "", idempotency_key: str | None = None
    ) -> PosResponse:
        return self.request(
            "POST",
            f"{API_PREFIX}/transactions",
            {"quote_id": str(quote_id), "external_ref": external_ref},
            headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())},
        )

    def confirm(
        self, quote_id: str, *, external_ref: str = "", idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return self._ok(
            self.confirm_response(
                quote_id, external_ref=external_ref, idempotency_key=idempotency_key
            )
        )

    def refund(
        self, transaction_id: str, amount_fen: int, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return self._ok(
            self.request(
                "POST",
                f"{API_PREFIX}/transactions/{transaction_id}/refund",
                {"amount_fen": int(amount_fen)},
                headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())},
            )
        )

    def transactions(
        self, *, date: str | None = None, page: int = 1, page_size: int = 50
    ) -> dict[str, Any]:
        return self._ok(
            self.request(
                "GET",
                f"{API_PREFIX}/transactions",
                query={"date": date, "page": page, "page_size": page_size},
            )
        )

    def transaction(self, transaction_id: str) -> dict[str, Any]:
        return self._ok(self.request("GET", f"{API_PREFIX}/transactions/{transaction_id}"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gonghui.pos.client", description="Signed requests to the POS API."
    )
    parser.add_argument("--url", required=True, help="server root, e.g. http://127.0.0.1:8000")
    parser.add_argument("--key-id", required=True, help="the terminal's key id (X-Merchant-Key)")
    parser.add_argument("--secret", default=None, help="the terminal's secret (or POS_SECRET)")
    commands = parser.add_subparsers(dest="command", required=True)
    quote = commands.add_parser("quote", help="price a sale")
    quote.add_argument("credential", help="市民卡 number or dynamic QR code")
    quote.add_argument("amount_fen", type=int)
    confirm = commands.add_parser("confirm", help="confirm a quote as a sale")
    confirm.add_argument("quote_id")
    confirm.add_argument("--external-ref", default="")
    confirm.add_argument("--idempotency-key", default=None)
    refund = commands.add_parser("refund", help="refund part or all of a sale")
    refund.add_argument("transaction_id")
    refund.add_argument("amount_fen", type=int)
    refund.add_argument("--idempotency-key", default=None)
    listing = commands.add_parser("transactions", help="the merchant's sales")
    listing.add_argument("--date", default=None, help="YYYY-MM-DD")
    listing.add_argument("--page", type=int, default=1)
    listing.add_argument("--page-size", type=int, default=50)
    show = commands.add_parser("transaction", help="one sale")
    show.add_argument("transaction_id")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    secret = args.secret or os.environ.get("POS_SECRET", "")
    if not secret:
        print("give --secret or set POS_SECRET", file=sys.stderr)
        return 2
    client = PosClient(args.url, args.key_id, secret)
    try:
        if args.command == "quote":
            result = client.quote(args.credential, args.amount_fen)
        elif args.command == "confirm":
            result = client.confirm(
                args.quote_id,
                external_ref=args.external_ref,
                idempotency_key=args.idempotency_key,
            )
        elif args.command == "refund":
            result = client.refund(
                args.transaction_id, args.amount_fen, idempotency_key=args.idempotency_key
            )
        elif args.command == "transaction":
            result = client.transaction(args.transaction_id)
        else:
            result = client.transactions(date=args.date, page=args.page, page_size=args.page_size)
    except PosError as exc:
        print(json.dumps(exc.response.body, ensure_ascii=False, indent=2))
        return 1
    except (OSError, http.client.HTTPException) as exc:
        print(f"cannot reach {args.url}: {exc}", file=sys.stderr)
        return 2
    finally:
        client.close()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
