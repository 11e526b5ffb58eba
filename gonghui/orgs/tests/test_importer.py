"""Importing a tree from a spreadsheet: every row checked first, then all rows written in one
transaction, or none; each problem reported with its row number, column and a reason in
Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation

from gonghui.audit.models import AuditEntry
from gonghui.core.errors import DomainError
from gonghui.orgs.importer import import_unions
from gonghui.orgs.models import Union
from gonghui.orgs.services import union_update
from gonghui.orgs.tests.conftest import uscc, write_sheet

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    # children first: their parents are defined further down the file
    ["D9E1", "九区一厂工会", "基层工会", "D9", uscc("91419909MA0000001"), "九区一路1号"],
    ["D9E1B1", "一厂一车间分会", "分会", "D9E1", "", ""],
    ["D9", "九区总工会", "县(市、区)总工会", "CITY", "", "九区政府大院"],
    ["I9", "九号产业工会", "industry", "CITY", "", ""],
]


def codes() -> set[str]:
    return set(Union.objects.values_list("code", flat=True))


def test_a_good_file_with_parents_defined_later_creates_every_union(tree, tmp_path):
    path = write_sheet(tmp_path / "tree.xlsx", GOOD_ROWS)

    result = import_unions(by=None, path=path)

    assert result.errors == []
    assert (result.rows, result.created, result.updated, result.written) == (4, 4, 0, True)
    assert Union.objects.get(code="D9E1B1").path == "/CITY/D9/D9E1/D9E1B1/"
    assert Union.objects.get(code="D9E1").uscc == GOOD_ROWS[0][4]
    assert Union.objects.get(code="I9").kind == "industry"
    assert AuditEntry.objects.filter(action="org.union.created").count() == 5 + 4


def test_one_bad_row_writes_nothing_and_names_row_column_and_reason(tree, tmp_path):
    rows = [*GOOD_ROWS, ["D9E2", "九区二厂工会", "基层工会", "D9", "91419909MA00000019", ""]]
    path = write_sheet(tmp_path / "tree.xlsx", rows)
    before = codes()

    result = import_unions(by=None, path=path)

    assert codes() == before
    assert (result.created, result.written) == (0, False)
    [error] = result.errors
    assert (error.row, error.column, error.value) == (6, "统一社会信用代码", "91419909MA00000019")
    assert "校验位" in error.reason


def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_sheet_numbers(tree, tmp_path):
    rows = [
        ["D9", "九区总工会", "县(市、区)总工会", "CITY", "", ""],
        ["D9X", "", "外星工会", "D9", "", ""],
    ]
    path = write_sheet(tmp_path / "tree.xlsx", rows, title="鹤川市工会组织架构表")

    result = import_unions(by=None, path=path)

    assert {(e.row, e.column) for e in result.errors} == {(5, "名称"), (5, "类型")}
    assert not Union.objects.filter(code="D9").exists()


def test_dry_run_checks_everything_and_writes_nothing(tree, tmp_path):
    path = write_sheet(tmp_path / "tree.xlsx", GOOD_ROWS)
    entries = AuditEntry.objects.count()

    result = import_unions(by=None, path=path, dry_run=True)

    assert (result.errors, result.created, result.written) == ([], 4, False)
    assert "D9" not in codes()
    assert AuditEntry.objects.count() == entries


def test_an_unknown_parent_is_a_row_error(tree, tmp_path):
    path = write_sheet(
        tmp_path / "tree.xlsx", [["D9", "九区总工会", "县(市、区)总工会", "NOWHERE", "", ""]]
    )

    result = import_unions(by=None, path=path)

    [error] = result.errors
    assert (error.row, error.column, error.value, error.reason) == (
        2,
        "上级代码",
        "NOWHERE",
        "上级工会不存在",
    )


def test_a_code_twice_in_the_file_is_a_row_error_naming_the_first_row(tree, tmp_path):
    rows = [
        ["D9", "九区总工会", "county", "CITY", "", ""],
        ["d9", "九区总工会二", "county", "CITY", "", ""],
    ]
    path = write_sheet(tmp_path / "tree.xlsx", rows)

    result = import_unions(by=None, path=path)

    [error] = result.errors
    assert (error.row, error.column, error.value) == (3, "代码", "D9")
    assert "第 2 行" in error.reason
    assert "D9" not in codes()


def test_a_kind_that_does_not_fit_the_parent_is_reported_on_the_parent_column(tree, tmp_path):
    path = write_sheet(tmp_path / "tree.xlsx", [["D9", "九区总工会", "county", "UA", "", ""]])

    result = import_unions(by=None, path=path)

    [error] = result.errors
    assert (error.row, error.column, error.value) == (2, "上级代码", "UA")
    assert "不能设在" in error.reason


def test_a_child_of_a_bad_row_points_at_that_row(tree, tmp_path):
    rows = [["D9", "", "county", "CITY", "", ""], ["D9E1", "九区一厂", "基层工会", "D9", "", ""]]
    path = write_sheet(tmp_path / "tree.xlsx", rows)

    result = import_unions(by=None, path=path)

    assert [(e.row, e.column) for e in result.errors] == [(2, "名称"), (3, "上级代码")]
    assert "第 2 行" in result.errors[1].reason


def test_a_parent_cycle_is_a_row_error(tree, tmp_path):
    rows = [["B1", "一分会", "branch", "B2", "", ""], ["B2", "二分会", "branch", "B1", "", ""]]
    path = write_sheet(tmp_path / "tree.xlsx", rows)

    result = import_unions(by=None, path=path)

    assert any(e.reason == "上级关系成环" for e in result.errors)
    assert not {"B1", "B2"} & codes()


def test_a_bad_code_is_a_row_error_not_a_crash(tree, tmp_path):
    path = write_sheet(tmp_path / "tree.xlsx", [["D 9", "九区总工会", "county", "CITY", "", ""]])

    result = import_unions(by=None, path=path)

    [error] = result.errors
    assert (error.row, error.column, error.value) == (2, "代码", "D 9")


def test_existing_unions_are_updated_from_the_command_line(tree, tmp_path):
    path = write_sheet(
        tmp_path / "tree.xlsx", [["UA", "甲厂工会（新名）", "grassroots", "CA", "", "甲路9号"]]
    )

    result = import_unions(by=None, path=path)

    assert (result.errors, result.created, result.updated) == ([], 0, 1)
    assert Union.objects.get(code="UA").address == "甲路9号"


def test_an_existing_union_under_another_parent_is_not_moved_by_an_import(tree, tmp_path):
    path = write_sheet(tmp_path / "tree.xlsx", [["UA", "甲厂工会", "grassroots", "CB", "", ""]])

    result = import_unions(by=None, path=path)

    [error] = result.errors
    assert (error.column, "迁移" in error.reason) == ("上级代码", True)
    assert Union.objects.get(code="UA").path == "/CITY/CA/UA/"


def test_kind_labels_are_read_as_people_type_them(tree, tmp_path):
    rows = [
        ["D9", "九区总工会", "县（市、区）总工会", "CITY", "", ""],
        ["D9E1", "一厂", " 基层工会 ", "D9", "", ""],
    ]
    path = write_sheet(tmp_path / "tree.xlsx", rows)

    result = import_unions(by=None, path=path)

    assert result.errors == []
    assert Union.objects.get(code="D9").kind == "county"


def test_a_user_imports_within_their_scope_only(people, tmp_path):
    rows = [
        ["UA-B1", "甲厂一分会", "branch", "UA", "", ""],
        ["UB-B1", "乙厂一分会", "branch", "UB", "", ""],
        ["UB", "乙厂工会", "grassroots", "CA", "", ""],
    ]
    path = write_sheet(tmp_path / "tree.xlsx", rows)

    result = import_unions(by=people["carol"], path=path)

    # UB lies outside carol's county: as a parent it "does not exist", as a new row its code
    # is taken (codes are unique city-wide), and nothing tells her more than that.
    reported = [(e.row, e.column, e.reason) for e in result.errors]
    assert reported == [(3, "上级代码", "上级工会不存在"), (4, "代码", "工会代码 UB 已存在")]
    assert "UA-B1" not in codes()


def test_a_parent_cycle_reports_each_row_once(tree, tmp_path):
    rows = [
        ["B1", "一分会", "branch", "B2", "", ""],
        ["B2", "二分会", "branch", "B1", "", ""],
        ["B3", "三分会", "branch", "B2", "", ""],
    ]
    path = write_sheet(tmp_path / "tree.xlsx", rows)

    result = import_unions(by=None, path=path)

    assert sorted(e.row for e in result.errors) == [2, 3, 4]


def test_a_file_that_is_no_spreadsheet_is_refused_as_a_whole(tree, tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))

    with pytest.raises(DomainError) as refused:
        import_unions(by=None, path=path)
    assert refused.value.code == "file.unsupported"


def test_a_file_without_the_header_is_refused_as_a_whole(tree, tmp_path):
    path = write_sheet(tmp_path / "tree.xlsx", [["D9", "九区总工会"]], header=["编号", "单位"])

    with pytest.raises(DomainError) as refused:
        import_unions(by=None, path=path)
    assert refused.value.code == "file.no_header"
    assert "代码" in refused.value.message


def test_a_csv_in_gb18030_is_imported(tree, tmp_path):
    path = tmp_path / "tree.csv"
    path.write_bytes(
        "代码,名称,类型,上级代码\nD9,九区总工会,县(市、区)总工会,CITY\n".encode("gb18030")
    )

    result = import_unions(by=None, path=path)

    assert (result.errors, result.created) == ([], 1)
    assert Union.objects.get(code="D9").name == "九区总工会"


def test_chinese_kind_labels_are_read_whatever_the_importers_language(tree, tmp_path):
    path = write_sheet(tmp_path / "tree.xlsx", GOOD_ROWS)

    with translation.override("en"):
        result = import_unions(by=None, path=path)

    assert (result.errors, result.created) == ([], 4)


def test_a_file_without_the_optional_columns_leaves_them_as_they_are(tree, tmp_path):
    code = uscc("91419902MA0000005")
    union_update(by=None, union=tree["a"], name="甲厂工会", address="甲路1号", uscc=code)
    path = write_sheet(
        tmp_path / "tree.xlsx",
        [["UA", "甲厂工会（更名）", "基层工会", "CA"]],
        header=["代码", "名称", "类型", "上级代码"],
    )

    result = import_unions(by=None, path=path)

    assert (result.errors, result.updated) == ([], 1)
    union = Union.objects.get(code="UA")
    assert (union.name, union.address, union.uscc) == ("甲厂工会（更名）", "甲路1号", code)
