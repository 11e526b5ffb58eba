"""Writes on member cards: each one user action, in one transaction, audited, with the card's
own history (CardEvent) kept alongside. Every status change goes through `_move`, which
checks the one table in rules.TRANSITIONS; card numbers enter the audit log only masked."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import require_perm
from gonghui.audit.log import Event, log_action, log_many
from gonghui.cards import rules
from gonghui.cards.citizen_card import ProductionRow, bureau
from gonghui.cards.models import LIVE_STATUSES, Card, CardEvent, CardStatus, IssueBatch, QrKey
from gonghui.core import crypto
from gonghui.core.errors import Conflict, DomainError, Forbidden, NotFound
from gonghui.core.excel import RowError, write_xlsx
from gonghui.core.masking import mask_account
from gonghui.jobs.models import Job
from gonghui.jobs.registry import ProgressReporter
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Union

S = CardStatus
MAX_BATCH_CARDS = 10_000
BATCH_NO_ATTEMPTS = 5
# What a member may do to their own card on the portal (staff do the rest).
MEMBER_TARGETS = frozenset({S.LOST})
REVEALABLE = {"citizen_card_no": "citizen_last4", "bank_card_no": "bank_last4"}


def citizen_index(number: str) -> str:
    """The blind index POS terminals find a card by (the number already normalised)."""
    return crypto.blind_index(number, purpose="citizen_card")


def action_for(before: str, after: str) -> str:
    """The audit action of a transition (namespaced, stable: reports filter on it)."""
    if after == S.APPLIED:
        return "cards.card.production_failed" if before else "cards.card.applied"
    if after == S.ACTIVE:
        return "cards.card.unlocked" if before == S.LOST else "cards.card.activated"
    actions: dict[str, str] = {
        S.PRODUCING: "cards.card.sent",
        S.MADE: "cards.card.made",
        S.LOST: "cards.card.lost",
        S.REPLACED: "cards.card.replaced",
        S.CANCELLED: "cards.card.cancelled",
    }
    return actions[after]


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _card_repr(card: Card) -> str:
    return f"{card.member.member_no} {card.member.name}"


def _has_card(member: Member) -> DomainError:
    return Conflict(
        "cards.already_has_card",
        _("%(name)s（%(no)s）已有一张在用的会员卡，不能重复申领；卡片损坏或丢失请先挂失再补卡")
        % {"name": member.name, "no": member.member_no},
        {"member_no": member.member_no},
    )


def _check_member_active(member: Member) -> None:
    if member.status != MemberStatus.ACTIVE:
        raise DomainError(
            "cards.member_not_active",
            _("只有在会会员可以申领会员卡，%(name)s 当前为“%(status)s”")
            % {"name": member.name, "status": member.get_status_display()},
        )


def _is_own(by: Any, member: Member) -> bool:
    return (
        getattr(by, "kind", None) == "member" and by.pk is not None and member.account_id == by.pk
    )


def _check_actor(by: Any, card: Card, target: str) -> None:
    """Staff need cards.change over the member's union; a member may report their own card
    lost; `None` is the system (commands, the demo)."""
    if getattr(by, "kind", None) == "member":
        if not _is_own(by, card.member):
            raise NotFound("not_found", _("没有找到该记录，或您无权查看"))
        if target not in MEMBER_TARGETS:
            raise Forbidden("auth.forbidden", _("该操作请到所在工会办理"))
        return
    if by is not None:
        require_perm(by, "cards.change", card.member.union.path)


@dataclass
class _Move:
    card: Card
    note: str = ""
    changes: dict[str, Any] = field(default_factory=dict)


def _move(moves: Sequence[_Move], target: str, by: Any, *, fields: Sequence[str] = ()) -> None:
    """Move cards the caller has locked to `target`: check each against the table, write the
    status (and `fields`), one history row and one audit entry per card."""
    if not moves:
        return
    now = timezone.now()
    events: list[CardEvent] = []
    audit: list[Event] = []
    for move in moves:
        card = move.card
        before = card.status
        rules.check_transition(before, target)
        card.status = target
        card.updated_at = now
        if target == S.ACTIVE and before == S.MADE:
            card.activated_at = now
        events.append(
            CardEvent(card=card, by=_user(by), from_status=before, to_status=target, note=move.note)
        )
        changes: dict[str, Any] = {"status": [before, target], **move.changes}
        if move.note:
            changes["note"] = move.note
        audit.append(
            Event(
                action_for(before, target),
                obj=card,
                changes=changes,
                object_repr=_card_repr(card),
                union_path=card.member.union.path,
            )
        )
    Card.objects.bulk_update(
        [m.card for m in moves],
        ["status", "updated_at", "activated_at", *fields],
        batch_size=500,
    )
    CardEvent.objects.bulk_create(events, batch_size=1000)
    log_many(by, audit)


def _locked(card: Card) -> Card:
    return (
        Card.objects.select_for_update(of=("self",))
        .select_related("member", "member__union")
        .get(pk=card.pk)
    )


def card_transition(*, card: Card, to: str, by: Any, note: str = "") -> Card:
    """The one way a single card changes state."""
    note = rules.clean_note(to, note)
    _check_actor(by, card, to)
    with transaction.atomic():
        # Lock the card: an officer and the member acting at once move it one after the
        # other, and the second sees the state the first left (or is refused by the table).
        locked = _locked(card)
        _move([_Move(locked, note)], to, by)
    return locked


def card_apply(*, by: Any, member: Member, note: str = "") -> Card:
    """申领: a new card for a member in good standing who has no card in use. The member may
    apply on the portal; staff for the members of their unions."""
    if not _is_own(by, member) and by is not None:
        require_perm(by, "cards.change", member.union.path)
    _check_member_active(member)
    note = rules.clean_note(S.APPLIED, note)
    with transaction.atomic():
        if Card.objects.filter(member=member, status__in=LIVE_STATUSES).exists():
            raise _has_card(member)
        try:
            # The partial unique index settles two applications racing past the check.
            with transaction.atomic():
                card = Card.objects.create(member=member)
        except IntegrityError:
            raise _has_card(member) from None
        _record_new([card], by, note)
    return card


def _record_new(cards: Sequence[Card], by: Any, note: str, **changes: Any) -> None:
    CardEvent.objects.bulk_create(
        [CardEvent(card=c, by=_user(by), to_status=S.APPLIED, note=note) for c in cards],
        batch_size=1000,
    )
    log_many(
        by,
        [
            Event(
                "cards.card.applied",
                obj=c,
                changes={"status": ["", S.APPLIED], **({"note": note} if note else {}), **changes},
                object_repr=_card_repr(c),
                union_path=c.member.union.path,
            )
            for c in cards
        ],
    )


def card_activate(*, by: Any, card: Card) -> Card:
    return card_transition(card=card, to=S.ACTIVE, by=by, note=_("激活"))


def card_report_lost(*, by: Any, card: Card, reason: str) -> Card:
    return card_transition(card=card, to=S.LOST, by=by, note=reason)


def card_unlock(*, by: Any, card: Card, reason: str = "") -> Card:
    """解除挂失: the card was found."""
    return card_transition(card=card, to=S.ACTIVE, by=by, note=reason or _("解除挂失"))


def card_cancel(*, by: Any, card: Card, reason: str) -> Card:
    return card_transition(card=card, to=S.CANCELLED, by=by, note=reason)


def card_replace(*, by: Any, card: Card, reason: str = "") -> Card:
    """补卡: the lost card is dead for good and a new one is applied for in its place, in one
    transaction (the new card goes into the next batch). Returns the new card."""
    note = rules.clean_note(S.REPLACED, reason) or _("补卡")
    _check_actor(by, card, S.REPLACED)
    _check_member_active(card.member)
    with transaction.atomic():
        # Lock the old card: two officers replacing it at once must make one new card.
        old = _locked(card)
        _move([_Move(old, note)], S.REPLACED, by)
        try:
            with transaction.atomic():
                new = Card.objects.create(member=old.member, replaces=old)
        except IntegrityError:
            raise _has_card(old.member) from None
        _record_new(
            [new],
            by,
            _("补办，原卡尾号 %(last4)s") % {"last4": old.citizen_last4 or "—"},
            replaces=str(old.public_id),
        )
    return new


def card_reveal(*, by: Any, card: Card, field_name: str) -> str:
    """A full card number, for roles holding members.reveal; every reveal audited."""
    require_perm(by, "members.reveal", card.member.union.path)
    if field_name not in REVEALABLE:
        raise DomainError("cards.field_invalid", _("只能查看市民卡号或联名银行卡号"))
    log_action(
        "cards.card.revealed",
        actor=by,
        obj=card,
        changes={"field": field_name},
        object_repr=_card_repr(card),
        union_path=card.member.union.path,
    )
    return str(getattr(card, field_name) or "")


EXPORT_HEADERS = (
    "会员号",
    "姓名",
    "所在工会",
    "状态",
    "市民卡号",
    "联名银行卡号",
    "制卡批次",
    "申领时间",
    "激活时间",
)


def _masked_last4(last4: str) -> str:
    return "*" * 12 + last4 if last4 else ""


def cards_export_rows(*, by: Any, cards: QuerySet[Card], filters: dict[str, str]) -> Any:
    """The staff list as spreadsheet rows, card numbers masked; on record when asked for."""
    log_action(
        "cards.cards.exported",
        actor=by,
        object_repr=_("会员卡导出"),
        changes={k: v for k, v in filters.items() if v},
    )

    def rows() -> Iterator[list[Any]]:
        for card in cards.iterator(chunk_size=1000):
            yield [
                card.member.member_no,
                card.member.name,
                card.member.union.name,
                card.get_status_display(),
                _masked_last4(card.citizen_last4),
                _masked_last4(card.bank_last4),
                card.batch.batch_no if card.batch else "",
                timezone.localtime(card.applied_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(card.activated_at).strftime("%Y-%m-%d %H:%M")
                if card.activated_at
                else "",
            ]

    return rows()


# -- bulk issuance --------------------------------------------------------------------------


def _new_batch_no() -> str:
    prefix = f"ZK{timezone.localdate():%Y%m%d}"
    taken = IssueBatch.objects.filter(batch_no__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def _eligible_card(card: Card | None) -> bool:
    """A member may join a batch with no card in use, or with an applied card not already
    waiting in an open batch (applied one by one, or sent back after a failed production)."""
    if card is None:
        return True
    return card.status == S.APPLIED and (
        card.batch_id is None or card.batch.status != IssueBatch.Status.OPEN  # type: ignore[union-attr]
    )


def batch_create(*, by: Any, union: Union, members: Iterable[Member]) -> IssueBatch:
    """A batch of cards for members of `union`'s subtree; all or nothing."""
    require_perm(by, "cards.change", union.path)
    ids = list({m.pk for m in members})
    chosen = list(Member.objects.filter(pk__in=ids).select_related("union").order_by("id"))
    if not chosen:
        raise DomainError(
            "cards.batch_empty", _("没有选中可以制卡的会员：在会、且没有在用会员卡的会员才能制卡")
        )
    if len(chosen) > MAX_BATCH_CARDS:
        raise DomainError(
            "cards.batch_too_large",
            _("一个批次最多 %(max)d 张卡，请缩小范围分批办理") % {"max": MAX_BATCH_CARDS},
        )
    for member in chosen:
        if not member.union.path.startswith(union.path):
            raise NotFound("not_found", _("没有找到该记录，或您无权查看"))
        _check_member_active(member)
    with transaction.atomic():
        # Lock the members' live cards: a card applied for or batched at this moment makes
        # this batch wait and then see it.
        live = {
            c.member_id: c
            for c in Card.objects.select_for_update(of=("self",))
            .filter(member__in=[m.pk for m in chosen], status__in=LIVE_STATUSES)
            .select_related("batch")
        }
        for member in chosen:
            if not _eligible_card(live.get(member.pk)):
                raise _has_card(member)
        batch = _create_batch(by, union)
        moving = list(live.values())
        for card in moving:
            card.batch = batch
        Card.objects.bulk_update(moving, ["batch"], batch_size=500)
        new = [Card(member=m, batch=batch) for m in chosen if m.pk not in live]
        try:
            with transaction.atomic():
                Card.objects.bulk_create(new, batch_size=1000)
        except IntegrityError:
            raise Conflict(
                "cards.already_has_card",
                _("有会员刚刚申领了会员卡，请刷新后重新选择"),
            ) from None
        _record_new(new, by, _("批次 %(no)s") % {"no": batch.batch_no}, batch=batch.batch_no)
        log_action(
            "cards.batch.created",
            actor=by,
            obj=batch,
            changes={"cards": len(chosen), "new": len(new), "moved": len(moving)},
            object_repr=batch.batch_no,
        )
    return batch


LIST_ALIASES: dict[str, tuple[str, ...]] = {
    "member_no": ("会员号",),
    "id_number": ("身份证号", "公民身份号码", "身份证号码"),
}


def read_member_list(
    *, actor: Any, union: Union, path: Path
) -> tuple[list[Member], list[RowError]]:
    """The members an uploaded list names (by 会员号 or 身份证号), each checked: in the
    union's subtree, in good standing, free to join a new batch. Every problem comes back
    with its row so the list can be fixed and uploaded again."""
    from gonghui.cards import selectors
    from gonghui.core import idnumbers
    from gonghui.core.excel import Sheet, find_header
    from gonghui.members.services import id_index

    sheet = Sheet(path)
    try:
        columns, header = find_header(sheet.rows(), LIST_ALIASES, ("member_no",))
    except DomainError:
        columns, header = find_header(sheet.rows(), LIST_ALIASES, ("id_number",))
    keys: list[tuple[int, str, str]] = []  # row, column label, key (member_no or id index)
    errors: list[RowError] = []
    for number, cells in enumerate(sheet.rows(), start=1):
        if number <= header:
            continue
        if len(keys) >= MAX_BATCH_CARDS:
            raise DomainError(
                "cards.batch_too_large",
                _("一个批次最多 %(max)d 张卡，请拆分名单") % {"max": MAX_BATCH_CARDS},
            )
        member_no = _cell(cells, columns.get("member_no")).upper()
        id_number = idnumbers.normalise(_cell(cells, columns.get("id_number")))
        if member_no:
            keys.append((number, "会员号", member_no))
        elif id_number:
            keys.append((number, "身份证号", id_index(id_number)))
    if not keys:
        raise DomainError("cards.batch_empty", _("名单中没有会员号或身份证号"))
    eligible = {
        m.pk
        for m in selectors.members_for_batch(actor=actor, union=union).filter(
            pk__in=selectors.members_by_keys(
                actor=actor,
                union=union,
                member_nos=[k for _r, c, k in keys if c == "会员号"],
                id_indexes=[k for _r, c, k in keys if c != "会员号"],
            ).values("pk")
        )
    }
    found: dict[str, Member] = {}
    for member in selectors.members_by_keys(
        actor=actor,
        union=union,
        member_nos=[k for _r, c, k in keys if c == "会员号"],
        id_indexes=[k for _r, c, k in keys if c != "会员号"],
    ):
        found[member.member_no] = found[member.id_index] = member
    chosen: list[Member] = []
    for row, column, key in keys:
        shown = key if column == "会员号" else _("（已隐藏）")
        named = found.get(key)
        if named is None:
            errors.append(
                RowError(
                    row, column, shown, _("本工会及下级工会没有这名会员"), "cards.list_unknown"
                )
            )
        elif named.pk not in eligible:
            errors.append(
                RowError(
                    row,
                    column,
                    shown,
                    _("%(name)s 不在会或已有在用的会员卡") % {"name": named.name},
                    "cards.list_not_eligible",
                )
            )
        else:
            chosen.append(named)
    return chosen, errors


def _cell(cells: list[Any], index: int | None) -> str:
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    value = cells[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _create_batch(by: Any, union: Union) -> IssueBatch:
    for _attempt in range(BATCH_NO_ATTEMPTS):
        try:
            with transaction.atomic():
                return IssueBatch.objects.create(
                    batch_no=_new_batch_no(), union=union, created_by=_user(by)
                )
        except IntegrityError:
            continue  # another batch took the number this instant
    raise Conflict("cards.batch_busy", _("同时新建的批次太多，请稍后重试"))


def _locked_batch(batch: IssueBatch) -> IssueBatch:
    return (
        IssueBatch.objects.select_for_update(of=("self",)).select_related("union").get(pk=batch.pk)
    )


def batch_send(*, by: Any, batch: IssueBatch) -> IssueBatch:
    """报送制卡: the batch's applied cards go to production; the production file can then be
    downloaded for the bureau."""
    require_perm(by, "cards.change", batch.union.path)
    with transaction.atomic():
        # Lock the batch: two officers sending it at once send it once.
        locked = _locked_batch(batch)
        if locked.status != IssueBatch.Status.OPEN:
            raise Conflict("cards.batch_not_open", _("该批次已报送，不能再次报送"))
        cards = list(
            Card.objects.select_for_update(of=("self",))
            .filter(batch=locked, status=S.APPLIED)
            .select_related("member", "member__union")
            .order_by("id")
        )
        if not cards:
            raise DomainError("cards.batch_empty", _("该批次没有待报送的卡"))
        note = _("批次 %(no)s 报送制卡") % {"no": locked.batch_no}
        _move([_Move(c, note) for c in cards], S.PRODUCING, by)
        locked.status = IssueBatch.Status.SENT
        locked.sent_at = timezone.now()
        locked.save(update_fields=["status", "sent_at"])
        log_action("cards.batch.sent", actor=by, obj=locked, changes={"cards": len(cards)})
    return locked


def batch_production_file(*, by: Any, batch: IssueBatch, target: IO[bytes]) -> int:
    """The production file for the bureau. It carries full identity numbers and phones (the
    bureau prints and registers the card), so it takes members.reveal besides cards.change,
    and every download is on record."""
    require_perm(by, "cards.change", batch.union.path)
    require_perm(by, "members.reveal", batch.union.path)
    if batch.status == IssueBatch.Status.OPEN:
        raise DomainError("cards.batch_not_sent", _("请先报送该批次，再下载制卡文件"))
    cards = (
        Card.objects.filter(batch=batch, status=S.PRODUCING)
        .select_related("member", "member__union")
        .order_by("id")
    )
    count = cards.count()
    if not count:
        raise DomainError("cards.batch_nothing_producing", _("该批次已没有制卡中的卡"))
    log_action(
        "cards.batch.production_exported",
        actor=by,
        obj=batch,
        changes={"cards": count, "full_id_numbers": True},
        object_repr=batch.batch_no,
    )
    rows = (
        ProductionRow(
            batch_no=batch.batch_no,
            member_no=card.member.member_no,
            name=card.member.name,
            id_number=card.member.id_number,
            phone=card.member.phone,
            union=card.member.union.name,
        )
        for card in cards.iterator(chunk_size=1000)
    )
    return bureau().write_production(rows, target)


def batch_result_import(*, by: Any, batch: IssueBatch, file: File) -> Job:  # type: ignore[type-arg]
    """Start the import of the bureau's result file as a background job (see jobs.py)."""
    from gonghui.jobs.services import job_start

    require_perm(by, "cards.change", batch.union.path)
    if batch.status == IssueBatch.Status.OPEN:
        raise DomainError("cards.batch_not_sent", _("该批次尚未报送制卡，不能导入回盘文件"))
    return job_start(
        by=by,
        kind="cards.result_import",
        title=_("导入制卡回盘：批次 %(no)s") % {"no": batch.batch_no},
        params={"batch": str(batch.public_id)},
        input_file=file,
    )


@dataclass
class ResultSummary:
    rows: int = 0
    made: int = 0
    failed: int = 0
    unchanged: int = 0
    pending: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "made": self.made,
            "failed": self.failed,
            "unchanged": self.unchanged,
            "pending": self.pending,
            "written": self.written,
            "error_count": len(self.errors),
            "errors": [e.__dict__ for e in self.errors[:200]],
        }


def batch_result_apply(
    *, by: Any, batch: IssueBatch, path: Path, progress: ProgressReporter | None = None
) -> ResultSummary:
    """Import the bureau's result file for `batch`: all or nothing. Success rows make the
    cards 待激活 with their numbers; failure rows send them back to 已申领 with the bureau's
    reason in their history. A row already applied is unchanged, so a second import of the
    same file changes nothing."""
    if by is not None:
        require_perm(by, "cards.change", batch.union.path)
    parsed = bureau().read_result(path)
    summary = ResultSummary(rows=len(parsed.rows) + len(parsed.errors), errors=list(parsed.errors))
    if progress:
        progress.set_total(summary.rows)
    try:
        with transaction.atomic():
            made, failed = _plan_result(by, batch, parsed.rows, summary, progress)
            if summary.errors:
                summary.errors.sort(key=lambda e: e.row)
                return summary
            _write_result(by, batch, made, failed, summary)
    except IntegrityError as exc:
        raise Conflict(
            "cards.result_conflict",
            _("回盘文件中的市民卡号刚被另一次导入使用，请稍后重新导入"),
        ) from exc
    return summary


def _plan_result(
    by: Any,
    batch: IssueBatch,
    rows: list[Any],
    summary: ResultSummary,
    progress: ProgressReporter | None,
) -> tuple[list[tuple[Card, Any, str]], list[tuple[Card, Any]]]:
    # Lock the batch: two imports of its result file run one after the other, and the second
    # finds the cards the first moved (and changes nothing).
    locked = _locked_batch(batch)
    batch.status = locked.status
    if locked.status == IssueBatch.Status.OPEN:
        raise DomainError("cards.batch_not_sent", _("该批次尚未报送制卡，不能导入回盘文件"))
    cards: dict[str, Card] = {}
    for card in (
        Card.objects.select_for_update(of=("self",))
        .filter(batch=locked)
        .select_related("member", "member__union")
        .order_by("id")
    ):
        # A member's live card wins over a dead one left in the same batch.
        if card.member.member_no not in cards or card.status in LIVE_STATUSES:
            cards[card.member.member_no] = card
    indexes = {r.row: citizen_index(r.citizen_no) for r in rows if r.ok}
    used: dict[str, int] = {}
    values = list(set(indexes.values()))
    for start in range(0, len(values), 1000):
        used.update(
            Card.objects.filter(citizen_index__in=values[start : start + 1000]).values_list(
                "citizen_index", "pk"
            )
        )
    seen_members: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    made: list[tuple[Card, Any, str]] = []
    failed: list[tuple[Card, Any]] = []

    def error(row: Any, column: str, value: str, reason: str, code: str) -> None:
        summary.errors.append(RowError(row.row, column, value, reason, code))

    for row in rows:
        if progress:
            progress.advance()
        if row.batch_no != locked.batch_no:
            error(
                row,
                "批次号",
                row.batch_no,
                _("不是本批次的回盘（本批次为 %(no)s）") % {"no": locked.batch_no},
                "cards.result_other_batch",
            )
            continue
        found_card = cards.get(row.member_no)
        if found_card is None:
            error(row, "会员号", row.member_no, _("本批次没有该会员的卡"), "cards.result_unknown")
            continue
        card = found_card
        if row.member_no in seen_members:
            error(
                row,
                "会员号",
                row.member_no,
                _("与第 %(row)d 行重复") % {"row": seen_members[row.member_no]},
                "cards.result_duplicate",
            )
            continue
        seen_members[row.member_no] = row.row
        state = rules.status_label(card.status)
        if row.ok:
            index = indexes[row.row]
            masked = mask_account(row.citizen_no)
            if index in seen_numbers:
                error(
                    row,
                    "市民卡号",
                    masked,
                    _("与第 %(row)d 行的市民卡号重复") % {"row": seen_numbers[index]},
                    "cards.result_duplicate_number",
                )
                continue
            seen_numbers[index] = row.row
            if used.get(index, card.pk) != card.pk:
                error(
                    row,
                    "市民卡号",
                    masked,
                    _("该市民卡号已登记在另一张会员卡上"),
                    "cards.card_no_taken",
                )
            elif card.status == S.PRODUCING:
                made.append((card, row, index))
            elif card.citizen_index == index:
                summary.unchanged += 1  # imported before
            else:
                error(
                    row,
                    "结果",
                    row.member_no,
                    _("该卡当前为“%(state)s”，不能再回盘为制卡成功") % {"state": state},
                    "cards.result_state",
                )
        elif card.status == S.PRODUCING:
            failed.append((card, row))
        elif card.status == S.APPLIED and not card.citizen_index:
            summary.unchanged += 1  # its failure was imported before
        else:
            error(
                row,
                "结果",
                row.member_no,
                _("该卡当前为“%(state)s”，不能再回盘为制卡失败") % {"state": state},
                "cards.result_state",
            )
    return made, failed


def _write_result(
    by: Any,
    batch: IssueBatch,
    made: list[tuple[Card, Any, str]],
    failed: list[tuple[Card, Any]],
    summary: ResultSummary,
) -> None:
    moves: list[_Move] = []
    for card, row, index in made:
        card.citizen_card_no = row.citizen_no
        card.citizen_index = index
        card.citizen_last4 = rules.last4(row.citizen_no)
        card.bank_card_no = row.bank_no
        card.bank_last4 = rules.last4(row.bank_no) if row.bank_no else ""
        changes = {"citizen_card_no": mask_account(row.citizen_no)}
        if row.bank_no:
            changes["bank_card_no"] = mask_account(row.bank_no)
        moves.append(_Move(card, _("制卡完成，批次 %(no)s") % {"no": batch.batch_no}, changes))
    _move(
        moves,
        S.MADE,
        by,
        fields=["citizen_card_no", "citizen_index", "citizen_last4", "bank_card_no", "bank_last4"],
    )
    _move(
        [
            _Move(card, (_("制卡失败：%(reason)s") % {"reason": row.reason})[: rules.NOTE_MAX])
            for card, row in failed
        ],
        S.APPLIED,
        by,
    )
    summary.made, summary.failed = len(made), len(failed)
    summary.pending = Card.objects.filter(batch=batch, status=S.PRODUCING).count()
    summary.written = bool(made or failed)
    if not summary.written:
        return
    locked = IssueBatch.objects.get(pk=batch.pk)
    if summary.pending == 0 and locked.status != IssueBatch.Status.RETURNED:
        locked.status = IssueBatch.Status.RETURNED
        locked.returned_at = timezone.now()
        locked.save(update_fields=["status", "returned_at"])
    batch.status, batch.returned_at = locked.status, locked.returned_at
    log_action(
        "cards.batch.result_imported",
        actor=by,
        obj=locked,
        changes={
            "made": summary.made,
            "failed": summary.failed,
            "unchanged": summary.unchanged,
            "pending": summary.pending,
        },
        object_repr=locked.batch_no,
    )


def write_error_report(errors: Iterable[RowError], target: Path | IO[bytes]) -> int:
    return write_xlsx(
        target,
        ["行号", "列", "内容", "原因"],
        ([e.row, e.column, e.value, e.reason] for e in errors),
        sheet_name="错误",
    )


# -- the dynamic QR code --------------------------------------------------------------------


def _new_handle() -> str:
    return "".join(secrets.choice(rules.HANDLE_ALPHABET) for _ in range(rules.HANDLE_LENGTH))


def qr_key_for(member: Member) -> QrKey:
    """The member's QR key, created the first time it is asked for."""
    key = QrKey.objects.filter(member=member).first()
    if key is not None:
        return key
    for _attempt in range(5):
        try:
            with transaction.atomic():
                key = QrKey.objects.create(
                    member=member, handle=_new_handle(), secret=secrets.token_hex(20)
                )
        except IntegrityError:
            # Another request created the member's key this instant, or the handle is taken.
            key = QrKey.objects.filter(member=member).first()
            if key is not None:
                return key
            continue
        log_action(
            "cards.qr_key.created",
            actor=None,
            obj=member,
            changes={"handle": key.handle},
        )
        return key
    raise RuntimeError("could not draw a free QR handle")  # 32^6 handles: not in life


def qr_key_reset(*, by: Any, member: Member) -> QrKey:
    """A new secret and handle: every code shown or cached before stops working (a lost
    phone). The member on the portal, or staff with cards.change."""
    if not _is_own(by, member):
        require_perm(by, "cards.change", member.union.path)
    key = qr_key_for(member)
    key.secret = secrets.token_hex(20)
    for _attempt in range(5):
        key.handle = _new_handle()
        try:
            with transaction.atomic():
                key.save(update_fields=["secret", "handle"])
                log_action(
                    "cards.qr_key.reset", actor=by, obj=member, changes={"handle": key.handle}
                )
        except IntegrityError:
            continue
        return key
    raise RuntimeError("could not draw a free QR handle")


def qr_codes(member: Member, *, start: Any, count: int) -> list[tuple[int, str]]:
    """(step, code) for `count` steps from the one `start` falls in."""
    key = qr_key_for(member)
    first = rules.qr_step(start)
    return [
        (step, rules.qr_code(handle=key.handle, secret=key.secret, step=step))
        for step in range(first, first + count)
    ]
