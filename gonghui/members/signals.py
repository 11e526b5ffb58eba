"""Members follow their union when it is merged, and keep a union from being closed."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from gonghui.audit.log import log_action
from gonghui.core.errors import DomainError
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.signals import union_closing, union_merging


@receiver(union_merging)
def move_members_on_merge(sender: Any, source: Any, target: Any, by: Any, **kwargs: Any) -> None:
    moved = Member.objects.filter(union=source).update(union=target)
    if moved:
        log_action(
            "members.union_merged",
            actor=by,
            obj=target,
            changes={"from": source.code, "to": target.code, "members": moved},
        )


@receiver(union_closing)
def refuse_close_with_members(sender: Any, union: Any, by: Any, **kwargs: Any) -> None:
    remaining = Member.objects.filter(
        union=union, status__in=[MemberStatus.ACTIVE, MemberStatus.TRANSFERRING, MemberStatus.RETAINED]
    ).count()
    if remaining:
        raise DomainError(
            "org.has_members",
            _("该工会还有 %(n)d 名会员，请先转会或合并") % {"n": remaining},
            {"members": remaining},
        )
