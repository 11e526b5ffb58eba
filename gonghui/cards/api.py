from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.accounts.scoping import get_scoped
from gonghui.cards import selectors, services
from gonghui.cards.models import CardStatus, IssueBatch
from gonghui.core.api import Paged
from gonghui.core.errors import DomainError
from gonghui.members.models import Member
from gonghui.orgs import selectors as org_selectors

router = Router(tags=["cards"])


class CardOut(Schema):
    id: UUID = Field(description="public id of the card")
    member_no: str
    name: str
    union: str
    union_name: str
    status: CardStatus
    status_label: str
    citizen_card_no: str = Field(description="masked: only the last four digits shown")
    bank_card_no: str = Field(description="masked: only the last four digits shown; '' if none")
    batch_no: str | None
    replaces: UUID | None = Field(description="the card this one replaced (补卡)")
    applied_at: datetime
    activated_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_member_no(obj: Any) -> str:
        return str(obj.member.member_no)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.member.name)

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.member.union.code)

    @staticmethod
    def resolve_union_name(obj: Any) -> str:
        return str(obj.member.union.name)

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_citizen_card_no(obj: Any) -> str:
        return f"************{obj.citizen_last4}" if obj.citizen_last4 else ""

    @staticmethod
    def resolve_bank_card_no(obj: Any) -> str:
        return f"************{obj.bank_last4}" if obj.bank_last4 else ""

    @staticmethod
    def resolve_batch_no(obj: Any) -> str | None:
        return obj.batch.batch_no if obj.batch_id else None

    @staticmethod
    def resolve_replaces(obj: Any) -> UUID | None:
        return obj.replaces.public_id if obj.replaces_id else None


class EventOut(Schema):
    at: datetime
    from_status: str
    to_status: str
    note: str
    by: str | None

    @staticmethod
    def resolve_by(obj: Any) -> str | None:
        return obj.by.username if obj.by_id else None


class CardDetailOut(CardOut):
    events: list[EventOut]
    replaced_by: UUID | None

    @staticmethod
    def resolve_events(obj: Any) -> Any:
        return list(selectors.card_events(card=obj))

    @staticmethod
    def resolve_replaced_by(obj: Any) -> UUID | None:
        new = obj.__class__.objects.filter(replaces=obj).values_list("public_id", flat=True)
        return new.first()


class ApplyIn(Schema):
    member_no: str = Field(min_length=1, max_length=12)


class TransitionIn(Schema):
    to: Literal["active", "lost", "replaced", "cancelled"] = Field(
        description="active: 激活 (from made) or 解除挂失 (from lost); lost: 挂失; "
        "replaced: 补卡 (the answer is the new card); cancelled: 注销"
    )
    note: str = Field("", max_length=200, description="reason; required for lost and cancelled")


class BatchOut(Schema):
    id: UUID
    batch_no: str
    union: str
    union_name: str
    status: IssueBatch.Status
    cards: int
    created_at: datetime
    sent_at: datetime | None
    returned_at: datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)

    @staticmethod
    def resolve_union_name(obj: Any) -> str:
        return str(obj.union.name)

    @staticmethod
    def resolve_cards(obj: Any) -> int:
        return int(obj.card_count)


@router.get("/batches", response=list[BatchOut])
@paginate(Paged)
def list_batches(request: HttpRequest, status: IssueBatch.Status | None = None) -> Any:
    """Issuance batches of the unions in the caller's scope, newest first."""
    return selectors.batch_list(actor=request.user, status=status or "")


@router.get("", response=list[CardOut])
@paginate(Paged)
def list_cards(
    request: HttpRequest, q: str = "", status: CardStatus | None = None, union: str = ""
) -> Any:
    """Cards of the members in the caller's scope, newest first. `q` takes a name, pinyin,
    member number, ID number, phone or a 市民卡 number."""
    code = union.strip().upper()
    within = (
        org_selectors.union_get(actor=request.user, code=code, permission="cards.view")
        if code
        else None
    )
    return selectors.card_search(actor=request.user, q=q, status=status or "", union=within)


@router.get("/{public_id}", response=CardDetailOut)
def get_card(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.card_get(actor=request.user, public_id=public_id)


@router.post("", response={201: CardOut})
def apply_card(request: HttpRequest, payload: ApplyIn) -> Any:
    """申领: a new card for a member in good standing with no card in use."""
    member = get_scoped(
        Member.objects.select_related("union"),
        request.user,
        "cards.change",
        member_no=payload.member_no.strip().upper(),
    )
    card = services.card_apply(by=request.user, member=member)
    return Status(201, selectors.card_get(actor=request.user, public_id=card.public_id))


@router.post("/{public_id}/transition", response=CardOut)
def transition(request: HttpRequest, public_id: UUID, payload: TransitionIn) -> Any:
    card = selectors.card_get(actor=request.user, public_id=public_id, permission="cards.change")
    by = request.user
    if payload.to == "active":
        if card.status == CardStatus.LOST:
            card = services.card_unlock(by=by, card=card, reason=payload.note)
        else:
            card = services.card_activate(by=by, card=card)
    elif payload.to == "lost":
        card = services.card_report_lost(by=by, card=card, reason=payload.note)
    elif payload.to == "replaced":
        card = services.card_replace(by=by, card=card, reason=payload.note)
    elif payload.to == "cancelled":
        card = services.card_cancel(by=by, card=card, reason=payload.note)
    else:  # pragma: no cover (the schema allows nothing else)
        raise DomainError("cards.transition_invalid", "")
    return selectors.card_get(actor=by, public_id=card.public_id)
