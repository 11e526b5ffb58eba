"""Members follow their union when it is merged, and keep a union from being closed."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.log import log_action
from gonghui.core.errors import DomainError
from gonghui.members.models import Member, MemberEvent, MemberStatus, Transfer, TransferStatus
from gonghui.orgs.signals import union_closing, union_merging


@receiver(union_merging)
def move_members_on_merge(sender: Any, source: Any, target: Any, by: Any, **kwargs: Any) -> None:
    """Members move to the target, each with a line in their history; transfers still waiting
    for the source are now the target's to decide (the source is closed and can decide none)."""
    member_ids = list(Member.objects.filter(union=source).values_list("pk", flat=True))
    moved = Member.objects.filter(pk__in=member_ids).update(union=target, updated_at=timezone.now())
    actor = by if getattr(by, "pk", None) else None
    MemberEvent.objects.bulk_create(
        (
            MemberEvent(
                member_id=pk,
                by=actor,
                kind="members.union_merged",
                changes={"union": [source.code, target.code]},
                union=target,
            )
            for pk in member_ids
        ),
        batch_size=2000,
    )
    Transfer.objects.filter(to_union=source, status=TransferStatus.PENDING).update(to_union=target)
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
        union=union,
        status__in=[MemberStatus.ACTIVE, MemberStatus.TRANSFERRING, MemberStatus.RETAINED],
    ).count()
    if remaining:
        raise DomainError(
            "org.has_members",
            _("该工会还有 %(n)d 名会员，请先转会或合并") % {"n": remaining},
            {"members": remaining},
        )
    waiting = Transfer.objects.filter(to_union=union, status=TransferStatus.PENDING).count()
    if waiting:
        raise DomainError(
            "org.has_pending_transfers",
            _("还有 %(n)d 条转入该工会的转会申请待处理，请先接收或拒绝") % {"n": waiting},
            {"transfers": waiting},
        )
