"""三权分立: 系统管理员 creates accounts, 安全管理员 grants business roles, 审计管理员 reads the
log; none can do another's work, nobody grants an administrator role through the application and
nobody changes their own roles."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from gonghui.accounts import services
from gonghui.accounts.models import Assignment, Role, User
from gonghui.accounts.permissions import ADMIN_ROLES
from gonghui.audit.models import AuditEntry
from gonghui.core.errors import DomainError, Forbidden

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qing-Shan-42x"


def role(code: str) -> Role:
    return Role.objects.get(code=code)


def create_account(by, username="newbie"):
    return services.user_create(by=by, username=username, password=NEW_PASSWORD)


def assign(by, user, union, code="union_officer"):
    return services.role_assign(by=by, user=user, union=union, role=role(code))


# 系统管理员


def test_system_admin_creates_an_account(people):
    user = create_account(people["sysadmin"])

    assert User.objects.filter(pk=user.pk).exists()
    entry = AuditEntry.objects.get(action="accounts.user.created")
    assert entry.actor_id == people["sysadmin"].pk


def test_system_admin_cannot_read_the_audit_log(people, login_as):
    client = login_as(people["sysadmin"])

    assert client.get("/w/audit/").status_code == 403
    assert client.get("/w/audit/export.xlsx").status_code == 403
    assert client.get("/api/v1/audit").status_code == 403


def test_system_admin_cannot_assign_roles(people, tree):
    newbie = create_account(people["sysadmin"])

    with pytest.raises(Forbidden):
        assign(people["sysadmin"], newbie, tree["a"])
    assert not newbie.assignments.exists()


def test_system_admin_cannot_unlock_or_reset_2fa(people):
    with pytest.raises(Forbidden):
        services.account_unlock(by=people["sysadmin"], user=people["alice"])
    with pytest.raises(Forbidden):
        services.two_factor_reset(by=people["sysadmin"], user=people["alice"])


# 安全管理员


def test_security_admin_assigns_a_business_role(people, tree):
    newbie = create_account(people["sysadmin"])

    assign(people["secadmin"], newbie, tree["a"])

    assert newbie.assignments.get().role.code == "union_officer"
    entry = AuditEntry.objects.get(action="accounts.role.assigned")
    assert (entry.actor_id, entry.changes["role"]) == (people["secadmin"].pk, "union_officer")


def test_security_admin_cannot_create_accounts(people, login_as):
    with pytest.raises(Forbidden):
        create_account(people["secadmin"])

    response = login_as(people["secadmin"]).post(
        "/w/users/new/",
        {"username": "newbie", "display_name": "新人", "kind": "staff", "password": NEW_PASSWORD},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="newbie").exists()


def test_security_admin_cannot_reset_passwords_or_deactivate(people):
    with pytest.raises(Forbidden):
        services.password_set(by=people["secadmin"], user=people["alice"], password=NEW_PASSWORD)
    with pytest.raises(Forbidden):
        services.user_set_active(by=people["secadmin"], user=people["alice"], active=False)


def test_security_admin_cannot_read_the_audit_log(people, login_as):
    client = login_as(people["secadmin"])

    assert client.get("/w/audit/").status_code == 403
    assert client.get("/api/v1/audit").status_code == 403


# 审计管理员


def test_auditor_reads_and_exports_the_log(people, login_as):
    client = login_as(people["auditor"])

    assert client.get("/w/audit/").status_code == 200
    assert client.get("/w/audit/export.xlsx").status_code == 200
    assert client.get("/api/v1/audit").status_code == 200


def test_auditor_cannot_create_accounts_or_assign_roles(people, tree, login_as):
    with pytest.raises(Forbidden):
        create_account(people["auditor"])
    with pytest.raises(Forbidden):
        assign(people["auditor"], people["alice"], tree["b"])

    assert login_as(people["auditor"]).get("/w/users/").status_code == 403


# Administrator roles and one's own roles


@pytest.mark.parametrize("admin_role", ADMIN_ROLES)
@pytest.mark.parametrize("actor", ["sysadmin", "secadmin", "auditor"])
def test_nobody_grants_an_administrator_role_through_the_application(
    people, tree, actor, admin_role
):
    newbie = create_account(people["sysadmin"])

    with pytest.raises(Forbidden) as caught:
        assign(people[actor], newbie, tree["city"], admin_role)

    assert caught.value.code == "account.admin_role_cli_only"
    assert not newbie.assignments.exists()


def test_the_assign_form_does_not_offer_administrator_roles(people, login_as):
    response = login_as(people["secadmin"]).get(f"/w/users/{people['alice'].public_id}/")

    offered = set(response.context["form"].fields["role"].queryset.values_list("code", flat=True))
    assert offered
    assert offered.isdisjoint(ADMIN_ROLES)


def test_an_administrator_role_cannot_be_revoked_through_the_application(people):
    assignment = people["auditor"].assignments.get()

    with pytest.raises(Forbidden):
        services.role_revoke(by=people["secadmin"], assignment=assignment)
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_nobody_changes_their_own_roles(people, tree):
    secadmin = people["secadmin"]

    with pytest.raises(DomainError) as caught:
        assign(secadmin, secadmin, tree["a"])

    assert caught.value.code == "account.self_change"
    assert list(secadmin.assignments.values_list("role__code", flat=True)) == ["security_admin"]


def test_a_second_security_admin_cannot_revoke_their_own_role(people, tree):
    other = create_account(people["sysadmin"], username="secadmin2")
    services.admin_grant(user=other, role_code="security_admin", root=tree["city"])

    with pytest.raises(Forbidden):
        services.role_revoke(by=other, assignment=other.assignments.get())


def test_an_administrator_cannot_also_hold_a_business_role(people, tree):
    with pytest.raises(DomainError) as caught:
        assign(people["secadmin"], people["auditor"], tree["a"])

    assert caught.value.code == "account.admin_exclusive"


def test_admin_grant_refuses_a_user_who_holds_another_role(people, tree):
    with pytest.raises(DomainError) as caught:
        services.admin_grant(user=people["alice"], role_code="audit_admin", root=tree["city"])

    assert caught.value.code == "account.admin_exclusive"
    assert caught.value.details["other_roles"] == ["union_officer"]
    assert not people["alice"].assignments.filter(role__code="audit_admin").exists()


def test_admin_grant_refuses_a_second_administrator_role(people, tree):
    with pytest.raises(DomainError):
        services.admin_grant(user=people["auditor"], role_code="system_admin", root=tree["city"])


def test_admin_grant_refuses_a_business_role(people, tree):
    newbie = create_account(people["sysadmin"])

    with pytest.raises(DomainError) as caught:
        services.admin_grant(user=newbie, role_code="county_staff", root=tree["city"])

    assert caught.value.code == "account.not_admin_role"


def test_create_admin_command_makes_an_administrator(tree, monkeypatch):
    monkeypatch.setenv("GONGHUI_ADMIN_PASSWORD", NEW_PASSWORD)

    call_command("create_admin", "auditor2", "audit_admin")

    user = User.objects.get(username="auditor2")
    assert list(user.assignments.values_list("role__code", "union__code")) == [
        ("audit_admin", "CITY")
    ]
    assert AuditEntry.objects.filter(action="accounts.admin.granted", object_repr="auditor2")


def test_create_admin_command_refuses_a_user_with_a_business_role(people):
    with pytest.raises(CommandError, match=r"account\.admin_exclusive"):
        call_command("create_admin", "alice", "security_admin")


def test_create_admin_command_refuses_a_weak_password(tree, monkeypatch):
    monkeypatch.setenv("GONGHUI_ADMIN_PASSWORD", "weak")

    with pytest.raises(CommandError, match=r"account\.password_weak"):
        call_command("create_admin", "auditor2", "audit_admin")
    assert not User.objects.filter(username="auditor2").exists()


@pytest.mark.parametrize("other_admin", ["secadmin", "auditor"])
def test_system_admin_cannot_reset_another_administrators_password(people, other_admin):
    """Else the system administrator could take over an auditor who has not enrolled 2FA yet."""
    subject = people[other_admin]

    with pytest.raises(Forbidden) as caught:
        services.password_set(by=people["sysadmin"], user=subject, password=NEW_PASSWORD)

    assert caught.value.code == "account.admin_cli_only"
    subject.refresh_from_db()
    assert not subject.check_password(NEW_PASSWORD)


def test_an_administrator_changes_their_own_password(people):
    auditor = people["auditor"]

    services.password_set(by=auditor, user=auditor, password=NEW_PASSWORD)

    assert auditor.check_password(NEW_PASSWORD)
