"""Applications answered or withdrawn are deleted a year later; pending ones never are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.joining import services
from gonghui.joining.models import JoinApplication
from gonghui.joining.services import applications_purge
from gonghui.joining.tests.conftest import person

pytestmark = pytest.mark.django_db


def submit(tree, seed: int) -> JoinApplication:
    return services.application_submit(
        data=person(seed), union=tree["a"], consent_version=services.rules.CONSENT_VERSION
    )


def test_closed_applications_past_the_period_are_deleted(tree, people) -> None:
    old = services.application_reject(
        by=people["alice"], application=submit(tree, 1), reason="不在本单位"
    )
    recent = services.application_reject(
        by=people["alice"], application=submit(tree, 2), reason="不在本单位"
    )
    pending = submit(tree, 3)
    JoinApplication.objects.filter(pk=old.pk).update(
        decided_at=timezone.now() - timedelta(days=400)
    )
    cutoff = timezone.now() - timedelta(days=365)

    assert applications_purge(cutoff, dry_run=True) == 1
    assert applications_purge(cutoff) == 1

    assert set(JoinApplication.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    entry = AuditEntry.objects.get(action="joining.application.purged")
    assert entry.object_repr == old.application_no
