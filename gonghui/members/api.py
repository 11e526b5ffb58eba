from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import CappedPaged, MaskedPersonOut
from gonghui.members import selectors, services
from gonghui.members.models import Education, MemberStatus, WorkerCategory
from gonghui.orgs import selectors as org_selectors

router = Router(tags=["members"])


class MemberOut(MaskedPersonOut):
    member_no: str
    name: str
    gender: str
    birth_date: date
    ethnicity: str
    education: str
    category: str
    join_date: date | None
    status: str
    is_hardship: bool
    is_model_worker: bool
    updated_at: datetime


class MemberIn(Schema):
    name: str = Field(min_length=1, max_length=40)
    id_number: str = Field(min_length=15, max_length=24)
    union: str = Field(description="code of the member's union")
    phone: str = Field("", max_length=20)
    ethnicity: str = Field("", max_length=16)
    education: Education | None = None
    category: WorkerCategory = WorkerCategory.EMPLOYEE
    join_date: date | None = None


class MemberPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=40)
    phone: str | None = Field(None, max_length=20)
    ethnicity: str | None = Field(None, max_length=16)
    education: Education | None = None
    category: WorkerCategory | None = None
    join_date: date | None = None


class TransferIn(Schema):
    to_union: str
    reason: str = Field("", max_length=200)


class TransferOut(Schema):
    id: str = Field(description="public id of the transfer request")
    status: str


class LeaveIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class RevealOut(Schema):
    field: str
    value: str


@router.get("", response=list[MemberOut])
@paginate(CappedPaged)
def list_members(
    request: HttpRequest,
    q: str = "",
    union: str = "",
    status: MemberStatus | None = None,
    category: WorkerCategory | None = None,
    hardship: bool | None = None,
    model_worker: bool | None = None,
) -> Any:
    code = union.strip().upper()
    within = org_selectors.union_get(actor=request.user, code=code) if code else None
    return selectors.member_search(
        actor=request.user,
        query=q,
        union=within,
        status=status or "",
        category=category or "",
        hardship=hardship,
        model_worker=model_worker,
    )


@router.get("/{member_no}", response=MemberOut)
def get_member(request: HttpRequest, member_no: str) -> Any:
    return selectors.member_get(actor=request.user, member_no=member_no)


@router.post("", response={201: MemberOut})
def create_member(request: HttpRequest, payload: MemberIn) -> Any:
    union = org_selectors.union_get(
        actor=request.user, code=payload.union.strip().upper(), permission="members.change"
    )
    data = services.MemberData(
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        ethnicity=payload.ethnicity,
        education=payload.education or "",
        category=payload.category,
        join_date=payload.join_date,
    )
    return Status(201, services.member_create(by=request.user, union=union, data=data))


@router.patch("/{member_no}", response=MemberOut)
def update_member(request: HttpRequest, member_no: str, payload: MemberPatch) -> Any:
    member = selectors.member_get(
        actor=request.user, member_no=member_no, permission="members.change"
    )
    values = payload.dict(exclude_unset=True)
    return services.member_update(by=request.user, member=member, values=values)


@router.post("/{member_no}/transfer", response={201: TransferOut})
def transfer_member(request: HttpRequest, member_no: str, payload: TransferIn) -> Any:
    member = selectors.member_get(
        actor=request.user, member_no=member_no, permission="members.change"
    )
    to_union = org_selectors.union_by_code(code=payload.to_union)
    transfer = services.transfer_request(
        by=request.user, member=member, to_union=to_union, reason=payload.reason
    )
    return Status(201, {"id": str(transfer.public_id), "status": transfer.status})


@router.post("/{member_no}/leave", response=MemberOut)
def leave(request: HttpRequest, member_no: str, payload: LeaveIn) -> Any:
    member = selectors.member_get(
        actor=request.user, member_no=member_no, permission="members.change"
    )
    return services.member_leave(by=request.user, member=member, reason=payload.reason)


@router.post("/{member_no}/reveal/{field}", response=RevealOut)
def reveal(request: HttpRequest, member_no: str, field: str) -> Any:
    member = selectors.member_get(actor=request.user, member_no=member_no)
    return {
        "field": field,
        "value": services.member_reveal(by=request.user, member=member, field_name=field),
    }
