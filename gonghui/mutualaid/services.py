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
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.scoping import has_perm, require_perm
from gonghui.audit.log import Event, log_action, log_many
from gonghui.core import crypto
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.core.masking import mask_id_number
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
            LedgerEntry.objects.create(
                plan_year=batch.plan_year,
                kind=LedgerKind.CONTRIBUTION,
                payer=locked.payer,
                amount_fen=delta,
                union=batch.union,
                reference=f"batch:{batch.public_id}",
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
class Upload:
    kind: str
    data: bytes
    name: str = ""


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

    checked: list[tuple[Upload, str]] = []
    if len(uploads) > 20:
        raise DomainError("mutualaid.document_count", _("一次最多上传 20 个文件"))
    for upload in uploads:
        if len(upload.data) > rules.DOCUMENT_MAX_BYTES:
            raise DomainError(
                "mutualaid.document_too_large",
                _("文件“%(name)s”超过 10 MB，请压缩或分页后再上传") % {"name": upload.name},
            )
        content_type = rules.document_type(upload.data[:16])
        if content_type is None:
            raise DomainError(
                "mutualaid.document_type",
                _("文件“%(name)s”不是 PDF、JPEG 或 PNG，请拍照或扫描后上传")
                % {"name": upload.name},
            )
        if upload.kind not in DocumentKind.values:
            raise DomainError("mutualaid.document_kind", _("请选择材料类型"))
        checked.append((upload, content_type))
    return checked


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
            locked.paid_at = timezone.now()
            LedgerEntry.objects.create(
                plan_year=locked.enrolment.plan_year,
                kind=LedgerKind.PAYOUT,
                amount_fen=-locked.payable_fen,
                union=locked.union,
                reference=f"claim:{locked.claim_no}",
                by=by if getattr(by, "pk", None) else None,
            )
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
