"""Writes on the mutual-aid plan: each one user action, in one transaction, audited.

Health details never enter the audit log; identity numbers only masked.

Leaving the union (members.services.member_leave) needs no hook here: an enrolment covers its
plan year to `cover_ends_on`, the period end, whatever happens to the membership meanwhile, and
only members in the union (status 在会) can be enrolled, so a member who left is not enrolled
again. A claim is checked at submission against the enrolment covering the event date, so an
event after the period end of the last enrolment is refused."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.scoping import has_perm, require_perm
from gonghui.audit.log import Event, log_action, log_many
from gonghui.core import crypto, ledger
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.core.filetypes import Upload, check_uploads
from gonghui.core.masking import mask_account, mask_id_number
from gonghui.core.payouts import PayoutLine as FileLine
from gonghui.core.payouts import check_results, payout_file_bytes, read_payout_results
from gonghui.members.models import Member, MemberStatus
from gonghui.mutualaid import rules, selectors
from gonghui.mutualaid.models import (
    Claim,
    ClaimDocument,
    ClaimEvent,
    ClaimInvoice,
    ClaimStatus,
    Enrolment,
    EnrolmentBatch,
    EnrolmentStatus,
    HealthConsent,
    LedgerEntry,
    LedgerKind,
    Payment,
    PayoutBatch,
    PayoutBatchStatus,
    PayoutChannel,
    PayoutLine,
    PayoutLineStatus,
    PlanYear,
    RuleVersion,
)
from gonghui.orgs.models import Union

BULK_CHUNK = 1000

# 单独同意 for health details: the text the member agreed to is kept by version.
CONSENT_TEXTS = {
    "2026-01": gettext_lazy(
        "我单独同意工会为办理职工医疗互助金申请，收集和使用我的病情、诊断、住院和医疗费用信息"
        "及我上传的发票、出院小结等材料。这些信息仅用于审核和给付本次申请，加密保存，只有负责"
        "审核的工会工作人员可以查看；申请办结后按规定期限保存和删除。我可以不同意，但那样无法"
        "办理互助金申请。"
    ),
}
CONSENT_VERSION = "2026-01"


def consent_text(version: str = CONSENT_VERSION) -> str:
    return str(CONSENT_TEXTS[version])


# -- plans and rules -------------------------------------------------------------------------


def _require_plan_manager(by: Any) -> None:
    if not selectors.is_plan_manager(by):
        raise Forbidden("auth.forbidden", _("保障期和保障规则只能由市总工会保障部设定"))


@dataclass
class RuleData:
    effective_from: date
    contribution_fen: int = rules.DEFAULT_CONTRIBUTION_FEN
    weights: tuple[int, int, int] = (1, 1, 1)
    waiting_days: int = rules.DEFAULT_WAITING_DAYS
    min_age: int = 16
    max_age: int = 65
    benefits: list[dict[str, Any]] = field(default_factory=lambda: list(rules.DEFAULT_BENEFITS))
    note: str = ""


def plan_year_create(
    *,
    by: Any,
    code: str,
    name: str,
    starts_on: date,
    ends_on: date,
    enrol_opens_on: date,
    enrol_closes_on: date,
    allow_individual: bool = False,
    first_rules: RuleData | None = None,
) -> PlanYear:
    """A new 保障期 with its first rule version (the defaults unless given)."""
    _require_plan_manager(by)
    if ends_on <= starts_on or enrol_closes_on < enrol_opens_on or enrol_opens_on > ends_on:
        raise DomainError(
            "mutualaid.plan_dates_invalid",
            _("日期不合理：保障结束须晚于开始，登记截止不能早于登记开始"),
        )
    if PlanYear.objects.filter(code=code).exists():
        raise DomainError("mutualaid.plan_code_taken", _("保障期代码已被使用"))
    with transaction.atomic():
        plan = PlanYear.objects.create(
            code=code,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            enrol_opens_on=enrol_opens_on,
            enrol_closes_on=enrol_closes_on,
            allow_individual=allow_individual,
        )
        log_action(
            "mutualaid.plan.created",
            actor=by,
            obj=plan,
            object_repr=plan.name,
            changes={
                "code": code,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "enrol": [enrol_opens_on, enrol_closes_on],
            },
        )
        rule_version_create(
            by=by, plan=plan, data=first_rules or RuleData(effective_from=starts_on)
        )
    return plan


def rule_version_create(*, by: Any, plan: PlanYear, data: RuleData) -> RuleVersion:
    """A rule change is a new version effective from a date inside the plan year; claims with
    events from that date on are computed with it, earlier ones keep theirs."""
    _require_plan_manager(by)
    rules.check_contribution(data.contribution_fen, data.weights)
    rules.parse_benefits(data.benefits)
    if not plan.starts_on <= data.effective_from <= plan.ends_on:
        raise DomainError(
            "mutualaid.version_date_invalid",
            _("生效日期须在保障期 %(start)s 至 %(end)s 之内")
            % {"start": plan.starts_on.isoformat(), "end": plan.ends_on.isoformat()},
        )
    if not 0 <= data.min_age <= data.max_age <= 120 or not 0 <= data.waiting_days <= 365:
        raise DomainError(
            "mutualaid.version_limits_invalid",
            _("年龄上下限或等待期不合理：年龄 0–120 周岁，等待期 0–365 天"),
        )
    with transaction.atomic():
        # Lock the plan: two managers adding a version at once get numbers one after the other.
        locked = PlanYear.objects.select_for_update().get(pk=plan.pk)
        if locked.versions.filter(effective_from=data.effective_from).exists():
            raise DomainError(
                "mutualaid.version_date_taken", _("同一天已有一个生效的规则版本，请换一个生效日期")
            )
        number = (locked.versions.order_by("-number").values_list("number", flat=True).first()) or 0
        version = RuleVersion.objects.create(
            plan_year=locked,
            number=number + 1,
            effective_from=data.effective_from,
            contribution_fen=data.contribution_fen,
            employer_weight=data.weights[0],
            union_weight=data.weights[1],
            worker_weight=data.weights[2],
            waiting_days=data.waiting_days,
            min_age=data.min_age,
            max_age=data.max_age,
            benefits=data.benefits,
            note=" ".join(data.note.split())[:200],
            created_by=by if getattr(by, "pk", None) else None,
        )
        log_action(
            "mutualaid.rules.versioned",
            actor=by,
            obj=version,
            object_repr=str(version),
            changes={
                "plan": plan.code,
                "number": version.number,
                "effective_from": data.effective_from,
                "contribution_fen": data.contribution_fen,
                "weights": list(data.weights),
                "waiting_days": data.waiting_days,
                "ages": [data.min_age, data.max_age],
                "benefits": data.benefits,
            },
        )
    return version


# -- enrolment -------------------------------------------------------------------------------


@dataclass
class Skip:
    who: str
    reason: str


def _renewed_ids(plan: PlanYear, member_ids: Sequence[int]) -> set[int]:
    """Members covered by a plan year that ended the day before this one began."""
    from datetime import timedelta

    return set(
        Enrolment.objects.filter(
            member_id__in=member_ids,
            status=EnrolmentStatus.ACTIVE,
            plan_year__ends_on=plan.starts_on - timedelta(days=1),
        ).values_list("member_id", flat=True)
    )


def enrol_members(
    *,
    by: Any,
    plan: PlanYear,
    union: Union,
    members: Iterable[Member],
    source: str,
    skipped: list[Skip] | None = None,
    today: date | None = None,
    progress: Any = None,
) -> EnrolmentBatch:
    """Enrol members of `union`'s subtree in one batch: the amounts due per payer are fixed on
    the batch's three payment records. Members out of the union, not 在会, outside the age
    limits or already enrolled are skipped with their reason. All or nothing."""
    require_perm(by, "mutualaid.change", union.path)
    return _enrol_batch(
        by=by,
        plan=plan,
        union=union,
        members=members,
        source=source,
        skipped=skipped,
        today=today,
        progress=progress,
    )


def _enrol_batch(
    *,
    by: Any,
    plan: PlanYear,
    union: Union,
    members: Iterable[Member],
    source: str,
    skipped: list[Skip] | None = None,
    today: date | None = None,
    progress: Any = None,
) -> EnrolmentBatch:
    today = today or timezone.localdate()
    rules.check_window(opens=plan.enrol_opens_on, closes=plan.enrol_closes_on, today=today)
    enrolled_on = max(today, plan.starts_on)
    version = selectors.version_in_force(plan, enrolled_on)
    parts = rules.split_contribution(version.contribution_fen, version.weights)
    skips: list[Skip] = skipped if skipped is not None else []
    totals = [0, 0, 0]
    try:
        with transaction.atomic():
            batch = EnrolmentBatch.objects.create(
                plan_year=plan,
                union=union,
                source=source,
                created_by=by if getattr(by, "pk", None) else None,
            )
            chunk: list[Member] = []
            count = 0
            for member in members:
                chunk.append(member)
                if len(chunk) >= BULK_CHUNK:
                    count += _enrol_chunk(by, batch, version, parts, enrolled_on, chunk, skips)
                    chunk = []
                    if progress is not None:
                        progress.advance(BULK_CHUNK)
            count += _enrol_chunk(by, batch, version, parts, enrolled_on, chunk, skips)
            if progress is not None and chunk:
                progress.advance(len(chunk))
            if count == 0:
                raise DomainError(
                    "mutualaid.enrol.nobody",
                    _("没有可以参保的会员：%(why)s")
                    % {"why": "；".join(f"{s.who} {s.reason}" for s in skips[:5]) or _("名单为空")},
                    {"skipped": [s.__dict__ for s in skips[:200]]},
                )
            totals = [count * part for part in parts]
            Payment.objects.bulk_create(
                Payment(batch=batch, payer=payer, due_fen=due)
                for payer, due in zip(rules.PAYERS, totals, strict=True)
            )
            batch.enrolled_count = count
            batch.skipped_count = len(skips)
            batch.skipped = [s.__dict__ for s in skips[:2000]]
            batch.save(update_fields=["enrolled_count", "skipped_count", "skipped"])
            log_action(
                "mutualaid.batch.created",
                actor=by,
                obj=batch,
                object_repr=f"{plan.code} {union.name}",
                changes={
                    "plan": plan.code,
                    "union": union.code,
                    "source": source,
                    "enrolled": count,
                    "skipped": len(skips),
                    "due_fen": dict(zip(rules.PAYERS, totals, strict=True)),
                    "rule_version": version.number,
                },
            )
    except IntegrityError as exc:
        # Another batch enrolled one of these members at the same moment (one per plan year).
        raise Conflict(
            "mutualaid.enrol.concurrent",
            _("名单中有会员刚刚被另一批次登记参保，请刷新后重新登记"),
        ) from exc
    return batch


def _enrol_chunk(
    by: Any,
    batch: EnrolmentBatch,
    version: RuleVersion,
    parts: tuple[int, ...],
    enrolled_on: date,
    members: list[Member],
    skips: list[Skip],
) -> int:
    if not members:
        return 0
    plan = batch.plan_year
    ids = [m.pk for m in members]
    already = set(
        Enrolment.objects.filter(plan_year=plan, member_id__in=ids).values_list(
            "member_id", flat=True
        )
    )
    renewed = _renewed_ids(plan, ids)
    rows: list[Enrolment] = []
    seen: set[int] = set()
    union_path = batch.union.path
    for member in members:
        who = f"{member.name} {member.member_no}"
        if member.pk in already or member.pk in seen:
            skips.append(Skip(who, _("已参保")))
            continue
        if not member.union.path.startswith(union_path):
            skips.append(Skip(who, _("不是本工会会员")))
            continue
        if member.status != MemberStatus.ACTIVE:
            skips.append(Skip(who, _("会籍状态为“%(s)s”") % {"s": member.get_status_display()}))
            continue
        try:
            rules.check_age(
                birth=member.birth_date,
                day=enrolled_on,
                min_age=version.min_age,
                max_age=version.max_age,
            )
        except DomainError as exc:
            skips.append(Skip(who, exc.message))
            continue
        seen.add(member.pk)
        is_renewal = member.pk in renewed
        rows.append(
            Enrolment(
                certificate_no=rules.certificate_no(plan.code, member.member_no),
                plan_year=plan,
                member=member,
                union=batch.union,
                batch=batch,
                rule_version=version,
                contribution_fen=version.contribution_fen,
                employer_fen=parts[0],
                union_fen=parts[1],
                worker_fen=parts[2],
                enrolled_on=enrolled_on,
                renewed=is_renewal,
                cover_starts_on=rules.cover_starts(
                    plan_starts=plan.starts_on,
                    enrolled_on=enrolled_on,
                    waiting_days=version.waiting_days,
                    renewed=is_renewal,
                ),
                cover_ends_on=plan.ends_on,
                created_by=by if getattr(by, "pk", None) else None,
            )
        )
    Enrolment.objects.bulk_create(rows, batch_size=BULK_CHUNK)
    log_many(
        by,
        [
            Event(
                "mutualaid.enrolment.created",
                obj=row,
                object_repr=f"{row.certificate_no} {row.member.name}",
                union_path=union_path,
                changes={
                    "member_no": row.member.member_no,
                    "id_number": mask_id_number(row.member.id_number),
                    "contribution_fen": row.contribution_fen,
                    "cover": [row.cover_starts_on, row.cover_ends_on],
                },
            )
            for row in rows
        ],
    )
    return len(rows)


@dataclass(frozen=True)
class IndividualOffer:
    """What a member who enrols themself pays: the rule's worker share. The employer's and the
    union's shares are owed by them as for any batch (the union's reconciliation shows them)."""

    plan: PlanYear
    version: RuleVersion
    parts: tuple[int, ...]

    @property
    def worker_fen(self) -> int:
        return self.parts[2]


def individual_offer(member: Member, today: date | None = None) -> IndividualOffer | None:
    """The plan year the member may enrol in on their own today, if any (and not yet)."""
    today = today or timezone.localdate()
    for plan in selectors.plan_open_for_enrolment(today).filter(allow_individual=True):
        if Enrolment.objects.filter(plan_year=plan, member=member).exists():
            continue
        version = selectors.version_in_force(plan, max(today, plan.starts_on))
        return IndividualOffer(
            plan, version, rules.split_contribution(version.contribution_fen, version.weights)
        )
    return None


def enrol_self(*, by: Any, member: Member, plan: PlanYear) -> Enrolment:
    """The member enrols on the phone: a one-person batch of their union with its three
    payment records, the worker's part being theirs to pay."""
    if not getattr(by, "pk", None) or member.account_id != by.pk:
        raise Forbidden("auth.forbidden", _("只能为自己办理个人参保"))
    if not plan.allow_individual:
        raise DomainError(
            "mutualaid.enrol.individual_closed", _("本保障期不办理个人参保，请联系所在工会")
        )
    skips: list[Skip] = []
    batch = _enrol_batch(
        by=by,
        plan=plan,
        union=member.union,
        members=Member.objects.filter(pk=member.pk).select_related("union"),
        source="individual",
        skipped=skips,
    )
    return batch.enrolments.get()


def payment_record(
    *, by: Any, payment: Payment, paid_fen: int, paid_on: date, reference: str = ""
) -> Payment:
    """Record what a payer has paid for the batch so far (the one record per payer per batch);
    the difference from the last figure goes into the fund ledger."""
    batch = EnrolmentBatch.objects.select_related("union", "plan_year").get(pk=payment.batch_id)
    require_perm(by, "mutualaid.change", batch.union.path)
    if paid_fen < 0:
        raise DomainError("mutualaid.payment_invalid", _("实缴金额不能为负"))
    reference = " ".join(str(reference).split())[:60]
    with transaction.atomic():
        # Lock the record: two clerks recording at once must not both add their delta.
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        delta = paid_fen - locked.paid_fen
        before = locked.paid_fen
        locked.paid_fen = paid_fen
        locked.paid_on = paid_on
        locked.reference = reference
        locked.recorded_by = by if getattr(by, "pk", None) else None
        locked.recorded_at = timezone.now()
        locked.save()
        if delta:
            ledger.append(
                LedgerEntry,
                chain=batch.plan_year.code,
                plan_year=batch.plan_year,
                kind=LedgerKind.CONTRIBUTION,
                payer=locked.payer,
                amount_fen=delta,
                union=batch.union,
                reference=f"batch:{batch.public_id}",
                at=timezone.now(),
                by=locked.recorded_by,
            )
        log_action(
            "mutualaid.payment.recorded",
            actor=by,
            obj=batch,
            object_repr=f"{batch.plan_year.code} {batch.union.name} {locked.get_payer_display()}",
            changes={
                "payer": locked.payer,
                "paid_fen": [before, paid_fen],
                "due_fen": locked.due_fen,
                "paid_on": paid_on,
                "reference": reference,
            },
        )
    return locked


def reconciliation(batch: EnrolmentBatch) -> dict[str, Any]:
    """Due, paid and owed per payer and in all: owed > 0 is still to pay, < 0 overpaid."""
    payments = selectors.batch_payments(batch)
    due = sum(p.due_fen for p in payments)
    paid = sum(p.paid_fen for p in payments)
    return {"payments": payments, "due_fen": due, "paid_fen": paid, "owed_fen": due - paid}


# -- claims ----------------------------------------------------------------------------------


@dataclass
class InvoiceData:
    number: str
    amount_fen: int


@dataclass
class ClaimData:
    item_code: str
    event_date: date
    hospital: str
    hospital_level: str = ""
    condition_code: str = ""
    invoices: list[InvoiceData] = field(default_factory=list)
    health_details: str = ""
    documents: list[Upload] = field(default_factory=list)
    bank_account: str = ""
    bank_name: str = ""


def _clean_account(text: str) -> str:
    """A bank account for the payout: digits only (spaces and hyphens dropped), 10–30 long."""
    cleaned = "".join(ch for ch in str(text or "") if ch not in " -\u3000")
    if not cleaned:
        return ""
    if not cleaned.isdigit() or not cleaned.isascii() or not 10 <= len(cleaned) <= 30:
        raise DomainError(
            "mutualaid.claim.account_invalid", _("收款银行账号须为 10 到 30 位数字，请核对")
        )
    return cleaned


def _acts_for(by: Any, member: Member) -> bool:
    """The member themself, or an officer with the program in the member's union."""
    if getattr(by, "pk", None) and member.account_id == by.pk:
        return True
    return has_perm(by, "mutualaid.change", member.union.path)


def _clean_invoices(invoices: Sequence[InvoiceData]) -> list[tuple[str, str, int]]:
    cleaned: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    for invoice in invoices:
        number = rules.normalise_invoice_no(invoice.number)
        if number in seen:
            raise DomainError(
                "mutualaid.claim.invoice_repeated",
                _("发票号码 %(no)s 填写了两次") % {"no": invoice.number},
            )
        if invoice.amount_fen <= 0:
            raise DomainError(
                "mutualaid.claim.invoice_amount",
                _("发票 %(no)s 的个人自付金额须大于零") % {"no": invoice.number},
            )
        seen.add(number)
        cleaned.append((" ".join(invoice.number.split())[:40], number, invoice.amount_fen))
    return cleaned


def _duplicate_invoice(numbers: Sequence[str]) -> DomainError | None:
    taken = (
        ClaimInvoice.objects.filter(number_normalised__in=numbers)
        .values_list("number", flat=True)
        .first()
    )
    if taken is None:
        return None
    return Conflict(
        "mutualaid.claim.invoice_duplicate",
        _("发票 %(no)s 已在另一件互助金申请中使用，同一张发票不能重复申请") % {"no": taken},
        {"number": taken},
    )


def _check_uploads(uploads: Sequence[Upload]) -> list[tuple[Upload, str]]:
    from gonghui.mutualaid.models import DocumentKind

    return check_uploads(uploads, program="mutualaid", kinds=DocumentKind.values, max_count=20)


def _store_documents(by: Any, claim: Claim, checked: Sequence[tuple[Upload, str]]) -> list[str]:
    """The bytes are encrypted with the field key before they reach the disk."""
    names = []
    for upload, content_type in checked:
        document = ClaimDocument(
            claim=claim,
            kind=upload.kind,
            content_type=content_type,
            size=len(upload.data),
            uploaded_by=by if getattr(by, "pk", None) else None,
        )
        token = crypto.encrypt(base64.b64encode(upload.data).decode("ascii"))
        document.file.save("document.bin", ContentFile(token.encode("ascii")), save=False)
        document.save()
        names.append(str(document.public_id))
    return names


def document_bytes(document: ClaimDocument) -> bytes:
    with document.file.open("rb") as fh:
        token = fh.read().decode("ascii")
    return base64.b64decode(crypto.decrypt(token))


def consent_record(
    *, by: Any, member: Member, version: str | None, on_paper: bool
) -> HealthConsent:
    """The member's 单独同意, stored on its own before any health detail is."""
    if not version:
        raise DomainError(
            "mutualaid.consent_required",
            _("请阅读并勾选同意处理健康信息的说明，否则无法申请互助金"),
        )
    if version != CONSENT_VERSION:
        raise DomainError(
            "mutualaid.consent_outdated", _("同意书已更新，请刷新页面，阅读新的说明后重新勾选")
        )
    consent = HealthConsent.objects.create(
        member=member,
        text_version=version,
        recorded_by=by if getattr(by, "pk", None) else None,
        on_paper=on_paper,
    )
    log_action(
        "mutualaid.consent.recorded",
        actor=by,
        obj=consent,
        object_repr=f"{member.name} {member.member_no}",
        union_path=member.union.path,
        changes={"member_no": member.member_no, "version": version, "on_paper": on_paper},
    )
    return consent


def _new_claim_no() -> str:
    return "C" + "".join(secrets.choice("0123456789") for _ in range(9))


def claim_submit(*, by: Any, member: Member, data: ClaimData, consent_version: str | None) -> Claim:
    """File a claim for `member` (by the member, or their union on their behalf with a signed
    paper consent). Checks cover and waiting period, invoices and uploads before anything is
    stored; records the consent, then the claim with its health details (encrypted)."""
    if not _acts_for(by, member):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    on_paper = member.account_id is None or getattr(by, "pk", None) != member.account_id
    enrolment = selectors.enrolment_for_event(member, data.event_date)
    if enrolment is None:
        raise DomainError(
            "mutualaid.claim.not_enrolled",
            _("%(day)s 您没有参加互助保障，不能申请。请向所在工会了解参保情况")
            % {"day": data.event_date.isoformat()},
        )
    plan = enrolment.plan_year
    version = selectors.version_in_force(plan, data.event_date)
    item = rules.find_item(rules.parse_benefits(version.benefits), data.item_code)
    rules.check_covered(
        event_date=data.event_date,
        plan_starts=plan.starts_on,
        enrolled_on=enrolment.enrolled_on,
        cover_starts_on=enrolment.cover_starts_on,
        cover_ends_on=enrolment.cover_ends_on,
        waiting_period=item.waiting_period,
    )
    if data.event_date > timezone.localdate():
        raise DomainError("mutualaid.claim.future", _("发生日期不能晚于今天"))
    hospital = " ".join(data.hospital.split())[:100]
    if not hospital:
        raise DomainError("mutualaid.claim.hospital_required", _("请填写就诊医院"))
    invoices = _clean_invoices(data.invoices)
    bank_account = _clean_account(data.bank_account)
    if item.kind == rules.REIMBURSEMENT and not invoices:
        raise DomainError("mutualaid.claim.invoice_required", _("请至少填写一张发票"))
    duplicate = _duplicate_invoice([number for _raw, number, _fen in invoices])
    if duplicate is not None:
        raise duplicate
    checked = _check_uploads(data.documents)
    total = sum(amount for _raw, _number, amount in invoices)
    computation = rules.compute_claim(
        item,
        total_fen=total,
        hospital_level=data.hospital_level,
        condition_code=data.condition_code,
        used_fen=selectors.used_fen(enrolment, item.code),
        version_label=_("%(plan)s第 %(n)s 版规则") % {"plan": plan.name, "n": version.number},
    )
    try:
        with transaction.atomic():
            consent = consent_record(
                by=by, member=member, version=consent_version, on_paper=on_paper
            )
            claim = Claim.objects.create(
                claim_no=_new_claim_no(),
                enrolment=enrolment,
                member=member,
                union=member.union,
                item_code=item.code,
                item_name=item.name,
                condition_code=data.condition_code if item.kind == rules.LUMP_SUM else "",
                event_date=data.event_date,
                hospital=hospital,
                hospital_level=data.hospital_level,
                total_fen=total,
                rule_version=version,
                payable_fen=computation.payable_fen,
                explanation=computation.as_json(),
                health_details=data.health_details.strip()[:2000],
                bank_account=bank_account,
                bank_name=" ".join(data.bank_name.split())[:60],
                consent=consent,
                submitted_by=by if getattr(by, "pk", None) else None,
            )
            # The unique index settles two claims racing with the same invoice.
            ClaimInvoice.objects.bulk_create(
                ClaimInvoice(claim=claim, number=raw, number_normalised=number, amount_fen=fen)
                for raw, number, fen in invoices
            )
            documents = _store_documents(by, claim, checked)
            ClaimEvent.objects.create(
                claim=claim,
                by=claim.submitted_by,
                to_status=ClaimStatus.SUBMITTED,
                level=rules.SUBMITTER,
                payable_fen=claim.payable_fen,
            )
            log_action(
                "mutualaid.claim.submitted",
                actor=by,
                obj=claim,
                object_repr=f"{claim.claim_no} {member.name}",
                changes={
                    "member_no": member.member_no,
                    "item": item.code,
                    "event_date": data.event_date,
                    "invoices": [number for _raw, number, _fen in invoices],
                    "total_fen": total,
                    "payable_fen": claim.payable_fen,
                    "rule_version": version.number,
                    "documents": documents,
                    "on_behalf": on_paper,
                    "bank_account": mask_account(bank_account) if bank_account else "",
                },
            )
    except IntegrityError as exc:
        duplicate = _duplicate_invoice([number for _raw, number, _fen in invoices])
        if duplicate is not None:
            raise duplicate from exc
        raise
    return claim


def _authorise(by: Any, claim: Claim, level: str) -> None:
    if level == rules.SUBMITTER:
        if getattr(by, "pk", None) and claim.member.account_id == by.pk:
            return
        if rules.FIRST in selectors.levels_on(by, claim):
            return
        raise Forbidden("auth.forbidden", _("只有申请人本人或所在工会可以办理"))
    if level not in selectors.levels_on(by, claim):
        raise Forbidden(
            "auth.forbidden",
            _("“%(level)s”须由相应层级的工会工作人员办理") % {"level": rules.LEVEL_LABELS[level]},
        )
    earlier = ClaimEvent.objects.filter(claim=claim, by=by).values_list("level", flat=True)
    rules.check_separation(level, earlier)


def _approve(claim: Claim) -> None:
    """Fix the payable amount under the annual cap. The member's plan-year row is locked, so two
    reviewers approving two claims of one member at once are served one after the other and
    the second sees what the first granted."""
    Enrolment.objects.select_for_update().get(pk=claim.enrolment_id)
    version = claim.rule_version
    item = rules.find_item(rules.parse_benefits(version.benefits), claim.item_code)
    computation = rules.compute_claim(
        item,
        total_fen=claim.total_fen,
        hospital_level=claim.hospital_level,
        condition_code=claim.condition_code,
        used_fen=selectors.used_fen(claim.enrolment, item.code, excluding=claim),
        version_label=_("%(plan)s第 %(n)s 版规则")
        % {"plan": claim.enrolment.plan_year.name, "n": version.number},
    )
    if computation.payable_fen <= 0:
        raise DomainError(
            "mutualaid.claim.nothing_payable",
            _("按规则计算本次应付为零（未超过起付线或年度封顶额已用完），请作不予给付处理"),
        )
    claim.payable_fen = computation.payable_fen
    claim.explanation = computation.as_json()
    claim.approved_at = timezone.now()


def claim_transition(*, claim: Claim, to: str, by: Any, reason: str = "") -> Claim:
    """The one way a claim moves: the TRANSITIONS table says who may, the claim row is locked so
    two reviewers cannot both move it, and the move is written to its history and the audit
    log."""
    with transaction.atomic():
        # Lock the claim: of two reviewers acting at once, the second finds it already moved.
        locked = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("member", "union", "enrolment__plan_year", "rule_version")
            .get(pk=claim.pk)
        )
        level = rules.transition_level(locked.status, to)
        _authorise(by, locked, level)
        note = rules.check_reason(to, reason)
        before = locked.status
        if to == ClaimStatus.APPEALED:
            rules.check_appeal(locked.appealed)
            locked.appealed = True
        if to == ClaimStatus.APPROVED:
            _approve(locked)
        if to == ClaimStatus.PAID:
            if locked.payout_lines.filter(status=PayoutLineStatus.PENDING).exists():
                raise Conflict(
                    "mutualaid.claim.in_payout",
                    _("该申请已在支付批次中等待银行回盘，请导入银行回盘文件"),
                )
            pay_out(locked, by=by)
        if to in rules.NEEDS_REASON:
            locked.reason = note
        locked.status = to
        locked.save()
        ClaimEvent.objects.create(
            claim=locked,
            by=by if getattr(by, "pk", None) else None,
            from_status=before,
            to_status=to,
            level=level,
            note=note,
            payable_fen=locked.payable_fen,
        )
        log_action(
            f"mutualaid.claim.{to}",
            actor=by,
            obj=locked,
            object_repr=f"{locked.claim_no} {locked.member.name}",
            changes={
                "status": [before, to],
                "level": level,
                "reason": note,
                "payable_fen": locked.payable_fen,
            },
        )
    return locked


def pay_out(claim: Claim, *, by: Any) -> None:
    """The money left the fund: paid now, and a negative entry on the plan year's chain, in
    the caller's transaction (the claim row is locked by the caller)."""
    plan = claim.enrolment.plan_year
    claim.paid_at = timezone.now()
    claim.payout_note = ""
    ledger.append(
        LedgerEntry,
        chain=plan.code,
        plan_year=plan,
        kind=LedgerKind.PAYOUT,
        payer="",
        amount_fen=-claim.payable_fen,
        union=claim.union,
        reference=f"claim:{claim.claim_no}",
        at=claim.paid_at,
        by=by if getattr(by, "pk", None) else None,
    )


def claim_documents_add(*, by: Any, claim: Claim, uploads: Sequence[Upload]) -> list[str]:
    """More material for a returned claim (or before the first review), by the member or their
    union."""
    if not _acts_for(by, claim.member):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    if claim.status not in {ClaimStatus.RETURNED, ClaimStatus.SUBMITTED}:
        raise DomainError(
            "mutualaid.claim.documents_closed", _("申请已进入审核，如需补充材料请联系所在工会")
        )
    checked = _check_uploads(uploads)
    with transaction.atomic():
        names = _store_documents(by, claim, checked)
        log_action(
            "mutualaid.claim.documents_added",
            actor=by,
            obj=claim,
            object_repr=claim.claim_no,
            changes={"documents": names},
        )
    return names


def can_see_health(by: Any, claim: Claim) -> bool:
    """Only the claim's reviewers (any level) see health details and documents."""
    return bool(selectors.levels_on(by, claim) & set(rules.REVIEW_LEVELS))


def health_details_read(*, by: Any, claim: Claim) -> str:
    """The health details for a reviewer; each reading is on record."""
    if not can_see_health(by, claim):
        raise Forbidden("auth.forbidden", _("只有负责审核本申请的工作人员可以查看健康信息"))
    log_action(
        "mutualaid.claim.health_viewed",
        actor=by,
        obj=claim,
        object_repr=claim.claim_no,
        changes={"member_no": claim.member.member_no},
    )
    return claim.health_details


def document_read(*, by: Any, claim: Claim, document: ClaimDocument) -> bytes:
    is_owner = bool(getattr(by, "pk", None)) and claim.member.account_id == by.pk
    if not is_owner and not can_see_health(by, claim):
        raise Forbidden("auth.forbidden", _("只有负责审核本申请的工作人员可以查看申请材料"))
    log_action(
        "mutualaid.claim.document_viewed",
        actor=by,
        obj=claim,
        object_repr=claim.claim_no,
        changes={"document": str(document.public_id), "kind": document.kind},
    )
    return document_bytes(document)


def plan_totals(plan: PlanYear) -> dict[str, int]:
    """Participants and money of a plan year, for the overview page."""
    enrolments = Enrolment.objects.filter(plan_year=plan, status=EnrolmentStatus.ACTIVE)
    return {
        "participants": enrolments.count(),
        "contribution_fen": int(enrolments.aggregate(t=Sum("contribution_fen"))["t"] or 0),
    } | selectors.fund_balance(plan)


# -- payouts ---------------------------------------------------------------------------------

PAYOUT_CHUNK = 500


def _payout_union(by: Any) -> Union:
    """Payouts are the city federation's (保障部): the batch belongs to the city union."""
    for grant in selectors.reviewer_grants(by):
        if grant.union_kind == "city":
            return Union.objects.get(path=grant.union_path)
    raise Forbidden("auth.forbidden", _("互助金支付只能由市总工会保障部办理"))


def payee_account(claim: Claim, channel: str) -> str | None:
    """Where the money goes: the member's union card (its co-branded bank card), or the bank
    account written on the claim."""
    if channel == PayoutChannel.CARD:
        from gonghui.cards.selectors import payout_account_of

        return payout_account_of(claim.member)
    return claim.bank_account or None


def _new_batch_no() -> str:
    return "ZF" + timezone.localtime().strftime("%Y%m%d") + f"{secrets.randbelow(10**6):06d}"


def payout_batch_create(*, by: Any, channel: str, progress: Any = None) -> PayoutBatch:
    """Put every approved claim in the actor's payout queue into one batch for `channel`.
    Claims with no account for the channel stay in the queue and are listed on the batch."""
    union = _payout_union(by)
    if channel not in PayoutChannel.values:
        raise DomainError("mutualaid.payout.channel", _("请选择支付渠道"))
    queue = selectors.payout_queue(actor=by)
    if progress is not None:
        progress.set_total(queue.count())
    without: list[dict[str, str]] = []
    count, total = 0, 0
    try:
        with transaction.atomic():
            batch = PayoutBatch.objects.create(
                batch_no=_new_batch_no(),
                union=union,
                channel=channel,
                created_by=by if getattr(by, "pk", None) else None,
            )
            lines: list[PayoutLine] = []
            for claim in queue.iterator(chunk_size=PAYOUT_CHUNK):
                account = payee_account(claim, channel)
                if not account:
                    without.append(
                        {
                            "claim_no": claim.claim_no,
                            "name": claim.member.name,
                            "union": claim.union.name,
                            "amount_fen": str(claim.payable_fen),
                        }
                    )
                else:
                    lines.append(
                        PayoutLine(
                            batch=batch,
                            claim=claim,
                            amount_fen=claim.payable_fen,
                            account_no=account,
                        )
                    )
                    count += 1
                    total += claim.payable_fen
                if len(lines) >= PAYOUT_CHUNK:
                    PayoutLine.objects.bulk_create(lines)
                    lines = []
                if progress is not None:
                    progress.advance(1)
            PayoutLine.objects.bulk_create(lines)
            if count == 0:
                raise DomainError(
                    "mutualaid.payout.nothing",
                    _("没有可以支付的申请：待支付的申请都缺少该渠道的收款账户")
                    if without
                    else _("没有待支付的申请"),
                    {"without_account": without[:200]},
                )
            batch.line_count, batch.total_fen = count, total
            batch.without_account = without[:2000]
            batch.save(update_fields=["line_count", "total_fen", "without_account"])
            log_action(
                "mutualaid.payout.created",
                actor=by,
                obj=batch,
                object_repr=batch.batch_no,
                changes={
                    "channel": channel,
                    "lines": count,
                    "total_fen": total,
                    "without_account": len(without),
                },
            )
    except IntegrityError as exc:
        # Another batch took one of these claims at the same moment (one pending line each).
        raise Conflict(
            "mutualaid.payout.concurrent",
            _("有申请刚刚被另一个支付批次选中，请刷新后重新生成"),
        ) from exc
    return batch


def _require_payout_manager(by: Any, batch: PayoutBatch) -> None:
    require_perm(by, "mutualaid.change", batch.union.path)
    _payout_union(by)


def payout_file(*, by: Any, batch: PayoutBatch) -> bytes:
    """The file for the bank, with full account numbers: only the 保障部 downloads it, and every
    download is on record."""
    _require_payout_manager(by, batch)
    lines = [
        FileLine(
            reference=line.claim.claim_no,
            payee_name=line.claim.member.name,
            account_no=line.account_no,
            amount_fen=line.amount_fen,
            memo=_("职工医疗互助金"),
        )
        for line in batch.lines.select_related("claim__member").order_by("id")
    ]
    log_action(
        "mutualaid.payout.exported",
        actor=by,
        obj=batch,
        object_repr=batch.batch_no,
        changes={"lines": len(lines), "total_fen": batch.total_fen, "channel": batch.channel},
    )
    return payout_file_bytes(lines)


def payout_results_import(
    *, by: Any, batch: PayoutBatch, path: Path | str, progress: Any = None
) -> dict[str, Any]:
    """Apply the bank's result file, all or nothing: paid claims become 已支付 with a payout
    entry in the fund ledger; failed ones go back to the queue with the bank's reason. A batch
    already settled is left as it is (importing the same file again changes nothing)."""
    _require_payout_manager(by, batch)
    results = read_payout_results(path)
    with transaction.atomic():
        # Lock the batch: two clerks importing the result at once would pay every claim twice.
        locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == PayoutBatchStatus.SETTLED:
            return _settled_summary(locked) | {"replayed": True}
        lines = {line.claim.claim_no: line for line in locked.lines.select_related("claim")}
        check_results(
            results,
            {ref: line.amount_fen for ref, line in lines.items()},
            code="mutualaid.payout.result_mismatch",
        )
        if progress is not None:
            progress.set_total(len(results))
        events: list[Event] = []
        paid_count, paid_fen, failed = 0, 0, 0
        for result in results:
            line = lines[result.reference]
            claim = (
                Claim.objects.select_for_update(of=("self",))
                .select_related("enrolment__plan_year", "union", "member")
                .get(pk=line.claim_id)
            )
            if result.paid:
                rules.transition_level(claim.status, ClaimStatus.PAID)
                pay_out(claim, by=by)
                claim.status = ClaimStatus.PAID
                claim.save()
                ClaimEvent.objects.create(
                    claim=claim,
                    by=by if getattr(by, "pk", None) else None,
                    from_status=ClaimStatus.APPROVED,
                    to_status=ClaimStatus.PAID,
                    level=rules.APPROVE,
                    note=locked.batch_no,
                    payable_fen=claim.payable_fen,
                )
                line.status = PayoutLineStatus.PAID
                paid_count += 1
                paid_fen += line.amount_fen
                events.append(
                    Event(
                        "mutualaid.claim.paid",
                        claim,
                        {"batch": locked.batch_no, "payable_fen": claim.payable_fen},
                        object_repr=f"{claim.claim_no} {claim.member.name}",
                        union_path=claim.union.path,
                    )
                )
            else:
                line.status = PayoutLineStatus.FAILED
                line.reason = result.reason[:200]
                claim.payout_note = line.reason
                claim.save(update_fields=["payout_note", "updated_at"])
                failed += 1
            line.save(update_fields=["status", "reason"])
            if progress is not None:
                progress.advance(1)
        locked.status = PayoutBatchStatus.SETTLED
        locked.paid_count, locked.paid_fen, locked.failed_count = paid_count, paid_fen, failed
        locked.settled_at = timezone.now()
        locked.settled_by = by if getattr(by, "pk", None) else None
        locked.save()
        log_many(by, events)
        log_action(
            "mutualaid.payout.settled",
            actor=by,
            obj=locked,
            object_repr=locked.batch_no,
            changes={"paid": paid_count, "paid_fen": paid_fen, "failed": failed},
        )
    return _settled_summary(locked) | {"replayed": False}


def _settled_summary(batch: PayoutBatch) -> dict[str, Any]:
    return {
        "batch": str(batch.public_id),
        "batch_no": batch.batch_no,
        "paid": batch.paid_count,
        "paid_fen": batch.paid_fen,
        "failed": batch.failed_count,
        "url": f"/w/mutual-aid/payouts/{batch.public_id}/",
    }


# -- retention -------------------------------------------------------------------------------


def claims_purge(cutoff: Any, dry_run: bool = False) -> int:
    """Remove the health details, documents and bank account of claims closed (paid, or
    rejected and not appealed) before `cutoff` (a retention rule, see apps.py). The claim
    with its amounts, invoices, history, the fund ledger and the audit trail stay."""
    from django.db.models import Q

    due = Claim.objects.filter(purged_at__isnull=True).filter(
        Q(status=ClaimStatus.PAID, paid_at__lt=cutoff)
        | Q(status=ClaimStatus.REJECTED, updated_at__lt=cutoff)
    )
    if dry_run:
        return due.count()
    purged = 0
    while batch := list(due.order_by("id")[:200]):
        with transaction.atomic():
            documents = list(ClaimDocument.objects.filter(claim__in=batch))
            for document in documents:
                document.file.delete(save=False)
            ClaimDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()
            for line in PayoutLine.objects.filter(claim__in=batch):
                line.account_no = mask_account(line.account_no)
                line.save(update_fields=["account_no"])
            Claim.objects.filter(pk__in=[c.pk for c in batch]).update(
                health_details="", bank_account="", purged_at=timezone.now()
            )
            log_many(
                None,
                [
                    Event(
                        "mutualaid.claim.purged",
                        obj=claim,
                        object_repr=claim.claim_no,
                        changes={"status": claim.status, "cutoff": cutoff.isoformat()},
                    )
                    for claim in batch
                ],
            )
        purged += len(batch)
    return purged
