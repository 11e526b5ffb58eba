"""Writes of the hardship program: each one user action, in one transaction, audited.

Income and health details never enter the audit log; the audit says that they were stored or
read, not what they are."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.scoping import has_perm
from gonghui.audit.log import log_action
from gonghui.cards.selectors import payout_account_of
from gonghui.core import crypto, ledger, workdays
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.core.filetypes import Upload, check_uploads
from gonghui.core.payouts import PayoutLine as FileLine
from gonghui.core.payouts import check_results, payout_file_bytes, read_payout_results
from gonghui.hardship import rules, selectors
from gonghui.hardship.models import (
    AidApplication,
    AidCategory,
    AidEvent,
    AidState,
    Budget,
    Channel,
    Consent,
    Disbursement,
    Evidence,
    EvidenceKind,
    FileEvent,
    FileState,
    HardshipFile,
    HouseholdMember,
    Objection,
    ObjectionStatus,
    PayoutBatch,
    PayoutBatchStatus,
    PayoutLine,
    PayoutLineStatus,
    Policy,
    SchoolStage,
    Standard,
    Threshold,
)
from gonghui.members.models import Member, MemberStatus
from gonghui.members.services import member_flag_set
from gonghui.orgs.models import Union

MAX_UPLOADS = 10

CONSENT_TEXTS = {
    "2026-01": gettext_lazy(
        "我单独同意工会为办理困难职工建档和帮扶救助，收集和使用我及共同生活家庭成员的收入、就业"
        "和健康状况，以及我上传的收入证明、病历等材料。这些信息仅用于审核和帮扶，加密保存，只有"
        "负责帮扶工作的工会工作人员可以查看；档案脱困或注销后按规定期限删除。公示时只公布姓名、"
        "所在单位和主要致困原因。我可以不同意，但那样无法建立困难职工档案。"
    ),
}
CONSENT_VERSION = "2026-01"


def consent_text(version: str = CONSENT_VERSION) -> str:
    return str(CONSENT_TEXTS[version])


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _acts_for(by: Any, member: Member) -> bool:
    """The member themself, or staff running the program in the member's union."""
    if getattr(by, "pk", None) and member.account_id == by.pk:
        return True
    return has_perm(by, selectors.CHANGE, member.union.path)


# -- uploads ------------------------------------------------------------------------------------


def _check_uploads(uploads: Sequence[Upload]) -> list[tuple[Upload, str]]:
    return check_uploads(
        uploads, program="hardship", kinds=EvidenceKind.values, max_count=MAX_UPLOADS
    )


def _store(by: Any, checked: Sequence[tuple[Upload, str]], **owner: Any) -> list[str]:
    """The bytes are encrypted with the field key before they reach the disk."""
    names = []
    for upload, content_type in checked:
        evidence = Evidence(
            kind=upload.kind,
            content_type=content_type,
            size=len(upload.data),
            uploaded_by=_user(by),
            **owner,
        )
        token = crypto.encrypt(base64.b64encode(upload.data).decode("ascii"))
        evidence.stored.save("evidence.bin", ContentFile(token.encode("ascii")), save=False)
        evidence.save()
        names.append(str(evidence.public_id))
    return names


def evidence_bytes(evidence: Evidence) -> bytes:
    with evidence.stored.open("rb") as fh:
        token = fh.read().decode("ascii")
    return base64.b64decode(crypto.decrypt(token))


def can_see_sensitive(by: Any, union: Union) -> bool:
    """Only the program's staff over the union (its reviewers) see income, health and proofs."""
    return bool(selectors.levels_on(by, union) & set(rules.REVIEW_LEVELS))


def evidence_read(*, by: Any, evidence: Evidence) -> bytes:
    owner = evidence.file or evidence.aid
    assert owner is not None
    member = owner.member
    is_owner = bool(getattr(by, "pk", None)) and member.account_id == by.pk
    if not is_owner and not can_see_sensitive(by, owner.union):
        raise Forbidden("auth.forbidden", _("只有负责帮扶工作的工作人员可以查看证明材料"))
    log_action(
        "hardship.evidence.viewed",
        actor=by,
        obj=owner,
        object_repr=str(owner),
        union_path=owner.union.path,
        changes={"evidence": str(evidence.public_id), "kind": evidence.kind},
    )
    return evidence_bytes(evidence)


# -- consent ------------------------------------------------------------------------------------


def consent_record(*, by: Any, member: Member, version: str | None) -> Consent:
    if not version:
        raise DomainError(
            "hardship.consent_required",
            _("请阅读并勾选同意处理收入和健康信息的说明，否则无法建立困难职工档案"),
        )
    if version != CONSENT_VERSION:
        raise DomainError(
            "hardship.consent_outdated", _("同意书已更新，请刷新页面，阅读新的说明后重新勾选")
        )
    on_paper = member.account_id is None or getattr(by, "pk", None) != member.account_id
    consent = Consent.objects.create(
        member=member, text_version=version, recorded_by=_user(by), on_paper=on_paper
    )
    log_action(
        "hardship.consent.recorded",
        actor=by,
        obj=consent,
        object_repr=f"{member.name} {member.member_no}",
        union_path=member.union.path,
        changes={"member_no": member.member_no, "version": version, "on_paper": on_paper},
    )
    return consent


# -- files --------------------------------------------------------------------------------------


@dataclass
class HouseholdRow:
    relation: str
    name: str
    age: int
    job_status: str
    income_fen: int = 0
    health: str = ""


@dataclass
class FileData:
    primary_cause: str
    causes: list[str]
    household: list[HouseholdRow]
    situation: str = ""
    health_details: str = ""
    uploads: list[Upload] = field(default_factory=list)


def _new_no(prefix: str) -> str:
    return prefix + "".join(secrets.choice("0123456789") for _ in range(9))


def _file_event(file: HardshipFile, by: Any, before: str, to: str, level: str, note: str) -> None:
    FileEvent.objects.create(
        file=file, by=_user(by), from_state=before, to_state=to, level=level, note=note
    )


def file_submit(
    *,
    by: Any,
    member: Member,
    data: FileData,
    consent_version: str | None,
    today: date | None = None,
) -> HardshipFile:
    """建档申请 by the member or their union: the household's income against the district's
    threshold for the year, the causes, the proofs; consent first, then the encrypted details."""
    from gonghui.hardship.models import Cause, JobStatus, Relation

    if not _acts_for(by, member):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    today = today or timezone.localdate()
    if member.status != MemberStatus.ACTIVE:
        raise DomainError("hardship.file.not_member", _("只有在会会员可以申请建立困难职工档案"))
    causes = list(dict.fromkeys([data.primary_cause, *data.causes]))
    if data.primary_cause not in Cause.values or any(c not in Cause.values for c in causes):
        raise DomainError("hardship.file.cause_invalid", _("请选择致困原因"))
    if not data.household or data.household[0].relation != Relation.SELF:
        raise DomainError("hardship.file.household_self", _("家庭成员第一行须为申请人本人"))
    for row in data.household:
        if row.relation not in Relation.values or row.job_status not in JobStatus.values:
            raise DomainError(
                "hardship.file.household_invalid", _("请填写每位家庭成员的关系和就业状况")
            )
        if not row.name.strip() or not 0 <= row.age <= 120:
            raise DomainError(
                "hardship.file.household_invalid", _("请填写每位家庭成员的姓名和年龄")
            )
    incomes = [row.income_fen for row in data.household]
    per_capita = rules.per_capita_fen(incomes, len(data.household))
    district = selectors.district_of(member.union)
    threshold = selectors.threshold_for(district, today.year)
    if threshold is None:
        raise DomainError(
            "hardship.threshold_missing",
            _("%(district)s %(year)d 年的低保标准尚未设定，请联系市总工会保障部")
            % {"district": district.name, "year": today.year},
        )
    below = rules.check_eligible(
        per_capita=per_capita, threshold_fen=threshold.monthly_fen, causes=causes
    )
    if selectors.open_file_of(member) is not None:
        raise Conflict("hardship.file.open_exists", _("该会员已有在办或在档的困难职工档案"))
    checked = _check_uploads(data.uploads)
    try:
        with transaction.atomic():
            consent = consent_record(by=by, member=member, version=consent_version)
            file = HardshipFile.objects.create(
                file_no=_new_no("K"),
                member=member,
                union=member.union,
                district=district,
                primary_cause=data.primary_cause,
                causes=causes,
                household_size=len(data.household),
                household_income=str(sum(incomes)),
                per_capita_income=str(per_capita),
                health_details=data.health_details.strip()[:1000],
                situation=data.situation.strip()[:1000],
                threshold_fen=threshold.monthly_fen,
                below_threshold=below,
                consent=consent,
                submitted_by=_user(by),
            )
            HouseholdMember.objects.bulk_create(
                HouseholdMember(
                    file=file,
                    relation=row.relation,
                    name=" ".join(row.name.split())[:40],
                    age=row.age,
                    job_status=row.job_status,
                    monthly_income=str(row.income_fen),
                    health=row.health.strip()[:200],
                )
                for row in data.household
            )
            documents = _store(by, checked, file=file)
            _file_event(file, by, "", FileState.GRASSROOTS, rules.APPLICANT, "")
            log_action(
                "hardship.file.submitted",
                actor=by,
                obj=file,
                object_repr=f"{file.file_no} {member.name}",
                changes={
                    "member_no": member.member_no,
                    "causes": causes,
                    "household_size": len(data.household),
                    "below_threshold": below,
                    "threshold_fen": threshold.monthly_fen,
                    "documents": documents,
                },
            )
    except IntegrityError as exc:
        # Two applications for one member at the same moment: one open file per member.
        raise Conflict(
            "hardship.file.open_exists", _("该会员已有在办或在档的困难职工档案")
        ) from exc
    return file


def _authorise(by: Any, union: Union, member: Member, level: str, earlier: Sequence[str]) -> None:
    if level == rules.APPLICANT:
        if getattr(by, "pk", None) and member.account_id == by.pk:
            return
        if rules.GRASSROOTS in selectors.levels_on(by, union):
            return
        raise Forbidden("auth.forbidden", _("只有申请人本人或所在工会可以办理"))
    levels = selectors.levels_on(by, union)
    if level not in levels:
        raise Forbidden(
            "auth.forbidden",
            _("“%(level)s”须由相应层级的工会工作人员办理") % {"level": rules.LEVEL_LABELS[level]},
        )
    rules.check_separation(level, earlier)


def file_transition(
    *, file: HardshipFile, to: str, by: Any, reason: str = "", today: date | None = None
) -> HardshipFile:
    """The one way a file moves: the table says who may, the row is locked so two reviewers
    cannot both move it, and the move is written to its history and the audit log. Keeping a
    file (在档) sets the member's 困难职工 flag; 脱困 and 注销 clear it."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # Lock the file: of two reviewers acting at once, the second finds it already moved.
        locked = (
            HardshipFile.objects.select_for_update(of=("self",))
            .select_related("member", "union")
            .get(pk=file.pk)
        )
        level = rules.file_transition_level(locked.state, to)
        earlier = list(
            FileEvent.objects.filter(file=locked, by=_user(by)).values_list("level", flat=True)
        )
        _authorise(by, locked.union, locked.member, level, earlier)
        note = rules.check_reason(to, reason, rules.FILE_NEEDS_REASON)
        before = locked.state
        if to == FileState.NOTICE and before == FileState.CITY:
            days = selectors.policy_for(today.year).notice_working_days
            locked.notice_starts_on = today
            locked.notice_ends_on = workdays.add_working_days(today, max(days, 1))
        if to == FileState.ACTIVE:
            rules.check_notice_over(
                notice_ends_on=locked.notice_ends_on,
                today=today,
                open_objections=locked.objections.filter(status=ObjectionStatus.OPEN).count(),
            )
            locked.established_on = today
            locked.next_check_on = rules.next_check(today)
        if to in rules.CLOSED_STATES:
            locked.closed_on = today
        if to in rules.FILE_NEEDS_REASON:
            locked.reason = note
        locked.state = to
        locked.status = rules.STATUS_OF[to]
        locked.last_activity_at = timezone.now()
        locked.save()
        _file_event(locked, by, before, to, level, note)
        log_action(
            f"hardship.file.{to}",
            actor=by,
            obj=locked,
            object_repr=f"{locked.file_no} {locked.member.name}",
            changes={"state": [before, to], "level": level, "reason": note},
        )
        if to == FileState.ACTIVE:
            member_flag_set(
                by=by, member=locked.member, flag="is_hardship", value=True, reason=locked.file_no
            )
        elif to in rules.CLOSED_STATES and before == FileState.ACTIVE:
            member_flag_set(
                by=by, member=locked.member, flag="is_hardship", value=False, reason=locked.file_no
            )
    return locked


def objection_record(*, by: Any, file: HardshipFile, received_on: date, content: str) -> Objection:
    """An objection received during the 公示 holds the file until it is resolved."""
    content = " ".join(str(content or "").split())
    if not content:
        raise DomainError("hardship.objection.empty", _("请填写异议内容"))
    with transaction.atomic():
        locked = (
            HardshipFile.objects.select_for_update(of=("self",))
            .select_related("union")
            .get(pk=file.pk)
        )
        if locked.state not in (FileState.NOTICE, FileState.OBJECTED):
            raise DomainError(
                "hardship.objection.not_in_notice", _("只有公示期间的档案可以登记异议")
            )
        if rules.STAFF not in selectors.levels_on(by, locked.union):
            raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
        objection = Objection.objects.create(
            file=locked, received_on=received_on, content=content[:1000], recorded_by=_user(by)
        )
        log_action(
            "hardship.objection.recorded",
            actor=by,
            obj=locked,
            object_repr=locked.file_no,
            changes={"objection": str(objection.public_id), "received_on": received_on},
        )
    if locked.state == FileState.NOTICE:
        file_transition(file=locked, to=FileState.OBJECTED, by=by, reason=_("公示期间收到异议"))
    return objection


def objection_resolve(*, by: Any, objection: Objection, upheld: bool, resolution: str) -> Objection:
    """核查后: an upheld objection closes the file (注销); when the last open one is dismissed the
    file returns to its 公示 and can be kept once the period is over."""
    resolution = " ".join(str(resolution or "").split())
    if not resolution:
        raise DomainError("hardship.objection.resolution_required", _("请填写核查情况"))
    file = objection.file
    if rules.CITY not in selectors.levels_on(by, file.union):
        raise Forbidden("auth.forbidden", _("公示异议由市总工会核查处理"))
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != ObjectionStatus.OPEN:
            raise Conflict("hardship.objection.resolved", _("该异议已处理"))
        locked.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        locked.resolution = resolution[:300]
        locked.resolved_by = _user(by)
        locked.resolved_at = timezone.now()
        locked.save()
        log_action(
            "hardship.objection.resolved",
            actor=by,
            obj=file,
            object_repr=file.file_no,
            changes={"objection": str(locked.public_id), "upheld": upheld},
        )
        still_open = file.objections.filter(status=ObjectionStatus.OPEN).exists()
        if upheld:
            file_transition(file=file, to=FileState.CANCELLED, by=by, reason=resolution)
        elif not still_open:
            file_transition(file=file, to=FileState.NOTICE, by=by, reason=resolution)
    return locked


def file_recheck(
    *,
    by: Any,
    file: HardshipFile,
    still_in_hardship: bool,
    note: str = "",
    today: date | None = None,
) -> HardshipFile:
    """The annual re-check: still in hardship → the next check a year on; otherwise 脱困."""
    today = today or timezone.localdate()
    if file.state != FileState.ACTIVE:
        raise DomainError("hardship.file.not_active", _("只有在档的档案需要年度复核"))
    if not still_in_hardship:
        return file_transition(
            file=file,
            to=FileState.RELIEVED,
            by=by,
            reason=note or _("年度复核：已脱困"),
            today=today,
        )
    if rules.COUNTY not in selectors.levels_on(
        by, file.union
    ) and rules.GRASSROOTS not in selectors.levels_on(by, file.union):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    with transaction.atomic():
        locked = HardshipFile.objects.select_for_update(of=("self",)).get(pk=file.pk)
        locked.next_check_on = rules.next_check(today)
        locked.check_reminded_on = None
        locked.last_activity_at = timezone.now()
        locked.save(update_fields=["next_check_on", "check_reminded_on", "last_activity_at"])
        cleaned = " ".join(str(note or "").split())[:300]
        _file_event(
            locked,
            by,
            FileState.ACTIVE,
            FileState.ACTIVE,
            "recheck",
            cleaned or _("年度复核：仍符合条件"),
        )
        log_action(
            "hardship.file.rechecked",
            actor=by,
            obj=locked,
            object_repr=locked.file_no,
            changes={"next_check_on": locked.next_check_on, "note": cleaned},
        )
    return locked


def file_sensitive_read(*, by: Any, file: HardshipFile) -> dict[str, Any]:
    """Income and health details for the program's staff; each reading is on record."""
    if not can_see_sensitive(by, file.union):
        raise Forbidden("auth.forbidden", _("只有负责帮扶工作的工作人员可以查看收入和健康信息"))
    log_action(
        "hardship.file.sensitive_viewed",
        actor=by,
        obj=file,
        object_repr=file.file_no,
        changes={"member_no": file.member.member_no},
    )
    return {
        "household_income_fen": int(file.household_income or 0),
        "per_capita_fen": int(file.per_capita_income or 0),
        "health_details": file.health_details,
        "situation": file.situation,
        "household": list(file.household.all()),
    }


# -- reference data -----------------------------------------------------------------------------


def _require_city(by: Any) -> None:
    if not selectors.is_city_staff(by):
        raise Forbidden("auth.forbidden", _("救助标准和工作规则由市总工会保障部设定"))


def threshold_set(*, by: Any, district: Union, year: int, monthly_fen: int) -> Threshold:
    """City staff set every district's threshold; county staff their own district's."""
    if district.kind not in {"county", "city"}:
        raise DomainError("hardship.threshold.district", _("低保标准按县（市、区）设定"))
    if not (selectors.is_city_staff(by) or rules.COUNTY in selectors.levels_on(by, district)):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    if monthly_fen <= 0:
        raise DomainError("hardship.threshold.amount", _("低保标准须大于零"))
    with transaction.atomic():
        row, created = Threshold.objects.select_for_update().get_or_create(
            district=district,
            year=year,
            defaults={"monthly_fen": monthly_fen, "updated_by": _user(by)},
        )
        before = None if created else row.monthly_fen
        row.monthly_fen = monthly_fen
        row.updated_by = _user(by)
        row.save()
        log_action(
            "hardship.threshold.set",
            actor=by,
            obj=row,
            object_repr=f"{district.name} {year}",
            union_path=district.path,
            changes={"monthly_fen": [before, monthly_fen]},
        )
    return row


def standard_set(
    *, by: Any, year: int, category: str, stage: str, min_fen: int, max_fen: int, note: str = ""
) -> Standard:
    _require_city(by)
    if category not in AidCategory.values or stage not in SchoolStage.values:
        raise DomainError("hardship.standard.category", _("请选择救助类别"))
    if (category == AidCategory.EDUCATION) != bool(stage):
        raise DomainError("hardship.standard.stage", _("助学按学段设定标准，其他类别不选学段"))
    if not 0 <= min_fen <= max_fen:
        raise DomainError("hardship.standard.range", _("最高金额不能低于最低金额"))
    with transaction.atomic():
        row, _created = Standard.objects.select_for_update().get_or_create(
            year=year,
            category=category,
            stage=stage,
            defaults={"min_fen": min_fen, "max_fen": max_fen},
        )
        before = [row.min_fen, row.max_fen]
        row.min_fen, row.max_fen = min_fen, max_fen
        row.note = " ".join(note.split())[:200]
        row.updated_by = _user(by)
        row.save()
        log_action(
            "hardship.standard.set",
            actor=by,
            obj=row,
            object_repr=f"{year} {row.get_category_display()} {row.get_stage_display()}",
            changes={"range_fen": [before, [min_fen, max_fen]]},
        )
    return row


def policy_set(
    *,
    by: Any,
    year: int,
    notice_working_days: int,
    emergency_hours: int,
    emergency_document_working_days: int,
    paid_within_working_days: int,
) -> Policy:
    _require_city(by)
    values = {
        "notice_working_days": notice_working_days,
        "emergency_hours": emergency_hours,
        "emergency_document_working_days": emergency_document_working_days,
        "paid_within_working_days": paid_within_working_days,
    }
    if not all(1 <= v <= 365 for v in values.values()):
        raise DomainError("hardship.policy.range", _("天数和小时数须在 1 至 365 之间"))
    with transaction.atomic():
        row, _created = Policy.objects.select_for_update().get_or_create(year=year, defaults=values)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = _user(by)
        row.save()
        log_action("hardship.policy.set", actor=by, obj=row, object_repr=str(year), changes=values)
    return row


def budget_set(*, by: Any, union: Union, category: str, year: int, amount_fen: int) -> Budget:
    """A union's budget for a category and year, set by the program's staff at county or city
    level over it; never below what is already approved from it."""
    if category not in AidCategory.values or category == AidCategory.EMPLOYMENT:
        raise DomainError("hardship.budget.category", _("请选择有资金支出的救助类别"))
    if rules.COUNTY not in selectors.levels_on(by, union):
        raise Forbidden("auth.forbidden", _("预算由县区总工会或市总工会设定"))
    with transaction.atomic():
        # Lock the row: an approval consuming it at this moment is served before or after.
        row, created = Budget.objects.select_for_update().get_or_create(
            union=union,
            category=category,
            year=year,
            defaults={"amount_fen": amount_fen, "updated_by": _user(by)},
        )
        if amount_fen < row.used_fen:
            raise DomainError(
                "hardship.budget.below_used",
                _("预算不能低于已批准的金额 %(used)s") % {"used": f"¥{row.used_fen / 100:,.2f}"},
            )
        before = None if created else row.amount_fen
        row.amount_fen = amount_fen
        row.updated_by = _user(by)
        row.save()
        log_action(
            "hardship.budget.set",
            actor=by,
            obj=row,
            object_repr=f"{union.name} {year} {row.get_category_display()}",
            changes={"amount_fen": [before, amount_fen]},
        )
    return row


# -- aid ----------------------------------------------------------------------------------------


@dataclass
class AidData:
    category: str
    requested_fen: int
    reason_text: str
    stage: str = ""
    channel: str = Channel.CARD
    bank_name: str = ""
    bank_account: str = ""
    referral_to: str = ""
    emergency_kind: str = ""
    event_date: date | None = None
    uploads: list[Upload] = field(default_factory=list)


def _aid_event(
    aid: AidApplication, by: Any, before: str, to: str, level: str, note: str, amount: int | None
) -> None:
    AidEvent.objects.create(
        aid=aid,
        by=_user(by),
        from_state=before,
        to_state=to,
        level=level,
        note=note,
        amount_fen=amount,
    )


def _clean_aid(data: AidData, *, emergency: bool, year: int) -> tuple[str, Standard | None]:
    if (
        data.category not in AidCategory.values
        or (data.category == AidCategory.EMERGENCY) != emergency
    ):
        raise DomainError("hardship.aid.category", _("请选择救助类别"))
    if data.stage not in SchoolStage.values or (data.category == AidCategory.EDUCATION) != bool(
        data.stage
    ):
        raise DomainError("hardship.aid.stage", _("助学请选择子女就读的学段"))
    if data.channel not in Channel.values:
        raise DomainError("hardship.aid.channel", _("请选择发放方式"))
    if data.channel == Channel.BANK and not "".join(data.bank_account.split()).isdigit():
        raise DomainError("hardship.aid.bank_account", _("请填写收款银行账号（数字）"))
    if not " ".join(data.reason_text.split()):
        raise DomainError("hardship.aid.reason_text", _("请简要说明申请理由"))
    if emergency and data.emergency_kind not in {"accident", "fire", "illness"}:
        raise DomainError("hardship.aid.emergency_kind", _("请选择突发情况"))
    period = rules.aid_period(category=data.category, year=year, event_date=data.event_date)
    if data.category == AidCategory.EMPLOYMENT:
        return period, None
    standard = selectors.standard_for(year=year, category=data.category, stage=data.stage)
    if standard is None:
        raise DomainError(
            "hardship.aid.no_standard",
            _("%(year)d 年尚未设定该项救助标准，请联系市总工会保障部") % {"year": year},
        )
    rules.check_amount(data.requested_fen, min_fen=standard.min_fen, max_fen=standard.max_fen)
    return period, standard


def _already_received() -> Conflict:
    return Conflict(
        "hardship.aid.already_received",
        _("该会员本期已获得过同一项救助，同一救助项目每期只能享受一次"),
    )


def aid_submit(
    *, by: Any, member: Member, data: AidData, emergency: bool = False, today: date | None = None
) -> AidApplication:
    """An aid application against the member's kept file, by the member or their union; on the
    fast track (应急救援) by their union for any member, without a file."""
    if not _acts_for(by, member):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    now = timezone.now()
    today = today or timezone.localdate()
    file = selectors.open_file_of(member)
    if emergency:
        if not has_perm(by, selectors.CHANGE, member.union.path):
            raise Forbidden("auth.forbidden", _("应急救援由工会工作人员登记"))
    elif file is None or file.state != FileState.ACTIVE:
        raise DomainError(
            "hardship.aid.no_file",
            _("只有在档的困难职工可以申请帮扶救助。请先申请建立困难职工档案"),
        )
    period, _standard = _clean_aid(data, emergency=emergency, year=today.year)
    if selectors.counted_exists(
        member=member, category=data.category, stage=data.stage, period=period
    ):
        raise _already_received()
    checked = _check_uploads(data.uploads)
    policy = selectors.policy_for(today.year)
    with transaction.atomic():
        aid = AidApplication.objects.create(
            aid_no=_new_no("A"),
            file=file if file is not None and file.state == FileState.ACTIVE else None,
            member=member,
            union=member.union,
            category=data.category,
            stage=data.stage,
            year=today.year,
            period=period,
            requested_fen=data.requested_fen,
            reason_text=" ".join(data.reason_text.split())[:500],
            referral_to=" ".join(data.referral_to.split())[:200],
            emergency=emergency,
            emergency_kind=data.emergency_kind if emergency else "",
            event_date=data.event_date,
            approve_by=now + timedelta(hours=policy.emergency_hours) if emergency else None,
            channel=data.channel,
            bank_name=" ".join(data.bank_name.split())[:60],
            bank_account="".join(data.bank_account.split()) if data.channel == Channel.BANK else "",
            submitted_by=_user(by),
            submitted_at=now,
        )
        documents = _store(by, checked, aid=aid)
        _aid_event(aid, by, "", AidState.SUBMITTED, rules.APPLICANT, "", data.requested_fen)
        if aid.file_id:
            HardshipFile.objects.filter(pk=aid.file_id).update(last_activity_at=now)
        log_action(
            "hardship.aid.submitted",
            actor=by,
            obj=aid,
            object_repr=f"{aid.aid_no} {member.name}",
            changes={
                "member_no": member.member_no,
                "category": data.category,
                "stage": data.stage,
                "period": period,
                "requested_fen": data.requested_fen,
                "emergency": emergency,
                "channel": data.channel,
                "documents": documents,
            },
        )
    return aid


def _approve(aid: AidApplication, amount_fen: int | None, today: date) -> None:
    """Fix the amount within the standard and take it from the budget. The budget row is
    locked, so two approvers drawing on it at once are served one after the other and the
    second sees what the first took."""
    amount = aid.requested_fen if amount_fen is None else amount_fen
    standard = selectors.standard_for(year=aid.year, category=aid.category, stage=aid.stage)
    if standard is None:
        raise DomainError(
            "hardship.aid.no_standard", _("%(year)d 年尚未设定该项救助标准") % {"year": aid.year}
        )
    rules.check_amount(amount, min_fen=standard.min_fen, max_fen=standard.max_fen)
    found = selectors.budget_for(aid.union, category=aid.category, year=aid.year)
    if found is None:
        raise DomainError(
            "hardship.aid.no_budget",
            _("%(year)d 年“%(category)s”没有可用的预算，请先安排预算")
            % {"year": aid.year, "category": aid.get_category_display()},
        )
    # Lock the budget: two approvals at once must not both spend its last money.
    budget = Budget.objects.select_for_update().get(pk=found.pk)
    rules.check_budget(
        amount_fen=amount, amount_total_fen=budget.amount_fen, used_fen=budget.used_fen
    )
    if selectors.counted_exists(
        member=aid.member,
        category=aid.category,
        stage=aid.stage,
        period=aid.period,
        excluding=aid.pk,
    ):
        raise _already_received()
    budget.used_fen += amount
    budget.save(update_fields=["used_fen", "updated_at"])
    aid.budget = budget
    aid.approved_fen = amount
    aid.approved_at = timezone.now()
    if aid.emergency and aid.documents_completed_at is None:
        days = selectors.policy_for(today.year).emergency_document_working_days
        aid.documents_due_on = workdays.add_working_days(today, max(days, 1))


def aid_transition(
    *,
    aid: AidApplication,
    to: str,
    by: Any,
    reason: str = "",
    amount_fen: int | None = None,
    today: date | None = None,
) -> AidApplication:
    """The one way an aid application moves (reviews, approval within the budget, referral,
    a cash payment); the row is locked, the move recorded and audited."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            # Lock the aid: of two reviewers acting at once, the second finds it already moved.
            locked = (
                AidApplication.objects.select_for_update(of=("self",))
                .select_related("member", "union")
                .get(pk=aid.pk)
            )
            level = rules.aid_transition_level(locked.state, to, emergency=locked.emergency)
            if (to, level) not in rules.aid_moves_from(
                locked.state, emergency=locked.emergency, category=locked.category
            ):
                raise DomainError("hardship.aid.transition_invalid", _("该类救助不能这样办理"))
            if level == rules.PAYMENT:
                if locked.channel != Channel.CASH:
                    raise DomainError(
                        "hardship.aid.pay_through_bank",
                        _("银行转账和打卡发放须生成发放文件，由银行回盘确认"),
                    )
                check_level = rules.COUNTY
            else:
                check_level = level
            earlier = list(
                AidEvent.objects.filter(aid=locked, by=_user(by)).values_list("level", flat=True)
            )
            _authorise(
                by,
                locked.union,
                locked.member,
                check_level,
                earlier if level != rules.PAYMENT else [],
            )
            note = rules.check_reason(to, reason, rules.AID_NEEDS_REASON)
            before = locked.state
            if to == AidState.APPROVED:
                _approve(locked, amount_fen, today)
            if to == AidState.REFERRED:
                locked.approved_at = timezone.now()
            if to in rules.AID_NEEDS_REASON:
                locked.reason = note
            if to == AidState.PAID:
                _pay(locked, by=by, reference=f"cash:{locked.aid_no}")
            locked.state = to
            locked.save()
            _aid_event(
                locked, by, before, to, level, note, locked.approved_fen or locked.requested_fen
            )
            if locked.file_id:
                HardshipFile.objects.filter(pk=locked.file_id).update(
                    last_activity_at=timezone.now()
                )
            log_action(
                f"hardship.aid.{to}",
                actor=by,
                obj=locked,
                object_repr=f"{locked.aid_no} {locked.member.name}",
                changes={
                    "state": [before, to],
                    "level": level,
                    "reason": note,
                    "approved_fen": locked.approved_fen,
                    "budget": str(locked.budget.public_id) if locked.budget is not None else "",
                },
            )
    except IntegrityError as exc:
        # The unique index settles two approvals of the same item for one member at once.
        raise _already_received() from exc
    return locked


def _pay(aid: AidApplication, *, by: Any, reference: str) -> Disbursement:
    """The money left: paid now, one entry on the year's chain, in the caller's transaction
    (the aid row is locked by the caller)."""
    aid.paid_at = timezone.now()
    aid.payout_note = ""
    aid.state = AidState.PAID
    return ledger.append(
        Disbursement,
        chain=str(aid.year),
        aid=aid,
        member=aid.member,
        union=aid.union,
        category=aid.category,
        emergency=aid.emergency,
        channel=aid.channel,
        amount_fen=aid.approved_fen,
        reference=reference[:60],
        at=aid.paid_at,
        by=_user(by),
    )


def aid_documents_add(*, by: Any, aid: AidApplication, uploads: Sequence[Upload]) -> list[str]:
    if not _acts_for(by, aid.member):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    if aid.state in (AidState.REJECTED,):
        raise DomainError("hardship.aid.closed", _("申请已办结，不能再上传材料"))
    checked = _check_uploads(uploads)
    with transaction.atomic():
        names = _store(by, checked, aid=aid)
        log_action(
            "hardship.aid.documents_added",
            actor=by,
            obj=aid,
            object_repr=aid.aid_no,
            changes={"documents": names},
        )
    return names


def aid_documents_complete(*, by: Any, aid: AidApplication) -> AidApplication:
    """The emergency's documents are in: checked by the union, the deadline is met."""
    if rules.COUNTY not in selectors.levels_on(
        by, aid.union
    ) and rules.GRASSROOTS not in selectors.levels_on(by, aid.union):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    if not aid.emergency or aid.documents_completed_at is not None:
        raise DomainError("hardship.aid.documents_not_due", _("该申请不需要补交材料"))
    if not aid.evidence.exists():
        raise DomainError("hardship.aid.documents_missing", _("请先上传补交的材料"))
    with transaction.atomic():
        locked = AidApplication.objects.select_for_update().get(pk=aid.pk)
        locked.documents_completed_at = timezone.now()
        locked.save(update_fields=["documents_completed_at"])
        late = bool(locked.documents_due_on and timezone.localdate() > locked.documents_due_on)
        _aid_event(locked, by, locked.state, locked.state, "documents", _("材料已补齐"), None)
        log_action(
            "hardship.aid.documents_completed",
            actor=by,
            obj=locked,
            object_repr=locked.aid_no,
            changes={"due_on": locked.documents_due_on, "late": late},
        )
    return locked


# -- payout files -------------------------------------------------------------------------------


def payout_batch_create(*, by: Any, union: Union, channel: str) -> PayoutBatch:
    """Approved aid of the union's subtree paid by bank or onto the union card, in one file.
    Aid whose member has no card account is left in the queue (told on the page)."""
    if channel not in (Channel.CARD, Channel.BANK):
        raise DomainError("hardship.payout.channel", _("现金发放不需要生成发放文件"))
    if rules.COUNTY not in selectors.levels_on(by, union):
        raise Forbidden("auth.forbidden", _("发放文件由县区总工会或市总工会生成"))
    try:
        with transaction.atomic():
            batch = PayoutBatch.objects.create(
                batch_no="HP" + timezone.localtime().strftime("%y%m%d") + _new_no("")[:6],
                union=union,
                channel=channel,
                created_by=_user(by),
            )
            lines = []
            for aid in selectors.payable(actor=by, channel=channel, union=union).select_for_update(
                of=("self",)
            ):
                account = (
                    aid.bank_account if channel == Channel.BANK else payout_account_of(aid.member)
                )
                if not account:
                    continue
                lines.append(
                    PayoutLine(
                        batch=batch, aid=aid, amount_fen=aid.approved_fen, account_no=account
                    )
                )
            if not lines:
                raise DomainError(
                    "hardship.payout.nothing", _("没有待发放的救助（或收款人尚无会员卡账户）")
                )
            PayoutLine.objects.bulk_create(lines)
            batch.line_count = len(lines)
            batch.total_fen = sum(line.amount_fen for line in lines)
            batch.save(update_fields=["line_count", "total_fen"])
            log_action(
                "hardship.payout.created",
                actor=by,
                obj=batch,
                object_repr=batch.batch_no,
                changes={
                    "channel": channel,
                    "lines": batch.line_count,
                    "total_fen": batch.total_fen,
                },
            )
    except IntegrityError as exc:
        # Another clerk put one of these in a batch at the same moment.
        raise Conflict(
            "hardship.payout.concurrent", _("有救助刚被另一批次发放，请刷新后重试")
        ) from exc
    return batch


def payout_file(*, by: Any, batch: PayoutBatch) -> bytes:
    if rules.COUNTY not in selectors.levels_on(by, batch.union):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    lines = batch.lines.select_related("aid__member").order_by("id")
    log_action(
        "hardship.payout.file_exported",
        actor=by,
        obj=batch,
        object_repr=batch.batch_no,
        changes={"lines": batch.line_count, "total_fen": batch.total_fen},
    )
    return payout_file_bytes(
        FileLine(
            reference=line.aid.aid_no,
            payee_name=line.aid.member.name,
            account_no=line.account_no,
            amount_fen=line.amount_fen,
            memo=str(
                _("困难职工帮扶 %(category)s") % {"category": line.aid.get_category_display()}
            ),
        )
        for line in lines
    )


def payout_results_import(*, by: Any, batch: PayoutBatch, path: Path | str) -> dict[str, int]:
    """The bank's result file: every line must be one of the batch's, with its amount; paid
    lines go into the ledger, failed ones go back to the queue with the bank's reason. All or
    nothing."""
    if rules.COUNTY not in selectors.levels_on(by, batch.union):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    results = read_payout_results(path)
    with transaction.atomic():
        locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != PayoutBatchStatus.SENT:
            raise Conflict("hardship.payout.settled", _("该批次已导入过银行回盘"))
        lines = {
            line.aid.aid_no: line
            for line in locked.lines.filter(status=PayoutLineStatus.PENDING).select_related(
                "aid__member", "aid__union"
            )
        }
        check_results(
            results,
            {ref: line.amount_fen for ref, line in lines.items()},
            code="hardship.payout.results_invalid",
        )
        paid = failed = 0
        for result in results:
            line = lines[result.reference]
            # Lock the aid: a cash payment recorded at this moment must not pay it twice.
            aid = (
                AidApplication.objects.select_for_update(of=("self",))
                .select_related("member", "union")
                .get(pk=line.aid_id)
            )
            if result.paid and aid.state == AidState.APPROVED:
                line.status = PayoutLineStatus.PAID
                _pay(aid, by=by, reference=f"{locked.batch_no}:{aid.aid_no}")
                aid.save(update_fields=["state", "paid_at", "payout_note"])
                _aid_event(
                    aid,
                    by,
                    AidState.APPROVED,
                    AidState.PAID,
                    rules.PAYMENT,
                    locked.batch_no,
                    aid.approved_fen,
                )
                paid += 1
            else:
                line.status = PayoutLineStatus.FAILED
                line.reason = (result.reason or _("银行未说明原因"))[:200]
                aid.payout_note = line.reason
                aid.save(update_fields=["payout_note"])
                _aid_event(
                    aid, by, aid.state, aid.state, rules.PAYMENT, line.reason, aid.approved_fen
                )
                failed += 1
            line.save(update_fields=["status", "reason"])
        locked.status = PayoutBatchStatus.SETTLED
        locked.paid_count, locked.failed_count = paid, failed
        locked.settled_at = timezone.now()
        locked.save(update_fields=["status", "paid_count", "failed_count", "settled_at"])
        log_action(
            "hardship.payout.settled",
            actor=by,
            obj=locked,
            object_repr=locked.batch_no,
            changes={"paid": paid, "failed": failed},
        )
    return {"paid": paid, "failed": failed}


def export_logged(*, by: Any, what: str, filters: dict[str, Any]) -> None:
    """Every spreadsheet a staff member takes away is on record."""
    log_action(f"hardship.{what}.exported", actor=by, changes={"filters": filters})
