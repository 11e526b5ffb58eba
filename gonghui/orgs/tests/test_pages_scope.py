"""The 组织架构 pages: the tree browser, search, a union's page and its actions show and change
only the user's own subtree; outsiders get 404, insiders without org.manage 403."""

from __future__ import annotations

import pytest

from gonghui.orgs.models import Union, UnionStatus
from gonghui.orgs.services import union_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("actor", ["alice", "carol"])
@pytest.mark.parametrize("url", ["/w/orgs/UB/", "/w/orgs/CB/", "/w/orgs/CB/children/"])
def test_pages_of_another_county_are_404(people, login_as, actor, url):
    assert login_as(people[actor]).get(url).status_code == 404


@pytest.mark.parametrize("actor", ["alice", "carol"])
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("edit", {"name": "改名", "address": "", "uscc": ""}),
        ("move", {"parent": "CA"}),
        ("merge", {"into": "UA"}),
        ("close", {"reason": "注销"}),
        ("create", {"code": "X1", "name": "新", "kind": "branch"}),
    ],
)
def test_actions_on_a_union_of_another_county_are_404(people, login_as, actor, action, data):
    response = login_as(people[actor]).post(f"/w/orgs/UB/{action}/", data)

    assert response.status_code == 404
    ub = Union.objects.get(code="UB")
    assert (ub.name, ub.path, ub.status) == ("乙厂工会", "/CITY/CB/UB/", UnionStatus.ACTIVE)
    assert not Union.objects.filter(code="X1").exists()


def test_an_officer_without_org_manage_gets_403_acting_on_the_own_union(people, login_as):
    response = login_as(people["alice"]).post("/w/orgs/UA/edit/", {"name": "改名", "address": ""})

    assert response.status_code == 403
    assert Union.objects.get(code="UA").name == "甲厂工会"


def test_an_officer_without_org_manage_gets_403_on_the_import_page(people, login_as):
    assert login_as(people["alice"]).get("/w/orgs/import/").status_code == 403


def test_an_officer_sees_the_own_union_without_the_forms_to_change_it(people, login_as):
    page = login_as(people["alice"]).get("/w/orgs/UA/").content.decode()

    assert "甲厂工会" in page
    assert "/w/orgs/UA/edit/" not in page


def test_the_tree_browser_starts_at_the_top_of_the_users_scope(people, login_as):
    page = login_as(people["carol"]).get("/w/orgs/").content.decode()

    assert 'data-code="CA"' in page
    assert 'data-code="CITY"' not in page
    assert 'data-code="CB"' not in page


def test_search_finds_only_unions_in_the_users_subtree(people, login_as):
    client = login_as(people["carol"])

    found = client.get("/w/orgs/", {"q": "工会"}, HTTP_HX_REQUEST="true").content.decode()

    linked = {
        code for code in ("CITY", "CA", "UA", "CB", "UB") if f'href="/w/orgs/{code}/"' in found
    }
    assert linked == {"CA", "UA"}
    assert "乙厂工会" not in found and "乙区总工会" not in found


def test_search_by_code_prefix(people, login_as):
    found = login_as(people["carol"]).get("/w/orgs/", {"q": "ua"}).content.decode()

    assert "甲厂工会" in found
    assert "找到 1 个工会" in found


def test_the_lazy_children_partial_lists_the_children(people, login_as):
    response = login_as(people["carol"]).get("/w/orgs/CA/children/")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-code="UA"' in body
    assert "<html" not in body


def test_the_children_partial_of_a_leaf_says_there_are_none(people, login_as):
    body = login_as(people["carol"]).get("/w/orgs/UA/children/").content.decode()

    assert "没有下级工会" in body


def test_county_staff_renames_a_union_from_its_page(people, login_as):
    client = login_as(people["carol"])

    response = client.post(
        "/w/orgs/UA/edit/", {"name": "甲厂新名", "address": "", "uscc": ""}, follow=True
    )

    assert response.status_code == 200
    assert "已保存" in response.content.decode()
    assert Union.objects.get(code="UA").name == "甲厂新名"


def test_a_refused_action_comes_back_as_a_message_on_the_page(people, login_as):
    response = login_as(people["carol"]).post(
        "/w/orgs/CA/close/", {"reason": "区划调整"}, follow=True
    )

    assert "未撤销的下级工会" in response.content.decode()
    assert Union.objects.get(code="CA").status == UnionStatus.ACTIVE


def test_moving_to_a_parent_outside_the_scope_says_not_found(people, login_as):
    response = login_as(people["carol"]).post("/w/orgs/UA/move/", {"parent": "cb"}, follow=True)

    assert "没有找到该记录" in response.content.decode()
    assert Union.objects.get(code="UA").path == "/CITY/CA/UA/"


def test_the_search_pager_keeps_the_query_url_encoded(tree, people, login_as):
    for n in range(51):
        union_create(by=None, code=f"P{n:02d}", name=f"R&D {n}", kind="branch", parent=tree["a"])

    page = login_as(people["carol"]).get("/w/orgs/", {"q": "R&D"}).content.decode()

    assert "找到 51 个工会" in page
    assert 'href="?q=R%26D&page=2"' in page
