"""The data-quality report: retired members still 在会, no phone, name+birth duplicates across
unions, stale records; the one-click fix for retirees; the ID re-validation scan."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from gonghui.audit.models import AuditEntry
from gonghui.core import idnumbers
from gonghui.core.errors import Forbidden
from gonghui.members import quality, rules
from gonghui.members.models import Member, MemberStatus

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)


@given(st.sampled_from(["M", "F"]), st.dates(date(1940, 1, 1), date(2000, 12, 31)))
def test_the_retirement_cutoff_splits_birth_dates_exactly(gender, birth):
    cutoff = rules.retirement_cutoff(gender, TODAY)
    assert rules.past_retirement(birth, gender, TODAY) == (birth <= cutoff)


def born(make_member, union, birth: date, gender: str, **fields):
    rng = random.Random(birth.toordinal())
    number = idnumbers.generate(rng, "419902", birth, gender)
    return make_member(union, id_number=number, **fields)


def findings_by_code(actor, union):
    return {f.code: f for f in quality.quality_report(actor=actor, union=union)}


def test_a_member_past_retirement_is_listed_and_can_be_retained_in_one_click(
    people, tree, make_member
):
    old = born(make_member, tree["a"], date(1958, 3, 1), "M")
    young = born(make_member, tree["a"], date(1990, 3, 1), "M")

    found = findings_by_code(people["alice"], tree["a"])["retired"]
    assert [m.member_no for m in found.sample] == [old.member_no]

    moved = quality.retain_retired(by=people["alice"], union=tree["a"])

    assert moved == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, young.status) == (MemberStatus.RETAINED, MemberStatus.ACTIVE)
    assert AuditEntry.objects.filter(action="members.member.retained", object_id=old.member_no)
    assert old.events.filter(kind="members.member.retained").exists()


def test_members_without_phone_and_stale_records_are_counted(people, tree, make_member):
    no_phone = make_member(tree["a"], phone="")
    stale = make_member(tree["a"])
    Member.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=4 * 365))

    found = findings_by_code(people["alice"], tree["a"])

    assert no_phone.member_no in [m.member_no for m in found["no_phone"].sample]
    assert [m.member_no for m in found["stale"].sample] == [stale.member_no]


def test_same_name_and_birth_date_in_two_unions_is_a_suspected_duplicate(people, tree, make_member):
    birth = date(1985, 6, 1)
    first = born(make_member, tree["a"], birth, "F", name="李娜")
    rng = random.Random(99)
    second = make_member(
        tree["b"], name="李娜", id_number=idnumbers.generate(rng, "410102", birth, "F")
    )

    found = findings_by_code(people["alice"], tree["a"])["duplicates"]

    assert found.count == 1
    assert {m.member_no for m in found.sample} == {first.member_no, second.member_no}


def test_an_officer_cannot_fix_another_unions_members(people, tree, make_member):
    born(make_member, tree["b"], date(1958, 3, 1), "M")

    with pytest.raises(Forbidden):
        quality.retain_retired(by=people["alice"], union=tree["b"])


def test_the_page_shows_the_findings_for_the_officers_union(people, tree, make_member, login_as):
    born(make_member, tree["a"], date(1958, 3, 1), "M")

    page = login_as(people["alice"]).get("/w/members/quality/")

    assert page.status_code == 200
    assert "一键转为保留会籍" in page.content.decode()
    assert login_as(people["alice"]).get("/w/members/quality/?union=UB").status_code == 404


def test_the_scan_finds_an_identity_number_that_no_longer_validates(
    people, tree, make_member, login_as, django_capture_on_commit_callbacks
):
    broken = make_member(tree["a"])
    Member.objects.filter(pk=broken.pk).update(birth_date=date(1901, 1, 1))

    with django_capture_on_commit_callbacks(execute=True):
        response = login_as(people["alice"]).post(
            "/w/members/quality/", {"union": "UA", "action": "scan"}
        )

    assert response.status_code == 302
    job = people["alice"].jobs.get()
    assert job.status == "succeeded"
    assert job.summary["invalid"] == 1
    assert job.result_file
