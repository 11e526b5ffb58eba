"""Writes on accounts: each a user action, checked against the actor's grants, and audited.

The three administrators split the work: 系统管理员 creates and disables accounts, 安全管理员
grants business roles, unlocks and resets 2FA, 审计管理员 only reads the log. Administrator roles
are granted only from the command line (`manage.py create_admin`), never by another account."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import Assignment, PersonalAccessToken, Role, User, UserKind
from gonghui.accounts.passwords import reasons
from gonghui.accounts.permissions import ADMIN_ROLES
from gonghui.accounts.scoping import forget_grants, require_perm
from gonghui.audit.log import log_action
from gonghui.core.errors import DomainError, Forbidden
from gonghui.orgs.models import Department, Union

TOKEN_PREFIX = "gh_"


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        messages = reasons(exc)
        raise DomainError(
            "account.password_weak", "；".join(messages), {"reasons": messages}
        ) from exc


def user_create(
    *,
    by: Any,
    username: str,
    password: str,
    display_name: str = "",
    kind: str = UserKind.STAFF,
    union: Union | None = None,
) -> User:
    if by is not None:
        require_perm(by, "accounts.manage", union.path if union else None)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("account.username_taken", _("用户名已被使用"), {"username": username})
    user = User(username=username, display_name=display_name, kind=kind)
    _check_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        log_action(
            "accounts.user.created",
            actor=by,
            obj=user,
            changes={"username": username, "kind": kind, "display_name": display_name},
        )
    return user


def user_set_active(*, by: Any, user: User, active: bool) -> User:
    require_perm(by, "accounts.manage")
    if user.pk == by.pk:
        raise DomainError("account.self_change", _("不能停用自己的账号"))
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        log_action(
            "accounts.user.activated" if active else "accounts.user.deactivated",
            actor=by,
            obj=user,
            changes={"is_active": [not active, active]},
        )
    return user


def password_set(*, by: Any, user: User, password: str) -> None:
    """A user changes their own password, or the system administrator resets one.

    Not another administrator's: with their password the system administrator could sign in as
    an auditor who has not enrolled 2FA yet. Those go through `manage.py changepassword`."""
    if by.pk != user.pk:
        require_perm(by, "accounts.manage")
        if user.assignments.filter(role__code__in=ADMIN_ROLES).exists():
            raise Forbidden(
                "account.admin_cli_only",
                _("管理员账号的密码只能由本人修改，或由运维人员在命令行重置"),
            )
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        log_action("accounts.user.password_set", actor=by, obj=user)


def role_assign(
    *, by: Any, user: User, union: Union, role: Role, department: Department | None = None
) -> Assignment:
    if role.code in ADMIN_ROLES:
        raise Forbidden("account.admin_role_cli_only", _("管理员角色只能由运维人员在命令行授予"))
    require_perm(by, "roles.assign", union.path)
    if user.pk == by.pk:
        raise DomainError("account.self_change", _("不能修改自己的角色"))
    if user.kind != UserKind.STAFF:
        raise DomainError("account.not_staff", _("只有工作人员账号可以分配岗位"))
    if role.needs_department and department is None:
        raise DomainError("account.department_required", _("该角色须指定部门"))
    if user.assignments.filter(role__code__in=ADMIN_ROLES).exists():
        raise DomainError("account.admin_exclusive", _("管理员账号不能兼任业务岗位"))
    with transaction.atomic():
        assignment, created = Assignment.objects.get_or_create(
            user=user, union=union, role=role, department=department
        )
        if created:
            log_action(
                "accounts.role.assigned",
                actor=by,
                obj=user,
                union_path=union.path,
                changes={"union": union.code, "role": role.code, "department": _code(department)},
            )
    forget_grants(user)
    return assignment


def role_revoke(*, by: Any, assignment: Assignment) -> None:
    if assignment.role.code in ADMIN_ROLES:
        raise Forbidden("account.admin_role_cli_only", _("管理员角色只能由运维人员在命令行授予"))
    require_perm(by, "roles.assign", assignment.union.path)
    if assignment.user_id == by.pk:
        raise DomainError("account.self_change", _("不能修改自己的角色"))
    with transaction.atomic():
        log_action(
            "accounts.role.revoked",
            actor=by,
            obj=assignment.user,
            union_path=assignment.union.path,
            changes={
                "union": assignment.union.code,
                "role": assignment.role.code,
                "department": _code(assignment.department),
            },
        )
        assignment.delete()


def admin_grant(*, user: User, role_code: str, root: Union) -> Assignment:
    """Command-line only: make `user` one of the three administrators, and nothing else."""
    if role_code not in ADMIN_ROLES:
        raise DomainError("account.not_admin_role", f"{role_code} is not an administrator role")
    others = user.assignments.exclude(role__code=role_code)
    if others.exists():
        raise DomainError(
            "account.admin_exclusive",
            _("管理员账号不能兼任其他角色"),
            {"other_roles": sorted({a.role.code for a in others})},
        )
    with transaction.atomic():
        assignment, _created = Assignment.objects.get_or_create(
            user=user, union=root, role=Role.objects.get(code=role_code)
        )
        log_action("accounts.admin.granted", actor=None, obj=user, changes={"role": role_code})
    return assignment


def account_unlock(*, by: Any, user: User) -> None:
    require_perm(by, "security.manage")
    with transaction.atomic():
        axes_reset(username=user.username)
        log_action("security.account.unlocked", actor=by, obj=user)


def two_factor_reset(*, by: Any, user: User) -> None:
    require_perm(by, "security.manage")
    if user.pk == by.pk:
        raise DomainError("account.self_change", _("不能重置自己的双因素认证"))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        log_action("security.2fa.reset", actor=by, obj=user)


def two_factor_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        log_action("security.2fa.enrolled", actor=user, obj=user)
    return True


def token_create(
    *, by: User, name: str, expires_at: datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    """Returns the token row and the secret, shown once and never stored."""
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at)
        if expires_at <= timezone.now():
            raise DomainError(
                "account.token_expiry_past",
                _("有效期须晚于当前时间"),
                {"expires_at": expires_at.isoformat()},
            )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = PersonalAccessToken.objects.create(
            user=by,
            name=name,
            prefix=secret[:10],
            token_hash=hash_token(secret),
            expires_at=expires_at,
        )
        log_action("accounts.token.created", actor=by, obj=token, object_repr=name)
    return token, secret


def token_revoke(*, by: User, token: PersonalAccessToken) -> None:
    if token.user_id != by.pk:
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action("accounts.token.revoked", actor=by, obj=token, object_repr=token.name)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _code(department: Department | None) -> str | None:
    return department.code if department else None
