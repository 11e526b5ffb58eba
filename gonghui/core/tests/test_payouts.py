from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core import payouts
from gonghui.core.errors import DomainError
from gonghui.core.excel import xlsx_bytes
from gonghui.core.money import parse_yuan

LINES = [
    payouts.PayoutLine("C0001", "张三", "6222000000000001", 123450, "互助金"),
    payouts.PayoutLine("C0002", "李四", "6222000000000002", 5, "互助金"),
]


@given(st.integers(min_value=0, max_value=10**12))
def test_yuan_text_is_exact(fen: int) -> None:
    assert parse_yuan(payouts.yuan_text(fen)) == fen


def test_result_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "result.xlsx"
    path.write_bytes(
        payouts.result_file_bytes([(LINES[0], True, ""), (LINES[1], False, "户名不符")])
    )
    results = payouts.read_payout_results(path)
    assert [(r.reference, r.paid, r.amount_fen, r.reason) for r in results] == [
        ("C0001", True, 123450, ""),
        ("C0002", False, 5, "户名不符"),
    ]
    assert results[0].row == 2


def test_payout_file_has_the_lines_and_neutralises_formulas(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    path.write_bytes(payouts.payout_file_bytes([payouts.PayoutLine("R1", "=cmd", "1", 100)]))
    from gonghui.core.excel import iter_rows

    rows = list(iter_rows(path))
    assert rows[0] == payouts.HEADERS
    assert rows[1][1:5] == ["R1", "'=cmd", "1", "1.00"]


def test_a_bad_row_refuses_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        xlsx_bytes(
            ["业务编号", "结果", "失败原因"],
            [["C0001", "成功", ""], ["C0001", "成功", ""], ["C0003", "也许", ""], ["", "失败", ""]],
        )
    )
    with pytest.raises(DomainError) as caught:
        payouts.read_payout_results(path)
    assert caught.value.code == "payout.result_invalid"
    assert [e["row"] for e in caught.value.details["errors"]] == [3, 4, 5]


def test_a_failure_without_reason_says_so(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx_bytes(["业务编号", "结果"], [["C9", "失败"]]))
    (result,) = payouts.read_payout_results(path)
    assert not result.paid and result.reason
