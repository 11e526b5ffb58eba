"""Helpers for the member tests: fictitious people, members made through the service, and
roster files written the way grassroots unions write them (xlsx, csv in UTF-8 or GB18030)."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.db import connection
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import User
from gonghui.conftest import make_user
from gonghui.core import bulk
from gonghui.members import services
from gonghui.members.demo import people as demo_people
from gonghui.members.models import Member
from gonghui.orgs.models import Union

HEADER = ["姓名", "性别", "身份证号", "手机号码", "民族", "学历", "入会日期", "职工类别"]


def fake_people(count: int, seed: int = 7) -> list[dict[str, Any]]:
    return list(demo_people(random.Random(seed), count))


def roster_row(person: dict[str, Any]) -> list[Any]:
    """A person as a roster row under HEADER, the way an officer types it."""
    return [
        person["name"],
        "男" if person["gender"] == "M" else "女",
        person["id_number"],
        person["phone"],
        person["ethnicity"],
        {"junior": "初中", "senior": "高中", "college": "大专", "bachelor": "本科"}.get(
            person["education"], "硕士" if person["education"] == "master" else ""
        ),
        person["join_date"].isoformat(),
        {"employee": "职工", "migrant": "农民工", "courier": "快递员"}.get(
            person["category"], "外卖骑手"
        ),
    ]


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[str] | None = HEADER,
    title: str | None = None,
    blank_rows_after: int = 0,
) -> Path:
    """Write a roster: an optional merged title row (and a blank row) above the header; dates
    as real date cells, numbers as numbers, everything else as text."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("名册")
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    text = workbook.add_format({"num_format": "@"})
    line = 0
    if title is not None:
        sheet.merge_range(0, 0, 0, max(len(header or HEADER) - 1, 1), title)
        line = 2
    if header is not None:
        sheet.write_row(line, 0, list(header))
        line += 1
    for row in rows:
        for col, value in enumerate(row):
            if isinstance(value, (date, datetime)):
                sheet.write_datetime(line, col, value, day)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(line, col, value)
            elif value is not None:
                sheet.write_string(line, col, str(value))
        line += 1
    for _ in range(blank_rows_after):
        sheet.write_blank(line, 0, None, text)
        sheet.write_blank(line, 2, None, text)
        line += 1
    workbook.close()
    return path


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    encoding: str = "utf-8",
    header: Sequence[str] = HEADER,
) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_xlsx(path: Path | str) -> list[list[Any]]:
    return list(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())


def read_xlsx_bytes(content: bytes, tmp_path: Path) -> list[list[Any]]:
    target = tmp_path / "downloaded.xlsx"
    target.write_bytes(content)
    return read_xlsx(target)


@pytest.fixture
def registrar(tree: dict[str, Union]) -> User:
    """Keeps the city's whole roster (members.* at the root), for arranging data anywhere."""
    return make_user("registrar", assignments=[(tree["city"], "county_staff", None)])


@pytest.fixture
def leader(tree: dict[str, Union]) -> User:
    """May look at union A's members but not reveal, change, import or export them."""
    return make_user("leader", assignments=[(tree["a"], "leader", None)])


MakeMember = Callable[..., Member]


@pytest.fixture
def make_member(registrar: User) -> Iterator[MakeMember]:
    seeds = iter(range(1000, 100000))

    def make(union: Union, **fields: Any) -> Member:
        person = fake_people(1, seed=next(seeds))[0]
        values = {
            key: person[key]
            for key in ("name", "id_number", "phone", "ethnicity", "education", "category")
        }
        values["join_date"] = person["join_date"]
        values |= fields
        return services.member_create(by=registrar, union=union, data=services.MemberData(**values))

    yield make


@pytest.fixture
def member_a(make_member: MakeMember, tree: dict[str, Union]) -> Member:
    return make_member(tree["a"], name="张三", phone="13812345678", category="courier")


@pytest.fixture
def member_b(make_member: MakeMember, tree: dict[str, Union]) -> Member:
    return make_member(tree["b"], name="张三丰", phone="13987654321")


# -- a first load: the search indexes built once the rows are in ------------------------------


def member_indexes() -> set[str]:
    """The members' table's indexes and unique constraints as they are now."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Member._meta.db_table)
    return {name for name, facts in found.items() if facts["index"] or facts["unique"]}


@pytest.fixture
def first_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any roster counts as a first load, and the wait for the table's readers is short."""
    monkeypatch.setattr(bulk, "INDEX_AFTER_MIN_ROWS", 0)
    monkeypatch.setattr(bulk, "LOCK_WAIT", "200ms")
