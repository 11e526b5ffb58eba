"""Pure rules of information work: the points table as data and how a publication, an
instruction (批示) and an error (差错) score under it, the submission's one state machine,
annual quotas and what follows from them, and how rankings are numbered. Nothing here touches
the database (tests/test_rules.py).

Stated once:
- Points are Decimals with one decimal place (0.5 is a common table value); never floats.
- A publication, instruction or error scores with the table version in force on its own date
  (publication date, instruction date, error date): the latest `effective_from` not after it.
- Rankings are "competition ranking" (1224, as in sport): equal scores share a rank and the
  next rank skips as many places as shared it, so scores 9, 9, 7 rank 1, 1, 3.
- A quota is met when both the adopted pieces and the verified points reach their targets; a
  shortfall in pieces is penalised per missing piece at the table's rate.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from gonghui.core import filetypes
from gonghui.core.errors import DomainError

T = TypeVar("T")

LEVELS = ("national", "provincial", "city")
KINDS = ("newspaper", "magazine", "website", "new_media")
PLACEMENTS = ("front", "headline", "general")
MAX_POINTS = Decimal("1000")
ONE_PLACE = Decimal("0.1")

PointsGrid = dict[str, dict[str, dict[str, Decimal]]]

# The federation's starting table (《信息工作目标管理办法》 style): level × kind × placement.
DEFAULT_PUBLICATION_POINTS: dict[str, dict[str, dict[str, str]]] = {
    "national": {
        "newspaper": {"front": "30", "headline": "20", "general": "15"},
        "magazine": {"front": "20", "headline": "15", "general": "10"},
        "website": {"front": "10", "headline": "8", "general": "6"},
        "new_media": {"front": "10", "headline": "8", "general": "6"},
    },
    "provincial": {
        "newspaper": {"front": "15", "headline": "10", "general": "8"},
        "magazine": {"front": "10", "headline": "8", "general": "6"},
        "website": {"front": "6", "headline": "5", "general": "4"},
        "new_media": {"front": "6", "headline": "5", "general": "4"},
    },
    "city": {
        "newspaper": {"front": "8", "headline": "6", "general": "4"},
        "magazine": {"front": "6", "headline": "5", "general": "3"},
        "website": {"front": "3", "headline": "2", "general": "2"},
        "new_media": {"front": "3", "headline": "2", "general": "1"},
    },
}
DEFAULT_INSTRUCTION_POINTS: dict[str, str] = {"national": "30", "provincial": "20", "city": "10"}
DEFAULT_SHORTFALL_PENALTY = Decimal("2")
DEFAULT_ERROR_PENALTY = Decimal("5")


# -- the points table --------------------------------------------------------------------------


def points_value(value: Any, where: str) -> Decimal:
    """A table cell: 0 to 1000 with at most one decimal place."""
    try:
        points = Decimal(str(value).strip())
    except InvalidOperation:
        points = Decimal(-1)
    if not points.is_finite() or not Decimal(0) <= points <= MAX_POINTS:
        raise DomainError(
            "infowork.points_invalid",
            _("“%(where)s”的分值须是 0 到 1000 之间的数，例如 8 或 0.5") % {"where": where},
            {"where": where},
        )
    if points != points.quantize(ONE_PLACE):
        raise DomainError(
            "infowork.points_invalid",
            _("“%(where)s”的分值最多保留一位小数") % {"where": where},
            {"where": where},
        )
    return points.quantize(ONE_PLACE)


def parse_publication_points(data: Any) -> PointsGrid:
    """The full grid: every level × kind × placement must have a value."""
    if not isinstance(data, Mapping):
        raise DomainError("infowork.points_invalid", _("刊用积分须按级别、媒体类型和版面列出"))
    grid: PointsGrid = {}
    for level in LEVELS:
        by_kind = data.get(level)
        grid[level] = {}
        for kind in KINDS:
            by_placement = by_kind.get(kind) if isinstance(by_kind, Mapping) else None
            grid[level][kind] = {}
            for placement in PLACEMENTS:
                where = f"{level}/{kind}/{placement}"
                if not isinstance(by_placement, Mapping) or placement not in by_placement:
                    raise DomainError(
                        "infowork.points_missing",
                        _("刊用积分缺少“%(where)s”的分值") % {"where": where},
                        {"where": where},
                    )
                grid[level][kind][placement] = points_value(by_placement[placement], where)
    return grid


def parse_instruction_points(data: Any) -> dict[str, Decimal]:
    if not isinstance(data, Mapping):
        raise DomainError("infowork.points_invalid", _("批示加分须按级别列出"))
    result: dict[str, Decimal] = {}
    for level in LEVELS:
        if level not in data:
            raise DomainError(
                "infowork.points_missing",
                _("批示加分缺少“%(where)s”的分值") % {"where": level},
                {"where": level},
            )
        result[level] = points_value(data[level], level)
    return result


def grid_as_json(grid: Mapping[str, Mapping[str, Mapping[str, Decimal]]]) -> dict[str, Any]:
    return {
        level: {kind: {p: str(v) for p, v in row.items()} for kind, row in kinds.items()}
        for level, kinds in grid.items()
    }


def publication_points(grid: Any, *, level: str, kind: str, placement: str) -> Decimal:
    """What a verified publication scores under a table version's grid."""
    parsed = parse_publication_points(grid)
    try:
        return parsed[level][kind][placement]
    except KeyError as exc:
        raise DomainError(
            "infowork.publication_invalid",
            _("刊用级别、媒体类型或版面位置不正确"),
            {"level": level, "kind": kind, "placement": placement},
        ) from exc


def instruction_points(bonuses: Any, *, level: str) -> Decimal:
    parsed = parse_instruction_points(bonuses)
    if level not in parsed:
        raise DomainError("infowork.level_invalid", _("批示级别不正确"), {"level": level})
    return parsed[level]


def version_in_force(versions: Iterable[tuple[date, T]], day: date) -> T:
    """The version with the latest effective date not after `day`."""
    best: tuple[date, T] | None = None
    for effective_from, version in versions:
        if effective_from <= day and (best is None or effective_from > best[0]):
            best = (effective_from, version)
    if best is None:
        raise no_table(day)
    return best[1]


def no_table(day: date) -> DomainError:
    return DomainError(
        "infowork.no_points_table",
        _("%(day)s 没有生效的积分标准，请先设定积分标准版本") % {"day": day.isoformat()},
        {"day": day.isoformat()},
    )


# -- the submission's state machine --------------------------------------------------------------

OFFICER = "officer"  # the 信息员 who submitted it
EDITOR = "editor"  # 宣教部 (the federation's information-work staff)

# (from, to) -> who may make the move. The one table of a submission's life.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "adopted"): EDITOR,
    ("submitted", "returned"): EDITOR,
    ("submitted", "withdrawn"): OFFICER,
    ("returned", "submitted"): OFFICER,
    ("returned", "withdrawn"): OFFICER,
}
NEEDS_REASON = frozenset({"returned"})
EDITABLE = frozenset({"submitted"})  # 宣教部 edits the text before adopting it


def transition_actor(current: str, target: str) -> str:
    """Who may move a submission from `current` to `target`; refused when nobody may."""
    actor = TRANSITIONS.get((current, target))
    if actor is None:
        raise DomainError(
            "infowork.transition_invalid",
            _("该投稿当前为“%(from)s”，不能改为“%(to)s”")
            % {"from": status_label(current), "to": status_label(target)},
            {"from": current, "to": target},
        )
    return actor


def moves_from(current: str, actor: str) -> list[str]:
    return [to for (frm, to), who in TRANSITIONS.items() if frm == current and who == actor]


def status_label(status: str) -> str:
    from gonghui.infowork.models import SubmissionStatus

    try:
        return str(SubmissionStatus(status).label)
    except ValueError:
        return status


def check_reason(target: str, reason: str) -> str:
    cleaned = " ".join(str(reason or "").split())
    if target in NEEDS_REASON and not cleaned:
        raise DomainError(
            "infowork.reason_required", _("请写明退回原因：信息员会据此修改后重新报送")
        )
    if len(cleaned) > 300:
        raise DomainError("infowork.reason_too_long", _("原因最多 300 个字"))
    return cleaned


def check_text(title: str, body: str) -> tuple[str, str]:
    title = " ".join(str(title or "").split())
    body = str(body or "").strip()
    if not title or len(title) > 120:
        raise DomainError("infowork.title_invalid", _("请填写标题（最多 120 个字）"))
    if not body or len(body) > 20000:
        raise DomainError("infowork.body_invalid", _("请填写正文（最多 20000 个字）"))
    return title, body


# -- uploads ---------------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 9
SCAN_MAX_BYTES = 10 * 1024 * 1024


def photo_type(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a JPEG or PNG by its first bytes; None otherwise."""
    found = filetypes.sniff(head)
    return found if found and found[0] in {"jpg", "png"} else None


def scan_type(head: bytes) -> tuple[str, str] | None:
    """A scan of the page may also be a PDF."""
    return filetypes.sniff(head)


# -- quotas ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaOutcome:
    met: bool
    missing_pieces: int
    penalty: Decimal
    pieces_rate: Decimal  # % of the pieces target reached, capped at 100
    points_rate: Decimal  # % of the points target reached, capped at 100


def percent(done: Decimal, target: Decimal) -> Decimal:
    """`done` as a % of `target`, one decimal place, at most 100; 100 for a zero target."""
    if target <= 0:
        return Decimal("100.0")
    rate = min(Decimal(100), done * 100 / target)
    return rate.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def quota_outcome(
    *,
    pieces_target: int,
    pieces_done: int,
    points_target: Decimal,
    points_done: Decimal,
    shortfall_penalty: Decimal,
) -> QuotaOutcome:
    """达标 when both targets are reached; otherwise 扣分 per missing adopted piece."""
    missing = max(0, pieces_target - pieces_done)
    return QuotaOutcome(
        met=missing == 0 and points_done >= points_target,
        missing_pieces=missing,
        penalty=(shortfall_penalty * missing).quantize(ONE_PLACE),
        pieces_rate=percent(Decimal(pieces_done), Decimal(pieces_target)),
        points_rate=percent(points_done, points_target),
    )


def quota_rate(outcomes: Sequence[QuotaOutcome]) -> Decimal | None:
    """% of quotas met among `outcomes`; None when there are none."""
    if not outcomes:
        return None
    met = sum(1 for outcome in outcomes if outcome.met)
    return percent(Decimal(met), Decimal(len(outcomes)))


# -- rankings --------------------------------------------------------------------------------------


def competition_ranks(scores: Sequence[Decimal]) -> list[int]:
    """Ranks of `scores` sorted from high to low: ties share a rank, the next one skips."""
    if any(a < b for a, b in itertools.pairwise(scores)):
        raise ValueError("scores must be sorted from high to low")
    ranks: list[int] = []
    for index, score in enumerate(scores):
        if index and score == scores[index - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(index + 1)
    return ranks


@dataclass(frozen=True)
class Standing:
    key: str
    label: str
    points: Decimal
    bonus: Decimal
    penalty: Decimal
    pieces: int

    @property
    def total(self) -> Decimal:
        return self.points + self.bonus - self.penalty


def rank(standings: Iterable[Standing]) -> list[tuple[int, Standing]]:
    """Highest total first; equal totals share a rank (then listed by label)."""
    ordered = sorted(standings, key=lambda s: (-s.total, s.label, s.key))
    return list(zip(competition_ranks([s.total for s in ordered]), ordered, strict=True))
