"""Payout files exchanged with the bank or the card payout channel, shared by every program
that pays people (mutual-aid claims, hardship aid, 送温暖, model workers' allowances).

The federation sends one xlsx per batch: one row per payment with the program's own reference;
the bank returns the same rows with 结果 (成功/失败) and 失败原因. Reading the result checks every
row and refuses the whole file when one row is wrong (nothing half-applied); what a result means
for a claim or an aid record is the program's business."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError
from gonghui.core.excel import RowError, Sheet, find_header, xlsx_bytes
from gonghui.core.money import parse_yuan

HEADERS = ["序号", "业务编号", "收款人", "收款账号", "金额（元）", "用途"]
RESULT_HEADERS = [*HEADERS, "结果", "失败原因"]
PAID_WORDS = {"成功", "已支付", "success", "paid", "ok"}
FAILED_WORDS = {"失败", "退回", "failed", "fail", "rejected"}
MAX_ROWS = 100_000
ALIASES = {
    "reference": ["业务编号", "reference"],
    "result": ["结果", "result"],
    "reason": ["失败原因", "reason"],
    "amount": ["金额（元）", "金额", "amount"],
}


@dataclass(frozen=True)
class PayoutLine:
    reference: str  # unique within the batch: the program's claim/aid/line number
    payee_name: str
    account_no: str  # the full account or card number: the file goes to the bank only
    amount_fen: int
    memo: str = ""


@dataclass(frozen=True)
class PayoutResult:
    row: int
    reference: str
    paid: bool
    amount_fen: int | None
    reason: str


def yuan_text(fen: int) -> str:
    """Exact text for the bank ("1234.50"): no float ever touches an amount."""
    return f"{fen // 100}.{fen % 100:02d}"


def payout_file_bytes(lines: Iterable[PayoutLine]) -> bytes:
    """The xlsx the bank imports; formulas neutralised like every export."""
    return xlsx_bytes(
        HEADERS,
        (
            [
                index,
                line.reference,
                line.payee_name,
                line.account_no,
                yuan_text(line.amount_fen),
                line.memo,
            ]
            for index, line in enumerate(lines, start=1)
        ),
    )


def result_file_bytes(outcomes: Iterable[tuple[PayoutLine, bool, str]]) -> bytes:
    """A result file as the bank returns it: each line with 成功, or 失败 and a reason. The
    demo's fake bank and the tests use it."""
    return xlsx_bytes(
        RESULT_HEADERS,
        (
            [
                index,
                line.reference,
                line.payee_name,
                line.account_no,
                yuan_text(line.amount_fen),
                line.memo,
                "成功" if paid else "失败",
                "" if paid else reason,
            ]
            for index, (line, paid, reason) in enumerate(outcomes, start=1)
        ),
    )


def read_payout_results(path: Path | str) -> list[PayoutResult]:
    """Every row of a result file, or DomainError("payout.result_invalid") naming each bad row."""
    rows = Sheet(path).rows()
    columns, header_row = find_header(rows, ALIASES, required=("reference", "result"))
    results: list[PayoutResult] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for offset, row in enumerate(rows):
        number = header_row + offset + 1
        cells = {key: _cell(row, columns.get(key)) for key in ALIASES}
        if not any(cells.values()):
            continue
        if len(results) + len(errors) >= MAX_ROWS:
            raise DomainError("payout.too_many_rows", _("结果文件超过 %(n)d 行") % {"n": MAX_ROWS})
        reference, word = cells["reference"], cells["result"].lower()
        if not reference:
            errors.append(RowError(number, "业务编号", "", _("业务编号为空")))
            continue
        if reference in seen:
            errors.append(RowError(number, "业务编号", reference, _("业务编号重复")))
            continue
        seen.add(reference)
        if word not in PAID_WORDS and word not in FAILED_WORDS:
            errors.append(RowError(number, "结果", cells["result"], _("结果须为“成功”或“失败”")))
            continue
        amount: int | None = None
        if cells.get("amount"):
            try:
                amount = parse_yuan(cells["amount"])
            except ValueError:
                errors.append(RowError(number, "金额（元）", cells["amount"], _("金额格式不正确")))
                continue
        paid = word in PAID_WORDS
        reason = cells["reason"]
        if not paid and not reason:
            reason = _("银行未说明原因")
        results.append(PayoutResult(number, reference, paid, amount, reason))
    if errors:
        raise DomainError(
            "payout.result_invalid",
            _("结果文件有 %(n)d 行不正确，整个文件未处理") % {"n": len(errors)},
            details={"errors": [e.__dict__ for e in errors[:200]]},
        )
    return results


def check_results(results: list[PayoutResult], expected: Mapping[str, int], *, code: str) -> None:
    """A result file answers exactly the lines still waiting for the bank: `expected` maps each
    waiting line's reference to its amount in fen. Raises DomainError(code) naming the rows that
    are not in the batch or disagree on the amount, and the lines the file leaves out; the
    caller applies nothing then."""
    problems = []
    for result in results:
        amount = expected.get(result.reference)
        if amount is None:
            problems.append(
                _("第 %(row)d 行：业务编号 %(ref)s 不是本批次待回盘的明细")
                % {"row": result.row, "ref": result.reference}
            )
        elif result.amount_fen is not None and result.amount_fen != amount:
            problems.append(_("第 %(row)d 行：金额与发放明细不符") % {"row": result.row})
    missing = sorted(set(expected) - {r.reference for r in results})
    if missing:
        problems.append(
            _("结果文件缺少 %(n)d 条明细，例如 %(ref)s") % {"n": len(missing), "ref": missing[0]}
        )
    if problems:
        raise DomainError(
            code,
            _("结果文件与本批次不符，整个文件未处理：%(p)s") % {"p": "；".join(problems[:5])},
            {"problems": problems[:200]},
        )


def _cell(row: list[object], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()
