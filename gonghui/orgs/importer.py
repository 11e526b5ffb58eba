"""Import a union tree from a spreadsheet: validate every row first, then write all or nothing.

Columns: 代码, 名称, 类型, 上级代码, 统一社会信用代码, 地址. A parent may be an existing union
or a row anywhere in the same file. An existing code is updated (name, address, credit code;
an optional column the file lacks leaves that value as it is); its parent and kind change only
through 迁移 (move)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import has_perm, scoped
from gonghui.core.errors import DomainError
from gonghui.core.excel import RowError, find_header, iter_rows
from gonghui.jobs.models import Job
from gonghui.jobs.registry import Progress, ProgressReporter, job_handler
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
# A whole city has some 20,000 unions; a file far beyond that is a mistake (a roster?).
MAX_ROWS = 50_000
# Which column a service's refusal is about, for the row-by-row error list.
COLUMN_OF_ERROR = {
    "org.code_invalid": "代码",
    "org.code_taken": "代码",
    "org.name_required": "名称",
    "org.name_too_long": "名称",
    "org.address_too_long": "地址",
    "org.kind_invalid": "类型",
    "org.uscc_invalid": "统一社会信用代码",
    "org.uscc_taken": "统一社会信用代码",
    "org.parent_required": "上级代码",
    "org.parent_not_found": "上级代码",
    "org.parent_kind_invalid": "上级代码",
    "org.parent_closed": "上级代码",
    "org.import_parent_changed": "上级代码",
    "org.too_deep": "上级代码",
    "auth.forbidden": "上级代码",
}


def _kind_key(text: str) -> str:
    """Labels as people type them: full-width brackets, stray spaces, any letter case."""
    return rules.normalise_code(text).replace(" ", "")


def kind_of(text: str) -> str | None:
    """The kind a 类型 cell names: by its Chinese label (the msgid, whatever the language of
    the person importing), its label in the active language, or its code ('county')."""
    with translation.override(None):
        names = {_kind_key(str(label)): value for value, label in UnionKind.choices}
    names |= {_kind_key(str(label)): value for value, label in UnionKind.choices}
    names |= {_kind_key(value): value for value in UnionKind.values}
    return names.get(_kind_key(text))


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


@dataclass
class Parsed:
    rows: list[OrgRow]
    errors: list[RowError]
    # Every code the file names in its 代码 column, valid row or not, with its row number.
    codes_in_file: dict[str, int]
    # The optional columns the file has: one it lacks leaves existing unions' values alone.
    optional_columns: frozenset[str] = frozenset()


def parse(path: Path) -> Parsed:
    rows_iter = iter_rows(path)
    columns, header_row = find_header(
        rows_iter, ALIASES, required=("code", "name", "kind", "parent")
    )
    parsed: list[OrgRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    count = 0
    for number, cells in enumerate(rows_iter, start=header_row + 1):
        values = {name: _text(cells, columns.get(name)) for name in ALIASES}
        if not any(values.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            raise DomainError(
                "file.too_many_rows",
                _("表格超过 %(max)d 行，请拆分后分批导入") % {"max": MAX_ROWS},
                {"max": MAX_ROWS},
            )
        code = rules.normalise_code(values["code"])
        kind = kind_of(values["kind"])
        row_errors = []
        if not code:
            row_errors.append(RowError(number, "代码", "", _("代码不能为空")))
        elif code in seen:
            row_errors.append(
                RowError(number, "代码", code, _("与第 %(row)d 行代码重复") % {"row": seen[code]})
            )
        else:
            seen[code] = number
            row_errors += _checked(number, "代码", values["code"], rules.check_code, code)
        row_errors += _checked(number, "名称", values["name"], rules.check_name, values["name"])
        if kind is None:
            row_errors.append(
                RowError(
                    number,
                    "类型",
                    values["kind"],
                    _("类型不正确，应为：%(kinds)s")
                    % {"kinds": "、".join(str(label) for label in UnionKind.labels)},
                )
            )
        row_errors += _checked(
            number, "地址", values["address"], rules.check_address, values["address"]
        )
        uscc = None
        try:
            uscc = rules.normalise_uscc(values["uscc"])
        except DomainError as exc:
            row_errors.append(RowError(number, "统一社会信用代码", values["uscc"], exc.message))
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append(
            OrgRow(
                number,
                code,
                rules.check_name(values["name"]),
                kind or "",
                rules.normalise_code(values["parent"]),
                uscc,
                values["address"],
            )
        )
    return Parsed(parsed, errors, seen, frozenset(columns) - {"code", "name", "kind", "parent"})


def _checked(number: int, column: str, shown: str, check: Any, value: str) -> list[RowError]:
    try:
        check(value)
    except DomainError as exc:
        return [RowError(number, column, shown, exc.message)]
    return []


def _ordered(parsed: Parsed, visible: Any) -> list[OrgRow]:
    """Parents before children; a parent neither in the file nor in the tree is a row error.

    `visible` is the part of the tree the importer may see: a parent outside it is reported
    as missing, so that a file cannot be used to learn which codes exist elsewhere."""
    rows, errors = parsed.rows, parsed.errors
    by_code = {r.code: r for r in rows}
    existing = set(
        visible.filter(code__in={r.parent for r in rows if r.parent}).values_list("code", flat=True)
    )
    ordered: list[OrgRow] = []
    placed: set[str] = set()
    failed: set[str] = set()
    visiting: set[str] = set()

    def fail(row: OrgRow, reason: str) -> bool:
        if row.code not in failed:
            failed.add(row.code)
            errors.append(RowError(row.row, "上级代码", row.parent, reason))
        return False

    def place(row: OrgRow) -> bool:
        if row.code in placed:
            return True
        if row.code in failed:
            return False
        if row.code in visiting:
            return fail(row, _("上级关系成环"))
        if row.parent and row.parent not in existing:
            parent_row = by_code.get(row.parent)
            if parent_row is None and row.parent in parsed.codes_in_file:
                return fail(row, _parent_row_has_errors(parsed.codes_in_file[row.parent]))
            if parent_row is None:
                return fail(row, _("上级工会不存在"))
            visiting.add(row.code)
            parent_placed = place(parent_row)
            visiting.discard(row.code)
            if not parent_placed:
                return fail(row, _parent_row_has_errors(parent_row.row))
        placed.add(row.code)
        ordered.append(row)
        return True

    for row in rows:
        place(row)
    return ordered


def _parent_row_has_errors(row: int) -> str:
    return _("上级工会所在的第 %(row)d 行有错误") % {"row": row}


def import_unions(
    *, by: Any, path: Path, dry_run: bool = False, progress: ProgressReporter | None = None
) -> ImportResult:
    """Check every row, then write all rows in one transaction, or none when any is wrong.

    `by=None` is the command line (the whole tree); a user imports within their scope.
    Raises DomainError when the file itself is unusable (not a spreadsheet, no header)."""
    parsed = parse(path)
    errors = parsed.errors
    result = ImportResult(
        rows=len(parsed.rows) + len({e.row for e in errors}), errors=errors, dry_run=dry_run
    )
    visible = Union.objects.all() if by is None else scoped(Union.objects.all(), by, "org.view")
    ordered = _ordered(parsed, visible)
    if progress:
        progress.set_total(len(ordered))
    try:
        with transaction.atomic():
            for row in ordered:
                try:
                    _write_row(by, row, result, parsed.optional_columns)
                except DomainError as exc:
                    column = COLUMN_OF_ERROR.get(exc.code, "代码")
                    result.errors.append(
                        RowError(row.row, column, _shown(row, column), exc.message)
                    )
                if progress:
                    progress.advance()
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    result.errors.sort(key=lambda e: e.row)
    if result.errors:
        result.created = result.updated = 0
    return result


def _shown(row: OrgRow, column: str) -> str:
    return {
        "名称": row.name,
        "类型": row.kind,
        "上级代码": row.parent,
        "统一社会信用代码": row.uscc or "",
        "地址": row.address,
    }.get(column, row.code)


class _Rollback(Exception):
    pass


def _write_row(by: Any, row: OrgRow, result: ImportResult, optional: frozenset[str]) -> None:
    current = Union.objects.filter(code=row.code).select_related("parent").first()
    parent = Union.objects.filter(code=row.parent).first() if row.parent else None
    if by is not None:
        # Outside the importer's view a union is only ever "taken" (codes are unique city-wide)
        # or "missing": the file must not tell them anything more about it.
        if current is not None and not has_perm(by, "org.view", current.path):
            raise DomainError("org.code_taken", _("工会代码 %(code)s 已存在") % {"code": row.code})
        if parent is not None and not has_perm(by, "org.view", parent.path):
            raise DomainError("org.parent_not_found", _("上级工会不存在"))
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
        by=by,
        union=current,
        name=row.name,
        address=row.address if "address" in optional else current.address,
        uscc=row.uscc if "uscc" in optional else current.uscc,
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
