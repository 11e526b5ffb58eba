"""Gap arithmetic of 对标找差距, without the database.

A gap is how far the own city is behind a benchmark city: positive when behind, negative when
ahead, whichever way the indicator counts (higher or lower is better). The relative gap is the
absolute gap as a percentage of the benchmark's value."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PERCENT_PLACES = Decimal("0.01")

# The state of a gap's chain of measures, as the cockpit colours it.
NO_MEASURES = "none"
IN_PROGRESS = "in_progress"
OVERDUE = "overdue"
CLOSED = "closed"
AHEAD = "ahead"


@dataclass(frozen=True)
class Gap:
    absolute: Decimal | None
    relative: Decimal | None  # percent of the benchmark, two decimals

    @property
    def behind(self) -> bool:
        return self.absolute is not None and self.absolute > 0


NO_GAP = Gap(None, None)


def gap(own: Decimal | None, benchmark: Decimal | None, *, higher_is_better: bool) -> Gap:
    """Absolute and relative gap of `own` against `benchmark`; no data on either side gives no
    gap (never a fake zero); a benchmark of zero has no relative gap."""
    if own is None or benchmark is None:
        return NO_GAP
    absolute = benchmark - own if higher_is_better else own - benchmark
    if benchmark == 0:
        return Gap(absolute, None)
    relative = (absolute * 100 / abs(benchmark)).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)
    return Gap(absolute, relative)


def best(values: Iterable[Decimal | None], *, higher_is_better: bool) -> Decimal | None:
    """The best of the benchmark cities' values (highest, or lowest when lower is better)."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    return max(known) if higher_is_better else min(known)


def chain_state(*, behind: bool, measures: int, closed: int, overdue: int) -> str:
    """ahead (no gap to close), none (a gap without measures yet), overdue (a measure past its
    deadline), closed (every measure closed), in_progress otherwise. Cancelled measures do not
    count."""
    if measures == 0:
        return NO_MEASURES if behind else AHEAD
    if overdue:
        return OVERDUE
    if closed == measures:
        return CLOSED
    return IN_PROGRESS


def sort_key(relative: Decimal | None) -> tuple[int, Decimal]:
    """Biggest relative gap first; gaps without a relative figure last."""
    return (1, Decimal(0)) if relative is None else (0, -relative)


def trend(points: Sequence[tuple[int, Decimal | None]]) -> Decimal | None:
    """Change of a series between its first and last known value (None with fewer than two)."""
    known = [value for _period, value in points if value is not None]
    if len(known) < 2:
        return None
    return known[-1] - known[0]
