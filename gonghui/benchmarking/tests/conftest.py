"""Two benchmark cities and three indicators over 2025 and 2026: one computed live by a
(test) registry function, one entered by hand, one where lower is better. olga (city 办公室)
runs benchmarking; sam (city 保障部) owns measures; carol (county A) and bob are outsiders to
the city's problems."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benchmarking import services
from gonghui.benchmarking.models import BenchmarkIndicator, Problem
from gonghui.conftest import make_user
from gonghui.core import indicators
from gonghui.orgs.models import Department, Union

TODAY = date(2026, 11, 27)
LIVE = {2026: Decimal("80")}  # the platform's figure for the live indicator (2025: no data)


@pytest.fixture
def today(monkeypatch: Any) -> date:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def live_indicator(monkeypatch: Any) -> str:
    indicators.autodiscover()
    code = "test.live_rate"
    monkeypatch.setitem(
        indicators._REGISTRY,
        code,
        indicators.Indicator(
            code=code,
            program="test",
            label="测试指标",
            unit="%",
            compute=lambda scope: LIVE.get(scope.starts_on.year),
        ),
    )
    return code


@pytest.fixture
def olga(tree: dict[str, Union]) -> User:
    return make_user("olga", assignments=[(tree["city"], "dept_staff", "office")])


@pytest.fixture
def sam(tree: dict[str, Union]) -> User:
    return make_user("sam", assignments=[(tree["city"], "dept_staff", "security")])


@pytest.fixture
def figures(olga: User, live_indicator: str, today: date) -> dict[str, BenchmarkIndicator]:
    """rate (live, higher better), stations (manual, higher better), days (manual, lower
    better); Yangzhou and Xuchang."""
    yz = services.city_save(by=olga, code="yangzhou", name="扬州", sort_order=0)
    xc = services.city_save(by=olga, code="xuchang", name="许昌", sort_order=1)
    made = {
        "rate": services.indicator_save(
            by=olga, code="rate", name="参保率", unit="%", registry_code=live_indicator
        ),
        "stations": services.indicator_save(by=olga, code="stations", name="服务站点", unit="个"),
        "days": services.indicator_save(
            by=olga, code="days", name="办结天数", unit="天", higher_is_better=False
        ),
    }
    table = {
        # indicator: (own 2025, own 2026, Yangzhou 2025, 2026, Xuchang 2025, 2026)
        "rate": ("70", "99", "90", "100", "85", "95"),
        "stations": ("100", "150", "200", "300", "150", "180"),
        "days": ("20", "14", "10", "12", "12", "10"),
    }
    for code, (own25, own26, yz25, yz26, xc25, xc26) in table.items():
        for year, own, y, x in ((2025, own25, yz25, xc25), (2026, own26, yz26, xc26)):
            services.own_value_set(
                by=olga,
                indicator=made[code],
                year=year,
                value=Decimal(own),
                source="测试",
                source_date=today,
            )
            for city, value in ((yz, y), (xc, x)):
                services.city_value_set(
                    by=olga,
                    city=city,
                    indicator=made[code],
                    year=year,
                    value=Decimal(value),
                    source="测试",
                    source_date=today,
                )
    return made


@pytest.fixture
def problem(olga: User, figures: dict[str, BenchmarkIndicator]) -> Problem:
    return services.problem_create(
        by=olga,
        indicator=figures["stations"],
        year=2026,
        text="站点建设慢",
        department=Department.objects.get(code="production"),
    )
