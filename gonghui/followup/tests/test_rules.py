"""The action item's rules: its state machine, overdue, reminders and evidence."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.followup import rules

DAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        ("open", "in_progress", True),
        ("open", "closed", True),
        ("open", "cancelled", True),
        ("in_progress", "closed", True),
        ("in_progress", "open", False),
        ("closed", "in_progress", True),
        ("closed", "cancelled", False),
        ("cancelled", "open", False),
        ("cancelled", "in_progress", False),
    ],
)
def test_transitions_follow_the_table(start: str, to: str, allowed: bool) -> None:
    assert rules.can_move(start, to) is allowed


def test_an_item_is_overdue_only_when_live_and_past_its_deadline() -> None:
    assert rules.is_overdue("open", date(2026, 11, 26), DAY)
    assert rules.is_overdue("in_progress", date(2026, 11, 26), DAY)
    assert not rules.is_overdue("open", DAY, DAY)  # due today is not late yet
    assert not rules.is_overdue("closed", date(2026, 1, 1), DAY)
    assert not rules.is_overdue("cancelled", date(2026, 1, 1), DAY)


def test_reminders_before_on_and_after_the_deadline() -> None:
    soon_until = date(2026, 12, 2)  # three working days after Friday the 27th
    assert rules.reminder_kind("open", date(2026, 11, 20), DAY, soon_until) == rules.OVERDUE
    assert rules.reminder_kind("open", DAY, DAY, soon_until) == rules.DUE_TODAY
    assert rules.reminder_kind("in_progress", date(2026, 12, 2), DAY, soon_until) == rules.DUE_SOON
    assert rules.reminder_kind("open", date(2026, 12, 3), DAY, soon_until) is None
    assert rules.reminder_kind("closed", date(2026, 11, 20), DAY, soon_until) is None


def test_days_overdue_never_negative() -> None:
    assert rules.days_overdue(date(2026, 11, 20), DAY) == 7
    assert rules.days_overdue(date(2026, 12, 20), DAY) == 0


@pytest.mark.parametrize(
    ("text", "link", "has_file", "problem"),
    [
        ("", "https://example.org/a", True, "text"),
        ("   ", "https://example.org/a", False, "text"),
        ("办结", "", False, "missing"),
        ("办结", "ftp://example.org/a", False, "link_invalid"),
        ("办结", "javascript:alert(1)", True, "link_invalid"),
        ("办结", "https://example.org/a", False, None),
        ("办结", "", True, None),
    ],
)
def test_closure_needs_text_and_a_link_or_a_file(
    text: str, link: str, has_file: bool, problem: str | None
) -> None:
    assert rules.evidence_problem(text, link, has_file) == problem


def test_progress_is_reported_below_one_hundred() -> None:
    assert rules.percent_valid(0) and rules.percent_valid(99)
    assert not rules.percent_valid(100) and not rules.percent_valid(-1)
