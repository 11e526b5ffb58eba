"""Members who left are anonymised after the retention period; the row, its number and the audit
trail stay, the personal data and the values in its history go."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.members import services
from gonghui.members.models import Member, MemberEvent
from gonghui.members.retention import PURGED_PREFIX, members_left_purge

pytestmark = pytest.mark.django_db


def left_long_ago(member: Member, registrar, days: int) -> Member:
    services.member_leave(by=registrar, member=member, reason="离职")
    Member.objects.filter(pk=member.pk).update(updated_at=timezone.now() - timedelta(days=days))
    return Member.objects.get(pk=member.pk)


def test_a_member_who_left_long_ago_is_anonymised(tree, registrar, make_member) -> None:
    gone = left_long_ago(make_member(tree["a"]), registrar, 2000)
    recent = left_long_ago(make_member(tree["a"]), registrar, 10)
    active = make_member(tree["a"])
    cutoff = timezone.now() - timedelta(days=5 * 365)

    assert members_left_purge(cutoff, dry_run=True) == 1
    assert members_left_purge(cutoff) == 1

    gone.refresh_from_db()
    assert gone.name == "已清除" and gone.id_number == "" and gone.phone == ""
    assert gone.id_index == PURGED_PREFIX + gone.member_no
    assert gone.birth_date.month == 1 and gone.birth_date.day == 1
    assert all(e.changes == {} for e in MemberEvent.objects.filter(member=gone))
    assert Member.objects.get(pk=recent.pk).name == recent.name
    assert Member.objects.get(pk=active.pk).id_number == active.id_number
    entry = AuditEntry.objects.get(action="members.member.purged")
    assert entry.object_repr == gone.member_no
    assert AuditEntry.objects.filter(object_id=gone.member_no).count() > 1  # the trail stays


def test_a_second_run_finds_nothing_and_the_person_may_join_again(
    tree, registrar, make_member
) -> None:
    member = make_member(tree["a"])
    id_number = member.id_number
    left_long_ago(member, registrar, 2000)
    cutoff = timezone.now() - timedelta(days=5 * 365)
    members_left_purge(cutoff)

    assert members_left_purge(cutoff) == 0
    again = services.member_create(
        by=registrar,
        union=tree["a"],
        data=services.MemberData(name="重新入会", id_number=id_number, phone=""),
    )
    assert again.member_no != member.member_no


def test_the_command_reports_every_rule(tree, registrar, make_member, settings) -> None:
    settings.MEMBER_LEFT_RETENTION_DAYS = 30
    left_long_ago(make_member(tree["a"]), registrar, 40)
    out = StringIO()

    call_command("purge_personal_data", "--dry-run", "--json", stdout=out)

    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["dry_run"] is True
    assert summary["rules"]["members.left"]["count"] == 1
    assert {"members.left", "joining.closed", "jobs.files"} <= set(summary["rules"])
    assert Member.objects.filter(name="已清除").count() == 0
