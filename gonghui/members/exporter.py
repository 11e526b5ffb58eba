"""Roster export: streamed in constant memory, masked unless revealed, formulas neutralised,
and audited (who exported which union's roster, how many rows, revealed or not)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from gonghui.accounts.scoping import has_perm, scoped
from gonghui.audit.log import log_action
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.excel import neutralise, write_xlsx
from gonghui.core.masking import mask_id_number, mask_phone
from gonghui.jobs.registry import Progress
from gonghui.members.models import Member
from gonghui.orgs.models import Union

HEADERS = [
    "会员号",
    "姓名",
    "性别",
    "身份证号",
    "出生日期",
    "手机号码",
    "民族",
    "学历",
    "入会日期",
    "职工类别",
    "会籍状态",
    "工会代码",
    "工会名称",
]


def export_members(
    *, by: Any, union: Union, path: Path, reveal: bool = False, progress: Progress | None = None
) -> int:
    if by is not None:
        if not has_perm(by, "members.export", union.path):
            raise Forbidden("auth.forbidden", _("您没有导出该工会名册的权限"))
        if reveal and not has_perm(by, "members.reveal", union.path):
            raise Forbidden("auth.forbidden", _("您没有导出完整身份证号和手机号的权限"))
        qs = scoped(Member.objects.all(), by, "members.export")
    else:
        qs = Member.objects.all()
    qs = qs.filter(union__path__prefix=union.path).select_related("union").order_by("id")
    if progress:
        progress.set_total(qs.count())
    rows = _rows(qs, reveal, progress)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        count = _write_csv(path, rows)
    elif suffix == ".xlsx":
        count = write_xlsx(path, HEADERS, rows, sheet_name="会员名册")
    else:
        raise DomainError("file.unsupported", _("导出文件须为 .xlsx 或 .csv"))
    log_action(
        "members.exported",
        actor=by,
        obj=union,
        changes={"rows": count, "revealed": reveal, "format": suffix.lstrip(".")},
    )
    return count


def _rows(qs: Any, reveal: bool, progress: Progress | None) -> Iterator[list[Any]]:
    for member in qs.iterator(chunk_size=2000):
        if progress:
            progress.advance()
        yield [
            member.member_no,
            member.name,
            member.get_gender_display(),
            member.id_number if reveal else mask_id_number(member.id_number),
            member.birth_date.isoformat(),
            member.phone if reveal else mask_phone(member.phone),
            member.ethnicity,
            member.get_education_display(),
            member.join_date.isoformat() if member.join_date else "",
            member.get_category_display(),
            member.get_status_display(),
            member.union.code,
            member.union.name,
        ]


def _write_csv(path: Path, rows: Iterator[list[Any]]) -> int:
    count = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
            count += 1
    return count
