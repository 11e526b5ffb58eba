"""Members who left the union are kept MEMBER_LEFT_RETENTION_DAYS after their last change, then
anonymised (PIPL): the row stays, because cards, transfers and payments refer to it and the
member number is never reused, but the name, identity number, phone and other personal fields
go, and so do the values in its history. The audit log is not touched."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gonghui.audit.log import Event, log_many
from gonghui.members.models import Member, MemberEvent, MemberStatus

PURGED_PREFIX = "purged:"
BATCH = 500


def _due(cutoff: datetime) -> QuerySet[Member]:
    return Member.objects.filter(status=MemberStatus.LEFT, updated_at__lt=cutoff).exclude(
        id_index__startswith=PURGED_PREFIX
    )


def anonymise(member: Member) -> None:
    member.name = _("已清除")
    member.name_pinyin = member.name_initials = ""
    member.id_number = ""
    member.id_index = PURGED_PREFIX + member.member_no
    member.id_last4 = ""
    member.phone = member.phone_index = member.phone_last4 = ""
    member.ethnicity = member.education = ""
    member.birth_date = date(member.birth_date.year, 1, 1)  # the year stays for age statistics
    member.account = None


def members_left_purge(cutoff: datetime, dry_run: bool = False) -> int:
    if dry_run:
        return _due(cutoff).count()
    purged = 0
    while ids := list(_due(cutoff).values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            # Lock the rows: a member reactivated at this moment must not be anonymised.
            batch = list(
                Member.objects.select_for_update()
                .select_related("union")
                .filter(pk__in=ids, status=MemberStatus.LEFT)
            )
            for member in batch:
                anonymise(member)
            Member.objects.bulk_update(
                batch,
                [
                    "name",
                    "name_pinyin",
                    "name_initials",
                    "id_number",
                    "id_index",
                    "id_last4",
                    "phone",
                    "phone_index",
                    "phone_last4",
                    "ethnicity",
                    "education",
                    "birth_date",
                    "account",
                ],
            )
            MemberEvent.objects.filter(member__in=batch).update(changes={})
            log_many(
                None,
                [
                    Event(
                        "members.member.purged",
                        obj=member,
                        object_repr=member.member_no,
                        changes={"cutoff": cutoff.isoformat()},
                    )
                    for member in batch
                ],
            )
        purged += len(batch)
    return purged
