"""The exchange with the citizen-card bureau (市民卡中心), another organisation's system.

The bureau makes the cards. We send it a production file (one row per card to make) and it
answers with a result file (the card numbers, or why a card could not be made). Both are xlsx
with the columns below; docs/citizen-card-exchange.md is the agreement both sides read.

`CitizenCardBureau` is the adapter the cards app talks to. `XlsxFileExchange` is the real one:
staff download the production file, hand it to the bureau over its own channel, and upload the
result file when it comes back. `FakeBureau` plays the bureau in tests, the demo and on a
staff button shown only outside production: it answers a production file with a plausible
result file, with deterministic fictitious card numbers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from django.utils.translation import gettext as _
from stdnum import luhn

from gonghui.cards import rules
from gonghui.core.errors import DomainError
from gonghui.core.excel import RowError, Sheet, find_header, write_xlsx
from gonghui.core.masking import mask_account

PRODUCTION_HEADERS = ("批次号", "会员号", "姓名", "身份证号", "手机号", "工会")
RESULT_HEADERS = ("批次号", "会员号", "市民卡号", "联名银行卡号", "结果", "失败原因")
RESULT_OK = "成功"
RESULT_FAILED = "失败"
MAX_RESULT_ROWS = 50_000

PRODUCTION_ALIASES: dict[str, tuple[str, ...]] = {
    "batch_no": ("批次号",),
    "member_no": ("会员号",),
    "name": ("姓名",),
    "id_number": ("身份证号", "公民身份号码"),
    "phone": ("手机号", "手机号码"),
    "union": ("工会",),
}
RESULT_ALIASES: dict[str, tuple[str, ...]] = {
    "batch_no": ("批次号",),
    "member_no": ("会员号",),
    "citizen_no": ("市民卡号",),
    "bank_no": ("联名银行卡号", "银行卡号"),
    "result": ("结果",),
    "reason": ("失败原因", "原因"),
}
RESULT_REQUIRED = ("batch_no", "member_no", "citizen_no", "result")
COLUMN_LABELS = {name: names[0] for name, names in RESULT_ALIASES.items()}


@dataclass(frozen=True)
class ProductionRow:
    batch_no: str
    member_no: str
    name: str
    id_number: str
    phone: str
    union: str

    def cells(self) -> list[str]:
        return [self.batch_no, self.member_no, self.name, self.id_number, self.phone, self.union]


@dataclass(frozen=True)
class ResultRow:
    """One answered card: `ok` with the numbers, or not with the bureau's reason."""

    row: int
    batch_no: str
    member_no: str
    ok: bool
    citizen_no: str = ""
    bank_no: str = ""
    reason: str = ""


@dataclass
class ResultFile:
    rows: list[ResultRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class CitizenCardBureau(Protocol):
    """What the cards app needs from the bureau's side, however the files travel."""

    def write_production(self, rows: Iterable[ProductionRow], target: IO[bytes]) -> int:
        """Write the production file for `rows`; returns the number of rows."""
        ...

    def read_result(self, path: Path) -> ResultFile:
        """Parse a result file; rows that cannot be understood come back as errors."""
        ...


class XlsxFileExchange:
    """The documented xlsx file exchange (docs/citizen-card-exchange.md)."""

    def write_production(self, rows: Iterable[ProductionRow], target: IO[bytes]) -> int:
        return write_xlsx(target, PRODUCTION_HEADERS, (r.cells() for r in rows), "制卡名单")

    def read_result(self, path: Path) -> ResultFile:
        return read_result_file(path)


def bureau() -> CitizenCardBureau:
    return XlsxFileExchange()


# -- reading a result file ------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text. Spreadsheets keep 15 significant digits: a longer number typed into a
    number cell has lost its tail (Excel shows 4199123456789010 for ...012), so it is refused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if abs(value) >= 10**15:
            raise ValueError("a number cell longer than 15 digits")
        return str(value)
    return str(value).strip()


def _shown(name: str, value: str) -> str:
    """Card numbers enter error reports masked, like everywhere else."""
    return mask_account(value) if name in {"citizen_no", "bank_no"} else value


def read_result_file(path: Path) -> ResultFile:
    """Every row checked on its own (the database checks come later, in the import)."""
    sheet = Sheet(path)
    rows = sheet.rows()
    columns, header_row = find_header(rows, RESULT_ALIASES, RESULT_REQUIRED)
    result = ResultFile()
    for number, cells in enumerate(rows, start=header_row + 1):
        values: dict[str, str] = {}
        bad = False
        for name in RESULT_ALIASES:
            index = columns.get(name)
            raw = cells[index] if index is not None and index < len(cells) else None
            try:
                values[name] = _text(raw)
            except ValueError:
                result.errors.append(
                    RowError(
                        number,
                        COLUMN_LABELS[name],
                        _shown(name, str(raw)),
                        _("数字超过 15 位，表格已改动了它，请把这一列设为文本格式后重新填写"),
                        "cards.result_number_cell",
                    )
                )
                bad = True
        if not any(values.values()):
            continue  # blank rows under the table
        if len(result.rows) + len(result.errors) >= MAX_RESULT_ROWS:
            raise DomainError(
                "cards.result_too_many_rows",
                _("回盘文件超过 %(max)d 行，请核对是否选错了文件") % {"max": MAX_RESULT_ROWS},
            )
        if not bad:
            parsed = _result_row(number, values, result.errors)
            if parsed is not None:
                result.rows.append(parsed)
    return result


def _result_row(number: int, values: dict[str, str], errors: list[RowError]) -> ResultRow | None:
    def error(name: str, reason: str, code: str) -> None:
        errors.append(
            RowError(number, COLUMN_LABELS[name], _shown(name, values[name]), reason, code)
        )

    before = len(errors)
    if not values["batch_no"]:
        error("batch_no", _("批次号不能为空"), "cards.result_batch_missing")
    if not values["member_no"]:
        error("member_no", _("会员号不能为空"), "cards.result_member_missing")
    outcome = values["result"]
    if outcome not in {RESULT_OK, RESULT_FAILED}:
        error("result", _("结果只能填“成功”或“失败”"), "cards.result_outcome_invalid")
    citizen_no = bank_no = ""
    if outcome == RESULT_OK:
        try:
            citizen_no = rules.normalise_card_no(values["citizen_no"])
        except DomainError as exc:
            error("citizen_no", exc.message, exc.code)
        if values["bank_no"]:
            try:
                bank_no = rules.normalise_bank_card_no(values["bank_no"])
            except DomainError as exc:
                error("bank_no", exc.message, exc.code)
    if len(errors) > before:
        return None
    return ResultRow(
        row=number,
        batch_no=values["batch_no"],
        member_no=values["member_no"].upper(),
        ok=outcome == RESULT_OK,
        citizen_no=citizen_no,
        bank_no=bank_no,
        reason=(values["reason"] or ("" if outcome == RESULT_OK else _("制卡中心未说明原因")))[
            : rules.NOTE_MAX - 20
        ],
    )


# -- the fake bureau ------------------------------------------------------------------------

FAKE_CITIZEN_PREFIX = "4199"  # the demo city's region code: fictitious numbers only
FAKE_BANK_PREFIX = "623999"


def _digits_from(seed: str, count: int) -> str:
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    return f"{number % 10**count:0{count}d}"


def fictitious_citizen_no(seed: str) -> str:
    """A 16-digit 市民卡 number derived from `seed`; the same seed gives the same number."""
    return FAKE_CITIZEN_PREFIX + _digits_from("citizen:" + seed, 12)


def fictitious_bank_no(seed: str) -> str:
    """A 16-digit co-branded bank card number with a valid Luhn digit, derived from `seed`."""
    body = FAKE_BANK_PREFIX + _digits_from("bank:" + seed, 9)
    return body + str(luhn.calc_check_digit(body))


class FakeBureau:
    """The bureau in a box: answers a production file with a result file.

    Every card succeeds with numbers derived from batch and member number, except every
    `fail_every`-th row (when given), which fails with a plausible reason."""

    FAIL_REASON = "照片不合格，请重新采集"

    def __init__(self, *, fail_every: int = 0, co_branded: bool = True) -> None:
        self.fail_every = fail_every
        self.co_branded = co_branded

    def answer_rows(self, rows: Iterable[Sequence[str]]) -> list[list[str]]:
        """Result rows for (batch_no, member_no) pairs."""
        answered: list[list[str]] = []
        for index, (batch_no, member_no) in enumerate(rows, start=1):
            seed = f"{batch_no}:{member_no}"
            if self.fail_every and index % self.fail_every == 0:
                answered.append([batch_no, member_no, "", "", RESULT_FAILED, self.FAIL_REASON])
                continue
            bank = fictitious_bank_no(seed) if self.co_branded else ""
            answered.append([batch_no, member_no, fictitious_citizen_no(seed), bank, RESULT_OK, ""])
        return answered

    def answer(self, production: Path, target: IO[bytes] | Path) -> int:
        """Read a production file, write the bureau's result file; returns the rows written."""
        rows = Sheet(production).rows()
        columns, _header = find_header(rows, PRODUCTION_ALIASES, ("batch_no", "member_no"))
        pairs = [
            (_text(cells[columns["batch_no"]]), _text(cells[columns["member_no"]]))
            for cells in rows
            if len(cells) > columns["member_no"] and _text(cells[columns["member_no"]])
        ]
        return write_xlsx(target, RESULT_HEADERS, self.answer_rows(pairs), "回盘")
