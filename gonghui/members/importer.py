"""Roster import: the grassroots unions' everyday job, and the benchmark.

Two passes over the sheet. The first normalises the identity column, to find people who
appear twice in the file (both rows are reported, neither is written), and notes the union
codes named in a 工会代码 column, which are looked up once before any row. The second validates
every row and writes in batches of BATCH rows inside one transaction:
- a new person is created with a fresh member number;
- a person already in this union is updated, only the fields that differ, each change audited;
  a column the file lacks, or a blank cell, leaves the stored value as it is;
- a person registered in another union gets a transfer request when the membership state
  machine allows one (or a row error when transfers are not wanted); never a duplicate, which
  a unique index on the blind index also forbids.
By default all or nothing: after the first row error nothing more is written and the
transaction is rolled back at the end. `skip_invalid` writes the valid rows. Either way every
error is reported with its row number, column, value and reason.

The second pass splits in two: `RowParser` (pure: cells in, cleaned rows or faults out, union
codes resolved beforehand) and the writing, which alone uses the database. On a large file the
parser runs in a forked process (core.forked) and hands its results over in row order, so the
errors, batches and progress come out exactly as they would in one process. A roster that
at least doubles the registry on SQLite, or fills an empty one on PostgreSQL (a city's first
load), has the search indexes built once its rows are in (core.bulk.indexes_built_after)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache, partial
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import has_perm
from gonghui.audit.log import Event, log_many
from gonghui.core import crypto, forked, idnumbers
from gonghui.core.bulk import (
    BackgroundWriter,
    BulkInserter,
    collector_paused,
    constraints_checked_per_statement,
    existing_values,
    indexes_built_after,
)
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.excel import RowError, Sheet, find_header, write_xlsx
from gonghui.jobs.registry import Progress
from gonghui.members import rules, services
from gonghui.members.models import Member, MemberEvent, MemberStatus, Transfer
from gonghui.orgs.models import Union

BATCH = 5000
MAX_REPORTED_ERRORS = 50_000
# Below this many rows the fork's few milliseconds are not worth it (and tests stay simple).
PARALLEL_MIN_ROWS = 20_000
# Rows the parser hands over at a time: large enough that the pipe's per-message cost vanishes,
# small enough that little waits in the pipe.
CHUNK_ROWS = 500
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


class ParsedRow(NamedTuple):
    """A valid row, cleaned, with its blind indexes. `given` names the updatable columns whose
    cells are filled: if the person exists, only those fields are compared and updated."""

    row: int
    name: str
    name_pinyin: str
    name_initials: str
    id_number: str
    birth_date: date
    gender: str
    id_index: str
    phone: str
    phone_index: str
    ethnicity: str
    education: str
    category: str
    join_date: date | None
    union_code: str | None  # None: the import's own union
    given: tuple[str, ...]


class Fault(NamedTuple):
    """A row error as the parser finds it; RosterImport._error counts and records it."""

    row: int
    column: str
    value: Any
    reason: str
    code: str


_BIRTH_DATE = ParsedRow._fields.index("birth_date")
_JOIN_DATE = ParsedRow._fields.index("join_date")


def _unpacked(chunk: list[list[Any] | Fault]) -> list[ParsedRow | Fault]:
    """The parser's rows as ParsedRows. A row crosses from the forked parser as a plain list
    in ParsedRow's order with its dates as day numbers, which pickle and unpickle in C (named
    tuples and dates go through Python code each way, and that was most of the pipe's cost).
    Faults are rare and cross as they are."""
    day = date.fromordinal
    items: list[ParsedRow | Fault] = []
    for values in chunk:
        if isinstance(values, Fault):
            items.append(values)
            continue
        values[_BIRTH_DATE] = day(values[_BIRTH_DATE])
        if values[_JOIN_DATE] is not None:
            values[_JOIN_DATE] = day(values[_JOIN_DATE])
        items.append(ParsedRow._make(values))
    return items


# Parsers of cells that repeat (a roster has a few genders and categories, and some tens of
# thousands of dates in a million rows), remembered per distinct cell in bounded caches: memory
# stays flat. Typed, so 1, 1.0 and True stay apart; a refused cell raises and is not remembered.
_gender = lru_cache(maxsize=1024, typed=True)(rules.parse_gender)
_ethnicity = lru_cache(maxsize=1024, typed=True)(rules.parse_ethnicity)
_education = lru_cache(maxsize=1024, typed=True)(rules.parse_education)
_category = lru_cache(maxsize=1024, typed=True)(rules.parse_category)
_join_date_text = lru_cache(maxsize=65_536, typed=True)(
    partial(rules.parse_date, field="join_date")
)


def _join_date(raw: Any) -> date | None:
    """A date cell is its own value (parse_date returns it as it is): it skips the cache, which
    then holds only the text dates."""
    return raw if type(raw) is date else _join_date_text(raw)


def _name(raw: Any) -> tuple[str, str, str]:
    """The cleaned name with its full pinyin and initials. Not remembered whole: most names in
    a roster are distinct (the readings of given names are, in rules)."""
    name = rules.clean_name(raw)
    return (name, *rules.name_pinyin(name))


class RowParser:
    """Cells in, rows ready for writing or the rows' Faults out, in file order. It touches no
    database (union codes come resolved, as `refusals`), so it may run in a forked process.

    A chunk is parsed column by column: each cell parser runs over its whole column, a loop in
    C that keeps one parser warm, and a roster parses in a third less time than row by row.
    A chunk with a bad cell or a repeated identity number is parsed again row by row, which
    reports every fault of every row in order (the parsers are pure, so the second run gives
    what the first would have)."""

    def __init__(
        self,
        *,
        columns: Mapping[str, int],
        duplicates: Mapping[int, list[int]],
        refusals: Mapping[str, tuple[str, str]],
        today: date,
        birth_limit: date,
    ) -> None:
        self.duplicates = duplicates
        self.refusals = refusals
        self.today = today
        self.id_position = columns["id_number"]
        self.id_index = crypto.blind_indexer("id_number")
        self.phone_index = crypto.blind_indexer("phone")
        # Column → parser in the order errors are reported; the row loop runs a million times.
        self.parsers: list[tuple[str, Callable[[Any], Any]]] = [
            ("name", _name),
            ("id_number", _id_number(birth_limit)),
            ("gender", _gender),
            ("phone", rules.parse_phone),
            ("ethnicity", _ethnicity),
            ("education", _education),
            ("category", _category),
            ("join_date", _join_date),
            ("union_code", self._union_code),
        ]
        self.functions = [parse for _column, parse in self.parsers]
        # A column the file lacks, or a short row's missing cells, read as padding: None.
        absent = max(columns.values()) + 1
        positions = [columns.get(c, absent) for c, _p in self.parsers]
        self.width = max(positions) + 1
        self.padding = [None] * self.width
        self.raw_cells = itemgetter(*positions)
        self.column_cells = [itemgetter(position) for position in positions]
        names = [c for c, _p in self.parsers]
        self.gender_position = names.index("gender")
        self.updatable_cells = itemgetter(*(names.index(f) for f in UPDATABLE))
        self.given: dict[tuple[bool, ...], tuple[str, ...]] = {}  # filled cells → their fields

    def chunks(self, rows: Iterable[tuple[int, list[Any]]]) -> Iterator[list[list[Any] | Fault]]:
        """The results of CHUNK_ROWS rows at a time, each valid row packed (see `_unpacked`)."""
        rows = iter(rows)
        while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
            yield self._by_columns(chunk) or self._by_rows(chunk)

    def _by_columns(self, chunk: list[tuple[int, list[Any]]]) -> list[list[Any] | Fault] | None:
        """The chunk's rows, parsed column by column; None when a row has a fault."""
        if not self.duplicates.keys().isdisjoint(number for number, _cells in chunk):
            return None
        width, padding = self.width, self.padding
        cells = [c if len(c) >= width else c + padding[len(c) :] for _number, c in chunk]
        # Blank cells stay "" here: every cell parser reads "" as it reads None, and a chunk with
        # a fault is parsed again row by row, blanks made None for the report.
        raws = [list(map(cell, cells)) for cell in self.column_cells]
        try:
            values = [
                list(map(parse, column)) for parse, column in zip(self.functions, raws, strict=True)
            ]
        except DomainError:
            return None
        items: list[list[Any] | Fault] = []
        faults: list[Fault] = []
        for (number, _cells), row_raws, row_values in zip(
            chunk, zip(*raws, strict=True), zip(*values, strict=True), strict=True
        ):
            item = self._row(number, row_raws, row_values, faults)
            if item is None:
                return None
            items.append(item)
        return items

    def _by_rows(self, chunk: list[tuple[int, list[Any]]]) -> list[list[Any] | Fault]:
        """The chunk's rows one by one, with every fault of every row."""
        items: list[list[Any] | Fault] = []
        for number, cells in chunk:
            if number in self.duplicates:
                items.append(self._duplicate(number, cells))
                continue
            if len(cells) < self.width:
                cells = cells + self.padding[len(cells) :]
            raws = [None if value == "" else value for value in self.raw_cells(cells)]
            faults: list[Fault] = []
            values = self._parse_reporting(number, raws, faults)
            item = self._row(number, raws, values, faults)
            items.extend(faults if item is None else [item])
        return items

    def _row(
        self, number: int, raws: Sequence[Any], values: Sequence[Any], faults: list[Fault]
    ) -> list[Any] | None:
        """A row's parsed cells checked against each other and packed; None, with the faults
        added, when the row has any."""
        names, ident, gender, phone, ethnicity, education, category, join_date, union_code = values
        if ident is not None and gender and gender != ident.gender:
            faults.append(
                Fault(
                    number,
                    "gender",
                    raws[self.gender_position],
                    _("性别与身份证号不符"),
                    "member.gender_mismatch",
                )
            )
        if join_date and join_date > self.today:
            faults.append(
                Fault(
                    number,
                    "join_date",
                    join_date,
                    _("入会日期不能晚于今天"),
                    "member.join_date_future",
                )
            )
        if faults:
            return None
        filled = tuple(map(_present, self.updatable_cells(raws)))
        given = self.given.get(filled)
        if given is None:
            given = self.given[filled] = tuple(itertools.compress(UPDATABLE, filled))
        phone = phone or ""
        return [
            number,
            *names,
            ident.value,
            ident.birth_date.toordinal(),
            ident.gender,
            self.id_index(ident.value),
            phone,
            self.phone_index(phone) if phone else "",
            ethnicity or "",
            education or "",
            category,
            join_date.toordinal() if join_date else None,
            union_code,
            given,
        ]

    def _parse_reporting(self, number: int, raws: Sequence[Any], faults: list[Fault]) -> list[Any]:
        values: list[Any] = []
        for (column, parse), raw in zip(self.parsers, raws, strict=True):
            try:
                values.append(parse(raw))
            except DomainError as exc:
                shown = _mask(idnumbers.normalise(raw)) if column == "id_number" else raw
                faults.append(Fault(number, column, shown, exc.message, exc.code))
                values.append(None)
        return values

    def _duplicate(self, number: int, cells: list[Any]) -> Fault:
        others = "、".join(str(r) for r in self.duplicates[number])
        raw = _id_cell(_cell(cells, self.id_position))
        return Fault(
            number,
            "id_number",
            _mask(idnumbers.normalise(raw)),
            _("与第 %(rows)s 行身份证号重复") % {"rows": others},
            "member.duplicate_in_file",
        )

    def _union_code(self, raw: Any) -> str | None:
        code = union_code(raw)
        if not code:
            return None
        if code in self.refusals:
            error_code, message = self.refusals[code]
            raise DomainError(error_code, message)
        return code


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
        # Identity numbers are checked against the system date, as idnumbers.parse does.
        self.birth_limit = date.today()
        self.writer = BackgroundWriter(BulkInserter(Member, MEMBER_COLUMNS))
        self.unreported = 0  # rows read since the progress bar last moved
        self.columns: dict[str, int] = {}
        self.registry_was_empty = False  # and held alone: see core.bulk.indexes_built_after

    # -- reading ------------------------------------------------------------------------
    def _data_rows(self) -> Iterator[tuple[int, list[Any]]]:
        rows = self.sheet.rows()
        self.columns, header_row = find_header(rows, ALIASES, required=("name", "id_number"))
        for number, cells in enumerate(rows, start=header_row + 1):
            if _filled(cells):
                yield number, cells

    def _scan(self) -> tuple[dict[int, list[int]], set[str]]:
        """The first pass: row number → the other rows carrying the same identity number, and
        the union codes the file names."""
        first_row: dict[str, int] = {}
        groups: dict[str, list[int]] = {}
        codes: set[str] = set()
        count = 0
        for number, cells in self._data_rows():
            count += 1
            if "union_code" in self.columns:
                code = union_code(_cell(cells, self.columns["union_code"]))
                if code:  # a blank cell names the import's own union
                    codes.add(code)
            raw = _id_cell(_cell(cells, self.columns["id_number"]))
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
        duplicates = {
            row: [r for r in rows if r != row] for rows in groups.values() for row in rows
        }
        return duplicates, codes - {""}

    def _error(self, row: int, column: str, value: Any, reason: str, code: str) -> None:
        self.summary.errors += 1
        if len(self.summary.error_rows) < MAX_REPORTED_ERRORS:
            label = COLUMN_LABELS.get(column, column)
            text = "" if value is None else str(value)
            self.summary.error_rows.append(RowError(row, label, text[:100], reason, code))

    def _refusals(self, codes: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Union code → (error code, message) for each code rows may not name; the unions they
        may name go into self.unions. Asked before the rows are parsed, so the parser needs no
        database."""
        refusals: dict[str, tuple[str, str]] = {}
        for code in codes:
            try:
                self._resolve_union(code)
            except DomainError as exc:
                refusals[code] = (exc.code, exc.message)
        return refusals

    def _resolve_union(self, code: str) -> None:
        if code in self.unions:
            return
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

    def _union(self, item: ParsedRow) -> Union:
        return self.unions[item.union_code] if item.union_code else self.union

    # -- writing ------------------------------------------------------------------------
    @property
    def _writing(self) -> bool:
        return not self.dry_run and (self.skip_invalid or self.summary.errors == 0)

    def _flush(self, batch: list[ParsedRow]) -> None:
        self.writer.wait()
        self._report_progress()
        existing = self._existing([item.id_index for item in batch])
        creates: list[ParsedRow] = []
        updates: list[tuple[ParsedRow, Member, dict[str, list[Any]]]] = []
        transfers: list[tuple[ParsedRow, Member]] = []
        for item in batch:
            member = existing.get(item.id_index)
            if member is None:
                creates.append(item)
            elif member.union_id == self._union(item).pk:
                changes = self._changes(member, item)
                if changes:
                    updates.append((item, member, changes))
                else:
                    self.summary.unchanged += 1
            elif member.status == MemberStatus.TRANSFERRING:
                self._error(
                    item.row,
                    "id_number",
                    _mask(item.id_number),
                    _("此人已有一条待处理的转会申请"),
                    "member.transfer_pending",
                )
            elif not self.allow_transfers:
                self._error(
                    item.row,
                    "id_number",
                    _mask(item.id_number),
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
                    _mask(item.id_number),
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
        self._write_updates(updates)
        self._write_transfers(transfers)
        self._write_creates(creates)  # last: the new rows go in while the next batch is read

    def _existing(self, indexes: list[str]) -> dict[str, Member]:
        """Everyone in the city with these blind indexes: a person is one member anywhere."""
        if self.registry_was_empty:
            # A first load holding the registry alone: the scan already refused the file's
            # repeats, so no one is there (and the blind index's unique index is gone).
            return {}
        # Most rows of a roster are new people: a cheap query first, members only for the hits.
        found = existing_values(Member, "id_index", indexes)
        if not found:
            return {}
        members = Member.objects.filter(id_index__in=found).select_related("union")
        return {m.id_index: m for m in members}

    def _changes(self, member: Member, item: ParsedRow) -> dict[str, list[Any]]:
        # A column the file lacks, or a blank cell, leaves the stored value as it is.
        after = {name: getattr(item, name) for name in item.given}
        before = {name: getattr(member, name) for name in after}
        return services.rules_changes(before, after)

    def _write_creates(self, creates: list[ParsedRow]) -> None:
        if not creates:
            return
        numbers = services.allocate_numbers(len(creates))
        by_union: dict[str, list[str]] = {}
        for item, number in zip(creates, numbers, strict=True):
            by_union.setdefault(self._union(item).path, []).append(number)
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
        joined_default = timezone.localdate()
        self.writer.submit(
            self._member_values(item, number, joined_default)
            for item, number in zip(creates, numbers, strict=True)
        )

    def _member_values(
        self, item: ParsedRow, member_no: str, joined_default: date
    ) -> tuple[Any, ...]:
        """A new member's values in MEMBER_COLUMNS order: what services.member_row gives,
        without a dict a row, with the blind indexes the parser computed."""
        return (
            member_no,
            item.name,
            item.name_pinyin,
            item.name_initials,
            item.gender,
            item.birth_date,
            item.id_number,
            item.id_index,
            item.id_number[-4:],
            item.phone,
            item.phone_index,
            item.phone[-4:],
            item.ethnicity,
            item.education,
            item.category,
            self._union(item).pk,
            item.join_date or joined_default,
            MemberStatus.ACTIVE,
            False,
            False,
        )

    def _write_updates(self, updates: list[tuple[ParsedRow, Member, dict[str, list[Any]]]]) -> None:
        if not updates:
            return
        fields: set[str] = set()
        members = []
        for item, member, changes in updates:
            values = {name: getattr(item, name) for name in changes}
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
                to_union=self._union(i),
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
                    "to": self._union(i).code,
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

    def _report_progress(self) -> None:
        """Move the bar once a batch (it saves through the connection the writer shares)."""
        if self.progress and self.unreported:
            self.progress.advance(self.unreported)
        self.unreported = 0

    # -- the whole run ------------------------------------------------------------------
    def run(self) -> ImportSummary:
        with collector_paused():
            return self._run()

    def _run(self) -> ImportSummary:
        duplicates, codes = self._scan()
        if self.progress:
            self.progress.set_total(self.summary.rows)
        try:
            with transaction.atomic():
                # Lock the target union: two imports into it run one after the other, so the
                # second sees the first's members and updates instead of duplicating them.
                Union.objects.select_for_update().filter(pk=self.union.pk).first()
                parser = RowParser(
                    columns=self.columns,
                    duplicates=duplicates,
                    refusals=self._refusals(codes),
                    today=self.today,
                    birth_limit=self.birth_limit,
                )
                # A city's first load has the search indexes built once its rows are in.
                adding = 0 if self.dry_run else self.summary.rows
                with (
                    constraints_checked_per_statement(),
                    indexes_built_after(Member, adding=adding) as registry_was_empty,
                ):
                    self.registry_was_empty = registry_was_empty
                    with self.writer:  # waits for the last batch, inside the transaction
                        self._import_rows(parser)
                    self._report_progress()
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
        finally:
            # People's names do not outlive the import in a worker.
            rules.forget_names()
        if not self.summary.written and not self.dry_run:
            self.summary.created = self.summary.updated = self.summary.transfers = 0
        return self.summary

    def _import_rows(self, parser: RowParser) -> None:
        batch: list[ParsedRow] = []
        last_row = 0
        for chunk in self._parsed_chunks(parser):
            for item in chunk:
                if item.row != last_row:  # a row brings one parsed row or its errors
                    self.unreported += 1
                    last_row = item.row
                if isinstance(item, Fault):
                    self._error(*item)
                    continue
                batch.append(item)
                if len(batch) >= BATCH:
                    self._flush(batch)
                    batch = []
        if batch:
            self._flush(batch)

    def _parsed_chunks(self, parser: RowParser) -> Iterator[list[ParsedRow | Fault]]:
        """The parser's results in row order: from a forked process for a large file, so that
        parsing runs on one core while this process encrypts and writes on the other."""
        if self.summary.rows >= PARALLEL_MIN_ROWS and forked.can_fork():
            # The fork happens before the first batch is written: no writer thread is running.
            return map(_unpacked, forked.forked(lambda: parser.chunks(self._data_rows())))
        return map(_unpacked, parser.chunks(self._data_rows()))


def _filled(cells: list[Any]) -> bool:
    """Not a blank row; the first cell usually decides."""
    return any(map(_present, cells))


def _cell(cells: list[Any], index: int | None) -> Any:
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    return None if value == "" else value


def _present(value: Any) -> bool:
    """Neither None nor only spaces."""
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _id_number(birth_limit: date) -> Callable[[Any], idnumbers.IdNumber]:
    """The identity cell's parser, births checked against `birth_limit`."""

    def parse(raw: Any) -> idnumbers.IdNumber:
        return idnumbers.parse(_id_cell(raw), today=birth_limit)

    return parse


def union_code(raw: Any) -> str:
    """A 工会代码 cell as the code it names."""
    return rules.clean_text(raw).upper()


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
