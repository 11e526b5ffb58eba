"""The one primitive that gives every query its scope.

A protected model names the path of its union (`scope_path = "union__path"`); `scoped()` keeps
the rows under the nodes where the actor holds the permission, and nothing when there are none.
Views and API handlers reach protected rows only through selectors that start from `scoped()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models

from gonghui.accounts.permissions import narrow_to_department
from gonghui.core.errors import Forbidden, NotFound

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Grant:
    union_id: int
    union_path: str
    union_kind: str
    role_code: str
    permissions: frozenset[str]


def grants_of(user: Any) -> list[Grant]:
    """The user's assignments as grants, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_gonghui_grants", None)
    if cached is not None:
        return cached
    from gonghui.accounts.models import Assignment

    rows = Assignment.objects.filter(user=user, union__status="active").select_related(
        "union", "role", "department"
    )
    grants = [
        Grant(
            union_id=a.union_id,
            union_path=a.union.path,
            union_kind=a.union.kind,
            role_code=a.role.code,
            permissions=narrow_to_department(
                frozenset(a.role.permissions), a.department.programs if a.department else None
            ),
        )
        for a in rows
    ]
    user._gonghui_grants = grants
    return grants


def forget_grants(user: Any) -> None:
    user.__dict__.pop("_gonghui_grants", None)


def scope_paths(user: Any, permission: str) -> list[str]:
    """Paths where the user holds `permission`, without those inside another one."""
    paths = sorted({g.union_path for g in grants_of(user) if permission in g.permissions})
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    return minimal


def has_perm(user: Any, permission: str, union_path: str | None = None) -> bool:
    """Anywhere (no path given) or at/above the given node."""
    for path in scope_paths(user, permission):
        if union_path is None or union_path.startswith(path):
            return True
    return False


def scoped(qs: models.QuerySet[M], actor: Any, permission: str) -> models.QuerySet[M]:
    field = getattr(qs.model, "scope_path", None)
    if field is None:
        raise TypeError(f"{qs.model.__name__} has no scope_path; it cannot be scoped")
    condition = models.Q()
    paths = scope_paths(actor, permission)
    if not paths:
        return qs.none()
    for path in paths:
        condition |= models.Q(**{f"{field}__prefix": path})
    return qs.filter(condition)


def get_scoped(qs: models.QuerySet[M], actor: Any, permission: str, **lookup: Any) -> M:
    """One row by its public key: 404 outside the actor's view, 403 when seen but not allowed."""
    try:
        return scoped(qs, actor, permission).get(**lookup)
    # Every concrete model has DoesNotExist; the plugin removes it from the bound (Model).
    except qs.model.DoesNotExist:  # type: ignore[attr-defined]
        pass
    view_permission = permission.split(".", 1)[0] + ".view"
    if (
        view_permission != permission
        and scoped(qs, actor, view_permission).filter(**lookup).exists()
    ):
        raise Forbidden("auth.forbidden", _forbidden_message())
    raise NotFound("not_found", _not_found_message())


def require_perm(user: Any, permission: str, union_path: str | None = None) -> None:
    if not has_perm(user, permission, union_path):
        raise Forbidden("auth.forbidden", _forbidden_message())


def _forbidden_message() -> str:
    from django.utils.translation import gettext as _

    return _("您没有执行此操作的权限")


def _not_found_message() -> str:
    from django.utils.translation import gettext as _

    return _("没有找到该记录，或您无权查看")
