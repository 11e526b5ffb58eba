"""Only the audit administrator reads the log: the page, the API and the Excel export, with
filters; the export neutralises formulas and is itself audited."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from gonghui.audit.context import origin
from gonghui.audit.log import log_action
from gonghui.audit.models import AuditEntry
from gonghui.audit.selectors import audit_search
from gonghui.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NOT_AUDITORS = ["alice", "carol", "sysadmin", "secadmin", "member"]


def api_actions(client, **params) -> list[str]:
    response = client.get("/api/v1/audit", params)
    assert response.status_code == 200
    return [item["action"] for item in response.json()["items"]]


def read_xlsx(response) -> list[list]:
    content = b"".join(response.streaming_content)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return workbook.get_sheet_by_index(0).to_python()


def test_the_auditor_opens_the_log_page(people, login_as):
    response = login_as(people["auditor"]).get("/w/audit/")

    assert response.status_code == 200
    assert "审计日志" in response.content.decode()


@pytest.mark.parametrize("who", NOT_AUDITORS)
def test_nobody_else_opens_the_log_page(people, login_as, who):
    client = login_as(people[who])

    assert client.get("/w/audit/").status_code == 403
    assert client.get("/w/audit/export.xlsx").status_code == 403


@pytest.mark.parametrize("who", NOT_AUDITORS)
def test_nobody_else_reads_the_log_through_the_api(people, login_as, who):
    response = login_as(people[who]).get("/api/v1/audit")

    assert response.status_code == 403
    assert response.json()["code"] == "auth.forbidden"


def test_anonymous_visitors_are_sent_to_login(db):
    response = Client().get("/w/audit/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_auditor_sees_logins_and_account_changes_not_tied_to_a_union(people, login_as):
    Client(REMOTE_ADDR="192.0.2.20").post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}
    )
    Client().post("/accounts/login/", {"username": "alice", "password": "wrong"})
    log_action("accounts.user.created", actor=people["sysadmin"], obj=people["bob"])

    actions = api_actions(login_as(people["auditor"]), page_size=200)

    assert {"auth.login", "auth.login_failed", "accounts.user.created"} <= set(actions)


def test_the_auditor_sees_changes_anywhere_in_the_tree(people, login_as):
    actions = api_actions(login_as(people["auditor"]), action="org.union.created")

    assert len(actions) == 5


def test_filter_by_action_prefix(people, login_as):
    log_action("accounts.user.created", actor=people["sysadmin"], obj=people["bob"])
    log_action("accounts.role.assigned", actor=people["secadmin"], obj=people["bob"])

    actions = api_actions(login_as(people["auditor"]), action="accounts.")

    assert sorted(actions) == ["accounts.role.assigned", "accounts.user.created"]


def test_filter_by_username(people, login_as):
    log_action("test.by.sysadmin", actor=people["sysadmin"])
    log_action("test.by.secadmin", actor=people["secadmin"])

    actions = api_actions(login_as(people["auditor"]), username="sysadmin")

    assert actions == ["test.by.sysadmin"]


def test_filter_by_username_includes_failed_logins_against_that_account(people, login_as):
    Client().post("/accounts/login/", {"username": "bob", "password": "wrong"})
    Client().post("/accounts/login/", {"username": "alice", "password": "wrong"})

    actions = api_actions(login_as(people["auditor"]), username="bob")

    assert actions == ["auth.login_failed"]


def test_filter_by_object_id(people, login_as):
    log_action("test.on.bob", actor=None, obj=people["bob"])
    log_action("test.on.alice", actor=None, obj=people["alice"])

    actions = api_actions(login_as(people["auditor"]), object_id=str(people["bob"].public_id))

    assert actions == ["test.on.bob"]


def test_page_filters_narrow_the_table(people, login_as):
    log_action("test.by.sysadmin", actor=people["sysadmin"])

    response = login_as(people["auditor"]).get("/w/audit/", {"username": "sysadmin"})

    assert [e.action for e in response.context["page"]] == ["test.by.sysadmin"]


def test_htmx_requests_get_only_the_table(people, login_as):
    response = login_as(people["auditor"]).get("/w/audit/", HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert body.lstrip().startswith("<table")
    assert "<html" not in body


def test_api_list_is_paginated_newest_first(people, login_as):
    client = login_as(people["auditor"])
    for n in range(5):
        log_action(f"test.n{n}", actor=None)

    body = client.get("/api/v1/audit", {"page_size": 2}).json()

    assert [i["action"] for i in body["items"]] == ["test.n4", "test.n3"]
    assert body["count"] == AuditEntry.objects.count()


def test_the_log_page_does_not_query_once_per_entry(
    people, login_as, django_assert_max_num_queries
):
    client = login_as(people["auditor"])
    for n in range(60):
        log_action(f"test.n{n}", actor=people["alice"], obj=people["bob"], changes={"n": n})

    with django_assert_max_num_queries(10):
        response = client.get("/w/audit/")

    assert len(response.context["page"]) == 50


def test_the_export_is_an_xlsx_of_the_filtered_log(people, login_as):
    log_action("test.exported.row", actor=people["alice"], changes={"name": ["甲", "乙"]})

    response = login_as(people["auditor"]).get("/w/audit/export.xlsx", {"action": "test."})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = read_xlsx(response)
    assert rows[0][:5] == ["时间", "操作人", "来源地址", "渠道", "操作"]
    assert [r[4] for r in rows[1:]] == ["test.exported.row"]
    assert "甲" in rows[1][8]


def test_the_export_neutralises_formulas(people, login_as):
    with origin(None, "web"):
        log_action(
            "test.formula",
            actor=None,
            object_repr='=HYPERLINK("http://evil.example")',
            changes={"note": "+1+1"},
        )
    Client().post("/accounts/login/", {"username": "@SUM(A1:A9)", "password": "x"})
    Client().post("/accounts/login/", {"username": "-2+3", "password": "x"})

    rows = read_xlsx(login_as(people["auditor"]).get("/w/audit/export.xlsx"))

    cells = [c for row in rows[1:] for c in row if isinstance(c, str) and c]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert "'@SUM(A1:A9)" in cells
    assert "'-2+3" in cells
    assert not [c for c in cells if c.lstrip(" ")[:1] in {"=", "+", "-", "@"}]


def test_the_export_is_itself_audited(people, login_as):
    login_as(people["auditor"]).get("/w/audit/export.xlsx", {"action": "auth."}).getvalue()

    entry = AuditEntry.objects.get(action="audit.exported")
    assert entry.actor_id == people["auditor"].pk
    assert entry.changes["filters"] == {"action": "auth."}


def test_an_audit_holder_below_the_root_reads_only_their_subtree(people, tree, login_as):
    county_auditor = make_user("ca-auditor", assignments=[(tree["county_a"], "audit_admin", None)])
    Client().post("/accounts/login/", {"username": "alice", "password": "wrong"})

    paths = set(audit_search(actor=county_auditor).values_list("union_path", flat=True).distinct())

    assert paths == {"/CITY/CA/", "/CITY/CA/UA/"}


def test_what_a_visitor_typed_is_shown_escaped(people, login_as):
    Client().post("/accounts/login/", {"username": "<script>alert(1)</script>", "password": "x"})

    body = login_as(people["auditor"]).get("/w/audit/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body


def test_a_malformed_date_does_not_drop_the_other_filters(people, login_as):
    client = login_as(people["auditor"])
    log_action("test.kept", actor=None)

    response = client.get("/w/audit/", {"action": "test.", "since": "not-a-date"})

    assert [e.action for e in response.context["page"]] == ["test.kept"]
    assert response.context["form"].errors["since"]
