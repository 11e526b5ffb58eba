"""Reads on applications: staff reads start from scoped(); the public reads return only what
the applicant may see."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import get_scoped, scoped
from gonghui.core.errors import NotFound
from gonghui.joining import rules
from gonghui.joining.models import ApplicationStatus, JoinApplication
from gonghui.members.models import Member
from gonghui.orgs.models import Union, UnionStatus


def unions_open_to_applicants(*, query: str, category: str = "") -> list[dict[str, str]]:
    """Public search: name and code only, of open unions a worker of this category may apply
    to, at most UNION_SEARCH_LIMIT, nothing for fewer than two characters."""
    text = rules.union_query(query)
    if not text:
        return []
    kinds = rules.union_kinds_for(category) if category else rules.PUBLIC_UNION_KINDS
    rows = (
        Union.objects.filter(status=UnionStatus.ACTIVE, kind__in=kinds, name__contains=text)
        .order_by("name", "code")
        .values_list("code", "name")[: rules.UNION_SEARCH_LIMIT]
    )
    return [{"code": code, "name": name} for code, name in rows]


def union_for_application(*, code: str) -> Union:
    union = Union.objects.filter(
        code=code.strip().upper(), status=UnionStatus.ACTIVE, kind__in=rules.PUBLIC_UNION_KINDS
    ).first()
    if union is None:
        raise NotFound("joining.union_not_found", _("没有找到所选的工会，请重新搜索并选择"))
    return union


def person_is_member(*, id_index: str) -> bool:
    """Any membership record, in any union and status: one person is one member city-wide."""
    return Member.objects.filter(id_index=id_index).exists()


def person_has_pending(*, id_index: str) -> bool:
    return JoinApplication.objects.filter(
        id_index=id_index, status=ApplicationStatus.PENDING
    ).exists()


def application_lookup(*, application_no: str, id_last4: str) -> JoinApplication | None:
    """The applicant's own view: the number and the last four of the ID number must both fit;
    a wrong number and a wrong last four look the same to the caller."""
    number = rules.normalise_application_no(application_no)
    application = (
        JoinApplication.objects.select_related("union").filter(application_no=number).first()
    )
    if application is None or not rules.last4_matches(application.id_number, id_last4):
        return None
    return application


def application_list(
    *,
    actor: Any,
    status: str = ApplicationStatus.PENDING,
    permission: str = "members.view",
) -> QuerySet[JoinApplication]:
    qs = scoped(JoinApplication.objects.all(), actor, permission)
    if status:
        qs = qs.filter(status=status)
    # Oldest deadline first: what is about to run late is on top.
    return qs.select_related("union", "member").order_by("deadline", "submitted_at", "id")


def application_get(
    *, actor: Any, public_id: uuid.UUID | str, permission: str = "members.view"
) -> JoinApplication:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看")) from exc
    return get_scoped(
        JoinApplication.objects.select_related("union", "member", "decided_by"),
        actor,
        permission,
        public_id=key,
    )
