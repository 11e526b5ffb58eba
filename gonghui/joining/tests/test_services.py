"""Submitting, accepting, rejecting and withdrawing applications through the services."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.conftest import make_user
from gonghui.core.errors import DomainError, Forbidden, NotFound
from gonghui.core.masking import mask_id_number
from gonghui.core.workdays import add_working_days
from gonghui.joining import rules, selectors, services
from gonghui.joining.models import ApplicationStatus, JoinApplication
from gonghui.joining.tests.conftest import person
from gonghui.members import services as member_services
from gonghui.members.models import Member, MemberNumberBlock
from gonghui.members.rules import format_member_no

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def submit_person(data, union, **kwargs):
    kwargs.setdefault("consent_version", rules.CONSENT_VERSION)
    return services.application_submit(data=data, union=union, **kwargs)


# -- submit --------------------------------------------------------------------------------


def test_an_application_is_stored_encrypted_with_a_deadline(tree) -> None:
    data = person(1, id_number=person(1).id_number.lower(), phone="+86 139 1234 5678")
    application = submit_person(data, tree["a"])

    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert application.application_no.startswith("J") and len(application.application_no) == 9
    assert application.id_number == data.id_number.upper()
    assert application.phone == "13912345678"
    assert application.deadline == add_working_days(timezone.localdate(), 15)
    assert application.consent_version == rules.CONSENT_VERSION
    assert application.consented_at is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone FROM joining_joinapplication WHERE id = %s", [application.pk]
        )
        raw_id, raw_phone = cursor.fetchone()
    assert application.id_number not in raw_id and "13912345678" not in raw_phone
    assert application.id_index == member_services.id_index(application.id_number)


def test_the_deadline_is_fifteen_working_days_after_submission(tree, monkeypatch) -> None:
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: friday)
    application = submit_person(person(2), tree["a"])
    assert application.deadline.isoformat() == "2026-12-18"


def test_the_submission_is_audited_with_masked_values(tree) -> None:
    application = submit_person(person(3), tree["a"])
    entry = AuditEntry.objects.get(action="joining.application.submitted")
    assert entry.object_id == str(application.public_id)
    assert entry.union_path == tree["a"].path
    assert entry.changes["id_number"] == mask_id_number(application.id_number)
    assert application.id_number not in str(entry.changes)
    assert application.phone not in str(entry.changes)


def test_consent_is_required(tree) -> None:
    for version in (None, ""):
        with pytest.raises(DomainError) as caught:
            submit_person(person(4), tree["a"], consent_version=version)
        assert caught.value.code == "joining.consent_required"
    assert not JoinApplication.objects.exists()


def test_identity_number_and_phone_are_validated(tree) -> None:
    bad_check = person(5).id_number[:17] + ("0" if person(5).id_number[17] != "0" else "1")
    with pytest.raises(DomainError) as caught:
        submit_person(person(5, id_number=bad_check), tree["a"])
    assert caught.value.code == "idnumber.check_digit"
    with pytest.raises(DomainError) as caught:
        submit_person(person(5, phone=""), tree["a"])
    assert caught.value.code == "joining.phone_required"
    with pytest.raises(DomainError) as caught:
        submit_person(person(5, phone="12345"), tree["a"])
    assert caught.value.code == "member.phone_invalid"
    with pytest.raises(DomainError) as caught:
        submit_person(person(5, name="=HYPERLINK()"), tree["a"])
    assert caught.value.code == "member.name_invalid"


def test_an_employee_cannot_apply_to_a_county_union(tree) -> None:
    with pytest.raises(DomainError) as caught:
        submit_person(person(6, category="employee"), tree["county_a"])
    assert caught.value.code == "joining.union_kind_invalid"


def test_a_rider_without_an_employer_union_may_apply_to_an_industry_union(tree, industry) -> None:
    application = submit_person(person(7, category="rider", employer_name=""), industry)
    assert application.union == industry


def test_a_member_is_told_to_contact_their_union_without_naming_it(tree, make_member) -> None:
    data = person(8)
    make_member(tree["b"], data)
    with pytest.raises(DomainError) as caught:
        submit_person(data, tree["a"])
    assert caught.value.code == "joining.already_member"
    assert "联系" in caught.value.message
    assert tree["b"].name not in caught.value.message and "UB" not in caught.value.message


def test_a_second_pending_application_is_refused(tree) -> None:
    data = person(9)
    submit_person(data, tree["a"])
    with pytest.raises(DomainError) as caught:
        submit_person(data, tree["b"])
    assert caught.value.code == "joining.pending_exists"
    assert JoinApplication.objects.count() == 1


def test_after_a_withdrawal_the_person_may_apply_again(tree) -> None:
    data = person(10)
    first = submit_person(data, tree["a"])
    services.application_withdraw(application=first, id_last4=data.id_number[-4:])
    second = submit_person(data, tree["b"])
    assert second.status == ApplicationStatus.PENDING
    assert JoinApplication.objects.filter(id_index=first.id_index).count() == 2


def test_a_race_past_the_pending_check_ends_at_the_unique_index(tree, monkeypatch) -> None:
    data = person(11)
    submit_person(data, tree["a"])
    real = selectors.person_has_pending
    calls = iter([False])  # the first check misses the other submission, as in a race
    monkeypatch.setattr(
        selectors, "person_has_pending", lambda **kw: next(calls, None) or real(**kw)
    )
    with pytest.raises(DomainError) as caught:
        submit_person(data, tree["b"])
    assert caught.value.code == "joining.pending_exists"
    assert JoinApplication.objects.count() == 1


def test_a_clash_of_application_numbers_draws_again(tree, monkeypatch) -> None:
    taken = submit_person(person(12), tree["a"]).application_no
    numbers = iter([taken, "J00000001"])
    monkeypatch.setattr(rules, "new_application_no", lambda: next(numbers))
    assert submit_person(person(13), tree["a"]).application_no == "J00000001"


def test_a_logged_in_member_is_linked_as_the_applicant(tree, people) -> None:
    application = submit_person(person(14), tree["a"], applicant=people["member"])
    assert application.applicant == people["member"]
    staff = submit_person(person(15), tree["a"], applicant=people["bob"])
    assert staff.applicant is None


# -- accept --------------------------------------------------------------------------------


def test_accepting_makes_a_member_from_the_same_number_sequence(
    tree, people, application_a, make_member
) -> None:
    earlier = make_member(tree["a"], person(500))

    accepted = services.application_accept(by=people["alice"], application=application_a)

    member = Member.objects.get(id_index=application_a.id_index)
    assert accepted.status == ApplicationStatus.ACCEPTED
    assert accepted.member == member
    assert (accepted.decided_by, accepted.decided_at is not None) == (people["alice"], True)
    assert member.member_no == format_member_no(int(earlier.member_no[1:]) + 1)
    assert member.member_no == format_member_no(MemberNumberBlock.objects.get().last)
    assert (member.union, member.name, member.phone) == (
        tree["a"],
        application_a.name,
        application_a.phone,
    )
    assert member.category == application_a.category
    assert member.events.filter(kind="members.member.created").count() == 1
    entry = AuditEntry.objects.get(action="joining.application.accepted")
    assert entry.changes["member_no"] == member.member_no
    assert entry.actor_id == people["alice"].pk


def test_an_application_is_accepted_only_once(people, application_a) -> None:
    services.application_accept(by=people["alice"], application=application_a)
    with pytest.raises(DomainError) as caught:
        services.application_accept(by=people["alice"], application=application_a)
    assert caught.value.code == "joining.transition_invalid"
    assert Member.objects.count() == 1


def test_accepting_needs_members_change_at_the_union(tree, people, application_a) -> None:
    leader = make_user("leader", assignments=[(tree["a"], "leader", None)])
    for outsider in (people["bob"], leader):
        with pytest.raises(Forbidden):
            services.application_accept(by=outsider, application=application_a)
    application_a.refresh_from_db()
    assert application_a.status == ApplicationStatus.PENDING
    assert not Member.objects.exists()


def test_the_county_above_may_accept(people, application_a) -> None:
    accepted = services.application_accept(by=people["carol"], application=application_a)
    assert accepted.member is not None


def test_a_person_registered_meanwhile_is_not_made_twice(
    tree, people, application_a, make_member
) -> None:
    make_member(
        tree["b"],
        services.ApplicationData(
            name=application_a.name,
            id_number=application_a.id_number,
            phone=application_a.phone,
            category="employee",
        ),
    )
    with pytest.raises(DomainError) as caught:
        services.application_accept(by=people["alice"], application=application_a)
    assert caught.value.code == "member.already_registered"
    application_a.refresh_from_db()
    assert application_a.status == ApplicationStatus.PENDING
    assert Member.objects.count() == 1


# -- reject and withdraw -------------------------------------------------------------------


def test_rejecting_needs_a_reason(people, application_a) -> None:
    for reason in ("", "   "):
        with pytest.raises(DomainError) as caught:
            services.application_reject(
                by=people["alice"], application=application_a, reason=reason
            )
        assert caught.value.code == "joining.reason_required"
    application_a.refresh_from_db()
    assert application_a.status == ApplicationStatus.PENDING


def test_a_rejection_keeps_the_reason_and_is_audited(people, application_a) -> None:
    rejected = services.application_reject(
        by=people["alice"],
        application=application_a,
        reason="  您不在本单位工作，请向现单位工会申请 ",
    )
    assert rejected.status == ApplicationStatus.REJECTED
    assert rejected.reason == "您不在本单位工作，请向现单位工会申请"
    entry = AuditEntry.objects.get(action="joining.application.rejected")
    assert entry.changes["reason"] == rejected.reason
    assert not Member.objects.exists()
    with pytest.raises(DomainError) as caught:
        services.application_accept(by=people["alice"], application=application_a)
    assert caught.value.code == "joining.transition_invalid"


def test_rejecting_needs_members_change(people, application_a) -> None:
    with pytest.raises(Forbidden):
        services.application_reject(by=people["bob"], application=application_a, reason="不是")


def test_withdrawing_needs_the_last_four_or_the_applicants_account(tree, people) -> None:
    data = person(20)
    application = submit_person(data, tree["a"], applicant=people["member"])
    with pytest.raises(NotFound):
        services.application_withdraw(application=application, id_last4="0000")
    with pytest.raises(NotFound):
        services.application_withdraw(application=application, applicant=people["bob"])
    withdrawn = services.application_withdraw(application=application, applicant=people["member"])
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    assert AuditEntry.objects.filter(action="joining.application.withdrawn").count() == 1


def test_a_decided_application_cannot_be_withdrawn(tree, people, application_a) -> None:
    services.application_accept(by=people["alice"], application=application_a)
    with pytest.raises(DomainError) as caught:
        services.application_withdraw(
            application=application_a, id_last4=application_a.id_number[-4:]
        )
    assert caught.value.code == "joining.transition_invalid"
