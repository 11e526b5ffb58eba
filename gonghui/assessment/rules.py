"""Target assessment rules: scoring curves, weights, the tree's arithmetic, the workflow table
and rankings. Pure functions on plain values; the ORM stays in services and selectors.

Scores are points on the indicator's weight (weight 20 → at most 20 points, or 20 × cap with a
bonus); a category's points are its indicators' points scaled by the category's weight / 100,
so a body's total is out of 100 (more with bonuses)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.errors import DomainError

K = TypeVar("K", bound=Hashable)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)

# -- scoring curves --------------------------------------------------------------------------

LINEAR = "linear"  # weight × min(actual / target, 1)
BONUS = "bonus"  # weight × min(actual / target, cap): above target earns up to the cap
THRESHOLD = "threshold"  # the fraction of the highest step reached
DEDUCTION = "deduction"  # weight − per_unit × actual (e.g. per overdue item), not below 0

CURVES = (LINEAR, BONUS, THRESHOLD, DEDUCTION)
CURVE_LABELS = {
    LINEAR: gettext_lazy("按完成比例计分（不超过满分）"),
    BONUS: gettext_lazy("按完成比例计分，超额加分（有封顶）"),
    THRESHOLD: gettext_lazy("分档计分"),
    DEDUCTION: gettext_lazy("按件扣分"),
}


@dataclass(frozen=True)
class Curve:
    kind: str = LINEAR
    target: Decimal | None = None
    cap: Decimal = ONE  # the most a score may be, as a multiple of the weight (BONUS)
    lower_is_better: bool = False
    # THRESHOLD: (threshold, fraction of the weight) pairs; the best step reached counts.
    steps: tuple[tuple[Decimal, Decimal], ...] = ()
    per_unit: Decimal = ZERO  # DEDUCTION: points off per unit of the actual value


def curve_check(curve: Curve) -> None:
    """Refuse a curve that cannot score: no target, a cap below 1, steps out of range."""
    if curve.kind not in CURVES:
        raise DomainError("assessment.curve_invalid", _("计分方法无效"))
    if curve.kind in (LINEAR, BONUS) and (curve.target is None or curve.target <= 0):
        raise DomainError("assessment.target_invalid", _("按完成比例计分须设定大于零的目标值"))
    if curve.kind == BONUS and curve.cap < ONE:
        raise DomainError("assessment.cap_invalid", _("超额加分的封顶倍数不能小于 1"))
    if curve.kind == THRESHOLD:
        if not curve.steps:
            raise DomainError("assessment.steps_invalid", _("分档计分至少要有一档"))
        if any(fraction < 0 or fraction > ONE for _threshold, fraction in curve.steps):
            raise DomainError("assessment.steps_invalid", _("每档得分比例须在 0 到 1 之间"))
    if curve.kind == DEDUCTION and curve.per_unit <= 0:
        raise DomainError("assessment.per_unit_invalid", _("按件扣分须设定每件扣分大于零"))


def max_points(weight: Decimal, curve: Curve) -> Decimal:
    return weight * (curve.cap if curve.kind == BONUS else ONE)


def _fraction(curve: Curve, actual: Decimal) -> Decimal:
    """The share of the weight earned, in [0, cap]; monotonic in `actual`."""
    actual = max(actual, ZERO)
    if curve.kind in (LINEAR, BONUS):
        target = curve.target or ONE
        limit = curve.cap if curve.kind == BONUS else ONE
        if curve.lower_is_better:
            ratio = limit if actual == 0 else target / actual
        else:
            ratio = actual / target
        return min(ratio, limit)
    if curve.kind == THRESHOLD:
        reached = [
            fraction
            for threshold, fraction in curve.steps
            if (actual <= threshold if curve.lower_is_better else actual >= threshold)
        ]
        # The best step reached: a higher step never pays less than a lower one.
        return max(reached, default=ZERO)
    if curve.kind == DEDUCTION:
        return ZERO  # computed on points, see score()
    raise DomainError("assessment.curve_invalid", _("计分方法无效"))


def score(weight: Decimal, curve: Curve, actual: Decimal | None) -> Decimal | None:
    """Points earned, rounded to 0.01; None when there is no actual value (无数据)."""
    if actual is None:
        return None
    if curve.kind == DEDUCTION:
        points = max(weight - curve.per_unit * max(actual, ZERO), ZERO)
    else:
        points = weight * _fraction(curve, actual)
    return min(points, max_points(weight, curve)).quantize(CENT, rounding=ROUND_HALF_UP)


# -- weights and the tree --------------------------------------------------------------------


def weights_check(weights: Sequence[Decimal]) -> None:
    """Siblings' weights are positive and sum to exactly 100."""
    if any(w <= 0 for w in weights):
        raise DomainError("assessment.weight_invalid", _("权重须大于零"))
    total = sum(weights, ZERO)
    if total != HUNDRED:
        raise DomainError(
            "assessment.weights_not_100",
            _("同一层级的权重合计须为 100，现为 %(total)s") % {"total": f"{total.normalize():f}"},
            {"total": str(total)},
        )


@dataclass
class Node:
    """A tree node for scoring: a category (children) or a leaf (points set)."""

    key: Hashable
    weight: Decimal
    points: Decimal | None = None
    children: list[Node] = field(default_factory=list)


def node_points(node: Node) -> Decimal:
    """A leaf's points (no data counts nothing); a category's children's points × weight/100."""
    if not node.children:
        return node.points or ZERO
    inner = sum((node_points(child) for child in node.children), ZERO)
    return (inner * node.weight / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def total_points(roots: Iterable[Node]) -> Decimal:
    return sum((node_points(root) for root in roots), ZERO)


# -- workflow --------------------------------------------------------------------------------

SELF = "self"  # 自评: the body's staff enter manual values and comments
REVIEW = "review"  # 审核: the office checks each indicator and may adjust it with a reason
FINAL = "final"  # 终评: scores frozen with the computed values snapshotted

BODY = "body"  # the body's own staff
OFFICE = "office"  # 办公室, who runs the assessment

# (from, to) → who may make the move.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (SELF, REVIEW): frozenset({BODY, OFFICE}),  # 提交自评
    (REVIEW, SELF): frozenset({OFFICE}),  # 退回修改
    (REVIEW, FINAL): frozenset({OFFICE}),  # 终评
}


def transition_check(current: str, to: str, roles: frozenset[str]) -> None:
    allowed = TRANSITIONS.get((current, to))
    if allowed is None:
        raise DomainError(
            "assessment.transition_invalid",
            _("当前状态下不能进行这项操作"),
            {"from": current, "to": to},
        )
    if not allowed & roles:
        raise DomainError("assessment.transition_forbidden", _("您不能办理这一步"))


def moves_from(current: str, roles: frozenset[str]) -> list[str]:
    return [to for (source, to), who in TRANSITIONS.items() if source == current and who & roles]


# -- rankings --------------------------------------------------------------------------------


def rank(scores: Iterable[tuple[K, Decimal | None]]) -> list[tuple[K, int | None]]:
    """Competition ranking, highest first: equal scores share a rank and the next rank skips
    (1, 1, 3). Bodies without a score come last, unranked."""
    pairs = list(scores)
    scored = sorted(((k, s) for k, s in pairs if s is not None), key=lambda pair: -pair[1])
    ranked: list[tuple[K, int | None]] = []
    previous: Decimal | None = None
    place = 0
    for index, (key, value) in enumerate(scored, start=1):
        if value != previous:
            place = index
            previous = value
        ranked.append((key, place))
    ranked.extend((k, None) for k, s in pairs if s is None)
    return ranked
