"""scoped(): rows under the nodes where the actor holds the permission, nothing without a grant;
get_scoped(): 404 for outsiders, 403 for insiders who lack the permission."""

from __future__ import annotations

import pytest

from gonghui.accounts.models import User
from gonghui.accounts.scoping import get_scoped, has_perm, scope_paths, scoped
from gonghui.conftest import make_user
from gonghui.core.errors import Forbidden, NotFound
from gonghui.orgs.models import Union
from gonghui.orgs.services import union_close, union_create

pytestmark = pytest.mark.django_db


def codes(actor, permission="org.view") -> set[str]:
    return set(scoped(Union.objects.all(), actor, permission).values_list("code", flat=True))


def test_a_user_with_no_grant_sees_nothing(tree):
    nobody = make_user("nobody")

    assert codes(nobody) == set()
    assert scope_paths(nobody, "org.view") == []
    assert not has_perm(nobody, "org.view")


def test_county_staff_sees_the_county_subtree_only(people):
    assert codes(people["carol"]) == {"CA", "UA"}


def test_grassroots_officer_sees_only_the_own_union(people):
    assert codes(people["alice"]) == {"UA"}
    assert codes(people["bob"]) == {"UB"}


def test_a_permission_the_role_lacks_gives_nothing(people):
    assert codes(people["alice"], "org.manage") == set()


def test_a_sibling_whose_code_starts_with_the_same_letters_stays_outside(people, tree):
    union_create(by=None, code="CAB", name="甲乙区总工会", kind="county", parent=tree["city"])

    assert "CAB" not in codes(people["carol"])


def test_a_deactivated_user_sees_nothing(people):
    carol: User = people["carol"]
    carol.is_active = False
    carol.save()

    assert codes(User.objects.get(pk=carol.pk)) == set()


def test_a_grant_at_a_closed_union_gives_nothing(people, tree):
    union_close(by=people["sysadmin"], union=tree["a"], reason="企业注销")

    assert codes(User.objects.get(pk=people["alice"].pk)) == set()


def test_a_model_without_scope_path_cannot_be_scoped(people):
    with pytest.raises(TypeError):
        scoped(User.objects.all(), people["carol"], "org.view")


def test_get_scoped_outside_the_subtree_is_not_found(people):
    with pytest.raises(NotFound):
        get_scoped(Union.objects.all(), people["carol"], "org.view", code="UB")


def test_get_scoped_outside_is_not_found_even_for_a_change_permission(people):
    with pytest.raises(NotFound):
        get_scoped(Union.objects.all(), people["carol"], "org.manage", code="UB")


def test_get_scoped_inside_without_the_permission_is_forbidden(people):
    with pytest.raises(Forbidden):
        get_scoped(Union.objects.all(), people["alice"], "org.manage", code="UA")


def test_get_scoped_inside_with_the_permission_returns_the_row(people):
    union = get_scoped(Union.objects.all(), people["carol"], "org.manage", code="UA")

    assert union.code == "UA"


def test_has_perm_at_a_node_holds_at_and_below_the_grant(people, tree):
    carol = people["carol"]

    assert has_perm(carol, "org.manage", tree["a"].path)
    assert has_perm(carol, "org.manage", tree["county_a"].path)
    assert not has_perm(carol, "org.manage", tree["city"].path)
    assert not has_perm(carol, "org.manage", tree["b"].path)


def test_nested_grants_collapse_to_the_outer_path(people, tree):
    both = make_user(
        "both",
        assignments=[(tree["county_a"], "county_staff", None), (tree["a"], "union_officer", None)],
    )

    assert scope_paths(both, "org.view") == [tree["county_a"].path]


def test_a_department_narrows_programs_but_keeps_shared_permissions(tree):
    staff = make_user("dept", assignments=[(tree["city"], "dept_staff", "security")])

    assert has_perm(staff, "mutualaid.view")
    assert has_perm(staff, "members.view")
    assert not has_perm(staff, "modelworkers.view")


def test_one_union_officer_cannot_read_the_other_union_through_the_page(people, login_as):
    response = login_as(people["bob"]).get("/w/orgs/UA/")

    assert response.status_code == 404
