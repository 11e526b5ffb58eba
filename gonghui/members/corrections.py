"""The right to correction (PIPL): a member asks their union to correct their own data on the
portal; the union's officer accepts (the change is made through the same services as any edit,
history and audit included) or declines with a reason the member sees."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import get_scoped, require_perm, scoped
from gonghui.audit.log import log_action
from gonghui.core import idnumbers
from gonghui.core.errors import DomainError
from gonghui.core.masking import mask_id_number, mask_phone
from gonghui.members import rules, services
from gonghui.members.models import CorrectionRequest, CorrectionStatus, Member

Field = CorrectionRequest.Field
MASKED = {Field.ID_NUMBER: mask_id_number, Field.PHONE: mask_phone}


def _clean(field: str, value: str) -> str:
    """The proposed value normalised as the registry would store it; a bad one is refused now,
    not when the officer tries to apply it."""
    value = rules.clean_text(value)
    if not value:
        raise DomainError("members.correction_value_required", _("请填写正确的内容"))
    if field == Field.ID_NUMBER:
        return idnumbers.parse(value).value
    if field == Field.JOIN_DATE:
        parsed = rules.parse_date(value, field="join_date")
        return parsed.isoformat() if parsed else ""
    cleaners = {
        Field.NAME: rules.clean_name,
        Field.PHONE: rules.parse_phone,
        Field.ETHNICITY: rules.parse_ethnicity,
        Field.EDUCATION: rules.parse_education,
        Field.CATEGORY: rules.parse_category,
    }
    cleaner = cleaners.get(Field(field))
    if cleaner is None:
        if len(value) > 200:
            raise DomainError("members.correction_too_long", _("最多 200 个字"))
        return value
    return str(cleaner(value))


def shown(correction: CorrectionRequest) -> str:
    mask = MASKED.get(Field(correction.field))
    return mask(correction.proposed) if mask else correction.proposed


def correction_submit(*, member: Member, field: str, proposed: str, reason: str = "") -> Any:
    if field not in Field.values:
        raise DomainError("members.correction_field_invalid", _("请选择要更正的项目"))
    value = _clean(field, proposed)
    reason = rules.clean_text(reason)[:200]
    try:
        with transaction.atomic():
            correction = CorrectionRequest.objects.create(
                member=member, field=field, proposed=value, reason=reason
            )
            log_action(
                "members.correction.submitted",
                actor=member.account,
                obj=member,
                changes={"field": field, "proposed": shown(correction), "reason": reason},
            )
    except IntegrityError:
        # The partial unique index: one open request per item, even when two submits race.
        raise DomainError(
            "members.correction_pending",
            _("这一项已有更正申请在处理中，请等待工会答复"),
        ) from None
    return correction


def _correct_id_number(by: Any, member: Member, id_number: str) -> None:
    data = services.validate(services.MemberData(name=member.name, id_number=id_number))
    assert data.birth_date is not None  # validate derives it from the ID number
    new_index = services.id_index(data.id_number)
    if Member.objects.filter(id_index=new_index).exclude(pk=member.pk).exists():
        raise DomainError(
            "member.already_registered", _("这个身份证号已登记在另一位会员名下，请核实后处理")
        )
    before = {f: getattr(member, f) for f in ("id_number", "birth_date", "gender")}
    member.id_number = data.id_number
    member.id_index = new_index
    member.id_last4 = data.id_number[-4:]
    member.birth_date = data.birth_date
    member.gender = data.gender
    member.save()
    after = {f: getattr(member, f) for f in before}
    services.record(
        by, member, "members.member.id_corrected", services.rules_changes(before, after)
    )


def correction_decide(
    *, by: Any, correction: CorrectionRequest, accept: bool, note: str = ""
) -> CorrectionRequest:
    require_perm(by, "members.change", correction.member.union.path)
    note = rules.clean_text(note)[:200]
    if not accept and not note:
        raise DomainError("members.correction_note_required", _("请填写不更正的原因，会员会看到"))
    if accept and correction.field == Field.OTHER and not note:
        raise DomainError(
            "members.correction_note_required", _("请写明已经做了什么更正，会员会看到")
        )
    with transaction.atomic():
        # Lock the request: two officers answering at once must not both apply it.
        locked = (
            CorrectionRequest.objects.select_for_update(of=("self",))
            .select_related("member__union")
            .get(pk=correction.pk)
        )
        if locked.status != CorrectionStatus.PENDING:
            raise DomainError("members.correction_decided", _("这份申请已经处理过了"))
        if accept:
            member = Member.objects.select_for_update().get(pk=locked.member_id)
            if locked.field == Field.ID_NUMBER:
                _correct_id_number(by, member, locked.proposed)
            elif locked.field == Field.JOIN_DATE:
                joined = date.fromisoformat(locked.proposed)
                services.member_update(by=by, member=member, values={"join_date": joined})
            elif locked.field != Field.OTHER:
                services.member_update(by=by, member=member, values={locked.field: locked.proposed})
        locked.status = CorrectionStatus.DONE if accept else CorrectionStatus.REJECTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        log_action(
            "members.correction.decided",
            actor=by,
            obj=locked.member,
            changes={"field": locked.field, "status": locked.status, "note": note},
        )
    return locked


def corrections_pending(*, actor: Any) -> QuerySet[CorrectionRequest]:
    return (
        scoped(CorrectionRequest.objects.all(), actor, "members.change")
        .filter(status=CorrectionStatus.PENDING)
        .select_related("member__union")
        .order_by("submitted_at", "id")
    )


def correction_get(*, actor: Any, public_id: str) -> CorrectionRequest:
    return get_scoped(
        CorrectionRequest.objects.select_related("member__union"),
        actor,
        "members.change",
        public_id=public_id,
    )


def own_data(member: Member) -> dict[str, Any]:
    """Everything the registry holds on a member, in full, for their own download."""
    return {
        "member_no": member.member_no,
        "name": member.name,
        "gender": member.get_gender_display(),
        "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number,
        "phone": member.phone,
        "ethnicity": member.ethnicity,
        "education": member.get_education_display(),
        "category": member.get_category_display(),
        "union": {"code": member.union.code, "name": member.union.name},
        "join_date": member.join_date.isoformat() if member.join_date else None,
        "status": member.get_status_display(),
        "flags": {"hardship": member.is_hardship, "model_worker": member.is_model_worker},
        "history": [
            {"at": e.at.isoformat(), "kind": e.kind, "changes": e.changes}
            for e in member.events.order_by("at", "id")
        ],
        "corrections": [
            {
                "field": c.field,
                "proposed": c.proposed,
                "status": c.status,
                "submitted_at": c.submitted_at.isoformat(),
                "note": c.decision_note,
            }
            for c in member.corrections.all()
        ],
    }


def own_data_exported(member: Member) -> None:
    log_action("members.member.self_exported", actor=member.account, obj=member)
