"""`manage.py import_unions FILE [--dry-run] [--json]`: exit 0 without row errors, 1 with row
errors (each printed as 第N行 列: 值 — 原因), 2 for a file that cannot be used; with --json the
last line of stdout is the summary."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from gonghui.audit.models import AuditEntry
from gonghui.orgs.models import Union
from gonghui.orgs.tests.conftest import write_sheet

pytestmark = pytest.mark.django_db

ROWS = [
    ["D9E1", "九区一厂工会", "基层工会", "D9", "", ""],
    ["D9", "九区总工会", "县(市、区)总工会", "CITY", "", ""],
]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_unions", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    else:
        code = 0
    return code, out.getvalue(), err.getvalue()


def test_a_good_file_exits_0_and_writes(tree, tmp_path):
    path = write_sheet(tmp_path / "tree.xlsx", ROWS)

    code, out, err = run(str(path), "--json")

    assert (code, err) == (0, "")
    assert json.loads(out.strip().splitlines()[-1]) == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "errors": 0,
        "written": True,
    }
    assert Union.objects.get(code="D9E1").path == "/CITY/D9/D9E1/"
    assert AuditEntry.objects.filter(action="org.union.created", source="cli").count() == 2


def test_row_errors_exit_1_print_each_row_and_write_nothing(tree, tmp_path):
    rows = [*ROWS, ["D9E2", "九区二厂工会", "基层工会", "NOWHERE", "", ""]]
    path = write_sheet(tmp_path / "tree.xlsx", rows)

    code, out, err = run(str(path), "--json")

    assert code == 1, err
    assert "第4行 上级代码: NOWHERE — 上级工会不存在" in err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary == {"rows": 3, "created": 0, "updated": 0, "errors": 1, "written": False}
    assert not Union.objects.filter(code__startswith="D9").exists()


def test_dry_run_exits_0_and_writes_nothing(tree, tmp_path):
    path = write_sheet(tmp_path / "tree.xlsx", ROWS)

    code, out, err = run(str(path), "--dry-run", "--json")

    assert code == 0, err
    assert json.loads(out.strip().splitlines()[-1])["written"] is False
    assert not Union.objects.filter(code="D9").exists()


def test_a_file_that_is_not_a_spreadsheet_exits_2(tree, tmp_path):
    path = tmp_path / "tree.xlsx"
    path.write_bytes(b"\x00\x01\x02garbage" * 100)

    code, out, err = run(str(path), "--json")

    assert code == 2
    assert "file.unsupported" in err
    assert json.loads(out.strip().splitlines()[-1])["code"] == "file.unsupported"


def test_a_file_without_the_header_exits_2(tree, tmp_path):
    path = tmp_path / "tree.csv"
    path.write_text("编号,单位\nD9,九区\n", encoding="utf-8")

    code, _out, err = run(str(path))

    assert code == 2
    assert "file.no_header" in err


def test_a_missing_file_exits_2(tree, tmp_path):
    code, _out, err = run(str(tmp_path / "nothing.xlsx"))

    assert code == 2
    assert "file.not_found" in err
