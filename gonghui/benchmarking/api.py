from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.benchmarking import selectors, services
from gonghui.core.api import Paged
from gonghui.core.errors import DomainError
from gonghui.followup.api import ItemOut
from gonghui.followup.forms import staff_user
from gonghui.followup.models import Priority
from gonghui.orgs.models import Department

router = Router(tags=["benchmarking"])

CODE = r"^[a-z0-9][a-z0-9_.-]{0,39}$"


class CityOut(Schema):
    code: str
    name: str
    province: str
    note: str
    active: bool


class CityIn(Schema):
    code: str = Field(..., pattern=CODE)
    name: str = Field(..., min_length=1, max_length=40)
    province: str = Field("", max_length=20)
    note: str = Field("", max_length=200)


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    higher_is_better: bool
    registry_code: str
    note: str
    active: bool


class IndicatorIn(Schema):
    code: str = Field(..., pattern=CODE)
    name: str = Field(..., min_length=1, max_length=80)
    unit: str = Field("", max_length=16)
    higher_is_better: bool = True
    registry_code: str = Field("", max_length=60)
    note: str = Field("", max_length=300)


class ValueOut(Schema):
    city: str = Field(description="city code; empty for the own city's manual figure")
    indicator: str
    year: int
    value: Decimal
    source: str
    source_date: date

    @staticmethod
    def resolve_city(obj: Any) -> str:
        return obj.city.code if hasattr(obj, "city") else ""

    @staticmethod
    def resolve_indicator(obj: Any) -> str:
        return str(obj.indicator.code)


class ValueIn(Schema):
    city: str = Field("", description="city code; empty for the own city's manual figure")
    indicator: str
    year: int = Field(..., ge=2000, le=2099)
    value: Decimal = Field(..., max_digits=18, decimal_places=4)
    source: str = Field(..., min_length=1, max_length=200)
    source_date: date


class GapOut(Schema):
    absolute: Decimal | None
    relative: Decimal | None = Field(description="percent of the benchmark's value")


class CityGapOut(Schema):
    city: str
    value: Decimal | None
    gap: GapOut


class GapRowOut(Schema):
    indicator: str
    name: str
    unit: str
    higher_is_better: bool
    own: Decimal | None
    own_source: str = Field(description="platform, manual, or empty (no data)")
    cities: list[CityGapOut]
    best: Decimal | None
    best_gap: GapOut
    relative_change: Decimal | None = Field(
        description="change of the relative gap since last year"
    )
    problems: int
    measures: int
    overdue: int
    closed: int
    state: str = Field(description="none, in_progress, overdue, closed or ahead")


class GapReportOut(Schema):
    year: int
    rows: list[GapRowOut]


class ProblemOut(Schema):
    id: UUID
    indicator: str
    year: int
    text: str
    department: str
    created_at: datetime

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_indicator(obj: Any) -> str:
        return str(obj.indicator.code)

    @staticmethod
    def resolve_department(obj: Any) -> str:
        return str(obj.department.code)


class ProblemIn(Schema):
    indicator: str
    year: int = Field(..., ge=2000, le=2099)
    text: str = Field(..., min_length=1, max_length=5000)
    department: str


class MeasureOut(Schema):
    id: UUID
    problem: UUID
    expected_effect: str
    item: ItemOut

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_problem(obj: Any) -> UUID:
        return obj.problem.public_id


class MeasureIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    expected_effect: str = Field(..., min_length=1, max_length=300)
    owner: str
    deadline: date
    department: str = ""
    priority: Priority = Priority.NORMAL


class ReflectionOut(Schema):
    author: str
    text: str
    submitted_at: datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author.username)


class VisitOut(Schema):
    id: UUID
    city: str
    title: str
    starts_on: date
    ends_on: date
    participants: list[str]

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_city(obj: Any) -> str:
        return str(obj.city.code)

    @staticmethod
    def resolve_participants(obj: Any) -> list[str]:
        return [u.username for u in obj.participants.all()]


class VisitDetailOut(VisitOut):
    reflections: list[ReflectionOut]

    @staticmethod
    def resolve_reflections(obj: Any) -> list[Any]:
        return list(selectors.reflections_of(obj))


class ReflectionIn(Schema):
    text: str = Field(..., min_length=1, max_length=20000)


def _department(code: str) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise DomainError("benchmarking.department_invalid", _("没有这个部门"))
    return department


@router.get("/cities", response=list[CityOut])
def list_cities(request: HttpRequest) -> Any:
    selectors.require_view(request.user)
    return list(selectors.cities(active_only=False))


@router.post("/cities", response={201: CityOut})
def save_city(request: HttpRequest, payload: CityIn) -> Any:
    return Status(201, services.city_save(by=request.user, **payload.dict()))


@router.get("/indicators", response=list[IndicatorOut])
def list_indicators(request: HttpRequest) -> Any:
    selectors.require_view(request.user)
    return list(selectors.indicator_list(active_only=False))


@router.post("/indicators", response={201: IndicatorOut})
def save_indicator(request: HttpRequest, payload: IndicatorIn) -> Any:
    return Status(201, services.indicator_save(by=request.user, **payload.dict()))


@router.get("/values", response=list[ValueOut])
@paginate(Paged)
def list_values(request: HttpRequest, year: int | None = None) -> Any:
    """Benchmark cities' figures (`city` set); the own city's manual ones via /own-values."""
    selectors.require_view(request.user)
    return selectors.city_values(year=year)


@router.get("/own-values", response=list[ValueOut])
@paginate(Paged)
def list_own_values(request: HttpRequest, year: int | None = None) -> Any:
    selectors.require_view(request.user)
    return selectors.own_values(year=year)


@router.post("/values", response={201: ValueOut})
def set_value(request: HttpRequest, payload: ValueIn) -> Any:
    """A figure for a year with its source; without `city` the own city's manual figure. The
    same city, indicator and year again replaces the figure."""
    indicator = selectors.indicator_get(code=payload.indicator)
    figure: dict[str, Any] = {
        "by": request.user,
        "indicator": indicator,
        "year": payload.year,
        "value": payload.value,
        "source": payload.source,
        "source_date": payload.source_date,
    }
    if payload.city:
        city = selectors.city_get(code=payload.city)
        return Status(201, services.city_value_set(city=city, **figure))
    return Status(201, services.own_value_set(**figure))


@router.get("/gaps", response=GapReportOut)
def gap_report(request: HttpRequest, year: int | None = None) -> Any:
    """Every indicator's gaps for the year (the latest with figures by default), the biggest
    relative gap to the best city first; null where there is no data (never zero)."""
    report = selectors.gap_report(actor=request.user, year=year or selectors.default_year())
    return {
        "year": report.year,
        "rows": [
            {
                "indicator": row.indicator.code,
                "name": row.indicator.name,
                "unit": row.indicator.unit,
                "higher_is_better": row.indicator.higher_is_better,
                "own": row.own,
                "own_source": row.own_source,
                "cities": [
                    {"city": c.city.code, "value": c.value, "gap": c.gap} for c in row.cities
                ],
                "best": row.best,
                "best_gap": row.best_gap,
                "relative_change": row.relative_change,
                "problems": row.problems,
                "measures": row.measures,
                "overdue": row.overdue,
                "closed": row.closed,
                "state": row.state,
            }
            for row in report.rows
        ],
    }


@router.get("/problems", response=list[ProblemOut])
@paginate(Paged)
def list_problems(request: HttpRequest, indicator: str = "", year: int | None = None) -> Any:
    return selectors.problem_list(
        actor=request.user,
        indicator=selectors.indicator_get(code=indicator) if indicator else None,
        year=year,
    )


@router.post("/problems", response={201: ProblemOut})
def create_problem(request: HttpRequest, payload: ProblemIn) -> Any:
    department = _department(payload.department)
    if department is None:
        raise DomainError("benchmarking.department_invalid", _("没有这个部门"))
    problem = services.problem_create(
        by=request.user,
        indicator=selectors.indicator_get(code=payload.indicator),
        year=payload.year,
        text=payload.text,
        department=department,
    )
    return Status(201, problem)


@router.get("/problems/{public_id}/measures", response=list[MeasureOut])
def list_measures(request: HttpRequest, public_id: UUID) -> Any:
    problem = selectors.problem_get(actor=request.user, public_id=public_id)
    return selectors.measures_of([problem]).get(problem.pk, [])


@router.post("/problems/{public_id}/measures", response={201: MeasureOut})
def create_measure(request: HttpRequest, public_id: UUID, payload: MeasureIn) -> Any:
    """定措施: the measure is a 督办 action item (progress and closure under /actions/items)."""
    problem = selectors.problem_get(
        actor=request.user, public_id=public_id, permission="assessment.change"
    )
    owner = staff_user(payload.owner)
    if owner is None:
        raise DomainError("followup.owner_invalid", _("责任人须是在用的工作人员账号"))
    measure = services.measure_create(
        by=request.user,
        problem=problem,
        title=payload.title,
        owner=owner,
        deadline=payload.deadline,
        expected_effect=payload.expected_effect,
        department=_department(payload.department),
        priority=payload.priority,
    )
    return Status(201, measure)


@router.get("/visits", response=list[VisitOut])
@paginate(Paged)
def list_visits(request: HttpRequest) -> Any:
    return selectors.visit_list(actor=request.user).prefetch_related("participants")


@router.get("/visits/{public_id}", response=VisitDetailOut)
def get_visit(request: HttpRequest, public_id: UUID) -> Any:
    return selectors.visit_get(actor=request.user, public_id=public_id)


@router.post("/visits/{public_id}/reflections", response={201: ReflectionOut})
def submit_reflection(request: HttpRequest, public_id: UUID, payload: ReflectionIn) -> Any:
    """The caller's own 心得体会 (participants only; again replaces it)."""
    visit = selectors.visit_get(actor=request.user, public_id=public_id)
    return Status(201, services.reflection_submit(by=request.user, visit=visit, text=payload.text))
