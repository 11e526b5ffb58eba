"""Spreadsheet input and output shared by every import and export.

Reading streams rows (python-calamine for xlsx/xls, csv in UTF-8 or GB18030); writing streams
through xlsxwriter's constant-memory mode and neutralises formulas in every cell."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from gonghui.core.errors import DomainError


@dataclass
class RowError:
    """One problem in one cell of an imported sheet, as the error report shows it."""

    row: int
    column: str
    value: str
    reason: str
    code: str = ""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")
LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def _runs_as_formula(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_STARTS)


def neutralise(value: Any) -> Any:
    """Prefix `'` to any text line a spreadsheet would run as a formula.

    Lines end at LF, CRLF or a lone CR (a reader that splits on CR would otherwise see a line
    starting with `=`); a cell that itself starts with CR gets its first line quoted too."""
    if not isinstance(value, str):
        return value
    parts = LINE_BREAK.split(value)  # lines at even positions, their line breaks between
    changed = False
    for index in range(0, len(parts), 2):
        if _runs_as_formula(parts[index]) or (index == 0 and _runs_as_formula(value)):
            parts[index] = "'" + parts[index]
            changed = True
    return "".join(parts) if changed else value


def sniff_format(head: bytes) -> str:
    """By content, not by name: 'xlsx', 'xls' or 'csv'; anything else is refused."""
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(XLS_MAGIC):
        return "xls"
    if b"\x00" in head[:4096]:
        raise DomainError("file.unsupported", _("文件不是 xlsx、xls 或 csv 表格"))
    return "csv"


def _decode_csv(path: Path) -> IO[str]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with open(path, encoding=encoding) as probe:
                for _line in probe:
                    pass
            return open(path, encoding=encoding, newline="")
        except UnicodeDecodeError:
            continue
    raise DomainError("file.encoding", _("CSV 文件既不是 UTF-8 也不是 GB18030 编码"))


def iter_rows(path: Path | str) -> Iterator[list[Any]]:
    """Rows of the first sheet as lists of cell values, read lazily."""
    path = Path(path)
    with open(path, "rb") as fh:
        kind = sniff_format(fh.read(8192))
    if kind == "csv":
        with _decode_csv(path) as text:
            yield from csv.reader(text)
        return
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:
        raise DomainError(
            "file.unreadable", _("无法读取表格文件：%(error)s") % {"error": exc}
        ) from exc
    yield from sheet.iter_rows()


def find_header(
    rows: Iterator[list[Any]],
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
    scan: int = 10,
) -> tuple[dict[str, int], int]:
    """Find the header row among the first `scan` rows (title rows may sit above it).

    Returns column positions by field name and the 1-based row number of the header."""
    lookup = {_norm(alias): field for field, names in aliases.items() for alias in names}
    for number, row in enumerate(rows, start=1):
        columns: dict[str, int] = {}
        for index, cell in enumerate(row):
            field = lookup.get(_norm(cell))
            if field and field not in columns:
                columns[field] = index
        if all(name in columns for name in required):
            return columns, number
        if number >= scan:
            break
    raise DomainError(
        "file.no_header",
        _("没有找到表头：前 %(scan)d 行中须有这些列：%(columns)s")
        % {"scan": scan, "columns": "、".join(aliases[r][0] for r in required)},
        {"required": [aliases[r][0] for r in required]},
    )


def _norm(cell: Any) -> str:
    text = str(cell or "").strip().replace(" ", "").replace("\u3000", "")
    for mark in ("*", "＊", "(必填)", "（必填）"):
        text = text.replace(mark, "")
    return text.lower()


def write_xlsx(
    target: str | Path | IO[bytes],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_name: str = "Sheet1",
) -> int:
    """Stream rows into an xlsx in constant memory; every text cell neutralised. Returns rows."""
    workbook = xlsxwriter.Workbook(
        target if not isinstance(target, Path) else str(target),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, list(headers), bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.write_row(count, 0, [neutralise(v) for v in row])
    workbook.close()
    return count


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, headers, rows)
    return buffer.getvalue()


class Sheet:
    """The first sheet of a file, readable more than once (an import first scans for duplicate
    identity numbers, then validates and writes). xlsx/xls are parsed once and kept by the
    reader; csv is re-read from disk."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        with open(self.path, "rb") as fh:
            self.kind = sniff_format(fh.read(8192))
        self._sheet: Any = None
        if self.kind != "csv":
            try:
                self._sheet = CalamineWorkbook.from_path(str(self.path)).get_sheet_by_index(0)
            except Exception as exc:
                raise DomainError(
                    "file.unreadable", _("无法读取表格文件：%(error)s") % {"error": exc}
                ) from exc

    def rows(self) -> Iterator[list[Any]]:
        if self._sheet is not None:
            yield from self._sheet.iter_rows()
            return
        with _decode_csv(self.path) as text:
            yield from csv.reader(text)
