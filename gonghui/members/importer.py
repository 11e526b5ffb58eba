"""Roster import: the grassroots unions' everyday job, and the benchmark.

Two passes over the sheet. The first only normalises the identity column, to find people who
appear twice in the file (both rows are reported, neither is written). The second validates
every row and writes in batches of BATCH rows inside one transaction:
- a new person is created with a fresh member number;
- a person already in this union is updated, only the fields that differ, each change audited;
  a column the file lacks, or a blank cell, leaves the stored value as it is;
- a person registered in another union gets a transfer request when the membership state
  machine allows one (or a row error when transfers are not wanted); never a duplicate, which
  a unique index on the blind index also forbids.
By default all or nothing: after the first row error nothing more is written and the
transaction is rolled back at the end. `skip_invalid` writes the valid rows. Either way every
error is reported with its row number, column, value and reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import has_perm
from gonghui.audit.log import Event, log_many
from gonghui.core import idnumbers
from gonghui.core.bulk import BulkInserter
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.excel import RowError, Sheet, find_header, write_xlsx
from gonghui.jobs.registry import Progress
from gonghui.members import rules, services
from gonghui.members.models import Member, MemberEvent, MemberStatus, Transfer
from gonghui.orgs.models import Union

BATCH = 2000
MAX_REPORTED_ERRORS = 50_000
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "gender": ("性别",),
    "id_number": ("身份证号", "公民身份号码", "身份证号码", "身份证", "证件号码"),
    "phone": ("手机号码", "手机", "手机号", "联系电话"),
    "ethnicity": ("民族",),
    "education": ("学历", "文化程度"),
    "join_date": ("入会日期", "入会时间"),  # the first name is the template's
    "category": ("职工类别", "人员类别"),
    "union_code": ("工会代码",),
}
COLUMN_LABELS = {name: names[0] for name, names in ALIASES.items()}
MEMBER_COLUMNS = (
    "member_no",
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "birth_date",
    "id_number",
    "id_index",
    "id_last4",
    "phone",
    "phone_index",
    "phone_last4",
    "ethnicity",
    "education",
    "category",
    "union_id",
    "join_date",
    "status",
    "is_hardship",
    "is_model_worker",
)
UPDATABLE = ("name", "phone", "ethnicity", "education", "category", "join_date")


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    transfers: int = 0
    errors: int = 0
    written: bool = False
    error_report: str | None = None
    dry_run: bool = False
    error_rows: list[RowError] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        keys = ("rows", "created", "updated", "transfers", "errors", "written", "error_report")
        return {k: getattr(self, k) for k in keys}


@dataclass
class ParsedRow:
    row: int
    data: services.MemberData
    union: Union
    given: frozenset[str] = frozenset()  # fields with a non-blank cell in this row
    index: str = ""


class _Rollback(Exception):
    pass


class RosterImport:
    def __init__(
        self,
        *,
        by: Any,
        path: Path,
        union: Union,
        dry_run: bool = False,
        skip_invalid: bool = False,
        allow_transfers: bool = True,
        progress: Progress | None = None,
    ) -> None:
        if by is not None and not has_perm(by, "members.import", union.path):
            raise Forbidden("auth.forbidden", _("您没有向该工会导入会员的权限"))
        services.check_union(union)
        self.by = by
        self.union = union
        self.dry_run = dry_run
        self.skip_invalid = skip_invalid
        self.allow_transfers = allow_transfers
        self.progress = progress
        self.sheet = Sheet(path)
        self.summary = ImportSummary(dry_run=dry_run)
        self.unions: dict[str, Union] = {union.code: union}
        self.today = timezone.localdate()
        self.inserter = BulkInserter(Member, MEMBER_COLUMNS)
        # Column → parser, built once: the row loop runs a million times.
        self.parsers: list[tuple[str, Any]] = [
            ("name", rules.clean_name),
            ("id_number", lambda v: idnumbers.parse(_id_cell(v))),
            ("gender", rules.parse_gender),
            ("phone", rules.parse_phone),
            ("ethnicity", rules.parse_ethnicity),
            ("education", rules.parse_education),
            ("category", rules.parse_category),
            ("join_date", lambda v: rules.parse_date(v, field="join_date")),
            ("union_code", self._union_for),
        ]

    # -- reading ------------------------------------------------------------------------
    def _data_rows(self) -> Any:
        rows = self.sheet.rows()
        columns, header_row = find_header(rows, ALIASES, required=("name", "id_number"))
        for number, cells in enumerate(rows, start=header_row + 1):
            if any(not _blank(c) for c in cells):
                yield number, cells, columns

    def _duplicates(self) -> dict[int, list[int]]:
        """Row number → the other rows carrying the same identity number."""
        first_row: dict[str, int] = {}
        groups: dict[str, list[int]] = {}
        count = 0
        for number, cells, columns in self._data_rows():
            count += 1
            raw = _id_cell(_cell(cells, columns.get("id_number")))
            if isinstance(raw, float):  # refused row by row; its digits are not the person's
                continue
            value = idnumbers.normalise(raw)
            if not value:
                continue
            if value in first_row:
                groups.setdefault(value, [first_row[value]]).append(number)
            else:
                first_row[value] = number
        self.summary.rows = count
        return {row: [r for r in rows if r != row] for rows in groups.values() for row in rows}

    def _error(self, row: int, column: str, value: Any, reason: str, code: str) -> None:
        self.summary.errors += 1
        if len(self.summary.error_rows) < MAX_REPORTED_ERRORS:
            label = COLUMN_LABELS.get(column, column)
            text = "" if value is None else str(value)
            self.summary.error_rows.append(RowError(row, label, text[:100], reason, code))

    def _parse(self, number: int, cells: list[Any], columns: dict[str, int]) -> ParsedRow | None:
        values: dict[str, Any] = {}
        failed = False
        for column, parser in self.parsers:
            raw = _cell(cells, columns.get(column))
            try:
                values[column] = parser(raw)
            except DomainError as exc:
                shown = _mask(idnumbers.normalise(raw)) if column == "id_number" else raw
                self._error(number, column, shown, exc.message, exc.code)
                failed = True
                values[column] = None
        name, parsed_id, gender = values["name"], values["id_number"], values["gender"]
        phone, ethnicity, education = values["phone"], values["ethnicity"], values["education"]
        category, join_date, union = values["category"], values["join_date"], values["union_code"]
        if parsed_id is not None and gender and gender != parsed_id.gender:
            self._error(
                number,
                "gender",
                _cell(cells, columns.get("gender")),
                _("性别与身份证号不符"),
                "member.gender_mismatch",
            )
            failed = True
        if join_date and join_date > self.today:
            self._error(
                number,
                "join_date",
                join_date,
                _("入会日期不能晚于今天"),
                "member.join_date_future",
            )
            failed = True
        if failed or parsed_id is None:
            return None
        data = services.MemberData(
            name=name,
            id_number=parsed_id.value,
            phone=phone or "",
            ethnicity=ethnicity or "",
            education=education or "",
            category=category,
            join_date=join_date,
            gender=parsed_id.gender,
            birth_date=parsed_id.birth_date,
        )
        given = frozenset(f for f in UPDATABLE if not _blank(_cell(cells, columns.get(f))))
        return ParsedRow(number, data, union or self.union, given)

    def _union_for(self, raw: Any) -> Union | None:
        code = rules.clean_text(raw).upper()
        if not code:
            return None
        if code not in self.unions:
            union = Union.objects.filter(code=code).first()
            if union is None or not union.path.startswith(self.union.path):
                raise DomainError(
                    "member.union_outside",
                    _("工会代码 %(code)s 不在本次导入的工会之下") % {"code": code},
                )
            if union.kind not in services.MEMBER_UNION_KINDS or not union.is_open:
                raise DomainError(
                    "member.union_invalid", _("工会 %(code)s 不能接收会员") % {"code": code}
                )
            self.unions[code] = union
        return self.unions[code]

    # -- writing ------------------------------------------------------------------------
    @property
    def _writing(self) -> bool:
        return not self.dry_run and (self.skip_invalid or self.summary.errors == 0)

    def _flush(self, batch: list[ParsedRow]) -> None:
        for item in batch:
            item.index = services.id_index(item.data.id_number)
        existing = self._existing([i.index for i in batch])
        creates: list[ParsedRow] = []
        updates: list[tuple[ParsedRow, Member, dict[str, list[Any]]]] = []
        transfers: list[tuple[ParsedRow, Member]] = []
        for item in batch:
            member = existing.get(item.index)
            if member is None:
                creates.append(item)
            elif member.union_id == item.union.pk:
                changes = self._changes(member, item)
                if changes:
                    updates.append((item, member, changes))
                else:
                    self.summary.unchanged += 1
            elif member.status == MemberStatus.TRANSFERRING:
                self._error(
                    item.row,
                    "id_number",
                    _mask(item.data.id_number),
                    _("此人已有一条待处理的转会申请"),
                    "member.transfer_pending",
                )
            elif not self.allow_transfers:
                self._error(
                    item.row,
                    "id_number",
                    _mask(item.data.id_number),
                    _("此人已是 %(union)s 的会员（会员号 %(no)s）")
                    % {"union": member.union.name, "no": member.member_no},
                    "member.registered_elsewhere",
                )
            elif member.status not in rules.TRANSITIONS or (
                MemberStatus.TRANSFERRING not in rules.TRANSITIONS[member.status]
            ):
                # The state machine decides, as for a transfer asked for by hand: someone who
                # left, or holds 保留会籍 in another union, is not moved by a roster.
                self._error(
                    item.row,
                    "id_number",
                    _mask(item.data.id_number),
                    _("此人在 %(union)s 的会籍状态为“%(status)s”，不能发起转会，请先与该工会联系")
                    % {"union": member.union.name, "status": member.get_status_display()},
                    "member.transition_invalid",
                )
            else:
                transfers.append((item, member))
        self.summary.created += len(creates)
        self.summary.updated += len(updates)
        self.summary.transfers += len(transfers)
        if not self._writing:
            return
        self._write_creates(creates)
        self._write_updates(updates)
        self._write_transfers(transfers)

    def _existing(self, indexes: list[str]) -> dict[str, Member]:
        """Everyone in the city with these blind indexes: a person is one member anywhere."""
        members = Member.objects.filter(id_index__in=indexes).select_related("union")
        return {m.id_index: m for m in members}

    def _changes(self, member: Member, item: ParsedRow) -> dict[str, list[Any]]:
        after = {name: getattr(item.data, name) for name in UPDATABLE if name in item.given}
        before = {name: getattr(member, name) for name in after}
        return services.rules_changes(before, after)

    def _write_creates(self, creates: list[ParsedRow]) -> None:
        if not creates:
            return
        numbers = services.allocate_numbers(len(creates))
        self.inserter.insert(
            services.member_row(i.data, i.union.pk, no)
            for i, no in zip(creates, numbers, strict=True)
        )
        by_union: dict[str, list[str]] = {}
        for item, number in zip(creates, numbers, strict=True):
            by_union.setdefault(item.union.path, []).append(number)
        log_many(
            self.by,
            [
                Event(
                    "members.import.created",
                    None,
                    {"union": path, "member_nos": nos},
                    object_repr=_("名册导入新增 %(n)d 人") % {"n": len(nos)},
                    union_path=path,
                )
                for path, nos in by_union.items()
            ],
        )

    def _write_updates(self, updates: list[tuple[ParsedRow, Member, dict[str, list[Any]]]]) -> None:
        if not updates:
            return
        fields: set[str] = set()
        members = []
        for item, member, changes in updates:
            values = {name: getattr(item.data, name) for name in changes}
            services.apply_values(member, values)
            member.updated_at = timezone.now()
            fields.update(values)
            if "name" in values:
                fields.update({"name_pinyin", "name_initials"})
            if "phone" in values:
                fields.update({"phone_index", "phone_last4"})
            members.append(member)
        Member.objects.bulk_update(members, [*fields, "updated_at"], batch_size=BATCH)
        by = self.by if getattr(self.by, "pk", None) else None
        MemberEvent.objects.bulk_create(
            [
                MemberEvent(
                    member=m, by=by, kind="members.import.updated", changes=c, union=m.union
                )
                for (_i, m, c) in updates
            ],
            batch_size=BATCH,
        )
        log_many(self.by, [Event("members.import.updated", m, c) for (_i, m, c) in updates])

    def _write_transfers(self, transfers: list[tuple[ParsedRow, Member]]) -> None:
        if not transfers:
            return
        by = self.by if getattr(self.by, "pk", None) else None
        rows = [
            Transfer(
                member=m,
                from_union=m.union,
                to_union=i.union,
                reason=_("名册导入发现此人在其他工会"),
                requested_by=by,
                requested_by_receiver=True,
            )
            for i, m in transfers
        ]
        Transfer.objects.bulk_create(rows, batch_size=BATCH)
        Member.objects.filter(pk__in=[m.pk for _i, m in transfers]).update(
            status=MemberStatus.TRANSFERRING, updated_at=timezone.now()
        )
        events = [
            MemberEvent(
                member=m,
                by=by,
                kind="members.transfer.requested",
                changes={
                    "status": [m.status, MemberStatus.TRANSFERRING],
                    "from": m.union.code,
                    "to": i.union.code,
                },
                union=m.union,
            )
            for i, m in transfers
        ]
        MemberEvent.objects.bulk_create(events, batch_size=BATCH)
        log_many(
            self.by,
            [
                Event("members.transfer.requested", m, e.changes)
                for (_i, m), e in zip(transfers, events, strict=True)
            ],
        )

    # -- the whole run ------------------------------------------------------------------
    def run(self) -> ImportSummary:
        duplicates = self._duplicates()
        if self.progress:
            self.progress.set_total(self.summary.rows)
        try:
            with transaction.atomic():
                # Lock the target union: two imports into it run one after the other, so the
                # second sees the first's members and updates instead of duplicating them.
                Union.objects.select_for_update().filter(pk=self.union.pk).first()
                batch: list[ParsedRow] = []
                for number, cells, columns in self._data_rows():
                    if number in duplicates:
                        others = "、".join(str(r) for r in duplicates[number])
                        raw = _id_cell(_cell(cells, columns.get("id_number")))
                        self._error(
                            number,
                            "id_number",
                            _mask(idnumbers.normalise(raw)),
                            _("与第 %(rows)s 行身份证号重复") % {"rows": others},
                            "member.duplicate_in_file",
                        )
                    else:
                        parsed = self._parse(number, cells, columns)
                        if parsed is not None:
                            batch.append(parsed)
                    if len(batch) >= BATCH:
                        self._flush(batch)
                        batch = []
                    if self.progress:
                        self.progress.advance()
                if batch:
                    self._flush(batch)
                if not self._writing or (self.summary.errors and not self.skip_invalid):
                    raise _Rollback
                self.summary.written = True
        except _Rollback:
            pass
        except IntegrityError as exc:
            raise DomainError(
                "member.import_conflict",
                _("导入时有同一人正被另一个导入写入，请稍后重新导入"),
            ) from exc
        if not self.summary.written and not self.dry_run:
            self.summary.created = self.summary.updated = self.summary.transfers = 0
        return self.summary


def _cell(cells: list[Any], index: int | None) -> Any:
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    return None if value == "" else value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _id_cell(value: Any) -> Any:
    """A 15-digit number is exact in a spreadsheet's float; an 18-digit one is not (idnumbers
    refuses floats for that reason), so only the old short numbers are taken from number cells."""
    if isinstance(value, float) and value.is_integer() and 10**14 <= value < 10**15:
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if value < 10**15 else float(value)
    return value


def _mask(value: str) -> str:
    from gonghui.core.masking import mask_id_number

    return mask_id_number(value)


def write_error_report(summary: ImportSummary, path: Path) -> str:
    write_xlsx(
        path,
        ["行号", "列", "内容", "原因"],
        ([e.row, e.column, e.value, e.reason] for e in summary.error_rows),
        sheet_name="错误",
    )
    return str(path)


def import_members(**kwargs: Any) -> ImportSummary:
    return RosterImport(**kwargs).run()


def summary_dict(summary: ImportSummary) -> dict[str, Any]:
    return summary.as_json() | {"errors_detail": [asdict(e) for e in summary.error_rows[:500]]}
