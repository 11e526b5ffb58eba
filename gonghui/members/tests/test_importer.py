"""Roster import through the code the command and the page share: messy cells, all or nothing,
duplicates, updates, transfers, the error report and the scope of the importing officer."""

from __future__ import annotations

import gc
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.audit.models import AuditEntry
from gonghui.core import bulk, forked, idnumbers
from gonghui.core.errors import DomainError, Forbidden
from gonghui.members import importer, services
from gonghui.members.importer import RosterImport, import_members, write_error_report
from gonghui.members.models import Member, MemberEvent, MemberStatus, Transfer
from gonghui.members.tests.conftest import (
    HEADER,
    fake_people,
    member_indexes,
    read_xlsx,
    roster_row,
    write_csv,
    write_xlsx,
)
from gonghui.orgs.models import Union
from gonghui.orgs.services import union_create

pytestmark = pytest.mark.django_db

ID_COL = HEADER.index("身份证号")


@pytest.fixture(autouse=True, params=["one process", "forked parser"])
def parser_process(request, monkeypatch) -> str:
    """Every import test runs twice: parsing in the importing process, and (as a large file
    would) in a forked one. Both must give the same results, errors and writes."""
    if request.param == "forked parser":
        if not forked.can_fork():
            pytest.skip("needs the fork start method")
        monkeypatch.setattr(importer, "PARALLEL_MIN_ROWS", 0)
    else:
        monkeypatch.setattr(importer, "PARALLEL_MIN_ROWS", 10**9)
    return str(request.param)


def run(path: Path, union: Union, **options: Any) -> Any:
    return import_members(by=options.pop("by", None), path=path, union=union, **options)


def rows_for(people: list[dict[str, Any]]) -> list[list[Any]]:
    return [roster_row(p) for p in people]


def test_a_clean_roster_is_imported(tmp_path, tree) -> None:
    people = fake_people(5)
    summary = run(write_xlsx(tmp_path / "r.xlsx", rows_for(people)), tree["a"])
    assert (summary.rows, summary.created, summary.errors, summary.written) == (5, 5, 0, True)
    first = Member.objects.get(id_index=services.id_index(people[0]["id_number"]))
    assert first.union == tree["a"]
    assert first.name == people[0]["name"]
    assert first.birth_date == people[0]["birth_date"]
    assert first.join_date == people[0]["join_date"]
    assert first.phone == people[0]["phone"]
    assert first.status == MemberStatus.ACTIVE
    numbers = sorted(Member.objects.values_list("member_no", flat=True))
    assert len(set(numbers)) == 5
    entry = AuditEntry.objects.get(action="members.import.created")
    assert sorted(entry.changes["member_nos"]) == numbers
    assert entry.union_path == tree["a"].path


# -- messy cells, one kind at a time ---------------------------------------------------------

PERSON = fake_people(1, seed=99)[0]
ID18 = PERSON["id_number"]
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _with_x() -> str:
    """A fictitious number whose check character is X."""
    rng = random.Random(0)
    while True:
        number = idnumbers.generate(rng, "410102", date(1985, 6, 1), "M")
        if number.endswith("X"):
            return number


ID_X = _with_x()


@pytest.mark.parametrize(
    ("column", "cell", "field", "expected"),
    [
        ("入会日期", 43525, "join_date", date(2019, 3, 1)),  # Excel serial without a format
        ("入会日期", date(2019, 3, 1), "join_date", date(2019, 3, 1)),  # a real date cell
        ("入会日期", "2019/3/1", "join_date", date(2019, 3, 1)),
        ("入会日期", "2019.03.01", "join_date", date(2019, 3, 1)),
        ("入会日期", "2019年3月1日", "join_date", date(2019, 3, 1)),
        ("身份证号", ID18.translate(FULLWIDTH), "id_number", ID18),
        ("身份证号", f"{ID18[:6]} {ID18[6:14]} {ID18[14:]}", "id_number", ID18),
        ("身份证号", ID_X.lower(), "id_number", ID_X),
        ("手机号码", 13812345678, "phone", "13812345678"),  # a number cell
        ("手机号码", "+86 138 1234 5678", "phone", "13812345678"),
        ("手机号码", "１３８１２３４５６７８", "phone", "13812345678"),
        ("姓名", " 张 三 ", "name", "张三"),
        ("民族", "回", "ethnicity", "回族"),
        ("学历", "大学本科", "education", "bachelor"),
        ("职工类别", "快递小哥", "category", "courier"),
        ("性别", "", "gender", PERSON["gender"]),
    ],
)
def test_messy_cells_are_read(tmp_path, tree, column, cell, field, expected) -> None:
    row = roster_row(PERSON)
    if column == "身份证号" and cell is not None:
        row[HEADER.index("性别")] = ""  # the gender of ID_X need not match PERSON
    row[HEADER.index(column)] = cell
    summary = run(write_xlsx(tmp_path / "r.xlsx", [row]), tree["a"])
    assert summary.errors == 0, summary.error_rows
    member = Member.objects.get()
    assert getattr(member, field) == expected


def test_a_15_digit_id_is_upgraded_to_18(tmp_path, tree) -> None:
    id18 = idnumbers.generate(random.Random(8), "410102", date(1970, 7, 1), "F")
    id15 = id18[:6] + id18[8:17]
    row = roster_row(PERSON)
    row[ID_COL], row[HEADER.index("性别")] = id15, "女"
    run(write_xlsx(tmp_path / "r.xlsx", [row]), tree["a"])
    member = Member.objects.get()
    assert (member.id_number, member.birth_date, member.gender) == (id18, date(1970, 7, 1), "F")


def test_a_15_digit_id_stored_as_a_number_keeps_every_digit(tmp_path, tree) -> None:
    id18 = idnumbers.generate(random.Random(8), "410102", date(1970, 7, 1), "F")
    row = roster_row(PERSON)
    row[ID_COL], row[HEADER.index("性别")] = int(id18[:6] + id18[8:17]), "女"
    summary = run(write_xlsx(tmp_path / "r.xlsx", [row]), tree["a"])
    assert summary.errors == 0, summary.error_rows
    assert Member.objects.get().id_number == id18


def test_an_18_digit_id_stored_as_a_number_is_an_error_not_a_corruption(tmp_path, tree) -> None:
    row = roster_row(PERSON)
    row[ID_COL] = 4.10102199e17
    summary = run(write_xlsx(tmp_path / "r.xlsx", [row]), tree["a"], skip_invalid=True)
    assert summary.errors == 1
    error = summary.error_rows[0]
    assert (error.row, error.column, error.code) == (2, "身份证号", "idnumber.float")
    assert "科学计数法" in error.reason
    assert not Member.objects.exists()


def test_blank_trailing_rows_are_not_rows(tmp_path, tree) -> None:
    rows = [*rows_for(fake_people(3)), ["", "", "", "", "", "", "", ""], ["  ", "", "\u3000"]]
    path = write_xlsx(tmp_path / "r.xlsx", rows, blank_rows_after=20)
    summary = run(path, tree["a"])
    assert (summary.rows, summary.created, summary.errors) == (3, 3, 0)


def test_title_rows_above_the_header_are_skipped(tmp_path, tree) -> None:
    rows = rows_for(fake_people(3))
    rows[1][ID_COL] = rows[1][ID_COL][:-1] + ("0" if rows[1][ID_COL][-1] != "0" else "1")
    path = write_xlsx(tmp_path / "r.xlsx", rows, title="甲厂工会会员名册（2026年）")
    summary = run(path, tree["a"])
    # Title on row 1, a blank row 2, the header on row 3: the bad row is sheet row 5.
    assert [(e.row, e.column, e.code) for e in summary.error_rows] == [
        (5, "身份证号", "idnumber.check_digit")
    ]


def test_header_names_are_matched_tolerantly(tmp_path, tree) -> None:
    header = ["序号", "姓名*", "公民身份号码", "手机", "文化程度", "入会时间", "人员类别"]
    person = fake_people(1)[0]
    row = [1, person["name"], person["id_number"], person["phone"], "本科", "2019/3/1", "骑手"]
    summary = run(write_xlsx(tmp_path / "r.xlsx", [row], header=header), tree["a"])
    assert summary.errors == 0, summary.error_rows
    member = Member.objects.get()
    assert (member.education, member.category, member.join_date) == (
        "bachelor",
        "rider",
        date(2019, 3, 1),
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_or_gb18030(tmp_path, tree, encoding) -> None:
    people = fake_people(4)
    path = write_csv(tmp_path / "r.csv", rows_for(people), encoding=encoding)
    summary = run(path, tree["a"])
    assert (summary.created, summary.errors) == (4, 0)
    assert set(Member.objects.values_list("name", flat=True)) == {p["name"] for p in people}


# -- row errors ------------------------------------------------------------------------------


def _spoil(row: list[Any]) -> list[Any]:
    """The same row with a wrong check character."""
    number = row[ID_COL]
    row[ID_COL] = number[:-1] + ("0" if number[-1] != "0" else "1")
    return row


def test_all_or_nothing_one_bad_row_writes_nothing(tmp_path, tree) -> None:
    rows = rows_for(fake_people(4))
    _spoil(rows[2])
    summary = run(write_xlsx(tmp_path / "r.xlsx", rows), tree["a"])
    assert (summary.rows, summary.errors, summary.written, summary.created) == (4, 1, False, 0)
    error = summary.error_rows[0]
    assert (error.row, error.column) == (4, "身份证号")
    assert "校验位" in error.reason
    assert "*" in error.value  # the report shows the number masked
    assert not Member.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="members.").exists()


def test_skip_invalid_writes_the_valid_rows(tmp_path, tree) -> None:
    people = fake_people(4)
    rows = rows_for(people)
    _spoil(rows[2])
    summary = run(write_xlsx(tmp_path / "r.xlsx", rows), tree["a"], skip_invalid=True)
    assert (summary.errors, summary.written, summary.created) == (1, True, 3)
    assert Member.objects.count() == 3
    assert not Member.objects.filter(name=people[2]["name"], birth_date=people[2]["birth_date"])


# -- a first load: the search indexes built once the rows are in ------------------------------


def _sort_settings() -> list[object]:
    """The SQLite connection settings the rebuild changes for its sorts."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        return [
            cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "threads")
        ]


def _index_statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split(" ON ")[0] for q in queries if "INDEX" in q["sql"].split("(")[0]]


def _constraint_statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split(" (")[0] for q in queries if " CONSTRAINT " in q["sql"].split("(")[0]]


def test_a_first_load_has_its_indexes_built_after(tmp_path, tree, first_load) -> None:
    people = fake_people(4)
    settings = _sort_settings()
    keys = member_indexes()
    with CaptureQueriesContext(connection) as queries:
        summary = run(write_xlsx(tmp_path / "r.xlsx", rows_for(people)), tree["a"])
    assert (summary.created, summary.written) == (4, True)
    names = [index.name for index in Member._meta.indexes]
    assert _index_statements(queries) == [f'DROP INDEX "{n}"' for n in names] + [
        f'CREATE INDEX "{n}"' for n in names
    ]
    if connection.vendor == "sqlite":
        assert f"PRAGMA cache_size = -{bulk.SORT_CACHE_KIB}" in [q["sql"] for q in queries]
        assert _sort_settings() == settings  # the connection's own again
        assert _constraint_statements(queries) == []
    else:
        # Held alone, the table has its unique constraints checked once, at the end; and with
        # nobody in it, no row looks for the people already registered.
        uniques = ["members_member_account_id_key", "members_member_no", "members_one_person"]
        table = 'ALTER TABLE "members_member"'
        assert _constraint_statements(queries) == [
            *(f'{table} DROP CONSTRAINT "{n}"' for n in uniques),
            *(f'{table} ADD CONSTRAINT "{n}" UNIQUE' for n in uniques),
        ]
        assert not [q for q in queries if "unnest" in q["sql"]]
    assert member_indexes() == keys
    assert Member.objects.filter(name__startswith=people[0]["name"]).exists()


def test_a_failed_first_load_rolls_back_to_the_indexes_it_dropped(
    tmp_path, tree, first_load
) -> None:
    rows = rows_for(fake_people(4))
    _spoil(rows[2])
    keys = member_indexes()
    with CaptureQueriesContext(connection) as queries:
        summary = run(write_xlsx(tmp_path / "r.xlsx", rows), tree["a"])
    assert (summary.errors, summary.written) == (1, False)
    assert not any(s.startswith("CREATE") for s in _index_statements(queries))
    assert member_indexes() == keys
    assert not Member.objects.exists()


def test_a_roster_smaller_than_the_registry_keeps_the_indexes_up_row_by_row(
    tmp_path, tree, first_load
) -> None:
    run(write_xlsx(tmp_path / "first.xlsx", rows_for(fake_people(3, seed=1))), tree["a"])
    with CaptureQueriesContext(connection) as queries:
        summary = run(write_xlsx(tmp_path / "r.xlsx", rows_for(fake_people(2, seed=2))), tree["a"])
    assert (summary.created, summary.written) == (2, True)
    assert _index_statements(queries) == []


def test_a_load_that_doubles_a_registry_in_use_rebuilds_only_on_sqlite(
    tmp_path, tree, first_load
) -> None:
    """On PostgreSQL dropping the indexes would lock out the registry's readers until the commit:
    only an empty registry has nobody to lock out."""
    run(write_xlsx(tmp_path / "first.xlsx", rows_for(fake_people(2, seed=1))), tree["a"])
    keys = member_indexes()
    with CaptureQueriesContext(connection) as queries:
        summary = run(write_xlsx(tmp_path / "r.xlsx", rows_for(fake_people(3, seed=2))), tree["a"])
    assert (summary.created, summary.written) == (3, True)
    assert bool(_index_statements(queries)) == (connection.vendor == "sqlite")
    assert _constraint_statements(queries) == []
    assert member_indexes() == keys


def test_the_import_leaves_no_reference_cycles_for_the_paused_collector(tmp_path, tree) -> None:
    """The cycle collector is off during an import (core.bulk.collector_paused): that holds only
    while rows leave no cycles behind, or a million rows would pile them up."""
    path = write_xlsx(tmp_path / "r.xlsx", rows_for(fake_people(300)))
    gc.collect()
    gc.disable()
    try:
        summary = run(path, tree["a"])
        left = gc.collect()
    finally:
        gc.enable()
    assert summary.created == 300
    assert left < 300, f"{left} objects in reference cycles after 300 rows"


def test_dry_run_counts_but_writes_nothing(tmp_path, tree) -> None:
    summary = run(
        write_xlsx(tmp_path / "r.xlsx", rows_for(fake_people(4))), tree["a"], dry_run=True
    )
    assert (summary.created, summary.errors, summary.written) == (4, 0, False)
    assert not Member.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="members.").exists()


@pytest.mark.parametrize(
    ("column", "cell", "code"),
    [
        ("姓名", "", "member.name_required"),
        ("身份证号", "", "idnumber.empty"),
        ("身份证号", "41010219900101", "idnumber.format"),
        ("身份证号", "990102199001011234", "idnumber.region"),
        ("身份证号", "410102199002301234", "idnumber.birth_date"),
        ("手机号码", "010-12345678", "member.phone_invalid"),
        ("入会日期", "去年", "member.date_invalid"),
        ("入会日期", "2999-01-01", "member.join_date_future"),
        ("职工类别", "宇航员", "member.category_invalid"),
        ("民族", "火星族", "member.ethnicity_invalid"),
        ("学历", "幼儿园", "member.education_invalid"),
        ("性别", "未知", "member.gender_invalid"),
    ],
)
def test_each_bad_cell_is_reported_with_its_column(tmp_path, tree, column, cell, code) -> None:
    row = roster_row(PERSON)
    row[HEADER.index(column)] = cell
    summary = run(write_xlsx(tmp_path / "r.xlsx", [row]), tree["a"])
    assert [(e.row, e.column, e.code) for e in summary.error_rows] == [(2, column, code)]
    assert summary.error_rows[0].reason


def test_a_gender_that_contradicts_the_id_is_reported(tmp_path, tree) -> None:
    row = roster_row(PERSON)
    row[HEADER.index("性别")] = "女" if PERSON["gender"] == "M" else "男"
    summary = run(write_xlsx(tmp_path / "r.xlsx", [row]), tree["a"])
    assert [(e.column, e.code) for e in summary.error_rows] == [("性别", "member.gender_mismatch")]


def test_the_same_id_twice_reports_both_rows_and_writes_neither(tmp_path, tree) -> None:
    people = fake_people(3)
    twin = roster_row(people[0])
    twin[0] = "另一个名字"
    twin[ID_COL] = twin[ID_COL].lower() if twin[ID_COL].endswith("X") else " " + twin[ID_COL]
    rows = [*rows_for(people), twin]
    summary = run(write_xlsx(tmp_path / "r.xlsx", rows), tree["a"], skip_invalid=True)
    assert sorted((e.row, e.code) for e in summary.error_rows) == [
        (2, "member.duplicate_in_file"),
        (5, "member.duplicate_in_file"),
    ]
    assert "第 5 行" in summary.error_rows[0].reason or "第 5 行" in summary.error_rows[1].reason
    assert summary.created == 2
    assert not Member.objects.filter(id_index=services.id_index(people[0]["id_number"])).exists()


# -- people already registered ---------------------------------------------------------------


def test_a_member_of_this_union_is_updated_where_fields_changed(
    tmp_path, tree, make_member
) -> None:
    person = fake_people(1, seed=5)[0]
    member = make_member(
        tree["a"],
        name=person["name"],
        id_number=person["id_number"],
        phone="13812345678",
        category="courier",
        ethnicity="汉族",
    )
    header = ["姓名", "身份证号", "手机号码"]  # no 职工类别 or 民族: those must stay as they are
    path = write_xlsx(
        tmp_path / "r.xlsx", [[person["name"], person["id_number"], "13900001111"]], header=header
    )
    summary = run(path, tree["a"])
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    member.refresh_from_db()
    assert (member.phone, member.category, member.ethnicity) == ("13900001111", "courier", "汉族")
    event = MemberEvent.objects.get(member=member, kind="members.import.updated")
    assert event.changes == {"phone": ["138****5678", "139****1111"]}
    entry = AuditEntry.objects.get(action="members.import.updated")
    assert entry.changes == {"phone": ["138****5678", "139****1111"]}

    again = run(path, tree["a"])
    assert (again.updated, again.unchanged) == (0, 1)
    assert MemberEvent.objects.filter(kind="members.import.updated").count() == 1


def test_an_updated_join_date_is_recorded(tmp_path, tree, make_member) -> None:
    person = fake_people(1, seed=5)[0]
    member = make_member(tree["a"], name=person["name"], id_number=person["id_number"])
    path = write_xlsx(
        tmp_path / "r.xlsx",
        [[person["name"], person["id_number"], "2019/3/1"]],
        header=["姓名", "身份证号", "入会日期"],
    )
    summary = run(path, tree["a"])
    assert summary.updated == 1
    member.refresh_from_db()
    assert member.join_date == date(2019, 3, 1)
    event = MemberEvent.objects.get(member=member, kind="members.import.updated")
    assert event.changes["join_date"][1] == "2019-03-01"


def test_a_member_of_another_union_becomes_a_transfer_request(tmp_path, tree, member_b) -> None:
    row = [member_b.name, member_b.id_number]
    path = write_xlsx(tmp_path / "r.xlsx", [row], header=["姓名", "身份证号"])
    summary = run(path, tree["a"])
    assert (summary.created, summary.transfers, summary.errors) == (0, 1, 0)
    transfer = Transfer.objects.get()
    assert (transfer.from_union, transfer.to_union, transfer.status) == (
        tree["b"],
        tree["a"],
        "pending",
    )
    member_b.refresh_from_db()
    assert (member_b.union, member_b.status) == (tree["b"], MemberStatus.TRANSFERRING)
    assert Member.objects.count() == 1
    assert MemberEvent.objects.filter(member=member_b, kind="members.transfer.requested").exists()


def test_no_transfers_makes_it_a_row_error(tmp_path, tree, member_b) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx", [[member_b.name, member_b.id_number]], header=["姓名", "身份证号"]
    )
    summary = run(path, tree["a"], allow_transfers=False)
    assert [(e.row, e.code) for e in summary.error_rows] == [(2, "member.registered_elsewhere")]
    assert summary.written is False
    assert not Transfer.objects.exists()


def test_a_member_who_left_another_union_is_not_pulled_into_a_transfer(
    tmp_path, tree, people, member_b
) -> None:
    services.member_leave(by=people["bob"], member=member_b, reason="离职")
    path = write_xlsx(
        tmp_path / "r.xlsx", [[member_b.name, member_b.id_number]], header=["姓名", "身份证号"]
    )
    summary = run(path, tree["a"])
    assert [e.code for e in summary.error_rows] == ["member.transition_invalid"]
    assert not Transfer.objects.exists()
    member_b.refresh_from_db()
    assert member_b.status == MemberStatus.LEFT


def test_a_member_already_transferring_is_a_row_error(tmp_path, tree, people, member_b) -> None:
    services.transfer_request(by=people["bob"], member=member_b, to_union=tree["county_b"])
    path = write_xlsx(
        tmp_path / "r.xlsx", [[member_b.name, member_b.id_number]], header=["姓名", "身份证号"]
    )
    summary = run(path, tree["a"])
    assert [e.code for e in summary.error_rows] == ["member.transfer_pending"]


def test_a_person_written_meanwhile_by_another_import_is_a_clear_conflict(
    tmp_path, tree, member_b, monkeypatch
) -> None:
    """Between looking people up and writing them, another import (into another union, so not
    held back by this union's lock) may register the same person: the unique blind index stops
    the duplicate, and the import says what happened instead of crashing."""
    monkeypatch.setattr(RosterImport, "_existing", lambda self, indexes: {})
    rows = [*rows_for(fake_people(2)), [member_b.name, "", member_b.id_number]]
    with pytest.raises(DomainError) as caught:
        run(write_xlsx(tmp_path / "r.xlsx", rows), tree["a"])
    assert caught.value.code == "member.import_conflict"
    assert list(Member.objects.all()) == [member_b]


# -- the error report ------------------------------------------------------------------------


def test_the_error_report_lists_rows_columns_and_reasons(tmp_path, tree) -> None:
    rows = rows_for(fake_people(3))
    _spoil(rows[0])
    rows[2][HEADER.index("手机号码")] = "010-12345678"
    summary = run(write_xlsx(tmp_path / "r.xlsx", rows), tree["a"])
    report = Path(write_error_report(summary, tmp_path / "errors.xlsx"))
    content = read_xlsx(report)
    assert content[0] == ["行号", "列", "内容", "原因"]
    assert [(int(r[0]), r[1]) for r in content[1:]] == [(2, "身份证号"), (4, "手机号码")]
    assert all(r[3] for r in content[1:])
    assert rows[0][ID_COL] not in str(content)


# -- files that cannot be read ---------------------------------------------------------------


def test_a_picture_renamed_xlsx_is_refused(tmp_path, tree) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    with pytest.raises(DomainError) as caught:
        run(path, tree["a"])
    assert caught.value.code == "file.unsupported"


def test_a_sheet_without_the_header_is_refused(tmp_path, tree) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [["张三", "x"]], header=["名字", "号码"])
    with pytest.raises(DomainError) as caught:
        run(path, tree["a"])
    assert caught.value.code == "file.no_header"
    assert "姓名" in caught.value.message


# -- several unions in one file --------------------------------------------------------------


@pytest.fixture
def second_union(tree, people) -> Union:
    return union_create(
        by=people["carol"],
        code="UA2",
        name="甲区二厂工会",
        kind="grassroots",
        parent=tree["county_a"],
    )


def test_a_union_code_column_routes_rows_under_the_chosen_union(
    tmp_path, tree, people, second_union
) -> None:
    people_ = fake_people(4)
    codes = ["UA", "ua2", "UB", "NOPE"]
    rows = [[p["name"], p["id_number"], code] for p, code in zip(people_, codes, strict=True)]
    path = write_xlsx(tmp_path / "r.xlsx", rows, header=["姓名", "身份证号", "工会代码"])
    summary = run(path, tree["county_a"], by=people["carol"], skip_invalid=True)
    assert summary.created == 2
    assert [(e.row, e.column, e.code) for e in summary.error_rows] == [
        (4, "工会代码", "member.union_outside"),
        (5, "工会代码", "member.union_outside"),
    ]
    unions = dict(Member.objects.values_list("name", "union__code"))
    assert unions == {people_[0]["name"]: "UA", people_[1]["name"]: "UA2"}


# -- scope -----------------------------------------------------------------------------------


def test_an_officer_cannot_import_into_another_union(tmp_path, tree, people) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", rows_for(fake_people(2)))
    with pytest.raises(Forbidden):
        RosterImport(by=people["alice"], path=path, union=tree["b"])
    with pytest.raises(Forbidden):
        RosterImport(by=people["alice"], path=path, union=tree["county_a"])
    assert not Member.objects.exists()


def test_a_county_officer_imports_into_a_union_below(tmp_path, tree, people) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", rows_for(fake_people(2)))
    summary = RosterImport(by=people["carol"], path=path, union=tree["a"]).run()
    assert summary.created == 2
    assert AuditEntry.objects.get(action="members.import.created").actor == people["carol"]


def test_members_cannot_be_imported_into_the_city_federation(tmp_path, tree) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", rows_for(fake_people(2)))
    with pytest.raises(DomainError) as caught:
        run(path, tree["city"])
    assert caught.value.code == "member.union_invalid"
    assert not Member.objects.exists()


# -- the parser's results, batch by batch -------------------------------------------------


class CountingProgress:
    def __init__(self) -> None:
        self.total = 0
        self.done = 0

    def set_total(self, total: int) -> None:
        self.total = total

    def advance(self, count: int = 1) -> None:
        self.done += count

    def message(self, text: str) -> None:
        pass


def test_errors_and_batches_keep_the_rows_order_across_chunks(tmp_path, tree, monkeypatch) -> None:
    """Small chunks and batches, so rows with errors (one of them with two) fall on both sides
    of chunk and batch boundaries: the report lists them in row order, each row counts once on
    the progress bar, and the valid rows around them are written."""
    monkeypatch.setattr(importer, "CHUNK_ROWS", 3)
    monkeypatch.setattr(importer, "BATCH", 4)
    people = fake_people(20, seed=7)
    rows = rows_for(people)
    rows[2][HEADER.index("手机号码")] = "12345"
    rows[5][HEADER.index("民族")] = "火星族"
    rows[5][HEADER.index("职工类别")] = "宇航员"
    rows[11][0] = ""
    rows[12] = list(rows[3])
    progress = CountingProgress()

    summary = run(
        write_xlsx(tmp_path / "r.xlsx", rows), tree["a"], skip_invalid=True, progress=progress
    )

    assert [(e.row, e.code) for e in summary.error_rows] == [
        (4, "member.phone_invalid"),
        (5, "member.duplicate_in_file"),
        (7, "member.ethnicity_invalid"),
        (7, "member.category_invalid"),
        (13, "member.name_required"),
        (14, "member.duplicate_in_file"),
    ]
    assert (summary.rows, summary.created, summary.errors) == (20, 15, 6)
    assert (progress.total, progress.done) == (20, 20)
    assert Member.objects.count() == 15
