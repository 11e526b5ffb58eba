"""Import a union tree from a spreadsheet: validate every row first, then write all or nothing.

Columns: 代码, 名称, 类型, 上级代码, 统一社会信用代码, 地址. A parent may be an existing union
or a row anywhere in the same file. An existing code is updated (name, address, credit code)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError
from gonghui.core.excel import find_header, iter_rows
from gonghui.jobs.models import Job
from gonghui.jobs.registry import Progress, job_handler
from gonghui.orgs import rules, services
from gonghui.orgs.models import Union, UnionKind

ALIASES = {
    "code": ("代码", "工会代码", "编码"),
    "name": ("名称", "工会名称"),
    "kind": ("类型", "工会类型"),
    "parent": ("上级代码", "上级工会代码", "上级"),
    "uscc": ("统一社会信用代码", "信用代码"),
    "address": ("地址", "单位地址"),
}
KIND_BY_LABEL = {str(label): value for value, label in UnionKind.choices} | {
    value: value for value in UnionKind.values
}


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class OrgRow:
    row: int
    code: str
    name: str
    kind: str
    parent: str
    uscc: str | None
    address: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def written(self) -> bool:
        return not self.errors and not self.dry_run and (self.created + self.updated) > 0


def _text(cells: list[Any], index: int | None) -> str:
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    value = cells[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse(path: Path) -> tuple[list[OrgRow], list[RowError]]:
    rows_iter = iter_rows(path)
    columns, header_row = find_header(
        rows_iter, ALIASES, required=("code", "name", "kind", "parent")
    )
    parsed: list[OrgRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows_iter, start=header_row + 1):
        values = {name: _text(cells, columns.get(name)) for name in ALIASES}
        if not any(values.values()):
            continue
        code = rules.normalise_code(values["code"])
        kind = KIND_BY_LABEL.get(values["kind"])
        row_errors = []
        if not code:
            row_errors.append(RowError(number, "代码", "", _("代码不能为空")))
        elif code in seen:
            row_errors.append(
                RowError(number, "代码", code, _("与第 %(row)d 行代码重复") % {"row": seen[code]})
            )
        if not values["name"]:
            row_errors.append(RowError(number, "名称", "", _("名称不能为空")))
        if kind is None:
            row_errors.append(RowError(number, "类型", values["kind"], _("类型不正确")))
        uscc = None
        try:
            uscc = rules.normalise_uscc(values["uscc"])
        except DomainError as exc:
            row_errors.append(RowError(number, "统一社会信用代码", values["uscc"], exc.message))
        seen.setdefault(code, number)
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append(
            OrgRow(
                number,
                code,
                values["name"],
                kind or "",
                rules.normalise_code(values["parent"]),
                uscc,
                values["address"],
            )
        )
    return parsed, errors


def _ordered(rows: list[OrgRow], errors: list[RowError]) -> list[OrgRow]:
    """Parents before children; a parent neither in the file nor in the tree is a row error."""
    by_code = {r.code: r for r in rows}
    existing = set(
        Union.objects.filter(code__in={r.parent for r in rows if r.parent}).values_list(
            "code", flat=True
        )
    )
    ordered: list[OrgRow] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(row: OrgRow) -> bool:
        if row.code in placed:
            return True
        if row.code in visiting:
            errors.append(RowError(row.row, "上级代码", row.parent, _("上级关系成环")))
            return False
        visiting.add(row.code)
        ok = True
        if row.parent and row.parent not in existing:
            parent_row = by_code.get(row.parent)
            if parent_row is None:
                errors.append(RowError(row.row, "上级代码", row.parent, _("上级工会不存在")))
                ok = False
            else:
                ok = place(parent_row)
        visiting.discard(row.code)
        if ok:
            placed.add(row.code)
            ordered.append(row)
        return ok

    for row in rows:
        place(row)
    return ordered


def import_unions(
    *, by: Any, path: Path, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    rows, errors = parse(path)
    result = ImportResult(
        rows=len(rows) + len({e.row for e in errors}), errors=errors, dry_run=dry_run
    )
    ordered = _ordered(rows, errors)
    if progress:
        progress.set_total(len(ordered))
    try:
        with transaction.atomic():
            for row in ordered:
                try:
                    _write_row(by, row, result)
                except DomainError as exc:
                    result.errors.append(RowError(row.row, "", row.code, exc.message))
                if progress:
                    progress.advance()
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if result.errors:
        result.created = result.updated = 0
    return result


class _Rollback(Exception):
    pass


def _write_row(by: Any, row: OrgRow, result: ImportResult) -> None:
    current = Union.objects.filter(code=row.code).select_related("parent").first()
    parent = Union.objects.filter(code=row.parent).first() if row.parent else None
    if current is None:
        services.union_create(
            by=by,
            code=row.code,
            name=row.name,
            kind=row.kind,
            parent=parent,
            uscc=row.uscc,
            address=row.address,
        )
        result.created += 1
        return
    if (current.parent.code if current.parent else "") != row.parent or current.kind != row.kind:
        raise DomainError(
            "org.import_parent_changed", _("已有工会的上级或类型与表格不一致，请用“迁移”功能调整")
        )
    updated = services.union_update(
        by=by, union=current, name=row.name, address=row.address, uscc=row.uscc
    )
    if updated.updated_at != current.updated_at:
        result.updated += 1


@job_handler("orgs.import")
def import_job(job: Job, progress: Progress) -> dict[str, Any]:
    result = import_unions(
        by=job.owner,
        path=Path(job.input_file.path),
        dry_run=bool(job.params.get("dry_run")),
        progress=progress,
    )
    return {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "errors": [e.__dict__ for e in result.errors[:500]],
        "error_count": len(result.errors),
        "written": result.written,
    }
