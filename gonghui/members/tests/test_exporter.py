"""Roster export: masked unless revealed, formulas neutralised, audited, within the exporter's
scope; through the service and through `manage.py export_members`."""

from __future__ import annotations

import csv
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from gonghui.audit.models import AuditEntry
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.excel import neutralise
from gonghui.members.exporter import HEADERS, export_members
from gonghui.members.models import Member
from gonghui.members.tests.conftest import read_xlsx

pytestmark = pytest.mark.django_db

MASKED_ID = re.compile(r"^\d{3}\*{11}[\dX]{4}$")
MASKED_PHONE = re.compile(r"^1\d{2}\*{4}\d{4}$")
ID_COL, PHONE_COL, NAME_COL = HEADERS.index("身份证号"), HEADERS.index("手机号码"), 1


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture
def roster_a(make_member, tree) -> list[Member]:
    return [make_member(tree["a"]) for _ in range(3)]


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_export_is_masked_by_default(tmp_path, people, tree, roster_a, suffix) -> None:
    path = tmp_path / f"out.{suffix}"
    count = export_members(by=people["alice"], union=tree["a"], path=path)
    rows = read_xlsx(path) if suffix == "xlsx" else read_csv(path)
    assert count == 3
    assert rows[0] == HEADERS
    assert len(rows) == 4
    for row in rows[1:]:
        assert MASKED_ID.match(row[ID_COL]), row[ID_COL]
        assert MASKED_PHONE.match(row[PHONE_COL]), row[PHONE_COL]
    content = path.read_bytes()
    for member in roster_a:
        assert member.id_number.encode() not in content
        assert member.phone.encode() not in content
    exported = {row[0]: row for row in rows[1:]}
    first = roster_a[0]
    assert exported[first.member_no][NAME_COL] == first.name
    assert exported[first.member_no][ID_COL] == (
        first.id_number[:3] + "*" * 11 + first.id_number[-4:]
    )


def test_reveal_exports_full_values(tmp_path, people, tree, roster_a) -> None:
    path = tmp_path / "out.xlsx"
    export_members(by=people["alice"], union=tree["a"], path=path, reveal=True)
    rows = {row[0]: row for row in read_xlsx(path)[1:]}
    for member in roster_a:
        assert rows[member.member_no][ID_COL] == member.id_number
        assert rows[member.member_no][PHONE_COL] == member.phone


def test_every_export_is_audited(tmp_path, people, tree, roster_a) -> None:
    export_members(by=people["alice"], union=tree["a"], path=tmp_path / "a.xlsx")
    export_members(by=people["alice"], union=tree["a"], path=tmp_path / "b.csv", reveal=True)
    entries = AuditEntry.objects.filter(action="members.exported").order_by("id")
    assert [(e.actor, e.changes) for e in entries] == [
        (people["alice"], {"rows": 3, "revealed": False, "format": "xlsx"}),
        (people["alice"], {"rows": 3, "revealed": True, "format": "csv"}),
    ]
    assert entries[0].union_path == tree["a"].path


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_formulas_in_old_records_are_neutralised(tmp_path, people, tree, roster_a, suffix) -> None:
    """Names are validated now, but records from before may hold anything."""
    Member.objects.filter(pk=roster_a[0].pk).update(
        name='=HYPERLINK("http://evil.example","点我")', ethnicity="@SUM(1+1)"
    )
    path = tmp_path / f"out.{suffix}"
    export_members(by=people["alice"], union=tree["a"], path=path)
    rows = read_xlsx(path) if suffix == "xlsx" else read_csv(path)
    row = next(r for r in rows if r[0] == roster_a[0].member_no)
    assert row[NAME_COL] == '\'=HYPERLINK("http://evil.example","点我")'
    assert row[HEADERS.index("民族")] == "'@SUM(1+1)"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\x00x", "'\x00x"),
        ("  =1", "'  =1"),
        ("张三\n=cmd", "张三\n'=cmd"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        (42, 42),
    ],
)
def test_the_writer_neutralises_every_formula_start(cell, expected) -> None:
    assert neutralise(cell) == expected


def test_a_county_exports_its_whole_subtree_only(
    tmp_path, people, tree, roster_a, member_b
) -> None:
    path = tmp_path / "out.xlsx"
    assert export_members(by=people["carol"], union=tree["county_a"], path=path) == 3
    numbers = {row[0] for row in read_xlsx(path)[1:]}
    assert numbers == {m.member_no for m in roster_a}


def test_an_officer_cannot_export_another_union(tmp_path, people, tree, member_b) -> None:
    with pytest.raises(Forbidden):
        export_members(by=people["alice"], union=tree["b"], path=tmp_path / "out.xlsx")
    with pytest.raises(Forbidden):
        export_members(by=people["alice"], union=tree["county_a"], path=tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
    assert not AuditEntry.objects.filter(action="members.exported").exists()


def test_reveal_needs_the_reveal_permission(tmp_path, people, tree, leader) -> None:
    with pytest.raises(Forbidden):
        export_members(by=leader, union=tree["a"], path=tmp_path / "out.xlsx")


def test_only_xlsx_or_csv(tmp_path, people, tree) -> None:
    with pytest.raises(DomainError) as caught:
        export_members(by=people["alice"], union=tree["a"], path=tmp_path / "out.txt")
    assert caught.value.code == "file.unsupported"


# -- the command ---------------------------------------------------------------------------


def test_the_command_exports_masked(tmp_path, tree, roster_a) -> None:
    path = tmp_path / "out.csv"
    out = StringIO()
    call_command("export_members", str(path), "--union", "ua", "--json", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == f'{{"rows": 3, "file": "{path}"}}'
    rows = read_csv(path)
    assert all(MASKED_ID.match(r[ID_COL]) for r in rows[1:])
    entry = AuditEntry.objects.get(action="members.exported")
    assert (entry.actor_id, entry.actor_label, entry.changes["revealed"]) == (None, "system", False)


def test_the_command_reveals_when_asked(tmp_path, tree, roster_a) -> None:
    path = tmp_path / "out.xlsx"
    call_command("export_members", str(path), "--union", "UA", "--reveal", stdout=StringIO())
    assert {r[ID_COL] for r in read_xlsx(path)[1:]} == {m.id_number for m in roster_a}
    assert AuditEntry.objects.get(action="members.exported").changes["revealed"] is True
