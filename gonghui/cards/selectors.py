"""Reads on member cards: staff reads start from scoped(); a member reads only their own; the
credential lookup is what POS terminals and the cashier page call."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.scoping import get_scoped, scoped
from gonghui.cards import rules
from gonghui.cards.models import LIVE_STATUSES, Card, CardEvent, CardStatus, IssueBatch, QrKey
from gonghui.cards.services import citizen_index
from gonghui.core import sql
from gonghui.core.errors import Conflict, DomainError, NotFound
from gonghui.members.models import Member, MemberStatus
from gonghui.members.selectors import search_condition
from gonghui.orgs.models import Union

S = CardStatus
# How far back a code that no longer works is still recognised as "expired" rather than
# "unknown": the portal caches 40 steps (20 minutes) on the phone.
QR_EXPIRED_LOOKBACK = 120
NOT_ACTIVE_LABELS = {
    S.APPLIED: gettext_lazy("未激活"),
    S.PRODUCING: gettext_lazy("未激活"),
    S.MADE: gettext_lazy("未激活"),
    S.LOST: gettext_lazy("已挂失"),
    S.REPLACED: gettext_lazy("已补卡作废"),
    S.CANCELLED: gettext_lazy("已注销"),
}


def _not_found() -> NotFound:
    return NotFound("not_found", _("没有找到该记录，或您无权查看"))


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise _not_found() from exc


def _card_number_condition(text: str) -> Q | None:
    try:
        number = rules.normalise_card_no(text)
    except DomainError:
        return None
    return Q(citizen_index=citizen_index(number))


def card_search(
    *,
    actor: Any,
    q: str = "",
    status: str = "",
    union: Union | None = None,
    permission: str = "cards.view",
) -> QuerySet[Card]:
    """One box: a 市民卡 number (blind index) or anything the member search understands
    (name, pinyin, member number, ID number, phone, last four)."""
    qs = scoped(Card.objects.all(), actor, permission)
    if union is not None:
        qs = qs.filter(member__union__path__prefix=union.path)
    text = q.strip()
    if text:
        condition = Q(member__in=Member.objects.filter(search_condition(text)).values("pk"))
        by_number = _card_number_condition(text)
        qs = qs.filter(condition | by_number if by_number is not None else condition)
    if status:
        qs = qs.filter(status=status)
    # Lists show the last four digits only: the encrypted numbers are not read (nor decrypted).
    return (
        qs.select_related("member", "member__union", "batch")
        .defer("citizen_card_no", "bank_card_no")
        .order_by("-id")
    )


def card_get(*, actor: Any, public_id: Any, permission: str = "cards.view") -> Card:
    return get_scoped(
        Card.objects.select_related("member", "member__union", "batch", "replaces"),
        actor,
        permission,
        public_id=_uuid(public_id),
    )


def card_events(*, card: Card) -> QuerySet[CardEvent]:
    return card.events.select_related("by")[:200]


def batch_list(*, actor: Any, status: str = "") -> QuerySet[IssueBatch]:
    qs = scoped(IssueBatch.objects.all(), actor, "cards.view")
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("union", "created_by").annotate(card_count=Count("cards")).order_by("-id")
    )


def batch_get(*, actor: Any, public_id: Any, permission: str = "cards.view") -> IssueBatch:
    return get_scoped(
        IssueBatch.objects.select_related("union", "created_by"),
        actor,
        permission,
        public_id=_uuid(public_id),
    )


def batch_cards(*, batch: IssueBatch) -> QuerySet[Card]:
    return batch.cards.select_related("member", "member__union").order_by("id")


def batch_counts(*, batch: IssueBatch) -> dict[str, int]:
    """Cards of the batch by status, every status present (0 when none)."""
    counts = dict.fromkeys(S.values, 0)
    for row in batch.cards.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def members_for_batch(
    *, actor: Any, union: Union, q: str = "", category: str = ""
) -> QuerySet[Member]:
    """Members of `union`'s subtree who may join a new batch: in good standing, with no card
    in use, or with an applied card not already waiting in an open batch."""
    qs = scoped(Member.objects.all(), actor, "cards.change").filter(
        union__path__prefix=union.path, status=MemberStatus.ACTIVE
    )
    if q.strip():
        qs = qs.filter(search_condition(q))
    if category:
        qs = qs.filter(category=category)
    blocking = Card.objects.filter(member=OuterRef("pk"), status__in=LIVE_STATUSES).exclude(
        Q(status=S.APPLIED) & (Q(batch__isnull=True) | ~Q(batch__status=IssueBatch.Status.OPEN))
    )
    return qs.filter(~Exists(blocking)).select_related("union").order_by("id")


def members_by_keys(
    *, actor: Any, union: Union, member_nos: list[str], id_indexes: list[str]
) -> QuerySet[Member]:
    """Members of the subtree named in an uploaded list, by member number or ID blind index."""
    return (
        scoped(Member.objects.all(), actor, "cards.change")
        .filter(union__path__prefix=union.path)
        .filter(Q(member_no__in=member_nos) | Q(id_index__in=id_indexes))
        .select_related("union")
    )


# -- the member's own view ------------------------------------------------------------------


def member_cards(*, member: Member) -> QuerySet[Card]:
    return member.cards.order_by("-id")


def member_live_card(*, member: Member) -> Card | None:
    return member.cards.filter(status__in=LIVE_STATUSES).order_by("-id").first()


def member_card_history(*, member: Member) -> QuerySet[CardEvent]:
    return (
        CardEvent.objects.filter(card__member=member)
        .select_related("card")
        .order_by("-at", "-id")[:100]
    )


def member_card_get(*, member: Member, public_id: Any) -> Card:
    card = member.cards.filter(public_id=_uuid(public_id)).select_related("member").first()
    if card is None:
        raise _not_found()
    return card


# -- credentials at the till ----------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    member: Member
    card: Card | None  # the card read; None for a QR code
    kind: str  # "card" | "qr"
    qr_step: int | None


def _unknown() -> NotFound:
    return NotFound("cards.credential_unknown", _("无法识别该会员卡号或动态码，请核对后重试"))


# What a till reads of a card and its holder, in one hand-written statement (every sale starts
# here; gonghui.core.sql). The encrypted columns are not among them: each would be decrypted.
_CARD = sql.Part(Card, "c", ("id", "member_id", "status"))
_HOLDER = sql.Part(Member, "m", ("id", "name", "status", "union_id"))


@cache
def _card_sql() -> str:
    return (
        f"SELECT {_CARD.columns}, {_HOLDER.columns} FROM cards_card c "  # noqa: S608
        "JOIN members_member m ON m.id = c.member_id WHERE c.citizen_index = %s"
    )


def credential_lookup(credential: str, *, now: datetime | None = None) -> Credential:
    """A 市民卡 number or a member QR code, as a terminal read it. Membership status is the
    caller's business; the card must be active, the code fresh and unused."""
    parsed = rules.parse_qr(credential)
    if parsed is not None:
        return _qr_lookup(*parsed, now=now or timezone.now())
    try:
        number = rules.normalise_card_no(credential)
    except DomainError:
        raise _unknown() from None
    row = sql.fetch_one(_card_sql(), [citizen_index(number)], _CARD, _HOLDER)
    if row is None:
        raise _unknown()
    card, holder = row
    card.member = holder
    if card.status != S.ACTIVE:
        state = str(NOT_ACTIVE_LABELS[CardStatus(card.status)])
        raise DomainError(
            "cards.card_not_active",
            _("该会员卡%(state)s，不能使用") % {"state": state},
            {"status": card.status},
        )
    return Credential(member=card.member, card=card, kind="card", qr_step=None)


def _qr_lookup(handle: str, digits: str, *, now: datetime) -> Credential:
    key = (
        QrKey.objects.select_related("member", "member__union")
        .defer("member__id_number", "member__phone")
        .filter(handle=handle)
        .first()
    )
    if key is None:
        raise _unknown()
    now_step = rules.qr_step(now)
    step = rules.qr_match(
        secret=key.secret, digits=digits, now_step=now_step, lookback=QR_EXPIRED_LOOKBACK
    )
    if step is None:
        raise _unknown()
    if not rules.in_window(step, now_step):
        raise DomainError(
            "cards.qr_expired", _("动态码已过期，请会员刷新页面后重新出示"), {"step": step}
        )
    if step <= key.last_step:
        raise _qr_used()
    return Credential(member=key.member, card=None, kind="qr", qr_step=step)


def _qr_used() -> Conflict:
    return Conflict("cards.qr_used", _("该动态码已使用过，请会员等待下一个动态码"))


def qr_consume(credential: Credential) -> None:
    """Spend a QR code (and every older one) inside the caller's transaction: the conditional
    update lets exactly one of two tills that read the same code go on."""
    if credential.kind != "qr" or credential.qr_step is None:
        return
    claimed = QrKey.objects.filter(
        member=credential.member, last_step__lt=credential.qr_step
    ).update(last_step=credential.qr_step)
    if not claimed:
        raise _qr_used()


def payout_account_of(member: Member) -> str | None:
    """The co-branded bank card number of the member's active card: where programs pay money
    "onto the union card" (payout files). None when the member has no active card with one."""
    card = (
        Card.objects.filter(member=member, status=CardStatus.ACTIVE)
        .exclude(bank_card_no="")
        .only("bank_card_no")
        .first()
    )
    return card.bank_card_no if card is not None else None
