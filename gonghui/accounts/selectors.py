from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gonghui.accounts.models import Assignment, PersonalAccessToken, Role, User
from gonghui.accounts.scoping import require_perm, scope_paths
from gonghui.core.errors import NotFound


def token_list(*, actor: Any) -> QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(user=actor).order_by("-created_at")


def token_get(*, actor: Any, public_id: str) -> PersonalAccessToken:
    try:
        return PersonalAccessToken.objects.get(user=actor, public_id=uuid.UUID(public_id))
    except (ValueError, PersonalAccessToken.DoesNotExist) as exc:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看")) from exc


def user_list(*, actor: Any, permission: str, query: str = "") -> QuerySet[User]:
    """Accounts for the administrators' pages: staff assigned inside the actor's subtree, and
    accounts with no assignment yet (new ones waiting for a role) for city-level administrators."""
    require_perm(actor, permission)
    paths = scope_paths(actor, permission)
    inside = Q()
    for path in paths:
        inside |= Q(assignments__union__path__startswith=path)
    if "/" in paths or any(path.count("/") == 2 for path in paths):
        inside |= Q(assignments__isnull=True)
    qs = User.objects.filter(inside)
    if query:
        qs = qs.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    assignments = Assignment.objects.select_related("union", "role", "department")
    return (
        qs.distinct()
        .order_by("username")
        .prefetch_related(Prefetch("assignments", queryset=assignments))
    )


def user_get(*, actor: Any, permission: str, public_id: str) -> User:
    try:
        return user_list(actor=actor, permission=permission).get(public_id=uuid.UUID(public_id))
    except (ValueError, User.DoesNotExist) as exc:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看")) from exc


def own_assignments(*, actor: Any) -> QuerySet[Assignment]:
    """The actor's own posts, for the workspace: union, role and department by name."""
    return (
        Assignment.objects.filter(user=actor)
        .select_related("union", "role", "department")
        .order_by("union__path", "role__code")
    )


def assignable_roles() -> QuerySet[Role]:
    from gonghui.accounts.permissions import ADMIN_ROLES

    return Role.objects.exclude(code__in=ADMIN_ROLES)


def assignment_get(*, subject: User, pk: Any) -> Assignment:
    try:
        return Assignment.objects.select_related("union", "role").get(pk=int(pk), user=subject)
    except (TypeError, ValueError, Assignment.DoesNotExist) as exc:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看")) from exc


def role_catalogue() -> list[dict[str, Any]]:
    from gonghui.accounts.permissions import PERMISSIONS, PROGRAMS

    def label(code: str) -> str:
        if code in PERMISSIONS:
            return str(PERMISSIONS[code])
        program, _dot, verb = code.partition(".")
        return f"{PROGRAMS.get(program, program)} · {verb}"

    return [
        {"role": role, "permissions": [(code, label(code)) for code in role.permissions]}
        for role in Role.objects.order_by("code")
    ]


def department_catalogue() -> list[dict[str, Any]]:
    from gonghui.accounts.permissions import PROGRAMS
    from gonghui.orgs.models import Department

    return [
        {"department": d, "programs": [str(PROGRAMS.get(p, p)) for p in d.programs]}
        for d in Department.objects.all()
    ]
