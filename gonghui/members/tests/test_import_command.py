"""`manage.py import_members` and `member_template`: exit codes 0 / 1 / 2 and the --json line
scripts read."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from gonghui.members.models import Member, Transfer
from gonghui.members.tests.conftest import (
    HEADER,
    fake_people,
    read_xlsx,
    roster_row,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

JSON_KEYS = {"rows", "created", "updated", "transfers", "errors", "written", "error_report"}


def import_members(*args: str) -> tuple[int, dict[str, Any], str]:
    """Run the command; returns its exit code, the --json last line and stderr."""
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_members", *args, "--json", stdout=out, stderr=err)
    last = out.getvalue().strip().splitlines()[-1]
    return exited.value.code, json.loads(last), err.getvalue()


def roster(tmp_path: Path, count: int = 3, *, bad_row: int | None = None) -> Path:
    rows = [roster_row(p) for p in fake_people(count)]
    if bad_row is not None:
        rows[bad_row][HEADER.index("身份证号")] = "410102199001011230"  # wrong check character
    return write_xlsx(tmp_path / "roster.xlsx", rows)


def test_a_clean_roster_exits_0(tmp_path, tree) -> None:
    code, summary, _ = import_members(str(roster(tmp_path)), "--union", "UA")
    assert code == 0
    assert set(summary) == JSON_KEYS
    assert summary == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "transfers": 0,
        "errors": 0,
        "written": True,
        "error_report": None,
    }
    assert Member.objects.filter(union=tree["a"]).count() == 3


def test_the_union_code_is_read_case_insensitively(tmp_path, tree) -> None:
    code, summary, _ = import_members(str(roster(tmp_path)), "--union", " ua ")
    assert (code, summary["created"]) == (0, 3)


def test_row_errors_exit_1_write_nothing_and_leave_a_report(tmp_path, tree) -> None:
    code, summary, stderr = import_members(str(roster(tmp_path, bad_row=1)), "--union", "UA")
    assert code == 1
    assert (summary["errors"], summary["written"], summary["created"]) == (1, False, 0)
    report = Path(summary["error_report"])
    assert report.exists()
    assert report.name == "roster.errors.xlsx"
    assert [int(r[0]) for r in read_xlsx(report)[1:]] == [3]
    assert "第3行" in stderr
    assert not Member.objects.exists()


def test_skip_invalid_exits_1_but_writes_the_valid_rows(tmp_path, tree) -> None:
    path = roster(tmp_path, 4, bad_row=0)
    code, summary, _ = import_members(str(path), "--union", "UA", "--skip-invalid")
    assert code == 1
    assert (summary["errors"], summary["written"], summary["created"]) == (1, True, 3)
    assert Member.objects.count() == 3


def test_dry_run_counts_and_writes_nothing(tmp_path, tree) -> None:
    code, summary, _ = import_members(str(roster(tmp_path)), "--union", "UA", "--dry-run")
    assert code == 0
    assert (summary["created"], summary["written"]) == (3, False)
    assert not Member.objects.exists()


def test_the_report_goes_where_asked(tmp_path, tree) -> None:
    target = tmp_path / "out" / "report.xlsx"
    target.parent.mkdir()
    code, summary, _ = import_members(
        str(roster(tmp_path, bad_row=0)), "--union", "UA", "--report", str(target)
    )
    assert code == 1
    assert summary["error_report"] == str(target)
    assert target.exists()


def test_someone_in_another_union_is_a_transfer_or_with_no_transfers_an_error(
    tmp_path, tree, member_b
) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx", [[member_b.name, member_b.id_number]], header=["姓名", "身份证号"]
    )
    code, summary, _ = import_members(str(path), "--union", "UA", "--no-transfers")
    assert (code, summary["transfers"], summary["errors"]) == (1, 0, 1)
    assert not Transfer.objects.exists()
    code, summary, _ = import_members(str(path), "--union", "UA")
    assert (code, summary["transfers"], summary["errors"]) == (0, 1, 0)
    assert Transfer.objects.filter(member=member_b, to_union=tree["a"]).exists()


@pytest.mark.parametrize(
    ("make_file", "expected_code"),
    [
        (
            lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100)),
            "file.unsupported",
        ),
        (lambda p: p.write_bytes(b"PK\x03\x04 this is not really a workbook"), "file.unreadable"),
        (lambda p: write_xlsx(p, [["a", "b"]], header=["编号", "备注"]), "file.no_header"),
    ],
)
def test_an_unusable_file_exits_2(tmp_path, tree, make_file, expected_code) -> None:
    path = tmp_path / "roster.xlsx"
    make_file(path)
    code, summary, stderr = import_members(str(path), "--union", "UA")
    assert code == 2
    assert summary["code"] == expected_code
    assert summary["message"]
    assert expected_code in stderr


def test_a_missing_file_or_union_exits_2(tmp_path, tree) -> None:
    code, summary, _ = import_members(str(tmp_path / "nowhere.xlsx"), "--union", "UA")
    assert (code, summary["code"]) == (2, "file.not_found")
    code, summary, _ = import_members(str(roster(tmp_path)), "--union", "NOPE")
    assert (code, summary["code"]) == (2, "org.not_found")


def test_the_template_is_a_roster_the_import_reads(tmp_path, tree) -> None:
    template = tmp_path / "template.xlsx"
    call_command("member_template", str(template), stdout=StringIO())
    header = read_xlsx(template)[0]
    assert header[:3] == ["姓名", "性别", "身份证号"]
    assert "工会代码" in header
    code, summary, _ = import_members(str(template), "--union", "UA")
    assert (code, summary["rows"], summary["errors"]) == (0, 0, 0)
