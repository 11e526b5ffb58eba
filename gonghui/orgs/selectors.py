"""Reads on the union tree, always from the actor's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from gonghui.accounts.scoping import get_scoped, scope_paths, scoped
from gonghui.orgs.models import Department, Union
from gonghui.orgs.rules import normalise_code


def union_list(
    *, actor: Any, query: str = "", kind: str = "", status: str = "", within: Union | None = None
) -> QuerySet[Union]:
    qs = scoped(Union.objects.all(), actor, "org.view")
    if within is not None:
        qs = qs.filter(path__prefix=within.path)
    if query:
        qs = qs.filter(Q(name__contains=query.strip()) | Q(code__prefix=normalise_code(query)))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("parent").order_by("path")


def union_get(*, actor: Any, code: str, permission: str = "org.view") -> Union:
    return get_scoped(Union.objects.select_related("parent"), actor, permission, code=code)


def union_roots(*, actor: Any) -> QuerySet[Union]:
    """The top nodes the actor can see: where the tree browser starts."""
    paths = scope_paths(actor, "org.view")
    return _with_child_counts(Union.objects.filter(path__in=paths).order_by("path"))


def union_children(*, actor: Any, parent: Union) -> QuerySet[Union]:
    return _with_child_counts(
        scoped(Union.objects.filter(parent=parent), actor, "org.view").order_by("kind", "name")
    )


def _with_child_counts(qs: QuerySet[Union]) -> QuerySet[Union]:
    return qs.annotate(child_count=Count("children"))


def department_list() -> QuerySet[Department]:
    return Department.objects.all()


def union_ancestors(*, actor: Any, union: Union) -> list[Union]:
    """The breadcrumb above a node, limited to what the actor may see."""
    parts = [p for p in union.path.strip("/").split("/")[:-1]]
    paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return list(scoped(Union.objects.filter(path__in=paths), actor, "org.view").order_by("depth"))


def union_by_code(*, code: str) -> Union:
    """Any open union by its code: the receiving side of a transfer lies outside the sender's
    scope, and only its code and name are shown."""
    from django.utils.translation import gettext as _

    from gonghui.core.errors import NotFound

    union = Union.objects.filter(code=code.strip().upper(), status="active").first()
    if union is None:
        raise NotFound("org.not_found", _("没有代码为 %(code)s 的工会") % {"code": code})
    return union
