"""Pure rules of a discount sale: how long a quote holds, whether a discount still fits the
day cap, how much of the discount a partial refund gives back, and how a member's name is
shown on a terminal. Integer fen throughout; no ORM."""

from __future__ import annotations

from datetime import timedelta

QUOTE_TTL = timedelta(minutes=5)
# One sale at a member service merchant: ¥1,000,000.00 is far beyond any real bill.
MAX_AMOUNT_FEN = 100_000_000


def fits_day_cap(*, cap_fen: int | None, used_fen: int, discount_fen: int) -> bool:
    """Whether a discount still fits the per-member-per-day cap (None: no cap). A zero discount
    always fits: the member pays the full price, which no cap forbids."""
    if cap_fen is None or discount_fen == 0:
        return True
    return used_fen + discount_fen <= cap_fen


def _share(discount_fen: int, refunded_fen: int, payable_fen: int) -> int:
    """discount × refunded / payable, rounded half up, in integers."""
    return (2 * discount_fen * refunded_fen + payable_fen) // (2 * payable_fen)


def discount_reversal(
    *,
    discount_fen: int,
    payable_fen: int,
    refunded_before_fen: int,
    reversed_before_fen: int,
    refund_fen: int,
) -> int:
    """The discount a refund takes back: proportional to the money refunded, rounded on the
    running total (not on each refund) so partial refunds that add up to everything paid
    take back exactly the whole discount, and the reversals never exceed it.

    `reversed_before_fen` is what the earlier refunds took back; it equals the share of
    `refunded_before_fen` when every refund went through this function."""
    if refund_fen <= 0:
        raise ValueError("refund_fen must be positive")
    refunded_after = refunded_before_fen + refund_fen
    if payable_fen <= 0 or refunded_after > payable_fen:
        raise ValueError("a refund cannot exceed what was paid")
    target = _share(discount_fen, refunded_after, payable_fen)
    return max(0, min(discount_fen, target) - reversed_before_fen)


def refundable_fen(*, payable_fen: int, refunded_fen: int) -> int:
    return max(0, payable_fen - refunded_fen)
