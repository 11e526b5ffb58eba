"""Reads of 对标找差距: the gap report (own city live from the indicator registry, or entered by
hand, against each benchmark city and the best of them), the trend of an indicator over the
years, problems and their measures, study visits. Benchmarking is the city federation's:
problems and visits are scoped to the caller's subtree like everything else, and the reference
data (cities, indicators, values) is read by whoever holds assessment.view."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gonghui.accounts.scoping import get_scoped, require_perm, scoped
from gonghui.benchmarking import rules
from gonghui.benchmarking.models import (
    BenchmarkCity,
    BenchmarkIndicator,
    CityValue,
    Measure,
    OwnValue,
    Problem,
    Reflection,
    StudyVisit,
    WorkPlan,
)
from gonghui.core import indicators
from gonghui.core.errors import NotFound
from gonghui.followup import rules as followup_rules
from gonghui.orgs.models import Union

VIEW = "assessment.view"

PLATFORM = "platform"
MANUAL = "manual"


def require_view(actor: Any) -> None:
    """Benchmarking is the city federation's cockpit: viewed by whoever holds assessment.view at
    the city (its leaders and its office), not by a county's staff."""
    city = Union.objects.filter(kind="city", parent__isnull=True).values_list("path", flat=True)
    require_perm(actor, VIEW, city.first() or "/")


def cities(*, active_only: bool = True) -> QuerySet[BenchmarkCity]:
    rows = BenchmarkCity.objects.all()
    return rows.filter(active=True) if active_only else rows


def indicator_list(*, active_only: bool = True) -> QuerySet[BenchmarkIndicator]:
    rows = BenchmarkIndicator.objects.all()
    return rows.filter(active=True) if active_only else rows


def indicator_get(*, code: str) -> BenchmarkIndicator:
    indicator = BenchmarkIndicator.objects.filter(code=code).first()
    if indicator is None:
        raise _not_found()
    return indicator


def city_get(*, code: str) -> BenchmarkCity:
    city = BenchmarkCity.objects.filter(code=code).first()
    if city is None:
        raise _not_found()
    return city


def _not_found() -> NotFound:
    from django.utils.translation import gettext as _

    return NotFound("not_found", _("没有找到该记录，或您无权查看"))


def years() -> list[int]:
    """Years with benchmark figures, the latest first."""
    found = set(CityValue.objects.order_by().values_list("year", flat=True).distinct())
    found |= set(OwnValue.objects.order_by().values_list("year", flat=True).distinct())
    return sorted(found, reverse=True)


def default_year() -> int:
    known = years()
    return known[0] if known else timezone.localdate().year


def city_values(*, year: int | None = None) -> QuerySet[CityValue]:
    rows = CityValue.objects.select_related("city", "indicator", "entered_by")
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("indicator__sort_order", "indicator__code", "year", "city__sort_order")


def own_values(*, year: int | None = None) -> QuerySet[OwnValue]:
    rows = OwnValue.objects.select_related("indicator", "entered_by")
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("indicator__sort_order", "indicator__code", "year")


def own_value(
    indicator: BenchmarkIndicator, year: int, manual: dict[tuple[int, int], Decimal]
) -> tuple[Decimal | None, str]:
    """The platform's live figure when the registry has one, else the manual entry."""
    if indicator.registry_code:
        live = indicators.value(indicator.registry_code, indicators.Scope.year(year))
        if live is not None:
            return live, PLATFORM
    found = manual.get((indicator.pk, year))
    return (found, MANUAL) if found is not None else (None, "")


@dataclass
class CityGap:
    city: BenchmarkCity
    value: Decimal | None
    gap: rules.Gap


@dataclass
class GapRow:
    indicator: BenchmarkIndicator
    year: int
    own: Decimal | None
    own_source: str
    cities: list[CityGap]
    best: Decimal | None
    best_gap: rules.Gap
    previous_best_gap: rules.Gap
    measures: int = 0
    closed: int = 0
    overdue: int = 0
    problems: int = 0
    state: str = rules.NO_MEASURES

    @property
    def relative_change(self) -> Decimal | None:
        """How the relative gap to the best moved since the year before (negative: narrower)."""
        return rules.trend(
            [(self.year - 1, self.previous_best_gap.relative), (self.year, self.best_gap.relative)]
        )


@dataclass
class GapReport:
    year: int
    cities: list[BenchmarkCity]
    rows: list[GapRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        states = [row.state for row in self.rows]
        return {
            "indicators": len(self.rows),
            "behind": sum(1 for row in self.rows if row.best_gap.behind),
            "without_measures": states.count(rules.NO_MEASURES),
            "overdue": states.count(rules.OVERDUE),
            "closed": states.count(rules.CLOSED),
        }


def measure_counts(
    *, actor: Any, year: int, today: date | None = None
) -> dict[int, dict[str, int]]:
    """Per indicator: problems, measures (not cancelled), closed ones and overdue ones."""
    today = today or timezone.localdate()
    live = Q(item__status__in=followup_rules.LIVE)
    measures = (
        scoped(Measure.objects.all(), actor, VIEW)
        .filter(problem__year=year)
        .exclude(item__status=followup_rules.CANCELLED)
        .values("problem__indicator_id")
        .annotate(
            measures=Count("id"),
            closed=Count("id", filter=Q(item__status=followup_rules.CLOSED)),
            overdue=Count("id", filter=live & Q(item__deadline__lt=today)),
        )
    )
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"measures": 0, "closed": 0, "overdue": 0, "problems": 0}
    )
    for row in measures:
        counts[row["problem__indicator_id"]].update(
            measures=row["measures"], closed=row["closed"], overdue=row["overdue"]
        )
    problems = (
        scoped(Problem.objects.all(), actor, VIEW)
        .filter(year=year)
        .values("indicator_id")
        .annotate(n=Count("id"))
    )
    for problem_row in problems:
        counts[problem_row["indicator_id"]]["problems"] = problem_row["n"]
    return counts


def gap_report(*, actor: Any, year: int, today: date | None = None) -> GapReport:
    """Every active indicator's gaps for `year`, the biggest relative gap to the best city first.
    A constant number of queries (plus what the registry's figures cost)."""
    require_view(actor)
    city_rows = list(cities())
    report = GapReport(year=year, cities=city_rows)
    values: dict[tuple[int, int, int], Decimal] = {
        (v.indicator_id, v.city_id, v.year): v.value
        for v in CityValue.objects.filter(year__in=[year - 1, year], city__active=True)
    }
    manual: dict[tuple[int, int], Decimal] = {
        (v.indicator_id, v.year): v.value
        for v in OwnValue.objects.filter(year__in=[year - 1, year])
    }
    counts = measure_counts(actor=actor, year=year, today=today)
    for indicator in indicator_list():
        higher = indicator.higher_is_better
        own, source = own_value(indicator, year, manual)
        previous_own, _source = own_value(indicator, year - 1, manual)
        benchmark, gap = _best_gap(values, indicator, city_rows, year, own)
        _previous, previous_gap = _best_gap(values, indicator, city_rows, year - 1, previous_own)
        count = counts.get(indicator.pk, {"measures": 0, "closed": 0, "overdue": 0, "problems": 0})
        report.rows.append(
            GapRow(
                indicator=indicator,
                year=year,
                own=own,
                own_source=source,
                cities=[
                    CityGap(
                        city,
                        values.get((indicator.pk, city.pk, year)),
                        rules.gap(
                            own, values.get((indicator.pk, city.pk, year)), higher_is_better=higher
                        ),
                    )
                    for city in city_rows
                ],
                best=benchmark,
                best_gap=gap,
                previous_best_gap=previous_gap,
                state=rules.chain_state(
                    behind=gap.behind,
                    measures=count["measures"],
                    closed=count["closed"],
                    overdue=count["overdue"],
                ),
                **count,
            )
        )
    report.rows.sort(key=lambda row: rules.sort_key(row.best_gap.relative))
    return report


def _best_gap(
    values: dict[tuple[int, int, int], Decimal],
    indicator: BenchmarkIndicator,
    city_rows: list[BenchmarkCity],
    year: int,
    own: Decimal | None,
) -> tuple[Decimal | None, rules.Gap]:
    higher = indicator.higher_is_better
    benchmark = rules.best(
        (values.get((indicator.pk, c.pk, year)) for c in city_rows), higher_is_better=higher
    )
    return benchmark, rules.gap(own, benchmark, higher_is_better=higher)


@dataclass
class Trend:
    years: list[int]
    own: list[Decimal | None]
    cities: list[tuple[BenchmarkCity, list[Decimal | None]]]


def indicator_trend(*, actor: Any, indicator: BenchmarkIndicator) -> Trend:
    require_view(actor)
    rows = list(CityValue.objects.filter(indicator=indicator, city__active=True))
    manual = {(indicator.pk, v.year): v.value for v in OwnValue.objects.filter(indicator=indicator)}
    known_years = sorted({v.year for v in rows} | {year for _pk, year in manual})
    by_city: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for v in rows:
        by_city[v.city_id][v.year] = v.value
    return Trend(
        years=known_years,
        own=[own_value(indicator, year, manual)[0] for year in known_years],
        cities=[(city, [by_city[city.pk].get(year) for year in known_years]) for city in cities()],
    )


def problem_list(
    *, actor: Any, indicator: BenchmarkIndicator | None = None, year: int | None = None
) -> QuerySet[Problem]:
    rows = scoped(Problem.objects.all(), actor, VIEW).select_related(
        "indicator", "department", "union"
    )
    if indicator is not None:
        rows = rows.filter(indicator=indicator)
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("-year", "indicator__sort_order", "id")


def problem_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> Problem:
    return get_scoped(
        Problem.objects.select_related("indicator", "department", "union"),
        actor,
        permission,
        public_id=public_id,
    )


def measures_of(problems: Any) -> dict[int, list[Measure]]:
    """Measures of the given problems with their items, grouped by problem (one query)."""
    grouped: dict[int, list[Measure]] = defaultdict(list)
    for measure in Measure.objects.filter(problem__in=problems).select_related(
        "item__owner", "item__department"
    ):
        grouped[measure.problem_id].append(measure)
    return grouped


def visit_list(*, actor: Any) -> QuerySet[StudyVisit]:
    return (
        scoped(StudyVisit.objects.all(), actor, VIEW)
        .select_related("city")
        .annotate(
            participant_count=Count("participants", distinct=True),
            reflection_count=Count("reflections", distinct=True),
        )
        .order_by("-starts_on", "-id")
    )


def visit_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> StudyVisit:
    """Participants reach their visit (to write their reflection) even without the program."""
    base = StudyVisit.objects.select_related("city", "union")
    if permission == VIEW:
        own = base.filter(public_id=public_id, participants=getattr(actor, "pk", None)).first()
        if own is not None:
            return own
    return get_scoped(base, actor, permission, public_id=public_id)


def reflections_of(visit: StudyVisit) -> QuerySet[Reflection]:
    return visit.reflections.select_related("author").order_by("submitted_at", "id")


def plan_list() -> QuerySet[WorkPlan]:
    return WorkPlan.objects.annotate(item_count=Count("items")).order_by("-year")


def plan_get(*, year: int) -> WorkPlan:
    plan = WorkPlan.objects.filter(year=year).first()
    if plan is None:
        raise _not_found()
    return plan
