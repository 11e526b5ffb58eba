"""Two member service merchants (shop A in county A, shop B in county B), each with a terminal
key, and members with active 市民卡 — built straight from the models, so these tests need
nothing of the cards and merchants services but their selectors. `Terminal` signs requests as
a real POS terminal would."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.cards.models import Card, QrKey
from gonghui.core import crypto, idnumbers
from gonghui.members import services as member_services
from gonghui.members.models import Member
from gonghui.merchants.models import Contract, Merchant, TerminalKey
from gonghui.orgs.models import Union
from gonghui.pos import signing

_numbers = count(1)


def make_merchant(
    district: Union,
    *,
    code: str | None = None,
    name: str = "鹤川测试餐饮",
    status: str = "active",
    rate: str | None = "0.85",
    fixed_off_fen: int | None = None,
    per_txn_cap_fen: int | None = None,
    per_member_day_cap_fen: int | None = None,
    min_amount_fen: int = 0,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Merchant:
    n = next(_numbers)
    merchant = Merchant.objects.create(
        code=code or f"SH{90000 + n:05d}",
        name=name,
        category="food",
        district=district,
        address="鹤川市人民路1号",
        latitude=Decimal("34.750000"),
        longitude=Decimal("113.620000"),
        status=status,
    )
    today = timezone.localdate()
    Contract.objects.create(
        merchant=merchant,
        contract_no=f"{merchant.code}-T-{n}",
        valid_from=valid_from or today - timedelta(days=30),
        valid_to=valid_to or today + timedelta(days=300),
        discount_kind="fixed" if fixed_off_fen else "rate",
        discount_rate=None if fixed_off_fen else Decimal(rate or "0.85"),
        fixed_off_fen=fixed_off_fen,
        min_amount_fen=min_amount_fen,
        per_txn_cap_fen=per_txn_cap_fen,
        per_member_day_cap_fen=per_member_day_cap_fen,
    )
    return merchant


def make_key(merchant: Merchant, *, revoked: bool = False) -> tuple[TerminalKey, str]:
    secret = f"test-secret-{uuid.uuid4().hex}"
    key = TerminalKey.objects.create(
        merchant=merchant,
        key_id=f"pk_test{uuid.uuid4().hex[:12]}",
        secret=secret,
        label="1号收银台",
        revoked_at=timezone.now() if revoked else None,
    )
    return key, secret


def make_member(union: Union, name: str = "张小明", *, status: str = "active") -> Member:
    seed = next(_numbers)
    rng = random.Random(seed)
    data = member_services.validate(
        member_services.MemberData(
            name=name,
            id_number=idnumbers.generate(rng, "410102", date(1985, 1 + seed % 12, 10), "M"),
            phone=f"139{rng.randrange(10**8):08d}",
        )
    )
    row = member_services.member_row(data, union.pk, member_services.allocate_numbers(1)[0])
    row["status"] = status
    return Member.objects.create(**row)


def make_card(member: Member, number: str | None = None, *, status: str = "active") -> str:
    """An issued 市民卡 for the member; returns the number a terminal reads."""
    number = number or f"3101{next(_numbers):012d}"
    Card.objects.create(
        member=member,
        status=status,
        citizen_card_no=number,
        citizen_index=crypto.blind_index(number, purpose="citizen_card"),
        citizen_last4=number[-4:],
        activated_at=timezone.now() if status == "active" else None,
    )
    return number


def make_qr(member: Member) -> QrKey:
    """The member's QR key, as cards.services.qr_key_for makes it."""
    from gonghui.cards import rules as card_rules

    rng = random.Random(next(_numbers))
    handle = "".join(rng.choice(card_rules.HANDLE_ALPHABET) for _ in range(6))
    return QrKey.objects.create(member=member, handle=handle, secret=uuid.uuid4().hex)


def qr_code_now(qr: QrKey, *, offset_steps: int = 0) -> str:
    from gonghui.cards import rules as card_rules

    step = card_rules.qr_step(timezone.now()) + offset_steps
    return card_rules.qr_code(handle=qr.handle, secret=qr.secret, step=step)


@dataclass
class Terminal:
    """A POS terminal of one merchant, signing each request with its key."""

    key: TerminalKey
    secret: str
    client: Client = field(default_factory=Client)

    @property
    def merchant(self) -> Merchant:
        return self.key.merchant

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        sign: dict[str, Any] | None = None,
        omit: tuple[str, ...] = (),
    ) -> Any:
        """`sign` overrides what is signed (secret, path, body, timestamp, nonce) to build a bad
        signature; `omit` drops signature headers."""
        raw = (
            body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
        )
        how = sign or {}
        signed = signing.signed_headers(
            self.key.key_id,
            how.get("secret", self.secret),
            method,
            how.get("path", path),
            how.get("body", raw),
            timestamp=how.get("timestamp"),
            nonce=how.get("nonce"),
        )
        sent = {k: v for k, v in signed.items() if k not in omit} | (headers or {})
        if method == "GET":
            return self.client.get(path, headers=sent)
        return self.client.generic(
            method, path, data=raw, content_type="application/json", headers=sent
        )

    def quote(self, credential: str, amount_fen: int) -> Any:
        return self.request(
            "POST", "/api/v1/pos/quote", {"credential": credential, "amount_fen": amount_fen}
        )

    def confirm(self, quote_id: str, *, key: str | None = None, external_ref: str = "") -> Any:
        return self.request(
            "POST",
            "/api/v1/pos/transactions",
            {"quote_id": str(quote_id), "external_ref": external_ref},
            headers={"Idempotency-Key": key or uuid.uuid4().hex},
        )

    def refund(self, transaction_id: str, amount_fen: int, *, key: str | None = None) -> Any:
        return self.request(
            "POST",
            f"/api/v1/pos/transactions/{transaction_id}/refund",
            {"amount_fen": amount_fen},
            headers={"Idempotency-Key": key or uuid.uuid4().hex},
        )

    def sale(self, credential: str, amount_fen: int) -> dict[str, Any]:
        """Quote and confirm; the transaction's JSON."""
        quoted = self.quote(credential, amount_fen)
        assert quoted.status_code == 201, quoted.content
        confirmed = self.confirm(quoted.json()["quote_id"])
        assert confirmed.status_code == 201, confirmed.content
        return confirmed.json()


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code, body
    assert body["message"]
    return body


@pytest.fixture
def shop_a(tree: dict[str, Union]) -> Merchant:
    return make_merchant(tree["county_a"], name="甲区会员餐厅")


@pytest.fixture
def shop_b(tree: dict[str, Union]) -> Merchant:
    return make_merchant(tree["county_b"], name="乙区会员宾馆")


@pytest.fixture
def terminal_a(shop_a: Merchant) -> Terminal:
    return Terminal(*make_key(shop_a))


@pytest.fixture
def terminal_b(shop_b: Merchant) -> Terminal:
    return Terminal(*make_key(shop_b))


@pytest.fixture
def member(tree: dict[str, Union]) -> Member:
    return make_member(tree["a"], "张小明")


@pytest.fixture
def card(member: Member) -> str:
    return make_card(member, "3101 0000 0000 1234".replace(" ", ""))
