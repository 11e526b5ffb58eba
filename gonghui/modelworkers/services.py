"""Writes of the model-worker program: each one user action, in one transaction, audited.

The member flag `is_model_worker` follows the registry: set when a first honour is registered,
cleared when the last one is revoked (through members.services.member_flag_set)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import has_perm, require_perm
from gonghui.audit.log import log_action
from gonghui.cards.selectors import payout_account_of
from gonghui.core import ledger
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.core.payouts import (
    PayoutLine,
    check_results,
    payout_file_bytes,
    read_payout_results,
)
from gonghui.members import services as member_services
from gonghui.members.models import Member, MemberStatus
from gonghui.modelworkers import rules, selectors
from gonghui.modelworkers.models import (
    HOLDING_STATES,
    LIVE_STATES,
    AllowanceBatch,
    AllowanceLine,
    AllowancePaid,
    BatchStatus,
    HealthCheck,
    HealthEntitlement,
    Honour,
    Invitation,
    InvitationState,
    Lecture,
    LineState,
    ModelWorker,
    Policy,
    PolicyRate,
    SignUp,
    Trip,
    WorkerStatus,
)
from gonghui.orgs.models import Union

CHANGE = selectors.CHANGE


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _clean(text: str, limit: int) -> str:
    return " ".join(str(text or "").split())[:limit]


# -- registry -------------------------------------------------------------------------------


@dataclass
class HonourData:
    title: str
    level: str
    year: int
    unit: str


def honour_clean(data: HonourData) -> HonourData:
    rules.check_level(data.level)
    rules.check_award_year(data.year, timezone.localdate())
    title, unit = _clean(data.title, 60), _clean(data.unit, 120)
    if not title:
        raise DomainError("modelworkers.title_required", _("请填写荣誉称号"))
    if not unit:
        raise DomainError("modelworkers.unit_required", _("请填写获奖时所在单位"))
    return HonourData(title, data.level, data.year, unit)


def _refresh(by: Any, model_worker: ModelWorker, reason: str) -> ModelWorker:
    """Level, award year and 在册 from the honours in force; the member flag follows."""
    facts = [
        rules.HonourFact(h.level, h.year, h.revoked_on is not None)
        for h in model_worker.honours.all()
    ]
    top = rules.highest_honour(facts)
    if top is not None:
        model_worker.level, model_worker.award_year = top.level, top.year
    model_worker.registered = top is not None
    model_worker.save(update_fields=["level", "award_year", "registered", "updated_at"])
    member_services.member_flag_set(
        by=by,
        member=model_worker.member,
        flag="is_model_worker",
        value=model_worker.registered,
        reason=reason,
    )
    return model_worker


def model_worker_register(
    *,
    by: Any,
    member: Member,
    honour: HonourData,
    status: str = WorkerStatus.WORKING,
    status_since: date | None = None,
) -> ModelWorker:
    """Register a member as a model worker with an honour, or add the honour to their entry."""
    require_perm(by, CHANGE, member.union.path)
    honour = honour_clean(honour)
    if status not in rules.STATUSES:
        raise DomainError("modelworkers.status_invalid", _("状态须为在职、退休或已故"))
    if (
        member.status != MemberStatus.ACTIVE
        and not ModelWorker.objects.filter(member=member).exists()
    ):
        raise DomainError("modelworkers.member_inactive", _("只能登记会籍正常（在会）的会员为劳模"))
    with transaction.atomic():
        model_worker, created = ModelWorker.objects.select_for_update().get_or_create(
            member=member,
            defaults={
                "level": honour.level,
                "award_year": honour.year,
                "status": status,
                "status_since": status_since,
                "created_by": _user(by),
            },
        )
        if Honour.objects.filter(
            model_worker=model_worker, title=honour.title, year=honour.year
        ).exists():
            raise DomainError(
                "modelworkers.honour_duplicate",
                _("%(name)s 已登记 %(year)d 年的“%(title)s”")
                % {"name": member.name, "year": honour.year, "title": honour.title},
            )
        created_honour = Honour.objects.create(model_worker=model_worker, **honour.__dict__)
        _refresh(by, model_worker, _("登记劳模荣誉"))
        log_action(
            "modelworkers.honour.added",
            actor=by,
            obj=model_worker,
            object_repr=f"{member.name} {member.member_no}",
            union_path=member.union.path,
            changes={
                "member_no": member.member_no,
                "title": created_honour.title,
                "level": created_honour.level,
                "year": created_honour.year,
                "unit": created_honour.unit,
                "new_entry": created,
            },
        )
    return model_worker


def honour_revoke(*, by: Any, honour: Honour, reason: str) -> ModelWorker:
    model_worker = ModelWorker.objects.select_related("member__union").get(
        pk=honour.model_worker_id
    )
    require_perm(by, CHANGE, model_worker.member.union.path)
    reason = _clean(reason, 200)
    if not reason:
        raise DomainError("modelworkers.reason_required", _("请填写撤销原因"))
    with transaction.atomic():
        locked = Honour.objects.select_for_update().get(pk=honour.pk)
        if locked.revoked_on is not None:
            raise DomainError("modelworkers.honour_revoked", _("该荣誉已撤销"))
        locked.revoked_on = timezone.localdate()
        locked.revoke_reason = reason
        locked.save(update_fields=["revoked_on", "revoke_reason"])
        _refresh(by, model_worker, _("撤销劳模荣誉：%(r)s") % {"r": reason})
        log_action(
            "modelworkers.honour.revoked",
            actor=by,
            obj=model_worker,
            object_repr=f"{model_worker.member.name} {model_worker.member.member_no}",
            union_path=model_worker.member.union.path,
            changes={"title": locked.title, "year": locked.year, "reason": reason},
        )
    return model_worker


def status_set(*, by: Any, model_worker: ModelWorker, status: str, since: date) -> ModelWorker:
    require_perm(by, CHANGE, model_worker.member.union.path)
    if status not in rules.STATUSES:
        raise DomainError("modelworkers.status_invalid", _("状态须为在职、退休或已故"))
    if since > timezone.localdate():
        raise DomainError("modelworkers.status_date", _("变更日期不能晚于今天"))
    with transaction.atomic():
        locked = ModelWorker.objects.select_for_update().get(pk=model_worker.pk)
        before = locked.status
        locked.status, locked.status_since = status, since
        locked.save(update_fields=["status", "status_since", "updated_at"])
        log_action(
            "modelworkers.status.changed",
            actor=by,
            obj=locked,
            object_repr=f"{model_worker.member.name} {model_worker.member.member_no}",
            union_path=model_worker.member.union.path,
            changes={"status": [before, status], "since": since},
        )
    return locked


# -- policies -------------------------------------------------------------------------------


def _require_city(by: Any) -> None:
    if not selectors.is_city_manager(by):
        raise Forbidden("auth.forbidden", _("劳模政策和津贴发放只能由市总工会生产保护部办理"))


def policy_save(
    *,
    by: Any,
    year: int,
    rates: Mapping[rules.RateKey, int],
    health: Mapping[str, int],
    note: str = "",
) -> Policy:
    """The year's policy as a whole: rates and health-check entitlements replace the last ones
    (batches already generated keep their amounts)."""
    _require_city(by)
    if not 2000 <= year <= 2100:
        raise DomainError("modelworkers.policy_year", _("年度不正确"))
    for (level, status, _hardship), fen in rates.items():
        rules.check_level(level)
        if status not in rules.STATUSES:
            raise DomainError("modelworkers.status_invalid", _("状态须为在职、退休或已故"))
        rules.check_rate(fen)
    for level, checks in health.items():
        rules.check_level(level)
        if not 0 <= checks <= 4:
            raise DomainError("modelworkers.health_invalid", _("每年体检次数须在 0 至 4 次之间"))
    with transaction.atomic():
        policy, created = Policy.objects.select_for_update().get_or_create(year=year)
        before = {
            "rates": _rates_json(selectors.rates_of(policy)),
            "health": selectors.health_of(policy),
        }
        policy.note = _clean(note, 200)
        policy.save(update_fields=["note"])
        policy.rates.all().delete()
        policy.health.all().delete()
        PolicyRate.objects.bulk_create(
            PolicyRate(
                policy=policy, level=level, status=status, hardship=hardship, monthly_fen=fen
            )
            for (level, status, hardship), fen in rates.items()
            if fen > 0
        )
        HealthEntitlement.objects.bulk_create(
            HealthEntitlement(policy=policy, level=level, checks_per_year=n)
            for level, n in health.items()
        )
        log_action(
            "modelworkers.policy.saved",
            actor=by,
            obj=policy,
            object_repr=str(year),
            changes={
                "year": year,
                "created": created,
                "before": before,
                "rates": _rates_json(rates),
                "health": dict(health),
            },
        )
    return policy


def _rates_json(rates: Mapping[rules.RateKey, int]) -> dict[str, int]:
    return {
        f"{level}/{status}/{'hardship' if h else 'normal'}": fen
        for (level, status, h), fen in rates.items()
    }


# -- allowance batches ----------------------------------------------------------------------


def batch_generate(*, by: Any, month: date) -> AllowanceBatch:
    """The month's batch for everyone entitled, with last batches' failed lines carried over.
    Idempotent: run again, it adds only who is missing (nobody, when nothing changed) and
    re-checks the lines waiting for an account; an approved batch is left as it is."""
    _require_city(by)
    month = rules.month_start(month)
    policy = selectors.policy_for_year(month.year)
    if policy is None:
        raise DomainError(
            "modelworkers.batch.no_policy",
            _("还没有 %(year)d 年度的劳模政策，请先设定津贴标准") % {"year": month.year},
        )
    city = selectors.city_union()
    if city is None:
        raise DomainError("modelworkers.batch.no_city", _("没有市总工会"))
    with transaction.atomic():
        try:
            with transaction.atomic():
                batch, created = AllowanceBatch.objects.get_or_create(
                    month=month,
                    defaults={"union": city, "policy": policy, "created_by": _user(by)},
                )
        except IntegrityError:
            batch, created = AllowanceBatch.objects.get(month=month), False
        # Lock the batch: two staff generating the same month at once add each line once.
        batch = AllowanceBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != BatchStatus.DRAFT:
            return batch
        counts = _fill_batch(batch, month)
        if created or any(counts.values()):
            log_action(
                "modelworkers.batch.generated",
                actor=by,
                obj=batch,
                object_repr=f"{month:%Y-%m}",
                changes={"month": month, "created": created, **counts},
            )
    return batch


def _fill_batch(batch: AllowanceBatch, month: date) -> dict[str, int]:
    rates = selectors.rates_of(batch.policy)
    number = batch.lines.count()
    added = carried = refreshed = 0
    new_lines: list[AllowanceLine] = []
    has_line = AllowanceLine.objects.filter(for_month=month, state__in=LIVE_STATES).values(
        "model_worker_id"
    )
    entitled = (
        ModelWorker.objects.filter(registered=True, status__in=rules.PAYABLE_STATUSES)
        .exclude(pk__in=has_line)
        .select_related("member__union")
        .order_by("id")
    )
    for worker in entitled.iterator(chunk_size=1000):
        amount = rules.monthly_allowance(
            rates, level=worker.level, status=worker.status, hardship=worker.member.is_hardship
        )
        if amount <= 0:
            continue
        number += 1
        new_lines.append(
            AllowanceLine(
                batch=batch,
                reference=rules.line_reference(month, number),
                model_worker=worker,
                union=worker.member.union,
                for_month=month,
                level=worker.level,
                status=worker.status,
                hardship=worker.member.is_hardship,
                amount_fen=amount,
                state=_state_for(worker.member),
            )
        )
        added += 1
    failed = (
        AllowanceLine.objects.filter(state=LineState.FAILED, batch__month__lt=month)
        .select_related("model_worker__member", "union")
        .order_by("id")
    )
    for old in failed.select_for_update(of=("self",)):
        number += 1
        new_lines.append(
            AllowanceLine(
                batch=batch,
                reference=rules.line_reference(month, number),
                model_worker=old.model_worker,
                union=old.union,
                for_month=old.for_month,
                level=old.level,
                status=old.status,
                hardship=old.hardship,
                amount_fen=old.amount_fen,
                state=_state_for(old.model_worker.member),
                carried_from=old,
            )
        )
        old.state = LineState.CARRIED
        old.save(update_fields=["state"])
        carried += 1
    AllowanceLine.objects.bulk_create(new_lines, batch_size=1000)
    for line in batch.lines.filter(state=LineState.NO_ACCOUNT).select_related(
        "model_worker__member"
    ):
        if payout_account_of(line.model_worker.member):
            line.state = LineState.PENDING
            line.save(update_fields=["state"])
            refreshed += 1
    return {"added": added, "carried": carried, "accounts_found": refreshed}


def _state_for(member: Member) -> str:
    return LineState.PENDING if payout_account_of(member) else LineState.NO_ACCOUNT


def _batch_move(by: Any, batch: AllowanceBatch, to: str, **stamps: Any) -> AllowanceBatch:
    # Lock the batch: two staff approving or sending at once move it once.
    locked = AllowanceBatch.objects.select_for_update().get(pk=batch.pk)
    rules.check_batch_move(locked.status, to)
    before = locked.status
    locked.status = to
    for name, value in stamps.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *stamps])
    log_action(
        f"modelworkers.batch.{to}",
        actor=by,
        obj=locked,
        object_repr=f"{locked.month:%Y-%m}",
        changes={"status": [before, to], **selectors.batch_summary(locked)},
    )
    return locked


def batch_approve(*, by: Any, batch: AllowanceBatch) -> AllowanceBatch:
    _require_city(by)
    with transaction.atomic():
        if not batch.lines.filter(state=LineState.PENDING).exists():
            raise DomainError("modelworkers.batch.empty", _("本批次没有待发放的明细，无需审批"))
        return _batch_move(
            by, batch, BatchStatus.APPROVED, approved_by=_user(by), approved_at=timezone.now()
        )


def batch_payout_file(*, by: Any, batch: AllowanceBatch) -> bytes:
    """The payout file for the bank (the first download marks the batch 已出盘; later ones give
    the same lines again). A line whose card account has gone since generation is moved to
    需补充账户 and left out."""
    _require_city(by)
    with transaction.atomic():
        locked = AllowanceBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (BatchStatus.APPROVED, BatchStatus.SENT):
            raise DomainError("modelworkers.batch.not_approved", _("批次审批后才能生成发放文件"))
        lines: list[PayoutLine] = []
        pending = locked.lines.filter(state=LineState.PENDING).select_related(
            "model_worker__member"
        )
        for line in pending.order_by("id"):
            account = payout_account_of(line.model_worker.member)
            if account is None:
                line.state = LineState.NO_ACCOUNT
                line.save(update_fields=["state"])
                continue
            lines.append(
                PayoutLine(
                    reference=line.reference,
                    payee_name=line.model_worker.member.name,
                    account_no=account,
                    amount_fen=line.amount_fen,
                    memo=_("劳模津贴 %(month)s") % {"month": f"{line.for_month:%Y-%m}"},
                )
            )
        if locked.status == BatchStatus.APPROVED:
            locked = _batch_move(by, locked, BatchStatus.SENT, sent_at=timezone.now())
        log_action(
            "modelworkers.batch.file_exported",
            actor=by,
            obj=locked,
            object_repr=f"{locked.month:%Y-%m}",
            changes={"lines": len(lines), "total_fen": sum(x.amount_fen for x in lines)},
        )
    return payout_file_bytes(lines)


def batch_results_import(
    *, by: Any, batch: AllowanceBatch, path: Path | str, paid_on: date | None = None
) -> dict[str, int]:
    """Apply the bank's result file: every line of the batch sent for payment must be in it,
    with its amount; paid lines go into the ledger, failed ones wait for the next batch. All
    or nothing."""
    _require_city(by)
    results = read_payout_results(path)
    paid_on = paid_on or timezone.localdate()
    with transaction.atomic():
        locked = AllowanceBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BatchStatus.SENT:
            raise DomainError(
                "modelworkers.batch.not_sent", _("批次出盘后、尚未回盘时才能导入银行结果")
            )
        lines = {
            line.reference: line
            for line in locked.lines.filter(state=LineState.PENDING).select_related("model_worker")
        }
        check_results(
            results,
            {line.reference: line.amount_fen for line in lines.values()},
            code="modelworkers.batch.results_invalid",
        )
        paid = failed = 0
        booked: list[AllowancePaid] = []
        for result in results:
            line = lines[result.reference]
            if result.paid:
                line.state = LineState.PAID
                booked.append(
                    ledger.append(
                        AllowancePaid,
                        chain=str(line.for_month.year),
                        line=line,
                        model_worker_id=line.model_worker_id,
                        union_id=line.union_id,
                        for_month=line.for_month,
                        amount_fen=line.amount_fen,
                        paid_on=paid_on,
                        by=_user(by),
                        at=timezone.now(),
                    )
                )
                paid += 1
            else:
                line.state = LineState.FAILED
                line.reason = _clean(result.reason, 200)
                failed += 1
            line.save(update_fields=["state", "reason"])
        _batch_move(by, locked, BatchStatus.CLOSED, closed_at=timezone.now())
    return {"paid": paid, "failed": failed, "paid_fen": sum(x.amount_fen for x in booked)}


# -- health checks --------------------------------------------------------------------------


def health_check_record(
    *, by: Any, model_worker: ModelWorker, year: int, done_on: date, institution: str
) -> HealthCheck:
    require_perm(by, CHANGE, model_worker.member.union.path)
    institution = _clean(institution, 100)
    if not institution:
        raise DomainError("modelworkers.institution_required", _("请填写体检机构"))
    if done_on > timezone.localdate() or done_on.year != year:
        raise DomainError(
            "modelworkers.check_date", _("体检日期须在 %(year)d 年内且不晚于今天") % {"year": year}
        )
    try:
        with transaction.atomic():
            check = HealthCheck.objects.create(
                model_worker=model_worker,
                year=year,
                done_on=done_on,
                institution=institution,
                recorded_by=_user(by),
            )
            log_action(
                "modelworkers.health_check.recorded",
                actor=by,
                obj=model_worker,
                object_repr=f"{model_worker.member.name} {model_worker.member.member_no}",
                union_path=model_worker.member.union.path,
                changes={"year": year, "done_on": done_on, "institution": institution},
            )
    except IntegrityError as exc:
        raise Conflict(
            "modelworkers.check_recorded", _("该劳模 %(year)d 年的体检已登记") % {"year": year}
        ) from exc
    return check


# -- 疗休养 ---------------------------------------------------------------------------------


def trip_create(
    *,
    by: Any,
    union: Union,
    destination: str,
    starts_on: date,
    ends_on: date,
    quota: int,
    title: str = "",
    answer_by: date | None = None,
) -> Trip:
    """A trip; `answer_by` is the last day the invited may answer on their phone (empty: the
    day before departure)."""
    require_perm(by, CHANGE, union.path)
    destination, title = _clean(destination, 100), _clean(title, 100)
    if not destination:
        raise DomainError("modelworkers.trip.destination", _("请填写目的地"))
    if ends_on < starts_on:
        raise DomainError("modelworkers.trip.dates", _("返回日期不能早于出发日期"))
    if not 1 <= quota <= 500:
        raise DomainError("modelworkers.trip.quota", _("名额须在 1 至 500 之间"))
    rules.check_answer_by(answer_by, starts_on=starts_on, today=timezone.localdate())
    with transaction.atomic():
        trip = Trip.objects.create(
            union=union,
            title=title,
            destination=destination,
            starts_on=starts_on,
            ends_on=ends_on,
            quota=quota,
            answer_by=answer_by,
            created_by=_user(by),
        )
        log_action(
            "modelworkers.trip.created",
            actor=by,
            obj=trip,
            object_repr=trip.name,
            changes={
                "union": union.code,
                "title": title,
                "destination": destination,
                "dates": [starts_on, ends_on],
                "quota": quota,
                "answer_by": answer_by,
            },
        )
    return trip


def trip_cancel(*, by: Any, trip: Trip, reason: str) -> Trip:
    """Call the trip off before it starts: no more invitations or answers; the invitations stay
    as they were, and the trip counts as nobody's last trip in the rotation."""
    require_perm(by, CHANGE, trip.union.path)
    reason = _clean(reason, 200)
    rules.check_reason(reason)
    with transaction.atomic():
        # Lock the trip: an answer or an invitation arriving at the same moment waits for it.
        locked = Trip.objects.select_for_update().select_related("union").get(pk=trip.pk)
        rules.check_trip_cancel(
            cancelled=locked.cancelled, starts_on=locked.starts_on, today=timezone.localdate()
        )
        locked.cancelled, locked.cancel_reason = True, reason
        locked.cancelled_at, locked.cancelled_by = timezone.now(), _user(by)
        locked.save(update_fields=["cancelled", "cancel_reason", "cancelled_at", "cancelled_by"])
        holding = locked.invitations.filter(state__in=HOLDING_STATES).count()
        log_action(
            "modelworkers.trip.cancelled",
            actor=by,
            obj=locked,
            object_repr=locked.name,
            changes={"reason": reason, "invitations_holding": holding},
        )
    return locked


def trip_invite(*, by: Any, trip: Trip) -> list[Invitation]:
    """Invite the head of the rotation queue into the trip's free places."""
    require_perm(by, CHANGE, trip.union.path)
    with transaction.atomic():
        # Lock the trip: two staff inviting at once must not fill more places than the quota.
        locked = Trip.objects.select_for_update().select_related("union").get(pk=trip.pk)
        if locked.cancelled:
            raise DomainError("modelworkers.trip.cancelled", _("该疗休养已取消，不能再邀请"))
        holding = locked.invitations.filter(state__in=(*rules.WENT, "invited")).count()
        chosen = rules.to_invite(
            selectors.candidates_for(locked), quota=locked.quota, holding=holding
        )
        if not chosen:
            if rules.places_free(locked.quota, holding) == 0:
                raise DomainError("modelworkers.trip.full", _("名额已满，无需再邀请"))
            raise DomainError(
                "modelworkers.trip.nobody", _("没有可以邀请的劳模：轮候名单已全部邀请过")
            )
        start = locked.invitations.count()
        invitations = Invitation.objects.bulk_create(
            Invitation(trip=locked, model_worker_id=c.key, position=start + i, by=_user(by))
            for i, c in enumerate(chosen, start=1)
        )
        log_action(
            "modelworkers.trip.invited",
            actor=by,
            obj=locked,
            object_repr=locked.name,
            changes={"member_nos": [c.member_no for c in chosen], "holding_before": holding},
        )
    return invitations


def invitation_move(*, by: Any, invitation: Invitation, to: str, reason: str = "") -> Invitation:
    """Staff record an answer (accept, decline) or the attendance (attended, absent)."""
    trip = Trip.objects.select_related("union").get(pk=invitation.trip_id)
    require_perm(by, CHANGE, trip.union.path)
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update()
            .select_related("model_worker__member__union")
            .get(pk=invitation.pk)
        )
        rules.check_invitation_move(locked.state, to)
        if trip.cancelled and to in rules.MEMBER_ANSWERS:
            raise DomainError(
                "modelworkers.trip.cancelled",
                _("该疗休养已取消：%(r)s") % {"r": trip.cancel_reason},
            )
        if (
            to in (InvitationState.ATTENDED, InvitationState.ABSENT)
            and trip.starts_on > timezone.localdate()
        ):
            raise DomainError("modelworkers.trip.not_started", _("疗休养开始后才能登记是否参加"))
        return _invitation_write(by, trip, locked, to, reason=reason, by_member=False)


def invitation_answer(
    *, by: Any, invitation: Invitation, accept: bool, reason: str = ""
) -> Invitation:
    """The invited model worker's own answer on the phone, until the trip's answer deadline.
    A decline frees the place; staff fill it from the rotation queue as before (trip_invite),
    and the one who declined keeps their place in the queue (rules: declining is no trip)."""
    member = invitation.model_worker.member
    if not getattr(by, "pk", None) or member.account_id != by.pk:
        raise Forbidden("auth.forbidden", _("只能答复发给自己的邀请"))
    to = InvitationState.ACCEPTED if accept else InvitationState.DECLINED
    with transaction.atomic():
        # Lock the trip first (as trip_invite does): an acceptance and staff inviting into the
        # same places at once cannot both take the last one.
        trip = Trip.objects.select_for_update().select_related("union").get(pk=invitation.trip_id)
        locked = (
            Invitation.objects.select_for_update()
            .select_related("model_worker__member__union")
            .get(pk=invitation.pk)
        )
        rules.check_member_answer(
            current=locked.state,
            to=to,
            deadline=trip.deadline,
            today=timezone.localdate(),
            cancelled=trip.cancelled,
            cancel_reason=trip.cancel_reason,
        )
        if accept:
            others = trip.invitations.filter(state__in=HOLDING_STATES).exclude(pk=locked.pk).count()
            rules.check_trip_accepts(quota=trip.quota, holding_others=others)
        return _invitation_write(by, trip, locked, to, reason=reason, by_member=True)


def _invitation_write(
    by: Any, trip: Trip, locked: Invitation, to: str, *, reason: str, by_member: bool
) -> Invitation:
    before = locked.state
    locked.state = to
    locked.answered_at = timezone.now()
    locked.by = _user(by)
    if to == InvitationState.DECLINED:
        locked.reason = _clean(reason, 200)
    locked.save(update_fields=["state", "answered_at", "by", "reason"])
    member = locked.model_worker.member
    changes: dict[str, Any] = {"member_no": member.member_no, "state": [before, to]}
    if by_member:
        changes["by_member"] = True
    if to == InvitationState.DECLINED:
        changes["reason"] = locked.reason
    log_action(
        f"modelworkers.invitation.{to}",
        actor=by,
        obj=trip,
        object_repr=f"{trip.name} {member.name}",
        union_path=member.union.path,
        changes=changes,
    )
    return locked


# -- 劳模大讲堂 -----------------------------------------------------------------------------


def lecture_create(
    *,
    by: Any,
    union: Union,
    title: str,
    speaker: ModelWorker,
    starts_at: datetime,
    place: str,
    capacity: int,
) -> Lecture:
    require_perm(by, CHANGE, union.path)
    title, place = _clean(title, 100), _clean(place, 120)
    if not title or not place:
        raise DomainError("modelworkers.lecture.fields", _("请填写主题和地点"))
    if not 1 <= capacity <= 10_000:
        raise DomainError("modelworkers.lecture.capacity", _("名额须在 1 至 10000 之间"))
    if starts_at <= timezone.now():
        raise DomainError("modelworkers.lecture.past", _("开始时间须晚于现在"))
    if not speaker.registered or speaker.status == WorkerStatus.DECEASED:
        raise DomainError("modelworkers.lecture.speaker", _("主讲人须为在册劳模"))
    with transaction.atomic():
        lecture = Lecture.objects.create(
            union=union,
            title=title,
            speaker=speaker,
            starts_at=starts_at,
            place=place,
            capacity=capacity,
            created_by=_user(by),
        )
        log_action(
            "modelworkers.lecture.created",
            actor=by,
            obj=lecture,
            object_repr=title,
            changes={
                "union": union.code,
                "speaker": speaker.member.member_no,
                "starts_at": starts_at,
                "capacity": capacity,
            },
        )
    return lecture


def lecture_sign_up(*, by: Any, lecture: Lecture, member: Member) -> SignUp:
    """The member signs up on the phone; places never run over the capacity."""
    if not getattr(by, "pk", None) or member.account_id != by.pk:
        raise Forbidden("auth.forbidden", _("只能为自己报名"))
    if member.status != MemberStatus.ACTIVE:
        raise DomainError("modelworkers.lecture.not_member", _("会籍正常的会员才能报名"))
    if selectors.lecture_for_member(member, lecture.public_id) is None:
        raise DomainError("modelworkers.lecture.not_open", _("该讲堂不面向您所在的工会"))
    with transaction.atomic():
        # Lock the lecture: of two members taking the last place at once, the second finds it
        # gone.
        locked = Lecture.objects.select_for_update().get(pk=lecture.pk)
        if locked.cancelled:
            raise DomainError(
                "modelworkers.lecture.closed",
                _("讲座已取消：%(r)s") % {"r": locked.cancel_reason or _("未说明原因")},
            )
        if locked.starts_at <= timezone.now():
            raise DomainError("modelworkers.lecture.closed", _("该讲堂已经开始，不能报名"))
        signup = SignUp.objects.filter(lecture=locked, member=member).first()
        if signup is not None and signup.active:
            raise Conflict("modelworkers.lecture.signed", _("您已报名这一场"))
        rules.check_places(signed_up=locked.signed_up, capacity=locked.capacity)
        if signup is None:
            signup = SignUp.objects.create(lecture=locked, member=member)
        else:
            signup.active, signup.signed_at, signup.cancelled_at = True, timezone.now(), None
            signup.save(update_fields=["active", "signed_at", "cancelled_at"])
        locked.signed_up += 1
        locked.save(update_fields=["signed_up"])
        log_action(
            "modelworkers.lecture.signed_up",
            actor=by,
            obj=locked,
            object_repr=f"{locked.title} {member.name}",
            union_path=member.union.path,
            changes={"member_no": member.member_no},
        )
    return signup


def lecture_cancel(*, by: Any, lecture: Lecture, reason: str) -> int:
    """Call the whole session off before it starts: every sign-up is cancelled with it (the
    members see the reason on their phone) and nobody can sign up any more. Returns how many
    sign-ups were cancelled."""
    require_perm(by, CHANGE, lecture.union.path)
    reason = _clean(reason, 200)
    rules.check_reason(reason)
    with transaction.atomic():
        # Lock the lecture: a member signing up at this moment either gets in before (and is
        # cancelled with the rest) or finds it cancelled.
        locked = Lecture.objects.select_for_update().get(pk=lecture.pk)
        now = timezone.now()
        rules.check_lecture_cancel(cancelled=locked.cancelled, starts_at=locked.starts_at, now=now)
        cancelled = SignUp.objects.filter(lecture=locked, active=True).update(
            active=False, cancelled_at=now
        )
        locked.cancelled, locked.cancel_reason = True, reason
        locked.cancelled_at, locked.cancelled_by = now, _user(by)
        locked.signed_up = 0
        locked.save(
            update_fields=[
                "cancelled",
                "cancel_reason",
                "cancelled_at",
                "cancelled_by",
                "signed_up",
            ]
        )
        log_action(
            "modelworkers.lecture.cancelled",
            actor=by,
            obj=locked,
            object_repr=locked.title,
            changes={"reason": reason, "signups_cancelled": cancelled},
        )
    return cancelled


def lecture_sign_up_cancel(*, by: Any, lecture: Lecture, member: Member) -> SignUp:
    if not getattr(by, "pk", None) or member.account_id != by.pk:
        raise Forbidden("auth.forbidden", _("只能取消自己的报名"))
    with transaction.atomic():
        locked = Lecture.objects.select_for_update().get(pk=lecture.pk)
        signup = SignUp.objects.filter(lecture=locked, member=member, active=True).first()
        if signup is None:
            raise DomainError("modelworkers.lecture.not_signed", _("您没有报名这一场"))
        if locked.starts_at <= timezone.now():
            raise DomainError("modelworkers.lecture.started", _("讲堂已经开始，不能取消报名"))
        signup.active, signup.cancelled_at = False, timezone.now()
        signup.save(update_fields=["active", "cancelled_at"])
        locked.signed_up -= 1
        locked.save(update_fields=["signed_up"])
        log_action(
            "modelworkers.lecture.sign_up_cancelled",
            actor=by,
            obj=locked,
            object_repr=f"{locked.title} {member.name}",
            union_path=member.union.path,
            changes={"member_no": member.member_no},
        )
    return signup


def signup_attendance(*, by: Any, signup: SignUp, attended: bool) -> SignUp:
    lecture = Lecture.objects.select_related("union").get(pk=signup.lecture_id)
    member = Member.objects.select_related("union").get(pk=signup.member_id)
    if not (has_perm(by, CHANGE, lecture.union.path) or has_perm(by, CHANGE, member.union.path)):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    if lecture.starts_at > timezone.now():
        raise DomainError("modelworkers.lecture.not_started", _("讲堂开始后才能登记出席"))
    with transaction.atomic():
        signup.attended = attended
        signup.save(update_fields=["attended"])
        log_action(
            "modelworkers.lecture.attendance",
            actor=by,
            obj=lecture,
            object_repr=f"{lecture.title} {member.name}",
            union_path=member.union.path,
            changes={"member_no": member.member_no, "attended": attended},
        )
    return signup
