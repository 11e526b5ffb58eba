"""Retention periods per kind of record (PIPL): each app registers what it keeps how long and
how it is purged; `manage.py purge_personal_data` runs them all, daily from cron. Purging never
touches the audit log: the trail of who did what stays, the personal data goes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class RetentionRule:
    code: str
    label: StrOrPromise
    setting: str  # the settings name holding the period in days
    purge: Callable[[datetime, bool], int]  # (cutoff, dry_run) -> records purged (or due)

    @property
    def days(self) -> int:
        return int(getattr(settings, self.setting))


@dataclass(frozen=True)
class Outcome:
    rule: RetentionRule
    cutoff: datetime
    count: int


RULES: list[RetentionRule] = []


def register(rule: RetentionRule) -> None:
    if all(existing.code != rule.code for existing in RULES):
        RULES.append(rule)


def purge_all(*, dry_run: bool = False, now: datetime | None = None) -> list[Outcome]:
    now = now or timezone.now()
    outcomes = []
    for rule in RULES:
        cutoff = now - timedelta(days=rule.days)
        outcomes.append(Outcome(rule, cutoff, rule.purge(cutoff, dry_run)))
    return outcomes
