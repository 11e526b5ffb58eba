from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gonghui.accounts.scoping import has_perm
from gonghui.core.api import Paged
from gonghui.core.errors import Forbidden, NotFound
from gonghui.jobs.api import JobOut
from gonghui.jobs.services import job_start
from gonghui.mutualaid import rules, selectors, services
from gonghui.mutualaid.models import ClaimStatus, Payer, PayoutChannel
from gonghui.orgs.models import Union

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


# -- rule versions ---------------------------------------------------------------------------


class VersionOut(Schema):
    number: int
    effective_from: date
    contribution_fen: int
    employer_weight: int
    union_weight: int
    worker_weight: int
    parts_fen: list[int] = Field(description="employer, union, worker share of the contribution")
    waiting_days: int
    min_age: int
    max_age: int
    benefits: list[dict[str, Any]]
    note: str

    @staticmethod
    def resolve_parts_fen(obj: Any) -> list[int]:
        return list(rules.split_contribution(obj.contribution_fen, obj.weights))


class RulesIn(Schema):
    contribution_fen: int = Field(ge=0, le=10_000_000)
    weights: tuple[int, int, int] = (1, 1, 1)
    waiting_days: int = Field(rules.DEFAULT_WAITING_DAYS, ge=0, le=365)
    min_age: int = Field(16, ge=0, le=120)
    max_age: int = Field(65, ge=0, le=120)
    benefits: list[dict[str, Any]]
    note: str = Field("", max_length=200)


class VersionIn(RulesIn):
    effective_from: date


@router.get("/plans/{code}/versions", response=list[VersionOut])
def list_versions(request: HttpRequest, code: str) -> Any:
    """The plan year's rule versions, oldest first."""
    selectors.require_view(request.user)
    return selectors.versions_of(selectors.plan_get(code=code))


@router.post("/plans/{code}/versions", response={201: VersionOut})
def create_version(request: HttpRequest, code: str, payload: VersionIn) -> Any:
    """A rule change as a new version (the city 保障部 only): claims with events from
    `effective_from` on are computed with it."""
    plan = selectors.plan_get(code=code)
    version = services.rule_version_create(
        by=request.user,
        plan=plan,
        data=services.RuleData(
            effective_from=payload.effective_from,
            contribution_fen=payload.contribution_fen,
            weights=payload.weights,
            waiting_days=payload.waiting_days,
            min_age=payload.min_age,
            max_age=payload.max_age,
            benefits=payload.benefits,
            note=payload.note,
        ),
    )
    return Status(201, version)


class PlanIn(Schema):
    code: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")
    name: str = Field(min_length=1, max_length=100)
    starts_on: date
    ends_on: date
    enrol_opens_on: date
    enrol_closes_on: date
    allow_individual: bool = False
    rules: RulesIn | None = Field(
        None,
        description="The first rule version (its effective_from is set to starts_on); the "
        "defaults (⅓ each, 90 days' waiting period, the standard items) when absent",
    )


@router.post("/plans", response={201: PlanOut})
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    """Open a new 保障期 with its first rules (the city 保障部 only)."""
    first = None
    if payload.rules is not None:
        first = services.RuleData(
            effective_from=payload.starts_on,
            contribution_fen=payload.rules.contribution_fen,
            weights=payload.rules.weights,
            waiting_days=payload.rules.waiting_days,
            min_age=payload.rules.min_age,
            max_age=payload.rules.max_age,
            benefits=payload.rules.benefits,
            note=payload.rules.note,
        )
    plan = services.plan_year_create(
        by=request.user,
        code=payload.code.upper(),
        name=payload.name.strip(),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        enrol_opens_on=payload.enrol_opens_on,
        enrol_closes_on=payload.enrol_closes_on,
        allow_individual=payload.allow_individual,
        first_rules=first,
    )
    return Status(201, plan)


# -- enrolments and payments -----------------------------------------------------------------


class EnrolmentOut(Schema):
    id: UUID
    certificate_no: str
    plan: str
    member_no: str
    member_name: str
    union: str
    contribution_fen: int
    employer_fen: int
    union_fen: int
    worker_fen: int
    enrolled_on: date
    cover_starts_on: date
    cover_ends_on: date
    renewed: bool
    status: str

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_plan(obj: Any) -> str:
        return str(obj.plan_year.code)

    @staticmethod
    def resolve_member_no(obj: Any) -> str:
        return str(obj.member.member_no)

    @staticmethod
    def resolve_member_name(obj: Any) -> str:
        return str(obj.member.name)

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)


def _union(actor: Any, code: str, permission: str) -> Union:
    union = Union.objects.filter(code=code.strip().upper()).first()
    if union is None or not has_perm(actor, permission, union.path):
        raise NotFound("not_found", _("没有找到该工会，或不在您的管辖范围内"))
    return union


@router.get("/enrolments", response=list[EnrolmentOut])
@paginate(Paged)
def list_enrolments(
    request: HttpRequest, plan: str = "", union: str = "", member_no: str = ""
) -> Any:
    """Enrolments in the caller's scope, newest first; filters: plan code, union code (its
    subtree), member number."""
    qs = selectors.enrolment_list(
        actor=request.user,
        plan=selectors.plan_get(code=plan) if plan else None,
        union=_union(request.user, union, "mutualaid.view") if union else None,
    )
    if member_no:
        qs = qs.filter(member__member_no=member_no.strip().upper())
    return qs


class BulkEnrolIn(Schema):
    plan: str
    union: str
    member_nos: list[str] = Field(
        default_factory=list, max_length=20000, description="empty: the union's whole roster"
    )
    category: str = Field("", description="with an empty list: only this worker category")


@router.post("/enrolments/bulk", response={202: JobOut})
def enrol_bulk(request: HttpRequest, payload: BulkEnrolIn) -> Any:
    """Enrol members of a union in one batch, as a background job (poll /api/v1/jobs/{id}): the
    listed member numbers, or with none the union's roster (optionally one category)."""
    plan = selectors.plan_get(code=payload.plan)
    union = _union(request.user, payload.union, "mutualaid.change")
    numbers = sorted({n.strip().upper() for n in payload.member_nos if n.strip()})
    job = job_start(
        by=request.user,
        kind="mutualaid.enrol",
        title=_("批量参保：%(union)s") % {"union": union.name},
        params={
            "plan": plan.code,
            "union": union.code,
            "source": "numbers" if numbers else "filter",
            "member_nos": numbers,
            "category": payload.category,
        },
    )
    return Status(202, job)


class PaymentOut(Schema):
    payer: str
    due_fen: int
    paid_fen: int
    owed_fen: int
    paid_on: date | None
    reference: str


class PaymentIn(Schema):
    paid_fen: int = Field(ge=0, description="the payer's cumulative payment for the batch")
    paid_on: date
    reference: str = Field("", max_length=60)


@router.get("/batches/{public_id}/payments", response=list[PaymentOut])
def list_payments(request: HttpRequest, public_id: UUID) -> Any:
    """The batch's three payment records (employer, union, worker) with what is owed."""
    batch = selectors.batch_get(actor=request.user, public_id=public_id)
    return selectors.batch_payments(batch)


@router.put("/batches/{public_id}/payments/{payer}", response=PaymentOut)
def record_payment(request: HttpRequest, public_id: UUID, payer: Payer, payload: PaymentIn) -> Any:
    """Record what a payer has paid so far; the difference goes into the fund ledger."""
    batch = selectors.batch_get(
        actor=request.user, public_id=public_id, permission="mutualaid.change"
    )
    return services.payment_record(
        by=request.user,
        payment=batch.payments.get(payer=payer),
        paid_fen=payload.paid_fen,
        paid_on=payload.paid_on,
        reference=payload.reference,
    )


# -- payouts ---------------------------------------------------------------------------------


class PayoutLineOut(Schema):
    claim_no: str
    member_name: str
    account: str = Field(description="masked")
    amount_fen: int
    status: str
    reason: str

    @staticmethod
    def resolve_claim_no(obj: Any) -> str:
        return str(obj.claim.claim_no)

    @staticmethod
    def resolve_member_name(obj: Any) -> str:
        return str(obj.claim.member.name)

    @staticmethod
    def resolve_account(obj: Any) -> str:
        return str(obj.account_masked)


class PayoutBatchOut(Schema):
    id: UUID
    batch_no: str
    channel: str
    status: str
    line_count: int
    total_fen: int
    paid_count: int
    paid_fen: int
    failed_count: int
    without_account: list[dict[str, str]]
    created_at: datetime
    settled_at: datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id


class PayoutIn(Schema):
    channel: PayoutChannel


@router.get("/payout-batches", response=list[PayoutBatchOut])
@paginate(Paged)
def list_payout_batches(request: HttpRequest) -> Any:
    return selectors.payout_batch_list(actor=request.user)


@router.post("/payout-batches", response={202: JobOut})
def create_payout_batch(request: HttpRequest, payload: PayoutIn) -> Any:
    """Every approved claim in the caller's payout queue into one batch (city 保障部), as a
    background job; the job's summary names the batch."""
    if not selectors.is_plan_manager(request.user):
        raise Forbidden("auth.forbidden", _("互助金支付只能由市总工会保障部办理"))
    job = job_start(
        by=request.user,
        kind="mutualaid.payout",
        title=_("生成互助金支付批次"),
        params={"channel": payload.channel},
    )
    return Status(202, job)


@router.get("/payout-batches/{public_id}", response=PayoutBatchOut)
def get_payout_batch(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.payout_batch_get(actor=request.user, public_id=public_id)


@router.get("/payout-batches/{public_id}/lines", response=list[PayoutLineOut])
@paginate(Paged)
def list_payout_lines(request: HttpRequest, public_id: UUID) -> Any:
    batch = selectors.payout_batch_get(actor=request.user, public_id=public_id)
    return selectors.payout_lines(batch)


@router.get("/payout-batches/{public_id}/file")
def get_payout_file(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The xlsx for the bank, with full account numbers (audited)."""
    batch = selectors.payout_batch_get(
        actor=request.user, public_id=public_id, permission="mutualaid.change"
    )
    response = HttpResponse(
        services.payout_file(by=request.user, batch=batch),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="payout-{batch.batch_no}.xlsx"'
    return response


@router.post("/payout-batches/{public_id}/results", response={202: JobOut})
def import_payout_results(
    request: HttpRequest,
    public_id: UUID,
    file: UploadedFile = File(...),  # noqa: B008
) -> Any:
    """The bank's result file, applied all or nothing as a background job."""
    batch = selectors.payout_batch_get(
        actor=request.user, public_id=public_id, permission="mutualaid.change"
    )
    if not selectors.is_plan_manager(request.user):
        raise Forbidden("auth.forbidden", _("互助金支付只能由市总工会保障部办理"))
    job = job_start(
        by=request.user,
        kind="mutualaid.payout_result",
        title=_("导入银行回盘：%(no)s") % {"no": batch.batch_no},
        params={"batch": str(batch.public_id)},
        input_file=file,
    )
    return Status(202, job)


# -- the transparency report (public) --------------------------------------------------------


class ItemFiguresOut(Schema):
    code: str
    name: str
    claims: int
    paid_claims: int
    paid_fen: int


class AreaFiguresOut(Schema):
    code: str
    name: str
    participants: int
    paid_claims: int
    paid_fen: int


class ReportOut(Schema):
    plan: str
    name: str
    starts_on: date
    ends_on: date
    participants: int
    income_fen: int
    income_by_payer: dict[str, int]
    payout_fen: int
    balance_fen: int
    claims: int
    paid_claims: int
    payout_ratio: Decimal | None = Field(description="paid out / income, percent")
    average_days_to_pay: Decimal | None
    items: list[ItemFiguresOut]
    areas: list[AreaFiguresOut] = Field(description="county and industry unions, never below")


@router.get("/reports/{code}", response=ReportOut, auth=None)
def get_report(request: HttpRequest, code: str) -> Any:
    """The plan year's transparency report, public like its page: figures only."""
    plan = selectors.plan_get(code=code)
    report = selectors.transparency_report(plan)
    return {
        **report.__dict__,
        "plan": plan.code,
        "name": plan.name,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "items": [i.__dict__ for i in report.items],
        "areas": [a.__dict__ for a in report.areas],
    }
