"""Writes on members: each one user action, in one transaction, audited, with the member's own
history (MemberEvent) kept alongside. Sensitive values enter the audit log only masked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import require_perm
from gonghui.audit.log import log_action
from gonghui.core import crypto, idnumbers
from gonghui.core.errors import DomainError
from gonghui.core.masking import mask_id_number, mask_phone
from gonghui.members import rules
from gonghui.members.models import (
    Member,
    MemberEvent,
    MemberNumberBlock,
    MemberStatus,
    Transfer,
    TransferStatus,
)
from gonghui.orgs.models import Union

MASKS = {"id_number": mask_id_number, "phone": mask_phone}
EDITABLE = ("name", "phone", "ethnicity", "education", "category", "join_date")
MEMBER_UNION_KINDS = frozenset({"grassroots", "branch", "county", "industry"})


@dataclass
class MemberData:
    """A validated member as it comes from a form, the API or a roster row."""

    name: str
    id_number: str
    phone: str = ""
    ethnicity: str = ""
    education: str = ""
    category: str = "employee"
    join_date: date | None = None
    gender: str = ""
    birth_date: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def id_index(id_number: str) -> str:
    return crypto.blind_index(id_number, purpose="id_number")


def phone_index(phone: str) -> str:
    return crypto.blind_index(phone, purpose="phone") if phone else ""


def validate(data: MemberData) -> MemberData:
    """Normalise and check a member's fields; gender and birth date come from the ID number."""
    parsed = idnumbers.parse(data.id_number)
    if data.gender and data.gender != parsed.gender:
        raise DomainError("member.gender_mismatch", _("性别与身份证号不符"))
    data.id_number = parsed.value
    data.gender = parsed.gender
    data.birth_date = parsed.birth_date
    data.name = rules.clean_name(data.name)
    data.phone = rules.parse_phone(data.phone)
    data.ethnicity = rules.parse_ethnicity(data.ethnicity)
    data.education = rules.parse_education(data.education)
    data.category = _category(data.category)
    _check_join_date(data.join_date)
    return data


def _category(value: Any) -> str:
    # An empty cell in a roster means 职工; an explicit null from the API is a mistake.
    if value is None:
        raise DomainError("member.category_invalid", _("请选择职工类别"))
    return rules.parse_category(value)


def _check_join_date(value: date | None) -> None:
    if value and value > timezone.localdate():
        raise DomainError("member.join_date_future", _("入会日期不能晚于今天"))


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """The editable fields normalised as `validate` does for a new member."""
    cleaners = {
        "name": rules.clean_name,
        "phone": rules.parse_phone,
        "ethnicity": rules.parse_ethnicity,
        "education": rules.parse_education,
        "category": _category,
    }
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        cleaned[name] = cleaners[name](value) if name in cleaners else value
    _check_join_date(cleaned.get("join_date"))
    return cleaned


def allocate_numbers(count: int) -> list[str]:
    """Issue `count` member numbers; the row lock makes concurrent imports take disjoint blocks."""
    if count <= 0:
        return []
    with transaction.atomic():
        block, _created = MemberNumberBlock.objects.select_for_update().get_or_create(pk=1)
        first = block.last + 1
        block.last += count
        block.save(update_fields=["last"])
    return [rules.format_member_no(n) for n in range(first, first + count)]


def member_row(data: MemberData, union_id: int, member_no: str) -> dict[str, Any]:
    """A new member's column values, keyed by attname; the import inserts these in bulk."""
    full, initials = rules.name_pinyin(data.name)
    return {
        "member_no": member_no,
        "name": data.name,
        "name_pinyin": full,
        "name_initials": initials,
        "gender": data.gender,
        "birth_date": data.birth_date,
        "id_number": data.id_number,
        "id_index": id_index(data.id_number),
        "id_last4": data.id_number[-4:],
        "phone": data.phone,
        "phone_index": phone_index(data.phone),
        "phone_last4": data.phone[-4:],
        "ethnicity": data.ethnicity,
        "education": data.education,
        "category": data.category,
        "union_id": union_id,
        "join_date": data.join_date or timezone.localdate(),
        "status": MemberStatus.ACTIVE,
        "is_hardship": False,
        "is_model_worker": False,
    }


def check_union(union: Union) -> None:
    if union.kind not in MEMBER_UNION_KINDS or not union.is_open:
        raise DomainError(
            "member.union_invalid", _("会员只能加入正常状态的基层工会或县区、产业工会")
        )


def member_create(*, by: Any, union: Union, data: MemberData) -> Member:
    require_perm(by, "members.change", union.path)
    check_union(union)
    data = validate(data)
    with transaction.atomic():
        existing = Member.objects.filter(id_index=id_index(data.id_number)).first()
        if existing is not None:
            raise DomainError(
                "member.already_registered",
                _("此人已是会员（会员号 %(no)s），请办理转会而不是新建")
                % {"no": existing.member_no},
                {"member_no": existing.member_no},
            )
        member = Member(**member_row(data, union.pk, allocate_numbers(1)[0]))
        try:
            # The unique blind index settles a race with another registration of this person.
            with transaction.atomic():
                member.save()
        except IntegrityError as exc:
            raise DomainError(
                "member.already_registered",
                _("此人刚刚已被登记为会员，请刷新后查看"),
            ) from exc
        snapshot = {f: getattr(member, f) for f in ("name", "id_number", "phone", "category")}
        record(by, member, "members.member.created", rules_changes({}, snapshot))
    return member


def rules_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` of what differs, masked where sensitive and JSON-ready (dates as
    ISO text): the member's history is a JSON column."""
    from gonghui.audit.log import field_changes

    changes = field_changes(before, after, MASKS)
    return {
        name: [v.isoformat() if isinstance(v, date) else v for v in pair]
        for name, pair in changes.items()
    }


def member_update(*, by: Any, member: Member, values: dict[str, Any]) -> Member:
    """Change only the fields that differ; identity number and union change by other paths."""
    require_perm(by, "members.change", member.union.path)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise DomainError(
            "member.field_readonly",
            _("这些字段不能在此修改：%(f)s") % {"f": ", ".join(sorted(unknown))},
        )
    values = clean_values(values)
    with transaction.atomic():
        locked = Member.objects.select_for_update().select_related("union").get(pk=member.pk)
        before = {f: getattr(locked, f) for f in values}
        changes = rules_changes(before, values)
        if not changes:
            return locked
        apply_values(locked, values)
        locked.save()
        record(by, locked, "members.member.updated", changes)
    return locked


def apply_values(member: Member, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(member, name, value)
    if "name" in values:
        member.name_pinyin, member.name_initials = rules.name_pinyin(member.name)
    if "phone" in values:
        member.phone_index = phone_index(member.phone)
        member.phone_last4 = member.phone[-4:]


def record(by: Any, member: Member, action: str, changes: dict[str, Any]) -> None:
    """A change to a member: into their own history and into the audit log."""
    MemberEvent.objects.create(
        member=member,
        by=by if getattr(by, "pk", None) else None,
        kind=action,
        changes=changes,
        union=member.union,
    )
    log_action(action, actor=by, obj=member, changes=changes)


def _transition(
    by: Any, member: Member, target: str, action: str, changes: dict[str, Any]
) -> Member:
    rules.check_transition(member.status, target)
    old = member.status
    member.status = target
    member.save(update_fields=["status", "updated_at"])
    record(by, member, action, {"status": [old, target], **changes})
    return member


def _locked(member: Member) -> Member:
    return Member.objects.select_for_update().select_related("union").get(pk=member.pk)


def member_leave(*, by: Any, member: Member, reason: str) -> Member:
    require_perm(by, "members.change", member.union.path)
    if not reason.strip():
        raise DomainError("member.reason_required", _("请填写退会原因"))
    with transaction.atomic():
        return _transition(
            by,
            _locked(member),
            MemberStatus.LEFT,
            "members.member.left",
            {"reason": reason.strip()},
        )


def member_retain(*, by: Any, member: Member, reason: str) -> Member:
    """保留会籍: e.g. out of work or retired, keeping membership without an employer union."""
    require_perm(by, "members.change", member.union.path)
    with transaction.atomic():
        return _transition(
            by,
            _locked(member),
            MemberStatus.RETAINED,
            "members.member.retained",
            {"reason": reason.strip()},
        )


def member_reactivate(*, by: Any, member: Member) -> Member:
    require_perm(by, "members.change", member.union.path)
    with transaction.atomic():
        return _transition(
            by, _locked(member), MemberStatus.ACTIVE, "members.member.reactivated", {}
        )


def transfer_request(*, by: Any, member: Member, to_union: Union, reason: str = "") -> Transfer:
    """Either side may start a transfer: the member's union sends, or the receiving union asks
    (e.g. an import finding someone registered elsewhere). The other side decides."""
    by_sender = _can(by, "members.change", member.union.path)
    if not by_sender:
        require_perm(by, "members.change", to_union.path)
    check_union(to_union)
    if to_union.pk == member.union_id:
        raise DomainError("member.transfer_same_union", _("转入工会与现在的工会相同"))
    with transaction.atomic():
        locked = _locked(member)
        if locked.status == MemberStatus.TRANSFERRING:
            raise DomainError("member.transfer_pending", _("该会员已有一条待处理的转会申请"))
        transfer = Transfer.objects.create(
            member=locked,
            from_union=locked.union,
            to_union=to_union,
            reason=reason,
            requested_by=by if getattr(by, "pk", None) else None,
            requested_by_receiver=not by_sender,
        )
        _transition(
            by,
            locked,
            MemberStatus.TRANSFERRING,
            "members.transfer.requested",
            {"from": locked.union.code, "to": to_union.code},
        )
    return transfer


def transfer_decide(*, by: Any, transfer: Transfer, accept: bool, note: str = "") -> Transfer:
    """The side that did not ask decides, so no union can pull in another's member alone."""
    require_perm(by, "members.change", transfer.deciding_union.path)
    if not accept and not note.strip():
        raise DomainError("member.reason_required", _("拒绝转会时请填写原因"))
    with transaction.atomic():
        # Lock the transfer: two officers deciding at once must not both move the member.
        locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if locked.status != TransferStatus.PENDING:
            raise DomainError("member.transfer_decided", _("该转会申请已处理"))
        member = _locked(locked.member)
        locked.status = TransferStatus.ACCEPTED if accept else TransferStatus.REJECTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_note = note.strip()
        locked.save()
        if accept:
            member.union = locked.to_union
            member.save(update_fields=["union", "updated_at"])
        _transition(
            by,
            member,
            MemberStatus.ACTIVE,
            "members.transfer.accepted" if accept else "members.transfer.rejected",
            {"from": locked.from_union.code, "to": locked.to_union.code, "note": note.strip()},
        )
    return locked


def transfer_cancel(*, by: Any, transfer: Transfer) -> Transfer:
    """The side that asked withdraws a pending transfer; the member is active where they were."""
    require_perm(by, "members.change", transfer.requesting_union.path)
    with transaction.atomic():
        locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if locked.status != TransferStatus.PENDING:
            raise DomainError("member.transfer_decided", _("该转会申请已处理"))
        member = _locked(locked.member)
        locked.status = TransferStatus.CANCELLED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save()
        _transition(
            by,
            member,
            MemberStatus.ACTIVE,
            "members.transfer.cancelled",
            {"from": locked.from_union.code, "to": locked.to_union.code},
        )
    return locked


def member_reveal(*, by: Any, member: Member, field_name: str) -> str:
    """The full identity number or phone, for roles holding members.reveal; every reveal audited."""
    require_perm(by, "members.reveal", member.union.path)
    if field_name not in MASKS:
        raise DomainError("member.field_invalid", _("只能查看身份证号或手机号"))
    log_action("members.member.revealed", actor=by, obj=member, changes={"field": field_name})
    return str(getattr(member, field_name))


def _can(by: Any, permission: str, path: str) -> bool:
    from gonghui.accounts.scoping import has_perm

    return has_perm(by, permission, path)


PROGRAM_FLAGS = ("is_hardship", "is_model_worker")


def member_flag_set(*, by: Any, member: Member, flag: str, value: bool, reason: str) -> Member:
    """Programs set the flags they own (hardship: 困难职工 while a file is 在档; model workers:
    劳模 while registered). The caller's service checked its own program permission; the change
    goes into the member's history and the audit log like any other."""
    if flag not in PROGRAM_FLAGS:
        raise DomainError("member.flag_unknown", _("未知的会员标记：%(f)s") % {"f": flag})
    with transaction.atomic():
        locked = _locked(member)
        if getattr(locked, flag) == value:
            return locked
        setattr(locked, flag, value)
        locked.save(update_fields=[flag, "updated_at"])
        record(by, locked, "members.member.flag_set", {flag: [not value, value], "reason": reason})
    return locked
