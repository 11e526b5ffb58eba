from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gonghui.core.api import MaskedPersonOut, Paged
from gonghui.joining import selectors, services
from gonghui.joining.models import ApplicationStatus

router = Router(tags=["joining"])


class ApplicationOut(MaskedPersonOut):
    id: UUID = Field(description="public id of the application")
    application_no: str
    name: str
    category: str
    employer_name: str
    status: str
    reason: str
    consent_version: str
    consented_at: datetime
    submitted_at: datetime
    deadline: date
    days_left: int = Field(description="calendar days to the deadline; negative when overdue")
    decided_at: datetime | None
    member_no: str | None

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_member_no(obj: Any) -> str | None:
        return obj.member.member_no if obj.member_id else None


class RejectIn(Schema):
    reason: str = Field("", max_length=200)


@router.get("", response=list[ApplicationOut])
@paginate(Paged)
def list_applications(request: HttpRequest, status: ApplicationStatus | None = None) -> Any:
    """Applications to the unions in the caller's scope (all statuses unless `status` is
    given), the nearest deadline first."""
    return selectors.application_list(actor=request.user, status=status or "")


@router.get("/{public_id}", response=ApplicationOut)
def get_application(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.application_get(actor=request.user, public_id=public_id)


@router.post("/{public_id}/accept", response=ApplicationOut)
def accept(request: HttpRequest, public_id: UUID) -> Any:
    application = selectors.application_get(
        actor=request.user, public_id=public_id, permission="members.change"
    )
    return services.application_accept(by=request.user, application=application)


@router.post("/{public_id}/reject", response=ApplicationOut)
def reject(request: HttpRequest, public_id: UUID, payload: RejectIn) -> Any:
    application = selectors.application_get(
        actor=request.user, public_id=public_id, permission="members.change"
    )
    return services.application_reject(
        by=request.user, application=application, reason=payload.reason
    )
