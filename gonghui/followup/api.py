from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Paged
from gonghui.core.errors import DomainError
from gonghui.followup import selectors, services
from gonghui.followup.forms import staff_user
from gonghui.followup.models import ItemStatus, MeetingKind, Priority
from gonghui.orgs.models import Department, Union

router = Router(tags=["followup"])

VIEW, CHANGE = "assessment.view", "assessment.change"


class ItemOut(Schema):
    id: UUID
    title: str
    description: str
    owner: str = Field(description="the owner's login name")
    department: str = Field(description="department code, empty when none")
    union: str = Field(description="union code the item belongs to")
    deadline: date
    priority: Priority
    status: ItemStatus
    progress_percent: int
    overdue: bool
    source_kind: str
    source_ref: str
    decision: UUID | None
    evidence_text: str
    evidence_link: str
    has_evidence_file: bool
    closed_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj.owner.username)

    @staticmethod
    def resolve_department(obj: Any) -> str:
        return obj.department.code if obj.department_id else ""

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_overdue)

    @staticmethod
    def resolve_decision(obj: Any) -> UUID | None:
        return obj.decision.public_id if obj.decision_id else None

    @staticmethod
    def resolve_has_evidence_file(obj: Any) -> bool:
        return bool(obj.evidence_file)


class ItemIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    owner: str = Field(..., description="the owner's login name (a staff account)")
    deadline: date
    department: str = Field("", description="department code")
    union: str = Field("", description="union code; the top of your scope when empty")
    priority: Priority = Priority.NORMAL
    description: str = Field("", max_length=5000)


class ProgressIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)
    percent: int = Field(..., ge=0, le=99)


class CloseIn(Schema):
    evidence_text: str = Field(..., max_length=5000)
    evidence_link: str = Field("", max_length=500)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class DecisionOut(Schema):
    id: UUID
    number: int
    text: str

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id


class MeetingOut(Schema):
    id: UUID
    kind: MeetingKind
    title: str
    held_on: date
    location: str
    agenda: list[str]
    minutes: str
    attendees: str
    union: str

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_agenda(obj: Any) -> list[str]:
        return list(obj.agenda_items)

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)


class MeetingDetailOut(MeetingOut):
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_decisions(obj: Any) -> list[Any]:
        return list(selectors.decisions_of(obj))


class MeetingIn(Schema):
    kind: MeetingKind
    title: str = Field(..., min_length=1, max_length=120)
    held_on: date
    location: str = Field("", max_length=120)
    agenda: str = Field("", max_length=5000, description="one item a line")
    minutes: str = Field("", max_length=20000)
    attendees: str = Field("", max_length=2000)


class DecisionIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)


class DecisionItemIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    owner: str
    deadline: date
    department: str = ""
    priority: Priority = Priority.NORMAL
    description: str = Field("", max_length=5000)


def _require_view(request: HttpRequest) -> None:
    from gonghui.accounts.scoping import require_perm

    require_perm(request.user, VIEW)


def _owner(username: str) -> Any:
    user = staff_user(username)
    if user is None:
        raise DomainError("followup.owner_invalid", _("责任人须是在用的工作人员账号"))
    return user


def _department(code: str) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise DomainError("followup.department_invalid", _("没有这个部门"))
    return department


def _union(request: HttpRequest, code: str) -> Union | None:
    if not code:
        return None
    from gonghui.accounts.scoping import has_perm

    union = Union.objects.filter(code=code.strip().upper()).first()
    if union is None or not has_perm(request.user, CHANGE, union.path):
        raise DomainError("followup.union_invalid", _("没有找到该工会，或不在您的管辖范围内"))
    return union


@router.get("/items", response=list[ItemOut])
@paginate(Paged)
def list_items(
    request: HttpRequest,
    status: ItemStatus | None = None,
    overdue: bool = False,
    department: str = "",
    mine: bool = False,
) -> Any:
    """Items in the caller's subtree and those they own, deadline first; `overdue=true` keeps
    the live items past their deadline, `mine=true` only the caller's own."""
    if not mine:
        _require_view(request)
    return selectors.item_list(
        actor=request.user,
        status=status or "",
        overdue=overdue,
        department=department,
        mine=mine,
    ).select_related("decision")


@router.post("/items", response={201: ItemOut})
def create_item(request: HttpRequest, payload: ItemIn) -> Any:
    item = services.action_item_create(
        by=request.user,
        title=payload.title,
        owner=_owner(payload.owner),
        deadline=payload.deadline,
        department=_department(payload.department),
        union=_union(request, payload.union),
        priority=payload.priority,
        description=payload.description,
        source_kind="api",
    )
    return Status(201, item)


@router.get("/items/{public_id}", response=ItemOut)
def get_item(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.item_get(actor=request.user, public_id=public_id)


@router.post("/items/{public_id}/progress", response=ItemOut)
def item_progress(request: HttpRequest, public_id: UUID, payload: ProgressIn) -> Any:
    item = selectors.item_get(actor=request.user, public_id=public_id)
    return services.action_item_progress(
        by=request.user, item=item, text=payload.text, percent=payload.percent
    )


@router.post("/items/{public_id}/close", response=ItemOut)
def item_close(request: HttpRequest, public_id: UUID, payload: CloseIn) -> Any:
    """办结 with a written account and a link (a file can be uploaded on the page); refused
    with `followup.evidence_*` without them."""
    item = selectors.item_get(actor=request.user, public_id=public_id)
    return services.action_item_close(
        by=request.user,
        item=item,
        evidence_text=payload.evidence_text,
        evidence_link=payload.evidence_link,
    )


@router.post("/items/{public_id}/cancel", response=ItemOut)
def item_cancel(request: HttpRequest, public_id: UUID, payload: ReasonIn) -> Any:
    item = selectors.item_get(actor=request.user, public_id=public_id, permission=CHANGE)
    return services.action_item_cancel(by=request.user, item=item, reason=payload.reason)


class OverdueOut(Schema):
    code: str = Field(description="department code, empty for items without one")
    name: str
    count: int


@router.get("/overdue-by-department", response=list[OverdueOut])
def overdue_by_department(request: HttpRequest) -> Any:
    _require_view(request)
    return selectors.overdue_by_department(actor=request.user)


@router.get("/meetings", response=list[MeetingOut])
@paginate(Paged)
def list_meetings(request: HttpRequest, kind: MeetingKind | None = None) -> Any:
    _require_view(request)
    return selectors.meeting_list(actor=request.user, kind=kind or "")


@router.post("/meetings", response={201: MeetingDetailOut})
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Any:
    return Status(201, services.meeting_create(by=request.user, **payload.dict()))


@router.get("/meetings/{public_id}", response=MeetingDetailOut)
def get_meeting(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.meeting_get(actor=request.user, public_id=public_id)


@router.post("/meetings/{public_id}/decisions", response={201: DecisionOut})
def add_decision(request: HttpRequest, public_id: UUID, payload: DecisionIn) -> Any:
    meeting = selectors.meeting_get(actor=request.user, public_id=public_id, permission=CHANGE)
    return Status(201, services.decision_add(by=request.user, meeting=meeting, text=payload.text))


@router.post("/decisions/{public_id}/items", response={201: ItemOut})
def decision_item(request: HttpRequest, public_id: UUID, payload: DecisionItemIn) -> Any:
    decision = selectors.decision_get(actor=request.user, public_id=public_id, permission=CHANGE)
    item = services.decision_item_create(
        by=request.user,
        decision=decision,
        title=payload.title,
        owner=_owner(payload.owner),
        deadline=payload.deadline,
        department=_department(payload.department),
        priority=payload.priority,
        description=payload.description,
    )
    return Status(201, item)
