"""Staff can take the applications table to Excel: masked, scoped, and on record."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def sheet_rows(response) -> list[list[object]]:
    content = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_the_applications_table_exports_masked_and_scoped(people, login_as, submit, tree):
    mine = submit(tree["a"], name="张小工")
    submit(tree["b"], name="李外人")

    response = login_as(people["alice"]).get("/w/joining/export.xlsx")

    assert response.status_code == 200
    rows = sheet_rows(response)
    assert rows[0][0] == "申请编号"
    assert [r[1] for r in rows[1:]] == ["张小工"]
    assert rows[1][2] == mine.id_number[:3] + "*" * 11 + mine.id_number[-4:]
    assert AuditEntry.objects.filter(action="joining.applications.exported", actor_label="alice")


def test_someone_without_member_rights_cannot_export(people, login_as):
    assert login_as(people["auditor"]).get("/w/joining/export.xlsx").status_code == 403
