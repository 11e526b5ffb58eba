"""Figures as people read them: no trailing zeros, a sign on gaps, a dash for no data."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()

NO_DATA = "—"


@register.filter
def figure(value: Decimal | None) -> str:
    if value is None:
        return NO_DATA
    text = format(value.normalize(), "f")
    whole, _dot, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    grouped = f"{int(digits):,}" if digits else "0"
    return f"{sign}{grouped}.{fraction}" if fraction else f"{sign}{grouped}"


@register.filter
def signed(value: Decimal | None) -> str:
    if value is None:
        return NO_DATA
    return ("+" if value > 0 else "") + figure(value)


@register.filter
def percent(value: Decimal | None) -> str:
    return NO_DATA if value is None else signed(value) + "%"
