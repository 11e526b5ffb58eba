"""Writes on members: registering, numbering, editing, leaving, revealing, and what happens to
members when their union is closed or merged."""

from __future__ import annotations

import json
import random
from datetime import date
from typing import Any

import pytest
from django.db import connection

from gonghui.audit.models import AuditEntry
from gonghui.core import idnumbers
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.masking import mask_id_number
from gonghui.members import services
from gonghui.members.models import Member, MemberEvent, MemberStatus
from gonghui.members.tests.conftest import MakeMember, fake_people
from gonghui.orgs.services import union_close, union_create, union_merge

pytestmark = pytest.mark.django_db


def _data(**fields: Any) -> services.MemberData:
    person = fake_people(1, seed=fields.pop("seed", 1))[0]
    values = {k: person[k] for k in ("name", "id_number", "phone", "ethnicity", "category")}
    return services.MemberData(**(values | fields))


# -- registering ---------------------------------------------------------------------------


def test_create_reads_gender_and_birth_date_from_the_id(people, tree) -> None:
    id_number = idnumbers.generate(random.Random(3), "410102", date(1990, 5, 17), "F")
    member = services.member_create(
        by=people["alice"], union=tree["a"], data=_data(name="李娜", id_number=id_number)
    )
    member.refresh_from_db()
    assert (member.gender, member.birth_date) == ("F", date(1990, 5, 17))
    assert (member.name_pinyin, member.name_initials) == ("lina", "ln")
    assert member.id_last4 == id_number[-4:]
    assert member.status == MemberStatus.ACTIVE
    assert member.join_date is not None


def test_create_stores_id_and_phone_encrypted(people, tree) -> None:
    data = _data(phone="13812345678")
    member = services.member_create(by=people["alice"], union=tree["a"], data=data)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_member WHERE id = %s", [member.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert member.id_number not in stored_id
    assert "13812345678" not in stored_phone
    assert Member.objects.get(pk=member.pk).id_number == member.id_number


def test_create_refuses_a_gender_that_contradicts_the_id(people, tree) -> None:
    id_number = idnumbers.generate(random.Random(3), "410102", date(1990, 5, 17), "F")
    with pytest.raises(DomainError) as caught:
        services.member_create(
            by=people["alice"], union=tree["a"], data=_data(id_number=id_number, gender="M")
        )
    assert caught.value.code == "member.gender_mismatch"


def test_create_refuses_a_person_registered_in_any_union(people, tree) -> None:
    first = services.member_create(by=people["alice"], union=tree["a"], data=_data())
    with pytest.raises(DomainError) as caught:
        services.member_create(by=people["bob"], union=tree["b"], data=_data())
    assert caught.value.code == "member.already_registered"
    assert caught.value.details == {"member_no": first.member_no}


def test_the_old_15_digit_number_is_the_same_person(people, tree) -> None:
    id18 = idnumbers.generate(random.Random(5), "410102", date(1968, 2, 29), "M")
    services.member_create(by=people["alice"], union=tree["a"], data=_data(id_number=id18))
    id15 = id18[:6] + id18[8:17]
    with pytest.raises(DomainError) as caught:
        services.member_create(by=people["bob"], union=tree["b"], data=_data(id_number=id15))
    assert caught.value.code == "member.already_registered"


def test_create_refuses_a_closed_union(people, tree) -> None:
    union_close(by=people["carol"], union=tree["a"], reason="企业注销")
    tree["a"].refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.member_create(by=people["carol"], union=tree["a"], data=_data())
    assert caught.value.code == "member.union_invalid"


def test_create_refuses_the_city_federation_itself(registrar, tree) -> None:
    with pytest.raises(DomainError) as caught:
        services.member_create(by=registrar, union=tree["city"], data=_data())
    assert caught.value.code == "member.union_invalid"


def test_create_refuses_an_unknown_ethnicity(people, tree) -> None:
    with pytest.raises(DomainError) as caught:
        services.member_create(by=people["alice"], union=tree["a"], data=_data(ethnicity="火星族"))
    assert caught.value.code == "member.ethnicity_invalid"
    assert not Member.objects.exists()


def test_create_needs_members_change_on_the_union(people, tree) -> None:
    with pytest.raises(Forbidden):
        services.member_create(by=people["bob"], union=tree["a"], data=_data())
    with pytest.raises(Forbidden):
        services.member_create(by=people["sysadmin"], union=tree["a"], data=_data())


def test_create_is_audited_with_masked_values(people, tree) -> None:
    member = services.member_create(
        by=people["alice"], union=tree["a"], data=_data(phone="13812345678")
    )
    entry = AuditEntry.objects.get(action="members.member.created")
    assert entry.actor == people["alice"]
    assert entry.union_path == "/CITY/CA/UA/"
    text = json.dumps(entry.changes, ensure_ascii=False)
    assert member.id_number not in text
    assert "13812345678" not in text
    assert entry.changes["phone"] == ["", "138****5678"]
    assert entry.changes["id_number"] == ["", mask_id_number(member.id_number)]
    assert MemberEvent.objects.filter(member=member, kind="members.member.created").exists()


# -- member numbers ------------------------------------------------------------------------


def test_member_numbers_are_never_reused(people, tree, make_member: MakeMember) -> None:
    first = make_member(tree["a"])
    services.member_leave(by=people["alice"], member=first, reason="调离")
    second = make_member(tree["a"])
    assert second.member_no > first.member_no
    third = make_member(tree["b"])
    assert len({first.member_no, second.member_no, third.member_no}) == 3
    assert third.member_no > second.member_no


def test_numbers_are_allocated_in_consecutive_blocks(db) -> None:
    first = services.allocate_numbers(3)
    second = services.allocate_numbers(2)
    assert first == ["M000000001", "M000000002", "M000000003"]
    assert second == ["M000000004", "M000000005"]
    assert services.allocate_numbers(0) == []


# -- editing -------------------------------------------------------------------------------


def test_update_writes_only_the_fields_that_changed(people, member_a) -> None:
    services.member_update(
        by=people["alice"],
        member=member_a,
        values={"name": member_a.name, "phone": "139 0000 1111", "ethnicity": member_a.ethnicity},
    )
    event = MemberEvent.objects.get(member=member_a, kind="members.member.updated")
    assert event.changes == {"phone": ["138****5678", "139****1111"]}
    assert event.by == people["alice"]
    entry = AuditEntry.objects.get(action="members.member.updated")
    assert entry.changes == {"phone": ["138****5678", "139****1111"]}
    assert entry.actor == people["alice"]
    member_a.refresh_from_db()
    assert member_a.phone == "13900001111"
    assert member_a.phone_last4 == "1111"
    assert member_a.phone_index == services.phone_index("13900001111")


def test_update_with_nothing_changed_records_nothing(people, member_a) -> None:
    services.member_update(
        by=people["alice"], member=member_a, values={"name": member_a.name, "phone": "13812345678"}
    )
    assert not MemberEvent.objects.filter(kind="members.member.updated").exists()
    assert not AuditEntry.objects.filter(action="members.member.updated").exists()


def test_update_of_the_name_refreshes_the_pinyin(people, member_a) -> None:
    updated = services.member_update(by=people["alice"], member=member_a, values={"name": "欧阳修"})
    assert (updated.name_pinyin, updated.name_initials) == ("ouyangxiu", "oyx")


def test_update_of_the_join_date_is_recorded(people, member_a) -> None:
    services.member_update(
        by=people["alice"], member=member_a, values={"join_date": date(2019, 3, 1)}
    )
    event = MemberEvent.objects.get(member=member_a, kind="members.member.updated")
    assert event.changes["join_date"][1] == "2019-03-01"
    member_a.refresh_from_db()
    assert member_a.join_date == date(2019, 3, 1)


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"id_number": "110101199003077777"}, "member.field_readonly"),
        ({"union": "UB"}, "member.field_readonly"),
        ({"phone": "010-12345678"}, "member.phone_invalid"),
        ({"ethnicity": "火星族"}, "member.ethnicity_invalid"),
        ({"education": "博士后"}, "member.education_invalid"),
        ({"category": "astronaut"}, "member.category_invalid"),
        ({"category": None}, "member.category_invalid"),
        ({"name": None}, "member.name_required"),
        ({"join_date": date(2999, 1, 1)}, "member.join_date_future"),
    ],
)
def test_update_refuses_bad_values(people, member_a, values: dict[str, Any], code: str) -> None:
    with pytest.raises(DomainError) as caught:
        services.member_update(by=people["alice"], member=member_a, values=values)
    assert caught.value.code == code


def test_update_accepts_list_labels_and_values(people, member_a) -> None:
    updated = services.member_update(
        by=people["alice"],
        member=member_a,
        values={"education": "本科", "category": "rider", "ethnicity": "回"},
    )
    assert (updated.education, updated.category, updated.ethnicity) == ("bachelor", "rider", "回族")


def test_update_by_an_outsider_is_forbidden(people, member_a) -> None:
    with pytest.raises(Forbidden):
        services.member_update(by=people["bob"], member=member_a, values={"name": "李四"})


# -- leaving, 保留会籍, coming back --------------------------------------------------------


def test_leave_needs_a_reason(people, member_a) -> None:
    with pytest.raises(DomainError) as caught:
        services.member_leave(by=people["alice"], member=member_a, reason="  ")
    assert caught.value.code == "member.reason_required"
    member_a.refresh_from_db()
    assert member_a.status == MemberStatus.ACTIVE


def test_leave_retain_and_reactivate_are_recorded(people, member_a) -> None:
    alice = people["alice"]
    services.member_retain(by=alice, member=member_a, reason="下岗")
    services.member_leave(by=alice, member=member_a, reason="本人申请")
    services.member_reactivate(by=alice, member=member_a)
    member_a.refresh_from_db()
    assert member_a.status == MemberStatus.ACTIVE
    kinds = list(
        MemberEvent.objects.filter(member=member_a).order_by("id").values_list("kind", "changes")
    )
    assert kinds[1:] == [
        ("members.member.retained", {"status": ["active", "retained"], "reason": "下岗"}),
        ("members.member.left", {"status": ["retained", "left"], "reason": "本人申请"}),
        ("members.member.reactivated", {"status": ["left", "active"]}),
    ]
    assert AuditEntry.objects.filter(action="members.member.left", actor=alice).exists()


def test_a_member_who_left_cannot_be_retained(people, member_a) -> None:
    services.member_leave(by=people["alice"], member=member_a, reason="本人申请")
    with pytest.raises(DomainError) as caught:
        services.member_retain(by=people["alice"], member=member_a, reason="x")
    assert caught.value.code == "member.transition_invalid"


def test_an_active_member_cannot_be_reactivated(people, member_a) -> None:
    with pytest.raises(DomainError) as caught:
        services.member_reactivate(by=people["alice"], member=member_a)
    assert caught.value.code == "member.transition_invalid"


# -- revealing -----------------------------------------------------------------------------


def test_reveal_gives_the_full_number_and_is_audited(people, member_a) -> None:
    value = services.member_reveal(by=people["alice"], member=member_a, field_name="id_number")
    assert value == member_a.id_number
    entry = AuditEntry.objects.get(action="members.member.revealed")
    assert entry.actor == people["alice"]
    assert entry.changes == {"field": "id_number"}
    assert entry.union_path == member_a.union.path


def test_reveal_of_the_phone(people, member_a) -> None:
    assert services.member_reveal(by=people["carol"], member=member_a, field_name="phone") == (
        "13812345678"
    )


def test_reveal_needs_the_reveal_permission(people, leader, member_a) -> None:
    for user in (leader, people["bob"], people["sysadmin"], people["auditor"]):
        with pytest.raises(Forbidden):
            services.member_reveal(by=user, member=member_a, field_name="id_number")
    assert not AuditEntry.objects.filter(action="members.member.revealed").exists()


def test_reveal_only_of_protected_fields(people, member_a) -> None:
    with pytest.raises(DomainError) as caught:
        services.member_reveal(by=people["alice"], member=member_a, field_name="name")
    assert caught.value.code == "member.field_invalid"


# -- the union tree ------------------------------------------------------------------------


def test_a_union_with_members_cannot_be_closed(people, tree, member_a) -> None:
    with pytest.raises(DomainError) as caught:
        union_close(by=people["carol"], union=tree["a"], reason="企业注销")
    assert caught.value.code == "org.has_members"
    assert caught.value.details == {"members": 1}
    services.member_leave(by=people["alice"], member=member_a, reason="企业注销")
    union_close(by=people["carol"], union=tree["a"], reason="企业注销")


def test_merging_a_union_moves_its_members(people, tree, make_member: MakeMember) -> None:
    carol = people["carol"]
    small = union_create(
        by=carol, code="UA2", name="甲厂二分厂工会", kind="grassroots", parent=tree["county_a"]
    )
    moved = [make_member(small), make_member(small)]
    stays = make_member(tree["a"])
    union_merge(by=carol, source=small, target=tree["a"])
    assert set(Member.objects.filter(union=tree["a"]).values_list("pk", flat=True)) == {
        moved[0].pk,
        moved[1].pk,
        stays.pk,
    }
    entry = AuditEntry.objects.get(action="members.union_merged")
    assert entry.changes == {"from": "UA2", "to": "UA", "members": 2}
    event = MemberEvent.objects.get(member=moved[0], kind="members.union_merged")
    assert event.changes == {"union": ["UA2", "UA"]}


def test_merging_a_union_redirects_transfers_waiting_for_it(
    people, tree, member_b, make_member: MakeMember
) -> None:
    carol = people["carol"]
    small = union_create(
        by=carol, code="UA2", name="甲厂二分厂工会", kind="grassroots", parent=tree["county_a"]
    )
    transfer = services.transfer_request(by=people["bob"], member=member_b, to_union=small)
    union_merge(by=carol, source=small, target=tree["a"])
    transfer.refresh_from_db()
    assert transfer.to_union == tree["a"]
    services.transfer_decide(by=people["alice"], transfer=transfer, accept=True)
    member_b.refresh_from_db()
    assert member_b.union == tree["a"]


def test_program_flag_is_set_once_and_recorded(member_a: Member, people: dict[str, Any]) -> None:
    for _ in range(2):
        services.member_flag_set(
            by=people["carol"], member=member_a, flag="is_hardship", value=True, reason="建档"
        )
    member_a.refresh_from_db()
    assert member_a.is_hardship
    events = MemberEvent.objects.filter(member=member_a, kind="members.member.flag_set")
    assert events.count() == 1
    with pytest.raises(DomainError):
        services.member_flag_set(
            by=people["carol"], member=member_a, flag="status", value=True, reason="x"
        )
