"""The merchant terminal API (/api/v1/pos/): signed requests, idempotent writes.

Every request carries `X-Merchant-Key`, `X-Timestamp`, `X-Nonce` and `X-Signature` (see
`gonghui/pos/signing.py` and the README, "POS API"); the writes also carry
`Idempotency-Key`. A terminal sees and changes only its own merchant's quotes and sales."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Header, Query
from ninja.responses import codes_4xx

from gonghui.core.api import ErrorOut, Paged
from gonghui.core.masking import mask_name
from gonghui.pos import idempotency, rules, selectors, services
from gonghui.pos.auth import PosCaller, PosSignatureAuth

router = Router(tags=["pos"], auth=PosSignatureAuth())

IDEMPOTENCY_DESCRIPTION = (
    "Required. A unique id for this operation (1–100 printable ASCII characters), reused "
    "when the request is retried. The same key with a byte-identical body returns the first "
    "answer (with `Idempotent-Replayed: true`) and changes nothing; with another body: 409 "
    "`pos.idempotency_key_reused`. Keys are kept 24 h per merchant."
)


class QuoteIn(Schema):
    credential: str = Field(
        min_length=1,
        max_length=64,
        description="What the terminal read: the 市民卡 number or the member's dynamic QR code",
    )
    amount_fen: int = Field(
        gt=0, le=rules.MAX_AMOUNT_FEN, description="The bill before discount, in fen (分)"
    )


class QuoteOut(Schema):
    quote_id: UUID = Field(description="Pass to POST /transactions within 5 minutes")
    member: str = Field(description="The member's name, masked: 张*明")
    credential_kind: str = Field(description="card | qr")
    amount_fen: int = Field(description="The bill before discount, fen")
    discount_fen: int = Field(description="The member discount, fen")
    payable_fen: int = Field(description="What the member pays, fen (amount − discount)")
    rule: str = Field(description="The discount rule applied, in words")
    expires_at: datetime

    @staticmethod
    def resolve_quote_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_member(obj: Any) -> str:
        return mask_name(obj.member.name)


class TransactionIn(Schema):
    quote_id: UUID = Field(description="From POST /quote")
    external_ref: str = Field(
        "", max_length=64, description="The merchant's own receipt or order number"
    )


class TransactionOut(Schema):
    id: UUID = Field(description="The transaction's id")
    quote_id: UUID
    member: str = Field(description="The member's name, masked: 张*明")
    credential_kind: str = Field(description="card | qr")
    amount_fen: int = Field(description="The bill before discount, fen")
    discount_fen: int = Field(description="The member discount, fen")
    payable_fen: int = Field(description="What the member paid, fen")
    refunded_fen: int = Field(description="Refunded so far, fen (never above payable_fen)")
    discount_reversed_fen: int = Field(description="Discount taken back by refunds, fen")
    rule: str
    external_ref: str
    created_at: datetime
    local_date: date = Field(description="The day in Asia/Shanghai, the day reconciliation uses")

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_quote_id(obj: Any) -> UUID:
        return obj.quote.public_id

    @staticmethod
    def resolve_member(obj: Any) -> str:
        return mask_name(obj.member.name)


class RefundIn(Schema):
    amount_fen: int = Field(
        gt=0,
        le=rules.MAX_AMOUNT_FEN,
        description="Money given back to the member, fen; all refunds together at most payable_fen",
    )


class RefundOut(Schema):
    id: UUID = Field(description="The refund's id")
    amount_fen: int = Field(description="Money given back, fen")
    discount_reversed_fen: int = Field(
        description="Discount taken back with it, fen (in proportion; a full refund takes "
        "back exactly the whole discount)"
    )
    created_at: datetime
    local_date: date
    transaction: TransactionOut = Field(description="The sale after this refund")

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id


def _caller(request: HttpRequest) -> PosCaller:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.post("/quote", response={201: QuoteOut, codes_4xx: ErrorOut})
def quote(request: HttpRequest, payload: QuoteIn) -> Any:
    """Price a sale for the card or QR code read. A QR code is used up by its quote (read a
    new one for the next sale); a quote holds 5 minutes and makes at most one transaction."""
    caller = _caller(request)
    made = services.quote_create(
        merchant=caller.merchant,
        terminal=caller.terminal,
        credential=payload.credential,
        amount_fen=payload.amount_fen,
        contract=caller.contract,
    )
    return Status(201, made)


@router.post("/transactions", response={201: TransactionOut, codes_4xx: ErrorOut})
def confirm(
    request: HttpRequest,
    payload: TransactionIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description=IDEMPOTENCY_DESCRIPTION
    ),
) -> Any:
    """Confirm a quote as a sale. Idempotent: retry with the same `Idempotency-Key`. Errors:
    404 `pos.quote_not_found` (also another merchant's quote), 409 `pos.quote_used`,
    `pos.quote_expired`, `pos.cap_exceeded` (the member's day cap is used up since the quote)."""
    caller = _caller(request)

    def produce() -> tuple[int, Any]:
        sale = services.transaction_confirm(
            merchant=caller.merchant,
            terminal=caller.terminal,
            quote_id=payload.quote_id,
            external_ref=payload.external_ref,
        )
        return 201, TransactionOut.from_orm(sale).model_dump(mode="json")

    return idempotency.idempotent(request, caller.merchant, produce)


@router.post(
    "/transactions/{transaction_id}/refund", response={201: RefundOut, codes_4xx: ErrorOut}
)
def refund(
    request: HttpRequest,
    transaction_id: UUID,
    payload: RefundIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description=IDEMPOTENCY_DESCRIPTION
    ),
) -> Any:
    """Refund part or all of a sale. Idempotent like POST /transactions. Refunds together never
    exceed what was paid (409 `pos.refund_exceeds_paid`); the discount goes back in proportion."""
    caller = _caller(request)

    def produce() -> tuple[int, Any]:
        made = services.transaction_refund(
            merchant=caller.merchant,
            terminal=caller.terminal,
            transaction_id=transaction_id,
            amount_fen=payload.amount_fen,
        )
        return 201, RefundOut.from_orm(made).model_dump(mode="json")

    return idempotency.idempotent(request, caller.merchant, produce)


@router.get("/transactions", response=list[TransactionOut])
@paginate(Paged)
def list_transactions(
    request: HttpRequest,
    day: date | None = Query(  # noqa: B008
        None, alias="date", description="A day in Asia/Shanghai (YYYY-MM-DD); all days if absent"
    ),
) -> Any:
    """The merchant's own sales for reconciliation, newest first, `?page=&page_size=` (≤ 200).
    Sign the path with its query string."""
    return selectors.merchant_transactions(_caller(request).merchant, day=day)


@router.get("/transactions/{transaction_id}", response={200: TransactionOut, codes_4xx: ErrorOut})
def get_transaction(request: HttpRequest, transaction_id: UUID) -> Any:
    """One of the merchant's sales, with what has been refunded."""
    return selectors.transaction_get(_caller(request).merchant, transaction_id)
