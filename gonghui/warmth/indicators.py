"""送温暖 figures for target assessment."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from gonghui.core.indicators import Indicator, Scope, register
from gonghui.warmth import rules, selectors

PROGRAM = "hardship"


def completion_rate(scope: Scope) -> Decimal | None:
    """Share of the people listed (not removed) in campaigns ending in the period who received
    their visit, in the scope's subtree; None when nobody was listed."""
    if scope.department is not None:
        from gonghui.orgs.models import Department

        programs = Department.objects.filter(code=scope.department).values_list(
            "programs", flat=True
        )
        if not any(PROGRAM in (p or []) for p in programs):
            return None
    figures = selectors.completion_in(
        starts_on=scope.starts_on, ends_on=scope.ends_on, union_path=scope.union_path
    )
    if figures is None:
        return None
    listed, delivered = figures
    return rules.percent(delivered, listed)


register(
    Indicator(
        code="warmth.completion_rate",
        program=PROGRAM,
        label=_("送温暖完成率"),
        unit="%",
        compute=completion_rate,
        description=_("期内结束的送温暖活动中，名单上（不含移出）已发放的人数占比"),
    )
)
