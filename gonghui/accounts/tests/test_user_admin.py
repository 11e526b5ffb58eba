"""The 账号与岗位 pages: the system administrator creates and manages accounts, the security
administrator assigns roles; every change is audited and the list stays at a fixed query count."""

from __future__ import annotations

import pytest

from gonghui.accounts.models import Assignment, Role, User
from gonghui.audit.models import AuditEntry
from gonghui.conftest import make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qing-Shan-42x"


def detail_url(user: User) -> str:
    return f"/w/users/{user.public_id}/"


def new_user_form(**overrides):
    return {
        "username": "zhangsan",
        "display_name": "张三",
        "kind": "staff",
        "password": NEW_PASSWORD,
    } | overrides


def test_system_admin_creates_a_user_through_the_page(people, login_as):
    response = login_as(people["sysadmin"]).post("/w/users/new/", new_user_form())

    created = User.objects.get(username="zhangsan")
    assert response.status_code == 302
    assert response.url == detail_url(created)
    assert created.display_name == "张三"
    assert created.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="accounts.user.created")
    assert entry.actor_id == people["sysadmin"].pk
    assert entry.object_id == str(created.public_id)
    assert NEW_PASSWORD not in str(entry.changes)


def test_a_weak_initial_password_is_refused_with_the_reason(people, login_as):
    response = login_as(people["sysadmin"]).post(
        "/w/users/new/", new_user_form(password="zhangsan1")
    )

    assert response.status_code == 400
    assert "密码太短" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_a_taken_username_is_refused_whatever_its_case(people, login_as):
    response = login_as(people["sysadmin"]).post("/w/users/new/", new_user_form(username="ALICE"))

    assert response.status_code == 400
    assert "用户名已被使用" in response.content.decode()


def test_security_admin_assigns_a_role_through_the_page(people, login_as):
    newbie = make_user("newbie")
    officer = Role.objects.get(code="union_officer")

    response = login_as(people["secadmin"]).post(
        detail_url(newbie), {"action": "assign", "union_code": "ua", "role": officer.pk}
    )

    assert response.status_code == 302
    assignment = Assignment.objects.get(user=newbie)
    assert (assignment.union.code, assignment.role.code) == ("UA", "union_officer")
    entry = AuditEntry.objects.get(action="accounts.role.assigned")
    assert entry.actor_id == people["secadmin"].pk
    assert entry.union_path == "/CITY/CA/UA/"


def test_a_role_needing_a_department_is_refused_without_one(people, login_as):
    newbie = make_user("newbie")
    dept_role = Role.objects.get(code="dept_staff")

    response = login_as(people["secadmin"]).post(
        detail_url(newbie),
        {"action": "assign", "union_code": "CITY", "role": dept_role.pk},
        follow=True,
    )

    assert "该角色须指定部门" in response.content.decode()
    assert not Assignment.objects.filter(user=newbie).exists()


def test_security_admin_revokes_a_role_through_the_page(people, login_as):
    assignment = people["alice"].assignments.get()

    response = login_as(people["secadmin"]).post(
        detail_url(people["alice"]), {"action": "revoke", "assignment": assignment.pk}
    )

    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEntry.objects.filter(action="accounts.role.revoked").exists()


def test_system_admin_cannot_assign_through_the_page(people, login_as):
    newbie = make_user("newbie")
    officer = Role.objects.get(code="union_officer")

    login_as(people["sysadmin"]).post(
        detail_url(newbie), {"action": "assign", "union_code": "UA", "role": officer.pk}
    )

    assert not Assignment.objects.filter(user=newbie).exists()


def test_system_admin_deactivates_and_reactivates_an_account(people, login_as):
    client = login_as(people["sysadmin"])

    client.post(detail_url(people["alice"]), {"action": "deactivate"})
    people["alice"].refresh_from_db()
    assert not people["alice"].is_active

    client.post(detail_url(people["alice"]), {"action": "activate"})
    people["alice"].refresh_from_db()
    assert people["alice"].is_active
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"accounts.user.deactivated", "accounts.user.activated"} <= actions


def test_system_admin_resets_a_password(people, login_as):
    login_as(people["sysadmin"]).post(
        detail_url(people["alice"]), {"action": "password", "password": NEW_PASSWORD}
    )

    people["alice"].refresh_from_db()
    assert people["alice"].check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="accounts.user.password_set").exists()


def test_system_admin_cannot_deactivate_themselves(people, login_as):
    response = login_as(people["sysadmin"]).post(
        detail_url(people["sysadmin"]), {"action": "deactivate"}, follow=True
    )

    assert "不能停用自己的账号" in response.content.decode()
    people["sysadmin"].refresh_from_db()
    assert people["sysadmin"].is_active


@pytest.mark.parametrize("who", ["alice", "carol", "auditor", "member"])
def test_only_the_account_administrators_open_the_user_pages(people, login_as, who):
    client = login_as(people[who])

    assert client.get("/w/users/").status_code == 403
    assert client.get(detail_url(people["bob"])).status_code == 403


def test_an_unknown_account_is_not_found(people, login_as):
    response = login_as(people["sysadmin"]).get("/w/users/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404


def test_the_list_searches_by_username_or_name(people, login_as):
    zhang = make_user("zhangsan")
    zhang.display_name = "张三"
    zhang.save()

    page = login_as(people["sysadmin"]).get("/w/users/", {"q": "张"}).context["page"]

    assert [u.username for u in page] == ["zhangsan"]


def test_the_list_shows_each_users_assignments(people, login_as):
    body = login_as(people["secadmin"]).get("/w/users/").content.decode()

    assert "甲厂工会 · 基层工会干部" in body


def add_staff(tree, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        make_user(
            f"staff{n:03d}",
            assignments=[(tree["a"], "union_officer", None), (tree["city"], "leader", None)],
        )


@pytest.mark.parametrize("who", ["sysadmin", "secadmin"])
def test_the_user_list_does_not_query_once_per_user(
    people, tree, login_as, who, django_assert_max_num_queries
):
    client = login_as(people[who])
    add_staff(tree, 3)
    client.get("/w/users/")  # warm caches that are not per user (content types, roles)
    with django_assert_max_num_queries(12) as few:
        client.get("/w/users/")
    add_staff(tree, 40, start=3)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/w/users/")

    assert len(response.context["page"]) == 50


def test_the_user_detail_does_not_query_once_per_assignment(
    people, tree, login_as, django_assert_max_num_queries
):
    many = make_user(
        "many", assignments=[(u, "union_officer", None) for u in tree.values() if u.code != "CITY"]
    )
    client = login_as(people["secadmin"])
    client.get(detail_url(many))

    with django_assert_max_num_queries(16):
        response = client.get(detail_url(many))

    assert response.status_code == 200
    assert response.content.decode().count("基层工会干部") >= 4
