import tempfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gonghui.core.api import Paged
from gonghui.core.errors import NotFound
from gonghui.orgs.models import Union
from gonghui.warmth import selectors, services
from gonghui.warmth.models import FundSource, Method, TargetStatus

router = Router(tags=["warmth"])


class GroupOut(Schema):
    code: str
    name: str
    cash_fen: int
    goods: str
    goods_value_fen: int
    hardship: bool | None
    model_worker: bool | None
    categories: list[str]
    min_age: int | None
    min_age_female: int | None


class GroupIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=40)
    cash_fen: int = Field(0, ge=0, le=10_000_000)
    goods: str = Field("", max_length=100)
    goods_value_fen: int = Field(0, ge=0, le=10_000_000)
    hardship: bool | None = None
    model_worker: bool | None = None
    categories: list[str] = Field(default_factory=list, max_length=20)
    min_age: int | None = Field(None, ge=16, le=100)
    min_age_female: int | None = Field(None, ge=16, le=100)


class GroupsIn(Schema):
    groups: list[GroupIn] = Field(
        ..., min_length=1, max_length=20, description="in tie-break order: the first wins a tie"
    )


class CampaignOut(Schema):
    code: str
    name: str
    union: str
    starts_on: date
    ends_on: date
    status: str
    groups: list[GroupOut]
    targets_stale: bool = Field(
        description="the groups changed after the list was built: no hand-out until rebuilt"
    )

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)


class CampaignGroupsOut(CampaignOut):
    rebuild_job: UUID | None = Field(
        None, description="the background job rebuilding the list (GET /api/v1/jobs/{id})"
    )


class FundOut(Schema):
    id: UUID
    source: str
    donor: str
    amount_fen: int
    received_on: date
    reference: str

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id


class FundIn(Schema):
    source: FundSource
    donor: str = Field(..., min_length=1, max_length=100)
    amount_fen: int = Field(..., gt=0, le=10**12)
    received_on: date
    reference: str = Field("", max_length=60)


class AllocationOut(Schema):
    union: str
    union_name: str
    parent_union: str
    amount_fen: int
    updated_at: datetime

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)

    @staticmethod
    def resolve_union_name(obj: Any) -> str:
        return str(obj.union.name)

    @staticmethod
    def resolve_parent_union(obj: Any) -> str:
        return str(obj.parent_union.code)


class AllocationIn(Schema):
    union: str = Field(..., max_length=32, description="code of the union receiving the budget")
    amount_fen: int = Field(..., ge=0, le=10**12, description="the union's new total budget")


class TargetOut(Schema):
    id: UUID
    member_no: str
    member_name: str
    union: str
    group_code: str
    group_name: str
    cash_fen: int
    goods: str
    goods_value_fen: int
    source: str
    status: str
    note: str

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


class DistributionOut(Schema):
    batch: str
    member_no: str
    member_name: str
    union: str
    group_code: str
    cash_fen: int
    goods_value_fen: int
    amount_fen: int
    distributed_on: date
    method: str
    signed: bool
    status: str = Field(description="delivered, pending (waiting for the bank), paid or failed")
    reason: str = Field(description="the bank's reason for a failed payment")

    @staticmethod
    def resolve_batch(obj: Any) -> str:
        return str(obj.batch.batch_no)

    @staticmethod
    def resolve_member_no(obj: Any) -> str:
        return str(obj.target.member.member_no)

    @staticmethod
    def resolve_member_name(obj: Any) -> str:
        return str(obj.target.member.name)

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)

    @staticmethod
    def resolve_distributed_on(obj: Any) -> date:
        return obj.batch.distributed_on  # type: ignore[no-any-return]

    @staticmethod
    def resolve_method(obj: Any) -> str:
        return str(obj.batch.method)

    @staticmethod
    def resolve_signed(obj: Any) -> bool:
        return obj.batch.signed_at is not None


class DistributeIn(Schema):
    union: str = Field(..., max_length=32)
    targets: list[UUID] = Field(..., min_length=1, max_length=services.MAX_BATCH)
    method: Method
    distributed_on: date


class BatchOut(Schema):
    id: UUID
    batch_no: str
    union: str
    method: str
    distributed_on: date
    line_count: int
    total_fen: int
    signed_at: datetime | None
    payout_status: str = Field(description="none (cash, goods), waiting or settled")
    settled_at: datetime | None
    paid_count: int
    paid_fen: int
    failed_count: int
    failed_fen: int

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)


class BatchLineOut(Schema):
    line_no: int
    reference: str = Field(description="业务编号 in the payout and result files")
    member_no: str
    member_name: str
    group_code: str
    cash_fen: int
    goods_value_fen: int
    amount_fen: int
    status: str
    reason: str

    @staticmethod
    def resolve_member_no(obj: Any) -> str:
        return str(obj.target.member.member_no)

    @staticmethod
    def resolve_member_name(obj: Any) -> str:
        return str(obj.target.member.name)


class ResultsOut(Schema):
    batch: UUID
    batch_no: str
    paid: int
    paid_fen: int
    failed: int
    failed_fen: int


class CompletionOut(Schema):
    union: str
    union_name: str
    targets: int
    delivered: int
    rate: Decimal | None = Field(description="percent delivered, one decimal; null: nobody listed")
    due_fen: int
    spent_fen: int = Field(description="handed out; bank payments count once the bank paid")
    pending_fen: int = Field(description="sent to the bank, result not imported yet")
    budget_fen: int | None

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)

    @staticmethod
    def resolve_union_name(obj: Any) -> str:
        return str(obj.union.name)


class GroupFigures(Schema):
    group: str
    targets: int
    delivered: int
    spent_fen: int


class SourceFigures(Schema):
    source: str
    raised_fen: int
    spent_share_fen: int = Field(description="spending apportioned by share of funds raised")


class ReportOut(Schema):
    total: CompletionOut
    unions: list[CompletionOut]
    by_group: list[GroupFigures]
    by_source: list[SourceFigures]


def _union(request: HttpRequest, code: str) -> Union:
    union = Union.objects.filter(code=code.strip().upper()).first()
    if union is None or not selectors.has_perm(request.user, selectors.VIEW, union.path):
        from django.utils.translation import gettext as _

        raise NotFound("not_found", _("没有找到该工会，或不在您的管辖范围内"))
    return union


@router.get("/campaigns", response=list[CampaignOut])
@paginate(Paged)
def list_campaigns(request: HttpRequest) -> Any:
    """Campaigns, newest first (city-wide, no personal data)."""
    return selectors.campaign_list(actor=request.user)


@router.get("/campaigns/{code}", response=CampaignOut)
def get_campaign(request: HttpRequest, code: str) -> Any:
    return selectors.campaign_get(actor=request.user, code=code)


@router.put("/campaigns/{code}/groups", response=CampaignGroupsOut)
def set_groups(request: HttpRequest, code: str, payload: GroupsIn) -> Any:
    """Replace the campaign's groups (add, change, delete, reorder) until the first hand-out;
    refused with `warmth.groups_frozen` once a batch exists, `warmth.groups_invalid` for a bad
    group. A list already built is marked stale and rebuilt as a background job; hand-outs are
    refused with `warmth.targets_stale` until it has finished."""
    campaign = services.campaign_groups_set(
        by=request.user,
        campaign=selectors.campaign_get(actor=request.user, code=code),
        groups=[group.dict() for group in payload.groups],
    )
    job = (
        services.targets_rebuild_start(by=request.user, campaign=campaign)
        if campaign.targets_stale
        else None
    )
    campaign.rebuild_job = job.public_id if job is not None else None  # type: ignore[attr-defined]
    return campaign


@router.get("/campaigns/{code}/funds", response=list[FundOut])
@paginate(Paged)
def list_funds(request: HttpRequest, code: str) -> Any:
    return selectors.funds_of(selectors.campaign_get(actor=request.user, code=code))


@router.post("/campaigns/{code}/funds", response={201: FundOut})
def add_fund(request: HttpRequest, code: str, payload: FundIn) -> Any:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    return Status(
        201,
        services.fund_record(
            by=request.user,
            campaign=campaign,
            source=payload.source,
            donor=payload.donor,
            amount_fen=payload.amount_fen,
            received_on=payload.received_on,
            reference=payload.reference,
        ),
    )


@router.get("/campaigns/{code}/allocations", response=list[AllocationOut])
@paginate(Paged)
def list_allocations(request: HttpRequest, code: str) -> Any:
    """Budgets of the unions in the caller's scope."""
    campaign = selectors.campaign_get(actor=request.user, code=code)
    return selectors.allocation_list(actor=request.user, campaign=campaign)


@router.post("/campaigns/{code}/allocations", response=AllocationOut)
def set_allocation(request: HttpRequest, code: str, payload: AllocationIn) -> Any:
    """Set a union's budget out of its parent's remaining budget; refused with
    `warmth.allocation_over_parent` or `warmth.allocation_below_committed`."""
    campaign = selectors.campaign_get(actor=request.user, code=code)
    return services.allocation_set(
        by=request.user,
        campaign=campaign,
        union=_union(request, payload.union),
        amount_fen=payload.amount_fen,
    )


@router.get("/campaigns/{code}/targets", response=list[TargetOut])
@paginate(Paged)
def list_targets(
    request: HttpRequest,
    code: str,
    union: str = "",
    group: str = "",
    status: TargetStatus | None = None,
) -> Any:
    """The list in the caller's scope, ordered by union; `union` narrows to a subtree."""
    campaign = selectors.campaign_get(actor=request.user, code=code)
    return selectors.target_list(
        actor=request.user,
        campaign=campaign,
        union=_union(request, union) if union else None,
        group=group,
        status=status or "",
    )


@router.get("/campaigns/{code}/distributions", response=list[DistributionOut])
@paginate(Paged)
def list_distributions(request: HttpRequest, code: str, union: str = "") -> Any:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    return selectors.distribution_list(
        actor=request.user,
        campaign=campaign,
        union=_union(request, union) if union else None,
    )


@router.post("/campaigns/{code}/distributions", response={201: BatchOut})
def distribute(request: HttpRequest, code: str, payload: DistributeIn) -> Any:
    """Hand out to listed people of one union as one batch; refused with `warmth.over_budget`
    beyond the budget, `warmth.targets_changed` (409) when someone is no longer listed,
    `warmth.targets_stale` while the list waits to be rebuilt after a change of groups. A card
    or bank batch waits for the bank's result (POST /batches/{id}/results)."""
    campaign = selectors.campaign_get(actor=request.user, code=code)
    return Status(
        201,
        services.distribute(
            by=request.user,
            campaign=campaign,
            union=_union(request, payload.union),
            target_ids=payload.targets,
            method=payload.method,
            distributed_on=payload.distributed_on,
        ),
    )


@router.get("/campaigns/{code}/report", response=ReportOut)
def report(request: HttpRequest, code: str, union: str = "") -> Any:
    """Completion for a union (the caller's own top union by default) and each child union."""
    campaign = selectors.campaign_get(actor=request.user, code=code)
    # campaign_get has checked that the caller holds the program somewhere: a home exists.
    root = _union(request, union) if union else selectors.home_unions(request.user)[0]
    figures = selectors.completion_report(actor=request.user, campaign=campaign, union=root)
    return {
        "total": figures.root,
        "unions": figures.rows,
        "by_group": [
            {"group": g, "targets": n, "delivered": d, "spent_fen": s}
            for g, n, d, s in figures.by_group
        ],
        "by_source": [
            {"source": s, "raised_fen": r, "spent_share_fen": share}
            for s, r, share in figures.by_source
        ],
    }


@router.get("/batches/{public_id}", response=BatchOut)
def get_batch(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.batch_get(actor=request.user, public_id=public_id)


@router.get("/batches/{public_id}/lines", response=list[BatchLineOut])
def list_batch_lines(request: HttpRequest, public_id: UUID) -> Any:
    """Every line of the batch (at most 500) with the bank's result and reason."""
    batch = selectors.batch_get(actor=request.user, public_id=public_id)
    lines = list(selectors.batch_lines(batch))
    for line in lines:
        line.batch = batch  # the reference names the batch: no query per line
    return lines


@router.post("/batches/{public_id}/results", response=ResultsOut)
def import_results(
    request: HttpRequest,
    public_id: UUID,
    file: UploadedFile = File(...),  # noqa: B008
) -> Any:
    """The bank's result file (xlsx) for a card or bank batch, applied all or nothing: refused
    whole with `payout.result_invalid` (unreadable rows) or `warmth.payout.results_invalid`
    (rows not matching the lines waiting for the bank); `warmth.payout.settled` (409) when
    the batch's result was imported already. Failed people go back on the list."""
    batch = selectors.batch_get(
        actor=request.user, public_id=public_id, permission=selectors.CHANGE
    )
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as spool:
        for chunk in file.chunks():
            spool.write(chunk)
            if spool.tell() > services.RESULT_MAX_BYTES:
                break
        spool.flush()
        return services.payout_results_import(by=request.user, batch=batch, path=spool.name)
