"""Races only a real database shows: members taking the last places of a lecture at once, a
lecture called off while members sign up, and two staff generating the same month's batch at
once. PostgreSQL only, real threads."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.conftest import ensure_reference_data, make_user, race
from gonghui.core.errors import DomainError
from gonghui.modelworkers import services
from gonghui.modelworkers.models import AllowanceBatch, AllowanceLine, Lecture, SignUp
from gonghui.modelworkers.tests.conftest import policy, register
from gonghui.mutualaid.tests.conftest import make_member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
]


@pytest.fixture
def setting(transactional_db: Any, tree) -> dict[str, Any]:
    ensure_reference_data()
    pat = make_user("pat", assignments=[(tree["city"], "dept_staff", "production")])
    speaker = register(pat, make_member(tree["a"], 1))
    lecture = services.lecture_create(
        by=pat,
        union=tree["city"],
        title="工匠精神",
        speaker=speaker,
        starts_at=timezone.now() + timedelta(days=3),
        place="文化宫",
        capacity=2,
    )
    members = []
    for seed in range(2, 7):
        member = make_member(tree["a" if seed % 2 else "b"], seed)
        member.account = make_user(f"m{seed}", kind="member")
        member.save(update_fields=["account"])
        members.append(member)
    return {"pat": pat, "lecture": lecture, "members": members}


def test_five_members_racing_for_two_places_get_two(setting) -> None:
    lecture = setting["lecture"]

    def sign_up(member: Any) -> Any:
        return lambda: services.lecture_sign_up(by=member.account, lecture=lecture, member=member)

    outcomes = race(*(sign_up(m) for m in setting["members"]))
    won = [o for o in outcomes if isinstance(o, SignUp)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(won) == 2 and len(refused) == 3, outcomes
    assert {e.code for e in refused} == {"modelworkers.lecture.full"}
    lecture.refresh_from_db()
    assert lecture.signed_up == 2 == SignUp.objects.filter(lecture=lecture, active=True).count()


def test_signing_up_while_the_lecture_is_called_off_leaves_no_live_sign_up(setting) -> None:
    lecture, pat = setting["lecture"], setting["pat"]
    first, second = setting["members"][:2]

    def sign_up(member: Any) -> Any:
        return lambda: services.lecture_sign_up(by=member.account, lecture=lecture, member=member)

    outcomes = race(
        sign_up(first),
        lambda: services.lecture_cancel(by=pat, lecture=lecture, reason="停电"),
        sign_up(second),
    )
    assert isinstance(outcomes[1], int), outcomes
    # Who got in before the cancellation went out with it; who came after was refused.
    signed = [o for o in (outcomes[0], outcomes[2]) if isinstance(o, SignUp)]
    assert outcomes[1] == len(signed)
    assert all(
        isinstance(o, SignUp) or getattr(o, "code", "") == "modelworkers.lecture.closed"
        for o in (outcomes[0], outcomes[2])
    ), outcomes
    lecture.refresh_from_db()
    assert lecture.cancelled and lecture.signed_up == 0
    assert not SignUp.objects.filter(lecture=lecture, active=True).exists()


def test_two_staff_generating_one_month_make_one_batch(setting) -> None:
    pat = setting["pat"]
    other = make_user(
        "pat2", assignments=[(pat.assignments.get().union, "dept_staff", "production")]
    )
    policy(pat, 2026)
    month = date(2026, 10, 1)
    outcomes = race(
        lambda: services.batch_generate(by=pat, month=month),
        lambda: services.batch_generate(by=other, month=month),
    )
    assert all(isinstance(o, AllowanceBatch) for o in outcomes), outcomes
    assert AllowanceBatch.objects.count() == 1
    assert AllowanceLine.objects.count() == 1  # the speaker, retired national
    assert Lecture.objects.count() == 1
