"""Helpers for the org tests: spreadsheets written the way people's files look, and valid
统一社会信用代码 built with the real check character."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from stdnum.cn import uscc as stdnum_uscc

HEADER = ["代码", "名称", "类型", "上级代码", "统一社会信用代码", "地址"]


def write_sheet(
    path: Path, rows: Sequence[Sequence[Any]], *, header: Sequence[str] = HEADER, title: str = ""
) -> Path:
    """An xlsx as a person would make it: optional merged title rows above the header."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("组织架构")
    line = 0
    if title:
        sheet.merge_range(0, 0, 0, len(header) - 1, title)
        sheet.merge_range(1, 0, 1, len(header) - 1, "填表说明：上级可以是已有工会或本表中的另一行")
        line = 2
    sheet.write_row(line, 0, list(header))
    for offset, row in enumerate(rows, start=1):
        sheet.write_row(line + offset, 0, list(row))
    workbook.close()
    return path


def uscc(body: str) -> str:
    """A valid credit code from its first 17 characters (8 digits, then the org code)."""
    return body + stdnum_uscc.calc_check_digit(body)
