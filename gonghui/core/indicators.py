"""Figures the programs compute for target assessment (目标考核) and benchmarking (对标).

Each program contributes its indicator functions in its own `<app>/indicators.py`, which calls
`register()` at import; `autodiscover()` imports those modules once. Assessment and
benchmarking read figures only through `value()`: a program that is absent, or has nothing for
the scope, gives `None` ("no data"), never zero."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Scope:
    """What a figure is about: the subtree under `union_path` (None: the whole city), optionally
    one federation department (its code, e.g. "publicity"), over the dates `starts_on`..`ends_on`
    inclusive."""

    starts_on: date
    ends_on: date
    union_path: str | None = None
    department: str | None = None

    @classmethod
    def year(
        cls, year: int, *, union_path: str | None = None, department: str | None = None
    ) -> Scope:
        return cls(date(year, 1, 1), date(year, 12, 31), union_path, department)


@dataclass(frozen=True)
class Indicator:
    code: str  # "<program>.<name>", e.g. "members.registered"
    program: str  # the permission prefix of the program that computes it
    label: StrOrPromise
    unit: StrOrPromise  # "人", "%", "分", "元"…
    compute: Callable[[Scope], Decimal | None]
    higher_is_better: bool = True
    description: StrOrPromise = ""


_REGISTRY: dict[str, Indicator] = {}
_discovered = False


def register(indicator: Indicator) -> Indicator:
    _REGISTRY[indicator.code] = indicator
    return indicator


def autodiscover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("indicators")
        _discovered = True


def get(code: str) -> Indicator | None:
    autodiscover()
    return _REGISTRY.get(code)


def all_indicators() -> list[Indicator]:
    autodiscover()
    return sorted(_REGISTRY.values(), key=lambda i: i.code)


def value(code: str, scope: Scope) -> Decimal | None:
    """The figure, or None when no program computes `code` or it has no data for `scope`."""
    indicator = get(code)
    return None if indicator is None else indicator.compute(scope)
