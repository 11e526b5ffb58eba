"""Writes on merchants: each one user action, in one transaction, audited (log_action with
`merchants.*` codes) and written to the merchant's own history (MerchantEvent).

Who may act: staff holding "cards.change" over the merchant's district (federation staff at
the city root hold it everywhere). `by=None` is the command line (pos_key, expire_merchants),
run by an operator on the server."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumError

from gonghui.accounts import services as account_services
from gonghui.accounts.models import User, UserKind
from gonghui.accounts.scoping import require_perm
from gonghui.audit.log import Event, field_changes, log_action, log_many
from gonghui.core import filetypes
from gonghui.core.errors import Conflict, DomainError
from gonghui.merchants import rules
from gonghui.merchants.models import (
    Category,
    Contract,
    Merchant,
    MerchantEvent,
    MerchantPhoto,
    MerchantStaff,
    MerchantStatus,
    StaffRole,
    TerminalKey,
)
from gonghui.orgs.models import Union

PERMISSION = "cards.change"
NUMBER_ATTEMPTS = 5
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MAX_COUNT = 6
PHOTO_KINDS = frozenset({"jpg", "png"})
# Statuses in which a merchant has accounts, keys and photos looked after.
WORKING = frozenset({MerchantStatus.ACTIVE, MerchantStatus.SUSPENDED, MerchantStatus.EXPIRED})


@dataclass
class MerchantData:
    """What an applicant (or a reviewer fixing an application) typed, before validation."""

    name: str
    uscc: str
    category: str
    address: str
    latitude: Any = None
    longitude: Any = None
    opening_hours: str = ""
    phone: str = ""
    contact_name: str = ""
    description: str = ""
    proposal: str = ""


def _require(by: Any, merchant: Merchant) -> None:
    if by is not None:
        require_perm(by, PERMISSION, merchant.district.path)


def _event(merchant: Merchant, by: Any, kind: str, changes: dict[str, Any]) -> None:
    MerchantEvent.objects.create(
        merchant=merchant,
        by=by if getattr(by, "pk", None) else None,
        kind=kind,
        changes=_jsonable(changes),
    )


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, Decimal | date):
            return str(value)
        return value

    return {k: plain(v) for k, v in changes.items()}


def _record(action: str, *, by: Any, merchant: Merchant, changes: dict[str, Any]) -> None:
    """The audit entry and the merchant's history line for one action."""
    log_action(
        f"merchants.{action}",
        actor=by,
        obj=merchant,
        changes=_jsonable(changes),
        union_path=merchant.district.path,
    )
    _event(merchant, by, action.rsplit(".", 1)[-1], changes)


def _locked(merchant: Merchant) -> Merchant:
    return (
        Merchant.objects.select_for_update(of=("self",))
        .select_related("district")
        .get(pk=merchant.pk)
    )


# -- validation of what people type ---------------------------------------------------------


def clean_uscc(text: str) -> str:
    try:
        return str(stdnum_uscc.validate(str(text or "")))
    except StdnumError as exc:
        raise DomainError(
            "merchant.uscc_invalid",
            _("统一社会信用代码不正确：应为 18 位数字或大写字母，请对照营业执照核对"),
        ) from exc


def _coordinate(value: Any, low: int, high: int, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.000001"))
    except InvalidOperation as exc:
        raise DomainError(
            "merchant.coordinates_invalid", _("%(label)s应为数字，如 32.394210") % {"label": label}
        ) from exc
    if not low <= number <= high:
        raise DomainError(
            "merchant.coordinates_invalid",
            _("%(label)s应在 %(low)s 到 %(high)s 之间")
            % {"label": label, "low": low, "high": high},
        )
    return number


def _text(value: Any, limit: int, label: str, *, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise DomainError("merchant.field_required", _("请填写%(label)s") % {"label": label})
    if len(text) > limit:
        raise DomainError(
            "merchant.field_too_long",
            _("%(label)s最多 %(n)s 个字") % {"label": label, "n": limit},
        )
    return text


def clean_phone(value: Any, *, required: bool = False) -> str:
    phone = "".join(str(value or "").split())
    if required and not phone:
        raise DomainError("merchant.phone_required", _("请填写联系电话，审核结果将通过它告知"))
    allowed = set(string.digits + "-+")
    if phone and (not set(phone) <= allowed or not 7 <= sum(c.isdigit() for c in phone) <= 15):
        raise DomainError(
            "merchant.phone_invalid", _("联系电话应为手机号或带区号的座机号，如 0514-87654321")
        )
    return phone


def validate(data: MerchantData, *, need_phone: bool = False) -> dict[str, Any]:
    if data.category not in Category.values:
        raise DomainError("merchant.category_invalid", _("请选择商户类别"))
    latitude = _coordinate(data.latitude, -90, 90, _("纬度"))
    longitude = _coordinate(data.longitude, -180, 180, _("经度"))
    if (latitude is None) != (longitude is None):
        raise DomainError("merchant.coordinates_invalid", _("经度和纬度要么都填，要么都不填"))
    return {
        "name": _text(data.name, 80, _("商户名称"), required=True),
        "uscc": clean_uscc(data.uscc),
        "category": data.category,
        "address": _text(data.address, 160, _("地址"), required=True),
        "latitude": latitude,
        "longitude": longitude,
        "opening_hours": _text(data.opening_hours, 80, _("营业时间")),
        "phone": clean_phone(data.phone, required=need_phone),
        "contact_name": _text(data.contact_name, 40, _("联系人")),
        "description": _text(data.description, 1000, _("简介")),
        "proposal": _text(data.proposal, 200, _("拟给予会员的优惠")),
    }


# -- application and review -----------------------------------------------------------------


def _open_application_exists() -> DomainError:
    return Conflict(
        "merchant.application_open",
        _("该统一社会信用代码已有一份申请正在审核，请凭申请编号查询进度，不必重复提交"),
    )


def merchant_apply(*, data: MerchantData, district: Union) -> Merchant:
    """A merchant applies on the public page (no login): an application number comes back."""
    values = validate(data, need_phone=True)
    for _attempt in range(NUMBER_ATTEMPTS):
        merchant = Merchant(
            application_no=rules.new_application_no(),
            district=district,
            status=MerchantStatus.APPLIED,
            **values,
        )
        with transaction.atomic():
            if Merchant.objects.filter(uscc=values["uscc"], status=MerchantStatus.APPLIED).exists():
                raise _open_application_exists()
            try:
                # The partial unique index settles two submissions racing past the check; a
                # clash of random numbers is tried again with a new one.
                with transaction.atomic():
                    merchant.save()
            except IntegrityError:
                if Merchant.objects.filter(
                    uscc=values["uscc"], status=MerchantStatus.APPLIED
                ).exists():
                    raise _open_application_exists() from None
                continue
            _record(
                "merchant.applied",
                by=None,
                merchant=merchant,
                changes={
                    "application_no": merchant.application_no,
                    "name": merchant.name,
                    "uscc": merchant.uscc,
                    "category": merchant.category,
                    "district": district.code,
                },
            )
            return merchant
    raise RuntimeError("could not draw a free application number")  # 10^8 numbers


EDITABLE = (
    "name",
    "category",
    "address",
    "latitude",
    "longitude",
    "opening_hours",
    "phone",
    "contact_name",
    "description",
)


def merchant_update(
    *, by: Any, merchant: Merchant, data: MerchantData, district: Union | None = None
) -> Merchant:
    """Staff correct a merchant's public facts (the reviewer fixes an application's map point)."""
    _require(by, merchant)
    values = validate(data)
    if district is not None and district.pk != merchant.district_id:
        require_perm(by, PERMISSION, district.path)
    with transaction.atomic():
        locked = _locked(merchant)
        before = {name: getattr(locked, name) for name in (*EDITABLE, "uscc")}
        after = {name: values[name] for name in EDITABLE}
        if locked.status == MerchantStatus.APPLIED:
            after["uscc"] = values["uscc"]
        changes: dict[str, Any] = field_changes(before, after)
        for name, value in after.items():
            setattr(locked, name, value)
        if district is not None and district.pk != locked.district_id:
            changes["district"] = [locked.district.code, district.code]
            locked.district = district
        if not changes:
            return locked
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise _open_application_exists() from None
        _record("merchant.updated", by=by, merchant=locked, changes=changes)
    return locked


def _next_code() -> str:
    top = Merchant.objects.filter(code__startswith=rules.CODE_PREFIX).aggregate(top=Max("code"))
    return rules.code_for(rules.code_number(top["top"]) + 1)


def _new_contract(
    *,
    by: Any,
    merchant: Merchant,
    terms: rules.ContractTerms,
    valid_from: date,
    valid_to: date,
) -> Contract:
    rules.validate_terms(terms, valid_from=valid_from, valid_to=valid_to)
    assert merchant.code
    sequence = merchant.contracts.count() + 1
    return Contract.objects.create(
        merchant=merchant,
        contract_no=rules.contract_no_for(merchant.code, valid_from, sequence),
        valid_from=valid_from,
        valid_to=valid_to,
        discount_kind=terms.discount_kind,
        discount_rate=terms.discount_rate,
        fixed_off_fen=terms.fixed_off_fen,
        min_amount_fen=terms.min_amount_fen,
        per_txn_cap_fen=terms.per_txn_cap_fen,
        per_member_day_cap_fen=terms.per_member_day_cap_fen,
        signed_by=by if getattr(by, "pk", None) else None,
    )


def _contract_changes(contract: Contract) -> dict[str, Any]:
    return {
        "contract_no": contract.contract_no,
        "valid_from": contract.valid_from,
        "valid_to": contract.valid_to,
        "rule": rules.rule_text(contract),
    }


def merchant_approve(
    *,
    by: Any,
    merchant: Merchant,
    terms: rules.ContractTerms,
    valid_from: date,
    valid_to: date,
) -> tuple[Merchant, Contract]:
    """Approve an application: the merchant gets its code (SH + 5 digits, the next one after
    every code ever given, so none is reused) and signs its first contract."""
    _require(by, merchant)
    rules.validate_terms(terms, valid_from=valid_from, valid_to=valid_to)
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                # Lock the application: two reviewers approving at once make one merchant.
                locked = _locked(merchant)
                rules.check_transition(locked.status, MerchantStatus.ACTIVE)
                if locked.latitude is None or locked.longitude is None:
                    raise DomainError(
                        "merchant.coordinates_required",
                        _("请先在“修改资料”中填写商户的经纬度，会员才能在地图上找到它"),
                    )
                # Two approvals of different merchants may draw the same next code; the
                # unique index refuses the second, which draws again.
                locked.code = _next_code()
                locked.status = MerchantStatus.ACTIVE
                locked.status_note = ""
                locked.reviewed_by = by if getattr(by, "pk", None) else None
                locked.reviewed_at = timezone.now()
                locked.save()
                contract = _new_contract(
                    by=by, merchant=locked, terms=terms, valid_from=valid_from, valid_to=valid_to
                )
                _record(
                    "merchant.approved",
                    by=by,
                    merchant=locked,
                    changes={
                        "status": [MerchantStatus.APPLIED, MerchantStatus.ACTIVE],
                        "code": locked.code,
                        **_contract_changes(contract),
                    },
                )
                return locked, contract
        except IntegrityError:
            continue
    raise Conflict("merchant.code_busy", _("商户编号分配繁忙，请稍后再试"))


def merchant_reject(*, by: Any, merchant: Merchant, reason: str) -> Merchant:
    _require(by, merchant)
    reason = rules.clean_reason(reason)
    with transaction.atomic():
        # Lock the application: an approval racing this rejection must find it decided.
        locked = _locked(merchant)
        rules.check_transition(locked.status, MerchantStatus.REJECTED)
        locked.status = MerchantStatus.REJECTED
        locked.status_note = reason
        locked.reviewed_by = by if getattr(by, "pk", None) else None
        locked.reviewed_at = timezone.now()
        locked.save()
        _record(
            "merchant.rejected",
            by=by,
            merchant=locked,
            changes={"status": [MerchantStatus.APPLIED, MerchantStatus.REJECTED], "reason": reason},
        )
    return locked


def contract_sign(
    *,
    by: Any,
    merchant: Merchant,
    terms: rules.ContractTerms,
    valid_from: date,
    valid_to: date,
    today: date | None = None,
) -> Contract:
    """A renewal or a changed rule is a new contract (signed ones never change). When it
    covers today an expired merchant is active again; a suspended one stays suspended."""
    _require(by, merchant)
    day = today or timezone.localdate()
    with transaction.atomic():
        # Lock the merchant: the contract number counts its contracts.
        locked = _locked(merchant)
        if locked.status not in WORKING:
            raise DomainError(
                "merchant.not_contractable",
                _("“%(status)s”的商户不能签订协议") % {"status": locked.get_status_display()},
            )
        contract = _new_contract(
            by=by, merchant=locked, terms=terms, valid_from=valid_from, valid_to=valid_to
        )
        changes = _contract_changes(contract)
        if locked.status == MerchantStatus.EXPIRED and contract.covers(day):
            rules.check_transition(locked.status, MerchantStatus.ACTIVE)
            locked.status = MerchantStatus.ACTIVE
            locked.status_note = ""
            locked.save(update_fields=["status", "status_note", "updated_at"])
            changes["status"] = [MerchantStatus.EXPIRED, MerchantStatus.ACTIVE]
        _record("contract.signed", by=by, merchant=locked, changes=changes)
    return contract


def _move(
    *, by: Any, merchant: Merchant, target: str, reason: str, action: str, day: date | None = None
) -> Merchant:
    _require(by, merchant)
    reason = rules.clean_reason(reason)
    with transaction.atomic():
        # Lock the merchant: a suspension and a resumption at once end in one state, recorded.
        locked = _locked(merchant)
        rules.check_transition(locked.status, target)
        if (
            target == MerchantStatus.ACTIVE
            and not locked.contracts.filter(
                valid_from__lte=day or timezone.localdate(),
                valid_to__gte=day or timezone.localdate(),
            ).exists()
        ):
            raise DomainError(
                "merchant.no_contract",
                _("该商户今天没有生效的优惠协议，请先签订新协议再恢复"),
            )
        before = locked.status
        locked.status = target
        locked.status_note = reason
        locked.save(update_fields=["status", "status_note", "updated_at"])
        changes: dict[str, Any] = {"status": [before, target], "reason": reason}
        if target == MerchantStatus.TERMINATED:
            changes |= _wind_up(by, locked)
        _record(action, by=by, merchant=locked, changes=changes)
    return locked


def _wind_up(by: Any, merchant: Merchant) -> dict[str, Any]:
    """A terminated merchant keeps no working key and no working account."""
    now = timezone.now()
    keys = list(merchant.keys.filter(revoked_at__isnull=True).values_list("key_id", flat=True))
    merchant.keys.filter(revoked_at__isnull=True).update(revoked_at=now)
    staff = list(merchant.staff.filter(is_active=True).select_related("user"))
    for row in staff:
        row.is_active = False
        row.save(update_fields=["is_active"])
        User.objects.filter(pk=row.user_id).update(is_active=False)
    return {"keys_revoked": keys, "staff_deactivated": [row.user.username for row in staff]}


def merchant_suspend(*, by: Any, merchant: Merchant, reason: str) -> Merchant:
    """From the next request on, the POS refuses (contract_for_trade reads the status)."""
    return _move(
        by=by,
        merchant=merchant,
        target=MerchantStatus.SUSPENDED,
        reason=reason,
        action="merchant.suspended",
    )


def merchant_resume(
    *, by: Any, merchant: Merchant, reason: str, today: date | None = None
) -> Merchant:
    return _move(
        by=by,
        merchant=merchant,
        target=MerchantStatus.ACTIVE,
        reason=reason,
        action="merchant.resumed",
        day=today,
    )


def merchant_terminate(*, by: Any, merchant: Merchant, reason: str) -> Merchant:
    return _move(
        by=by,
        merchant=merchant,
        target=MerchantStatus.TERMINATED,
        reason=reason,
        action="merchant.terminated",
    )


def merchants_expire(*, today: date) -> list[str]:
    """Active merchants none of whose contracts runs to today or later become expired; run
    daily (`manage.py expire_merchants`): a second run the same day finds nothing to do."""
    still_running = Contract.objects.filter(valid_to__gte=today).values("merchant_id")
    due = Merchant.objects.filter(status=MerchantStatus.ACTIVE).exclude(pk__in=still_running)
    with transaction.atomic():
        rows = list(due.select_for_update(of=("self",)).select_related("district"))
        if not rows:
            return []
        note = _("优惠协议已于 %(day)s 前到期") % {"day": today.isoformat()}
        # Conditional: a merchant suspended meanwhile is not touched.
        Merchant.objects.filter(pk__in=[m.pk for m in rows], status=MerchantStatus.ACTIVE).update(
            status=MerchantStatus.EXPIRED, status_note=note, updated_at=timezone.now()
        )
        changes = {"status": [MerchantStatus.ACTIVE, MerchantStatus.EXPIRED], "day": str(today)}
        log_many(
            None,
            [
                Event("merchants.merchant.expired", m, changes, union_path=m.district.path)
                for m in rows
            ],
        )
        MerchantEvent.objects.bulk_create(
            [MerchantEvent(merchant=m, kind="expired", changes=changes) for m in rows]
        )
    return [m.code or "" for m in rows]


# -- accounts -------------------------------------------------------------------------------


def initial_password() -> str:
    """Twelve characters of all four classes, from the system's random source; shown once."""
    rng = secrets.SystemRandom()
    chars = [
        *(rng.choice(string.ascii_uppercase) for _ in range(3)),
        *(rng.choice(string.ascii_lowercase) for _ in range(5)),
        *(rng.choice(string.digits) for _ in range(3)),
        rng.choice("-_@#%+="),
    ]
    rng.shuffle(chars)
    return "".join(chars)


def staff_create(
    *,
    by: Any,
    merchant: Merchant,
    username: str,
    display_name: str,
    role: str,
    password: str | None = None,
) -> tuple[MerchantStaff, str]:
    """A merchant-kind account for a manager or a cashier; returns it with its initial
    password, which is shown once and never stored in the clear."""
    _require(by, merchant)
    if role not in StaffRole.values:
        raise DomainError("merchant.role_invalid", _("请选择岗位：店长或收银员"))
    username = "".join(str(username or "").split())
    if not username or len(username) > 150:
        raise DomainError("merchant.username_invalid", _("请填写登录用户名"))
    password = password or initial_password()
    with transaction.atomic():
        locked = _locked(merchant)
        if locked.status not in WORKING:
            raise DomainError(
                "merchant.not_working",
                _("“%(status)s”的商户不能开设账号") % {"status": locked.get_status_display()},
            )
        # The permission was checked above against the merchant's district; accounts.manage
        # belongs to the system administrator, whose work this is not.
        user = account_services.user_create(
            by=None,
            username=username,
            password=password,
            display_name=_text(display_name, 60, _("姓名")),
            kind=UserKind.MERCHANT,
        )
        staff = MerchantStaff.objects.create(merchant=locked, user=user, role=role)
        _record(
            "staff.created",
            by=by,
            merchant=locked,
            changes={"username": user.username, "role": role},
        )
    return staff, password


def staff_deactivate(*, by: Any, staff: MerchantStaff) -> MerchantStaff:
    merchant = Merchant.objects.select_related("district").get(pk=staff.merchant_id)
    _require(by, merchant)
    with transaction.atomic():
        row = MerchantStaff.objects.select_for_update().select_related("user").get(pk=staff.pk)
        if not row.is_active:
            return row
        row.is_active = False
        row.save(update_fields=["is_active"])
        User.objects.filter(pk=row.user_id).update(is_active=False)
        _record(
            "staff.deactivated",
            by=by,
            merchant=merchant,
            changes={"username": row.user.username, "role": row.role},
        )
    return row


# -- terminal keys --------------------------------------------------------------------------


def key_issue(
    *, by: Any, merchant: Merchant, label: str = "", key_id: str = "", secret: str = ""
) -> tuple[TerminalKey, str]:
    """A POS terminal's key: the id ("pk_" + 16 hex) and the secret, returned once. The secret
    is kept encrypted because verifying an HMAC needs it. (`key_id`/`secret` given: the demo's
    deterministic key only.)"""
    _require(by, merchant)
    label = _text(label, 60, _("终端名称"))
    with transaction.atomic():
        locked = _locked(merchant)
        if locked.status != MerchantStatus.ACTIVE:
            raise DomainError(
                "merchant.not_active",
                _("只能为合作中的商户签发终端密钥（该商户：%(status)s）")
                % {"status": locked.get_status_display()},
            )
        secret = secret or rules.new_key_secret()
        key = TerminalKey.objects.create(
            merchant=locked,
            key_id=key_id or rules.new_key_id(),
            secret=secret,
            label=label,
            created_by=by if getattr(by, "pk", None) else None,
        )
        _record(
            "key.issued", by=by, merchant=locked, changes={"key_id": key.key_id, "label": label}
        )
    return key, secret


def key_revoke(*, by: Any, key: TerminalKey) -> TerminalKey:
    """Revoked at once: till_for_key no longer finds it."""
    merchant = Merchant.objects.select_related("district").get(pk=key.merchant_id)
    _require(by, merchant)
    with transaction.atomic():
        updated = TerminalKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        key.refresh_from_db()
        if updated:
            _record(
                "key.revoked",
                by=by,
                merchant=merchant,
                changes={"key_id": key.key_id, "label": key.label},
            )
    return key


# -- photos ---------------------------------------------------------------------------------


def photo_kind(head: bytes) -> str | None:
    """ "jpg" or "png" by the file's first bytes; None for anything else."""
    found = filetypes.sniff(head)
    return found[0] if found and found[0] in PHOTO_KINDS else None


def photo_add(*, by: Any, merchant: Merchant, upload: Any, caption: str = "") -> MerchantPhoto:
    """A JPEG or PNG (judged by its content) of at most 2 MB; at most six per merchant."""
    _require(by, merchant)
    caption = _text(caption, 60, _("说明"))
    data = upload.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise DomainError("merchant.photo_too_large", _("照片不能超过 2 MB，请压缩后再上传"))
    kind = photo_kind(data[:8])
    if kind is None:
        raise DomainError("merchant.photo_type", _("只能上传 JPEG 或 PNG 格式的照片"))
    with transaction.atomic():
        # Lock the merchant: two uploads at once must not make a seventh photo.
        locked = _locked(merchant)
        if locked.photos.count() >= PHOTO_MAX_COUNT:
            raise DomainError(
                "merchant.photo_limit",
                _("每个商户最多 %(n)s 张照片，请先删除不用的照片") % {"n": PHOTO_MAX_COUNT},
            )
        photo = MerchantPhoto(merchant=locked, caption=caption)
        photo.image.save(f"photo.{kind}", ContentFile(data), save=False)
        photo.save()
        _record(
            "photo.added",
            by=by,
            merchant=locked,
            changes={"file": photo.image.name, "bytes": len(data), "caption": caption},
        )
    return photo


def photo_remove(*, by: Any, photo: MerchantPhoto) -> None:
    merchant = Merchant.objects.select_related("district").get(pk=photo.merchant_id)
    _require(by, merchant)
    name = str(photo.image.name)
    with transaction.atomic():
        photo.delete()
        _record("photo.removed", by=by, merchant=merchant, changes={"file": name})
        # The file goes only once the row is gone for good.
        storage = photo.image.storage
        transaction.on_commit(lambda: storage.delete(name))


# -- export ---------------------------------------------------------------------------------

EXPORT_HEADERS = (
    "商户编号",
    "申请编号",
    "商户名称",
    "统一社会信用代码",
    "类别",
    "所在县区",
    "地址",
    "纬度",
    "经度",
    "营业时间",
    "联系电话",
    "状态",
    "申请时间",
)


def merchants_export_rows(
    *, by: Any, merchants: Any, filters: dict[str, str]
) -> Iterator[list[Any]]:
    log_action(
        "merchants.merchants.exported",
        actor=by,
        object_repr=_("服务商户导出"),
        changes={k: v for k, v in filters.items() if v} or {"filter": "all"},
    )
    for m in merchants.iterator(chunk_size=1000):
        yield [
            m.code or "",
            m.application_no or "",
            m.name,
            m.uscc,
            m.get_category_display(),
            m.district.name,
            m.address,
            str(m.latitude) if m.latitude is not None else "",
            str(m.longitude) if m.longitude is not None else "",
            m.opening_hours,
            m.phone,
            m.get_status_display(),
            timezone.localtime(m.applied_at).strftime("%Y-%m-%d %H:%M"),
        ]
