"""/api/v1/unions: a user reads and changes only unions in their own subtree. Outsiders get 404
with code not_found (they cannot learn a union exists); insiders without org.manage get 403."""

from __future__ import annotations

import pytest

from gonghui.orgs.models import Union, UnionStatus
from gonghui.orgs.services import union_update
from gonghui.orgs.tests.conftest import uscc

pytestmark = pytest.mark.django_db

JSON = "application/json"


def codes_listed(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["code"] for item in response.json()["items"]}


@pytest.mark.parametrize("code", ["UB", "CB", "CITY"])
def test_alice_cannot_read_a_union_outside_her_own(people, login_as, code):
    response = login_as(people["alice"]).get(f"/api/v1/unions/{code}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_alice_lists_only_her_own_union(people, login_as):
    client = login_as(people["alice"])

    assert codes_listed(client.get("/api/v1/unions")) == {"UA"}
    assert codes_listed(client.get("/api/v1/unions?q=乙")) == set()


def test_carol_lists_the_subtree_of_her_county_only(people, login_as):
    client = login_as(people["carol"])

    assert codes_listed(client.get("/api/v1/unions")) == {"CA", "UA"}
    assert codes_listed(client.get("/api/v1/unions/CA/children")) == {"UA"}


def test_listing_within_a_union_outside_the_scope_is_404(people, login_as):
    response = login_as(people["carol"]).get("/api/v1/unions?within=CB")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("actor", ["alice", "carol"])
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("patch", "/api/v1/unions/UB", {"name": "改名", "address": ""}),
        ("post", "/api/v1/unions/UB/move", {"parent": "CA"}),
        ("post", "/api/v1/unions/UB/merge", {"into": "UA"}),
        ("post", "/api/v1/unions/UB/close", {"reason": "注销"}),
        ("post", "/api/v1/unions/CB/close", {"reason": "注销"}),
        ("get", "/api/v1/unions/CB/children", None),
        ("post", "/api/v1/unions", {"code": "X1", "name": "新", "kind": "branch", "parent": "UB"}),
    ],
)
def test_nobody_changes_what_lies_outside_their_scope(
    people, login_as, tree, actor, method, url, body
):
    client = login_as(people[actor])

    response = getattr(client, method)(url, body, content_type=JSON) if body else client.get(url)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    ub = Union.objects.get(code="UB")
    assert (ub.name, ub.path, ub.status) == ("乙厂工会", "/CITY/CB/UB/", UnionStatus.ACTIVE)
    assert not Union.objects.filter(code="X1").exists()


def test_carol_cannot_move_her_union_into_the_other_county(people, login_as):
    response = login_as(people["carol"]).post(
        "/api/v1/unions/UA/move", {"parent": "CB"}, content_type=JSON
    )

    assert response.status_code == 404
    assert Union.objects.get(code="UA").path == "/CITY/CA/UA/"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/v1/unions", {"code": "X1", "name": "新", "kind": "branch", "parent": "UA"}),
        ("patch", "/api/v1/unions/UA", {"name": "改名", "address": ""}),
        ("post", "/api/v1/unions/UA/close", {"reason": "注销"}),
    ],
)
def test_an_officer_without_org_manage_gets_403_on_the_own_union(
    people, login_as, method, url, body
):
    response = getattr(login_as(people["alice"]), method)(url, body, content_type=JSON)

    assert response.status_code == 403
    assert response.json()["code"] == "auth.forbidden"
    assert Union.objects.get(code="UA").name == "甲厂工会"


def test_county_staff_creates_a_union_in_the_county(people, login_as):
    response = login_as(people["carol"]).post(
        "/api/v1/unions",
        {"code": "ua2", "name": "甲二厂工会", "kind": "grassroots", "parent": "CA"},
        content_type=JSON,
    )

    assert response.status_code == 201, response.content
    assert response.json()["parent"] == "CA"
    assert response.json()["path"] == "/CITY/CA/UA2/"


def test_a_rule_violation_is_a_400_with_its_code(people, login_as):
    response = login_as(people["carol"]).post(
        "/api/v1/unions",
        {"code": "X1", "name": "错挂", "kind": "county", "parent": "UA"},
        content_type=JSON,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "org.parent_kind_invalid"


def test_an_anonymous_caller_gets_401(tree, client):
    response = client.get("/api/v1/unions")

    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


@pytest.mark.parametrize(("page_size", "status"), [(200, 200), (201, 422), (0, 422)])
def test_page_size_is_at_most_200(people, login_as, page_size, status):
    response = login_as(people["carol"]).get(f"/api/v1/unions?page_size={page_size}")

    assert response.status_code == status
    if status == 422:
        assert response.json()["code"] == "request.invalid"
    else:
        assert response.json()["page_size"] == 200


def test_pages_are_stable_and_counted(people, login_as):
    client = login_as(people["sysadmin"])

    first = client.get("/api/v1/unions?page_size=2&page=1").json()
    second = client.get("/api/v1/unions?page_size=2&page=2").json()

    assert first["count"] == second["count"] == 5
    assert [u["code"] for u in first["items"] + second["items"]] == ["CITY", "CA", "UA", "CB"]


def test_patch_changes_only_the_fields_sent(tree, people, login_as):
    code = uscc("91419902MA0000009")
    union_update(by=None, union=tree["a"], name="甲厂工会", address="甲路1号", uscc=code)
    client = login_as(people["carol"])

    renamed = client.patch("/api/v1/unions/UA", {"name": "甲厂新名"}, content_type=JSON)

    assert renamed.status_code == 200, renamed.content
    assert (renamed.json()["name"], renamed.json()["address"], renamed.json()["uscc"]) == (
        "甲厂新名",
        "甲路1号",
        code,
    )
    cleared = client.patch("/api/v1/unions/UA", {"uscc": None}, content_type=JSON)
    assert (cleared.json()["uscc"], cleared.json()["address"]) == (None, "甲路1号")
