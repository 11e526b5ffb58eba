"""ECharts options for the cockpit, passed to the page with `json_script` (no inline scripts).
Figures go as strings of their Decimal value; ECharts reads numeric strings as numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from gonghui.benchmarking import rules
from gonghui.benchmarking.selectors import GapReport, Trend

STATE_COLOURS = {
    rules.NO_MEASURES: "#98a2b3",
    rules.IN_PROGRESS: "#f79009",
    rules.OVERDUE: "#d92d20",
    rules.CLOSED: "#12b76a",
    rules.AHEAD: "#2e90fa",
}


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def gap_bars(report: GapReport) -> dict[str, Any]:
    """Relative gap to the best benchmark city per indicator, biggest first, coloured by the state
    of its measures."""
    rows = [row for row in report.rows if row.best_gap.relative is not None]
    return {
        "grid": {"left": 8, "right": 48, "top": 8, "bottom": 28, "containLabel": True},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {
            "type": "value",
            "name": _("相对差距（%）"),
            "nameLocation": "middle",
            "nameGap": 26,
        },
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [row.indicator.name for row in rows],
            "axisLabel": {"width": 140, "overflow": "truncate"},
        },
        "series": [
            {
                "type": "bar",
                "name": _("与最优城市的相对差距"),
                "data": [
                    {
                        "value": _number(row.best_gap.relative),
                        "itemStyle": {"color": STATE_COLOURS[row.state]},
                    }
                    for row in rows
                ],
                "barMaxWidth": 28,
                "label": {"show": True, "position": "right", "formatter": "{c}%"},
            }
        ],
    }


def overdue_bars(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "grid": {"left": 8, "right": 24, "top": 16, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [row["name"] or _("未指定部门") for row in rows],
        },
        "series": [
            {
                "type": "bar",
                "name": _("逾期事项"),
                "data": [row["count"] for row in rows],
                "barMaxWidth": 28,
                "itemStyle": {"color": STATE_COLOURS[rules.OVERDUE]},
                "label": {"show": True, "position": "right"},
            }
        ],
    }


def trend_lines(trend: Trend, own_label: str) -> dict[str, Any]:
    series = [
        {
            "type": "line",
            "name": own_label,
            "data": [_number(v) for v in trend.own],
            "lineStyle": {"width": 3},
            "connectNulls": True,
        }
    ] + [
        {
            "type": "line",
            "name": city.name,
            "data": [_number(v) for v in values],
            "connectNulls": True,
        }
        for city, values in trend.cities
    ]
    return {
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": [str(year) for year in trend.years]},
        "yAxis": {"type": "value", "scale": True},
        "series": series,
    }
