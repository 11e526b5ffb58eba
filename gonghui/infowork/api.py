from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.accounts.models import User
from gonghui.core.api import Paged
from gonghui.core.errors import DomainError, Forbidden
from gonghui.infowork import selectors, services
from gonghui.infowork.models import (
    Category,
    Level,
    OutletKind,
    Placement,
    PublicationStatus,
    SubmissionStatus,
)

router = Router(tags=["infowork"])


def _require_view(request: HttpRequest) -> None:
    if not selectors.can_view(request.user):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))


class OfficerOut(Schema):
    id: UUID
    username: str
    name: str
    union: str
    department: str | None
    active: bool

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_username(obj: Any) -> str:
        return str(obj.user.username)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.user)

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.code if obj.department else None


class OfficerIn(Schema):
    username: str = Field(..., max_length=150)
    union: str = Field(..., max_length=32, description="union code")
    department: str = Field("", max_length=32, description="department code, at the city only")


class SubmissionOut(Schema):
    id: UUID
    title: str
    body: str
    category: Category
    status: SubmissionStatus
    reason: str
    union: str
    department: str | None
    officer: UUID
    submitted_at: datetime
    adopted_at: datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.code if obj.department else None

    @staticmethod
    def resolve_officer(obj: Any) -> UUID:
        return obj.officer.public_id


class SubmissionIn(Schema):
    officer: UUID | None = Field(
        None, description="the caller's officer post; the only one if omitted"
    )
    title: str = Field(..., max_length=120)
    body: str = Field(..., max_length=20000)
    category: Category


class TransitionIn(Schema):
    to: SubmissionStatus
    reason: str = Field("", max_length=300)


class PublicationOut(Schema):
    id: UUID
    submission: UUID
    title: str
    union: str
    department: str | None
    level: Level
    outlet_kind: OutletKind
    outlet_name: str
    published_on: date
    placement: Placement
    link: str
    has_scan: bool
    status: PublicationStatus
    reason: str
    points: Decimal
    points_table: int | None

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_submission(obj: Any) -> UUID:
        return obj.submission.public_id

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.submission.title)

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.code if obj.department else None

    @staticmethod
    def resolve_has_scan(obj: Any) -> bool:
        return bool(obj.scan)

    @staticmethod
    def resolve_points_table(obj: Any) -> int | None:
        return obj.points_table.number if obj.points_table else None


class PublicationIn(Schema):
    submission: UUID
    level: Level
    outlet_kind: OutletKind
    outlet_name: str = Field(..., max_length=80)
    published_on: date
    placement: Placement
    link: str = Field(..., max_length=500, description="evidence; a scan is uploaded on the page")


class VerifyIn(Schema):
    approve: bool
    reason: str = Field("", max_length=300)


class PointsTableOut(Schema):
    id: UUID
    number: int
    effective_from: date
    publication_points: dict[str, dict[str, dict[str, Decimal]]]
    instruction_points: dict[str, Decimal]
    shortfall_penalty: Decimal
    error_penalty: Decimal
    note: str

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id


class PointsTableIn(Schema):
    effective_from: date
    publication_points: dict[str, dict[str, dict[str, Decimal]]] = Field(
        ..., description="level → outlet kind → placement → points"
    )
    instruction_points: dict[str, Decimal] = Field(..., description="level → 批示 bonus")
    shortfall_penalty: Decimal
    error_penalty: Decimal
    note: str = Field("", max_length=200)


class RankingOut(Schema):
    rank: int
    key: str = Field(description="union or department code, or the officer's id")
    label: str
    points: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    pieces: int


class QuotaOut(Schema):
    year: int
    union: str
    department: str | None
    pieces: int
    points: Decimal
    pieces_done: int
    points_done: Decimal
    met: bool
    missing_pieces: int
    penalty: Decimal


class QuotaIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    union: str = Field(..., max_length=32)
    department: str = Field("", max_length=32)
    pieces: int = Field(..., ge=0, le=10000)
    points: Decimal = Field(..., ge=0)


# -- officers --------------------------------------------------------------------------------


@router.get("/officers", response=list[OfficerOut])
@paginate(Paged)
def list_officers(request: HttpRequest) -> Any:
    """信息员 in the caller's scope, active first."""
    return selectors.officer_list(actor=request.user)


@router.post("/officers", response={201: OfficerOut})
def appoint_officer(request: HttpRequest, payload: OfficerIn) -> Any:
    union = selectors.union_by_code(actor=request.user, code=payload.union)
    user = User.objects.filter(username=payload.username).first()
    if user is None:
        raise DomainError("infowork.user_unknown", _("没有这个账号"))
    officer = services.officer_appoint(
        by=request.user,
        user=user,
        union=union,
        department=selectors.department_by_code(payload.department),
    )
    return Status(201, officer)


# -- submissions -----------------------------------------------------------------------------


@router.get("/submissions", response=list[SubmissionOut])
@paginate(Paged)
def list_submissions(
    request: HttpRequest, status: SubmissionStatus | None = None, mine: bool = False
) -> Any:
    """Submissions in the caller's scope, newest first; `mine=true`: the caller's own as 信息员."""
    if mine:
        qs = selectors.my_submissions(user=request.user)
        return qs.filter(status=status) if status else qs
    _require_view(request)
    return selectors.submission_list(actor=request.user, status=status or "")


@router.post("/submissions", response={201: SubmissionOut})
def submit(request: HttpRequest, payload: SubmissionIn) -> Any:
    """An officer submits a piece (photos are added on the page)."""
    posts = selectors.officer_roles(request.user)
    officer = next(
        (p for p in posts if payload.officer is None or p.public_id == payload.officer), None
    )
    if officer is None or (payload.officer is None and len(posts) > 1):
        raise Forbidden("auth.forbidden", _("请指定您的信息员岗位（officer）"))
    return Status(
        201,
        services.submission_submit(
            by=request.user,
            officer=officer,
            title=payload.title,
            body=payload.body,
            category=payload.category,
        ),
    )


@router.get("/submissions/{public_id}", response=SubmissionOut)
def get_submission(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.submission_get(actor=request.user, public_id=public_id)


@router.post("/submissions/{public_id}/transitions", response=SubmissionOut)
def transition(request: HttpRequest, public_id: UUID, payload: TransitionIn) -> Any:
    """Adopt or return (宣教部), resubmit or withdraw (the officer); refused with
    `infowork.transition_invalid` when the state machine does not allow it."""
    submission = selectors.submission_get(actor=request.user, public_id=public_id)
    return services.submission_transition(
        by=request.user, submission=submission, to=payload.to, reason=payload.reason
    )


# -- publications ----------------------------------------------------------------------------


@router.get("/publications", response=list[PublicationOut])
@paginate(Paged)
def list_publications(
    request: HttpRequest, status: PublicationStatus | None = None, year: int | None = None
) -> Any:
    _require_view(request)
    return selectors.publication_list(actor=request.user, status=status or "", year=year)


@router.post("/publications", response={201: PublicationOut})
def record_publication(request: HttpRequest, payload: PublicationIn) -> Any:
    """Record (宣教部) or claim (the officer) a publication of an adopted piece; it scores
    nothing until verified."""
    submission = selectors.submission_get(actor=request.user, public_id=payload.submission)
    return Status(
        201,
        services.publication_record(
            by=request.user,
            submission=submission,
            data=services.PublicationData(
                level=payload.level,
                outlet_kind=payload.outlet_kind,
                outlet_name=payload.outlet_name,
                published_on=payload.published_on,
                placement=payload.placement,
                link=payload.link,
            ),
        ),
    )


@router.post("/publications/{public_id}/verify", response=PublicationOut)
def verify_publication(request: HttpRequest, public_id: UUID, payload: VerifyIn) -> Any:
    publication = selectors.publication_get(actor=request.user, public_id=public_id)
    return services.publication_verify(
        by=request.user, publication=publication, approve=payload.approve, reason=payload.reason
    )


# -- points tables ---------------------------------------------------------------------------


@router.get("/points-tables", response=list[PointsTableOut])
def list_points_tables(request: HttpRequest) -> Any:
    """Every version, the newest effective date first."""
    _require_view(request)
    return list(selectors.points_tables()[:100])


@router.post("/points-tables", response={201: PointsTableOut})
def create_points_table(request: HttpRequest, payload: PointsTableIn) -> Any:
    """A new version; records dated from `effective_from` are rescored with it."""
    return Status(
        201,
        services.points_table_create(
            by=request.user,
            effective_from=payload.effective_from,
            publication_points=payload.publication_points,
            instruction_points=payload.instruction_points,
            shortfall_penalty=payload.shortfall_penalty,
            error_penalty=payload.error_penalty,
            note=payload.note,
        ),
    )


# -- rankings and quotas ---------------------------------------------------------------------


@router.get("/rankings", response=list[RankingOut])
def rankings(
    request: HttpRequest,
    year: int | None = None,
    month: int | None = None,
    kind: Literal["union", "department", "officer"] = "union",
) -> Any:
    """Competition ranking (1, 1, 3) by total = verified points + 批示 − 差错, in the caller's
    scope, for a month or (without `month`) the year."""
    _require_view(request)
    year = year or timezone.localdate().year
    month = month if month and 1 <= month <= 12 else None
    return [
        {
            "rank": rank,
            "key": s.key,
            "label": s.label,
            "points": s.points,
            "bonus": s.bonus,
            "penalty": s.penalty,
            "total": s.total,
            "pieces": s.pieces,
        }
        for rank, s in selectors.standings(actor=request.user, year=year, month=month, kind=kind)
    ]


def _quota_out(row: selectors.QuotaRow) -> dict[str, Any]:
    quota = row.quota
    return {
        "year": quota.year,
        "union": quota.union.code,
        "department": quota.department.code if quota.department else None,
        "pieces": quota.pieces,
        "points": quota.points,
        "pieces_done": row.pieces_done,
        "points_done": row.points_done,
        "met": row.outcome.met,
        "missing_pieces": row.outcome.missing_pieces,
        "penalty": row.outcome.penalty,
    }


@router.get("/quotas", response=list[QuotaOut])
def list_quotas(request: HttpRequest, year: int | None = None) -> Any:
    """The year's quotas with what was achieved, 达标 or the shortfall penalty."""
    _require_view(request)
    year = year or timezone.localdate().year
    return [_quota_out(row) for row in selectors.quota_rows(actor=request.user, year=year)]


@router.put("/quotas", response=QuotaOut)
def set_quota(request: HttpRequest, payload: QuotaIn) -> Any:
    union = selectors.union_by_code(actor=request.user, code=payload.union)
    quota = services.quota_set(
        by=request.user,
        year=payload.year,
        union=union,
        department=selectors.department_by_code(payload.department),
        pieces=payload.pieces,
        points=payload.points,
    )
    return _quota_out(selectors.quota_rows(actor=request.user, year=quota.year, quotas=[quota])[0])
