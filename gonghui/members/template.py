"""The roster template: the columns the import reads, with drop-down lists where the values
are a fixed set, and the ID and phone columns formatted as text so Excel keeps every digit."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import xlsxwriter

from gonghui.members.models import Education, WorkerCategory
from gonghui.members.rules import ETHNICITIES

COLUMNS = [
    "姓名",
    "性别",
    "身份证号",
    "手机号码",
    "民族",
    "学历",
    "入会日期",
    "职工类别",
    "工会代码",
]
ROWS = 5000


def write_template(target: Path | IO[bytes]) -> None:
    workbook = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target)
    sheet = workbook.add_worksheet("会员名册")
    lists = workbook.add_worksheet("选项")
    lists.hide()
    header = workbook.add_format({"bold": True, "bg_color": "#F2F4F7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, COLUMNS, header)
    sheet.set_column(0, 0, 10)
    sheet.set_column(2, 2, 22, text)
    sheet.set_column(3, 3, 15, text)
    sheet.set_column(4, 5, 12)
    sheet.set_column(6, 6, 12, day)
    sheet.set_column(7, 7, 16)
    sheet.set_column(8, 8, 12, text)
    sheet.freeze_panes(1, 0)
    choices = {
        "民族": ETHNICITIES,
        "学历": [str(label) for _value, label in Education.choices],
        "职工类别": [str(label) for _value, label in WorkerCategory.choices],
    }
    for col, (title, values) in enumerate(choices.items()):
        lists.write(0, col, title)
        lists.write_column(1, col, values)
        letter = chr(ord("A") + col)
        target_col = COLUMNS.index(title)
        sheet.data_validation(
            1,
            target_col,
            ROWS,
            target_col,
            {"validate": "list", "source": f"=选项!${letter}$2:${letter}${len(values) + 1}"},
        )
    sheet.data_validation(1, 1, ROWS, 1, {"validate": "list", "source": ["男", "女"]})
    sheet.data_validation(
        1,
        2,
        ROWS,
        2,
        {
            "validate": "length",
            "criteria": "between",
            "minimum": 15,
            "maximum": 18,
            "error_message": "身份证号应为18位或15位",
        },
    )
    sheet.write_comment(0, 2, "18位公民身份号码，末位可以是X；请保持文本格式，不要转成数字")
    workbook.close()
