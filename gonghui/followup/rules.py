"""The action item's rules without the database: its state machine, when it is overdue, which
reminder a day calls for, and what counts as evidence of closure."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

OPEN = "open"
IN_PROGRESS = "in_progress"
CLOSED = "closed"
CANCELLED = "cancelled"
LIVE = (OPEN, IN_PROGRESS)

# from status -> statuses it may move to. Closing needs evidence, cancelling a reason; a closed
# item can be reopened when the evidence turns out not to hold.
TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({IN_PROGRESS, CLOSED, CANCELLED}),
    IN_PROGRESS: frozenset({CLOSED, CANCELLED}),
    CLOSED: frozenset({IN_PROGRESS}),
    CANCELLED: frozenset(),
}

# Working days before the deadline from which the owner is reminded every day.
REMIND_BEFORE_WORKING_DAYS = 3

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

DUE_SOON = "due_soon"
DUE_TODAY = "due_today"
OVERDUE = "overdue"


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def is_overdue(status: str, deadline: date, today: date) -> bool:
    return status in LIVE and deadline < today


def reminder_kind(status: str, deadline: date, today: date, soon_until: date) -> str | None:
    """The reminder `today` calls for: overdue after the deadline, due today on it, due soon
    from `soon_until` (the date `REMIND_BEFORE_WORKING_DAYS` working days ahead) on."""
    if status not in LIVE:
        return None
    if deadline < today:
        return OVERDUE
    if deadline == today:
        return DUE_TODAY
    if deadline <= soon_until:
        return DUE_SOON
    return None


def days_overdue(deadline: date, today: date) -> int:
    return max(0, (today - deadline).days)


def percent_valid(percent: int) -> bool:
    """Progress is reported as a whole percentage from 0 to 99; 100 is reached by closing."""
    return 0 <= percent <= 99


def is_http_link(link: str) -> bool:
    parts = urlsplit(link.strip())
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def evidence_problem(text: str, link: str, has_file: bool) -> str | None:
    """Why the evidence does not allow closing ("text", "link_invalid", "missing"), or None."""
    if not text.strip():
        return "text"
    if link.strip() and not is_http_link(link):
        return "link_invalid"
    if not link.strip() and not has_file:
        return "missing"
    return None
