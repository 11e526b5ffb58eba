"""Spreadsheet I/O shared by every import and export: formulas neutralised on the way out,
files recognised by content on the way in, headers found under title rows, CSV in GB18030."""

from __future__ import annotations

import io
import re

import pytest
import xlsxwriter
from hypothesis import assume, given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from gonghui.core.errors import DomainError
from gonghui.core.excel import (
    FORMULA_STARTS,
    find_header,
    iter_rows,
    neutralise,
    sniff_format,
    write_xlsx,
    xlsx_bytes,
)

LINES = re.compile(r"\r\n|\r|\n")
ALIASES = {"code": ("代码", "工会代码"), "name": ("名称",), "address": ("地址",)}


def is_safe(line: str) -> bool:
    return not line.lstrip(" ").startswith(FORMULA_STARTS) or line.startswith("'")


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_neutralised(start):
    assert neutralise(start + "cmd|' /C calc'!A0") == "'" + start + "cmd|' /C calc'!A0"


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_formula_after_leading_spaces_is_neutralised(start):
    assert neutralise("   " + start + "1+1") == "'   " + start + "1+1"


@pytest.mark.parametrize("separator", ["\n", "\r\n", "\r"])
def test_a_formula_on_any_line_of_a_multi_line_cell_is_neutralised(separator):
    cell = separator.join(["备注", '=HYPERLINK("http://x")', "第三行", " @SUM(A1)"])

    assert neutralise(cell) == separator.join(
        ["备注", '\'=HYPERLINK("http://x")', "第三行", "' @SUM(A1)"]
    )


def test_numbers_and_empty_values_pass_untouched():
    assert neutralise(-5) == -5
    assert neutralise(None) is None
    assert neutralise("") == ""


plain_line = st.text(st.characters(exclude_characters="\r\n")).filter(
    lambda line: not line.lstrip(" ").startswith(FORMULA_STARTS)
)


@given(st.lists(plain_line, min_size=1, max_size=4), st.sampled_from(["\n", "\r\n", "\r"]))
def test_plain_text_is_never_changed(lines, separator):
    text = separator.join(lines)
    assume(not text.lstrip(" ").startswith(FORMULA_STARTS))  # "\r\n…" starts with CR itself

    assert neutralise(text) == text


@given(st.text())
def test_every_line_of_the_result_is_safe_and_only_a_quote_was_added(text):
    result = neutralise(text)

    before, after = LINES.split(text), LINES.split(result)
    assert len(before) == len(after)
    for original, written in zip(before, after, strict=True):
        assert written in (original, "'" + original)
        assert is_safe(written)
    assert not result.lstrip(" ").startswith(FORMULA_STARTS) or result.startswith("'")


def test_write_xlsx_round_trips_through_calamine():
    rows = [
        ["UA", "甲厂工会", 12, 3.5, ""],
        ["=1+1", "@cmd", "-5", "+86 138", "两行\n=第二行"],
    ]

    data = xlsx_bytes(["代码", "名称", "人数", "比例", "备注"], rows)

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    read = sheet.to_python()
    assert read[0] == ["代码", "名称", "人数", "比例", "备注"]
    assert read[1] == ["UA", "甲厂工会", 12, 3.5, ""]
    assert read[2] == ["'=1+1", "'@cmd", "'-5", "'+86 138", "两行\n'=第二行"]


def test_write_xlsx_counts_the_rows_written(tmp_path):
    assert write_xlsx(tmp_path / "out.xlsx", ["a"], ([n] for n in range(7))) == 7
    assert len(list(iter_rows(tmp_path / "out.xlsx"))) == 8


@pytest.mark.parametrize(
    "head",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        "代码,名称\n".encode("utf-16"),
    ],
)
def test_a_binary_file_that_is_no_spreadsheet_is_refused(head):
    with pytest.raises(DomainError) as refused:
        sniff_format(head + bytes(64))
    assert refused.value.code == "file.unsupported"


def test_spreadsheets_are_recognised_by_content_not_by_name():
    assert sniff_format(xlsx_bytes(["a"], [])[:8]) == "xlsx"
    assert sniff_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") == "xls"
    assert sniff_format("代码,名称\n".encode("gb18030")) == "csv"


def test_the_header_is_found_under_merged_title_rows(tmp_path):
    path = tmp_path / "titled.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.merge_range("A1:C1", "鹤川市工会组织架构表")
    sheet.merge_range("A2:C2", "（2026年11月）")
    sheet.write_row(3, 0, ["名称", "*代码", "地址"])
    sheet.write_row(4, 0, ["甲厂工会", "UA", "甲路1号"])
    workbook.close()
    rows = iter_rows(path)

    columns, header_row = find_header(rows, ALIASES, required=("code", "name"))

    assert (columns, header_row) == ({"name": 0, "code": 1, "address": 2}, 4)
    assert next(rows) == ["甲厂工会", "UA", "甲路1号"]


def test_a_missing_header_names_the_required_columns():
    rows = iter([["编号", "单位"], ["1", "甲"]])

    with pytest.raises(DomainError) as refused:
        find_header(rows, ALIASES, required=("code", "name"))
    assert refused.value.code == "file.no_header"
    assert "代码、名称" in refused.value.message


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_is_read_in_gb18030_or_utf8(tmp_path, encoding):
    path = tmp_path / "tree.csv"
    path.write_bytes("代码,名称\nUA,甲厂工会（𠀀）\n".encode(encoding))

    assert list(iter_rows(path)) == [["代码", "名称"], ["UA", "甲厂工会（𠀀）"]]


def test_a_csv_in_neither_encoding_is_refused(tmp_path):
    path = tmp_path / "tree.csv"
    path.write_bytes(b"\x81\x30\xff\xfe,\xff\n")

    with pytest.raises(DomainError) as refused:
        list(iter_rows(path))
    assert refused.value.code == "file.encoding"
