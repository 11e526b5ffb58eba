"""The staff pages, with the outsider (county B's dave) at hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.assessment import services
from gonghui.assessment.models import BodyState, Value
from gonghui.assessment.tests.conftest import PDF, leaf, self_assess
from gonghui.audit.models import AuditEntry
from gonghui.core.excel import iter_rows

pytestmark = pytest.mark.django_db


def test_home_and_plan_pages_for_the_office(login_as, olga, bodies, django_assert_max_num_queries):
    client = login_as(olga)
    assert "年度目标考核" in client.get("/w/assessment/").content.decode()
    with django_assert_max_num_queries(25):
        html = client.get(f"/w/assessment/{bodies['a'].plan.year}/").content.decode()
    assert "甲区总工会" in html and "乙区总工会" in html
    assert "professors.sessions_held" in html and "添加指标" in html


def test_the_office_adds_a_plan_and_a_tree_on_the_page(login_as, olga, tree) -> None:
    client = login_as(olga)
    response = client.post("/w/assessment/", {"year": 2031, "name": "2031年度考核"})
    assert response.status_code == 302
    url = "/w/assessment/2031/"
    client.post(
        url,
        {"action": "category", "cat-body_kind": "county", "cat-name": "组织", "cat-weight": "100"},
    )
    from gonghui.assessment.models import Node

    category = Node.objects.get(plan__year=2031, name="组织")
    client.post(
        url,
        {
            "action": "indicator",
            "leaf-parent": str(category.public_id),
            "leaf-name": "会员人数",
            "leaf-weight": "100",
            "leaf-source": "computed",
            "leaf-indicator_code": "members.registered",
            "leaf-curve": "linear",
            "leaf-target": "100",
        },
    )
    assert Node.objects.get(plan__year=2031, name="会员人数").unit == "人"
    client.post(url, {"action": "bodies"})
    assert "乙区总工会" in client.get(url).content.decode()


def test_a_county_sees_only_its_own_scorecard_before_final(
    login_as, carol, dave, olga, bodies, django_assert_max_num_queries
) -> None:
    a_url = f"/w/assessment/bodies/{bodies['a'].public_id}/"
    client = login_as(carol)
    with django_assert_max_num_queries(30):
        html = client.get(a_url).content.decode()
    assert "无数据" in html and "填报自评" in html
    plan_html = client.get(f"/w/assessment/{bodies['a'].plan.year}/").content.decode()
    assert "甲区总工会" in plan_html and "乙区总工会" not in plan_html
    outsider = login_as(dave)
    assert outsider.get(a_url).status_code == 404
    assert outsider.get(a_url + "report/").status_code == 404
    assert outsider.get(a_url + "scorecard.xlsx").status_code == 404
    node = leaf(bodies["a"].plan, "帮扶户数")
    assert outsider.post(f"{a_url}values/{node.public_id}/", {"value": "9"}).status_code == 404
    assert outsider.post(f"{a_url}move/", {"to": "review"}).status_code == 404
    self_assess(carol, bodies["a"], "10")
    services.body_transition(by=carol, body=bodies["a"], to=BodyState.REVIEW)
    services.body_transition(by=olga, body=bodies["a"], to=BodyState.FINAL)
    assert outsider.get(a_url).status_code == 200  # final scores are open to every participant
    assert outsider.post(f"{a_url}move/", {"to": "self", "note": "x"}).status_code == 403


def test_those_outside_the_program_get_403(login_as, people, bodies) -> None:
    assert login_as(people["alice"]).get("/w/assessment/").status_code == 403
    assert login_as(people["sysadmin"]).get("/w/assessment/").status_code == 403


def test_self_assessment_with_an_uploaded_evidence_file(login_as, carol, olga, bodies) -> None:
    body = bodies["a"]
    node = leaf(body.plan, "帮扶户数")
    client = login_as(carol)
    url = f"/w/assessment/bodies/{body.public_id}/"
    response = client.post(
        f"{url}values/{node.public_id}/",
        {
            "value": "7",
            "comment": "全年建档 7 户",
            "evidence_file": SimpleUploadedFile("台账.pdf", PDF),
        },
    )
    assert response.status_code == 302
    value = Value.objects.get(body=body, node=node)
    assert value.self_value == Decimal(7) and value.evidence_name == "台账.pdf"
    download = client.get(f"{url}evidence/{node.public_id}/")
    assert download.status_code == 200 and b"".join(download) == PDF
    assert AuditEntry.objects.filter(action="assessment.evidence.read").exists()
    bad = client.post(
        f"{url}values/{node.public_id}/",
        {"value": "7", "evidence_file": SimpleUploadedFile("x.pdf", b"not a pdf")},
        follow=True,
    )
    assert "只能是 PDF、JPG 或 PNG" in bad.content.decode()
    client.post(f"{url}move/", {"to": "review"})
    body.refresh_from_db()
    assert body.state == BodyState.REVIEW
    office = login_as(olga)
    office.post(f"{url}values/{node.public_id}/review/", {"value": "5", "reason": "两户重复"})
    office.post(f"{url}move/", {"to": "final"})
    body.refresh_from_db()
    assert body.state == BodyState.FINAL and body.total_score is not None
    html = office.get(url).content.decode()
    assert "两户重复" in html and "已终评" in html


def test_ranking_page_and_exports(
    login_as, carol, dave, olga, bodies, django_assert_max_num_queries
):
    for body, who in ((bodies["a"], carol), (bodies["b"], dave)):
        self_assess(who, body, "10")
        services.body_transition(by=who, body=body, to=BodyState.REVIEW)
        services.body_transition(by=olga, body=body, to=BodyState.FINAL)
    client = login_as(dave)
    year = bodies["a"].plan.year
    with django_assert_max_num_queries(15):
        html = client.get(f"/w/assessment/{year}/ranking/").content.decode()
    assert "chart-rank-county" in html and "甲区总工会" in html
    response = client.get(f"/w/assessment/{year}/ranking.xlsx")
    assert response.status_code == 200
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(b"".join(response.streaming_content))
        handle.flush()
        rows = list(iter_rows(handle.name))
    assert rows[1][1] == rows[2][1] == 1  # the tie shares first place
    card = client.get(f"/w/assessment/bodies/{bodies['b'].public_id}/scorecard.xlsx")
    assert card.status_code == 200
    assert AuditEntry.objects.filter(action="assessment.exported").count() == 2


def test_printable_report_says_no_data(login_as, carol, bodies) -> None:
    html = (
        login_as(carol)
        .get(f"/w/assessment/bodies/{bodies['a'].public_id}/report/")
        .content.decode()
    )
    assert "无数据" in html and "as-print" in html and "考核得分报告" in html
