from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Paged
from gonghui.core.errors import NotFound
from gonghui.members.selectors import member_of_account
from gonghui.modelworkers import rules, selectors, services
from gonghui.modelworkers.models import Invitation, Level, LineState, WorkerStatus

router = Router(tags=["model-workers"])


class HonourOut(Schema):
    id: UUID
    title: str
    level: str
    year: int
    unit: str
    revoked_on: date | None

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id


class ModelWorkerOut(Schema):
    id: UUID = Field(description="public id of the registry entry")
    member_no: str
    name: str
    union: str = Field(description="code of the member's union")
    level: str = Field(description="highest level among the honours in force")
    award_year: int
    status: str
    status_since: date | None
    registered: bool
    hardship: bool = Field(description="the member is flagged 困难职工 (困难劳模)")

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
    def resolve_hardship(obj: Any) -> bool:
        return bool(obj.member.is_hardship)


class ModelWorkerDetailOut(ModelWorkerOut):
    honours: list[HonourOut]

    @staticmethod
    def resolve_honours(obj: Any) -> list[Any]:
        return list(selectors.honours_of(obj))


class BatchOut(Schema):
    id: UUID
    month: date
    status: str
    policy_year: int
    approved_at: datetime | None
    sent_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_policy_year(obj: Any) -> int:
        return int(obj.policy.year)


class LineOut(Schema):
    reference: str
    member_no: str
    name: str
    union: str
    for_month: date
    level: str
    status: str
    hardship: bool
    amount_fen: int
    state: str
    reason: str

    @staticmethod
    def resolve_member_no(obj: Any) -> str:
        return str(obj.model_worker.member.member_no)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.model_worker.member.name)

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)


class TripOut(Schema):
    id: UUID
    name: str = Field(description="the trip's title, or its destination when it has none")
    destination: str
    starts_on: date
    ends_on: date
    answer_by: date = Field(description="last day to answer an invitation (rules.reply_deadline)")
    quota: int
    union: str
    cancelled: bool
    cancel_reason: str

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.name)

    @staticmethod
    def resolve_answer_by(obj: Any) -> date:
        return obj.deadline  # type: ignore[no-any-return]

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)


class CancelIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class MyInvitationOut(Schema):
    id: UUID
    trip: TripOut
    state: str
    reason: str = Field(description="the reason given when declining")
    answered_at: datetime | None
    can_answer: list[str] = Field(
        description="answers still possible on the phone: accept and/or decline"
    )

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_can_answer(obj: Any) -> list[str]:
        open_answers = rules.member_answers(
            state=obj.state,
            deadline=obj.trip.deadline,
            today=timezone.localdate(),
            cancelled=obj.trip.cancelled,
        )
        return [{"accepted": "accept", "declined": "decline"}[to] for to in open_answers]


class AnswerIn(Schema):
    answer: Literal["accept", "decline"]
    reason: str = Field("", max_length=200, description="optional, when declining")


class InvitationOut(Schema):
    id: UUID
    position: int
    member_no: str
    name: str
    state: str

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_member_no(obj: Any) -> str:
        return str(obj.model_worker.member.member_no)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.model_worker.member.name)


class LectureOut(Schema):
    id: UUID
    title: str
    speaker: str = Field(description="the speaker's name")
    starts_at: datetime
    place: str
    capacity: int
    signed_up: int
    cancelled: bool
    cancel_reason: str
    cancelled_at: datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_speaker(obj: Any) -> str:
        return str(obj.speaker.member.name)


class LectureCancelledOut(Schema):
    lecture: LectureOut
    signups_cancelled: int


class SignUpOut(Schema):
    lecture: UUID
    active: bool
    signed_at: datetime

    @staticmethod
    def resolve_lecture(obj: Any) -> UUID:
        return obj.lecture.public_id


@router.get("/registry", response=list[ModelWorkerOut])
@paginate(Paged)
def list_registry(
    request: HttpRequest,
    level: Level | None = None,
    status: WorkerStatus | None = None,
    q: str = "",
) -> Any:
    """Model workers in the caller's scope, by member number."""
    return selectors.registry(
        actor=request.user, level=level or "", status=status or "", query=q[:40]
    )


@router.get("/registry/{public_id}", response=ModelWorkerDetailOut)
def get_model_worker(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.model_worker_get(actor=request.user, public_id=public_id)


@router.get("/allowance-batches", response=list[BatchOut])
@paginate(Paged)
def list_batches(request: HttpRequest) -> Any:
    """Monthly allowance batches, the newest first."""
    return selectors.batch_list(actor=request.user).select_related("policy")


@router.get("/allowance-batches/{public_id}/lines", response=list[LineOut])
@paginate(Paged)
def list_batch_lines(request: HttpRequest, public_id: UUID, state: LineState | None = None) -> Any:
    """The batch's lines for the model workers in the caller's scope."""
    batch = selectors.batch_get(actor=request.user, public_id=public_id)
    return selectors.batch_lines(actor=request.user, batch=batch, state=state or "")


@router.get("/trips", response=list[TripOut])
@paginate(Paged)
def list_trips(request: HttpRequest) -> Any:
    return selectors.trip_list(actor=request.user)


@router.get("/trips/{public_id}/invitations", response=list[InvitationOut])
def list_invitations(request: HttpRequest, public_id: UUID) -> Any:
    trip = selectors.trip_get(actor=request.user, public_id=public_id)
    return list(selectors.invitations_of(trip))


@router.post("/trips/{public_id}/invitations", response=list[InvitationOut])
def invite(request: HttpRequest, public_id: UUID) -> Any:
    """Invite the head of the rotation queue into the trip's free places."""
    trip = selectors.trip_get(actor=request.user, public_id=public_id, permission=selectors.CHANGE)
    return services.trip_invite(by=request.user, trip=trip)


@router.post("/trips/{public_id}/cancel", response=TripOut)
def cancel_trip(request: HttpRequest, public_id: UUID, payload: CancelIn) -> Any:
    """Call a trip off before it starts (`modelworkers.trip.started` after); no more
    invitations or answers."""
    trip = selectors.trip_get(actor=request.user, public_id=public_id, permission=selectors.CHANGE)
    return services.trip_cancel(by=request.user, trip=trip, reason=payload.reason)


def _my_invitation(request: HttpRequest, public_id: UUID) -> Any:
    member = member_of_account(request.user)
    invitation = selectors.invitation_for_member(member, public_id) if member is not None else None
    if invitation is None:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看"))
    return invitation


@router.get("/my-invitations", response=list[MyInvitationOut])
@paginate(Paged)
def list_my_invitations(request: HttpRequest) -> Any:
    """For a model worker: their invitations to 疗休养 trips not yet over."""
    member = member_of_account(request.user)
    if member is None:
        return Invitation.objects.none()
    return selectors.invitations_of_member(member)


@router.post("/my-invitations/{public_id}/answer", response=MyInvitationOut)
def answer_invitation(request: HttpRequest, public_id: UUID, payload: AnswerIn) -> Any:
    """The invited model worker accepts or declines (reason optional) until the answer
    deadline (`modelworkers.invitation.deadline_passed`); a cancelled trip answers
    `modelworkers.trip.cancelled`. Anyone else's invitation is 404."""
    invitation = _my_invitation(request, public_id)
    services.invitation_answer(
        by=request.user,
        invitation=invitation,
        accept=payload.answer == "accept",
        reason=payload.reason,
    )
    return _my_invitation(request, public_id)


@router.get("/lectures", response=list[LectureOut])
@paginate(Paged)
def list_lectures(request: HttpRequest) -> Any:
    """For staff: the lectures of the unions in their scope. For a member: the upcoming
    lectures open to them."""
    member = member_of_account(request.user)
    if member is not None:
        return selectors.lectures_for_member(member)
    return selectors.lecture_list(actor=request.user)


def _member_lecture(request: HttpRequest, public_id: UUID) -> tuple[Any, Any]:
    member = member_of_account(request.user)
    lecture = selectors.lecture_for_member(member, public_id) if member is not None else None
    if lecture is None:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看"))
    return member, lecture


@router.post("/lectures/{public_id}/sign-up", response={201: SignUpOut})
def sign_up(request: HttpRequest, public_id: UUID) -> Any:
    """The member signs up (409 `modelworkers.lecture.signed` when already signed up,
    `modelworkers.lecture.full` when no place is left)."""
    member, lecture = _member_lecture(request, public_id)
    return Status(201, services.lecture_sign_up(by=request.user, lecture=lecture, member=member))


@router.post("/lectures/{public_id}/cancel", response=LectureCancelledOut)
def cancel_lecture(request: HttpRequest, public_id: UUID, payload: CancelIn) -> Any:
    """Call the whole session off before it starts (`modelworkers.lecture.took_place` after):
    every sign-up is cancelled with it."""
    lecture = selectors.lecture_get(
        actor=request.user, public_id=public_id, permission=selectors.CHANGE
    )
    count = services.lecture_cancel(by=request.user, lecture=lecture, reason=payload.reason)
    return {
        "lecture": selectors.lecture_get(actor=request.user, public_id=public_id),
        "signups_cancelled": count,
    }


@router.delete("/lectures/{public_id}/sign-up", response=SignUpOut)
def cancel_sign_up(request: HttpRequest, public_id: UUID) -> Any:
    member, lecture = _member_lecture(request, public_id)
    return services.lecture_sign_up_cancel(by=request.user, lecture=lecture, member=member)
