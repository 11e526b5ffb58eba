"""The cockpit and the pages of the chain, with the outsiders at hand (bob: no program; carol:
county staff, the city's benchmarking is not hers)."""

from __future__ import annotations

import io
from datetime import date

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.benchmarking import services
from gonghui.benchmarking.models import BenchmarkCity, Measure, Problem, Reflection, StudyVisit
from gonghui.orgs.models import Department

pytestmark = pytest.mark.django_db


def xlsx_rows(content: bytes) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_the_cockpit_shows_gaps_charts_and_overdue(
    login_as, olga, sam, figures, problem, django_assert_max_num_queries
) -> None:
    services.measure_create(
        by=olga,
        problem=problem,
        title="新建站点",
        owner=sam,
        deadline=date(2026, 11, 1),
        expected_effect="新增50个",
    )
    client = login_as(olga)
    # Constant: session and grants, years, the report's five reads, the overdue list, counts.
    with django_assert_max_num_queries(24):
        html = client.get("/w/benchmarking/").content.decode()
    assert (
        "对标管理驾驶舱" in html and 'data-chart="gap-chart"' in html and 'id="gap-chart"' in html
    )
    assert html.index("服务站点") < html.index("办结天数") < html.index("参保率")
    assert "措施 1 · 逾期 1 · 已办结 0" in html and "有逾期" in html
    assert 'data-testid="overdue-by-department"' in html and "生产保护部" in html
    assert "vendor/echarts/echarts.min.js" in html and "<script>" not in html


def test_outsiders_do_not_reach_the_cockpit(login_as, people, figures, problem) -> None:
    assert login_as(people["bob"]).get("/w/benchmarking/").status_code == 403
    carol = login_as(people["carol"])
    assert carol.get("/w/benchmarking/").status_code == 403  # not at the city
    assert carol.get(f"/w/benchmarking/problems/{problem.public_id}/").status_code == 404
    assert (
        login_as(people["bob"]).get(f"/w/benchmarking/problems/{problem.public_id}/").status_code
        == 403
    )


def test_problem_and_measure_through_the_pages(login_as, olga, sam, figures) -> None:
    client = login_as(olga)
    page = client.get("/w/benchmarking/indicators/stations/?year=2026").content.decode()
    assert 'data-chart="trend-chart"' in page and "摆问题" in page
    response = client.post(
        "/w/benchmarking/indicators/stations/problems/?year=2026",
        {"text": "站点建设慢", "department": str(Department.objects.get(code="production").pk)},
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and problem.year == 2026
    response = client.post(
        f"/w/benchmarking/problems/{problem.public_id}/measures/",
        {
            "title": "新建站点",
            "expected_effect": "新增50个",
            "owner": "sam",
            "deadline": "2026-12-31",
            "priority": "high",
        },
    )
    measure = Measure.objects.get()
    assert (
        response.status_code == 302
        and response.url == f"/w/followup/items/{measure.item.public_id}/"
    )
    refused = client.post(
        f"/w/benchmarking/problems/{problem.public_id}/measures/",
        {
            "title": "x",
            "expected_effect": "",
            "owner": "sam",
            "deadline": "2026-12-31",
            "priority": "normal",
        },
    )
    assert refused.status_code == 400
    assert (
        "新建站点" in client.get(f"/w/benchmarking/problems/{problem.public_id}/").content.decode()
    )


def test_the_gap_export(login_as, olga, figures) -> None:
    response = login_as(olga).get("/w/benchmarking/gaps/export/?year=2026")
    rows = xlsx_rows(b"".join(response.streaming_content))
    assert rows[0][:5] == ["指标", "单位", "方向", "本市", "本市来源"]
    assert rows[1][0] == "服务站点" and rows[1][-1] == "未定措施"
    assert AuditEntry.objects.filter(action="benchmarking.gaps.exported").exists()


def test_figures_are_entered_on_the_data_page(login_as, olga, figures) -> None:
    client = login_as(olga)
    assert "扬州" in client.get("/w/benchmarking/data/?year=2026").content.decode()
    response = client.post(
        "/w/benchmarking/data/value/",
        {
            "city": "xuchang",
            "indicator": "stations",
            "year": "2026",
            "value": "200",
            "source": "年报",
            "source_date": "2026-03-01",
        },
    )
    assert response.status_code == 302
    missing = client.post(
        "/w/benchmarking/data/own/",
        {
            "own-indicator": "stations",
            "own-year": "2026",
            "own-value": "1",
            "own-source": "",
            "own-source_date": "2026-03-01",
        },
    )
    assert missing.status_code == 400
    assert client.post("/w/benchmarking/data/nothing/", {}).status_code == 404


def test_a_participant_writes_a_reflection(login_as, olga, sam, people, figures) -> None:
    client = login_as(olga)
    response = client.post(
        "/w/benchmarking/visits/new/",
        {
            "city": str(BenchmarkCity.objects.get(code="yangzhou").pk),
            "title": "赴扬州考察",
            "starts_on": "2026-04-14",
            "ends_on": "2026-04-16",
            "participants": "olga, sam",
        },
    )
    visit = StudyVisit.objects.get()
    assert response.status_code == 302 and visit.participants.count() == 2
    text = "扬州服务站点建设标准统一、布点合理，值得我们学习。"
    sam_client = login_as(sam)
    assert (
        sam_client.post(
            f"/w/benchmarking/visits/{visit.public_id}/reflection/", {"text": text}
        ).status_code
        == 302
    )
    assert Reflection.objects.get().author == sam
    assert text in client.get(f"/w/benchmarking/visits/{visit.public_id}/").content.decode()
    carol = login_as(people["carol"])
    assert carol.get(f"/w/benchmarking/visits/{visit.public_id}/").status_code == 404
    client.post(
        f"/w/benchmarking/visits/{visit.public_id}/takeaway/", {"tk-text": "建立月通报制度"}
    )
    takeaway = visit.takeaways.get()
    response = client.post(
        f"/w/benchmarking/takeaways/{takeaway.public_id}/plan/",
        {f"p{takeaway.pk}-year": "2027", f"p{takeaway.pk}-department": ""},
    )
    assert response.status_code == 302
    assert "建立月通报制度" in client.get("/w/benchmarking/plans/").content.decode()
    assert client.get("/w/benchmarking/visits/").status_code == 200
