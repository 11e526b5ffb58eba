"""Writes on applications to join: each one user action, in one transaction, audited. Identity
numbers and phones enter the audit log only masked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import require_perm
from gonghui.audit.log import Event, log_action, log_many
from gonghui.core.errors import DomainError, NotFound
from gonghui.core.masking import mask_id_number, mask_phone
from gonghui.core.workdays import add_working_days
from gonghui.joining import rules, selectors
from gonghui.joining.models import ApplicationStatus, JoinApplication
from gonghui.members import services as member_services
from gonghui.orgs.models import Union

NUMBER_ATTEMPTS = 5


@dataclass
class ApplicationData:
    """What the applicant typed, before validation."""

    name: str
    id_number: str
    phone: str
    category: str
    employer_name: str = ""


def _already_member() -> DomainError:
    # Which union holds the record is not said: the form is public.
    return DomainError(
        "joining.already_member",
        _("您已登记为工会会员，无需再次申请。如需转会、恢复会籍或核对信息，请联系您所在的工会。"),
    )


def _pending_exists() -> DomainError:
    return DomainError(
        "joining.pending_exists",
        _(
            "您已有一份入会申请正在等待答复，请凭申请编号查询进度；如需改投其他工会，请先撤回原申请。"
        ),
    )


def application_submit(
    *,
    data: ApplicationData,
    union: Union,
    applicant: Any = None,
    consent_version: str | None,
) -> JoinApplication:
    version = rules.check_consent(consent_version)
    member_data = member_services.validate(
        member_services.MemberData(
            name=data.name, id_number=data.id_number, phone=data.phone, category=data.category
        )
    )
    if not member_data.phone:
        raise DomainError("joining.phone_required", _("请填写手机号码，工会将通过它与您联系"))
    rules.check_route(
        category=member_data.category, union_kind=union.kind, union_open=union.is_open
    )
    employer_name = rules.clean_employer_name(data.employer_name)
    id_index = member_services.id_index(member_data.id_number)
    if selectors.person_is_member(id_index=id_index):
        raise _already_member()
    now = timezone.now()
    deadline = add_working_days(timezone.localdate(now), rules.DEADLINE_WORKING_DAYS)
    for _attempt in range(NUMBER_ATTEMPTS):
        application = JoinApplication(
            application_no=rules.new_application_no(),
            name=member_data.name,
            id_number=member_data.id_number,
            id_index=id_index,
            phone=member_data.phone,
            phone_index=member_services.phone_index(member_data.phone),
            category=member_data.category,
            employer_name=employer_name,
            union=union,
            consent_version=version,
            consented_at=now,
            submitted_at=now,
            deadline=deadline,
            applicant=applicant if getattr(applicant, "kind", None) == "member" else None,
        )
        with transaction.atomic():
            if selectors.person_has_pending(id_index=id_index):
                raise _pending_exists()
            try:
                # The partial unique index settles two submissions racing past the check;
                # a clash of random numbers is tried again with a new one.
                with transaction.atomic():
                    application.save()
            except IntegrityError:
                if selectors.person_has_pending(id_index=id_index):
                    raise _pending_exists() from None
                continue
            log_action(
                "joining.application.submitted",
                actor=applicant,
                obj=application,
                changes={
                    "application_no": application.application_no,
                    "name": application.name,
                    "id_number": mask_id_number(application.id_number),
                    "phone": mask_phone(application.phone),
                    "category": application.category,
                    "union": union.code,
                    "consent_version": version,
                    "deadline": deadline.isoformat(),
                },
            )
            return application
    raise RuntimeError("could not draw a free application number")  # 10^8 numbers: not in life


def _locked(application: JoinApplication) -> JoinApplication:
    return (
        JoinApplication.objects.select_for_update(of=("self",))
        .select_related("union")
        .get(pk=application.pk)
    )


def _decide(locked: JoinApplication, target: str, by: Any, *, reason: str = "") -> dict[str, Any]:
    rules.check_transition(locked.status, target)
    before = locked.status
    locked.status = target
    locked.reason = reason
    locked.decided_by = by if getattr(by, "pk", None) else None
    locked.decided_at = timezone.now()
    return {"status": [before, target]}


def application_accept(*, by: Any, application: JoinApplication) -> JoinApplication:
    """The member is made by member_create, so the number, checks, history and audit are
    those of every other registration."""
    require_perm(by, "members.change", application.union.path)
    with transaction.atomic():
        # Lock the application: two reviewers accepting at once must make one member, not two.
        locked = _locked(application)
        changes = _decide(locked, ApplicationStatus.ACCEPTED, by)
        member = member_services.member_create(
            by=by,
            union=locked.union,
            data=member_services.MemberData(
                name=locked.name,
                id_number=locked.id_number,
                phone=locked.phone,
                category=locked.category,
                join_date=timezone.localdate(),
            ),
        )
        locked.member = member
        locked.save(update_fields=["status", "reason", "decided_by", "decided_at", "member"])
        log_action(
            "joining.application.accepted",
            actor=by,
            obj=locked,
            changes=changes | {"member_no": member.member_no},
        )
    return locked


def application_reject(*, by: Any, application: JoinApplication, reason: str) -> JoinApplication:
    require_perm(by, "members.change", application.union.path)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise DomainError(
            "joining.reason_required", _("请填写不同意入会的原因，申请人会在查询进度时看到")
        )
    if len(reason) > 200:
        raise DomainError("joining.reason_too_long", _("原因最多 200 个字"))
    with transaction.atomic():
        # Lock the application: an acceptance racing this rejection must find it decided.
        locked = _locked(application)
        changes = _decide(locked, ApplicationStatus.REJECTED, by, reason=reason)
        locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        log_action(
            "joining.application.rejected",
            actor=by,
            obj=locked,
            changes=changes | {"reason": reason},
        )
    return locked


def application_withdraw(
    *, application: JoinApplication, applicant: Any = None, id_last4: str = ""
) -> JoinApplication:
    """The applicant withdraws: logged in as the account that applied, or proving it with the
    last four of the ID number (the application number is how the caller found it)."""
    is_owner = (
        applicant is not None
        and getattr(applicant, "pk", None) is not None
        and application.applicant_id == applicant.pk
    )
    if not is_owner and not rules.last4_matches(application.id_number, id_last4):
        raise NotFound("joining.not_found", _("没有找到该申请，请核对申请编号和身份证号后四位"))
    with transaction.atomic():
        # Lock the application: a reviewer deciding it at this moment wins or loses cleanly.
        locked = _locked(application)
        changes = _decide(locked, ApplicationStatus.WITHDRAWN, None)
        locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        log_action(
            "joining.application.withdrawn",
            actor=applicant if is_owner else None,
            obj=locked,
            changes=changes,
        )
    return locked


def applications_purge(cutoff: datetime, dry_run: bool = False) -> int:
    """Delete applications answered or withdrawn before `cutoff` (a retention rule, see
    apps.py): an accepted one lives on as the member record. The audit trail stays."""
    due = JoinApplication.objects.exclude(status=ApplicationStatus.PENDING).filter(
        decided_at__lt=cutoff
    )
    if dry_run:
        return due.count()
    purged = 0
    while batch := list(due.select_related("union")[:500]):
        with transaction.atomic():
            log_many(
                None,
                [
                    Event(
                        "joining.application.purged",
                        obj=application,
                        object_repr=application.application_no,
                        changes={"status": application.status, "cutoff": cutoff.isoformat()},
                    )
                    for application in batch
                ],
            )
            JoinApplication.objects.filter(pk__in=[a.pk for a in batch]).delete()
        purged += len(batch)
    return purged


EXPORT_HEADERS = (
    "申请编号",
    "姓名",
    "身份证号",
    "手机号码",
    "职工类别",
    "工作单位",
    "受理工会",
    "状态",
    "提交时间",
    "答复期限",
)


def applications_export_rows(*, by: Any, applications: Any, status: str) -> Iterator[list[Any]]:
    """The staff table as spreadsheet rows, ID and phone masked; the export is on record when
    it is asked for, not when the last row is read."""
    log_action(
        "joining.applications.exported",
        actor=by,
        object_repr=_("入会申请导出"),
        changes={"status": status or "all"},
    )
    for application in applications.iterator(chunk_size=1000):
        yield [
            application.application_no,
            application.name,
            mask_id_number(application.id_number),
            mask_phone(application.phone),
            application.get_category_display(),
            application.employer_name,
            application.union.name,
            application.get_status_display(),
            timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M"),
            application.deadline.isoformat(),
        ]
