"""/api/v1/assessment/benchmarks/: reference data, figures, the gap report, problems and
measures, visits and reflections."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.benchmarking import services

pytestmark = pytest.mark.django_db

API = "/api/v1/assessment/benchmarks"


def post(client, url: str, body: dict) -> object:
    return client.post(url, body, content_type="application/json")


def test_the_gap_report(login_as, olga, people, figures) -> None:
    client = login_as(olga)
    body = client.get(f"{API}/gaps?year=2026").json()
    assert body["year"] == 2026 and [r["indicator"] for r in body["rows"]] == [
        "stations",
        "days",
        "rate",
    ]
    first = body["rows"][0]
    assert first["best_gap"]["relative"] in (50, "50.00")
    assert first["state"] == "none" and first["cities"][0]["city"] == "yangzhou"
    empty = client.get(f"{API}/gaps?year=2024").json()
    assert {r["best_gap"]["relative"] for r in empty["rows"]} == {None}
    assert login_as(people["bob"]).get(f"{API}/gaps").status_code == 403
    assert [c["code"] for c in client.get(f"{API}/cities").json()] == ["yangzhou", "xuchang"]
    assert len(client.get(f"{API}/indicators").json()) == 3
    assert client.get(f"{API}/values?year=2026").json()["count"] == 6
    assert client.get(f"{API}/own-values?year=2026").json()["count"] == 3


def test_figures_problems_and_measures(login_as, olga, sam, people, figures) -> None:
    client = login_as(olga)
    value = post(
        client,
        f"{API}/values",
        {
            "city": "yangzhou",
            "indicator": "days",
            "year": 2026,
            "value": "8.5",
            "source": "年报",
            "source_date": "2026-03-01",
        },
    )
    assert value.status_code == 201 and value.json()["city"] == "yangzhou"
    problem = post(
        client,
        f"{API}/problems",
        {"indicator": "stations", "year": 2026, "text": "站点少", "department": "production"},
    )
    assert problem.status_code == 201
    problem_id = problem.json()["id"]
    measure = post(
        client,
        f"{API}/problems/{problem_id}/measures",
        {
            "title": "新建站点",
            "expected_effect": "新增50个",
            "owner": "sam",
            "deadline": "2026-12-31",
        },
    )
    assert measure.status_code == 201, measure.content
    item = measure.json()["item"]
    assert item["source_kind"] == "benchmarking.problem" and item["department"] == "production"
    closed = post(
        login_as(sam),
        f"/api/v1/assessment/actions/items/{item['id']}/close",
        {"evidence_text": "建成", "evidence_link": "https://example.org/s"},
    )
    assert closed.json()["status"] == "closed"
    rows = client.get(f"{API}/gaps?year=2026").json()["rows"]
    assert rows[0]["indicator"] == "days"  # Yangzhou's new 8.5 days made it the biggest gap
    row = next(r for r in rows if r["indicator"] == "stations")
    assert (row["measures"], row["closed"], row["state"]) == (1, 1, "closed")
    assert login_as(people["carol"]).get(f"{API}/problems/{problem_id}/measures").status_code == 404
    assert login_as(people["carol"]).get(f"{API}/problems").json()["count"] == 0


def test_visits_and_reflections(login_as, olga, sam, people, figures) -> None:
    from gonghui.benchmarking.selectors import city_get

    visit = services.visit_create(
        by=olga,
        city=city_get(code="yangzhou"),
        title="赴扬州",
        starts_on=date(2026, 4, 14),
        ends_on=date(2026, 4, 15),
        participants=[sam],
    )
    text = {"text": "扬州把服务站点建设纳入民生实事，经验值得借鉴推广。"}
    assert (
        post(login_as(sam), f"{API}/visits/{visit.public_id}/reflections", text).status_code == 201
    )
    assert (
        post(login_as(olga), f"{API}/visits/{visit.public_id}/reflections", text).status_code == 403
    )
    body = login_as(olga).get(f"{API}/visits/{visit.public_id}").json()
    assert body["participants"] == ["sam"] and body["reflections"][0]["author"] == "sam"
    assert login_as(olga).get(f"{API}/visits").json()["count"] == 1
    assert login_as(people["carol"]).get(f"{API}/visits/{visit.public_id}").status_code == 404
