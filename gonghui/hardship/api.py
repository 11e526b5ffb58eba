from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Paged
from gonghui.core.errors import NotFound
from gonghui.hardship import selectors, services
from gonghui.hardship.models import (
    AidCategory,
    AidState,
    Cause,
    Channel,
    FileState,
    FileStatus,
    SchoolStage,
)
from gonghui.members.selectors import member_get

router = Router(tags=["hardship"])


class FileOut(Schema):
    id: UUID = Field(description="public id of the file")
    file_no: str
    member_no: str
    member_name: str
    union: str
    district: str
    state: str
    status: str
    primary_cause: str
    causes: list[str]
    household_size: int
    threshold_fen: int
    below_threshold: bool
    notice_starts_on: date | None
    notice_ends_on: date | None
    established_on: date | None
    next_check_on: date | None
    closed_on: date | None
    reason: str
    submitted_at: datetime

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
    def resolve_district(obj: Any) -> str:
        return str(obj.district.code)


class HouseholdIn(Schema):
    relation: str = Field(description="self (first row), spouse, child, parent, other")
    name: str = Field(max_length=40)
    age: int = Field(ge=0, le=120)
    job_status: str
    income_fen: int = Field(0, ge=0, description="monthly income in fen")
    health: str = Field("", max_length=200)


class FileIn(Schema):
    member_no: str = Field(max_length=12)
    primary_cause: Cause
    causes: list[Cause] = []
    household: list[HouseholdIn] = Field(min_length=1, max_length=12)
    situation: str = Field("", max_length=1000)
    health_details: str = Field("", max_length=1000)
    consent_version: str = Field(
        description="the version of the separate consent the member signed on paper"
    )


class FileTransitionIn(Schema):
    to: FileState
    reason: str = Field("", max_length=300)


class AidOut(Schema):
    id: UUID = Field(description="public id of the aid application")
    aid_no: str
    file_no: str | None
    member_no: str
    member_name: str
    union: str
    category: str
    stage: str
    year: int
    period: str
    requested_fen: int
    approved_fen: int
    emergency: bool
    emergency_kind: str
    approve_by: datetime | None
    documents_due_on: date | None
    documents_completed_at: datetime | None
    channel: str
    state: str
    reason: str
    submitted_at: datetime
    approved_at: datetime | None
    paid_at: datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_file_no(obj: Any) -> str | None:
        return obj.file.file_no if obj.file_id else None

    @staticmethod
    def resolve_member_no(obj: Any) -> str:
        return str(obj.member.member_no)

    @staticmethod
    def resolve_member_name(obj: Any) -> str:
        return str(obj.member.name)

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)


class AidIn(Schema):
    member_no: str = Field(max_length=12)
    category: AidCategory
    stage: SchoolStage = SchoolStage.NONE
    requested_fen: int = Field(0, ge=0)
    reason_text: str = Field(max_length=500)
    channel: Channel = Channel.CARD
    bank_name: str = Field("", max_length=60)
    bank_account: str = Field("", max_length=40)
    referral_to: str = Field("", max_length=200)
    emergency: bool = False
    emergency_kind: str = ""
    event_date: date | None = None


class AidTransitionIn(Schema):
    to: AidState
    reason: str = Field("", max_length=300)
    amount_fen: int | None = Field(None, ge=0, description="the approved amount (approval only)")


class DisbursementOut(Schema):
    chain: str
    seq: int
    aid_no: str
    member_no: str
    union: str
    category: str
    emergency: bool
    channel: str
    amount_fen: int
    reference: str
    at: datetime
    hash: str

    @staticmethod
    def resolve_aid_no(obj: Any) -> str:
        return str(obj.aid.aid_no)

    @staticmethod
    def resolve_member_no(obj: Any) -> str:
        return str(obj.member.member_no)

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)


class CountOut(Schema):
    label: str
    count: int


class MonthOut(Schema):
    month: date
    category: str
    paid_fen: int


class ReportOut(Schema):
    year: int
    files_by_cause: list[CountOut]
    files_by_district: list[CountOut]
    paid_by_category_month: list[MonthOut]
    emergency_by_month: list[MonthOut]
    emergency: dict[str, int]


def _member(request: HttpRequest, member_no: str) -> Any:
    return member_get(actor=request.user, member_no=member_no.strip().upper())


@router.get("/files", response=list[FileOut])
@paginate(Paged)
def list_files(
    request: HttpRequest,
    status: FileStatus | None = None,
    state: FileState | None = None,
    cause: Cause | None = None,
    flag: str = "",
) -> Any:
    """Files of the unions in the caller's scope, newest first; `flag` is never_helped,
    untouched or recheck_due."""
    return selectors.file_list(
        actor=request.user,
        status=status or "",
        state=state or "",
        cause=cause or "",
        flag=flag if flag in {"never_helped", "untouched", "recheck_due"} else "",
    )


@router.get("/files/{public_id}", response=FileOut)
def get_file(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.file_get(actor=request.user, public_id=public_id)


@router.post("/files", response={201: FileOut})
def create_file(request: HttpRequest, payload: FileIn) -> Any:
    """建档申请 by the member's union on their behalf (the member signed the consent on
    paper); income and health are stored encrypted and never returned here."""
    selectors.require_view(request.user)
    member = _member(request, payload.member_no)
    file = services.file_submit(
        by=request.user,
        member=member,
        data=services.FileData(
            primary_cause=payload.primary_cause,
            causes=list(payload.causes),
            household=[services.HouseholdRow(**row.dict()) for row in payload.household],
            situation=payload.situation,
            health_details=payload.health_details,
        ),
        consent_version=payload.consent_version,
    )
    return Status(201, selectors.file_get(actor=request.user, public_id=file.public_id))


@router.post("/files/{public_id}/transitions", response=FileOut)
def transition_file(request: HttpRequest, public_id: UUID, payload: FileTransitionIn) -> Any:
    """Move a file one step (review levels, 公示, keep, 脱困, 注销); refused with
    `hardship.file.transition_invalid` when the table does not allow it."""
    file = selectors.file_get(actor=request.user, public_id=public_id, permission=selectors.CHANGE)
    services.file_transition(file=file, to=payload.to, by=request.user, reason=payload.reason)
    return selectors.file_get(actor=request.user, public_id=public_id)


@router.get("/aid", response=list[AidOut])
@paginate(Paged)
def list_aid(
    request: HttpRequest,
    state: AidState | None = None,
    category: AidCategory | None = None,
    emergency: bool | None = None,
) -> Any:
    return selectors.aid_list(
        actor=request.user,
        state=state or "",
        category=category or "",
        emergency="" if emergency is None else ("yes" if emergency else "no"),
    )


@router.get("/aid/{public_id}", response=AidOut)
def get_aid(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.aid_get(actor=request.user, public_id=public_id)


@router.post("/aid", response={201: AidOut})
def create_aid(request: HttpRequest, payload: AidIn) -> Any:
    """An aid application against the member's kept file, or on the emergency fast track."""
    selectors.require_view(request.user)
    member = _member(request, payload.member_no)
    aid = services.aid_submit(
        by=request.user,
        member=member,
        emergency=payload.emergency,
        data=services.AidData(
            category=payload.category,
            stage=payload.stage,
            requested_fen=payload.requested_fen,
            reason_text=payload.reason_text,
            channel=payload.channel,
            bank_name=payload.bank_name,
            bank_account=payload.bank_account,
            referral_to=payload.referral_to,
            emergency_kind=payload.emergency_kind,
            event_date=payload.event_date,
        ),
    )
    return Status(201, selectors.aid_get(actor=request.user, public_id=aid.public_id))


@router.post("/aid/{public_id}/transitions", response=AidOut)
def transition_aid(request: HttpRequest, public_id: UUID, payload: AidTransitionIn) -> Any:
    """Review, approve within the budget (`hardship.aid.over_budget`), refer, or record a cash
    payment; the same item twice in a period is refused with `hardship.aid.already_received`."""
    aid = selectors.aid_get(actor=request.user, public_id=public_id, permission=selectors.CHANGE)
    services.aid_transition(
        aid=aid,
        to=payload.to,
        by=request.user,
        reason=payload.reason,
        amount_fen=payload.amount_fen,
    )
    return selectors.aid_get(actor=request.user, public_id=public_id)


@router.get("/disbursements", response=list[DisbursementOut])
@paginate(Paged)
def list_disbursements(request: HttpRequest, member_no: str = "") -> Any:
    """The aid ledger in the caller's scope, newest first."""
    member = None
    if member_no:
        try:
            member = _member(request, member_no)
        except NotFound:
            return selectors.disbursements(actor=request.user).none()
    return selectors.disbursements(actor=request.user, member=member)


@router.get("/reports", response=ReportOut)
def report(request: HttpRequest, year: int | None = None) -> Any:
    selectors.require_view(request.user)
    year = year or timezone.localdate().year
    return {
        "year": year,
        "files_by_cause": [
            {"label": c, "count": n} for c, n in selectors.files_by_cause(actor=request.user)
        ],
        "files_by_district": [
            {"label": d, "count": n} for d, n in selectors.files_by_district(actor=request.user)
        ],
        "paid_by_category_month": [
            {"month": m, "category": c, "paid_fen": f}
            for m, c, f in selectors.paid_by_category_month(
                actor=request.user, year=year, emergency=False
            )
        ],
        "emergency_by_month": [
            {"month": m, "category": c, "paid_fen": f}
            for m, c, f in selectors.paid_by_category_month(
                actor=request.user, year=year, emergency=True
            )
        ],
        "emergency": selectors.emergency_summary(actor=request.user, year=year),
    }
