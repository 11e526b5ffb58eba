"""Registry import as a background job: one row per honour, the member named by member number or
identity number. Every row is checked first; one bad row refuses the whole file with each bad
row named, nothing written. A row already registered (same member, title and year) is left as
it is, so a file can be imported twice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import scoped
from gonghui.core import idnumbers
from gonghui.core.errors import DomainError
from gonghui.core.excel import RowError, Sheet, find_header
from gonghui.jobs.models import Job
from gonghui.jobs.registry import Progress, job_handler
from gonghui.members import services as member_services
from gonghui.members.models import Member
from gonghui.modelworkers import rules, services
from gonghui.modelworkers.models import Honour
from gonghui.modelworkers.selectors import CHANGE

ALIASES = {
    "member_no": ["会员号", "会员编号", "member_no"],
    "id_number": ["身份证号", "公民身份号码", "身份证号码", "id_number"],
    "title": ["荣誉称号", "称号", "title"],
    "level": ["级别", "荣誉级别", "level"],
    "year": ["授予年份", "年份", "year"],
    "unit": ["获奖时所在单位", "获奖单位", "单位", "unit"],
    "status": ["状态", "status"],
}
LEVEL_WORDS = {
    "全国": rules.NATIONAL,
    "national": rules.NATIONAL,
    "省": rules.PROVINCIAL,
    "省级": rules.PROVINCIAL,
    "provincial": rules.PROVINCIAL,
    "市": rules.CITY,
    "市级": rules.CITY,
    "city": rules.CITY,
}
STATUS_WORDS = {
    "": rules.WORKING,
    "在职": rules.WORKING,
    "working": rules.WORKING,
    "退休": rules.RETIRED,
    "retired": rules.RETIRED,
    "已故": rules.DECEASED,
    "deceased": rules.DECEASED,
}
MAX_ROWS = 20_000
HEADERS = ["会员号", "身份证号", "荣誉称号", "级别", "授予年份", "获奖时所在单位", "状态"]


@dataclass
class Row:
    number: int
    member: Member
    honour: services.HonourData
    status: str


def _cell(row: list[Any], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def read_rows(*, actor: Any, path: Path | str) -> tuple[list[Row], list[RowError], int]:
    """The rows checked against the actor's scope: (good rows, errors, rows read)."""
    sheet = Sheet(path)
    rows = sheet.rows()
    columns, header_row = find_header(rows, ALIASES, required=("title", "level", "year", "unit"))
    if "member_no" not in columns and "id_number" not in columns:
        raise DomainError("file.no_header", _("表头须有“会员号”或“身份证号”列"))
    scope = scoped(Member.objects.select_related("union"), actor, CHANGE)
    good: list[Row] = []
    errors: list[RowError] = []
    count = 0
    today = timezone.localdate()
    for offset, row in enumerate(rows):
        number = header_row + offset + 1
        cells = {key: _cell(row, columns.get(key)) for key in ALIASES}
        if not any(cells.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            raise DomainError("file.too_many_rows", _("名册最多 20000 行，请分批导入"))
        member = None
        if cells["member_no"]:
            member = scope.filter(member_no=cells["member_no"].upper()).first()
            who = ("会员号", cells["member_no"])
        else:
            id_number = idnumbers.normalise(cells["id_number"])
            member = scope.filter(id_index=member_services.id_index(id_number)).first()
            who = ("身份证号", cells["id_number"][:6] + "…")
        if member is None:
            errors.append(RowError(number, who[0], who[1], _("未找到该会员，或不在您的管辖范围内")))
            continue
        level = LEVEL_WORDS.get(cells["level"].replace("劳动模范", "").lower())
        if level is None:
            errors.append(RowError(number, "级别", cells["level"], _("级别须为全国、省级或市级")))
            continue
        status = STATUS_WORDS.get(cells["status"].lower())
        if status is None:
            errors.append(RowError(number, "状态", cells["status"], _("状态须为在职、退休或已故")))
            continue
        try:
            year = int(cells["year"])
            honour = services.HonourData(cells["title"], level, year, cells["unit"])
            rules.check_award_year(year, today)
            services.honour_clean(honour)
        except ValueError:
            errors.append(RowError(number, "授予年份", cells["year"], _("授予年份须为四位数字")))
            continue
        except DomainError as exc:
            errors.append(RowError(number, "", "", exc.message, exc.code))
            continue
        good.append(Row(number, member, honour, status))
    return good, errors, count


@job_handler("modelworkers.import")
def import_job(job: Job, progress: Progress) -> dict[str, Any]:
    by = job.owner
    good, errors, count = read_rows(actor=by, path=Path(job.input_file.path))
    progress.set_total(count)
    if errors:
        raise DomainError(
            "modelworkers.import.invalid",
            _("有 %(n)d 行不正确，整个文件未导入；请改正后重新上传") % {"n": len(errors)},
            {
                "rows": count,
                "error_count": len(errors),
                "errors": [e.__dict__ for e in errors[:200]],
                "written": False,
            },
        )
    created = unchanged = 0
    with transaction.atomic():
        for row in good:
            clean = services.honour_clean(row.honour)
            if Honour.objects.filter(
                model_worker__member=row.member, title=clean.title, year=clean.year
            ).exists():
                unchanged += 1
            else:
                services.model_worker_register(
                    by=by, member=row.member, honour=clean, status=row.status
                )
                created += 1
            progress.advance()
    return {
        "rows": count,
        "created": created,
        "unchanged": unchanged,
        "error_count": 0,
        "written": True,
        "url": "/w/model-workers/registry/",
    }
