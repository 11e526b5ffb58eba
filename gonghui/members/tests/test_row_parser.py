"""The roster parser reads a chunk column by column and, when a row has a fault, row by row:
the two must give the same rows, and the second every fault in order."""

from __future__ import annotations

from datetime import date
from typing import Any

from gonghui.core.errors import DomainError
from gonghui.members.importer import Fault, RowParser, _unpacked
from gonghui.members.tests.conftest import HEADER, fake_people, roster_row

TODAY = date(2026, 11, 29)
COLUMNS = {
    "name": 0,
    "gender": 1,
    "id_number": 2,
    "phone": 3,
    "ethnicity": 4,
    "education": 5,
    "join_date": 6,
    "category": 7,
}
FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


def parser(duplicates: dict[int, list[int]] | None = None) -> RowParser:
    return RowParser(
        columns=COLUMNS, duplicates=duplicates or {}, refusals={}, today=TODAY, birth_limit=TODAY
    )


def messy_chunk() -> list[tuple[int, list[Any]]]:
    """Valid rows written every way a roster writes them, as the reader gives cells: blank
    cells as "", short rows, numbers and dates as such."""
    rows = []
    for i, person in enumerate(fake_people(40, seed=3)):
        row: list[Any] = roster_row(person)
        ident = row[2]
        kind = i % 8
        if kind == 1:
            row[2] = ident.lower()
        elif kind == 2:
            row[2] = "".join(FULLWIDTH.get(c, c) for c in ident)
        elif kind == 3:
            row[2] = f" {ident[:6]} {ident[6:]} "
            row[3] = int(row[3])
        elif kind == 4:
            row[6] = person["join_date"]
            row[4] = row[5] = ""
        elif kind == 5:
            row[6] = f"{person['join_date']:%Y年%-m月%-d日}"
            row[1] = ""
        elif kind == 6:
            row = row[:6]  # a short row: no join date, no category
            row[3] = ""
        rows.append((i + 2, row))
    return rows


def test_a_clean_chunk_gives_the_same_rows_both_ways() -> None:
    chunk = messy_chunk()

    by_columns = parser()._by_columns(chunk)

    assert by_columns is not None
    assert by_columns == parser()._by_rows(chunk)
    rows = _unpacked(by_columns)
    assert [r.row for r in rows] == [n for n, _cells in chunk]
    short = rows[6]
    assert (short.join_date, short.phone, short.phone_index) == (None, "", "")
    assert short.given == ("name", "ethnicity", "education")
    assert rows[4].given == ("name", "phone", "category", "join_date")


def test_a_chunk_with_a_fault_is_parsed_row_by_row_with_every_fault() -> None:
    chunk = messy_chunk()
    chunk[3][1][HEADER.index("手机号码")] = "12345"
    chunk[3][1][HEADER.index("民族")] = "火星族"
    mismatched = "女" if chunk[9][1][1] == "男" else "男"
    chunk[9][1][1] = mismatched
    chunk[12][1][HEADER.index("入会日期")] = "2027-01-01"

    assert parser()._by_columns(chunk) is None
    items = parser()._by_rows(chunk)

    faults = [(f.row, f.column, f.code) for f in items if isinstance(f, Fault)]
    assert faults == [
        (5, "phone", "member.phone_invalid"),
        (5, "ethnicity", "member.ethnicity_invalid"),
        (11, "gender", "member.gender_mismatch"),
        (14, "join_date", "member.join_date_future"),
    ]
    assert len(items) == len(chunk) + 1  # row 5 brings two faults
    assert next(i for i in items if isinstance(i, Fault) and i.row == 11).value == mismatched


def test_a_repeated_identity_number_sends_the_chunk_row_by_row() -> None:
    chunk = messy_chunk()
    duplicates = {2: [30], 30: [2]}

    assert parser(duplicates)._by_columns(chunk) is None
    items = parser(duplicates)._by_rows(chunk)

    assert [(f.row, f.code) for f in items if isinstance(f, Fault)] == [
        (2, "member.duplicate_in_file"),
        (30, "member.duplicate_in_file"),
    ]


def test_every_cell_parser_reads_a_blank_cell_as_an_empty_one() -> None:
    """The column-by-column parse leaves blank cells as the reader gives them ("")."""

    def outcome(parse: Any, value: Any) -> Any:
        try:
            return parse(value)
        except DomainError as exc:
            return exc.code

    for column, parse in parser().parsers:
        assert outcome(parse, "") == outcome(parse, None), column
