"""List pages and endpoints run a fixed number of queries however many unions they show
(no N+1): 30 unions under one county, each with a branch, cost no more than 3 would."""

from __future__ import annotations

import pytest

from gonghui.orgs.services import union_create

pytestmark = pytest.mark.django_db

# Session, user, TOTP device, grants, page count and rows, with room for the middleware.
MAX_QUERIES = 12


@pytest.fixture
def thirty(tree):
    for n in range(30):
        union = union_create(
            by=None,
            code=f"UA{n:02d}",
            name=f"甲区{n}厂工会",
            kind="grassroots",
            parent=tree["county_a"],
        )
        union_create(
            by=None, code=f"UA{n:02d}B", name=f"甲区{n}厂分会", kind="branch", parent=union
        )
    return tree


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/unions?page_size=200",
        "/api/v1/unions?q=厂&page_size=200",
        "/api/v1/unions/CA/children?page_size=200",
        "/w/orgs/?q=厂",
        "/w/orgs/CA/children/",
        "/w/orgs/",
    ],
)
def test_lists_cost_a_fixed_number_of_queries(
    thirty, people, login_as, url, django_assert_max_num_queries
):
    client = login_as(people["carol"])

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count("UA0") >= 10 or url == "/w/orgs/"
