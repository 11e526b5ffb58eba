"""Writes of the discount program: quote, confirm, refund. Each is one database transaction;
every movement of money is appended to the merchant's hash-chained ledger in that same
transaction, and refunds are also written to the audit log. `terminal` is None for the web
cashier page.

Lock order, the same in every writer so two of them cannot deadlock: the quote or the
transaction row → the member's DayUsage row → the merchant's LedgerHead row."""

from __future__ import annotations

from functools import cache
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.log import log_action
from gonghui.cards import selectors as card_selectors
from gonghui.cards.models import Card
from gonghui.core import sql
from gonghui.core.errors import Conflict, DomainError, NotFound
from gonghui.core.money import format_fen
from gonghui.members.models import Member, MemberStatus
from gonghui.merchants import rules as merchant_rules
from gonghui.merchants import selectors as merchant_selectors
from gonghui.merchants.models import Contract
from gonghui.pos import ledger, rules
from gonghui.pos.models import CredentialKind, DayUsage, EntryKind, Quote, Refund, Transaction

# What confirming reads of the quote, its member, card and contract, in one hand-written
# statement (gonghui.core.sql: every sale runs it). The member's and card's encrypted columns
# are not among them: each would be decrypted.
_QUOTE = sql.Part(
    Quote,
    "q",
    (
        "id",
        "public_id",
        "merchant_id",
        "member_id",
        "card_id",
        "contract_id",
        "credential_kind",
        "amount_fen",
        "discount_fen",
        "payable_fen",
        "rule",
        "expires_at",
    ),
)
_QUOTE_MEMBER = sql.Part(Member, "m", ("id", "name", "status"))
_QUOTE_CARD = sql.Part(Card, "c", ("id", "status"))
_QUOTE_CONTRACT = sql.Part(Contract, "k", ("id", "per_member_day_cap_fen"))


@cache
def _locked_quote_sql() -> str:
    columns = ", ".join(
        part.columns for part in (_QUOTE, _QUOTE_MEMBER, _QUOTE_CARD, _QUOTE_CONTRACT)
    )
    lock = sql.for_update("q")
    return (
        f"SELECT {columns} FROM pos_quote q "  # noqa: S608
        "JOIN members_member m ON m.id = q.member_id "
        "LEFT JOIN cards_card c ON c.id = q.card_id "
        "JOIN merchants_contract k ON k.id = q.contract_id "
        f"WHERE q.public_id = %s AND q.merchant_id = %s{lock}"
    )


def _check_amount(amount_fen: int) -> None:
    if not isinstance(amount_fen, int) or not 0 < amount_fen <= rules.MAX_AMOUNT_FEN:
        raise DomainError(
            "pos.amount_invalid",
            _("金额须为 1 分到 %(max)s 之间的整数分") % {"max": format_fen(rules.MAX_AMOUNT_FEN)},
        )


def quote_create(
    *,
    merchant: Any,
    terminal: Any | None,
    credential: str,
    amount_fen: int,
    now: Any = None,
    contract: Any = None,
) -> Quote:
    """Price a sale for the member whose card or QR code was read. A QR code is used up here,
    so one code pays for one sale; the quote holds for five minutes. `contract` is the one
    contract_for_trade gave the caller for this merchant today (the API's signature check asks
    it on every request); without it, it is asked here.

    The reads need no transaction; the writes are one: for a QR code, spending it and saving
    the quote commit together (a refused quote leaves the code unspent); for a card the quote
    is a single INSERT."""
    _check_amount(amount_fen)
    now = now or timezone.now()
    day = timezone.localdate(now)
    if contract is None or contract.merchant_id != merchant.pk:
        contract = merchant_selectors.contract_for_trade(merchant, day)
    found = card_selectors.credential_lookup(credential, now=now)
    member = found.member
    if member.status != MemberStatus.ACTIVE:
        raise DomainError(
            "pos.member_inactive",
            _("该会员当前会籍状态为“%(status)s”，不能享受会员优惠")
            % {"status": member.get_status_display()},
        )
    used = _day_used(merchant_id=merchant.pk, member_id=member.pk, day=day)
    discount = merchant_rules.discount_for(contract, amount_fen=amount_fen, day_used_fen=used)
    quote = Quote(
        merchant=merchant,
        terminal=terminal,
        contract=contract,
        member=member,
        card=found.card,
        credential_kind=found.kind,
        amount_fen=amount_fen,
        discount_fen=discount.discount_fen,
        payable_fen=discount.payable_fen,
        rule=discount.rule[:200],
        expires_at=now + rules.QUOTE_TTL,
    )
    if found.kind == CredentialKind.QR:
        with transaction.atomic():
            card_selectors.qr_consume(found)
            sql.insert(quote)
    else:
        sql.insert(quote)
    return quote


def _day_used(*, merchant_id: int, member_id: int, day: Any) -> int:
    row = sql.first(
        "SELECT discount_fen FROM pos_dayusage "
        "WHERE merchant_id = %s AND member_id = %s AND day = %s",
        [merchant_id, member_id, sql.prep(DayUsage, "day", day)],
    )
    return int(row[0]) if row else 0


def _take_from_day_cap(
    *, merchant_id: int, member_id: int, day: Any, discount_fen: int, cap_fen: int | None
) -> bool:
    """Add a sale's discount to the member's day row if it still fits the cap; False if not.

    One upsert: the row is made if missing, else updated only while the total stays within
    the cap. On PostgreSQL the conflicting row is locked and the condition re-read on its
    newest version, so of two terminals confirming at once for the same member the second
    waits for the first's commit and fits or not (the lock holds to commit); SQLite runs one
    writer at a time."""
    if discount_fen == 0:
        return True  # a full-price sale fits any cap and uses none of it
    if cap_fen is not None and discount_fen > cap_fen:
        return False
    statement = (
        "INSERT INTO pos_dayusage (merchant_id, member_id, day, discount_fen) "
        "VALUES (%s, %s, %s, %s) ON CONFLICT (merchant_id, member_id, day) DO UPDATE "
        "SET discount_fen = pos_dayusage.discount_fen + excluded.discount_fen"
    )
    params = [merchant_id, member_id, sql.prep(DayUsage, "day", day), discount_fen]
    if cap_fen is not None:
        statement += " WHERE pos_dayusage.discount_fen <= %s"
        params.append(cap_fen - discount_fen)
    return sql.first(statement + " RETURNING discount_fen", params) is not None


def transaction_confirm(
    *,
    merchant: Any,
    terminal: Any | None,
    quote_id: UUID,
    external_ref: str = "",
) -> Transaction:
    """Turn a quote into a sale: at most one sale per quote, within the member's day cap."""
    now = timezone.now()
    day = timezone.localdate(now)
    external_ref = " ".join(str(external_ref or "").split())[:64]
    with transaction.atomic():
        # Lock the quote: two cashiers confirming it at once make one sale (the OneToOne on
        # Transaction.quote would refuse the second anyway; the lock gives it a clear answer).
        row = sql.fetch_one(
            _locked_quote_sql(),
            [sql.prep(Quote, "public_id", quote_id), merchant.pk],
            _QUOTE,
            _QUOTE_MEMBER,
            _QUOTE_CARD,
            _QUOTE_CONTRACT,
        )
        if row is None:
            raise NotFound("pos.quote_not_found", _("报价不存在"))
        quote, member, card, contract = row
        quote.member, quote.card, quote.contract = member, card, contract
        # Asked after the lock, not in the locking query: its snapshot predates the other sale.
        if sql.first("SELECT 1 FROM pos_transaction WHERE quote_id = %s", [quote.pk]):
            raise Conflict("pos.quote_used", _("该报价已确认过交易，请重新报价"))
        if quote.expires_at <= now:
            raise Conflict("pos.quote_expired", _("报价已超过 5 分钟有效期，请重新读卡报价"))
        if quote.member.status != MemberStatus.ACTIVE:
            raise DomainError("pos.member_inactive", _("该会员当前不在会，不能享受会员优惠"))
        if quote.card is not None and quote.card.status != "active":
            raise DomainError(
                "cards.card_not_active",
                _("会员卡状态为“%(status)s”，不能使用")
                % {"status": quote.card.get_status_display()},
            )
        cap = quote.contract.per_member_day_cap_fen
        # The cap is checked again: another terminal may have used it up since the quote.
        if not _take_from_day_cap(
            merchant_id=merchant.pk,
            member_id=quote.member_id,
            day=day,
            discount_fen=quote.discount_fen,
            cap_fen=cap,
        ):
            used = (
                DayUsage.objects.filter(merchant=merchant, member_id=quote.member_id, day=day)
                .values_list("discount_fen", flat=True)
                .get()
            )
            raise Conflict(
                "pos.cap_exceeded",
                _("该会员今日在本店的优惠已达上限（%(cap)s），请重新报价")
                % {"cap": format_fen(cap or 0)},
                {"cap_fen": cap, "used_fen": used},
            )
        # Under the quote's lock no other sale of it can appear; the OneToOne backs that up.
        sale = Transaction(
            merchant=merchant,
            terminal=terminal,
            member=quote.member,
            card=quote.card,
            quote=quote,
            credential_kind=quote.credential_kind,
            amount_fen=quote.amount_fen,
            discount_fen=quote.discount_fen,
            payable_fen=quote.payable_fen,
            rule=quote.rule,
            external_ref=external_ref,
            local_date=day,
        )
        sql.insert(sale)
        ledger.append(
            merchant_id=merchant.pk,
            kind=EntryKind.SALE,
            member_id=quote.member_id,
            transaction_id=sale.pk,
            refund_id=None,
            amount_fen=sale.amount_fen,
            discount_fen=sale.discount_fen,
            payable_fen=sale.payable_fen,
            at=sale.created_at,
            local_date=day,
        )
    return sale


def transaction_refund(
    *,
    merchant: Any,
    terminal: Any | None,
    transaction_id: UUID,
    amount_fen: int,
    by: Any = None,
) -> Refund:
    """Give back part or all of what the member paid; the discount goes back in proportion,
    so refunds adding up to everything paid take back exactly the whole discount. `by` is the
    cashier's account on the web page (the audit entry's actor); a terminal refunds as None."""
    _check_amount(amount_fen)
    now = timezone.now()
    with transaction.atomic():
        # Lock the sale: two refunds at once must not together return more than was paid.
        sale = (
            Transaction.objects.select_for_update(of=("self",))
            .select_related("member", "quote")
            .filter(public_id=transaction_id, merchant=merchant)
            .first()
        )
        if sale is None:
            raise NotFound("pos.transaction_not_found", _("交易不存在"))
        remaining = rules.refundable_fen(
            payable_fen=sale.payable_fen, refunded_fen=sale.refunded_fen
        )
        if amount_fen > remaining:
            raise Conflict(
                "pos.refund_exceeds_paid",
                _("退款金额超过可退金额（实付 %(paid)s，已退 %(refunded)s，最多还可退 %(left)s）")
                % {
                    "paid": format_fen(sale.payable_fen),
                    "refunded": format_fen(sale.refunded_fen),
                    "left": format_fen(remaining),
                },
                {"refundable_fen": remaining},
            )
        reversed_fen = rules.discount_reversal(
            discount_fen=sale.discount_fen,
            payable_fen=sale.payable_fen,
            refunded_before_fen=sale.refunded_fen,
            reversed_before_fen=sale.discount_reversed_fen,
            refund_fen=amount_fen,
        )
        refund = Refund.objects.create(
            transaction=sale,
            amount_fen=amount_fen,
            discount_reversed_fen=reversed_fen,
            local_date=timezone.localdate(now),
        )
        sale.refunded_fen += amount_fen
        sale.discount_reversed_fen += reversed_fen
        sale.save(update_fields=["refunded_fen", "discount_reversed_fen"])
        if reversed_fen:
            # The cap counts the sale's day: what was given back there may be used again.
            DayUsage.objects.filter(
                merchant=merchant,
                member_id=sale.member_id,
                day=sale.local_date,
                discount_fen__gte=reversed_fen,
            ).update(discount_fen=F("discount_fen") - reversed_fen)
        ledger.append(
            merchant_id=merchant.pk,
            kind=EntryKind.REFUND,
            member_id=sale.member_id,
            transaction_id=sale.pk,
            refund_id=refund.pk,
            amount_fen=-(amount_fen + reversed_fen),
            discount_fen=-reversed_fen,
            payable_fen=-amount_fen,
            at=refund.created_at,
            local_date=refund.local_date,
        )
        log_action(
            "pos.transaction.refunded",
            actor=by,
            obj=sale,
            object_repr=f"{merchant.code} {sale.public_id}",
            union_path=_district_path(merchant),
            changes={
                "merchant": merchant.code,
                "terminal": terminal.key_id if terminal is not None else "",
                "refund": str(refund.public_id),
                "amount_fen": amount_fen,
                "discount_reversed_fen": reversed_fen,
                "refunded_fen": [sale.refunded_fen - amount_fen, sale.refunded_fen],
            },
        )
    refund.transaction = sale
    return refund


def _district_path(merchant: Any) -> str:
    from gonghui.orgs.models import Union

    path = Union.objects.filter(pk=merchant.district_id).values_list("path", flat=True).first()
    return str(path or "")
