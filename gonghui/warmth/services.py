"""Writes on 送温暖: each one user action, in one transaction, audited.

Locks where money moves: every budget change locks the campaign row (allocations are few and
serialised per campaign) and then the parent's allocation; every hand-out locks the allocation
it spends from (the campaign row when it spends the organiser's funds) and the targets it
delivers to. So two officers spending one budget, or one officer spending while the county
trims the budget, are served one after the other. The campaign and budget rows are locked
FOR NO KEY UPDATE: hand-outs insert rows pointing at the campaign (a key-share lock), which a
plain FOR UPDATE held by a budget change would block into a deadlock.

A change of the campaign's groups takes the plain FOR UPDATE on purpose, and every hand-out
first takes FOR KEY SHARE on the campaign row (which only FOR UPDATE conflicts with, so
hand-outs, budget changes and list builds still run side by side): a change of groups and a
hand-out wait for each other, and the later one sees the earlier one's outcome (a batch
exists: the change is refused; the list is stale: the hand-out is refused). The foreign keys
are checked only at commit, so the batch's insert does not take that lock early enough. A
list build checks the groups' version under a NO KEY UPDATE lock in every chunk, so a build
that started under older groups stops instead of writing outdated standards."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import has_perm
from gonghui.audit.log import Event, log_action, log_many
from gonghui.core import crypto
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.core.filetypes import sniff
from gonghui.core.payouts import PayoutLine, check_results, payout_file_bytes, read_payout_results
from gonghui.jobs.models import Job
from gonghui.jobs.registry import ProgressReporter
from gonghui.members.models import Member
from gonghui.orgs.models import Union
from gonghui.warmth import rules, selectors
from gonghui.warmth.models import (
    Allocation,
    Campaign,
    CampaignEvent,
    Distribution,
    DistributionBatch,
    Fund,
    LineStatus,
    Method,
    PayoutStatus,
    Target,
    TargetSource,
    TargetStatus,
    line_reference,
)

BULK_CHUNK = 1000
MAX_BATCH = 500
# A result file for at most MAX_BATCH lines is a few dozen KB; anything far bigger is not one.
RESULT_MAX_BYTES = 5 * 1024 * 1024
REGROUP_FIELDS = [
    "group_code",
    "group_name",
    "cash_fen",
    "goods",
    "goods_value_fen",
    "status",
    "note",
]


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _require_manager(by: Any) -> None:
    if not selectors.is_manager(by):
        raise Forbidden("auth.forbidden", _("送温暖活动、资金和一级预算由市总工会保障部管理"))


def _require_open(campaign: Campaign) -> None:
    if not rules.is_open(campaign.status):
        raise DomainError("warmth.campaign_closed", _("活动已结束，不能再修改"))


def _require_change(by: Any, union: Union) -> None:
    if not has_perm(by, selectors.CHANGE, union.path):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))


# -- campaigns -------------------------------------------------------------------------------


def campaign_create(
    *,
    by: Any,
    union: Union,
    code: str,
    name: str,
    starts_on: date,
    ends_on: date,
    groups: Any = None,
) -> Campaign:
    _require_manager(by)
    _require_change(by, union)
    parsed = rules.parse_groups(
        groups if groups is not None else [g.as_data() for g in rules.DEFAULT_GROUPS]
    )
    code = code.strip().upper()
    if ends_on < starts_on:
        raise DomainError("warmth.dates_invalid", _("结束日期不能早于开始日期"))
    if Campaign.objects.filter(code=code).exists():
        raise DomainError("warmth.code_taken", _("活动代码已被使用"))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            code=code,
            name=name.strip(),
            union=union,
            starts_on=starts_on,
            ends_on=ends_on,
            groups=[g.as_data() for g in parsed],
            created_by=_user(by),
        )
        log_action(
            "warmth.campaign.created",
            actor=by,
            obj=campaign,
            object_repr=campaign.name,
            changes={"code": code, "period": [starts_on, ends_on], "groups": campaign.groups},
        )
    return campaign


def campaign_transition(*, by: Any, campaign: Campaign, to: str) -> Campaign:
    _require_manager(by)
    with transaction.atomic():
        # Two managers pressing the button at once: the second sees the new status.
        locked = Campaign.objects.select_for_update(no_key=True).get(pk=campaign.pk)
        rules.check_transition(locked.status, to)
        waiting = locked.batches.filter(payout_status=PayoutStatus.WAITING).count()
        if to == rules.CLOSED and waiting:
            raise DomainError(
                "warmth.payout_waiting",
                _("还有 %(n)d 个批次等待银行回盘，导入回盘后才能结束活动") % {"n": waiting},
                {"batches": waiting},
            )
        CampaignEvent.objects.create(
            campaign=locked, from_status=locked.status, to_status=to, by=_user(by)
        )
        log_action(
            f"warmth.campaign.{to}",
            actor=by,
            obj=locked,
            object_repr=locked.name,
            changes={"status": [locked.status, to]},
        )
        locked.status = to
        locked.save(update_fields=["status"])
    return locked


def campaign_groups_set(*, by: Any, campaign: Campaign, groups: Any) -> Campaign:
    """Replace the campaign's groups (add, change standards, delete, reorder: the order is the
    tie-break order). Allowed until the first hand-out; a list already built no longer matches
    and is marked stale until it is rebuilt (targets_rebuild)."""
    _require_manager(by)
    _require_change(by, campaign.union)
    after = rules.groups_data(rules.parse_groups(groups))
    with transaction.atomic():
        # FOR UPDATE, not NO KEY: see the module's docstring (a hand-out inserting its batch
        # and this change wait for each other, so exactly one of them is refused).
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        rules.check_groups_editable(locked.status, locked.batches.count())
        before = locked.groups
        if before == after:
            return locked
        locked.groups = after
        locked.groups_version += 1
        locked.targets_stale = locked.targets_stale or locked.targets.exists()
        locked.save(update_fields=["groups", "groups_version", "targets_stale"])
        log_action(
            "warmth.campaign.groups_changed",
            actor=by,
            obj=locked,
            object_repr=locked.name,
            changes={
                "groups": [before, after],
                "version": locked.groups_version,
                "list_stale": locked.targets_stale,
            },
        )
    return locked


def fund_record(
    *,
    by: Any,
    campaign: Campaign,
    source: str,
    donor: str,
    amount_fen: int,
    received_on: date,
    reference: str = "",
) -> Fund:
    _require_manager(by)
    _require_open(campaign)
    if amount_fen <= 0:
        raise DomainError("warmth.fund_amount", _("金额须大于 0"))
    with transaction.atomic():
        fund = Fund.objects.create(
            campaign=campaign,
            source=source,
            donor=donor.strip(),
            amount_fen=amount_fen,
            received_on=received_on,
            reference=reference.strip(),
            recorded_by=_user(by),
        )
        log_action(
            "warmth.fund.recorded",
            actor=by,
            obj=fund,
            object_repr=campaign.name,
            changes={
                "campaign": campaign.code,
                "source": source,
                "donor": fund.donor,
                "amount_fen": amount_fen,
                "received_on": received_on,
            },
        )
    return fund


# -- budgets ---------------------------------------------------------------------------------


def allocation_set(*, by: Any, campaign: Campaign, union: Union, amount_fen: int) -> Allocation:
    """Give `union` a budget of `amount_fen` (or change it) out of its parent's budget."""
    parent = union.parent
    if parent is None or not union.path.startswith(campaign.union.path) or union == campaign.union:
        raise DomainError("warmth.allocation_union", _("只能给活动组织单位的下级工会分配预算"))
    _require_change(by, parent)
    with transaction.atomic():
        # Budgets of one campaign change one at a time: two allocations out of one parent's
        # remaining budget cannot both pass the check.
        locked = Campaign.objects.select_for_update(no_key=True).get(pk=campaign.pk)
        _require_open(locked)
        if parent.pk == locked.union_id:
            parent_budget = selectors.funds_total(locked)
        else:
            # A hand-out spending the parent's budget locks this row too.
            parent_row = (
                Allocation.objects.select_for_update(no_key=True)
                .filter(campaign=locked, union=parent)
                .first()
            )
            if parent_row is None:
                raise DomainError(
                    "warmth.parent_without_budget",
                    _("上级工会“%(name)s”还没有预算，请先给上级分配") % {"name": parent.name},
                )
            parent_budget = int(parent_row.amount_fen)
        # A hand-out spending this union's budget locks this row: no spending in between.
        existing = (
            Allocation.objects.select_for_update(no_key=True)
            .filter(campaign=locked, union=union)
            .first()
        )
        current = int(existing.amount_fen) if existing is not None else 0
        parent_remaining = rules.remaining_fen(
            parent_budget,
            selectors.allocated_below(locked, parent),
            selectors.spent_from(locked, parent),
        )
        own_committed = selectors.allocated_below(locked, union) + selectors.spent_from(
            locked, union
        )
        rules.check_allocation(
            new_fen=amount_fen,
            current_fen=current,
            parent_remaining_fen=parent_remaining,
            own_committed_fen=own_committed,
        )
        if existing is None:
            existing = Allocation(campaign=locked, union=union, parent_union=parent)
        existing.amount_fen = amount_fen
        existing.updated_by = _user(by)
        existing.save()
        log_action(
            "warmth.allocation.set",
            actor=by,
            obj=existing,
            object_repr=f"{locked.code} {union.name}",
            union_path=union.path,
            changes={
                "campaign": locked.code,
                "union": union.code,
                "amount_fen": [current, amount_fen],
            },
        )
    return existing


# -- the list --------------------------------------------------------------------------------


def _person(member: Member) -> rules.Person:
    return rules.Person(
        status=member.status,
        is_hardship=member.is_hardship,
        is_model_worker=member.is_model_worker,
        category=member.category,
        gender=member.gender,
        birth_date=member.birth_date,
    )


def _target(
    campaign: Campaign, member: Member, group: rules.TargetGroup, source: str, by: Any, note: str
) -> Target:
    return Target(
        campaign=campaign,
        member=member,
        union=member.union,
        group_code=group.code,
        group_name=group.name,
        cash_fen=group.cash_fen,
        goods=group.goods,
        goods_value_fen=group.goods_value_fen,
        source=source,
        note=note,
        created_by=_user(by),
    )


def _guard_version(campaign: Campaign) -> None:
    """Inside a chunk's transaction: stop when the groups changed since the run started. The
    row lock makes a change of groups wait for the chunk, so no chunk writes after it."""
    current = (
        Campaign.objects.select_for_update(no_key=True)
        .filter(pk=campaign.pk)
        .values_list("groups_version", flat=True)
        .first()
    )
    if current != campaign.groups_version:
        raise DomainError(
            "warmth.groups_changed",
            _("生成名单期间慰问对象类别或标准又被修改，本次生成已停止，请按新的类别重新生成"),
        )


def _add_candidates(
    by: Any,
    campaign: Campaign,
    groups: Sequence[rules.TargetGroup],
    members: Iterable[Member],
    progress: ProgressReporter | None,
) -> dict[str, int]:
    added: dict[str, int] = {}
    chunk: list[Target] = []

    def flush() -> None:
        with transaction.atomic():
            _guard_version(campaign)
            Target.objects.bulk_create(chunk, ignore_conflicts=True)
        if progress is not None:
            progress.advance(len(chunk))
        chunk.clear()

    for member in members:
        group = rules.choose_group(groups, _person(member), campaign.starts_on)
        if group is None:
            continue
        chunk.append(_target(campaign, member, group, TargetSource.RULE, by, ""))
        added[group.code] = added.get(group.code, 0) + 1
        if len(chunk) >= BULK_CHUNK:
            flush()
    flush()
    return added


def targets_build(
    *,
    by: Any,
    campaign: Campaign,
    union: Union,
    members: Iterable[Member] | None = None,
    progress: ProgressReporter | None = None,
) -> dict[str, int]:
    """Put on the list everyone in `union`'s subtree who falls in a group and is not listed
    yet. Streams the registry; each chunk is its own transaction (a rerun goes on where a
    failed run stopped: the unique constraint and the filter skip who is listed). `members`,
    when given, must come from the same `campaign` object (the same version of the groups)."""
    _require_change(by, union)
    _require_open(campaign)
    groups = rules.parse_groups(campaign.groups)
    if members is None:
        members = selectors.candidates(actor=by, campaign=campaign, union=union).iterator(
            chunk_size=BULK_CHUNK
        )
    added = _add_candidates(by, campaign, groups, members, progress)
    log_action(
        "warmth.targets.built",
        actor=by,
        obj=campaign,
        object_repr=f"{campaign.code} {union.name}",
        union_path=union.path,
        changes={"campaign": campaign.code, "union": union.code, "added": added},
    )
    return added


def targets_rebuild(
    *, by: Any, campaign: Campaign, progress: ProgressReporter | None = None
) -> dict[str, Any]:
    """After the groups changed: every person still waiting on the list is put where the new
    groups place them (at the new standard), taken off when no group holds them any more (a
    person added by hand whose group was deleted is marked removed, to be added again by
    hand), and whoever the new groups add is listed. Clears the stale mark when the groups
    did not change again meanwhile. People removed by hand stay removed."""
    _require_manager(by)
    union = campaign.union
    _require_change(by, union)
    _require_open(campaign)
    _require_stale(campaign)
    groups = rules.parse_groups(campaign.groups)
    from gonghui.accounts.scoping import scoped

    waiting = scoped(Target.objects.filter(campaign=campaign), by, selectors.VIEW).filter(
        status=TargetStatus.LISTED
    )
    members = selectors.candidates(actor=by, campaign=campaign, union=union)
    if progress is not None:
        progress.set_total(waiting.count() + members.count())
    regrouped = dropped = 0
    removed: list[str] = []
    last_id = 0
    while True:
        with transaction.atomic():
            _guard_version(campaign)
            # An officer removing someone at this moment: one of the two sees the other.
            rows = list(
                waiting.filter(id__gt=last_id)
                .select_related("member")
                .select_for_update(of=("self",))
                .order_by("id")[:BULK_CHUNK]
            )
            if not rows:
                break
            last_id = rows[-1].pk
            changed: list[Target] = []
            gone: list[int] = []
            for target in rows:
                group = rules.regroup(
                    groups,
                    manual=target.source == TargetSource.MANUAL,
                    group_code=target.group_code,
                    person=_person(target.member),
                    on=campaign.starts_on,
                )
                if group is None and target.source == TargetSource.MANUAL:
                    target.status = TargetStatus.REMOVED
                    target.note = _("慰问类别“%(name)s”已删除，如仍需慰问请重新人工添加") % {
                        "name": target.group_name
                    }
                    removed.append(target.member.member_no)
                    changed.append(target)
                elif group is None:
                    gone.append(target.pk)
                elif _standard(target) != _standard_of(group):
                    target.group_code, target.group_name = group.code, group.name
                    target.cash_fen, target.goods = group.cash_fen, group.goods
                    target.goods_value_fen = group.goods_value_fen
                    changed.append(target)
                    regrouped += 1
            Target.objects.bulk_update(changed, REGROUP_FIELDS)
            if changed:
                Target.objects.filter(pk__in=[t.pk for t in changed]).update(
                    updated_at=timezone.now()
                )
            # Nobody on a stale list has been handed out to (the groups freeze at the first
            # batch), so these rows carry no hand-out: the rules simply no longer list them.
            dropped += Target.objects.filter(pk__in=gone, distributions__isnull=True).delete()[0]
        if progress is not None:
            progress.advance(len(rows))
    added = _add_candidates(by, campaign, groups, members.iterator(chunk_size=BULK_CHUNK), progress)
    with transaction.atomic():
        _guard_version(campaign)
        Campaign.objects.filter(pk=campaign.pk).update(targets_stale=False)
        log_action(
            "warmth.targets.rebuilt",
            actor=by,
            obj=campaign,
            object_repr=campaign.name,
            union_path=union.path,
            changes={
                "campaign": campaign.code,
                "version": campaign.groups_version,
                "added": added,
                "regrouped": regrouped,
                "dropped": dropped,
                "removed": removed[:200],
            },
        )
    campaign.targets_stale = False
    return {
        "added": sum(added.values()),
        "by_group": added,
        "regrouped": regrouped,
        "dropped": dropped,
        "removed": len(removed),
        "url": f"/w/warmth/{campaign.code}/",
    }


def targets_rebuild_start(*, by: Any, campaign: Campaign) -> Job:
    """Run targets_rebuild as a background job with progress (the list may be city-wide)."""
    from gonghui.jobs.services import job_start

    _require_manager(by)
    _require_change(by, campaign.union)
    _require_open(campaign)
    _require_stale(campaign)
    return job_start(
        by=by,
        kind="warmth.rebuild",
        title=_("按新的类别和标准重新生成送温暖名单：%(name)s") % {"name": campaign.name},
        params={"campaign": campaign.code},
    )


def _require_stale(campaign: Campaign) -> None:
    if not Campaign.objects.filter(pk=campaign.pk, targets_stale=True).exists():
        raise DomainError("warmth.targets_current", _("名单已按当前的类别和标准生成，无需重新生成"))


def _standard(target: Target) -> tuple[str, str, int, str, int]:
    return (
        target.group_code,
        target.group_name,
        int(target.cash_fen),
        target.goods,
        int(target.goods_value_fen),
    )


def _standard_of(group: rules.TargetGroup) -> tuple[str, str, int, str, int]:
    return (group.code, group.name, group.cash_fen, group.goods, group.goods_value_fen)


def _reason(reason: str) -> str:
    text = " ".join(reason.split())[:200]
    if len(text) < 2:
        raise DomainError("warmth.reason_required", _("请写明理由"))
    return text


def target_add(
    *, by: Any, campaign: Campaign, member: Member, group_code: str, reason: str
) -> Target:
    """A person the rules did not list (or one removed before), added by hand with a reason."""
    _require_change(by, member.union)
    _require_open(campaign)
    note = _reason(reason)
    group = rules.group_by_code(rules.parse_groups(campaign.groups), group_code)
    if group is None:
        raise DomainError("warmth.group_unknown", _("请选择慰问类别"))
    if member.status not in rules.ELIGIBLE_STATUSES:
        raise DomainError("warmth.member_not_eligible", _("只有在会或保留会籍的会员可以列入名单"))
    with transaction.atomic():
        existing = (
            Target.objects.select_for_update().filter(campaign=campaign, member=member).first()
        )
        if existing is not None and existing.status != TargetStatus.REMOVED:
            raise Conflict("warmth.already_listed", _("该会员已在名单上"))
        if existing is not None:
            existing.delete()
        target = _target(campaign, member, group, TargetSource.MANUAL, by, note)
        target.save()
        log_action(
            "warmth.target.added",
            actor=by,
            obj=target,
            object_repr=f"{campaign.code} {member.member_no}",
            union_path=member.union.path,
            changes={"member": member.member_no, "group": group.code, "reason": note},
        )
    return target


def target_remove(*, by: Any, target: Target, reason: str) -> Target:
    _require_change(by, target.union)
    _require_open(target.campaign)
    note = _reason(reason)
    with transaction.atomic():
        # A hand-out to this person at the same moment: one of the two sees the other's status.
        locked = Target.objects.select_for_update().get(pk=target.pk)
        if locked.status != TargetStatus.LISTED:
            raise Conflict("warmth.target_not_listed", _("已发放或已移出的对象不能移出"))
        locked.status = TargetStatus.REMOVED
        locked.note = note
        locked.save(update_fields=["status", "note", "updated_at"])
        log_action(
            "warmth.target.removed",
            actor=by,
            obj=locked,
            object_repr=f"{target.campaign.code} {target.member.member_no}",
            union_path=target.union.path,
            changes={"member": target.member.member_no, "reason": note},
        )
    return locked


# -- hand-outs -------------------------------------------------------------------------------


def _new_batch_no(campaign: Campaign) -> str:
    return f"{campaign.code[:8]}-{secrets.token_hex(4).upper()}"


def _lock_budget(campaign: Campaign, holder: Union) -> int:
    """Lock the budget row `holder` spends from and return the budget."""
    if holder.pk == campaign.union_id:
        Campaign.objects.select_for_update(no_key=True).get(pk=campaign.pk)
        return selectors.funds_total(campaign)
    row = Allocation.objects.select_for_update(no_key=True).get(campaign=campaign, union=holder)
    return int(row.amount_fen)


def distribute(
    *,
    by: Any,
    campaign: Campaign,
    union: Union,
    target_ids: Sequence[Any],
    method: str,
    distributed_on: date,
) -> DistributionBatch:
    """Record that the listed people of `union` named by `target_ids` received their standard,
    as one batch with one receipt list, spending the budget of the union's budget holder."""
    _require_change(by, union)
    if campaign.status != rules.ACTIVE:
        raise DomainError("warmth.campaign_not_active", _("活动进行中才能发放"))
    if method not in Method.values:
        raise DomainError("warmth.method_invalid", _("请选择发放方式"))
    ids = list(dict.fromkeys(str(i) for i in target_ids))
    if not ids:
        raise DomainError("warmth.nobody_chosen", _("请勾选要发放的对象"))
    if len(ids) > MAX_BATCH:
        raise DomainError("warmth.batch_too_large", _("一批最多 500 人"))
    holder = selectors.budget_holder(campaign, union)
    if holder is None:
        raise DomainError("warmth.no_budget", _("该工会不在活动范围内"))
    with transaction.atomic():
        # A change of the groups at this moment: one of the two sees the other (see above).
        _key_share(campaign)
        _require_current_list(campaign)
        # Two hand-outs from one budget at once: the second waits here and sees the first's
        # spending in its check.
        budget = _lock_budget(campaign, holder)
        # The same person ticked in two browsers: only one hand-out finds them still listed.
        targets = list(
            Target.objects.select_for_update()
            .filter(campaign=campaign, union=union, public_id__in=ids, status=TargetStatus.LISTED)
            .select_related("member")
            .order_by("id")
        )
        if len(targets) != len(ids):
            raise Conflict(
                "warmth.targets_changed",
                _("有 %(n)d 人已发放、已移出或不在本工会名单上，请刷新后重试")
                % {"n": len(ids) - len(targets)},
            )
        total = sum(t.amount_fen for t in targets)
        remaining = rules.remaining_fen(
            budget,
            selectors.allocated_below(campaign, holder),
            selectors.spent_from(campaign, holder),
        )
        rules.check_spending(amount_fen=total, remaining=remaining)
        through_bank = method in rules.PAYOUT_METHODS
        if through_bank:
            _accounts(targets)
        # The cash part of a card or bank hand-out waits for the bank's result file; a line
        # without cash (goods only) is handed over like a goods hand-out.
        pending = {t.pk for t in targets if through_bank and t.cash_fen}
        batch = DistributionBatch.objects.create(
            batch_no=_new_batch_no(campaign),
            campaign=campaign,
            union=union,
            budget_union=holder,
            method=method,
            distributed_on=distributed_on,
            line_count=len(targets),
            total_fen=total,
            payout_status=PayoutStatus.WAITING if pending else PayoutStatus.NONE,
            created_by=_user(by),
        )
        Distribution.objects.bulk_create(
            Distribution(
                batch=batch,
                line_no=number,
                target=t,
                campaign=campaign,
                union=union,
                budget_union=holder,
                group_code=t.group_code,
                cash_fen=t.cash_fen,
                goods_value_fen=t.goods_value_fen,
                amount_fen=t.amount_fen,
                status=LineStatus.PENDING if t.pk in pending else LineStatus.DELIVERED,
            )
            for number, t in enumerate(targets, start=1)
        )
        now = timezone.now()
        Target.objects.filter(pk__in=[t.pk for t in targets if t.pk not in pending]).update(
            status=TargetStatus.DELIVERED, updated_at=now
        )
        Target.objects.filter(pk__in=pending).update(status=TargetStatus.PAYING, updated_at=now)
        log_action(
            "warmth.batch.distributed",
            actor=by,
            obj=batch,
            object_repr=batch.batch_no,
            union_path=union.path,
            changes={
                "campaign": campaign.code,
                "method": method,
                "people": [t.member.member_no for t in targets],
                "total_fen": total,
                "budget_union": holder.code,
                "waiting_for_bank": len(pending),
            },
        )
    return batch


def _key_share(campaign: Campaign) -> None:
    """FOR KEY SHARE on the campaign row (Django offers FOR UPDATE and FOR NO KEY UPDATE
    only). SQLite runs one writer at a time and needs no row lock."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM warmth_campaign WHERE id = %s FOR KEY SHARE", [campaign.pk])


def _require_current_list(campaign: Campaign) -> None:
    """The list must follow the campaign's current groups (read from the database, not from
    the caller's copy of the campaign)."""
    if Campaign.objects.filter(pk=campaign.pk, targets_stale=True).exists():
        raise DomainError(
            "warmth.targets_stale",
            _(
                "慰问对象类别或标准已修改，对象名单需重新生成；请等市总工会保障部重新生成名单后再发放"
            ),
        )


def _accounts(targets: Sequence[Target]) -> dict[int, str]:
    from gonghui.cards.selectors import payout_account_of

    accounts: dict[int, str] = {}
    missing: list[str] = []
    for target in targets:
        account = payout_account_of(target.member)
        if account:
            accounts[target.pk] = account
        else:
            missing.append(target.member.name)
    if missing:
        raise DomainError(
            "warmth.no_card",
            _("以下会员没有可打款的工会卡，请改用其他发放方式：%(names)s")
            % {"names": "、".join(missing[:20])},
        )
    return accounts


def payout_file(*, by: Any, batch: DistributionBatch) -> bytes:
    """The bank's payout file for a card or bank batch: the lines waiting for the bank, each
    with its 业务编号 (batch number and line number), the full account numbers (audited)."""
    _require_change(by, batch.union)
    if batch.method not in rules.PAYOUT_METHODS:
        raise DomainError("warmth.not_a_payout", _("只有打卡或转账的批次有代发文件"))
    status = DistributionBatch.objects.values_list("payout_status", flat=True).get(pk=batch.pk)
    if status == PayoutStatus.SETTLED:
        raise Conflict(
            "warmth.payout.settled",
            _("该批次已导入银行回盘，不能再下载代发文件；支付失败的人已回到名单上，请另行发放"),
        )
    lines = list(selectors.batch_lines(batch).filter(status=LineStatus.PENDING))
    if not lines:
        raise DomainError("warmth.payout.nothing_waiting", _("本批次没有等待银行支付的明细"))
    accounts = _accounts([line.target for line in lines])
    memo = _("%(campaign)s慰问金") % {"campaign": batch.campaign.name}
    data = payout_file_bytes(
        PayoutLine(
            reference=line_reference(batch.batch_no, line.line_no),
            payee_name=line.target.member.name,
            account_no=accounts[line.target_id],
            amount_fen=line.cash_fen,
            memo=memo,
        )
        for line in lines
    )
    log_action(
        "warmth.batch.payout_exported",
        actor=by,
        obj=batch,
        object_repr=batch.batch_no,
        union_path=batch.union.path,
        changes={"lines": len(lines), "cash_fen": sum(line.cash_fen for line in lines)},
    )
    return data


def payout_results_import(*, by: Any, batch: DistributionBatch, path: Path | str) -> dict[str, Any]:
    """Apply the bank's result file, all or nothing. The file must answer exactly the lines
    waiting for the bank, with their amounts. A paid line is handed out (已发放); a failed line
    keeps the bank's reason and its hand-out is undone: it stops counting against the budget
    and the person is back on the list (待发放) for a later batch, by any method. A settled
    batch is refused (`warmth.payout.settled`): the same file imported twice changes nothing."""
    _require_change(by, batch.union)
    if batch.method not in rules.PAYOUT_METHODS:
        raise DomainError("warmth.not_a_payout", _("只有打卡或转账的批次有银行回盘"))
    if os.path.getsize(path) > RESULT_MAX_BYTES:
        raise DomainError(
            "warmth.payout.file_too_large", _("回盘文件超过 5 MB，请确认是本批次的银行回盘文件")
        )
    results = read_payout_results(path)
    with transaction.atomic():
        # Two clerks importing the result at once: the second waits here, then finds the batch
        # settled instead of undoing or paying its lines a second time.
        locked = (
            DistributionBatch.objects.select_for_update(of=("self",))
            .select_related("union", "budget_union")
            .get(pk=batch.pk)
        )
        if locked.payout_status == PayoutStatus.SETTLED:
            raise Conflict(
                "warmth.payout.settled",
                _("该批次已于 %(at)s 导入过银行回盘，不能重复导入")
                % {"at": timezone.localtime(locked.settled_at).strftime("%Y-%m-%d %H:%M")},
                {"batch": _settled_summary(locked)},
            )
        if locked.payout_status != PayoutStatus.WAITING:
            raise DomainError("warmth.payout.nothing_waiting", _("本批次没有等待银行支付的明细"))
        lines = {
            line_reference(locked.batch_no, line.line_no): line
            for line in locked.lines.filter(status=LineStatus.PENDING).select_related(
                "target__member"
            )
        }
        check_results(
            results,
            {reference: int(line.cash_fen) for reference, line in lines.items()},
            code="warmth.payout.results_invalid",
        )
        paid: list[Distribution] = []
        failed: list[Distribution] = []
        events: list[Event] = []
        for result in results:
            line = lines[result.reference]
            member = line.target.member
            if result.paid:
                line.status = LineStatus.PAID
                paid.append(line)
            else:
                line.status = LineStatus.FAILED
                line.reason = result.reason[:200]
                failed.append(line)
            events.append(
                Event(
                    f"warmth.line.{line.status}",
                    line,
                    {
                        "batch": locked.batch_no,
                        "reference": result.reference,
                        "member": member.member_no,
                        "cash_fen": line.cash_fen,
                        "amount_fen": line.amount_fen,
                        **({"reason": line.reason} if not result.paid else {}),
                    },
                    object_repr=f"{locked.batch_no} {member.member_no} {member.name}",
                    union_path=locked.union.path,
                )
            )
        Distribution.objects.bulk_update([*paid, *failed], ["status", "reason"])
        now = timezone.now()
        # Nothing else moves a person who is 待银行回盘 (removal and hand-outs need 待发放),
        # so every one of them is found here; the count guards that rule.
        moved = Target.objects.filter(
            pk__in=[line.target_id for line in paid], status=TargetStatus.PAYING
        ).update(status=TargetStatus.DELIVERED, updated_at=now)
        moved += Target.objects.filter(
            pk__in=[line.target_id for line in failed], status=TargetStatus.PAYING
        ).update(status=TargetStatus.LISTED, updated_at=now)
        if moved != len(results):
            raise Conflict(
                "warmth.payout.targets_changed", _("名单上有人的状态不一致，请刷新后重试")
            )
        locked.payout_status = PayoutStatus.SETTLED
        locked.settled_at = now
        locked.settled_by = _user(by)
        locked.paid_count = len(paid)
        locked.paid_fen = sum(int(line.cash_fen) for line in paid)
        locked.failed_count = len(failed)
        locked.failed_fen = sum(int(line.cash_fen) for line in failed)
        locked.save(
            update_fields=[
                "payout_status",
                "settled_at",
                "settled_by",
                "paid_count",
                "paid_fen",
                "failed_count",
                "failed_fen",
            ]
        )
        log_many(by, events)
        log_action(
            "warmth.batch.settled",
            actor=by,
            obj=locked,
            object_repr=locked.batch_no,
            union_path=locked.union.path,
            changes={
                "paid": locked.paid_count,
                "paid_fen": locked.paid_fen,
                "failed": locked.failed_count,
                "failed_fen": locked.failed_fen,
                "budget_released_fen": sum(int(line.amount_fen) for line in failed),
                "budget_union": locked.budget_union.code,
            },
        )
    return _settled_summary(locked)


def _settled_summary(batch: DistributionBatch) -> dict[str, Any]:
    return {
        "batch": str(batch.public_id),
        "batch_no": batch.batch_no,
        "paid": batch.paid_count,
        "paid_fen": batch.paid_fen,
        "failed": batch.failed_count,
        "failed_fen": batch.failed_fen,
        "url": f"/w/warmth/batches/{batch.public_id}/",
    }


def batch_mark_signed(
    *, by: Any, batch: DistributionBatch, data: bytes, filename: str
) -> DistributionBatch:
    """Keep the scanned signed receipt list (PDF, JPEG or PNG by content, at most 10 MB,
    encrypted at rest) and mark the batch signed."""
    _require_change(by, batch.union)
    if len(data) > rules.SCAN_MAX_BYTES:
        raise DomainError("warmth.scan_too_large", _("扫描件超过 10 MB，请压缩后再上传"))
    kind = sniff(data[:16])
    if kind is None:
        raise DomainError(
            "warmth.scan_type", _("扫描件须为 PDF、JPEG 或 PNG 文件（按文件内容判断）")
        )
    with transaction.atomic():
        locked = DistributionBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.signed_at is not None:
            raise Conflict("warmth.already_signed", _("该批次已确认签收"))
        token = crypto.encrypt(base64.b64encode(data).decode("ascii"))
        locked.signed_scan.save("scan.bin", ContentFile(token.encode("ascii")), save=False)
        locked.scan_content_type = kind[1]
        locked.signed_at = timezone.now()
        locked.signed_by = _user(by)
        locked.save()
        log_action(
            "warmth.batch.signed",
            actor=by,
            obj=locked,
            object_repr=locked.batch_no,
            union_path=locked.union.path,
            changes={"file": filename[:100], "type": kind[1], "size": len(data)},
        )
    return locked


def scan_bytes(*, by: Any, batch: DistributionBatch) -> bytes:
    with batch.signed_scan.open("rb") as fh:
        token = fh.read().decode("ascii")
    log_action(
        "warmth.batch.scan_read",
        actor=by,
        obj=batch,
        object_repr=batch.batch_no,
        union_path=batch.union.path,
    )
    return base64.b64decode(crypto.decrypt(token))
