from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gonghui.core.api import Paged
from gonghui.mutualaid import rules, selectors, services
from gonghui.mutualaid.models import ClaimStatus

router = Router(tags=["mutual-aid"])


class PlanOut(Schema):
    code: str
    name: str
    starts_on: date
    ends_on: date
    enrol_opens_on: date
    enrol_closes_on: date


class LineOut(Schema):
    code: str
    text: str
    amount_fen: int | None


class ClaimOut(Schema):
    id: UUID = Field(description="public id of the claim")
    claim_no: str
    member_no: str
    member_name: str
    union: str
    item_code: str
    item_name: str
    event_date: date
    hospital: str
    hospital_level: str
    total_fen: int
    payable_fen: int
    rule_version: int
    status: str
    reason: str
    submitted_at: datetime
    approved_at: datetime | None
    paid_at: datetime | None
    explanation: list[LineOut] = Field(description="each computed line, worded")

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_member_no(obj: Any) -> str:
        return str(obj.member.member_no)

    @staticmethod
    def resolve_member_name(obj: Any) -> str:
        return str(obj.member.name)

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)

    @staticmethod
    def resolve_rule_version(obj: Any) -> int:
        return int(obj.rule_version.number)

    @staticmethod
    def resolve_explanation(obj: Any) -> list[dict[str, Any]]:
        return [
            {"code": line["code"], "text": rules.line_text(line), "amount_fen": line["amount_fen"]}
            for line in obj.explanation
        ]


class TransitionIn(Schema):
    to: ClaimStatus
    reason: str = Field("", max_length=300)


@router.get("/plans", response=list[PlanOut])
def list_plans(request: HttpRequest) -> Any:
    """Plan years, the newest first (city-wide; they hold no personal data)."""
    selectors.require_view(request.user)
    return list(selectors.plan_years()[:50])


@router.get("/claims", response=list[ClaimOut])
@paginate(Paged)
def list_claims(request: HttpRequest, status: ClaimStatus | None = None, level: str = "") -> Any:
    """Claims of the unions in the caller's scope; `level` (first, recheck, approve) gives the
    queue waiting for the caller at that review level. Oldest first."""
    return selectors.claim_list(
        actor=request.user,
        status=status or "",
        level=level if level in rules.REVIEW_LEVELS else "",
    ).select_related("rule_version")


@router.get("/claims/{public_id}", response=ClaimOut)
def get_claim(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.claim_get(actor=request.user, public_id=public_id)


@router.post("/claims/{public_id}/transitions", response=ClaimOut)
def transition(request: HttpRequest, public_id: UUID, payload: TransitionIn) -> Any:
    """Move a claim one step (初审/复核/审批/支付, return, reject); refused with
    `mutualaid.claim.transition_invalid` when the table does not allow it."""
    claim = selectors.claim_get(
        actor=request.user, public_id=public_id, permission="mutualaid.change"
    )
    return services.claim_transition(
        claim=claim, to=payload.to, by=request.user, reason=payload.reason
    )
