"""The report page's figures as charts (ECharts options, no personal data) and the same
figures as tables for the page and for Excel: files by cause and by district, aid paid by
category and month, and emergency relief apart."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.payouts import yuan_text
from gonghui.hardship import selectors
from gonghui.hardship.models import AidCategory, Cause

REGULAR = [c for c in AidCategory.values if c not in ("emergency", "employment")]


def _months(year: int) -> list[date]:
    return [date(year, m, 1) for m in range(1, 13)]


def _tables(actor: Any, year: int) -> dict[str, tuple[str, list[str], list[list[Any]]]]:
    causes = [[str(Cause(code).label), n] for code, n in selectors.files_by_cause(actor=actor)]
    districts = [[name, n] for name, n in selectors.files_by_district(actor=actor)]
    paid = {
        (month, category): fen
        for month, category, fen in selectors.paid_by_category_month(
            actor=actor, year=year, emergency=False
        )
    }
    emergency = {
        month: fen
        for month, _category, fen in selectors.paid_by_category_month(
            actor=actor, year=year, emergency=True
        )
    }
    paid_rows = [
        [f"{month:%Y-%m}", *[yuan_text(paid.get((month, c), 0)) for c in REGULAR]]
        for month in _months(year)
    ]
    emergency_rows = [
        [f"{month:%Y-%m}", yuan_text(emergency.get(month, 0))] for month in _months(year)
    ]
    return {
        "causes": (_("在档困难职工：按主要致困原因"), [_("主要致困原因"), _("人数")], causes),
        "districts": (_("在档困难职工：按县（市、区）"), [_("县（市、区）"), _("人数")], districts),
        "paid": (
            _("%(year)d 年帮扶救助发放：按类别和月份（元）") % {"year": year},
            [_("月份"), *[str(AidCategory(c).label) for c in REGULAR]],
            paid_rows,
        ),
        "emergency": (
            _("%(year)d 年应急救援发放：按月份（元）") % {"year": year},
            [_("月份"), _("应急救援")],
            emergency_rows,
        ),
    }


def _has_data(rows: list[list[Any]]) -> bool:
    return any(any(cell not in ("0.00", 0) for cell in row[1:]) for row in rows)


def charts(*, actor: Any, year: int) -> list[dict[str, Any]]:
    tables = _tables(actor, year)
    result = []
    for name, (title, headers, rows) in tables.items():
        if name in ("causes", "districts"):
            option: dict[str, Any] = (
                {
                    "tooltip": {"trigger": "item"},
                    "legend": {"bottom": 0, "type": "scroll"},
                    "series": [
                        {
                            "name": title,
                            "type": "pie",
                            "radius": ["35%", "65%"],
                            "data": [{"name": r[0], "value": r[1]} for r in rows],
                        }
                    ],
                }
                if name == "causes"
                else {
                    "tooltip": {"trigger": "axis"},
                    "grid": {"left": 8, "right": 24, "bottom": 8, "top": 24, "containLabel": True},
                    "xAxis": {
                        "type": "category",
                        "data": [r[0] for r in rows],
                        "axisLabel": {"interval": 0},
                    },
                    "yAxis": {"type": "value", "name": _("人")},
                    "series": [{"name": _("人数"), "type": "bar", "data": [r[1] for r in rows]}],
                }
            )
        else:
            option = {
                "tooltip": {"trigger": "axis"},
                "legend": {"top": 0, "type": "scroll"},
                "grid": {"left": 8, "right": 24, "bottom": 8, "top": 36, "containLabel": True},
                "xAxis": {"type": "category", "data": [r[0][5:] for r in rows]},
                "yAxis": {"type": "value", "name": _("元")},
                "series": [
                    {
                        "name": headers[i],
                        "type": "bar",
                        "stack": "paid",
                        "data": [r[i] for r in rows],
                    }
                    for i in range(1, len(headers))
                ],
            }
        result.append(
            {
                "id": f"chart-{name}",
                "table": name,
                "title": title,
                "headers": headers,
                "rows": rows,
                "has_data": _has_data(rows),
                "option": option,
            }
        )
    return result


def table(*, actor: Any, year: int, name: str) -> tuple[list[str], list[list[Any]], str] | None:
    found = _tables(actor, year).get(name)
    if found is None:
        return None
    title, headers, rows = found
    return [str(h) for h in headers], rows, title[:31]
