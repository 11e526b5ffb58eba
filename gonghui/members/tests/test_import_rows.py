"""The roster import writes new members' columns itself (a tuple a row, for speed): what it
stores must be what services.member_row gives for the same person."""

from __future__ import annotations

import pytest

from gonghui.members import services
from gonghui.members.importer import MEMBER_COLUMNS, import_members
from gonghui.members.models import Member
from gonghui.members.tests.conftest import fake_people, roster_row, write_xlsx

pytestmark = pytest.mark.django_db


def test_an_imported_member_is_stored_as_member_row_builds_it(tmp_path, tree) -> None:
    people = fake_people(3)
    path = write_xlsx(tmp_path / "r.xlsx", [roster_row(p) for p in people])

    summary = import_members(by=None, path=path, union=tree["a"])

    assert summary.created == 3
    for person in people:
        stored = Member.objects.get(id_index=services.id_index(person["id_number"]))
        data = services.validate(
            services.MemberData(
                **{
                    k: person[k]
                    for k in ("name", "id_number", "phone", "ethnicity", "education", "category")
                },
                join_date=person["join_date"],
            )
        )
        expected = services.member_row(data, tree["a"].pk, stored.member_no)
        assert {c: getattr(stored, c) for c in MEMBER_COLUMNS} == expected
